//! What receiving a case takes: the officer's input ([`NewCase`]), the form prefilled from the
//! registry ([`Prefill`]) with a declared identity for a citizen missing from the extract
//! ([`DeclaredIntake`]), and the past of a case brought in by bulk import ([`ImportedPast`]).

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use hoso_schemas::Status;
use serde::Serialize;

use crate::case::{DeclaredCitizen, Evidence, ExtractRef, HistoryEntry, Note};

/// What `case new` needs.
#[derive(Clone, Debug, Default)]
pub struct NewCase {
    /// Procedure code.
    pub procedure: String,
    /// The citizen the case is received for.
    pub citizen_id: String,
    /// Fields the citizen provided, raw `name → value`.
    pub fields: Vec<(String, String)>,
    /// Receipt time; now when `None`.
    pub received_at: Option<DateTime<FixedOffset>>,
}

/// A case form prefilled from the registry, before it is received.
#[derive(Clone, Debug, Serialize)]
pub struct Prefill {
    /// Procedure code.
    pub procedure: String,
    /// Citizen id.
    pub citizen_id: String,
    /// Applicant name from the registry.
    pub applicant_name: String,
    /// Field values (registry ones and validated given ones).
    pub fields: BTreeMap<String, String>,
    /// Evidence per registry-filled field.
    pub evidence: BTreeMap<String, Evidence>,
    /// Required fields still empty: what the citizen must still provide.
    pub missing_fields: Vec<String>,
    /// Commune of residence of the citizen.
    pub commune: String,
    /// For a citizen missing from the population extract: the declared identity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declared: Option<DeclaredIntake>,
}

/// A declared identity as the case records it, with the extract it was missing from.
#[derive(Clone, Debug, Serialize)]
pub struct DeclaredIntake {
    /// The declared identity.
    pub citizen: DeclaredCitizen,
    /// The extract in force at receipt.
    pub extract: ExtractRef,
}

/// The past of a case brought in by bulk import.
#[derive(Clone, Copy, Debug)]
pub struct ImportedPast<'a> {
    /// Receipt code to keep (empty: assign a new one).
    pub receipt_code: &'a str,
    /// Status to import in.
    pub status: Status,
    /// Status history.
    pub history: &'a [HistoryEntry],
    /// Notes.
    pub notes: &'a [Note],
    /// Assigned officer.
    pub assigned_officer: Option<&'a str>,
}
