//! # hoso-tui: the officer console
//!
//! A ratatui terminal UI over a [`hoso_node::Node`]: login, the case list with accent-insensitive
//! search, receiving a case from a citizen id, case detail with workflow actions, notes, history
//! and conflicts, the sync panel and the audit view. Everything reads the local store, so no
//! screen ever waits on the network; sync state arrives through the node's watch channel and
//! remote changes through its change notifications.
//!
//! The loop follows ratatui's event-driven template: [`event::EventTask`] merges terminal input,
//! node notifications, sync status, a 4 Hz tick and SIGTERM into one channel;
//! [`app::App::handle_event`] only mutates state and returns [`effect::Effect`]s; the loop runs
//! each effect on the blocking pool ([`effect::execute`]) and feeds the answer back as an event;
//! [`ui::render`] draws a frame only when something changed.
//!
//! ```no_run
//! # fn main() -> Result<(), hoso_tui::TuiError> {
//! let node = hoso_node::Node::open(std::path::Path::new("/var/lib/hoso"))?;
//! hoso_tui::run(node, hoso_tui::RunOptions::default())?;
//! # Ok(()) }
//! ```
//!
//! Modules: [`terminal`] (terminal setup and the loop), [`event`], [`app`] (the state and its
//! update function), [`effect`] (what the console asks of the node), [`screen`] (one module per
//! screen or overlay; a screen changes only its own state, reads the [`context`] and returns
//! [`action`]s the app applies), [`keys`] (a key binding as the help and hint bar show it),
//! [`ui`] (the frame around every screen), [`theme`], [`format`](mod@format) (display helpers), [`input`] (a single-line text field), [`queue`] (what a list tab holds),
//! [`draft`] (typed text kept until saved), [`errors`] (every node error as a Vietnamese
//! sentence), [`audit_text`] (audit entries as Vietnamese sentences), [`audit_line`] (one
//! audit entry as the audit screens show it), [`print`](mod@print) (printing a case's forms
//! through the printer the binary hands in), [`oversight`] (what the hub's and the
//! auditor's screens ask of the node: the province dashboard, the search over every audit chain,
//! a full verification with progress, evidence bundles), [`finding_text`] (verification findings
//! as Vietnamese sentences).

#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod action;
pub mod app;
pub mod audit_line;
pub mod audit_text;
pub mod context;
pub mod draft;
pub mod effect;
pub mod errors;
pub mod event;
pub mod finding_text;
pub mod format;
pub mod input;
pub mod keys;
pub mod oversight;
pub mod print;
pub mod queue;
pub mod screen;
pub mod terminal;
pub mod theme;
pub mod ui;

pub use app::{App, AppOptions, Screen};
pub use terminal::{RunOptions, TuiError, run, run_async};
