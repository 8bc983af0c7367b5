//! The in-process benches (`node`, `audit`, `sync-loopback`) end to end at a tiny size: every
//! phase runs and the figures are there. Timing is not asserted (benches print figures).

use std::path::PathBuf;
use std::process::Command;

fn run(args: &[&str]) -> serde_json::Value {
    let out = Command::new(PathBuf::from(env!("CARGO_BIN_EXE_hoso-bench")))
        .args(args)
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
fn sync_loopback_bench_merges_every_audited_case_at_the_hub() {
    let v = run(&["sync-loopback", "--cases", "30", "--edits-per-case", "2"]);
    assert_eq!(v["cases"], 30, "{v:#}");
    // Every case reached the hub: its changes were accounted for by its audit entries.
    assert_eq!(v["hub_cases_after"], 30, "{v:#}");
    // One `CaseImport` and two `FieldSet` entries per case.
    assert_eq!(v["audit_entries_per_case"], 3.0, "{v:#}");
    assert_eq!(v["changes_per_case"], 3, "{v:#}");
    assert_eq!(v["initial_round"]["refused_by_peer"], 0, "{v:#}");
    assert_eq!(v["incremental_round"]["refused_by_peer"], 0, "{v:#}");
    assert!(
        v["incremental_round"]["audit_sent"]
            .as_u64()
            .expect("entries")
            >= 1,
        "{v:#}"
    );
    assert!(v["initial_bytes"].as_u64().expect("bytes") > 0, "{v:#}");
    assert!(v["incremental_bytes"].as_u64().expect("bytes") > 0, "{v:#}");
    assert!(v["live_push_ms"].as_f64().expect("live") > 0.0, "{v:#}");
    assert!(
        v["baseline"]["initial_bytes"].as_u64().expect("naive") > 0,
        "{v:#}"
    );
}

#[test]
fn node_bench_creates_imports_and_searches() {
    let v = run(&["node", "--cases", "40", "--creates", "10"]);
    assert_eq!(v["cases"], 40, "{v:#}");
    assert_eq!(v["case_new_durable"]["n"], 10, "{v:#}");
    assert!(
        v["bulk_import_cases_per_s"].as_f64().expect("rate") > 0.0,
        "{v:#}"
    );
    assert!(
        v["audit_bytes_per_entry"].as_f64().expect("audit") > 0.0,
        "{v:#}"
    );
}

#[test]
fn audit_bench_verifies_a_chain_and_a_bundle() {
    let v = run(&[
        "audit",
        "--entries",
        "200",
        "--writes",
        "4",
        "--cases",
        "20",
    ]);
    assert_eq!(v["verify_chain"]["entries"], 200, "{v:#}");
    assert_eq!(v["hub_export"]["cases"], 20, "{v:#}");
    assert!(
        v["hub_export"]["changes_accounted"]
            .as_u64()
            .expect("changes")
            >= 20,
        "{v:#}"
    );
    assert_eq!(v["durable_write_cost"]["writes_each"], 4, "{v:#}");
}
