//! # hoso-sync
//!
//! Peer-to-peer replication between commune nodes and their provincial hub over iroh (QUIC,
//! ed25519 node ids). This is the only crate that knows iroh.
//!
//! - [`protocol`]: the protocol without network I/O: frames, messages, the session state
//!   machine (which reads and commits to the node's store);
//! - [`net`]: the iroh endpoint (relays and discovery off unless asked), the ALPN handler
//!   that refuses unknown node ids, and the driver that runs a session over one QUIC stream;
//! - [`blocking`]: session steps on the blocking pool (one per core), tasks that die with
//!   their owner;
//! - [`engine`]: connects to peers, catches up, stays connected pushing local changes, retries
//!   with backoff, publishes per-peer status and obeys the console's commands;
//! - `link` (private, re-exported as [`engine::Link`]): the switch the console cuts the
//!   network with, shared by the engine and the ALPN handler;
//! - `contact` (private): the last-contact record of a session, written off its loop;
//! - [`held`]: one budget of received messages held at once, shared by a process's sessions
//!   (their readers wait when it is spent);
//! - [`clock`]: the clock probe `hoso doctor` asks peers with (a second ALPN);
//! - [`error`]: [`SyncError`], one-line messages that say what to do.

pub mod blocking;
pub mod clock;
mod contact;
pub mod engine;
pub mod error;
pub mod held;
mod link;
pub mod net;
pub mod protocol;

pub use engine::{Engine, EngineOptions, sync_once, sync_once_observed};
pub use error::SyncError;
pub use protocol::{ALPN, RoundStats};
