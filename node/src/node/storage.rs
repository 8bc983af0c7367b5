//! What the store spends on disk, by table ([`Node::storage_breakdown`]), and giving the slack
//! back ([`Node::compact_store`], with the node closed).

use std::path::Path;

use super::handle::Node;
use super::paths;
use crate::error::Result;
use crate::store::repack::{self, Compacted};
use crate::store::usage::{self, StorageBreakdown};

impl Node {
    /// Where the store's bytes go, per table (rows, stored bytes, redb overhead, page slack),
    /// and the file's size. Walks every page: for benchmarks and operator commands.
    pub fn storage_breakdown(&self) -> Result<StorageBreakdown> {
        usage::breakdown(self.db(), &self.dir().join(paths::STORE))
    }
}

impl Node {
    /// Compacts the store of the node in `dir` (`hoso store compact`): every table rewritten in
    /// key order and the file shrunk to what it holds. Needs the store to itself: refused with
    /// [`crate::NodeError::StoreLocked`] while a console or `hoso serve` has it open.
    pub fn compact_store(dir: &Path) -> Result<Compacted> {
        // Opened and closed first: the key binding, the settings and the format are checked
        // (and an older format migrated) as on every open.
        drop(Node::open(dir)?);
        repack::compact_file(&dir.join(paths::STORE))
    }
}
