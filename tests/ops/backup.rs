//! Backup of a serving node: a consistent copy taken while `serve` runs, checked by `backup
//! verify`; a damaged copy is refused; the table list matches the store's tables.

use super::support::*;

#[test]
fn backup_a_serving_node_and_verify_it() {
    let tmp = tempfile::tempdir().expect("tmp");
    let Pair { hub, commune, .. } = pair(tmp.path());
    let _hub = Serve::start(&hub);
    let serving = Serve::start(&commune);
    let code = new_case(&commune);
    let file = tmp.path().join("bg.hoso-backup");
    let f = file.to_str().expect("path");
    // Writes go on while the copy is taken: the copy is one committed state, whole.
    let writer = {
        let c = commune.clone();
        let code = code.clone();
        std::thread::spawn(move || {
            for i in 0..5 {
                c.ok(&["case", "note", &code, &format!("Ghi chú {i}")]);
            }
        })
    };
    let info = commune.ok(&["--json", "backup", "--out", f]).json();
    writer.join().expect("writer");
    assert!(info["cases"].as_u64().expect("cases") >= 201, "{info}");
    assert!(
        info["files"]
            .as_array()
            .expect("files")
            .iter()
            .any(|n| n == "peers.toml"),
        "{info}"
    );
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&file).expect("meta").permissions(),
    );
    assert_eq!(mode & 0o777, 0o600, "the backup holds the key");
    let v = commune.ok(&["--json", "backup", "verify", f]).json();
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["backup"]["cases"], info["cases"], "{v}");
    serving.stop();

    // Inside the data dir, or over the live store: refused.
    let inside = commune.dir.join("x.backup");
    commune
        .run(&["backup", "--out", inside.to_str().expect("path")])
        .code(2)
        .stderr_has("inside the node's data dir");

    // One flipped byte anywhere: the checksum (or the format) refuses it.
    let mut bytes = std::fs::read(&file).expect("read");
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x40;
    let bad = tmp.path().join("bad.hoso-backup");
    std::fs::write(&bad, &bytes).expect("write");
    commune
        .run(&["backup", "verify", bad.to_str().expect("path")])
        .code(2)
        .stderr_has("damaged");
    // Truncated: said so.
    let cut = tmp.path().join("cut.hoso-backup");
    std::fs::write(&cut, &bytes[..mid]).expect("write");
    commune
        .run(&["backup", "verify", cut.to_str().expect("path")])
        .code(2)
        .stderr_has("truncated");
}

/// The one table list a backup copies covers every table a node's store holds.
#[test]
fn the_backup_table_list_is_every_table_of_the_store() {
    let tmp = tempfile::tempdir().expect("tmp");
    let Pair { hub, commune, .. } = pair(tmp.path());
    let serving = Serve::start(&hub);
    new_case(&commune);
    commune.login("canbo01", "hoso-demo").code(0);
    commune.run_stdin(&["login", "nobody", "--passphrase-stdin"], Some("x\n"));
    commune.ok(&["sync", "--once"]);
    serving.stop();
    let listed = hoso_node::backup::table_names();
    for h in [&hub, &commune] {
        let db = hoso_testkit::tamper::open_store(&h.dir).expect("open");
        let (tables, multimap) = hoso_testkit::tamper::stored_tables(&db).expect("tables");
        for name in tables {
            assert!(
                listed.contains(&name),
                "table {name} is not in the backup list"
            );
        }
        assert_eq!(multimap, 0);
    }
}
