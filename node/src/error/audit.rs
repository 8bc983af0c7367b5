//! Why the audit chain refused something: an entry it cannot record, a peer's batch over its
//! bound, a witness cosignature that does not check, an entry that is not there.

use crate::ids::CaseId;

/// Why a witness cosignature of this node's checkpoint was not stored.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CosignRefusal {
    /// The checkpoint note or the cosignature line does not parse.
    #[error("{0}")]
    Malformed(#[source] NoteError),
    /// The note is not signed by this node.
    #[error("the note is not signed by this node")]
    NotOwnNote,
    /// The witness's signature does not verify (or the witness is this node).
    #[error("the witness signature does not verify")]
    BadWitnessSignature,
    /// The note claims more entries than this node's chain holds.
    #[error("the note is ahead of this node's chain")]
    AheadOfChain,
    /// The note disagrees with this node's chain at the same size.
    #[error("the note does not match this node's chain")]
    ChainMismatch,
}

/// An audit chain operation refused. Not `non_exhaustive`: the console matches every variant.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// A witness cosignature that was not stored (the sync goes on; the next round retries).
    #[error("the hub's cosignature is refused: {0}; the next sync asks again")]
    CosignRefused(#[from] CosignRefusal),
    /// An officer id longer than an audit entry holds.
    #[error("officer id `{officer}` is longer than the {max} bytes an audit entry holds")]
    OfficerIdTooLong {
        /// The id (escaped, cut).
        officer: String,
        /// The bound.
        max: usize,
    },
    /// More change hashes than one audit entry holds.
    #[error(
        "one write touched more than {max} document changes, more than an audit entry holds: split it into smaller writes"
    )]
    TooManyChanges {
        /// The bound.
        max: usize,
    },
    /// A peer sent more audit entries in one batch than a node accepts.
    #[error("the peer sent more than {max} audit entries in one batch; nothing of it was stored")]
    BatchTooLarge {
        /// The bound.
        max: usize,
    },
    /// An evidence bundle record over the format's 4 GiB bound.
    #[error("a record of the evidence bundle is over 4 GiB: export a shorter period")]
    BundleRecordTooLarge,
    /// A replay point naming an entry that does not touch the case.
    #[error(
        "no entry #{seq} of node {origin} names case {case}; see `hoso audit log --case {case}`"
    )]
    NoSuchEntry {
        /// The node (short id).
        origin: String,
        /// The entry number asked for.
        seq: u64,
        /// The case.
        case: CaseId,
    },
}

impl AuditError {
    /// True when the caller's input is the cause (CLI exit 2).
    pub fn is_bad_input(&self) -> bool {
        match self {
            AuditError::CosignRefused(_)
            | AuditError::BatchTooLarge { .. }
            | AuditError::OfficerIdTooLong { .. }
            | AuditError::TooManyChanges { .. }
            | AuditError::NoSuchEntry { .. } => true,
            AuditError::BundleRecordTooLarge => false,
        }
    }
}

/// Why a note does not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("bad checkpoint note: {0}")]
pub struct NoteError(pub &'static str);
