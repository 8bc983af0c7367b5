//! The peers file, `peers.toml` in the data dir: the only nodes this node talks to, with their
//! role, address hints and scope. Sync refuses any other node id before any data moves.
//!
//! ```toml
//! [[peer]]
//! node_id = "…64 hex…"
//! name = "Hub Lạng Sơn"
//! role = "hub"
//! addrs = ["127.0.0.1:7420"]
//! scope = ["20"]
//! ```
//!
//! Scope codes are province codes for a hub and commune codes for a commune.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::config::{NodeConfig, NodeRole};
use crate::error::{EncodeError, NodeError, PeerError, Result};
use crate::ids::NodeId;

/// The file name inside the data dir.
pub const PEERS_FILE: &str = "peers.toml";
/// Most peers one file may hold (a hub with every commune of a large province fits).
pub const MAX_PEERS: usize = 4096;

/// One peer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Peer {
    /// Its node id (ed25519 public key, hex).
    pub node_id: NodeId,
    /// Display name.
    pub name: String,
    /// Hub or commune.
    pub role: NodeRole,
    /// Address hints, `IP:PORT`.
    #[serde(default)]
    pub addrs: Vec<String>,
    /// Province codes (hub) or commune codes (commune) whose cases the peer may hold.
    #[serde(default)]
    pub scope: Vec<String>,
}

impl Peer {
    /// True when a case of this jurisdiction is within the peer's scope.
    pub fn may_hold(&self, province: &str, commune: &str) -> bool {
        match self.role {
            NodeRole::Hub => self.scope.iter().any(|s| s == province),
            NodeRole::Commune => self.scope.iter().any(|s| s == commune),
        }
    }
}

/// True when this node may hold a case of this jurisdiction: its commune, or its province at a hub.
pub fn own_scope_holds(cfg: &NodeConfig, province: &str, commune: &str) -> bool {
    match cfg.role {
        NodeRole::Hub => cfg.province == province,
        NodeRole::Commune => cfg.province == province && cfg.commune.as_deref() == Some(commune),
    }
}

/// The whole peers file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Peers {
    /// The peers, in the order added.
    #[serde(default)]
    pub peer: Vec<Peer>,
}

impl Peers {
    /// Reads the peers file of a data dir (empty when absent).
    pub fn load(dir: &Path) -> Result<Peers> {
        let path = dir.join(PEERS_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Peers::default()),
            Err(e) => return Err(NodeError::io(&path, e)),
        };
        let peers: Peers = toml::from_str(&text).map_err(|source| PeerError::Unreadable {
            path: path.clone(),
            message: crate::error::toml_message(&text, &source),
            source: Box::new(source),
        })?;
        if peers.peer.len() > MAX_PEERS {
            return Err(PeerError::TooManyInFile {
                path,
                max: MAX_PEERS,
            }
            .into());
        }
        Ok(peers)
    }

    /// Writes the peers file atomically (temp file + rename).
    pub fn save(&self, dir: &Path) -> Result<()> {
        let path = dir.join(PEERS_FILE);
        let tmp = dir.join(format!("{PEERS_FILE}.tmp"));
        let text = toml::to_string(self).map_err(EncodeError::toml("peers.toml"))?;
        std::fs::write(&tmp, text).map_err(|e| NodeError::io(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| NodeError::io(&path, e))
    }

    /// The peer with this id.
    pub fn get(&self, id: &NodeId) -> Option<&Peer> {
        self.peer.iter().find(|p| p.node_id == *id)
    }

    /// Adds or replaces a peer, checking it against this node's settings.
    pub fn add(&mut self, own: &NodeConfig, own_id: &NodeId, mut p: Peer) -> Result<()> {
        if p.node_id == *own_id {
            return Err(PeerError::OwnId.into());
        }
        for a in &p.addrs {
            a.parse::<std::net::SocketAddr>()
                .map_err(|_| PeerError::BadAddr(crate::text::escape_line(a).into_owned()))?;
        }
        if p.scope.is_empty() {
            match p.role {
                NodeRole::Hub => p.scope.push(own.province.clone()),
                NodeRole::Commune => {
                    return Err(PeerError::CommuneScopeMissing.into());
                }
            }
        }
        for s in &p.scope {
            let want = if p.role == NodeRole::Hub { 2 } else { 5 };
            if s.len() != want || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(PeerError::BadScope {
                    code: crate::text::escape_line(s).into_owned(),
                    role: p.role,
                }
                .into());
            }
        }
        if p.name.trim().is_empty() {
            p.name = p.node_id.short();
        }
        if let Some(existing) = self.peer.iter_mut().find(|x| x.node_id == p.node_id) {
            *existing = p;
        } else {
            if self.peer.len() >= MAX_PEERS {
                return Err(PeerError::TooMany { max: MAX_PEERS }.into());
            }
            self.peer.push(p);
        }
        Ok(())
    }

    /// Removes a peer; false when it was not there.
    pub fn remove(&mut self, id: &NodeId) -> bool {
        let before = self.peer.len();
        self.peer.retain(|p| p.node_id != *id);
        self.peer.len() != before
    }
}
