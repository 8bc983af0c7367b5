//! The change feed that sync reads: `seq → case id`, one entry per case at its latest change.
//! A peer that stored our seq `n` asks for everything after it: O(changes), never O(cases); the
//! read that sync does is `Node::outgoing` in [`crate::replica`]. This module reads the
//! feed's head and one case's seq.

use redb::{ReadableDatabase, ReadableTable};

use crate::error::Result;
use crate::ids::CaseId;
use crate::node::handle::Node;
use crate::store::tables::{FEED, FEED_BY_DOC};

impl Node {
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
