//! Reopening, corrupt files, export/import round trip.

use hoso_node::{CaseQuery, Node, NodeError};

use hoso_testkit::node::{commune, login, next_receipt_code, receive};

#[test]
fn reopen_keeps_everything_and_continues_the_chain() {
    let t = commune("06112");
    let v = receive(&t.node, "judicial_record", "020190012345");
    let head = t.node.chain_head();
    let path = t.dir.path().to_path_buf();
    drop(t.node);
    let node = Node::open(&path).expect("reopen");
    assert_eq!(node.case(&v.receipt_code).expect("case").id, v.id);
    assert_eq!(node.chain_head(), head);
    let v2 = receive(&node, "judicial_record", "020075000777");
    assert_eq!(
        v2.receipt_code,
        next_receipt_code(&v.receipt_code, &v2.receipt_code)
    );
    assert_eq!(node.chain_head().next_seq, head.next_seq + 1);
}

#[test]
fn a_corrupt_store_is_a_clear_error() {
    let t = commune("06112");
    let path = t.dir.path().to_path_buf();
    drop(t.node);
    let store = path.join("store.redb");
    let mut bytes = std::fs::read(&store).expect("read");
    for b in bytes.iter_mut().take(4096) {
        *b = 0xAB;
    }
    std::fs::write(&store, &bytes).expect("write");
    let err = Node::open(&path).expect_err("must fail");
    assert!(matches!(err, NodeError::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("restore"), "{err}");
    let empty = tempfile::tempdir().expect("tmp");
    assert!(matches!(
        Node::open(empty.path()),
        Err(NodeError::NotInitialized { .. })
    ));
}

#[test]
fn export_then_import_round_trips() {
    let a = commune("06112");
    for citizen in ["020190012345", "020088001111"] {
        receive(&a.node, "judicial_record", citizen);
    }
    a.node
        .transition(
            &login(&a.node, "canbo01"),
            &a.node.list(&CaseQuery::default()).expect("l")[0]
                .id
                .to_string(),
            hoso_schemas::Status::InProcess,
            None,
            None,
        )
        .expect("transition");
    let mut out = Vec::new();
    assert_eq!(a.node.export_cases(&mut out).expect("export"), 2);
    let b = commune("06112");
    let report = b
        .node
        .import_cases(
            "export.jsonl",
            out.as_slice(),
            &hoso_node::Author::Officer(login(&b.node, "canbo01")),
        )
        .expect("import");
    assert_eq!(report.imported, 2);
    let mut left: Vec<_> = a
        .node
        .list(&CaseQuery::default())
        .expect("l")
        .into_iter()
        .map(|s| (s.receipt_code, s.status, s.applicant_name))
        .collect();
    let mut right: Vec<_> = b
        .node
        .list(&CaseQuery::default())
        .expect("l")
        .into_iter()
        .map(|s| (s.receipt_code, s.status, s.applicant_name))
        .collect();
    left.sort();
    right.sort();
    assert_eq!(left, right);
    // Importing the same file again clashes on receipt codes and imports nothing.
    let err = b
        .node
        .import_cases(
            "export.jsonl",
            out.as_slice(),
            &hoso_node::Author::Officer(login(&b.node, "canbo01")),
        )
        .expect_err("must fail");
    assert!(err.to_string().contains("line 1"), "{err}");
    assert_eq!(b.node.status().expect("s").cases, 2);
    // A malformed line names its number.
    let first = String::from_utf8_lossy(&out)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    let mut good: serde_json::Value = serde_json::from_str(&first).expect("json");
    good["receipt_code"] = "000.20.06.112-261128-0077".into();
    let bad = format!("{good}\nnot json\n");
    let err = b
        .node
        .import_cases(
            "bad.jsonl",
            bad.as_bytes(),
            &hoso_node::Author::Officer(login(&b.node, "canbo01")),
        )
        .expect_err("must fail");
    assert!(err.to_string().contains("bad.jsonl line 2"), "{err}");
    assert_eq!(b.node.status().expect("s").cases, 2);
}
