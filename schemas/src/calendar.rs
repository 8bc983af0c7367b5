//! The working-day calendar: weekends and Vietnamese public holidays, for statutory deadlines.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::Deserialize;
use toml::Spanned;

use crate::catalog_error::CatalogError;

/// The holiday file shipped with hoso, embedded at build time.
pub const BUILTIN_HOLIDAYS: &str = include_str!("../../fixtures/holidays.toml");

/// Public holidays and swapped working days; Monday to Friday are working days unless listed
/// as a holiday, and a Saturday or Sunday is a working day only if listed as a `workday`
/// (a make-up day, "làm bù").
///
/// File format:
///
/// ```toml
/// [[holiday]]
/// date = "2025-09-02"
/// name = "Quốc khánh"
///
/// [[workday]]          # optional: a weekend day worked to make up for a bridge holiday
/// date = "2025-04-26"
/// name = "Làm bù cho ngày 02/5/2025"
/// ```
///
/// ```
/// use chrono::NaiveDate;
/// use hoso_schemas::HolidayCalendar;
/// let cal = HolidayCalendar::builtin().unwrap();
/// let fri = NaiveDate::from_ymd_opt(2025, 3, 14).unwrap();
/// // Two working days after a Friday is the Tuesday.
/// assert_eq!(cal.add_working_days(fri, 2), NaiveDate::from_ymd_opt(2025, 3, 18).unwrap());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HolidayCalendar {
    holidays: BTreeMap<NaiveDate, String>,
    workdays: BTreeMap<NaiveDate, String>,
}

/// Whether a listed day is a day off or a weekend day worked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// A public holiday or a day off in lieu (nghỉ).
    Holiday,
    /// A Saturday or Sunday worked in lieu (làm bù).
    Workday,
}

/// One listed day of the calendar.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CalendarDay {
    /// The date.
    pub date: NaiveDate,
    /// Day off or make-up working day.
    pub kind: DayKind,
    /// Its name, e.g. "Tết Dương lịch".
    pub name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalendar {
    #[serde(default)]
    holiday: Vec<RawDay>,
    #[serde(default)]
    workday: Vec<RawDay>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDay {
    date: Spanned<toml::Value>,
    name: String,
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

impl HolidayCalendar {
    /// A calendar with no holidays: Monday to Friday are working days.
    pub fn new() -> HolidayCalendar {
        HolidayCalendar::default()
    }

    /// The calendar shipped with hoso (`fixtures/holidays.toml`: 2025–2027).
    pub fn builtin() -> Result<HolidayCalendar, CatalogError> {
        HolidayCalendar::parse_toml("fixtures/holidays.toml", BUILTIN_HOLIDAYS)
    }

    /// Reads a holiday file.
    pub fn load(path: &Path) -> Result<HolidayCalendar, CatalogError> {
        let text = std::fs::read_to_string(path).map_err(|e| CatalogError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        HolidayCalendar::parse_toml(&path.display().to_string(), &text)
    }

    /// Parses a holiday file; `name` is used in error messages.
    pub fn parse_toml(name: &str, text: &str) -> Result<HolidayCalendar, CatalogError> {
        let raw: RawCalendar =
            toml::from_str(text).map_err(|e| CatalogError::from_toml(name, text, &e))?;
        let mut cal = HolidayCalendar::new();
        for (kind, days) in [("holiday", raw.holiday), ("workday", raw.workday)] {
            for (i, day) in days.into_iter().enumerate() {
                let offset = day.date.span().start;
                let path = format!("{kind}[{i}].date");
                let bad = |m: String| CatalogError::invalid(name, text, offset, path.clone(), m);
                let date = match day.date.get_ref() {
                    toml::Value::String(s) => crate::field::parse_date(s.trim()),
                    toml::Value::Datetime(dt) => {
                        dt.date.filter(|_| dt.time.is_none()).and_then(|d| {
                            NaiveDate::from_ymd_opt(
                                i32::from(d.year),
                                u32::from(d.month),
                                u32::from(d.day),
                            )
                        })
                    }
                    _ => None,
                }
                .ok_or_else(|| {
                    bad(format!(
                        "`{}` is not a date (expected \"YYYY-MM-DD\")",
                        day.date.get_ref()
                    ))
                })?;
                if cal.holidays.contains_key(&date) || cal.workdays.contains_key(&date) {
                    return Err(bad(format!("{date} is listed twice")));
                }
                let label = crate::text::nfc(day.name.trim());
                if kind == "holiday" {
                    cal.holidays.insert(date, label);
                } else {
                    if !is_weekend(date) {
                        return Err(bad(format!(
                            "{date} is a {} and already a working day (a workday entry is for a Saturday or Sunday worked in lieu)",
                            date.weekday()
                        )));
                    }
                    cal.workdays.insert(date, label);
                }
            }
        }
        Ok(cal)
    }

    /// Adds a holiday (replacing the name if the date is already one).
    pub fn add_holiday(&mut self, date: NaiveDate, name: &str) {
        self.workdays.remove(&date);
        self.holidays.insert(date, name.to_string());
    }

    /// The holiday's name, if `d` is a listed holiday.
    pub fn holiday(&self, d: NaiveDate) -> Option<&str> {
        self.holidays.get(&d).map(String::as_str)
    }

    /// The holidays, in date order.
    pub fn holidays(&self) -> impl Iterator<Item = (NaiveDate, &str)> {
        self.holidays.iter().map(|(d, n)| (*d, n.as_str()))
    }

    /// The make-up weekend days worked (làm bù), in date order.
    pub fn workdays(&self) -> impl Iterator<Item = (NaiveDate, &str)> {
        self.workdays.iter().map(|(d, n)| (*d, n.as_str()))
    }

    /// The make-up day's name, if `d` is a weekend day worked in lieu.
    pub fn workday(&self, d: NaiveDate) -> Option<&str> {
        self.workdays.get(&d).map(String::as_str)
    }

    /// Every listed day of `year` (holidays and make-up days), in date order.
    pub fn year(&self, year: i32) -> Vec<CalendarDay> {
        let in_year = |d: &NaiveDate| d.year() == year;
        let mut out: Vec<CalendarDay> = self
            .holidays
            .iter()
            .filter(|(d, _)| in_year(d))
            .map(|(d, n)| CalendarDay {
                date: *d,
                kind: DayKind::Holiday,
                name: n.clone(),
            })
            .chain(
                self.workdays
                    .iter()
                    .filter(|(d, _)| in_year(d))
                    .map(|(d, n)| CalendarDay {
                        date: *d,
                        kind: DayKind::Workday,
                        name: n.clone(),
                    }),
            )
            .collect();
        out.sort_by_key(|d| d.date);
        out
    }

    /// The years with at least one listed day, ascending.
    pub fn years(&self) -> Vec<i32> {
        let mut ys: Vec<i32> = self
            .holidays
            .keys()
            .chain(self.workdays.keys())
            .map(chrono::Datelike::year)
            .collect();
        ys.sort_unstable();
        ys.dedup();
        ys
    }

    /// The calendar of a data dir: `path` when that file exists, else the built-in one. Also
    /// returns where it came from (the path, or `built-in`). A file that exists but does not
    /// parse is an error: a broken calendar never silently falls back.
    pub fn load_or_builtin(path: &Path) -> Result<(HolidayCalendar, String), CatalogError> {
        if path.exists() {
            Ok((HolidayCalendar::load(path)?, path.display().to_string()))
        } else {
            Ok((HolidayCalendar::builtin()?, "built-in".to_string()))
        }
    }

    /// True on Monday to Friday when `d` is not a holiday, and on a listed make-up workday.
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        if self.holidays.contains_key(&d) {
            return false;
        }
        !is_weekend(d) || self.workdays.contains_key(&d)
    }

    /// `d` if it is a working day, otherwise the next working day.
    pub fn next_working_day(&self, d: NaiveDate) -> NaiveDate {
        let mut day = d;
        while !self.is_working_day(day) {
            match day.checked_add_days(Days::new(1)) {
                Some(next) => day = next,
                None => break,
            }
        }
        day
    }

    /// The date `n` working days after `start`. With `n = 0`: `start` if it is a working day,
    /// else the next working day. Otherwise it counts `n` working days strictly after `start`
    /// (so `start` itself never counts, whatever day it is).
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        if n == 0 {
            return self.next_working_day(start);
        }
        let mut day = start;
        let mut left = n;
        while left > 0 {
            match day.checked_add_days(Days::new(1)) {
                Some(next) => day = next,
                None => break,
            }
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// The number of working days in `(a, b]`; negative (minus the count in `(b, a]`) when `b < a`.
    pub fn working_days_between(&self, a: NaiveDate, b: NaiveDate) -> i64 {
        if b < a {
            return -self.working_days_between(b, a);
        }
        // Weekdays in (a, b], then correct for holidays on weekdays and make-up weekend days.
        let weekdays_upto = |d: NaiveDate| -> i64 {
            // Weekdays in [epoch Monday, d] for any d; a monotone counter.
            let days = i64::from(d.num_days_from_ce()) - 1; // 0001-01-01 was a Monday
            let weeks = days.div_euclid(7);
            let rem = days.rem_euclid(7) + 1; // days of the last partial week, Monday first
            weeks * 5 + rem.min(5)
        };
        let mut count = weekdays_upto(b) - weekdays_upto(a);
        let range = (std::ops::Bound::Excluded(a), std::ops::Bound::Included(b));
        count -= self
            .holidays
            .range(range)
            .filter(|(d, _)| !is_weekend(**d))
            .count() as i64;
        count += self
            .workdays
            .range(range)
            .filter(|(d, _)| !self.holidays.contains_key(*d))
            .count() as i64;
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    fn cal() -> HolidayCalendar {
        HolidayCalendar::builtin().expect("builtin holidays load")
    }

    #[test]
    fn builtin_covers_three_years() {
        let c = cal();
        for y in [2025, 2026, 2027] {
            assert!(c.holiday(d(y, 1, 1)).is_some(), "new year {y}");
            assert!(c.holiday(d(y, 4, 30)).is_some(), "30/4 {y}");
            assert!(c.holiday(d(y, 5, 1)).is_some(), "1/5 {y}");
            assert!(c.holiday(d(y, 9, 2)).is_some(), "2/9 {y}");
            let tet = c
                .holidays()
                .filter(|(h, n)| h.year() == y && h.month() <= 2 && n.contains("Tết Nguyên đán"))
                .count();
            assert!(tet >= 5, "Tết {y}: {tet}");
        }
        // Tết Bính Ngọ 2026: 14–22 Feb.
        for day in 14..=22 {
            assert!(!c.is_working_day(d(2026, 2, day)), "2026-02-{day}");
        }
        assert!(c.is_working_day(d(2026, 2, 13)));
        assert!(c.is_working_day(d(2026, 2, 23)));
    }

    #[test]
    fn weekend() {
        let c = HolidayCalendar::new();
        let fri = d(2025, 3, 14);
        assert!(c.is_working_day(fri));
        assert!(!c.is_working_day(d(2025, 3, 15)));
        assert!(!c.is_working_day(d(2025, 3, 16)));
        assert_eq!(c.add_working_days(fri, 0), fri);
        assert_eq!(c.add_working_days(fri, 1), d(2025, 3, 17));
        assert_eq!(c.add_working_days(fri, 5), d(2025, 3, 21));
        assert_eq!(c.add_working_days(d(2025, 3, 15), 0), d(2025, 3, 17));
        assert_eq!(c.add_working_days(d(2025, 3, 15), 1), d(2025, 3, 17));
        assert_eq!(c.working_days_between(fri, d(2025, 3, 17)), 1);
        assert_eq!(c.working_days_between(fri, d(2025, 3, 16)), 0);
        assert_eq!(c.working_days_between(d(2025, 3, 17), fri), -1);
        assert_eq!(c.working_days_between(fri, fri), 0);
    }

    #[test]
    fn across_tet_2026() {
        let c = cal();
        let fri = d(2026, 2, 13);
        assert_eq!(c.add_working_days(fri, 1), d(2026, 2, 23));
        assert_eq!(c.add_working_days(fri, 7), d(2026, 3, 3));
        assert_eq!(c.add_working_days(d(2026, 2, 17), 0), d(2026, 2, 23));
        assert_eq!(c.working_days_between(fri, d(2026, 2, 23)), 1);
        assert_eq!(c.working_days_between(d(2026, 2, 10), d(2026, 2, 24)), 5);
        assert_eq!(c.working_days_between(d(2026, 2, 24), d(2026, 2, 10)), -5);
    }

    #[test]
    fn make_up_saturday_2025() {
        let c = cal();
        // 30/4–4/5/2025: Friday 2 May off, Saturday 26 April worked in lieu.
        assert!(c.is_working_day(d(2025, 4, 26)));
        assert!(!c.is_working_day(d(2025, 5, 2)));
        assert_eq!(c.add_working_days(d(2025, 4, 29), 1), d(2025, 5, 5));
        assert_eq!(c.add_working_days(d(2025, 4, 25), 1), d(2025, 4, 26));
        // Sat 26/4 (make-up), Mon 28, Tue 29, Mon 5/5.
        assert_eq!(c.working_days_between(d(2025, 4, 25), d(2025, 5, 5)), 4);
    }

    #[test]
    fn between_matches_stepping() {
        let c = cal();
        let start = d(2024, 12, 20);
        let mut day = start;
        let mut stepped = 0;
        for _ in 0..1200 {
            day = day.succ_opt().expect("date");
            if c.is_working_day(day) {
                stepped += 1;
            }
            assert_eq!(c.working_days_between(start, day), stepped, "{day}");
            if stepped > 0 && c.is_working_day(day) {
                assert_eq!(c.add_working_days(start, stepped as u32), day);
            }
        }
    }

    #[test]
    fn corrections_of_2026() {
        let c = cal();
        // New Year: Fri 2/1 off, Sat 10/1 worked (Official Letter 12729/VPCP-KGVX).
        assert!(!c.is_working_day(d(2026, 1, 1)));
        assert!(!c.is_working_day(d(2026, 1, 2)));
        assert!(c.is_working_day(d(2026, 1, 10)));
        assert!(c.workday(d(2026, 1, 10)).is_some());
        assert_eq!(c.add_working_days(d(2025, 12, 31), 1), d(2026, 1, 5));
        assert_eq!(c.add_working_days(d(2026, 1, 9), 1), d(2026, 1, 10));
        // National Day: 29/8–2/9, Mon 31/8 off, Sat 22/8 worked.
        assert!(c.is_working_day(d(2026, 8, 22)));
        for day in [29, 30, 31] {
            assert!(!c.is_working_day(d(2026, 8, day)), "2026-08-{day}");
        }
        assert!(!c.is_working_day(d(2026, 9, 1)));
        assert!(!c.is_working_day(d(2026, 9, 2)));
        assert!(c.is_working_day(d(2026, 9, 3)));
        assert_eq!(c.add_working_days(d(2026, 8, 28), 1), d(2026, 9, 3));
        assert_eq!(c.add_working_days(d(2026, 8, 21), 1), d(2026, 8, 22));
        // Tết: 16/2 is 29 tháng Chạp (no 30 that year).
        let eve = c.holiday(d(2026, 2, 16)).expect("16/2 listed");
        assert!(eve.contains("29 tháng Chạp"), "{eve}");
        assert!(!eve.contains("30"), "{eve}");
        // The year listing: both swaps and Tết, in date order.
        let y = c.year(2026);
        assert!(y.windows(2).all(|w| w[0].date < w[1].date));
        let workdays: Vec<NaiveDate> = y
            .iter()
            .filter(|x| x.kind == DayKind::Workday)
            .map(|x| x.date)
            .collect();
        assert_eq!(workdays, [d(2026, 1, 10), d(2026, 8, 22)]);
        assert_eq!(
            y.iter()
                .filter(|x| x.kind == DayKind::Holiday && x.date.month() == 2)
                .count(),
            9
        );
        assert!(c.years().contains(&2026));
    }

    #[test]
    fn load_or_builtin_prefers_the_file_and_never_hides_a_broken_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("holidays.toml");
        let (c, from) = HolidayCalendar::load_or_builtin(&path).expect("builtin");
        assert_eq!(from, "built-in");
        assert_eq!(c, cal());
        std::fs::write(
            &path,
            "[[holiday]]\ndate = \"2030-03-04\"\nname = \"Ngày thử\"\n",
        )
        .expect("write");
        let (c, from) = HolidayCalendar::load_or_builtin(&path).expect("file");
        assert_eq!(from, path.display().to_string());
        assert!(!c.is_working_day(d(2030, 3, 4)));
        assert!(
            c.is_working_day(d(2026, 1, 2)),
            "the file replaces the built-in copy"
        );
        std::fs::write(&path, "[[holiday]]\ndate = \"2030-02-30\"\nname = \"x\"\n").expect("write");
        assert!(HolidayCalendar::load_or_builtin(&path).is_err());
    }

    #[test]
    fn errors_name_file_and_line() {
        let e = HolidayCalendar::parse_toml(
            "h.toml",
            "[[holiday]]\ndate = \"2025-01-01\"\nname = \"a\"\n\n[[holiday]]\ndate = \"2025-02-30\"\nname = \"b\"\n",
        )
        .expect_err("expected an error");
        assert_eq!(e.line(), Some(6));
        assert_eq!(e.field_path(), Some("holiday[1].date"));
        assert!(
            e.to_string()
                .starts_with("h.toml:6: field `holiday[1].date`: "),
            "{e}"
        );
        let e = HolidayCalendar::parse_toml(
            "h.toml",
            "[[holiday]]\ndate = \"2025-01-01\"\nnme = \"a\"\n",
        )
        .expect_err("expected an error");
        assert_eq!(e.line(), Some(3));
        assert!(e.to_string().contains("nme"), "{e}");
        let e =
            HolidayCalendar::parse_toml("h.toml", "[[holiday]\n").expect_err("expected an error");
        assert_eq!(e.line(), Some(1));
        let e = HolidayCalendar::parse_toml(
            "h.toml",
            "[[holiday]]\ndate = 2025-01-01\nname = \"a\"\n[[holiday]]\ndate = \"01/01/2025\"\nname = \"b\"\n",
        )
        .expect_err("expected an error");
        assert!(e.to_string().contains("listed twice"), "{e}");
        assert_eq!(e.line(), Some(5));
    }
}
