//! The redb store: creating and opening it (never recreating a missing one), its format and
//! migrations ([`migrations`]), the binding of a store to its node key, table creation,
//! metadata keys ([`meta`]) and small read helpers. Integrity errors are [`error::StoreError`]; where the
//! bytes go, per table, is [`usage`]; offline compaction (`hoso store compact`) is [`repack`].

pub(crate) mod check;
pub(crate) mod doc_row;
pub(crate) mod error;
pub(crate) mod genesis;
pub(crate) mod meta;
pub(crate) mod migrations;
pub(crate) mod repack;
pub mod tables;
pub(crate) mod usage;

use std::path::Path;

use redb::{Database, ReadableDatabase, ReadableTable};

use crate::error::{NodeError, Result};
use crate::ids::NodeId;
use error::StoreError;
use tables::*;

pub use meta::META_CHAIN_HEAD;
pub(crate) use meta::{META_FORMAT, META_RECEIPT_SEQ, meta_get};
/// The store format this build writes.
pub(crate) const FORMAT: u32 = migrations::CURRENT;

/// How [`open`] found the store.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Opened {
    /// Formats the store was migrated through on this open (empty when it was current).
    pub migrated: Vec<u32>,
}

fn builder() -> redb::Builder {
    // Multi-writer mode: a CLI command may write while `hoso serve` or the console has the
    // store open; redb still admits one write transaction at a time, across processes.
    let mut builder = Database::builder();
    builder.set_concurrency_mode(redb::ConcurrencyMode::MultiWriter);
    builder.set_cache_size(cache_bytes());
    builder
}

/// redb's page cache for one open store, in MiB. redb's own default (1 GiB) let a hub that
/// took a 100,000-case backlog keep most of its 500 MB store in memory (701 MiB peak); the
/// pages missed are read again through the operating system's file cache, which is not the
/// process's memory.
pub(crate) const CACHE_MIB: usize = 64;

/// [`CACHE_MIB`], or `HOSO_STORE_CACHE_MIB` when it is set to a number from 4 to 4096 (for
/// measuring; any other value is ignored).
fn cache_bytes() -> usize {
    let mib = std::env::var("HOSO_STORE_CACHE_MIB")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|m| (4..=4096).contains(m))
        .unwrap_or(CACHE_MIB);
    mib << 20
}

pub(crate) fn map_open_error(path: &Path, e: redb::DatabaseError) -> NodeError {
    match e {
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
    }
}

fn create_tables(tx: &redb::WriteTransaction) -> Result<()> {
    tx.open_table(META)?;
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
    tx.open_table(AUDIT_ORIGINS)?;
    tx.open_table(AUDIT_ANCHORS)?;
    tx.open_table(AUDIT_BY_CASE)?;
    tx.open_table(REVIEW)?;
    tx.open_table(AUDIT_FORKS)?;
    tx.open_table(SYNC_CHECKPOINTS)?;
    tx.open_table(PEER_HEADS)?;
    tx.open_table(AUDIT_CHECKPOINTS)?;
    tx.open_table(AUDIT_COSIGS)?;
    tx.open_table(AUDIT_WITNESS)?;
    tx.open_table(AUDIT_EVIDENCE)?;
    tx.open_table(crate::store::tables::SESSIONS)?;
    tx.open_table(crate::store::tables::LOGIN_FAILURES)?;
    Ok(())
}

/// Creates a new store file at `path` with every table, in the current format. Refuses a path
/// that already holds data: only `init` (and scratch benchmarks) create stores.
pub(crate) fn create(path: &Path) -> Result<Database> {
    if std::fs::metadata(path).is_ok_and(|m| m.len() > 0) {
        return Err(NodeError::AlreadyInitialized {
            dir: path.parent().unwrap_or(path).to_path_buf(),
        });
    }
    let db = builder()
        .create(path)
        .map_err(|e| map_open_error(path, e))?;
    let tx = db.begin_write()?;
    create_tables(&tx)?;
    tx.open_table(META)?
        .insert(META_FORMAT, migrations::format_value(FORMAT).as_slice())?;
    tx.commit()?;
    Ok(db)
}

/// Opens an existing store: refuses a missing or zero-length file (never recreates one), a
/// store from a newer hoso, and anything that is not a hoso store; migrates an older format in
/// the opening transaction.
pub(crate) fn open(path: &Path) -> Result<(Database, Opened)> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(StoreError::Missing {
                path: path.to_path_buf(),
            }
            .into());
        }
        Err(e) => return Err(NodeError::io(path, e)),
        Ok(m) if m.len() == 0 => {
            return Err(StoreError::Empty {
                path: path.to_path_buf(),
            }
            .into());
        }
        Ok(_) => {}
    }
    let db = builder().open(path).map_err(|e| map_open_error(path, e))?;
    let tx = db.begin_write()?;
    let found = {
        let meta = tx.open_table(META)?;
        meta.get(META_FORMAT)?.map(|v| v.value().to_vec())
    };
    let format = match found.as_deref().map(|f| (f, migrations::parse_format(f))) {
        Some((_, Some(n))) => n,
        Some((f, None)) => {
            return Err(NodeError::Corrupt {
                what: format!("store file {}", path.display()),
                detail: format!("unknown store format `{}`", String::from_utf8_lossy(f)),
            });
        }
        None => {
            return Err(NodeError::Corrupt {
                what: format!("store file {}", path.display()),
                detail: "not a hoso store (no format record)".into(),
            });
        }
    };
    if format > FORMAT {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            format,
            supported: FORMAT,
        }
        .into());
    }
    let migrated = migrations::migrate(&tx, path, format)?;
    create_tables(&tx)?;
    tx.commit()?;
    Ok((db, Opened { migrated }))
}

/// Records the node a new store belongs to (in `init`'s genesis transaction).
pub(crate) fn set_origin(tx: &redb::WriteTransaction, node: &NodeId) -> Result<()> {
    tx.open_table(META)?
        .insert(migrations::META_ORIGIN, node.0.as_slice())?;
    Ok(())
}

/// Checks that the store at `path` belongs to `key` and that its chain head is the last entry
/// of that node's chain: a replaced `node.key`, a store copied from another node or a corrupt
/// head refuses to open instead of starting a second chain.
pub(crate) fn check_binding(db: &Database, path: &Path, key: &NodeId) -> Result<()> {
    let rtx = db.begin_read()?;
    let meta = rtx.open_table(META)?;
    let origin = match meta.get(migrations::META_ORIGIN)? {
        None => {
            return Err(StoreError::NoGenesis {
                path: path.to_path_buf(),
            }
            .into());
        }
        Some(v) => <[u8; 32]>::try_from(v.value()).map(NodeId).map_err(|_| {
            StoreError::CorruptChainHead {
                path: path.to_path_buf(),
                detail: "the recorded origin is not 32 bytes".into(),
            }
        })?,
    };
    if origin != *key {
        return Err(StoreError::Foreign {
            path: path.to_path_buf(),
            store: origin,
            key: *key,
        }
        .into());
    }
    let head_bad = |detail: String| StoreError::CorruptChainHead {
        path: path.to_path_buf(),
        detail,
    };
    let head: crate::audit::head::ChainHead = match meta.get(META_CHAIN_HEAD)? {
        None => return Err(head_bad("no chain head".into()).into()),
        Some(v) => serde_json::from_slice(v.value()).map_err(|e| head_bad(e.to_string()))?,
    };
    let audit = crate::audit::stored::read(&rtx)?;
    let Some(last) = head.next_seq.checked_sub(1) else {
        return Err(StoreError::NoGenesis {
            path: path.to_path_buf(),
        }
        .into());
    };
    let rec = audit
        .get(&origin.0, last)
        .map_err(|e| head_bad(format!("entry #{last} does not decode: {e}")))?
        .ok_or_else(|| head_bad(format!("the head names entry #{last}, which is not stored")))?;
    let entry = crate::chain::entry::Entry::from_record(&rec.record)
        .map_err(|e| head_bad(format!("entry #{last} does not decode: {e}")))?;
    if crate::ids::hex(&entry.hash) != head.prev {
        return Err(head_bad(format!("entry #{last} does not hash to the stored head")).into());
    }
    if audit.contains(&origin.0, head.next_seq)? {
        return Err(head_bad(format!(
            "the chain goes on past the head (entry #{} is stored)",
            head.next_seq
        ))
        .into());
    }
    Ok(())
}

/// Number of rows in a table of case ids.
pub(crate) fn count_cases(db: &Database) -> Result<u64> {
    use redb::ReadableTableMetadata;
    let rtx = db.begin_read()?;
    Ok(rtx.open_table(CASES)?.len()?)
}

/// Iterates all stored case ids (for rebuilds and exports).
pub(crate) fn all_case_ids(db: &Database) -> Result<Vec<[u8; 16]>> {
    let rtx = db.begin_read()?;
    let t = rtx.open_table(CASES)?;
    let mut out = Vec::new();
    for row in t.iter()? {
        let (k, _) = row?;
        out.push(*k.value());
    }
    Ok(out)
}
