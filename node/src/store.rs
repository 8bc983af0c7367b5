//! The redb store: opening, table creation, metadata keys and small read helpers.

pub mod tables;

use std::path::Path;

use redb::{Database, ReadableDatabase, ReadableTable};

use crate::error::{NodeError, Result};
use tables::*;

/// Meta key: JSON of the node's chain head.
pub const META_CHAIN_HEAD: &str = "chain-head";
/// Meta key: next feed seq (u64 BE).
pub const META_FEED_NEXT: &str = "feed-next";
/// Meta key prefix: daily receipt sequence, `receipt-seq:YYMMDD` (u32 BE).
pub const META_RECEIPT_SEQ: &str = "receipt-seq:";
/// Meta key: store format version.
pub const META_FORMAT: &str = "format";
/// The store format this build writes.
pub const FORMAT: &[u8] = b"hoso-store-1";

/// Opens (or creates) the store file, mapping engine errors to clear messages.
pub fn open(path: &Path, create: bool) -> Result<Database> {
    // Multi-writer mode: a CLI command may write while `hoso serve` or the console has the
    // store open; redb still admits one write transaction at a time, across processes.
    let mut builder = Database::builder();
    builder.set_concurrency_mode(redb::ConcurrencyMode::MultiWriter);
    let res = if create {
        builder.create(path)
    } else {
        if !path.exists() {
            return Err(NodeError::NotInitialized {
                dir: path.parent().unwrap_or(path).to_path_buf(),
            });
        }
        builder.open(path)
    };
    let db = res.map_err(|e| match e {
        redb::DatabaseError::DatabaseAlreadyOpen => NodeError::StoreLocked {
            path: path.to_path_buf(),
        },
        redb::DatabaseError::Storage(redb::StorageError::Io(io))
            if !matches!(
                io.kind(),
                std::io::ErrorKind::InvalidData | std::io::ErrorKind::UnexpectedEof
            ) =>
        {
            NodeError::io(path, io)
        }
        other => NodeError::Corrupt {
            what: format!("store file {}", path.display()),
            detail: other.to_string(),
        },
    })?;
    let tx = db.begin_write()?;
    {
        let mut meta = tx.open_table(META)?;
        let existing = meta.get(META_FORMAT)?.map(|v| v.value().to_vec());
        match existing {
            None => {
                meta.insert(META_FORMAT, FORMAT)?;
            }
            Some(f) if f == FORMAT => {}
            Some(f) => {
                return Err(NodeError::Corrupt {
                    what: format!("store file {}", path.display()),
                    detail: format!("unknown store format `{}`", String::from_utf8_lossy(&f)),
                });
            }
        }
        tx.open_table(DOCS)?;
        tx.open_table(DOC_CHANGES)?;
        tx.open_table(CASES)?;
        tx.open_table(INDEX)?;
        tx.open_table(RECEIPTS)?;
        tx.open_table(FEED)?;
        tx.open_table(FEED_BY_DOC)?;
        tx.open_table(OFFICERS)?;
        tx.open_table(REGISTRY)?;
        tx.open_table(REGISTRY_NAMES)?;
        tx.open_table(AUDIT)?;
        tx.open_table(AUDIT_PAYLOADS)?;
        tx.open_table(AUDIT_BY_CASE)?;
        tx.open_table(REVIEW)?;
        tx.open_table(AUDIT_FORKS)?;
        tx.open_table(SYNC_CHECKPOINTS)?;
        tx.open_table(PEER_HEADS)?;
        tx.open_table(AUDIT_CHECKPOINTS)?;
        tx.open_table(AUDIT_COSIGS)?;
        tx.open_table(AUDIT_WITNESS)?;
        tx.open_table(AUDIT_EVIDENCE)?;
    }
    tx.commit()?;
    Ok(db)
}

/// Reads one meta value.
pub fn meta_get(db: &Database, key: &str) -> Result<Option<Vec<u8>>> {
    let rtx = db.begin_read()?;
    let t = rtx.open_table(META)?;
    Ok(t.get(key)?.map(|v| v.value().to_vec()))
}

/// Number of rows in a table of case ids.
pub fn count_cases(db: &Database) -> Result<u64> {
    use redb::ReadableTableMetadata;
    let rtx = db.begin_read()?;
    Ok(rtx.open_table(CASES)?.len()?)
}

/// Iterates all stored case ids (for rebuilds and exports).
pub fn all_case_ids(db: &Database) -> Result<Vec<[u8; 16]>> {
    let rtx = db.begin_read()?;
    let t = rtx.open_table(CASES)?;
    let mut out = Vec::new();
    for row in t.iter()? {
        let (k, _) = row?;
        out.push(*k.value());
    }
    Ok(out)
}
