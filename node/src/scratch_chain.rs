//! A bare audit chain in a fresh store file, for measuring verification at scale
//! (`hoso-bench audit`): signed entries are written straight to the audit tables of a store that
//! no node owns (it has no key or settings beside it, so `Node::open` refuses its directory),
//! then read back as an [`AuditSource`](crate::audit::source::AuditSource) by the same code as
//! `audit verify`. A node's own store is only ever written through the write path.

use std::path::Path;

use redb::Database;

use crate::audit::source::DbSource;
use crate::chain::entry::Entry;
use crate::error::Result;

/// A store holding nothing but generated audit chains.
pub struct ScratchChain {
    db: Database,
    realm: [u8; 16],
}

impl ScratchChain {
    /// Creates the store file at `path` (which must not exist) for chains of `realm`.
    pub fn create(path: &Path, realm: [u8; 16]) -> Result<ScratchChain> {
        Ok(ScratchChain {
            db: crate::store::create(path)?,
            realm,
        })
    }

    /// Appends signed entries with their payloads, in one transaction. Nothing is checked:
    /// verification is what the benchmark measures.
    pub fn append(&self, entries: &[(Entry, Vec<u8>)]) -> Result<()> {
        let tx = self.db.begin_write()?;
        {
            let mut audit = crate::audit::stored::read_in(&tx)?;
            for (e, payload) in entries {
                audit.insert(e, Some(payload.as_slice()))?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The store as an audit source.
    pub fn source(&self) -> DbSource<'_> {
        DbSource {
            db: &self.db,
            realm: self.realm,
        }
    }
}
