//! Officer accounts: id, name, role and an argon2 passphrase hash.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use hoso_schemas::Role;
use serde::{Deserialize, Serialize};

use crate::error::{NodeError, Refusal, Result};

/// A stored officer account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Officer {
    /// Login id (lower-case ASCII letters, digits, `.`, `_`, `-`).
    pub id: String,
    /// Full name.
    pub name: String,
    /// What the officer may do.
    pub role: Role,
    /// argon2id PHC string.
    #[serde(skip_serializing_if = "String::is_empty", default)]
    pub passphrase_hash: String,
    /// When the account was created (RFC 3339).
    pub created_at: String,
    /// When a supervisor disabled the account (RFC 3339); a disabled officer cannot log in or
    /// write, and their sessions ended then (issue 12).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub disabled_at: Option<String>,
    /// The passphrase is a one-time one set by `officer reset`: the officer must set their own
    /// (`officer passwd`) before anything else.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub must_change: bool,
}

impl Officer {
    /// The account without its hash, for printing.
    pub fn public(&self) -> Officer {
        Officer {
            passphrase_hash: String::new(),
            ..self.clone()
        }
    }

    /// True when a supervisor disabled the account.
    pub fn is_disabled(&self) -> bool {
        self.disabled_at.is_some()
    }

    /// True when the role may change cases.
    pub fn can_write(&self) -> bool {
        matches!(self.role, Role::Officer | Role::Supervisor)
    }
}

/// Checks an officer id: 1–64 characters of `a-z 0-9 . _ -`.
pub fn validate_id(id: &str) -> Result<()> {
    let ok = !id.is_empty()
        && id.len() <= crate::chain::entry::MAX_OFFICER_LEN
        && id.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
        });
    if ok {
        Ok(())
    } else {
        Err(Refusal::BadOfficerId(crate::text::escape_line(id).into_owned()).into())
    }
}

/// Hashes a passphrase with argon2id and a random salt.
pub fn hash_passphrase(passphrase: &str) -> Result<String> {
    if passphrase.chars().count() < 6 {
        return Err(Refusal::ShortPassphrase.into());
    }
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())
        .map_err(|cause| NodeError::PassphraseHash { cause })?;
    Argon2::default()
        .hash_password(passphrase.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|cause| NodeError::PassphraseHash { cause })
}

/// Checks a passphrase against a stored hash.
pub fn verify_passphrase(officer: &Officer, passphrase: &str) -> Result<()> {
    let parsed = PasswordHash::new(&officer.passphrase_hash).map_err(|e| NodeError::Corrupt {
        what: format!("passphrase hash of officer `{}`", officer.id),
        detail: e.to_string(),
    })?;
    Argon2::default()
        .verify_password(passphrase.as_bytes(), &parsed)
        .map_err(|_| NodeError::WrongPassphrase(officer.id.clone()))
}
