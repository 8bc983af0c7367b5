//! Officer accounts carried over a rebuild from the hub (issue 12 item 3).
//!
//! A node rebuilt with `hoso node restore --from-hub` receives the chains of the nodes it
//! replaced. Their `officer_add` and `officer_disable` entries say who worked there, under which
//! role, and who was stopped; their passphrase hashes never left the old node. So when the
//! restore finishes ([`crate::Node::finish_restore`]) every account of the roster those entries
//! describe, and the new node lacks, is created again in the same transaction, each with its
//! own audited `officer_add` entry (payload `carried_from`):
//!
//! - an account that was active gets a **one-time passphrase**, printed once to the operator
//!   who runs the restore; the officer must set their own before anything else (as after
//!   `officer reset`);
//! - an account the old node had disabled comes back **disabled**, with no usable passphrase.
//!
//! The roster is read in chain order, oldest predecessor first, so a later `officer_disable`
//! wins over the `officer_add` before it. An entry whose payload was purged or does not parse is
//! skipped: the account is then missing, and a supervisor creates it with `officer add`.

use std::collections::BTreeMap;

use hoso_schemas::Role;
use redb::{ReadableDatabase, ReadableTable};
use serde::{Deserialize, Serialize};

use crate::chain::entry::{Action, Entry};
use crate::error::{NodeError, Result};
use crate::ids::{CaseId, NodeId};
use crate::officer::{self, Officer};
use crate::store::tables::OFFICERS;
use crate::write::WriteCtx;

/// An account as the old nodes' chains leave it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RosterAccount {
    /// Full name at creation.
    pub name: String,
    /// Role at creation.
    pub role: Role,
    /// The old node disabled it.
    pub disabled: bool,
    /// The node whose chain created it.
    pub from: NodeId,
}

/// An account created again on the rebuilt node.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct CarriedOfficer {
    /// Login id.
    pub id: String,
    /// Full name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Disabled on the old node, so disabled here.
    pub disabled: bool,
    /// The one-time passphrase to hand to the officer (none for a disabled account).
    pub one_time_passphrase: Option<String>,
}

#[derive(Deserialize)]
struct Added {
    officer: String,
    name: String,
    role: Role,
}

#[derive(Deserialize)]
struct Named {
    officer: String,
}

/// The roster `olds`' chains describe (`olds` oldest first), read in one read transaction.
pub(crate) fn roster_of(
    db: &redb::Database,
    olds: &[NodeId],
) -> Result<BTreeMap<String, RosterAccount>> {
    let rtx = db.begin_read()?;
    let audit = crate::audit::stored::read(&rtx)?;
    let mut roster: BTreeMap<String, RosterAccount> = BTreeMap::new();
    for old in olds {
        audit.each(&old.0, 0, u64::MAX, |_, x| {
            let Ok(e) = Entry::from_record(&x.record) else {
                return Ok(true);
            };
            if !matches!(e.body.action, Action::OfficerAdd | Action::OfficerDisable) {
                return Ok(true);
            }
            let Some(p) = x.payload.as_deref() else {
                return Ok(true);
            };
            match e.body.action {
                Action::OfficerAdd => {
                    if let Ok(a) = serde_json::from_slice::<Added>(p)
                        && officer::validate_id(&a.officer).is_ok()
                    {
                        roster.insert(
                            a.officer,
                            RosterAccount {
                                name: a.name,
                                role: a.role,
                                disabled: false,
                                from: *old,
                            },
                        );
                    }
                }
                _ => {
                    if let Ok(d) = serde_json::from_slice::<Named>(p)
                        && let Some(acc) = roster.get_mut(&d.officer)
                    {
                        acc.disabled = true;
                    }
                }
            }
            Ok(true)
        })?;
    }
    Ok(roster)
}

/// Creates again, inside `ctx`, every account of `roster` this node lacks, each with its
/// `officer_add` entry. `hashed` holds the one-time passphrase and its hash per active account
/// (hashed before the write began: argon2 is slow on purpose).
pub(crate) fn carry(
    ctx: &mut WriteCtx<'_>,
    roster: &BTreeMap<String, RosterAccount>,
    hashed: &BTreeMap<String, (String, String)>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<CarriedOfficer>> {
    let mut out = Vec::new();
    for (id, acc) in roster {
        {
            let t = ctx.tx().open_table(OFFICERS)?;
            if t.get(id.as_str())?.is_some() {
                continue;
            }
        }
        let (one_time, hash) = match (acc.disabled, hashed.get(id)) {
            (false, Some((p, h))) => (Some(p.clone()), h.clone()),
            // Disabled, or not hashed in time: no usable passphrase.
            _ => (None, String::new()),
        };
        let off = Officer {
            id: id.clone(),
            name: acc.name.clone(),
            role: acc.role,
            passphrase_hash: hash,
            created_at: now.to_rfc3339(),
            disabled_at: acc.disabled.then(|| now.to_rfc3339()),
            must_change: true,
        };
        let bytes = serde_json::to_vec(&off).map_err(|e| NodeError::Corrupt {
            what: format!("officer `{id}`"),
            detail: e.to_string(),
        })?;
        ctx.tx()
            .open_table(OFFICERS)?
            .insert(id.as_str(), bytes.as_slice())?;
        ctx.audit(
            Action::OfficerAdd,
            CaseId::NONE,
            [0; 16],
            vec![],
            vec![],
            &serde_json::json!({
                "officer": id,
                "name": acc.name,
                "role": acc.role,
                "carried_from": acc.from.to_string(),
                "disabled": acc.disabled,
            }),
            now.timestamp_millis(),
        )?;
        out.push(CarriedOfficer {
            id: id.clone(),
            name: acc.name.clone(),
            role: acc.role,
            disabled: acc.disabled,
            one_time_passphrase: one_time,
        });
    }
    Ok(out)
}
