//! The node side of replication: what to send a peer (from the change feed, within its scope,
//! skipping what it already holds) and the batch ingest of what a peer sent (scope-checked,
//! merged, indexed and checkpointed in one durable transaction).
//!
//! Per peer the store keeps:
//! - [`SYNC_CHECKPOINTS`]: the peer's feed seq up to which everything it sent is durable here;
//!   it advances in the same transaction as the batch, so a cut link resumes exactly there;
//! - [`PEER_HEADS`]: per case, the heads the peer is known to hold and the local feed seq at
//!   which those heads were the whole local document. A feed entry at that seq is skipped
//!   without loading the document (this is what stops merged cases from echoing back), and a
//!   changed case travels as `save_after(peer heads)`: exactly the changes the peer lacks.

use automerge::{AutoCommit, ChangeHash};
use redb::{ReadableDatabase, ReadableTable, WriteTransaction};

use crate::case::{CaseDoc, CaseSummary};
use crate::error::{NodeError, Result};
use crate::ids::{CaseId, NodeId};
use crate::node::Node;
use crate::peers::Peer;
use crate::store::tables::{
    CASES, DOC_CHANGES, DOCS, FEED, FEED_BY_DOC, PEER_HEADS, RECEIPTS, SYNC_CHECKPOINTS,
};

/// Most heads a case may claim in one message (Automerge heads of one case are a handful).
pub const MAX_HEADS: usize = 256;

/// One case to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutgoingDoc {
    /// The case.
    pub id: CaseId,
    /// Local feed seq of this version.
    pub seq: u64,
    /// `true`: `bytes` is the whole compacted document; `false`: changes after the peer's heads.
    pub full: bool,
    /// The sender's heads (empty for a full document: the receiver reads them from it).
    pub heads: Vec<[u8; 32]>,
    /// The document or the changes.
    pub bytes: Vec<u8>,
}

/// A batch of the feed for one peer.
#[derive(Clone, Debug, Default)]
pub struct Outgoing {
    /// The cases to send.
    pub docs: Vec<OutgoingDoc>,
    /// Every feed entry up to this seq was considered (sent, skipped or out of scope).
    pub upto: u64,
    /// Feed entries looked at.
    pub scanned: usize,
}

/// One case received from a peer.
#[derive(Clone, Debug)]
pub struct IncomingDoc {
    /// The case.
    pub id: CaseId,
    /// Whole document (`true`) or changes.
    pub full: bool,
    /// The sender's heads (for changes).
    pub heads: Vec<[u8; 32]>,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// What happened to one received case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ingested {
    /// Stored (or already held). `heads` are the sender's heads, now known to be held here.
    Stored {
        /// The case.
        id: CaseId,
        /// It was new here.
        created: bool,
        /// The merge added changes.
        changed: bool,
        /// It entered the review queue.
        conflict: bool,
        /// The sender's heads.
        heads: Vec<[u8; 32]>,
    },
    /// Refused; nothing of it was stored.
    Refused {
        /// The case.
        id: CaseId,
        /// Why, for the log.
        reason: String,
    },
}

/// The result of a batch.
#[derive(Clone, Debug, Default)]
pub struct IngestReport {
    /// Per case, in order.
    pub items: Vec<Ingested>,
}

impl IngestReport {
    /// Cases refused.
    pub fn refused(&self) -> usize {
        self.items
            .iter()
            .filter(|i| matches!(i, Ingested::Refused { .. }))
            .count()
    }
}

fn encode_peer_heads(seq: u64, heads: &[[u8; 32]]) -> Vec<u8> {
    let mut v = Vec::with_capacity(8 + 32 * heads.len());
    v.extend_from_slice(&seq.to_be_bytes());
    for h in heads {
        v.extend_from_slice(h);
    }
    v
}

fn decode_peer_heads(b: &[u8]) -> (u64, Vec<[u8; 32]>) {
    let mut seq = [0u8; 8];
    if b.len() < 8 {
        return (0, Vec::new());
    }
    seq.copy_from_slice(&b[..8]);
    let heads = b[8..]
        .chunks_exact(32)
        .map(|c| {
            let mut h = [0u8; 32];
            h.copy_from_slice(c);
            h
        })
        .collect();
    (u64::from_be_bytes(seq), heads)
}

/// Most hashes kept per (peer, case): the newest known ones first.
const MAX_KNOWN: usize = 16;

/// Merges two sets of hashes known to be held by a peer (newest first, bounded).
fn union(new: &[[u8; 32]], old: &[[u8; 32]]) -> Vec<[u8; 32]> {
    let mut out: Vec<[u8; 32]> = Vec::with_capacity(new.len() + old.len());
    for h in new.iter().chain(old) {
        if !out.contains(h) {
            out.push(*h);
        }
    }
    out.truncate(MAX_KNOWN);
    out
}

/// True when every local head is among the peer's known hashes (it holds the whole doc).
fn covered(local: &[[u8; 32]], known: &[[u8; 32]]) -> bool {
    local.iter().all(|h| known.contains(h))
}

fn sorted(mut h: Vec<[u8; 32]>) -> Vec<[u8; 32]> {
    h.sort_unstable();
    h.dedup();
    h
}

fn raw_heads(doc: &mut AutoCommit) -> Vec<[u8; 32]> {
    sorted(doc.get_heads().iter().map(|h| h.0).collect())
}

/// Errors that mean the store itself failed (abort the batch) rather than bad peer input.
fn is_store_failure(e: &NodeError) -> bool {
    matches!(e, NodeError::Store(_) | NodeError::Io { .. })
}

impl Node {
    /// The peer's feed seq up to which its cases are durable here.
    pub fn sync_checkpoint(&self, peer: &NodeId) -> Result<u64> {
        let rtx = self.db().begin_read()?;
        Ok(rtx
            .open_table(SYNC_CHECKPOINTS)?
            .get(&peer.0)?
            .map(|v| v.value())
            .unwrap_or(0))
    }

    /// The next batch of the local feed after `after` for `peer`: within its scope, skipping
    /// cases it already holds in this exact version. Reads at most `limit` feed entries and
    /// stops early once `max_bytes` of documents are collected.
    pub fn outgoing(
        &self,
        peer: &Peer,
        after: u64,
        limit: usize,
        max_bytes: usize,
        in_flight: &dyn Fn(&CaseId) -> Vec<[u8; 32]>,
    ) -> Result<Outgoing> {
        let rtx = self.db().begin_read()?;
        let feed = rtx.open_table(FEED)?;
        let cases = rtx.open_table(CASES)?;
        let docs = rtx.open_table(DOCS)?;
        let changes = rtx.open_table(DOC_CHANGES)?;
        let known = rtx.open_table(PEER_HEADS)?;
        let mut out = Outgoing {
            upto: after,
            ..Outgoing::default()
        };
        let mut bytes = 0usize;
        for row in feed.range(after.saturating_add(1)..)? {
            if out.scanned >= limit || bytes >= max_bytes {
                break;
            }
            let (k, v) = row?;
            let seq = k.value();
            let id = CaseId(*v.value());
            out.scanned += 1;
            out.upto = seq;
            let peer_has = known
                .get((&peer.node_id.0, &id.0))?
                .map(|g| decode_peer_heads(g.value()));
            if let Some((s, _)) = &peer_has
                && *s == seq
            {
                continue;
            }
            let Some(summary) = cases.get(&id.0)? else {
                continue;
            };
            let summary: CaseSummary =
                serde_json::from_slice(summary.value()).map_err(|e| NodeError::Corrupt {
                    what: format!("summary of case {id}"),
                    detail: e.to_string(),
                })?;
            if !peer.may_hold(&summary.province, &summary.commune) {
                continue;
            }
            let has_chunks = changes
                .range((&id.0, 0)..=(&id.0, u32::MAX))?
                .next()
                .is_some();
            let item = match peer_has {
                Some((_, ph)) if !ph.is_empty() => {
                    let (mut doc, _) = self.load_doc_pub(&docs, &changes, &id)?;
                    let am = doc.automerge();
                    let heads = raw_heads(am);
                    let ph = union(&in_flight(&id), &ph);
                    if covered(&heads, &ph) {
                        continue;
                    }
                    let ph: Vec<ChangeHash> = ph
                        .into_iter()
                        .map(ChangeHash)
                        .filter(|h| am.get_change_by_hash(h).is_some())
                        .collect();
                    if !ph.is_empty() {
                        OutgoingDoc {
                            id,
                            seq,
                            full: false,
                            heads,
                            bytes: am.save_after(&ph),
                        }
                    } else {
                        OutgoingDoc {
                            id,
                            seq,
                            full: true,
                            heads: Vec::new(),
                            bytes: am.save(),
                        }
                    }
                }
                _ if !has_chunks => {
                    let Some(saved) = docs.get(&id.0)? else {
                        continue;
                    };
                    OutgoingDoc {
                        id,
                        seq,
                        full: true,
                        heads: Vec::new(),
                        bytes: saved.value().to_vec(),
                    }
                }
                _ => {
                    let (mut doc, _) = self.load_doc_pub(&docs, &changes, &id)?;
                    OutgoingDoc {
                        id,
                        seq,
                        full: true,
                        heads: Vec::new(),
                        bytes: doc.save(),
                    }
                }
            };
            bytes += item.bytes.len();
            out.docs.push(item);
        }
        Ok(out)
    }

    /// Cases in the peer's scope whose current version the peer is not known to hold.
    /// Scans the feed (O(cases)): for `hoso status`, not for the sync path.
    pub fn pending_for(&self, peer: &Peer) -> Result<u64> {
        let rtx = self.db().begin_read()?;
        let feed = rtx.open_table(FEED)?;
        let known = rtx.open_table(PEER_HEADS)?;
        let cases = rtx.open_table(CASES)?;
        let mut n = 0;
        for row in feed.iter()? {
            let (k, v) = row?;
            let id = v.value();
            let seq_known = known
                .get((&peer.node_id.0, id))?
                .map(|g| decode_peer_heads(g.value()).0);
            if seq_known == Some(k.value()) {
                continue;
            }
            let in_scope = cases
                .get(id)?
                .and_then(|s| serde_json::from_slice::<CaseSummary>(s.value()).ok())
                .is_some_and(|s| peer.may_hold(&s.province, &s.commune));
            if in_scope {
                n += 1;
            }
        }
        Ok(n)
    }

    /// Moves the peer's checkpoint forward to `seq` (never back).
    pub fn advance_checkpoint(&self, peer: &NodeId, seq: u64) -> Result<()> {
        if self.sync_checkpoint(peer)? >= seq {
            return Ok(());
        }
        self.with_write(|tx, _| {
            let mut cp = tx.open_table(SYNC_CHECKPOINTS)?;
            let old = cp.get(&peer.0)?.map(|v| v.value()).unwrap_or(0);
            if seq > old {
                cp.insert(&peer.0, seq)?;
            }
            Ok(())
        })
    }

    /// Records that `peer` acknowledged holding `heads` of case `id` as sent at local feed `seq`.
    pub fn record_acked(
        &self,
        peer: &NodeId,
        acked: &[(CaseId, u64, Vec<[u8; 32]>)],
    ) -> Result<()> {
        if acked.is_empty() {
            return Ok(());
        }
        self.with_write(|tx, _| {
            let mut t = tx.open_table(PEER_HEADS)?;
            for (id, seq, heads) in acked {
                let old = t
                    .get((&peer.0, &id.0))?
                    .map(|g| decode_peer_heads(g.value()));
                let (seq, known) = match old {
                    // Something newer arrived from the peer meanwhile: keep both.
                    Some((old_seq, old_heads)) => ((*seq).max(old_seq), union(heads, &old_heads)),
                    None => (*seq, heads.clone()),
                };
                t.insert((&peer.0, &id.0), encode_peer_heads(seq, &known).as_slice())?;
            }
            Ok(())
        })
    }

    /// Ingests a batch from `peer` in one durable transaction and advances the peer's
    /// checkpoint to `checkpoint` in it. `allow(province, commune)` decides whether a case is
    /// within both the sender's and this node's scope; a case outside it, or bytes that are not
    /// a valid document of that case, or a jurisdiction change, is refused and nothing of it
    /// is stored. Store failures abort the whole batch (nothing is committed).
    pub fn ingest_batch(
        &self,
        peer: &NodeId,
        docs: &[IncomingDoc],
        checkpoint: u64,
        allow: &dyn Fn(&str, &str) -> bool,
    ) -> Result<IngestReport> {
        let report = self.with_write(|tx, _| {
            let mut report = IngestReport::default();
            for d in docs {
                match self.ingest_one(tx, peer, d, allow) {
                    Ok(i) => report.items.push(i),
                    Err(e) if is_store_failure(&e) => return Err(e),
                    Err(e) => report.items.push(Ingested::Refused {
                        id: d.id,
                        reason: e.to_string(),
                    }),
                }
            }
            let mut cp = tx.open_table(SYNC_CHECKPOINTS)?;
            let old = cp.get(&peer.0)?.map(|v| v.value()).unwrap_or(0);
            if checkpoint > old {
                cp.insert(&peer.0, checkpoint)?;
            }
            Ok(report)
        })?;
        for i in &report.items {
            if let Ingested::Stored {
                id, changed: true, ..
            } = i
            {
                let _ = self.subscribe_sender().send(*id);
            }
        }
        Ok(report)
    }

    fn ingest_one(
        &self,
        tx: &WriteTransaction,
        peer: &NodeId,
        d: &IncomingDoc,
        allow: &dyn Fn(&str, &str) -> bool,
    ) -> Result<Ingested> {
        if d.heads.len() > MAX_HEADS {
            return Err(NodeError::Invalid(format!(
                "case {} claims too many heads",
                d.id
            )));
        }
        let existing: Option<CaseSummary> = tx
            .open_table(CASES)?
            .get(&d.id.0)?
            .and_then(|v| serde_json::from_slice(v.value()).ok());
        let (created, changed, mut doc, merged_view) = match &existing {
            Some(s) => {
                if !allow(&s.province, &s.commune) {
                    return Err(NodeError::Invalid(format!(
                        "case {} ({}/{}) is outside the sender's or this node's scope",
                        d.id, s.province, s.commune
                    )));
                }
                let (mut doc, chunks) = {
                    let docs = tx.open_table(DOCS)?;
                    let changes = tx.open_table(DOC_CHANGES)?;
                    self.load_doc_pub(&docs, &changes, &d.id)?
                };
                let before = doc.heads();
                let before_j = (doc.all_strings("province")?, doc.all_strings("commune")?);
                doc.load_incremental(&d.bytes)?;
                let changed = doc.heads() != before;
                let mut merged_view = None;
                if changed {
                    if (doc.all_strings("province")?, doc.all_strings("commune")?) != before_j {
                        return Err(NodeError::Invalid(format!(
                            "remote change to case {} alters its jurisdiction; refused",
                            d.id
                        )));
                    }
                    let view = doc.view()?;
                    if view.id != d.id {
                        return Err(NodeError::Invalid(format!(
                            "remote document claims id {} instead of {}",
                            view.id, d.id
                        )));
                    }
                    self.persist_doc(tx, &d.id, &mut doc, chunks)?;
                    self.store_summary(tx, &view, None)?;
                    merged_view = Some(view);
                }
                (false, changed, doc, merged_view)
            }
            None => {
                if !d.full {
                    return Err(NodeError::Invalid(format!(
                        "changes for case {} which is not held here; send the whole document",
                        d.id
                    )));
                }
                let am = AutoCommit::load(&d.bytes)
                    .map_err(|e| NodeError::Invalid(format!("not a valid case document: {e}")))?;
                let doc = CaseDoc::from_automerge(am);
                let view = doc.view()?;
                if view.id != d.id {
                    return Err(NodeError::Invalid(format!(
                        "remote document claims id {} instead of {}",
                        view.id, d.id
                    )));
                }
                let (p, c) = (doc.all_strings("province")?, doc.all_strings("commune")?);
                if p.len() != 1 || c.len() != 1 {
                    return Err(NodeError::Invalid(format!(
                        "case {} has an ambiguous jurisdiction; refused",
                        d.id
                    )));
                }
                if !allow(&view.province, &view.commune) {
                    return Err(NodeError::Invalid(format!(
                        "case {} ({}/{}) is outside the sender's or this node's scope",
                        d.id, view.province, view.commune
                    )));
                }
                tx.open_table(DOCS)?.insert(&d.id.0, d.bytes.as_slice())?;
                tx.open_table(RECEIPTS)?
                    .insert(view.receipt_code.as_str(), &d.id.0)?;
                self.store_summary(tx, &view, None)?;
                (true, true, doc, Some(view))
            }
        };
        let am = doc.automerge();
        let sender_heads = if d.full {
            // A whole document: its own heads are the sender's.
            let loaded = AutoCommit::load(&d.bytes).ok();
            match (created, loaded) {
                (true, _) => raw_heads(am),
                (false, Some(mut l)) => raw_heads(&mut l),
                (false, None) => Vec::new(),
            }
        } else {
            sorted(d.heads.clone())
        };
        // Heads the sender claims but did not send are not recorded: the next change to this
        // case then travels whole, which is always correct.
        let sender_heads = if sender_heads
            .iter()
            .all(|h| am.get_change_by_hash(&ChangeHash(*h)).is_some())
        {
            sender_heads
        } else {
            Vec::new()
        };
        if !sender_heads.is_empty() {
            let local = raw_heads(am);
            let mut t = tx.open_table(PEER_HEADS)?;
            let old = t
                .get((&peer.0, &d.id.0))?
                .map(|g| decode_peer_heads(g.value()).1)
                .unwrap_or_default();
            let known = union(&sender_heads, &old);
            let (seq, known) = if covered(&local, &known) {
                let seq = tx
                    .open_table(FEED_BY_DOC)?
                    .get(&d.id.0)?
                    .map(|v| v.value())
                    .unwrap_or(0);
                (seq, local)
            } else {
                (0, known)
            };
            t.insert(
                (&peer.0, &d.id.0),
                encode_peer_heads(seq, &known).as_slice(),
            )?;
        }
        let conflict = if let Some(view) = &merged_view {
            self.file_review_in(tx, view, peer)?
        } else {
            false
        };
        Ok(Ingested::Stored {
            id: d.id,
            created,
            changed,
            conflict,
            heads: sender_heads,
        })
    }
}
