//! The supplement rule (issue 10, item 5; procedures.md §1–2, Decree 61/2018 as carried into
//! Decree 118/2025): the citizen is asked once, in writing (Mẫu 02), for everything missing,
//! with a date to supplement by; the deadline clock pauses meanwhile. A second request needs a
//! supervisor and a reason, and the case then counts as late for reporting
//! ([`crate::deadline::is_overdue`]). A case still waiting past its supplement deadline is
//! proposed for stop ([`CaseView::stop_proposed`]).

use chrono::NaiveDate;
use hoso_schemas::Status;

use crate::case::{CaseView, HistoryEntry, SupplementRecord};
use crate::chain::entry::Action;
use crate::error::{LifecycleError, Limited, Result};
use crate::write::AuthenticatedOfficer;
use crate::{deadline, limits};

use super::fields::record_text;
use super::handle::Node;

/// What `hoso case supplement` records.
#[derive(Clone, Debug, Default)]
pub struct SupplementInput {
    /// Everything missing, one item each (listed at once).
    pub items: Vec<String>,
    /// Why; required from the second request on.
    pub reason: Option<String>,
    /// The date to supplement by; the catalog's supplement limit from today when `None`.
    pub deadline: Option<NaiveDate>,
}

fn dmy(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

impl Node {
    /// Asks the citizen for a supplement: moves the case to `supplement_requested` and records
    /// the missing items and the deadline, in one audited write.
    pub fn request_supplement(
        &self,
        by: &AuthenticatedOfficer,
        reference: &str,
        input: &SupplementInput,
    ) -> Result<CaseView> {
        self.supplement(by, reference, None, input)
    }

    /// Asks for a supplement on one track of a bundle, where the law gives the track its own
    /// deadline: the track (not the bundle) moves to `supplement_requested` through its own
    /// procedure's workflow and its own clock pauses; its due date moves on by the paused
    /// working days when it resumes. The rule of one request applies per track.
    pub fn request_track_supplement(
        &self,
        by: &AuthenticatedOfficer,
        reference: &str,
        track: &str,
        input: &SupplementInput,
    ) -> Result<CaseView> {
        self.supplement(by, reference, Some(track), input)
    }

    fn supplement(
        &self,
        by: &AuthenticatedOfficer,
        reference: &str,
        track: Option<&str>,
        input: &SupplementInput,
    ) -> Result<CaseView> {
        let mut items = Vec::new();
        for raw in &input.items {
            // One item per line in the document: a line break inside an item becomes a space.
            let one = raw.split_whitespace().collect::<Vec<_>>().join(" ");
            if one.is_empty() {
                continue;
            }
            items.push(record_text(
                "a missing item",
                &one,
                "",
                limits::MAX_FIELD_BYTES,
                Limited::Field,
            )?);
        }
        if items.is_empty() {
            return Err(LifecycleError::Empty {
                what: "the list of missing items".into(),
                hint: "a supplement request lists everything missing at once: pass --item TEXT for each".into(),
            }
            .into());
        }
        let listed = items.join("; ");
        limits::check(
            Limited::TransitionNote,
            listed.len(),
            limits::MAX_TRANSITION_NOTE_BYTES,
        )?;
        let reason = match input.reason.as_deref().filter(|r| !r.trim().is_empty()) {
            None => None,
            Some(r) => Some(record_text(
                "the reason",
                r,
                "",
                limits::MAX_NOTE_BYTES,
                Limited::Note,
            )?),
        };
        let node_short = self.id().short();
        self.edit_case(
            by,
            reference,
            Action::SupplementRequest,
            |doc, before, off, procedure| {
                // The case's own catalog version (issue 12).
                let rules = self.case_rules(before);
                let (catalog, calendar) = (&rules.catalog, &rules.calendar);
                let (from, limit_of, previous) = match track {
                    None => {
                        let from = before.status;
                        procedure.check_transition(from, Status::SupplementRequested, off.role)?;
                        super::tracks::check_case_move(
                            before,
                            Status::SupplementRequested,
                            off.role,
                            reason.as_deref(),
                        )?;
                        (from, procedure, before.supplement_requests())
                    }
                    Some(t) => {
                        let (from, tp) = super::tracks::open_track(before, catalog, t)?;
                        tp.check_transition(from, Status::SupplementRequested, off.role)?;
                        let previous = before
                            .history
                            .iter()
                            .filter(|h| {
                                h.to == Status::SupplementRequested && h.track.as_deref() == Some(t)
                            })
                            .count();
                        if previous >= 1
                            && (off.role != hoso_schemas::Role::Supervisor || reason.is_none())
                        {
                            return Err(LifecycleError::SecondSupplement {
                                receipt_code: before.receipt_code.clone(),
                                previous,
                            }
                            .into());
                        }
                        (from, tp, previous)
                    }
                };
                let now = deadline::now();
                let today = now.date_naive();
                let due = match input.deadline {
                    Some(d) => d,
                    None => limit_of
                        .deadline
                        .supplement_due(calendar, today)
                        .or_else(|| procedure.deadline.supplement_due(calendar, today))
                        .ok_or_else(|| LifecycleError::NoSupplementLimit {
                            procedure: limit_of.code.clone(),
                        })?,
                };
                if due <= today {
                    return Err(LifecycleError::SupplementDeadline {
                        deadline: dmy(due),
                        today: dmy(today),
                    }
                    .into());
                }
                let at = now.to_rfc3339();
                doc.set_status(Status::SupplementRequested, track)?;
                doc.push_history(&HistoryEntry {
                    at: at.clone(),
                    officer: off.id.clone(),
                    node: node_short.clone(),
                    from: Some(from),
                    to: Status::SupplementRequested,
                    track: track.map(str::to_string),
                    note: Some(format!("Yêu cầu bổ sung: {listed}")),
                })?;
                doc.push_supplement(&SupplementRecord {
                    at,
                    officer: off.id.clone(),
                    items: items.clone(),
                    deadline: due.to_string(),
                    reason: reason.clone(),
                    track: track.map(str::to_string),
                })?;
                Ok(serde_json::json!({
                    "from": from,
                    "to": Status::SupplementRequested,
                    "track": track,
                    "items": items.len(),
                    "deadline": due.to_string(),
                    "reason": reason,
                    "request": previous + 1,
                }))
            },
        )
    }
}
