//! Property test: random edits on two forks of a case, merged both ways, give identical
//! documents and identical index entries, and the indexes equal a full rebuild.

use hoso_node::{CaseId, Node};
use hoso_schemas::Status;
use proptest::prelude::*;

use hoso_testkit::node::{commune, login};

#[derive(Clone, Debug)]
enum Op {
    Set(usize),
    Note,
    Transition(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0usize..3).prop_map(Op::Set),
        Just(Op::Note),
        (0usize..Status::ALL.len()).prop_map(Op::Transition),
    ]
}

const PLACES: [&str; 3] = ["Xã Bình Gia", "Phường Đông Kinh", "Xã Đồng Đăng"];

fn apply(node: &Node, id: &CaseId, ops: &[Op]) {
    for op in ops {
        // Refused operations (workflow, role) are part of the input space: they must change nothing.
        let _ = match op {
            Op::Set(i) => node.set_fields(
                &login(node, "lanhdao01"),
                &id.to_string(),
                &[("requester_place_of_birth".into(), PLACES[*i].into())],
            ),
            Op::Note => node.add_note(&login(node, "canbo01"), &id.to_string(), "Ghi chú"),
            Op::Transition(i) => node.transition(
                &login(node, "lanhdao01"),
                &id.to_string(),
                Status::ALL[*i],
                None,
                None,
            ),
        };
    }
}

fn index_rows(node: &Node, id: &CaseId) -> (String, Vec<Vec<u8>>) {
    let v = node.case(&id.to_string()).expect("case");
    let s = v.summary();
    (
        serde_json::to_string(&v).expect("json"),
        hoso_node::tamper::index_keys(&s).into_iter().collect(),
    )
}

/// Hands `from`'s audit entries that `to` lacks to `to`, verified, as sync does before the
/// documents (a merge is refused for changes no held entry accounts for).
fn share_chain(from: &Node, to: &Node) {
    let id = from.id();
    let have = to.chain_len(&id).expect("len");
    let recs = from.chain_records(&id, have, 100_000).expect("records");
    let r = to.ingest_chain(&id, &recs).expect("ingest chain");
    assert!(r.refused.is_none(), "{r:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]
    #[test]
    fn forks_merge_to_the_same_case(left in prop::collection::vec(op(), 0..6), right in prop::collection::vec(op(), 0..6)) {
        let a = commune("06112");
        let b = commune("06112");
        let v = a.receive("judicial_record", "020190012345");
        share_chain(&a.node, &b.node);
        let created = b.node.apply_remote(&v.id, &a.node.doc_bytes(&v.id).expect("bytes")).expect("fork");
        prop_assert!(created.created);
        apply(&a.node, &v.id, &left);
        apply(&b.node, &v.id, &right);
        share_chain(&a.node, &b.node);
        share_chain(&b.node, &a.node);
        let from_a = a.node.doc_bytes(&v.id).expect("a");
        let from_b = b.node.doc_bytes(&v.id).expect("b");
        a.node.apply_remote(&v.id, &from_b).expect("merge into a");
        b.node.apply_remote(&v.id, &from_a).expect("merge into b");
        let (ja, ka) = index_rows(&a.node, &v.id);
        let (jb, kb) = index_rows(&b.node, &v.id);
        prop_assert_eq!(ja, jb);
        prop_assert_eq!(ka, kb);
        let mut heads_a = a.node.case_doc(&v.id).expect("doc").heads();
        let mut heads_b = b.node.case_doc(&v.id).expect("doc").heads();
        heads_a.sort();
        heads_b.sort();
        prop_assert_eq!(heads_a, heads_b);
        prop_assert!(a.node.check_indexes().expect("check").is_empty());
        prop_assert!(b.node.check_indexes().expect("check").is_empty());
        // Merging again changes nothing.
        let again = a.node.apply_remote(&v.id, &from_b).expect("again");
        prop_assert!(!again.changed);
    }
}
