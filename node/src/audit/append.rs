//! Appending to this node's own audit chain: one signed, hash-chained entry per action, written
//! in the caller's write transaction with its payload, its by-case index row and the new head.

use redb::WriteTransaction;

use crate::audit::head::ChainHead;
use crate::audit::stored;
use crate::chain::entry::{self, Action, Entry, EntryBody};
use crate::error::{AuditError, EncodeError, Result};
use crate::identity::NodeKey;
use crate::ids::{CaseId, NodeId};
use crate::store::meta::META_CHAIN_HEAD;
use crate::store::tables::{AUDIT_BY_CASE, META};

fn hex32(s: &str) -> [u8; 32] {
    s.parse::<NodeId>().map(|n| n.0).unwrap_or([0; 32])
}

/// What one action appends.
#[derive(Clone, Debug)]
pub struct NewEntry<'a> {
    /// The officer.
    pub officer: &'a str,
    /// The action.
    pub action: Action,
    /// The case, or [`CaseId::NONE`].
    pub case_id: CaseId,
    /// The Automerge actor of the changes.
    pub actor: [u8; 16],
    /// Heads the officer acted on.
    pub heads_before: Vec<[u8; 32]>,
    /// Changes committed.
    pub changes: Vec<[u8; 32]>,
    /// Detail payload (JSON).
    pub payload: &'a [u8],
    /// Wall-clock time, Unix ms.
    pub now_ms: i64,
}

/// Appends an entry to this node's chain inside `tx`. Returns the entry and the new head; the
/// caller adopts the head only after `tx` commits.
pub fn append(
    tx: &WriteTransaction,
    key: &NodeKey,
    realm: [u8; 16],
    head: &ChainHead,
    new: NewEntry<'_>,
) -> Result<(Entry, ChainHead)> {
    let mut heads_before = new.heads_before;
    heads_before.sort_unstable();
    heads_before.dedup();
    let officer: String = if new.officer.len() > entry::MAX_OFFICER_LEN {
        return Err(AuditError::OfficerIdTooLong {
            officer: crate::text::escape_line(&new.officer.chars().take(80).collect::<String>())
                .into_owned(),
            max: entry::MAX_OFFICER_LEN,
        }
        .into());
    } else {
        new.officer.to_string()
    };
    if heads_before.len() > entry::MAX_HASHES || new.changes.len() > entry::MAX_HASHES {
        return Err(AuditError::TooManyChanges {
            max: entry::MAX_HASHES,
        }
        .into());
    }
    let time_ms = new.now_ms.max(head.last_time_ms);
    let body = EntryBody {
        realm,
        origin: key.id(),
        seq: head.next_seq,
        epoch: 0,
        prev: hex32(&head.prev),
        time_ms,
        anchor_size: head.anchor_size,
        anchor_cosig: hex32(&head.anchor_cosig),
        officer,
        action: new.action,
        case_id: new.case_id,
        actor: new.actor,
        heads_before,
        changes: new.changes,
        payload_hash: entry::payload_hash(new.payload),
        payload_len: u32::try_from(new.payload.len()).unwrap_or(u32::MAX),
    };
    let e = Entry::sign(body, key);
    let origin = key.id().0;
    stored::insert(tx, &e, Some(new.payload))?;
    if e.body.case_id != CaseId::NONE {
        tx.open_table(AUDIT_BY_CASE)?
            .insert(&stored::case_key(&e.body.case_id, &origin, e.body.seq), ())?;
    }
    let next = ChainHead {
        next_seq: head.next_seq + 1,
        prev: crate::ids::hex(&e.hash),
        last_time_ms: time_ms,
        anchor_size: head.anchor_size,
        anchor_cosig: head.anchor_cosig.clone(),
    };
    let bytes = serde_json::to_vec(&next).map_err(EncodeError::json("the chain head"))?;
    tx.open_table(META)?
        .insert(META_CHAIN_HEAD, bytes.as_slice())?;
    Ok((e, next))
}
