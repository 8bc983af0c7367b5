//! `hoso audit log | verify | replay | export`.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use hoso_node::audit::StoredEntry;
use hoso_node::audit::bundle::{MAX_BUNDLE, verify_bundle};
use hoso_node::audit::replay::{Replay, ReplayPoint};
use hoso_node::audit::source::AuditSource;
use hoso_node::audit::verify::{Policy, Report};
use hoso_node::{NodeId, ids::hex};
use serde::Serialize;

use crate::cli::{AuditCmd, Cli};
use crate::data_dir::open;
use crate::exit::{TamperingFound, UsageError};
use crate::output;

/// Runs one `hoso audit` command.
pub(super) fn run(cli: &Cli, cmd: &AuditCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        AuditCmd::Log { case, node, limit } => log(cli, case.as_deref(), node.as_deref(), *limit),
        AuditCmd::Verify {
            node,
            bundle,
            witness,
        } => verify(cli, node.as_deref(), bundle.as_deref(), witness),
        AuditCmd::Replay {
            case,
            at,
            seq,
            node,
        } => replay(cli, case, at.as_deref(), *seq, node.as_deref()),
        AuditCmd::Export { out } => export(cli, out.as_deref()),
    }
}

fn node_id(s: &str) -> anyhow::Result<NodeId> {
    s.trim()
        .parse::<NodeId>()
        .map_err(|e| UsageError(format!("{e} (see `hoso id`)")).into())
}

#[derive(Serialize)]
struct LogRow {
    origin: NodeId,
    seq: u64,
    time: String,
    officer: String,
    action: String,
    case: Option<String>,
    changes: Vec<String>,
    hash: String,
    anchor_size: u64,
    payload: Option<serde_json::Value>,
}

fn row(s: StoredEntry) -> LogRow {
    let b = &s.entry.body;
    LogRow {
        origin: b.origin,
        seq: b.seq,
        time: chrono::DateTime::from_timestamp_millis(b.time_ms)
            .map(|t| t.to_rfc3339())
            .unwrap_or_default(),
        officer: b.officer.clone(),
        action: b.action.as_str().to_string(),
        case: (b.case_id != hoso_node::CaseId::NONE).then(|| b.case_id.to_string()),
        changes: b.changes.iter().map(|h| hex(h)).collect(),
        hash: hex(&s.entry.hash),
        anchor_size: b.anchor_size,
        payload: s.payload.and_then(|p| serde_json::from_slice(&p).ok()),
    }
}

fn log(
    cli: &Cli,
    case: Option<&str>,
    node: Option<&str>,
    limit: usize,
) -> anyhow::Result<ExitCode> {
    let n = open(cli)?;
    let only = node.map(node_id).transpose()?;
    let limit = if limit == 0 { usize::MAX } else { limit };
    let entries: Vec<StoredEntry> = match case {
        Some(c) => {
            let id = n.case(c)?.id;
            n.audit_for_case(&id)?
                .into_iter()
                .filter(|e| only.is_none_or(|o| e.entry.body.origin == o))
                .take(limit)
                .collect()
        }
        None => {
            let origins = match only {
                Some(o) => vec![o],
                None => n.audit_source().origins()?,
            };
            let mut out = Vec::new();
            for o in origins {
                out.extend(n.audit_chain(&o, 0, limit.saturating_sub(out.len()))?);
            }
            out
        }
    };
    let rows: Vec<LogRow> = entries.into_iter().map(row).collect();
    if cli.json {
        return output::json(&rows).map(|()| ExitCode::SUCCESS);
    }
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.origin.short(),
                r.seq.to_string(),
                r.time.get(..19).unwrap_or(&r.time).replace('T', " "),
                r.officer.clone(),
                r.action.clone(),
                r.case.clone().unwrap_or_default(),
                r.changes.len().to_string(),
            ]
        })
        .collect();
    output::table(
        &[
            "NODE",
            "SEQ",
            "TIME (UTC)",
            "OFFICER",
            "ACTION",
            "CASE",
            "CHANGES",
        ],
        &table,
    );
    Ok(ExitCode::SUCCESS)
}

fn print_report(r: &Report) {
    if r.ok {
        println!(
            "ok: {} chain(s), {} entries, {} case document(s), {} change(s) accounted, {} checkpoint(s), {} cosignature(s)",
            r.chains.len(),
            r.entries,
            r.cases,
            r.changes,
            r.checkpoints,
            r.cosignatures
        );
    } else {
        println!(
            "TAMPERING: {} finding(s) over {} chain(s), {} entries, {} case document(s)",
            r.findings.len(),
            r.chains.len(),
            r.entries,
            r.cases
        );
        if let Some(f) = &r.first_bad {
            println!("first bad: {} ({})", f.what, f.check);
        }
        for f in r.findings.iter().take(50) {
            println!("  {}: {f}", f.check());
        }
        if r.findings.len() > 50 {
            println!("  … {} more (use --json for all)", r.findings.len() - 50);
        }
    }
    for c in &r.chains {
        println!(
            "  chain {}  {} entries  cosigned up to {}{}",
            c.origin.short(),
            c.length,
            c.cosigned_size,
            if c.witnesses.is_empty() {
                String::new()
            } else {
                format!(
                    " by {}",
                    c.witnesses
                        .iter()
                        .map(hoso_node::NodeId::short)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        );
    }
}

fn verify(
    cli: &Cli,
    node: Option<&str>,
    bundle: Option<&Path>,
    witness: &[String],
) -> anyhow::Result<ExitCode> {
    let only = node.map(node_id).transpose()?;
    let policy = Policy {
        witnesses: if witness.is_empty() {
            None
        } else {
            Some(
                witness
                    .iter()
                    .map(|w| node_id(w))
                    .collect::<anyhow::Result<BTreeSet<_>>>()?,
            )
        },
    };
    let mut store_check = None;
    let report = match bundle {
        Some(path) => {
            let len = std::fs::metadata(path)
                .with_context(|| format!("reading {}", path.display()))?
                .len();
            if len > MAX_BUNDLE {
                return Err(UsageError(format!(
                    "{} is larger than any evidence bundle ({len} bytes)",
                    path.display()
                ))
                .into());
            }
            let bytes =
                std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            verify_bundle(&bytes, &policy)?
        }
        None => {
            let n = open(cli)?;
            let bars = crate::progress::Bars::new(cli);
            let report = n.verify_audit_with(&policy, &bars)?;
            // The chains say what happened; the store check says the rows read from the
            // documents still say it (an edited summary row passes the chain checks).
            store_check = Some(n.check_store_with(&bars)?);
            report
        }
    };
    let report = match only {
        Some(o) => report.only(&o),
        None => report,
    };
    if cli.json {
        let mut v = serde_json::to_value(&report)?;
        if let (Some(m), Some(c)) = (v.as_object_mut(), &store_check) {
            m.insert("store_check".into(), serde_json::to_value(c)?);
        }
        output::json(&v)?;
    } else {
        print_report(&report);
        if let Some(c) = &store_check {
            super::check::print(c);
        }
    }
    match (&report.first_bad, &store_check) {
        (Some(f), _) => Err(TamperingFound(f.what.clone()).into()),
        (None, Some(c)) if !c.ok => Err(TamperingFound(super::check::summary(c)).into()),
        _ => Ok(ExitCode::SUCCESS),
    }
}

fn parse_at(s: &str) -> anyhow::Result<i64> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s.trim()) {
        return Ok(t.timestamp_millis());
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
        // End of that day in Vietnam (UTC+7).
        let end = d
            .and_hms_milli_opt(23, 59, 59, 999)
            .map(|t| t.and_utc().timestamp_millis() - 7 * 3_600_000);
        if let Some(ms) = end {
            return Ok(ms);
        }
    }
    Err(UsageError(format!(
        "`{s}` is not a time: give RFC 3339 (2026-11-27T17:00:00+07:00) or a date (2026-11-27)"
    ))
    .into())
}

fn print_replay(r: &Replay) {
    println!("case {}", r.case);
    match &r.state {
        None => println!("  nothing recorded yet at that moment"),
        Some(s) => {
            println!("  receipt       {}", s.receipt_code);
            println!("  procedure     {}", s.procedure);
            println!("  status        {}", s.status);
            println!("  applicant     {}", s.applicant_name);
            println!("  due           {}", s.due_date);
            for (k, v) in &s.fields {
                println!("  field {k:<18} {v}");
            }
            println!("  notes         {}", s.notes.len());
        }
    }
    println!(
        "actions ({} included, {} later):",
        r.steps.len(),
        r.later_steps
    );
    for s in &r.steps {
        println!(
            "  {}  node {} #{}  {}  {}",
            s.time.get(..19).unwrap_or(&s.time).replace('T', " "),
            s.node,
            s.seq,
            s.officer,
            s.action
        );
        for c in s.changed.iter().take(12) {
            println!(
                "      {}: {} → {}",
                c.field,
                c.from.as_deref().unwrap_or("∅"),
                c.to.as_deref().unwrap_or("∅")
            );
        }
        if s.changed.len() > 12 {
            println!("      … {} more (use --json for all)", s.changed.len() - 12);
        }
    }
    if !r.causality_skew.is_empty() {
        println!(
            "warning: {} change(s) pulled in as dependencies were recorded later (clock skew)",
            r.causality_skew.len()
        );
    }
}

fn replay(
    cli: &Cli,
    case: &str,
    at: Option<&str>,
    seq: Option<u64>,
    node: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let n = open(cli)?;
    let point = match (at, seq) {
        (Some(t), _) => ReplayPoint::At(parse_at(t)?),
        (None, Some(s)) => ReplayPoint::Seq {
            origin: node.map(node_id).transpose()?.unwrap_or(n.id()),
            seq: s,
        },
        (None, None) => ReplayPoint::Now,
    };
    let r = n.replay(case, point)?;
    if cli.json {
        output::json(&r)?;
    } else {
        print_replay(&r);
    }
    Ok(ExitCode::SUCCESS)
}

fn export(cli: &Cli, out: Option<&Path>) -> anyhow::Result<ExitCode> {
    let n = open(cli)?;
    let path: PathBuf = match out {
        Some(p) => p.to_path_buf(),
        None => PathBuf::from(format!(
            "hoso-audit-{}-{}.bundle",
            n.id().short(),
            chrono::Utc::now().format("%Y%m%d-%H%M%S")
        )),
    };
    let summary = crate::out_file::write(&path, n.dir(), |w| Ok(n.export_audit(w)?))?;
    if cli.json {
        output::json(&serde_json::json!({"path": path, "summary": summary}))?;
    } else {
        println!(
            "wrote {}: {} chain(s), {} entries, {} case document(s), {} checkpoint(s), {} bytes",
            path.display(),
            summary.chains,
            summary.entries,
            summary.cases,
            summary.checkpoints,
            summary.bytes
        );
        println!(
            "verify it anywhere with: hoso audit verify --bundle {}",
            path.display()
        );
    }
    let _ = std::io::stdout().flush();
    Ok(ExitCode::SUCCESS)
}
