//! Bulk case import and export as JSON lines. The export format is the case view (`case show
//! --json`); import accepts it back, and the shorter records of `fixtures/sample/cases.jsonl`.
//!
//! Import is all or nothing for bad input: every line is parsed and validated before anything is
//! written, and the first bad line is reported with its number.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, Write};

use chrono::{DateTime, FixedOffset};
use hoso_schemas::Status;
use redb::ReadableDatabase;
use serde::{Deserialize, Serialize};

use crate::audit::entry::Action;
use crate::case::{HistoryEntry, Note};
use crate::error::{NodeError, Result};
use crate::node::{NewCase, Node};
use crate::store::tables::RECEIPTS;

/// Longest accepted line.
pub const MAX_LINE: usize = 256 * 1024;
/// Cases written per transaction.
pub const BATCH: usize = 2000;

/// One case as imported. Unknown keys (such as the derived ones of an export) are ignored.
#[derive(Clone, Debug, Deserialize)]
pub struct CaseRecord {
    /// Receipt code to keep; a new one is assigned when absent.
    #[serde(default)]
    pub receipt_code: Option<String>,
    /// Procedure code.
    pub procedure: String,
    /// The citizen the case is for.
    pub citizen_id: String,
    /// Status to import the case in (default: the workflow's initial status).
    #[serde(default)]
    pub status: Option<Status>,
    /// Receipt time (RFC 3339); now when absent.
    #[serde(default)]
    pub received_at: Option<String>,
    /// Assigned officer.
    #[serde(default)]
    pub assigned_officer: Option<String>,
    /// Form fields.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
    /// Status history.
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
    /// Notes.
    #[serde(default)]
    pub notes: Vec<Note>,
}

/// What an import did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ImportReport {
    /// Cases created.
    pub imported: usize,
    /// Per status word.
    pub by_status: BTreeMap<String, usize>,
}

struct Ready {
    record: CaseRecord,
    prefill: crate::node::Prefill,
    received: DateTime<FixedOffset>,
    status: Status,
    history: Vec<HistoryEntry>,
}

impl Node {
    /// Imports cases from JSON lines; `officer` is recorded as the importer.
    pub fn import_cases(
        &self,
        name: &str,
        reader: impl BufRead,
        officer: &str,
    ) -> Result<ImportReport> {
        let off = self.officer(officer)?;
        if !off.can_write() {
            return Err(NodeError::NotPermitted {
                officer: off.id,
                role: off.role.to_string(),
                action: "import cases".into(),
            });
        }
        let existing_codes = {
            let rtx = self.db().begin_read()?;
            rtx.open_table(RECEIPTS)?
        };
        let mut seen_codes = BTreeSet::new();
        let mut ready = Vec::new();
        for (i, line) in reader.lines().enumerate() {
            let lineno = i + 1;
            let err = |message: String| NodeError::ImportLine {
                file: name.to_string(),
                line: lineno,
                message: format!(
                    "{message}; nothing was imported, fix the line and run the import again"
                ),
            };
            let line = line.map_err(|e| err(format!("cannot read: {e}")))?;
            if line.len() > MAX_LINE {
                return Err(err(format!("line is over the {MAX_LINE}-byte limit")));
            }
            if line.trim().is_empty() {
                continue;
            }
            let record: CaseRecord =
                serde_json::from_str(&line).map_err(|e| err(format!("not a case record: {e}")))?;
            if let Some(code) = record.receipt_code.as_deref()
                && (!seen_codes.insert(code.to_string()) || existing_codes.get(code)?.is_some())
            {
                return Err(err(format!("receipt code {code} already exists")));
            }
            let received = match record.received_at.as_deref() {
                Some(t) => DateTime::parse_from_rfc3339(t)
                    .map_err(|_| err(format!("received_at `{t}` is not an RFC 3339 time")))?,
                None => crate::deadline::now(),
            };
            let procedure = self
                .catalog()
                .procedure(&record.procedure)
                .map_err(|e| err(e.to_string()))?;
            // Registry values win over given ones; the rest are validated as given.
            let new = NewCase {
                procedure: record.procedure.clone(),
                citizen_id: record.citizen_id.clone(),
                fields: vec![],
                received_at: Some(received),
            };
            let (mut prefill, _, _) = self
                .prefill(officer, &new)
                .map_err(|e| err(e.to_string()))?;
            for (k, v) in &record.fields {
                if prefill.evidence.contains_key(k) {
                    continue;
                }
                let def = procedure.field(k).ok_or_else(|| {
                    err(format!("procedure `{}` has no field `{k}`", procedure.code))
                })?;
                let v = def.validate(v).map_err(|e| err(e.to_string()))?;
                prefill.fields.insert(k.clone(), v);
            }
            prefill
                .missing_fields
                .retain(|f| !prefill.fields.contains_key(f));
            if !prefill.missing_fields.is_empty() {
                return Err(err(format!(
                    "missing required fields: {}",
                    prefill.missing_fields.join(", ")
                )));
            }
            let status = record
                .status
                .or_else(|| record.history.last().map(|h| h.to))
                .unwrap_or(procedure.workflow.initial);
            let mut history = record.history.clone();
            if history.is_empty() {
                history.push(HistoryEntry {
                    at: received.to_rfc3339(),
                    officer: officer.to_string(),
                    node: self.id().short(),
                    from: None,
                    to: procedure.workflow.initial,
                    track: None,
                    note: None,
                });
                if status != procedure.workflow.initial {
                    history.push(HistoryEntry {
                        at: received.to_rfc3339(),
                        officer: officer.to_string(),
                        node: self.id().short(),
                        from: Some(procedure.workflow.initial),
                        to: status,
                        track: None,
                        note: Some("imported".into()),
                    });
                }
            } else if history.last().map(|h| h.to) != Some(status) {
                return Err(err(format!(
                    "status `{status}` differs from the last history entry"
                )));
            }
            ready.push(Ready {
                record,
                prefill,
                received,
                status,
                history,
            });
        }
        drop(existing_codes);
        let mut report = ImportReport::default();
        let mut changed = Vec::new();
        for batch in ready.chunks(BATCH) {
            self.with_write(|tx, head| {
                for r in batch {
                    let procedure = self.catalog().procedure(&r.record.procedure)?;
                    let view = self.insert_case(
                        tx,
                        officer,
                        procedure,
                        r.prefill.clone(),
                        r.received,
                        Action::CaseImport,
                        head,
                        Some(crate::node::ImportedPast {
                            receipt_code: r.record.receipt_code.as_deref().unwrap_or(""),
                            status: r.status,
                            history: &r.history,
                            notes: &r.record.notes,
                            assigned_officer: r.record.assigned_officer.as_deref(),
                        }),
                    )?;
                    changed.push(view.id);
                    *report.by_status.entry(r.status.to_string()).or_default() += 1;
                    report.imported += 1;
                }
                Ok(())
            })?;
        }
        for id in changed {
            let _ = self.subscribe_sender().send(id);
        }
        Ok(report)
    }

    /// Writes every case as one JSON line (the `case show --json` form). Returns the count.
    pub fn export_cases(&self, mut out: impl Write) -> Result<usize> {
        let mut n = 0;
        for id in crate::store::all_case_ids(self.db())? {
            let view = self.case(&crate::ids::CaseId(id).to_string())?;
            let line =
                serde_json::to_string(&view).map_err(|e| NodeError::Invalid(e.to_string()))?;
            writeln!(out, "{line}")
                .map_err(|e| NodeError::io(std::path::Path::new("export"), e))?;
            n += 1;
        }
        Ok(n)
    }
}
