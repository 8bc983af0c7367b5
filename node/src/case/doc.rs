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
//! evidence: { <field>: <record ref> }                        (registry-filled fields)
//! records:  { <record ref>: { digest, verified_by, at } }     (the registry records used)
//! history:  [ { at, officer, node, from, to, track, note } ]   (append-only)
//! notes:    [ { at, officer, node, text } ]                    (append-only)
//! catalog_version      (the catalog version the case is checked against; absent: 0)
//! corrections: [ … ]   (hand corrections of registry fields: see [`crate::case::correction`])
//! ```
//!
//! Every value is a string except `schema`. Concurrent writes of `status` keep all values
//! (`get_all`), which is how semantic conflicts are seen after a merge.

use std::collections::BTreeMap;

use automerge::{
    ActorId, AutoCommit, ChangeHash, ObjId, ObjType, ROOT, ReadDoc, hydrate,
    transaction::CommitOptions, transaction::Transactable,
};
use hoso_schemas::Status;

use crate::case::view::{CaseView, Evidence, HistoryEntry, Note, TrackView};
use crate::error::{NodeError, Result};
use crate::ids::CaseId;

mod correction;
mod intake;
mod lifecycle;

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
    /// Form fields (canonical strings).
    pub fields: BTreeMap<String, String>,
    /// Evidence of registry-filled fields.
    pub evidence: BTreeMap<String, Evidence>,
    /// Status history (at least the receipt).
    pub history: Vec<HistoryEntry>,
    /// Notes.
    pub notes: Vec<Note>,
}

/// Loads a stored document (the compacted `save()` and the change chunks appended after it)
/// strictly: every chunk must parse whole with a valid checksum, and every change's
/// dependencies must be present. Automerge's `load_incremental` skips a damaged chunk with only
/// a log line, so a flipped byte would silently drop a change (and the next compaction would
/// destroy it); stored data is never read that way. The error says what failed.
pub fn load_stored(saved: &[u8], chunks: &[Vec<u8>]) -> std::result::Result<AutoCommit, String> {
    use automerge::{LoadOptions, OnPartialLoad};
    let strict = || LoadOptions::new().on_partial_load(OnPartialLoad::Error);
    if saved.is_empty() {
        return Err("the compacted document is empty".into());
    }
    let mut doc = AutoCommit::load_with_options(saved, strict())
        .map_err(|e| format!("the compacted document does not load: {e}"))?;
    if !chunks.is_empty() {
        // One strict load of the whole stored byte sequence: a chunk that does not parse is an
        // error instead of being skipped.
        let mut all = Vec::with_capacity(saved.len() + chunks.iter().map(Vec::len).sum::<usize>());
        all.extend_from_slice(saved);
        for (n, c) in chunks.iter().enumerate() {
            if c.is_empty() {
                return Err(format!("change chunk {n} is empty"));
            }
            all.extend_from_slice(c);
        }
        doc = AutoCommit::load_with_options(&all, strict()).map_err(|e| {
            let bad = first_bad_chunk(saved, chunks)
                .map(|n| format!("change chunk {n}"))
                .unwrap_or_else(|| "a change chunk".into());
            format!("{bad} does not load: {e}")
        })?;
    }
    let missing = doc.get_missing_deps(&[]);
    if !missing.is_empty() {
        return Err(format!(
            "{} change(s) depend on changes that are not stored",
            missing.len()
        ));
    }
    Ok(doc)
}

/// The first chunk that does not load on top of the ones before it (for the error message).
fn first_bad_chunk(saved: &[u8], chunks: &[Vec<u8>]) -> Option<usize> {
    use automerge::{LoadOptions, OnPartialLoad};
    let mut all = saved.to_vec();
    for (n, c) in chunks.iter().enumerate() {
        all.extend_from_slice(c);
        let ok = AutoCommit::load_with_options(
            &all,
            LoadOptions::new().on_partial_load(OnPartialLoad::Error),
        )
        .is_ok();
        if !ok {
            return Some(n);
        }
    }
    None
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

/// A saved document loaded and saved again without Automerge's per-column deflate (the same
/// document, the same heads), for a link whose frames are compressed as a whole (sync's
/// `protocol::inflate`): `None` when `saved` is over `max_in` bytes, does not load, or the
/// result is over `max_out`.
pub fn save_undeflated(saved: &[u8], max_in: usize, max_out: usize) -> Option<Vec<u8>> {
    if saved.len() > max_in {
        return None;
    }
    let mut doc = AutoCommit::load(saved).ok()?;
    let out = doc.save_nocompress();
    (!out.is_empty() && out.len() <= max_out).then_some(out)
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

    /// Loads a saved document and appended change chunks; further writes use `actor`. Fails
    /// closed: see [`load_stored`].
    pub fn load(saved: &[u8], chunks: &[Vec<u8>], actor: [u8; 16]) -> Result<Self> {
        let mut doc = load_stored(saved, chunks).map_err(corrupt)?;
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

    /// The underlying document, read-only.
    pub(crate) fn doc_ref(&self) -> &AutoCommit {
        &self.doc
    }

    /// Current heads.
    pub fn heads(&mut self) -> Vec<ChangeHash> {
        self.doc.get_heads()
    }

    /// Writes the whole initial content as one batch (`init_root_from_hydrate`): about 4× faster
    /// than one put per value, which matters for bulk import.
    pub fn init(&mut self, c: &CaseInit) -> Result<()> {
        use hydrate::Value as V;
        let s = |v: &str| V::scalar(v);
        let map = |pairs: Vec<(String, V)>| {
            V::Map(hydrate::Map::from(
                pairs
                    .into_iter()
                    .collect::<std::collections::HashMap<String, V>>(),
            ))
        };
        let mut root: Vec<(String, V)> = vec![
            ("schema".into(), V::scalar(SCHEMA_VERSION)),
            ("id".into(), s(&c.id.to_string())),
            ("receipt_code".into(), s(&c.receipt_code)),
            ("procedure".into(), s(&c.procedure)),
            ("citizen_id".into(), s(&c.citizen_id)),
            ("applicant_name".into(), s(&c.applicant_name)),
            ("province".into(), s(&c.province)),
            ("commune".into(), s(&c.commune)),
            ("received_at".into(), s(&c.received_at)),
            ("due_date".into(), s(&c.due_date)),
            ("status".into(), s(c.status.as_str())),
            ("assigned_officer".into(), s(&c.assigned_officer)),
        ];
        let tracks = c
            .tracks
            .iter()
            .map(|t| {
                (
                    t.clone(),
                    map(vec![("status".into(), s(c.status.as_str()))]),
                )
            })
            .collect();
        root.push(("tracks".into(), map(tracks)));
        root.push((
            "fields".into(),
            map(c.fields.iter().map(|(k, v)| (k.clone(), s(v))).collect()),
        ));
        root.push((
            "evidence".into(),
            map(c
                .evidence
                .iter()
                .map(|(k, e)| (k.clone(), s(&e.record_ref)))
                .collect()),
        ));
        let mut records: BTreeMap<&str, &Evidence> = BTreeMap::new();
        for e in c.evidence.values() {
            records.entry(e.record_ref.as_str()).or_insert(e);
        }
        root.push((
            "records".into(),
            map(records
                .into_iter()
                .map(|(r, e)| {
                    (
                        r.to_string(),
                        map(vec![
                            ("digest".into(), s(&e.digest)),
                            ("verified_by".into(), s(&e.verified_by)),
                            ("at".into(), s(&e.at)),
                            ("extract_date".into(), s(&e.extract_date)),
                            ("extract_version".into(), s(&e.extract_version)),
                        ]),
                    )
                })
                .collect()),
        ));
        root.push((
            "history".into(),
            V::List(
                c.history
                    .iter()
                    .map(history_value)
                    .collect::<Vec<V>>()
                    .into(),
            ),
        ));
        root.push((
            "notes".into(),
            V::List(c.notes.iter().map(note_value).collect::<Vec<V>>().into()),
        ));
        // Lifecycle lists exist from creation, so concurrent first entries merge.
        root.push(("supplements".into(), V::List(Vec::<V>::new().into())));
        root.push(("apologies".into(), V::List(Vec::<V>::new().into())));
        let root: std::collections::HashMap<String, V> = root.into_iter().collect();
        self.doc.init_root_from_hydrate(&hydrate::Map::from(root))?;
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

    /// Records where a field's value came from: the registry record (once per record) and the
    /// field's reference to it. Two ops per field instead of a map per field keeps documents
    /// small (evidence is most of a new case's content).
    pub fn set_evidence(&mut self, field: &str, e: &Evidence) -> Result<()> {
        let records = self.map(&ROOT, "records")?;
        if self.doc.get(&records, e.record_ref.as_str())?.is_none() {
            let m = self
                .doc
                .put_object(&records, e.record_ref.as_str(), ObjType::Map)?;
            self.doc.put(&m, "digest", e.digest.as_str())?;
            self.doc.put(&m, "verified_by", e.verified_by.as_str())?;
            self.doc.put(&m, "at", e.at.as_str())?;
            self.doc.put(&m, "extract_date", e.extract_date.as_str())?;
            self.doc
                .put(&m, "extract_version", e.extract_version.as_str())?;
        }
        let ev = self.map(&ROOT, "evidence")?;
        self.doc.put(&ev, field, e.record_ref.as_str())?;
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

    /// Records the catalog version the case is checked against (`catalog_version`, a decimal
    /// string like every value).
    pub fn set_catalog_version(&mut self, version: u64) -> Result<()> {
        self.doc
            .put(ROOT, "catalog_version", version.to_string().as_str())?;
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
        self.doc
            .batch_create_object(&list, n, &history_value(h), true)?;
        Ok(())
    }

    /// Appends a note.
    pub fn push_note(&mut self, n: &Note) -> Result<()> {
        let list = self.map(&ROOT, "notes")?;
        let len = self.doc.length(&list);
        self.doc
            .batch_create_object(&list, len, &note_value(n), true)?;
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

    /// The whole document in the form the store keeps (store format 4): saved without
    /// Automerge's per-column deflate, so that the store's own deflate of the whole document
    /// ([`crate::store::tables::DocBuf`]) sees the text; the same document, the same heads.
    pub fn save_stored(&mut self) -> Vec<u8> {
        self.saved_heads = self.doc.get_heads();
        self.doc.save_nocompress()
    }

    /// The heads the document had when it was loaded or last saved.
    pub(crate) fn saved_heads(&self) -> Vec<[u8; 32]> {
        self.saved_heads.iter().map(|h| h.0).collect()
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
            .map_err(|e| NodeError::BadDocument {
                source: Box::new(e),
            })?;
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

    /// Every value of a status key, the winner first: `get_all` is only consulted when the
    /// hydrated map flags a conflict, which keeps reading a case one pass over the document.
    fn conflicting(&self, obj: &ObjId, key: &str, winner: Status) -> Result<Vec<Status>> {
        let mut values: Vec<Status> = Vec::new();
        for (v, _) in self.doc.get_all(obj, key)? {
            let s = v
                .as_str()
                .ok_or_else(|| corrupt(format!("`{key}` is not a string")))?;
            let st = parse_status(s)?;
            if st != winner && !values.contains(&st) {
                values.push(st);
            }
        }
        values.sort();
        Ok(values)
    }

    fn obj(&self, parent: &ObjId, key: &str) -> Result<ObjId> {
        self.map(parent, key)
    }

    /// Reads the whole case in one hydration pass. `overdue` and `missing_fields` are left for
    /// the caller to derive.
    pub fn view(&self) -> Result<CaseView> {
        let hydrate::Value::Map(root) = self.doc.hydrate(ROOT, None)? else {
            return Err(corrupt("root is not a map"));
        };
        self.view_of_root(&root)
    }

    /// The view of a hydrated root map (the whole document, or all of it but lists whose
    /// part of the view the caller fills in: `view_update.rs`).
    pub(crate) fn view_of_root(&self, root: &hydrate::Map) -> Result<CaseView> {
        let need =
            |k: &str| scalar_str(root.get(k)).ok_or_else(|| corrupt(format!("missing `{k}`")));
        let id: CaseId = need("id")?
            .parse()
            .map_err(|e: crate::ids::BadId| corrupt(e.to_string()))?;
        let status = parse_status(&need("status")?)?;
        let conflicting_status = if root.iter().any(|(k, v)| k == "status" && v.conflict) {
            self.conflicting(&ROOT, "status", status)?
        } else {
            Vec::new()
        };
        let mut tracks = BTreeMap::new();
        if let Some(hydrate::Value::Map(tm)) = root.get("tracks") {
            for (name, tv) in tm.iter() {
                let hydrate::Value::Map(m) = &tv.value else {
                    return Err(corrupt(format!("track `{name}` is not a map")));
                };
                let st = parse_status(
                    &scalar_str(m.get("status")).ok_or_else(|| corrupt("track without status"))?,
                )?;
                let conflicting = if m.iter().any(|(k, v)| k == "status" && v.conflict) {
                    let tracks_obj = self.obj(&ROOT, "tracks")?;
                    let track_obj = self.obj(&tracks_obj, name)?;
                    self.conflicting(&track_obj, "status", st)?
                } else {
                    Vec::new()
                };
                tracks.insert(
                    name.clone(),
                    TrackView {
                        status: st,
                        conflicting,
                        handed_off_at: None,
                        due_date: None,
                        result: None,
                    },
                );
            }
        }
        let fields = match root.get("fields") {
            Some(hydrate::Value::Map(m)) => string_map(m),
            _ => return Err(corrupt("missing map `fields`")),
        };
        let mut evidence = BTreeMap::new();
        let records = match root.get("records") {
            Some(hydrate::Value::Map(m)) => Some(m),
            _ => None,
        };
        if let Some(hydrate::Value::Map(em)) = root.get("evidence") {
            for (name, ev) in em.iter() {
                let Some(record_ref) = scalar_str(Some(&ev.value)) else {
                    continue;
                };
                let rec = records
                    .and_then(|r| r.get(&record_ref))
                    .and_then(|v| match v {
                        hydrate::Value::Map(m) => Some(m),
                        _ => None,
                    });
                let g = |k: &str| rec.and_then(|m| scalar_str(m.get(k))).unwrap_or_default();
                evidence.insert(
                    name.clone(),
                    Evidence {
                        source: String::new(),
                        digest: g("digest"),
                        verified_by: g("verified_by"),
                        at: g("at"),
                        extract_date: g("extract_date"),
                        extract_version: g("extract_version"),
                        record_ref,
                    },
                );
            }
        }
        let history = history_of(root.get("history"))?;
        let notes = notes_of(root.get("notes"));
        let intake = crate::case::intake::read(root);
        let mut view = CaseView {
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
            assigned_officer: scalar_str(root.get("assigned_officer")),
            fields,
            evidence,
            missing_fields: Vec::new(),
            history,
            notes,
            result: scalar_str(root.get("result")),
            citizen_commune: intake.citizen_commune,
            verification: intake.verification,
            declared: intake.declared,
            payments: intake.payments,
            result_record: None,
            supplements: Vec::new(),
            apologies: Vec::new(),
            stop_proposed: false,
            corrections: crate::case::correction::read(root),
            catalog_version: scalar_str(root.get("catalog_version")).and_then(|s| s.parse().ok()),
        };
        crate::case::lifecycle::read_into(root, &mut view);
        Ok(view)
    }
}

/// The status history of a hydrated `history` list (its map items, in order).
pub(crate) fn history_of(list: Option<&hydrate::Value>) -> Result<Vec<HistoryEntry>> {
    list_maps(list).iter().map(history_entry).collect()
}

/// One status-history entry of a hydrated `history` item.
pub(crate) fn history_entry(m: &BTreeMap<String, String>) -> Result<HistoryEntry> {
    let g = |k: &str| m.get(k).cloned().unwrap_or_default();
    Ok(HistoryEntry {
        at: g("at"),
        officer: g("officer"),
        node: g("node"),
        from: m.get("from").and_then(|s| s.parse().ok()),
        to: parse_status(&g("to"))?,
        track: m.get("track").cloned(),
        note: m.get("note").cloned(),
    })
}

/// The notes of a hydrated `notes` list (its map items, in order).
pub(crate) fn notes_of(list: Option<&hydrate::Value>) -> Vec<Note> {
    list_maps(list).iter().map(note_entry).collect()
}

/// One note of a hydrated `notes` item.
pub(crate) fn note_entry(m: &BTreeMap<String, String>) -> Note {
    let g = |k: &str| m.get(k).cloned().unwrap_or_default();
    Note {
        at: g("at"),
        officer: g("officer"),
        node: g("node"),
        text: g("text"),
    }
}

/// The string map of one hydrated list item, `None` when it is not a map (such items are not
/// part of the view).
pub(crate) fn item_map(v: &hydrate::Value) -> Option<BTreeMap<String, String>> {
    match v {
        hydrate::Value::Map(m) => Some(string_map(m)),
        _ => None,
    }
}

fn parse_status(s: &str) -> Result<Status> {
    s.parse()
        .map_err(|e: hoso_schemas::UnknownStatus| corrupt(e.to_string()))
}

fn scalar_str(v: Option<&hydrate::Value>) -> Option<String> {
    match v {
        Some(hydrate::Value::Scalar(automerge::ScalarValue::Str(s))) => Some(s.to_string()),
        _ => None,
    }
}

fn string_map(m: &hydrate::Map) -> BTreeMap<String, String> {
    m.iter()
        .filter_map(|(k, v)| scalar_str(Some(&v.value)).map(|s| (k.clone(), s)))
        .collect()
}

fn list_maps(v: Option<&hydrate::Value>) -> Vec<BTreeMap<String, String>> {
    match v {
        Some(hydrate::Value::List(l)) => l
            .iter()
            .filter_map(|item| match &item.value {
                hydrate::Value::Map(m) => Some(string_map(m)),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn history_value(h: &HistoryEntry) -> hydrate::Value {
    let mut m: std::collections::HashMap<String, hydrate::Value> = std::collections::HashMap::new();
    m.insert("at".into(), hydrate::Value::scalar(h.at.as_str()));
    m.insert("officer".into(), hydrate::Value::scalar(h.officer.as_str()));
    m.insert("node".into(), hydrate::Value::scalar(h.node.as_str()));
    if let Some(from) = h.from {
        m.insert("from".into(), hydrate::Value::scalar(from.as_str()));
    }
    m.insert("to".into(), hydrate::Value::scalar(h.to.as_str()));
    if let Some(t) = &h.track {
        m.insert("track".into(), hydrate::Value::scalar(t.as_str()));
    }
    if let Some(n) = &h.note {
        m.insert("note".into(), hydrate::Value::scalar(n.as_str()));
    }
    hydrate::Value::Map(hydrate::Map::from(m))
}

fn note_value(n: &Note) -> hydrate::Value {
    let mut m: std::collections::HashMap<String, hydrate::Value> = std::collections::HashMap::new();
    m.insert("at".into(), hydrate::Value::scalar(n.at.as_str()));
    m.insert("officer".into(), hydrate::Value::scalar(n.officer.as_str()));
    m.insert("node".into(), hydrate::Value::scalar(n.node.as_str()));
    m.insert("text".into(), hydrate::Value::scalar(n.text.as_str()));
    hydrate::Value::Map(hydrate::Map::from(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A compacted document and two change chunks appended after it, as the store keeps them.
    fn stored() -> (Vec<u8>, Vec<Vec<u8>>) {
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "status", "received").expect("put");
        let saved = doc.save();
        doc.put(ROOT, "status", "in_process").expect("put");
        let c1 = doc.save_incremental();
        doc.put(ROOT, "note", "đủ giấy tờ").expect("put");
        let c2 = doc.save_incremental();
        (saved, vec![c1, c2])
    }

    fn status(d: &AutoCommit) -> Option<String> {
        d.get(ROOT, "status")
            .ok()
            .flatten()
            .and_then(|(v, _)| v.into_string().ok())
    }

    #[test]
    fn a_flipped_byte_in_a_chunk_is_an_error_not_a_dropped_change() {
        let (saved, mut chunks) = stored();
        let whole = load_stored(&saved, &chunks).expect("loads");
        assert_eq!(status(&whole).as_deref(), Some("in_process"));
        let n = chunks[1].len();
        chunks[1][n / 2] ^= 0x01;
        // What the store did before: the damaged chunk is skipped without an error.
        let mut lenient = AutoCommit::load(&saved).expect("load");
        for c in &chunks {
            lenient.load_incremental(c).expect("lenient load says ok");
        }
        assert_eq!(
            lenient.get_changes(&[]).len(),
            2,
            "one change silently gone"
        );
        let err = load_stored(&saved, &chunks).expect_err("fails closed");
        assert!(err.contains("change chunk 1"), "{err}");
        // A chunk whose dependency is gone is an error too.
        let (saved, good) = stored();
        let err = load_stored(&saved, &good[1..]).expect_err("missing dependency");
        assert!(err.contains("not stored"), "{err}");
        let err = load_stored(&saved[..saved.len() - 3], &[]).expect_err("truncated doc");
        assert!(err.contains("compacted document"), "{err}");
    }
}
