//! Write through the CLI, kill the process mid-stream, reopen: nothing acknowledged is missing.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use hoso_testkit::cli::{
    Hoso, JUDICIAL_FIELDS, Jitter, judicial_case_args, judicial_record, sh_quote,
};

use crate::{BIN, adult, hoso, sample_node};

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
    let a = judicial_case_args(&citizen);
    assert_eq!(hoso(d, &a).code, 0);
}

/// How long one uninterrupted run of `hoso args` takes here, in milliseconds (it must succeed).
fn whole_run_ms(d: &std::path::Path, args: &[&str]) -> u64 {
    let t = Instant::now();
    let r = hoso(d, args);
    assert_eq!(r.code, 0, "calibration run failed: {}", r.stderr);
    (t.elapsed().as_millis() as u64).max(20)
}

fn count(d: &std::path::Path) -> u64 {
    let r = hoso(d, &["--json", "status"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.json()["cases"].as_u64().expect("cases")
}

/// Starts `hoso` with `args`, SIGKILLs it after `delay`, and returns its stdout (what it had
/// acknowledged) and whether it was killed before it finished.
fn run_and_kill(d: &std::path::Path, args: &[&str], delay: Duration) -> (String, bool) {
    let mut child = Hoso::new(BIN, d)
        .command(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    std::thread::sleep(delay);
    let killed = matches!(child.try_wait(), Ok(None));
    let _ = child.kill(); // SIGKILL
    let out = child.wait_with_output().expect("wait");
    (String::from_utf8_lossy(&out.stdout).into_owned(), killed)
}

#[test]
fn sigkilled_single_writes_lose_no_acknowledged_write() {
    const KILLS: usize = 40;
    let dir = sample_node();
    let d = dir.path();
    let citizen = adult(d);
    let args = judicial_case_args(&citizen);
    // One write run to the end first: kills are spread over as long as a whole run takes on
    // this machine, so most land inside the process (start-up, the write, the commit, the
    // reply) whether the machine is fast or loaded.
    let window = whole_run_ms(d, &args);
    let before = count(d);
    let mut jitter = Jitter::new();
    let (mut acked, mut killed) = (Vec::new(), 0);
    for _ in 0..KILLS {
        let (out, was_killed) = run_and_kill(d, &args, jitter.ms(window));
        killed += usize::from(was_killed);
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&out)
            && let Some(code) = v["receipt_code"].as_str()
        {
            acked.push(code.to_string());
        }
    }
    assert!(
        killed >= KILLS / 4,
        "only {killed} of {KILLS} runs were killed mid-way"
    );
    for code in &acked {
        let r = hoso(d, &["--json", "case", "show", code]);
        assert_eq!(r.code, 0, "acknowledged case {code} is lost: {}", r.stderr);
    }
    // Nothing was written twice or half: at most one case per attempt, every one whole.
    let after = count(d);
    assert!(after >= before + acked.len() as u64 && after <= before + KILLS as u64);
    let r = hoso(d, &["--json", "case", "list", "--limit", "1000"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = hoso(d, &["audit", "verify"]);
    assert_eq!(
        r.code, 0,
        "the chain does not verify after the kills: {}{}",
        r.stdout, r.stderr
    );
}

#[test]
fn sigkilled_import_lands_whole_or_not_at_all_and_a_rerun_duplicates_nothing() {
    const KILLS: usize = 15;
    const PER_FILE: usize = 20;
    let dir = sample_node();
    let d = dir.path();
    let citizen = adult(d);
    let mut jitter = Jitter::new();
    let mut killed = 0;
    let file_for = |k: usize| {
        let mut lines = String::new();
        for i in 0..PER_FILE {
            let mut rec = judicial_record(&citizen, &format!("Bổ sung hồ sơ xin việc {k}"));
            rec["received_at"] = "2026-11-20T09:00:00+07:00".into();
            // Every other file carries receipt codes; the others get new codes on each run,
            // so only the file's import receipt keeps a re-run from receiving them twice.
            if k.is_multiple_of(2) {
                rec["receipt_code"] = format!("000.20.06.112-261120-K{k:02}{i:03}").into();
            }
            lines.push_str(&format!("{rec}\n"));
        }
        let file = d.join(format!("import-{k}.jsonl"));
        std::fs::write(&file, lines).expect("write");
        file
    };
    // One import run to the end first: kills are spread over as long as a whole import takes.
    let calibration = file_for(KILLS);
    let window = whole_run_ms(
        d,
        &["--json", "import", calibration.to_str().expect("path")],
    );
    let mut expected = count(d);
    for k in 0..KILLS {
        let file = file_for(k);
        let f = file.to_str().expect("path");
        let (_, was_killed) = run_and_kill(d, &["--json", "import", f], jitter.ms(window));
        killed += usize::from(was_killed);
        let now = count(d);
        assert!(
            now == expected || now == expected + PER_FILE as u64,
            "after kill {k} the node holds {now} cases: a partial import (expected {expected} or {})",
            expected + PER_FILE as u64
        );
        // Re-run: imports the file when the killed run left nothing, refuses when it landed.
        let r = hoso(d, &["--json", "import", f]);
        if now == expected {
            assert_eq!(r.code, 0, "{}", r.stderr);
        } else {
            assert_eq!(r.code, 2, "{}", r.stderr);
            let why = if k % 2 == 0 {
                "already exists"
            } else {
                "already imported"
            };
            assert!(r.stderr.contains(why), "{}", r.stderr);
        }
        expected += PER_FILE as u64;
        assert_eq!(
            count(d),
            expected,
            "re-run after kill {k} duplicated or lost cases"
        );
    }
    // How many kills land mid-way depends on the machine's load (the window is one calibrated
    // run); at least one must, or the test exercised nothing.
    assert!(killed >= 1, "none of {KILLS} imports was killed mid-way");
    let r = hoso(d, &["audit", "verify"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

/// What held when issue 9 was filed and must keep holding: 8 `hoso` processes writing to one
/// node at once lose nothing. Each writer acknowledges a case only after its commit; at the end
/// every acknowledged receipt code is there exactly once and the chain and indexes verify.
#[test]
fn eight_concurrent_writers_lose_nothing() {
    const WRITERS: usize = 8;
    let node = sample_node();
    let citizen = node.sample_adult();
    let before = count(node.path());
    let run_for = Duration::from_secs(5);
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let node = node.clone();
            let citizen = citizen.clone();
            std::thread::spawn(move || {
                let args = judicial_case_args(&citizen);
                let (mut acked, mut failed) = (Vec::new(), Vec::new());
                let start = Instant::now();
                while (start.elapsed() < run_for || acked.len() < 2)
                    && start.elapsed() < Duration::from_secs(90)
                {
                    let r = node.run(&args);
                    if r.code == 0 {
                        acked.push(r.json()["receipt_code"].as_str().expect("code").to_string());
                    } else {
                        failed.push(format!("writer {w}: exit {}: {}", r.code, r.stderr));
                    }
                }
                (acked, failed)
            })
        })
        .collect();
    let mut acked = Vec::new();
    for w in writers {
        let (a, f) = w.join().expect("writer");
        assert!(f.is_empty(), "a concurrent write failed: {f:?}");
        acked.extend(a);
    }
    let mut unique = acked.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), acked.len(), "a receipt code was given twice");
    assert_eq!(count(node.path()), before + acked.len() as u64);
    let listed = node
        .ok(&["--json", "case", "list", "--limit", "100000"])
        .json()
        .to_string();
    for code in &acked {
        assert!(listed.contains(code.as_str()), "{code} is missing");
    }
    node.ok(&["check"]);
    node.ok(&["audit", "verify"]);
}

/// A full disk is a clean error that loses nothing, for a single write and for an import (which
/// lands whole or not at all, and imports in full once there is room). The disk is made full
/// for the one process with a file-size limit (`ulimit -f`, SIGXFSZ ignored so the write fails
/// with an error instead of killing the process): no privileges, no loop device.
#[test]
fn a_full_disk_is_a_clean_error_and_loses_nothing() {
    let node = sample_node();
    let d = node.path();
    let citizen = node.sample_adult();
    let files = tempfile::tempdir().expect("tmp");
    let file = files.path().join("many.jsonl");
    let mut text = String::new();
    for i in 0..400 {
        let purpose = format!("Bổ sung hồ sơ xin việc số {i} {}", "x".repeat(100));
        let rec = judicial_record(&citizen, &purpose);
        text.push_str(&format!("{rec}\n"));
    }
    std::fs::write(&file, text).expect("write");
    let before = count(d);
    let store_kib = std::fs::metadata(d.join("store.redb"))
        .expect("store")
        .len()
        / 1024;
    // `hoso ARGS` that may not grow any file past the store's size now.
    let full = |args: &[&str]| {
        let script = format!("trap '' XFSZ; ulimit -f {}; exec \"$@\"", store_kib + 1);
        let out = node
            .wrapped(&["bash", "-c", &script, "bash"], args)
            .output()
            .expect("run");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, err) = full(&["import", file.to_str().expect("path")]);
    assert_eq!(
        code, 1,
        "a full disk is exit 1, not a crash, bad input or a success: {err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains("nothing was imported"), "{err}");
    assert_eq!(count(d), before, "a partial import landed");
    // A single write that needs room fails the same way: notes until the file must grow.
    // Notes go to the case received here, then to the sample's cases in process, 30 each: far
    // from a document's bound, and enough of them to fill what the file has free (store
    // format 4 packs the sample's cases small, so more of the file is free).
    let mut codes = vec![node.receive_judicial(&citizen)];
    let listed = node
        .ok(&[
            "--json",
            "case",
            "list",
            "--status",
            "in_process",
            "--limit",
            "100",
        ])
        .json();
    codes.extend(
        listed
            .as_array()
            .expect("list")
            .iter()
            .filter_map(|c| c["receipt_code"].as_str().map(str::to_string)),
    );
    // Letters in a pseudo-random order: a note the document's compression cannot shrink, so
    // every note needs room of its own (compact audit rows leave too little growth per write
    // for a repeated phrase to reach the limit).
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut note = || -> String {
        (0..6500)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                char::from(b"abcdeghiklmnopqrstuvxy "[(seed % 23) as usize])
            })
            .collect()
    };
    let mut refused = false;
    for i in 0..400 {
        let note = note();
        let code_of_case = &codes[(i / 30) % codes.len()];
        let (c, e) = full(&["case", "note", code_of_case, &note]);
        match c {
            0 => {}
            1 => {
                assert_eq!(e.trim().lines().count(), 1, "one line: {e}");
                refused = true;
                break;
            }
            other => panic!("a write on a full disk exited {other}: {e}"),
        }
    }
    assert!(refused, "400 notes of 7 KB never needed the store to grow");
    node.ok(&["check"]);
    node.ok(&["audit", "verify"]);
    // With room again the same file imports in full: the failed run left no receipt.
    node.ok(&["import", file.to_str().expect("path")]);
    assert_eq!(count(d), before + 401);
    node.ok(&["audit", "verify"]);
}
