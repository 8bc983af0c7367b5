//! A bounded cache of loaded case documents (issue 13, target 5): a write to a case with a long
//! history, or opening it again, does not reload and replay its whole history from the store.
//!
//! Each entry is checked on every use against the store, inside the caller's transaction: a
//! document is cached with the case's seq in the change feed (`FEED_BY_DOC`) at the time it was
//! loaded or written. Every write of a document's content moves the case to the head of the feed
//! (that is how sync finds what changed: the guarded write path and sync ingest both do it, in
//! the same transaction as the document), and feed seqs only grow, so an equal seq means the
//! stored document is the cached one; anything else (a write by the CLI in another process, an
//! ingest, a repair) is a miss and the document is loaded from the store again.
//!
//! The guarded write path takes a document out of the cache and puts it back only after its
//! transaction committed (an aborted write leaves nothing behind); reads borrow it. The
//! document's view (`CaseDoc::view`, which reads the whole document: notes and history grow
//! with it) is kept beside it, so a write does not read the whole case before changing it and
//! opening a cached case reads nothing. Least
//! recently used entries go first past [`MAX_DOCS`] documents or [`MAX_STORED_BYTES`] of stored
//! document bytes.

use std::collections::HashMap;

use redb::ReadableTable;

use crate::case::CaseDoc;
use crate::doc_store::Stored;
use crate::error::Result;
use crate::ids::CaseId;
use crate::store::tables::FEED_BY_DOC;

/// Most documents held.
pub const MAX_DOCS: usize = 64;
/// Most stored bytes (snapshot plus chunks) of the documents held; one larger document is
/// still held alone.
pub const MAX_STORED_BYTES: usize = 16 << 20;

/// A loaded document and what the write path needs to store its next change.
pub(crate) struct Cached {
    /// The document, its saved heads at the stored state.
    pub(crate) doc: CaseDoc,
    /// How it is stored (saved form, change chunks, bytes).
    pub(crate) stored: Stored,
    /// The document's view (`CaseDoc::view`, a pure function of the document), once computed.
    pub(crate) view: Option<crate::case::CaseView>,
    /// The number of changes in the document, once counted.
    pub(crate) changes: Option<usize>,
}

struct Entry {
    stamp: u64,
    used: u64,
    cached: Cached,
}

/// The cache (behind the node's mutex).
#[derive(Default)]
pub(crate) struct DocCache {
    entries: HashMap<CaseId, Entry>,
    tick: u64,
    bytes: usize,
    /// Uses answered from the cache, and misses (benches read them).
    pub(crate) hits: u64,
    pub(crate) misses: u64,
    /// Off: every use loads from the store (benches compare).
    pub(crate) disabled: bool,
}

/// The version stamp of case `id` in a transaction: its seq in the change feed.
pub(crate) fn stamp<T: ReadableTable<&'static [u8; 16], u64>>(
    by_doc: &T,
    id: &CaseId,
) -> Result<Option<u64>> {
    Ok(by_doc.get(&id.0)?.map(|g| g.value()))
}

/// [`stamp`] inside a write transaction.
pub(crate) fn stamp_in(tx: &redb::WriteTransaction, id: &CaseId) -> Result<Option<u64>> {
    stamp(&tx.open_table(FEED_BY_DOC)?, id)
}

impl DocCache {
    /// Takes the document of `id` out when it is the stored version `stamp`; drops a stale one.
    pub(crate) fn take(&mut self, id: &CaseId, stamp: Option<u64>) -> Option<Cached> {
        let e = self.entries.remove(id)?;
        self.bytes -= e.cached.stored.bytes;
        if stamp == Some(e.stamp) && !self.disabled {
            self.hits += 1;
            Some(e.cached)
        } else {
            self.misses += 1;
            None
        }
    }

    /// Borrows the document of `id` when it is the stored version `stamp`.
    pub(crate) fn get(&mut self, id: &CaseId, stamp: Option<u64>) -> Option<&mut Cached> {
        if self.disabled || stamp.is_none() {
            return None;
        }
        self.tick += 1;
        let tick = self.tick;
        match self.entries.get(id) {
            Some(e) if Some(e.stamp) == stamp => {}
            Some(_) => {
                if let Some(e) = self.entries.remove(id) {
                    self.bytes -= e.cached.stored.bytes;
                }
                self.misses += 1;
                return None;
            }
            None => {
                self.misses += 1;
                return None;
            }
        }
        self.hits += 1;
        let e = self.entries.get_mut(id)?;
        e.used = tick;
        Some(&mut e.cached)
    }

    /// Holds `cached` as version `stamp` of `id`, evicting the least recently used past the bounds.
    pub(crate) fn put(&mut self, id: CaseId, stamp: Option<u64>, cached: Cached) {
        let Some(stamp) = stamp else {
            return;
        };
        if self.disabled {
            return;
        }
        self.tick += 1;
        if let Some(old) = self.entries.remove(&id) {
            self.bytes -= old.cached.stored.bytes;
        }
        self.bytes += cached.stored.bytes;
        self.entries.insert(
            id,
            Entry {
                stamp,
                used: self.tick,
                cached,
            },
        );
        while self.entries.len() > MAX_DOCS
            || (self.bytes > MAX_STORED_BYTES && self.entries.len() > 1)
        {
            let Some(oldest) = self
                .entries
                .iter()
                .filter(|(k, _)| **k != id)
                .min_by_key(|(_, e)| e.used)
                .map(|(k, _)| *k)
            else {
                break;
            };
            if let Some(e) = self.entries.remove(&oldest) {
                self.bytes -= e.cached.stored.bytes;
            }
        }
    }

    /// Case `id`'s first `chunks` change chunks and saved form, `removed` bytes, were folded into
    /// a saved form of `added` bytes (`node/fold.rs`): the content is the same.
    pub(crate) fn folded(&mut self, id: &CaseId, chunks: u32, removed: usize, added: usize) {
        if let Some(e) = self.entries.get_mut(id) {
            let s = &mut e.cached.stored;
            let bytes = s.bytes.saturating_sub(removed) + added;
            self.bytes = self.bytes - s.bytes + bytes;
            s.bytes = bytes;
            s.chunks = s.chunks.saturating_sub(chunks);
        }
    }

    /// Drops every document.
    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        self.bytes = 0;
    }

    /// Documents held.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cached(bytes: usize) -> Cached {
        Cached {
            doc: CaseDoc::new([1; 16]),
            stored: Stored::saved(bytes),
            view: None,
            changes: None,
        }
    }

    #[test]
    fn a_stale_stamp_is_a_miss_and_drops_the_entry() {
        let mut c = DocCache::default();
        let id = CaseId([3; 16]);
        c.put(id, Some(7), cached(10));
        assert!(c.get(&id, Some(8)).is_none());
        assert_eq!(c.len(), 0);
        c.put(id, Some(8), cached(10));
        assert!(c.get(&id, Some(8)).is_some());
        assert!(c.take(&id, Some(9)).is_none());
        assert_eq!(c.len(), 0);
        assert!(c.take(&id, Some(8)).is_none(), "taken once");
    }

    #[test]
    fn the_least_recently_used_goes_first_past_the_bounds() {
        let mut c = DocCache::default();
        for i in 0..MAX_DOCS as u8 {
            c.put(CaseId([i; 16]), Some(1), cached(1));
        }
        assert!(c.get(&CaseId([0; 16]), Some(1)).is_some());
        c.put(CaseId([200; 16]), Some(1), cached(1));
        assert_eq!(c.len(), MAX_DOCS);
        assert!(c.get(&CaseId([0; 16]), Some(1)).is_some(), "recently used");
        assert!(c.get(&CaseId([1; 16]), Some(1)).is_none(), "evicted");
        c.put(CaseId([201; 16]), Some(1), cached(MAX_STORED_BYTES));
        assert_eq!(c.len(), 1, "past the byte bound only the new one stays");
        assert!(c.bytes <= MAX_STORED_BYTES);
    }
}
