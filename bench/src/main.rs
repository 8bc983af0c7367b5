//! `hoso-bench`: hoso's benchmarks, each printing one JSON document. The benches live here,
//! in an unpublished crate, so that none of their code ships in `hoso-node`, `hoso-sync` or the
//! `hoso` binary.
//!
//! Two kinds:
//! - **in process** ([`node`], [`audit`], [`loopback`], [`history`]): link the node and sync crates and time
//!   their APIs against a baseline run in the same process (a bare redb commit, a naive
//!   per-case Automerge sync). Every case they create goes through the node's guarded write
//!   path (`create_case`, `import_cases`, `set_fields`) with its audit entries;
//! - **process** ([`hub`], [`sync`], [`link`], [`province`], [`two_hubs`]): build nodes with ordinary `hoso`
//!   commands (init with its first officer, registry import, import of generated cases, peer
//!   add), run `hoso serve` / `hoso sync` as separate processes, and read the results from what
//!   `hoso` itself reports (`status --json`, `sync --once --json`) and from each child's rusage:
//!   these measure the shipped binary.
//!
//! ```text
//! cargo build --release -p hoso -p hoso-bench
//! target/release/hoso-bench node --cases 100000 --creates 2000
//! target/release/hoso-bench sync-loopback --cases 10000
//! target/release/hoso-bench audit
//! target/release/hoso-bench history --changes 1000,10000
//! target/release/hoso-bench hub --communes 100 --cases-per-commune 1000
//! target/release/hoso-bench sync --cases 100000
//! sudo target/release/hoso-bench link            # network namespaces: root only
//! target/release/hoso-bench province --cases 1000000
//! target/release/hoso-bench two-hubs
//! ```
//!
//! Modules: [`proc`] (children, rusage wrapper, cleanup), [`hoso`] (the CLI driver and the one
//! login step), [`setup`] (nodes built with real commands), [`workload`] (generated cases),
//! [`env`] (load and same-run baselines), [`hubview`] (a hub's open, console frames and search, in process),
//! [`inproc`] (a commune's writes and live engine inside the bench process), [`province_gen`] (the
//! bulk generator of the 1M-case hub: real imports and in-memory sync sessions), [`stats`] (and
//! the human table), [`disk`] (a store's growth per case, by table), [`progress`] (a bar per long phase on a
//! terminal, a line otherwise), and one module per bench.

mod audit;
mod disk;
mod history;
mod loopback;
mod node;
mod progress;

#[cfg(feature = "process")]
mod env;
#[cfg(feature = "process")]
mod hoso;
#[cfg(feature = "process")]
mod hub;
#[cfg(feature = "process")]
mod hubview;
#[cfg(feature = "process")]
mod inproc;
#[cfg(feature = "process")]
mod link;
#[cfg(feature = "process")]
mod netns;
#[cfg(feature = "process")]
mod proc;
#[cfg(feature = "process")]
mod province;
#[cfg(feature = "process")]
mod province_gen;
#[cfg(feature = "process")]
mod relay;
#[cfg(feature = "process")]
mod setup;
#[cfg_attr(not(feature = "process"), allow(dead_code))]
mod stats;
#[cfg(feature = "process")]
mod sync;
#[cfg(feature = "process")]
mod two_hubs;
mod workload;

#[cfg(feature = "process")]
use std::ffi::OsString;
#[cfg(feature = "process")]
use std::path::PathBuf;
use std::process::ExitCode;

#[cfg(feature = "process")]
use anyhow::Context;
#[cfg(feature = "process")]
use clap::Args;
use clap::{Parser, Subcommand};

/// Scale benchmarks for hoso (release build): each prints one JSON document on stdout.
#[derive(Parser, Debug)]
#[command(name = "hoso-bench", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// In process: durable `case new` latency against a bare redb commit, bulk import,
    /// search, open time, bytes per case.
    Node(node::NodeArgs),
    /// In process: one case with a long history (`--changes 1000,10000`): a note written and
    /// the case opened with the document cache and without it.
    History(history::HistoryArgs),
    /// In process: a commune and a hub on loopback (initial, no-op, 1 % edited, live push) and
    /// a naive per-case Automerge sync baseline in the same run; every case carries its audit
    /// entries.
    SyncLoopback(loopback::LoopbackArgs),
    /// In process: chain verification rate, the audit entry's cost on a durable write, export
    /// and bundle verification of a hub-sized store.
    Audit(audit::AuditArgs),
    #[cfg(feature = "process")]
    /// Hub fan-in: N communes, each its own `hoso` process, into one `hoso serve` hub.
    Hub(hub::HubArgs),
    #[cfg(feature = "process")]
    /// Two-process sync: a hub process and a commune process, 100k cases: initial, no-op,
    /// edited cases, live push, peak RSS and disk per case on each side.
    Sync(sync::SyncArgs),
    #[cfg(feature = "process")]
    /// Two nodes in network namespaces over a shaped veth link (root only).
    Link(link::LinkArgs),
    #[cfg(feature = "process")]
    /// A hub holding 1M cases: start, a commune's no-op and edit rounds, search, console.
    Province(province::ProvinceArgs),
    #[cfg(feature = "process")]
    /// Two hubs for one province: kill -9 one, the commune keeps syncing through the other,
    /// the killed one catches up from the other.
    TwoHubs(two_hubs::TwoHubsArgs),
    #[cfg(feature = "process")]
    /// (internal) Runs a program and writes its rusage to a file.
    #[command(name = "__measure", hide = true)]
    Measure {
        /// Where the rusage JSON goes.
        #[arg(long)]
        report: PathBuf,
        /// The program and its arguments.
        #[arg(last = true, required = true)]
        cmd: Vec<OsString>,
    },
    #[cfg(feature = "process")]
    /// (internal) UDP relay that delays every datagram (the link bench's RTT).
    #[command(name = "__relay", hide = true)]
    Relay(relay::RelayArgs),
}

/// Options every process bench takes.
#[cfg(feature = "process")]
#[derive(Args, Debug, Clone)]
pub struct Common {
    /// The `hoso` binary (default: next to this one, i.e. target/release/hoso).
    #[arg(long, value_name = "PATH")]
    pub hoso: Option<PathBuf>,
    /// Parent of the work dir (default: the system temp dir).
    #[arg(long, value_name = "DIR")]
    pub work: Option<PathBuf>,
    /// Keep the work dir (nodes, logs) instead of removing it.
    #[arg(long)]
    pub keep: bool,
}

#[cfg(feature = "process")]
impl Common {
    /// The `hoso` binary to drive.
    pub fn hoso_bin(&self) -> anyhow::Result<PathBuf> {
        if let Some(p) = &self.hoso {
            return Ok(p.clone());
        }
        let me = std::env::current_exe().context("finding this binary")?;
        Ok(me.with_file_name("hoso"))
    }
}

/// Warns on stderr when figures would come from a debug build.
fn warn_if_debug(bench: &str) {
    if cfg!(debug_assertions) {
        eprintln!(
            "warning: this is a debug build; for figures run `cargo build --release -p hoso-bench && target/release/hoso-bench {bench}`"
        );
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    #[cfg(feature = "process")]
    if let Command::Measure { report, cmd } = &cli.command {
        let Some((program, args)) = cmd.split_first() else {
            eprintln!("hoso-bench __measure: no program given");
            return ExitCode::from(2);
        };
        return match proc::measure_main(report, program, args) {
            Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
            Err(e) => {
                eprintln!("hoso-bench __measure: {e:#}");
                ExitCode::from(1)
            }
        };
    }
    #[cfg(feature = "process")]
    if let Err(e) = proc::install_stop_handler() {
        eprintln!("hoso-bench: cannot install the Ctrl-C handler: {e:#}");
        return ExitCode::from(1);
    }
    let result = match &cli.command {
        Command::Node(a) => node::run(a),
        Command::SyncLoopback(a) => loopback::run(a),
        Command::History(a) => history::run(a),
        Command::Audit(a) => audit::run(a),
        #[cfg(feature = "process")]
        Command::Hub(a) => hub::run(a),
        #[cfg(feature = "process")]
        Command::Sync(a) => sync::run(a),
        #[cfg(feature = "process")]
        Command::Link(a) => link::run(a),
        #[cfg(feature = "process")]
        Command::Province(a) => province::run(a),
        #[cfg(feature = "process")]
        Command::TwoHubs(a) => two_hubs::run(a),
        #[cfg(feature = "process")]
        Command::Relay(a) => relay::run(a).map(|()| serde_json::Value::Null),
        #[cfg(feature = "process")]
        Command::Measure { .. } => unreachable!("handled above"),
    };
    match result {
        Ok(serde_json::Value::Null) => ExitCode::SUCCESS,
        Ok(v) => {
            match serde_json::to_string_pretty(&v) {
                Ok(s) => println!("{s}"),
                Err(e) => eprintln!("hoso-bench: {e}"),
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("hoso-bench: {e:#}");
            ExitCode::from(1)
        }
    }
}
