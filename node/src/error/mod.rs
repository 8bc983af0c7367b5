//! The node's error type: one enum, each variant a one-line message that says what to do.

use std::path::{Path, PathBuf};

use hoso_schemas::{CitizenIdError, FieldError, UnknownProcedure, WorkflowError};

mod account;
mod audit;
mod backup;
mod catalog_bundle;
mod config;
mod convert;
mod encode;
pub mod examples;
mod ingest;
mod intake;
mod lifecycle;
mod limit;
mod peer;
mod refusal;
mod restore;
mod text;

pub use account::AccountError;
pub use audit::{AuditError, CosignRefusal, NoteError};
pub use backup::BackupError;
pub use catalog_bundle::CatalogBundleError;
pub use config::ConfigError;
pub(crate) use config::toml_message;
pub use encode::EncodeError;
pub use ingest::{IngestError, RefusalKind};
pub use intake::IntakeError;
pub use lifecycle::LifecycleError;
pub use limit::{LimitExceeded, Limited};
pub use peer::PeerError;
pub use refusal::{ImportedBefore, Refusal};
pub use restore::{MAX_INCARNATION, RestoreError};
pub use text::ControlChar;

/// Everything a node operation can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NodeError {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The data dir holds no node yet.
    #[error("no node in {}: run `hoso init` first (or pass --data-dir)", dir.display())]
    NotInitialized {
        /// The data dir.
        dir: PathBuf,
    },
    /// `init` on a data dir that already holds a node.
    #[error("a node already exists in {}: use it, or pick another --data-dir", dir.display())]
    AlreadyInitialized {
        /// The data dir.
        dir: PathBuf,
    },
    /// Another process has the store open.
    #[error("the store {} is in use by another hoso process (console or `hoso serve`); stop it or use that process", path.display())]
    StoreLocked {
        /// The store file.
        path: PathBuf,
    },
    /// Stored data failed to decode.
    #[error(
        "corrupt {what}: {detail}; restore the data dir from a backup or re-sync it from the hub"
    )]
    Corrupt {
        /// What was being read.
        what: String,
        /// What was wrong.
        detail: String,
    },
    /// The store cannot be trusted as this node's, or stored data does not read back whole.
    #[error(transparent)]
    Integrity(#[from] crate::store::error::StoreError),
    /// A storage engine failure.
    #[error("store: {0}")]
    Store(#[source] Box<redb::Error>),
    /// An Automerge failure on a case document.
    #[error("case document: {0}")]
    Document(String),
    /// The procedure code is not in the catalog.
    #[error(transparent)]
    UnknownProcedure(#[from] UnknownProcedure),
    /// A field value failed validation.
    #[error(transparent)]
    Field(#[from] FieldError),
    /// A field name that the procedure does not have.
    #[error(
        "procedure `{procedure}` has no field `{field}`; see `hoso procedures show {procedure}`"
    )]
    UnknownField {
        /// The procedure code.
        procedure: String,
        /// The unknown field name.
        field: String,
    },
    /// Required fields are still empty.
    #[error("procedure `{procedure}` needs these fields: {}; pass them with --field NAME=VALUE", fields.join(", "))]
    MissingFields {
        /// The procedure code.
        procedure: String,
        /// The empty required fields.
        fields: Vec<String>,
    },
    /// A field filled from the registry cannot be overwritten by hand.
    #[error(
        "field `{field}` comes from the population registry and cannot be edited; correct the registry record instead"
    )]
    RegistryField {
        /// The field.
        field: String,
    },
    /// A workflow or role violation.
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
    /// A malformed citizen id.
    #[error(transparent)]
    CitizenId(#[from] CitizenIdError),
    /// A citizen id not in the registry.
    #[error(
        "citizen id `{0}` is not in the population registry; check the number, import a newer extract (`hoso registry import FILE`), or receive the case unverified with --declared-name, --declared-dob, --declared-sex and --declared-commune"
    )]
    UnknownCitizen(String),
    /// No case matches an id or receipt code.
    #[error(
        "no case `{0}`: give a case id (32 hex characters) or a receipt code; `hoso case list` shows them"
    )]
    CaseNotFound(String),
    /// An officer id with no account.
    #[error("no officer `{0}`: create one with `hoso officer add {0} --name NAME --role officer`")]
    UnknownOfficer(String),
    /// A write without an officer.
    #[error("this command records who did it: pass --officer ID (or set HOSO_OFFICER)")]
    NoOfficer,
    /// The passphrase did not match.
    #[error("wrong passphrase for officer `{0}`")]
    WrongPassphrase(String),
    /// The officer's role may not do this.
    #[error("officer `{officer}` has role `{role}`, which may not {action}")]
    NotPermitted {
        /// The officer id.
        officer: String,
        /// The officer's role.
        role: String,
        /// What was attempted.
        action: String,
    },
    /// A bulk-import line that could not be used.
    #[error("{file} line {line}: {message}")]
    ImportLine {
        /// The input file.
        file: String,
        /// 1-based line number.
        line: usize,
        /// What was wrong.
        message: String,
    },
    /// The write path refused the action.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// A payment, an unverified receipt or a due-date recomputation was refused.
    #[error(transparent)]
    Intake(#[from] IntakeError),
    /// A value over its byte bound.
    #[error(transparent)]
    TooLarge(#[from] LimitExceeded),
    /// A rule of a case's legal life: tracks, results, supplements, apologies.
    #[error(transparent)]
    Lifecycle(#[from] LifecycleError),
    /// A text input holding a control character.
    #[error(transparent)]
    ControlChar(#[from] ControlChar),
    /// A write with no proof of who is acting: no session and no passphrase.
    #[error(
        "this OS user has no open session on this node: run `hoso login ID` (or give the passphrase when asked; scripts: `hoso login ID --passphrase-stdin`)"
    )]
    NoSession,
    /// A session file that may not be used.
    #[error("the session file {} is refused: {reason}; run `hoso logout`, then `hoso login ID`", path.display())]
    SessionRefused {
        /// The session file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The session is past its 8 hours.
    #[error("the session of officer `{officer}` expired at {at}: run `hoso login {officer}` again")]
    SessionExpired {
        /// The session's officer.
        officer: String,
        /// When it expired (dd/mm/yyyy HH:MM, Vietnam time).
        at: String,
    },
    /// `--officer` names someone else than the open session.
    #[error(
        "the open session here is officer `{session}`'s, not `{given}`'s: drop --officer, or run `hoso logout` and `hoso login {given}`"
    )]
    SessionOfficer {
        /// The session's officer.
        session: String,
        /// The officer given.
        given: String,
    },
    /// Too many failed logins in a row for this officer id.
    #[error("too many failed logins for officer `{officer}`: wait {wait_secs} s and try again")]
    LoginThrottled {
        /// The officer id tried.
        officer: String,
        /// Seconds until the next attempt is checked.
        wait_secs: u64,
    },
    /// An officer account that may not act now (disabled, one-time passphrase), or a refused
    /// account change (issue 12).
    #[error(transparent)]
    Account(#[from] AccountError),
    /// A backup file that cannot be made or read (issue 12).
    #[error(transparent)]
    Backup(#[from] BackupError),
    /// A restore that cannot go on, or a write waiting for one (issue 12).
    #[error(transparent)]
    Restore(#[from] RestoreError),
    /// A catalog bundle refused, or a catalog version not held (issue 12).
    #[error(transparent)]
    CatalogBundle(CatalogBundleError),
    /// `node.toml`, the catalog or the holiday calendar is not valid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The peers file or a peer entry is not valid.
    #[error(transparent)]
    Peer(#[from] PeerError),
    /// The audit chain refused an entry, a batch or a cosignature.
    #[error(transparent)]
    Audit(#[from] AuditError),
    /// A value could not be serialized (a bug).
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// A document handed over locally was refused and quarantined.
    #[error(transparent)]
    Ingest(#[from] IngestError),
    /// Bytes that are not an Automerge document of a case.
    #[error("not a valid case document: {source}")]
    BadDocument {
        /// Automerge's error.
        #[source]
        source: Box<automerge::AutomergeError>,
    },
    /// Automerge failed on a stored case document.
    #[error("case document: {0}; run `hoso check` to find a damaged case")]
    Automerge(#[source] Box<automerge::AutomergeError>),
    /// The passphrase hasher failed (no randomness, bad parameters).
    #[error("cannot hash the passphrase: {cause}; try again, and report it if it persists")]
    PassphraseHash {
        /// The hasher's error.
        cause: argon2::password_hash::Error,
    },
    /// Correcting a registry-filled field by hand without saying why.
    #[error(
        "field `{field}` comes from the population registry: a correction needs a reason (e.g. the citizen's newer paper); the registry evidence is kept"
    )]
    CorrectionNeedsReason {
        /// The field.
        field: String,
    },
}

impl NodeError {
    /// An I/O error on `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        NodeError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// True when the error is the caller's input (CLI exit code 2), not a failure of the node.
    pub fn is_bad_input(&self) -> bool {
        // No wildcard: a new variant must say which it is.
        match self {
            NodeError::UnknownProcedure(_)
            | NodeError::Field(_)
            | NodeError::UnknownField { .. }
            | NodeError::MissingFields { .. }
            | NodeError::RegistryField { .. }
            | NodeError::CorrectionNeedsReason { .. }
            | NodeError::Workflow(_)
            | NodeError::CitizenId(_)
            | NodeError::UnknownCitizen(_)
            | NodeError::CaseNotFound(_)
            | NodeError::UnknownOfficer(_)
            | NodeError::NoOfficer
            | NodeError::WrongPassphrase(_)
            | NodeError::NotPermitted { .. }
            | NodeError::ImportLine { .. }
            | NodeError::Refused(_)
            | NodeError::Intake(_)
            | NodeError::Lifecycle(_)
            | NodeError::TooLarge(_)
            | NodeError::ControlChar(_)
            | NodeError::AlreadyInitialized { .. }
            | NodeError::NotInitialized { .. }
            | NodeError::NoSession
            | NodeError::SessionRefused { .. }
            | NodeError::SessionExpired { .. }
            | NodeError::SessionOfficer { .. }
            | NodeError::LoginThrottled { .. }
            | NodeError::Config(_)
            | NodeError::Peer(_)
            | NodeError::Ingest(_)
            | NodeError::BadDocument { .. }
            | NodeError::Account(_)
            | NodeError::Backup(_)
            | NodeError::Restore(_)
            | NodeError::CatalogBundle(_) => true,
            NodeError::Audit(a) => a.is_bad_input(),
            NodeError::Io { .. }
            | NodeError::StoreLocked { .. }
            | NodeError::Corrupt { .. }
            | NodeError::Integrity(_)
            | NodeError::Store(_)
            | NodeError::Document(_)
            | NodeError::Automerge(_)
            | NodeError::Encode(_)
            | NodeError::PassphraseHash { .. } => false,
        }
    }
}

/// Result alias for node operations.
pub type Result<T, E = NodeError> = std::result::Result<T, E>;
