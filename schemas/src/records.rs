//! The record formats hoso reads and writes as JSON lines, defined once: a case in the import
//! format ([`CaseRecord`], with its [`HistoryEntry`]s and [`Note`]s). The node imports and stores
//! them (`hoso_node::bulk`, the case views), the fixtures generator writes them
//! (`fixtures/sample/cases.jsonl`).
//!
//! Field order is the JSON key order of what is written. Every field the import may do without
//! is optional on reading and left out on writing when absent, so a generated file and an
//! imported one are the same format.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::status::Status;

/// One case in the import format. Unknown keys (such as the derived ones of an export) are
/// ignored when reading.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRecord {
    /// Receipt code to keep; a new one is assigned when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_code: Option<String>,
    /// Procedure code.
    pub procedure: String,
    /// The citizen the case is for (a registry citizen id).
    pub citizen_id: String,
    /// Receipt time (RFC 3339, +07:00); now when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_at: Option<String>,
    /// Assigned officer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_officer: Option<String>,
    /// Form fields (canonical values).
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    /// Status to import the case in (the `to` of the last history entry); the workflow's
    /// initial status when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    /// Status changes, oldest first.
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
    /// Officers' notes, oldest first.
    #[serde(default)]
    pub notes: Vec<Note>,
}

/// One status change, kept in the case document (append-only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// When (RFC 3339).
    pub at: String,
    /// Who.
    pub officer: String,
    /// From which node (short id).
    pub node: String,
    /// Previous status (`None` for the first entry).
    pub from: Option<Status>,
    /// New status.
    pub to: Status,
    /// The bundle track, if the transition was on one track.
    pub track: Option<String>,
    /// The officer's note.
    pub note: Option<String>,
}

/// A note on a case (append-only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// When (RFC 3339).
    pub at: String,
    /// Who.
    pub officer: String,
    /// From which node (short id).
    pub node: String,
    /// The text.
    pub text: String,
}
