//! The command line, as clap derive structs. Names follow ../shared/design/cli.md.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// hoso: offline-first case records for commune public-service centers.
#[derive(Debug, Parser)]
#[command(name = "hoso", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// The node's data dir.
    #[arg(long, global = true, env = "HOSO_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// The officer doing the work (for commands that write).
    #[arg(long, global = true, env = "HOSO_OFFICER", value_name = "ID")]
    pub officer: Option<String>,
    /// Print one JSON document on stdout instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a node: data dir, key (mode 0600), settings and store.
    Init(InitArgs),
    /// Node id, role, scope and listen address.
    Id,
    /// First run: a node with the sample catalog, registry and cases, a summary, then the console.
    Demo(DemoArgs),
    /// The officer console: a terminal UI for the day's work (works offline).
    Tui(TuiArgs),
    /// Officer accounts.
    #[command(subcommand)]
    Officer(OfficerCmd),
    /// The procedure catalog.
    #[command(subcommand)]
    Procedures(ProceduresCmd),
    /// The population reference data.
    #[command(subcommand)]
    Registry(RegistryCmd),
    /// Case files.
    #[command(subcommand)]
    Case(CaseCmd),
    /// Import cases from a JSON-lines file (all or nothing).
    Import {
        /// The file (`-` for stdin).
        file: PathBuf,
    },
    /// Export every case as JSON lines.
    Export {
        /// Output file (stdout when absent).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Store size, counts, chain head.
    Status,
    /// Scale benchmarks (release build): prints JSON figures.
    #[command(subcommand)]
    Bench(BenchCmd),
}

/// `hoso init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Display name of the node.
    #[arg(long)]
    pub name: Option<String>,
    /// commune or hub.
    #[arg(long, default_value = "commune")]
    pub role: String,
    /// Province code (2 digits).
    #[arg(long, default_value = "20")]
    pub province: String,
    /// Commune code (5 digits); required for a commune.
    #[arg(long)]
    pub commune: Option<String>,
    /// Receipt unit code (default derived from the commune code).
    #[arg(long)]
    pub unit_code: Option<String>,
    /// Sync listen address.
    #[arg(long, default_value = "127.0.0.1:7420")]
    pub listen: String,
    /// Also load the sample registry, officers and cases from fixtures/.
    #[arg(long)]
    pub sample: bool,
}

/// `hoso demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Start from a fresh demo node even if one exists.
    #[arg(long)]
    pub reset: bool,
    /// Print the summary only; do not open the console.
    #[arg(long)]
    pub no_console: bool,
    /// Console: capture the mouse (wheel and click on the list).
    #[arg(long)]
    pub mouse: bool,
}

/// `hoso tui`.
#[derive(Debug, Args)]
pub struct TuiArgs {
    /// Capture the mouse (wheel and click on the list; the terminal's own text selection is off).
    #[arg(long)]
    pub mouse: bool,
}

/// `hoso officer …`.
#[derive(Debug, Subcommand)]
pub enum OfficerCmd {
    /// Create an officer account.
    Add {
        /// Login id, e.g. canbo01.
        id: String,
        /// Full name.
        #[arg(long)]
        name: String,
        /// officer, supervisor or auditor.
        #[arg(long, default_value = "officer")]
        role: String,
        /// Read the passphrase from stdin instead of the terminal.
        #[arg(long)]
        passphrase_stdin: bool,
    },
    /// List officer accounts.
    List,
}

/// `hoso procedures …`.
#[derive(Debug, Subcommand)]
pub enum ProceduresCmd {
    /// Every procedure in the catalog.
    List,
    /// One procedure: fields, sources, workflow.
    Show {
        /// Procedure code.
        code: String,
    },
}

/// `hoso registry …`.
#[derive(Debug, Subcommand)]
pub enum RegistryCmd {
    /// Import a population file (JSON lines; all or nothing).
    Import {
        /// The file.
        file: PathBuf,
    },
    /// One citizen.
    Show {
        /// Citizen id (12 digits).
        citizen_id: String,
    },
    /// Citizens, optionally matching a name (accent-insensitive).
    List {
        /// Name to search for.
        #[arg(long)]
        search: Option<String>,
        /// Most rows.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
}

/// `hoso case …`.
#[derive(Debug, Subcommand)]
pub enum CaseCmd {
    /// Receive a case for a citizen; prints id, receipt code, due date.
    New {
        /// Procedure code (see `hoso procedures list`).
        #[arg(long)]
        procedure: String,
        /// The citizen's id number.
        #[arg(long)]
        citizen: String,
        /// A field the citizen provides, NAME=VALUE (repeatable).
        #[arg(long = "field", value_name = "NAME=VALUE")]
        fields: Vec<String>,
        /// Fields from a JSON object file.
        #[arg(long)]
        from_file: Option<PathBuf>,
        /// Only show the prefilled form and what is missing; create nothing.
        #[arg(long)]
        check: bool,
    },
    /// List cases, soonest due first.
    List {
        /// Only this status.
        #[arg(long)]
        status: Option<String>,
        /// Only this procedure.
        #[arg(long)]
        procedure: Option<String>,
        /// Name (accents optional), citizen id or receipt code.
        #[arg(long)]
        search: Option<String>,
        /// Only overdue cases.
        #[arg(long)]
        overdue: bool,
        /// Most rows.
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// One case, every field.
    Show {
        /// Case id or receipt code.
        case: String,
    },
    /// Edit fields (validated against the catalog).
    Set {
        /// Case id or receipt code.
        case: String,
        /// NAME=VALUE pairs.
        #[arg(required = true, value_name = "NAME=VALUE")]
        fields: Vec<String>,
    },
    /// Move a case (or one track of a bundle) through its workflow.
    Transition {
        /// Case id or receipt code.
        case: String,
        /// New status word.
        status: String,
        /// Track (procedure code) of an integrated bundle.
        #[arg(long)]
        track: Option<String>,
        /// A note for the history.
        #[arg(long)]
        note: Option<String>,
    },
    /// Append a note.
    Note {
        /// Case id or receipt code.
        case: String,
        /// The text.
        text: String,
    },
    /// Cases in the review queue after a concurrent edit.
    Conflicts,
}

/// `hoso bench …`.
#[derive(Debug, Subcommand)]
pub enum BenchCmd {
    /// Node benchmarks: case new latency, bulk import, search, open time, bytes per case.
    Node {
        /// Cases in the store for the search/open/size figures.
        #[arg(long, default_value_t = 100_000)]
        cases: usize,
        /// Durable `case new` calls to time.
        #[arg(long, default_value_t = 2000)]
        creates: usize,
    },
}
