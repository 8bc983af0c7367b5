//! What the writer stores for a case new here, worked out on a decoding worker ([`Staged`]).
//!
//! In a first sync almost every received case is new at the hub, and after its document is
//! decoded (`prepare.rs`) the rest of what its transaction stores follows from the decoded form
//! alone: the document row (the bytes as they came, deflated with the store's dictionary, or
//! the document saved again), the summary row and its index and counter keys, and the heads.
//! A grouped ingest (`group.rs`) works these out beside the decoding, so its one writer only
//! checks and inserts. Every check still runs in the transaction on the decoded form
//! (`ingest.rs`); a staged part is used only for the document it was made from, and only when
//! the transaction finds the case still new (a summary row already there is handled by the
//! general path, [`crate::write::store_summary`]).

use std::collections::BTreeSet;

use redb::{ReadableTable, WriteTransaction};

use crate::case::{CaseSummary, CaseView};
use crate::error::Result;
use crate::ids::CaseId;
use crate::peer_heads::raw_heads;
use crate::store::tables::{CASES, DocBuf, INDEX, REVIEW, SummaryRow};

use super::incoming::IncomingDoc;
use super::prepare::Decoded;

/// The rows of a case new here, from its decoded document.
pub(super) struct Staged {
    /// The case they were made for.
    pub(super) id: CaseId,
    /// The `DOCS` row.
    pub(super) row: DocBuf,
    /// The summary, its row bytes and its index keys.
    pub(super) summary: CaseSummary,
    pub(super) summary_bytes: Vec<u8>,
    pub(super) index_keys: BTreeSet<Vec<u8>>,
    /// The document's heads, sorted (`peer_heads::raw_heads`).
    pub(super) heads: Vec<[u8; 32]>,
}

/// The staged rows of `dec`, decoded from `d`; `None` when the document's view or its summary
/// does not read (the transaction then refuses it, or works it out itself).
pub(super) fn stage(d: &IncomingDoc, dec: &mut Decoded) -> Option<Box<Staged>> {
    let view = dec.view.as_ref().ok()?;
    if view.id != d.id {
        return None;
    }
    let summary = view.summary();
    let summary_bytes = crate::summaries::encode(&summary).ok()?;
    let index_keys = crate::index::keys(&summary);
    let heads = raw_heads(dec.doc.automerge());
    // The row `prepare.rs` made from the received bytes when they are in the stored form;
    // else the document saved again in it.
    let row = match dec.row.take() {
        Some(p) => p,
        None => DocBuf::pack(&dec.doc.save_stored()),
    };
    Some(Box::new(Staged {
        id: d.id,
        row,
        summary,
        summary_bytes,
        index_keys,
        heads,
    }))
}

/// [`crate::write::store_summary`] of a case new here, with its staged rows: the same rows and
/// counters. When a summary row is found under the id after all, the general path runs.
pub(super) fn store_summary(tx: &WriteTransaction, view: &CaseView, s: &Staged) -> Result<()> {
    let fresh = {
        let mut cases = tx.open_table(CASES)?;
        if cases.get(&view.id.0)?.is_some() {
            false
        } else {
            cases.insert(&view.id.0, SummaryRow(&s.summary_bytes))?;
            true
        }
    };
    if !fresh {
        return crate::write::store_summary(tx, view);
    }
    {
        let mut idx = tx.open_table(INDEX)?;
        for k in &s.index_keys {
            idx.insert(k.as_slice(), ())?;
        }
    }
    crate::commune_counts::summary_written(tx, None, &s.summary)?;
    if !s.summary.conflict {
        // A case without conflicts is not in the review queue.
        tx.open_table(REVIEW)?.remove(&view.id.0)?;
    }
    crate::node::feed_bump::bump_feed(tx, &view.id)?;
    Ok(())
}
