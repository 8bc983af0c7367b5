//! Why a received case was not merged ([`RefusalKind`]): below the quarantine that keeps it,
//! the ingest report that carries it and the error that names it.

use serde::Serialize;

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

impl RefusalKind {
    pub(crate) fn code(self) -> u8 {
        match self {
            RefusalKind::Unaccounted => 1,
            RefusalKind::OutOfScope => 2,
            RefusalKind::Invalid => 3,
        }
    }
    pub(crate) fn from_code(c: u8) -> RefusalKind {
        match c {
            1 => RefusalKind::Unaccounted,
            2 => RefusalKind::OutOfScope,
            _ => RefusalKind::Invalid,
        }
    }
    /// True when the same bytes may be accepted later (once audit entries arrive).
    pub fn retryable(self) -> bool {
        self == RefusalKind::Unaccounted
    }
}
