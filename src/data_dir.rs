//! Where the node lives (`--data-dir`, `HOSO_DATA_DIR`, or the platform data dir), opening it,
//! and the reference data (catalog, calendar) read from it without opening the node.

use std::path::PathBuf;

use hoso_node::Node;

use crate::cli::Cli;
use crate::exit::UsageError;

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
