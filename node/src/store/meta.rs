//! The store's metadata keys (rows of the `meta` table) and the one-value read of that table.
//! Below the store's opening code and the audit chain's head, which both read and write these
//! keys.

use redb::{Database, ReadableDatabase};

use crate::error::Result;
use crate::store::tables::META;

/// Meta key: JSON of the node's chain head.
pub const META_CHAIN_HEAD: &str = "chain-head";
/// Meta key prefix: daily receipt sequence, `receipt-seq:YYMMDD` (u32 BE).
pub(crate) const META_RECEIPT_SEQ: &str = "receipt-seq:";
/// Meta key: store format version (`hoso-store-N`, see [`super::migrations`]).
pub(crate) const META_FORMAT: &str = "format";

/// Reads one meta value.
pub(crate) fn meta_get(db: &Database, key: &str) -> Result<Option<Vec<u8>>> {
    let rtx = db.begin_read()?;
    let t = rtx.open_table(META)?;
    Ok(t.get(key)?.map(|v| v.value().to_vec()))
}
