//! The hub's console end to end, with real processes: two communes (`init --sample`) sync to a
//! hub running `hoso serve` over iroh on loopback; the hub is stopped, and its console, opened
//! afterwards in tmux at 80×24, shows both communes on the dashboard with their last contact
//! (read back from the store: it survived the restart); the auditor then filters one officer's
//! actions across every chain the hub holds.
//!
//! tmux is required (CI installs it, see .ci/run).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use hoso_testkit::cli::sh_quote;

const BIN: &str = env!("CARGO_BIN_EXE_hoso");
const WAIT: Duration = Duration::from_secs(60);

fn hoso(dir: &Path, args: &[&str]) -> String {
    hoso_as(dir, "canbo01", args)
}

/// `hoso` acting as `officer` (peer administration is a supervisor's).
fn hoso_as(dir: &Path, officer: &str, args: &[&str]) -> String {
    let out = Command::new(BIN)
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("HOSO_OFFICER", officer)
        .env("HOSO_PASSPHRASE", "hoso-demo")
        .env_remove("HOSO_DATA_DIR")
        .env_remove("RUST_LOG")
        .output()
        .expect("run hoso");
    assert!(
        out.status.success(),
        "hoso {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn free_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn node_id(dir: &Path) -> String {
    let v: serde_json::Value = serde_json::from_str(&hoso(dir, &["--json", "id"])).expect("json");
    v["node_id"].as_str().expect("node id").to_string()
}

/// `hoso serve`, once it printed its first line.
fn serve(dir: &Path) -> Child {
    let mut child = Command::new(BIN)
        .arg("--data-dir")
        .arg(dir)
        .arg("serve")
        .env_remove("HOSO_DATA_DIR")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn serve");
    let out = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let line = rx.recv_timeout(WAIT).expect("serve prints its first line");
    assert!(line.starts_with("serving "), "{line}");
    child
}

fn stop(mut child: Child) {
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    for _ in 0..200 {
        if let Ok(Some(st)) = child.try_wait() {
            assert!(st.success(), "serve exited with {st}");
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    panic!("serve did not stop within 20 s of SIGTERM");
}

struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(name: &str, cmd: &str) -> Tmux {
        let ok = Command::new("tmux").arg("-V").output();
        assert!(
            ok.as_ref().is_ok_and(|o| o.status.success()),
            "tmux is not installed: the console end-to-end test needs it (apt-get install tmux)"
        );
        let t = Tmux {
            socket: format!("hoso-e2e-{}-{name}", std::process::id()),
        };
        t.run(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-x",
            "80",
            "-y",
            "24",
            "-s",
            "e2e",
            cmd,
        ]);
        t.run(&["set-option", "-t", "e2e", "remain-on-exit", "on"]);
        t
    }

    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .env_remove("TMUX")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("run tmux");
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "e2e"])
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    fn text(&self, s: &str) {
        self.run(&["send-keys", "-t", "e2e", "-l", s]);
    }

    fn wait_until(&self, what: &str, f: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if f(&s) {
                return s;
            }
            assert!(
                start.elapsed() < WAIT,
                "{what} did not show within {WAIT:?}; the screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn wait_for(&self, want: &str) -> String {
        self.wait_until(want, |s| s.contains(want))
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .env_remove("TMUX")
            .arg("-L")
            .arg(&self.socket)
            .arg("kill-server")
            .output();
    }
}

fn console_cmd(dir: &Path) -> String {
    let script = format!(
        "env -u COLUMNS -u LINES NO_COLOR=1 TERM=xterm-256color {} --data-dir {} tui",
        sh_quote(BIN),
        sh_quote(&dir.to_string_lossy()),
    );
    format!("sh -c {}", sh_quote(&script))
}

fn login(t: &Tmux, officer: &str) {
    t.wait_for("Đăng nhập cán bộ");
    t.text(officer);
    t.keys(&["Enter"]);
    t.text("hoso-demo");
    t.keys(&["Enter"]);
}

/// The dashboard row of a commune (`06112 Xã Bình Gia …`).
fn row<'a>(screen: &'a str, code: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(&format!("│{code} ")))
        .unwrap_or_else(|| panic!("no row for {code} on:\n{screen}"))
}

#[test]
fn two_communes_sync_then_the_hub_dashboard_and_the_auditor_filter() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (hub, a, b) = (
        tmp.path().join("hub"),
        tmp.path().join("binhgia"),
        tmp.path().join("hoatham"),
    );
    let hub_addr = format!("127.0.0.1:{}", free_port());
    hoso(
        &hub,
        &[
            "init",
            "--role",
            "hub",
            "--province",
            "20",
            "--listen",
            &hub_addr,
            "--sample",
        ],
    );
    for (dir, code) in [(&a, "06112"), (&b, "06115")] {
        let listen = format!("127.0.0.1:{}", free_port());
        hoso(
            dir,
            &["init", "--commune", code, "--listen", &listen, "--sample"],
        );
    }
    let hub_id = node_id(&hub);
    for (dir, code, name) in [(&a, "06112", "Xã Bình Gia"), (&b, "06115", "Xã Hoa Thám")] {
        let id = node_id(dir);
        hoso_as(
            &hub,
            "lanhdao01",
            &[
                "peer", "add", &id, "--role", "commune", "--scope", code, "--name", name,
            ],
        );
        hoso_as(
            dir,
            "lanhdao01",
            &[
                "peer",
                "add",
                &hub_id,
                "--addr",
                &hub_addr,
                "--role",
                "hub",
                "--name",
                "Hub Lạng Sơn",
            ],
        );
    }
    // One officer's action at Hoa Thám before it syncs: canbo02 notes a case.
    let list: serde_json::Value =
        serde_json::from_str(&hoso(&b, &["--json", "case", "list", "--limit", "1"])).expect("json");
    let code = list[0]["receipt_code"]
        .as_str()
        .expect("a case")
        .to_string();
    let out = Command::new(BIN)
        .arg("--data-dir")
        .arg(&b)
        .args(["case", "note", &code, "Đã gọi điện hẹn công dân"])
        .env("HOSO_OFFICER", "canbo02")
        .env("HOSO_PASSPHRASE", "hoso-demo")
        .output()
        .expect("note");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let server = serve(&hub);
    for dir in [&a, &b] {
        hoso(dir, &["sync", "--once"]);
    }
    stop(server);

    // The hub's console, in a new process: the contacts come from the store.
    let t = Tmux::start("hub", &console_cmd(&hub));
    login(&t, "lanhdao01");
    let s = t.wait_until("both communes on the dashboard", |s| {
        s.contains("│06112 ") && s.contains("│06115 ")
    });
    eprintln!("hub dashboard at 80x24:\n{s}");
    assert!(s.contains("1 Các xã") && !s.contains("2 Tiếp nhận"), "{s}");
    for c in ["06112", "06115"] {
        let r = row(&s, c);
        assert!(!r.contains("chưa lần nào"), "last contact kept: {r}");
        assert!(r.contains(':'), "a contact time: {r}");
    }
    assert!(s.contains("400 hồ sơ tại trung tâm"), "{s}");
    t.keys(&["n"]);
    t.wait_for("không tiếp nhận");
    t.keys(&["C-c"]);
    drop(t);

    // The auditor: every chain the hub holds, then one officer's actions.
    let t = Tmux::start("audit", &console_cmd(&hub));
    login(&t, "thanhtra01");
    t.wait_for("│06112 ");
    t.keys(&["4"]);
    let s = t.wait_for("mục trong 3 chuỗi");
    assert!(s.contains("Nhật ký kiểm toán"), "{s}");
    t.keys(&["f", "Tab"]);
    t.text("canbo02");
    t.keys(&["Enter"]);
    let rows_of = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| l.starts_with('│') && l.contains('/') && l.contains(':'))
            .map(str::to_string)
            .collect()
    };
    let s = t.wait_until("only canbo02's actions", |s| {
        let rows = rows_of(s);
        s.contains("Thêm ghi chú")
            && !rows.is_empty()
            && rows
                .iter()
                .all(|r| r.contains("canbo02") && r.contains("06115"))
    });
    eprintln!("auditor filtered to canbo02 at 80x24:\n{s}");
    assert!(s.contains("mục khớp"), "{s}");
    assert!(!s.contains("case_") && !s.contains('{'), "{s}");
    t.keys(&["C-c"]);
}
