//! The store's mark of a restore not finished ([`META_RESTORING`]), and the check the write
//! path ([`crate::write`]) and the chain intake make of it: below both, so neither imports
//! [`crate::restore`].

use redb::{ReadableTable, WriteTransaction};

use crate::error::Result;
use crate::store::tables::META;

/// Meta key: JSON [`RestoreState`](crate::restore::RestoreState) while a restore is not finished.
pub const META_RESTORING: &str = "restoring";

/// True when `tx`'s store is being restored.
pub(crate) fn restoring_in(tx: &WriteTransaction) -> Result<bool> {
    Ok(tx.open_table(META)?.get(META_RESTORING)?.is_some())
}
