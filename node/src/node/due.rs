//! Recomputing a case's due date after the holiday calendar changed: an explicit, audited
//! action of a supervisor, never a silent move (a stored due date is what the citizen's receipt
//! says).
//!
//! The new date is the catalog deadline counted from the receipt on the calendar the node holds
//! now, extended by every supplement pause that has ended (as the transition out of
//! `supplement_requested` does).

use hoso_schemas::{Role, Status};
use serde::Serialize;

use crate::case::{CaseView, Note};
use crate::chain::entry::Action;
use crate::deadline;
use crate::error::{IntakeError, NodeError, Result};
use crate::write::{AuthenticatedOfficer, Author, Permission};

use super::handle::Node;

/// What a recomputation found (and, when the date moved, wrote).
#[derive(Clone, Debug, Serialize)]
pub struct DueRecompute {
    /// The stored due date before.
    pub before: String,
    /// The due date on the current calendar.
    pub after: String,
    /// False when the dates agree: nothing was written.
    pub changed: bool,
    /// The open tracks of a bundle whose own due date moved: (track, before, after).
    #[serde(default)]
    pub tracks: Vec<(String, String, String)>,
    /// The case as it is now.
    pub case: CaseView,
}

impl Node {
    /// The due date `view` would have on the node's current calendar.
    pub fn due_on_current_calendar(&self, view: &CaseView) -> Result<chrono::NaiveDate> {
        let procedure = self.catalog().procedure(&view.procedure)?;
        let received = chrono::DateTime::parse_from_rfc3339(&view.received_at).map_err(|e| {
            NodeError::Corrupt {
                what: format!("receipt time of case {}", view.receipt_code),
                detail: e.to_string(),
            }
        })?;
        let cal = self.calendar();
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

    /// The own due dates the open, handed-off tracks of bundle `view` would have on the node's
    /// current calendar: each track's catalog limit counted from its hand-off, extended by every
    /// ended pause that stopped its clock (the bundle's, from the hand-off when later, and the
    /// track's own).
    pub fn track_dues_on_current_calendar(
        &self,
        view: &CaseView,
    ) -> Result<Vec<(String, chrono::NaiveDate)>> {
        let procedure = self.catalog().procedure(&view.procedure)?;
        let cal = self.calendar();
        let mut out = Vec::new();
        for spec in &procedure.track_specs {
            let Some(t) = view.tracks.get(&spec.procedure) else {
                continue;
            };
            if t.status.ends_processing() || t.due_date.is_none() {
                continue;
            }
            let Some(at) = t
                .handed_off_at
                .as_deref()
                .and_then(|a| chrono::DateTime::parse_from_rfc3339(a).ok())
            else {
                continue;
            };
            let handed = at.with_timezone(&deadline::vn_offset()).date_naive();
            let mut due = spec.deadline.due_date(cal, at);
            let mut paused: Option<chrono::NaiveDate> = None;
            let mine = |h: &crate::case::HistoryEntry| {
                h.track.is_none() || h.track.as_deref() == Some(spec.procedure.as_str())
            };
            for h in view.history.iter().filter(|h| mine(h)) {
                if h.to == Status::SupplementRequested {
                    paused = deadline::parse_date(&h.at);
                } else if h.from == Some(Status::SupplementRequested)
                    && let (Some(p), Some(resumed)) = (paused.take(), deadline::parse_date(&h.at))
                    && resumed > handed
                {
                    due = deadline::extend_for_pause(cal, due, p.max(handed), resumed);
                }
            }
            out.push((spec.procedure.clone(), due));
        }
        Ok(out)
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
        let tracks: Vec<(String, String, String)> = self
            .track_dues_on_current_calendar(&current)?
            .into_iter()
            .filter_map(|(t, d)| {
                let before = current.tracks.get(&t)?.due_date.clone()?;
                (before != d.to_string()).then(|| (t, before, d.to_string()))
            })
            .collect();
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
        if after == current.due_date && tracks.is_empty() {
            return Ok(DueRecompute {
                before: current.due_date.clone(),
                after,
                changed: false,
                tracks,
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
            let mut text = format!(
                "Tính lại hạn trả kết quả theo lịch ngày nghỉ hiện hành: {} → {}",
                dmy(&old.due_date),
                dmy(&after)
            );
            for (t, b, a) in &tracks {
                if let Some(d) = deadline::parse_date(a) {
                    doc.set_track_due_date(t, d)?;
                }
                text.push_str(&format!("; phần {t}: {} → {}", dmy(b), dmy(a)));
            }
            doc.push_note(&Note {
                at: deadline::now().to_rfc3339(),
                officer: off.id.clone(),
                node: node_short.clone(),
                text,
            })?;
            Ok(serde_json::json!({"from": old.due_date, "to": after, "tracks": tracks}))
        })?;
        ctx.commit()?;
        Ok(DueRecompute {
            before,
            after: view.due_date.clone(),
            changed: true,
            tracks,
            case: self.finish_view(view),
        })
    }
}
