//! Merging received changes into a case held here before the writer lock (issue 13, target 1:
//! the incremental rounds). Loading the stored document, merging the received bytes into it,
//! and reading the merged view and jurisdiction need no lock: they run on the worker threads
//! of a group (`group.rs`) or of a batch (`prepare.rs`), against a read snapshot, while other
//! sessions write.
//!
//! The transaction still decides. [`current`] takes the prepared merge only when the stored
//! form it was computed from is still the stored form in the transaction: the case's feed seq
//! (every write of a document's content moves it, `doc_cache.rs`), the packed saved form
//! byte for byte, and the numbers and lengths of the change chunks after it. Anything else
//! (a write by another session, a fold, an earlier item of the same group that merged the
//! same case) drops the prepared merge and the transaction loads and merges again, as it did
//! before. Every check of `ingest.rs` (jurisdiction unchanged, id, trust, review) still runs
//! in the transaction on the merged form; an error anywhere in preparing leaves the case to the
//! transaction, which then fails or refuses it exactly as before.

use automerge::ChangeHash;
use redb::{ReadTransaction, ReadableTable, WriteTransaction};

use crate::case::{CaseDoc, CaseView};
use crate::doc_store::Stored;
use crate::error::Result;
use crate::ids::CaseId;
use crate::node::handle::Node;
use crate::store::tables::{DOC_CHANGES, DOCS, FEED_BY_DOC};

use super::incoming::IncomingDoc;

/// The stored form a merge was computed from.
#[derive(Debug, PartialEq, Eq)]
struct Basis {
    /// The case's feed seq.
    stamp: u64,
    /// The packed saved form, as stored.
    packed: Vec<u8>,
    /// Each change chunk after it: number and length.
    chunks: Vec<(u32, usize)>,
}

/// A received document merged into the stored one, before the lock.
pub(crate) struct HeldMerge {
    basis: Basis,
    /// The merged document (its saved heads are the stored ones).
    pub(super) doc: CaseDoc,
    /// How the document was stored.
    pub(super) stored: Stored,
    /// The stored heads.
    pub(super) before: Vec<ChangeHash>,
    /// The merge added changes.
    pub(super) changed: bool,
    /// Jurisdiction before and after the merge (after: only when changed).
    pub(super) before_j: (Vec<String>, Vec<String>),
    pub(super) after_j: Option<(Vec<String>, Vec<String>)>,
    /// The merged view (when changed), or the error reading it.
    pub(super) view: Option<Result<CaseView>>,
    /// The changes the merge added: hash and actor (`trust::changes_after`).
    pub(super) changes: Vec<([u8; 32], Vec<u8>)>,
    /// What storing the merged document writes (when changed).
    pub(super) store: Option<crate::write::PreparedStore>,
}

/// The stored form of `id` in a table set (read or write transaction).
fn basis<F, D, C>(by_doc: &F, docs: &D, changes: &C, id: &CaseId) -> Result<Option<Basis>>
where
    F: ReadableTable<&'static [u8; 16], u64>,
    D: ReadableTable<&'static [u8; 16], crate::store::tables::PackedDoc>,
    C: ReadableTable<(&'static [u8; 16], u32), &'static [u8]>,
{
    let Some(stamp) = by_doc.get(&id.0)?.map(|g| g.value()) else {
        return Ok(None);
    };
    let Some(row) = docs.get(&id.0)? else {
        return Ok(None);
    };
    let packed = row.value().packed().to_vec();
    let mut chunks = Vec::new();
    for r in changes.range((&id.0, 0)..=(&id.0, u32::MAX))? {
        let (k, v) = r?;
        chunks.push((k.value().1, v.value().len()));
    }
    Ok(Some(Basis {
        stamp,
        packed,
        chunks,
    }))
}

impl Node {
    /// [`Node::apply_remote`] with `between` run after the case was merged before the lock and
    /// before the transaction: tests make a write race the prepared merge there.
    #[doc(hidden)]
    pub fn apply_remote_racing(
        &self,
        id: &CaseId,
        bytes: &[u8],
        between: impl FnOnce(),
    ) -> Result<super::MergeOutcome> {
        self.apply_remote_between(id, bytes, between)
    }

    /// Merges `d` into the stored document of its case as of `rtx`, or `None` when the case is
    /// not stored there or anything fails (the transaction then does it).
    pub(crate) fn prepare_held(&self, rtx: &ReadTransaction, d: &IncomingDoc) -> Option<HeldMerge> {
        self.try_prepare_held(rtx, d).ok().flatten()
    }

    fn try_prepare_held(
        &self,
        rtx: &ReadTransaction,
        d: &IncomingDoc,
    ) -> Result<Option<HeldMerge>> {
        let by_doc = rtx.open_table(FEED_BY_DOC)?;
        let docs = rtx.open_table(DOCS)?;
        let changes = rtx.open_table(DOC_CHANGES)?;
        let Some(basis) = basis(&by_doc, &docs, &changes, &d.id)? else {
            return Ok(None);
        };
        let (mut doc, stored) = self.load_doc_from_tables(&docs, &changes, &d.id)?;
        drop((by_doc, docs, changes));
        let before = doc.heads();
        let before_j = (doc.all_strings("province")?, doc.all_strings("commune")?);
        // A whole document may come as a stored row (`packed.rs`); one that does not read is
        // left to the transaction, which refuses it.
        let Ok(bytes) = super::packed::automerge_bytes(d) else {
            return Ok(None);
        };
        doc.load_incremental(&bytes)?;
        let changed = doc.heads() != before;
        let (after_j, view, changes, store) = if changed {
            let after_j = (doc.all_strings("province")?, doc.all_strings("commune")?);
            let view = doc.view();
            let changes = super::trust::changes_after(doc.automerge(), &before);
            let store = crate::write::PreparedStore::of(&mut doc, stored);
            (Some(after_j), Some(view), changes, Some(store))
        } else {
            (None, None, Vec::new(), None)
        };
        Ok(Some(HeldMerge {
            basis,
            doc,
            stored,
            before,
            changed,
            before_j,
            after_j,
            view,
            changes,
            store,
        }))
    }
}

/// `h` when the stored form it was merged from is still the stored form in `tx` (see the module
/// docs), else `None`.
pub(super) fn current(
    tx: &WriteTransaction,
    id: &CaseId,
    h: Box<HeldMerge>,
) -> Result<Option<Box<HeldMerge>>> {
    let now = basis(
        &tx.open_table(FEED_BY_DOC)?,
        &tx.open_table(DOCS)?,
        &tx.open_table(DOC_CHANGES)?,
        id,
    )?;
    Ok((now.as_ref() == Some(&h.basis)).then_some(h))
}
