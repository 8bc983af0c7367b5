//! Audit chains replicate verified; tampering is refused; equivocation is kept and raised.

use hoso_node::audit::entry::Entry;

use super::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chains_arrive_verified_tampering_refused_equivocation_detected() {
    let (hub, commune, engine, _) = hub_and_commune().await;
    let c = new_case(&commune.node);
    commune
        .node
        .add_note(&login(&commune.node, "canbo01"), &c.receipt_code, "một")
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
    for e in hub.node.audit_chain(&cid, 0, 1000).expect("chain") {
        assert!(e.entry.signature_ok());
    }
    // The case's entries are indexed at the hub too.
    assert!(!hub.node.audit_for_case(&c.id).expect("for case").is_empty());

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

/// The commune's one round with its hub, with its stats.
async fn one_round(node: &hoso_node::Node) -> hoso_sync::RoundStats {
    let mut rounds = hoso_sync::sync_once(node, None, false)
        .await
        .expect("sync once");
    assert_eq!(rounds.len(), 1);
    let r = rounds.remove(0);
    r.stats
        .unwrap_or_else(|| panic!("round with {} failed: {:?}", r.name, r.error))
}

/// Issue 5 item 2: a round with the hub leaves a cosigned checkpoint at the commune, the next
/// entry cites it, the hub's store verifies with it, and an unchanged chain is not resubmitted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_with_hub_cosigns_commune_checkpoint() {
    let (hub, commune, engine, _) = hub_and_commune().await;
    let c = new_case(&commune.node);
    let cid = commune.node.id();

    let s = one_round(&commune.node).await;
    let size = commune.node.chain_len(&cid).expect("len");
    assert_eq!(
        (s.checkpoints_sent, s.cosignatures_stored, s.witness_refused),
        (1, 1, 0),
        "{s:?}"
    );
    assert_eq!(commune.node.chain_head().anchor_size, size);
    assert_eq!(hub.node.witnessed_size(&cid).expect("witnessed"), size);

    // Nothing new: no checkpoint travels.
    let s = one_round(&commune.node).await;
    assert_eq!((s.checkpoints_sent, s.audit_sent), (0, 0), "{s:?}");

    // The next entry cites the anchor; the grown chain is cosigned in the next round.
    commune
        .node
        .add_note(&login(&commune.node, "canbo01"), &c.receipt_code, "hai")
        .expect("note");
    let next = commune.node.audit_chain(&cid, size, 10).expect("chain");
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].entry.body.anchor_size, size);
    let s = one_round(&commune.node).await;
    assert_eq!((s.checkpoints_sent, s.cosignatures_stored), (1, 1), "{s:?}");
    assert_eq!(commune.node.chain_head().anchor_size, size + 1);

    let r = hoso_node::audit::verify::verify(&hub.node.audit_source(), &Default::default())
        .expect("verify hub");
    assert!(r.ok, "{:#?}", r.findings);
    let chain = r
        .chains
        .iter()
        .find(|ch| ch.origin == cid)
        .expect("commune chain held");
    assert_eq!((chain.length, chain.cosigned_size), (size + 1, size + 1));
    assert_eq!(chain.witnesses, vec![hub.node.id()]);
    assert!(r.checkpoints >= 2 && r.cosignatures >= 2, "{r:#?}");
    engine.shutdown().await;
}
