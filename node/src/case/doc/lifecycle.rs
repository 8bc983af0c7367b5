//! The [`CaseDoc`] writes of the lifecycle keys ([`crate::case::lifecycle`]): track hand-offs
//! and due dates, results, supplement requests, apologies.

use automerge::{ObjType, ROOT, hydrate, transaction::Transactable};
use chrono::NaiveDate;

use crate::case::doc::CaseDoc;
use crate::case::lifecycle::records::{ApologyRecord, CaseResult, SupplementRecord};
use crate::case::lifecycle::scalar;
use crate::error::{NodeError, Result};

fn corrupt(detail: impl Into<String>) -> NodeError {
    NodeError::Corrupt {
        what: "case document".into(),
        detail: detail.into(),
    }
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
