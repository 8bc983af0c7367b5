//! What the sync engine tells the rest of the node, and what the console asks of it.
//!
//! The console does not depend on the sync crate: the engine publishes [`SyncStatus`] on a
//! `tokio::sync::watch` held by the node and listens for [`SyncCommand`]s on a broadcast channel.

use serde::{Deserialize, Serialize};

use crate::config::NodeRole;
use crate::ids::NodeId;

/// One peer as the sync engine sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerStatus {
    /// The peer's node id.
    pub node_id: NodeId,
    /// Its display name from the peers file.
    pub name: String,
    /// Hub or commune.
    pub role: NodeRole,
    /// A connection is open now.
    pub online: bool,
    /// The last completed sync round (RFC 3339).
    pub last_sync: Option<String>,
    /// Cases changed here that this peer has not acknowledged.
    pub pending_cases: u64,
    /// Bytes received from the peer since start.
    pub bytes_in: u64,
    /// Bytes sent to the peer since start.
    pub bytes_out: u64,
    /// The last error, for the operator.
    pub last_error: Option<String>,
}

/// The sync engine's state, as last published.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncStatus {
    /// An engine is running for this node.
    pub running: bool,
    /// The link is deliberately cut (demo and tests).
    pub link_cut: bool,
    /// Per peer.
    pub peers: Vec<PeerStatus>,
}

impl SyncStatus {
    /// Cases waiting to reach at least one peer (the largest per-peer count).
    pub fn pending(&self) -> u64 {
        self.peers
            .iter()
            .map(|p| p.pending_cases)
            .max()
            .unwrap_or(0)
    }
    /// At least one peer is connected.
    pub fn online(&self) -> bool {
        self.peers.iter().any(|p| p.online)
    }
}

/// A request to the sync engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncCommand {
    /// Run a round with every peer now.
    SyncNow,
    /// Cut (`false`) or restore (`true`) every link.
    SetLink(bool),
}
