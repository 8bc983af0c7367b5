//! Why a backup could not be made or read ([`crate::backup`]).

use std::path::PathBuf;

/// Why a backup could not be made or read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BackupError {
    /// The store holds a table this build does not know how to copy.
    #[error(
        "the store holds table `{0}`, which this hoso's backup does not copy: refusing an incomplete backup (upgrade hoso)"
    )]
    UnknownTable(String),
    /// Not a backup file, or a damaged one.
    #[error("{path} is not a usable hoso backup: {what}", path = .path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        what: String,
    },
    /// The file's checksum does not match its content.
    #[error("{path} is damaged: its checksum does not match its content (restore from another copy)", path = .path.display())]
    Checksum {
        /// The file.
        path: PathBuf,
    },
}
