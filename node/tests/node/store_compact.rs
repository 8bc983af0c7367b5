//! `hoso store compact` at the node: refused while the store is open, and afterwards every
//! case, every audit record and the chain's continuation are as before, in a smaller file.

use hoso_node::audit::verify::Policy;
use hoso_node::{CaseQuery, Node, NodeError};

use hoso_testkit::node::{commune, login, receive};

#[test]
fn compaction_needs_the_store_to_itself_and_keeps_everything() {
    let t = commune("06112");
    let by = login(&t.node, "canbo01");
    let mut codes = Vec::new();
    for i in 0..12 {
        let citizen = if i % 2 == 0 {
            "020190012345"
        } else {
            "020075000777"
        };
        let v = receive(&t.node, "judicial_record", citizen);
        t.node
            .add_note(&by, &v.receipt_code, &format!("Ghi chú số {i}"))
            .expect("note");
        codes.push(v.receipt_code);
    }
    let dir = t.dir.path().to_path_buf();
    let err = Node::compact_store(&dir).expect_err("the store is open");
    assert!(matches!(err, NodeError::StoreLocked { .. }), "{err}");
    let cases = t.node.list(&CaseQuery::default()).expect("list");
    let head = t.node.chain_head();
    drop(by);
    drop(t.node);
    let c = Node::compact_store(&dir).expect("compacts");
    assert!(c.bytes_after <= c.bytes_before, "{c:?}");
    assert!(c.tables_rewritten > 10 && c.rows > 0, "{c:?}");
    let node = Node::open(&dir).expect("reopens");
    assert_eq!(node.list(&CaseQuery::default()).expect("list"), cases);
    assert_eq!(node.chain_head(), head);
    let report = node.verify_audit(&Policy::default()).expect("verify");
    assert!(report.ok, "{:?}", report.first_bad);
    // The compaction is on the chain afterwards, as the node's own maintenance entry.
    node.record_compaction(&c).expect("recorded");
    assert_eq!(node.chain_head().next_seq, head.next_seq + 1);
    let last = node
        .audit_chain(&node.id(), head.next_seq, 1)
        .expect("chain");
    assert_eq!(
        last.first().map(|e| e.entry.body.action),
        Some(hoso_node::audit::entry::Action::StoreCompact)
    );
    let by = login(&node, "canbo01");
    node.add_note(&by, &codes[0], "sau khi nén")
        .expect("writes go on");
    assert_eq!(node.chain_head().next_seq, head.next_seq + 2);
    let report = node.verify_audit(&Policy::default()).expect("verify");
    assert!(report.ok, "{:?}", report.first_bad);
    let _keep = t.dir;
}
