//! The sync protocol `hoso/sync/1`, without network I/O or iroh types: [`frame`] (versioned,
//! length-prefixed, bounded frames), [`message`] (the message set and its strict decoder) and
//! [`session`] (the per-connection state machine, with the scope checks on both send and
//! receive; it reads and commits to the node's store, see its docs) and [`catalog`] (catalog
//! updates from the hub, issue 12).

pub mod catalog;
pub mod frame;
pub mod message;
pub mod restore;
pub mod session;

pub use frame::{FRAME_VERSION, FrameError, MAX_FRAME};
pub use message::{CatalogMsg, DecodeError, Jurisdiction, Message, WitnessMsg};
pub use session::{RoundStats, Session};

/// The ALPN of the sync protocol.
pub const ALPN: &[u8] = b"hoso/sync/1";
