//! Issue 9's remaining bullets, retried as found through the binary: an import re-run of the
//! same file (records without receipt codes) received every case again; `peer add/remove` was
//! open to anyone who could run `hoso`, with no audit entry.

use hoso_testkit::cli::{Auth, Hoso, judicial_record};

use crate::sample_node;

fn cases(h: &Hoso) -> u64 {
    h.ok(&["--json", "status"]).json()["cases"]
        .as_u64()
        .expect("cases")
}

/// `n` judicial-record records of `citizen` with no receipt code (each run assigns new ones).
fn records(citizen: &str, n: usize, purpose: &str) -> String {
    (0..n)
        .map(|_| format!("{}\n", judicial_record(citizen, purpose)))
        .collect()
}

fn audit_actions(h: &Hoso) -> Vec<(String, String)> {
    h.ok(&["--json", "audit", "log"])
        .json()
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap_or_default().to_string(),
                e["officer"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn importing_the_same_file_again_is_refused_and_receives_nothing_twice() {
    let h = sample_node();
    let citizen = h.sample_adult();
    let files = tempfile::tempdir().expect("tmp");
    let file = files.path().join("cases.jsonl");
    std::fs::write(&file, records(&citizen, 3, "Xin việc")).expect("write");
    let f = file.to_str().expect("path");
    let before = cases(&h);
    h.ok(&["import", f]);
    assert_eq!(cases(&h), before + 3);

    // The re-run of the issue: refused, one line that says when and by whom, nothing added.
    let r = h.run(&["import", f]).refused("already imported");
    assert!(r.stderr.contains("canbo01"), "{}", r.stderr);
    assert_eq!(cases(&h), before + 3, "the re-run received cases again");
    // The same bytes under another name and through stdin are the same file.
    let copy = files.path().join("copy.jsonl");
    std::fs::copy(&file, &copy).expect("copy");
    h.run(&["import", copy.to_str().expect("path")])
        .refused("already imported");
    let text = std::fs::read_to_string(&file).expect("read");
    h.run_stdin(&["import", "-"], Some(&text))
        .refused("already imported");
    // By another officer too: the receipt is the node's, not the officer's.
    h.as_officer("lanhdao01")
        .run(&["import", f])
        .refused("already imported");
    assert_eq!(cases(&h), before + 3);

    // A file with other content imports.
    let other = files.path().join("more.jsonl");
    std::fs::write(&other, records(&citizen, 2, "Du học")).expect("write");
    h.ok(&["import", other.to_str().expect("path")]);
    assert_eq!(cases(&h), before + 5);
    h.ok(&["audit", "verify"]);
}

#[test]
fn peer_administration_is_a_supervisors_audited_act() {
    let h = sample_node();
    let other = sample_node();
    let id = other.ok(&["--json", "id"]).json()["node_id"]
        .as_str()
        .expect("node id")
        .to_string();
    let add = [
        "peer",
        "add",
        id.as_str(),
        "--addr",
        "127.0.0.1:7999",
        "--role",
        "commune",
        "--scope",
        "06112",
        "--name",
        "Xã bên",
    ];
    let peers = |h: &Hoso| h.ok(&["--json", "peer", "list"]).json();

    // An officer, nobody, and a supervisor without the passphrase: refused, nothing written.
    h.run(&add).code(2).stderr_has("canbo01");
    h.no_officer()
        .with_auth(Auth::None)
        .run(&add)
        .code(2)
        .stderr_has("hoso login");
    h.as_officer("lanhdao01")
        .with_auth(Auth::Passphrase("sai-mat-khau".into()))
        .run(&add)
        .code(2)
        .stderr_has("wrong passphrase");
    assert_eq!(peers(&h), serde_json::json!([]));
    assert!(!h.path().join("peers.toml").exists());

    // The supervisor adds it; the chain names them and the peer.
    let lead = h.as_officer("lanhdao01");
    lead.ok(&add);
    assert_eq!(peers(&h)[0]["node_id"], id.as_str());
    let log = audit_actions(&h);
    assert!(
        log.contains(&("peer_add".into(), "lanhdao01".into())),
        "{log:?}"
    );
    let shown = h.ok(&["--json", "audit", "log"]).stdout;
    assert!(shown.contains("Xã bên") && shown.contains(&id), "{shown}");

    // Removal: the same rule.
    h.run(&["peer", "remove", &id])
        .code(2)
        .stderr_has("canbo01");
    assert_eq!(peers(&h).as_array().map(Vec::len), Some(1));
    lead.ok(&["peer", "remove", &id]);
    assert_eq!(peers(&h), serde_json::json!([]));
    let log = audit_actions(&h);
    assert!(
        log.contains(&("peer_remove".into(), "lanhdao01".into())),
        "{log:?}"
    );
    // A name with an escape sequence is refused like every text input.
    let mut bad = add;
    bad[10] = "Xã\u{1b}[2J";
    lead.run(&bad).code(2);
    h.ok(&["audit", "verify"]);
}
