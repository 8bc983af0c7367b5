//! Conversions from the storage engine's and Automerge's errors into [`NodeError`].

use super::{EncodeError, NodeError};

macro_rules! store_error {
    ($($t:ty),*) => {$(
        impl From<$t> for NodeError {
            fn from(e: $t) -> Self {
                NodeError::Store(Box::new(e.into()))
            }
        }
    )*};
}
store_error!(
    redb::Error,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError,
    redb::SetDurabilityError
);

impl From<automerge::AutomergeError> for NodeError {
    fn from(e: automerge::AutomergeError) -> Self {
        NodeError::Automerge(Box::new(e))
    }
}

impl EncodeError {
    /// A closure for `map_err` on a JSON encoding of `what`.
    pub fn json(what: &'static str) -> impl FnOnce(serde_json::Error) -> super::NodeError {
        move |source| EncodeError::Json { what, source }.into()
    }

    /// A closure for `map_err` on a TOML encoding of `what`.
    pub fn toml(what: &'static str) -> impl FnOnce(toml::ser::Error) -> super::NodeError {
        move |source| {
            EncodeError::Toml {
                what,
                source: Box::new(source),
            }
            .into()
        }
    }
}
