//! Terminal setup and the console loop. The terminal is restored on every exit path: normal
//! return, error (a drop guard), panic (ratatui's hook) and SIGTERM/SIGHUP (an event that ends the
//! loop).

use std::io::stdout;

use hoso_node::Node;
use ratatui::crossterm::cursor::Show;
use ratatui::crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use ratatui::crossterm::execute;
use ratatui::{DefaultTerminal, Terminal};
use tokio::sync::mpsc;

use crate::app::{App, AppOptions};
use crate::effect::execute;
use crate::event::{Event, EventTask};
use crate::ui;

/// Most queued events handled before a frame is drawn.
const BATCH: usize = 256;

/// How the console starts.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// A line for the login screen (the demo's accounts).
    pub login_hint: Option<String>,
    /// Prefill the officer id.
    pub officer: Option<String>,
    /// Capture the mouse (wheel and click on the list; disables the terminal's own selection).
    pub mouse: bool,
    /// Makes the printed forms (the binary gives one; see [`crate::print`]).
    pub printer: Option<crate::print::SharedPrinter>,
}

/// Why the console stopped abnormally.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TuiError {
    /// The terminal could not be set up or drawn to.
    #[error(
        "terminal: {0} (is this an interactive terminal? the console needs one, e.g. not a pipe)"
    )]
    Terminal(#[from] std::io::Error),
    /// The node failed.
    #[error(transparent)]
    Node(#[from] hoso_node::NodeError),
}

struct Guard {
    mouse: bool,
}

impl Drop for Guard {
    fn drop(&mut self) {
        if self.mouse {
            let _ = execute!(stdout(), DisableMouseCapture);
        }
        let _ = execute!(stdout(), DisableBracketedPaste, Show);
        ratatui::restore();
    }
}

/// Runs the console on the current terminal until the officer quits (blocking; makes its own
/// tokio runtime).
pub fn run(node: Node, opts: RunOptions) -> Result<(), TuiError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(run_async(node, opts))
}

/// Runs the console inside an existing tokio runtime (e.g. next to a sync engine).
pub async fn run_async(node: Node, opts: RunOptions) -> Result<(), TuiError> {
    // A long-running node folds long case histories off the write path (issue 13).
    node.fold_in_background();
    // And packs the page slack of random-order inserts back, a short step at a time.
    node.repack_in_background();
    let mut terminal = ratatui::try_init()?;
    let _guard = Guard { mouse: opts.mouse };
    execute!(stdout(), EnableBracketedPaste)?;
    if opts.mouse {
        execute!(stdout(), EnableMouseCapture)?;
    }
    let app = App::new(
        &node,
        AppOptions {
            login_hint: opts.login_hint,
            officer: opts.officer,
            mouse: opts.mouse,
            printer: opts.printer,
            ..AppOptions::default()
        },
    );
    event_loop(&mut terminal, node, app).await
}

async fn event_loop(
    terminal: &mut DefaultTerminal,
    node: Node,
    mut app: App,
) -> Result<(), TuiError> {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let events = tokio::spawn(EventTask::new(node.clone(), tx.clone()).run());
    draw(terminal, &app)?;
    while let Some(ev) = rx.recv().await {
        let mut effects = app.handle_event(ev);
        // Apply everything already queued (in order: IME backspace + letter pairs stay intact),
        // then draw once.
        for _ in 0..BATCH {
            match rx.try_recv() {
                Ok(ev) => effects.extend(app.handle_event(ev)),
                Err(_) => break,
            }
        }
        for e in effects {
            let node = node.clone();
            let tx = tx.clone();
            tokio::task::spawn_blocking(move || {
                if let Some(o) = execute(&node, e) {
                    let _ = tx.send(Event::Done(o));
                }
            });
        }
        if app.quit {
            break;
        }
        if app.redraw {
            app.redraw = false;
            draw(terminal, &app)?;
        }
    }
    events.abort();
    Ok(())
}

/// Draws one frame of `app` on any backend (the loop, tests and the benchmark use it).
pub fn draw<B: ratatui::backend::Backend>(
    terminal: &mut Terminal<B>,
    app: &App,
) -> Result<(), TuiError>
where
    B::Error: std::error::Error + Send + Sync + 'static,
{
    terminal
        .draw(|f| ui::render(app, f))
        .map(|_| ())
        .map_err(|e| TuiError::Terminal(std::io::Error::other(e)))
}
