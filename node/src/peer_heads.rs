//! The heads a peer is known to hold, shared by the ingest path (which records what a sender
//! holds) and replication (which skips what a peer already holds): the [`PEER_HEADS`] row
//! codec and the small hash-set helpers over Automerge heads.
//!
//! [`PEER_HEADS`]: crate::store::tables::PEER_HEADS

use automerge::{AutoCommit, ChangeHash};

pub(crate) fn encode_peer_heads(seq: u64, heads: &[[u8; 32]]) -> Vec<u8> {
    let mut v = Vec::with_capacity(8 + 32 * heads.len());
    v.extend_from_slice(&seq.to_be_bytes());
    for h in heads {
        v.extend_from_slice(h);
    }
    v
}

pub(crate) fn decode_peer_heads(b: &[u8]) -> (u64, Vec<[u8; 32]>) {
    let mut seq = [0u8; 8];
    if b.len() < 8 {
        return (0, Vec::new());
    }
    seq.copy_from_slice(&b[..8]);
    let heads = b[8..]
        .chunks_exact(32)
        .map(|c| {
            let mut h = [0u8; 32];
            h.copy_from_slice(c);
            h
        })
        .collect();
    (u64::from_be_bytes(seq), heads)
}

/// Most hashes kept per (peer, case): the newest known ones first.
const MAX_KNOWN: usize = 16;

/// Merges two sets of hashes known to be held by a peer (newest first, bounded).
pub(crate) fn union(new: &[[u8; 32]], old: &[[u8; 32]]) -> Vec<[u8; 32]> {
    let mut out: Vec<[u8; 32]> = Vec::with_capacity(new.len() + old.len());
    for h in new.iter().chain(old) {
        if !out.contains(h) {
            out.push(*h);
        }
    }
    out.truncate(MAX_KNOWN);
    out
}

/// True when every local head is among the peer's known hashes (it holds the whole doc).
pub(crate) fn covered(local: &[[u8; 32]], known: &[[u8; 32]]) -> bool {
    local.iter().all(|h| known.contains(h))
}

pub(crate) fn sorted(mut h: Vec<[u8; 32]>) -> Vec<[u8; 32]> {
    h.sort_unstable();
    h.dedup();
    h
}

/// True when `am` has applied every change of `heads`. With no change queued for missing
/// dependencies, `get_missing_deps(heads)` lists exactly the heads not applied, from the change
/// graph; otherwise each change is looked up (which rebuilds it: slower, and rare).
pub(crate) fn holds_all(am: &mut AutoCommit, heads: &[[u8; 32]]) -> bool {
    let hashes: Vec<ChangeHash> = heads.iter().map(|h| ChangeHash(*h)).collect();
    if am.get_missing_deps(&[]).is_empty() {
        return am.get_missing_deps(&hashes).is_empty();
    }
    hashes.iter().all(|h| am.get_change_by_hash(h).is_some())
}

pub(crate) fn raw_heads(doc: &mut AutoCommit) -> Vec<[u8; 32]> {
    sorted(doc.get_heads().iter().map(|h| h.0).collect())
}
