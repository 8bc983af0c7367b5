//! `hoso tui`: the officer console on the node in the data dir. `hoso demo` opens it too.

use std::io::IsTerminal;
use std::process::ExitCode;

use hoso_node::Node;

use super::{UsageError, open};
use crate::cli::{Cli, Command, TuiArgs};

/// True when stdin and stdout are a terminal (the console needs one).
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}

/// Where logs go while the console owns the terminal (`None`: stderr as usual).
pub fn log_file(cli: &Cli) -> Option<std::fs::File> {
    let console = match &cli.command {
        Command::Tui(_) => true,
        Command::Demo(a) => !a.no_console && !cli.json,
        _ => false,
    };
    if !console {
        return None;
    }
    let path = std::env::temp_dir().join("hoso-console.log");
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .ok()
}

/// Runs the console until the officer quits.
pub fn open_console(node: Node, opts: hoso_tui::RunOptions) -> anyhow::Result<ExitCode> {
    hoso_tui::run(node, opts)?;
    Ok(ExitCode::SUCCESS)
}

/// `hoso tui`.
pub fn run(cli: &Cli, args: &TuiArgs) -> anyhow::Result<ExitCode> {
    if !interactive() {
        return Err(UsageError(
            "the console needs a terminal (stdin and stdout); for scripts use `hoso case …`".into(),
        )
        .into());
    }
    let node = open(cli)?;
    open_console(
        node,
        hoso_tui::RunOptions {
            login_hint: None,
            officer: cli.officer.clone().filter(|o| !o.is_empty()),
            mouse: args.mouse,
        },
    )
}
