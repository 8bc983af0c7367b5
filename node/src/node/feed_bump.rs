//! The change feed's write: a changed case moves to the feed's head (one entry per case).

use redb::{ReadableTable, WriteTransaction};

use crate::error::Result;
use crate::ids::CaseId;
use crate::store::tables::{FEED, FEED_BY_DOC};

/// Moves a case to the head of the change feed.
pub(crate) fn bump_feed(tx: &WriteTransaction, id: &CaseId) -> Result<u64> {
    let mut feed = tx.open_table(FEED)?;
    let mut by_doc = tx.open_table(FEED_BY_DOC)?;
    let next = feed.last()?.map(|(k, _)| k.value() + 1).unwrap_or(1);
    if let Some(old) = by_doc.insert(&id.0, next)?.map(|g| g.value()) {
        feed.remove(old)?;
    }
    feed.insert(next, &id.0)?;
    Ok(next)
}
