//! Write through the CLI, kill the process mid-stream, reopen: nothing acknowledged is missing.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::support::{JUDICIAL_FIELDS, adult, hoso, sample_node, sh_quote};

#[test]
fn killed_writer_loses_no_acknowledged_case() {
    let dir = sample_node();
    let d = dir.path();
    let citizen = adult(d);
    // A shell loop of durable `case new` calls; each prints its receipt code only after commit.
    let fields: Vec<String> = JUDICIAL_FIELDS.iter().map(|s| sh_quote(s)).collect();
    let script = format!(
        "while true; do {bin} --json case new --procedure judicial_record --citizen {citizen} {fields} || exit 1; done",
        bin = sh_quote(env!("CARGO_BIN_EXE_hoso")),
        fields = fields.join(" ")
    );
    let mut child = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .env("HOSO_DATA_DIR", d)
        .env("HOSO_OFFICER", "canbo01")
        .env("HOSO_PASSPHRASE", "hoso-demo")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(code) = line.trim().strip_prefix("\"receipt_code\": \"") {
                let _ = tx.send(code.trim_end_matches("\",").to_string());
            }
        }
    });
    // Let the loop run a while and acknowledge a few cases, however slow the machine: wait for
    // the acknowledgements (within a bound), not for a fixed time.
    let mut acked = Vec::new();
    let start = Instant::now();
    while (start.elapsed() < Duration::from_millis(2500) || acked.len() < 3)
        && start.elapsed() < Duration::from_secs(120)
    {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(code) => acked.push(code),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    // SIGKILL the hoso process in the middle of its write (the shell's child), then the shell.
    let shell = child.id().to_string();
    let _ = Command::new("pkill").args(["-KILL", "-P", &shell]).status();
    let _ = child.kill();
    let _ = child.wait();
    reader.join().expect("reader");
    acked.extend(rx.try_iter());
    assert!(
        acked.len() >= 2,
        "the loop acknowledged too few cases to test anything: {}",
        acked.len()
    );
    for code in &acked {
        let r = hoso(d, &["--json", "case", "show", code]);
        assert_eq!(
            r.code, 0,
            "acknowledged case {code} is missing after the kill: {}",
            r.stderr
        );
    }
    // The node still works and its indexes agree with the documents.
    let r = hoso(d, &["--json", "status"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.json()["cases"]
            .as_u64()
            .is_some_and(|n| n as usize >= 200 + acked.len())
    );
    let mut a = vec![
        "--json",
        "case",
        "new",
        "--procedure",
        "judicial_record",
        "--citizen",
        &citizen,
    ];
    a.extend(JUDICIAL_FIELDS);
    assert_eq!(hoso(d, &a).code, 0);
}
