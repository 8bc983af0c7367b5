//! Per-commune counters of a node's cases, kept in the same transaction as every summary write
//! (the guarded write path's [`crate::write::store_summary`], which local writes and sync
//! ingest both run) and every change to what a peer is known to hold, so the province
//! dashboard reads O(communes × due dates) rows instead of every summary and the change feed.
//!
//! One table, [`COMMUNE_COUNTS`], of byte keys `commune ‖ 0 ‖ tag ‖ rest` and counts:
//!
//! | tag | rest | counts |
//! |---|---|---|
//! | `T` | — | every case of the commune |
//! | `O` | — | cases whose processing has not ended |
//! | `P` | — | open cases waiting for the citizen (clock paused) |
//! | `D` | due date (`YYYY-MM-DD`) | open cases with a running clock, by due date (overdue and due-this-week are ranges of it) |
//! | `A` | node id (32 bytes) | cases whose current version here that node acknowledged (its known feed seq is the case's feed seq) |
//!
//! A node's cases waiting to go to a peer are then `T − A`. The counters are derived data:
//! `province::ensure_counts` rebuilds them from the summaries, the change feed and the peers' known heads when
//! they are missing or were built under another store format (a marker in `meta`), and
//! `hoso check --repair` rebuilds them with the summaries. A property of the module's tests: after
//! any sequence of writes they equal a rebuild.

use std::collections::{BTreeMap, HashMap};

use redb::{ReadableTable, Table, TableDefinition, WriteTransaction};

use crate::case::CaseSummary;
use crate::error::Result;
use crate::ids::{CaseId, NodeId};
use crate::store::tables::{CASES, FEED_BY_DOC, META, PEER_HEADS};

/// The counters (see the module docs).
pub const COMMUNE_COUNTS: TableDefinition<&[u8], u64> = TableDefinition::new("commune-counts-1");

/// Meta key of the marker: the store format and counter version the table was built under.
pub(crate) const META_COUNTS: &str = "commune-counts";
/// Bumped when what is counted changes (forces a rebuild).
const VERSION: u32 = 1;

const TOTAL: u8 = b'T';
const OPEN: u8 = b'O';
const PAUSED: u8 = b'P';
const DUE: u8 = b'D';
const ACKED: u8 = b'A';

fn prefix(commune: &str, tag: u8) -> Vec<u8> {
    let mut k = Vec::with_capacity(commune.len() + 2 + 32);
    k.extend_from_slice(commune.as_bytes());
    k.push(0);
    k.push(tag);
    k
}

/// The status keys one summary counts under.
fn keys(s: &CaseSummary) -> Vec<Vec<u8>> {
    let mut out = vec![prefix(&s.commune, TOTAL)];
    if !s.status.ends_processing() {
        out.push(prefix(&s.commune, OPEN));
        if s.status.pauses_clock() {
            out.push(prefix(&s.commune, PAUSED));
        } else {
            let mut k = prefix(&s.commune, DUE);
            k.extend_from_slice(s.due_date.as_bytes());
            out.push(k);
        }
    }
    out
}

fn ack_key(commune: &str, node: &[u8; 32]) -> Vec<u8> {
    let mut k = prefix(commune, ACKED);
    k.extend_from_slice(node);
    k
}

fn add(t: &mut Table<&[u8], u64>, key: &[u8], delta: i64) -> Result<()> {
    let old = t.get(key)?.map_or(0, |v| v.value());
    let new = old.saturating_add_signed(delta);
    if new == 0 {
        t.remove(key)?;
    } else {
        t.insert(key, new)?;
    }
    Ok(())
}

/// A summary replaced (`old` → `new`) in `tx`: moves its counts.
pub(crate) fn summary_written(
    tx: &WriteTransaction,
    old: Option<&CaseSummary>,
    new: &CaseSummary,
) -> Result<()> {
    let before = old.map(keys).unwrap_or_default();
    let after = keys(new);
    if before == after {
        return Ok(());
    }
    let mut t = tx.open_table(COMMUNE_COUNTS)?;
    for k in before.iter().filter(|k| !after.contains(k)) {
        add(&mut t, k, -1)?;
    }
    for k in after.iter().filter(|k| !before.contains(k)) {
        add(&mut t, k, 1)?;
    }
    Ok(())
}

/// Case `id` (of `commune`) is about to get a new feed seq: every node that had acknowledged its
/// current version no longer has. Called before the feed moves.
pub(crate) fn before_feed_moves(tx: &WriteTransaction, commune: &str, id: &CaseId) -> Result<()> {
    let Some(seq) = tx.open_table(FEED_BY_DOC)?.get(&id.0)?.map(|v| v.value()) else {
        return Ok(());
    };
    let mut t = tx.open_table(COMMUNE_COUNTS)?;
    let lo = prefix(commune, ACKED);
    let hi = prefix(commune, ACKED + 1);
    let nodes: Vec<[u8; 32]> = t
        .range(lo.as_slice()..hi.as_slice())?
        .flatten()
        .filter_map(|(k, _)| k.value().get(lo.len()..)?.try_into().ok())
        .collect();
    if nodes.is_empty() {
        return Ok(());
    }
    let heads = tx.open_table(PEER_HEADS)?;
    for node in nodes {
        let known = heads.get((&node, &id.0))?.map(|g| known_seq(g.value()));
        if known == Some(seq) {
            add(&mut t, &ack_key(commune, &node), -1)?;
        }
    }
    Ok(())
}

/// What `peer` is known to hold of case `id` changed from feed seq `old` to `new` (`None`: the
/// row was removed). Moves the peer's acknowledged count when the case's current version is
/// involved.
pub(crate) fn peer_heads_written(
    tx: &WriteTransaction,
    peer: &[u8; 32],
    id: &CaseId,
    old: Option<u64>,
    new: Option<u64>,
) -> Result<()> {
    let Some(seq) = tx.open_table(FEED_BY_DOC)?.get(&id.0)?.map(|v| v.value()) else {
        return Ok(());
    };
    let was = old == Some(seq);
    let now = new == Some(seq);
    if was == now {
        return Ok(());
    }
    let Some(commune) = commune_of(tx, id)? else {
        return Ok(());
    };
    let mut t = tx.open_table(COMMUNE_COUNTS)?;
    add(&mut t, &ack_key(&commune, peer), if now { 1 } else { -1 })
}

fn commune_of(tx: &WriteTransaction, id: &CaseId) -> Result<Option<String>> {
    Ok(tx
        .open_table(CASES)?
        .get(&id.0)?
        .and_then(|v| crate::summaries::jurisdiction(id, v.value()).ok())
        .map(|(_, commune)| commune))
}

/// The local feed seq of a [`PEER_HEADS`] row (its first 8 bytes, big-endian, as
/// `replica::encode_peer_heads` writes it; read here so this module stays below `replica`).
fn known_seq(row: &[u8]) -> u64 {
    row.get(..8)
        .and_then(|b| <[u8; 8]>::try_from(b).ok())
        .map_or(0, u64::from_be_bytes)
}

/// The marker value of counters built by this build under this store format.
pub(crate) fn marker() -> Vec<u8> {
    let mut v = crate::store::FORMAT.to_be_bytes().to_vec();
    v.extend_from_slice(&VERSION.to_be_bytes());
    v
}

/// Rebuilds every counter from the summaries, the change feed and the peers' known heads, in
/// `tx`, and sets the marker. Returns the cases counted.
pub(crate) fn rebuild_in(tx: &WriteTransaction) -> Result<u64> {
    let mut counts: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
    let mut commune_of: HashMap<[u8; 16], String> = HashMap::new();
    let mut n = 0;
    {
        let cases = tx.open_table(CASES)?;
        for row in cases.iter()? {
            let (k, v) = row?;
            let id = CaseId(*k.value());
            let Ok(s) = crate::summaries::decode(&id, v.value()) else {
                continue; // `hoso check` names a summary that does not read
            };
            for key in keys(&s) {
                *counts.entry(key).or_default() += 1;
            }
            commune_of.insert(id.0, s.commune);
            n += 1;
        }
        let by_doc = tx.open_table(FEED_BY_DOC)?;
        let heads = tx.open_table(PEER_HEADS)?;
        for row in heads.iter()? {
            let (k, v) = row?;
            let (node, case) = k.value();
            let Some(commune) = commune_of.get(case) else {
                continue;
            };
            let known = known_seq(v.value());
            if by_doc.get(case)?.map(|s| s.value()) == Some(known) {
                *counts.entry(ack_key(commune, node)).or_default() += 1;
            }
        }
    }
    let mut t = tx.open_table(COMMUNE_COUNTS)?;
    t.retain(|_, _| false)?;
    for (k, v) in &counts {
        t.insert(k.as_slice(), *v)?;
    }
    tx.open_table(META)?
        .insert(META_COUNTS, marker().as_slice())?;
    Ok(n)
}

/// One commune's counters.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommuneCounts {
    /// Every case.
    pub total: u64,
    /// Open cases.
    pub open: u64,
    /// Open cases with the clock paused.
    pub paused: u64,
    /// Open cases with a running clock, per due date (`YYYY-MM-DD`).
    pub due: BTreeMap<String, u64>,
    /// Cases whose current version each node acknowledged.
    pub acked: BTreeMap<NodeId, u64>,
}

/// Every commune's counters, as of `rtx`.
pub(crate) fn read(rtx: &redb::ReadTransaction) -> Result<BTreeMap<String, CommuneCounts>> {
    let t = rtx.open_table(COMMUNE_COUNTS)?;
    let mut out: BTreeMap<String, CommuneCounts> = BTreeMap::new();
    for row in t.iter()? {
        let (k, v) = row?;
        let (k, n) = (k.value(), v.value());
        let Some(zero) = k.iter().position(|b| *b == 0) else {
            continue;
        };
        let (Ok(commune), Some(tag)) = (std::str::from_utf8(&k[..zero]), k.get(zero + 1)) else {
            continue;
        };
        let rest = &k[zero + 2..];
        let c = out.entry(commune.to_string()).or_default();
        match *tag {
            TOTAL => c.total = n,
            OPEN => c.open = n,
            PAUSED => c.paused = n,
            DUE => {
                if let Ok(d) = std::str::from_utf8(rest) {
                    c.due.insert(d.to_string(), n);
                }
            }
            ACKED => {
                if let Ok(id) = <[u8; 32]>::try_from(rest) {
                    c.acked.insert(NodeId(id), n);
                }
            }
            _ => {}
        }
    }
    Ok(out)
}
