//! Why a catalog bundle was refused, or a catalog version is not held ([`crate::catalog_bundle`]).

use hoso_schemas::CatalogError;

/// Why a catalog bundle was refused (its decoding, its origin, or its content).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogBundleError {
    /// The bytes are not a bundle (bad magic, truncated, trailing bytes, bad UTF-8).
    #[error("not a valid catalog bundle: {what}; ask the hub to publish it again")]
    Malformed {
        /// What is wrong.
        what: String,
    },
    /// A length over its bound.
    #[error("catalog bundle too large: {what} is {size} bytes or items, at most {limit}")]
    TooLarge {
        /// What is too large.
        what: &'static str,
        /// Its size.
        size: usize,
        /// The bound.
        limit: usize,
    },
    /// A file path the bundle may not carry.
    #[error(
        "catalog bundle file `{path}` is not allowed: only catalog/NAME.toml, holidays.toml, forms/NAME.typ and forms/forms.toml, in name order"
    )]
    BadPath {
        /// The path.
        path: String,
    },
    /// The content hash does not match the content.
    #[error("catalog bundle content hash does not match its content (damaged in transit?)")]
    BadHash,
    /// The signature is not the publisher's.
    #[error("catalog bundle signature does not verify against its publisher {publisher}")]
    BadSignature {
        /// The publisher it names.
        publisher: String,
    },
    /// A bundle of another deployment.
    #[error("catalog bundle is for another deployment (realm); check the hub's node.toml")]
    WrongRealm,
    /// A version not newer than the one held.
    #[error(
        "catalog version {offered} is not newer than version {held} held here; nothing was changed"
    )]
    NotNewer {
        /// The version held.
        held: u64,
        /// The version offered.
        offered: u64,
    },
    /// The sender or the publisher is not this node's hub.
    #[error(
        "catalog bundle from {peer}, which is not this node's hub; only the hub of the province publishes the catalog"
    )]
    NotFromHub {
        /// The peer or publisher.
        peer: String,
    },
    /// Publishing at a commune.
    #[error("only a hub publishes the catalog; a commune takes it from its hub by `hoso sync`")]
    NotHub,
    /// The bundle's catalog or calendar does not load.
    #[error("catalog bundle content is not valid: {0}")]
    Invalid(#[source] CatalogError),
    /// The bundle has no catalog file.
    #[error("catalog bundle has no catalog/*.toml file; put the procedure files under catalog/")]
    NoCatalog,
    /// Moving a case to another catalog version without saying why.
    #[error("moving a case to another catalog version needs a reason (--reason TEXT)")]
    ReasonRequired,
    /// A catalog version this node does not hold.
    #[error("catalog version {version} is not held on this node; run `hoso sync` with the hub")]
    UnknownVersion {
        /// The version.
        version: u64,
    },
}
