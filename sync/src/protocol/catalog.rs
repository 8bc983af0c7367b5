//! Catalog updates over sync (issue 12, item 5; message tag
//! [`CATALOG_TAG`](super::message::CATALOG_TAG)).
//!
//! A hub offers the newest catalog version it holds to a commune as soon as the commune's
//! hello is accepted, and again whenever it holds a newer one ([`CatalogState::offer`], called
//! from `Session::pump`). A commune answers every offer: `Want { version }` when it is behind,
//! `Want { 0 }` otherwise; the hub answers a want with the signed bundle. The commune applies it
//! with `Node::apply_catalog`, which accepts it only from a peer in its peers file as the hub
//! of its province, signed by that hub, and newer than every version held. A refused bundle is
//! logged and counted; it does not end the session. A one-shot round does not end while an
//! offer is unanswered or a bundle is awaited ([`CatalogState::pending`]).

use hoso_node::{Node, NodeError, NodeRole, Peer};

use super::message::{CatalogMsg, Message};
use crate::error::SyncError;

/// One session's catalog exchange.
#[derive(Debug, Default)]
pub struct CatalogState {
    /// Hub side: the newest version offered in this session.
    offered: u64,
    /// Hub side: offers not answered yet (a newer version may be offered before the answer).
    unanswered: u32,
    /// Commune side: bundles asked for and not received yet.
    awaiting: u32,
}

impl CatalogState {
    /// True while an exchange is under way (a one-shot round waits for it).
    pub fn pending(&self) -> bool {
        self.unanswered > 0 || self.awaiting > 0
    }

    /// Hub side: an offer of the newest version held, when it is newer than what was offered
    /// in this session and the peer is a commune.
    pub fn offer(&mut self, node: &Node, peer: &Peer) -> Result<Option<Message>, SyncError> {
        if node.config().role != NodeRole::Hub || peer.role != NodeRole::Commune {
            return Ok(None);
        }
        let newest = node.newest_catalog_version()?;
        if newest == 0 || newest <= self.offered {
            return Ok(None);
        }
        self.offered = newest;
        self.unanswered = self.unanswered.saturating_add(1);
        Ok(Some(Message::Catalog {
            step: CatalogMsg::Offer { version: newest },
        }))
    }

    /// Handles one catalog step from the peer; returns the replies. A version applied goes in
    /// `applied`, a bundle refused counts in `refused` (the session's round statistics).
    pub fn on_step(
        &mut self,
        node: &Node,
        peer: &Peer,
        step: CatalogMsg,
        applied: &mut Option<u64>,
        refused: &mut u64,
    ) -> Result<Vec<Message>, SyncError> {
        match step {
            CatalogMsg::Offer { version } => {
                let held = node.newest_catalog_version()?;
                let from_hub =
                    node.config().role == NodeRole::Commune && peer.role == NodeRole::Hub;
                if !from_hub {
                    tracing::warn!(peer = %peer.name, version, "a catalog offer from a peer that is not this node's hub; ignored");
                }
                let want = if from_hub && version > held {
                    self.awaiting = self.awaiting.saturating_add(1);
                    version
                } else {
                    0
                };
                Ok(vec![Message::Catalog {
                    step: CatalogMsg::Want { version: want },
                }])
            }
            CatalogMsg::Want { version } => {
                if self.unanswered == 0 {
                    return Err(SyncError::Protocol(
                        "catalog request without an offer".into(),
                    ));
                }
                self.unanswered -= 1;
                if version == 0 {
                    return Ok(vec![]);
                }
                let bytes = node.catalog_bundle(version)?.unwrap_or_default();
                Ok(vec![Message::Catalog {
                    step: CatalogMsg::Bundle { bytes },
                }])
            }
            CatalogMsg::Bundle { bytes } => {
                if self.awaiting == 0 {
                    return Err(SyncError::Protocol(
                        "catalog bundle that was not asked for".into(),
                    ));
                }
                self.awaiting -= 1;
                if bytes.is_empty() {
                    tracing::warn!(peer = %peer.name, "the hub no longer holds the catalog version it offered");
                    return Ok(vec![]);
                }
                match node.apply_catalog(peer, &bytes) {
                    Ok(v) => {
                        tracing::info!(peer = %peer.name, version = v, "catalog version applied");
                        *applied = Some(v);
                    }
                    Err(NodeError::CatalogBundle(why)) => {
                        *refused += 1;
                        tracing::warn!(peer = %peer.name, %why, "refused a catalog bundle");
                    }
                    Err(e) => return Err(e.into()),
                }
                Ok(vec![])
            }
        }
    }
}
