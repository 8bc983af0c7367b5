//! The checks of one raw value several operations share: a field's text and byte bound, a
//! field's definition in its procedure, one text of a record.

use hoso_schemas::{FieldDef, Procedure};

use crate::error::{LifecycleError, Limited, NodeError, Result};
use crate::{limits, text};

/// Text safety and the byte bound of one raw field value, before it is validated.
pub(crate) fn check_field_input(name: &str, raw: &str) -> Result<()> {
    text::check(&format!("field `{name}`"), raw)?;
    limits::check(Limited::Field, raw.len(), limits::MAX_FIELD_BYTES)
}

pub(super) fn field_def<'p>(procedure: &'p Procedure, name: &str) -> Result<&'p FieldDef> {
    procedure
        .field(name)
        .ok_or_else(|| NodeError::UnknownField {
            procedure: procedure.code.clone(),
            field: name.to_string(),
        })
}

/// Trims, NFC-normalises and bounds one text of a record; empty is refused with `hint`.
pub(crate) fn record_text(
    what: &str,
    raw: &str,
    hint: &str,
    max: usize,
    l: Limited,
) -> Result<String> {
    let s = hoso_schemas::nfc(raw.trim());
    if s.is_empty() {
        return Err(LifecycleError::Empty {
            what: what.to_string(),
            hint: hint.to_string(),
        }
        .into());
    }
    text::check(what, &s)?;
    limits::check(l, s.len(), max)?;
    Ok(s)
}
