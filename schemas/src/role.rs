//! Officer roles.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The role of an officer account; procedures say which roles may make which transition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A one-stop desk officer (cán bộ một cửa): receives and processes cases.
    Officer,
    /// A supervisor (lãnh đạo): signs decisions and stops cases.
    Supervisor,
    /// An auditor (kiểm tra): reads and verifies, never writes cases.
    Auditor,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 3] = [Role::Officer, Role::Supervisor, Role::Auditor];

    /// The stable `snake_case` word, e.g. `"supervisor"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Officer => "officer",
            Role::Supervisor => "supervisor",
            Role::Auditor => "auditor",
        }
    }

    /// The Vietnamese label.
    pub fn label_vi(self) -> &'static str {
        match self {
            Role::Officer => "Cán bộ một cửa",
            Role::Supervisor => "Lãnh đạo",
            Role::Auditor => "Kiểm tra viên",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A word that is not one of the role words.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown role `{word}` (expected one of: {})", valid_role_words())]
pub struct UnknownRole {
    /// The word that was given.
    pub word: String,
}

/// All role words, comma separated.
pub fn valid_role_words() -> String {
    Role::ALL.map(Role::as_str).join(", ")
}

impl FromStr for Role {
    type Err = UnknownRole;

    /// Parses a role word. Surrounding whitespace and ASCII case are ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let w = s.trim().to_ascii_lowercase();
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == w)
            .ok_or_else(|| UnknownRole {
                word: s.to_string(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
            assert_eq!(r.to_string(), r.as_str());
            assert_eq!(
                serde_json::to_string(&r).expect("serialize"),
                format!("\"{r}\"")
            );
        }
    }

    #[test]
    fn unknown_lists_valid() {
        let msg = "clerk"
            .parse::<Role>()
            .expect_err("expected an error")
            .to_string();
        assert_eq!(
            msg,
            "unknown role `clerk` (expected one of: officer, supervisor, auditor)"
        );
    }
}
