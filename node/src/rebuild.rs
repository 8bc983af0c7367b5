//! # Rebuilding a commune from its hub (issue 12)
//!
//! When a commune's node is lost with no backup, a new node (a new key) takes its place:
//!
//! - at the hub, a supervisor enrolls the new node (`hoso peer add NEW …`) and retires the old
//!   one ([`Node::retire_node`], `hoso node retire OLD --successor NEW`): the old id leaves
//!   `peers.toml`, is refused from then on ([`Node::is_retired`]), and an audited
//!   `node_retire` entry records who took its place;
//! - on the new node, `hoso node restore --from-hub --predecessor OLD` records the same
//!   succession ([`Node::take_over_from`]), marks the node restoring (no officer writes) and
//!   syncs: a session between two nodes also exchanges the chains of their predecessors
//!   ([`Node::predecessors_of`]), so the new node receives every case of its commune together
//!   with the old node's chain that accounts for it, and the cosignatures of that chain; then
//!   its receipt sequences move past every code held ([`Node::finish_restore`]).
//!
//! The succession is stored as meta rows `successor:<old id hex>` → new id (32 bytes) on both
//! nodes, written with the audit entry in one transaction.

use redb::{ReadableDatabase, ReadableTable};

use crate::chain::checkpoint::{Cosignature, SignedCheckpoint};
use crate::chain::entry::Action;
use crate::error::{AuditError, CosignRefusal, NodeError, Result};
use crate::ids::{CaseId, NodeId};
use crate::node::Node;
use crate::store::tables::{AUDIT_CHECKPOINTS, AUDIT_COSIGS, META};
use crate::write::{Author, Permission};

/// Meta key prefix of a succession: `successor:<old id hex>` → the new id.
pub const META_SUCCESSOR: &str = "successor:";
/// Longest chain of successions followed.
const MAX_GENERATIONS: usize = 16;

fn key(old: &NodeId) -> String {
    format!("{META_SUCCESSOR}{old}")
}

impl Node {
    /// Every (retired id, successor) recorded here.
    pub fn successions(&self) -> Result<Vec<(NodeId, NodeId)>> {
        let rtx = self.db().begin_read()?;
        let meta = rtx.open_table(META)?;
        let mut out = Vec::new();
        for row in meta.range(META_SUCCESSOR..)? {
            let (k, v) = row?;
            let Some(old) = k.value().strip_prefix(META_SUCCESSOR) else {
                break;
            };
            if let (Ok(old), Ok(new)) = (old.parse::<NodeId>(), <[u8; 32]>::try_from(v.value())) {
                out.push((old, NodeId(new)));
            }
        }
        Ok(out)
    }

    /// True when `id` was retired here (replaced by another node).
    pub fn is_retired(&self, id: &NodeId) -> Result<bool> {
        Ok(crate::store::meta_get(self.db(), &key(id))?.is_some())
    }

    /// The nodes `id` took the place of, directly or through other successors.
    pub fn predecessors_of(&self, id: &NodeId) -> Result<Vec<NodeId>> {
        let all = self.successions()?;
        let mut out: Vec<NodeId> = Vec::new();
        let mut frontier = vec![*id];
        for _ in 0..MAX_GENERATIONS {
            let next: Vec<NodeId> = all
                .iter()
                .filter(|(old, new)| frontier.contains(new) && !out.contains(old) && old != id)
                .map(|(old, _)| *old)
                .collect();
            if next.is_empty() {
                break;
            }
            out.extend(next.iter().copied());
            frontier = next;
        }
        Ok(out)
    }

    fn record_succession(
        &self,
        by: &Author,
        need: Permission,
        old: &NodeId,
        new: &NodeId,
        side: &str,
    ) -> Result<()> {
        if old == new {
            return Err(crate::restore::RestoreError::SelfSuccession.into());
        }
        let mut ctx = self.begin_write(by, need)?;
        {
            let mut meta = ctx.tx().open_table(META)?;
            if let Some(v) = meta.get(key(old).as_str())? {
                let was = <[u8; 32]>::try_from(v.value()).map(NodeId).ok();
                if was != Some(*new) {
                    return Err(crate::restore::RestoreError::AlreadyRetired {
                        node: old.short(),
                        successor: was
                            .map(|w| w.short())
                            .unwrap_or_else(|| "another node".into()),
                    }
                    .into());
                }
                return Ok(());
            }
            meta.insert(key(old).as_str(), new.0.as_slice())?;
        }
        ctx.audit(
            Action::NodeRetire,
            CaseId::NONE,
            [0; 16],
            vec![],
            vec![],
            &serde_json::json!({"retired": old.to_string(), "successor": new.to_string(), "recorded_by": side}),
            chrono::Utc::now().timestamp_millis(),
        )?;
        ctx.commit()
    }

    /// Hub side: retires `old` in favour of `successor` (audited). The caller removes `old`
    /// from `peers.toml`; from then on it is refused.
    pub fn retire_node(&self, by: &Author, old: &NodeId, successor: &NodeId) -> Result<()> {
        self.record_succession(by, Permission::AdminPeers, old, successor, "hub")
    }

    /// New node side: records that this node takes the place of `old` (audited), so that its
    /// sessions ask for `old`'s chain.
    pub fn take_over_from(&self, old: &NodeId) -> Result<()> {
        self.record_succession(
            &Author::Node,
            Permission::Maintain,
            old,
            &self.id(),
            "successor",
        )
    }

    /// Stores a witness's cosignature of a checkpoint of another node's chain held here (a
    /// predecessor's, replayed by the hub): the note must be signed by its origin and the
    /// cosignature verify, and the chain must be held up to its size.
    pub fn store_foreign_cosignature(&self, note: &str, cs: &Cosignature) -> Result<()> {
        let bad = |r: CosignRefusal| NodeError::Audit(AuditError::CosignRefused(r));
        let sc =
            SignedCheckpoint::parse_note(note).map_err(|e| bad(CosignRefusal::Malformed(e)))?;
        let cp = &sc.checkpoint;
        if cp.origin == self.id() {
            return self.store_cosignature(note, cs);
        }
        if !sc.signature_ok() || cp.realm != self.realm() {
            return Err(bad(CosignRefusal::NotOwnNote));
        }
        if cs.witness == cp.origin || !cs.verify(cp) {
            return Err(bad(CosignRefusal::BadWitnessSignature));
        }
        if cp.size > self.chain_len(&cp.origin)? {
            return Err(bad(CosignRefusal::AheadOfChain));
        }
        self.with_write(|tx, _| {
            tx.open_table(AUDIT_CHECKPOINTS)?
                .insert((&cp.origin.0, cp.size), note.as_bytes())?;
            tx.open_table(AUDIT_COSIGS)?.insert(
                (&cp.origin.0, cp.size, &cs.witness.0),
                cs.encode_value().as_slice(),
            )?;
            Ok(())
        })
    }
}
