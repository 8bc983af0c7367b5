//! The records of a case's legal life kept in its document (issue 10): each bundle track's
//! hand-off, due date and result; the case's result; supplement requests; apologies for a late
//! result. Layout, beside the keys of [`crate::case::doc`]:
//!
//! ```text
//! result_record: { kind, number, date, signer, channel, officer, at }
//! tracks:        { <code>: { status, handed_off_at, due_date, result: { … as above } } }
//! supplements:   [ { at, officer, items ("\n"-separated), deadline, reason, track } ]  (append-only)
//! apologies:     [ { at, officer, reason, old_date, new_date, track } ]                 (append-only)
//! ```
//!
//! Every value is a string. Documents written before these keys existed read as having none.
//! `track` is absent on a record of the whole case, and names the track of a bundle whose own
//! deadline the record is about (a track's own supplement request or apology).

use automerge::hydrate;
use chrono::NaiveDate;

use crate::case::view::CaseView;

pub mod records;

pub use records::{ApologyRecord, CaseResult, Delivery, SupplementRecord};

pub(crate) fn scalar(v: Option<&hydrate::Value>) -> Option<String> {
    match v {
        Some(hydrate::Value::Scalar(automerge::ScalarValue::Str(s))) => Some(s.to_string()),
        _ => None,
    }
}

fn as_map(v: Option<&hydrate::Value>) -> Option<&hydrate::Map> {
    match v {
        Some(hydrate::Value::Map(m)) => Some(m),
        _ => None,
    }
}

fn result_of(m: &hydrate::Map) -> Option<CaseResult> {
    let g = |k: &str| scalar(m.get(k)).unwrap_or_default();
    Some(CaseResult {
        kind: g("kind"),
        number: g("number"),
        date: g("date"),
        signer: g("signer"),
        channel: g("channel").parse().ok()?,
        officer: g("officer"),
        at: g("at"),
    })
}

fn list_maps(v: Option<&hydrate::Value>) -> impl Iterator<Item = &hydrate::Map> {
    let items: Vec<&hydrate::Map> = match v {
        Some(hydrate::Value::List(l)) => l
            .iter()
            .filter_map(|i| match &i.value {
                hydrate::Value::Map(m) => Some(m),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    items.into_iter()
}

/// Fills the lifecycle parts of a view from the hydrated root map (called by
/// [`CaseDoc::view`]).
pub(crate) fn read_into(root: &hydrate::Map, v: &mut CaseView) {
    v.result_record = as_map(root.get("result_record")).and_then(result_of);
    if let Some(tm) = as_map(root.get("tracks")) {
        for (name, tv) in &mut v.tracks {
            let Some(m) = as_map(tm.get(name)) else {
                continue;
            };
            tv.handed_off_at = scalar(m.get("handed_off_at"));
            tv.due_date = scalar(m.get("due_date"));
            tv.result = as_map(m.get("result")).and_then(result_of);
        }
    }
    v.supplements = list_maps(root.get("supplements"))
        .map(|m| {
            let g = |k: &str| scalar(m.get(k)).unwrap_or_default();
            SupplementRecord {
                at: g("at"),
                officer: g("officer"),
                items: g("items")
                    .split('\n')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
                deadline: g("deadline"),
                reason: scalar(m.get("reason")),
                track: scalar(m.get("track")),
            }
        })
        .collect();
    v.apologies = list_maps(root.get("apologies"))
        .map(|m| {
            let g = |k: &str| scalar(m.get(k)).unwrap_or_default();
            ApologyRecord {
                at: g("at"),
                officer: g("officer"),
                reason: g("reason"),
                old_date: g("old_date"),
                new_date: g("new_date"),
                track: scalar(m.get("track")),
            }
        })
        .collect();
}

/// Where a case or a track stands on its lifecycle, read from the view.
impl CaseView {
    /// The date processing of `track` ended (first entry into a final status), if it has.
    pub fn track_ended_on(&self, track: &str) -> Option<String> {
        self.history
            .iter()
            .find(|h| h.to.ends_processing() && h.track.as_deref() == Some(track))
            .map(|h| h.at.get(..10).unwrap_or(&h.at).to_string())
    }

    /// When the pending case-level supplement request was made, if one is pending.
    pub fn paused_since(&self) -> Option<&str> {
        if self.status != hoso_schemas::Status::SupplementRequested {
            return None;
        }
        self.history
            .iter()
            .rev()
            .find(|h| h.to == hoso_schemas::Status::SupplementRequested && h.track.is_none())
            .map(|h| h.at.as_str())
    }

    /// The date the citizen must supplement by, while a supplement is pending: the recorded
    /// request's deadline (a request made by a plain transition has none).
    pub fn supplement_deadline(&self) -> Option<NaiveDate> {
        let since = self.paused_since()?;
        let last = self.supplements.iter().rfind(|s| s.track.is_none())?;
        // The record belongs to the pending request when it was made at the same time.
        (last.at.as_str() == since)
            .then(|| crate::deadline::parse::parse_date(&last.deadline))
            .flatten()
    }

    /// Waiting for a supplement past its deadline as of `today`: proposed for stop.
    pub fn stop_proposed_on(&self, today: NaiveDate) -> bool {
        self.supplement_deadline().is_some_and(|d| today > d)
    }

    /// The appointment date the citizen now holds: the newest apology's new date, else the due
    /// date. The due date itself never moves for an apology: a case past it is late for
    /// reporting.
    pub fn appointment_date(&self) -> &str {
        self.apologies
            .iter()
            .rfind(|a| a.track.is_none())
            .map_or(self.due_date.as_str(), |a| a.new_date.as_str())
    }

    /// The supplement requests of the whole case (not of one track), oldest first.
    pub fn case_supplements(&self) -> Vec<&SupplementRecord> {
        self.supplements
            .iter()
            .filter(|s| s.track.is_none())
            .collect()
    }

    /// The apologies of the whole case (not of one track), oldest first.
    pub fn case_apologies(&self) -> Vec<&ApologyRecord> {
        self.apologies
            .iter()
            .filter(|a| a.track.is_none())
            .collect()
    }

    /// The supplement requests of one track, oldest first.
    pub fn track_supplements(&self, track: &str) -> Vec<&SupplementRecord> {
        self.supplements
            .iter()
            .filter(|s| s.track.as_deref() == Some(track))
            .collect()
    }

    /// The appointment date of one track's own result: its newest apology's new date, else its
    /// own due date (`None` before its hand-off).
    pub fn track_appointment_date(&self, track: &str) -> Option<&str> {
        self.apologies
            .iter()
            .rev()
            .find(|a| a.track.as_deref() == Some(track))
            .map(|a| a.new_date.as_str())
            .or_else(|| self.tracks.get(track)?.due_date.as_deref())
    }
}
