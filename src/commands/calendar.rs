//! `hoso calendar …`: the working-day calendar and due dates, from the data dir's
//! `holidays.toml` (or the built-in calendar) and catalog. Needs no node.

use std::process::ExitCode;

use chrono::{DateTime, Datelike, NaiveDate, Weekday};
use hoso_schemas::{DayKind, vn_offset};
use serde::Serialize;

use crate::cli::{CalendarCmd, Cli};
use crate::data_dir::reference;
use crate::exit::UsageError;
use crate::output;

/// "Thứ Hai" … "Chủ nhật".
pub(super) fn weekday_vi(d: NaiveDate) -> &'static str {
    match d.weekday() {
        Weekday::Mon => "Thứ Hai",
        Weekday::Tue => "Thứ Ba",
        Weekday::Wed => "Thứ Tư",
        Weekday::Thu => "Thứ Năm",
        Weekday::Fri => "Thứ Sáu",
        Weekday::Sat => "Thứ Bảy",
        Weekday::Sun => "Chủ nhật",
    }
}

fn dmy(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

#[derive(Serialize)]
struct DayOut {
    date: NaiveDate,
    weekday: &'static str,
    kind: DayKind,
    name: String,
}

#[derive(Serialize)]
struct YearOut {
    year: i32,
    calendar: String,
    /// Working days in the year (Monday–Friday less holidays, plus make-up days).
    working_days: i64,
    days: Vec<DayOut>,
}

#[derive(Serialize)]
struct TrackDue {
    procedure: String,
    agency: String,
    working_days: u32,
    after: Option<String>,
    source: String,
}

#[derive(Serialize)]
struct DueOut {
    procedure: String,
    received: String,
    counted_from: NaiveDate,
    due_date: NaiveDate,
    working_days: u32,
    verification: bool,
    source: String,
    calendar: String,
    tracks: Vec<TrackDue>,
}

/// Runs a calendar command.
pub(super) fn run(cli: &Cli, cmd: &CalendarCmd) -> anyhow::Result<ExitCode> {
    let r = reference(cli)?;
    match cmd {
        CalendarCmd::Show { year } => {
            let start = NaiveDate::from_ymd_opt(*year, 1, 1)
                .ok_or_else(|| UsageError(format!("{year} is not a year hoso can count")))?;
            let end = NaiveDate::from_ymd_opt(*year, 12, 31)
                .ok_or_else(|| UsageError(format!("{year} is not a year hoso can count")))?;
            let prev = start.pred_opt().unwrap_or(start);
            let days: Vec<DayOut> = r
                .calendar
                .year(*year)
                .into_iter()
                .map(|d| DayOut {
                    date: d.date,
                    weekday: weekday_vi(d.date),
                    kind: d.kind,
                    name: d.name,
                })
                .collect();
            let out = YearOut {
                year: *year,
                calendar: r.calendar_from.clone(),
                working_days: r.calendar.working_days_between(prev, end),
                days,
            };
            if cli.json {
                output::json(&out)?;
                return Ok(ExitCode::SUCCESS);
            }
            println!(
                "Lịch làm việc năm {} ({} ngày làm việc; nguồn: {})",
                out.year, out.working_days, out.calendar
            );
            if out.days.is_empty() {
                println!(
                    "  Chưa có ngày nghỉ lễ nào được khai báo cho năm {}: chỉ thứ Bảy, Chủ nhật được nghỉ.",
                    out.year
                );
            }
            for d in &out.days {
                let kind = match d.kind {
                    DayKind::Holiday => "nghỉ  ",
                    DayKind::Workday => "làm bù",
                };
                println!("  {:<9} {}  {kind}  {}", d.weekday, dmy(d.date), d.name);
            }
        }
        CalendarCmd::Due {
            procedure,
            received,
            verification,
        } => {
            let p = r
                .catalog
                .procedure(procedure)
                .map_err(|e| UsageError(e.to_string()))?;
            let at = DateTime::parse_from_rfc3339(received.trim()).map_err(|e| {
                UsageError(format!(
                    "--received `{received}` is not an RFC 3339 time ({e}); e.g. 2025-12-31T15:30:00+07:00"
                ))
            })?;
            let counted_from = p.deadline.counted_from(&r.calendar, at);
            let due = p.deadline.due_date_with(&r.calendar, at, *verification);
            let out = DueOut {
                procedure: p.code.clone(),
                received: at.to_rfc3339(),
                counted_from,
                due_date: due,
                working_days: p.deadline.days(*verification),
                verification: *verification,
                source: p.deadline.source.clone(),
                calendar: r.calendar_from.clone(),
                tracks: p
                    .track_specs
                    .iter()
                    .map(|t| TrackDue {
                        procedure: t.procedure.clone(),
                        agency: t.agency.clone(),
                        working_days: t.deadline.days(*verification),
                        after: t.after.clone(),
                        source: t.deadline.source.clone(),
                    })
                    .collect(),
            };
            if cli.json {
                output::json(&out)?;
                return Ok(ExitCode::SUCCESS);
            }
            let local = at.with_timezone(&vn_offset());
            println!("{} ({})", p.name_vi, p.code);
            println!(
                "  nhận hồ sơ     {} {}",
                local.format("%H:%M"),
                dmy(local.date_naive())
            );
            println!(
                "  thời hạn       {}",
                if *verification {
                    format!("{} ngày làm việc (phải xác minh)", out.working_days)
                } else {
                    p.deadline.label_vi()
                }
            );
            println!("  hẹn trả        {} {}", weekday_vi(due), dmy(due));
            println!("  căn cứ         {}", p.deadline.source);
            for t in &p.track_specs {
                let from = match &t.after {
                    Some(a) => format!(
                        "kể từ khi {} xong",
                        r.catalog
                            .get(a)
                            .map_or(a.as_str(), |q| q.short_name.as_str())
                    ),
                    None => "kể từ khi tiếp nhận".to_string(),
                };
                println!(
                    "  {:<14} {}, {} {from}",
                    r.catalog
                        .get(&t.procedure)
                        .map_or(t.procedure.as_str(), |q| q.short_name.as_str()),
                    t.agency,
                    t.deadline.limit_vi()
                );
            }
            println!("  lịch           {}", r.calendar_from);
        }
    }
    Ok(ExitCode::SUCCESS)
}
