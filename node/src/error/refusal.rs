//! Why the write path refused an action: the typed reasons that used to be free-text messages.

use hoso_schemas::Status;

/// A write the node refuses (CLI exit 2). Each reason says what to do instead.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// `import` of bytes imported before (the same blake3): nothing is imported again.
    #[error(
        "{file}: these bytes were already imported on {} by {} as {} case(s) (from {}, blake3 {}…); nothing was imported again: to add cases, import a file that holds only the new ones",
        before.at, before.officer, before.cases, before.first_file, before.blake3
    )]
    AlreadyImported {
        /// The file given now.
        file: String,
        /// The earlier import of the same bytes.
        before: Box<ImportedBefore>,
    },
    /// `case set` with no pairs.
    #[error("nothing to set: pass NAME=VALUE pairs")]
    NothingToSet,
    /// An edit that changed nothing.
    #[error("nothing to change: the case already has these values")]
    NothingToChange,
    /// An empty note.
    #[error("the note is empty")]
    EmptyNote,
    /// An officer name that is empty.
    #[error("officer name is empty: pass --name \"Full Name\"")]
    EmptyOfficerName,
    /// `init` with an empty name for the node's first officer.
    #[error("the first officer's name is empty: pass --officer-name \"Full Name\"")]
    EmptyFirstOfficerName,
    /// An officer id already taken.
    #[error("officer `{0}` already exists")]
    OfficerExists(String),
    /// Fields of a case that ended processing.
    #[error("case {receipt_code} is {status}: its fields can no longer change")]
    FieldsFrozen {
        /// The case.
        receipt_code: String,
        /// Its status.
        status: Status,
    },
    /// A track a case does not have.
    #[error("case {receipt_code} has no track `{track}`; its tracks are: {tracks}")]
    NoSuchTrack {
        /// The case.
        receipt_code: String,
        /// The track asked for.
        track: String,
        /// The tracks it has.
        tracks: String,
    },
    /// A receipt code already in use.
    #[error("receipt code {0} already exists")]
    ReceiptCodeExists(String),
    /// An author that may not perform this kind of write at all.
    #[error("{author} may not {action}")]
    AuthorMayNot {
        /// Who tried.
        author: String,
        /// What.
        action: String,
    },
    /// The node's first officer: adding officers needs a supervisor once the roster is not empty.
    #[error("only a supervisor adds officers to a node that has some: pass --officer SUPERVISOR")]
    NeedsSupervisor,
    /// A malformed officer id.
    #[error("officer id `{0}` must be 1–64 characters of a-z, 0-9, '.', '_' or '-' (e.g. canbo01)")]
    BadOfficerId(String),
    /// A passphrase too short to set.
    #[error("passphrase must be at least 6 characters")]
    ShortPassphrase,
    /// An imported history that is not a path of the workflow.
    #[error("history entry {entry} {problem}")]
    ImportHistory {
        /// 1-based entry number.
        entry: usize,
        /// What is wrong with it.
        problem: String,
    },
    /// An import record attributing history or notes to someone other than the importer.
    #[error(
        "its {what} is attributed to `{named}`, but `{importer}` is importing it: an import records only what the importing officer did (remove the entry, or let `{named}` import it)"
    )]
    ForeignAttribution {
        /// "history entry 3", "note 1".
        what: String,
        /// The officer named in the record.
        named: String,
        /// The importing officer.
        importer: String,
    },
}

/// The earlier import of a file's bytes (see [`Refusal::AlreadyImported`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedBefore {
    /// The first 16 hex digits of the bytes' blake3.
    pub blake3: String,
    /// When it was imported (dd/mm/yyyy HH:MM, Vietnam time).
    pub at: String,
    /// Who imported it.
    pub officer: String,
    /// How many cases that import received.
    pub cases: usize,
    /// The file name it was imported under.
    pub first_file: String,
}
