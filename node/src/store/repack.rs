//! Offline store compaction (`hoso store compact`): every table rewritten in key order, then
//! redb's own [`redb::Database::compact`] returns the freed pages to the file system.
//!
//! Why both: a B-tree filled in random key order (case ids) or by many small commits leaves its
//! leaves one half to two thirds full, and every copy-on-write commit leaves freed pages inside
//! the file; `Database::compact` only moves pages towards the start of the file (it does not
//! refill them). Rewriting a table in key order in one transaction packs its leaves full.
//! Each table is rewritten in its own transaction (copy, delete, rename), so memory stays bounded
//! by the largest table and a crash leaves every table whole (the copy is only renamed in the
//! transaction that deletes the original).
//!
//! It needs the store to itself: the file is opened in redb's exclusive mode, so a running
//! `hoso serve` or console makes it refuse ([`crate::error::NodeError::StoreLocked`]) instead of
//! waiting.

use std::path::Path;
use std::time::Instant;

use redb::{Database, ReadableTable, TableDefinition, TableHandle};
use serde::Serialize;

use crate::backup::{TableVisitor, for_each_table};
use crate::error::{NodeError, Result};

/// What a compaction did.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Compacted {
    /// Store file size before.
    pub bytes_before: u64,
    /// Store file size after.
    pub bytes_after: u64,
    /// Tables rewritten in key order.
    pub tables_rewritten: usize,
    /// Rows copied.
    pub rows: u64,
    /// Seconds it took.
    pub seconds: f64,
}

struct Repack<'a> {
    db: &'a Database,
    tables: usize,
    rows: u64,
}

impl TableVisitor for Repack<'_> {
    fn visit<K: redb::Key + 'static, V: redb::Value + 'static>(
        &mut self,
        def: TableDefinition<K, V>,
    ) -> Result<()> {
        let tmp_name = format!("{}.repack", def.name());
        let tmp: TableDefinition<K, V> = TableDefinition::new(&tmp_name);
        let tx = self.db.begin_write()?;
        // A copy left by an interrupted run of an older build is dropped first.
        tx.delete_table(tmp)?;
        let rows = {
            let src = tx.open_table(def)?;
            let mut dst = tx.open_table(tmp)?;
            let mut n = 0u64;
            for row in src.iter()? {
                let (k, v) = row?;
                dst.insert(k.value(), v.value())?;
                n += 1;
            }
            n
        };
        tx.delete_table(def)?;
        tx.rename_table(tmp, def)?;
        tx.commit()?;
        self.tables += 1;
        self.rows += rows;
        Ok(())
    }
}

/// Compacts the store file at `path` (see the module docs). Opens it through
/// [`super::open`] first, so an older format is migrated and anything that is not a hoso store
/// is refused as on every open.
pub(crate) fn compact_file(path: &Path) -> Result<Compacted> {
    let t = Instant::now();
    let size = |p: &Path| {
        std::fs::metadata(p)
            .map(|m| m.len())
            .map_err(|e| NodeError::io(p, e))
    };
    drop(super::open(path)?);
    let bytes_before = size(path)?;
    let mut db = Database::builder()
        .open(path)
        .map_err(|e| super::map_open_error(path, e))?;
    let mut repack = Repack {
        db: &db,
        tables: 0,
        rows: 0,
    };
    for_each_table(&mut repack)?;
    let (tables_rewritten, rows) = (repack.tables, repack.rows);
    // Each pass moves pages down; a few passes reach the end.
    for _ in 0..8 {
        let more = db
            .compact()
            .map_err(|e| NodeError::Store(Box::new(e.into())))?;
        if !more {
            break;
        }
    }
    drop(db);
    Ok(Compacted {
        bytes_before,
        bytes_after: size(path)?,
        tables_rewritten,
        rows,
        seconds: t.elapsed().as_secs_f64(),
    })
}

impl crate::node::handle::Node {
    /// Records a finished `hoso store compact` on the own chain (the node's own entry, like
    /// every maintenance step; the compaction changed no record, so it had nothing to audit
    /// while it ran).
    pub fn record_compaction(&self, c: &Compacted) -> crate::error::Result<()> {
        self.append_event(
            crate::chain::entry::Action::StoreCompact,
            serde_json::json!({
                "bytes_before": c.bytes_before,
                "bytes_after": c.bytes_after,
                "tables_rewritten": c.tables_rewritten,
                "rows": c.rows,
            }),
            |_| Ok(()),
        )
    }
}
