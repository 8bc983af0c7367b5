//! What the writer of a grouped ingest (`group.rs`) hands the ingest of each case (`ingest.rs`):
//! the entries stored so far, the case's staged rows, and where to free its decoded document.

use std::sync::mpsc;

use crate::case::{CaseDoc, CaseView};

use super::fresh::Fresh;
use super::staged::Staged;

/// What the writer frees off its thread once a case is stored: the decoded document, its view
/// and its staged rows.
pub(super) type Garbage = (CaseDoc, Option<CaseView>, Option<Box<Staged>>);

/// What the writer of a group hands the ingest of each case (`ingest.rs`).
pub(super) struct InGroup<'a> {
    /// The entries this transaction stored (`fresh.rs`).
    pub(super) fresh: &'a mut Fresh,
    /// The rows staged for this case from its decoded document (`staged.rs`).
    pub(super) staged: Option<Box<Staged>>,
    /// The freeing thread's queue.
    pub(super) bin: Option<&'a mpsc::SyncSender<Garbage>>,
}

impl InGroup<'_> {
    /// Hands a stored case's decoded document (and view, and staged rows) to the freeing
    /// thread; frees them here when it is gone or its queue is full.
    pub(super) fn discard(self, doc: CaseDoc, view: Option<CaseView>, staged: Option<Box<Staged>>) {
        if let Some(bin) = self.bin {
            // A full queue or a gone thread hands the garbage back, and it is dropped here.
            let _ = bin.try_send((doc, view, staged));
        }
    }
}
