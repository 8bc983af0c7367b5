//! A whole document received from a peer, kept in the form it arrived in.
//!
//! A sender's whole document is its `save()` output: one Automerge *document* chunk. Once the
//! bytes have loaded strictly (every chunk checksummed, every change hash recomputed, the
//! heads the chunk records checked against them: automerge's `VerificationMode::Check`), they
//! are exactly what `save()` of the loaded document would store, so the hub stores them as they
//! came instead of encoding the document again. Anything else that loads (a series of change
//! chunks, a document followed by chunks) is re-encoded as before, so the store only ever holds
//! a single compact document per case in its `DOCS` row.

/// Automerge's chunk magic bytes.
const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
/// Automerge's chunk type for a whole document.
const DOCUMENT: u8 = 0;

/// True when `bytes` are exactly one Automerge document chunk: magic, checksum, the document
/// type, a LEB128 length, and that many bytes with nothing after them. It reads the header
/// only; the caller has loaded the bytes (which checks the checksum and the heads).
pub(crate) fn is_single_document(bytes: &[u8]) -> bool {
    let Some(rest) = bytes.strip_prefix(&MAGIC) else {
        return false;
    };
    // 4 checksum bytes, then the type.
    let Some((&kind, rest)) = rest.get(4..).and_then(<[u8]>::split_first) else {
        return false;
    };
    if kind != DOCUMENT {
        return false;
    }
    let Some((len, used)) = uleb128(rest) else {
        return false;
    };
    usize::try_from(len).is_ok_and(|len| rest.len().checked_sub(used) == Some(len))
}

/// An unsigned LEB128 value and the bytes it took (at most 10; `None` when cut short or too
/// long).
fn uleb128(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for (i, b) in bytes.iter().take(10).enumerate() {
        let low = u64::from(b & 0x7f);
        let shift = 7 * i as u32;
        if shift == 63 && low > 1 {
            return None;
        }
        value |= low << shift;
        if b & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::{AutoCommit, ROOT, ReadDoc, transaction::Transactable};

    fn doc(n: usize) -> AutoCommit {
        let mut d = AutoCommit::new();
        for i in 0..n {
            d.put(
                ROOT,
                format!("k{i}"),
                "giá trị dài hơn một chút để có nội dung",
            )
            .expect("put");
            d.commit();
        }
        d
    }

    #[test]
    fn a_saved_document_is_one_document_chunk() {
        for n in [1, 5, 200] {
            let mut d = doc(n);
            let bytes = d.save();
            assert!(is_single_document(&bytes), "{n} changes");
            let loaded = AutoCommit::load(&bytes).expect("load");
            assert!(loaded.get(ROOT, "k0").expect("get").is_some());
        }
    }

    #[test]
    fn anything_else_is_not() {
        let mut d = doc(3);
        let saved = d.save();
        // Trailing bytes, a truncated chunk, an appended change chunk.
        let mut longer = saved.clone();
        longer.push(0);
        assert!(!is_single_document(&longer));
        assert!(!is_single_document(&saved[..saved.len() - 1]));
        d.put(ROOT, "more", 1).expect("put");
        d.commit();
        let mut with_chunk = saved.clone();
        with_chunk.extend(d.save_incremental());
        assert!(AutoCommit::load(&with_chunk).is_ok());
        assert!(!is_single_document(&with_chunk));
        // Changes only (a change chunk first), and nothing at all.
        let changes = doc(2).save_after(&[]);
        assert!(!is_single_document(&changes));
        assert!(!is_single_document(&[]));
        assert!(!is_single_document(&MAGIC));
        // A length that overflows.
        let mut bad = MAGIC.to_vec();
        bad.extend([0, 0, 0, 0, DOCUMENT]);
        bad.extend([0xff; 11]);
        assert!(!is_single_document(&bad));
    }
}
