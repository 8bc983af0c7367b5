pub fn run(
    cli: &crate::cli::Cli,
    cmd: &crate::cli::BenchCmd,
) -> anyhow::Result<std::process::ExitCode> {
    if let crate::cli::BenchCmd::Sync { cases, no_baseline } = cmd {
        return super::bench_sync::run(cli, *cases, !*no_baseline);
    }
    Ok(std::process::ExitCode::SUCCESS)
}
