//! Recomputing a case's due date after the holiday calendar changed: an explicit, audited
//! action of a supervisor, never a silent move (a stored due date is what the citizen's receipt
//! says).
//!
//! The new date is the catalog deadline counted from the receipt on the calendar the node holds
//! now, extended by every supplement pause that has ended (as the transition out of
//! `supplement_requested` does).

use hoso_schemas::{Role, Status};
use serde::Serialize;

use crate::audit::entry::Action;
use crate::case::{CaseView, Note};
use crate::deadline;
use crate::error::{IntakeError, NodeError, Result};
use crate::write::{AuthenticatedOfficer, Author, Permission};

use super::*;

/// What a recomputation found (and, when the date moved, wrote).
#[derive(Clone, Debug, Serialize)]
pub struct DueRecompute {
    /// The stored due date before.
    pub before: String,
    /// The due date on the current calendar.
    pub after: String,
    /// False when the dates agree: nothing was written.
    pub changed: bool,
    /// The case as it is now.
    pub case: CaseView,
}

impl Node {
    /// The due date `view` would have on the node's current calendar.
    pub fn due_on_current_calendar(&self, view: &CaseView) -> Result<chrono::NaiveDate> {
        let procedure = self.inner.catalog.procedure(&view.procedure)?;
        let received = chrono::DateTime::parse_from_rfc3339(&view.received_at).map_err(|e| {
            NodeError::Corrupt {
                what: format!("receipt time of case {}", view.receipt_code),
                detail: e.to_string(),
            }
        })?;
        let cal = &self.inner.calendar;
        let mut due = procedure.deadline.due_date(cal, received);
        let mut paused: Option<chrono::NaiveDate> = None;
        for h in view.history.iter().filter(|h| h.track.is_none()) {
            if h.to == Status::SupplementRequested {
                paused = deadline::parse_date(&h.at);
            } else if h.from == Some(Status::SupplementRequested)
                && let (Some(p), Some(resumed)) = (paused.take(), deadline::parse_date(&h.at))
            {
                due = deadline::extend_for_pause(cal, due, p, resumed);
            }
        }
        Ok(due)
    }

    /// Recomputes a case's due date on the current calendar (`hoso case recompute-due`): a
    /// supervisor's audited action; nothing is written when the date does not move.
    pub fn recompute_due(
        &self,
        by: &AuthenticatedOfficer,
        reference: &str,
    ) -> Result<DueRecompute> {
        let id = self.resolve(reference)?;
        let current = self.finish_view(self.case_doc(&id)?.view()?);
        let after = self.due_on_current_calendar(&current)?.to_string();
        let mut ctx = self.begin_write(&Author::from(by), Permission::ChangeCases)?;
        if ctx.role() != Some(Role::Supervisor) {
            return Err(IntakeError::RecomputeNeedsSupervisor.into());
        }
        if current.status.ends_processing() {
            return Err(IntakeError::CaseEnded {
                receipt_code: current.receipt_code.clone(),
                status: current.status.as_str().into(),
                action: "recomputing its due date".into(),
            }
            .into());
        }
        if after == current.due_date {
            return Ok(DueRecompute {
                before: current.due_date.clone(),
                after,
                changed: false,
                case: current,
            });
        }
        let node_short = self.id().short();
        let before = current.due_date.clone();
        let view = ctx.edit_case(id, Action::DueRecompute, |doc, old, _p, ctx| {
            let off = ctx.officer().ok_or(NodeError::NoOfficer)?;
            doc.set_due_date(&after)?;
            let dmy = |s: &str| {
                deadline::parse_date(s)
                    .map(|d| d.format("%d/%m/%Y").to_string())
                    .unwrap_or_else(|| s.to_string())
            };
            doc.push_note(&Note {
                at: deadline::now().to_rfc3339(),
                officer: off.id.clone(),
                node: node_short.clone(),
                text: format!(
                    "Tính lại hạn trả kết quả theo lịch ngày nghỉ hiện hành: {} → {}",
                    dmy(&old.due_date),
                    dmy(&after)
                ),
            })?;
            Ok(serde_json::json!({"from": old.due_date, "to": after}))
        })?;
        ctx.commit()?;
        Ok(DueRecompute {
            before,
            after: view.due_date.clone(),
            changed: true,
            case: self.finish_view(view),
        })
    }
}
