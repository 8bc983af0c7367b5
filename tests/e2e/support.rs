//! Running the binary.

use std::path::Path;
use std::process::{Command, Output};

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout))
    }
}

/// `s` quoted for `sh`: temp dirs and the target dir may hold spaces or quotes (`TMPDIR`, a clone
/// under "My projects"), and a command line built with bare paths breaks there.
pub fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

pub fn hoso(dir: &Path, args: &[&str]) -> Run {
    let out: Output = Command::new(env!("CARGO_BIN_EXE_hoso"))
        .args(args)
        .env("HOSO_DATA_DIR", dir)
        .env("HOSO_OFFICER", "canbo01")
        .env("HOSO_PASSPHRASE", "hoso-demo")
        .env_remove("RUST_LOG")
        .output()
        .expect("run hoso");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A data dir with the sample node.
pub fn sample_node() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    let r = hoso(dir.path(), &["init", "--commune", "06112", "--sample"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    dir
}

/// A registry citizen with no case yet: an adult from the sample registry.
pub fn adult(dir: &Path) -> String {
    let r = hoso(
        dir,
        &[
            "--json",
            "registry",
            "list",
            "--search",
            "hoang van",
            "--limit",
            "50",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.json()
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|c| c["date_of_birth"].as_str().is_some_and(|d| d < "2000"))
        })
        .and_then(|c| c["citizen_id"].as_str())
        .expect("an adult Hoàng Văn")
        .to_string()
}

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
