//! Command dispatch: each command opens the node, does one thing, prints the result.

mod accounts;
mod audit;
mod backup;
mod calendar;
mod cases;
mod catalog;
mod catalog_updates;
mod check;
mod console;
mod console_print;
mod doctor;
mod intake;
mod lifecycle;
mod node_admin;
mod print;
mod registry;
mod restore;
mod session;
mod store;
mod sync;

use std::process::ExitCode;

use crate::cli::{Cli, Command};

pub(crate) use console::log_file as console_log_file;

pub(crate) use crate::exit::{TamperingFound, UsageError};

/// Runs one parsed command.
pub(crate) fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Command::Init(args) => node_admin::init(&cli, args),
        Command::Id => node_admin::id(&cli),
        Command::Check { repair } => check::run(&cli, *repair),
        Command::Demo(args) => node_admin::demo(&cli, args),
        Command::Tui(args) => console::run(&cli, args),
        Command::Status { brief } => node_admin::status(&cli, *brief),
        Command::Officer(cmd) => node_admin::officer(&cli, cmd),
        Command::Login(args) => session::login(&cli, args),
        Command::Logout => session::logout(&cli),
        Command::Completions { shell } => session::completions(*shell),
        Command::Man { command } => crate::help::man(command),
        Command::Procedures(cmd) => catalog::run(&cli, cmd),
        Command::Calendar(cmd) => calendar::run(&cli, cmd),
        Command::Registry(cmd) => registry::run(&cli, cmd),
        Command::Case(cmd) => cases::run(&cli, cmd),
        Command::Import { file } => cases::import(&cli, file),
        Command::Export { out } => cases::export(&cli, out.as_deref()),
        Command::Peer(cmd) => sync::peer(&cli, cmd),
        Command::Serve(args) => sync::serve(&cli, args),
        Command::Sync(args) => sync::sync(&cli, args),
        Command::Audit(cmd) => audit::run(&cli, cmd),
        Command::Backup(args) => backup::run(&cli, args),
        Command::NodeOps(cmd) => restore::run(&cli, cmd),
        Command::Doctor => doctor::run(&cli),
        Command::Catalog(cmd) => catalog_updates::run(&cli, cmd),
        Command::Store(cmd) => store::run(&cli, cmd),
    }
}
