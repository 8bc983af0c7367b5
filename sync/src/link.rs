//! The link switch (`SyncCommand::SetLink`): the console can cut this node off the network
//! and restore it. The engine flips it; the ALPN handler (`net.rs`) refuses connections while
//! it is cut and hands each session a token that the cut cancels. Its own module so that
//! neither of the two imports the other for it.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// The link switch (`SyncCommand::SetLink`): cutting it cancels every session.
#[derive(Debug, Default)]
pub struct Link {
    cut: AtomicBool,
    token: Mutex<CancellationToken>,
    pub(crate) restored: Notify,
}

impl Link {
    /// True while cut.
    pub fn is_cut(&self) -> bool {
        self.cut.load(Ordering::SeqCst)
    }
    /// A token cancelled when the link is cut or `parent` is cancelled.
    pub fn token(&self, parent: &CancellationToken) -> CancellationToken {
        let t = parent.child_token();
        let link = self
            .token
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        let t2 = t.clone();
        tokio::spawn(async move {
            tokio::select! {
                _ = link.cancelled() => t2.cancel(),
                _ = t2.cancelled() => {}
            }
        });
        t
    }
    /// Cuts (`up == false`) or restores the link.
    pub(crate) fn set(&self, up: bool) {
        self.cut.store(!up, Ordering::SeqCst);
        if up {
            self.restored.notify_waiters();
        } else {
            let mut t = self
                .token
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            t.cancel();
            *t = CancellationToken::new();
        }
    }
}
