//! File names inside a data dir.

/// Node settings.
pub const CONFIG: &str = "node.toml";
/// Node key (mode 0600).
pub const KEY: &str = "node.key";
/// The redb store.
pub const STORE: &str = "store.redb";
/// Optional catalog override directory.
pub const CATALOG_DIR: &str = "catalog";
/// Optional holiday calendar override.
pub const HOLIDAYS: &str = "holidays.toml";
