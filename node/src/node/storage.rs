//! What the store spends on disk, by table ([`Node::storage_breakdown`]).

use super::{Node, paths};
use crate::error::Result;
use crate::store::usage::{self, StorageBreakdown};

impl Node {
    /// Where the store's bytes go, per table (rows, stored bytes, redb overhead, page slack),
    /// and the file's size. Walks every page: for benchmarks and operator commands.
    pub fn storage_breakdown(&self) -> Result<StorageBreakdown> {
        usage::breakdown(self.db(), &self.dir().join(paths::STORE))
    }
}
