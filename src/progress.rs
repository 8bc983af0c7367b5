//! Progress bars for the long commands (`import`, `export`, `sync`, `audit verify`), drawn with
//! indicatif on stderr.
//!
//! Drawn only when stderr is a terminal and the command prints text: never with `--json`, never
//! into a pipe or a file, so scripts and logs see exactly what they saw before. stdout is never
//! touched. The node reports its stages through [`hoso_node::progress::Progress`]; sync rounds
//! through the sync driver's observer.

use std::cell::RefCell;
use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use hoso_node::progress::{Progress, Stage};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::Cli;

/// Whether to draw progress: text output (not `--json`) and stderr on a terminal.
pub(crate) fn should_draw(json: bool, stderr_is_terminal: bool) -> bool {
    !json && stderr_is_terminal
}

/// [`should_draw`] for this process.
pub(crate) fn draws(cli: &Cli) -> bool {
    should_draw(cli.json, std::io::stderr().is_terminal())
}

/// What a stage is called on its bar.
pub(crate) fn label(stage: Stage) -> &'static str {
    match stage {
        Stage::ImportCheck => "checking",
        Stage::ImportWrite => "importing",
        Stage::ImportCommit => "committing",
        Stage::Export => "exporting",
        Stage::VerifyChains => "chains",
        Stage::VerifyCases => "cases",
        Stage::CheckStore => "store check",
    }
}

/// What a step of a stage is called.
fn unit(stage: Stage) -> &'static str {
    match stage {
        Stage::ImportCheck => "lines",
        Stage::VerifyChains => "chains",
        Stage::CheckStore => "documents",
        _ => "cases",
    }
}

fn bar_style() -> ProgressStyle {
    ProgressStyle::with_template("{prefix:>12.bold} [{bar:30}] {pos}/{len} {msg} ({eta} left)")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

fn spinner_style() -> ProgressStyle {
    ProgressStyle::with_template("{prefix:>12.bold} {spinner} {pos} {msg} ({elapsed})")
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
}

/// A bar for `total` steps (a spinner when unknown), hidden when not drawing.
fn new_bar(draw: bool, prefix: &str, total: Option<u64>, msg: &str) -> ProgressBar {
    let target = if draw {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = match total {
        Some(n) => ProgressBar::with_draw_target(Some(n), target).with_style(bar_style()),
        None => {
            let b = ProgressBar::with_draw_target(None, target).with_style(spinner_style());
            if draw {
                b.enable_steady_tick(Duration::from_millis(120));
            }
            b
        }
    };
    bar.set_prefix(prefix.to_string());
    bar.set_message(msg.to_string());
    bar
}

/// The bars of one node operation: one bar per stage, cleared when the next stage begins and
/// when dropped (so the command's own output follows on a clean line).
pub(crate) struct Bars {
    draw: bool,
    /// Known step counts the node does not know (the lines of an import file).
    hint: Option<(Stage, u64)>,
    current: RefCell<Option<ProgressBar>>,
}

impl Bars {
    /// Bars drawn when [`draws`] says so.
    pub(crate) fn new(cli: &Cli) -> Bars {
        Bars::with(draws(cli))
    }

    /// Bars drawn when `draw`.
    pub(crate) fn with(draw: bool) -> Bars {
        Bars {
            draw,
            hint: None,
            current: RefCell::new(None),
        }
    }

    /// Uses `total` as the step count of `stage` when the node reports none.
    pub(crate) fn hint(mut self, stage: Stage, total: u64) -> Bars {
        self.hint = Some((stage, total));
        self
    }

    /// Whether these bars draw anything.
    pub(crate) fn drawing(&self) -> bool {
        self.draw
    }

    /// Clears the current bar.
    pub(crate) fn clear(&self) {
        if let Some(b) = self.current.borrow_mut().take() {
            b.finish_and_clear();
        }
    }
}

impl Progress for Bars {
    fn stage(&self, stage: Stage, total: Option<u64>) {
        self.clear();
        if !self.draw {
            return;
        }
        let total = total.or(self.hint.filter(|(s, _)| *s == stage).map(|(_, n)| n));
        *self.current.borrow_mut() = Some(new_bar(true, label(stage), total, unit(stage)));
    }

    fn advance(&self, n: u64) {
        if let Some(b) = &*self.current.borrow() {
            b.inc(n);
        }
    }
}

impl Drop for Bars {
    fn drop(&mut self) {
        self.clear();
    }
}

/// The sync driver's observer for one peer's round: a bar of the cases sent against the cases
/// sent plus the feed entries still pending for that peer (an upper bound: entries outside the
/// peer's scope are never sent, and the bar is cleared when the round ends), with what was
/// received as its message.
pub(crate) fn sync_observer(peer_name: &str) -> hoso_sync::net::Observer {
    let bar = new_bar(true, &short_name(peer_name), None, "connecting");
    Arc::new(
        move |session: &hoso_sync::protocol::Session,
              stats: &hoso_sync::RoundStats,
              running: bool| {
            if !running {
                bar.finish_and_clear();
                return;
            }
            let sent = stats.docs_sent + stats.changes_sent;
            let total = sent + session.pending();
            if total > 0 && bar.length().is_none() {
                bar.disable_steady_tick();
                bar.set_style(bar_style());
            }
            if total > 0 {
                bar.set_length(total);
                bar.set_position(sent);
            }
            bar.set_message(format!(
                "sent, {} received",
                stats.docs_received + stats.changes_received
            ));
        },
    )
}

/// A peer's name cut to fit the bar's prefix.
fn short_name(name: &str) -> String {
    let name = if name.is_empty() { "peer" } else { name };
    let s = hoso_node::text::escape_line(name);
    if s.chars().count() > 12 {
        s.chars().take(11).chain(['…']).collect()
    } else {
        s.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_drawn_only_for_text_output_on_a_terminal() {
        assert!(should_draw(false, true));
        assert!(!should_draw(true, true), "--json never draws");
        assert!(!should_draw(false, false), "a pipe or file never draws");
        assert!(!should_draw(true, false));
    }

    #[test]
    fn bars_that_do_not_draw_hold_no_bar() {
        let bars = Bars::with(false);
        bars.stage(Stage::Export, Some(10));
        bars.advance(3);
        assert!(bars.current.borrow().is_none());
    }

    #[test]
    fn a_drawn_stage_counts_its_steps_and_takes_the_hint() {
        let bars = Bars::with(true).hint(Stage::ImportCheck, 7);
        bars.stage(Stage::ImportCheck, None);
        bars.advance(2);
        {
            let cur = bars.current.borrow();
            let b = cur.as_ref().expect("a bar");
            assert_eq!((b.position(), b.length()), (2, Some(7)));
        }
        bars.stage(Stage::ImportWrite, Some(5));
        bars.advance(5);
        let cur = bars.current.borrow();
        let b = cur.as_ref().expect("a bar");
        assert_eq!((b.position(), b.length()), (5, Some(5)));
    }
}
