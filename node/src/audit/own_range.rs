//! The compact Merkle range of this node's own chain, kept in `meta` so that a checkpoint in a
//! fresh process (`hoso sync --once`) does not rehash the whole chain.
//!
//! `own_checkpoint` needs the root of every entry's hash. The range was cached in memory only,
//! so each `sync --once` process read and rebuilt every record of its chain (payloads inflated)
//! to sign one checkpoint: at a commune with 100,000 entries that was most of an edit round's
//! CPU. The range at some size, with the hash of the entry at that size − 1, is stored under
//! [`META_OWN_RANGE`] whenever the commune stores a cosignature (its checkpoint was just
//! computed); the next checkpoint extends it with the entries appended since. Own entries are
//! append-only, and the stored head is checked against the entry held at its seq before it is
//! used, so a range that no longer matches the chain (a restored store) is rebuilt from the
//! chain as before.

use redb::{ReadableTable, WriteTransaction};

use crate::chain::merkle::CompactRange;
use crate::error::Result;
use crate::store::tables::META;

/// Meta key of the stored range: the head entry's hash, then [`CompactRange::encode`].
pub const META_OWN_RANGE: &str = "own-range";

/// The stored range and the hash of its last entry, when one is stored and not beyond `size`.
/// The caller checks that hash against the entry it holds at that seq before using it.
pub(crate) fn load<M: ReadableTable<&'static str, &'static [u8]>>(
    meta: &M,
    size: u64,
) -> Result<Option<(CompactRange, [u8; 32])>> {
    let Some(v) = meta.get(META_OWN_RANGE)? else {
        return Ok(None);
    };
    let v = v.value();
    if v.len() < 32 {
        return Ok(None);
    }
    let mut head = [0u8; 32];
    head.copy_from_slice(&v[..32]);
    Ok(CompactRange::decode(&v[32..])
        .filter(|r| r.size() > 0 && r.size() <= size)
        .map(|r| (r, head)))
}

/// Stores `range` (of the own chain) and the hash of its last entry.
pub(crate) fn save(tx: &WriteTransaction, range: &CompactRange, head: &[u8; 32]) -> Result<()> {
    let mut v = Vec::with_capacity(32 + 40 * 33);
    v.extend_from_slice(head);
    v.extend_from_slice(&range.encode());
    tx.open_table(META)?.insert(META_OWN_RANGE, v.as_slice())?;
    Ok(())
}
