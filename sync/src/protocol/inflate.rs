//! Whole documents sent without Automerge's column deflate on a slow, compressed link.
//!
//! A saved Automerge document deflates each column over 256 bytes on its own, so the text of a
//! case (names, places, notes, procedure wording) reaches the frame already compressed, and
//! zstd cannot find what it shares with the other cases of the batch. Re-saved without
//! deflate (`automerge::AutoCommit::save_nocompress`, the same document), a batch of
//! sample-shaped cases with their audit entries went from 1,456 to 863 frame bytes per case
//! (`hoso-bench sync --cases 500`, debug build). Loading each document costs CPU, so the
//! session does it only when the frames are compressed and its [`super::pace::Pacer`] says the
//! link is slow (a batch budget under [`INFLATE_BELOW`]); on loopback it stops after the
//! first acks. A document that does not load is sent as stored.

/// Batch budgets under this (document bytes per ~3 s, i.e. under ~170 KB/s) send whole
/// documents without column deflate.
pub const INFLATE_BELOW: usize = 512 << 10;

/// Largest stored document re-saved (bigger ones go as stored).
pub const MAX_SAVED: usize = 64 << 10;
/// Largest re-saved document sent (a bigger result goes as stored), far under every part and
/// frame bound.
pub const MAX_UNDEFLATED: usize = 256 << 10;

/// The document re-saved without column deflate, or `None` to send it as stored.
/// (The re-save is the node's: this crate does not decode documents.)
pub fn undeflated(saved: &[u8]) -> Option<Vec<u8>> {
    hoso_node::case::doc::save_undeflated(saved, MAX_SAVED, MAX_UNDEFLATED)
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;

    #[test]
    fn the_same_document_without_deflate() {
        let mut d = automerge::AutoCommit::new();
        let text = "Hồ sơ đầy đủ, Xã Bình Gia, tỉnh Lạng Sơn. ".repeat(40);
        d.put(automerge::ROOT, "note", text.as_str()).expect("put");
        let saved = d.save();
        let plain = super::undeflated(&saved).expect("loads");
        assert!(
            plain.len() > saved.len(),
            "{} vs {}",
            plain.len(),
            saved.len()
        );
        let mut back = automerge::AutoCommit::load(&plain).expect("loads");
        assert_eq!(back.get_heads(), d.get_heads());
        assert_eq!(back.save(), saved);
        assert_eq!(super::undeflated(b"not a document"), None);
    }
}
