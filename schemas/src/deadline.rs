//! A statutory time limit as catalog data: working days, the extension when verification is
//! needed, the cut-off hour after which a dossier counts as received the next working day, the
//! citizen's time to supplement, and the legal source of each.
//!
//! Counting (procedures.md §1, "Counting used by the catalog"): the day of receipt is not
//! counted; `working_days = 0` means the same working day; a dossier received at or after the
//! cut-off (or, for a same-day procedure, on a day off) counts from the next working day;
//! official make-up Saturdays are working days.
//!
//! ```
//! use chrono::DateTime;
//! use hoso_schemas::{Deadline, HolidayCalendar};
//! let cal = HolidayCalendar::builtin().unwrap();
//! let same_day = Deadline::same_day("Luật Hộ tịch 2014, Điều 16");
//! // Wednesday 31/12/2025 after 15:00: 1/1 and 2/1/2026 are days off, 3–4/1 a weekend.
//! let at = DateTime::parse_from_rfc3339("2025-12-31T15:30:00+07:00").unwrap();
//! assert_eq!(same_day.due_date(&cal, at).to_string(), "2026-01-05");
//! ```

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, Offset, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::HolidayCalendar;

/// Vietnam's offset (UTC+7): receipt times and deadlines are local.
pub fn vn_offset() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).unwrap_or(Utc.fix())
}

/// The cut-off of same-day procedures when the catalog names none: 15:00 (Quyết định
/// 1872/QĐ-BTP: a birth dossier received after 15 giờ is returned the next working day).
pub fn default_same_day_cutoff() -> NaiveTime {
    NaiveTime::from_hms_opt(15, 0, 0).unwrap_or(NaiveTime::MIN)
}

/// A time limit and where it comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    /// Working days after the day of receipt; 0 means the same working day.
    pub working_days: u32,
    /// The limit when the dossier must be verified (xác minh), if the law allows one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification_working_days: Option<u32>,
    /// Received at or after this local time, the dossier counts from the next working day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_after: Option<NaiveTime>,
    /// Working days the citizen has to supplement an incomplete dossier, if the law sets them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplement_working_days: Option<u32>,
    /// The legal source of these values (article and document), with a confidence note.
    pub source: String,
}

impl Deadline {
    /// A same-day limit with the default 15:00 cut-off.
    pub fn same_day(source: &str) -> Deadline {
        Deadline {
            working_days: 0,
            verification_working_days: None,
            received_after: Some(default_same_day_cutoff()),
            supplement_working_days: None,
            source: source.to_string(),
        }
    }

    /// The limit in working days, with or without verification.
    pub fn days(&self, verification: bool) -> u32 {
        match (verification, self.verification_working_days) {
            (true, Some(v)) => v,
            _ => self.working_days,
        }
    }

    /// The day a dossier received at `received` counts as received: the receipt date, or the
    /// next working day when it came at or after the cut-off (or on a day off, for a same-day
    /// limit).
    pub fn counted_from(
        &self,
        cal: &HolidayCalendar,
        received: DateTime<FixedOffset>,
    ) -> NaiveDate {
        let local = received.with_timezone(&vn_offset());
        let date = local.date_naive();
        let late = self.received_after.is_some_and(|c| local.time() >= c);
        if late {
            return cal.add_working_days(date, 1);
        }
        date
    }

    /// The appointment date (ngày hẹn trả) for a dossier received at `received`.
    pub fn due_date(&self, cal: &HolidayCalendar, received: DateTime<FixedOffset>) -> NaiveDate {
        self.due_date_with(cal, received, false)
    }

    /// The appointment date, with the verification limit when `verification` is true.
    pub fn due_date_with(
        &self,
        cal: &HolidayCalendar,
        received: DateTime<FixedOffset>,
        verification: bool,
    ) -> NaiveDate {
        let from = self.counted_from(cal, received);
        match self.days(verification) {
            0 => cal.next_working_day(from),
            n => cal.add_working_days(from, n),
        }
    }

    /// The date the citizen must supplement by, for a request made on `requested_on`.
    pub fn supplement_due(
        &self,
        cal: &HolidayCalendar,
        requested_on: NaiveDate,
    ) -> Option<NaiveDate> {
        self.supplement_working_days
            .map(|n| cal.add_working_days(requested_on, n))
    }

    /// "3 ngày làm việc (5 ngày làm việc nếu phải xác minh)", or "trong ngày làm việc".
    pub fn limit_vi(&self) -> String {
        let days = |n: u32| {
            if n == 0 {
                "trong ngày làm việc".to_string()
            } else {
                format!("{n} ngày làm việc")
            }
        };
        let mut s = days(self.working_days);
        if let Some(v) = self.verification_working_days {
            s.push_str(&format!(" ({} nếu phải xác minh)", days(v)));
        }
        s
    }

    /// [`Deadline::limit_vi`] and the cut-off rule, e.g. "…; nhận sau 15:00 tính từ ngày làm
    /// việc tiếp theo".
    pub fn label_vi(&self) -> String {
        let mut s = self.limit_vi();
        if let Some(c) = self.received_after {
            s.push_str(&format!(
                "; nhận sau {} tính từ ngày làm việc tiếp theo",
                c.format("%H:%M")
            ));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).expect("time")
    }

    fn cal() -> HolidayCalendar {
        HolidayCalendar::builtin().expect("builtin calendar")
    }

    fn days(n: u32, cutoff: bool) -> Deadline {
        Deadline {
            working_days: n,
            verification_working_days: Some(n + 2),
            received_after: cutoff.then(default_same_day_cutoff),
            supplement_working_days: Some(7),
            source: "test".into(),
        }
    }

    #[test]
    fn same_day_rolls_after_cutoff_and_on_days_off() {
        let c = cal();
        let d = Deadline::same_day("x");
        // Thursday 26/11/2026.
        assert_eq!(
            d.due_date(&c, at("2026-11-26T09:00:00+07:00")).to_string(),
            "2026-11-26"
        );
        assert_eq!(
            d.due_date(&c, at("2026-11-26T15:00:00+07:00")).to_string(),
            "2026-11-27"
        );
        // Friday after three: Monday.
        assert_eq!(
            d.due_date(&c, at("2026-11-27T16:00:00+07:00")).to_string(),
            "2026-11-30"
        );
        // Received online on a Saturday morning: Monday.
        assert_eq!(
            d.due_date(&c, at("2026-11-28T09:00:00+07:00")).to_string(),
            "2026-11-30"
        );
        // UTC input is read in Vietnam time: 08:30Z is 15:30 local.
        assert_eq!(
            d.due_date(&c, at("2026-11-26T08:30:00Z")).to_string(),
            "2026-11-27"
        );
    }

    #[test]
    fn working_days_without_cutoff_count_from_the_receipt_day() {
        let c = cal();
        let d = days(7, false);
        // 7 working days from Friday 27/11/2026: Mon 30 .. Tue 8/12, whatever the hour.
        assert_eq!(
            d.due_date(&c, at("2026-11-27T09:00:00+07:00")).to_string(),
            "2026-12-08"
        );
        assert_eq!(
            d.due_date(&c, at("2026-11-27T16:00:00+07:00")).to_string(),
            "2026-12-08"
        );
        assert_eq!(
            d.due_date_with(&c, at("2026-11-27T09:00:00+07:00"), true)
                .to_string(),
            "2026-12-10"
        );
    }

    #[test]
    fn working_days_with_cutoff_start_a_day_later() {
        let c = cal();
        let d = days(3, true);
        // Monday 23/11/2026 morning: Tue, Wed, Thu.
        assert_eq!(
            d.due_date(&c, at("2026-11-23T10:00:00+07:00")).to_string(),
            "2026-11-26"
        );
        // After 15:00: counted from Tuesday, so Wed, Thu, Fri.
        assert_eq!(
            d.due_date(&c, at("2026-11-23T15:01:00+07:00")).to_string(),
            "2026-11-27"
        );
    }

    #[test]
    fn supplement_deadline_and_label() {
        let c = cal();
        let d = days(3, true);
        let on = NaiveDate::from_ymd_opt(2026, 11, 27).expect("date");
        assert_eq!(
            d.supplement_due(&c, on).map(|x| x.to_string()).as_deref(),
            Some("2026-12-08")
        );
        assert_eq!(
            d.label_vi(),
            "3 ngày làm việc (5 ngày làm việc nếu phải xác minh); nhận sau 15:00 tính từ ngày làm việc tiếp theo"
        );
        assert_eq!(
            Deadline::same_day("x").label_vi(),
            "trong ngày làm việc; nhận sau 15:00 tính từ ngày làm việc tiếp theo"
        );
    }
}
