//! Where a case stands against its appointment date, in working days: days left, days late,
//! paused while the citizen supplements, or ended (on time or late). Derived when read, never
//! stored (procedures.md §2: overdue is derived).
//!
//! ```
//! use chrono::NaiveDate;
//! use hoso_schemas::{Clock, HolidayCalendar, Status};
//! let cal = HolidayCalendar::builtin().unwrap();
//! let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
//! // Due Friday 4/9/2026; on Friday 28/8 two working days are left (29/8–2/9 are off).
//! let c = Clock::of(&cal, Status::InProcess, d(9, 4), None, None, d(8, 28));
//! assert_eq!(c, Clock::Left { working_days: 2 });
//! assert_eq!(c.label_vi(), "còn 2 ngày làm việc");
//! ```

use chrono::NaiveDate;
use serde::Serialize;

use crate::calendar::HolidayCalendar;
use crate::status::Status;

/// A case's standing against its due date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Clock {
    /// Open; due in this many working days (0: due today).
    Left {
        /// Working days after today up to and including the due date.
        working_days: i64,
    },
    /// Open and past its due date.
    Late {
        /// Working days since the due date (at least 1).
        working_days: i64,
    },
    /// Waiting for the citizen's supplement: the clock is stopped.
    Paused {
        /// The day the supplement was requested, when known.
        since: Option<NaiveDate>,
    },
    /// Processing ended.
    Ended {
        /// The day it ended.
        on: NaiveDate,
        /// Working days after the due date (0: on time).
        late_working_days: i64,
    },
}

impl Clock {
    /// The clock of a case in `status`, due on `due`, ended on `ended_on` (if it has),
    /// paused since `paused_since` (if a supplement is pending), as of `today`.
    pub fn of(
        cal: &HolidayCalendar,
        status: Status,
        due: NaiveDate,
        ended_on: Option<NaiveDate>,
        paused_since: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Clock {
        if let Some(on) = ended_on {
            return Clock::Ended {
                on,
                late_working_days: if on > due {
                    cal.working_days_between(due, on).max(1)
                } else {
                    0
                },
            };
        }
        if status == Status::SupplementRequested {
            return Clock::Paused {
                since: paused_since,
            };
        }
        if today > due {
            Clock::Late {
                working_days: cal.working_days_between(due, today).max(1),
            }
        } else {
            Clock::Left {
                working_days: cal.working_days_between(today, due),
            }
        }
    }

    /// The clock in Vietnamese, e.g. "còn 2 ngày làm việc", "quá hạn 3 ngày làm việc",
    /// "tạm dừng từ 24/11/2026 (chờ bổ sung)".
    pub fn label_vi(&self) -> String {
        let dmy = |d: &NaiveDate| d.format("%d/%m/%Y").to_string();
        match self {
            Clock::Left { working_days: 0 } => "hạn hôm nay".to_string(),
            Clock::Left { working_days } => format!("còn {working_days} ngày làm việc"),
            Clock::Late { working_days } => format!("quá hạn {working_days} ngày làm việc"),
            Clock::Paused { since: Some(d) } => format!("tạm dừng từ {} (chờ bổ sung)", dmy(d)),
            Clock::Paused { since: None } => "tạm dừng (chờ bổ sung)".to_string(),
            Clock::Ended {
                on,
                late_working_days: 0,
            } => format!("xong đúng hạn ({})", dmy(on)),
            Clock::Ended {
                on,
                late_working_days,
            } => format!("xong trễ {late_working_days} ngày làm việc ({})", dmy(on)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).expect("date")
    }

    #[test]
    fn left_late_paused_ended() {
        let cal = HolidayCalendar::builtin().expect("calendar");
        let open = |due, today| Clock::of(&cal, Status::InProcess, due, None, None, today);
        assert_eq!(open(d(11, 27), d(11, 27)), Clock::Left { working_days: 0 });
        assert_eq!(open(d(11, 30), d(11, 27)), Clock::Left { working_days: 1 });
        // Due Friday 27/11, Saturday 28/11: late, though no working day has passed yet.
        assert_eq!(open(d(11, 27), d(11, 28)), Clock::Late { working_days: 1 });
        assert_eq!(open(d(11, 27), d(12, 2)), Clock::Late { working_days: 3 });
        // Due Friday 28/8/2026: by Thursday 3/9 only one working day has passed.
        assert_eq!(open(d(8, 28), d(9, 3)), Clock::Late { working_days: 1 });
        let paused = Clock::of(
            &cal,
            Status::SupplementRequested,
            d(11, 27),
            None,
            Some(d(11, 24)),
            d(12, 9),
        );
        assert_eq!(paused.label_vi(), "tạm dừng từ 24/11/2026 (chờ bổ sung)");
        let ended = Clock::of(
            &cal,
            Status::Returned,
            d(11, 27),
            Some(d(12, 1)),
            None,
            d(12, 9),
        );
        assert_eq!(ended.label_vi(), "xong trễ 2 ngày làm việc (01/12/2026)");
        let on_time = Clock::of(
            &cal,
            Status::Decided,
            d(11, 27),
            Some(d(11, 27)),
            None,
            d(12, 9),
        );
        assert_eq!(on_time.label_vi(), "xong đúng hạn (27/11/2026)");
        assert_eq!(
            open(d(11, 27), d(12, 2)).label_vi(),
            "quá hạn 3 ngày làm việc"
        );
        assert_eq!(open(d(11, 27), d(11, 27)).label_vi(), "hạn hôm nay");
    }
}
