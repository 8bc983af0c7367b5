//! Audit payloads deflated before the writer (issue 13, initial sync).
//!
//! A received audit entry is stored in its compact form (`compact.rs`), whose payload is
//! deflated with the payload dictionary and without it, the shorter kept. On a hub taking a
//! commune's backlog that deflating ran on the one writer thread, about a fifth of its time.
//! The checks that run before the writer (`audit/replica/precheck.rs`, on every core) deflate
//! each payload that passed and leave the result here, keyed by the payload's blake3 hash (the
//! hash the entry signs and the precheck verified); [`compact::compact`](super::compact::compact)
//! takes it from here instead of deflating again. Deflating is deterministic, so the row is
//! byte for byte the one it would have made.
//!
//! Bounded: at most [`MAX_BYTES`] of deflated payloads are held; when full, the memo is
//! emptied (what is not found is deflated by the writer, as before). A taken result is removed.

use std::collections::HashMap;
use std::sync::Mutex;

/// Most bytes of deflated payloads held.
pub(crate) const MAX_BYTES: usize = 16 << 20;

/// What [`super::compact`] makes of a payload: the deflated bytes and whether the dictionary
/// was used, or `None` when deflating does not pay.
pub(crate) type Deflated = Option<(Vec<u8>, bool)>;

struct Memo {
    held: HashMap<[u8; 32], Deflated>,
    bytes: usize,
}

static MEMO: Mutex<Option<Memo>> = Mutex::new(None);

/// Leaves the compact form of the payload whose hash is `hash`.
pub(crate) fn put(hash: [u8; 32], deflated: Deflated) {
    let len = deflated.as_ref().map_or(0, |(z, _)| z.len()) + 48;
    let Ok(mut m) = MEMO.lock() else {
        return;
    };
    let m = m.get_or_insert_with(|| Memo {
        held: HashMap::new(),
        bytes: 0,
    });
    if m.bytes + len > MAX_BYTES {
        m.held.clear();
        m.bytes = 0;
    }
    if m.held.insert(hash, deflated).is_none() {
        m.bytes += len;
    }
}

/// Takes the compact form left for the payload whose hash is `hash`, if any.
pub(crate) fn take(hash: &[u8; 32]) -> Option<Deflated> {
    let mut m = MEMO.lock().ok()?;
    let m = m.as_mut()?;
    let d = m.held.remove(hash)?;
    m.bytes = m
        .bytes
        .saturating_sub(d.as_ref().map_or(0, |(z, _)| z.len()) + 48);
    Some(d)
}

#[cfg(test)]
mod tests {
    #[test]
    fn taken_once_and_bounded() {
        let h = [7u8; 32];
        super::put(h, Some((vec![1, 2, 3], true)));
        assert_eq!(super::take(&h), Some(Some((vec![1, 2, 3], true))));
        assert_eq!(super::take(&h), None);
        // Filling past the bound empties it rather than growing.
        let big = vec![0u8; 1 << 20];
        for i in 0..40u8 {
            super::put([i; 32], Some((big.clone(), false)));
        }
        let held = (0..40u8)
            .filter(|i| super::take(&[*i; 32]).is_some())
            .count();
        assert!(held < 20, "{held} of 40 held");
    }
}
