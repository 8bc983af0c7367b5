//! Late results (issue 10, item 6; Circular 01/2018 Mẫu 04): before the appointment date passes,
//! a supervisor records an apology with the reason and a new appointment date. The due date
//! itself never moves: a case that ends after it is late for reporting; the citizen's
//! appointment is the newest apology's date ([`CaseView::appointment_date`]).

use chrono::NaiveDate;
use hoso_schemas::Role;

use crate::case::{ApologyRecord, CaseView};
use crate::chain::entry::Action;
use crate::error::{LifecycleError, Limited, Result};
use crate::write::AuthenticatedOfficer;
use crate::{deadline, limits};

use super::fields::record_text;
use super::handle::Node;

/// What `hoso case apology` records.
#[derive(Clone, Debug)]
pub struct ApologyInput {
    /// Why the result is late.
    pub reason: String,
    /// The new appointment date.
    pub new_date: NaiveDate,
}

fn dmy(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

impl Node {
    /// Records an apology for a late result with a new appointment date (supervisors only,
    /// before the current appointment date passes), audited.
    pub fn record_apology(
        &self,
        by: &AuthenticatedOfficer,
        reference: &str,
        input: &ApologyInput,
    ) -> Result<CaseView> {
        self.apology(by, reference, None, input)
    }

    /// Records an apology for one track of a bundle whose own result will be late: the same
    /// rules against the track's own appointment date (its due date, or its newest apology's
    /// new date). The bundle's appointment date does not move.
    pub fn record_track_apology(
        &self,
        by: &AuthenticatedOfficer,
        reference: &str,
        track: &str,
        input: &ApologyInput,
    ) -> Result<CaseView> {
        self.apology(by, reference, Some(track), input)
    }

    fn apology(
        &self,
        by: &AuthenticatedOfficer,
        reference: &str,
        track: Option<&str>,
        input: &ApologyInput,
    ) -> Result<CaseView> {
        let reason = record_text(
            "the reason",
            &input.reason,
            "an apology says why the result is late: pass --reason TEXT",
            limits::MAX_NOTE_BYTES,
            Limited::Note,
        )?;
        self.edit_case(by, reference, Action::Apology, |doc, before, off, _p| {
            // The case's own catalog version (issue 12).
            let catalog = &self.case_rules(before).catalog;
            if off.role != Role::Supervisor {
                return Err(LifecycleError::ApologyNeedsSupervisor.into());
            }
            let now = deadline::now();
            let today = now.date_naive();
            let (current, status, ended) = match track {
                None => (
                    deadline::parse_date(before.appointment_date()).unwrap_or(today),
                    before.status,
                    before.status.ends_processing(),
                ),
                Some(t) => {
                    let (status, _) = super::tracks::open_track(before, catalog, t)?;
                    // No own due date (a track imported from before hand-offs were recorded):
                    // there is no appointment of the track's to apologise for.
                    let current = before
                        .track_appointment_date(t)
                        .and_then(deadline::parse_date)
                        .ok_or_else(|| LifecycleError::TrackNotOpen {
                            receipt_code: before.receipt_code.clone(),
                            track: t.to_string(),
                            status,
                        })?;
                    (current, status, false)
                }
            };
            if ended || today > current {
                return Err(LifecycleError::ApologyTooLate {
                    receipt_code: before.receipt_code.clone(),
                    due: dmy(current),
                    today: dmy(today),
                    status,
                }
                .into());
            }
            if input.new_date <= current {
                return Err(LifecycleError::ApologyDate {
                    new: dmy(input.new_date),
                    current: dmy(current),
                }
                .into());
            }
            doc.push_apology(&ApologyRecord {
                at: now.to_rfc3339(),
                officer: off.id.clone(),
                reason: reason.clone(),
                old_date: current.to_string(),
                new_date: input.new_date.to_string(),
                track: track.map(str::to_string),
            })?;
            Ok(serde_json::json!({
                "old_date": current.to_string(),
                "new_date": input.new_date.to_string(),
                "track": track,
                "reason_chars": reason.chars().count(),
            }))
        })
    }
}
