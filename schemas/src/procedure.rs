//! A procedure (thủ tục hành chính) as loaded from the catalog.

use serde::{Deserialize, Serialize};

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
    /// The English name.
    pub name_en: String,
    /// The agency that decides, e.g. `"UBND cấp xã (Tư pháp – Hộ tịch)"`.
    pub agency: String,
    /// The legal basis, e.g. `"Luật Hộ tịch 2014; Thông tư 04/2020/TT-BTP"`.
    pub legal_basis: String,
    /// The national procedure code, e.g. `"1.001193"`, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub national_code: Option<String>,
    /// The statutory time limit in working days; 0 means the same working day.
    pub processing_days: u32,
    /// The form fields. For a bundle: the bundle's own fields, then each track's fields
    /// not already present by name, in track order.
    pub fields: Vec<FieldDef>,
    /// The workflow of the case (of the bundle as a whole, for a bundle).
    pub workflow: Workflow,
    /// For a bundle, the codes of the procedures it tracks, in order; empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tracks: Vec<String>,
}

impl Procedure {
    /// The field with this name.
    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.name == name)
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
