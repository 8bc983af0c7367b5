//! Changing stored cases: fields, workflow transitions, notes, and the summary/feed rows
//! every change rewrites.

use std::collections::BTreeMap;

use hoso_schemas::{Procedure, Status};
use redb::WriteTransaction;

use crate::case::{CaseDoc, CaseView, HistoryEntry, Note};
use crate::chain::entry::Action;
use crate::deadline;
use crate::error::{Limited, NodeError, Refusal, Result};
use crate::ids::CaseId;
use crate::officer::Officer;
use crate::write::{AuthenticatedOfficer, Author, Permission};
use crate::{limits, text};

use super::fields::{check_field_input, field_def};
use super::handle::Node;

impl Node {
    /// Writes the summary row, indexes and change feed of a case whose document changed (the
    /// write path's step 6, for the crate's ingest code).
    pub(crate) fn store_summary(&self, tx: &WriteTransaction, view: &CaseView) -> Result<()> {
        crate::write::store_summary(tx, view)
    }

    /// Stores a document's new changes (the write path's step 5, for the crate's ingest code).
    pub(crate) fn persist_doc(
        &self,
        tx: &WriteTransaction,
        id: &CaseId,
        doc: &mut CaseDoc,
        stored: crate::doc_store::Stored,
    ) -> Result<()> {
        crate::write::store_doc(tx, id, doc, stored).map(|_| ())
    }

    /// Applies an edit by an officer to a stored case through the write path.
    pub(super) fn edit_case<F>(
        &self,
        by: &AuthenticatedOfficer,
        reference: &str,
        action: Action,
        f: F,
    ) -> Result<CaseView>
    where
        F: FnOnce(&mut CaseDoc, &CaseView, &Officer, &Procedure) -> Result<serde_json::Value>,
    {
        let id = self.resolve(reference)?;
        let mut ctx = self.begin_write(&Author::from(by), Permission::ChangeCases)?;
        let view = ctx.edit_case(id, action, |doc, before, procedure, ctx| {
            let off = ctx.officer().ok_or(NodeError::NoOfficer)?;
            f(doc, before, off, procedure)
        })?;
        ctx.commit()?;
        Ok(self.finish_view(view))
    }

    /// Edits fields (validated against the catalog).
    pub fn set_fields(
        &self,
        by: &AuthenticatedOfficer,
        reference: &str,
        fields: &[(String, String)],
    ) -> Result<CaseView> {
        if fields.is_empty() {
            return Err(Refusal::NothingToSet.into());
        }
        for (name, raw) in fields {
            check_field_input(name, raw)?;
        }
        self.edit_case(
            by,
            reference,
            Action::FieldSet,
            |doc, before, _off, procedure| {
                if before.status.ends_processing() {
                    return Err(Refusal::FieldsFrozen {
                        receipt_code: before.receipt_code.clone(),
                        status: before.status,
                    }
                    .into());
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
        by: &AuthenticatedOfficer,
        reference: &str,
        to: Status,
        track: Option<&str>,
        note: Option<&str>,
    ) -> Result<CaseView> {
        let node_short = self.id().short();
        let note = match note
            .map(|n| hoso_schemas::nfc(n.trim()))
            .filter(|n| !n.is_empty())
        {
            None => None,
            Some(n) => {
                text::check("the transition note", &n)?;
                limits::check(
                    Limited::TransitionNote,
                    n.len(),
                    limits::MAX_TRANSITION_NOTE_BYTES,
                )?;
                Some(n)
            }
        };
        self.edit_case(by, reference, Action::Transition, |doc, before, off, procedure| {
            // The case's own catalog version (issue 12).
            let rules = self.case_rules(before);
            let (catalog, calendar) = (&rules.catalog, &rules.calendar);
            let (proc_for, current, conflicting) = match track {
                None => (procedure, before.status, before.conflicting_status.clone()),
                Some(t) => {
                    let tv = before.tracks.get(t).ok_or_else(|| Refusal::NoSuchTrack {
                        receipt_code: before.receipt_code.clone(),
                        track: t.to_string(),
                        tracks: if before.tracks.is_empty() { "none (not a bundle)".to_string() } else { before.tracks.keys().cloned().collect::<Vec<_>>().join(", ") },
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
            super::payments::check_paid(before, current, to, track)?;
            let now = deadline::now();
            match track {
                Some(t) => super::tracks::before_track_move(doc, before, procedure, calendar, t, to, now)?,
                None => super::tracks::check_case_move(before, to, off.role, note.as_deref())?,
            }
            if track.is_none() && current == Status::SupplementRequested && to != Status::SupplementRequested {
                let paused_on = before
                    .history
                    .iter()
                    .rev()
                    .find(|h| h.to == Status::SupplementRequested && h.track.is_none())
                    .and_then(|h| deadline::parse_date(&h.at));
                if let (Some(p), Some(due)) = (paused_on, deadline::parse_date(&before.due_date)) {
                    let new_due = deadline::extend_for_pause(calendar, due, p, now.date_naive());
                    doc.set_due_date(&new_due.to_string())?;
                }
                if let Some(p) = paused_on {
                    super::tracks::extend_tracks_for_pause(doc, before, calendar, p, now.date_naive())?;
                }
            }
            if let Some(t) = track
                && current == Status::SupplementRequested
                && to != Status::SupplementRequested
            {
                super::tracks::resume_track(doc, before, calendar, t, now.date_naive())?;
            }
            doc.set_status(to, track)?;
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
    pub fn add_note(
        &self,
        by: &AuthenticatedOfficer,
        reference: &str,
        text: &str,
    ) -> Result<CaseView> {
        let text = hoso_schemas::nfc(text.trim());
        if text.is_empty() {
            return Err(Refusal::EmptyNote.into());
        }
        crate::text::check("the note", &text)?;
        limits::check(Limited::Note, text.len(), limits::MAX_NOTE_BYTES)?;
        let node_short = self.id().short();
        self.edit_case(by, reference, Action::Note, |doc, _before, off, _p| {
            doc.push_note(&Note {
                at: deadline::now().to_rfc3339(),
                officer: off.id.clone(),
                node: node_short.clone(),
                text: text.clone(),
            })?;
            Ok(serde_json::json!({"note_chars": text.chars().count(), "note_bytes": text.len()}))
        })
    }
}
