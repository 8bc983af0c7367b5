//! Sync errors: one-line messages that say what happened and, where there is one, what to do.

use crate::protocol::frame::FrameError;
use crate::protocol::message::DecodeError;

/// A sync failure.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The node store failed.
    #[error(transparent)]
    Node(#[from] hoso_node::NodeError),
    /// A malformed frame from the peer.
    #[error("bad frame from peer: {0}")]
    Frame(#[from] FrameError),
    /// A malformed message from the peer.
    #[error("bad message from peer: {0}")]
    Decode(#[from] DecodeError),
    /// The peer broke the protocol.
    #[error("protocol violation: {0}")]
    Protocol(String),
    /// The peer is not what this node's peers file says it is (role or scope).
    #[error("{0}")]
    ScopeMismatch(String),
    /// The peer reported an error and closed.
    #[error("the peer reported: {0}")]
    PeerError(String),
    /// The node id is not in the peers file.
    #[error("node {0} is not in the peers file; add it with `hoso peer add`")]
    UnknownPeer(String),
    /// Network failure (connect, stream, endpoint).
    #[error("network: {0}")]
    Net(String),
    /// No peers to sync with.
    #[error(
        "no peers to sync with: add one with `hoso peer add NODE_ID --addr IP:PORT --role hub|commune`"
    )]
    NoPeers,
    /// A background step of the session failed (a panic on the blocking pool).
    #[error("internal: {0}")]
    Task(String),
    /// The peer is serving as many sessions as it takes; try again later.
    #[error(
        "{0} is busy with other nodes (its session limit is reached); sync retries with backoff, or try again in a minute"
    )]
    Busy(String),
}

impl SyncError {
    pub(crate) fn net(e: impl std::fmt::Display) -> SyncError {
        SyncError::Net(e.to_string())
    }
}
