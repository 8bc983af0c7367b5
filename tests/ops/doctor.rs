//! `hoso doctor` on a healthy commune, then on one with a readable key, an unreachable hub and
//! an unfinished restore: each problem is named, and the exit code says so.

use std::os::unix::fs::PermissionsExt;

use super::support::*;

#[test]
fn doctor_names_what_an_operator_must_fix() {
    let tmp = tempfile::tempdir().expect("tmp");
    let Pair { hub, commune } = pair(tmp.path());
    let serving = Serve::start(&hub);
    commune.ok(&["sync", "--once"]);
    let v = commune.ok(&["--json", "doctor"]).json();
    assert_eq!(v["ok"], true, "{v}");
    let level = |v: &serde_json::Value, name: &str| -> Vec<String> {
        v["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .filter(|c| c["check"] == name)
            .map(|c| c["level"].as_str().unwrap_or("").to_string())
            .collect()
    };
    for name in ["store", "key", "check", "peer", "cosigned", "disk"] {
        assert_eq!(level(&v, name), vec!["ok"], "{name}: {v}");
    }
    // The clock twice: asked of the hub over the clock probe, and against its cosignature.
    assert_eq!(level(&v, "clock"), vec!["ok", "ok"], "{v}");
    let text = commune.ok(&["doctor"]).stdout;
    assert!(text.contains("reachable at 127.0.0.1:"), "{text}");
    assert!(text.contains("'s clock (measured within ±"), "{text}");
    serving.stop();

    // A key others may read and a hub that does not answer.
    let key = commune.dir.join("node.key");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let r = commune.run(&["--json", "doctor"]).code(1);
    let v = r.json();
    assert_eq!(v["ok"], false, "{v}");
    assert_eq!(level(&v, "key"), vec!["fail"], "{v}");
    assert_eq!(level(&v, "peer"), vec!["fail"], "{v}");
    assert_eq!(level(&v, "check"), vec!["ok"], "{v}");
}

/// A hub whose clock is two hours ahead (the commune's is behind): the clock probe measures it,
/// the check fails and says how to fix it.
#[test]
fn doctor_measures_a_clock_behind_the_hubs() {
    let tmp = tempfile::tempdir().expect("tmp");
    let Pair { hub, commune } = pair(tmp.path());
    let serving = Serve::start_with_clock(&hub, "+2h");
    let r = commune.run(&["--json", "doctor"]).code(1);
    let v = r.json();
    let clock: Vec<&serde_json::Value> = v["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["check"] == "clock" && c["level"] == "fail")
        .collect();
    assert_eq!(clock.len(), 1, "{v}");
    let detail = clock[0]["detail"].as_str().unwrap_or("");
    assert!(detail.contains("behind"), "{detail}");
    assert!(detail.contains("timedatectl"), "{detail}");
    let secs: u64 = detail
        .split(' ')
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no seconds in {detail}"));
    assert!((7180..=7220).contains(&secs), "{detail}");
    serving.stop();
}

/// The shipped systemd unit runs `hoso serve` as its own user on its data dir, restarts on
/// failure, and (where systemd is installed) passes `systemd-analyze verify`.
#[test]
fn the_systemd_unit_runs_serve_with_its_data_dir_user_and_restart_policy() {
    let unit = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/packaging/hoso.service"
    ))
    .expect("packaging/hoso.service");
    for line in [
        "ExecStart=/usr/local/bin/hoso serve",
        "Environment=HOSO_DATA_DIR=/var/lib/hoso",
        "User=hoso",
        "Restart=on-failure",
        "ReadWritePaths=/var/lib/hoso",
        "WantedBy=multi-user.target",
    ] {
        assert!(unit.lines().any(|l| l == line), "the unit lacks `{line}`");
    }
    let has_systemd = std::process::Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if has_systemd {
        let tmp = tempfile::tempdir().expect("tmp");
        let path = tmp.path().join("hoso.service");
        std::fs::write(&path, unit.replace("/usr/local/bin/hoso", BIN)).expect("write");
        let out = std::process::Command::new("systemd-analyze")
            .arg("verify")
            .arg(&path)
            .output()
            .expect("systemd-analyze");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && !err.contains("hoso.service:"),
            "systemd-analyze verify: {err}"
        );
    }
}
