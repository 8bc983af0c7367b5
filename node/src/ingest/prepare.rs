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
use crate::store::tables::CASES;

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
    let am = AutoCommit::load(&d.bytes).map_err(|e| e.to_string())?;
    let mut doc = CaseDoc::from_automerge(am);
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
    }))
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
