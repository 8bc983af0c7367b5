//! Plain views of a case file: what the CLI prints, the console shows and the indexes are built from.

use std::collections::BTreeMap;

use hoso_schemas::Status;
use serde::{Deserialize, Serialize};

use crate::case::correction::FieldCorrection;
use crate::case::intake::{DeclaredEvidence, Payment, Verification, VerificationState};
use crate::case::lifecycle::records::{ApologyRecord, CaseResult, SupplementRecord};
use crate::ids::CaseId;

/// Where a field's value came from: the registry record it was copied from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// The catalog source, e.g. `population:spouse.full_name` (from the catalog, not stored).
    pub source: String,
    /// The registry record used (a citizen id).
    pub record_ref: String,
    /// blake3 of that record's bytes, hex.
    pub digest: String,
    /// The officer who looked it up.
    pub verified_by: String,
    /// When (RFC 3339).
    pub at: String,
    /// The date of the population extract the record was read from (YYYY-MM-DD).
    #[serde(default)]
    pub extract_date: String,
    /// That extract's version.
    #[serde(default)]
    pub extract_version: String,
}

pub use hoso_schemas::records::{HistoryEntry, Note};

/// One track of an integrated bundle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackView {
    /// The track's current status.
    pub status: Status,
    /// Other values written concurrently (a semantic conflict when non-empty).
    pub conflicting: Vec<Status>,
    /// When the track was handed off to its agency (RFC 3339); at receipt for a track that
    /// waits for no other.
    #[serde(default)]
    pub handed_off_at: Option<String>,
    /// The track's own due date (YYYY-MM-DD), counted from its hand-off.
    #[serde(default)]
    pub due_date: Option<String>,
    /// The track's result.
    #[serde(default)]
    pub result: Option<CaseResult>,
}

/// Everything in a case file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseView {
    /// Stable id.
    pub id: CaseId,
    /// Human receipt code.
    pub receipt_code: String,
    /// Procedure code.
    pub procedure: String,
    /// Current status.
    pub status: Status,
    /// Other status values written concurrently (a semantic conflict when non-empty).
    pub conflicting_status: Vec<Status>,
    /// Per-track status of an integrated bundle.
    pub tracks: BTreeMap<String, TrackView>,
    /// The citizen the case was received for.
    pub citizen_id: String,
    /// Applicant's name.
    pub applicant_name: String,
    /// Province code (immutable).
    pub province: String,
    /// Commune code (immutable).
    pub commune: String,
    /// Receipt time (RFC 3339).
    pub received_at: String,
    /// Appointment date (YYYY-MM-DD), moved on by supplement pauses.
    pub due_date: String,
    /// Derived: past due (or finished late, or more than one supplement request).
    pub overdue: bool,
    /// Officer the case is assigned to.
    pub assigned_officer: Option<String>,
    /// Form fields (canonical strings).
    pub fields: BTreeMap<String, String>,
    /// Evidence per registry-filled field.
    pub evidence: BTreeMap<String, Evidence>,
    /// Required fields still empty.
    pub missing_fields: Vec<String>,
    /// Status changes, oldest first.
    pub history: Vec<HistoryEntry>,
    /// Notes, oldest first.
    pub notes: Vec<Note>,
    /// The decision or result text, once decided.
    pub result: Option<String>,
    /// The citizen's own commune of residence (the case's jurisdiction is `commune`, the
    /// receiving centre's: Decree 118/2025). `None` on cases received before it was recorded.
    #[serde(default)]
    pub citizen_commune: Option<String>,
    /// For a citizen missing from the population extract: the declared identity and its check.
    #[serde(default)]
    pub verification: Option<Verification>,
    /// Typed values the extract does not hold: "declared, not in the extract dated …".
    #[serde(default)]
    pub declared: BTreeMap<String, DeclaredEvidence>,
    /// Fee payments, oldest first.
    #[serde(default)]
    pub payments: Vec<Payment>,
    /// The recorded result: kind, number, date, signer, delivery channel.
    #[serde(default)]
    pub result_record: Option<CaseResult>,
    /// Supplement requests, oldest first.
    #[serde(default)]
    pub supplements: Vec<SupplementRecord>,
    /// Apologies for a late result, oldest first.
    #[serde(default)]
    pub apologies: Vec<ApologyRecord>,
    /// Derived: waiting for a supplement past its deadline, so proposed for stop.
    #[serde(default)]
    pub stop_proposed: bool,
    /// Hand corrections of registry-filled fields, oldest first (the evidence stays).
    #[serde(default)]
    pub corrections: Vec<FieldCorrection>,
    /// The catalog version the case was received under, or moved to by a supervisor (none:
    /// the receiving node's local catalog, version 0). Its deadlines, fee and workflow are
    /// checked against that version (issue 12).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog_version: Option<u64>,
}

impl CaseView {
    /// True when concurrent edits left conflicting statuses.
    pub fn has_conflict(&self) -> bool {
        !self.conflicting_status.is_empty()
            || self.tracks.values().any(|t| !t.conflicting.is_empty())
    }

    /// Number of supplement requests so far.
    pub fn supplement_requests(&self) -> usize {
        self.history
            .iter()
            .filter(|h| h.to == Status::SupplementRequested && h.track.is_none())
            .count()
    }

    /// The date processing ended (first entry into a final status), if it has.
    pub fn ended_on(&self) -> Option<String> {
        self.history
            .iter()
            .find(|h| h.to.ends_processing() && h.track.is_none())
            .map(|h| h.at.get(..10).unwrap_or(&h.at).to_string())
    }

    /// True when the citizen's identity is not (or not yet) confirmed by the population extract.
    pub fn is_unverified(&self) -> bool {
        self.verification
            .as_ref()
            .is_some_and(|v| v.state != VerificationState::Verified)
    }

    /// The summary row stored beside the document.
    pub fn summary(&self) -> CaseSummary {
        CaseSummary {
            id: self.id,
            receipt_code: self.receipt_code.clone(),
            procedure: self.procedure.clone(),
            status: self.status,
            citizen_id: self.citizen_id.clone(),
            applicant_name: self.applicant_name.clone(),
            province: self.province.clone(),
            commune: self.commune.clone(),
            received_at: self.received_at.clone(),
            due_date: self.due_date.clone(),
            assigned_officer: self.assigned_officer.clone(),
            conflict: self.has_conflict(),
            supplement_requests: u32::try_from(self.supplement_requests()).unwrap_or(u32::MAX),
            ended_on: self.ended_on(),
            overdue: false,
            channel: self.fields.get(hoso_schemas::CHANNEL_FIELD).cloned(),
            portal_case_code: self.fields.get(hoso_schemas::PORTAL_CODE_FIELD).cloned(),
            unverified: self.is_unverified(),
        }
    }
}

/// The short row of a case, stored beside the document so lists never load documents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseSummary {
    /// Stable id.
    pub id: CaseId,
    /// Human receipt code.
    pub receipt_code: String,
    /// Procedure code.
    pub procedure: String,
    /// Current status.
    pub status: Status,
    /// The citizen the case was received for.
    pub citizen_id: String,
    /// Applicant's name.
    pub applicant_name: String,
    /// Province code.
    pub province: String,
    /// Commune code.
    pub commune: String,
    /// Receipt time (RFC 3339).
    pub received_at: String,
    /// Appointment date (YYYY-MM-DD).
    pub due_date: String,
    /// Officer the case is assigned to.
    pub assigned_officer: Option<String>,
    /// In the review queue.
    pub conflict: bool,
    /// Number of supplement requests.
    pub supplement_requests: u32,
    /// Date processing ended, if it has.
    pub ended_on: Option<String>,
    /// Derived when read: past due. Always stored as false.
    #[serde(default)]
    pub overdue: bool,
    /// The submission channel, as stored in the case's field.
    #[serde(default)]
    pub channel: Option<String>,
    /// The National Public Service Portal's own case code.
    #[serde(default)]
    pub portal_case_code: Option<String>,
    /// The citizen is not (or not yet) confirmed by the population extract.
    #[serde(default)]
    pub unverified: bool,
}
