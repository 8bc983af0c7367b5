//! `hoso case …`, `hoso import`, `hoso export`.

use std::io::BufReader;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use hoso_node::{CaseQuery, CaseSummary, CaseView, NewCase, Node};
use hoso_schemas::{Clock, Status};

use crate::auth;
use crate::cli::{CaseCmd, Cli};
use crate::data_dir::open;
use crate::exit::UsageError;
use crate::output;

/// Splits `NAME=VALUE`.
pub(super) fn parse_pairs(pairs: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    pairs
        .iter()
        .map(|p| {
            p.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.to_string()))
                .filter(|(k, _)| !k.is_empty())
                .ok_or_else(|| UsageError(format!("`{p}` is not NAME=VALUE")).into())
        })
        .collect()
}

fn parse_status(s: &str) -> anyhow::Result<Status> {
    s.parse::<Status>()
        .map_err(|e| UsageError(e.to_string()).into())
}

fn fields_from_file(path: &Path) -> anyhow::Result<Vec<(String, String)>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let map: std::collections::BTreeMap<String, serde_json::Value> = serde_json::from_str(&text)
        .map_err(|e| {
            UsageError(format!(
                "{}: expected a JSON object of field values: {e}",
                path.display()
            ))
        })?;
    Ok(map
        .into_iter()
        .map(|(k, v)| {
            let v = match v {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            (k, v)
        })
        .collect())
}

fn print_case(node: &Node, v: &CaseView) {
    // The case's own catalog version: the rules it was received under.
    let rules = node.case_rules(v);
    let procedure = rules.catalog.get(&v.procedure);
    let name = procedure.map(|p| p.name_vi.as_str()).unwrap_or("");
    output::safe_println!("{}  {}", v.receipt_code, name);
    output::safe_println!("  id            {}", v.id);
    output::safe_println!(
        "  status        {}{}",
        v.status,
        if v.conflicting_status.is_empty() {
            String::new()
        } else {
            format!(
                "  CONFLICT: also {}",
                v.conflicting_status
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    );
    output::safe_println!("  applicant     {} ({})", v.applicant_name, v.citizen_id);
    output::safe_println!("  received      {}", v.received_at);
    output::safe_println!(
        "  due           {}{}",
        v.due_date,
        if v.overdue {
            "  QUÁ HẠN (overdue)"
        } else {
            ""
        }
    );
    if let Some(c) = clock_of(
        node,
        v.status,
        &v.due_date,
        v.ended_on().as_deref(),
        paused_since(v),
    ) {
        output::safe_println!("  clock         {}", c.label_vi());
    }
    output::safe_println!("  catalog       version {}", rules.version);
    if let Some(p) = procedure {
        output::safe_println!("  limit         {}", p.deadline.label_vi());
        if let Some(f) = &p.fee {
            output::safe_println!("  fee           {}", f.label_vi());
        }
        for t in &p.track_specs {
            let from = match &t.after {
                Some(a) => format!("from the hand-off after {a}"),
                None => "from receipt".to_string(),
            };
            output::safe_println!(
                "  track limit   {}: {}, {} {from}",
                t.procedure,
                t.agency,
                t.deadline.limit_vi()
            );
        }
    }
    if v.appointment_date() != v.due_date {
        output::safe_println!("  appointment   {} (hẹn lại)", v.appointment_date());
    }
    super::lifecycle::print_lifecycle(node, v);
    if let Some(o) = &v.assigned_officer {
        output::safe_println!("  officer       {o}");
    }
    super::intake::print_intake(node, v);
    output::safe_println!("  fields:");
    let defs = procedure.map(|p| p.fields.as_slice()).unwrap_or(&[]);
    for f in defs {
        let value = v.fields.get(&f.name).map(String::as_str).unwrap_or("—");
        let mark = if v.evidence.contains_key(&f.name) {
            "[registry]"
        } else if v.declared.contains_key(&f.name) {
            "[declared]"
        } else if v.missing_fields.contains(&f.name) {
            "[MISSING] "
        } else {
            "          "
        };
        output::safe_println!("    {mark} {:<28} {value}", f.name);
    }
    if !v.history.is_empty() {
        output::safe_println!("  history:");
        for h in &v.history {
            output::safe_println!(
                "    {}  {:<10} {} -> {}{}{}",
                h.at.get(..16).unwrap_or(&h.at),
                h.officer,
                h.from.map(|s| s.to_string()).unwrap_or_else(|| "·".into()),
                h.to,
                h.track
                    .as_ref()
                    .map(|t| format!(" [{t}]"))
                    .unwrap_or_default(),
                h.note
                    .as_ref()
                    .map(|n| format!("  \"{n}\""))
                    .unwrap_or_default()
            );
        }
    }
    if !v.notes.is_empty() {
        output::safe_println!("  notes:");
        for n in &v.notes {
            output::safe_println!(
                "    {}  {}: {}",
                n.at.get(..16).unwrap_or(&n.at),
                n.officer,
                n.text
            );
        }
    }
}

fn show(cli: &Cli, node: &Node, v: &CaseView) -> anyhow::Result<()> {
    if cli.json {
        // The view, plus the derived clock (days left or late, paused, ended).
        let mut j = serde_json::to_value(v)?;
        let clock = clock_of(
            node,
            v.status,
            &v.due_date,
            v.ended_on().as_deref(),
            paused_since(v),
        );
        if let (Some(obj), Some(c)) = (j.as_object_mut(), clock) {
            obj.insert("clock".into(), serde_json::to_value(c)?);
        }
        super::lifecycle::json_extras(node, v, &mut j)?;
        output::json(&j)
    } else {
        print_case(node, v);
        Ok(())
    }
}

/// The clock of a case as of today (days left, days late, paused, ended).
fn clock_of(
    node: &Node,
    status: Status,
    due: &str,
    ended_on: Option<&str>,
    paused_since: Option<&str>,
) -> Option<Clock> {
    let due = hoso_node::deadline::parse_date(due)?;
    Some(Clock::of(
        node.calendar(),
        status,
        due,
        ended_on.and_then(hoso_node::deadline::parse_date),
        paused_since.and_then(hoso_node::deadline::parse_date),
        hoso_node::deadline::now().date_naive(),
    ))
}

/// When the pending supplement request was made, if one is pending.
fn paused_since(v: &CaseView) -> Option<&str> {
    if v.status != Status::SupplementRequested {
        return None;
    }
    v.history
        .iter()
        .rev()
        .find(|h| h.to == Status::SupplementRequested && h.track.is_none())
        .map(|h| h.at.as_str())
}

/// The case behind a list row, read only where the row itself is not enough: a bundle (its
/// tracks) or a case waiting for a supplement (its deadline, a stop proposal).
fn row_view(node: &Node, s: &CaseSummary) -> Option<CaseView> {
    let bundle = node
        .catalog()
        .get(&s.procedure)
        .is_some_and(hoso_schemas::Procedure::is_bundle);
    (bundle || s.status == Status::SupplementRequested)
        .then(|| node.case(&s.id.to_string()).ok())
        .flatten()
}

fn print_list(cli: &Cli, node: &Node, rows: &[CaseSummary]) -> anyhow::Result<()> {
    let views: Vec<Option<CaseView>> = rows.iter().map(|s| row_view(node, s)).collect();
    if cli.json {
        let mut out = Vec::with_capacity(rows.len());
        for (s, v) in rows.iter().zip(&views) {
            let mut j = serde_json::to_value(s)?;
            if let (Some(obj), Some(v)) = (j.as_object_mut(), v) {
                let today = hoso_node::deadline::now().date_naive();
                let rules = node.case_rules(v);
                let tracks = hoso_node::node::track_rows(&rules.catalog, &rules.calendar, v, today);
                if !tracks.is_empty() {
                    obj.insert("tracks".into(), serde_json::to_value(tracks)?);
                }
                obj.insert("stop_proposed".into(), v.stop_proposed.into());
            }
            out.push(j);
        }
        return output::json(&out);
    }
    let table: Vec<Vec<String>> = rows
        .iter()
        .zip(&views)
        .map(|(s, v)| {
            let clock = clock_of(
                node,
                s.status,
                &s.due_date,
                s.ended_on.as_deref(),
                v.as_ref().and_then(|v| v.paused_since()),
            )
            .map(|c| c.label_vi())
            .unwrap_or_default();
            let stop = if v.as_ref().is_some_and(|v| v.stop_proposed) {
                " ĐỀ NGHỊ DỪNG"
            } else {
                ""
            };
            vec![
                s.receipt_code.clone(),
                s.procedure.clone(),
                format!(
                    "{}{}",
                    s.applicant_name,
                    if s.unverified {
                        " (chưa xác minh)"
                    } else {
                        ""
                    }
                ),
                s.channel.clone().unwrap_or_else(|| "Trực tiếp".into()),
                s.portal_case_code.clone().unwrap_or_default(),
                format!("{}{}{stop}", s.status, if s.conflict { " !" } else { "" }),
                format!("{}{}", s.due_date, if s.overdue { " QUÁ HẠN" } else { "" }),
                clock,
            ]
        })
        .collect();
    output::table(
        &[
            "RECEIPT",
            "PROCEDURE",
            "APPLICANT",
            "KÊNH",
            "MÃ CỔNG DVC",
            "STATUS",
            "DUE",
            "THỜI HẠN",
        ],
        &table,
    );
    // Bundle tracks under the table: one line per bundle case.
    for v in views.iter().flatten() {
        let tracks = super::lifecycle::tracks_cell(node, v);
        if !tracks.is_empty() {
            output::safe_println!("  {}  {tracks}", v.receipt_code);
        }
    }
    eprintln!("{} case(s)", rows.len());
    Ok(())
}

/// `hoso case …`.
pub(super) fn run(cli: &Cli, cmd: &CaseCmd) -> anyhow::Result<ExitCode> {
    let node = open(cli)?;
    match cmd {
        CaseCmd::Print(args) => return super::print::run(cli, &node, args),
        CaseCmd::Track { .. }
        | CaseCmd::Tracks { .. }
        | CaseCmd::Result { .. }
        | CaseCmd::Supplement { .. }
        | CaseCmd::Apology { .. } => return super::lifecycle::run(cli, &node, cmd),
        CaseCmd::New {
            procedure,
            citizen,
            fields,
            from_file,
            check,
            channel,
            portal_code,
            declared,
        } => {
            let mut given = match from_file {
                Some(f) => fields_from_file(f)?,
                None => Vec::new(),
            };
            given.extend(parse_pairs(fields)?);
            given.extend(super::intake::channel_fields(
                channel.as_deref(),
                portal_code.as_deref(),
            )?);
            let new = NewCase {
                procedure: procedure.clone(),
                citizen_id: citizen.clone(),
                fields: given,
                received_at: None,
            };
            let declared = super::intake::declared_input(declared);
            if let Some(d) = &declared
                && !*check
            {
                let v = node.create_case_declared(&auth::acting(cli, &node)?, new, d)?;
                return super::intake::print_received(cli, &v);
            }
            if *check {
                let who = cli.officer.clone().unwrap_or_default();
                let pre = match &declared {
                    Some(d) => node.prefill_declared(&new, d)?.0,
                    None => node.prefill(&who, &new)?.0,
                };
                if cli.json {
                    output::json(&pre)?;
                } else {
                    println!(
                        "{} for {} ({})",
                        pre.procedure, pre.applicant_name, pre.citizen_id
                    );
                    for (k, v) in &pre.fields {
                        let src = if pre.evidence.contains_key(k) {
                            "[registry]"
                        } else {
                            "          "
                        };
                        println!("  {src} {k:<28} {v}");
                    }
                    if pre.missing_fields.is_empty() {
                        println!("complete: ready to receive");
                    } else {
                        println!(
                            "the citizen must still provide: {}",
                            pre.missing_fields.join(", ")
                        );
                    }
                }
                return Ok(ExitCode::SUCCESS);
            }
            let v = node.create_case(&auth::acting(cli, &node)?, new)?;
            return super::intake::print_received(cli, &v);
        }
        CaseCmd::Pay {
            case,
            amount,
            method,
            reference,
            exemption,
        } => return super::intake::pay(cli, &node, case, *amount, method, reference, exemption),
        CaseCmd::RecomputeDue { case } => return super::intake::recompute_due(cli, &node, case),
        CaseCmd::Recatalog { case, reason } => {
            return super::catalog_updates::recatalog(cli, &node, case, reason);
        }
        CaseCmd::List {
            status,
            procedure,
            search,
            overdue,
            limit,
        } => {
            let q = CaseQuery {
                status: status.as_deref().map(parse_status).transpose()?,
                procedure: procedure.clone(),
                search: search.clone(),
                overdue: *overdue,
                limit: *limit,
                ..Default::default()
            };
            print_list(cli, &node, &node.list(&q)?)?;
        }
        CaseCmd::Show { case } => show(cli, &node, &node.case(case)?)?,
        CaseCmd::Set { case, fields } => {
            let v = node.set_fields(&auth::acting(cli, &node)?, case, &parse_pairs(fields)?)?;
            show(cli, &node, &v)?;
        }
        CaseCmd::Transition {
            case,
            status,
            track,
            note,
        } => {
            let v = node.transition(
                &auth::acting(cli, &node)?,
                case,
                parse_status(status)?,
                track.as_deref(),
                note.as_deref(),
            )?;
            if cli.json {
                output::json(&v)?;
            } else {
                let st = match track {
                    Some(t) => v.tracks.get(t).map(|t| t.status).unwrap_or(v.status),
                    None => v.status,
                };
                println!(
                    "{} is now {}{}",
                    v.receipt_code,
                    st,
                    track
                        .as_ref()
                        .map(|t| format!(" on track {t}"))
                        .unwrap_or_default()
                );
            }
        }
        CaseCmd::Note { case, text } => {
            let v = node.add_note(&auth::acting(cli, &node)?, case, text)?;
            if cli.json {
                output::json(&v)?;
            } else {
                println!("note added to {} ({} notes)", v.receipt_code, v.notes.len());
            }
        }
        CaseCmd::Conflicts => {
            let rows = node.list(&CaseQuery {
                conflicts: true,
                limit: usize::MAX,
                ..Default::default()
            })?;
            if cli.json {
                let views = rows
                    .iter()
                    .map(|s| node.case(&s.id.to_string()))
                    .collect::<Result<Vec<_>, _>>()?;
                output::json(&views)?;
            } else {
                print_list(cli, &node, &rows)?;
                for r in &rows {
                    if let Some(rec) = node.review_of(&r.id)? {
                        let sides: Vec<String> = rec
                            .sides
                            .iter()
                            .map(|s| {
                                format!(
                                    "{} by {} at {}",
                                    s.status,
                                    s.officer.as_deref().unwrap_or("?"),
                                    s.at.as_deref().unwrap_or("?")
                                )
                            })
                            .collect();
                        println!("  {}: {}", rec.receipt_code, sides.join("  vs  "));
                    }
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `hoso import FILE`.
pub(super) fn import(cli: &Cli, file: &Path) -> anyhow::Result<ExitCode> {
    let node = open(cli)?;
    let who = hoso_node::Author::Officer(auth::acting(cli, &node)?);
    let name = file.display().to_string();
    let bars = crate::progress::Bars::new(cli);
    let done = if file == Path::new("-") {
        node.import_cases_with("stdin", std::io::stdin().lock(), &who, &bars)
    } else {
        let bars = match bars.drawing().then(|| count_lines(file)).flatten() {
            Some(n) => bars.hint(hoso_node::progress::Stage::ImportCheck, n),
            None => bars,
        };
        let f = std::fs::File::open(file).with_context(|| format!("opening {name}"))?;
        node.import_cases_with(&name, BufReader::new(f), &who, &bars)
    };
    let report = match done {
        Ok(r) => r,
        // A refused line says so itself; a failure of the store (a full disk) gets told that
        // the import is one transaction.
        Err(e) if e.is_bad_input() => return Err(e.into()),
        Err(e) => {
            return Err(anyhow::Error::new(e).context(format!(
                "importing {name}: nothing was imported (the import is one transaction; run it again once the cause is fixed)"
            )));
        }
    };
    if cli.json {
        output::json(&report)?;
    } else {
        println!("imported {} cases from {name}", report.imported);
        for (s, n) in &report.by_status {
            println!("  {s:<22} {n}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The lines of `file` (for the import bar's length); `None` when it cannot be read here (the
/// import then reports the error).
fn count_lines(file: &Path) -> Option<u64> {
    use std::io::Read;
    let mut f = std::fs::File::open(file).ok()?;
    let mut buf = vec![0u8; 1 << 16];
    let (mut lines, mut last) = (0u64, b'\n');
    loop {
        let n = f.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        last = buf[n - 1];
    }
    Some(lines + u64::from(last != b'\n'))
}

/// `hoso export [--out F]`.
pub(super) fn export(cli: &Cli, out: Option<&Path>) -> anyhow::Result<ExitCode> {
    let node = open(cli)?;
    let bars = crate::progress::Bars::new(cli);
    let n = match out {
        Some(p) => {
            crate::out_file::write(p, node.dir(), |w| Ok(node.export_cases_with(w, &bars)?))?
        }
        None => node.export_cases_with(std::io::stdout().lock(), &bars)?,
    };
    bars.clear();
    eprintln!("exported {n} cases");
    Ok(ExitCode::SUCCESS)
}
