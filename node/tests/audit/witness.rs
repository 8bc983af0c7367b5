//! The witness flow in-process: a commune and its hub, entries handed over as records.

use hoso_node::Node;
use hoso_node::audit::checkpoint::SignedCheckpoint;
use hoso_node::audit::verify::Finding;
use hoso_node::audit::witness::WitnessReply;
use hoso_node::tamper::tables::*;
use hoso_schemas::Status;
use hoso_testkit::node::{Spec, login};
use redb::{ReadableDatabase, ReadableTable};

use super::fixture::{build, close, first};

/// A bare hub: its genesis and nothing else.
pub(crate) fn hub() -> (Node, tempfile::TempDir) {
    let t = Spec::hub().build_bare();
    (t.node, t.dir)
}

/// One sync round: request, witness, store.
pub(crate) fn sync_round(commune: &Node, hub: &Node) -> WitnessReply {
    let req = commune
        .checkpoint_request(commune.chain_head().anchor_size)
        .expect("request");
    let reply = hub.witness(&req).expect("witness");
    if let WitnessReply::Cosigned { note, cosignature } = &reply {
        commune
            .store_cosignature(note, cosignature)
            .expect("store cosignature");
    }
    reply
}

#[test]
fn cosign_anchor_and_both_sides_verify() {
    let c = build();
    let (hub, _hd) = hub();
    let n = c.node();
    let size = n.chain_head().next_seq;
    assert!(matches!(sync_round(n, &hub), WitnessReply::Cosigned { .. }));
    assert_eq!(hub.witnessed_size(&n.id()).expect("size"), size);
    assert_eq!(n.chain_head().anchor_size, size);
    // The next entry cites the anchor.
    let v = n
        .transition(
            &login(n, "canbo01"),
            &c.cases[1].receipt_code,
            Status::InProcess,
            None,
            None,
        )
        .expect("transition");
    let _ = v;
    let last = n.audit_chain(&n.id(), size, 10).expect("chain");
    assert_eq!(last[0].entry.body.anchor_size, size);
    // A second round from the anchor: only the new entry travels.
    let req = n.checkpoint_request(size).expect("req");
    assert_eq!(req.entries.len(), 1);
    assert!(matches!(
        hub.witness(&req).expect("w"),
        WitnessReply::Cosigned { .. }
    ));
    // Re-sent exact duplicate from an old size: a conflict naming the latest size, no error.
    let old = n.checkpoint_request(0).expect("req");
    assert_eq!(
        hub.witness(&old).expect("w"),
        WitnessReply::Conflict { latest: size + 1 }
    );
    let r = n.verify_audit(&Default::default()).expect("verify commune");
    assert!(r.ok, "{:#?}", r.findings);
    assert_eq!(r.chains[0].cosigned_size, size);
    assert_eq!(r.chains[0].witnesses, vec![hub.id()]);
    // The hub holds the commune's chain (no case documents: those come through sync).
    let r = hub.verify_audit(&Default::default()).expect("verify hub");
    let commune = r
        .chains
        .iter()
        .find(|ch| ch.origin == n.id())
        .expect("chain held");
    assert_eq!(commune.length, size + 1);
    assert_eq!(commune.cosigned_size, size + 1);
    assert!(
        r.findings
            .iter()
            .all(|f| matches!(f, Finding::MissingChange { .. }))
    );
}

/// §4.6: the tail truncated below a cosigned size; the hub answers the next request with
/// a conflict.
#[test]
fn t06_truncated_below_cosigned_size() {
    let c = build();
    let (hub, _hd) = hub();
    assert!(matches!(
        sync_round(c.node(), &hub),
        WitnessReply::Cosigned { .. }
    ));
    let size = c.node().chain_head().next_seq;
    let closed = close(c);
    closed.delete(size - 1);
    closed.delete(size - 2);
    let r = closed.verify();
    assert!(r.findings.contains(&Finding::TruncatedBelowCheckpoint {
        origin: closed.id,
        have: size - 2,
        cosigned: size
    }));
    // The node's own head says `size` but it holds size-2 entries: it does not even open.
    let err = Node::open(&closed.dir).expect_err("a truncated chain must not open");
    assert!(err.to_string().contains("audit chain head"), "{err}");
}

/// §4.10 and §4.11: a rewrite after sync. The hub refuses to cosign and keeps the evidence;
/// the commune's own store contradicts the checkpoint its hub cosigned.
#[test]
fn t10_t11_rewrite_after_sync_refused_with_evidence() {
    let c = build();
    let (hub, _hd) = hub();
    assert!(matches!(
        sync_round(c.node(), &hub),
        WitnessReply::Cosigned { .. }
    ));
    let size = c.node().chain_head().next_seq;
    let closed = close(c);
    closed.resign_from(7, |b| b.officer = "lanhdao01".into());
    let r = closed.verify();
    assert_eq!(
        r.findings,
        vec![Finding::InconsistentWithCheckpoint {
            origin: closed.id,
            size
        }]
    );
    assert_eq!(
        first(&r),
        (
            Some(closed.id),
            Some(size - 1),
            "InconsistentWithCheckpoint".into()
        )
    );
    // Same size, different root and head: the hub refuses the second note.
    let node = Node::open(&closed.dir).expect("reopen");
    let sc = node.own_checkpoint().expect("checkpoint");
    drop(node);
    let req = hoso_node::audit::witness::AddCheckpoint {
        old_size: size,
        entries: vec![],
        note: sc.to_note(),
    };
    match hub.witness(&req).expect("witness") {
        WitnessReply::Refused { evidence, .. } => assert!(evidence),
        other => panic!("cosigned a rewrite: {other:?}"),
    }
    let r = hub.verify_audit(&Default::default()).expect("verify hub");
    assert!(r.findings.iter().any(
        |f| matches!(f, Finding::CheckpointEquivocation { origin, .. } if *origin == closed.id)
    ));
    // A rewritten entry sent where the hub holds the original: stored as fork evidence.
    let e = closed.entry(size - 1);
    let mut b = e.body.clone();
    b.seq = size;
    b.prev = e.hash;
    let forged = hoso_node::audit::entry::Entry::sign(b, &closed.key);
    let mut cp = sc.checkpoint.clone();
    let mut range = hoso_node::audit::merkle::CompactRange::new();
    for s in 0..size {
        range.push(&closed.entry(s).hash);
    }
    range.push(&forged.hash);
    cp.size = size + 1;
    cp.root = range.root();
    cp.head = forged.hash;
    let req = hoso_node::audit::witness::AddCheckpoint {
        old_size: size,
        entries: vec![hoso_node::audit::witness::SentEntry {
            record: forged.to_record(),
            payload: None,
        }],
        note: SignedCheckpoint::sign(cp, &closed.key).to_note(),
    };
    assert!(matches!(
        hub.witness(&req).expect("w"),
        WitnessReply::Refused { evidence: true, .. }
    ));
}

/// §4.26: a cosignature that does not verify.
#[test]
fn t26_bad_cosignature() {
    let c = build();
    let (hub, _hd) = hub();
    assert!(matches!(
        sync_round(c.node(), &hub),
        WitnessReply::Cosigned { .. }
    ));
    let size = c.node().chain_head().next_seq;
    let hub_id = hub.id();
    let closed = close(c);
    {
        let db = closed.db();
        let tx = db.begin_write().expect("w");
        {
            let mut t = tx.open_table(AUDIT_COSIGS).expect("cosigs");
            let mut v = t
                .get((&closed.id.0, size, &hub_id.0))
                .expect("g")
                .expect("cosig")
                .value()
                .to_vec();
            v[20] ^= 1;
            t.insert((&closed.id.0, size, &hub_id.0), v.as_slice())
                .expect("ins");
        }
        tx.commit().expect("commit");
    }
    let r = closed.verify();
    assert!(r.findings.contains(&Finding::BadCosignature {
        origin: closed.id,
        size,
        witness: hub_id
    }));
    let rtx = closed.db();
    let _ = rtx.begin_read().expect("r");
}

/// §4.27 (sequential form): racing requests never roll the witnessed size back.
#[test]
fn t27_witness_size_never_rolls_back() {
    let c = build();
    let (hub, _hd) = hub();
    let n = c.node();
    let early = n.checkpoint_request(0).expect("req");
    n.add_note(&login(n, "canbo01"), &c.cases[0].receipt_code, "thêm")
        .expect("note");
    let later = n.checkpoint_request(0).expect("req");
    let size_later = n.chain_head().next_seq;
    assert!(matches!(
        hub.witness(&later).expect("w"),
        WitnessReply::Cosigned { .. }
    ));
    assert_eq!(
        hub.witness(&early).expect("w"),
        WitnessReply::Conflict { latest: size_later }
    );
    assert_eq!(hub.witnessed_size(&n.id()).expect("s"), size_later);
}

/// The own chain's range is stored with each cosignature (`audit/own_range.rs`): a node opened
/// afresh signs the same checkpoint as the one that kept the range in memory, from the stored
/// range plus the entries appended since; a stored range that does not match the chain is not
/// used.
#[test]
fn a_fresh_process_checkpoints_from_the_stored_range() {
    let c = build();
    let (hub, _hd) = hub();
    let n = c.node();
    assert!(matches!(sync_round(n, &hub), WitnessReply::Cosigned { .. }));
    let cosigned = n.chain_head().anchor_size;
    {
        let rtx = hoso_node::tamper::db(n).begin_read().expect("read");
        let meta = rtx.open_table(META).expect("meta");
        assert!(
            meta.get(hoso_node::audit::own_range::META_OWN_RANGE)
                .expect("get")
                .is_some(),
            "the range is stored with the cosignature"
        );
    }
    n.add_note(
        &login(n, "canbo01"),
        &c.cases[0].receipt_code,
        "Thêm một ghi chú",
    )
    .expect("note");
    let live = n.own_checkpoint().expect("checkpoint").checkpoint;
    assert!(live.size > cosigned);
    let dir = c.dir();
    let closed = close(c);
    let fresh = Node::open(&dir).expect("open");
    let again = fresh.own_checkpoint().expect("checkpoint").checkpoint;
    assert_eq!(
        (again.size, again.root, again.head),
        (live.size, live.root, live.head)
    );
    // A stored range whose head is not the chain's entry at that seq is ignored.
    {
        let tx = hoso_node::tamper::db(&fresh).begin_write().expect("write");
        {
            let mut meta = tx.open_table(META).expect("meta");
            let held = meta
                .get(hoso_node::audit::own_range::META_OWN_RANGE)
                .expect("get")
                .map(|v| v.value().to_vec())
                .expect("stored");
            let mut bad = held.clone();
            bad[0] ^= 1;
            meta.insert(hoso_node::audit::own_range::META_OWN_RANGE, bad.as_slice())
                .expect("insert");
        }
        tx.commit().expect("commit");
    }
    drop(fresh);
    let fresh = Node::open(&dir).expect("open");
    let third = fresh.own_checkpoint().expect("checkpoint").checkpoint;
    assert_eq!(
        (third.size, third.root, third.head),
        (live.size, live.root, live.head)
    );
    drop(closed);
}
