//! The record formats hoso reads and writes as JSON lines, defined once: a population registry
//! record ([`Citizen`]) and a case in the import format ([`CaseRecord`], with its
//! [`HistoryEntry`]s and [`Note`]s). The node imports and stores them (`hoso_node::registry`,
//! `hoso_node::bulk`, the case views), the fixtures generator writes them
//! (`fixtures/sample/registry.jsonl`, `cases.jsonl`).
//!
//! Field order is the JSON key order of what is written. Every field the import may do without
//! is optional on reading and left out on writing when absent, so a generated file and an
//! imported one are the same format.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::citizen_id::CitizenId;
use crate::sex::Sex;
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

/// One citizen record of the population registry (`registry.jsonl`), as the node imports and
/// stores it and the fixtures generate it. Dates are `YYYY-MM-DD` text, checked by
/// [`Citizen::validate`]; attributes a registry may lack are optional.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Citizen {
    /// Personal id number (12 digits).
    pub citizen_id: String,
    /// Full name (NFC).
    pub full_name: String,
    /// Date of birth, YYYY-MM-DD.
    pub date_of_birth: String,
    /// male or female.
    pub sex: Sex,
    /// Ethnicity.
    #[serde(default)]
    pub ethnicity: Option<String>,
    /// Nationality.
    #[serde(default)]
    pub nationality: Option<String>,
    /// Hometown (quê quán).
    #[serde(default)]
    pub hometown: Option<String>,
    /// Commune of permanent residence (5-digit code).
    pub commune_code: String,
    /// Residence address.
    #[serde(default)]
    pub address: Option<String>,
    /// Household book id.
    #[serde(default)]
    pub household_id: Option<String>,
    /// single, married, widowed or divorced.
    #[serde(default)]
    pub marital_status: Option<String>,
    /// Father's citizen id.
    #[serde(default)]
    pub father_id: Option<String>,
    /// Mother's citizen id.
    #[serde(default)]
    pub mother_id: Option<String>,
    /// Spouse's citizen id.
    #[serde(default)]
    pub spouse_id: Option<String>,
    /// Date of death, if recorded.
    #[serde(default)]
    pub date_of_death: Option<String>,
}

impl Citizen {
    /// The value of a registry attribute (`full_name`, `address`, …).
    pub fn attr(&self, attr: &str) -> Option<String> {
        let v = match attr {
            "citizen_id" => Some(self.citizen_id.clone()),
            "full_name" => Some(self.full_name.clone()),
            "date_of_birth" => Some(self.date_of_birth.clone()),
            "sex" => Some(self.sex.label_vi().to_string()),
            "ethnicity" => self.ethnicity.clone(),
            "nationality" => self.nationality.clone(),
            "hometown" => self.hometown.clone(),
            "commune_code" => Some(self.commune_code.clone()),
            "address" => self.address.clone(),
            "household_id" => self.household_id.clone(),
            "marital_status" => self.marital_status.clone(),
            "date_of_death" => self.date_of_death.clone(),
            _ => None,
        };
        v.filter(|s| !s.is_empty())
    }

    /// The citizen id of a relation (`spouse`, `father`, `mother`).
    pub fn relation(&self, rel: &str) -> Option<&str> {
        match rel {
            "spouse" => self.spouse_id.as_deref(),
            "father" => self.father_id.as_deref(),
            "mother" => self.mother_id.as_deref(),
            _ => None,
        }
    }

    /// Checks the record: id shape, id digits against date of birth and sex, name, commune.
    pub fn validate(&self) -> std::result::Result<(), String> {
        let id = CitizenId::parse(&self.citizen_id).map_err(|e| e.to_string())?;
        let dob = NaiveDate::parse_from_str(&self.date_of_birth, "%Y-%m-%d")
            .map_err(|_| format!("date_of_birth `{}` is not YYYY-MM-DD", self.date_of_birth))?;
        id.check_birth(dob, Some(self.sex))
            .map_err(|e| e.to_string())?;
        if self.full_name.trim().is_empty() {
            return Err("full_name is empty".into());
        }
        if self.commune_code.len() != 5 || !self.commune_code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "commune_code `{}` must be 5 digits",
                self.commune_code
            ));
        }
        for (rel, v) in [
            ("father_id", &self.father_id),
            ("mother_id", &self.mother_id),
            ("spouse_id", &self.spouse_id),
        ] {
            if let Some(v) = v {
                CitizenId::parse(v).map_err(|e| format!("{rel}: {e}"))?;
            }
        }
        Ok(())
    }
}
