//! The sync side of restoring a node (issue 12; `hoso_node::restore`).
//!
//! - A node being restored declares its own chain as empty in its hello and sends its whole
//!   feed, so that the hub sends the whole chain back and the node takes nothing for granted.
//! - A node that hears a peer declare a shorter chain of its own than it holds knows the peer
//!   lost data: it forgets which case versions the peer held (so it sends whole documents) and
//!   replays the cosignatures it made of the peer's chain as `Witness` messages, since the
//!   restored entries cite them as anchors.
//! - The restored node stores those cosignatures once it holds the entries they cover.

use hoso_node::audit::checkpoint::Cosignature;
use hoso_node::error::{AuditError, CosignRefusal};
use hoso_node::{Node, NodeError, NodeId};

use super::message::{Message, WitnessMsg};
use crate::error::SyncError;

/// Most replayed cosignatures a restoring node keeps waiting for their entries.
pub const MAX_PENDING: usize = 4096;

/// The length of `origin`'s chain to declare in the hello: the own chain is declared empty
/// while restoring.
pub fn declared_len(node: &Node, origin: &NodeId) -> Result<u64, SyncError> {
    if *origin == node.id() && node.is_restoring()? {
        return Ok(0);
    }
    Ok(node.chain_len(origin)?)
}

/// The predecessors of this node and of `peer` (their chains travel in the session too).
pub fn predecessors(node: &Node, peer: &NodeId) -> Vec<NodeId> {
    let mut out = Vec::new();
    for id in [node.id(), *peer] {
        match node.predecessors_of(&id) {
            Ok(p) => {
                for p in p {
                    if !out.contains(&p) {
                        out.push(p);
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot read the successions"),
        }
    }
    out
}

/// On the peer's hello: when it declares a shorter chain of its own than held here, forget
/// what it held; for it and every predecessor chain it holds less of than here, replay the
/// cosignatures made here of that chain. Returns the messages to send first.
pub fn on_peer_hello(
    node: &Node,
    peer: &NodeId,
    origins: &[NodeId],
    chains: &[(NodeId, u64)],
) -> Result<Vec<Message>, SyncError> {
    let declared = |o: &NodeId| {
        chains
            .iter()
            .find(|(id, _)| id == o)
            .map(|(_, n)| *n)
            .unwrap_or(0)
    };
    let mut out = Vec::new();
    for o in origins.iter().filter(|o| **o != node.id()) {
        let held = node.chain_len(o)?;
        if declared(o) >= held {
            continue;
        }
        if o == peer {
            let forgot = node.forget_peer_state(peer)?;
            tracing::info!(peer = %peer, held, forgot, "the peer lost data (restored): sending it everything again");
        }
        out.extend(
            node.own_cosignatures_of(o)?
                .into_iter()
                .map(|(note, cs)| Message::Witness {
                    reply: WitnessMsg::Cosigned {
                        note,
                        cosignature: cs.line(),
                    },
                }),
        );
    }
    Ok(out)
}

/// While restoring: a cosignature the hub replayed, kept until the entries it covers are held.
pub fn take_replayed(
    node: &Node,
    pending: &mut Vec<(String, String)>,
    reply: &WitnessMsg,
) -> Result<bool, SyncError> {
    let WitnessMsg::Cosigned { note, cosignature } = reply else {
        return Ok(false);
    };
    if !node.is_restoring()? {
        return Ok(false);
    }
    if pending.len() < MAX_PENDING {
        pending.push((note.clone(), cosignature.clone()));
    }
    store_pending(node, pending)?;
    Ok(true)
}

/// Stores every pending replayed cosignature whose entries are now held; keeps the others.
pub fn store_pending(node: &Node, pending: &mut Vec<(String, String)>) -> Result<(), SyncError> {
    let mut keep = Vec::new();
    for (note, line) in pending.drain(..) {
        let stored = Cosignature::parse_line(&line)
            .map_err(|e| NodeError::from(AuditError::CosignRefused(CosignRefusal::Malformed(e))))
            .and_then(|cs| node.store_foreign_cosignature(&note, &cs));
        match stored {
            Ok(()) => {}
            Err(NodeError::Audit(AuditError::CosignRefused(CosignRefusal::AheadOfChain))) => {
                keep.push((note, line));
            }
            Err(NodeError::Audit(AuditError::CosignRefused(why))) => {
                tracing::warn!(%why, "a replayed cosignature was not stored");
            }
            Err(e) => return Err(e.into()),
        }
    }
    *pending = keep;
    Ok(())
}
