//! The per-commune counters (`commune_counts.rs`) kept in the write path equal a rebuild from
//! the store after local writes, a sync hand-over (chain, documents, acknowledgements) and an
//! edit after it; the province dashboard reads its counts and what waits for each commune from
//! them.

use chrono::NaiveDate;
use hoso_node::ingest::{IncomingDoc, Ingested};
use hoso_node::{Node, Peers};
use hoso_schemas::Status;
use hoso_testkit::node::{add_peer, commune, hub, login, peer_entry, receive};

/// One round commune → hub as a session moves it: the chain, the feed's documents, the acks.
pub(crate) fn hand_over(from: &Node, to: &Node) {
    let id = from.id();
    let recs = from
        .chain_records(&id, to.chain_len(&id).unwrap(), 4096)
        .unwrap();
    let r = to.ingest_chain(&id, &recs).unwrap();
    assert!(r.refused.is_none(), "{r:?}");
    let peer = peer_entry(to, None);
    let out = from
        .outgoing(&peer, &|_, _| true, 0, 1000, 1 << 24, 1 << 22, &|_| vec![])
        .unwrap();
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
    let report = to.ingest_batch(&id, &docs, out.upto, &|_, _| true).unwrap();
    let acked: Vec<_> = report
        .items
        .into_iter()
        .zip(&out.docs)
        .map(|(i, d)| match i {
            Ingested::Stored { id, heads, .. } => (id, d.seq, heads),
            Ingested::Refused { reason, .. } => panic!("refused: {reason}"),
        })
        .collect();
    from.record_acked(&to.id(), &acked).unwrap();
}

fn same_as_rebuild(n: &Node) {
    let kept = n.commune_counts().unwrap();
    n.rebuild_commune_counts().unwrap();
    assert_eq!(kept, n.commune_counts().unwrap());
}

#[test]
fn counters_kept_in_the_write_path_equal_a_rebuild_and_feed_the_dashboard() {
    let c = commune("06112");
    let h = hub();
    add_peer(&c, &h, None);
    add_peer(&h, &c, None);
    let a = receive(&c, "judicial_record", "020075000777");
    receive(&c, "judicial_record", "020190012345");
    receive(&c, "judicial_record", "020088001111");
    c.transition(
        &login(&c, "canbo01"),
        &a.receipt_code,
        Status::InProcess,
        None,
        Some("Đủ giấy tờ"),
    )
    .unwrap();
    same_as_rebuild(&c);
    let counts = c.commune_counts().unwrap();
    let k = &counts["06112"];
    assert_eq!((k.total, k.open, k.paused), (3, 3, 0));
    assert_eq!(k.due.values().sum::<u64>(), 3);

    hand_over(&c, &h);
    same_as_rebuild(&c);
    same_as_rebuild(&h);
    // The commune knows the hub holds all three; the hub knows the commune does.
    assert_eq!(c.commune_counts().unwrap()["06112"].acked[&h.id()], 3);
    assert_eq!(h.commune_counts().unwrap()["06112"].acked[&c.id()], 3);
    let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    let d = h.province_dashboard(today).unwrap();
    let row = d.rows.iter().find(|r| r.commune == "06112").unwrap();
    assert_eq!((d.cases, row.open, row.pending_to), (3, 3, 0), "{row:?}");
    assert!(Peers::load(h.dir()).unwrap().get(&c.id()).is_some());

    // An edit at the commune: one case waits to go to the hub until the next round.
    c.add_note(&login(&c, "canbo01"), &a.receipt_code, "Ghi chú mới")
        .unwrap();
    same_as_rebuild(&c);
    assert_eq!(c.commune_counts().unwrap()["06112"].acked[&h.id()], 2);
    hand_over(&c, &h);
    same_as_rebuild(&c);
    same_as_rebuild(&h);
    assert_eq!(c.commune_counts().unwrap()["06112"].acked[&h.id()], 3);
    let d = h.province_dashboard(today).unwrap();
    let row = d.rows.iter().find(|r| r.commune == "06112").unwrap();
    assert_eq!(row.pending_to, 0, "{row:?}");
    // Reopened: the marker holds, nothing is rebuilt, the counts are the same.
    let before = h.commune_counts().unwrap();
    let dir = h.dir().to_path_buf();
    let again = Node::open(&dir).unwrap();
    assert_eq!(again.commune_counts().unwrap(), before);
}
