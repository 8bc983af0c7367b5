//! Why a case document handed over locally ([`crate::Node::apply_remote`]) was not merged.

use serde::Serialize;

use crate::ids::CaseId;

/// A document the ingest path refused (CLI exit 2); it is quarantined with the reason.
/// Not `non_exhaustive`: the console matches every variant.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IngestError {
    /// The document was refused and quarantined.
    #[error("case {id} was not merged ({}): {reason}; `hoso status` lists the quarantine", kind_word(*kind))]
    Refused {
        /// The case.
        id: CaseId,
        /// Why, as a kind.
        kind: RefusalKind,
        /// Why, in words.
        reason: String,
    },
    /// The ingest path returned nothing for the document.
    #[error("the document was not merged and no reason was given; report this as a bug")]
    NothingMerged,
}

fn kind_word(kind: RefusalKind) -> &'static str {
    match kind {
        RefusalKind::Unaccounted => "no audit entry accounts for it",
        RefusalKind::OutOfScope => "outside the scope",
        RefusalKind::Invalid => "not a valid document of that case",
    }
}

/// Why a received case was not merged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalKind {
    /// A change no audit entry held here accounts for (or one whose actor is not its signer's).
    Unaccounted,
    /// The case is outside the sender's or this node's scope.
    OutOfScope,
    /// The bytes are not a valid document of that case, or alter its jurisdiction.
    Invalid,
}
