//! Conversions from the storage engine's and Automerge's errors into [`NodeError`].

use super::NodeError;

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
