//! Sex as recorded on identity and civil-status documents.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::text::fold;

/// Sex as encoded in the personal ID number and on civil-status forms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Male ("Nam").
    Male,
    /// Female ("Nữ").
    Female,
}

impl Sex {
    /// The stable word, `"male"` or `"female"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }

    /// The Vietnamese label, `"Nam"` or `"Nữ"`.
    pub fn label_vi(self) -> &'static str {
        match self {
            Sex::Male => "Nam",
            Sex::Female => "Nữ",
        }
    }
}

impl fmt::Display for Sex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A word that is not a sex word.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown sex `{word}` (expected one of: male, female, nam, nữ)")]
pub struct UnknownSex {
    /// The word that was given.
    pub word: String,
}

impl FromStr for Sex {
    type Err = UnknownSex;

    /// Accepts `male`/`female`/`nam`/`nữ`/`nu` in any case, with or without accents.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match fold(s.trim()).as_str() {
            "male" | "nam" | "m" => Ok(Sex::Male),
            "female" | "nu" | "f" => Ok(Sex::Female),
            _ => Err(UnknownSex {
                word: s.to_string(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_words() {
        for w in ["male", "Male", "NAM", "nam", " Nam "] {
            assert_eq!(w.parse::<Sex>(), Ok(Sex::Male), "{w}");
        }
        for w in ["female", "FEMALE", "nữ", "Nữ", "NỮ", "nu", "Nu"] {
            assert_eq!(w.parse::<Sex>(), Ok(Sex::Female), "{w}");
        }
        assert!("boy".parse::<Sex>().is_err());
        assert_eq!(Sex::Female.label_vi(), "Nữ");
        assert_eq!(
            serde_json::to_string(&Sex::Female).expect("json"),
            "\"female\""
        );
    }
}
