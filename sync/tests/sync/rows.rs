//! Whole documents sent as the sender's stored rows (`hoso/sync/3`, `hoso_node`'s
//! `ingest/packed.rs`): checked like any received document, stored as they came, and a row
//! whose document does not match its own heads is refused and stores nothing.

use hoso_node::ingest::group::{GroupItem, GroupOutcome};
use hoso_node::ingest::{IncomingDoc, Ingested};
use hoso_node::replica::OutgoingDoc;
use sha2::Digest as _;

use super::common::*;

/// The commune's whole documents for `hub`, as rows (`rows`) or as saved bytes.
fn outgoing(commune: &hoso_node::Node, hub: &hoso_node::Node, rows: bool) -> Vec<OutgoingDoc> {
    commune
        .outgoing_as(
            &peer_entry(hub, None),
            &|_, _| true,
            0,
            1000,
            1 << 24,
            1 << 22,
            &|_| Vec::new(),
            rows,
        )
        .expect("outgoing")
        .docs
}

fn incoming(d: &OutgoingDoc, bytes: Vec<u8>) -> IncomingDoc {
    IncomingDoc {
        id: d.id,
        full: true,
        heads: Vec::new(),
        bytes,
    }
}

/// `saved` (one Automerge document chunk) with `from` replaced by `to` (same length) and its
/// chunk checksum computed again: a well-formed chunk whose changes no longer hash to the
/// heads it records.
fn reseal(saved: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let at = saved
        .windows(from.len())
        .position(|w| w == from)
        .expect("the text is in the document");
    let mut out = saved.to_vec();
    out[at..at + to.len()].copy_from_slice(to);
    // magic (4), checksum (4), then the checksummed type, length and body.
    let sum = sha2::Sha256::digest(&out[8..]);
    out[4..8].copy_from_slice(&sum[..4]);
    out
}

#[test]
fn a_whole_document_sent_as_its_row_is_checked_and_a_forged_one_refused() {
    let hub = node(None);
    let commune = node(Some("06112"));
    let cases: Vec<_> = (0..4).map(|_| new_case(&commune.node)).collect();
    let cid = commune.node.id();
    let recs = commune.node.chain_records(&cid, 0, 1000).expect("records");
    let rows = outgoing(&commune.node, &hub.node, true);
    let saved = outgoing(&commune.node, &hub.node, false);
    assert_eq!(rows.len(), 4);
    for (r, s) in rows.iter().zip(&saved) {
        assert_eq!(r.id, s.id);
        assert_eq!(s.bytes[0], 0x85, "saved bytes start with Automerge's magic");
        assert!(r.bytes[0] <= 2, "a row starts with its tag");
        assert!(r.bytes.len() < s.bytes.len(), "the row is the packed form");
    }
    let code = |i: usize| cases[i].receipt_code.as_bytes().to_vec();
    let renamed = |i: usize| {
        let mut c = code(i);
        let last = c.len() - 1;
        c[last] = if c[last] == b'9' { b'8' } else { b'9' };
        c
    };
    // Case 1: its document with another receipt code, re-sealed, as a raw row (tag 0) and as
    // Automerge bytes; case 2: a row cut short. Each is refused; cases 0 and 3 are stored.
    let forged = reseal(&saved[1].bytes, &code(1), &renamed(1));
    let mut forged_row = vec![0u8];
    forged_row.extend_from_slice(&forged);
    let cut = rows[2].bytes[..rows[2].bytes.len() - 3].to_vec();
    let docs = vec![
        incoming(&rows[0], rows[0].bytes.clone()),
        incoming(&rows[1], forged_row),
        incoming(&rows[1], forged),
        incoming(&rows[2], cut),
        incoming(&rows[3], rows[3].bytes.clone()),
    ];
    let items = vec![
        GroupItem::Audit {
            origin: cid,
            entries: recs,
        },
        GroupItem::Docs { docs, upto: 4 },
    ];
    let allow = |_: &str, _: &str| true;
    let out = hub.node.ingest_group(&cid, &items, &allow).expect("group");
    let [GroupOutcome::Audit(_), GroupOutcome::Docs(report)] = out.as_slice() else {
        panic!("{out:?}");
    };
    let refused: Vec<_> = report
        .items
        .iter()
        .map(|i| match i {
            Ingested::Refused { reason, .. } => Some(reason.clone()),
            Ingested::Stored { created, .. } => {
                assert!(created);
                None
            }
        })
        .collect();
    assert!(refused[0].is_none() && refused[4].is_none(), "{refused:?}");
    for (i, why) in refused.iter().enumerate().skip(1).take(3) {
        let why = why.as_deref().unwrap_or_else(|| panic!("item {i} stored"));
        assert!(why.contains("not a valid case document"), "{i}: {why}");
    }
    // What was stored is the commune's document; the forged and cut ones stored nothing.
    for i in [0, 3] {
        assert_eq!(
            hub.node.doc_bytes(&cases[i].id).expect("held"),
            commune.node.doc_bytes(&cases[i].id).expect("held")
        );
    }
    assert!(hub.node.case(&cases[1].receipt_code).is_err());
    assert!(hub.node.case(&cases[2].receipt_code).is_err());
    // The genuine rows of 1 and 2 go in afterwards; a whole row of a case held is merged (no
    // change) like whole saved bytes.
    let again = vec![
        incoming(&rows[1], rows[1].bytes.clone()),
        incoming(&rows[2], rows[2].bytes.clone()),
        incoming(&rows[0], rows[0].bytes.clone()),
    ];
    let r = hub
        .node
        .ingest_batch(&cid, &again, 4, &allow)
        .expect("batch");
    assert_eq!(r.refused(), 0, "{r:?}");
    assert!(matches!(
        &r.items[2],
        Ingested::Stored {
            created: false,
            changed: false,
            heads,
            ..
        } if !heads.is_empty()
    ));
    assert_eq!(all_cases(&hub.node).len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_sync_sends_rows_and_the_hub_holds_every_case() {
    let (hub, commune, engine, _addr) = hub_and_commune().await;
    for _ in 0..300 {
        new_case(&commune.node);
    }
    let saved: usize = outgoing(&commune.node, &hub.node, false)
        .iter()
        .map(|d| d.bytes.len())
        .sum();
    let s = round(&commune.node).await;
    assert_eq!(s.docs_sent, 300);
    // The first batches go as saved bytes (the pacer starts low), the rest as rows.
    assert!(
        (s.doc_bytes_sent as usize) < saved * 9 / 10,
        "sent {} document bytes, {saved} as saved bytes",
        s.doc_bytes_sent
    );
    assert_eq!(all_cases(&hub.node).len(), 300);
    for c in all_cases(&commune.node).iter().take(20) {
        assert_eq!(
            hub.node.doc_bytes(&c.id).expect("held"),
            commune.node.doc_bytes(&c.id).expect("held")
        );
    }
    engine.shutdown().await;
}
