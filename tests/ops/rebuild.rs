//! Rebuild from the hub: a commune's data dir is destroyed with no backup; a new node (a new
//! key) is enrolled at the hub, the old id retired; `node restore --from-hub` brings every
//! case and the old chain back; it writes and syncs with no duplicate receipt code, both sides
//! verify, and the old id is refused from then on.

use hoso_testkit::cli::{Auth, Hoso};

use super::support::*;

#[test]
fn rebuild_a_commune_from_its_hub_with_a_new_key() {
    let tmp = tempfile::tempdir().expect("tmp");
    let Pair { hub, commune } = pair(tmp.path());
    let old_id = node_id(&commune);
    let serving = Serve::start(&hub);
    let a = new_case(&commune);
    commune.ok(&["case", "note", &a, "Trước sự cố"]);
    commune.ok(&["sync", "--once"]);
    // The supervisor stops the auditor's account before the laptop is lost.
    commune
        .as_officer("lanhdao01")
        .ok(&["officer", "disable", "thanhtra01"]);
    commune.ok(&["sync", "--once"]);
    let held_at_hub = receipts(&hub);
    // The data dir is destroyed.
    std::fs::remove_dir_all(&commune.dir).expect("destroy");

    // A new node for the same commune, with its first officer; enrolled at the hub.
    let port = free_port();
    let new = Hoso::new(BIN, &tmp.path().join("new"))
        .as_officer("admin01")
        .with_auth(Auth::Passphrase("mat-khau-moi".into()));
    new.run_stdin(
        &[
            "init",
            "--commune",
            "06112",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--officer-name",
            "Nguyễn Văn Quản",
            "--passphrase-stdin",
        ],
        Some("mat-khau-moi\n"),
    )
    .code(0);
    new.ok(&[
        "registry",
        "import",
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/sample/registry.jsonl"
        ),
    ]);
    let new_id = node_id(&new);
    assert_ne!(new_id, old_id);
    // The successor must be enrolled before the old id is retired.
    let lead = hub.as_officer("lanhdao01");
    lead.run(&["node", "retire", &old_id, "--successor", &new_id])
        .code(2)
        .stderr_has("enroll it first");
    lead.ok(&[
        "peer",
        "add",
        &new_id,
        "--addr",
        &format!("127.0.0.1:{port}"),
        "--role",
        "commune",
        "--scope",
        "06112",
        "--name",
        "Bình Gia (máy mới)",
    ]);
    commune_retired(&lead, &old_id, &new_id);
    peer_hub(&new, &hub, hub_port(&hub));

    let out = new
        .ok(&[
            "--json",
            "node",
            "restore",
            "--from-hub",
            "--predecessor",
            &old_id,
        ])
        .json();
    assert_eq!(
        out["restore"]["incarnation"], 0,
        "a new key needs no new incarnation: {out}"
    );
    // The old node's officers are back: active ones with a one-time passphrase each, the
    // disabled one disabled.
    let carried = out["restore"]["officers_carried"]
        .as_array()
        .expect("officers_carried")
        .clone();
    let by_id = |id: &str| {
        carried
            .iter()
            .find(|o| o["id"] == id)
            .unwrap_or_else(|| panic!("{id} not carried: {carried:?}"))
            .clone()
    };
    assert_eq!(by_id("lanhdao01")["role"], "supervisor");
    assert_eq!(by_id("thanhtra01")["disabled"], true);
    assert!(by_id("thanhtra01")["one_time_passphrase"].is_null());
    let one_time = by_id("canbo01")["one_time_passphrase"]
        .as_str()
        .expect("a one-time passphrase for canbo01")
        .to_string();
    assert!(
        !carried.iter().any(|o| o["id"] == "admin01"),
        "the new node's own officer is not carried: {carried:?}"
    );
    let list = new.ok(&["--json", "officer", "list"]).json();
    let listed = |id: &str| {
        list.as_array()
            .expect("array")
            .iter()
            .find(|o| o["id"] == id)
            .unwrap_or_else(|| panic!("{id} not listed: {list}"))
            .clone()
    };
    assert!(listed("thanhtra01")["disabled_at"].is_string(), "{list}");
    assert!(listed("canbo01")["disabled_at"].is_null(), "{list}");
    let canbo = new
        .as_officer("canbo01")
        .with_auth(Auth::Passphrase(one_time.clone()));
    canbo
        .run(&["case", "note", &a, "Mật khẩu tạm"])
        .code(2)
        .stderr_has("one-time passphrase");
    canbo
        .with_auth(Auth::None)
        .run_stdin(
            &["officer", "passwd", "--passphrase-stdin"],
            Some(&format!("{one_time}\nmat-khau-rieng-1\n")),
        )
        .code(0);
    let canbo = canbo.with_auth(Auth::Passphrase("mat-khau-rieng-1".into()));
    let mine = receipts(&new);
    for code in held_at_hub
        .iter()
        .filter(|c| c.starts_with("000.20.06.112-"))
    {
        assert!(mine.contains(code), "{code} did not come back from the hub");
    }
    let show = new.ok(&["case", "show", &a]).stdout;
    assert!(show.contains("Trước sự cố"), "{show}");

    // It carries on: a new case gets a code the hub never saw, and everything syncs.
    let c = new_case(&new);
    assert!(!held_at_hub.contains(&c), "receipt code {c} reused");
    new.ok(&["case", "note", &a, "Sau khi dựng lại"]);
    canbo.ok(&["case", "note", &a, "Cán bộ cũ, máy mới"]);
    new.ok(&["sync", "--once"]);
    let codes = receipts(&hub);
    let mut unique = codes.clone();
    unique.dedup();
    assert_eq!(codes, unique, "duplicate receipt codes at the hub");
    assert!(codes.contains(&c));
    assert!(
        hub.ok(&["case", "show", &a])
            .stdout
            .contains("Sau khi dựng lại")
    );
    assert!(
        hub.ok(&["case", "show", &a])
            .stdout
            .contains("Cán bộ cũ, máy mới")
    );
    new.ok(&["audit", "verify"]);
    hub.ok(&["audit", "verify"]);
    let retire = audit_actions(&hub, Some(&node_id(&hub)));
    assert!(retire.iter().any(|(a, _)| a == "node_retire"), "{retire:?}");

    // The old id is refused from then on: not a peer again, and not served.
    hub.run(&[
        "peer",
        "add",
        &old_id,
        "--addr",
        "127.0.0.1:9",
        "--role",
        "commune",
        "--scope",
        "06112",
    ])
    .code(2)
    .stderr_has("retired");
    serving.stop();
}

/// `node retire` by the hub's supervisor; the old id leaves the peers file (an audited removal).
fn commune_retired(lead: &Hoso, old: &str, new: &str) {
    lead.ok(&["node", "retire", old, "--successor", new]);
    let peers = lead.ok(&["--json", "peer", "list"]).stdout;
    assert!(!peers.contains(old), "{peers}");
    assert!(peers.contains(new), "{peers}");
    // Not by an officer without the role.
    lead.as_officer("canbo01")
        .run(&["node", "retire", old, "--successor", new])
        .code(2);
}
