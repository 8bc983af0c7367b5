//! Semantic conflicts found after a merge. Automerge keeps every edit; what it cannot decide is
//! which of two concurrent statuses is right. A case whose status (or a track's status) has
//! concurrent values, or whose merged history breaks the workflow (a step that does not start
//! where the previous one ended), is filed in the review queue ([`REVIEW`]) with both sides'
//! values, officers and times. `hoso case conflicts` lists it; resolving is a normal audited
//! transition from any of the conflicting values, after which the record is cleared.

use redb::{ReadableDatabase, ReadableTable, WriteTransaction};
use serde::{Deserialize, Serialize};

use crate::case::{CaseView, HistoryEntry};
use crate::error::{EncodeError, Result};
use crate::ids::{CaseId, NodeId};
use crate::node::handle::Node;
use crate::store::tables::REVIEW;

/// One of the concurrent values, with who wrote it and when (from the case history).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConflictSide {
    /// The status word.
    pub status: String,
    /// The officer of the history step that set it, if found.
    pub officer: Option<String>,
    /// Its node (short id).
    pub node: Option<String>,
    /// When (RFC 3339).
    pub at: Option<String>,
}

/// A review-queue record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewRecord {
    /// The case.
    pub case_id: CaseId,
    /// Its receipt code.
    pub receipt_code: String,
    /// `None` for the case status, else the bundle track.
    pub track: Option<String>,
    /// Every concurrent value (the current winner first).
    pub sides: Vec<ConflictSide>,
    /// History steps that do not start where the previous step ended.
    pub workflow_breaks: Vec<String>,
    /// The peer whose merge raised it.
    pub from_peer: String,
    /// When it was filed (RFC 3339).
    pub filed_at: String,
}

fn side(
    history: &[HistoryEntry],
    status: hoso_schemas::Status,
    track: Option<&str>,
) -> ConflictSide {
    let h = history
        .iter()
        .rev()
        .find(|h| h.to == status && h.track.as_deref() == track);
    ConflictSide {
        status: status.to_string(),
        officer: h.map(|h| h.officer.clone()),
        node: h.map(|h| h.node.clone()),
        at: h.map(|h| h.at.clone()),
    }
}

/// Open forks of the case-level history: steps that do not start from a status the case was
/// in (concurrent transitions from one status). A later step that starts from one of the forked
/// values resolves the fork, so only unresolved breaks are returned.
pub fn workflow_breaks(view: &CaseView) -> Vec<String> {
    let mut open = Vec::new();
    let mut current: Vec<hoso_schemas::Status> = Vec::new();
    for h in view.history.iter().filter(|h| h.track.is_none()) {
        match h.from {
            Some(f) if !current.is_empty() && !current.contains(&f) => {
                open.push(format!(
                    "{} → {} by {} at {} (the case was {} then)",
                    f,
                    h.to,
                    h.officer,
                    h.at,
                    current
                        .iter()
                        .map(std::string::ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(" / ")
                ));
                current.push(h.to);
            }
            _ => {
                open.clear();
                current = vec![h.to];
            }
        }
    }
    open
}

/// The review record a merged view calls for, if any.
pub fn review_for(view: &CaseView, from_peer: &NodeId) -> Option<ReviewRecord> {
    let breaks = workflow_breaks(view);
    let (track, sides) = if !view.conflicting_status.is_empty() {
        let mut s = vec![side(&view.history, view.status, None)];
        s.extend(
            view.conflicting_status
                .iter()
                .map(|st| side(&view.history, *st, None)),
        );
        (None, s)
    } else if let Some((name, t)) = view.tracks.iter().find(|(_, t)| !t.conflicting.is_empty()) {
        let mut s = vec![side(&view.history, t.status, Some(name))];
        s.extend(
            t.conflicting
                .iter()
                .map(|st| side(&view.history, *st, Some(name))),
        );
        (Some(name.clone()), s)
    } else if !breaks.is_empty() {
        (None, vec![side(&view.history, view.status, None)])
    } else {
        return None;
    };
    Some(ReviewRecord {
        case_id: view.id,
        receipt_code: view.receipt_code.clone(),
        track,
        sides,
        workflow_breaks: breaks,
        from_peer: from_peer.to_string(),
        filed_at: crate::deadline::now().to_rfc3339(),
    })
}

impl Node {
    /// Files (or clears) the review record of a case just merged from `peer`, in `tx`.
    /// Returns true when the case is in the review queue.
    pub(crate) fn file_review_in(
        &self,
        tx: &WriteTransaction,
        view: &CaseView,
        peer: &NodeId,
    ) -> Result<bool> {
        match review_for(view, peer) {
            Some(rec) => {
                let mut t = tx.open_table(REVIEW)?;
                let bytes =
                    serde_json::to_vec(&rec).map_err(EncodeError::json("a conflict record"))?;
                t.insert(&view.id.0, bytes.as_slice())?;
                Ok(true)
            }
            // `store_summary` already cleared the record of a case without conflicts.
            None => Ok(false),
        }
    }

    /// Every review-queue record (with both sides' values, officers and times).
    pub fn review_queue(&self) -> Result<Vec<ReviewRecord>> {
        let rtx = self.db().begin_read()?;
        let t = rtx.open_table(REVIEW)?;
        let mut out = Vec::new();
        for row in t.iter()? {
            let (_, v) = row?;
            if let Ok(r) = serde_json::from_slice::<ReviewRecord>(v.value()) {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// The review record of one case: `None` when it is not in the queue.
    pub fn review_of(&self, id: &CaseId) -> Result<Option<ReviewRecord>> {
        let rtx = self.db().begin_read()?;
        let t = rtx.open_table(REVIEW)?;
        Ok(t.get(&id.0)?
            .and_then(|v| serde_json::from_slice(v.value()).ok()))
    }
}
