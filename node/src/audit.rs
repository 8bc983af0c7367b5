//! The audit chain, write side: every action appends one signed, hash-chained entry in the same
//! redb transaction as the Automerge change it records (audit.md §3). This module appends and
//! reads, and gives the node its `verify_audit` and `export_audit`.
//!
//! The chain's primitives (the entry encoding, the Merkle range, checkpoints and their note
//! text) live below the node in [`crate::chain`] and are re-exported here as [`entry`],
//! [`merkle`], [`checkpoint`] and [`note`]. The node features: verification in [`verify`] over
//! an [`source::AuditSource`], evidence bundles in [`bundle`], the witness flow in
//! [`witness`], peers' chains in [`replica`], replay in [`replay`], cosignatures relayed to a
//! second hub in [`relay`]; every read and write of the stored records goes through
//! [`stored`] (the compact row and its dictionary).

pub use crate::chain::{checkpoint, entry, merkle, note};

pub mod bundle;
#[cfg(feature = "bench-unaudited")]
pub mod cost;
pub mod relay;
pub mod replay;
pub mod replica;
pub mod search;
pub mod source;
pub mod stored;
pub mod verify;
pub mod witness;
pub mod witness_held;

use redb::{ReadableDatabase, ReadableTable, WriteTransaction};
use serde::{Deserialize, Serialize};

use crate::error::{AuditError, EncodeError, NodeError, Result};
use crate::identity::NodeKey;
use crate::ids::{CaseId, NodeId};
use crate::store::tables::{AUDIT_BY_CASE, META};
use entry::{Action, Entry, EntryBody};

/// The head of this node's own chain, kept in the writer and in `meta`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainHead {
    /// Seq the next entry gets (= chain length).
    pub next_seq: u64,
    /// Hash of the last entry (zero before genesis), hex.
    pub prev: String,
    /// Time of the last entry, Unix ms.
    pub last_time_ms: i64,
    /// Size of the newest cosigned checkpoint held.
    pub anchor_size: u64,
    /// Hash of that cosignature, hex.
    pub anchor_cosig: String,
}

fn hex32(s: &str) -> [u8; 32] {
    s.parse::<NodeId>().map(|n| n.0).unwrap_or([0; 32])
}

impl ChainHead {
    /// Reads the head inside a write transaction (default before genesis).
    pub fn load_in(tx: &WriteTransaction) -> Result<ChainHead> {
        let meta = tx.open_table(META)?;
        let value = meta
            .get(crate::store::META_CHAIN_HEAD)?
            .map(|v| v.value().to_vec());
        match value {
            None => Ok(ChainHead::default()),
            Some(b) => serde_json::from_slice(&b).map_err(|e| NodeError::Corrupt {
                what: "audit chain head".into(),
                detail: e.to_string(),
            }),
        }
    }

    /// Reads the head from `meta` (default before genesis).
    pub fn load(db: &redb::Database) -> Result<ChainHead> {
        match crate::store::meta_get(db, crate::store::META_CHAIN_HEAD)? {
            None => Ok(ChainHead::default()),
            Some(b) => serde_json::from_slice(&b).map_err(|e| NodeError::Corrupt {
                what: "audit chain head".into(),
                detail: e.to_string(),
            }),
        }
    }
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
        tx.open_table(AUDIT_BY_CASE)?.insert(
            case_key(&e.body.case_id, &origin, e.body.seq).as_slice(),
            (),
        )?;
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
        .insert(crate::store::META_CHAIN_HEAD, bytes.as_slice())?;
    Ok((e, next))
}

pub(crate) fn case_key(case: &CaseId, origin: &[u8; 32], seq: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(56);
    k.extend_from_slice(&case.0);
    k.extend_from_slice(origin);
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

/// An entry with its payload, for reading.
#[derive(Clone, Debug)]
pub struct StoredEntry {
    /// The decoded entry.
    pub entry: Entry,
    /// The detail payload, unless purged.
    pub payload: Option<Vec<u8>>,
}

fn decode(origin: &[u8; 32], seq: u64, rec: &[u8]) -> Result<Entry> {
    Entry::from_record(rec).map_err(|e| NodeError::Corrupt {
        what: format!("audit entry {} #{seq}", NodeId(*origin).short()),
        detail: e.to_string(),
    })
}

/// Entries of one origin's chain from `from_seq`, at most `limit`.
pub fn chain(
    db: &redb::Database,
    origin: &NodeId,
    from_seq: u64,
    limit: usize,
) -> Result<Vec<StoredEntry>> {
    let rtx = db.begin_read()?;
    let t = stored::read(&rtx)?;
    let mut out = Vec::new();
    t.each(&origin.0, from_seq, u64::MAX, |seq, x| {
        if out.len() >= limit {
            return Ok(false);
        }
        let entry = decode(&origin.0, seq, &x.record)?;
        out.push(StoredEntry {
            entry,
            payload: x.payload,
        });
        Ok(true)
    })?;
    Ok(out)
}

/// Every entry naming one case, in (origin, seq) order.
pub fn for_case(db: &redb::Database, case: &CaseId) -> Result<Vec<StoredEntry>> {
    let rtx = db.begin_read()?;
    let idx = rtx.open_table(AUDIT_BY_CASE)?;
    let t = stored::read(&rtx)?;
    let mut out = Vec::new();
    for row in idx.range(case.0.as_slice()..)? {
        let (k, _) = row?;
        let k = k.value();
        if !k.starts_with(&case.0) || k.len() != 56 {
            break;
        }
        let mut origin = [0u8; 32];
        origin.copy_from_slice(&k[16..48]);
        let mut seq = [0u8; 8];
        seq.copy_from_slice(&k[48..56]);
        let seq = u64::from_be_bytes(seq);
        if let Some(x) = t.get(&origin, seq)? {
            let entry = decode(&origin, seq, &x.record)?;
            out.push(StoredEntry {
                entry,
                payload: x.payload,
            });
        }
    }
    out.sort_by_key(|e| (e.entry.body.time_ms, e.entry.body.seq));
    Ok(out)
}

impl crate::node::handle::Node {
    /// Verifies everything this node's store holds (`hoso audit verify`).
    pub fn verify_audit(&self, policy: &verify::Policy) -> Result<verify::Report> {
        self.verify_audit_with(policy, &crate::progress::Silent)
    }

    /// [`Node::verify_audit`](crate::node::Node::verify_audit), reporting its progress.
    pub fn verify_audit_with(
        &self,
        policy: &verify::Policy,
        progress: &dyn crate::progress::Progress,
    ) -> Result<verify::Report> {
        verify::verify_with(
            &source::DbSource {
                db: self.db(),
                realm: self.realm(),
            },
            policy,
            progress,
        )
    }

    /// Writes an evidence bundle of everything this node's store holds.
    pub fn export_audit(&self, out: impl std::io::Write) -> Result<bundle::ExportSummary> {
        bundle::export(self.db(), self.realm(), &self.id(), out)
    }
}
