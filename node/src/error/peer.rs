//! Why the peers file or a `peer add` was refused.

use std::path::PathBuf;

use crate::role::NodeRole;

/// A peers file that cannot be used, or a peer entry that is not valid (CLI exit 2).
/// Not `non_exhaustive`: the console matches every variant.
#[derive(Debug, thiserror::Error)]
pub enum PeerError {
    /// `peers.toml` does not parse.
    #[error("{}: {message}; fix the file or re-add peers with `hoso peer add`", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// The parser's one-line message.
        message: String,
        /// The parser's error.
        #[source]
        source: Box<toml::de::Error>,
    },
    /// `peers.toml` holds more peers than a node keeps.
    #[error("{}: more than {max} peers; remove the extra entries", path.display())]
    TooManyInFile {
        /// The file.
        path: PathBuf,
        /// The bound.
        max: usize,
    },
    /// `peer add` with more peers than a node keeps.
    #[error(
        "this node already has {max} peers, the most it keeps: remove one with `hoso peer remove` first"
    )]
    TooMany {
        /// The bound.
        max: usize,
    },
    /// `peer add` with this node's own id.
    #[error("that node id is this node's own; pass the other node's id (see `hoso id` there)")]
    OwnId,
    /// An address that is not `IP:PORT`.
    #[error("address `{0}` is not IP:PORT, e.g. --addr 192.168.1.10:7420")]
    BadAddr(String),
    /// A commune peer added without its commune code.
    #[error("a commune peer needs its commune code: pass --scope CODE (5 digits)")]
    CommuneScopeMissing,
    /// A scope code of the wrong shape for the peer's role.
    #[error("scope code `{code}` should be {} digits for a {} peer", digits(*role), role.as_str())]
    BadScope {
        /// The code given.
        code: String,
        /// The peer's role.
        role: NodeRole,
    },
}

fn digits(role: NodeRole) -> usize {
    match role {
        NodeRole::Hub => 2,
        NodeRole::Commune => 5,
    }
}
