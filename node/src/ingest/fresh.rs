//! The audit entries a group's transaction has stored so far ([`Fresh`]), kept in memory for the
//! trust check of the cases that follow them in the same group.
//!
//! In a first sync a commune sends a case's audit entries just before the case. The trust check
//! (`trust.rs`) of each case reads every entry the audit-by-case index names for it; without
//! this, each of those reads rebuilt, from the compact row written moments earlier in the same
//! transaction, the record the writer had just decoded, and decoded and hashed it again.
//!
//! What is kept is exactly what the trust check reads of an entry (its case, actor, action,
//! officer, listed changes, and the payload of a transition), noted when the entry is inserted
//! (`audit/replica.rs`, `Node::ingest_chain_in`). The index is still read in the transaction
//! for every case, so entries held before the group are found as before; only the rebuild of a
//! row this transaction wrote is skipped. A row is never replaced by a group (a duplicate or a
//! fork leaves the held row), so the note and the row agree for the whole transaction.
//!
//! The origins sharing an 8-byte key prefix (`audit::stored::case_key`) are looked up once per
//! prefix and kept, and forgotten when the group stores an entry of an origin the kept list
//! lacks, so the list always equals what the store would answer.

use std::collections::HashMap;

use crate::audit::stored::CASE_KEY_PREFIX;
use crate::chain::entry::{Action, Entry};
use crate::ids::{CaseId, NodeId};

use super::claim::Claim;

/// One stored entry, as the trust check reads it.
#[derive(Clone, Debug)]
pub(crate) struct FreshEntry {
    /// The case the entry names.
    pub(crate) case_id: CaseId,
    /// The changes it lists.
    pub(crate) changes: Vec<[u8; 32]>,
    /// What accounts for them.
    pub(crate) claim: Claim,
}

/// Entries stored by one transaction, and origin lists by key prefix (see the module docs).
#[derive(Debug, Default)]
pub(crate) struct Fresh {
    entries: HashMap<([u8; 32], u64), FreshEntry>,
    prefixes: HashMap<[u8; CASE_KEY_PREFIX], Vec<[u8; 32]>>,
}

impl Fresh {
    /// Notes `e` (with its `payload`) as stored in the transaction.
    pub(crate) fn note(&mut self, e: &Entry, payload: Option<&[u8]>) {
        let origin = e.body.origin.0;
        let prefix = prefix_of(&origin);
        if self
            .prefixes
            .get(&prefix)
            .is_some_and(|known| !known.contains(&origin))
        {
            self.prefixes.remove(&prefix);
        }
        if e.body.case_id == CaseId::NONE {
            return;
        }
        let payload = if e.body.action == Action::Transition {
            payload.map(<[u8]>::to_vec)
        } else {
            None
        };
        self.entries.insert(
            (origin, e.body.seq),
            FreshEntry {
                case_id: e.body.case_id,
                changes: e.body.changes.clone(),
                claim: Claim {
                    origin: NodeId(origin),
                    seq: e.body.seq,
                    actor: e.body.actor,
                    action: e.body.action,
                    officer: e.body.officer.clone(),
                    payload,
                },
            },
        );
    }

    /// The entry stored at (`origin`, `seq`) by this transaction, if it was noted.
    pub(crate) fn get(&self, origin: &[u8; 32], seq: u64) -> Option<&FreshEntry> {
        self.entries.get(&(*origin, seq))
    }

    /// The held origins starting with `prefix`, from the list kept or `lookup` (then kept).
    pub(crate) fn origins_with_prefix<E>(
        &mut self,
        prefix: &[u8; CASE_KEY_PREFIX],
        lookup: impl FnOnce() -> Result<Vec<[u8; 32]>, E>,
    ) -> Result<Vec<[u8; 32]>, E> {
        if let Some(known) = self.prefixes.get(prefix) {
            return Ok(known.clone());
        }
        let found = lookup()?;
        self.prefixes.insert(*prefix, found.clone());
        Ok(found)
    }
}

fn prefix_of(origin: &[u8; 32]) -> [u8; CASE_KEY_PREFIX] {
    let mut p = [0u8; CASE_KEY_PREFIX];
    p.copy_from_slice(&origin[..CASE_KEY_PREFIX]);
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::entry::{EntryBody, payload_hash};
    use crate::identity::NodeKey;

    fn entry(key: &NodeKey, seq: u64, case: CaseId, action: Action) -> Entry {
        let p = b"{}";
        Entry::sign(
            EntryBody {
                realm: [7; 16],
                origin: key.id(),
                seq,
                epoch: 0,
                prev: [0; 32],
                time_ms: 1_764_300_000_000,
                anchor_size: 0,
                anchor_cosig: [0; 32],
                officer: "canbo01".into(),
                action,
                case_id: case,
                actor: [4; 16],
                heads_before: Vec::new(),
                changes: vec![[seq as u8; 32]],
                payload_hash: payload_hash(p),
                payload_len: p.len() as u32,
            },
            key,
        )
    }

    #[test]
    fn notes_what_the_trust_check_reads_and_forgets_a_stale_origin_list() {
        let a = NodeKey::from_secret([1; 32]);
        let mut f = Fresh::default();
        let case = CaseId([3; 16]);
        f.note(&entry(&a, 0, CaseId::NONE, Action::OfficerAdd), Some(b"{}"));
        f.note(&entry(&a, 1, case, Action::Transition), Some(b"{}"));
        f.note(&entry(&a, 2, case, Action::FieldSet), Some(b"{}"));
        let o = a.id().0;
        assert!(f.get(&o, 0).is_none(), "an entry of no case is not needed");
        let t = f.get(&o, 1).expect("noted");
        assert_eq!((t.case_id, t.changes.clone()), (case, vec![[1; 32]]));
        assert_eq!(t.claim.payload.as_deref(), Some(&b"{}"[..]));
        assert_eq!(f.get(&o, 2).expect("noted").claim.payload, None);

        // A list looked up once is kept…
        let p = prefix_of(&o);
        let mut lookups = 0;
        let mut look = |found: Vec<[u8; 32]>| {
            lookups += 1;
            Ok::<_, ()>(found)
        };
        assert_eq!(f.origins_with_prefix(&p, || look(vec![o])), Ok(vec![o]));
        assert_eq!(f.origins_with_prefix(&p, || look(vec![])), Ok(vec![o]));
        // …until an entry of an origin it lacks is stored under the same prefix.
        let mut other = o;
        other[31] ^= 1;
        let b = Entry {
            body: EntryBody {
                origin: NodeId(other),
                ..entry(&a, 3, case, Action::FieldSet).body
            },
            ..entry(&a, 3, case, Action::FieldSet)
        };
        f.note(&b, None);
        assert_eq!(
            f.origins_with_prefix(&p, || look(vec![o, other])),
            Ok(vec![o, other])
        );
        assert_eq!(lookups, 2);
    }
}
