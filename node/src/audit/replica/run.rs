//! A received chain's new entries stored in key order through one cursor (issue 13, target 2).
//!
//! The audit table is keyed (origin, seq) and holds every origin's chain. A node's own chain,
//! or the last origin in key order, appends at the end of the table, where redb leaves a full
//! leaf packed and starts a new one. Any other origin's chain (at a hub: every commune's but
//! one) grows in the middle of the table, before the next origin's rows: there redb splits a
//! full leaf evenly and, the next seq being greater, never comes back to the left half. So a
//! hub's audit pages were half full (1,216 B of page slack per case of five entries, against
//! 80 B at the commune that wrote them).
//!
//! A batch's new rows therefore wait here between their checks and the end of the batch, and
//! are then stored in ascending order through one redb cursor (`WriteRecords::put_ascending`),
//! whose insert runs are spliced in as packed leaves, like an append. The checks of the
//! batch's later entries see the waiting rows ([`PendingRun::record`], [`PendingRun::hash`]),
//! so duplicates, forks and the hash link are decided exactly as when each row was stored at
//! once; the rows are in the table before the batch's transaction does anything else.

use std::collections::BTreeMap;

use crate::audit::stored::WriteRecords;
use crate::error::Result;

/// One checked entry waiting to be stored.
struct Pending<'a> {
    record: &'a [u8],
    hash: [u8; 32],
    row: Vec<u8>,
}

/// The new rows of one origin's batch, by seq.
pub(crate) struct PendingRun<'a> {
    origin: [u8; 32],
    rows: BTreeMap<u64, Pending<'a>>,
}

impl<'a> PendingRun<'a> {
    /// An empty run of `origin`'s chain.
    pub(crate) fn new(origin: [u8; 32]) -> Self {
        PendingRun {
            origin,
            rows: BTreeMap::new(),
        }
    }

    /// The record (`body ‖ signature`) waiting at `seq`.
    pub(crate) fn record(&self, seq: u64) -> Option<&'a [u8]> {
        self.rows.get(&seq).map(|p| p.record)
    }

    /// The hash of the entry waiting at `seq`.
    pub(crate) fn hash(&self, seq: u64) -> Option<[u8; 32]> {
        self.rows.get(&seq).map(|p| p.hash)
    }

    /// Adds the checked entry at `seq`: its `record` as received, its `hash` and its compact
    /// `row` (`WriteRecords::compact_row`).
    pub(crate) fn push(&mut self, seq: u64, record: &'a [u8], hash: [u8; 32], row: Vec<u8>) {
        self.rows.insert(seq, Pending { record, hash, row });
    }

    /// Stores every waiting row, in seq order.
    pub(crate) fn flush(self, audit: &mut WriteRecords<'_>) -> Result<()> {
        audit.put_ascending(
            &self.origin,
            self.rows.iter().map(|(seq, p)| (*seq, p.row.as_slice())),
        )
    }
}
