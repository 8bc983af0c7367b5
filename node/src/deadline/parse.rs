//! The dates a case document and its summary store, as text (`YYYY-MM-DD`, maybe followed by
//! a time): below [`crate::case`], which reads them, and [`crate::deadline`], which reasons on them.

use chrono::NaiveDate;

/// Parses a stored `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()
}
