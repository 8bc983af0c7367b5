//! Officer accounts: creating them, reading them, checking a passphrase.

use hoso_schemas::Role;
use redb::{ReadableDatabase, ReadableTable, ReadableTableMetadata};

use crate::chain::entry::Action;
use crate::deadline;
use crate::error::{Limited, NodeError, Refusal, Result};
use crate::ids::CaseId;
use crate::officer::{self, Officer};
use crate::store::tables::*;
use crate::write::{Author, Permission};
use crate::{limits, text};

use super::handle::{Node, now_ms};

impl Node {
    /// Creates an officer account, authored by `by`: a supervisor, or the node itself for the
    /// first account of an empty roster (set-up).
    pub fn add_officer(
        &self,
        by: &Author,
        id: &str,
        name: &str,
        role: Role,
        passphrase: &str,
    ) -> Result<Officer> {
        officer::validate_id(id)?;
        let name = hoso_schemas::nfc(name.trim());
        if name.is_empty() {
            return Err(Refusal::EmptyOfficerName.into());
        }
        text::check("the officer name", &name)?;
        limits::check(Limited::Name, name.len(), limits::MAX_NAME_BYTES)?;
        // Hash before taking the writer lock: argon2 is slow on purpose.
        let hash = officer::hash_passphrase(passphrase)?;
        let off = Officer {
            id: id.to_string(),
            name,
            role,
            passphrase_hash: hash,
            created_at: deadline::now().to_rfc3339(),
            disabled_at: None,
            must_change: false,
        };
        let mut ctx = self.begin_write(by, Permission::AdminOfficers)?;
        {
            let mut t = ctx.tx().open_table(OFFICERS)?;
            if matches!(by, Author::Node) && t.len()? > 0 {
                return Err(Refusal::NeedsSupervisor.into());
            }
            if t.get(id)?.is_some() {
                return Err(Refusal::OfficerExists(id.to_string()).into());
            }
            let bytes = serde_json::to_vec(&off).map_err(|e| NodeError::Corrupt {
                what: format!("officer `{id}`"),
                detail: e.to_string(),
            })?;
            t.insert(id, bytes.as_slice())?;
        }
        ctx.audit(
            Action::OfficerAdd,
            CaseId::NONE,
            [0; 16],
            vec![],
            vec![],
            &serde_json::json!({"officer": id, "name": off.name, "role": role}),
            now_ms(),
        )?;
        ctx.commit()?;
        Ok(off.public())
    }

    /// An officer account.
    pub fn officer(&self, id: &str) -> Result<Officer> {
        let rtx = self.inner.db.begin_read()?;
        let t = rtx.open_table(OFFICERS)?;
        let v = t
            .get(id)?
            .ok_or_else(|| NodeError::UnknownOfficer(id.to_string()))?;
        serde_json::from_slice(v.value()).map_err(|e| NodeError::Corrupt {
            what: format!("officer `{id}`"),
            detail: e.to_string(),
        })
    }

    /// All officers (without hashes).
    pub fn officers(&self) -> Result<Vec<Officer>> {
        let rtx = self.inner.db.begin_read()?;
        let t = rtx.open_table(OFFICERS)?;
        let mut out = Vec::new();
        for row in t.iter()? {
            let (k, v) = row?;
            let o =
                serde_json::from_slice::<Officer>(v.value()).map_err(|e| NodeError::Corrupt {
                    what: format!("officer `{}`", k.value()),
                    detail: e.to_string(),
                })?;
            out.push(o.public());
        }
        Ok(out)
    }

    /// Appends an audit entry that changes no case (a failed login), with `extra` writes in
    /// the same durable transaction, through the write path as the node itself.
    pub(crate) fn append_event(
        &self,
        action: Action,
        detail: serde_json::Value,
        extra: impl FnOnce(&redb::WriteTransaction) -> Result<()>,
    ) -> Result<()> {
        let mut ctx = self.begin_write(&Author::Node, Permission::Maintain)?;
        extra(ctx.tx())?;
        ctx.audit(
            action,
            CaseId::NONE,
            [0; 16],
            vec![],
            vec![],
            &detail,
            now_ms(),
        )?;
        ctx.commit()
    }

    /// Checks an officer's passphrase (console login); the account without its hash.
    pub fn login(&self, id: &str, passphrase: &str) -> Result<Officer> {
        let o = self.authenticate(id, passphrase)?.officer().clone();
        if o.must_change {
            return Err(crate::error::AccountError::MustChangePassphrase { officer: o.id }.into());
        }
        Ok(o)
    }
}
