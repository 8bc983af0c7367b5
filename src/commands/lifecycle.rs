//! `hoso case track | tracks | result | supplement | apology`: a case's legal life after
//! receipt (issue 10). Each write is one call of the node's guarded write path; this module
//! only parses arguments and prints.

use std::process::ExitCode;

use hoso_node::case::Delivery;
use hoso_node::node::{ApologyInput, ResultInput, SupplementInput, TrackDue};
use hoso_node::{CaseView, Node};
use hoso_schemas::{Status, parse_date};

use crate::auth;
use crate::cli::{CaseCmd, Cli};
use crate::exit::UsageError;
use crate::output;

fn date_arg(flag: &str, value: &str) -> anyhow::Result<chrono::NaiveDate> {
    parse_date(value.trim()).ok_or_else(|| {
        UsageError(format!(
            "{flag} `{value}` is not a date (expected dd/mm/yyyy or yyyy-mm-dd)"
        ))
        .into()
    })
}

fn status_arg(s: &str) -> anyhow::Result<Status> {
    s.parse::<Status>()
        .map_err(|e| UsageError(e.to_string()).into())
}

fn dmy(iso: &str) -> String {
    hoso_node::deadline::parse_date(iso)
        .map_or_else(|| iso.to_string(), |d| d.format("%d/%m/%Y").to_string())
}

/// The short name of a procedure, or its code.
pub(super) fn short(node: &Node, code: &str) -> String {
    node.catalog()
        .get(code)
        .map_or_else(|| code.to_string(), |p| p.short_name.clone())
}

/// One line per track: name, agency, status, due date and clock, result.
pub(super) fn track_lines(node: &Node, v: &CaseView) -> Vec<String> {
    let today = hoso_node::deadline::now().date_naive();
    let rules = node.case_rules(v);
    hoso_node::node::track_rows(&rules.catalog, &rules.calendar, v, today)
        .into_iter()
        .map(|r| {
            let due = match (&r.due_date, &r.clock) {
                (Some(d), Some(c)) => format!("hạn {}, {}", dmy(d), c.label_vi()),
                _ => "chưa chuyển giao".to_string(),
            };
            let again = v
                .apologies
                .iter()
                .rfind(|a| a.track.as_deref() == Some(r.track.as_str()))
                .map(|a| format!(", hẹn lại {}", dmy(&a.new_date)))
                .unwrap_or_default();
            let due = format!("{due}{again}");
            let result = v
                .tracks
                .get(&r.track)
                .and_then(|t| t.result.as_ref())
                .map(|res| format!("; kết quả: {}", res.line_vi()))
                .unwrap_or_default();
            let conflict = v
                .tracks
                .get(&r.track)
                .filter(|t| !t.conflicting.is_empty())
                .map(|_| "  CONFLICT")
                .unwrap_or_default();
            format!(
                "{} [{}] — {}: {}{conflict}, {due}{result}",
                short(node, &r.track),
                r.track,
                r.agency,
                r.status
            )
        })
        .collect()
}

/// A compact line of the tracks for the list: "Khai sinh xong · Thường trú còn 2 ngày làm việc".
pub(super) fn tracks_cell(node: &Node, v: &CaseView) -> String {
    let today = hoso_node::deadline::now().date_naive();
    let rules = node.case_rules(v);
    hoso_node::node::track_rows(&rules.catalog, &rules.calendar, v, today)
        .into_iter()
        .map(|r| {
            let state = if r.status.ends_processing() {
                r.status.label_vi().to_lowercase()
            } else {
                r.clock
                    .map_or_else(|| "chưa chuyển giao".to_string(), |c| c.label_vi())
            };
            format!("{} {state}", short(node, &r.track))
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The lifecycle part of `case show`: results, supplements, apologies, stop proposal.
pub(super) fn print_lifecycle(node: &Node, v: &CaseView) {
    for line in track_lines(node, v) {
        output::safe_println!("  track         {line}");
    }
    if let Some(r) = &v.result_record {
        output::safe_println!("  result        {}", r.line_vi());
    }
    for (i, s) in v.supplements.iter().enumerate() {
        output::safe_println!(
            "  supplement {}  {}{} by {}: {}; hạn bổ sung {}{}",
            i + 1,
            s.track
                .as_deref()
                .map(|t| format!("[{}] ", short(node, t)))
                .unwrap_or_default(),
            s.at.get(..10).map_or(s.at.clone(), dmy),
            s.officer,
            s.items.join("; "),
            dmy(&s.deadline),
            s.reason
                .as_ref()
                .map(|r| format!(" (lý do: {r})"))
                .unwrap_or_default()
        );
    }
    if v.supplement_requests() > 1 {
        output::safe_println!("  late          yêu cầu bổ sung quá một lần: tính là trễ hạn");
    }
    if v.stop_proposed {
        output::safe_println!(
            "  stop          ĐỀ NGHỊ DỪNG XỬ LÝ: quá hạn bổ sung {}",
            v.supplement_deadline()
                .map(|d| d.format("%d/%m/%Y").to_string())
                .unwrap_or_default()
        );
    }
    for a in &v.apologies {
        output::safe_println!(
            "  apology       {}{} by {}: hẹn lại {} (thay {}): {}",
            a.track
                .as_deref()
                .map(|t| format!("[{}] ", short(node, t)))
                .unwrap_or_default(),
            a.at.get(..10).map_or(a.at.clone(), dmy),
            a.officer,
            dmy(&a.new_date),
            dmy(&a.old_date),
            a.reason
        );
    }
}

/// Extra JSON of a case: each track's clock and the appointment date.
pub(super) fn json_extras(
    node: &Node,
    v: &CaseView,
    j: &mut serde_json::Value,
) -> anyhow::Result<()> {
    let today = hoso_node::deadline::now().date_naive();
    let rules = node.case_rules(v);
    let rows = hoso_node::node::track_rows(&rules.catalog, &rules.calendar, v, today);
    if let Some(obj) = j.as_object_mut() {
        obj.insert("appointment_date".into(), v.appointment_date().into());
        if let Some(tracks) = obj.get_mut("tracks").and_then(|t| t.as_object_mut()) {
            for r in rows {
                if let Some(t) = tracks.get_mut(&r.track).and_then(|t| t.as_object_mut()) {
                    t.insert("agency".into(), r.agency.into());
                    t.insert("overdue".into(), r.overdue.into());
                    t.insert("clock".into(), serde_json::to_value(r.clock)?);
                    t.insert(
                        "appointment_date".into(),
                        v.track_appointment_date(&r.track).into(),
                    );
                }
            }
        }
    }
    Ok(())
}

fn print_tracks(cli: &Cli, node: &Node, rows: &[TrackDue]) -> anyhow::Result<()> {
    if cli.json {
        return output::json(&rows);
    }
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.receipt_code.clone(),
                short(node, &r.track),
                r.agency.clone(),
                r.applicant_name.clone(),
                r.status.to_string(),
                r.due_date.as_deref().map(dmy).unwrap_or_else(|| "—".into()),
                r.clock
                    .map(|c| c.label_vi())
                    .unwrap_or_else(|| "chưa chuyển giao".into()),
            ]
        })
        .collect();
    output::table(
        &[
            "RECEIPT",
            "TRACK",
            "AGENCY",
            "APPLICANT",
            "STATUS",
            "DUE",
            "THỜI HẠN",
        ],
        &table,
    );
    eprintln!("{} track(s)", rows.len());
    Ok(())
}

fn done(cli: &Cli, v: &CaseView, what: &str) -> anyhow::Result<()> {
    if cli.json {
        output::json(v)
    } else {
        output::safe_println!("{} {what}", v.receipt_code);
        Ok(())
    }
}

/// Runs one of the lifecycle subcommands of `hoso case`.
pub(super) fn run(cli: &Cli, node: &Node, cmd: &CaseCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        CaseCmd::Track {
            case,
            track,
            to,
            note,
        } => {
            let v = node.move_track(
                &auth::acting(cli, node)?,
                case,
                track,
                status_arg(to)?,
                note.as_deref(),
            )?;
            let st = v.tracks.get(track).map_or(v.status, |t| t.status);
            let due = v
                .tracks
                .get(track)
                .and_then(|t| t.due_date.as_deref())
                .map(|d| format!(", due {}", dmy(d)))
                .unwrap_or_default();
            done(cli, &v, &format!("track {track} is now {st}{due}"))?;
        }
        CaseCmd::Tracks { agency, overdue } => {
            print_tracks(cli, node, &node.track_list(agency.as_deref(), *overdue)?)?;
        }
        CaseCmd::Result {
            case,
            track,
            kind,
            number,
            date,
            signer,
            channel,
        } => {
            let channel: Delivery = channel
                .parse()
                .map_err(|e: hoso_node::error::LifecycleError| UsageError(e.to_string()))?;
            let date = match date {
                Some(d) => date_arg("--date", d)?,
                None => hoso_node::deadline::now().date_naive(),
            };
            let v = node.record_result(
                &auth::acting(cli, node)?,
                case,
                &ResultInput {
                    track: track.clone(),
                    kind: kind.clone(),
                    number: number.clone(),
                    date,
                    signer: signer.clone(),
                    channel,
                },
            )?;
            let on = track
                .as_ref()
                .map(|t| format!(" of track {t}"))
                .unwrap_or_default();
            done(cli, &v, &format!("result{on} recorded: {kind} số {number}"))?;
        }
        CaseCmd::Supplement {
            case,
            track,
            items,
            deadline,
            reason,
        } => {
            let deadline = deadline
                .as_deref()
                .map(|d| date_arg("--deadline", d))
                .transpose()?;
            let input = SupplementInput {
                items: items.clone(),
                reason: reason.clone(),
                deadline,
            };
            let by = &auth::acting(cli, node)?;
            let v = match track {
                None => node.request_supplement(by, case, &input)?,
                Some(t) => node.request_track_supplement(by, case, t, &input)?,
            };
            let last = v
                .supplements
                .last()
                .map(|s| dmy(&s.deadline))
                .unwrap_or_default();
            let who = track
                .as_ref()
                .map(|t| format!("track {t} "))
                .unwrap_or_default();
            done(
                cli,
                &v,
                &format!(
                    "{who}is now supplement_requested: {} item(s), supplement by {last}",
                    items.len()
                ),
            )?;
        }
        CaseCmd::Apology {
            case,
            track,
            new_date,
            reason,
        } => {
            let new_date = date_arg("--new-date", new_date)?;
            let input = ApologyInput {
                reason: reason.clone(),
                new_date,
            };
            let by = &auth::acting(cli, node)?;
            let v = match track {
                None => node.record_apology(by, case, &input)?,
                Some(t) => node.record_track_apology(by, case, t, &input)?,
            };
            let of = track
                .as_ref()
                .map(|t| format!(" of track {t}"))
                .unwrap_or_default();
            done(
                cli,
                &v,
                &format!(
                    "apology recorded: new appointment date{of} {}",
                    new_date.format("%d/%m/%Y")
                ),
            )?;
        }
        _ => return Err(UsageError("not a lifecycle command".into()).into()),
    }
    Ok(ExitCode::SUCCESS)
}
