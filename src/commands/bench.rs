pub fn run(
    cli: &crate::cli::Cli,
    cmd: &crate::cli::BenchCmd,
) -> anyhow::Result<std::process::ExitCode> {
    if let crate::cli::BenchCmd::Audit {
        entries,
        writes,
        cases,
    } = cmd
    {
        return super::bench_audit::run(cli, *entries, *writes, *cases);
    }
    Ok(std::process::ExitCode::SUCCESS)
}
