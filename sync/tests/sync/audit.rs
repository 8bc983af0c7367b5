//! Audit chains replicate verified; tampering is refused; equivocation is kept and raised.

use hoso_node::audit::entry::Entry;

use super::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chains_arrive_verified_tampering_refused_equivocation_detected() {
    let hub = node(None);
    let commune = node(Some("06112"));
    let (engine, addr) = serve(&hub.node).await;
    add_peer(&hub.node, &commune.node, None);
    add_peer(&commune.node, &hub.node, Some(addr));
    let c = new_case(&commune.node);
    commune
        .node
        .add_note("canbo01", &c.receipt_code, "một")
        .expect("note");
    let s = round(&commune.node).await;
    let cid = commune.node.id();
    let len = commune.node.chain_len(&cid).expect("len");
    assert!(len >= 6);
    assert_eq!(hub.node.chain_len(&cid).expect("len"), len);
    assert_eq!(
        commune.node.chain_len(&hub.node.id()).expect("len"),
        hub.node.chain_len(&hub.node.id()).expect("len")
    );
    assert!(s.audit_sent >= len && s.audit_received > 0, "{s:?}");
    for e in hoso_node::audit::chain(hub.node.db(), &cid, 0, 1000).expect("chain") {
        assert!(e.entry.signature_ok());
    }
    // The case's entries are indexed at the hub too.
    assert!(
        !hoso_node::audit::for_case(hub.node.db(), &c.id)
            .expect("for case")
            .is_empty()
    );

    // A tampered entry (one byte of the officer changed) is refused by a node that lacks it.
    let fresh = node(None);
    let recs = commune.node.chain_records(&cid, 0, 100).expect("records");
    let mut bad = recs.clone();
    let (rec, _) = &mut bad[1];
    let pos = rec.len() - 64 - 40;
    rec[pos] ^= 1;
    let r = fresh.node.ingest_chain(&cid, &bad).expect("ingest");
    assert_eq!(r.stored, 1, "{r:?}");
    assert!(r.refused.is_some(), "{r:?}");
    assert_eq!(fresh.node.chain_len(&cid).expect("len"), 1);
    // The untampered chain is accepted, idempotently.
    let r = fresh.node.ingest_chain(&cid, &recs).expect("ingest");
    assert_eq!(
        (r.stored as usize, r.duplicates, r.refused.clone()),
        (recs.len() - 1, 1, None),
        "{r:?}"
    );

    // Equivocation: a second, validly signed entry at an existing seq.
    let orig = Entry::from_record(&recs[2].0).expect("decode");
    let mut body = orig.body.clone();
    body.officer = "ke-gian".into();
    let forged = Entry::sign(body, commune.node.key());
    let r = hub
        .node
        .ingest_chain(&cid, &[(forged.to_record(), None)])
        .expect("ingest");
    assert_eq!(r.forks, 1, "{r:?}");
    let eq = hub.node.equivocations().expect("equivocations");
    assert_eq!(eq.len(), 1);
    assert_eq!(eq[0].seq, 2);
    engine.shutdown().await;
}
