//! A hub's audit pages stay packed when a chain that is not the last in key order grows
//! (issue 13, target 2; `audit/replica/run.rs`). Before, every batch of a commune's entries
//! landed in the middle of the hub's audit table, where redb splits a full leaf evenly and
//! never comes back to its left half: the table's pages were about half slack.

use hoso_node::Node;
use hoso_testkit::node::{commune, hub, login, new_case};

/// Stores `from`'s chain at `to` in batches of `batch`, as sessions do.
fn hand_over_chain(from: &Node, to: &Node, batch: usize) {
    let id = from.id();
    loop {
        let recs = from
            .chain_records(&id, to.chain_len(&id).unwrap(), batch)
            .unwrap();
        if recs.is_empty() {
            break;
        }
        let r = to.ingest_chain(&id, &recs).unwrap();
        assert!(r.refused.is_none(), "{r:?}");
        assert_eq!(r.stored as usize, recs.len());
    }
}

#[test]
fn a_chain_received_in_the_middle_of_the_audit_table_fills_its_pages() {
    let a = commune("06112");
    let b = commune("06113");
    let h = hub();
    // The commune whose id sorts first grows its chain; the other's rows (and the hub's own)
    // sort after it, so its rows are inserted in the middle of the table.
    let (small, large) = if a.id() < b.id() { (&a, &b) } else { (&b, &a) };
    hand_over_chain(large, &h, 128);
    let canbo = login(small, "canbo01");
    for i in 0..300 {
        let citizen = if i % 2 == 0 {
            "020075000777"
        } else {
            "020190012345"
        };
        small
            .create_case(&canbo, new_case(small, "judicial_record", citizen))
            .unwrap();
    }
    let before = h.storage_breakdown().unwrap();
    hand_over_chain(small, &h, 128);
    let after = h.storage_breakdown().unwrap();
    let t = |s: &hoso_node::StorageBreakdown| s.table("audit-2").cloned().unwrap();
    let (b0, b1) = (t(&before), t(&after));
    let stored = b1.stored_bytes - b0.stored_bytes;
    let slack = b1.fragmented_bytes.saturating_sub(b0.fragmented_bytes);
    assert!(
        stored > 60_000,
        "the chain is long enough to fill pages: {stored} B"
    );
    // Packed leaves: a few hundred bytes of slack per 4 KiB page at most, where even splits
    // left about as much slack as data.
    assert!(
        slack * 5 < stored,
        "audit pages are packed: {slack} B of slack for {stored} B stored"
    );
    // Every entry reads back as it was signed.
    let id = small.id();
    assert_eq!(
        h.chain_records(&id, 0, 10_000).unwrap(),
        small.chain_records(&id, 0, 10_000).unwrap()
    );
}

#[test]
fn tables_repacked_while_the_node_runs_lose_their_slack_and_keep_every_row() {
    let c = commune("06112");
    let canbo = login(&c, "canbo01");
    for i in 0..300 {
        let citizen = if i % 2 == 0 {
            "020075000777"
        } else {
            "020190012345"
        };
        c.create_case(&canbo, new_case(&c, "judicial_record", citizen))
            .unwrap();
    }
    let share = |n: &Node, t: &str| {
        let u = n.storage_breakdown().unwrap().table(t).cloned().unwrap();
        (
            u.fragmented_bytes as f64 / u.total_bytes() as f64,
            u.stored_bytes,
        )
    };
    let cases = |n: &Node| {
        let all = n
            .list(&hoso_node::CaseQuery {
                limit: 10_000,
                ..hoso_node::CaseQuery::default()
            })
            .unwrap();
        all.into_iter()
            .map(|s| {
                let bytes = n.doc_bytes(&s.id).unwrap();
                (s, bytes)
            })
            .collect::<Vec<_>>()
    };
    let (docs_before, stored_before) = share(&c, "docs-2");
    // Case ids are random: the documents' pages are about a third slack.
    assert!(docs_before > 0.2, "docs slack {docs_before}");
    let rows_before = cases(&c);
    let chain_before = c.chain_records(&c.id(), 0, 100_000).unwrap();
    // Small steps: many write transactions, each a slice of a table.
    let r = c.repack_tables_in_steps(0.15, 16 << 10).unwrap();
    assert!(r.tables >= 1 && r.steps > 10, "{r:?}");
    assert!(r.bytes_after < r.bytes_before, "{r:?}");
    let (docs_after, stored_after) = share(&c, "docs-2");
    assert_eq!(stored_after, stored_before, "the same rows, byte for byte");
    assert!(
        docs_after < 0.15,
        "docs slack {docs_before:.2} → {docs_after:.2}"
    );
    // Every summary, document and audit entry reads back the same; the store checks clean.
    assert_eq!(cases(&c), rows_before);
    assert_eq!(c.chain_records(&c.id(), 0, 100_000).unwrap(), chain_before);
    let report = c.check_store().unwrap();
    assert!(report.ok, "{report:?}");
    // Writes go on after it.
    c.create_case(&canbo, new_case(&c, "judicial_record", "020075000777"))
        .unwrap();
}
