//! Integration tests of the node: real redb files in temp dirs, real Automerge documents.

#![allow(clippy::unwrap_used)]

mod node {
    pub mod cases;
    pub mod catalog;
    pub mod compact_audit;
    pub mod corrections;
    pub mod doc_cache;
    pub mod durability;
    pub mod intake;
    pub mod lifecycle;
    pub mod merge_prop;
    pub mod store_compact;
}
