//! What a received change must show before it is merged: an audit entry held here that lists
//! its hash under the same case, whose actor is the change's actor, and whose signer owns that
//! actor (`ids::actor_for(signer, incarnation)`). Entries are only ever stored verified (own
//! writes, or `audit/replica.rs`: signature, realm, seq, hash link), so holding one means the
//! signer answers for the change. This is the ingest-time form of the accounting that
//! `audit verify` does over a whole store (`audit/verify/accounting.rs`).
//!
//! A change that passes is merged; one that breaks the workflow, or whose step the officer's
//! role does not allow, is still merged (the CRDT keeps every edit) but the case is flagged for
//! review with what was wrong.

use std::collections::HashMap;

use automerge::ChangeHash;
use hoso_schemas::{Role, Status};
use redb::{ReadableTable, WriteTransaction};

use crate::audit::stored::{CASE_KEY_LEN, CASE_KEY_PREFIX};
use crate::case::CaseView;
use crate::chain::entry::{Action, Entry};
use crate::error::{NodeError, Result};
use crate::ids::{CaseId, NodeId, actor_for, hex};
use crate::node::handle::Node;
use crate::store::tables::AUDIT_BY_CASE;

use super::claim::Claim;
use super::fresh::Fresh;

/// Incarnations of a node whose actors are recognised (a node re-incarnates after a restore).
const MAX_INCARNATIONS: u32 = 64;

/// Every change hash listed by an entry of `case` held here, with its entry. `fresh`: the
/// entries this transaction stored, read from memory instead of rebuilt from their rows
/// (`fresh.rs`); the audit-by-case index is read in the transaction either way.
fn claims(
    tx: &WriteTransaction,
    case: &CaseId,
    mut fresh: Option<&mut Fresh>,
) -> Result<HashMap<[u8; 32], Claim>> {
    let idx = tx.open_table(AUDIT_BY_CASE)?;
    let mut lo = [0u8; CASE_KEY_LEN];
    lo[..16].copy_from_slice(&case.0);
    let mut hi = [0xffu8; CASE_KEY_LEN];
    hi[..16].copy_from_slice(&case.0);
    let mut out = HashMap::new();
    // The audit tables are opened only when a row must be rebuilt.
    let mut audit = None;
    let mut origins: HashMap<[u8; CASE_KEY_PREFIX], Vec<[u8; 32]>> = HashMap::new();
    for row in idx.range::<&[u8; CASE_KEY_LEN]>(&lo..=&hi)? {
        let (k, _) = row?;
        let k = k.value();
        let mut prefix = [0u8; CASE_KEY_PREFIX];
        prefix.copy_from_slice(&k[16..24]);
        let mut seq = [0u8; 8];
        seq.copy_from_slice(&k[24..]);
        let seq = u64::from_be_bytes(seq);
        if let std::collections::hash_map::Entry::Vacant(slot) = origins.entry(prefix) {
            let found = {
                let mut lookup = || -> Result<Vec<[u8; 32]>> {
                    if audit.is_none() {
                        audit = Some(crate::audit::stored::read_in(tx)?);
                    }
                    match &audit {
                        Some(a) => a.origins_with_prefix(&prefix),
                        None => Ok(Vec::new()),
                    }
                };
                match fresh.as_deref_mut() {
                    Some(f) => f.origins_with_prefix(&prefix, lookup)?,
                    None => lookup()?,
                }
            };
            slot.insert(found);
        }
        let candidates = origins.get(&prefix).map(Vec::as_slice).unwrap_or(&[]);
        // One candidate: the record is the one indexed, whatever it holds. Several: only the
        // one that names the case (`audit::stored::case_entries`).
        let only = candidates.len() == 1;
        for origin in candidates {
            if let Some(f) = fresh.as_deref().and_then(|f| f.get(origin, seq)) {
                if f.case_id != *case {
                    continue;
                }
                for h in &f.changes {
                    out.entry(*h).or_insert_with(|| f.claim.clone());
                }
                continue;
            }
            if audit.is_none() {
                audit = Some(crate::audit::stored::read_in(tx)?);
            }
            let Some(held) = (match &audit {
                Some(a) => a.get(origin, seq)?,
                None => None,
            }) else {
                continue;
            };
            let e = match Entry::from_record(&held.record) {
                Ok(e) => e,
                Err(_) if !only => continue,
                Err(e) => {
                    return Err(NodeError::Corrupt {
                        what: format!("audit entry {} #{seq}", NodeId(*origin).short()),
                        detail: e.to_string(),
                    });
                }
            };
            if e.body.case_id != *case {
                continue;
            }
            let payload = if e.body.action == Action::Transition {
                held.payload
            } else {
                None
            };
            let claim = Claim {
                origin: NodeId(*origin),
                seq,
                actor: e.body.actor,
                action: e.body.action,
                officer: e.body.officer.clone(),
                payload,
            };
            for h in &e.body.changes {
                out.entry(*h).or_insert_with(|| claim.clone());
            }
        }
    }
    Ok(out)
}

/// True when `actor` is one of `node`'s Automerge actors.
fn owns(node: &NodeId, actor: &[u8]) -> bool {
    (0..MAX_INCARNATIONS).any(|i| actor_for(node, i).as_slice() == actor)
}

/// Each change of `am` after `before` (all of them when `before` is empty): its hash and actor.
pub(super) fn changes_after(
    am: &mut automerge::AutoCommit,
    before: &[ChangeHash],
) -> Vec<([u8; 32], Vec<u8>)> {
    am.get_changes_meta(before)
        .into_iter()
        .map(|m| (m.hash.0, m.actor.to_bytes().to_vec()))
        .collect()
}

/// Checks the changes listed by [`changes_after`] (for a new case all of them, listed before the
/// writer lock). `Ok(Err(why))` names the first change that is not accounted for;
/// `Ok(Ok(claims))` are the entries that account for them, one per entry.
pub(super) fn check_changes(
    tx: &WriteTransaction,
    case: &CaseId,
    new: &[([u8; 32], Vec<u8>)],
    fresh: Option<&mut Fresh>,
) -> Result<std::result::Result<Vec<Claim>, String>> {
    if new.is_empty() {
        return Ok(Ok(Vec::new()));
    }
    let claims = claims(tx, case, fresh)?;
    let mut used: Vec<Claim> = Vec::new();
    for (hash, actor) in new {
        let Some(c) = claims.get(hash) else {
            return Ok(Err(format!(
                "change {} (actor {}) of case {case} is accounted by no audit entry held here",
                hex(&hash[..8]),
                hex(actor)
            )));
        };
        if c.actor.as_slice() != actor.as_slice() {
            return Ok(Err(format!(
                "change {} of case {case} was made by actor {} but entry {} #{} names actor {}",
                hex(&hash[..8]),
                hex(actor),
                c.origin.short(),
                c.seq,
                hex(&c.actor)
            )));
        }
        if !owns(&c.origin, actor) {
            return Ok(Err(format!(
                "change {} of case {case}: actor {} does not belong to node {}, which signed entry #{}",
                hex(&hash[..8]),
                hex(actor),
                c.origin.short(),
                c.seq
            )));
        }
        if !used.iter().any(|u| u.origin == c.origin && u.seq == c.seq) {
            used.push(c.clone());
        }
    }
    Ok(Ok(used))
}

/// The role an officer was given in `origin`'s chain (its `OfficerAdd` entry), if held here.
fn officer_role(tx: &WriteTransaction, origin: &NodeId, officer: &str) -> Result<Option<Role>> {
    #[derive(serde::Deserialize)]
    struct Added {
        officer: String,
        role: Role,
    }
    let audit = crate::audit::stored::read_in(tx)?;
    let mut found = None;
    audit.each_or_raw(&origin.0, 0, u64::MAX, |_, x| {
        let Ok(x) = x else {
            return Ok(true);
        };
        let Ok(e) = Entry::from_record(&x.record) else {
            return Ok(true);
        };
        if e.body.action != Action::OfficerAdd {
            return Ok(true);
        }
        let Some(p) = x.payload else {
            return Ok(true);
        };
        if let Ok(a) = serde_json::from_slice::<Added>(&p)
            && a.officer == officer
        {
            found = Some(a.role);
            return Ok(false);
        }
        Ok(true)
    })?;
    Ok(found)
}

#[derive(serde::Deserialize)]
struct Step {
    from: Option<Status>,
    to: Status,
    #[serde(default)]
    track: Option<String>,
    /// The step resolved a conflict: it may start from any of the concurrent values, which
    /// the entry does not list, so only "some status leads to `to`" is checked.
    #[serde(default)]
    resolved_conflict: bool,
}

/// What is wrong with the transitions the accepted entries record: a step the workflow does
/// not have, or one the officer's role (as its node's chain declared it) may not take.
pub(super) fn review_reasons(
    node: &Node,
    tx: &WriteTransaction,
    view: &CaseView,
    claims: &[Claim],
    roles: &mut HashMap<(NodeId, String), Option<Role>>,
) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for c in claims.iter().filter(|c| c.action == Action::Transition) {
        let Some(step) = c
            .payload
            .as_deref()
            .and_then(|p| serde_json::from_slice::<Step>(p).ok())
        else {
            continue;
        };
        let Some(from) = step.from else { continue };
        let code = step.track.as_deref().unwrap_or(&view.procedure);
        let Ok(procedure) = node.catalog().procedure(code) else {
            out.push(format!(
                "{} #{}: transition in unknown procedure {code}",
                c.origin.short(),
                c.seq
            ));
            continue;
        };
        let starts: Vec<Status> = if step.resolved_conflict {
            Status::ALL.to_vec()
        } else {
            vec![from]
        };
        let allowed: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| {
                starts
                    .iter()
                    .any(|s| procedure.check_transition(*s, step.to, *r).is_ok())
            })
            .collect();
        if allowed.is_empty() {
            out.push(format!(
                "{} → {} by {} (node {} entry #{}) is not a step of the workflow of {code}",
                from,
                step.to,
                c.officer,
                c.origin.short(),
                c.seq
            ));
            continue;
        }
        let key = (c.origin, c.officer.clone());
        let role = match roles.get(&key) {
            Some(r) => *r,
            None => {
                let r = officer_role(tx, &c.origin, &c.officer)?;
                roles.insert(key, r);
                r
            }
        };
        match role {
            Some(r) if allowed.contains(&r) => {}
            Some(r) => out.push(format!(
                "{} → {} by {} whose role is {} (node {} entry #{}): only {} may",
                from,
                step.to,
                c.officer,
                r.as_str(),
                c.origin.short(),
                c.seq,
                allowed
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            None => out.push(format!(
                "{} → {} by {}, an officer node {}'s chain held here never created (entry #{})",
                from,
                step.to,
                c.officer,
                c.origin.short(),
                c.seq
            )),
        }
    }
    Ok(out)
}
