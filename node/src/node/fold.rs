//! A case's change log and its folding (issue 13, target 5).
//!
//! A case document is stored as its saved form (`docs`) and the change chunks appended after it
//! (`doc_changes`, keyed by case and an increasing chunk number). A write appends one chunk:
//! Automerge's `save_after` of the change just made, a few hundred bytes whatever the case's
//! history. Folding saves the whole document again and drops the chunks it holds; its cost
//! grows with the history (tens of milliseconds for 10,000 changes), so where it runs matters:
//!
//! - a small document (at most [`SMALL_DOC_BYTES`] stored, which is every ordinary case) is
//!   folded by the write that would store its [`COMPACT_AFTER`](crate::doc_store::COMPACT_AFTER)th chunk, as before: saving it
//!   costs little and keeps such cases compact on disk;
//! - a larger one keeps appending. A long-running node ([`Node::fold_in_background`]: `serve`
//!   and the console) is asked, after the commit, to fold a case with [`BACKGROUND_AT`] chunks
//!   or more: its thread loads and saves the document with no lock held, then in one short
//!   guarded write (the writer lock, [`Author::Node`]) replaces the saved form and drops the
//!   chunks it folded, if the saved form is still the one it read. Chunks appended meanwhile
//!   stay, with their numbers, after the new saved form. A fold changes no content, so the
//!   case keeps its place in the change feed and a cached document stays valid;
//! - whatever runs, a write never leaves more than [`MAX_CHUNKS`] chunks: the write that would
//!   store the last one folds instead (a CLI command beside no long-running node, or a folding
//!   thread that fell behind). Loading a document replays at most that many chunks.

use std::sync::Arc;

use redb::{ReadableDatabase, ReadableTable};

use super::handle::Node;
use crate::case::CaseDoc;
use crate::doc_store::lock;
pub use crate::doc_store::{BACKGROUND_AT, MAX_CHUNKS, SMALL_DOC_BYTES};
use crate::error::Result;
use crate::ids::CaseId;
use crate::store::tables::{DOC_CHANGES, DOCS, DocBuf};
use crate::write::{Author, Permission};

/// What one fold did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Folded {
    /// Chunks folded into the saved form.
    pub chunks: u32,
    /// Stored bytes of what was folded: the saved form and those chunks.
    pub bytes_before: usize,
    /// Stored bytes of the new saved form.
    pub bytes_after: usize,
}

impl Node {
    /// Folds the change logs of long case histories on a thread of this process, off the write
    /// path (see `node/fold.rs`). For a long-running node: `serve` and the console call it; a
    /// one-shot CLI command does not (its writes fold in line, at most every
    /// [`MAX_CHUNKS`] writes). The thread ends with the node.
    pub fn fold_in_background(&self) {
        let Some((recv, taken)) = self.inner.folder.start() else {
            return;
        };
        let weak = Arc::downgrade(&self.inner);
        let spawned = std::thread::Builder::new()
            .name("hoso-fold".into())
            .spawn(move || {
                while let Ok(id) = recv.recv() {
                    lock(&taken).remove(&id);
                    let Some(inner) = weak.upgrade() else {
                        break;
                    };
                    let node = Node { inner };
                    if let Err(e) = node.fold_case(&id) {
                        tracing::warn!(case = %id, error = %e, "folding the case's change log failed; the next write folds it");
                    }
                }
            });
        if let Err(e) = spawned {
            self.inner.folder.stop();
            tracing::warn!(error = %e, "no folding thread; writes fold in line");
        }
    }

    /// Whether a folding thread runs ([`Node::fold_in_background`]).
    pub fn folds_in_background(&self) -> bool {
        self.inner.folder.running()
    }

    pub(crate) fn folder(&self) -> &crate::doc_store::Folder {
        &self.inner.folder
    }

    /// Folds case `id`'s change chunks into its saved form: loaded and saved with no lock held,
    /// then stored in one short guarded write if the saved form is still the one read (else
    /// nothing is written: a fold or ingest came first). Returns what was folded.
    pub(crate) fn fold_case(&self, id: &CaseId) -> Result<Folded> {
        match self.fold_prepare(id)? {
            Some(p) => self.fold_apply(id, p),
            None => Ok(Folded::default()),
        }
    }

    /// Folds case `reference`'s change chunks now, on this thread (tests and benches; a
    /// long-running node does it in the background). Returns the chunks folded.
    pub fn fold_case_now(&self, reference: &str) -> Result<u32> {
        let id = self.resolve(reference)?;
        Ok(self.fold_case(&id)?.chunks)
    }

    /// [`Node::fold_case_now`] with `between` run after the document was read and saved and
    /// before the fold is stored: tests make a write race the fold there.
    #[doc(hidden)]
    pub fn fold_case_racing(&self, reference: &str, between: impl FnOnce()) -> Result<u32> {
        let id = self.resolve(reference)?;
        let Some(p) = self.fold_prepare(&id)? else {
            return Ok(0);
        };
        between();
        Ok(self.fold_apply(&id, p)?.chunks)
    }

    /// The lock-free half of a fold: reads the stored form and saves it whole.
    fn fold_prepare(&self, id: &CaseId) -> Result<Option<Prepared>> {
        let rtx = self.inner.db.begin_read()?;
        let docs = rtx.open_table(DOCS)?;
        let changes = rtx.open_table(DOC_CHANGES)?;
        let Some(row) = docs.get(&id.0)? else {
            return Ok(None);
        };
        let packed = row.value().packed().to_vec();
        let saved = row.value().unpack(id)?.into_owned();
        drop(row);
        let mut keys = Vec::new();
        let mut chunks = Vec::new();
        for row in changes.range((&id.0, 0)..=(&id.0, u32::MAX))? {
            let (k, v) = row?;
            keys.push(k.value().1);
            chunks.push(v.value().to_vec());
        }
        drop((docs, changes, rtx));
        if chunks.is_empty() {
            return Ok(None);
        }
        let bytes_before = saved.len() + chunks.iter().map(Vec::len).sum::<usize>();
        // The same strict load as every stored read: a damaged chunk is an error, never folded
        // away.
        let mut doc = CaseDoc::load(&saved, &chunks, self.inner.actor).map_err(|e| match e {
            crate::error::NodeError::Corrupt { detail, .. } => {
                crate::store::error::StoreError::DamagedCase { case: *id, detail }.into()
            }
            other => other,
        })?;
        let saved_form = doc.save_stored();
        Ok(Some(Prepared {
            packed,
            keys,
            bytes_before,
            folded_len: saved_form.len(),
            folded: DocBuf::pack(&saved_form),
        }))
    }

    /// The guarded half: stores the folded form if the saved form and the chunks read are
    /// still there, in one short write transaction.
    fn fold_apply(&self, id: &CaseId, p: Prepared) -> Result<Folded> {
        let ctx = self.begin_write(&Author::Node, Permission::Maintain)?;
        let done = {
            let tx = ctx.tx();
            let mut docs = tx.open_table(DOCS)?;
            let same = docs
                .get(&id.0)?
                .is_some_and(|v| v.value().packed() == p.packed.as_slice());
            let mut changes = tx.open_table(DOC_CHANGES)?;
            let mut all_there = true;
            for k in &p.keys {
                all_there &= changes.get((&id.0, *k))?.is_some();
            }
            if same && all_there {
                docs.insert(&id.0, p.folded.row())?;
                for k in &p.keys {
                    changes.remove((&id.0, *k))?;
                }
                crate::chunk_heads::drop_rows(tx, id, Some(&p.keys))?;
            }
            same && all_there
        };
        if !done {
            return Ok(Folded::default());
        }
        ctx.commit()?;
        let n = u32::try_from(p.keys.len()).unwrap_or(u32::MAX);
        self.doc_cache().folded(id, n, p.bytes_before, p.folded_len);
        Ok(Folded {
            chunks: n,
            bytes_before: p.bytes_before,
            bytes_after: p.folded_len,
        })
    }

    /// How case `reference` is stored: its change chunks and stored bytes (benches and tests
    /// read it; `node/fold.rs`).
    pub fn case_storage(&self, reference: &str) -> Result<CaseStorage> {
        let id = self.resolve(reference)?;
        let rtx = self.inner.db.begin_read()?;
        let saved = rtx
            .open_table(DOCS)?
            .get(&id.0)?
            .map_or(0, |v| v.value().stored_len());
        let mut s = CaseStorage {
            saved_bytes: saved,
            ..CaseStorage::default()
        };
        for row in rtx
            .open_table(DOC_CHANGES)?
            .range((&id.0, 0)..=(&id.0, u32::MAX))?
        {
            s.chunks += 1;
            s.chunk_bytes += row?.1.value().len();
        }
        Ok(s)
    }
}

/// A fold read and saved, not yet stored.
struct Prepared {
    /// The stored row of the saved form it was made from (packed).
    packed: Vec<u8>,
    /// The numbers of the chunks it holds.
    keys: Vec<u32>,
    /// Bytes of the saved form and those chunks.
    bytes_before: usize,
    /// The new saved form, packed.
    folded: DocBuf,
    /// Its length unpacked.
    folded_len: usize,
}

/// How one case is stored ([`Node::case_storage`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct CaseStorage {
    /// Bytes of the saved form as stored (packed).
    pub saved_bytes: usize,
    /// Change chunks after it.
    pub chunks: u32,
    /// Their bytes.
    pub chunk_bytes: usize,
}
