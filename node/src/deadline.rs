//! Deadlines in working days. The appointment date is stored; overdue is derived, never stored
//! (procedures.md §2): a case is overdue when it is still open after its due date, when it ended
//! after its due date, or when the citizen was asked for a supplement more than once.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, Offset, Utc};
use hoso_schemas::HolidayCalendar;

use crate::case::view::CaseSummary;

pub mod parse;

pub use parse::parse_date;

/// Vietnam's offset (UTC+7); the receipt time and deadlines are local.
pub fn vn_offset() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).unwrap_or(Utc.fix())
}

/// Now, in Vietnam time.
pub fn now() -> DateTime<FixedOffset> {
    Utc::now().with_timezone(&vn_offset())
}

/// Received after this time, a same-day procedure is due the next working day.
pub fn same_day_cutoff() -> NaiveTime {
    NaiveTime::from_hms_opt(15, 0, 0).unwrap_or(NaiveTime::MIN)
}

/// The appointment date for a case received at `received` with `days` working days.
pub fn due_date(cal: &HolidayCalendar, received: DateTime<FixedOffset>, days: u32) -> NaiveDate {
    let local = received.with_timezone(&vn_offset());
    let date = local.date_naive();
    if days == 0 && (local.time() >= same_day_cutoff() || !cal.is_working_day(date)) {
        return cal.add_working_days(date, 1);
    }
    cal.add_working_days(date, days)
}

/// The appointment date moved on by the working days the clock was paused for a supplement.
pub fn extend_for_pause(
    cal: &HolidayCalendar,
    due: NaiveDate,
    paused_on: NaiveDate,
    resumed_on: NaiveDate,
) -> NaiveDate {
    let paused = cal.working_days_between(paused_on, resumed_on).max(0);
    cal.add_working_days(due, u32::try_from(paused).unwrap_or(0))
}

/// Derives the overdue flag of a case as of `today`.
pub fn is_overdue(s: &CaseSummary, today: NaiveDate) -> bool {
    if s.supplement_requests > 1 {
        return true;
    }
    let Some(due) = parse_date(&s.due_date) else {
        return false;
    };
    match s.ended_on.as_deref().and_then(parse_date) {
        Some(end) => end > due,
        None => s.status != hoso_schemas::Status::SupplementRequested && today > due,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cal() -> HolidayCalendar {
        HolidayCalendar::builtin().expect("builtin calendar")
    }

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).expect("time")
    }

    #[test]
    fn same_day_procedures_roll_after_three_pm_and_weekends() {
        let c = cal();
        // Thursday 2026-11-26.
        assert_eq!(
            due_date(&c, at("2026-11-26T09:00:00+07:00"), 0).to_string(),
            "2026-11-26"
        );
        assert_eq!(
            due_date(&c, at("2026-11-26T15:30:00+07:00"), 0).to_string(),
            "2026-11-27"
        );
        // Friday after three: Monday.
        assert_eq!(
            due_date(&c, at("2026-11-27T16:00:00+07:00"), 0).to_string(),
            "2026-11-30"
        );
        // 7 working days from Friday 2026-11-27: Mon 30 .. Tue 8 Dec.
        assert_eq!(
            due_date(&c, at("2026-11-27T09:00:00+07:00"), 7).to_string(),
            "2026-12-08"
        );
    }

    #[test]
    fn pause_extends_and_overdue_is_derived() {
        let c = cal();
        let due = NaiveDate::from_ymd_opt(2026, 12, 8).expect("date");
        let paused = NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
        let resumed = NaiveDate::from_ymd_opt(2026, 12, 3).expect("date");
        assert_eq!(
            extend_for_pause(&c, due, paused, resumed).to_string(),
            "2026-12-10"
        );
        let mut s = CaseSummary {
            id: crate::ids::CaseId::NONE,
            receipt_code: String::new(),
            procedure: String::new(),
            status: hoso_schemas::Status::InProcess,
            citizen_id: String::new(),
            applicant_name: String::new(),
            province: String::new(),
            commune: String::new(),
            received_at: String::new(),
            due_date: "2026-12-08".into(),
            assigned_officer: None,
            conflict: false,
            supplement_requests: 0,
            ended_on: None,
            channel: None,
            portal_case_code: None,
            unverified: false,
            overdue: false,
        };
        assert!(!is_overdue(
            &s,
            NaiveDate::from_ymd_opt(2026, 12, 8).expect("d")
        ));
        assert!(is_overdue(
            &s,
            NaiveDate::from_ymd_opt(2026, 12, 9).expect("d")
        ));
        s.ended_on = Some("2026-12-07".into());
        assert!(!is_overdue(
            &s,
            NaiveDate::from_ymd_opt(2027, 1, 1).expect("d")
        ));
        s.supplement_requests = 2;
        assert!(is_overdue(
            &s,
            NaiveDate::from_ymd_opt(2026, 12, 1).expect("d")
        ));
    }
}
