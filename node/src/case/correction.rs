//! Corrections of registry-filled fields (issue 11, item 2): an officer may correct a value the
//! population registry filled (the extract is out of date, the citizen shows a newer paper), with
//! a reason. The field takes the corrected value; its evidence (`evidence` / `records`, the
//! registry record and its digest) is never touched, and the registry's value is kept here, so
//! the case still shows what the registry said and who changed it, when and why. Layout, beside
//! the keys of [`crate::case::doc`]:
//!
//! ```text
//! corrections: [ { at, officer, node, field, from, to, reason, record_ref } ]   (append-only)
//! ```
//!
//! Every value is a string. Documents written before this key existed read as having none.

use automerge::{ObjType, ROOT, ReadDoc, hydrate, transaction::Transactable};
use serde::{Deserialize, Serialize};

use crate::case::doc::CaseDoc;
use crate::error::{NodeError, Result};

/// One hand correction of a registry-filled field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldCorrection {
    /// When (RFC 3339).
    pub at: String,
    /// Who.
    pub officer: String,
    /// From which node (short id).
    pub node: String,
    /// The field.
    pub field: String,
    /// The value before (the registry's, for the first correction).
    pub from: String,
    /// The corrected value.
    pub to: String,
    /// Why the registry value was not right.
    pub reason: String,
    /// The registry record whose evidence the field keeps.
    pub record_ref: String,
}

impl CaseDoc {
    /// Sets the applicant's name (when the case citizen's own name field is corrected).
    pub fn set_applicant_name(&mut self, name: &str) -> Result<()> {
        self.automerge().put(ROOT, "applicant_name", name)?;
        Ok(())
    }

    /// Appends a correction record.
    pub fn push_correction(&mut self, c: &FieldCorrection) -> Result<()> {
        let doc = self.automerge();
        let list = match doc.get(ROOT, "corrections")? {
            Some((automerge::Value::Object(ObjType::List), id)) => id,
            Some(_) => {
                return Err(NodeError::Corrupt {
                    what: "case document".into(),
                    detail: "`corrections` is not a list".into(),
                });
            }
            None => doc.put_object(ROOT, "corrections", ObjType::List)?,
        };
        let n = doc.length(&list);
        let m = doc.insert_object(&list, n, ObjType::Map)?;
        for (k, v) in [
            ("at", c.at.as_str()),
            ("officer", c.officer.as_str()),
            ("node", c.node.as_str()),
            ("field", c.field.as_str()),
            ("from", c.from.as_str()),
            ("to", c.to.as_str()),
            ("reason", c.reason.as_str()),
            ("record_ref", c.record_ref.as_str()),
        ] {
            doc.put(&m, k, v)?;
        }
        Ok(())
    }
}

/// The corrections of a hydrated root map, oldest first.
pub(crate) fn read(root: &hydrate::Map) -> Vec<FieldCorrection> {
    let Some(hydrate::Value::List(l)) = root.get("corrections") else {
        return Vec::new();
    };
    l.iter()
        .filter_map(|item| match &item.value {
            hydrate::Value::Map(m) => Some(m),
            _ => None,
        })
        .map(|m| {
            let g = |k: &str| match m.get(k) {
                Some(hydrate::Value::Scalar(automerge::ScalarValue::Str(s))) => s.to_string(),
                _ => String::new(),
            };
            FieldCorrection {
                at: g("at"),
                officer: g("officer"),
                node: g("node"),
                field: g("field"),
                from: g("from"),
                to: g("to"),
                reason: g("reason"),
                record_ref: g("record_ref"),
            }
        })
        .collect()
}
