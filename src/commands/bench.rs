pub fn run(
    _: &crate::cli::Cli,
    _: &crate::cli::BenchCmd,
) -> anyhow::Result<std::process::ExitCode> {
    Ok(std::process::ExitCode::SUCCESS)
}
