//! The `hoso` end-to-end runner: the real binary, a data dir, an officer and a passphrase.
//!
//! ```no_run
//! # fn main() {
//! # let bin = "target/debug/hoso";
//! // In the `hoso` package's integration tests: `env!("CARGO_BIN_EXE_hoso")`.
//! let node = hoso_testkit::cli::Hoso::sample(bin);
//! let cases = node.ok(&["--json", "case", "list"]).json();
//! node.run(&["case", "transition", "X", "decided"]).code(2);
//! # let _ = cases; }
//! ```

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::fixtures::SAMPLE_PASS;

/// What one run of `hoso` did.
#[derive(Debug)]
pub struct Run {
    /// The command line (for messages).
    pub args: Vec<String>,
    /// Exit code (-1 when killed by a signal).
    pub code: i32,
    /// Stdout, lossily decoded.
    pub stdout: String,
    /// Stderr, lossily decoded.
    pub stderr: String,
}

impl Run {
    /// Asserts the exit code; returns the run for more checks.
    #[track_caller]
    pub fn code(self, expected: i32) -> Run {
        assert_eq!(
            self.code,
            expected,
            "`hoso {}` exited {} (expected {expected})\nstdout: {}\nstderr: {}",
            self.args.join(" "),
            self.code,
            self.stdout,
            self.stderr
        );
        self
    }

    /// Stdout as JSON (panics with the text when it is not).
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "`hoso {}` printed no JSON ({e}): {}",
                self.args.join(" "),
                self.stdout
            )
        })
    }

    /// Asserts a refusal of bad input: exit 2 and one line on stderr that contains `text`.
    #[track_caller]
    pub fn refused(self, text: &str) -> Run {
        let run = self.code(2).stderr_has(text);
        assert_eq!(
            run.stderr.trim().lines().count(),
            1,
            "`hoso {}`: one line on stderr: {}",
            run.args.join(" "),
            run.stderr
        );
        run
    }

    /// Asserts that stderr contains `text` (an error message the user reads).
    #[track_caller]
    pub fn stderr_has(self, text: &str) -> Run {
        assert!(
            self.stderr.contains(text),
            "`hoso {}`: stderr lacks `{text}`: {}",
            self.args.join(" "),
            self.stderr
        );
        self
    }
}

/// How a [`Hoso`] proves who is acting.
#[derive(Clone, Debug)]
pub enum Auth {
    /// `HOSO_PASSPHRASE` with this passphrase (the default: the sample passphrase).
    Passphrase(String),
    /// Nothing: the session opened by `hoso login`, or none.
    None,
}

/// The `hoso` binary pointed at one data dir, with an acting officer.
#[derive(Clone, Debug)]
pub struct Hoso {
    /// The binary.
    pub bin: PathBuf,
    /// The data dir (`--data-dir`).
    pub dir: PathBuf,
    /// `--officer` (via `HOSO_OFFICER`), if any.
    pub officer: Option<String>,
    /// How writes authenticate.
    pub auth: Auth,
    /// Extra environment.
    pub env: Vec<(OsString, OsString)>,
    /// Keeps the temp dir of [`Hoso::sample`] alive.
    _tmp: Option<std::sync::Arc<tempfile::TempDir>>,
}

impl Hoso {
    /// `bin` on data dir `dir`, acting as `canbo01` with the sample passphrase.
    pub fn new(bin: impl Into<PathBuf>, dir: &Path) -> Hoso {
        Hoso {
            bin: bin.into(),
            dir: dir.to_path_buf(),
            officer: Some("canbo01".into()),
            auth: Auth::Passphrase(SAMPLE_PASS.into()),
            env: Vec::new(),
            _tmp: None,
        }
    }

    /// A fresh `hoso init --commune 06112 --sample` node in a temp dir (removed when the last
    /// clone is dropped), acting as `canbo01`.
    pub fn sample(bin: impl Into<PathBuf>) -> Hoso {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut h = Hoso::new(bin, &tmp.path().join("node"));
        h._tmp = Some(std::sync::Arc::new(tmp));
        h.ok(&["init", "--commune", "06112", "--sample"]);
        h
    }

    /// The data dir.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// The same node, acting as `officer` (with the same authentication).
    pub fn as_officer(&self, officer: &str) -> Hoso {
        Hoso {
            officer: Some(officer.into()),
            ..self.clone()
        }
    }

    /// The same node with no `--officer`.
    pub fn no_officer(&self) -> Hoso {
        Hoso {
            officer: None,
            ..self.clone()
        }
    }

    /// The same node authenticating with `auth`.
    pub fn with_auth(&self, auth: Auth) -> Hoso {
        Hoso {
            auth,
            ..self.clone()
        }
    }

    /// The same node with an extra environment variable.
    pub fn with_env(&self, key: &str, value: impl Into<OsString>) -> Hoso {
        let mut h = self.clone();
        h.env.push((key.into(), value.into()));
        h
    }

    /// The command, ready to run.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(&self.bin);
        c.arg("--data-dir")
            .arg(&self.dir)
            .args(args)
            .env_remove("HOSO_DATA_DIR")
            .env_remove("HOSO_OFFICER")
            .env_remove("HOSO_PASSPHRASE")
            .env_remove("RUST_LOG");
        if let Some(o) = &self.officer {
            c.env("HOSO_OFFICER", o);
        }
        if let Auth::Passphrase(p) = &self.auth {
            c.env("HOSO_PASSPHRASE", p);
        }
        for (k, v) in &self.env {
            c.env(k, v);
        }
        c
    }

    /// The command run through `wrapper` (a program and its arguments, e.g. `bash -c SCRIPT
    /// bash` where SCRIPT ends in `exec "$@"`), with the same data dir, officer and
    /// environment.
    pub fn wrapped(&self, wrapper: &[&str], args: &[&str]) -> Command {
        let inner = self.command(args);
        let mut c = Command::new(wrapper[0]);
        c.args(&wrapper[1..])
            .arg(inner.get_program())
            .args(inner.get_args())
            .env_clear();
        for (k, v) in inner.get_envs() {
            if let Some(v) = v {
                c.env(k, v);
            }
        }
        for (k, v) in std::env::vars_os() {
            if !inner.get_envs().any(|(ik, _)| ik == k) {
                c.env(k, v);
            }
        }
        c
    }

    /// Runs `hoso ARGS` with stdin closed.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_stdin(args, None)
    }

    /// Runs `hoso ARGS` writing `input` on its stdin.
    pub fn run_stdin(&self, args: &[&str], input: Option<&str>) -> Run {
        let mut c = self.command(args);
        c.stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let mut child = c.spawn().expect("run hoso");
        if let (Some(text), Some(mut stdin)) = (input, child.stdin.take()) {
            let _ = stdin.write_all(text.as_bytes());
        }
        let out = child.wait_with_output().expect("wait for hoso");
        Run {
            args: args.iter().map(std::string::ToString::to_string).collect(),
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs `hoso ARGS` and asserts exit 0.
    #[track_caller]
    pub fn ok(&self, args: &[&str]) -> Run {
        self.run(args).code(0)
    }

    /// `hoso login ID --passphrase-stdin` with `passphrase`.
    pub fn login(&self, id: &str, passphrase: &str) -> Run {
        self.run_stdin(
            &["login", id, "--passphrase-stdin"],
            Some(&format!("{passphrase}\n")),
        )
    }

    /// Receives a judicial-record case of `citizen` ([`judicial_case_args`]), asserting exit 0;
    /// its receipt code.
    #[track_caller]
    pub fn receive_judicial(&self, citizen: &str) -> String {
        self.ok(&judicial_case_args(citizen)).json()["receipt_code"]
            .as_str()
            .expect("receipt code")
            .to_string()
    }

    /// A registry citizen of the sample node with no case yet: an adult Hoàng Văn.
    pub fn sample_adult(&self) -> String {
        let v = self
            .ok(&[
                "--json",
                "registry",
                "list",
                "--search",
                "hoang van",
                "--limit",
                "50",
            ])
            .json();
        v.as_array()
            .and_then(|a| {
                a.iter()
                    .find(|c| c["date_of_birth"].as_str().is_some_and(|d| d < "2000"))
            })
            .and_then(|c| c["citizen_id"].as_str())
            .expect("an adult Hoàng Văn in the sample registry")
            .to_string()
    }
}

/// The citizen-provided fields of a `judicial_record` case, as `--field` arguments.
pub const JUDICIAL_FIELDS: [&str; 8] = [
    "--field",
    "requester_place_of_birth=Xã Bình Gia",
    "--field",
    "certificate_type=Phiếu số 1",
    "--field",
    "purpose=Bổ sung hồ sơ xin việc",
    "--field",
    "copies=1",
];

/// `--json case new --procedure judicial_record --citizen CITIZEN` with [`JUDICIAL_FIELDS`]:
/// the arguments of a case the catalog accepts.
pub fn judicial_case_args(citizen: &str) -> Vec<&str> {
    let mut args = vec![
        "--json",
        "case",
        "new",
        "--procedure",
        "judicial_record",
        "--citizen",
        citizen,
    ];
    args.extend(JUDICIAL_FIELDS);
    args
}

/// One `hoso import` record of a judicial-record case of `citizen` (no receipt code: the import
/// assigns one) whose purpose is `purpose`.
pub fn judicial_record(citizen: &str, purpose: &str) -> serde_json::Value {
    serde_json::json!({
        "procedure": "judicial_record",
        "citizen_id": citizen,
        "fields": {
            "requester_place_of_birth": "Xã Bình Gia",
            "certificate_type": "Phiếu số 1",
            "purpose": purpose,
            "copies": "1"
        },
    })
}

/// `s` quoted for `sh` (temp dirs and the target dir may hold spaces or quotes).
pub fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The text of a PDF, read back with poppler's `pdftotext` (NFC, white space folded).
pub fn pdf_text(path: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output()
        .unwrap_or_else(|e| panic!("pdftotext not found ({e}): install poppler-utils"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = hoso_schemas::nfc(&String::from_utf8_lossy(&out.stdout));
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `YYYY-MM-DD` as the console and the forms write it: `DD/MM/YYYY`.
pub fn dmy(iso: &str) -> String {
    let p: Vec<&str> = iso.split('-').collect();
    format!("{}/{}/{}", p[2], p[1], p[0])
}

/// Defines, in an integration test crate of the `hoso` package, the binary under test and the
/// short forms of the runner the tests call: `BIN`, `hoso(dir, args)` (as `canbo01` with the
/// sample passphrase), `sample_node()` ([`Hoso::sample`]) and `adult(dir)`
/// ([`Hoso::sample_adult`]). A macro because `env!("CARGO_BIN_EXE_hoso")` exists only there.
#[macro_export]
macro_rules! hoso_bin {
    () => {
        /// The binary under test.
        #[allow(dead_code)]
        pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_hoso");

        /// `hoso ARGS` on data dir `d`, as `canbo01` with the sample passphrase.
        #[allow(dead_code)]
        pub(crate) fn hoso(d: &::std::path::Path, args: &[&str]) -> $crate::cli::Run {
            $crate::cli::Hoso::new(BIN, d).run(args)
        }

        /// A fresh sample node (`init --commune 06112 --sample`) in a temp dir.
        #[allow(dead_code)]
        pub(crate) fn sample_node() -> $crate::cli::Hoso {
            $crate::cli::Hoso::sample(BIN)
        }

        /// An adult of the sample registry with no case yet.
        #[allow(dead_code)]
        pub(crate) fn adult(d: &::std::path::Path) -> String {
            $crate::cli::Hoso::new(BIN, d).sample_adult()
        }
    };
}

/// A small xorshift: kill delays that vary from run to run without a dependency.
pub struct Jitter(u64);

impl Jitter {
    /// Seeded from the clock and the process id.
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(7)
            ^ u64::from(std::process::id());
        Jitter(seed | 1)
    }

    /// A delay in `0..max_ms` milliseconds.
    pub fn ms(&mut self, max_ms: u64) -> std::time::Duration {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        std::time::Duration::from_millis(self.0 % max_ms.max(1))
    }
}

/// Waits for a spawned `hoso serve` (stdout piped) to print its first line, `serving <id> at
/// <addr>`, within 30 s, and keeps draining its stdout so it never blocks on a full pipe.
pub fn wait_until_serving(child: &mut std::process::Child) {
    use std::io::{BufRead, BufReader};
    let out = child.stdout.take().expect("serve's stdout is piped");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut first = true;
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if first {
                let _ = tx.send(line);
                first = false;
            }
        }
    });
    let line = rx
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("serve prints its node id and address");
    assert!(line.starts_with("serving "), "{line}");
}
