//! Peer administration through the write path: who a node syncs with is decided by a
//! supervisor and recorded on the chain. `peers.toml` stays the file sync reads; adding or
//! removing a peer opens a [`crate::write::WriteCtx`] (authentication, the supervisor role),
//! writes the file, and commits a signed `peer_add` / `peer_remove` audit entry naming the
//! peer. When the commit fails, the file is put back as it was.

use crate::chain::entry::Action;
use crate::error::{NodeError, Result};
use crate::ids::{CaseId, NodeId};
use crate::node::handle::Node;
use crate::peers::{Peer, Peers};
use crate::write::{Author, Permission};

fn payload(p: &Peer) -> serde_json::Value {
    serde_json::json!({
        "node_id": p.node_id.to_string(),
        "name": p.name,
        "role": p.role.as_str(),
        "scope": p.scope,
        "addrs": p.addrs,
    })
}

impl Node {
    /// Adds (or updates) a sync peer, by a supervisor, audited. Returns the entry as saved.
    pub fn add_peer(&self, by: &Author, peer: Peer) -> Result<Peer> {
        crate::text::check("the peer's name", &peer.name)?;
        crate::limits::check(
            crate::error::Limited::Name,
            peer.name.len(),
            crate::limits::MAX_NAME_BYTES,
        )?;
        let mut ctx = self.begin_write(by, Permission::AdminPeers)?;
        let before = Peers::load(self.dir())?;
        let mut peers = before.clone();
        let id = peer.node_id;
        peers.add(self.config(), &self.id(), peer)?;
        let saved = peers
            .get(&id)
            .cloned()
            .ok_or_else(|| NodeError::Document("the added peer is missing".into()))?;
        let now = chrono::Utc::now().timestamp_millis();
        ctx.audit(
            Action::PeerAdd,
            CaseId::NONE,
            [0; 16],
            vec![],
            vec![],
            &payload(&saved),
            now,
        )?;
        self.save_then_commit(ctx, &peers, &before)?;
        Ok(saved)
    }

    /// Removes a sync peer, by a supervisor, audited. `Ok(false)` when no such peer (nothing
    /// written).
    pub fn remove_peer(&self, by: &Author, id: &NodeId) -> Result<bool> {
        let mut ctx = self.begin_write(by, Permission::AdminPeers)?;
        let before = Peers::load(self.dir())?;
        let Some(old) = before.get(id).cloned() else {
            return Ok(false);
        };
        let mut peers = before.clone();
        peers.remove(id);
        let now = chrono::Utc::now().timestamp_millis();
        ctx.audit(
            Action::PeerRemove,
            CaseId::NONE,
            [0; 16],
            vec![],
            vec![],
            &payload(&old),
            now,
        )?;
        self.save_then_commit(ctx, &peers, &before)?;
        Ok(true)
    }

    fn save_then_commit(
        &self,
        ctx: crate::write::WriteCtx<'_>,
        peers: &Peers,
        before: &Peers,
    ) -> Result<()> {
        peers.save(self.dir())?;
        if let Err(e) = ctx.commit() {
            // No audit entry: the file goes back to what the chain knows.
            let _ = before.save(self.dir());
            return Err(e);
        }
        Ok(())
    }
}
