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

use automerge::{ObjType, ROOT, hydrate, transaction::Transactable};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::case::doc::CaseDoc;
use crate::case::view::CaseView;
use crate::error::{LifecycleError, NodeError, Result};

/// How the result reaches the citizen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// Handed over at the one-stop desk.
    Desk,
    /// By the public postal service.
    Post,
    /// Electronic copy through VNeID / the national portal.
    Vneid,
}

impl Delivery {
    /// The stable word.
    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Desk => "desk",
            Delivery::Post => "post",
            Delivery::Vneid => "vneid",
        }
    }
    /// The Vietnamese label.
    pub fn label_vi(self) -> &'static str {
        match self {
            Delivery::Desk => "Nhận trực tiếp tại Bộ phận Một cửa",
            Delivery::Post => "Qua dịch vụ bưu chính công ích",
            Delivery::Vneid => "Bản điện tử qua VNeID / Cổng Dịch vụ công quốc gia",
        }
    }
}

impl std::str::FromStr for Delivery {
    type Err = LifecycleError;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "desk" => Ok(Delivery::Desk),
            "post" => Ok(Delivery::Post),
            "vneid" => Ok(Delivery::Vneid),
            _ => Err(LifecycleError::UnknownChannel(s.to_string())),
        }
    }
}

/// The result of a case or of one track: the document issued and how it was handed over.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseResult {
    /// What was issued, e.g. "Trích lục khai sinh", "Thẻ BHYT".
    pub kind: String,
    /// Its number, e.g. "125/2026".
    pub number: String,
    /// The date it was signed (YYYY-MM-DD).
    pub date: String,
    /// Who signed it.
    pub signer: String,
    /// How it reaches the citizen.
    pub channel: Delivery,
    /// The officer who recorded it.
    pub officer: String,
    /// When it was recorded (RFC 3339).
    pub at: String,
}

impl CaseResult {
    /// One line, e.g. "Trích lục khai sinh số 125/2026 ngày 24/11/2026, Nguyễn Văn A ký".
    pub fn line_vi(&self) -> String {
        let date = crate::deadline::parse_date(&self.date)
            .map_or_else(|| self.date.clone(), |d| d.format("%d/%m/%Y").to_string());
        format!(
            "{} số {} ngày {date}, {} ký; {}",
            self.kind,
            self.number,
            self.signer,
            self.channel.label_vi()
        )
    }
}

/// One supplement request (Mẫu 02): everything missing, and the date to supplement by.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplementRecord {
    /// When (RFC 3339).
    pub at: String,
    /// Who asked.
    pub officer: String,
    /// The missing or incomplete items.
    pub items: Vec<String>,
    /// The date the citizen must supplement by (YYYY-MM-DD).
    pub deadline: String,
    /// Why (required from the second request on).
    pub reason: Option<String>,
    /// The track of a bundle asked about; `None` for the whole case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track: Option<String>,
}

/// An apology for a late result (Mẫu 04) with a new appointment date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApologyRecord {
    /// When (RFC 3339).
    pub at: String,
    /// The supervisor who signed it.
    pub officer: String,
    /// Why the result is late.
    pub reason: String,
    /// The appointment date it answers for (YYYY-MM-DD).
    pub old_date: String,
    /// The new appointment date (YYYY-MM-DD).
    pub new_date: String,
    /// The track of a bundle whose own due date it answers for; `None` for the whole case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track: Option<String>,
}

fn corrupt(detail: impl Into<String>) -> NodeError {
    NodeError::Corrupt {
        what: "case document".into(),
        detail: detail.into(),
    }
}

fn scalar(v: Option<&hydrate::Value>) -> Option<String> {
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

fn result_value(r: &CaseResult) -> hydrate::Value {
    let mut m = std::collections::HashMap::new();
    for (k, v) in [
        ("kind", r.kind.as_str()),
        ("number", r.number.as_str()),
        ("date", r.date.as_str()),
        ("signer", r.signer.as_str()),
        ("channel", r.channel.as_str()),
        ("officer", r.officer.as_str()),
        ("at", r.at.as_str()),
    ] {
        m.insert(k.to_string(), hydrate::Value::scalar(v));
    }
    hydrate::Value::Map(hydrate::Map::from(m))
}

fn string_map(pairs: &[(&str, &str)]) -> hydrate::Value {
    let m: std::collections::HashMap<String, hydrate::Value> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), hydrate::Value::scalar(*v)))
        .collect();
    hydrate::Value::Map(hydrate::Map::from(m))
}

impl CaseDoc {
    fn list_at_root(&mut self, key: &str) -> Result<automerge::ObjId> {
        use automerge::ReadDoc;
        match self.automerge().get(ROOT, key)? {
            Some((automerge::Value::Object(ObjType::List), id)) => Ok(id),
            Some(_) => Err(corrupt(format!("`{key}` is not a list"))),
            None => Ok(self.automerge().put_object(ROOT, key, ObjType::List)?),
        }
    }

    fn track_obj(&mut self, track: &str) -> Result<automerge::ObjId> {
        use automerge::ReadDoc;
        let Some((automerge::Value::Object(ObjType::Map), tracks)) =
            self.automerge().get(ROOT, "tracks")?
        else {
            return Err(corrupt("missing map `tracks`"));
        };
        match self.automerge().get(&tracks, track)? {
            Some((automerge::Value::Object(ObjType::Map), id)) => Ok(id),
            _ => Err(corrupt(format!("missing track `{track}`"))),
        }
    }

    /// Records a track's hand-off to its agency and its own due date.
    pub fn set_track_handoff(&mut self, track: &str, at: &str, due: NaiveDate) -> Result<()> {
        let t = self.track_obj(track)?;
        self.automerge().put(&t, "handed_off_at", at)?;
        self.automerge().put(&t, "due_date", due.to_string())?;
        Ok(())
    }

    /// Moves a handed-off track's own due date (after a supplement pause).
    pub fn set_track_due_date(&mut self, track: &str, due: NaiveDate) -> Result<()> {
        let t = self.track_obj(track)?;
        self.automerge().put(&t, "due_date", due.to_string())?;
        Ok(())
    }

    /// Records the result of the case (`track = None`) or of one track.
    pub fn set_result_record(&mut self, track: Option<&str>, r: &CaseResult) -> Result<()> {
        let (parent, key) = match track {
            None => (ROOT, "result_record"),
            Some(t) => (self.track_obj(t)?, "result"),
        };
        // One object per record: a correction replaces it whole.
        let obj = self.automerge().put_object(&parent, key, ObjType::Map)?;
        if let hydrate::Value::Map(m) = result_value(r) {
            for (k, v) in m.iter() {
                if let Some(s) = scalar(Some(&v.value)) {
                    self.automerge().put(&obj, k.as_str(), s)?;
                }
            }
        }
        if track.is_none() {
            // The plain-text result older readers show.
            self.set_result(&r.line_vi())?;
        }
        Ok(())
    }

    /// Appends a supplement request.
    pub fn push_supplement(&mut self, s: &SupplementRecord) -> Result<()> {
        let list = self.list_at_root("supplements")?;
        let n = automerge::ReadDoc::length(self.automerge(), &list);
        let items = s.items.join("\n");
        let mut pairs = vec![
            ("at", s.at.as_str()),
            ("officer", s.officer.as_str()),
            ("items", items.as_str()),
            ("deadline", s.deadline.as_str()),
        ];
        if let Some(r) = &s.reason {
            pairs.push(("reason", r.as_str()));
        }
        if let Some(t) = &s.track {
            pairs.push(("track", t.as_str()));
        }
        self.automerge()
            .batch_create_object(&list, n, &string_map(&pairs), true)?;
        Ok(())
    }

    /// Appends an apology.
    pub fn push_apology(&mut self, a: &ApologyRecord) -> Result<()> {
        let list = self.list_at_root("apologies")?;
        let n = automerge::ReadDoc::length(self.automerge(), &list);
        let mut pairs = vec![
            ("at", a.at.as_str()),
            ("officer", a.officer.as_str()),
            ("reason", a.reason.as_str()),
            ("old_date", a.old_date.as_str()),
            ("new_date", a.new_date.as_str()),
        ];
        if let Some(t) = &a.track {
            pairs.push(("track", t.as_str()));
        }
        self.automerge()
            .batch_create_object(&list, n, &string_map(&pairs), true)?;
        Ok(())
    }
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
            .then(|| crate::deadline::parse_date(&last.deadline))
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
