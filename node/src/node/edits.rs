//! Changing stored cases: fields, workflow transitions, notes, and the summary/feed rows
//! every change rewrites.

use hoso_schemas::{Procedure, Status};
use redb::{ReadableTable, WriteTransaction};

use crate::audit::entry::Action;
use crate::audit::{self, NewEntry};
use crate::case::{CaseDoc, CaseSummary, CaseView, HistoryEntry, Note};
use crate::deadline;
use crate::error::{NodeError, Result};
use crate::ids::CaseId;
use crate::index;
use crate::officer::Officer;
use crate::store::error::StoreError;
use crate::store::tables::*;

use super::cases::field_def;
use super::*;

impl Node {
    /// Writes the summary row, indexes and change feed of a case whose document changed.
    pub(crate) fn store_summary(
        &self,
        tx: &WriteTransaction,
        view: &CaseView,
        _old: Option<()>,
    ) -> Result<()> {
        let new = view.summary();
        let bytes = serde_json::to_vec(&new).map_err(|e| NodeError::Invalid(e.to_string()))?;
        let old = {
            let mut cases = tx.open_table(CASES)?;
            let old = cases
                .insert(&view.id.0, bytes.as_slice())?
                .map(|g| g.value().to_vec());
            // A row that does not decode would leave its index rows behind: fail closed.
            old.map(|b| {
                serde_json::from_slice::<CaseSummary>(&b).map_err(|e| StoreError::CorruptSummary {
                    case: view.id,
                    detail: e.to_string(),
                })
            })
            .transpose()?
        };
        {
            let mut idx = tx.open_table(INDEX)?;
            index::update(&mut idx, old.as_ref(), Some(&new))?;
        }
        if !new.conflict {
            // A resolved (or never conflicting) case leaves the review queue.
            tx.open_table(REVIEW)?.remove(&view.id.0)?;
        }
        bump_feed(tx, &view.id)?;
        Ok(())
    }

    /// Applies an edit to a stored case as one durable, audited action.
    fn edit_case<F>(
        &self,
        officer_id: &str,
        reference: &str,
        action: Action,
        f: F,
    ) -> Result<CaseView>
    where
        F: FnOnce(&mut CaseDoc, &CaseView, &Officer, &Procedure) -> Result<serde_json::Value>,
    {
        let off = self.writing_officer(officer_id)?;
        let id = self.resolve(reference)?;
        let (mut w, tx) = self.write_txn()?;
        let (mut doc, chunks) = {
            let docs = tx.open_table(DOCS)?;
            let changes = tx.open_table(DOC_CHANGES)?;
            self.load_doc(&docs, &changes, &id)?
        };
        let before = doc.view()?;
        let procedure = self.inner.catalog.procedure(&before.procedure)?;
        let heads_before = hashes(&doc.heads());
        let p = f(&mut doc, &before, &off, procedure)?;
        let now = now_ms();
        let change = doc
            .commit(action.as_str(), now)
            .ok_or_else(|| NodeError::Invalid("nothing to change".into()))?;
        self.persist_doc(&tx, &id, &mut doc, chunks)?;
        let view = doc.view()?;
        self.store_summary(&tx, &view, None)?;
        let (_, head) = audit::append(
            &tx,
            &self.inner.key,
            self.inner.realm,
            &w.head,
            NewEntry {
                officer: &off.id,
                action,
                case_id: id,
                actor: self.inner.actor,
                heads_before,
                changes: vec![change.0],
                payload: &payload(p),
                now_ms: now,
            },
        )?;
        tx.commit()?;
        w.head = head;
        drop(w);
        let _ = self.inner.changed.send(id);
        Ok(self.finish_view(view))
    }

    /// Stores a document's new changes: appended as a chunk, or compacted past the threshold.
    pub(crate) fn persist_doc(
        &self,
        tx: &WriteTransaction,
        id: &CaseId,
        doc: &mut CaseDoc,
        chunks: u32,
    ) -> Result<()> {
        let mut changes = tx.open_table(DOC_CHANGES)?;
        if chunks + 1 >= COMPACT_AFTER {
            let bytes = doc.save();
            tx.open_table(DOCS)?.insert(&id.0, bytes.as_slice())?;
            for n in 0..chunks {
                changes.remove((&id.0, n))?;
            }
        } else {
            let inc = doc.save_incremental();
            if !inc.is_empty() {
                changes.insert((&id.0, chunks), inc.as_slice())?;
            }
        }
        Ok(())
    }

    /// Edits fields (validated against the catalog).
    pub fn set_fields(
        &self,
        officer_id: &str,
        reference: &str,
        fields: &[(String, String)],
    ) -> Result<CaseView> {
        if fields.is_empty() {
            return Err(NodeError::Invalid(
                "nothing to set: pass NAME=VALUE pairs".into(),
            ));
        }
        self.edit_case(
            officer_id,
            reference,
            Action::FieldSet,
            |doc, before, _off, procedure| {
                if before.status.ends_processing() {
                    return Err(NodeError::Invalid(format!(
                        "case {} is {}: its fields can no longer change",
                        before.receipt_code, before.status
                    )));
                }
                let mut changed = BTreeMap::new();
                for (name, raw) in fields {
                    let def = field_def(procedure, name)?;
                    if before.evidence.contains_key(name) {
                        return Err(NodeError::RegistryField {
                            field: name.clone(),
                        });
                    }
                    let v = def.validate(raw)?;
                    doc.set_field(name, &v)?;
                    changed.insert(
                        name.clone(),
                        serde_json::json!({"from": before.fields.get(name), "to": v}),
                    );
                }
                Ok(serde_json::json!({"fields": changed}))
            },
        )
    }

    /// Moves a case (or one track of a bundle) through its workflow.
    pub fn transition(
        &self,
        officer_id: &str,
        reference: &str,
        to: Status,
        track: Option<&str>,
        note: Option<&str>,
    ) -> Result<CaseView> {
        let calendar = self.inner.calendar.clone();
        let catalog = self.inner.catalog.clone();
        let node_short = self.id().short();
        self.edit_case(officer_id, reference, Action::Transition, |doc, before, off, procedure| {
            let (proc_for, current, conflicting) = match track {
                None => (procedure, before.status, before.conflicting_status.clone()),
                Some(t) => {
                    let tv = before.tracks.get(t).ok_or_else(|| {
                        NodeError::Invalid(format!(
                            "case {} has no track `{t}`; its tracks are: {}",
                            before.receipt_code,
                            if before.tracks.is_empty() { "none (not a bundle)".to_string() } else { before.tracks.keys().cloned().collect::<Vec<_>>().join(", ") }
                        ))
                    })?;
                    (catalog.procedure(t)?, tv.status, tv.conflicting.clone())
                }
            };
            // A conflicted status may be resolved from any of its concurrent values.
            let mut result = proc_for.check_transition(current, to, off.role);
            if result.is_err() {
                for alt in &conflicting {
                    if proc_for.check_transition(*alt, to, off.role).is_ok() {
                        result = Ok(());
                        break;
                    }
                }
            }
            result?;
            let now = deadline::now();
            if track.is_none() && current == Status::SupplementRequested && to != Status::SupplementRequested {
                let paused_on = before
                    .history
                    .iter()
                    .rev()
                    .find(|h| h.to == Status::SupplementRequested && h.track.is_none())
                    .and_then(|h| deadline::parse_date(&h.at));
                if let (Some(p), Some(due)) = (paused_on, deadline::parse_date(&before.due_date)) {
                    let new_due = deadline::extend_for_pause(&calendar, due, p, now.date_naive());
                    doc.set_due_date(&new_due.to_string())?;
                }
            }
            doc.set_status(to, track)?;
            let note = note.map(|n| hoso_schemas::nfc(n.trim())).filter(|n| !n.is_empty());
            doc.push_history(&HistoryEntry {
                at: now.to_rfc3339(),
                officer: off.id.clone(),
                node: node_short.clone(),
                from: Some(current),
                to,
                track: track.map(str::to_string),
                note: note.clone(),
            })?;
            Ok(serde_json::json!({"from": current, "to": to, "track": track, "note": note, "resolved_conflict": !conflicting.is_empty()}))
        })
    }

    /// Appends a note.
    pub fn add_note(&self, officer_id: &str, reference: &str, text: &str) -> Result<CaseView> {
        let text = hoso_schemas::nfc(text.trim());
        if text.is_empty() {
            return Err(NodeError::Invalid("the note is empty".into()));
        }
        if text.chars().count() > 2000 {
            return Err(NodeError::Invalid(
                "the note is over 2000 characters".into(),
            ));
        }
        let node_short = self.id().short();
        self.edit_case(
            officer_id,
            reference,
            Action::Note,
            |doc, _before, off, _p| {
                doc.push_note(&Note {
                    at: deadline::now().to_rfc3339(),
                    officer: off.id.clone(),
                    node: node_short.clone(),
                    text: text.clone(),
                })?;
                Ok(serde_json::json!({"note_chars": text.chars().count()}))
            },
        )
    }
}

/// Moves a case to the head of the change feed.
pub(crate) fn bump_feed(tx: &WriteTransaction, id: &CaseId) -> Result<u64> {
    let mut feed = tx.open_table(FEED)?;
    let mut by_doc = tx.open_table(FEED_BY_DOC)?;
    let next = feed.last()?.map(|(k, _)| k.value() + 1).unwrap_or(1);
    if let Some(old) = by_doc.insert(&id.0, next)?.map(|g| g.value()) {
        feed.remove(old)?;
    }
    feed.insert(next, &id.0)?;
    Ok(next)
}
