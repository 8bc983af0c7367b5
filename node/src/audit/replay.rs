//! Replay (`hoso audit replay CASE [--at TIME | --seq N]`): the case as it was at a moment,
//! rebuilt read-only with `fork_at` on the changes the audit entries up to then committed, and
//! each action with its officer, node, time, action and the fields it changed (a diff of the
//! states before and after). The console's history view uses [`replay`] too.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use automerge::{AutoCommit, ChangeHash};
use serde::Serialize;

use crate::audit::read::{StoredEntry, for_case};
use crate::case::{CaseDoc, CaseView};
use crate::error::{AuditError, Result};
use crate::ids::{CaseId, NodeId, hex};
use crate::node::handle::Node;

/// The moment to replay to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplayPoint {
    /// Everything recorded.
    Now,
    /// Entries whose time is at or before this Unix ms.
    At(i64),
    /// Entries of `origin` up to `seq`, and other nodes' entries up to that entry's time.
    Seq {
        /// The chain.
        origin: NodeId,
        /// Its position.
        seq: u64,
    },
}

/// One field (or list item) an action changed. Paths: `status`, `fields.<name>`,
/// `history[3]`, `notes[0].text`, ….
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    /// Path in the case view.
    pub field: String,
    /// Value before (absent when new).
    pub from: Option<String>,
    /// Value after (absent when removed).
    pub to: Option<String>,
}

/// One recorded action on the case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReplayStep {
    /// The node's key.
    pub origin: NodeId,
    /// Short node id.
    pub node: String,
    /// Position in the node's chain.
    pub seq: u64,
    /// Officer the node attests.
    pub officer: String,
    /// Entry time (RFC 3339, UTC).
    pub time: String,
    /// Entry time, Unix ms.
    pub time_ms: i64,
    /// Action name.
    pub action: String,
    /// Change hashes committed, hex.
    pub changes: Vec<String>,
    /// What the action changed.
    pub changed: Vec<FieldChange>,
    /// The detail payload, unless purged.
    pub payload: Option<serde_json::Value>,
}

/// A case at a moment.
#[derive(Clone, Debug, Serialize)]
pub struct Replay {
    /// The case.
    pub case: CaseId,
    /// The state after the last included action (`None` when nothing was recorded yet).
    pub state: Option<CaseView>,
    /// The included actions, oldest first.
    pub steps: Vec<ReplayStep>,
    /// Actions recorded after the moment.
    pub later_steps: usize,
    /// Changes pulled in as dependencies although their entries are later (clock skew between
    /// nodes), hex.
    pub causality_skew: Vec<String>,
    /// Heads the state was forked at, hex.
    pub heads: Vec<String>,
}

fn flatten(prefix: &str, v: &serde_json::Value, out: &mut BTreeMap<String, String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&p, x, out);
            }
        }
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                flatten(&format!("{prefix}[{i}]"), x, out);
            }
        }
        serde_json::Value::Null => {}
        serde_json::Value::String(s) => {
            out.insert(prefix.to_string(), s.clone());
        }
        other => {
            out.insert(prefix.to_string(), other.to_string());
        }
    }
}

fn flat(view: Option<&CaseView>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if let Some(v) = view
        && let Ok(mut j) = serde_json::to_value(v)
    {
        if let Some(m) = j.as_object_mut() {
            // Derived, not stored.
            m.remove("overdue");
            m.remove("missing_fields");
        }
        flatten("", &j, &mut out);
    }
    out
}

fn diff(a: &BTreeMap<String, String>, b: &BTreeMap<String, String>) -> Vec<FieldChange> {
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| FieldChange {
            field: k.clone(),
            from: a.get(k).cloned(),
            to: b.get(k).cloned(),
        })
        .collect()
}

fn included(e: &StoredEntry, point: ReplayPoint, cutoff_ms: i64) -> bool {
    let b = &e.entry.body;
    match point {
        ReplayPoint::Now => true,
        ReplayPoint::At(ms) => b.time_ms <= ms,
        ReplayPoint::Seq { origin, seq } => {
            if b.origin == origin {
                b.seq <= seq
            } else {
                b.time_ms <= cutoff_ms
            }
        }
    }
}

fn view_at(doc: &mut AutoCommit, heads: &[ChangeHash]) -> Result<(CaseView, AutoCommit)> {
    let fork = doc.fork_at(heads)?;
    let view = CaseDoc::from_automerge(fork.clone()).view()?;
    Ok((view, fork))
}

/// Replays case `case` from its entries (`entries`, as [`for_case`] returns them) and
/// its full document. Read-only: the document is forked, never committed to.
pub fn replay(
    doc: &mut AutoCommit,
    case: CaseId,
    entries: Vec<StoredEntry>,
    point: ReplayPoint,
) -> Result<Replay> {
    let cutoff_ms = match point {
        ReplayPoint::Seq { origin, seq } => entries
            .iter()
            .find(|e| e.entry.body.origin == origin && e.entry.body.seq == seq)
            .map(|e| e.entry.body.time_ms)
            .ok_or_else(|| AuditError::NoSuchEntry {
                origin: origin.short(),
                seq,
                case,
            })?,
        _ => i64::MAX,
    };
    let present: HashSet<[u8; 32]> = doc.get_changes(&[]).iter().map(|c| c.hash().0).collect();
    let mut heads: Vec<ChangeHash> = Vec::new();
    let mut selected: HashSet<[u8; 32]> = HashSet::new();
    let mut steps = Vec::new();
    let mut later_steps = 0;
    let mut before = flat(None);
    let mut state = None;
    let mut last_fork = None;
    for e in entries {
        let b = &e.entry.body;
        if b.changes.is_empty() {
            continue;
        }
        if !included(&e, point, cutoff_ms) {
            later_steps += 1;
            continue;
        }
        for h in &b.changes {
            if present.contains(h) {
                heads.push(ChangeHash(*h));
                selected.insert(*h);
            }
        }
        let (view, fork) = view_at(doc, &heads)?;
        let after = flat(Some(&view));
        let changed = diff(&before, &after);
        before = after;
        steps.push(ReplayStep {
            origin: b.origin,
            node: b.origin.short(),
            seq: b.seq,
            officer: b.officer.clone(),
            time: chrono::DateTime::from_timestamp_millis(b.time_ms)
                .map(|t| t.to_rfc3339())
                .unwrap_or_default(),
            time_ms: b.time_ms,
            action: b.action.as_str().to_string(),
            changes: b.changes.iter().map(|h| hex(h)).collect(),
            changed,
            payload: e.payload.and_then(|p| serde_json::from_slice(&p).ok()),
        });
        state = Some(view);
        last_fork = Some(fork);
    }
    let causality_skew = match last_fork {
        Some(mut f) => f
            .get_changes(&[])
            .iter()
            .map(|c| c.hash().0)
            .filter(|h| !selected.contains(h))
            .map(|h| hex(&h))
            .collect(),
        None => Vec::new(),
    };
    Ok(Replay {
        case,
        state,
        steps,
        later_steps,
        causality_skew,
        heads: heads.iter().map(|h| hex(&h.0)).collect(),
    })
}

impl Node {
    /// Replays a case (by id or receipt code) to a moment.
    pub fn replay(&self, reference: &str, point: ReplayPoint) -> Result<Replay> {
        let id = self.case(reference)?.id;
        let entries = for_case(self.db(), &id)?;
        let mut doc = self.case_doc(&id)?;
        replay(doc.automerge(), id, entries, point)
    }
}
