//! `hoso bench sync`: see `hoso_sync::bench`.

use std::process::ExitCode;

use crate::cli::Cli;
use crate::output;

/// Runs the sync benchmark and prints its JSON.
pub fn run(_cli: &Cli, cases: usize, baseline: bool) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let report = rt.block_on(hoso_sync::bench::run(cases, baseline))?;
    output::json(&report)?;
    Ok(ExitCode::SUCCESS)
}
