//! An RFC 9162-shaped Merkle tree over entry hashes (audit.md §3): leaf `H(0x00 ‖ entry hash)`,
//! node `H(0x01 ‖ left ‖ right)`, split at the largest power of two below the size, with blake3
//! in its own derive-key context. Kept as a compact range: O(log n) state, one push per entry.

/// blake3 derive-key context of leaf and node hashes.
pub const MERKLE_CONTEXT: &str = "hoso 2026-11 audit merkle v1";

fn hasher() -> blake3::Hasher {
    blake3::Hasher::new_derive_key(MERKLE_CONTEXT)
}

/// The leaf hash of an entry hash.
pub fn leaf(entry_hash: &[u8; 32]) -> [u8; 32] {
    let mut h = hasher();
    h.update(&[0]);
    h.update(entry_hash);
    *h.finalize().as_bytes()
}

/// The interior node hash.
pub fn node(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
    let mut h = hasher();
    h.update(&[1]);
    h.update(left);
    h.update(right);
    *h.finalize().as_bytes()
}

/// The root of the empty tree.
pub fn empty_root() -> [u8; 32] {
    *hasher().finalize().as_bytes()
}

/// The perfect subtrees covering leaves `0..size`, largest first: the whole tree state a
/// witness needs to extend it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CompactRange {
    size: u64,
    /// One hash per set bit of `size`, from the highest bit down.
    peaks: Vec<[u8; 32]>,
}

impl CompactRange {
    /// The empty range.
    pub fn new() -> Self {
        Self::default()
    }
    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }
    /// Appends one entry hash.
    pub fn push(&mut self, entry_hash: &[u8; 32]) {
        let mut h = leaf(entry_hash);
        // Merge while the lowest peaks are the same height: one per trailing one bit of size.
        let mut n = self.size;
        while n & 1 == 1 {
            let Some(left) = self.peaks.pop() else { break };
            h = node(&left, &h);
            n >>= 1;
        }
        self.peaks.push(h);
        self.size += 1;
    }
    /// The tree root (RFC 9162 MTH): peaks folded right to left.
    pub fn root(&self) -> [u8; 32] {
        let mut it = self.peaks.iter().rev();
        let Some(last) = it.next() else {
            return empty_root();
        };
        let mut acc = *last;
        for p in it {
            acc = node(p, &acc);
        }
        acc
    }
    /// `size u64 BE ‖ peaks`.
    pub fn encode(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(8 + 32 * self.peaks.len());
        b.extend_from_slice(&self.size.to_be_bytes());
        for p in &self.peaks {
            b.extend_from_slice(p);
        }
        b
    }
    /// Decodes [`CompactRange::encode`], checking the peak count against the size.
    pub fn decode(bytes: &[u8]) -> Option<CompactRange> {
        let size = u64::from_be_bytes(bytes.get(..8)?.try_into().ok()?);
        let rest = bytes.get(8..)?;
        if rest.len() != 32 * size.count_ones() as usize {
            return None;
        }
        let peaks = rest
            .chunks_exact(32)
            .map(|c| {
                let mut h = [0u8; 32];
                h.copy_from_slice(c);
                h
            })
            .collect();
        Some(CompactRange { size, peaks })
    }
}

/// MTH by the RFC's recursive definition (reference for tests and small trees).
pub fn root_of(hashes: &[[u8; 32]]) -> [u8; 32] {
    match hashes.len() {
        0 => empty_root(),
        1 => leaf(&hashes[0]),
        n => {
            let p = (n - 1).next_power_of_two();
            let k = if p < n { p } else { p / 2 };
            node(&root_of(&hashes[..k]), &root_of(&hashes[k..]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_range_matches_recursive_definition() {
        let hashes: Vec<[u8; 32]> = (0..70u8).map(|i| [i; 32]).collect();
        let mut r = CompactRange::new();
        assert_eq!(r.root(), root_of(&[]));
        for n in 1..=hashes.len() {
            r.push(&hashes[n - 1]);
            assert_eq!(r.root(), root_of(&hashes[..n]), "size {n}");
            assert_eq!(CompactRange::decode(&r.encode()), Some(r.clone()));
        }
        assert!(CompactRange::decode(&r.encode()[..40]).is_none());
        // Split point: 5 leaves = (4, 1).
        let five = &hashes[..5];
        assert_eq!(root_of(five), node(&root_of(&five[..4]), &leaf(&five[4])));
    }
}
