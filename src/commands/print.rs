//! `hoso case print CODE --form … --out FILE.pdf`: a one-stop form of a case as PDF. Read-only
//! on the node. The case view is turned into a [`FormCase`] here. The supplement request,
//! refusal and apology print the case's own records (the latest supplement request with its
//! items and deadline, the reasons noted on the refusal, the latest apology with its new date);
//! the command line fills them only for a case that has no such record yet. Bundle tracks carry
//! their own due dates and results; the tracking sheet lists results and apologies beside the
//! status history.

use std::process::ExitCode;

use chrono::{DateTime, NaiveDate};
use hoso_forms::{
    Apology, FeeDue, FormCase, FormInput, FormKind, Forms, Office, Paper, Refusal, Step,
    SupplementRequest, TrackLine,
};
use hoso_node::{CaseView, Node};
use hoso_schemas::{Channel, PORTAL_CODE_FIELD, Procedure, Status, commune, parse_date};

use crate::cli::{Cli, PrintArgs};
use crate::exit::UsageError;
use crate::output;

/// The forms dir inside a data dir: template overrides and `forms.toml`.
pub(super) const FORMS_DIR: &str = "forms";

fn usage(msg: impl Into<String>) -> anyhow::Error {
    UsageError(msg.into()).into()
}

fn date_arg(flag: &str, value: &str) -> anyhow::Result<NaiveDate> {
    parse_date(value.trim()).ok_or_else(|| {
        usage(format!(
            "{flag} `{value}` is not a date (expected dd/mm/yyyy or yyyy-mm-dd)"
        ))
    })
}

/// Runs `hoso case print`.
pub(super) fn run(cli: &Cli, node: &Node, args: &PrintArgs) -> anyhow::Result<ExitCode> {
    // A target that will be refused is refused before any work.
    crate::out_file::check_target(&args.out, node.dir())?;
    let kind: FormKind = args
        .form
        .parse()
        .map_err(|e: hoso_forms::UnknownForm| usage(e.to_string()))?;
    let view = node.case(&args.case)?;
    let (rules, mut forms) = case_forms(node, &view)?;
    if let Some(p) = &args.paper {
        let paper: Paper = p
            .parse()
            .map_err(|e: hoso_forms::UnknownPaper| usage(e.to_string()))?;
        forms.set_paper(kind, paper);
    }
    let procedure = rules.catalog.procedure(&view.procedure)?;
    let today = match &args.date {
        Some(d) => date_arg("--date", d)?,
        None => hoso_node::deadline::now().date_naive(),
    };
    let case = form_case(node, &view, procedure)?;
    let signer = match &cli.officer {
        Some(id) if !id.is_empty() => officer_name(node, id),
        _ => case.officer_name.clone(),
    };
    let input = form_input(node, kind, args, &case, procedure, &signer, today, &view)?;
    let pdf = forms
        .render(&input, &case, &office(node), today)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    crate::out_file::write(&args.out, node.dir(), |w| Ok(w.write_all(&pdf)?))?;
    if cli.json {
        output::json(&serde_json::json!({
            "case": view.receipt_code,
            "form": kind.as_str(),
            "paper": forms.paper(kind).as_str(),
            "out": args.out.display().to_string(),
            "bytes": pdf.len(),
        }))?;
    } else {
        println!(
            "{} (Mẫu {:02}) của hồ sơ {} → {} ({}, {} bytes)",
            kind.title_vi(),
            kind.number(),
            view.receipt_code,
            args.out.display(),
            forms.paper(kind).as_str().to_uppercase(),
            pdf.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The case's own catalog version (its fee, deadlines and, for a version published by the
/// hub, the form templates it carried over the data dir's `forms/`) and the forms to print it
/// with (issue 12).
fn case_forms(
    node: &Node,
    view: &CaseView,
) -> anyhow::Result<(&'static hoso_node::node::Rules, Forms)> {
    let rules = node.case_rules(view);
    let mut forms = Forms::load(&node.dir().join(FORMS_DIR)).map_err(|e| usage(e.to_string()))?;
    if !rules.forms.is_empty() {
        let files: Vec<(String, String)> = rules
            .forms
            .iter()
            .filter_map(|f| {
                f.path
                    .strip_prefix("forms/")
                    .map(|n| (n.to_string(), f.text.clone()))
            })
            .collect();
        forms = forms
            .with_overrides(&files, &format!("catalog version {}", rules.version))
            .map_err(|e| usage(e.to_string()))?;
    }
    Ok((rules, forms))
}

/// The officer's full name, or the login when the account is unknown here.
fn officer_name(node: &Node, id: &str) -> String {
    node.officer(id)
        .map(|o| o.name)
        .unwrap_or_else(|_| id.to_string())
}

/// The issuing office, from the node's commune (or province, for a hub).
fn office(node: &Node) -> Office {
    let cfg = node.config();
    match cfg.commune.as_deref().and_then(commune) {
        Some(c) => {
            let (kind, place) = c
                .name
                .split_once(' ')
                .map(|(k, p)| (k.to_lowercase(), p.to_string()))
                .unwrap_or_else(|| ("xã".to_string(), c.name.to_string()));
            Office {
                parent: format!("UBND {kind} {place}"),
                unit: format!("Trung tâm Phục vụ hành chính công {kind} {place}"),
                place,
            }
        }
        None => Office {
            parent: "UBND tỉnh Lạng Sơn".into(),
            unit: "Trung tâm Phục vụ hành chính công tỉnh Lạng Sơn".into(),
            place: "Lạng Sơn".into(),
        },
    }
}

/// The case as the forms print it, from the case view and the catalog.
pub(super) fn form_case(node: &Node, v: &CaseView, p: &Procedure) -> anyhow::Result<FormCase> {
    let field = |name: &str| v.fields.get(name).filter(|s| !s.is_empty()).cloned();
    let received_at = DateTime::parse_from_rfc3339(&v.received_at)
        .map_err(|e| anyhow::anyhow!("case {}: bad receipt time: {e}", v.receipt_code))?;
    let due_date = hoso_node::deadline::parse_date(&v.due_date)
        .ok_or_else(|| anyhow::anyhow!("case {}: bad due date `{}`", v.receipt_code, v.due_date))?;
    // The applicant's own address: the field filled from their registry record's address.
    let address = p
        .fields
        .iter()
        .filter(|f| f.source.as_deref() == Some("population:address"))
        .find_map(|f| field(&f.name));
    let phone = p
        .fields
        .iter()
        .filter(|f| f.name.ends_with("_phone"))
        .find_map(|f| field(&f.name));
    let channel = Channel::of_fields(|k| v.fields.get(k).map(String::as_str));
    let receiver = v
        .history
        .first()
        .map(|h| h.officer.clone())
        .or_else(|| v.assigned_officer.clone())
        .unwrap_or_default();
    let copies: u64 = ["extract_copies", "copies"]
        .iter()
        .find_map(|n| field(n).and_then(|c| c.parse::<u64>().ok()))
        .unwrap_or(0);
    let fee = p.fee.as_ref().map(|f| FeeDue {
        amount: f.amount(channel) + f.per_copy * copies,
        source: f.source.clone(),
    });
    let short = |code: &str| {
        node.catalog()
            .get(code)
            .map_or(code.to_string(), |q| q.short_name.clone())
    };
    let tracks = p
        .track_specs
        .iter()
        .map(|t| TrackLine {
            name: short(&t.procedure),
            agency: t.agency.clone(),
            limit: if t.after.is_some() {
                format!("{} kể từ khi nhận hồ sơ chuyển sang", t.deadline.limit_vi())
            } else {
                t.deadline.limit_vi()
            },
            due_date: v
                .tracks
                .get(&t.procedure)
                .and_then(|s| s.due_date.as_deref())
                .and_then(hoso_node::deadline::parse_date),
            status: v
                .tracks
                .get(&t.procedure)
                .map_or(String::new(), |s| match &s.result {
                    Some(r) => format!("{} — {}", s.status.label_vi(), r.line_vi()),
                    None => s.status.label_vi().to_string(),
                }),
        })
        .collect();
    let mut steps: Vec<Step> = v
        .history
        .iter()
        .filter_map(|h| {
            let at = DateTime::parse_from_rfc3339(&h.at).ok()?;
            let action = match h.from {
                None => format!("Tiếp nhận hồ sơ ({})", h.to.label_vi()),
                Some(from) => format!("{} → {}", from.label_vi(), h.to.label_vi()),
            };
            Some(Step {
                at,
                officer: officer_name(node, &h.officer),
                action,
                track: h.track.as_deref().map(short),
                note: h.note.clone(),
            })
        })
        .collect();
    steps.extend(lifecycle_steps(node, v, &short));
    steps.sort_by_key(|s| s.at);
    Ok(FormCase {
        receipt_code: v.receipt_code.clone(),
        procedure_name: p.name_vi.clone(),
        national_code: p.national_code.clone(),
        agency: p.agency.clone(),
        applicant_name: v.applicant_name.clone(),
        applicant_id: v.citizen_id.clone(),
        applicant_address: address,
        applicant_phone: phone,
        received_at,
        due_date,
        limit: p.deadline.limit_vi(),
        channel,
        portal_case_code: field(PORTAL_CODE_FIELD),
        result_delivery: field("result_delivery"),
        documents: p.documents.clone(),
        officer_name: officer_name(node, &receiver),
        fee,
        payment: v.payments.first().and_then(|pay| {
            Some(hoso_forms::Payment {
                amount: pay.amount,
                method: match &pay.exemption {
                    Some(e) => format!("{}; miễn, giảm: {e}", pay.method.label_vi()),
                    None => pay.method.label_vi().to_string(),
                },
                reference: if pay.reference.is_empty() {
                    "—".to_string()
                } else {
                    pay.reference.clone()
                },
                paid_at: DateTime::parse_from_rfc3339(&pay.at).ok()?,
            })
        }),
        tracks,
        steps,
    })
}

/// The recorded results and apologies as steps of the tracking sheet (supplement requests are
/// already in the history).
fn lifecycle_steps(node: &Node, v: &CaseView, short: &dyn Fn(&str) -> String) -> Vec<Step> {
    let mut out = Vec::new();
    let results = v.result_record.iter().map(|r| (None, r)).chain(
        v.tracks
            .iter()
            .filter_map(|(t, tv)| tv.result.as_ref().map(|r| (Some(t), r))),
    );
    for (track, r) in results {
        if let Ok(at) = DateTime::parse_from_rfc3339(&r.at) {
            out.push(Step {
                at,
                officer: officer_name(node, &r.officer),
                action: format!("Ghi kết quả: {}", r.line_vi()),
                track: track.map(|t| short(t)),
                note: None,
            });
        }
    }
    for a in &v.apologies {
        if let (Ok(at), Some(new)) = (
            DateTime::parse_from_rfc3339(&a.at),
            hoso_node::deadline::parse_date(&a.new_date),
        ) {
            out.push(Step {
                at,
                officer: officer_name(node, &a.officer),
                action: format!("Xin lỗi, hẹn lại ngày {}", new.format("%d/%m/%Y")),
                track: a.track.as_deref().map(short),
                note: Some(a.reason.clone()),
            });
        }
    }
    out
}

/// The reasons of a refusal as recorded: the note of the move into `rejected_at_intake` or
/// `stopped`, one reason per line or `;`.
fn recorded_refusal(v: &CaseView) -> Option<(Vec<String>, NaiveDate, String)> {
    let h = v.history.iter().rev().find(|h| {
        h.track.is_none() && matches!(h.to, Status::RejectedAtIntake | Status::Stopped)
    })?;
    let reasons: Vec<String> = h
        .note
        .as_deref()?
        .split(['\n', ';'])
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect();
    let on = hoso_node::deadline::parse_date(&h.at)?;
    (!reasons.is_empty()).then(|| (reasons, on, h.officer.clone()))
}

#[allow(clippy::too_many_arguments)]
/// What the form adds: the case's records (supplement request, refusal, apology) when it has
/// them, else the command line.
fn form_input(
    node: &Node,
    kind: FormKind,
    args: &PrintArgs,
    case: &FormCase,
    p: &Procedure,
    signer: &str,
    today: NaiveDate,
    v: &CaseView,
) -> anyhow::Result<FormInput> {
    let has_args = !args.items.is_empty() || !args.reasons.is_empty() || args.new_date.is_some();
    match kind {
        FormKind::Supplement if !has_args => {
            if let Some(s) = v.case_supplements().last() {
                let on = hoso_node::deadline::parse_date(&s.at).unwrap_or(today);
                let deadline = hoso_node::deadline::parse_date(&s.deadline).unwrap_or(on);
                return Ok(FormInput::Supplement(SupplementRequest {
                    items: s.items.clone(),
                    reason: s.reason.clone(),
                    requested_on: on,
                    deadline,
                    officer_name: officer_name(node, &s.officer),
                }));
            }
        }
        FormKind::Refusal if !has_args => {
            if let Some((reasons, on, officer)) = recorded_refusal(v) {
                return Ok(FormInput::Refusal(Refusal {
                    reasons,
                    refused_on: on,
                    officer_name: officer_name(node, &officer),
                }));
            }
        }
        FormKind::Apology if !has_args => {
            if let Some(a) = v.case_apologies().last() {
                let on = hoso_node::deadline::parse_date(&a.at).unwrap_or(today);
                let new = hoso_node::deadline::parse_date(&a.new_date).unwrap_or(on);
                return Ok(FormInput::Apology(Apology {
                    reason: a.reason.clone(),
                    new_due_date: new,
                    issued_on: on,
                    signer_name: officer_name(node, &a.officer),
                }));
            }
        }
        _ => {}
    }
    args_input(node, kind, args, case, p, signer, today)
}

/// What the form adds, from the command line.
fn args_input(
    node: &Node,
    kind: FormKind,
    args: &PrintArgs,
    case: &FormCase,
    p: &Procedure,
    signer: &str,
    today: NaiveDate,
) -> anyhow::Result<FormInput> {
    let reason = || Some(args.reasons.join("; ")).filter(|r| !r.trim().is_empty());
    Ok(match kind {
        FormKind::Receipt => FormInput::Receipt,
        FormKind::Tracking => FormInput::Tracking,
        FormKind::Supplement => {
            if args.items.iter().all(|i| i.trim().is_empty()) {
                return Err(usage(
                    "a supplement request lists everything missing at once: add --item TEXT for each missing item",
                ));
            }
            let deadline = match (
                &args.deadline,
                p.deadline.supplement_due(node.calendar(), today),
            ) {
                (Some(d), _) => date_arg("--deadline", d)?,
                (None, Some(d)) => d,
                (None, None) => {
                    return Err(usage(format!(
                        "the catalog sets no supplement limit for {}: give --deadline dd/mm/yyyy",
                        p.code
                    )));
                }
            };
            if deadline <= today {
                return Err(usage(format!(
                    "--deadline {} is not after the request date {}",
                    deadline.format("%d/%m/%Y"),
                    today.format("%d/%m/%Y")
                )));
            }
            FormInput::Supplement(SupplementRequest {
                items: args
                    .items
                    .iter()
                    .map(|i| i.trim().to_string())
                    .filter(|i| !i.is_empty())
                    .collect(),
                reason: reason(),
                requested_on: today,
                deadline,
                officer_name: signer.to_string(),
            })
        }
        FormKind::Refusal => {
            let reasons: Vec<String> = args
                .reasons
                .iter()
                .map(|r| r.trim().to_string())
                .filter(|r| !r.is_empty())
                .collect();
            if reasons.is_empty() {
                return Err(usage(
                    "a refusal states its reasons: add --reason TEXT (repeatable)",
                ));
            }
            FormInput::Refusal(Refusal {
                reasons,
                refused_on: today,
                officer_name: signer.to_string(),
            })
        }
        FormKind::Apology => {
            let Some(new) = &args.new_date else {
                return Err(usage(
                    "an apology gives the new appointment date: add --new-date dd/mm/yyyy",
                ));
            };
            let new = date_arg("--new-date", new)?;
            if new <= case.due_date {
                return Err(usage(format!(
                    "--new-date {} must be after the current appointment date {}",
                    new.format("%d/%m/%Y"),
                    case.due_date.format("%d/%m/%Y")
                )));
            }
            let Some(reason) = reason() else {
                return Err(usage(
                    "an apology says why the result is late: add --reason TEXT",
                ));
            };
            FormInput::Apology(Apology {
                reason,
                new_due_date: new,
                issued_on: today,
                signer_name: signer.to_string(),
            })
        }
    })
}

/// One form of a case as PDF bytes, as `case print` makes it with no extra arguments (the
/// supplement request, refusal and apology print the case's own records), signed by officer
/// `signer`, dated today in Vietnam. The console's printer uses it.
pub(super) fn form_pdf(
    node: &Node,
    reference: &str,
    kind: FormKind,
    signer: &str,
) -> anyhow::Result<(CaseView, Vec<u8>)> {
    let view = node.case(reference)?;
    let (rules, forms) = case_forms(node, &view)?;
    let procedure = rules.catalog.procedure(&view.procedure)?;
    let today = hoso_node::deadline::now().date_naive();
    let case = form_case(node, &view, procedure)?;
    let args = PrintArgs {
        case: reference.to_string(),
        form: kind.as_str().to_string(),
        out: std::path::PathBuf::new(),
        paper: None,
        items: vec![],
        deadline: None,
        reasons: vec![],
        new_date: None,
        date: None,
    };
    let signer = officer_name(node, signer);
    let input = form_input(node, kind, &args, &case, procedure, &signer, today, &view)?;
    let pdf = forms
        .render(&input, &case, &office(node), today)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((view, pdf))
}
