//! `hoso doctor` (issue 12).

use std::process::ExitCode;

use super::UsageError;
use crate::cli::Cli;

/// Runs `hoso doctor`.
pub fn run(_cli: &Cli) -> anyhow::Result<ExitCode> {
    Err(UsageError("not yet".into()).into())
}
