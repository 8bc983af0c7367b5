//! What the console asks of the node, and what comes back.
//!
//! [`crate::app::App::handle_event`] never touches the node: it returns [`Effect`]s. The loop
//! runs each one with [`execute`] on tokio's blocking pool (node writes fsync) and feeds the
//! [`Outcome`] back as [`crate::event::Event::Done`]. Tests call [`execute`] directly.

use crate::draft::Draft;
use crate::queue::{Counts, QueuePage, QueueQuery};

use chrono::TimeZone;
use hoso_node::audit::StoredEntry;
use hoso_node::{AuthenticatedOfficer, CaseView, NewCase, Node, NodeError, Prefill, SyncCommand};
use hoso_schemas::Status;

/// Most audit entries shown in the audit view.
pub const AUDIT_RECENT: usize = 200;

/// A request to the node.
#[derive(Clone, Debug)]
pub enum Effect {
    /// Check that the logged-in account is still enabled (issue 12).
    CheckAccount {
        /// The officer.
        officer: String,
    },
    /// Check an officer's passphrase.
    Login {
        /// Login id.
        officer: String,
        /// Passphrase.
        passphrase: String,
    },
    /// Read one page of the case list. `generation` drops answers to stale queries.
    LoadList {
        /// Request number.
        generation: u64,
        /// The query.
        query: QueueQuery,
    },
    /// Count the cases of every list tab.
    LoadCounts {
        /// Only this officer's cases ("my cases").
        mine: Option<String>,
        /// Today, for overdue.
        today: chrono::NaiveDate,
    },
    /// Read one case and its audit entries.
    LoadCase {
        /// Case id or receipt code.
        reference: String,
    },
    /// Prefill a new-case form from the registry.
    Prefill {
        /// Request number.
        generation: u64,
        /// Who looks it up.
        officer: String,
        /// Procedure and citizen (fields ignored).
        new: NewCase,
    },
    /// Receive a case.
    Create {
        /// Acting officer.
        officer: AuthenticatedOfficer,
        /// The form.
        new: NewCase,
    },
    /// Move a case through its workflow.
    Transition {
        /// Acting officer.
        officer: AuthenticatedOfficer,
        /// Case id.
        reference: String,
        /// Target status.
        to: Status,
        /// Bundle track.
        track: Option<String>,
        /// History note.
        note: Option<String>,
    },
    /// Append a note.
    AddNote {
        /// Acting officer.
        officer: AuthenticatedOfficer,
        /// Case id.
        reference: String,
        /// The text.
        text: String,
    },
    /// Read the chain head and check the newest entries.
    LoadAudit,
    /// Ask the sync engine for something (never waits).
    Sync(SyncCommand),
    /// Write the officer's draft (scratch outside the store; see [`crate::draft`]).
    SaveDraft {
        /// The officer's draft file.
        file: std::path::PathBuf,
        /// Write order: an older write finishing late is dropped.
        seq: u64,
        /// The draft.
        draft: Draft,
    },
    /// Read the officer's draft back (at login).
    LoadDraft {
        /// The officer's draft file.
        file: std::path::PathBuf,
    },
    /// Correct fields of a case (a registry field needs the reason).
    CorrectFields {
        /// Acting officer.
        officer: AuthenticatedOfficer,
        /// Case id.
        reference: String,
        /// `(field, value)` pairs.
        fields: Vec<(String, String)>,
        /// Why (required for a registry field).
        reason: Option<String>,
    },
    /// Record the result of a case or of one track.
    RecordResult {
        /// Acting officer.
        officer: AuthenticatedOfficer,
        /// Case id.
        reference: String,
        /// The result.
        input: hoso_node::node::ResultInput,
    },
    /// Record a fee payment.
    RecordPayment {
        /// Acting officer.
        officer: AuthenticatedOfficer,
        /// Case id.
        reference: String,
        /// The payment.
        payment: hoso_node::node::NewPayment,
    },
    /// Ask the citizen for a supplement (Mẫu 02).
    RequestSupplement {
        /// Acting officer.
        officer: AuthenticatedOfficer,
        /// Case id.
        reference: String,
        /// One bundle track with its own deadline, or the whole case.
        track: Option<String>,
        /// Items, deadline and reason.
        input: hoso_node::node::SupplementInput,
    },
    /// Record an apology with a new appointment date (Mẫu 04, supervisor).
    RecordApology {
        /// Acting officer.
        officer: AuthenticatedOfficer,
        /// Case id.
        reference: String,
        /// One bundle track with its own deadline, or the whole case.
        track: Option<String>,
        /// Reason and new date.
        input: hoso_node::node::ApologyInput,
    },
    /// Print a form of a case (see [`crate::print`]).
    Print {
        /// The printer the binary gave the console.
        printer: crate::print::SharedPrinter,
        /// Acting officer's id (the signer printed on the form).
        officer: String,
        /// Case id or receipt code.
        reference: String,
        /// Which form.
        form: crate::print::Form,
    },
    /// A request of the hub's or the auditor's screens (see [`crate::oversight`]).
    Oversight(crate::oversight::OversightEffect),
}

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

/// Unix ms as Vietnam time (`Asia/Ho_Chi_Minh`), `DD/MM/YYYY HH:MM`.
pub fn local_time(ms: i64) -> String {
    hoso_node::deadline::vn_offset()
        .timestamp_millis_opt(ms)
        .single()
        .map(|t| t.format("%d/%m/%Y %H:%M").to_string())
        .unwrap_or_default()
}

/// A case as the detail screen shows it.
#[derive(Clone, Debug)]
pub struct CaseDetail {
    /// The case.
    pub view: CaseView,
    /// Its audit entries, oldest first.
    pub audit: Vec<AuditLine>,
}

/// The audit view's data.
#[derive(Clone, Debug, Default)]
pub struct AuditSummary {
    /// Entries in the own chain.
    pub length: u64,
    /// Head hash, hex.
    pub head: String,
    /// Newest entries, newest first.
    pub recent: Vec<AuditLine>,
    /// Entries checked (signature and link to the previous one).
    pub checked: usize,
    /// The first problem found, if any.
    pub problem: Option<String>,
}

/// The answer to an [`Effect`].
#[derive(Clone, Debug)]
pub enum Outcome {
    /// Login result.
    LoggedIn(Result<AuthenticatedOfficer, String>),
    /// A list page.
    List {
        /// The request number it answers.
        generation: u64,
        /// Rows and the tab's total, or an error.
        rows: Result<QueuePage, String>,
    },
    /// Cases per tab.
    Counts(Counts),
    /// One case.
    Case(Result<Box<CaseDetail>, String>),
    /// A prefilled form.
    Prefill {
        /// The request number it answers.
        generation: u64,
        /// The form or an error.
        result: Result<Box<Prefill>, String>,
    },
    /// A case was received.
    Created(Result<Box<CaseView>, String>),
    /// A case changed (transition or note).
    Updated(Result<Box<CaseView>, String>),
    /// The audit view's data.
    Audit(Result<Box<AuditSummary>, String>),
    /// The officer's draft, read back.
    Draft(Box<Draft>),
    /// The logged-in account was disabled: end the session, with this sentence.
    AccountEnded(String),
    /// A form was printed (or why not).
    Printed(crate::print::Form, Result<crate::print::Printed, String>),
    /// The answer to an [`Effect::Oversight`].
    Oversight(crate::oversight::OversightOutcome),
}

/// The node's error as the officer reads it (see [`crate::errors`]).
fn vi(node: &Node) -> impl Fn(NodeError) -> String + '_ {
    move |e| crate::errors::node_error_vi(&e, node.catalog())
}

/// Runs one effect against the node (blocking: call it on the blocking pool).
pub fn execute(node: &Node, effect: Effect) -> Option<Outcome> {
    Some(match effect {
        Effect::Login {
            officer,
            passphrase,
        } => Outcome::LoggedIn(
            node.authenticate(officer.trim(), &passphrase)
                .and_then(|o| {
                    // A one-time passphrase (issue 12) admits only setting one's own.
                    if o.must_change {
                        Err(hoso_node::error::AccountError::MustChangePassphrase {
                            officer: o.id().to_string(),
                        }
                        .into())
                    } else {
                        Ok(o)
                    }
                })
                .map_err(|e| {
                    if matches!(e, NodeError::LoginThrottled { .. } | NodeError::Account(_)) {
                        crate::errors::node_error_vi(&e, node.catalog())
                    } else if e.is_bad_input() {
                        "sai mã cán bộ hoặc mật khẩu.".to_string()
                    } else {
                        crate::errors::node_error_vi(&e, node.catalog())
                    }
                }),
        ),
        Effect::LoadList { generation, query } => Outcome::List {
            generation,
            rows: crate::queue::page(node, &query),
        },
        Effect::LoadCounts { mine, today } => {
            Outcome::Counts(crate::queue::counts(node, mine.as_deref(), today).unwrap_or_default())
        }
        Effect::LoadCase { reference } => Outcome::Case(load_case(node, &reference)),
        Effect::Prefill {
            generation,
            officer,
            new,
        } => Outcome::Prefill {
            generation,
            result: node
                .prefill(&officer, &new)
                .map(|(p, _, _)| Box::new(p))
                .map_err(vi(node)),
        },
        Effect::Create { officer, new } => Outcome::Created(
            node.create_case(&officer, new)
                .map(Box::new)
                .map_err(vi(node)),
        ),
        Effect::Transition {
            officer,
            reference,
            to,
            track,
            note,
        } => Outcome::Updated(
            node.transition(&officer, &reference, to, track.as_deref(), note.as_deref())
                .map(Box::new)
                .map_err(vi(node)),
        ),
        Effect::AddNote {
            officer,
            reference,
            text,
        } => Outcome::Updated(
            node.add_note(&officer, &reference, &text)
                .map(Box::new)
                .map_err(vi(node)),
        ),
        Effect::LoadAudit => Outcome::Audit(load_audit(node).map(Box::new).map_err(vi(node))),
        Effect::Sync(cmd) => {
            node.send_sync_command(cmd);
            return None;
        }
        Effect::SaveDraft { file, seq, draft } => {
            if let Err(e) = crate::draft::save(&file, seq, &draft) {
                tracing::warn!(file = %file.display(), error = %e, "draft not saved");
            }
            return None;
        }
        Effect::LoadDraft { file } => Outcome::Draft(Box::new(crate::draft::load(&file))),
        Effect::CheckAccount { officer } => match node.officer(&officer) {
            Ok(o) if o.is_disabled() => Outcome::AccountEnded(crate::errors::account_vi(
                &hoso_node::error::AccountError::Disabled { officer },
            )),
            // Removed, unreadable or fine: the next write says what is wrong.
            _ => return None,
        },
        Effect::CorrectFields {
            officer,
            reference,
            fields,
            reason,
        } => Outcome::Updated(
            node.correct_fields(&officer, &reference, &fields, reason.as_deref())
                .map(Box::new)
                .map_err(vi(node)),
        ),
        Effect::RecordResult {
            officer,
            reference,
            input,
        } => Outcome::Updated(
            node.record_result(&officer, &reference, &input)
                .map(Box::new)
                .map_err(vi(node)),
        ),
        Effect::RecordPayment {
            officer,
            reference,
            payment,
        } => Outcome::Updated(
            node.record_payment(&officer, &reference, payment)
                .map(Box::new)
                .map_err(vi(node)),
        ),
        Effect::RequestSupplement {
            officer,
            reference,
            track,
            input,
        } => Outcome::Updated(
            match &track {
                Some(t) => node.request_track_supplement(&officer, &reference, t, &input),
                None => node.request_supplement(&officer, &reference, &input),
            }
            .map(Box::new)
            .map_err(vi(node)),
        ),
        Effect::RecordApology {
            officer,
            reference,
            track,
            input,
        } => Outcome::Updated(
            match &track {
                Some(t) => node.record_track_apology(&officer, &reference, t, &input),
                None => node.record_apology(&officer, &reference, &input),
            }
            .map(Box::new)
            .map_err(vi(node)),
        ),
        Effect::Print {
            printer,
            officer,
            reference,
            form,
        } => Outcome::Printed(form, printer.print(node, &officer, &reference, form)),
        Effect::Oversight(e) => Outcome::Oversight(crate::oversight::execute(node, e)),
    })
}

fn load_case(node: &Node, reference: &str) -> Result<Box<CaseDetail>, String> {
    let view = node.case(reference).map_err(vi(node))?;
    let audit = hoso_node::audit::for_case(node.db(), &view.id)
        .map_err(vi(node))?
        .iter()
        .map(|e| AuditLine::from_stored(e, node.catalog()))
        .collect();
    Ok(Box::new(CaseDetail { view, audit }))
}

fn load_audit(node: &Node) -> Result<AuditSummary, NodeError> {
    let head = node.chain_head();
    let from = head.next_seq.saturating_sub(AUDIT_RECENT as u64);
    let entries = hoso_node::audit::chain(node.db(), &node.id(), from, AUDIT_RECENT)?;
    let mut problem = None;
    let mut prev: Option<[u8; 32]> = None;
    for e in &entries {
        if !e.entry.signature_ok() {
            problem
                .get_or_insert_with(|| format!("mục #{}: chữ ký không hợp lệ", e.entry.body.seq));
        }
        if let Some(p) = prev
            && e.entry.body.prev != p
        {
            problem.get_or_insert_with(|| {
                format!("mục #{}: không nối với mục trước", e.entry.body.seq)
            });
        }
        prev = Some(e.entry.hash);
    }
    if let Some(last) = entries.last()
        && hex(&last.entry.hash) != head.prev
    {
        problem.get_or_insert_with(|| "đầu chuỗi không khớp mục cuối".to_string());
    }
    Ok(AuditSummary {
        length: head.next_seq,
        head: head.prev.clone(),
        checked: entries.len(),
        recent: entries
            .iter()
            .rev()
            .map(|e| AuditLine::from_stored(e, node.catalog()))
            .collect(),
        problem,
    })
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
