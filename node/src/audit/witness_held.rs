//! The witness flow for a backlog of any size: the hub cosigns a checkpoint of a commune's
//! chain from the entries it already **holds** (they came in `Audit` messages and were verified
//! and stored on arrival), instead of from a request that carries them. Nothing is copied into
//! memory: the held entries `old_size..size` are read back in read transactions of `step`
//! entries each (a bounded series of steps, whatever the backlog: 100,000 entries of a first
//! sync or an import are one round), checked for linkage, sequence, realm and clock, and folded
//! into the witness's compact range; then one write transaction checks that the witness state
//! has not moved meanwhile and stores the cosignature.
//!
//! What [`Node::witness`] checks beyond that does not apply to held entries: their signatures
//! were verified when they were stored (`ingest_chain`), and a held entry cannot differ from
//! itself. A note whose root or head does not match the held entries is validly signed evidence
//! of a rewrite, and is kept as such.

use redb::{ReadableDatabase, ReadableTable};

use crate::audit::witness::WitnessReply;
use crate::chain::checkpoint::{Cosignature, SignedCheckpoint};
use crate::chain::entry::{Action, Entry};
use crate::chain::merkle::CompactRange;
use crate::error::{NodeError, Result};
use crate::ids::NodeId;
use crate::node::handle::Node;
use crate::store::tables::*;

/// What the read steps found.
enum Held {
    /// Every entry is held and links: the range and the last entry's hash.
    Linked(CompactRange, [u8; 32]),
    /// A reason to refuse without evidence (entries missing).
    Missing(String),
    /// A reason to refuse that the signed entries and note prove (kept as evidence).
    Evidence(String),
}

impl Node {
    /// Hub side: cosigns `note` (a checkpoint of `origin`'s chain at `size`) from the held
    /// entries `old_size..size`, verified `step` entries per read transaction. Answers
    /// `Conflict` when `old_size` is not the size this node last cosigned.
    pub fn witness_held(&self, old_size: u64, note: &str, step: usize) -> Result<WitnessReply> {
        let refuse = |reason: String| {
            Ok(WitnessReply::Refused {
                reason,
                evidence: false,
            })
        };
        let sc = match SignedCheckpoint::parse_note(note) {
            Ok(sc) => sc,
            Err(e) => return refuse(e.to_string()),
        };
        if !sc.signature_ok() {
            return refuse("checkpoint signature does not verify".into());
        }
        let cp = sc.checkpoint.clone();
        if cp.realm != self.realm() {
            return refuse("checkpoint belongs to another realm".into());
        }
        if cp.origin == self.id() {
            return refuse("a node does not witness its own chain".into());
        }
        if cp.size < old_size {
            return refuse(format!("checkpoint size {} below {old_size}", cp.size));
        }
        let origin = cp.origin;
        let start = self.witness_range(&origin)?;
        if start.size() != old_size {
            return Ok(WitnessReply::Conflict {
                latest: start.size(),
            });
        }
        let (range, last) = match self.check_held(&origin, start, old_size, cp.size, step.max(1))? {
            Held::Linked(r, last) => (r, last),
            Held::Missing(why) => return refuse(why),
            Held::Evidence(why) => {
                return self.with_write(|tx, _| {
                    let ev = serde_json::json!({
                        "reason": why,
                        "note": note,
                        "old_size": old_size,
                        "from": "held entries",
                    });
                    let bytes = serde_json::to_vec(&ev).unwrap_or_default();
                    let key = blake3::hash(&bytes);
                    tx.open_table(AUDIT_EVIDENCE)?
                        .insert((&origin.0, key.as_bytes()), bytes.as_slice())?;
                    Ok(WitnessReply::Refused {
                        reason: why,
                        evidence: true,
                    })
                });
            }
        };
        if range.root() != cp.root || (cp.size > 0 && last != cp.head) {
            let why = format!(
                "checkpoint of size {} does not match the entries (root or head)",
                cp.size
            );
            return self.with_write(|tx, _| {
                let ev = serde_json::json!({"reason": why, "note": note, "old_size": old_size});
                let bytes = serde_json::to_vec(&ev).unwrap_or_default();
                let key = blake3::hash(&bytes);
                tx.open_table(AUDIT_EVIDENCE)?
                    .insert((&origin.0, key.as_bytes()), bytes.as_slice())?;
                Ok(WitnessReply::Refused {
                    reason: why,
                    evidence: true,
                })
            });
        }
        self.with_write(|tx, _head| {
            let mut state_t = tx.open_table(AUDIT_WITNESS)?;
            let now = state_t
                .get(&origin.0)?
                .and_then(|v| CompactRange::decode(v.value()))
                .unwrap_or_default();
            if now.size() != old_size {
                // Another session cosigned meanwhile.
                return Ok(WitnessReply::Conflict { latest: now.size() });
            }
            let cs = Cosignature::sign(&cp, self.key(), super::witness::now_secs());
            tx.open_table(AUDIT_CHECKPOINTS)?
                .insert((&origin.0, cp.size), note.as_bytes())?;
            tx.open_table(AUDIT_COSIGS)?.insert(
                (&origin.0, cp.size, &cs.witness.0),
                cs.encode_value().as_slice(),
            )?;
            state_t.insert(&origin.0, range.encode().as_slice())?;
            Ok(WitnessReply::Cosigned {
                note: note.to_string(),
                cosignature: cs,
            })
        })
    }

    /// The compact range this node (as witness) holds for `origin`.
    fn witness_range(&self, origin: &NodeId) -> Result<CompactRange> {
        let rtx = self.db().begin_read()?;
        let t = rtx.open_table(AUDIT_WITNESS)?;
        Ok(t.get(&origin.0)?
            .and_then(|v| CompactRange::decode(v.value()))
            .unwrap_or_default())
    }

    /// Folds the held entries `from..to` of `origin` into `range`, `step` per read transaction.
    fn check_held(
        &self,
        origin: &NodeId,
        mut range: CompactRange,
        from: u64,
        to: u64,
        step: usize,
    ) -> Result<Held> {
        let corrupt = |seq: u64, e: &dyn std::fmt::Display| NodeError::Corrupt {
            what: format!("held audit entry {} #{seq}", origin.short()),
            detail: e.to_string(),
        };
        let (mut prev, mut prev_time) = if from == 0 {
            ([0u8; 32], i64::MIN)
        } else {
            let rtx = self.db().begin_read()?;
            let audit = crate::audit::stored::read(&rtx)?;
            match audit.get(&origin.0, from - 1)? {
                Some(v) => {
                    let e = Entry::from_record(&v.record).map_err(|e| corrupt(from - 1, &e))?;
                    (e.hash, e.body.time_ms)
                }
                None => {
                    return Ok(Held::Missing(format!(
                        "witness does not hold entry #{}",
                        from - 1
                    )));
                }
            }
        };
        let mut seq = from;
        while seq < to {
            let end = to.min(seq.saturating_add(step as u64));
            let rtx = self.db().begin_read()?;
            let audit = crate::audit::stored::read(&rtx)?;
            let mut evidence = None;
            audit.each(&origin.0, seq, end, |at, v| {
                if at != seq {
                    return Ok(false);
                }
                let e = Entry::from_record(&v.record).map_err(|e| corrupt(seq, &e))?;
                if e.body.origin != *origin
                    || e.body.realm != self.realm()
                    || e.body.seq != seq
                    || e.body.epoch != 0
                {
                    evidence = Some(format!("entry #{seq}: wrong origin, realm, seq or epoch"));
                    return Ok(false);
                }
                if e.body.prev != prev {
                    evidence = Some(format!(
                        "entry #{seq}: does not link to the entry before it"
                    ));
                    return Ok(false);
                }
                if e.body.time_ms < prev_time && e.body.action != Action::ClockJump {
                    evidence = Some(format!("entry #{seq}: clock rollback"));
                    return Ok(false);
                }
                prev = e.hash;
                prev_time = e.body.time_ms;
                range.push(&e.hash);
                seq += 1;
                Ok(true)
            })?;
            if let Some(why) = evidence {
                return Ok(Held::Evidence(why));
            }
            if seq < end {
                return Ok(Held::Missing(format!(
                    "the hub holds {} of entries {from}..{to}",
                    seq - from
                )));
            }
        }
        Ok(Held::Linked(range, prev))
    }
}
