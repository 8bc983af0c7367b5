//! What the ops tests share: a hub and a commune peered on loopback, `serve` processes, tmux.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use hoso_testkit::cli::Hoso;

/// The binary under test.
pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_hoso");

/// A free UDP port on loopback.
pub(crate) fn free_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// `hoso --json id`'s node id.
pub(crate) fn node_id(h: &Hoso) -> String {
    h.ok(&["--json", "id"]).json()["node_id"]
        .as_str()
        .expect("node id")
        .to_string()
}

/// A sample hub and a sample commune (06112) in `root`, peered both ways on loopback.
pub(crate) struct Pair {
    /// The hub.
    pub hub: Hoso,
    /// The commune.
    pub commune: Hoso,
}

/// Creates a [`Pair`] under `root`.
pub(crate) fn pair(root: &Path) -> Pair {
    let (hp, cp) = (free_port(), free_port());
    let hub = Hoso::new(BIN, &root.join("hub"));
    let commune = Hoso::new(BIN, &root.join("commune"));
    hub.ok(&[
        "init",
        "--role",
        "hub",
        "--province",
        "20",
        "--listen",
        &format!("127.0.0.1:{hp}"),
        "--sample",
    ]);
    commune.ok(&[
        "init",
        "--commune",
        "06112",
        "--listen",
        &format!("127.0.0.1:{cp}"),
        "--sample",
    ]);
    let cid = node_id(&commune);
    // Peer administration is a supervisor's.
    hub.as_officer("lanhdao01").ok(&[
        "peer",
        "add",
        &cid,
        "--addr",
        &format!("127.0.0.1:{cp}"),
        "--role",
        "commune",
        "--scope",
        "06112",
        "--name",
        "Bình Gia",
    ]);
    peer_hub(&commune.as_officer("lanhdao01"), &hub, hp);
    Pair { hub, commune }
}

/// The port in `h`'s `listen` setting.
pub(crate) fn hub_port(h: &Hoso) -> u16 {
    let cfg = std::fs::read_to_string(h.dir.join("node.toml")).expect("node.toml");
    cfg.lines()
        .find_map(|l| l.strip_prefix("listen = "))
        .and_then(|v| v.trim().trim_matches('"').rsplit(':').next()?.parse().ok())
        .expect("listen port")
}

/// Adds `hub` (listening on `port`) as the hub peer of `commune` (acting as a supervisor of it).
pub(crate) fn peer_hub(commune: &Hoso, hub: &Hoso, port: u16) {
    let hid = node_id(hub);
    commune.ok(&[
        "peer",
        "add",
        &hid,
        "--addr",
        &format!("127.0.0.1:{port}"),
        "--role",
        "hub",
        "--name",
        "Hub Lạng Sơn",
    ]);
}

/// A running `hoso serve`, stopped (SIGTERM) on drop.
pub(crate) struct Serve {
    child: Option<Child>,
}

impl Serve {
    /// Starts `hoso serve` on `h`'s data dir and waits for its first line.
    pub(crate) fn start(h: &Hoso) -> Serve {
        Serve::spawn(Command::new(BIN), h)
    }

    /// Starts `hoso serve` with its clock moved by `offset` (libfaketime preloaded, e.g.
    /// `+2h`; monotonic time is left alone, so timers behave). Debian's `faketime` package.
    pub(crate) fn start_with_clock(h: &Hoso, offset: &str) -> Serve {
        let lib = [
            "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1",
            "/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1",
            "/usr/lib/faketime/libfaketimeMT.so.1",
        ]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("libfaketime is missing: apt-get install faketime (.ci/run installs it)");
        let mut cmd = Command::new(BIN);
        cmd.env("LD_PRELOAD", lib)
            .env("FAKETIME", offset)
            .env("FAKETIME_DONT_FAKE_MONOTONIC", "1");
        Serve::spawn(cmd, h)
    }

    fn spawn(mut cmd: Command, h: &Hoso) -> Serve {
        let mut child = cmd
            .arg("--data-dir")
            .arg(&h.dir)
            .arg("serve")
            .env_remove("HOSO_DATA_DIR")
            .env_remove("HOSO_OFFICER")
            .env_remove("HOSO_PASSPHRASE")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn serve");
        hoso_testkit::cli::wait_until_serving(&mut child);
        Serve { child: Some(child) }
    }

    /// Stops it with SIGTERM and asserts a clean exit.
    pub(crate) fn stop(mut self) {
        self.stop_inner(true);
    }

    fn stop_inner(&mut self, check: bool) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status();
        for _ in 0..200 {
            if let Ok(Some(st)) = child.try_wait() {
                if check {
                    assert!(st.success(), "serve exited with {st}");
                }
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
        if check {
            panic!("serve did not shut down within 20 s of SIGTERM");
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        self.stop_inner(false);
    }
}

/// Receipt codes of every case a node holds, sorted.
pub(crate) fn receipts(h: &Hoso) -> Vec<String> {
    let v = h
        .ok(&["--json", "case", "list", "--limit", "100000"])
        .json();
    let mut r: Vec<String> = v
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|c| c["receipt_code"].as_str().map(str::to_string))
        .collect();
    r.sort();
    r
}

/// Receives a judicial-record case for an adult of the sample registry; its receipt code.
pub(crate) fn new_case(h: &Hoso) -> String {
    let citizen = h.sample_adult();
    let mut args = vec![
        "--json",
        "case",
        "new",
        "--procedure",
        "judicial_record",
        "--citizen",
        citizen.as_str(),
    ];
    args.extend(hoso_testkit::cli::JUDICIAL_FIELDS);
    h.ok(&args).json()["receipt_code"]
        .as_str()
        .expect("receipt code")
        .to_string()
}

/// Action names of a node's audit entries for the chain of `node` (all chains when `None`).
pub(crate) fn audit_actions(h: &Hoso, node: Option<&str>) -> Vec<(String, serde_json::Value)> {
    let mut args = vec!["--json", "audit", "log"];
    if let Some(n) = node {
        args.extend(["--node", n]);
    }
    h.ok(&args)
        .json()
        .as_array()
        .expect("array")
        .iter()
        .map(|r| (r["action"].as_str().unwrap_or("").to_string(), r.clone()))
        .collect()
}

pub(crate) use hoso_testkit::tmux::Tmux;

/// The console on `dir` as a tmux command line (no colour, a stated terminal).
pub(crate) fn console_cmd(dir: &Path) -> String {
    use hoso_testkit::cli::sh_quote;
    let script = format!(
        "env -u COLUMNS -u LINES -u HOSO_OFFICER -u HOSO_PASSPHRASE NO_COLOR=1 TERM=xterm-256color {} --data-dir {} tui",
        sh_quote(BIN),
        sh_quote(&dir.to_string_lossy()),
    );
    format!("sh -c {}", sh_quote(&script))
}
