//! A whole document received in the store's own row form (issue 13, initial sync).
//!
//! A commune's documents sit in its store as packed rows (`store/doc_row.rs`: saved without
//! Automerge's column deflate, then deflated with the store's dictionary). Sending the saved
//! bytes made the commune inflate each row and the hub deflate it again for its own store:
//! deflating with the 25 KB dictionary was the largest single cost of the hub's initial sync
//! (about a fifth of its CPU). On a fast link a peer that negotiated it sends the row as it is
//! stored (`hoso/sync/3`), and the hub stores the row as it came.
//!
//! Nothing is trusted for it: the row's declared length is bounded
//! ([`crate::limits::MAX_DOC_BYTES`]) before anything is inflated, it must inflate to exactly
//! that length, and the inflated bytes are what is loaded strictly (checksums, change hashes,
//! heads) and checked like any received document. The row is kept only when those bytes are
//! one document chunk with no missing dependency, i.e. exactly what the store would hold, and
//! it packs well ([`DocBuf::packs_well`]); otherwise the loaded document is saved again in the
//! stored form, as for any other received document.
//!
//! A row is told from Automerge bytes by its first byte: a row starts with its tag (0, 1 or 2),
//! Automerge bytes with their magic (`0x85`). Only a whole document may be a row.

use std::borrow::Cow;

use crate::limits::MAX_DOC_BYTES;
use crate::store::tables::DocBuf;

use super::incoming::IncomingDoc;

/// The first byte of Automerge's chunk magic.
const AUTOMERGE_MAGIC0: u8 = 0x85;
/// The row tags of `store/doc_row.rs` (0: raw, 1: deflate, 2: deflate with the dictionary).
const ROW_TAGS: [u8; 3] = [0, 1, 2];

/// True when `d` is a whole document sent as a stored row.
pub(crate) fn is_row(d: &IncomingDoc) -> bool {
    d.full
        && d.bytes
            .first()
            .is_some_and(|b| *b != AUTOMERGE_MAGIC0 && ROW_TAGS.contains(b))
}

/// The received row and the saved bytes it holds (bounded, see the module docs).
pub(crate) fn unpack(d: &IncomingDoc) -> Result<(DocBuf, Vec<u8>), String> {
    DocBuf::from_received(&d.bytes, MAX_DOC_BYTES)
        .map_err(|why| format!("a stored-form document that does not read: {why}"))
}

/// The Automerge bytes of `d`: its bytes, or those its row holds.
pub(crate) fn automerge_bytes(d: &IncomingDoc) -> Result<Cow<'_, [u8]>, String> {
    if is_row(d) {
        Ok(Cow::Owned(unpack(d)?.1))
    } else {
        Ok(Cow::Borrowed(&d.bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::CaseId;
    use automerge::{AutoCommit, ROOT, transaction::Transactable};

    fn incoming(bytes: Vec<u8>, full: bool) -> IncomingDoc {
        IncomingDoc {
            id: CaseId([3; 16]),
            full,
            heads: Vec::new(),
            bytes,
        }
    }

    #[test]
    fn rows_and_automerge_bytes_are_told_apart() {
        let mut d = AutoCommit::new();
        d.put(ROOT, "k", "một giá trị").expect("put");
        d.commit();
        let saved = d.save_nocompress();
        let row = DocBuf::pack(&saved);
        let r = incoming(row.row().packed().to_vec(), true);
        assert!(is_row(&r));
        assert_eq!(automerge_bytes(&r).expect("unpacks").as_ref(), saved);
        let (back, bytes) = unpack(&r).expect("unpacks");
        assert_eq!(back, row);
        assert_eq!(bytes, saved);
        // Automerge bytes as they are; changes are never a row.
        let a = incoming(saved.clone(), true);
        assert!(!is_row(&a));
        assert_eq!(automerge_bytes(&a).expect("as is").as_ref(), saved);
        assert!(!is_row(&incoming(row.row().packed().to_vec(), false)));
        assert!(!is_row(&incoming(Vec::new(), true)));
    }

    #[test]
    fn a_row_over_the_bound_is_refused_before_it_is_inflated() {
        // Tag 2, a declared length one over the bound, then a few bytes.
        let mut row = vec![2u8];
        let mut n = (MAX_DOC_BYTES + 1) as u64;
        while n >= 0x80 {
            row.push((n as u8) | 0x80);
            n >>= 7;
        }
        row.push(n as u8);
        row.extend([0u8; 8]);
        let err = unpack(&incoming(row, true)).expect_err("over the bound");
        assert!(err.contains("size bound"), "{err}");
        // A row whose deflate stream is cut short.
        let saved = b"case document bytes ".repeat(100);
        let row = DocBuf::pack(&saved);
        let packed = row.row().packed();
        let cut = packed[..packed.len() - 4].to_vec();
        assert!(unpack(&incoming(cut, true)).is_err());
    }
}
