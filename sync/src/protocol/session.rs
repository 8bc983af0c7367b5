//! The per-connection state machine: it is fed decoded messages and asked to produce the next
//! ones; the driver (`net.rs`) moves them over a QUIC stream. It does no network I/O and knows
//! no iroh type, but it is not free of I/O: it holds the [`Node`] and works on its redb store
//! synchronously, on the caller's thread (the driver runs each step on the blocking pool,
//! `blocking.rs`). It reads the change feed and the audit chains to build
//! batches, and it writes: each received `Docs` batch is ingested (`Node::ingest_batch`) and the
//! checkpoint advanced in one durable transaction before the `Ack`; acknowledged heads, received
//! audit chains, quarantine retries and witness cosignatures are committed the same way.
//!
//! Both sides run the same machine. After the two `Hello`s each side streams its change feed
//! after the checkpoint the other announced, in `Docs` batches of at most [`BATCH_ENTRIES`]
//! feed entries, keeping up to [`WINDOW`] batches in flight. The receiver ingests each batch in
//! one transaction that also advances its checkpoint, then `Ack`s it; the sender records which
//! heads the peer now holds. Audit chains of the two nodes follow the same way. `Idle` says "my
//! feed is sent"; in a one-shot round the initiator ends with `Done` once both sides are idle
//! and every batch is acknowledged.
//!
//! Messages that arrive together are taken together (`session/group.rs`): a run of `Docs` and
//! `Audit` messages is ingested in one durable commit, decoding on every core beside the one
//! writer, and each batch of it is acknowledged after that commit; a run of `Ack`s is recorded
//! in one commit. A backlog of audit entries is streamed ([`AUDIT_PUMP_BYTES`] per step, the
//! driver pumping again as its send queue drains), never held in memory whole.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::Instant;

use hoso_node::audit::checkpoint::{Cosignature, SignedCheckpoint};
use hoso_node::audit::witness::WitnessReply;
use hoso_node::error::{AuditError, CosignRefusal};
use hoso_node::ingest::{IncomingDoc, Ingested};
use hoso_node::peers::own_scope_holds;
use hoso_node::{CaseId, Node, NodeError, NodeId, NodeRole, Peer};
use serde::Serialize;

use super::inflate::{INFLATE_BELOW, undeflated};
use super::message::{AuditRecord, DocMsg, Jurisdiction, Message, PROTOCOL, WitnessMsg};
use super::pace::Pacer;
use crate::error::SyncError;

mod group;

/// Feed entries read per `Docs` batch.
pub const BATCH_ENTRIES: usize = 512;
/// Document bytes per batch before it is cut (well under the frame limit).
pub const BATCH_BYTES: usize = 2 << 20;
/// Largest part of one case in a `Docs` message: a bigger case travels as several parts of
/// whole changes; a case with one change over it is not sent (and reported).
pub const PART_BYTES: usize = 2 << 20;
/// Document bytes per `Docs` message: a batch with more (a case in parts) is sent as several
/// messages, each under the frame limit.
pub const MESSAGE_BYTES: usize = 4 << 20;
/// `Docs` batches in flight before waiting for an `Ack`.
pub const WINDOW: usize = 4;
/// Audit record and payload bytes one [`Session::pump`] sends at most while a backlog of
/// entries waits (the driver pumps again as its send queue drains): a commune with a large
/// backlog streams it instead of holding it all in memory at once.
pub const AUDIT_PUMP_BYTES: usize = 4 << 20;
/// Audit entries per `Audit` message.
pub const AUDIT_BATCH: usize = 1024;
/// Audit record and payload bytes per `Audit` message (one entry always fits: a record is
/// under 70 KB and a payload at most 1 MiB).
pub const AUDIT_BYTES: usize = 2 << 20;

/// Held audit entries the hub verifies per read transaction when it cosigns a checkpoint
/// ([`Node::witness_held`]): a backlog of any size is cosigned in one round, in steps of this
/// many entries.
pub const WITNESS_STEP: usize = 10_000;

/// What moved in one session, both ways.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RoundStats {
    /// Whole documents sent.
    pub docs_sent: u64,
    /// Change sets sent (cases the peer already had).
    pub changes_sent: u64,
    /// Whole documents received and stored.
    pub docs_received: u64,
    /// Change sets received and merged.
    pub changes_received: u64,
    /// Cases refused by the peer.
    pub refused_by_peer: u64,
    /// Cases refused here.
    pub refused_here: u64,
    /// Cases that entered the review queue here.
    pub conflicts: u64,
    /// Audit entries sent.
    pub audit_sent: u64,
    /// Audit entries received and stored.
    pub audit_received: u64,
    /// Audit entries refused here.
    pub audit_refused: u64,
    /// Equivocations found here.
    pub equivocations: u64,
    /// Checkpoints sent to the hub for cosigning (commune side).
    pub checkpoints_sent: u64,
    /// Cosignatures received and stored (commune side).
    pub cosignatures_stored: u64,
    /// Checkpoints the hub refused or whose cosignature could not be stored (commune side).
    pub witness_refused: u64,
    /// Checkpoints of the peer's chain cosigned here (hub side).
    pub checkpoints_witnessed: u64,
    /// Document bytes sent (inside frames).
    pub doc_bytes_sent: u64,
    /// Frame bytes sent (filled in by the driver).
    pub bytes_out: u64,
    /// Frame bytes received (filled in by the driver).
    pub bytes_in: u64,
    /// Why the peer refused the first case it refused (none when it refused nothing).
    pub refusal_reason: Option<String>,
    /// Cases not sent because one of their changes alone is over [`PART_BYTES`].
    pub too_large: u64,
    /// Cases quarantined earlier and merged in this session once their audit entries came.
    pub released: u64,
    /// The catalog version applied from the hub in this session (commune side).
    pub catalog_applied: Option<u64>,
    /// Catalog bundles refused here (bad signature, not newer, not from the hub…).
    pub catalog_refused: u64,
    /// Cases received that this node already held entirely (sent again: a batch whose ack a
    /// cut lost, or a case that reached this node by another path). Logged at info under the
    /// `hoso_sync::resent` target.
    pub already_held: u64,
    /// Cosignatures relayed to a hub with the entries that cite them (two hubs, issue 13).
    pub cosigs_relayed: u64,
    /// Cosignatures a peer relayed that were stored here (hub side).
    pub cosigs_relayed_stored: u64,
}

struct InFlight {
    upto: u64,
    seqs: BTreeMap<CaseId, u64>,
    /// Document bytes in it and when it was sent (for the [`Pacer`]).
    bytes: usize,
    sent: Instant,
}

/// One side of one sync connection.
pub struct Session {
    node: Node,
    peer: Peer,
    initiator: bool,
    once: bool,
    got_hello: bool,
    cursor: u64,
    inflight: VecDeque<InFlight>,
    audit_cursor: BTreeMap<NodeId, u64>,
    /// Heads sent in batches not yet acknowledged: assumed to arrive, so a case merged
    /// meanwhile is not sent back with them.
    in_flight_heads: BTreeMap<CaseId, Vec<[u8; 32]>>,
    idle_sent: Option<u64>,
    peer_idle: bool,
    done_sent: bool,
    peer_done: bool,
    /// Commune side: the size of the checkpoint awaiting the hub's answer.
    checkpoint_outstanding: Option<u64>,
    /// Commune side: the size last asked to be cosigned (not asked again in this session).
    checkpoint_asked: Option<u64>,
    /// Commune side: the outstanding checkpoint was already resent after a conflict.
    checkpoint_retried: bool,
    /// What moved so far.
    pub stats: RoundStats,
    /// Every doc id and byte count sent, when tracing is on (tests count re-sends with it).
    pub sent_log: Option<Vec<(CaseId, usize)>>,
    /// Feed entries per `Docs` batch.
    pub batch_entries: usize,
    /// Largest part of one case ([`PART_BYTES`]).
    pub part_bytes: usize,
    /// Audit bytes per `Audit` message ([`AUDIT_BYTES`]).
    pub audit_bytes: usize,
    /// Hub side: held entries verified per step when cosigning ([`WITNESS_STEP`]).
    pub witness_step: usize,
    /// Sizes batches to the link (at most [`BATCH_BYTES`]).
    pacer: Pacer,
    /// The driver compresses this session's frames (`hoso/sync/2`): on a slow link whole
    /// documents then go without Automerge's deflate ([`super::inflate`]).
    pub compressed_frames: bool,
    /// The peer takes whole documents as stored rows (`hoso/sync/3`): sent so whenever whole
    /// documents are not being sent without deflate for a slow link.
    pub rows: bool,
    /// What the peer declared in its hello.
    peer_juris: Option<Jurisdiction>,
    /// While restoring: cosignatures the hub replayed, waiting for their entries.
    replayed_cosigs: Vec<(String, String)>,
    /// Chains of the nodes either side took the place of (`hoso_node::rebuild`).
    predecessors: Vec<NodeId>,
    /// The catalog exchange (issue 12).
    catalog: super::catalog::CatalogState,
    /// Between two hubs: the chains of the communes in this node's peers file, forwarded so
    /// that either hub can verify and cosign what a commune sent only to the other.
    relayed: Vec<NodeId>,
    /// Hub side: the hubs of this node's peers file, whose cosignatures a peer may relay.
    hub_witnesses: Vec<NodeId>,
    /// Cosignatures already relayed to the peer in this session (origin, size, witness).
    cosigs_relayed: BTreeSet<(NodeId, u64, NodeId)>,
    /// Anchors cited by entries sent to the peer whose cosignature this node did not hold yet
    /// (a hub forwarding entries that arrived a moment before their cosignature): looked up
    /// again on every step until found.
    anchors_wanted: BTreeMap<NodeId, BTreeSet<u64>>,
    /// More audit entries wait to be sent than the last [`Session::pump`] sent.
    audit_behind: bool,
}

impl Session {
    /// A session with `peer`. `once`: end after one round (the initiator sends `Done`).
    pub fn new(node: Node, peer: Peer, initiator: bool, once: bool) -> Session {
        let predecessors = super::restore::predecessors(&node, &peer.node_id);
        let (relayed, hub_witnesses) = province_peers(&node, &peer);
        Session {
            node,
            peer,
            initiator,
            once,
            got_hello: false,
            cursor: 0,
            inflight: VecDeque::new(),
            audit_cursor: BTreeMap::new(),
            in_flight_heads: BTreeMap::new(),
            idle_sent: None,
            peer_idle: false,
            done_sent: false,
            peer_done: false,
            checkpoint_outstanding: None,
            checkpoint_asked: None,
            checkpoint_retried: false,
            stats: RoundStats::default(),
            sent_log: None,
            batch_entries: BATCH_ENTRIES,
            part_bytes: PART_BYTES,
            audit_bytes: AUDIT_BYTES,
            witness_step: WITNESS_STEP,
            pacer: Pacer::new(BATCH_BYTES),
            compressed_frames: false,
            rows: false,
            peer_juris: None,
            replayed_cosigs: Vec::new(),
            predecessors,
            catalog: Default::default(),
            relayed,
            hub_witnesses,
            cosigs_relayed: BTreeSet::new(),
            anchors_wanted: BTreeMap::new(),
            audit_behind: false,
        }
    }

    /// True when the peer may hold a case of this jurisdiction: its peers-file scope narrowed
    /// to what it declared itself to be in its hello (nothing before the hello).
    fn peer_may_hold(&self, province: &str, commune: &str) -> bool {
        let Some(j) = &self.peer_juris else {
            return false;
        };
        if !self.peer.may_hold(province, commune) || j.province != province {
            return false;
        }
        match j.role {
            NodeRole::Hub => true,
            NodeRole::Commune => j.commune.as_deref() == Some(commune),
        }
    }

    /// Why the peer's declaration contradicts its peers-file entry, if it does.
    fn scope_mismatch(&self, j: &Jurisdiction) -> Option<String> {
        let declared = match &j.commune {
            Some(c) => format!("{} {c} of province {}", j.role.as_str(), j.province),
            None => format!("{} of province {}", j.role.as_str(), j.province),
        };
        let entry_ok = j.role == self.peer.role
            && match j.role {
                NodeRole::Hub => self.peer.scope.contains(&j.province),
                NodeRole::Commune => j
                    .commune
                    .as_ref()
                    .is_some_and(|c| self.peer.scope.contains(c)),
            };
        if entry_ok {
            return None;
        }
        Some(format!(
            "peer {} says it is the {declared}, but this node's peers file has it as {} with scope {}; nothing was exchanged: fix the entry with `hoso peer add {} --role {} --scope CODE`",
            self.peer.name,
            self.peer.role.as_str(),
            self.peer.scope.join(","),
            self.peer.node_id,
            j.role.as_str()
        ))
    }

    /// The peer.
    pub fn peer(&self) -> &Peer {
        &self.peer
    }

    /// The chains both sides exchange: the two nodes' own, and those of the nodes they took
    /// the place of.
    fn chain_origins(&self) -> Vec<NodeId> {
        let mut o = vec![self.node.id(), self.peer.node_id];
        for id in self.predecessors.iter().chain(&self.relayed) {
            if !o.contains(id) {
                o.push(*id);
            }
        }
        o
    }

    /// True when the cosignatures of `origin`'s chain go to the peer with its entries: to a
    /// hub, for this node's own chain or a commune's chain forwarded between hubs.
    fn relays_cosigs(&self, origin: &NodeId) -> bool {
        self.peer.role == NodeRole::Hub
            && *origin != self.peer.node_id
            && (*origin == self.node.id() || self.relayed.contains(origin))
    }

    /// `Witness` messages carrying the cosignatures of `origin`'s chain in `range` (the anchors
    /// cited by entries just sent) and at the sizes still wanted, not yet relayed in this
    /// session; cited sizes this node holds no cosignature for yet stay in `anchors_wanted` and
    /// are looked up again on later steps.
    fn relay_cosigs(
        &mut self,
        origin: &NodeId,
        range: Option<(u64, u64)>,
        cited: BTreeSet<u64>,
    ) -> Result<Vec<Message>, SyncError> {
        let mut extra = self.anchors_wanted.remove(origin).unwrap_or_default();
        extra.extend(cited);
        if range.is_none() && extra.is_empty() {
            return Ok(Vec::new());
        }
        let found = self
            .node
            .cosignatures_at(origin, range, &extra, &self.peer.node_id)?;
        let mut out = Vec::new();
        for (size, note, cs) in found.cosignatures {
            if self.cosigs_relayed.insert((*origin, size, cs.witness)) {
                self.stats.cosigs_relayed += 1;
                out.push(Message::Witness {
                    reply: WitnessMsg::Cosigned {
                        note,
                        cosignature: cs.line(),
                    },
                });
            }
        }
        if !found.missing.is_empty() {
            self.anchors_wanted.insert(
                *origin,
                found
                    .missing
                    .into_iter()
                    .take(hoso_node::audit::relay::MAX_ANCHORS)
                    .collect(),
            );
        }
        Ok(out)
    }

    /// Hub side: a cosignature the peer relayed (not the answer to a checkpoint request):
    /// stored when it verifies over entries held here, else logged and dropped.
    fn on_relayed_cosig(&mut self, reply: WitnessMsg) -> Result<Vec<Message>, SyncError> {
        let WitnessMsg::Cosigned { note, cosignature } = reply else {
            return Err(SyncError::Protocol(
                "witness reply without a checkpoint request".into(),
            ));
        };
        let stored = Cosignature::parse_line(&cosignature)
            .map_err(|e| NodeError::from(AuditError::CosignRefused(CosignRefusal::Malformed(e))))
            .and_then(|cs| {
                // Only a hub this node peers with is a witness whose word it keeps.
                if !self.hub_witnesses.contains(&cs.witness) {
                    tracing::warn!(peer = %self.peer.name, witness = %cs.witness, "a relayed cosignature by a node that is not a hub in the peers file was dropped");
                    return Ok(false);
                }
                self.node.store_foreign_cosignature(&note, &cs).map(|()| true)
            });
        match stored {
            Ok(true) => self.stats.cosigs_relayed_stored += 1,
            Ok(false) => {}
            Err(NodeError::Audit(AuditError::CosignRefused(why))) => {
                tracing::warn!(peer = %self.peer.name, %why, "a relayed cosignature was not stored");
            }
            Err(e) => return Err(e.into()),
        }
        Ok(vec![])
    }

    /// The first message.
    pub fn hello(&self) -> Result<Message, SyncError> {
        let mut chains = Vec::new();
        for o in self.chain_origins() {
            chains.push((o, super::restore::declared_len(&self.node, &o)?));
        }
        let cfg = self.node.config();
        Ok(Message::Hello {
            protocol: PROTOCOL,
            feed_after: self.node.sync_checkpoint(&self.peer.node_id)?,
            chains,
            juris: Jurisdiction {
                role: cfg.role,
                province: cfg.province.clone(),
                commune: match cfg.role {
                    NodeRole::Hub => None,
                    NodeRole::Commune => cfg.commune.clone(),
                },
            },
        })
    }

    /// Local feed entries not yet sent to the peer (an upper bound on pending cases).
    pub fn pending(&self) -> u64 {
        self.node
            .feed_head()
            .map(|h| h.saturating_sub(self.cursor))
            .unwrap_or(0)
    }

    /// Handles one message from the peer; returns the replies.
    pub fn on_message(&mut self, msg: Message) -> Result<Vec<Message>, SyncError> {
        if !self.got_hello && !matches!(msg, Message::Hello { .. } | Message::Error { .. }) {
            return Err(SyncError::Protocol(format!(
                "expected hello, got {}",
                msg.kind()
            )));
        }
        match msg {
            Message::Hello {
                protocol,
                feed_after,
                chains,
                juris,
            } => {
                if self.got_hello {
                    return Err(SyncError::Protocol("second hello".into()));
                }
                if protocol != PROTOCOL {
                    return Err(SyncError::Protocol(format!(
                        "peer speaks protocol {protocol}, this node {PROTOCOL}"
                    )));
                }
                if let Some(why) = self.scope_mismatch(&juris) {
                    return Err(SyncError::ScopeMismatch(why));
                }
                self.peer_juris = Some(juris);
                self.got_hello = true;
                let mut first = super::restore::on_peer_hello(
                    &self.node,
                    &self.peer.node_id,
                    &self.chain_origins(),
                    &chains,
                )?;
                // A node being restored sends its whole feed: what the peer held may be more
                // than the feed position it acknowledged before the loss.
                self.cursor = if self.node.is_restoring()? {
                    0
                } else {
                    feed_after
                };
                let origins = self.chain_origins();
                for o in origins {
                    let theirs = chains
                        .iter()
                        .find(|(id, _)| *id == o)
                        .map(|(_, n)| *n)
                        .unwrap_or(0);
                    self.audit_cursor.insert(o, theirs);
                }
                first.extend(self.pump()?);
                Ok(first)
            }
            Message::Docs { upto, docs } => self.on_docs(upto, docs),
            Message::Ack {
                upto,
                refused,
                acked,
                reason,
            } => {
                let rows = self.take_ack(upto, refused, acked, reason)?;
                self.node.record_acked(&self.peer.node_id, &rows)?;
                self.pump()
            }
            Message::Audit { origin, entries } => self.on_audit(origin, entries),
            Message::Idle { upto } => {
                // Every batch before this message is durable here, and the peer skipped the
                // rest of its feed up to `upto`: the checkpoint may move there.
                self.node.advance_checkpoint(&self.peer.node_id, upto)?;
                self.peer_idle = true;
                self.pump()
            }
            Message::Done => {
                self.peer_done = true;
                if self.done_sent {
                    Ok(vec![])
                } else {
                    self.done_sent = true;
                    Ok(vec![Message::Done])
                }
            }
            Message::Error { reason } => Err(SyncError::PeerError(reason)),
            Message::Checkpoint { old_size, note } => {
                let reply =
                    witness_hook(&self.node, &self.peer, old_size, &note, self.witness_step)?;
                match &reply {
                    WitnessMsg::Cosigned { .. } => self.stats.checkpoints_witnessed += 1,
                    WitnessMsg::Refused { reason, evidence } => {
                        tracing::warn!(peer = %self.peer.name, %reason, evidence, "refused to cosign a checkpoint");
                    }
                    WitnessMsg::Conflict { .. } => {}
                }
                Ok(vec![Message::Witness { reply }])
            }
            Message::Witness { reply } => self.on_witness(reply),
            Message::Catalog { step } => {
                let mut out = self.catalog.on_step(
                    &self.node,
                    &self.peer,
                    step,
                    &mut self.stats.catalog_applied,
                    &mut self.stats.catalog_refused,
                )?;
                out.extend(self.pump()?);
                Ok(out)
            }
        }
    }

    /// Takes the peer's `Ack` of the oldest batch in flight: the batch leaves the window and
    /// the rows the peer now holds are returned, for [`Node::record_acked`].
    #[allow(clippy::type_complexity)]
    fn take_ack(
        &mut self,
        upto: u64,
        refused: u32,
        acked: Vec<(CaseId, Vec<[u8; 32]>)>,
        reason: String,
    ) -> Result<Vec<(CaseId, u64, Vec<[u8; 32]>)>, SyncError> {
        let Some(batch) = self.inflight.pop_front() else {
            return Err(SyncError::Protocol("ack without a batch in flight".into()));
        };
        if batch.upto != upto {
            return Err(SyncError::Protocol(format!(
                "ack for {upto}, expected {}",
                batch.upto
            )));
        }
        self.stats.refused_by_peer += u64::from(refused);
        if refused > 0 {
            tracing::warn!(peer = %self.peer.name, refused, %reason, "the peer refused cases");
            if self.stats.refusal_reason.is_none() {
                self.stats.refusal_reason = Some(reason);
            }
        }
        self.pacer.acked(batch.bytes, batch.sent, Instant::now());
        for id in batch.seqs.keys() {
            self.in_flight_heads.remove(id);
        }
        Ok(acked
            .into_iter()
            .filter_map(|(id, heads)| batch.seqs.get(&id).map(|s| (id, *s, heads)))
            .collect())
    }

    /// Commune side: the hub's answer to the outstanding checkpoint.
    fn on_witness(&mut self, reply: WitnessMsg) -> Result<Vec<Message>, SyncError> {
        if self.checkpoint_outstanding.is_none()
            && super::restore::take_replayed(&self.node, &mut self.replayed_cosigs, &reply)?
        {
            return Ok(vec![]);
        }
        if self.checkpoint_outstanding.is_none() && self.node.config().role == NodeRole::Hub {
            return self.on_relayed_cosig(reply);
        }
        if self.checkpoint_outstanding.take().is_none() {
            return Err(SyncError::Protocol(
                "witness reply without a checkpoint request".into(),
            ));
        }
        let mut out = Vec::new();
        match reply {
            WitnessMsg::Cosigned { note, cosignature } => {
                let stored = Cosignature::parse_line(&cosignature)
                    .map_err(|e| {
                        NodeError::from(AuditError::CosignRefused(CosignRefusal::Malformed(e)))
                    })
                    .and_then(|cs| self.node.store_cosignature(&note, &cs));
                match stored {
                    Ok(()) => self.stats.cosignatures_stored += 1,
                    Err(NodeError::Audit(AuditError::CosignRefused(why))) => {
                        self.stats.witness_refused += 1;
                        tracing::warn!(peer = %self.peer.name, %why, "the hub's cosignature was not stored");
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            WitnessMsg::Conflict { latest } if !self.checkpoint_retried => {
                self.checkpoint_retried = true;
                let sc = self.node.own_checkpoint()?;
                self.checkpoint_outstanding = Some(sc.checkpoint.size);
                self.stats.checkpoints_sent += 1;
                out.push(Message::Checkpoint {
                    old_size: latest,
                    note: sc.to_note(),
                });
            }
            WitnessMsg::Conflict { latest } => {
                self.stats.witness_refused += 1;
                tracing::warn!(peer = %self.peer.name, latest, "the hub answered a checkpoint with a conflict twice");
            }
            WitnessMsg::Refused { reason, evidence } => {
                self.stats.witness_refused += 1;
                tracing::warn!(peer = %self.peer.name, %reason, evidence, "the hub refused to cosign this node's checkpoint");
            }
        }
        out.extend(self.pump()?);
        Ok(out)
    }

    /// Commune side: a `Checkpoint` for the own chain's head, when the hub has been sent the
    /// whole chain, the head is beyond the last cosigned size, and none is outstanding.
    fn checkpoint_due(&mut self) -> Result<Option<Message>, SyncError> {
        if self.node.config().role != NodeRole::Commune
            || self.peer.role != NodeRole::Hub
            || self.checkpoint_outstanding.is_some()
            || self.node.is_restoring()?
        {
            return Ok(None);
        }
        let me = self.node.id();
        let head = self.node.chain_head();
        let size = head.next_seq;
        let sent = self.audit_cursor.get(&me).copied().unwrap_or(0);
        if sent < size || size <= head.anchor_size || self.checkpoint_asked == Some(size) {
            return Ok(None);
        }
        let sc = self.node.own_checkpoint()?;
        let size = sc.checkpoint.size;
        self.checkpoint_asked = Some(size);
        self.checkpoint_outstanding = Some(size);
        self.checkpoint_retried = false;
        self.stats.checkpoints_sent += 1;
        Ok(Some(Message::Checkpoint {
            old_size: head.anchor_size,
            note: sc.to_note(),
        }))
    }

    fn on_docs(&mut self, upto: u64, docs: Vec<DocMsg>) -> Result<Vec<Message>, SyncError> {
        let incoming: Vec<IncomingDoc> = docs
            .into_iter()
            .map(|d| IncomingDoc {
                id: d.id,
                full: d.full,
                heads: d.heads,
                bytes: d.bytes,
            })
            .collect();
        let cfg = self.node.config().clone();
        let report = {
            let allow = |p: &str, c: &str| self.peer_may_hold(p, c) && own_scope_holds(&cfg, p, c);
            self.node
                .ingest_batch(&self.peer.node_id, &incoming, upto, &allow)?
        };
        Ok(vec![self.ack_of(upto, &incoming, report)])
    }

    /// The `Ack` of a `Docs` batch ingested here (its report), with the statistics it moves.
    fn ack_of(
        &mut self,
        upto: u64,
        incoming: &[IncomingDoc],
        report: hoso_node::ingest::IngestReport,
    ) -> Message {
        let mut acked = Vec::new();
        let mut refused = 0u32;
        let mut already_held = 0u64;
        let mut first_reason = String::new();
        for (item, d) in report.items.into_iter().zip(incoming) {
            match item {
                Ingested::Stored {
                    id,
                    heads,
                    conflict,
                    changed,
                    ..
                } => {
                    if changed {
                        if d.full {
                            self.stats.docs_received += 1;
                        } else {
                            self.stats.changes_received += 1;
                        }
                    } else {
                        already_held += 1;
                    }
                    if conflict {
                        self.stats.conflicts += 1;
                    }
                    acked.push((id, heads));
                }
                Ingested::Refused { id, reason, .. } => {
                    refused += 1;
                    self.stats.refused_here += 1;
                    tracing::warn!(peer = %self.peer.name, case = %id, %reason, "refused a case from a peer; quarantined");
                    if first_reason.is_empty() {
                        first_reason = reason;
                    }
                }
            }
        }
        if already_held > 0 {
            self.stats.already_held += already_held;
            tracing::info!(target: "hoso_sync::resent", peer = %self.peer.name, upto, already_held, "received cases already held here");
        }
        Message::Ack {
            upto,
            refused,
            acked,
            reason: first_reason,
        }
    }

    /// The role, province and commune a chain's genesis entry declares, if `entries` holds it.
    fn genesis_mismatch(&self, entries: &[AuditRecord]) -> Option<String> {
        let j = self.peer_juris.as_ref()?;
        let g = entries.first()?;
        let e = hoso_node::audit::entry::Entry::from_record(&g.record).ok()?;
        if e.body.seq != 0 {
            return None;
        }
        #[derive(serde::Deserialize)]
        struct Genesis {
            role: NodeRole,
            province: String,
            commune: Option<String>,
        }
        let genesis: Genesis = serde_json::from_slice(g.payload.as_deref()?).ok()?;
        let commune = match genesis.role {
            NodeRole::Hub => None,
            NodeRole::Commune => genesis.commune.clone(),
        };
        if genesis.role == j.role && genesis.province == j.province && commune == j.commune {
            return None;
        }
        Some(format!(
            "the audit chain of peer {} begins as the {} of {}/{}, not what it declared; its entries were not stored",
            self.peer.name,
            genesis.role.as_str(),
            genesis.province,
            genesis.commune.unwrap_or_default()
        ))
    }

    fn on_audit(
        &mut self,
        origin: NodeId,
        entries: Vec<AuditRecord>,
    ) -> Result<Vec<Message>, SyncError> {
        if !self.audit_admitted(&origin, &entries)? {
            return Ok(vec![]);
        }
        let rows: Vec<_> = entries.into_iter().map(|e| (e.record, e.payload)).collect();
        let r = self.node.ingest_chain(&origin, &rows)?;
        self.count_audit(rows.len(), &r);
        if r.stored > 0 {
            self.after_audit_stored()?;
        }
        Ok(vec![])
    }

    /// An audit message's checks before its entries are read: `Ok(false)` when its chain is
    /// not one this session exchanges (refused, counted); an error when the peer's own chain
    /// begins as another node than it declared.
    fn audit_admitted(
        &mut self,
        origin: &NodeId,
        entries: &[AuditRecord],
    ) -> Result<bool, SyncError> {
        if !self.chain_origins().contains(origin) {
            self.stats.audit_refused += entries.len() as u64;
            tracing::warn!(peer = %self.peer.name, origin = %origin, "refused a chain outside scope");
            return Ok(false);
        }
        if *origin == self.peer.node_id
            && let Some(why) = self.genesis_mismatch(entries)
        {
            return Err(SyncError::ScopeMismatch(why));
        }
        Ok(true)
    }

    /// Counts what ingesting `n` received entries did.
    fn count_audit(&mut self, n: usize, r: &hoso_node::audit::replica::ChainIngest) {
        self.stats.audit_received += r.stored;
        self.stats.equivocations += r.forks;
        if let Some(why) = &r.refused {
            self.stats.audit_refused += n as u64 - r.stored - r.duplicates - r.forks;
            tracing::warn!(peer = %self.peer.name, %why, "refused audit entries");
        }
    }

    /// After received entries were stored: the cosignatures a restore replayed that wait for
    /// them, and the cases quarantined for want of them.
    fn after_audit_stored(&mut self) -> Result<(), SyncError> {
        if !self.replayed_cosigs.is_empty() {
            super::restore::store_pending(&self.node, &mut self.replayed_cosigs)?;
        }
        {
            // Cases refused for want of these entries may now be merged.
            let cfg = self.node.config().clone();
            let released = {
                let allow =
                    |p: &str, c: &str| self.peer_may_hold(p, c) && own_scope_holds(&cfg, p, c);
                self.node.retry_quarantined(&self.peer.node_id, &allow)?
            };
            self.stats.released += released;
        }
        Ok(())
    }

    /// Produces what can be sent now: new audit entries first (so the peer holds the entry of
    /// every change before the change arrives), then feed batches while the window allows,
    /// `Idle` when the feed is sent, `Done` when a one-shot round is complete.
    pub fn pump(&mut self) -> Result<Vec<Message>, SyncError> {
        let mut out = Vec::new();
        if !self.got_hello || self.done_sent {
            return Ok(out);
        }
        // A backlog of audit entries is streamed: at most `AUDIT_PUMP_BYTES` per call, and no
        // documents until it is sent (the driver calls again as its queue drains, see
        // `audit_behind`). Then the documents are read before the audit entries: an entry is
        // written in the same transaction as its change, so every change read here has its
        // entry read below.
        self.audit_behind = !self.send_audit(Some(AUDIT_PUMP_BYTES), &mut out)?;
        let mut docs_out = Vec::new();
        let mut exhausted = false;
        while !self.audit_behind && self.inflight.len() < WINDOW {
            // On a slow link whole documents go without deflate (below); otherwise as stored
            // rows when the peer takes them: neither side inflates nor deflates them again.
            let undeflate = self.compressed_frames && self.pacer.budget() < INFLATE_BELOW;
            let rows = self.rows && !undeflate;
            let batch = {
                let in_flight = &self.in_flight_heads;
                let assume = |id: &CaseId| in_flight.get(id).cloned().unwrap_or_default();
                let may_hold = |p: &str, c: &str| self.peer_may_hold(p, c);
                self.node.outgoing_as(
                    &self.peer,
                    &may_hold,
                    self.cursor,
                    self.batch_entries,
                    self.pacer.budget(),
                    self.part_bytes,
                    &assume,
                    rows,
                )?
            };
            if batch.scanned == 0 {
                exhausted = true;
                break;
            }
            self.stats.too_large += batch.too_large.len() as u64;
            let before = self.cursor;
            self.cursor = batch.upto;
            if batch.docs.is_empty() {
                continue;
            }
            // One message per `MESSAGE_BYTES`; all but the last acknowledge only up to where
            // the batch began, so a cut between them never skips the rest of a case.
            let mut groups: Vec<Vec<(DocMsg, u64)>> = vec![Vec::new()];
            let mut size = 0usize;
            for d in batch.docs {
                if !d.heads.is_empty() {
                    self.in_flight_heads.insert(d.id, d.heads.clone());
                }
                if d.full {
                    self.stats.docs_sent += 1;
                } else {
                    self.stats.changes_sent += 1;
                }
                self.stats.doc_bytes_sent += d.bytes.len() as u64;
                if let Some(log) = &mut self.sent_log {
                    log.push((d.id, d.bytes.len()));
                }
                let last = groups.last().map_or(0, Vec::len);
                if last > 0 && size + d.bytes.len() > MESSAGE_BYTES {
                    groups.push(Vec::new());
                    size = 0;
                }
                size += d.bytes.len();
                if let Some(g) = groups.last_mut() {
                    g.push((
                        DocMsg {
                            id: d.id,
                            full: d.full,
                            heads: d.heads,
                            bytes: d.bytes,
                        },
                        d.seq,
                    ));
                }
            }
            if undeflate {
                for group in &mut groups {
                    for (d, _) in group.iter_mut().filter(|(d, _)| d.full) {
                        if let Some(b) = undeflated(&d.bytes) {
                            d.bytes = b;
                        }
                    }
                }
            }
            let n = groups.len();
            for (i, group) in groups.into_iter().enumerate() {
                let upto = if i + 1 == n { batch.upto } else { before };
                let seqs = group.iter().map(|(d, seq)| (d.id, *seq)).collect();
                let bytes = group.iter().map(|(d, _)| d.bytes.len()).sum();
                let docs = group.into_iter().map(|(d, _)| d).collect();
                self.inflight.push_back(InFlight {
                    upto,
                    seqs,
                    bytes,
                    sent: Instant::now(),
                });
                docs_out.push(Message::Docs { upto, docs });
            }
        }
        if !self.audit_behind {
            self.send_audit(None, &mut out)?;
        }
        out.extend(docs_out);
        // Hub side: the newest catalog version, before `Idle` (a one-shot round waits for it).
        if let Some(m) = self.catalog.offer(&self.node, &self.peer)? {
            out.push(m);
        }
        // After the own chain's entries, so the hub holds them when the request arrives; before
        // `Idle`, so a hub that initiated a one-shot round answers it before its `Done`.
        if let Some(m) = self.checkpoint_due()? {
            out.push(m);
        }
        if exhausted && self.idle_sent != Some(self.cursor) {
            self.idle_sent = Some(self.cursor);
            out.push(Message::Idle { upto: self.cursor });
        }
        if self.once
            && self.initiator
            && exhausted
            && self.inflight.is_empty()
            && self.peer_idle
            && self.checkpoint_outstanding.is_none()
            && !self.catalog.pending()
            && !self.done_sent
        {
            self.done_sent = true;
            out.push(Message::Done);
        }
        Ok(out)
    }

    /// Appends `Audit` messages of every chain exchanged, from where the peer is, to `out`: all
    /// there is, or about `budget` bytes of records and payloads. True when every chain was
    /// sent to its end.
    fn send_audit(
        &mut self,
        mut budget: Option<usize>,
        out: &mut Vec<Message>,
    ) -> Result<bool, SyncError> {
        let mut caught_up = true;
        for o in self.chain_origins() {
            let Some(from) = self.audit_cursor.get(&o).copied() else {
                continue;
            };
            let mut cited: Option<(u64, u64)> = None;
            let mut ends = BTreeSet::new();
            let relays = self.relays_cosigs(&o);
            loop {
                if budget == Some(0) {
                    caught_up = false;
                    break;
                }
                let may_hold = |p: &str, c: &str| self.peer_may_hold(p, c);
                let recs = self.node.chain_records_bounded(
                    &o,
                    from_cursor(&self.audit_cursor, &o, from),
                    AUDIT_BATCH,
                    self.audit_bytes.min(self.pacer.audit_budget()),
                    &may_hold,
                )?;
                if recs.is_empty() {
                    break;
                }
                let bytes: usize = recs
                    .iter()
                    .map(|(r, p)| r.len() + p.as_ref().map_or(0, Vec::len))
                    .sum();
                if relays && let Some(((lo, hi), e)) = hoso_node::audit::relay::cited_range(&recs) {
                    cited = Some(cited.map_or((lo, hi), |(a, b)| (a.min(lo), b.max(hi))));
                    ends.extend(e);
                }
                let n = recs.len() as u64;
                self.stats.audit_sent += n;
                if let Some(c) = self.audit_cursor.get_mut(&o) {
                    *c += n;
                }
                budget = budget.map(|b| b.saturating_sub(bytes));
                out.push(Message::Audit {
                    origin: o,
                    entries: recs
                        .into_iter()
                        .map(|(record, payload)| AuditRecord { record, payload })
                        .collect(),
                });
            }
            if relays {
                // After the entries, so the peer holds what each cosignature covers; with the
                // anchors still wanted from earlier steps.
                out.extend(self.relay_cosigs(&o, cited, ends)?);
            }
        }
        Ok(caught_up)
    }

    /// The session holds more audit entries to send than one step sends: call
    /// [`Session::pump`] again once what was sent has left (the driver does, as its queue drains).
    pub fn audit_behind(&self) -> bool {
        self.audit_behind && self.got_hello && !self.done_sent
    }

    /// Both sides said `Done` (one-shot round over).
    pub fn finished(&self) -> bool {
        self.done_sent && self.peer_done
    }

    /// The peer's hello was accepted (its jurisdiction matched).
    pub fn got_hello(&self) -> bool {
        self.got_hello
    }

    /// The peer said it has sent its whole feed for this node (`Idle`).
    pub fn peer_sent_all(&self) -> bool {
        self.peer_idle
    }
}

fn from_cursor(c: &BTreeMap<NodeId, u64>, o: &NodeId, dflt: u64) -> u64 {
    c.get(o).copied().unwrap_or(dflt)
}

/// The hub's side of the witness flow (issue 5, message tags
/// [`super::message::WITNESS_TAGS`]): a commune asked to cosign a checkpoint of its chain. The
/// entries `old_size..size` already travelled in `Audit` messages and were verified and stored
/// here, so the hub cosigns from what it holds ([`Node::witness_held`], `step` entries per read
/// transaction: a backlog of any size is cosigned in this round). Only a hub witnesses, and
/// only the connected commune's own chain. The commune stores the cosignature
/// (`Session::on_witness`) and cites it as the anchor of its next entry.
pub fn witness_hook(
    node: &Node,
    peer: &Peer,
    old_size: u64,
    note: &str,
    step: usize,
) -> Result<WitnessMsg, SyncError> {
    let refuse = |reason: String| {
        Ok(WitnessMsg::Refused {
            reason,
            evidence: false,
        })
    };
    if node.config().role != NodeRole::Hub || peer.role != NodeRole::Commune {
        return refuse("only a hub cosigns, and only a commune's chain".into());
    }
    let sc = match SignedCheckpoint::parse_note(note) {
        Ok(sc) => sc,
        Err(e) => return refuse(e.to_string()),
    };
    if sc.checkpoint.origin != peer.node_id {
        return refuse("a checkpoint of another node's chain".into());
    }
    Ok(match node.witness_held(old_size, note, step)? {
        WitnessReply::Cosigned { note, cosignature } => WitnessMsg::Cosigned {
            note,
            cosignature: cosignature.line(),
        },
        WitnessReply::Conflict { latest } => WitnessMsg::Conflict { latest },
        WitnessReply::Refused { reason, evidence } => WitnessMsg::Refused { reason, evidence },
    })
}

/// At a hub: the communes of its peers file and their predecessors when `peer` is a hub too
/// (their chains are forwarded to it), and the hubs of its peers file (witnesses whose relayed cosignatures it keeps). Empty
/// at a commune, or when the peers file does not read.
fn province_peers(node: &Node, peer: &Peer) -> (Vec<NodeId>, Vec<NodeId>) {
    if node.config().role != NodeRole::Hub {
        return (Vec::new(), Vec::new());
    }
    let peers = match hoso_node::Peers::load(node.dir()) {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the peers file: no commune chain forwarded");
            return (Vec::new(), Vec::new());
        }
    };
    let of = |role: NodeRole| -> Vec<NodeId> {
        peers
            .peer
            .iter()
            .filter(|p| p.role == role)
            .map(|p| p.node_id)
            .collect()
    };
    let mut communes = Vec::new();
    if peer.role == NodeRole::Hub {
        // With the nodes each commune took the place of (`hoso node retire` on both hubs).
        for c in of(NodeRole::Commune) {
            let before = node.predecessors_of(&c).unwrap_or_default();
            for id in std::iter::once(c).chain(before) {
                if !communes.contains(&id) {
                    communes.push(id);
                }
            }
        }
    }
    (communes, of(NodeRole::Hub))
}
