//! Command dispatch: each command opens the node, does one thing, prints the result.

mod accounts;
mod audit;
mod backup;
mod calendar;
mod cases;
mod catalog;
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
mod sync;

use std::path::PathBuf;
use std::process::ExitCode;

use hoso_node::Node;

use crate::cli::{Cli, Command};

pub(crate) use console::log_file as console_log_file;

/// Bad usage found after parsing (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct UsageError(pub String);

pub(crate) use audit::TamperingFound;

/// Where the node lives: `--data-dir`, `HOSO_DATA_DIR`, or the platform data dir.
pub(crate) fn data_dir(cli: &Cli) -> PathBuf {
    if let Some(d) = &cli.data_dir {
        return d.clone();
    }
    if let Some(x) = std::env::var_os("XDG_DATA_HOME").filter(|x| !x.is_empty()) {
        return PathBuf::from(x).join("hoso");
    }
    match std::env::var_os("HOME") {
        Some(h) => PathBuf::from(h).join(".local/share/hoso"),
        None => PathBuf::from("hoso-data"),
    }
}

/// Opens the node of the CLI's data dir.
pub(crate) fn open(cli: &Cli) -> anyhow::Result<Node> {
    Ok(Node::open(&data_dir(cli))?)
}

/// The catalog and calendar of the data dir, read without opening the node (so they work with
/// no node, or while another process holds it): `<data dir>/catalog/` and
/// `<data dir>/holidays.toml` when present, else the built-in ones. A file that exists but does
/// not load is an error, never a silent fallback.
pub(crate) struct Reference {
    /// The procedure catalog.
    pub catalog: hoso_schemas::Catalog,
    /// The working-day calendar.
    pub calendar: hoso_schemas::HolidayCalendar,
    /// Where the calendar came from: `built-in` or the file's path.
    pub calendar_from: String,
}

/// Loads [`Reference`] data for the CLI's data dir.
pub(crate) fn reference(cli: &Cli) -> anyhow::Result<Reference> {
    use hoso_node::node::paths;
    let dir = data_dir(cli);
    let catalog_dir = dir.join(paths::CATALOG_DIR);
    let catalog = if catalog_dir.is_dir() {
        hoso_schemas::Catalog::load_dir(&catalog_dir).map_err(|e| UsageError(e.to_string()))?
    } else {
        hoso_schemas::Catalog::builtin()?
    };
    let (calendar, calendar_from) =
        hoso_schemas::HolidayCalendar::load_or_builtin(&dir.join(paths::HOLIDAYS))
            .map_err(|e| UsageError(e.to_string()))?;
    Ok(Reference {
        catalog,
        calendar,
        calendar_from,
    })
}

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
    }
}
