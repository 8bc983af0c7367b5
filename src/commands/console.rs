//! `hoso tui`: the officer console on the node in the data dir. `hoso demo` opens it too.

use std::io::IsTerminal;
use std::process::ExitCode;

use hoso_node::Node;

use crate::cli::{Cli, Command, TuiArgs};
use crate::data_dir::open;
use crate::exit::UsageError;

/// True when stdin and stdout are a terminal (the console needs one).
pub(super) fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}

/// Where logs go while the console owns the terminal (`None`: stderr as usual).
pub(crate) fn log_file(cli: &Cli) -> Option<std::fs::File> {
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

/// Starts the sync engine of a node in the background when it has peers. A failure (say, the
/// listen port is taken) is logged and the console runs offline: it never waits on the network.
async fn start_engine(node: &Node) -> Option<hoso_sync::Engine> {
    let has_peers = hoso_node::peers::Peers::load(node.dir())
        .map(|p| !p.peer.is_empty())
        .unwrap_or(false);
    if !has_peers {
        return None;
    }
    match hoso_sync::Engine::start(node.clone(), hoso_sync::EngineOptions::default()).await {
        Ok(e) => Some(e),
        Err(e) => {
            tracing::warn!(node = %node.config().name, error = %e, "sync engine not started; working offline");
            None
        }
    }
}

/// Runs the console until the officer quits, with the node's sync engine (and, for
/// `demo --with-hub`, a hub node's engine) running in the background.
pub(super) fn open_console(
    node: Node,
    opts: hoso_tui::RunOptions,
    hub: Option<Node>,
) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let hub_engine = match &hub {
            Some(h) => start_engine(h).await,
            None => None,
        };
        let engine = start_engine(&node).await;
        let result = hoso_tui::run_async(node, opts).await;
        if let Some(e) = engine {
            e.shutdown().await;
        }
        if let Some(e) = hub_engine {
            e.shutdown().await;
        }
        result?;
        Ok(ExitCode::SUCCESS)
    })
}

/// `hoso tui`.
pub(super) fn run(cli: &Cli, args: &TuiArgs) -> anyhow::Result<ExitCode> {
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
            printer: Some(std::sync::Arc::new(super::console_print::FormPrinter)),
        },
        None,
    )
}
