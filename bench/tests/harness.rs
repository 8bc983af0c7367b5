//! The harness's own parts, and the hub and sync benches end to end at a tiny size against the
//! debug `hoso` binary (which `cargo test --workspace` builds). The link bench needs root and
//! minutes, and the province bench a 1M-case store: they are run by hand (README, Benchmarks).

#![cfg_attr(not(feature = "process"), allow(missing_docs))]
#![cfg(feature = "process")]

use std::net::UdpSocket;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

fn bench() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_hoso-bench"))
}

/// The `hoso` binary of the same build (target/<profile>/hoso).
fn hoso() -> PathBuf {
    let p = bench().with_file_name("hoso");
    assert!(
        p.is_file(),
        "{} is missing: build it with `cargo build -p hoso` (`cargo test --workspace` does)",
        p.display()
    );
    p
}

#[test]
fn measure_wrapper_reports_peak_rss_cpu_and_exit_code() {
    let dir = tempfile::tempdir().expect("tempdir");
    let report = dir.path().join("usage.json");
    // A shell that holds a 40 MB string, then exits 3.
    let st = Command::new(bench())
        .args(["__measure", "--report"])
        .arg(&report)
        .args([
            "--",
            "sh",
            "-c",
            "x=$(head -c 40000000 /dev/zero | tr '\\0' a); echo ${#x} >/dev/null; exit 3",
        ])
        .status()
        .expect("run the wrapper");
    assert_eq!(st.code(), Some(3), "the wrapper exits like its program");
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report).expect("report written")).expect("json");
    let rss = v["max_rss_kib"].as_u64().expect("max_rss_kib");
    assert!(rss > 35_000, "peak RSS of a 40 MB string is {rss} KiB");
    assert!(v["user_s"].as_f64().expect("user_s") + v["sys_s"].as_f64().expect("sys_s") > 0.0);
}

#[test]
fn relay_delays_each_way() {
    let echo = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let to = echo.local_addr().expect("addr");
    std::thread::spawn(move || {
        let mut buf = [0u8; 1500];
        while let Ok((n, from)) = echo.recv_from(&mut buf) {
            let _ = echo.send_to(&buf[..n], from);
        }
    });
    let port = UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .expect("free port")
        .port();
    let mut relay = Command::new(bench())
        .args(["__relay", "--listen", &format!("127.0.0.1:{port}"), "--to"])
        .arg(to.to_string())
        .args(["--delay-ms", "100"])
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("start the relay");
    let client = UdpSocket::bind("127.0.0.1:0").expect("bind");
    client
        .set_read_timeout(Some(Duration::from_millis(250)))
        .expect("timeout");
    let mut rtt = None;
    let mut buf = [0u8; 1500];
    for _ in 0..40 {
        let t = Instant::now();
        client.send_to(b"ping", ("127.0.0.1", port)).expect("send");
        if let Ok(n) = client.recv(&mut buf) {
            assert_eq!(&buf[..n], b"ping");
            rtt = Some(t.elapsed());
            break;
        }
    }
    let _ = relay.kill();
    let _ = relay.wait();
    let rtt = rtt.expect("no echo through the relay");
    assert!(
        rtt >= Duration::from_millis(195),
        "round trip through a 100 ms relay took {rtt:?}"
    );
}

fn run_bench(args: &[&str]) -> serde_json::Value {
    let out = Command::new(bench())
        .args(args)
        .arg("--hoso")
        .arg(hoso())
        .output()
        .expect("run hoso-bench");
    assert!(
        out.status.success(),
        "hoso-bench {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("hoso-bench prints JSON")
}

#[test]
fn hub_bench_converges_with_separate_processes() {
    let v = run_bench(&[
        "hub",
        "--communes",
        "2",
        "--cases-per-commune",
        "5",
        "--poll-ms",
        "100",
        "--timeout-s",
        "120",
    ]);
    assert_eq!(v["converged"], true, "{v:#}");
    assert_eq!(v["failed_sessions"], 0, "{v:#}");
    assert_eq!(v["hub_holds"]["cases"], 10, "{v:#}");
    assert_eq!(v["expected"]["cases"], 10);
    // Each commune's chain reached the hub: its set-up entries plus one per imported case.
    let entries = v["hub_holds"]["audit_entries"].as_u64().expect("entries");
    assert!(
        entries >= v["expected"]["audit_entries"].as_u64().expect("expected") && entries >= 10,
        "{v:#}"
    );
    assert!(v["hub_peak_rss_mib"].as_f64().expect("rss") > 1.0, "{v:#}");
    assert!(v["hub_cpu_s"].as_f64().expect("cpu") > 0.0, "{v:#}");
    assert!(v["bytes"].as_u64().expect("bytes") > 0, "{v:#}");
    assert!(v["commune"]["peak_rss_mib_max"].as_f64().expect("rss") > 1.0);
}

#[test]
fn sync_bench_runs_every_phase_between_two_processes() {
    let v = run_bench(&[
        "sync", "--cases", "12", "--edits", "3", "--noop", "1", "--live", "1",
    ]);
    assert_eq!(v["cases"], 12, "{v:#}");
    assert_eq!(v["initial"]["error"], serde_json::Value::Null, "{v:#}");
    assert!(
        v["initial"]["cases_sent"].as_u64().expect("sent") >= 12,
        "{v:#}"
    );
    assert_eq!(v["hub_holds"]["cases"], 12, "{v:#}");
    assert!(
        v["edited"]["round"]["audit_sent"].as_u64().expect("audit") >= 3,
        "{v:#}"
    );
    assert!(
        v["live_push_ms"]["median"].as_f64().expect("live") > 0.0,
        "{v:#}"
    );
    assert!(v["hub_peak_rss_mib"].as_f64().expect("rss") > 1.0, "{v:#}");
    assert!(
        v["commune_peak_rss_mib"].as_f64().expect("rss") > 1.0,
        "{v:#}"
    );
    assert!(
        v["disk_bytes_per_case"]["hub_after_sync"]
            .as_f64()
            .expect("disk")
            > 0.0
    );
}
