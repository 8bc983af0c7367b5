//! How a case document is stored (issue 13, target 5): its saved form in `docs` and the change
//! chunks appended after it in `doc-changes`, and when the change log is folded into a new
//! saved form. `node/fold.rs` has the folding itself; this module is below the node and the
//! write path, which both read it.

use std::collections::HashSet;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use crate::ids::CaseId;

/// A write that would store a small document's `COMPACT_AFTER`th change chunk saves the whole
/// document instead (`node::COMPACT_AFTER` is this value).
pub const COMPACT_AFTER: u32 = 4;
/// A stored document of at most this many bytes is folded by the write path every
/// [`COMPACT_AFTER`] chunks: an ordinary case (5–20 changes, 1.5–3 KB) costs well under a
/// millisecond to save; a 14 KB one (1,000 short notes) costs tens of milliseconds.
pub const SMALL_DOC_BYTES: usize = 4 << 10;
/// Most change chunks stored after a document's saved form.
pub const MAX_CHUNKS: u32 = 64;
/// A larger document with this many chunks is folded in the background, where a folding
/// thread runs: a fold costs what the whole history costs (about 0.3 s of the other core for
/// 10,000 changes on a loaded machine), so it runs once per this many writes, not per write.
pub const BACKGROUND_AT: u32 = 32;

/// How a case document is stored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Stored {
    /// Change chunks after the saved form.
    pub(crate) chunks: u32,
    /// The number the next chunk takes (above every stored one).
    pub(crate) next: u32,
    /// Bytes stored: the saved form and its chunks.
    pub(crate) bytes: usize,
}

impl Stored {
    /// A document just saved whole in `bytes` bytes.
    pub(crate) fn saved(bytes: usize) -> Stored {
        Stored {
            chunks: 0,
            next: 0,
            bytes,
        }
    }

    /// Whether the write about to store a chunk should fold instead (see the module docs).
    pub(crate) fn fold_inline(&self) -> bool {
        let n = self.chunks.saturating_add(1);
        (self.bytes <= SMALL_DOC_BYTES && n >= COMPACT_AFTER)
            || n >= MAX_CHUNKS
            || self.next == u32::MAX
    }

    /// Whether a long-running node should fold the document in the background.
    pub(crate) fn fold_later(&self) -> bool {
        self.chunks >= BACKGROUND_AT && self.bytes > SMALL_DOC_BYTES
    }
}

/// The folding thread's queue (none until `Node::fold_in_background` starts one).
#[derive(Default)]
pub(crate) struct Folder {
    queue: Mutex<Option<Queue>>,
}

struct Queue {
    send: mpsc::Sender<CaseId>,
    /// Cases asked for and not yet taken by the thread (each is queued once).
    pending: Arc<Mutex<HashSet<CaseId>>>,
}

/// The cases asked for and not yet taken by the folding thread.
pub(crate) type Pending = Arc<Mutex<HashSet<CaseId>>>;

/// Locks `m`, a poisoned lock included (the data is a queue of case ids).
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Folder {
    /// Asks the folding thread, if one runs, to fold case `id`.
    pub(crate) fn request(&self, id: CaseId) {
        if let Some(q) = lock(&self.queue).as_ref()
            && lock(&q.pending).insert(id)
        {
            let _ = q.send.send(id);
        }
    }

    /// Whether a folding thread runs.
    pub(crate) fn running(&self) -> bool {
        lock(&self.queue).is_some()
    }

    /// Opens the queue for a thread about to start: its receiving end and the pending set it
    /// takes cases out of; `None` when one runs already.
    pub(crate) fn start(&self) -> Option<(mpsc::Receiver<CaseId>, Pending)> {
        let mut q = lock(&self.queue);
        if q.is_some() {
            return None;
        }
        let (send, recv) = mpsc::channel();
        let pending = Pending::default();
        *q = Some(Queue {
            send,
            pending: Arc::clone(&pending),
        });
        Some((recv, pending))
    }

    /// Closes the queue (the thread did not start).
    pub(crate) fn stop(&self) {
        *lock(&self.queue) = None;
    }
}
