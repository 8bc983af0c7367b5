//! Sync integration tests: real nodes (redb in temp dirs), real iroh endpoints on 127.0.0.1.

mod sync {
    pub(crate) mod audit;
    pub(crate) mod bad_frames;
    pub(crate) mod catalog;
    pub(crate) mod common;
    pub(crate) mod conflicts;
    pub(crate) mod converge;
    pub(crate) mod fanin;
    pub(crate) mod frames;
    pub(crate) mod group;
    pub(crate) mod limits;
    pub(crate) mod resume;
    pub(crate) mod rows;
    pub(crate) mod scope;
    pub(crate) mod trust;
    pub(crate) mod two_hubs;
}
