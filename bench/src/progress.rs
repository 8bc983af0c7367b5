//! Progress of a bench's long phases on stderr. On a terminal each phase is a bar (indicatif);
//! otherwise (a pipe, a log file, CI) the phase is one line of text, as before, so logs stay
//! readable. stdout carries only the bench's JSON document either way.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// One phase of a bench: a bar on a terminal, a line otherwise.
pub(crate) struct Phase {
    bar: Option<ProgressBar>,
}

impl Phase {
    /// Starts a phase of `len` steps named `label`.
    pub(crate) fn start(label: &str, len: u64) -> Phase {
        Phase::start_on(label, len, std::io::stderr().is_terminal())
    }

    /// [`Phase::start`] with the terminal decision made by the caller (for tests).
    fn start_on(label: &str, len: u64, terminal: bool) -> Phase {
        if !terminal {
            eprintln!("{label}");
            return Phase { bar: None };
        }
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        bar.set_style(style);
        bar.set_message(label.to_string());
        Phase { bar: Some(bar) }
    }

    /// True when a bar is drawn (a log then gets no per-step lines of its own).
    pub(crate) fn drawing(&self) -> bool {
        self.bar.is_some()
    }

    /// `n` more steps done.
    pub(crate) fn inc(&self, n: u64) {
        if let Some(b) = &self.bar {
            b.inc(n);
        }
    }
}

impl Drop for Phase {
    fn drop(&mut self) {
        if let Some(b) = &self.bar {
            b.finish();
        }
    }
}

impl hoso_node::progress::Progress for Phase {
    fn stage(&self, _: hoso_node::progress::Stage, total: Option<u64>) {
        if let (Some(b), Some(t)) = (&self.bar, total) {
            b.set_length(t);
            b.set_position(0);
        }
    }

    fn advance(&self, n: u64) {
        self.inc(n);
    }
}

#[cfg(test)]
mod tests {
    use super::Phase;

    #[test]
    fn a_bar_only_on_a_terminal() {
        assert!(!Phase::start_on("case new", 10, false).drawing());
        let p = Phase::start_on("case new", 10, true);
        assert!(p.drawing());
        p.inc(3);
        assert_eq!(
            p.bar.as_ref().map(indicatif::ProgressBar::position),
            Some(3)
        );
    }
}
