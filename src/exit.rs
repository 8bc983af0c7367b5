//! Errors that choose the exit code (../shared/design/cli.md): bad usage (2) and tampering
//! found (3); any other error exits 1.

/// Bad usage found after parsing (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct UsageError(pub String);

/// `audit verify` found tampering (exit code 3).
#[derive(Debug, thiserror::Error)]
#[error("tampering found: {0}")]
pub(crate) struct TamperingFound(pub String);
