//! Cosignatures relayed between the nodes of a province with two hubs (issue 13, target 8).
//!
//! A commune asks whichever hub it reaches to cosign its chain, so its entries cite anchors
//! made by either hub. A node that holds the commune's entries must hold the cosignatures they
//! cite, or `audit verify` there finds an unknown anchor: so whenever a chain's entries go to a
//! hub, the cosignatures those entries may cite go with them (the commune sends its own, a hub
//! forwards a commune's to the other hub), and the receiving hub stores each one that verifies
//! ([`Node::store_foreign_cosignature`]).

use redb::ReadableDatabase;

use crate::audit::checkpoint::Cosignature;
use crate::audit::entry::Entry;
use crate::error::{NodeError, Result};
use crate::ids::NodeId;
use crate::node::Node;
use crate::store::tables::{AUDIT, AUDIT_CHECKPOINTS, AUDIT_COSIGS};

/// Most cosignatures relayed for one chain per step of a session.
pub const MAX_RELAYED: usize = 4096;

impl Node {
    /// The cosignatures of `origin`'s chain that entries `from..to` may cite: every one held
    /// here for a checkpoint size between the anchor cited by entry `from - 1` (the last entry
    /// the receiver held before) and `to`, with its note; `skip_witness`'s own are left out (the
    /// receiver made them). At most [`MAX_RELAYED`], the newest.
    pub fn cosignatures_to_relay(
        &self,
        origin: &NodeId,
        from: u64,
        to: u64,
        skip_witness: &NodeId,
    ) -> Result<Vec<(String, Cosignature)>> {
        let rtx = self.db().begin_read()?;
        let lo = if from == 0 {
            0
        } else {
            let audit = rtx.open_table(AUDIT)?;
            match audit.get((&origin.0, from - 1))? {
                Some(v) => {
                    Entry::from_record(v.value())
                        .map_err(|e| NodeError::Corrupt {
                            what: format!("audit entry {} #{}", origin.short(), from - 1),
                            detail: e.to_string(),
                        })?
                        .body
                        .anchor_size
                }
                None => 0,
            }
        };
        let notes = rtx.open_table(AUDIT_CHECKPOINTS)?;
        let cosigs = rtx.open_table(AUDIT_COSIGS)?;
        let mut out = Vec::new();
        for row in notes.range((&origin.0, lo)..=(&origin.0, to))? {
            let (k, v) = row?;
            let size = k.value().1;
            let Ok(note) = std::str::from_utf8(v.value()) else {
                continue;
            };
            for c in cosigs.range((&origin.0, size, &[0u8; 32])..=(&origin.0, size, &[0xFF; 32]))? {
                let (k, v) = c?;
                let witness = NodeId(*k.value().2);
                if witness == *skip_witness {
                    continue;
                }
                if let Some(cs) = Cosignature::decode_value(witness, v.value()) {
                    out.push((note.to_string(), cs));
                }
            }
        }
        let skip = out.len().saturating_sub(MAX_RELAYED);
        Ok(out.split_off(skip))
    }
}
