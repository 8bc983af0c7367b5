//! Decoding received whole documents before the writer lock. A case new here arrives as a whole
//! document, and loading it (every change decoded and hashed, the heads checked) and reading
//! its view are most of what ingesting it costs. None of that needs the store, so it runs before
//! the transaction, on every core for a large batch, while other sessions write. The
//! transaction still decides: a case that turns out to be held by then is merged from the bytes
//! as before, and every check of `ingest.rs` (id, jurisdiction, scope, trust) runs on the
//! decoded form in the transaction.

use automerge::AutoCommit;
use redb::ReadableDatabase;

use crate::case::{CaseDoc, CaseView};
use crate::error::Result;
use crate::node::handle::Node;
use crate::store::tables::{CASES, DocBuf};

use super::incoming::IncomingDoc;

/// Documents per batch below which decoding runs on the caller's thread alone.
const PARALLEL_FROM: usize = 16;

/// A received whole document, loaded, with what the transaction reads of it (each read's
/// error kept, so the transaction refuses it exactly as if it had read it itself).
pub(super) struct Decoded {
    pub(super) doc: CaseDoc,
    /// Every change of the document: hash and actor (`trust::changes_after`).
    pub(super) changes: Vec<([u8; 32], Vec<u8>)>,
    pub(super) view: Result<CaseView>,
    pub(super) juris: Result<(Vec<String>, Vec<String>)>,
    /// The row to store, made here rather than on the writer: the received row itself, or the
    /// received bytes packed (`None`: the writer saves the document in the stored form). See
    /// `packed.rs` and `received.rs`.
    pub(super) row: Option<DocBuf>,
}

/// What was done before the transaction for one document.
pub(super) enum Prepared {
    /// Nothing (changes, or a case already held): the transaction decodes it if it must.
    Later,
    /// Loaded, or the load error.
    Done(std::result::Result<Box<Decoded>, String>),
    /// Merged into the case held here, before the lock (`held.rs`).
    Held(Box<super::held::HeldMerge>),
}

/// Loads a whole document and reads its view and jurisdiction (the load error otherwise).
pub(super) fn decode(d: &IncomingDoc) -> std::result::Result<Box<Decoded>, String> {
    let (received_row, unpacked) = if super::packed::is_row(d) {
        let (row, saved) = super::packed::unpack(d)?;
        (Some(row), Some(saved))
    } else {
        (None, None)
    };
    let saved: &[u8] = unpacked.as_deref().unwrap_or(&d.bytes);
    let am = AutoCommit::load(saved).map_err(|e| e.to_string())?;
    let mut doc = CaseDoc::from_automerge(am);
    let row = stored_row(&mut doc, saved, received_row);
    let changes = super::trust::changes_after(doc.automerge(), &[]);
    let view = doc.view();
    let juris = doc
        .all_strings("province")
        .and_then(|p| Ok((p, doc.all_strings("commune")?)));
    Ok(Box::new(Decoded {
        doc,
        changes,
        view,
        juris,
        row,
    }))
}

/// The row to store for a new case whose received bytes `saved` loaded (strictly: checksums,
/// change hashes, heads) into `doc`: when they are one document chunk with nothing missing,
/// they are exactly what `save()` would write, so the row is the received one or these bytes
/// packed, if it packs well (a document sent with Automerge's column deflate does not, and is
/// saved again in the stored form by the writer). `None` otherwise.
fn stored_row(doc: &mut CaseDoc, saved: &[u8], received: Option<DocBuf>) -> Option<DocBuf> {
    if !super::received::is_single_document(saved)
        || !doc.automerge().get_missing_deps(&[]).is_empty()
    {
        return None;
    }
    Some(received.unwrap_or_else(|| DocBuf::pack(saved))).filter(|p| p.packs_well(saved.len()))
}

impl Node {
    /// Decodes the whole documents of `docs` whose case is not held here now, one entry per
    /// document in order.
    pub(super) fn prepare_docs(&self, docs: &[IncomingDoc]) -> Result<Vec<Prepared>> {
        let wanted: Vec<bool> = {
            let rtx = self.db().begin_read()?;
            let cases = rtx.open_table(CASES)?;
            let mut w = Vec::with_capacity(docs.len());
            for d in docs {
                w.push(d.full && cases.get(&d.id.0)?.is_none());
            }
            w
        };
        let one = |(d, want): &(&IncomingDoc, bool)| {
            if *want {
                Prepared::Done(decode(d))
            } else {
                // A case held here: merged before the lock (`held.rs`).
                self.db()
                    .begin_read()
                    .ok()
                    .and_then(|r| self.prepare_held(&r, d))
                    .map_or(Prepared::Later, |h| Prepared::Held(Box::new(h)))
            }
        };
        let items: Vec<(&IncomingDoc, bool)> = docs.iter().zip(wanted).collect();
        let threads = std::thread::available_parallelism()
            .map(std::num::NonZero::get)
            .unwrap_or(1)
            .min(8);
        let n = items.len();
        if threads < 2 || n < PARALLEL_FROM {
            return Ok(items.iter().map(one).collect());
        }
        // A worker that panicked leaves its documents to the transaction.
        Ok(crate::audit::verify::par_map(&items, threads, one)
            .unwrap_or_else(|_| items.iter().map(|_| Prepared::Later).collect()))
    }
}
