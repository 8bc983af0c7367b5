//! The 12-digit personal identification number (số định danh cá nhân / số CCCD).

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

pub use crate::sex::Sex;

/// A personal identification number: exactly 12 ASCII digits (Decree 137/2015/NĐ-CP Art. 13).
///
/// Digits 1–3: province (or country) of birth registration; digit 4: century and sex
/// (1900s M0/F1, 2000s M2/F3, 2100s M4/F5, 2200s M6/F7, 2300s M8/F9); digits 5–6: the last
/// two digits of the birth year; digits 7–12: random. There is no check digit.
///
/// ```
/// use hoso_schemas::{CitizenId, Sex};
/// let id = CitizenId::parse(" 020325001234 ").unwrap();
/// assert_eq!(id.province_code(), "020");
/// assert_eq!(id.sex(), Sex::Female);
/// assert_eq!(id.birth_year(), 2025);
/// ```
///
/// Serialises as the bare string; deserialising validates like [`CitizenId::parse`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct CitizenId(String);

impl<'de> Deserialize<'de> for CitizenId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        CitizenId::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Why a citizen id is invalid or does not match a person's data.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CitizenIdError {
    /// Not 12 characters long.
    #[error("citizen id `{value}` must be exactly 12 digits (got {len})")]
    WrongLength {
        /// The trimmed input.
        value: String,
        /// Its length in characters.
        len: usize,
    },
    /// Contains something other than ASCII digits.
    #[error("citizen id `{value}` must be 12 digits 0-9 (found `{found}` at position {position})")]
    NotDigits {
        /// The trimmed input.
        value: String,
        /// The first offending character.
        found: char,
        /// Its 1-based position.
        position: usize,
    },
    /// The birth year the id encodes (century digit 4 plus digits 5–6) is not the year of the date of birth.
    #[error("citizen id `{id}` says born in {id_year} but the date of birth is {dob}")]
    YearMismatch {
        /// The id.
        id: String,
        /// The birth year the id encodes.
        id_year: i32,
        /// The date of birth given.
        dob: NaiveDate,
    },
    /// The sex digit does not match the recorded sex.
    #[error("citizen id `{id}` says {id_sex} (digit 4 is `{digit}`) but the recorded sex is {sex}")]
    SexMismatch {
        /// The id.
        id: String,
        /// Digit 4 of the id.
        digit: char,
        /// The sex the id encodes.
        id_sex: Sex,
        /// The recorded sex.
        sex: Sex,
    },
    /// The date of birth is outside the years the id scheme can encode (1900–2399).
    #[error(
        "citizen id `{id}`: the date of birth {dob} is outside 1900–2399, which the id cannot encode"
    )]
    YearOutOfRange {
        /// The id.
        id: String,
        /// The date of birth given.
        dob: NaiveDate,
    },
}

impl CitizenId {
    /// Parses an id: trims surrounding whitespace, then requires exactly 12 ASCII digits.
    pub fn parse(s: &str) -> Result<CitizenId, CitizenIdError> {
        let v = s.trim();
        if let Some((i, c)) = v.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
            let len = v.chars().count();
            // A wrong length is the more useful message for e.g. `12345 678`.
            if len != 12 && c.is_whitespace() {
                return Err(CitizenIdError::WrongLength {
                    value: v.to_string(),
                    len,
                });
            }
            return Err(CitizenIdError::NotDigits {
                value: v.to_string(),
                found: c,
                position: i + 1,
            });
        }
        if v.len() != 12 {
            return Err(CitizenIdError::WrongLength {
                value: v.to_string(),
                len: v.len(),
            });
        }
        Ok(CitizenId(v.to_string()))
    }

    /// The 12 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Digits 1–3: the province (or country) code of the birth registration, e.g. `"020"`.
    pub fn province_code(&self) -> &str {
        &self.0[..3]
    }

    fn century_digit(&self) -> u8 {
        self.0.as_bytes()[3] - b'0'
    }

    /// The sex encoded in digit 4 (even = male, odd = female).
    pub fn sex(&self) -> Sex {
        if self.century_digit().is_multiple_of(2) {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// The first year of the birth century encoded in digit 4 (1900, 2000, … 2300).
    pub fn century(&self) -> i32 {
        1900 + i32::from(self.century_digit() / 2) * 100
    }

    /// The full birth year: century from digit 4 plus digits 5–6.
    pub fn birth_year(&self) -> i32 {
        let b = self.0.as_bytes();
        let yy = i32::from(b[4] - b'0') * 10 + i32::from(b[5] - b'0');
        self.century() + yy
    }

    /// Checks the id against a date of birth and, if given, a sex: the century digit
    /// and the year digits must match `dob`, and the sex digit must match `sex`.
    pub fn check_birth(&self, dob: NaiveDate, sex: Option<Sex>) -> Result<(), CitizenIdError> {
        let year = dob.year();
        if !(1900..2400).contains(&year) {
            return Err(CitizenIdError::YearOutOfRange {
                id: self.0.clone(),
                dob,
            });
        }
        if self.birth_year() != year {
            return Err(CitizenIdError::YearMismatch {
                id: self.0.clone(),
                id_year: self.birth_year(),
                dob,
            });
        }
        if let Some(sex) = sex
            && sex != self.sex()
        {
            return Err(CitizenIdError::SexMismatch {
                id: self.0.clone(),
                digit: char::from(self.0.as_bytes()[3]),
                id_sex: self.sex(),
                sex,
            });
        }
        Ok(())
    }
}

impl fmt::Display for CitizenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for CitizenId {
    type Err = CitizenIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CitizenId::parse(s)
    }
}

impl AsRef<str> for CitizenId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    #[test]
    fn fixture_example() {
        let id = CitizenId::parse("020325001234").expect("valid");
        assert_eq!(id.province_code(), "020");
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.birth_year(), 2025);
        assert_eq!(id.to_string(), "020325001234");
        assert_eq!(id.check_birth(d(2025, 3, 12), Some(Sex::Female)), Ok(()));
        assert_eq!(
            serde_json::to_string(&id).expect("json"),
            "\"020325001234\""
        );
        let back: CitizenId = serde_json::from_str("\"020325001234\"").expect("json");
        assert_eq!(back, id);
        let bad: Result<CitizenId, _> = serde_json::from_str("\"12345\"");
        assert!(bad.is_err(), "deserialising validates");
    }

    #[test]
    fn wrong_length() {
        let e = CitizenId::parse("12345").expect_err("expected an error");
        assert_eq!(
            e.to_string(),
            "citizen id `12345` must be exactly 12 digits (got 5)"
        );
        assert!(matches!(
            CitizenId::parse("0203250012345"),
            Err(CitizenIdError::WrongLength { len: 13, .. })
        ));
        assert!(matches!(
            CitizenId::parse(""),
            Err(CitizenIdError::WrongLength { len: 0, .. })
        ));
    }

    #[test]
    fn non_digit() {
        let e = CitizenId::parse("02032500123A").expect_err("expected an error");
        assert_eq!(
            e,
            CitizenIdError::NotDigits {
                value: "02032500123A".into(),
                found: 'A',
                position: 12
            }
        );
        assert!(e.to_string().contains("position 12"));
        // Non-ASCII digits are rejected too.
        assert!(CitizenId::parse("٠٢٠٣٢٥٠٠١٢٣٤").is_err());
    }

    #[test]
    fn year_mismatch() {
        let id = CitizenId::parse("020325001234").expect("valid");
        // century 2000s fits 2090 but digits say 25
        let e = id
            .check_birth(d(2024, 1, 1), None)
            .expect_err("expected an error");
        assert_eq!(
            e.to_string(),
            "citizen id `020325001234` says born in 2025 but the date of birth is 2024-01-01"
        );
    }

    #[test]
    fn century_mismatch() {
        let id = CitizenId::parse("020325001234").expect("valid");
        let e = id
            .check_birth(d(1990, 3, 12), None)
            .expect_err("expected an error");
        assert_eq!(
            e.to_string(),
            "citizen id `020325001234` says born in 2025 but the date of birth is 1990-03-12"
        );
        // Same year digits, wrong century.
        let e = id
            .check_birth(d(1925, 3, 12), Some(Sex::Female))
            .expect_err("expected an error");
        assert!(matches!(
            e,
            CitizenIdError::YearMismatch { id_year: 2025, .. }
        ));
        assert!(matches!(
            id.check_birth(d(1899, 3, 12), None),
            Err(CitizenIdError::YearOutOfRange { .. })
        ));
    }

    #[test]
    fn sex_mismatch() {
        let id = CitizenId::parse("020325001234").expect("valid");
        let e = id
            .check_birth(d(2025, 3, 12), Some(Sex::Male))
            .expect_err("expected an error");
        assert!(matches!(e, CitizenIdError::SexMismatch { .. }));
        assert!(e.to_string().contains("says female"), "{e}");
        let man = CitizenId::parse("001090012345").expect("valid");
        assert_eq!(man.sex(), Sex::Male);
        assert_eq!(man.birth_year(), 1990);
        assert_eq!(man.check_birth(d(1990, 12, 31), Some(Sex::Male)), Ok(()));
    }

    #[test]
    fn all_centuries() {
        for (digit, century, sex) in [
            ('0', 1900, Sex::Male),
            ('1', 1900, Sex::Female),
            ('2', 2000, Sex::Male),
            ('3', 2000, Sex::Female),
            ('4', 2100, Sex::Male),
            ('5', 2100, Sex::Female),
            ('6', 2200, Sex::Male),
            ('7', 2200, Sex::Female),
            ('8', 2300, Sex::Male),
            ('9', 2300, Sex::Female),
        ] {
            let id = CitizenId::parse(&format!("020{digit}07123456")).expect("valid");
            assert_eq!(id.birth_year(), century + 7);
            assert_eq!(id.sex(), sex);
            assert_eq!(id.check_birth(d(century + 7, 6, 1), Some(sex)), Ok(()));
        }
    }
}
