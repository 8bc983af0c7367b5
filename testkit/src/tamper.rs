//! Writes behind the write path, as a tampered store or a patched binary would make them: for
//! tests that show what the node, the audit and sync do with such a store. The primitives live
//! in `hoso_node::tamper` (the node's `tamper` feature, which this kit enables), so only the
//! node names its tables.

pub use hoso_node::tamper::{
    bump_feed, db, edit_sessions, load_doc, open_store, plant_change, plant_doc, stored_tables,
};
