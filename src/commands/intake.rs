//! The intake parts of `hoso case …` and `hoso registry …`: the submission channel and the
//! portal's case code, citizens missing from the extract, fee payments, recomputing a due date
//! and the recheck of unverified cases.

use std::process::ExitCode;

use hoso_node::node::{DeclaredInput, NewPayment, RecheckReport};
use hoso_node::{CaseView, Node};
use hoso_schemas::{CHANNEL_FIELD, Channel, PORTAL_CODE_FIELD, PaymentMethod, format_dong};

use crate::auth;
use crate::cli::{Cli, DeclaredArgs};
use crate::exit::UsageError;
use crate::output;

/// The fields `--channel` and `--portal-code` stand for.
pub(super) fn channel_fields(
    channel: Option<&str>,
    portal_code: Option<&str>,
) -> anyhow::Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    if let Some(c) = channel {
        let ch = Channel::parse(c).ok_or_else(|| {
            UsageError(format!(
                "--channel `{c}` is not one of: in_person, online, post"
            ))
        })?;
        out.push((CHANNEL_FIELD.to_string(), ch.label_vi().to_string()));
    }
    if let Some(p) = portal_code {
        out.push((PORTAL_CODE_FIELD.to_string(), p.to_string()));
    }
    Ok(out)
}

/// The declared identity, when `--declared-name` was given (clap requires the rest with it).
pub(super) fn declared_input(a: &DeclaredArgs) -> Option<DeclaredInput> {
    Some(DeclaredInput {
        full_name: a.declared_name.clone()?,
        date_of_birth: a.declared_dob.clone().unwrap_or_default(),
        sex: a.declared_sex.clone().unwrap_or_default(),
        commune_code: a.declared_commune.clone().unwrap_or_default(),
    })
}

/// What `case new` prints.
pub(super) fn print_received(cli: &Cli, v: &CaseView) -> anyhow::Result<ExitCode> {
    if cli.json {
        output::json(v)?;
    } else {
        output::safe_println!("received {}", v.receipt_code);
        output::safe_println!("  id        {}", v.id);
        output::safe_println!("  applicant {} ({})", v.applicant_name, v.citizen_id);
        output::safe_println!("  due       {}", v.due_date);
        if let Some(c) = &v.citizen_commune
            && *c != v.commune
        {
            output::safe_println!(
                "  citizen of commune {} (received at {})",
                commune_label(c),
                commune_label(&v.commune)
            );
        }
        if let Some(ver) = &v.verification {
            output::safe_println!(
                "  UNVERIFIED: not in the population extract {}",
                ver.received_extract.label_vi()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn commune_label(code: &str) -> String {
    match hoso_schemas::commune(code) {
        Some(c) => format!("{code} {}", c.name),
        None => code.to_string(),
    }
}

/// The intake lines of `case show`: channel, portal code, the citizen's commune, the check
/// against the extract, declared evidence, the fee due and the payments.
pub(super) fn print_intake(node: &Node, v: &CaseView) {
    let channel = Channel::of_fields(|k| v.fields.get(k).map(String::as_str));
    output::safe_println!("  channel       {}", channel.label_vi());
    if let Some(p) = v.fields.get(PORTAL_CODE_FIELD) {
        output::safe_println!("  portal code   {p}");
    }
    output::safe_println!("  jurisdiction  {}", commune_label(&v.commune));
    if let Some(c) = &v.citizen_commune {
        output::safe_println!("  citizen of    {}", commune_label(c));
    }
    if let Some(ver) = &v.verification {
        output::safe_println!(
            "  identity      {} (đối chiếu bản trích {}, {} lúc {})",
            ver.state.label_vi(),
            ver.extract.label_vi(),
            ver.checked_by,
            ver.checked_at.get(..16).unwrap_or(&ver.checked_at)
        );
        output::safe_println!(
            "  declared      {}, sinh {}, {}, xã {}",
            ver.declared.full_name,
            ver.declared.date_of_birth,
            ver.declared.sex,
            ver.declared.commune_code
        );
        if let Some(n) = &ver.note {
            output::safe_println!("  differs       {n}");
        }
    }
    for (field, e) in &v.declared {
        output::safe_println!("  [declared]    {field}: {}", e.text);
    }
    if let Some(fee) = node
        .catalog()
        .get(&v.procedure)
        .and_then(|p| p.fee.as_ref())
    {
        output::safe_println!(
            "  fee           {} — due {} ({})",
            fee.label_vi(),
            format_dong(fee.amount(channel)),
            fee.source
        );
    }
    for p in &v.payments {
        output::safe_println!(
            "  paid          {} {} ref {} at {} by {}{}",
            format_dong(p.amount),
            p.method.label_vi(),
            if p.reference.is_empty() {
                "—"
            } else {
                &p.reference
            },
            p.at.get(..16).unwrap_or(&p.at),
            p.officer,
            p.exemption
                .as_ref()
                .map(|e| format!(" (miễn/giảm: {e})"))
                .unwrap_or_default()
        );
    }
}

/// `hoso case pay`.
pub(super) fn pay(
    cli: &Cli,
    node: &Node,
    case: &str,
    amount: u64,
    method: &str,
    reference: &str,
    exemption: &Option<String>,
) -> anyhow::Result<ExitCode> {
    let method = PaymentMethod::parse(method).ok_or_else(|| {
        UsageError(format!(
            "--method `{method}` is not one of: cash, transfer, online, exempt"
        ))
    })?;
    let v = node.record_payment(
        &auth::acting(cli, node)?,
        case,
        NewPayment {
            amount,
            method,
            reference: reference.to_string(),
            exemption: exemption.clone(),
        },
    )?;
    if cli.json {
        output::json(&v)?;
    } else {
        output::safe_println!(
            "{}: paid {} ({}); status {}",
            v.receipt_code,
            format_dong(amount),
            method.label_vi(),
            v.status
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `hoso case recompute-due`.
pub(super) fn recompute_due(cli: &Cli, node: &Node, case: &str) -> anyhow::Result<ExitCode> {
    let r = node.recompute_due(&auth::acting(cli, node)?, case)?;
    if cli.json {
        output::json(&serde_json::json!({
            "receipt_code": r.case.receipt_code,
            "before": r.before,
            "after": r.after,
            "changed": r.changed,
            "tracks": r.tracks.iter().map(|(t, b, a)| serde_json::json!({"track": t, "before": b, "after": a})).collect::<Vec<_>>(),
        }))?;
    } else if r.changed {
        if r.before != r.after {
            output::safe_println!(
                "{}: due date moved {} -> {} (recorded in the audit log)",
                r.case.receipt_code,
                r.before,
                r.after
            );
        }
        for (t, b, a) in &r.tracks {
            output::safe_println!(
                "{}: track {t} due date moved {b} -> {a} (recorded in the audit log)",
                r.case.receipt_code
            );
        }
    } else {
        output::safe_println!(
            "{}: due date {} is unchanged on the current calendar; nothing written",
            r.case.receipt_code,
            r.before
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The recheck lines of `registry import` and `registry recheck`.
pub(super) fn print_recheck(r: &RecheckReport) {
    output::safe_println!(
        "rechecked {} unverified case(s) against the extract {}: {} cleared, {} mismatched, {} still missing, {} unchanged",
        r.checked,
        r.extract.label_vi(),
        r.cleared.len(),
        r.mismatched.len(),
        r.still_missing.len(),
        r.unchanged
    );
    for (what, list) in [
        ("cleared", &r.cleared),
        ("MISMATCH", &r.mismatched),
        ("still missing", &r.still_missing),
    ] {
        for code in list {
            output::safe_println!("  {what:<14} {code}");
        }
    }
}
