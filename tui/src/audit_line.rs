//! One audit entry as the audit view and the auditor's search show it.

use hoso_node::audit::StoredEntry;

use crate::format::local_time;

/// One audit entry as shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditLine {
    /// Origin node, short id.
    pub node: String,
    /// Seq in that chain.
    pub seq: u64,
    /// Vietnam time, `DD/MM/YYYY HH:MM`.
    pub time: String,
    /// Officer.
    pub officer: String,
    /// What was done, a short Vietnamese phrase ("Chuyển trạng thái").
    pub action: String,
    /// The whole entry as a Vietnamese sentence (see [`crate::audit_text`]).
    pub sentence: String,
    /// Signature checks out.
    pub signature_ok: bool,
}

impl AuditLine {
    /// From a stored entry; field and procedure names come from `catalog`.
    pub fn from_stored(e: &StoredEntry, catalog: &hoso_schemas::Catalog) -> AuditLine {
        let action = e.entry.body.action;
        AuditLine {
            node: e.entry.body.origin.short(),
            seq: e.entry.body.seq,
            time: local_time(e.entry.body.time_ms),
            officer: crate::format::officer_vi(&e.entry.body.officer),
            action: crate::audit_text::action_vi(action).to_string(),
            sentence: crate::audit_text::sentence(
                catalog,
                action,
                e.payload.as_deref().unwrap_or_default(),
            ),
            signature_ok: e.entry.signature_ok(),
        }
    }
}
