//! The witness flow (audit.md §3), in-process: the commune asks its hub to cosign a checkpoint
//! of its chain; the hub checks the new entries against what it holds, persists them with the
//! cosignature in one write transaction, and answers. The commune stores the cosignature and
//! cites it as the anchor of its next entry.
//!
//! What a sync session does (both sides hold a [`Node`]; `hoso-sync` wires this in
//! `protocol/session.rs`, where the entries travel beforehand as `Audit` messages and the hub
//! rebuilds the request from what it stored):
//!
//! 1. commune: `let req = commune.checkpoint_request(commune.chain_head().anchor_size)?;`
//!    and send `req` (records and payloads travel as bytes, the note as text);
//! 2. hub: `let reply = hub.witness(&req)?;` and send the reply back;
//! 3. commune: on `WitnessReply::Cosigned { note, cosignature }`,
//!    `commune.store_cosignature(&note, &cosignature)?`; on `Conflict { latest }`, retry once
//!    with `checkpoint_request(latest)`; on `Refused`, alert the operator (the hub kept evidence).

use redb::ReadableTable;
use serde::Serialize;

use crate::chain::checkpoint::{Checkpoint, Cosignature, SignedCheckpoint};
use crate::chain::entry::{ENTRY_HASH_CONTEXT, Entry, payload_hash};
use crate::chain::merkle::CompactRange;
use crate::error::{AuditError, CosignRefusal, EncodeError, NodeError, Result};
use crate::ids::{CaseId, NodeId, hex};
use crate::node::handle::Node;
use crate::store::tables::*;

/// Most entries one request may carry.
pub const MAX_REQUEST_ENTRIES: usize = 100_000;
/// Largest payload accepted with an entry.
pub const MAX_PAYLOAD: usize = 1 << 20;

/// One entry sent to the witness: the stored record and its payload if still held.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentEntry {
    /// `body ‖ signature`.
    pub record: Vec<u8>,
    /// Detail payload.
    pub payload: Option<Vec<u8>>,
}

/// The commune's request (C2SP `add-checkpoint` analog).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddCheckpoint {
    /// Size the commune believes the hub last cosigned.
    pub old_size: u64,
    /// Entries `old_size..size`.
    pub entries: Vec<SentEntry>,
    /// The node-signed note for `size`.
    pub note: String,
}

/// The hub's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "reply", rename_all = "snake_case")]
pub enum WitnessReply {
    /// Cosigned: store it.
    Cosigned {
        /// The note that was cosigned.
        note: String,
        /// The cosignature.
        #[serde(skip)]
        cosignature: Cosignature,
    },
    /// `old_size` is not what the hub holds (409 analog): resend from `latest`.
    Conflict {
        /// Largest size the hub has cosigned.
        latest: u64,
    },
    /// Not cosigned; evidence was kept when the refused data was validly signed.
    Refused {
        /// Why.
        reason: String,
        /// Evidence was stored.
        evidence: bool,
    },
}

/// Entry hash of a stored record (no decoding).
pub(crate) fn record_hash(rec: &[u8]) -> [u8; 32] {
    blake3::derive_key(ENTRY_HASH_CONTEXT, &rec[..rec.len().saturating_sub(64)])
}

pub(crate) fn now_secs() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0)
}

impl Node {
    /// Signs a checkpoint of this node's own chain at its current head.
    pub fn own_checkpoint(&self) -> Result<SignedCheckpoint> {
        let size = self.chain_head().next_seq;
        // Own entries are append-only: extend the range computed last time with the entries
        // appended since (every entry was rehashed on each checkpoint before: O(chain) per
        // live push).
        let mut cache = self.own_range();
        let rtx = redb::ReadableDatabase::begin_read(self.db())?;
        let t = crate::audit::stored::read(&rtx)?;
        let me = self.id().0;
        // In memory, else as stored with the last cosignature (`own_range.rs`), else from the
        // chain's first entry.
        let (mut range, mut head) = match cache.as_ref() {
            Some((r, h)) if r.size() <= size => (r.clone(), *h),
            _ => {
                let stored = super::own_range::load(&rtx.open_table(META)?, size)?;
                match stored {
                    // Used only when its head is the entry held at its last seq.
                    Some((r, h))
                        if t.get(&me, r.size() - 1)?
                            .is_some_and(|x| record_hash(&x.record) == h) =>
                    {
                        (r, h)
                    }
                    _ => (CompactRange::new(), [0u8; 32]),
                }
            }
        };
        t.each(&me, range.size(), size, |_, x| {
            head = record_hash(&x.record);
            range.push(&head);
            Ok(true)
        })?;
        if range.size() != size {
            *cache = None;
            return Err(NodeError::Corrupt {
                what: "audit chain".into(),
                detail: format!("{} entries held, head says {size}", range.size()),
            });
        }
        let root = range.root();
        *cache = Some((range, head));
        drop(cache);
        Ok(SignedCheckpoint::sign(
            Checkpoint {
                realm: self.realm(),
                origin: self.id(),
                size,
                root,
                head,
                epoch: 0,
            },
            self.key(),
        ))
    }

    /// Builds the request for the hub: entries from `old_size` and a signed note at the head.
    pub fn checkpoint_request(&self, old_size: u64) -> Result<AddCheckpoint> {
        let sc = self.own_checkpoint()?;
        let stored = crate::audit::read::chain(
            self.db(),
            &self.id(),
            old_size,
            usize::try_from(sc.checkpoint.size.saturating_sub(old_size)).unwrap_or(usize::MAX),
        )?;
        Ok(AddCheckpoint {
            old_size,
            entries: stored
                .into_iter()
                .map(|s| SentEntry {
                    record: s.entry.to_record(),
                    payload: s.payload,
                })
                .collect(),
            note: sc.to_note(),
        })
    }

    /// The size this node (as witness) has cosigned for `origin`.
    pub fn witnessed_size(&self, origin: &NodeId) -> Result<u64> {
        let rtx = redb::ReadableDatabase::begin_read(self.db())?;
        let t = rtx.open_table(AUDIT_WITNESS)?;
        Ok(t.get(&origin.0)?
            .and_then(|v| CompactRange::decode(v.value()))
            .map(|r| r.size())
            .unwrap_or(0))
    }

    /// Hub side: checks the request against what this node holds and cosigns, or refuses and
    /// keeps the evidence. Check and update are one write transaction.
    pub fn witness(&self, req: &AddCheckpoint) -> Result<WitnessReply> {
        let refuse = |reason: String| WitnessReply::Refused {
            reason,
            evidence: false,
        };
        let sc = match SignedCheckpoint::parse_note(&req.note) {
            Ok(sc) => sc,
            Err(e) => return Ok(refuse(e.to_string())),
        };
        if !sc.signature_ok() {
            return Ok(refuse("checkpoint signature does not verify".into()));
        }
        let cp = sc.checkpoint.clone();
        if cp.realm != self.realm() {
            return Ok(refuse("checkpoint belongs to another realm".into()));
        }
        if cp.origin == self.id() {
            return Ok(refuse("a node does not witness its own chain".into()));
        }
        if req.entries.len() > MAX_REQUEST_ENTRIES {
            return Ok(refuse(format!(
                "more than {MAX_REQUEST_ENTRIES} entries in one request"
            )));
        }
        let origin = cp.origin;
        self.with_write(|tx, _head| {
            let mut state_t = tx.open_table(AUDIT_WITNESS)?;
            let mut range = state_t
                .get(&origin.0)?
                .and_then(|v| CompactRange::decode(v.value()))
                .unwrap_or_default();
            if req.old_size != range.size() {
                return Ok(WitnessReply::Conflict {
                    latest: range.size(),
                });
            }
            let evidence = |reason: String, held: Option<&[u8]>, other: Option<&[u8]>| {
                let ev = serde_json::json!({
                    "reason": reason,
                    "note": req.note,
                    "old_size": req.old_size,
                    "held_record": held.map(hex),
                    "conflicting_record": other.map(hex),
                });
                let bytes = serde_json::to_vec(&ev).unwrap_or_default();
                let key = blake3::hash(&bytes);
                tx.open_table(AUDIT_EVIDENCE)?
                    .insert((&origin.0, key.as_bytes()), bytes.as_slice())?;
                Ok::<_, NodeError>(WitnessReply::Refused {
                    reason,
                    evidence: true,
                })
            };
            if cp.size != req.old_size + req.entries.len() as u64 {
                return Ok(refuse(format!(
                    "note size {} but {} + {} entries sent",
                    cp.size,
                    req.old_size,
                    req.entries.len()
                )));
            }
            let audit = crate::audit::stored::read_in(tx)?;
            let (mut prev, mut prev_time) = if req.old_size == 0 {
                ([0u8; 32], i64::MIN)
            } else {
                match audit.get(&origin.0, req.old_size - 1)? {
                    Some(v) => match Entry::from_record(&v.record) {
                        Ok(e) => (e.hash, e.body.time_ms),
                        Err(e) => {
                            return Err(NodeError::Corrupt {
                                what: format!(
                                    "held audit entry {} #{}",
                                    origin.short(),
                                    req.old_size - 1
                                ),
                                detail: e.to_string(),
                            });
                        }
                    },
                    None => {
                        return Ok(refuse(format!(
                            "witness does not hold entry #{}",
                            req.old_size - 1
                        )));
                    }
                }
            };
            let mut accepted = Vec::with_capacity(req.entries.len());
            for (i, sent) in req.entries.iter().enumerate() {
                let seq = req.old_size + i as u64;
                let e = match Entry::from_record(&sent.record) {
                    Ok(e) => e,
                    Err(err) => return Ok(refuse(format!("entry #{seq}: {err}"))),
                };
                if e.body.origin != origin || !e.signature_ok() {
                    return Ok(refuse(format!("entry #{seq}: not signed by the origin")));
                }
                if e.body.realm != cp.realm || e.body.seq != seq || e.body.epoch != 0 {
                    return evidence(
                        format!("entry #{seq}: wrong realm, seq or epoch"),
                        None,
                        Some(&sent.record),
                    );
                }
                if let Some(held) = audit.get(&origin.0, seq)?.map(|v| v.record)
                    && held != sent.record
                {
                    tx.open_table(AUDIT_FORKS)?
                        .insert((&origin.0, seq, &e.hash), sent.record.as_slice())?;
                    return evidence(
                        format!("entry #{seq}: a different entry is held at this position"),
                        Some(&held),
                        Some(&sent.record),
                    );
                }
                if e.body.prev != prev {
                    return evidence(
                        format!(
                            "entry #{seq}: does not link to the entry the witness holds (rewrite)"
                        ),
                        None,
                        Some(&sent.record),
                    );
                }
                if e.body.time_ms < prev_time
                    && e.body.action != crate::chain::entry::Action::ClockJump
                {
                    return evidence(
                        format!("entry #{seq}: clock rollback"),
                        None,
                        Some(&sent.record),
                    );
                }
                prev = e.hash;
                prev_time = e.body.time_ms;
                range.push(&e.hash);
                accepted.push((e, sent));
            }
            if range.root() != cp.root || (cp.size > 0 && prev != cp.head) {
                return evidence(
                    format!(
                        "checkpoint of size {} does not match the entries (root or head)",
                        cp.size
                    ),
                    None,
                    None,
                );
            }
            drop(audit);
            for (e, sent) in &accepted {
                let payload = sent
                    .payload
                    .as_deref()
                    .filter(|p| p.len() <= MAX_PAYLOAD && payload_hash(p) == e.body.payload_hash);
                crate::audit::stored::insert(tx, e, payload)?;
            }
            let mut by_case = tx.open_table(AUDIT_BY_CASE)?;
            for (e, _) in &accepted {
                if e.body.case_id != CaseId::NONE {
                    by_case.insert(
                        &crate::audit::stored::case_key(&e.body.case_id, &origin.0, e.body.seq),
                        (),
                    )?;
                }
            }
            let cs = Cosignature::sign(&cp, self.key(), now_secs());
            tx.open_table(AUDIT_CHECKPOINTS)?
                .insert((&origin.0, cp.size), req.note.as_bytes())?;
            tx.open_table(AUDIT_COSIGS)?.insert(
                (&origin.0, cp.size, &cs.witness.0),
                cs.encode_value().as_slice(),
            )?;
            state_t.insert(&origin.0, range.encode().as_slice())?;
            Ok(WitnessReply::Cosigned {
                note: req.note.clone(),
                cosignature: cs,
            })
        })
    }

    /// Commune side: stores a witness cosignature of this node's checkpoint and advances the
    /// anchor cited by the next entry.
    pub fn store_cosignature(&self, note: &str, cs: &Cosignature) -> Result<()> {
        let bad = |r: CosignRefusal| NodeError::Audit(AuditError::CosignRefused(r));
        let sc =
            SignedCheckpoint::parse_note(note).map_err(|e| bad(CosignRefusal::Malformed(e)))?;
        let cp = &sc.checkpoint;
        if cp.origin != self.id() || !sc.signature_ok() {
            return Err(bad(CosignRefusal::NotOwnNote));
        }
        if cs.witness == self.id() || !cs.verify(cp) {
            return Err(bad(CosignRefusal::BadWitnessSignature));
        }
        let own = self.own_checkpoint()?;
        if cp.size > own.checkpoint.size {
            return Err(bad(CosignRefusal::AheadOfChain));
        }
        if cp.size == own.checkpoint.size
            && (cp.root != own.checkpoint.root || cp.head != own.checkpoint.head)
        {
            return Err(bad(CosignRefusal::ChainMismatch));
        }
        let anchor = cs.hash(cp);
        // The range just computed for the check goes to the store with the cosignature, so
        // the next checkpoint (often in another process) starts from it.
        let own_range = self.own_range().clone();
        self.with_write(|tx, head| {
            if let Some((range, last)) = &own_range {
                super::own_range::save(tx, range, last)?;
            }
            tx.open_table(AUDIT_CHECKPOINTS)?
                .insert((&cp.origin.0, cp.size), note.as_bytes())?;
            tx.open_table(AUDIT_COSIGS)?.insert(
                (&cp.origin.0, cp.size, &cs.witness.0),
                cs.encode_value().as_slice(),
            )?;
            if cp.size >= head.anchor_size {
                head.anchor_size = cp.size;
                head.anchor_cosig = hex(&anchor);
                let bytes =
                    serde_json::to_vec(&*head).map_err(EncodeError::json("the chain head"))?;
                tx.open_table(META)?
                    .insert(crate::store::meta::META_CHAIN_HEAD, bytes.as_slice())?;
            }
            Ok(())
        })
    }
}
