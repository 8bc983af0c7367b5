//! Bulk case import and export as JSON lines. The export format is the case view (`case show
//! --json`); import accepts it back, and the shorter records of `fixtures/sample/cases.jsonl`.
//!
//! Import is all or nothing: every line is read with a bounded reader, parsed and checked as if
//! the case were typed in before anything is written, the first bad line is reported with its
//! number, and all cases are written in one transaction (so a kill mid-import leaves nothing).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, Write};

use chrono::{DateTime, FixedOffset};
use hoso_schemas::{Role, Status};
use redb::ReadableTable;
use serde::Serialize;

use crate::case::HistoryEntry;
use crate::chain::entry::Action;
use crate::error::{EncodeError, LimitExceeded, Limited, NodeError, Refusal, Result};
use crate::limits::{self, Line, LineError};
use crate::node::{NewCase, Node};
use crate::progress::{Progress, Stage};
use crate::store::tables::RECEIPTS;
use crate::text;
use crate::write::{Author, Permission, WriteCtx};

/// Longest accepted line (see [`crate::limits`]).
pub const MAX_LINE: usize = limits::MAX_IMPORT_LINE_BYTES;

/// One case as imported (defined in `hoso_schemas::records`, the format the fixtures write).
pub use hoso_schemas::records::CaseRecord;

/// What an import did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ImportReport {
    /// Cases created.
    pub imported: usize,
    /// Per status word.
    pub by_status: BTreeMap<String, usize>,
}

/// Text safety of every text a case record carries.
pub fn check_record_text(record: &CaseRecord) -> Result<()> {
    for (k, v) in &record.fields {
        crate::node::check_field_input(k, v)?;
    }
    for (i, h) in record.history.iter().enumerate() {
        text::check(&format!("history entry {}", i + 1), &h.officer)?;
        text::check(&format!("history entry {}", i + 1), &h.node)?;
        if let Some(n) = &h.note {
            text::check(&format!("the note of history entry {}", i + 1), n)?;
        }
    }
    for (i, n) in record.notes.iter().enumerate() {
        text::check(&format!("note {}", i + 1), &n.text)?;
        text::check(&format!("note {}", i + 1), &n.officer)?;
        text::check(&format!("note {}", i + 1), &n.node)?;
    }
    for s in [
        &record.receipt_code,
        &record.assigned_officer,
        &record.received_at,
    ]
    .into_iter()
    .flatten()
    {
        text::check("the record", s)?;
    }
    Ok(())
}

struct Ready {
    record: CaseRecord,
    prefill: crate::node::Prefill,
    received: DateTime<FixedOffset>,
    status: Status,
    history: Vec<HistoryEntry>,
}

impl Node {
    /// Imports cases from JSON lines, authored by `by`, in one transaction: all or nothing.
    ///
    /// The author is checked first (an officer or supervisor; the node itself for its sample
    /// data). Every line is then read with a bounded reader and checked as if the case were
    /// typed in: text safety and byte bounds, the catalog's fields, and its past — each
    /// history step must be a transition the workflow allows for the importer's role, and an
    /// officer imports only history and notes attributed to themself. Nothing is written until
    /// every line passed; then every case is written in the same transaction and committed
    /// once, so a kill or a full disk leaves the node as it was and a re-run imports everything
    /// exactly once. The file's bytes are remembered by their blake3 hash in the same
    /// transaction ([`crate::import_receipt`]): importing the same bytes again is refused.
    pub fn import_cases(
        &self,
        name: &str,
        reader: impl BufRead,
        by: &Author,
    ) -> Result<ImportReport> {
        self.import_cases_with(name, reader, by, &crate::progress::Silent)
    }

    /// [`Node::import_cases`], reporting its stages (check, write, commit) to `progress`.
    pub fn import_cases_with(
        &self,
        name: &str,
        reader: impl BufRead,
        by: &Author,
        progress: &dyn Progress,
    ) -> Result<ImportReport> {
        let mut ctx = self.begin_write(by, Permission::ImportCases)?;
        progress.stage(Stage::ImportCheck, None);
        let mut reader = crate::import_receipt::Hashing::new(reader);
        let ready = self.read_import(name, &mut reader, &ctx, progress)?;
        // The same bytes imported before: refused, so a re-run never receives the cases again.
        let blake3 = reader.hex();
        if let Some(done) = crate::import_receipt::get(ctx.tx(), &blake3)? {
            return Err(done.refusal(name));
        }
        progress.stage(Stage::ImportWrite, Some(ready.len() as u64));
        let mut report = ImportReport::default();
        for (lineno, r) in ready {
            let procedure = self.catalog().procedure(&r.record.procedure)?;
            self.insert_case(
                &mut ctx,
                procedure,
                r.prefill,
                r.received,
                Action::CaseImport,
                Some(crate::node::ImportedPast {
                    receipt_code: r.record.receipt_code.as_deref().unwrap_or(""),
                    status: r.status,
                    history: &r.history,
                    notes: &r.record.notes,
                    assigned_officer: r.record.assigned_officer.as_deref(),
                }),
            )
            .map_err(|e| {
                // A refusal is the line's; a store failure (a full disk) is not, and keeps
                // its own kind (the CLI's exit 1, not 2).
                if e.is_bad_input() {
                    NodeError::ImportLine {
                        file: name.to_string(),
                        line: lineno,
                        message: format!("{e}; nothing was imported"),
                    }
                } else {
                    e
                }
            })?;
            *report.by_status.entry(r.status.to_string()).or_default() += 1;
            report.imported += 1;
            progress.advance(1);
        }
        if report.imported > 0 {
            crate::import_receipt::put(
                ctx.tx(),
                &crate::import_receipt::ImportReceipt {
                    blake3,
                    file: name.to_string(),
                    officer: ctx.audit_name().to_string(),
                    at_ms: chrono::Utc::now().timestamp_millis(),
                    cases: report.imported,
                },
            )?;
        }
        progress.stage(Stage::ImportCommit, None);
        ctx.commit()?;
        Ok(report)
    }

    /// Reads and checks every line of an import; nothing is written.
    fn read_import(
        &self,
        name: &str,
        mut reader: impl BufRead,
        ctx: &WriteCtx<'_>,
        progress: &dyn Progress,
    ) -> Result<Vec<(usize, Ready)>> {
        let importer = ctx.audit_name().to_string();
        let existing_codes = ctx.tx().open_table(RECEIPTS)?;
        let mut seen_codes = BTreeSet::new();
        let mut ready = Vec::new();
        let mut lineno = 0usize;
        loop {
            lineno += 1;
            let err = |message: String| NodeError::ImportLine {
                file: name.to_string(),
                line: lineno,
                message: format!(
                    "{message}; nothing was imported, fix the line and run the import again"
                ),
            };
            let line = match limits::read_line(&mut reader, MAX_LINE) {
                Ok(Line::End) => break,
                Ok(Line::Text(t)) => t,
                Err(LineError::TooLong) => {
                    return Err(err(LimitExceeded {
                        what: Limited::ImportLine,
                        limit: MAX_LINE,
                        actual: MAX_LINE + 1,
                    }
                    .to_string()));
                }
                Err(LineError::NotUtf8) => return Err(err("the line is not UTF-8 text".into())),
                Err(LineError::Io(e)) => return Err(err(format!("cannot read: {e}"))),
            };
            progress.advance(1);
            if line.trim().is_empty() {
                continue;
            }
            let record: CaseRecord =
                serde_json::from_str(&line).map_err(|e| err(format!("not a case record: {e}")))?;
            check_record_text(&record).map_err(|e| err(e.to_string()))?;
            if let Some(code) = record.receipt_code.as_deref()
                && (!seen_codes.insert(code.to_string()) || existing_codes.get(code)?.is_some())
            {
                return Err(err(Refusal::ReceiptCodeExists(code.to_string()).to_string()));
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
                .prefill(&importer, &new)
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
                    officer: importer.clone(),
                    node: self.id().short(),
                    from: None,
                    to: procedure.workflow.initial,
                    track: None,
                    note: None,
                });
                if status != procedure.workflow.initial {
                    history.push(HistoryEntry {
                        at: received.to_rfc3339(),
                        officer: importer.clone(),
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
            self.check_past(ctx, procedure, &history, &record)
                .map_err(|e| err(e.to_string()))?;
            ready.push((
                lineno,
                Ready {
                    record,
                    prefill,
                    received,
                    status,
                    history,
                },
            ));
        }
        Ok(ready)
    }

    /// The checks a typed-in case passes, applied to an imported past: the history is a path
    /// of the workflow from its initial status, each step allowed for the importer's role (the
    /// node's own sample import: for the role of the officer it names), and an officer imports
    /// only what is attributed to themself.
    fn check_past(
        &self,
        ctx: &WriteCtx<'_>,
        procedure: &hoso_schemas::Procedure,
        history: &[HistoryEntry],
        record: &CaseRecord,
    ) -> Result<()> {
        limits::check(
            Limited::ImportPast,
            history.len() + record.notes.len(),
            limits::MAX_IMPORT_PAST_ENTRIES,
        )?;
        let importer = ctx.officer();
        let foreign = |what: String, named: &str| -> Result<()> {
            match importer {
                Some(o) if o.id != named => Err(Refusal::ForeignAttribution {
                    what,
                    named: named.to_string(),
                    importer: o.id.clone(),
                }
                .into()),
                _ => Ok(()),
            }
        };
        let mut current: Option<Status> = None;
        let mut tracks: BTreeMap<String, Status> = BTreeMap::new();
        for (i, h) in history.iter().enumerate() {
            foreign(format!("history entry {}", i + 1), &h.officer)?;
            if let Some(n) = &h.note {
                limits::check(
                    Limited::TransitionNote,
                    n.len(),
                    limits::MAX_TRANSITION_NOTE_BYTES,
                )?;
            }
            let role = match importer {
                Some(o) => o.role,
                None => self
                    .officer(&h.officer)
                    .map(|o| o.role)
                    .unwrap_or(Role::Supervisor),
            };
            match (&h.track, current) {
                (None, None) => {
                    if h.from.is_some() || h.to != procedure.workflow.initial {
                        return Err(Refusal::ImportHistory {
                            entry: 1,
                            problem: format!(
                                "must receive the case in `{}`",
                                procedure.workflow.initial
                            ),
                        }
                        .into());
                    }
                    current = Some(h.to);
                }
                (None, Some(cur)) => {
                    if h.from != Some(cur) {
                        return Err(Refusal::ImportHistory {
                            entry: i + 1,
                            problem: format!(
                                "moves from `{}`, but the case is `{cur}` there",
                                h.from
                                    .map(|s| s.to_string())
                                    .unwrap_or_else(|| "nothing".into())
                            ),
                        }
                        .into());
                    }
                    procedure.check_transition(cur, h.to, role)?;
                    current = Some(h.to);
                }
                (Some(t), _) => {
                    let tp = self.catalog().procedure(t)?;
                    let cur = *tracks.entry(t.clone()).or_insert(tp.workflow.initial);
                    if h.from != Some(cur) {
                        return Err(Refusal::ImportHistory {
                            entry: i + 1,
                            problem: format!(
                                "moves track `{t}` from `{}`, but it is `{cur}` there",
                                h.from
                                    .map(|s| s.to_string())
                                    .unwrap_or_else(|| "nothing".into())
                            ),
                        }
                        .into());
                    }
                    tp.check_transition(cur, h.to, role)?;
                    tracks.insert(t.clone(), h.to);
                }
            }
        }
        for (i, n) in record.notes.iter().enumerate() {
            foreign(format!("note {}", i + 1), &n.officer)?;
            limits::check(Limited::Note, n.text.len(), limits::MAX_NOTE_BYTES)?;
        }
        if let (Some(o), Some(assigned)) = (importer, record.assigned_officer.as_deref())
            && assigned != o.id
        {
            // Assigning to a colleague is allowed, to an account that does not exist is not.
            self.officer(assigned)?;
        }
        Ok(())
    }

    /// Writes every case as one JSON line (the `case show --json` form). Returns the count.
    pub fn export_cases(&self, out: impl Write) -> Result<usize> {
        self.export_cases_with(out, &crate::progress::Silent)
    }

    /// [`Node::export_cases`], reporting each case written to `progress`.
    pub fn export_cases_with(&self, mut out: impl Write, progress: &dyn Progress) -> Result<usize> {
        let mut n = 0;
        let ids = crate::store::all_case_ids(self.db())?;
        progress.stage(Stage::Export, Some(ids.len() as u64));
        for id in ids {
            let view = self.case(&crate::ids::CaseId(id).to_string())?;
            let line =
                serde_json::to_string(&view).map_err(EncodeError::json("an exported case"))?;
            writeln!(out, "{line}")
                .map_err(|e| NodeError::io(std::path::Path::new("export"), e))?;
            n += 1;
            progress.advance(1);
        }
        Ok(n)
    }
}
