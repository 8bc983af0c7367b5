//! Why a restore cannot go on, or why a write waits for one ([`crate::restore`]).

use std::path::PathBuf;

/// Incarnations a node may use (the trust check recognises actors 0–63).
pub const MAX_INCARNATION: u32 = 63;

/// Why a restore cannot go on, or why a write waits for it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RestoreError {
    /// The node is being restored: nothing is written until it has heard its hub.
    #[error(
        "this node is being restored and has not finished: nothing is written until it has heard its hub (run `hoso node restore --resume`)"
    )]
    Pending,
    /// The target data dir holds something.
    #[error(
        "{} is not empty: restore into a new, empty data dir (move the old one away first)", dir.display()
    )]
    NotEmpty {
        /// The data dir.
        dir: PathBuf,
    },
    /// `--resume` on a node that is not being restored.
    #[error("this node is not being restored: there is nothing to resume")]
    NotRestoring,
    /// A succession naming the same node twice.
    #[error("a node cannot succeed itself: give the old node's id and the new one's")]
    SelfSuccession,
    /// The old node was already retired in favour of another one.
    #[error("node {node} was already retired in favour of {successor}")]
    AlreadyRetired {
        /// The old node (short id).
        node: String,
        /// Its recorded successor (short id).
        successor: String,
    },
    /// Every incarnation number is used.
    #[error("this node has used all {max} chain incarnations: set up a new node id instead", max = MAX_INCARNATION + 1)]
    Incarnations,
}
