//! Officer accounts: creating them, reading them, checking a passphrase.

use hoso_schemas::Role;
use redb::{ReadableDatabase, ReadableTable};

use crate::audit::entry::Action;
use crate::audit::{self, NewEntry};
use crate::deadline;
use crate::error::{NodeError, Result};
use crate::ids::CaseId;
use crate::officer::{self, Officer};
use crate::store::tables::*;

use super::*;

impl Node {
    /// Creates an officer account. `by` is the acting officer, if any.
    pub fn add_officer(
        &self,
        by: Option<&str>,
        id: &str,
        name: &str,
        role: Role,
        passphrase: &str,
    ) -> Result<Officer> {
        officer::validate_id(id)?;
        if name.trim().is_empty() {
            return Err(NodeError::Invalid(
                "officer name is empty: pass --name \"Full Name\"".into(),
            ));
        }
        if let Some(by) = by {
            let actor = self.officer(by)?;
            if actor.role != Role::Supervisor {
                return Err(NodeError::NotPermitted {
                    officer: actor.id,
                    role: actor.role.to_string(),
                    action: "create officer accounts".into(),
                });
            }
        }
        let hash = officer::hash_passphrase(passphrase)?;
        let off = Officer {
            id: id.to_string(),
            name: hoso_schemas::nfc(name.trim()),
            role,
            passphrase_hash: hash,
            created_at: deadline::now().to_rfc3339(),
        };
        let (mut w, tx) = self.write_txn()?;
        {
            let mut t = tx.open_table(OFFICERS)?;
            if t.get(id)?.is_some() {
                return Err(NodeError::Invalid(format!("officer `{id}` already exists")));
            }
            let bytes = serde_json::to_vec(&off).map_err(|e| NodeError::Invalid(e.to_string()))?;
            t.insert(id, bytes.as_slice())?;
        }
        let (_, head) = audit::append(
            &tx,
            &self.inner.key,
            self.inner.realm,
            &w.head,
            NewEntry {
                officer: by.unwrap_or(SYSTEM_OFFICER),
                action: Action::OfficerAdd,
                case_id: CaseId::NONE,
                actor: [0; 16],
                heads_before: vec![],
                changes: vec![],
                payload: &payload(
                    serde_json::json!({"officer": id, "name": off.name, "role": role}),
                ),
                now_ms: now_ms(),
            },
        )?;
        tx.commit()?;
        w.head = head;
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

    /// Checks an officer's passphrase (console login): throttled and audited on failure,
    /// see [`Node::authenticate`].
    pub fn login(&self, id: &str, passphrase: &str) -> Result<Officer> {
        self.authenticate(id, passphrase)
    }

    /// Appends an audit entry that changes no case (a failed login), with `extra` writes in
    /// the same durable transaction.
    pub(crate) fn append_event(
        &self,
        action: Action,
        detail: serde_json::Value,
        extra: impl FnOnce(&redb::WriteTransaction) -> Result<()>,
    ) -> Result<()> {
        let (mut w, tx) = self.write_txn()?;
        extra(&tx)?;
        let (_, head) = audit::append(
            &tx,
            &self.inner.key,
            self.inner.realm,
            &w.head,
            NewEntry {
                officer: SYSTEM_OFFICER,
                action,
                case_id: CaseId::NONE,
                actor: [0; 16],
                heads_before: vec![],
                changes: vec![],
                payload: &payload(detail),
                now_ms: now_ms(),
            },
        )?;
        tx.commit()?;
        w.head = head;
        Ok(())
    }

    pub(super) fn writing_officer(&self, id: &str) -> Result<Officer> {
        if id.is_empty() {
            return Err(NodeError::NoOfficer);
        }
        let o = self.officer(id)?;
        if !o.can_write() {
            return Err(NodeError::NotPermitted {
                officer: o.id,
                role: o.role.to_string(),
                action: "change cases".into(),
            });
        }
        Ok(o)
    }
}
