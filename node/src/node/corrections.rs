//! Correcting fields of a stored case from the console (issue 11, item 2). Typed fields change as
//! with [`Node::set_fields`]; a registry-filled field changes only with a reason, keeps its
//! registry evidence, and leaves a [`FieldCorrection`] with the registry's value beside it. One
//! audited write through the guarded path: `field_correct` when a registry field is corrected,
//! else `field_set`. Correcting the case citizen's own name also renames the case's applicant
//! (the list and the search show the corrected name).

use std::collections::BTreeMap;

use crate::case::{CaseView, FieldCorrection};
use crate::chain::entry::Action;
use crate::error::{Limited, NodeError, Refusal, Result};
use crate::write::AuthenticatedOfficer;
use crate::{deadline, limits, text};

use super::fields::{check_field_input, field_def};
use super::handle::Node;

impl Node {
    /// Corrects fields of a case, validated against the catalog. A field the registry filled
    /// needs `reason`; its evidence stays and the registry value is kept in the case.
    pub fn correct_fields(
        &self,
        by: &AuthenticatedOfficer,
        reference: &str,
        fields: &[(String, String)],
        reason: Option<&str>,
    ) -> Result<CaseView> {
        if fields.is_empty() {
            return Err(Refusal::NothingToSet.into());
        }
        for (name, raw) in fields {
            check_field_input(name, raw)?;
        }
        let reason = reason
            .map(|r| hoso_schemas::nfc(r.trim()))
            .filter(|r| !r.is_empty());
        if let Some(r) = &reason {
            text::check("the reason", r)?;
            limits::check(Limited::Note, r.len(), limits::MAX_NOTE_BYTES)?;
        }
        // The action is chosen before the write: a registry field anywhere makes it a correction.
        let id = self.resolve(reference)?;
        let before = self.case(&id.to_string())?;
        let registry = fields.iter().any(|(n, _)| before.evidence.contains_key(n));
        let action = if registry {
            Action::FieldCorrect
        } else {
            Action::FieldSet
        };
        let node_short = self.id().short();
        self.edit_case(by, reference, action, |doc, before, off, procedure| {
            if before.status.ends_processing() {
                return Err(Refusal::FieldsFrozen {
                    receipt_code: before.receipt_code.clone(),
                    status: before.status,
                }
                .into());
            }
            let now = deadline::now().to_rfc3339();
            let mut changed = BTreeMap::new();
            for (name, raw) in fields {
                let def = field_def(procedure, name)?;
                let v = def.validate(raw)?;
                let old = before.fields.get(name).cloned().unwrap_or_default();
                if old == v {
                    continue;
                }
                let evidence = before.evidence.get(name);
                if let Some(e) = evidence {
                    let Some(r) = &reason else {
                        return Err(NodeError::CorrectionNeedsReason {
                            field: name.clone(),
                        });
                    };
                    doc.push_correction(&FieldCorrection {
                        at: now.clone(),
                        officer: off.id.clone(),
                        node: node_short.clone(),
                        field: name.clone(),
                        from: old.clone(),
                        to: v.clone(),
                        reason: r.clone(),
                        record_ref: e.record_ref.clone(),
                    })?;
                }
                doc.set_field(name, &v)?;
                // The case citizen's own name is also the case's applicant name (list, search).
                if evidence.is_some_and(|e| e.record_ref == before.citizen_id)
                    && def.source.as_deref() == Some("population:full_name")
                    && before.applicant_name == old
                {
                    doc.set_applicant_name(&v)?;
                }
                changed.insert(
                    name.clone(),
                    serde_json::json!({"from": old, "to": v, "registry": evidence.is_some()}),
                );
            }
            if changed.is_empty() {
                return Err(Refusal::NothingToChange.into());
            }
            Ok(serde_json::json!({"fields": changed, "reason": reason}))
        })
    }
}
