//! Where a store's bytes go: per table, what its keys and values hold, what redb spends on
//! branch pages and headers, and the slack inside its pages; and how much of the file no table
//! holds (free pages, redb's own tables). Read in one read transaction; walks every page, so it
//! is for benchmarks and `hoso store` commands, not for hot paths.

use std::path::Path;

use redb::{Database, ReadableDatabase, ReadableTableMetadata};
use serde::Serialize;

use crate::error::{NodeError, Result};

/// One table's share of the store.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct TableUsage {
    /// The table's name (with its layout version, e.g. `docs-1`).
    pub table: String,
    /// Rows.
    pub rows: u64,
    /// Bytes of keys and values as inserted.
    pub stored_bytes: u64,
    /// Bytes redb spends indexing them (branch keys, page headers, offsets).
    pub metadata_bytes: u64,
    /// Unused bytes inside the table's pages.
    pub fragmented_bytes: u64,
}

impl TableUsage {
    /// Every byte of the table's pages.
    pub fn total_bytes(&self) -> u64 {
        self.stored_bytes + self.metadata_bytes + self.fragmented_bytes
    }
}

/// A store's bytes, by table.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct StorageBreakdown {
    /// Size of the store file.
    pub file_bytes: u64,
    /// Bytes of the pages redb has allocated (tables, its own tables, pages pending free).
    pub allocated_bytes: u64,
    /// Every table, largest first.
    pub tables: Vec<TableUsage>,
}

impl StorageBreakdown {
    /// The bytes of the pages every table holds.
    pub fn tables_bytes(&self) -> u64 {
        self.tables.iter().map(TableUsage::total_bytes).sum()
    }

    /// The file's bytes no table holds: free pages, the region allocator, redb's own tables.
    pub fn untabled_bytes(&self) -> u64 {
        self.file_bytes.saturating_sub(self.tables_bytes())
    }

    /// One table by name.
    pub fn table(&self, name: &str) -> Option<&TableUsage> {
        self.tables.iter().find(|t| t.table == name)
    }
}

/// Reads the breakdown of the store `db` kept in the file at `path`.
pub(crate) fn breakdown(db: &Database, path: &Path) -> Result<StorageBreakdown> {
    let file_bytes = std::fs::metadata(path)
        .map_err(|e| NodeError::io(path, e))?
        .len();
    let allocated_bytes = {
        let wtx = db.begin_write()?;
        let stats = wtx.stats()?;
        wtx.abort()?;
        stats.allocated_pages() * stats.page_size() as u64
    };
    let rtx = db.begin_read()?;
    let mut tables = Vec::new();
    for handle in rtx.list_tables()? {
        let t = rtx.open_untyped_table(handle)?;
        let s = t.stats()?;
        tables.push(TableUsage {
            table: redb::TableHandle::name(&t).to_string(),
            rows: t.len()?,
            stored_bytes: s.stored_bytes(),
            metadata_bytes: s.metadata_bytes(),
            fragmented_bytes: s.fragmented_bytes(),
        });
    }
    tables.sort_by(|a, b| {
        b.total_bytes()
            .cmp(&a.total_bytes())
            .then(a.table.cmp(&b.table))
    });
    Ok(StorageBreakdown {
        file_bytes,
        allocated_bytes,
        tables,
    })
}
