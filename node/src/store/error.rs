//! Store integrity errors: a store that is missing, empty, foreign to the node key, from a newer
//! hoso, or holding data that does not read back whole. Each message names the file or the case
//! and what to do by hand (restore and rebuild commands are the operations issue's; until they
//! land, the recovery is a backup copy of the data dir, or a fresh `hoso init` re-synced from
//! the hub).

use std::path::PathBuf;

use crate::ids::{CaseId, NodeId};

/// What to do when the store cannot be trusted.
pub const RECOVER: &str =
    "restore the data dir from a backup, or move it away, run `hoso init` and re-sync from the hub";

/// A store that cannot be opened as this node's, or stored data that fails to read back.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The node's settings and key exist, the store file does not.
    #[error("the store {} is missing, so this node's cases and audit chain are gone from this disk; it is not recreated empty: {RECOVER}", path.display())]
    Missing {
        /// The store file.
        path: PathBuf,
    },
    /// The store file exists but has no bytes.
    #[error("the store {} is empty (0 bytes); it is not recreated: {RECOVER}", path.display())]
    Empty {
        /// The store file.
        path: PathBuf,
    },
    /// The node key file is missing next to an existing store.
    #[error("the node key {} is missing; the store cannot be used without the key that signed its chain: restore node.key from a backup of this data dir", path.display())]
    KeyMissing {
        /// The key file.
        path: PathBuf,
    },
    /// The store's chain was started by another key than `node.key`.
    #[error("the store {} belongs to node {store} but node.key is node {key}: a replaced key or a store from another node; put back this store's own node.key, or {RECOVER}", path.display())]
    Foreign {
        /// The store file.
        path: PathBuf,
        /// The node whose chain the store holds.
        store: NodeId,
        /// The node of `node.key`.
        key: NodeId,
    },
    /// The store holds no genesis: `init` did not finish.
    #[error("the store {} holds no node (no genesis entry): `hoso init` did not finish; remove the data dir and run `hoso init` again", path.display())]
    NoGenesis {
        /// The store file.
        path: PathBuf,
    },
    /// A store written by a newer hoso.
    #[error("the store {} was made by a newer hoso (format {format}); this build reads formats up to {supported}: upgrade hoso", path.display())]
    TooNew {
        /// The store file.
        path: PathBuf,
        /// The store's format.
        format: u32,
        /// The newest format this build reads.
        supported: u32,
    },
    /// A migration step failed; nothing was changed.
    #[error("the store {} could not be migrated from format {from} to {to}: {detail}; the store was left as it was: {RECOVER}", path.display())]
    Migration {
        /// The store file.
        path: PathBuf,
        /// Format before.
        from: u32,
        /// Format of the failing step.
        to: u32,
        /// What went wrong.
        detail: String,
    },
    /// A stored case document does not load whole (a damaged chunk, a missing change).
    #[error(
        "case {case}: its stored document is damaged ({detail}); nothing was changed and nothing was dropped. Run `hoso check` to list every damaged case, then {RECOVER}"
    )]
    DamagedCase {
        /// The case.
        case: CaseId,
        /// What failed.
        detail: String,
    },
    /// A summary row that does not decode.
    #[error(
        "case {case}: its summary row is corrupt ({detail}); run `hoso check`, then `hoso --officer SUPERVISOR check --repair` to rebuild summaries and indexes from the documents"
    )]
    CorruptSummary {
        /// The case.
        case: CaseId,
        /// What failed.
        detail: String,
    },
    /// The own chain head does not match the chain.
    #[error("the audit chain head in {} is corrupt ({detail}); {RECOVER}", path.display())]
    CorruptChainHead {
        /// The store file.
        path: PathBuf,
        /// What failed.
        detail: String,
    },
    /// A parallel verification worker panicked: the result would be incomplete.
    #[error(
        "a verification worker stopped ({0}); no result is given rather than a partial one: run `hoso audit verify` again, and report it if it repeats"
    )]
    WorkerPanicked(String),
}
