//! Writes behind the write path, as a tampered store or a patched binary would make them, for
//! tests that show what the node, the audit and sync do with such a store. Compiled only with
//! the `tamper` feature, which only the test kit (a dev-dependency) enables: a shipped build has
//! none of this. Tests outside this crate reach the store only through these functions; tests
//! of this crate may also name the tables ([`tables`]).

use std::path::Path;

use redb::{Database, ReadableDatabase, ReadableTable, TableHandle, WriteTransaction};

use crate::case::CaseDoc;
use crate::error::{NodeError, Result};
use crate::ids::CaseId;
use crate::node::handle::Node;
use crate::session::{SESSIONS, SessionRecord};
use crate::store::tables::{CASES, DOC_CHANGES, DOCS, FEED, FEED_BY_DOC, RECEIPTS};

pub use crate::index::keys as index_keys;
pub use crate::index_build::META_LATE_KEYS;
pub use crate::store::META_CHAIN_HEAD;
pub use crate::store::tables;

/// A running node's store.
pub fn db(node: &Node) -> &Database {
    node.db()
}

/// Opens the store of a stopped node in `dir`.
pub fn open_store(dir: &Path) -> Result<Database> {
    let path = dir.join(crate::node::paths::STORE);
    Database::open(&path).map_err(|e| NodeError::Corrupt {
        what: format!("store file {}", path.display()),
        detail: e.to_string(),
    })
}

/// Moves a case to the head of the change feed inside `tx` (as the node does on a write).
pub fn bump_feed(tx: &WriteTransaction, id: &CaseId) -> Result<()> {
    let mut feed = tx.open_table(FEED)?;
    let mut by_doc = tx.open_table(FEED_BY_DOC)?;
    let next = feed.last()?.map_or(1, |(k, _)| k.value() + 1);
    if let Some(old) = by_doc.insert(&id.0, next)?.map(|g| g.value()) {
        feed.remove(old)?;
    }
    feed.insert(next, &id.0)?;
    Ok(())
}

/// Appends a change chunk to case `id` behind every check (no audit entry) and puts the case at
/// the head of the feed, so sync sends it.
pub fn plant_change(db: &Database, id: &CaseId, chunk: &[u8]) -> Result<()> {
    let tx = db.begin_write()?;
    {
        let mut t = tx.open_table(DOC_CHANGES)?;
        // After the last stored chunk (numbers need not start at 0: `node/fold.rs`).
        let n = t
            .range((&id.0, 0)..=(&id.0, u32::MAX))?
            .next_back()
            .transpose()?
            .map_or(0, |(k, _)| k.value().1.saturating_add(1));
        t.insert((&id.0, n), chunk)?;
    }
    bump_feed(&tx, id)?;
    tx.commit()?;
    Ok(())
}

/// Stores a whole case document (saved Automerge bytes) behind every check (scope, audit): the
/// document, its summary and receipt code, at the head of the feed.
pub fn plant_doc(db: &Database, bytes: &[u8]) -> Result<CaseId> {
    let am = automerge::AutoCommit::load(bytes).map_err(|e| NodeError::Corrupt {
        what: "planted document".into(),
        detail: e.to_string(),
    })?;
    let view = CaseDoc::from_automerge(am).view()?;
    let id = view.id;
    let tx = db.begin_write()?;
    tx.open_table(DOCS)?
        .insert(&id.0, crate::store::tables::DocBuf::pack(bytes).row())?;
    let summary = crate::summaries::encode(&view.summary())?;
    tx.open_table(CASES)?
        .insert(&id.0, crate::store::tables::SummaryRow(&summary))?;
    tx.open_table(RECEIPTS)?
        .insert(view.receipt_code.as_str(), &id.0)?;
    bump_feed(&tx, &id)?;
    tx.commit()?;
    Ok(id)
}

/// Loads case `id`'s stored document (snapshot and chunks) with Automerge actor `actor`, to
/// forge a change on it.
pub fn load_doc(db: &Database, id: &CaseId, actor: [u8; 16]) -> Result<CaseDoc> {
    let rtx = db.begin_read()?;
    let saved = rtx
        .open_table(DOCS)?
        .get(&id.0)?
        .ok_or_else(|| NodeError::CaseNotFound(id.to_string()))?
        .value()
        .unpack(id)?
        .into_owned();
    let mut chunks = Vec::new();
    for row in rtx
        .open_table(DOC_CHANGES)?
        .range((&id.0, 0)..=(&id.0, u32::MAX))?
    {
        chunks.push(row?.1.value().to_vec());
    }
    CaseDoc::load(&saved, &chunks, actor)
}

/// Rewrites the stored row of every open session; returns how many rows there were.
pub fn edit_sessions(db: &Database, edit: impl Fn(&mut SessionRecord)) -> Result<usize> {
    let rows: Vec<(String, Vec<u8>)> = {
        let rtx = db.begin_read()?;
        let t = rtx.open_table(SESSIONS)?;
        let mut rows = Vec::new();
        for r in t.iter()? {
            let (k, v) = r?;
            rows.push((k.value().to_string(), v.value().to_vec()));
        }
        rows
    };
    let tx = db.begin_write()?;
    {
        let mut t = tx.open_table(SESSIONS)?;
        for (k, v) in &rows {
            let mut rec: SessionRecord =
                serde_json::from_slice(v).map_err(|e| NodeError::Corrupt {
                    what: "session row".into(),
                    detail: e.to_string(),
                })?;
            edit(&mut rec);
            let bytes = serde_json::to_vec(&rec).map_err(|e| NodeError::Corrupt {
                what: "session row".into(),
                detail: e.to_string(),
            })?;
            t.insert(k.as_str(), bytes.as_slice())?;
        }
    }
    tx.commit()?;
    Ok(rows.len())
}

/// The names of the (plain) tables a store holds, and how many multimap tables it holds.
pub fn stored_tables(db: &Database) -> Result<(Vec<String>, usize)> {
    let rtx = db.begin_read()?;
    let names = rtx.list_tables()?.map(|t| t.name().to_string()).collect();
    let multimap = rtx.list_multimap_tables()?.count();
    Ok((names, multimap))
}
