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

use automerge::hydrate;
use serde::{Deserialize, Serialize};

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
