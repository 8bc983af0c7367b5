//! A procedure (thủ tục hành chính) as loaded from the catalog.

use serde::{Deserialize, Serialize};

use crate::deadline::Deadline;
use crate::fee::Fee;
use crate::field::FieldDef;
use crate::role::Role;
use crate::status::Status;
use crate::workflow::{Workflow, WorkflowError};

/// One administrative procedure: its form fields, its workflow and, for an integrated
/// bundle (liên thông), the procedures it tracks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Procedure {
    /// The stable code, e.g. `"birth_registration"`.
    pub code: String,
    /// The Vietnamese name, e.g. `"Đăng ký khai sinh"`.
    pub name_vi: String,
    /// A short Vietnamese name for narrow columns, e.g. `"Khai sinh"`, `"LT khai sinh"`.
    pub short_name: String,
    /// The dossier's components (thành phần hồ sơ), as listed on the receipt.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<String>,
    /// The English name.
    pub name_en: String,
    /// The agency that decides, e.g. `"UBND cấp xã (Tư pháp – Hộ tịch)"`.
    pub agency: String,
    /// The legal basis, e.g. `"Luật Hộ tịch 2014; Thông tư 04/2020/TT-BTP"`.
    pub legal_basis: String,
    /// The national procedure code, e.g. `"1.001193"`, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub national_code: Option<String>,
    /// Where the national code comes from, with a confidence note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub national_code_source: Option<String>,
    /// The statutory time limit and its source. For a bundle, the limit of the whole bundle:
    /// the date on the receipt and the one an apology answers for.
    pub deadline: Deadline,
    /// What the citizen pays, and its source; `None` when the catalog file states nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fee: Option<Fee>,
    /// The form fields. For a bundle: the bundle's own fields, then each track's fields
    /// not already present by name, in track order.
    pub fields: Vec<FieldDef>,
    /// The workflow of the case (of the bundle as a whole, for a bundle).
    pub workflow: Workflow,
    /// For a bundle, the codes of the procedures it tracks, in order; empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tracks: Vec<String>,
    /// For a bundle, each track's agency and own time limit, in the order of `tracks`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub track_specs: Vec<TrackSpec>,
}

/// One track of an integrated bundle (liên thông): the agency that handles it and its own
/// time limit, counted from the day the track is handed off to that agency.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrackSpec {
    /// The tracked procedure's code.
    pub procedure: String,
    /// The agency that handles the track, e.g. `"Công an cấp xã"`.
    pub agency: String,
    /// The track's own limit, counted from its hand-off.
    pub deadline: Deadline,
    /// The track that must end before this one is handed off (e.g. the birth registration
    /// before residence and health insurance); `None` when it starts at receipt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// The applicant may leave this track out (e.g. survivor benefit in the death bundle).
    #[serde(default)]
    pub optional: bool,
    /// Fields of the tracked procedure whose value is another field of the bundle (the
    /// newborn's name for the residence track is the child's name): asked once, in the bundle,
    /// and left out of the bundle's fields. Track field → bundle field.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub same_as: std::collections::BTreeMap<String, String>,
}

impl TrackSpec {
    /// The value of a track field in a bundle case: the bundle field it is the same as, or
    /// the field itself.
    pub fn bundle_field<'a>(&'a self, track_field: &'a str) -> &'a str {
        self.same_as
            .get(track_field)
            .map_or(track_field, String::as_str)
    }
}

impl Procedure {
    /// The field with this name.
    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The spec of one track of this bundle.
    pub fn track_spec(&self, code: &str) -> Option<&TrackSpec> {
        self.track_specs.iter().find(|t| t.procedure == code)
    }

    /// The fee for a dossier that came in through `channel`; 0 when none is stated.
    pub fn fee_amount(&self, channel: crate::intake::Channel) -> u64 {
        self.fee.as_ref().map_or(0, |f| f.amount(channel))
    }

    /// True when the workflow has an `awaiting_payment` step.
    pub fn has_payment_step(&self) -> bool {
        self.workflow
            .transitions
            .iter()
            .any(|t| t.to == Status::AwaitingPayment)
    }

    /// True for an integrated bundle (it has tracks).
    pub fn is_bundle(&self) -> bool {
        !self.tracks.is_empty()
    }

    /// Checks that `role` may move a case of this procedure from `from` to `to`.
    pub fn check_transition(
        &self,
        from: Status,
        to: Status,
        role: Role,
    ) -> Result<(), WorkflowError> {
        self.workflow.check(&self.code, from, to, role)
    }

    /// The statuses `role` may move a case to from `from`, in catalog order.
    pub fn next_statuses(&self, from: Status, role: Role) -> Vec<Status> {
        self.workflow.next_statuses(from, role)
    }

    /// The required fields, in form order.
    pub fn required_fields(&self) -> impl Iterator<Item = &FieldDef> {
        self.fields.iter().filter(|f| f.required)
    }

    /// The fields pre-filled from the population registry, in form order.
    pub fn registry_fields(&self) -> impl Iterator<Item = &FieldDef> {
        self.fields.iter().filter(|f| f.is_from_registry())
    }

    /// The distinct sections in first-appearance order.
    pub fn sections(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for f in &self.fields {
            if !out.contains(&f.section.as_str()) {
                out.push(&f.section);
            }
        }
        out
    }
}
