//! Everything the console reacts to, merged into one channel: terminal input, node change
//! notifications, the sync engine's status, results of background work, a low-rate tick and
//! SIGTERM.
//!
//! [`EventTask`] runs one `select!` over the sources and stops when the receiver is dropped.

use std::time::Duration;

use futures::StreamExt;
use hoso_node::{CaseId, Node, SyncStatus};
use ratatui::crossterm::event::{Event as TermEvent, EventStream};
use tokio::sync::{broadcast, mpsc};

use crate::effect::Outcome;

/// Tick period: reloads after remote changes happen at most this long after them (well within
/// the one second the console promises), and nothing animates.
pub const TICK: Duration = Duration::from_millis(250);

/// One event for [`crate::app::App::handle_event`].
#[derive(Clone, Debug)]
pub enum Event {
    /// The low-rate timer.
    Tick,
    /// A key, mouse, paste or resize event from the terminal.
    Term(TermEvent),
    /// A case changed in the store (a local write or a merge from a peer).
    CaseChanged(CaseId),
    /// So many cases changed that the notifications were dropped: reload everything shown.
    ManyChanged,
    /// The sync engine published a new status.
    Sync(SyncStatus),
    /// Background work finished.
    Done(Outcome),
    /// SIGTERM or SIGHUP: leave cleanly.
    Terminate,
}

/// The task that feeds [`Event`]s into the console loop.
#[derive(Debug)]
pub struct EventTask {
    tx: mpsc::UnboundedSender<Event>,
    node: Node,
}

impl EventTask {
    /// A task that sends to `tx`.
    pub fn new(node: Node, tx: mpsc::UnboundedSender<Event>) -> EventTask {
        EventTask { tx, node }
    }

    /// Runs until the receiving side is gone.
    pub async fn run(self) {
        let mut input = EventStream::new();
        let mut changes = self.node.subscribe();
        let mut sync = self.node.sync_status();
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let mut term = signal(Sig::Term);
        let mut hup = signal(Sig::Hup);
        let mut sync_open = true;
        let mut changes_open = true;
        loop {
            let ev = tokio::select! {
                () = self.tx.closed() => break,
                _ = tick.tick() => Event::Tick,
                ev = input.next() => match ev {
                    Some(Ok(ev)) => Event::Term(ev),
                    Some(Err(e)) => {
                        tracing::warn!(error = %e, "terminal input");
                        continue;
                    }
                    None => Event::Terminate,
                },
                r = changes.recv(), if changes_open => match r {
                    Ok(id) => Event::CaseChanged(id),
                    Err(broadcast::error::RecvError::Lagged(_)) => Event::ManyChanged,
                    Err(broadcast::error::RecvError::Closed) => {
                        changes_open = false;
                        continue;
                    }
                },
                r = sync.changed(), if sync_open => match r {
                    Ok(()) => Event::Sync(sync.borrow_and_update().clone()),
                    Err(_) => {
                        sync_open = false;
                        continue;
                    }
                },
                () = recv_signal(&mut term) => Event::Terminate,
                () = recv_signal(&mut hup) => Event::Terminate,
            };
            if self.tx.send(ev).is_err() {
                break;
            }
        }
    }
}

enum Sig {
    Term,
    Hup,
}

#[cfg(unix)]
type SignalStream = Option<tokio::signal::unix::Signal>;
#[cfg(not(unix))]
type SignalStream = Option<()>;

#[cfg(unix)]
fn signal(s: Sig) -> SignalStream {
    use tokio::signal::unix::{SignalKind, signal};
    let kind = match s {
        Sig::Term => SignalKind::terminate(),
        Sig::Hup => SignalKind::hangup(),
    };
    signal(kind).ok()
}

#[cfg(not(unix))]
fn signal(_: Sig) -> SignalStream {
    None
}

#[cfg(unix)]
async fn recv_signal(s: &mut SignalStream) {
    match s {
        Some(s) => {
            if s.recv().await.is_none() {
                std::future::pending::<()>().await;
            }
        }
        None => std::future::pending::<()>().await,
    }
}

#[cfg(not(unix))]
async fn recv_signal(_: &mut SignalStream) {
    std::future::pending::<()>().await
}
