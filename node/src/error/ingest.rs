//! Why a case document handed over locally ([`crate::Node::apply_remote`]) was not merged.

use crate::ids::CaseId;
use crate::ingest::refusal::RefusalKind;

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
