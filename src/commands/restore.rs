//! `hoso node restore` (issue 12).

use std::process::ExitCode;

use super::UsageError;
use crate::cli::{Cli, NodeCmd};

/// Runs `hoso node …`.
pub fn run(_cli: &Cli, _cmd: &NodeCmd) -> anyhow::Result<ExitCode> {
    Err(UsageError("not yet".into()).into())
}
