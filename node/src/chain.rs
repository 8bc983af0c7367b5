//! The audit chain's primitives, below the node: the signed entry and its canonical encoding
//! ([`entry`]), the Merkle compact range over entry hashes ([`merkle`]), the checkpoint note and
//! its cosignatures ([`checkpoint`]), the note's text helpers ([`note`]) and the compact stored
//! form of a record ([`compact`]). Plain data and
//! crypto over bytes: nothing here opens the store or names [`crate::Node`].
//!
//! The node features built on them live in [`crate::audit`] (append, verify, bundles, witness,
//! replica, replay), which re-exports these modules, so `hoso_node::audit::entry` and the other
//! paths keep working.

pub mod checkpoint;
pub mod compact;
pub mod entry;
pub mod merkle;
pub mod note;
