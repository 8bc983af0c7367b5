//! Several received messages of one session stored in one durable commit ([`Node::ingest_group`]).
//!
//! A hub taking a large backlog from one commune receives a stream of audit batches and `Docs`
//! batches. Committing each one durably (an fsync under the writer lock) and decoding each
//! whole batch before its transaction made the hub's ingest one slow, serial loop whose memory
//! grew with the batch. Here a run of messages the session already holds is ingested as one
//! group:
//!
//! - **decoding** (a whole document of a case new here: load, view, jurisdiction; an audit
//!   entry: decode, chain, realm, signature, payload hash; `prepare.rs`, `precheck.rs`) runs on
//!   worker threads, one per core, in small units (one document, [`AUDIT_CHUNK`] entries);
//! - each worker hands its units to the **one writer** through a bounded queue of [`AHEAD`]
//!   units, in order, so at most a few dozen decoded documents exist at a time whatever the
//!   group holds, and the writer stores unit *n* while the workers decode *n + 1…*;
//! - the writer runs, unit by unit in the order received, exactly what [`Node::ingest_chain`]
//!   and [`Node::ingest`] run in their transactions (duplicates, forks, the hash link; scope,
//!   validity, trust, the merge, the quarantine), and advances the peer's checkpoint after
//!   each `Docs` batch;
//! - then **one durable commit** for the group. The session acknowledges the batches only after
//!   it, so what is acknowledged is durable, and a cut before it loses nothing acknowledged.
//!
//! The write passes the one guarded write path as the sending peer ([`Author::Peer`],
//! [`Permission::Ingest`]). A worker that panicked leaves its units to the writer, which then
//! decodes them itself.

use std::collections::HashMap;
use std::sync::mpsc;

use redb::ReadableDatabase;

use crate::audit::replica::precheck::{Prechecked, precheck, precheck_here};
use crate::audit::replica::{ChainIngest, Grouped, MAX_BATCH, RawRecord};
use crate::chain::compact::{PackedPayload, pack_payload};
use crate::error::{AuditError, Result};
use crate::ids::NodeId;
use crate::node::handle::Node;
use crate::store::tables::CASES;
use crate::write::{Author, Permission};

use super::fresh::Fresh;
use super::in_group::{Garbage, InGroup};
use super::prepare::{self, Prepared};
use super::staged::{self, Staged};
use super::{IncomingDoc, IngestReport, Ingested, advance_checkpoint_in};

/// Audit entries checked per unit of work.
pub const AUDIT_CHUNK: usize = 128;
/// Units each worker may hold decoded ahead of the writer.
pub const AHEAD: usize = 8;

/// One received message of a group.
#[derive(Clone, Debug)]
pub enum GroupItem {
    /// Entries of `origin`'s chain (at most [`MAX_BATCH`]).
    Audit {
        /// The chain.
        origin: NodeId,
        /// The records and payloads, in chain order.
        entries: Vec<RawRecord>,
    },
    /// A `Docs` batch; the peer's checkpoint moves to `upto` with it.
    Docs {
        /// The cases.
        docs: Vec<IncomingDoc>,
        /// The sender's feed position this batch completes.
        upto: u64,
    },
}

/// What one item of a group did, in the order of the items.
#[derive(Clone, Debug)]
pub enum GroupOutcome {
    /// As [`Node::ingest_chain`] reports it.
    Audit(ChainIngest),
    /// As [`Node::ingest_batch`] reports it.
    Docs(IngestReport),
}

/// A unit of decoding work.
enum Unit<'a> {
    Audit {
        origin: &'a NodeId,
        entries: &'a [RawRecord],
    },
    Doc {
        doc: &'a IncomingDoc,
        decode: bool,
        /// The case is held here now: merged before the lock (`held.rs`).
        held: bool,
    },
}

/// A decoded unit.
enum Ready {
    /// Checked entries, and the payload part of each passed entry's row.
    Audit(Prechecked, Vec<PackedPayload>),
    /// A document decoded (or left to the transaction), and the rows staged from it.
    Doc(Prepared, Option<Box<Staged>>),
}

/// Cases' garbage the freeing thread may hold queued; past it the writer frees its own.
const BIN: usize = 64;

/// The payload part of the row of each entry `pre` passed (`chain::compact::pack_payload`),
/// worked out on a worker so the writer only assembles and inserts rows.
fn pack_passed(pre: &Prechecked, entries: &[RawRecord]) -> Vec<PackedPayload> {
    pre.passed
        .iter()
        .zip(entries)
        .map(|(e, (_, payload))| pack_payload(e, payload.as_deref()))
        .collect()
}

impl Node {
    /// Ingests `items` received from `peer`, in order, in one durable transaction: each audit
    /// item as [`Node::ingest_chain`] would, each `Docs` item as [`Node::ingest_batch`] would
    /// (with its checkpoint). `allow(province, commune)` is the scope check of every case.
    /// Decoding runs on every core beside the writer, through bounded queues (see the module
    /// docs). Store failures abort the whole group (nothing is committed); an audit item over
    /// [`MAX_BATCH`] entries is refused before anything is read.
    pub fn ingest_group(
        &self,
        peer: &NodeId,
        items: &[GroupItem],
        allow: &dyn Fn(&str, &str) -> bool,
    ) -> Result<Vec<GroupOutcome>> {
        if items
            .iter()
            .any(|i| matches!(i, GroupItem::Audit { entries, .. } if entries.len() > MAX_BATCH))
        {
            return Err(AuditError::BatchTooLarge { max: MAX_BATCH }.into());
        }
        let units = self.units(items)?;
        let realm = self.realm();
        let threads = std::thread::available_parallelism()
            .map(std::num::NonZero::get)
            .unwrap_or(1)
            .clamp(1, 8);
        let outcomes = std::thread::scope(|s| {
            let mut rxs = Vec::with_capacity(threads);
            let mut handles = Vec::with_capacity(threads);
            for w in 0..threads {
                let (tx, rx) = mpsc::sync_channel::<Ready>(AHEAD);
                rxs.push(rx);
                let units = &units;
                handles.push(s.spawn(move || {
                    // One read snapshot per worker for the held cases' merges.
                    let mut rtx = None;
                    for u in units.iter().skip(w).step_by(threads) {
                        let ready = match u {
                            Unit::Audit { origin, entries } => {
                                let pre = precheck_here(origin, realm, entries);
                                let packed = pack_passed(&pre, entries);
                                Ready::Audit(pre, packed)
                            }
                            Unit::Doc {
                                doc, decode: true, ..
                            } => {
                                let mut dec = prepare::decode(doc);
                                let staged = dec.as_mut().ok().and_then(|x| staged::stage(doc, x));
                                Ready::Doc(Prepared::Done(dec), staged)
                            }
                            Unit::Doc {
                                doc, held: true, ..
                            } => {
                                if rtx.is_none() {
                                    rtx = self.db().begin_read().ok();
                                }
                                Ready::Doc(
                                    rtx.as_ref()
                                        .and_then(|r| self.prepare_held(r, doc))
                                        .map_or(Prepared::Later, |h| Prepared::Held(Box::new(h))),
                                    None,
                                )
                            }
                            Unit::Doc { .. } => Ready::Doc(Prepared::Later, None),
                        };
                        if tx.send(ready).is_err() {
                            return;
                        }
                    }
                }));
            }
            // Decoded documents are freed on a thread of their own, off the writer.
            let (bin, garbage) = mpsc::sync_channel::<Garbage>(BIN);
            let freeing = s.spawn(move || garbage.into_iter().for_each(drop));
            let out = {
                let mut next = 0usize;
                let mut recv = || {
                    let r = rxs.get(next % threads).and_then(|rx| rx.recv().ok());
                    next += 1;
                    r
                };
                self.write_group(peer, items, allow, &mut recv, &bin)
            };
            drop(bin);
            let _ = freeing.join();
            // Workers blocked on a full queue end once their receivers are gone.
            drop(rxs);
            for h in handles {
                // A panicked worker's units were decoded by the writer instead.
                let _ = h.join();
            }
            out
        })?;
        for o in &outcomes {
            if let GroupOutcome::Docs(r) = o {
                for i in &r.items {
                    if let Ingested::Stored {
                        id, changed: true, ..
                    } = i
                    {
                        let _ = self.subscribe_sender().send(*id);
                    }
                }
            }
        }
        Ok(outcomes)
    }

    /// The decoding units of `items`, in the order the writer takes them: one per
    /// [`AUDIT_CHUNK`] entries, one per document (decoded only when it is a whole document of a
    /// case not held here now; the transaction decides again).
    fn units<'a>(&self, items: &'a [GroupItem]) -> Result<Vec<Unit<'a>>> {
        let rtx = self.db().begin_read()?;
        let cases = rtx.open_table(CASES)?;
        let mut units = Vec::new();
        for item in items {
            match item {
                GroupItem::Audit { origin, entries } => {
                    for chunk in entries.chunks(AUDIT_CHUNK) {
                        units.push(Unit::Audit {
                            origin,
                            entries: chunk,
                        });
                    }
                }
                GroupItem::Docs { docs, .. } => {
                    for d in docs {
                        let held = cases.get(&d.id.0)?.is_some();
                        units.push(Unit::Doc {
                            doc: d,
                            decode: d.full && !held,
                            held,
                        });
                    }
                }
            }
        }
        Ok(units)
    }

    /// The writer: one guarded write for the whole group, each unit taken from `recv` in the
    /// order of [`Node::units`] (`None`: its worker is gone, the writer decodes it).
    fn write_group(
        &self,
        peer: &NodeId,
        items: &[GroupItem],
        allow: &dyn Fn(&str, &str) -> bool,
        recv: &mut dyn FnMut() -> Option<Ready>,
        bin: &mpsc::SyncSender<Garbage>,
    ) -> Result<Vec<GroupOutcome>> {
        let mut ctx = self.begin_write(&Author::Peer(*peer), Permission::Ingest)?;
        let mut roles = HashMap::new();
        // What this transaction stored, for the trust checks of the cases after it.
        let mut fresh = Fresh::default();
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            match item {
                GroupItem::Audit { origin, entries } => {
                    let mut sum = ChainIngest::default();
                    for chunk in entries.chunks(AUDIT_CHUNK) {
                        let ready = recv();
                        if sum.refused.is_some() {
                            // The batch stopped at its first bad entry.
                            continue;
                        }
                        let (pre, packed) = match ready {
                            Some(Ready::Audit(p, packed)) => (p, packed),
                            _ => (precheck(origin, self.realm(), chunk), Vec::new()),
                        };
                        let (tx, head) = ctx.tx_and_head();
                        let r = self.ingest_chain_noting(
                            tx,
                            head,
                            origin,
                            &pre.passed,
                            chunk,
                            pre.refused,
                            Some(Grouped {
                                packed: &packed,
                                stored: &mut |e, p| fresh.note(e, p),
                            }),
                        )?;
                        sum.stored += r.stored;
                        sum.duplicates += r.duplicates;
                        sum.forks += r.forks;
                        sum.refused = r.refused;
                    }
                    out.push(GroupOutcome::Audit(sum));
                }
                GroupItem::Docs { docs, upto } => {
                    let mut report = IngestReport::default();
                    for d in docs {
                        let (pre, staged) = match recv() {
                            Some(Ready::Doc(p, staged)) => (p, staged),
                            _ => (Prepared::Later, None),
                        };
                        report.items.push(self.ingest_item(
                            ctx.tx(),
                            Some(peer),
                            d,
                            pre,
                            allow,
                            &mut roles,
                            Some(InGroup {
                                fresh: &mut fresh,
                                staged,
                                bin: Some(bin),
                            }),
                        )?);
                    }
                    advance_checkpoint_in(ctx.tx(), peer, *upto)?;
                    out.push(GroupOutcome::Docs(report));
                }
            }
        }
        ctx.commit()?;
        Ok(out)
    }
}
