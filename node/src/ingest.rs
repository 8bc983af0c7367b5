//! The one path by which case changes made elsewhere enter this node: sync batches
//! ([`Node::ingest`]) and single documents ([`Node::apply_remote`]) both run [`Node::ingest`],
//! so the merge property tests exercise the code sync runs.
//!
//! Per received case, in one durable transaction for the whole batch:
//! 1. **scope**: the case's jurisdiction (of the stored summary for a known case, of the parsed
//!    document for a new one) is within the sender's and this node's scope;
//! 2. **validity**: the bytes are a document of that case id, with one jurisdiction, and do not
//!    change it;
//! 3. **trust** (`trust.rs`): every change the bytes add is accounted for by a verified audit
//!    entry held here, under that case, with the change's actor, signed by the node that owns
//!    the actor;
//! 4. the merge, summary, indexes and change feed; the peer's known heads; the review queue
//!    (concurrent statuses, workflow forks, and steps the workflow or the officer's role does
//!    not allow).
//!
//! A case that fails 1–3 stores nothing of itself and goes to the quarantine
//! (`quarantine.rs`) with the reason; the sender is told how many were refused. A received
//! change writes no audit entry here: it stays accounted by the entry of the node that made it.

mod claim;
pub(crate) mod fresh;
pub mod group;
mod held;
mod in_group;
pub(crate) mod incoming;
mod packed;
mod prepare;
pub mod quarantine;
mod received;
mod staged;
mod trust;

pub use incoming::{IncomingDoc, IngestReport, Ingested, MAX_HEADS};

use std::collections::HashMap;

use automerge::AutoCommit;
use redb::{ReadableTable, WriteTransaction};
use serde::Serialize;

use crate::case::CaseSummary;
use crate::conflicts::ReviewRecord;
use crate::error::{EncodeError, IngestError, NodeError, Result};
use crate::ids::{CaseId, NodeId};
use crate::node::handle::Node;
use crate::peer_heads::{
    covered, decode_peer_heads, encode_peer_heads, holds_all, raw_heads, sorted, union,
};
use crate::store::tables::{
    CASES, DOC_CHANGES, DOCS, DocBuf, FEED_BY_DOC, PEER_HEADS, RECEIPTS, REVIEW, SYNC_CHECKPOINTS,
};
use crate::write::{Author, Permission};
use prepare::Prepared;
use quarantine::RefusalKind;

/// What merging one remote document did ([`Node::apply_remote`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MergeOutcome {
    /// The case.
    pub id: CaseId,
    /// The case was new here.
    pub created: bool,
    /// The merge added changes.
    pub changed: bool,
    /// The case has conflicting statuses after the merge.
    pub conflict: bool,
}

/// Errors that mean the store itself failed (abort the batch) rather than bad peer input.
fn is_store_failure(e: &NodeError) -> bool {
    matches!(e, NodeError::Store(_) | NodeError::Io { .. })
}

/// A refusal of one case: its kind and reason.
struct Refusal(RefusalKind, String);

fn refuse<T>(kind: RefusalKind, why: String) -> Result<std::result::Result<T, Refusal>> {
    Ok(Err(Refusal(kind, why)))
}

/// The sender id used for documents merged outside a sync session ([`Node::apply_remote`]).
const LOCAL: NodeId = NodeId([0; 32]);

/// Officer roles looked up in a transaction, by (node, officer).
type Roles = HashMap<(NodeId, String), Option<hoso_schemas::Role>>;

/// Moves `peer`'s checkpoint to `checkpoint` in `tx` (never back).
fn advance_checkpoint_in(tx: &WriteTransaction, peer: &NodeId, checkpoint: u64) -> Result<()> {
    let mut cp = tx.open_table(SYNC_CHECKPOINTS)?;
    let old = cp.get(&peer.0)?.map(|v| v.value()).unwrap_or(0);
    if checkpoint > old {
        cp.insert(&peer.0, checkpoint)?;
    }
    Ok(())
}

impl Node {
    /// Ingests a batch from `peer` (`None`: a document handed over locally) in one durable
    /// transaction, and advances the peer's checkpoint to `checkpoint` in it.
    /// `allow(province, commune)` decides whether a case is within both the sender's and this
    /// node's scope. A refused case stores nothing of itself and is quarantined with the
    /// reason. Store failures abort the whole batch (nothing is committed).
    pub fn ingest(
        &self,
        peer: Option<&NodeId>,
        docs: &[IncomingDoc],
        checkpoint: Option<u64>,
        allow: &dyn Fn(&str, &str) -> bool,
    ) -> Result<IngestReport> {
        // Received changes pass the one write path as the sending peer (documents handed
        // over locally, with no session, as the node itself).
        let author = match peer {
            Some(p) => Author::Peer(*p),
            None => Author::Node,
        };
        // Whole documents of cases new here are decoded, and changes to cases held here
        // merged, before the writer lock.
        let prepared = self.prepare_docs(docs)?;
        self.ingest_prepared(&author, peer, docs, prepared, checkpoint, allow)
    }

    /// [`Node::ingest`] of `docs` as prepared before the lock (`prepared`, one per document).
    fn ingest_prepared(
        &self,
        author: &Author,
        peer: Option<&NodeId>,
        docs: &[IncomingDoc],
        mut prepared: Vec<Prepared>,
        checkpoint: Option<u64>,
        allow: &dyn Fn(&str, &str) -> bool,
    ) -> Result<IngestReport> {
        let ctx = self.begin_write(author, Permission::Ingest)?;
        let report = (|tx: &WriteTransaction| -> Result<IngestReport> {
            let mut report = IngestReport::default();
            let mut roles = HashMap::new();
            for (d, pre) in docs.iter().zip(prepared.iter_mut()) {
                let pre = std::mem::replace(pre, Prepared::Later);
                report
                    .items
                    .push(self.ingest_item(tx, peer, d, pre, allow, &mut roles, None)?);
            }
            if let (Some(peer), Some(checkpoint)) = (peer, checkpoint) {
                advance_checkpoint_in(tx, peer, checkpoint)?;
            }
            Ok(report)
        })(ctx.tx())?;
        ctx.commit()?;
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

    /// One received case inside the batch's transaction: stored (and out of the quarantine),
    /// or refused and quarantined with the reason. Only store failures are errors.
    #[allow(clippy::too_many_arguments)]
    fn ingest_item(
        &self,
        tx: &WriteTransaction,
        peer: Option<&NodeId>,
        d: &IncomingDoc,
        pre: Prepared,
        allow: &dyn Fn(&str, &str) -> bool,
        roles: &mut Roles,
        grp: Option<in_group::InGroup<'_>>,
    ) -> Result<Ingested> {
        Ok(match self.ingest_one(tx, peer, d, pre, allow, roles, grp) {
            Ok(Ok(i)) => {
                quarantine::clear(tx, peer.unwrap_or(&LOCAL), &d.id)?;
                i
            }
            Ok(Err(Refusal(kind, reason))) => {
                quarantine::put(tx, peer.unwrap_or(&LOCAL), d, kind, &reason)?;
                Ingested::Refused {
                    id: d.id,
                    kind,
                    reason,
                }
            }
            Err(e) if is_store_failure(&e) => return Err(e),
            Err(e) => {
                let reason = e.to_string();
                quarantine::put(tx, peer.unwrap_or(&LOCAL), d, RefusalKind::Invalid, &reason)?;
                Ingested::Refused {
                    id: d.id,
                    kind: RefusalKind::Invalid,
                    reason,
                }
            }
        })
    }

    /// A sync batch from `peer`: [`Node::ingest`] with the checkpoint.
    pub fn ingest_batch(
        &self,
        peer: &NodeId,
        docs: &[IncomingDoc],
        checkpoint: u64,
        allow: &dyn Fn(&str, &str) -> bool,
    ) -> Result<IngestReport> {
        self.ingest(Some(peer), docs, Some(checkpoint), allow)
    }

    /// Merges one document (`save()` bytes or change chunks) of case `id` handed over outside a
    /// sync session, through the same checks as sync: within this node's scope, a valid
    /// document of that case, every new change accounted by an audit entry held here. A
    /// refusal is an error (and the bytes are quarantined).
    pub fn apply_remote(&self, id: &CaseId, bytes: &[u8]) -> Result<MergeOutcome> {
        self.apply_remote_between(id, bytes, || ())
    }

    /// [`Node::apply_remote`] with `between` run after the case was merged before the lock and
    /// before the transaction (`ingest/held.rs`): tests make a write race the prepared merge there.
    #[doc(hidden)]
    pub fn apply_remote_racing(
        &self,
        id: &CaseId,
        bytes: &[u8],
        between: impl FnOnce(),
    ) -> Result<MergeOutcome> {
        self.apply_remote_between(id, bytes, between)
    }

    /// [`Node::apply_remote`], with `between` run after the document was prepared before the
    /// lock and before the transaction (tests make a write race the prepared merge there).
    fn apply_remote_between(
        &self,
        id: &CaseId,
        bytes: &[u8],
        between: impl FnOnce(),
    ) -> Result<MergeOutcome> {
        let cfg = self.config().clone();
        let allow = move |p: &str, c: &str| crate::peers::own_scope_holds(&cfg, p, c);
        let d = IncomingDoc {
            id: *id,
            full: true,
            heads: Vec::new(),
            bytes: bytes.to_vec(),
        };
        let docs = std::slice::from_ref(&d);
        let prepared = self.prepare_docs(docs)?;
        between();
        let report = self.ingest_prepared(&Author::Node, None, docs, prepared, None, &allow)?;
        match report.items.into_iter().next() {
            Some(Ingested::Stored {
                id,
                created,
                changed,
                conflict,
                ..
            }) => Ok(MergeOutcome {
                id,
                created,
                changed,
                conflict,
            }),
            Some(Ingested::Refused { id, kind, reason }) => {
                Err(IngestError::Refused { id, kind, reason }.into())
            }
            None => Err(IngestError::NothingMerged.into()),
        }
    }

    /// The whole document of a case (`save()` bytes), for sending.
    pub fn doc_bytes(&self, id: &CaseId) -> Result<Vec<u8>> {
        Ok(self.case_doc(id)?.save())
    }

    #[allow(clippy::too_many_arguments)]
    fn ingest_one(
        &self,
        tx: &WriteTransaction,
        peer: Option<&NodeId>,
        d: &IncomingDoc,
        pre: Prepared,
        allow: &dyn Fn(&str, &str) -> bool,
        roles: &mut Roles,
        mut grp: Option<in_group::InGroup<'_>>,
    ) -> Result<std::result::Result<Ingested, Refusal>> {
        if d.heads.len() > MAX_HEADS {
            return refuse(
                RefusalKind::Invalid,
                format!("case {} claims too many heads", d.id),
            );
        }
        let mut staged_rows: Option<Box<staged::Staged>> = None;
        let existing: Option<CaseSummary> = tx
            .open_table(CASES)?
            .get(&d.id.0)?
            .and_then(|v| crate::summaries::decode(&d.id, v.value()).ok());
        let (created, changed, mut doc, claims, merged_view) = match &existing {
            Some(s) => {
                if !allow(&s.province, &s.commune) {
                    return refuse(
                        RefusalKind::OutOfScope,
                        format!(
                            "case {} ({}/{}) is outside the sender's or this node's scope",
                            d.id, s.province, s.commune
                        ),
                    );
                }
                // Merged before the lock when the stored form is still the one it was
                // merged from (`held.rs`), else here.
                let held = match pre {
                    Prepared::Held(h) => held::current(tx, &d.id, h)?,
                    _ => None,
                };
                let (mut doc, chunks, before, before_j, changed, mut pre_merged) = match held {
                    Some(h) => {
                        let h = *h;
                        let pre_merged = (h.after_j, h.view, h.changes, h.store);
                        (
                            h.doc,
                            h.stored,
                            h.before,
                            h.before_j,
                            h.changed,
                            Some(pre_merged),
                        )
                    }
                    None => {
                        let (mut doc, chunks) = {
                            let docs = tx.open_table(DOCS)?;
                            let changes = tx.open_table(DOC_CHANGES)?;
                            self.load_doc_from_tables(&docs, &changes, &d.id)?
                        };
                        let before = doc.heads();
                        let before_j = (doc.all_strings("province")?, doc.all_strings("commune")?);
                        let bytes = match packed::automerge_bytes(d) {
                            Ok(b) => b,
                            Err(why) => return refuse(RefusalKind::Invalid, why),
                        };
                        doc.load_incremental(&bytes)?;
                        let changed = doc.heads() != before;
                        (doc, chunks, before, before_j, changed, None)
                    }
                };
                let mut merged_view = None;
                let mut claims = Vec::new();
                if changed {
                    let (after_j, pre_view, pre_changes, pre_store) = match pre_merged.take() {
                        Some((j, v, c, s)) => (j, v, Some(c), s),
                        None => (None, None, None, None),
                    };
                    let after_j = match after_j {
                        Some(j) => j,
                        None => (doc.all_strings("province")?, doc.all_strings("commune")?),
                    };
                    if after_j != before_j {
                        return refuse(
                            RefusalKind::Invalid,
                            format!(
                                "remote change to case {} alters its jurisdiction; refused",
                                d.id
                            ),
                        );
                    }
                    let view = match pre_view {
                        Some(v) => v?,
                        None => doc.view()?,
                    };
                    if view.id != d.id {
                        return refuse(
                            RefusalKind::Invalid,
                            format!("remote document claims id {} instead of {}", view.id, d.id),
                        );
                    }
                    let fresh = grp.as_mut().map(|g| &mut *g.fresh);
                    let checked = match &pre_changes {
                        Some(new) => trust::check_changes(tx, &d.id, new, fresh)?,
                        None => {
                            let new = trust::changes_after(doc.automerge(), &before);
                            trust::check_changes(tx, &d.id, &new, fresh)?
                        }
                    };
                    claims = match checked {
                        Ok(c) => c,
                        Err(why) => return refuse(RefusalKind::Unaccounted, why),
                    };
                    match &pre_store {
                        Some(p) => {
                            crate::write::store_prepared(tx, &d.id, p, chunks)?;
                        }
                        None => self.persist_doc(tx, &d.id, &mut doc, chunks)?,
                    }
                    self.store_summary(tx, &view)?;
                    merged_view = Some(view);
                }
                (false, changed, doc, claims, merged_view)
            }
            None => {
                if !d.full {
                    return refuse(
                        RefusalKind::Invalid,
                        format!(
                            "changes for case {} which is not held here; send the whole document",
                            d.id
                        ),
                    );
                }
                let decoded = match pre {
                    Prepared::Done(r) => r,
                    Prepared::Later | Prepared::Held(_) => prepare::decode(d),
                };
                let dec = match decoded {
                    Ok(dec) => *dec,
                    Err(e) => {
                        return refuse(
                            RefusalKind::Invalid,
                            format!("not a valid case document: {e}"),
                        );
                    }
                };
                let mut doc = dec.doc;
                let view = dec.view?;
                if view.id != d.id {
                    return refuse(
                        RefusalKind::Invalid,
                        format!("remote document claims id {} instead of {}", view.id, d.id),
                    );
                }
                let (p, c) = dec.juris?;
                if p.len() != 1 || c.len() != 1 {
                    return refuse(
                        RefusalKind::Invalid,
                        format!("case {} has an ambiguous jurisdiction; refused", d.id),
                    );
                }
                if !allow(&view.province, &view.commune) {
                    return refuse(
                        RefusalKind::OutOfScope,
                        format!(
                            "case {} ({}/{}) is outside the sender's or this node's scope",
                            d.id, view.province, view.commune
                        ),
                    );
                }
                let fresh = grp.as_mut().map(|g| &mut *g.fresh);
                let claims = match trust::check_changes(tx, &d.id, &dec.changes, fresh)? {
                    Ok(c) => c,
                    Err(why) => return refuse(RefusalKind::Unaccounted, why),
                };
                // The rows a grouped ingest worked out from this decoded document
                // (`staged.rs`); otherwise they are worked out here.
                staged_rows = grp
                    .as_mut()
                    .and_then(|g| g.staged.take())
                    .filter(|s| s.id == d.id);
                match &staged_rows {
                    Some(s) => {
                        tx.open_table(DOCS)?.insert(&d.id.0, s.row.row())?;
                    }
                    None => {
                        // The received bytes or row as they came when `prepare.rs` found them
                        // in the stored form; else the document saved again in it.
                        let row = match dec.row {
                            Some(p) => p,
                            None => DocBuf::pack(&doc.save_stored()),
                        };
                        tx.open_table(DOCS)?.insert(&d.id.0, row.row())?;
                    }
                }
                tx.open_table(RECEIPTS)?
                    .insert(view.receipt_code.as_str(), &d.id.0)?;
                match &staged_rows {
                    Some(s) => staged::store_summary(tx, &view, s)?,
                    None => self.store_summary(tx, &view)?,
                }
                (true, true, doc, claims, Some(view))
            }
        };
        let am = doc.automerge();
        // The heads the sender holds, worked out once (a whole document of a known case is
        // loaded for them).
        let heads = match peer {
            Some(peer) => {
                let heads = match &staged_rows {
                    Some(s) if created => s.heads.clone(),
                    _ => self.sender_heads(d, created, am),
                };
                self.note_peer_heads(tx, peer, &d.id, &heads, am)?;
                heads
            }
            None => Vec::new(),
        };
        let from = peer.unwrap_or(&LOCAL);
        let conflict = if let Some(view) = &merged_view {
            let filed = self.file_review_in(tx, view, from)?;
            let reasons = trust::review_reasons(self, tx, view, &claims, roles)?;
            if reasons.is_empty() {
                filed
            } else {
                self.flag_for_review(tx, view, from, reasons)?;
                true
            }
        } else {
            false
        };
        if let Some(g) = grp {
            // The decoded document is freed off the writer (`group.rs`).
            g.discard(doc, merged_view, staged_rows);
        }
        Ok(Ok(Ingested::Stored {
            id: d.id,
            created,
            changed,
            conflict,
            heads,
        }))
    }

    /// The heads the sender holds (and we now hold too), or none when it claims heads we lack.
    fn sender_heads(&self, d: &IncomingDoc, created: bool, am: &mut AutoCommit) -> Vec<[u8; 32]> {
        if created {
            // A new case is the sender's whole document as it came: its heads are ours.
            return raw_heads(am);
        }
        let sender_heads = if d.full {
            // A whole document of a case held here: its own heads are the sender's.
            match packed::automerge_bytes(d).map(|b| AutoCommit::load(&b)) {
                Ok(Ok(mut l)) => raw_heads(&mut l),
                _ => Vec::new(),
            }
        } else {
            sorted(d.heads.clone())
        };
        // Heads the sender claims but did not send are not recorded: the next change to this
        // case then travels whole, which is always correct.
        if holds_all(am, &sender_heads) {
            sender_heads
        } else {
            Vec::new()
        }
    }

    fn note_peer_heads(
        &self,
        tx: &WriteTransaction,
        peer: &NodeId,
        id: &CaseId,
        sender_heads: &[[u8; 32]],
        am: &mut AutoCommit,
    ) -> Result<()> {
        if sender_heads.is_empty() {
            return Ok(());
        }
        let local = raw_heads(am);
        let mut t = tx.open_table(PEER_HEADS)?;
        let (old_seq, old) = match t.get((&peer.0, &id.0))? {
            Some(g) => {
                let (s, h) = decode_peer_heads(g.value());
                (Some(s), h)
            }
            None => (None, Vec::new()),
        };
        let known = union(sender_heads, &old);
        let (seq, known) = if covered(&local, &known) {
            let seq = tx
                .open_table(FEED_BY_DOC)?
                .get(&id.0)?
                .map(|v| v.value())
                .unwrap_or(0);
            (seq, local)
        } else {
            (0, known)
        };
        t.insert((&peer.0, &id.0), encode_peer_heads(seq, &known).as_slice())?;
        crate::commune_counts::peer_heads_written(tx, &peer.0, id, old_seq, Some(seq))?;
        Ok(())
    }

    /// Puts a merged case in the review queue because of what its changes did (a step the
    /// workflow or the officer's role does not allow), keeping any conflict already filed.
    fn flag_for_review(
        &self,
        tx: &WriteTransaction,
        view: &crate::case::CaseView,
        from: &NodeId,
        reasons: Vec<String>,
    ) -> Result<()> {
        let mut t = tx.open_table(REVIEW)?;
        let mut rec = match t
            .get(&view.id.0)?
            .and_then(|v| serde_json::from_slice::<ReviewRecord>(v.value()).ok())
        {
            Some(r) => r,
            None => ReviewRecord {
                case_id: view.id,
                receipt_code: view.receipt_code.clone(),
                track: None,
                sides: Vec::new(),
                workflow_breaks: Vec::new(),
                from_peer: from.to_string(),
                filed_at: crate::deadline::now().to_rfc3339(),
            },
        };
        for r in reasons {
            if !rec.workflow_breaks.contains(&r) {
                rec.workflow_breaks.push(r);
            }
        }
        let bytes = serde_json::to_vec(&rec).map_err(EncodeError::json("a sync record"))?;
        t.insert(&view.id.0, bytes.as_slice())?;
        Ok(())
    }
}
