//! # Restoring a node (issue 12, audit.md §3)
//!
//! `hoso node restore --from FILE` rebuilds a node from a backup ([`crate::backup`]) into an
//! empty data dir. The backup may be older than what the node signed before it died, so:
//!
//! 1. [`Node::restore_from_backup`] unpacks it and marks the store **restoring**
//!    ([`META_RESTORING`]). While restoring, no officer may write ([`RestoreError::Pending`]),
//!    and the sync session (`hoso-sync`) declares the own chain as empty, so the hub sends the
//!    whole chain back, forgets which case versions it thought this node held, and replays the
//!    cosignatures it holds of this chain; entries of the own chain the node no longer has
//!    are then accepted from the hub, checked like any peer's ([`Node::ingest_chain`]), and
//!    move the chain head with them.
//! 2. [`Node::finish_restore`] starts a **new chain incarnation**: `incarnation` = one more
//!    than every `ActorBind` of the chain, written to `node.toml` and declared by an
//!    `ActorBind` entry, so no Automerge sequence number of the old actor is ever reused; and
//!    every day's receipt-code sequence moves past every code of this unit held (the hub's
//!    included), so no receipt code is issued twice.

use std::path::{Path, PathBuf};

use redb::{ReadableTable, WriteTransaction};
use serde::{Deserialize, Serialize};

use crate::backup::BackupInfo;
use crate::chain::entry::{Action, Entry};
pub use crate::error::{MAX_INCARNATION, RestoreError};
use crate::error::{NodeError, Result};
use crate::ids::{CaseId, actor_for};
use crate::node::handle::Node;
use crate::node::paths;
use crate::store::tables::{META, PEER_HEADS, RECEIPTS, SYNC_CHECKPOINTS};
use crate::write::{Author, Permission};

pub mod mark;

pub use mark::META_RESTORING;
pub(crate) use mark::restoring_in;

/// A restore in progress, as recorded in the store.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct RestoreState {
    /// Where the node came from: `backup` or `hub`.
    pub from: String,
    /// When the restore started (Unix ms).
    pub started_ms: i64,
    /// Length of the own chain in what was restored.
    pub chain_length: u64,
}

/// What finishing a restore did.
#[derive(Clone, Debug, Serialize)]
pub struct RestoreReport {
    /// Length of the own chain restored (from the backup).
    pub restored_chain: u64,
    /// Length of the own chain after the hub sent what the backup lacked (before the
    /// `ActorBind` of the new incarnation).
    pub chain_from_hub: u64,
    /// The new incarnation.
    pub incarnation: u32,
    /// Days whose receipt sequence moved past codes the backup did not know of.
    pub receipt_days_moved: u32,
    /// Cases held now.
    pub cases: u64,
    /// Officer accounts of the replaced nodes created again here (a rebuild from the hub).
    pub officers_carried: Vec<crate::roster_carry::CarriedOfficer>,
}

fn dir_is_empty_or_absent(dir: &Path) -> Result<bool> {
    match std::fs::read_dir(dir) {
        Ok(mut it) => Ok(it.next().is_none()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(NodeError::io(dir, e)),
    }
}

impl Node {
    /// True while a restore has not finished.
    pub fn is_restoring(&self) -> Result<bool> {
        Ok(crate::store::meta_get(self.db(), META_RESTORING)?.is_some())
    }

    /// Unpacks the backup `file` into the empty (or absent) data dir `dir`, opens it and marks
    /// it restoring. Unpacked beside `dir` first and renamed into place, so a failure leaves
    /// `dir` as it was.
    pub fn restore_from_backup(file: &Path, dir: &Path) -> Result<(Node, BackupInfo)> {
        if !dir_is_empty_or_absent(dir)? {
            return Err(RestoreError::NotEmpty {
                dir: dir.to_path_buf(),
            }
            .into());
        }
        let parent = match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(|e| NodeError::io(&parent, e))?;
        let tmp = tempfile::Builder::new()
            .prefix(".hoso-restore.")
            .tempdir_in(&parent)
            .map_err(|e| NodeError::io(&parent, e))?;
        let info = crate::backup::unpack(file, tmp.path())?;
        {
            let node = Node::open(tmp.path())?;
            if node.id().to_string() != info.node_id {
                return Err(crate::backup::BackupError::Malformed {
                    path: file.to_path_buf(),
                    what: "its info names another node than its key".into(),
                }
                .into());
            }
            let chain_length = node.chain_head().next_seq;
            node.with_write(|tx, _| {
                let state = RestoreState {
                    from: "backup".into(),
                    started_ms: chrono::Utc::now().timestamp_millis(),
                    chain_length,
                };
                let bytes = serde_json::to_vec(&state)
                    .map_err(crate::error::EncodeError::json("restore state"))?;
                tx.open_table(META)?
                    .insert(META_RESTORING, bytes.as_slice())?;
                // What the node knew it had received is older than what it had: ask for all.
                let mut cp = tx.open_table(SYNC_CHECKPOINTS)?;
                let peers: Vec<[u8; 32]> = cp
                    .iter()?
                    .filter_map(|r| r.ok().map(|(k, _)| *k.value()))
                    .collect();
                for p in peers {
                    cp.remove(&p)?;
                }
                Ok(())
            })?;
        }
        if dir.exists() {
            // Empty (checked above): rename needs it gone.
            std::fs::remove_dir(dir).map_err(|e| NodeError::io(dir, e))?;
        }
        let kept = tmp.keep();
        std::fs::rename(&kept, dir).map_err(|e| NodeError::io(dir, e))?;
        Ok((Node::open(dir)?, info))
    }

    /// Marks this node (a new node, a new key) as rebuilding from its hub in place of `old`
    /// (see [`crate::rebuild`]): records the succession and the restoring state.
    pub fn begin_restore_from_hub(&self, old: &crate::ids::NodeId) -> Result<()> {
        self.take_over_from(old)?;
        let chain_length = self.chain_head().next_seq;
        self.with_write(|tx, _| {
            let state = RestoreState {
                from: "hub".into(),
                started_ms: chrono::Utc::now().timestamp_millis(),
                chain_length,
            };
            let bytes = serde_json::to_vec(&state)
                .map_err(crate::error::EncodeError::json("restore state"))?;
            tx.open_table(META)?
                .insert(META_RESTORING, bytes.as_slice())?;
            Ok(())
        })
    }

    /// Forgets what `peer` was known to hold (its acknowledged heads and the sync checkpoint
    /// of its feed): called when the peer declares a shorter chain of its own than is held
    /// here, i.e. it lost data and was restored.
    pub fn forget_peer_state(&self, peer: &crate::ids::NodeId) -> Result<u64> {
        self.with_write(|tx, _| {
            let mut heads = tx.open_table(PEER_HEADS)?;
            let rows: Vec<([u8; 16], u64)> = heads
                .range((&peer.0, &[0u8; 16])..=(&peer.0, &[0xFFu8; 16]))?
                .filter_map(|r| {
                    r.ok().map(|(k, v)| {
                        (
                            *k.value().1,
                            crate::peer_heads::decode_peer_heads(v.value()).0,
                        )
                    })
                })
                .collect();
            for (id, seq) in &rows {
                heads.remove((&peer.0, id))?;
                crate::commune_counts::peer_heads_written(
                    tx,
                    &peer.0,
                    &crate::ids::CaseId(*id),
                    Some(*seq),
                    None,
                )?;
            }
            tx.open_table(SYNC_CHECKPOINTS)?.remove(&peer.0)?;
            Ok(rows.len() as u64)
        })
    }

    /// Finishes a restore (see the module docs): a new incarnation declared by an `ActorBind`
    /// entry, receipt sequences past every held code, the restoring mark cleared. Reopen the
    /// node afterwards: its Automerge actor changed.
    pub fn finish_restore(&self) -> Result<RestoreReport> {
        let state: RestoreState = match crate::store::meta_get(self.db(), META_RESTORING)? {
            None => return Err(RestoreError::NotRestoring.into()),
            Some(b) => serde_json::from_slice(&b).map_err(|e| NodeError::Corrupt {
                what: "restore state".into(),
                detail: e.to_string(),
            })?,
        };
        let me = self.id();
        let unit = self.config().unit_code.clone();
        // A rebuild from the hub carries the old nodes' officer accounts: read the roster and
        // hash one-time passphrases before the write (argon2 is slow on purpose).
        let (roster, hashed) = if state.from == "hub" {
            let mut olds = self.predecessors_of(&me)?;
            olds.reverse();
            let roster = crate::roster_carry::roster_of(self.db(), &olds)?;
            let mut hashed = std::collections::BTreeMap::new();
            for (id, acc) in &roster {
                if !acc.disabled && self.officer(id).is_err() {
                    let p = crate::node::passphrase::one_time_passphrase();
                    let h = crate::officer::hash_passphrase(&p)?;
                    hashed.insert(id.clone(), (p, h));
                }
            }
            (roster, hashed)
        } else {
            Default::default()
        };
        let mut ctx = self.begin_write(&Author::Node, Permission::Maintain)?;
        let officers_carried =
            crate::roster_carry::carry(&mut ctx, &roster, &hashed, chrono::Utc::now())?;
        // The highest incarnation this chain ever declared.
        let mut highest = self.config().incarnation;
        let chain_from_hub;
        {
            let audit = crate::audit::stored::read_in(ctx.tx())?;
            let mut n = 0u64;
            audit.each_or_raw(&me.0, 0, u64::MAX, |_, x| {
                n += 1;
                let Ok(x) = x else {
                    return Ok(true);
                };
                let Ok(e) = Entry::from_record(&x.record) else {
                    return Ok(true);
                };
                if e.body.action != Action::ActorBind {
                    return Ok(true);
                }
                let inc = x
                    .payload
                    .as_deref()
                    .and_then(|p| serde_json::from_slice::<serde_json::Value>(p).ok())
                    .and_then(|p| p.get("incarnation").and_then(serde_json::Value::as_u64));
                // A purged payload: recognise the actor instead.
                let inc = inc
                    .map(|i| i as u32)
                    .or_else(|| (0..=MAX_INCARNATION).find(|i| actor_for(&me, *i) == e.body.actor));
                if let Some(i) = inc {
                    highest = highest.max(i);
                }
                Ok(true)
            })?;
            chain_from_hub = n;
        }
        // A node rebuilt from its hub has a new key, hence new actors: no new incarnation.
        let new_incarnation = state.from != "hub";
        let incarnation = if new_incarnation {
            highest + 1
        } else {
            self.config().incarnation
        };
        if incarnation > MAX_INCARNATION {
            return Err(RestoreError::Incarnations.into());
        }
        // Receipt codes: each day's sequence past every code of this unit held here.
        let mut moved = 0u32;
        {
            let mut max: std::collections::BTreeMap<String, u32> = Default::default();
            let receipts = ctx.tx().open_table(RECEIPTS)?;
            let prefix = format!("{unit}-");
            for row in receipts.range(prefix.as_str()..)? {
                let (k, _) = row?;
                let code = k.value();
                let Some(rest) = code.strip_prefix(&prefix) else {
                    break;
                };
                if let Some((day, n)) = rest.split_once('-')
                    && day.len() == 6
                    && day.bytes().all(|b| b.is_ascii_digit())
                    && let Ok(n) = n.parse::<u32>()
                {
                    let m = max.entry(day.to_string()).or_default();
                    *m = (*m).max(n);
                }
            }
            drop(receipts);
            let mut meta = ctx.tx().open_table(META)?;
            for (day, n) in max {
                let key = format!("{}{day}", crate::store::META_RECEIPT_SEQ);
                let held = meta
                    .get(key.as_str())?
                    .and_then(|v| <[u8; 4]>::try_from(v.value()).ok())
                    .map(u32::from_be_bytes)
                    .unwrap_or(0);
                if n > held {
                    meta.insert(key.as_str(), n.to_be_bytes().as_slice())?;
                    moved += 1;
                }
            }
            meta.remove(META_RESTORING)?;
        }
        if !new_incarnation {
            ctx.commit()?;
            return Ok(RestoreReport {
                restored_chain: state.chain_length,
                chain_from_hub,
                incarnation,
                receipt_days_moved: moved,
                cases: crate::store::count_cases(self.db())?,
                officers_carried,
            });
        }
        let actor = actor_for(&me, incarnation);
        ctx.audit(
            Action::ActorBind,
            CaseId::NONE,
            actor,
            vec![],
            vec![],
            &serde_json::json!({
                "incarnation": incarnation,
                "restored_from": state.from,
                "restored_chain": state.chain_length,
                "chain_from_hub": chain_from_hub,
            }),
            chrono::Utc::now().timestamp_millis(),
        )?;
        // node.toml first: if the commit then fails, the next start uses an unused actor.
        let mut cfg = self.config().clone();
        cfg.incarnation = incarnation;
        cfg.write(&self.dir().join(paths::CONFIG))?;
        ctx.commit()?;
        Ok(RestoreReport {
            restored_chain: state.chain_length,
            chain_from_hub,
            incarnation,
            receipt_days_moved: moved,
            cases: crate::store::count_cases(self.db())?,
            officers_carried,
        })
    }
}

/// Moves the own chain's head to `e`, an entry of the own chain taken back from the hub while
/// restoring (inside the transaction that stores it).
pub(crate) fn adopt_own_entry(
    tx: &WriteTransaction,
    head: &mut crate::audit::head::ChainHead,
    e: &Entry,
) -> Result<()> {
    if e.body.seq != head.next_seq {
        return Ok(());
    }
    head.next_seq = e.body.seq + 1;
    head.prev = crate::ids::hex(&e.hash);
    head.last_time_ms = head.last_time_ms.max(e.body.time_ms);
    if e.body.anchor_size > head.anchor_size {
        head.anchor_size = e.body.anchor_size;
        head.anchor_cosig = crate::ids::hex(&e.body.anchor_cosig);
    }
    let bytes =
        serde_json::to_vec(&*head).map_err(crate::error::EncodeError::json("chain head"))?;
    tx.open_table(META)?
        .insert(crate::store::META_CHAIN_HEAD, bytes.as_slice())?;
    Ok(())
}

/// Most cosignatures replayed to a restored peer in one session.
pub const MAX_REPLAYED_COSIGS: usize = 4096;

impl Node {
    /// The checkpoints of `origin`'s chain this node cosigned, with its cosignatures (note
    /// text, cosignature), oldest first, at most [`MAX_REPLAYED_COSIGS`] (the newest kept):
    /// what a hub replays to a restored node, whose entries cite them as anchors.
    pub fn own_cosignatures_of(
        &self,
        origin: &crate::ids::NodeId,
    ) -> Result<Vec<(String, crate::chain::checkpoint::Cosignature)>> {
        use crate::chain::checkpoint::Cosignature;
        use crate::store::tables::{AUDIT_CHECKPOINTS, AUDIT_COSIGS};
        use redb::ReadableDatabase;
        let me = self.id();
        let rtx = self.db().begin_read()?;
        let notes = rtx.open_table(AUDIT_CHECKPOINTS)?;
        let cosigs = rtx.open_table(AUDIT_COSIGS)?;
        let mut out = Vec::new();
        for row in notes.range((&origin.0, 0)..=(&origin.0, u64::MAX))? {
            let (k, v) = row?;
            let size = k.value().1;
            let Some(cs) = cosigs.get((&origin.0, size, &me.0))? else {
                continue;
            };
            let Some(cs) = Cosignature::decode_value(me, cs.value()) else {
                continue;
            };
            let Ok(note) = String::from_utf8(v.value().to_vec()) else {
                continue;
            };
            out.push((note, cs));
        }
        let skip = out.len().saturating_sub(MAX_REPLAYED_COSIGS);
        Ok(out.split_off(skip))
    }
}
