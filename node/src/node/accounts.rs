//! Officer accounts over time (issue 12): a supervisor disables an account (its sessions end at
//! once) or sets a one-time passphrase the officer must change; an officer changes their own
//! passphrase with the old one. Each is one guarded write ([`Node::begin_write`]) with its audit
//! entry, so the change travels to the hub with the chain; no payload carries a hash.

use redb::{ReadableTable, WriteTransaction};

use crate::chain::entry::Action;
use crate::error::{AccountError, NodeError, Result};
use crate::ids::CaseId;
use crate::officer::{self, Officer};
use crate::session::{SESSIONS, SessionRecord};
use crate::store::tables::OFFICERS;
use crate::write::{AuthenticatedOfficer, Author, Permission};

use super::handle::{Node, now_ms};
use super::passphrase::one_time_passphrase;

fn read_account(tx: &WriteTransaction, id: &str) -> Result<Officer> {
    let t = tx.open_table(OFFICERS)?;
    let v = t
        .get(id)?
        .ok_or_else(|| NodeError::UnknownOfficer(id.to_string()))?;
    serde_json::from_slice(v.value()).map_err(|e| NodeError::Corrupt {
        what: format!("officer `{id}`"),
        detail: e.to_string(),
    })
}

fn write_account(tx: &WriteTransaction, o: &Officer) -> Result<()> {
    let bytes = serde_json::to_vec(o).map_err(|e| NodeError::Corrupt {
        what: format!("officer `{}`", o.id),
        detail: e.to_string(),
    })?;
    tx.open_table(OFFICERS)?
        .insert(o.id.as_str(), bytes.as_slice())?;
    Ok(())
}

/// Removes every open session of `id` (all OS users); returns how many ended.
fn end_sessions_of(tx: &WriteTransaction, id: &str) -> Result<u32> {
    let mut t = tx.open_table(SESSIONS)?;
    let mut gone = Vec::new();
    for row in t.iter()? {
        let (k, v) = row?;
        let r: Option<SessionRecord> = serde_json::from_slice(v.value()).ok();
        // A row that does not decode cannot be resumed anyway; only the officer's rows go.
        if r.is_some_and(|r| r.officer == id) {
            gone.push(k.value().to_string());
        }
    }
    for k in &gone {
        t.remove(k.as_str())?;
    }
    Ok(u32::try_from(gone.len()).unwrap_or(u32::MAX))
}

impl Node {
    /// Disables officer `id` (a supervisor, not themselves): they can no longer log in or
    /// write, and every session they hold ends in the same transaction. Returns the number of
    /// sessions ended.
    pub fn disable_officer(&self, by: &AuthenticatedOfficer, id: &str) -> Result<u32> {
        if by.id() == id {
            return Err(AccountError::SelfDisable {
                officer: id.to_string(),
            }
            .into());
        }
        let mut ctx = self.begin_write(&Author::Officer(by.clone()), Permission::AdminOfficers)?;
        let mut o = read_account(ctx.tx(), id)?;
        if o.is_disabled() {
            return Err(AccountError::AlreadyDisabled {
                officer: id.to_string(),
            }
            .into());
        }
        o.disabled_at = Some(crate::deadline::now().to_rfc3339());
        write_account(ctx.tx(), &o)?;
        let ended = end_sessions_of(ctx.tx(), id)?;
        ctx.audit(
            Action::OfficerDisable,
            CaseId::NONE,
            [0; 16],
            vec![],
            vec![],
            &serde_json::json!({"officer": id, "sessions_ended": ended}),
            now_ms(),
        )?;
        ctx.commit()?;
        Ok(ended)
    }

    /// Sets a one-time passphrase on officer `id` (a supervisor): the officer's sessions end,
    /// and the account may do nothing but set its own passphrase (`officer passwd`). Returns
    /// the one-time passphrase, to hand to the officer; it is stored only as its hash.
    pub fn reset_officer(&self, by: &AuthenticatedOfficer, id: &str) -> Result<String> {
        let one_time = one_time_passphrase();
        // Hash before taking the writer lock: argon2 is slow on purpose.
        let hash = officer::hash_passphrase(&one_time)?;
        let mut ctx = self.begin_write(&Author::Officer(by.clone()), Permission::AdminOfficers)?;
        let mut o = read_account(ctx.tx(), id)?;
        if o.is_disabled() {
            return Err(AccountError::Disabled {
                officer: id.to_string(),
            }
            .into());
        }
        o.passphrase_hash = hash;
        o.must_change = true;
        write_account(ctx.tx(), &o)?;
        let ended = end_sessions_of(ctx.tx(), id)?;
        ctx.audit(
            Action::OfficerReset,
            CaseId::NONE,
            [0; 16],
            vec![],
            vec![],
            &serde_json::json!({"officer": id, "sessions_ended": ended}),
            now_ms(),
        )?;
        ctx.commit()?;
        Ok(one_time)
    }

    /// Officer `id` changes their own passphrase, proving the old one (checked, throttled and
    /// audited like any login). Clears a one-time passphrase.
    pub fn change_passphrase(&self, id: &str, old: &str, new: &str) -> Result<()> {
        if old == new {
            return Err(AccountError::SamePassphrase.into());
        }
        let me = self.authenticate(id, old)?;
        let hash = officer::hash_passphrase(new)?;
        let mut ctx = self.begin_write(&Author::Officer(me), Permission::OwnAccount)?;
        let mut o = read_account(ctx.tx(), id)?;
        let was_one_time = o.must_change;
        o.passphrase_hash = hash;
        o.must_change = false;
        write_account(ctx.tx(), &o)?;
        ctx.audit(
            Action::OfficerPasswd,
            CaseId::NONE,
            [0; 16],
            vec![],
            vec![],
            &serde_json::json!({"officer": id, "after_reset": was_one_time}),
            now_ms(),
        )?;
        ctx.commit()
    }
}
