//! Received changes to a case held here are merged before the writer lock (issue 13, target 1:
//! `ingest/held.rs`); the transaction takes that merge only while the stored form it came from
//! is still the stored one. A write that lands in between (its heads move) makes the
//! transaction merge again: nothing of the write is lost and the summary is the merged case's.

use hoso_node::{CaseQuery, Node};
use hoso_schemas::Status;
use hoso_testkit::node::{commune, login};

/// Hands `from`'s audit entries that `to` lacks to `to`, verified, as sync does.
fn share_chain(from: &Node, to: &Node) {
    let id = from.id();
    let have = to.chain_len(&id).expect("len");
    let recs = from.chain_records(&id, have, 100_000).expect("records");
    let r = to.ingest_chain(&id, &recs).expect("ingest chain");
    assert!(r.refused.is_none(), "{r:?}");
}

fn summary_status(n: &Node, code: &str) -> Status {
    let rows = n
        .list(&CaseQuery {
            search: Some(code.to_string()),
            ..CaseQuery::default()
        })
        .expect("list");
    assert_eq!(rows.len(), 1, "{code}");
    rows[0].status
}

#[test]
fn a_held_case_whose_stored_heads_moved_before_the_lock_is_merged_again() {
    let a = commune("06112");
    let b = commune("06112");
    let v = a.receive("judicial_record", "020190012345");
    let code = v.receipt_code.clone();
    share_chain(&a.node, &b.node);
    b.node
        .apply_remote(&v.id, &a.node.doc_bytes(&v.id).expect("bytes"))
        .expect("first copy");
    // A note at A, sent to B…
    a.node
        .add_note(&login(&a.node, "canbo01"), &code, "Ghi chú từ A")
        .expect("note");
    share_chain(&a.node, &b.node);
    let bytes = a.node.doc_bytes(&v.id).expect("bytes");
    // …while B moves the case on between the merge before the lock and the transaction.
    let out = b
        .node
        .apply_remote_racing(&v.id, &bytes, || {
            b.node
                .transition(
                    &login(&b.node, "canbo01"),
                    &code,
                    Status::InProcess,
                    None,
                    None,
                )
                .expect("transition at B");
        })
        .expect("merge");
    assert!(out.changed);
    let merged = b.node.case(&code).expect("case");
    assert_eq!(merged.status, Status::InProcess, "B's own write is kept");
    assert!(
        merged.notes.iter().any(|n| n.text == "Ghi chú từ A"),
        "A's note is merged"
    );
    // The summary row is the merged case's, not the one prepared before B's write.
    assert_eq!(summary_status(&b.node, &code), Status::InProcess);
    // And the stored document reads back the same from a fresh handle.
    let fresh = Node::open(b.dir.path()).expect("fresh");
    fresh.set_doc_cache(false);
    let again = fresh.case(&code).expect("case");
    assert_eq!(again.status, Status::InProcess);
    assert_eq!(again.notes.len(), merged.notes.len());
}

#[test]
fn a_held_case_merged_before_the_lock_equals_the_merge_in_the_transaction() {
    let a = commune("06112");
    let b = commune("06112");
    let v = a.receive("judicial_record", "020190012345");
    let code = v.receipt_code.clone();
    share_chain(&a.node, &b.node);
    b.node
        .apply_remote(&v.id, &a.node.doc_bytes(&v.id).expect("bytes"))
        .expect("first copy");
    a.node
        .transition(
            &login(&a.node, "canbo01"),
            &code,
            Status::InProcess,
            None,
            None,
        )
        .expect("transition at A");
    share_chain(&a.node, &b.node);
    let out = b
        .node
        .apply_remote_racing(&v.id, &a.node.doc_bytes(&v.id).expect("bytes"), || ())
        .expect("merge");
    assert!(out.changed && !out.created);
    assert_eq!(summary_status(&b.node, &code), Status::InProcess);
    let at_a = a.node.case(&code).expect("a");
    let at_b = b.node.case(&code).expect("b");
    assert_eq!(
        serde_json::to_value(&at_a.history).expect("json"),
        serde_json::to_value(&at_b.history).expect("json")
    );
    // Sending it again changes nothing.
    let again = b
        .node
        .apply_remote(&v.id, &a.node.doc_bytes(&v.id).expect("bytes"))
        .expect("again");
    assert!(!again.changed);
}
