//! A peer known to hold a case at the heads before a stored change chunk is sent the chunks
//! after them as they are stored, without loading the document (issue 13, target 1:
//! `chunk_heads.rs`); the peer ends with the same document as from the whole one.

use hoso_node::ingest::{IncomingDoc, Ingested};
use hoso_node::replica::Outgoing;
use hoso_node::{CaseId, Node};
use hoso_testkit::node::{commune, hub, login, peer_entry};

fn share_chain(from: &Node, to: &Node) {
    let id = from.id();
    let have = to.chain_len(&id).expect("len");
    let recs = from.chain_records(&id, have, 100_000).expect("records");
    let r = to.ingest_chain(&id, &recs).expect("ingest chain");
    assert!(r.refused.is_none(), "{r:?}");
}

fn send(from: &Node, to: &Node, after: u64) -> Outgoing {
    let out = from
        .outgoing(
            &peer_entry(to, None),
            &|_, _| true,
            after,
            1000,
            1 << 20,
            1 << 20,
            &|_| Vec::new(),
        )
        .expect("outgoing");
    share_chain(from, to);
    let docs: Vec<IncomingDoc> = out
        .docs
        .iter()
        .map(|d| IncomingDoc {
            id: d.id,
            full: d.full,
            heads: d.heads.clone(),
            bytes: d.bytes.clone(),
        })
        .collect();
    let report = to
        .ingest_batch(&from.id(), &docs, out.upto, &|_, _| true)
        .expect("ingest");
    let acked: Vec<(CaseId, u64, Vec<[u8; 32]>)> = report
        .items
        .iter()
        .zip(&out.docs)
        .map(|(i, d)| match i {
            Ingested::Stored { id, heads, .. } => (*id, d.seq, heads.clone()),
            other => panic!("refused: {other:?}"),
        })
        .collect();
    from.record_acked(&to.id(), &acked).expect("acked");
    out
}

#[test]
fn chunks_after_the_peers_heads_give_it_the_same_document_as_the_whole_one() {
    let a = commune("06112");
    let h = hub();
    let v = a.receive("judicial_record", "020190012345");
    let code = v.receipt_code.clone();
    let first = send(&a.node, &h.node, 0);
    assert!(first.docs.iter().all(|d| d.full));
    let by = login(&a.node, "canbo01");
    a.node.add_note(&by, &code, "Ghi chú một").expect("note");
    a.node.add_note(&by, &code, "Ghi chú hai").expect("note");
    let stored = a.node.case_storage(&code).expect("storage");
    assert_eq!(stored.chunks, 2);
    let second = send(&a.node, &h.node, first.upto);
    assert_eq!(second.docs.len(), 1);
    let d = &second.docs[0];
    assert!(!d.full);
    // The two stored chunks, as they are, told from their heads without loading the document.
    assert_eq!(second.from_chunks, 1);
    assert_eq!(d.bytes.len(), stored.chunk_bytes);
    let at_a = a.node.case(&code).expect("a");
    let at_h = h.node.case(&code).expect("hub");
    assert_eq!(
        serde_json::to_value(&at_a).expect("json"),
        serde_json::to_value(&at_h).expect("json")
    );
    // A node given the whole document holds the same document.
    let other = hub();
    share_chain(&a.node, &other.node);
    other
        .node
        .apply_remote(&v.id, &a.node.doc_bytes(&v.id).expect("bytes"))
        .expect("whole");
    assert_eq!(
        h.node.doc_bytes(&v.id).expect("hub bytes"),
        other.node.doc_bytes(&v.id).expect("other bytes")
    );
    // Nothing more to send.
    let third = send(&a.node, &h.node, second.upto);
    assert!(third.docs.is_empty(), "{:?}", third.docs);
    // A third note after the acknowledged heads travels as its chunk alone.
    a.node.add_note(&by, &code, "Ghi chú ba").expect("note");
    let fourth = send(&a.node, &h.node, third.upto);
    assert_eq!(fourth.docs.len(), 1);
    assert_eq!(fourth.from_chunks, 1);
    assert!(!fourth.docs[0].full);
    assert_eq!(
        h.node.case(&code).expect("hub").notes.len(),
        a.node.case(&code).expect("a").notes.len()
    );
}
