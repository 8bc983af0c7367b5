//! The change feed that sync reads: `seq → case id`, one entry per case at its latest change.
//! A peer that stored our seq `n` asks for everything after it: O(changes), never O(cases).

use redb::{ReadableDatabase, ReadableTable};

use crate::error::Result;
use crate::ids::CaseId;
use crate::node::Node;
use crate::store::tables::{FEED, FEED_BY_DOC};

impl Node {
    /// Cases changed after feed seq `after`, oldest first, at most `limit`.
    pub fn feed_since(&self, after: u64, limit: usize) -> Result<Vec<(u64, CaseId)>> {
        let rtx = self.db().begin_read()?;
        let feed = rtx.open_table(FEED)?;
        let mut out = Vec::new();
        for row in feed.range(after.saturating_add(1)..)? {
            if out.len() >= limit {
                break;
            }
            let (k, v) = row?;
            out.push((k.value(), CaseId(*v.value())));
        }
        Ok(out)
    }

    /// The newest feed seq (0 when empty).
    pub fn feed_head(&self) -> Result<u64> {
        let rtx = self.db().begin_read()?;
        Ok(rtx
            .open_table(FEED)?
            .last()?
            .map(|(k, _)| k.value())
            .unwrap_or(0))
    }

    /// The feed seq of one case, if it has one.
    pub fn feed_seq_of(&self, id: &CaseId) -> Result<Option<u64>> {
        let rtx = self.db().begin_read()?;
        Ok(rtx.open_table(FEED_BY_DOC)?.get(&id.0)?.map(|v| v.value()))
    }
}
