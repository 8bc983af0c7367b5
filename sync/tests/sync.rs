//! Sync integration tests: real nodes (redb in temp dirs), real iroh endpoints on 127.0.0.1.

mod sync {
    pub mod audit;
    pub mod bad_frames;
    pub mod catalog;
    pub mod common;
    pub mod conflicts;
    pub mod converge;
    pub mod fanin;
    pub mod frames;
    pub mod limits;
    pub mod resume;
    pub mod scope;
    pub mod trust;
    pub mod two_hubs;
}
