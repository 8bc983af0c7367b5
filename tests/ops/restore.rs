//! Restore from a backup: a commune backed up while serving goes on working and syncing, dies;
//! restored into a new data dir it asks the hub for everything it did after the backup before
//! it writes, starts a new chain incarnation, and issues no receipt code twice.

use hoso_testkit::cli::Hoso;

use super::support::*;

fn chain_len(h: &Hoso, id: &str) -> usize {
    audit_actions(h, Some(id)).len()
}

#[test]
fn restore_a_dead_commune_from_its_backup_then_write_and_sync() {
    let tmp = tempfile::tempdir().expect("tmp");
    let Pair { hub, commune, .. } = pair(tmp.path());
    let cid = node_id(&commune);
    let hub_serving = Serve::start(&hub);
    let a = new_case(&commune);
    commune.ok(&["sync", "--once"]);

    let file = tmp.path().join("bg.hoso-backup");
    let f = file.to_str().expect("path");
    commune.ok(&["backup", "--out", f]);
    let at_backup = chain_len(&commune, &cid);

    // After the backup the node goes on: a new case, a note, synced (and cosigned) at the hub.
    let b = new_case(&commune);
    commune.ok(&["case", "note", &a, "Sau bản sao lưu"]);
    commune.ok(&["sync", "--once"]);
    let before_death = chain_len(&commune, &cid);
    assert!(before_death > at_backup);
    // The laptop dies.
    std::fs::rename(&commune.dir, tmp.path().join("dead")).expect("move away");

    // Restored into a new data dir: asks the hub first.
    let restored = Hoso::new(BIN, &tmp.path().join("restored"));
    let out = restored
        .ok(&["--json", "node", "restore", "--from", f])
        .json();
    assert_eq!(out["restore"]["incarnation"], 1, "{out}");
    assert_eq!(
        out["restore"]["chain_from_hub"].as_u64(),
        Some(before_death as u64),
        "the hub gave back every entry the backup lacked: {out}"
    );
    assert!(
        out["restore"]["receipt_days_moved"].as_u64().unwrap_or(0) >= 1,
        "{out}"
    );
    assert_eq!(node_id(&restored), cid, "the same node");
    let show = restored.ok(&["case", "show", &a]).stdout;
    assert!(show.contains("Sau bản sao lưu"), "{show}");
    assert!(
        receipts(&restored).contains(&b),
        "case {b} came back from the hub"
    );

    // It writes with a new receipt code and a new actor, syncs, and both chains verify.
    let c = new_case(&restored);
    assert_ne!(
        c, b,
        "a receipt code issued before the loss is never issued again"
    );
    restored.ok(&["case", "note", &b, "Sau khôi phục"]);
    restored.ok(&["sync", "--once"]);
    let codes = receipts(&hub);
    let mut unique = codes.clone();
    unique.dedup();
    assert_eq!(codes, unique, "duplicate receipt codes at the hub");
    assert!(codes.contains(&c));
    let binds: Vec<serde_json::Value> = audit_actions(&hub, Some(&cid))
        .into_iter()
        .filter(|(a, _)| a == "actor_bind")
        .map(|(_, r)| r)
        .collect();
    assert_eq!(
        binds.len(),
        2,
        "the genesis binding and the restore's: {binds:?}"
    );
    assert!(
        binds[1]["seq"].as_u64() >= Some(before_death as u64),
        "the new incarnation never reuses a sequence number: {binds:?}"
    );
    restored.ok(&["audit", "verify"]);
    hub.ok(&["audit", "verify"]);
    restored.ok(&["check"]);

    // Without its hub a restore does not finish, and nobody writes meanwhile.
    hub_serving.stop();
    let again = Hoso::new(BIN, &tmp.path().join("again"));
    again
        .run(&["node", "restore", "--from", f])
        .code(1)
        .stderr_has("node restore --resume");
    again
        .run(&["case", "note", &a, "Khi chưa xong"])
        .code(2)
        .stderr_has("being restored");
    let serving = Serve::start(&hub);
    let out = again.ok(&["--json", "node", "restore", "--resume"]).json();
    assert_eq!(out["restore"]["incarnation"], 2, "{out}");
    again.ok(&["case", "note", &a, "Khi đã xong"]);
    serving.stop();
    // Into a data dir that holds something: refused, untouched.
    restored
        .run(&["node", "restore", "--from", f])
        .code(2)
        .stderr_has("is not empty");
}
