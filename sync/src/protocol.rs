//! The sync protocol `hoso/sync/1`, without network I/O or iroh types: [`frame`] (versioned,
//! length-prefixed, bounded frames, compressed when negotiated), [`message`] (the message set
//! and its strict decoder), [`pace`] (batch sizes fitted to the link's measured rate),
//! [`inflate`] (whole documents without Automerge's deflate on a slow compressed link) and
//! [`session`] (the per-connection state machine, with the scope checks on both send and
//! receive; it reads and commits to the node's store, see its docs) and [`catalog`] (catalog
//! updates from the hub, issue 12).

pub mod catalog;
pub mod frame;
pub mod inflate;
pub mod message;
pub mod pace;
pub mod restore;
pub mod session;

pub use frame::{FRAME_VERSION, FRAME_ZSTD, FrameError, MAX_FRAME};
pub use message::{CatalogMsg, DecodeError, Jurisdiction, Message, WitnessMsg};
pub use session::{RoundStats, Session};

/// The ALPN of the sync protocol with raw frames only (what every node speaks).
pub const ALPN: &[u8] = b"hoso/sync/1";
/// The same messages, with frames that may be zstd-compressed (see [`frame`]). A node offers
/// both when it dials and prefers this one when it accepts, so two nodes that know it compress
/// and a node that knows only [`ALPN`] still talks raw with a newer one.
pub const ALPN_V2: &[u8] = b"hoso/sync/2";

/// [`ALPN_V2`], and a whole document may travel as the sender's stored row (`hoso_node`'s
/// `store/doc_row.rs` form; the receiver stores it as it came, see `hoso_node`'s
/// `ingest/packed.rs`). Offered first and preferred when accepting, like [`ALPN_V2`].
pub const ALPN_V3: &[u8] = b"hoso/sync/3";

/// Whether a connection's negotiated ALPN allows compressed frames.
pub fn alpn_compresses(alpn: &[u8]) -> bool {
    alpn == ALPN_V2 || alpn == ALPN_V3
}

/// Whether a connection's negotiated ALPN lets whole documents travel as stored rows.
pub fn alpn_sends_rows(alpn: &[u8]) -> bool {
    alpn == ALPN_V3
}
