//! What the ingest path takes and gives back: a received case ([`IncomingDoc`]), what happened
//! to it ([`Ingested`]) and the batch's report ([`IngestReport`]), shared with replication.

use crate::error::RefusalKind;
use crate::ids::CaseId;

/// Most heads a case may claim in one message (Automerge heads of one case are a handful).
pub const MAX_HEADS: usize = 256;

/// One case received from a peer.
#[derive(Clone, Debug)]
pub struct IncomingDoc {
    /// The case.
    pub id: CaseId,
    /// Whole document (`true`) or changes.
    pub full: bool,
    /// The sender's heads (for changes).
    pub heads: Vec<[u8; 32]>,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// What happened to one received case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ingested {
    /// Stored (or already held). `heads` are the sender's heads, now known to be held here.
    Stored {
        /// The case.
        id: CaseId,
        /// It was new here.
        created: bool,
        /// The merge added changes.
        changed: bool,
        /// It entered the review queue.
        conflict: bool,
        /// The sender's heads.
        heads: Vec<[u8; 32]>,
    },
    /// Refused; nothing of it was stored. It was quarantined unless the quarantine was full.
    Refused {
        /// The case.
        id: CaseId,
        /// Why.
        kind: RefusalKind,
        /// Why, for the log and the sender.
        reason: String,
    },
}

/// The result of a batch.
#[derive(Clone, Debug, Default)]
pub struct IngestReport {
    /// Per case, in order.
    pub items: Vec<Ingested>,
}

impl IngestReport {
    /// Cases refused.
    pub fn refused(&self) -> usize {
        self.items
            .iter()
            .filter(|i| matches!(i, Ingested::Refused { .. }))
            .count()
    }
}
