//! The case file as an Automerge document: the key layout and typed reads and writes.
//!
//! Root map:
//!
//! ```text
//! schema: 1            id, receipt_code, procedure, citizen_id, applicant_name
//! province, commune    (jurisdiction, written once at creation)
//! received_at, due_date, status, assigned_officer, result
//! tracks:   { <procedure code>: { status } }          (integrated bundles)
//! fields:   { <name>: <canonical string> }
//! evidence: { <field>: { source, record_ref, digest, verified_by, at } }
//! history:  [ { at, officer, node, from, to, track, note } ]   (append-only)
//! notes:    [ { at, officer, node, text } ]                    (append-only)
//! ```
//!
//! Every value is a string except `schema`. Concurrent writes of `status` keep all values
//! (`get_all`), which is how semantic conflicts are seen after a merge.

use std::collections::BTreeMap;

use automerge::{
    ActorId, AutoCommit, ChangeHash, ObjId, ObjType, ROOT, ReadDoc, transaction::CommitOptions,
    transaction::Transactable,
};
use hoso_schemas::Status;

use crate::case::view::{CaseView, Evidence, HistoryEntry, Note, TrackView};
use crate::error::{NodeError, Result};
use crate::ids::CaseId;

/// The document schema version written by this build.
pub const SCHEMA_VERSION: i64 = 1;

/// What a new case document starts with.
#[derive(Clone, Debug)]
pub struct CaseInit {
    /// Stable id.
    pub id: CaseId,
    /// Receipt code.
    pub receipt_code: String,
    /// Procedure code.
    pub procedure: String,
    /// Track procedure codes of a bundle (empty otherwise).
    pub tracks: Vec<String>,
    /// Citizen id.
    pub citizen_id: String,
    /// Applicant name.
    pub applicant_name: String,
    /// Province code.
    pub province: String,
    /// Commune code.
    pub commune: String,
    /// Receipt time (RFC 3339).
    pub received_at: String,
    /// Appointment date.
    pub due_date: String,
    /// Initial status.
    pub status: Status,
    /// Assigned officer.
    pub assigned_officer: String,
}

/// An open case document.
#[derive(Debug)]
pub struct CaseDoc {
    doc: AutoCommit,
    /// Heads already stored: `save_incremental` writes only what came after them.
    saved_heads: Vec<ChangeHash>,
}

fn corrupt(detail: impl Into<String>) -> NodeError {
    NodeError::Corrupt {
        what: "case document".into(),
        detail: detail.into(),
    }
}

impl CaseDoc {
    /// A new empty document written by `actor`.
    pub fn new(actor: [u8; 16]) -> Self {
        let mut doc = AutoCommit::new();
        doc.set_actor(ActorId::from(actor.as_slice()));
        CaseDoc {
            doc,
            saved_heads: Vec::new(),
        }
    }

    /// Loads a saved document and appended change chunks; further writes use `actor`.
    pub fn load(saved: &[u8], chunks: &[Vec<u8>], actor: [u8; 16]) -> Result<Self> {
        let mut doc = AutoCommit::load(saved).map_err(|e| corrupt(e.to_string()))?;
        for c in chunks {
            doc.load_incremental(c)
                .map_err(|e| corrupt(e.to_string()))?;
        }
        doc.set_actor(ActorId::from(actor.as_slice()));
        let saved_heads = doc.get_heads();
        Ok(CaseDoc { doc, saved_heads })
    }

    /// Wraps an existing Automerge document.
    pub fn from_automerge(doc: AutoCommit) -> Self {
        CaseDoc {
            doc,
            saved_heads: Vec::new(),
        }
    }

    /// The underlying document.
    pub fn automerge(&mut self) -> &mut AutoCommit {
        &mut self.doc
    }

    /// Current heads.
    pub fn heads(&mut self) -> Vec<ChangeHash> {
        self.doc.get_heads()
    }

    /// Writes the initial content.
    pub fn init(&mut self, c: &CaseInit) -> Result<()> {
        let d = &mut self.doc;
        d.put(ROOT, "schema", SCHEMA_VERSION)?;
        d.put(ROOT, "id", c.id.to_string())?;
        d.put(ROOT, "receipt_code", c.receipt_code.as_str())?;
        d.put(ROOT, "procedure", c.procedure.as_str())?;
        d.put(ROOT, "citizen_id", c.citizen_id.as_str())?;
        d.put(ROOT, "applicant_name", c.applicant_name.as_str())?;
        d.put(ROOT, "province", c.province.as_str())?;
        d.put(ROOT, "commune", c.commune.as_str())?;
        d.put(ROOT, "received_at", c.received_at.as_str())?;
        d.put(ROOT, "due_date", c.due_date.as_str())?;
        d.put(ROOT, "status", c.status.as_str())?;
        d.put(ROOT, "assigned_officer", c.assigned_officer.as_str())?;
        let tracks = d.put_object(ROOT, "tracks", ObjType::Map)?;
        for t in &c.tracks {
            let m = d.put_object(&tracks, t.as_str(), ObjType::Map)?;
            d.put(&m, "status", c.status.as_str())?;
        }
        d.put_object(ROOT, "fields", ObjType::Map)?;
        d.put_object(ROOT, "evidence", ObjType::Map)?;
        d.put_object(ROOT, "history", ObjType::List)?;
        d.put_object(ROOT, "notes", ObjType::List)?;
        Ok(())
    }

    fn map(&self, parent: &ObjId, key: &str) -> Result<ObjId> {
        match self.doc.get(parent, key)? {
            Some((automerge::Value::Object(_), id)) => Ok(id),
            _ => Err(corrupt(format!("missing map `{key}`"))),
        }
    }

    /// Sets a form field.
    pub fn set_field(&mut self, name: &str, value: &str) -> Result<()> {
        let fields = self.map(&ROOT, "fields")?;
        self.doc.put(&fields, name, value)?;
        Ok(())
    }

    /// Records where a field's value came from.
    pub fn set_evidence(&mut self, field: &str, e: &Evidence) -> Result<()> {
        let ev = self.map(&ROOT, "evidence")?;
        let m = self.doc.put_object(&ev, field, ObjType::Map)?;
        self.doc.put(&m, "source", e.source.as_str())?;
        self.doc.put(&m, "record_ref", e.record_ref.as_str())?;
        self.doc.put(&m, "digest", e.digest.as_str())?;
        self.doc.put(&m, "verified_by", e.verified_by.as_str())?;
        self.doc.put(&m, "at", e.at.as_str())?;
        Ok(())
    }

    /// Sets the case status, or one track's.
    pub fn set_status(&mut self, to: Status, track: Option<&str>) -> Result<()> {
        match track {
            None => {
                self.doc.put(ROOT, "status", to.as_str())?;
            }
            Some(t) => {
                let tracks = self.map(&ROOT, "tracks")?;
                let m = self.map(&tracks, t)?;
                self.doc.put(&m, "status", to.as_str())?;
            }
        }
        Ok(())
    }

    /// Moves the appointment date.
    pub fn set_due_date(&mut self, date: &str) -> Result<()> {
        self.doc.put(ROOT, "due_date", date)?;
        Ok(())
    }

    /// Sets the result text.
    pub fn set_result(&mut self, text: &str) -> Result<()> {
        self.doc.put(ROOT, "result", text)?;
        Ok(())
    }

    /// Appends a status-history entry.
    pub fn push_history(&mut self, h: &HistoryEntry) -> Result<()> {
        let list = self.map(&ROOT, "history")?;
        let n = self.doc.length(&list);
        let m = self.doc.insert_object(&list, n, ObjType::Map)?;
        self.doc.put(&m, "at", h.at.as_str())?;
        self.doc.put(&m, "officer", h.officer.as_str())?;
        self.doc.put(&m, "node", h.node.as_str())?;
        if let Some(from) = h.from {
            self.doc.put(&m, "from", from.as_str())?;
        }
        self.doc.put(&m, "to", h.to.as_str())?;
        if let Some(t) = &h.track {
            self.doc.put(&m, "track", t.as_str())?;
        }
        if let Some(n) = &h.note {
            self.doc.put(&m, "note", n.as_str())?;
        }
        Ok(())
    }

    /// Appends a note.
    pub fn push_note(&mut self, n: &Note) -> Result<()> {
        let list = self.map(&ROOT, "notes")?;
        let len = self.doc.length(&list);
        let m = self.doc.insert_object(&list, len, ObjType::Map)?;
        self.doc.put(&m, "at", n.at.as_str())?;
        self.doc.put(&m, "officer", n.officer.as_str())?;
        self.doc.put(&m, "node", n.node.as_str())?;
        self.doc.put(&m, "text", n.text.as_str())?;
        Ok(())
    }

    /// Commits pending operations as one change; `None` when nothing changed.
    pub fn commit(&mut self, message: &str, time_ms: i64) -> Option<ChangeHash> {
        self.doc.commit_with(
            CommitOptions::default()
                .with_message(message)
                .with_time(time_ms / 1000),
        )
    }

    /// The whole document (compacted).
    pub fn save(&mut self) -> Vec<u8> {
        self.saved_heads = self.doc.get_heads();
        self.doc.save()
    }

    /// Changes made or merged since the document was loaded or last saved.
    pub fn save_incremental(&mut self) -> Vec<u8> {
        let bytes = self.doc.save_after(&self.saved_heads);
        self.saved_heads = self.doc.get_heads();
        bytes
    }

    /// Merges a remote document or change chunk (`save()` or `save_incremental()` output).
    pub fn load_incremental(&mut self, bytes: &[u8]) -> Result<()> {
        self.doc
            .load_incremental(bytes)
            .map_err(|e| NodeError::Invalid(format!("not a valid case document: {e}")))?;
        Ok(())
    }

    /// Every value of a root key (more than one after concurrent writes).
    pub fn all_strings(&self, key: &str) -> Result<Vec<String>> {
        Ok(self
            .doc
            .get_all(ROOT, key)?
            .into_iter()
            .filter_map(|(v, _)| v.as_str().map(str::to_string))
            .collect())
    }

    fn str_at(&self, obj: &ObjId, key: &str) -> Option<String> {
        match self.doc.get(obj, key) {
            Ok(Some((v, _))) => v.as_str().map(str::to_string),
            _ => None,
        }
    }

    fn statuses_at(&self, obj: &ObjId, key: &str) -> Result<(Status, Vec<Status>)> {
        let all = self.doc.get_all(obj, key)?;
        let mut values: Vec<Status> = Vec::new();
        for (v, _) in all {
            let s = v
                .as_str()
                .ok_or_else(|| corrupt(format!("`{key}` is not a string")))?;
            let st: Status = s
                .parse()
                .map_err(|e: hoso_schemas::UnknownStatus| corrupt(e.to_string()))?;
            if !values.contains(&st) {
                values.push(st);
            }
        }
        // `get` returns the winning value; keep it first so every replica agrees.
        let winner = self
            .str_at(obj, key)
            .and_then(|s| s.parse::<Status>().ok())
            .ok_or_else(|| corrupt(format!("missing `{key}`")))?;
        values.retain(|s| *s != winner);
        values.sort();
        Ok((winner, values))
    }

    fn string_map(&self, obj: &ObjId) -> BTreeMap<String, String> {
        self.doc
            .map_range(obj, ..)
            .filter_map(|item| match item.value {
                automerge::ValueRef::Scalar(automerge::ScalarValueRef::Str(v)) => {
                    Some((item.key.to_string(), v.to_string()))
                }
                _ => None,
            })
            .collect()
    }

    fn list_maps(&self, key: &str) -> Result<Vec<BTreeMap<String, String>>> {
        let list = self.map(&ROOT, key)?;
        let n = self.doc.length(&list);
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            if let Some((automerge::Value::Object(_), m)) = self.doc.get(&list, i)? {
                out.push(self.string_map(&m));
            }
        }
        Ok(out)
    }

    /// Reads the whole case. `overdue` and `missing_fields` are left for the caller to derive.
    pub fn view(&self) -> Result<CaseView> {
        let need = |k: &str| {
            self.str_at(&ROOT, k)
                .ok_or_else(|| corrupt(format!("missing `{k}`")))
        };
        let id: CaseId = need("id")?
            .parse()
            .map_err(|e: crate::ids::BadId| corrupt(e.to_string()))?;
        let (status, conflicting_status) = self.statuses_at(&ROOT, "status")?;
        let mut tracks = BTreeMap::new();
        let tracks_obj = self.map(&ROOT, "tracks")?;
        let track_names: Vec<String> = self.doc.keys(&tracks_obj).collect();
        for name in track_names {
            let m = self.map(&tracks_obj, &name)?;
            let (st, conflicting) = self.statuses_at(&m, "status")?;
            tracks.insert(
                name,
                TrackView {
                    status: st,
                    conflicting,
                },
            );
        }
        let fields = self.string_map(&self.map(&ROOT, "fields")?);
        let ev_obj = self.map(&ROOT, "evidence")?;
        let mut evidence = BTreeMap::new();
        let ev_names: Vec<String> = self.doc.keys(&ev_obj).collect();
        for name in ev_names {
            let m = self.string_map(&self.map(&ev_obj, &name)?);
            let g = |k: &str| m.get(k).cloned().unwrap_or_default();
            evidence.insert(
                name,
                Evidence {
                    source: g("source"),
                    record_ref: g("record_ref"),
                    digest: g("digest"),
                    verified_by: g("verified_by"),
                    at: g("at"),
                },
            );
        }
        let mut history = Vec::new();
        for m in self.list_maps("history")? {
            let g = |k: &str| m.get(k).cloned().unwrap_or_default();
            history.push(HistoryEntry {
                at: g("at"),
                officer: g("officer"),
                node: g("node"),
                from: m.get("from").and_then(|s| s.parse().ok()),
                to: g("to")
                    .parse()
                    .map_err(|e: hoso_schemas::UnknownStatus| corrupt(e.to_string()))?,
                track: m.get("track").cloned(),
                note: m.get("note").cloned(),
            });
        }
        let notes = self
            .list_maps("notes")?
            .into_iter()
            .map(|m| {
                let g = |k: &str| m.get(k).cloned().unwrap_or_default();
                Note {
                    at: g("at"),
                    officer: g("officer"),
                    node: g("node"),
                    text: g("text"),
                }
            })
            .collect();
        Ok(CaseView {
            id,
            receipt_code: need("receipt_code")?,
            procedure: need("procedure")?,
            status,
            conflicting_status,
            tracks,
            citizen_id: need("citizen_id")?,
            applicant_name: need("applicant_name")?,
            province: need("province")?,
            commune: need("commune")?,
            received_at: need("received_at")?,
            due_date: need("due_date")?,
            overdue: false,
            assigned_officer: self.str_at(&ROOT, "assigned_officer"),
            fields,
            evidence,
            missing_fields: Vec::new(),
            history,
            notes,
            result: self.str_at(&ROOT, "result"),
        })
    }
}
