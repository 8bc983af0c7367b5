//! Integration tests of the node: real redb files in temp dirs, real Automerge documents.

#![allow(clippy::unwrap_used)]

mod node {
    pub(crate) mod cases;
    pub(crate) mod catalog;
    pub(crate) mod chunk_heads;
    pub(crate) mod commune_counts;
    pub(crate) mod compact_audit;
    pub(crate) mod corrections;
    pub(crate) mod doc_cache;
    pub(crate) mod durability;
    pub(crate) mod held_merge;
    pub(crate) mod intake;
    pub(crate) mod lifecycle;
    pub(crate) mod long_history;
    pub(crate) mod merge_prop;
    pub(crate) mod pack_cases;
    pub(crate) mod page_fill;
    pub(crate) mod search_index;
    pub(crate) mod store_compact;
}
