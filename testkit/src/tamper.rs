//! Writes behind the write path, as a tampered store or a patched binary would make them: for
//! tests that show what the node, the audit and sync do with such a store.

use hoso_node::CaseId;
use hoso_node::store::tables::{DOC_CHANGES, FEED, FEED_BY_DOC};
use redb::ReadableTable;

/// Moves a case to the head of the change feed inside `tx` (as the node does on a write).
pub fn bump_feed(tx: &redb::WriteTransaction, id: &CaseId) {
    let mut feed = tx.open_table(FEED).expect("feed");
    let mut by_doc = tx.open_table(FEED_BY_DOC).expect("feed by doc");
    let next = feed
        .last()
        .expect("last")
        .map(|(k, _)| k.value() + 1)
        .unwrap_or(1);
    if let Some(old) = by_doc
        .insert(&id.0, next)
        .expect("insert")
        .map(|g| g.value())
    {
        feed.remove(old).expect("remove");
    }
    feed.insert(next, &id.0).expect("insert");
}

/// Appends a change chunk to case `id` in `db` behind every check (no audit entry) and puts the
/// case at the head of the feed, so sync sends it.
pub fn plant_change(db: &redb::Database, id: &CaseId, chunk: &[u8]) {
    let tx = db.begin_write().expect("write");
    {
        let mut t = tx.open_table(DOC_CHANGES).expect("changes");
        let n = t
            .range((&id.0, 0)..=(&id.0, u32::MAX))
            .expect("range")
            .count() as u32;
        t.insert((&id.0, n), chunk).expect("insert");
    }
    bump_feed(&tx, id);
    tx.commit().expect("commit");
}
