//! The audit-by-case index (table `audit-by-case-2`, store format 4): which entries name a case.
//!
//! A key is `case id (16) ‖ the origin's first 8 bytes ‖ seq (u64 BE)`: 32 bytes where format 3
//! kept the whole 32-byte origin (56). The origin is found again from its prefix among the
//! origins whose records the store holds ([`crate::audit::stored::Records::origins_with_prefix`]).
//! Two origins sharing a prefix (a 64-bit collision, which only a node grinding its own keys
//! could make) are both looked at, and only the record that names the case is kept: the index is
//! a pointer, the record itself says which case it is about.

use std::collections::HashMap;

use redb::ReadableTable;

use crate::chain::compact::Expanded;
use crate::chain::entry::Entry;
use crate::error::Result;
use crate::ids::CaseId;

/// Bytes of a key.
pub const KEY_LEN: usize = 32;
/// Bytes of the origin kept in a key.
pub const PREFIX_LEN: usize = 8;

/// The index key of the entry (`origin`, `seq`) that names `case`.
pub fn key(case: &CaseId, origin: &[u8; 32], seq: u64) -> [u8; KEY_LEN] {
    let mut k = [0u8; KEY_LEN];
    k[..16].copy_from_slice(&case.0);
    k[16..24].copy_from_slice(&origin[..PREFIX_LEN]);
    k[24..].copy_from_slice(&seq.to_be_bytes());
    k
}

/// One entry the index names for a case.
pub struct CaseEntry {
    /// The entry's origin.
    pub origin: [u8; 32],
    /// Its seq.
    pub seq: u64,
    /// The record, rebuilt, with its payload when held.
    pub held: Expanded,
}

/// Every entry the index names for `case`, in key order (origin prefix, seq), read through
/// `audit` (which rebuilds each record).
pub fn entries<I, T, O, A>(
    idx: &I,
    audit: &crate::audit::stored::Records<T, O, A>,
    case: &CaseId,
) -> Result<Vec<CaseEntry>>
where
    I: ReadableTable<&'static [u8; KEY_LEN], ()>,
    T: ReadableTable<(&'static [u8; 32], u64), crate::store::tables::CompactRecord>,
    O: ReadableTable<&'static [u8; 32], &'static [u8]>,
    A: ReadableTable<(&'static [u8; 32], u64), &'static [u8]>,
{
    let mut lo = [0u8; KEY_LEN];
    lo[..16].copy_from_slice(&case.0);
    let mut hi = [0xffu8; KEY_LEN];
    hi[..16].copy_from_slice(&case.0);
    let mut origins: HashMap<[u8; PREFIX_LEN], Vec<[u8; 32]>> = HashMap::new();
    let mut out = Vec::new();
    for row in idx.range::<&[u8; KEY_LEN]>(&lo..=&hi)? {
        let (k, _) = row?;
        let k = k.value();
        let mut prefix = [0u8; PREFIX_LEN];
        prefix.copy_from_slice(&k[16..24]);
        let mut seq = [0u8; 8];
        seq.copy_from_slice(&k[24..]);
        let seq = u64::from_be_bytes(seq);
        let candidates = match origins.get(&prefix) {
            Some(c) => c,
            None => {
                let c = audit.origins_with_prefix(&prefix)?;
                origins.entry(prefix).or_insert(c)
            }
        };
        let only = candidates.len() == 1;
        for origin in candidates {
            let Some(held) = audit.get(origin, seq)? else {
                continue;
            };
            // One candidate: the record is the one indexed, whatever it holds (verification
            // reports a damaged one). Several: only the one that names the case.
            if only || Entry::from_record(&held.record).is_ok_and(|e| e.body.case_id == *case) {
                out.push(CaseEntry {
                    origin: *origin,
                    seq,
                    held,
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_32_bytes_ordered_by_case_then_origin_then_seq() {
        let a = CaseId([1; 16]);
        let b = CaseId([2; 16]);
        let o = [7u8; 32];
        let k = key(&a, &o, 5);
        assert_eq!(k.len(), 32);
        assert_eq!(&k[..16], &a.0);
        assert_eq!(&k[16..24], &o[..8]);
        assert_eq!(&k[24..], &5u64.to_be_bytes());
        assert!(key(&a, &o, 5) < key(&a, &o, 6));
        assert!(key(&a, &o, u64::MAX) < key(&b, &[0; 32], 0));
    }
}
