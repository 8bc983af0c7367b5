//! The head of a node's own audit chain ([`ChainHead`]): the seq the next entry gets, the hash
//! it links to and the newest anchor, kept in the writer and in the store's `meta` table.

use redb::{ReadableTable, WriteTransaction};
use serde::{Deserialize, Serialize};

use crate::error::{NodeError, Result};
use crate::store::meta::{META_CHAIN_HEAD, meta_get};
use crate::store::tables::META;

/// The head of this node's own chain, kept in the writer and in `meta`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainHead {
    /// Seq the next entry gets (= chain length).
    pub next_seq: u64,
    /// Hash of the last entry (zero before genesis), hex.
    pub prev: String,
    /// Time of the last entry, Unix ms.
    pub last_time_ms: i64,
    /// Size of the newest cosigned checkpoint held.
    pub anchor_size: u64,
    /// Hash of that cosignature, hex.
    pub anchor_cosig: String,
}

impl ChainHead {
    /// Reads the head inside a write transaction (default before genesis).
    pub fn load_in(tx: &WriteTransaction) -> Result<ChainHead> {
        let meta = tx.open_table(META)?;
        let value = meta.get(META_CHAIN_HEAD)?.map(|v| v.value().to_vec());
        match value {
            None => Ok(ChainHead::default()),
            Some(b) => serde_json::from_slice(&b).map_err(|e| NodeError::Corrupt {
                what: "audit chain head".into(),
                detail: e.to_string(),
            }),
        }
    }

    /// Reads the head from `meta` (default before genesis).
    pub fn load(db: &redb::Database) -> Result<ChainHead> {
        match meta_get(db, META_CHAIN_HEAD)? {
            None => Ok(ChainHead::default()),
            Some(b) => serde_json::from_slice(&b).map_err(|e| NodeError::Corrupt {
                what: "audit chain head".into(),
                detail: e.to_string(),
            }),
        }
    }
}
