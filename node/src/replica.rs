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

use std::collections::HashMap;

use automerge::{AutoCommit, ChangeHash};
use redb::{ReadableDatabase, ReadableTable};

use crate::case::CaseDoc;
use crate::error::Result;
use crate::ids::{CaseId, NodeId};
use crate::node::handle::Node;
use crate::peers::Peer;
use crate::store::tables::{
    CASES, DOC_CHANGES, DOCS, FEED, FEED_BY_DOC, PEER_HEADS, SYNC_CHECKPOINTS,
};

pub use crate::ingest::incoming::{IncomingDoc, IngestReport, Ingested, MAX_HEADS};
use crate::peer_heads::{
    covered, decode_peer_heads, encode_peer_heads, holds_all, raw_heads, union,
};

pub(crate) mod scope_cache;

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
    /// Cases skipped because one of their changes alone is over the part limit (id, bytes).
    pub too_large: Vec<(CaseId, usize)>,
    /// Cases whose changes were found from their stored chunks' heads, without loading the
    /// document (`chunk_heads`), sent or skipped.
    pub from_chunks: usize,
}

/// Splits `item` (whose bytes are over `max_part`) into parts of whole changes, each at most
/// `max_part` bytes, in causal order: the first keeps `full`, the later ones are change sets,
/// and only the last carries the heads (so the receiver records them once it holds them all).
/// `None` when one change alone is over `max_part`.
fn split(
    item: OutgoingDoc,
    am: &mut AutoCommit,
    have: &[ChangeHash],
    max_part: usize,
) -> Option<Vec<OutgoingDoc>> {
    let mut parts: Vec<Vec<u8>> = Vec::new();
    let mut cur: Vec<u8> = Vec::new();
    for mut c in am.get_changes(have) {
        let b = c.bytes();
        if b.len() > max_part {
            return None;
        }
        if !cur.is_empty() && cur.len() + b.len() > max_part {
            parts.push(std::mem::take(&mut cur));
        }
        cur.extend_from_slice(&b);
    }
    if !cur.is_empty() {
        parts.push(cur);
    }
    let heads = raw_heads(am);
    let n = parts.len();
    Some(
        parts
            .into_iter()
            .enumerate()
            .map(|(i, bytes)| OutgoingDoc {
                id: item.id,
                seq: item.seq,
                full: item.full && i == 0,
                heads: if i + 1 == n && !(item.full && i == 0) {
                    heads.clone()
                } else {
                    Vec::new()
                },
                bytes,
            })
            .collect(),
    )
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

    /// The next batch of the local feed after `after` for `peer`: within its scope (the
    /// case's own jurisdiction checked against `may_hold`, the peer's effective scope), skipping
    /// cases it already holds in this exact version. Reads at most `limit` feed entries and
    /// stops before the documents pass `max_bytes` (a batch always takes its first case). A
    /// case whose bytes are over `max_part` travels as several parts of whole changes; a case
    /// with one change over `max_part` is skipped and listed in `too_large`, so it never
    /// blocks the others.
    #[allow(clippy::too_many_arguments)]
    pub fn outgoing(
        &self,
        peer: &Peer,
        may_hold: &dyn Fn(&str, &str) -> bool,
        after: u64,
        limit: usize,
        max_bytes: usize,
        max_part: usize,
        in_flight: &dyn Fn(&CaseId) -> Vec<[u8; 32]>,
    ) -> Result<Outgoing> {
        self.outgoing_as(
            peer, may_hold, after, limit, max_bytes, max_part, in_flight, false,
        )
    }

    /// [`Node::outgoing`], with each whole document that is stored as one saved document (no
    /// pending change chunks) and is not over `max_part` sent as its stored row
    /// (`store/doc_row.rs`) when `rows` is set: the receiver stores the row as it came
    /// (`ingest/packed.rs`) instead of this node inflating it and the receiver deflating it
    /// again. Only for a peer that negotiated it (`hoso/sync/3`).
    #[allow(clippy::too_many_arguments)]
    pub fn outgoing_as(
        &self,
        peer: &Peer,
        may_hold: &dyn Fn(&str, &str) -> bool,
        after: u64,
        limit: usize,
        max_bytes: usize,
        max_part: usize,
        in_flight: &dyn Fn(&CaseId) -> Vec<[u8; 32]>,
        rows: bool,
    ) -> Result<Outgoing> {
        let rtx = self.db().begin_read()?;
        let feed = rtx.open_table(FEED)?;
        let cases = rtx.open_table(CASES)?;
        let docs = rtx.open_table(DOCS)?;
        let changes = rtx.open_table(DOC_CHANGES)?;
        let known = rtx.open_table(PEER_HEADS)?;
        // Absent in a store no write has appended a chunk to since it was made.
        let chunk_rows = rtx.open_table(crate::chunk_heads::CHUNK_HEADS).ok();
        let mut out = Outgoing {
            upto: after,
            ..Outgoing::default()
        };
        let mut bytes = 0usize;
        let scopes = self.scopes();
        // What `may_hold` said of each place in this call.
        let mut verdicts: HashMap<u32, bool> = HashMap::new();
        for row in feed.range(after.saturating_add(1)..)? {
            if out.scanned >= limit || bytes >= max_bytes {
                break;
            }
            let (k, v) = row?;
            let seq = k.value();
            let id = CaseId(*v.value());
            // A case outside the peer's scope is skipped on its remembered jurisdiction,
            // without reading its summary (`replica/scope_cache.rs`).
            let place = scopes.place_of(&id.0);
            if let Some(ix) = place
                && !*verdicts
                    .entry(ix)
                    .or_insert_with(|| scopes.judge(ix, may_hold))
            {
                out.scanned += 1;
                out.upto = seq;
                continue;
            }
            let peer_has = known
                .get((&peer.node_id.0, &id.0))?
                .map(|g| decode_peer_heads(g.value()));
            if let Some((s, _)) = &peer_has
                && *s == seq
            {
                out.scanned += 1;
                out.upto = seq;
                continue;
            }
            let Some(summary) = cases.get(&id.0)? else {
                out.scanned += 1;
                out.upto = seq;
                continue;
            };
            if place.is_none() {
                let (province, commune) = crate::summaries::jurisdiction(&id, summary.value())?;
                let ix = scopes.learn(&id.0, &province, &commune);
                if !*verdicts
                    .entry(ix)
                    .or_insert_with(|| may_hold(&province, &commune))
                {
                    out.scanned += 1;
                    out.upto = seq;
                    continue;
                }
            }
            let has_chunks = changes
                .range((&id.0, 0)..=(&id.0, u32::MAX))?
                .next()
                .is_some();
            let mut loaded: Option<CaseDoc> = None;
            let mut have: Vec<ChangeHash> = Vec::new();
            let item = match peer_has {
                Some((_, ph)) if !ph.is_empty() => {
                    // What the peer lacks, from the chunk rows when they tell (`chunk_heads`).
                    let ph = union(&in_flight(&id), &ph);
                    match crate::chunk_heads::since(&changes, chunk_rows.as_ref(), &id, &ph)? {
                        Some(crate::chunk_heads::Since::Nothing) => {
                            out.from_chunks += 1;
                            out.scanned += 1;
                            out.upto = seq;
                            continue;
                        }
                        Some(crate::chunk_heads::Since::Chunks { bytes, heads }) => {
                            out.from_chunks += 1;
                            have = ph.into_iter().map(ChangeHash).collect();
                            OutgoingDoc {
                                id,
                                seq,
                                full: false,
                                heads,
                                bytes,
                            }
                        }
                        None => {
                            let (mut doc, _) = self.load_doc_from_tables(&docs, &changes, &id)?;
                            let am = doc.automerge();
                            let heads = raw_heads(am);
                            let ph = union(&in_flight(&id), &ph);
                            if covered(&heads, &ph) {
                                out.scanned += 1;
                                out.upto = seq;
                                continue;
                            }
                            let ph: Vec<ChangeHash> = ph
                                .into_iter()
                                .map(ChangeHash)
                                .filter(|h| holds_all(am, &[h.0]))
                                .collect();
                            let item = if !ph.is_empty() {
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
                            };
                            have = ph;
                            loaded = Some(doc);
                            item
                        }
                    }
                }
                _ if !has_chunks => {
                    let Some(saved) = docs.get(&id.0)? else {
                        out.scanned += 1;
                        out.upto = seq;
                        continue;
                    };
                    let row = saved.value();
                    OutgoingDoc {
                        id,
                        seq,
                        full: true,
                        heads: Vec::new(),
                        bytes: if rows && (1..=max_part).contains(&row.unpacked_len()) {
                            row.packed().to_vec()
                        } else {
                            row.unpack(&id)?.into_owned()
                        },
                    }
                }
                _ => {
                    let (mut doc, _) = self.load_doc_from_tables(&docs, &changes, &id)?;
                    let item = OutgoingDoc {
                        id,
                        seq,
                        full: true,
                        heads: Vec::new(),
                        bytes: doc.save(),
                    };
                    loaded = Some(doc);
                    item
                }
            };
            let len = item.bytes.len();
            if !out.docs.is_empty() && bytes + len.min(max_part) > max_bytes {
                // The next batch starts with this case.
                break;
            }
            out.scanned += 1;
            out.upto = seq;
            if len <= max_part {
                bytes += len;
                out.docs.push(item);
                continue;
            }
            let mut doc = match loaded {
                Some(d) => d,
                None => self.load_doc_from_tables(&docs, &changes, &id)?.0,
            };
            match split(item, doc.automerge(), &have, max_part) {
                Some(parts) => {
                    for p in parts {
                        bytes += p.bytes.len();
                        out.docs.push(p);
                    }
                }
                None => {
                    tracing::warn!(case = %id, bytes = len, max_part, "a case with a change over the sync part limit is not sent");
                    out.too_large.push((id, len));
                }
            }
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
                .and_then(|s| crate::summaries::decode(&CaseId(*id), s.value()).ok())
                .is_some_and(|s| peer.may_hold(&s.province, &s.commune));
            if in_scope {
                n += 1;
            }
        }
        Ok(n)
    }

    /// Whether `peer` has acknowledged case `id` as it stands here now: the local feed seq it
    /// acknowledged for the case has reached the case's latest one. Two point reads (benches
    /// time a live push to the hub's ack with it; tools may show it).
    pub fn peer_acked_current(&self, peer: &NodeId, id: &CaseId) -> Result<bool> {
        let rtx = self.db().begin_read()?;
        let Some(seq) = rtx.open_table(FEED_BY_DOC)?.get(&id.0)?.map(|v| v.value()) else {
            return Ok(false);
        };
        let known = rtx
            .open_table(PEER_HEADS)?
            .get((&peer.0, &id.0))?
            .map(|g| decode_peer_heads(g.value()).0);
        Ok(known.is_some_and(|k| k >= seq))
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
                let old_seq = old.as_ref().map(|(s, _)| *s);
                let (seq, known) = match old {
                    // Something newer arrived from the peer meanwhile: keep both.
                    Some((old_seq, old_heads)) => ((*seq).max(old_seq), union(heads, &old_heads)),
                    None => (*seq, heads.clone()),
                };
                t.insert((&peer.0, &id.0), encode_peer_heads(seq, &known).as_slice())?;
                crate::commune_counts::peer_heads_written(tx, &peer.0, id, old_seq, Some(seq))?;
            }
            Ok(())
        })
    }
}
