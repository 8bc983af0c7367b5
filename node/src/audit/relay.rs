//! Cosignatures relayed between the nodes of a province with two hubs (issue 13, target 8).
//!
//! A commune asks whichever hub it reaches to cosign its chain, so its entries cite anchors
//! made by either hub. A node that holds the commune's entries must hold the cosignatures they
//! cite, or `audit verify` there finds an unknown anchor: so whenever a chain's entries go to a
//! hub, the cosignatures those entries cite go with them (the commune sends its own, a hub
//! forwards a commune's to the other hub), and the receiving hub stores each one that verifies
//! ([`Node::store_foreign_cosignature`]).

use std::collections::BTreeSet;

use redb::ReadableDatabase;

use crate::chain::checkpoint::Cosignature;
use crate::chain::entry::Entry;
use crate::error::Result;
use crate::ids::NodeId;
use crate::node::handle::Node;
use crate::store::tables::{AUDIT_CHECKPOINTS, AUDIT_COSIGS};

/// Most distinct anchors looked up for one chain in one call.
pub const MAX_ANCHORS: usize = 4096;

/// The anchor sizes cited by `records` (stored audit records of one chain, in seq order), as
/// the range from the first record's anchor to the last one's: anchors never go down along a
/// chain (`audit verify` checks it), so only those two are decoded; with the anchors those two
/// cite (the sizes that must be found). `None` when they cite none.
pub fn cited_range(records: &[(Vec<u8>, Option<Vec<u8>>)]) -> Option<((u64, u64), BTreeSet<u64>)> {
    let anchor = |r: Option<&(Vec<u8>, Option<Vec<u8>>)>| {
        r.and_then(|(r, _)| Entry::from_record(r).ok())
            .map(|e| e.body.anchor_size)
    };
    let (first, last) = (anchor(records.first())?, anchor(records.last())?);
    if last == 0 {
        return None;
    }
    let ends = [first, last].into_iter().filter(|s| *s > 0).collect();
    Some(((first.max(1).min(last), last), ends))
}

/// What [`Node::cosignatures_at`] found.
#[derive(Debug, Default)]
pub struct Relay {
    /// Each held cosignature at the asked sizes (but the skipped witness's), with its note.
    pub cosignatures: Vec<(u64, String, Cosignature)>,
    /// `extra` sizes at which this node holds no cosignature at all (yet).
    pub missing: Vec<u64>,
}

impl Node {
    /// The cosignatures held of `origin`'s checkpoints in `range` (inclusive) and at `extra`
    /// sizes (at most [`MAX_ANCHORS`] sizes in all), with their notes; `skip_witness`'s own are
    /// left out (the receiver made them).
    pub fn cosignatures_at(
        &self,
        origin: &NodeId,
        range: Option<(u64, u64)>,
        extra: &BTreeSet<u64>,
        skip_witness: &NodeId,
    ) -> Result<Relay> {
        let rtx = self.db().begin_read()?;
        let notes = rtx.open_table(AUDIT_CHECKPOINTS)?;
        let cosigs = rtx.open_table(AUDIT_COSIGS)?;
        let mut sizes = extra.clone();
        if let Some((lo, hi)) = range {
            for row in notes.range((&origin.0, lo)..=(&origin.0, hi))? {
                if sizes.len() >= MAX_ANCHORS {
                    break;
                }
                sizes.insert(row?.0.value().1);
            }
        }
        let mut out = Relay::default();
        for &size in sizes.iter().take(MAX_ANCHORS) {
            let note = notes
                .get((&origin.0, size))?
                .and_then(|v| String::from_utf8(v.value().to_vec()).ok());
            let mut any = false;
            for c in cosigs.range((&origin.0, size, &[0u8; 32])..=(&origin.0, size, &[0xFF; 32]))? {
                let (k, v) = c?;
                any = true;
                let witness = NodeId(*k.value().2);
                if witness == *skip_witness {
                    continue;
                }
                if let (Some(note), Some(cs)) =
                    (&note, Cosignature::decode_value(witness, v.value()))
                {
                    out.cosignatures.push((size, note.clone(), cs));
                }
            }
            if extra.contains(&size) && (!any || note.is_none()) {
                out.missing.push(size);
            }
        }
        Ok(out)
    }
}
