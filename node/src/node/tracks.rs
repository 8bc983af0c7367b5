//! Bundles as tracks (issue 10, item 1): each track of an integrated bundle is handed off to
//! its agency, counts its own due date from the hand-off (catalog working days, node calendar),
//! moves through its own procedure's workflow and gets its own result. The rules here are
//! called from [`Node::transition`] inside its write, so a track move is the same guarded,
//! audited write as any transition.

use chrono::{DateTime, FixedOffset, NaiveDate};
use hoso_schemas::{Catalog, Clock, HolidayCalendar, Procedure, Role, Status};
use serde::Serialize;

use crate::case::{CaseDoc, CaseView};
use crate::error::{LifecycleError, Result};
use crate::write::AuthenticatedOfficer;

use super::handle::Node;
use super::read::CaseQuery;

/// Statuses from which a track has been handed off to its agency.
fn handed_off(status: Status) -> bool {
    !matches!(status, Status::Submitted | Status::Received)
}

/// At receipt: tracks that wait for no other are handed off with the case, and get their due
/// date counted from the receipt.
pub(crate) fn init_tracks(
    doc: &mut CaseDoc,
    procedure: &Procedure,
    cal: &HolidayCalendar,
    received: DateTime<FixedOffset>,
) -> Result<()> {
    for spec in procedure.track_specs.iter().filter(|s| s.after.is_none()) {
        let due = spec.deadline.due_date(cal, received);
        doc.set_track_handoff(&spec.procedure, &received.to_rfc3339(), due)?;
    }
    Ok(())
}

/// Checks a move of one track and records its hand-off when it first leaves `received`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn before_track_move(
    doc: &mut CaseDoc,
    before: &CaseView,
    bundle: &Procedure,
    cal: &HolidayCalendar,
    track: &str,
    to: Status,
    now: DateTime<FixedOffset>,
) -> Result<()> {
    if before.status.ends_processing() {
        return Err(LifecycleError::BundleEnded {
            receipt_code: before.receipt_code.clone(),
            status: before.status,
        }
        .into());
    }
    let Some(spec) = bundle.track_spec(track) else {
        return Ok(());
    };
    let tv = before.tracks.get(track);
    let hands_off = handed_off(to)
        && !matches!(
            to,
            Status::Stopped | Status::RejectedAtIntake | Status::WithdrawalRequested
        );
    if hands_off && tv.is_some_and(|t| t.handed_off_at.is_none()) {
        if let Some(after) = &spec.after {
            let after_status = before
                .tracks
                .get(after)
                .map_or(Status::Received, |t| t.status);
            if !matches!(after_status, Status::Decided | Status::Returned) {
                return Err(LifecycleError::TrackWaits {
                    receipt_code: before.receipt_code.clone(),
                    track: track.to_string(),
                    after: after.clone(),
                    after_status,
                }
                .into());
            }
        }
        let due = spec.deadline.due_date(cal, now);
        doc.set_track_handoff(track, &now.to_rfc3339(), due)?;
    }
    if to == Status::Returned && tv.is_some_and(|t| t.result.is_none()) {
        return Err(LifecycleError::NoResult {
            receipt_code: before.receipt_code.clone(),
            track: Some(track.to_string()),
        }
        .into());
    }
    Ok(())
}

/// Track `track` of bundle case `before`, open and handed off to its agency: its status and
/// its own procedure. A track's own supplement request or apology needs one.
pub(crate) fn open_track<'c>(
    before: &CaseView,
    catalog: &'c Catalog,
    track: &str,
) -> Result<(Status, &'c Procedure)> {
    let tv = before
        .tracks
        .get(track)
        .ok_or_else(|| crate::error::Refusal::NoSuchTrack {
            receipt_code: before.receipt_code.clone(),
            track: track.to_string(),
            tracks: if before.tracks.is_empty() {
                "none (not a bundle)".to_string()
            } else {
                before.tracks.keys().cloned().collect::<Vec<_>>().join(", ")
            },
        })?;
    if before.status.ends_processing() {
        return Err(LifecycleError::BundleEnded {
            receipt_code: before.receipt_code.clone(),
            status: before.status,
        }
        .into());
    }
    // Moved out of `received` counts as handed off (cases imported from before hand-offs were
    // recorded have no `handed_off_at`).
    let handed = tv.handed_off_at.is_some() || handed_off(tv.status);
    if !handed || tv.status.ends_processing() {
        return Err(LifecycleError::TrackNotOpen {
            receipt_code: before.receipt_code.clone(),
            track: track.to_string(),
            status: tv.status,
        }
        .into());
    }
    Ok((tv.status, catalog.procedure(track)?))
}

/// When a bundle's supplement pause ends: every track handed off and still open moves its own
/// due date on by the working days it was paused (from the pause, or its hand-off when later,
/// to `resumed_on`), as the bundle's own due date does. A track's clock stops with the bundle's:
/// its agency cannot work on a dossier the citizen is still completing.
pub(crate) fn extend_tracks_for_pause(
    doc: &mut CaseDoc,
    before: &CaseView,
    cal: &HolidayCalendar,
    paused_on: NaiveDate,
    resumed_on: NaiveDate,
) -> Result<()> {
    for (name, t) in &before.tracks {
        if let Some(new_due) = due_after_pause(t, cal, paused_on, resumed_on) {
            doc.set_track_due_date(name, new_due)?;
        }
    }
    Ok(())
}

/// When one track leaves its own supplement request: its own due date moves on by the working
/// days it waited (a track with its own deadline pauses alone).
pub(crate) fn resume_track(
    doc: &mut CaseDoc,
    before: &CaseView,
    cal: &HolidayCalendar,
    track: &str,
    resumed_on: NaiveDate,
) -> Result<()> {
    let paused_on = before
        .history
        .iter()
        .rev()
        .find(|h| h.to == Status::SupplementRequested && h.track.as_deref() == Some(track))
        .and_then(|h| crate::deadline::parse_date(&h.at));
    let Some(t) = before.tracks.get(track) else {
        return Ok(());
    };
    // The track is still `supplement_requested` in `before`: judge it as open.
    let open = crate::case::TrackView {
        status: Status::InProcess,
        ..t.clone()
    };
    if let Some(p) = paused_on
        && let Some(new_due) = due_after_pause(&open, cal, p, resumed_on)
    {
        doc.set_track_due_date(track, new_due)?;
    }
    Ok(())
}

/// The due date of track `t` after a bundle pause from `paused_on` to `resumed_on`, when it
/// moves: the track is open, handed off, and was paused for at least one working day.
fn due_after_pause(
    t: &crate::case::TrackView,
    cal: &HolidayCalendar,
    paused_on: NaiveDate,
    resumed_on: NaiveDate,
) -> Option<NaiveDate> {
    if t.status.ends_processing() {
        return None;
    }
    let at = crate::deadline::parse_date(t.handed_off_at.as_deref()?)?;
    let due = crate::deadline::parse_date(t.due_date.as_deref()?)?;
    let new_due = crate::deadline::extend_for_pause(cal, due, paused_on.max(at), resumed_on);
    (new_due != due).then_some(new_due)
}

/// Checks a case-level move: a bundle is decided or returned only once every track has ended,
/// `returned` needs the results, and a second supplement request needs a supervisor and a
/// reason.
pub(crate) fn check_case_move(
    before: &CaseView,
    to: Status,
    role: Role,
    note: Option<&str>,
) -> Result<()> {
    let code = || before.receipt_code.clone();
    if matches!(to, Status::Decided | Status::Returned) && !before.tracks.is_empty() {
        let open: Vec<String> = before
            .tracks
            .iter()
            .filter(|(_, t)| !t.status.ends_processing())
            .map(|(n, t)| format!("{n} ({})", t.status))
            .collect();
        if !open.is_empty() {
            return Err(LifecycleError::TracksOpen {
                receipt_code: code(),
                to,
                open: open.join(", "),
            }
            .into());
        }
    }
    // `returned` is reached from `decided` only (a conflicted case may be resolved from it,
    // whatever value won the merge): it always needs the results.
    if to == Status::Returned {
        if before.tracks.is_empty() {
            if before.result_record.is_none() {
                return Err(LifecycleError::NoResult {
                    receipt_code: code(),
                    track: None,
                }
                .into());
            }
        } else if let Some((t, _)) = before.tracks.iter().find(|(_, t)| {
            matches!(t.status, Status::Decided | Status::Returned) && t.result.is_none()
        }) {
            return Err(LifecycleError::NoResult {
                receipt_code: code(),
                track: Some(t.clone()),
            }
            .into());
        }
    }
    if to == Status::SupplementRequested {
        let previous = before.supplement_requests();
        if previous >= 1 && (role != Role::Supervisor || note.is_none_or(|n| n.trim().is_empty())) {
            return Err(LifecycleError::SecondSupplement {
                receipt_code: code(),
                previous,
            }
            .into());
        }
    }
    Ok(())
}

/// One track of one bundle case against its own due date: a row of an agency's list.
#[derive(Clone, Debug, Serialize)]
pub struct TrackDue {
    /// The bundle case's receipt code.
    pub receipt_code: String,
    /// The bundle's procedure code.
    pub bundle: String,
    /// The track (tracked procedure code).
    pub track: String,
    /// The agency that handles it.
    pub agency: String,
    /// The applicant.
    pub applicant_name: String,
    /// The track's status.
    pub status: Status,
    /// Handed off at (RFC 3339), if it has been.
    pub handed_off_at: Option<String>,
    /// The track's own due date, once handed off.
    pub due_date: Option<String>,
    /// Where it stands, once handed off.
    pub clock: Option<Clock>,
    /// Open and past its own due date.
    pub overdue: bool,
}

/// The clock of one track as of `today`.
pub fn track_clock(
    cal: &HolidayCalendar,
    v: &CaseView,
    track: &str,
    today: NaiveDate,
) -> Option<Clock> {
    let t = v.tracks.get(track)?;
    let due = crate::deadline::parse_date(t.due_date.as_deref()?)?;
    let paused = (t.status == Status::SupplementRequested)
        .then(|| {
            v.history
                .iter()
                .rev()
                .find(|h| h.to == Status::SupplementRequested && h.track.as_deref() == Some(track))
                .and_then(|h| crate::deadline::parse_date(&h.at))
        })
        .flatten();
    // The bundle's own supplement pauses every open track handed off (from its hand-off when
    // that came later).
    let bundle_paused = (!t.status.ends_processing())
        .then(|| {
            let since = crate::deadline::parse_date(v.paused_since()?)?;
            let at = crate::deadline::parse_date(t.handed_off_at.as_deref()?)?;
            Some(since.max(at))
        })
        .flatten();
    let (status, paused) = match bundle_paused {
        Some(since) if paused.is_none() => (Status::SupplementRequested, Some(since)),
        _ => (t.status, paused),
    };
    let ended = v
        .track_ended_on(track)
        .and_then(|d| crate::deadline::parse_date(&d));
    Some(Clock::of(cal, status, due, ended, paused, today))
}

/// Every track of `v` as agency rows.
pub fn track_rows(
    catalog: &Catalog,
    cal: &HolidayCalendar,
    v: &CaseView,
    today: NaiveDate,
) -> Vec<TrackDue> {
    let Some(p) = catalog.get(&v.procedure) else {
        return Vec::new();
    };
    p.track_specs
        .iter()
        .filter_map(|spec| {
            let t = v.tracks.get(&spec.procedure)?;
            let clock = track_clock(cal, v, &spec.procedure, today);
            Some(TrackDue {
                receipt_code: v.receipt_code.clone(),
                bundle: v.procedure.clone(),
                track: spec.procedure.clone(),
                agency: spec.agency.clone(),
                applicant_name: v.applicant_name.clone(),
                status: t.status,
                handed_off_at: t.handed_off_at.clone(),
                due_date: t.due_date.clone(),
                overdue: matches!(clock, Some(Clock::Late { .. })),
                clock,
            })
        })
        .collect()
}

impl Node {
    /// Moves one track of a bundle through its own procedure's workflow (the same guarded,
    /// audited write as [`Node::transition`] with a track).
    pub fn move_track(
        &self,
        by: &AuthenticatedOfficer,
        reference: &str,
        track: &str,
        to: Status,
        note: Option<&str>,
    ) -> Result<CaseView> {
        self.transition(by, reference, to, Some(track), note)
    }

    /// The open tracks of open bundle cases, soonest due first, for one agency (a substring of
    /// the catalog's agency, accents and case ignored) or all; `overdue_only` keeps the tracks
    /// past their own due date: that agency's overdue list.
    pub fn track_list(&self, agency: Option<&str>, overdue_only: bool) -> Result<Vec<TrackDue>> {
        let today = crate::deadline::now().date_naive();
        let want = agency.map(hoso_schemas::fold);
        let mut out = Vec::new();
        for p in self.catalog().iter().filter(|p| p.is_bundle()) {
            let rows = self.list(&CaseQuery {
                procedure: Some(p.code.clone()),
                limit: usize::MAX,
                ..Default::default()
            })?;
            for s in rows.iter().filter(|s| !s.status.ends_processing()) {
                let v = self.case(&s.id.to_string())?;
                let rules = self.case_rules(&v);
                for r in track_rows(&rules.catalog, &rules.calendar, &v, today) {
                    let keep = !r.status.ends_processing()
                        && want
                            .as_ref()
                            .is_none_or(|w| hoso_schemas::fold(&r.agency).contains(w.as_str()))
                        && (!overdue_only || r.overdue);
                    if keep {
                        out.push(r);
                    }
                }
            }
        }
        out.sort_by(|a, b| {
            (a.due_date.is_none(), &a.due_date, &a.receipt_code, &a.track).cmp(&(
                b.due_date.is_none(),
                &b.due_date,
                &b.receipt_code,
                &b.track,
            ))
        });
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    fn track(
        status: Status,
        handed_off: Option<&str>,
        due: Option<&str>,
    ) -> crate::case::TrackView {
        crate::case::TrackView {
            status,
            conflicting: Vec::new(),
            handed_off_at: handed_off.map(str::to_string),
            due_date: due.map(str::to_string),
            result: None,
        }
    }

    #[test]
    fn an_open_track_moves_by_the_working_days_the_bundle_was_paused() {
        let cal = HolidayCalendar::builtin().expect("calendar");
        // Paused Tuesday 1/12/2026, resumed Friday 4/12: three working days.
        let (paused, resumed) = (date(2026, 12, 1), date(2026, 12, 4));
        let t = track(
            Status::InProcess,
            Some("2026-11-30T09:00:00+07:00"),
            Some("2026-12-02"),
        );
        assert_eq!(
            due_after_pause(&t, &cal, paused, resumed),
            Some(date(2026, 12, 7))
        );
        // Handed off during the pause (Thursday 3/12): only the day after counts.
        let t = track(
            Status::InProcess,
            Some("2026-12-03T09:00:00+07:00"),
            Some("2026-12-07"),
        );
        assert_eq!(
            due_after_pause(&t, &cal, paused, resumed),
            Some(date(2026, 12, 8))
        );
        // Ended, not handed off, or paused less than a working day: nothing moves.
        let ended = track(
            Status::Decided,
            Some("2026-11-30T09:00:00+07:00"),
            Some("2026-12-02"),
        );
        assert_eq!(due_after_pause(&ended, &cal, paused, resumed), None);
        let waiting = track(Status::Received, None, None);
        assert_eq!(due_after_pause(&waiting, &cal, paused, resumed), None);
        let t = track(
            Status::InProcess,
            Some("2026-11-30T09:00:00+07:00"),
            Some("2026-12-02"),
        );
        assert_eq!(due_after_pause(&t, &cal, paused, paused), None);
    }
}
