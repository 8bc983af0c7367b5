//! Store work off the async runtime: every session step (redb commits and their fsync,
//! Automerge decoding, chain verification) runs on tokio's blocking pool through
//! [`session_step`], at most one step per core at a time across every session of the process
//! (a semaphore), so a hub with hundreds of communes keeps its runtime threads free for QUIC
//! and its cores busy with store work, never oversubscribed.
//!
//! [`AbortOnDrop`] ties the tasks an engine or a driven session spawns to their owner: when the
//! owner goes (an engine dropped without `shutdown`, a session future cancelled), its tasks stop.

use std::sync::{Arc, OnceLock};

use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

use crate::error::SyncError;
use crate::protocol::Session;

static STEPS: OnceLock<Arc<Semaphore>> = OnceLock::new();

/// Session steps that may run at once in this process: one per core.
pub fn step_limit() -> usize {
    std::thread::available_parallelism()
        .map(std::num::NonZero::get)
        .unwrap_or(2)
}

fn steps() -> Arc<Semaphore> {
    STEPS
        .get_or_init(|| Arc::new(Semaphore::new(step_limit())))
        .clone()
}

/// Runs `f` on the session on the blocking pool, once a per-core permit is free. The session
/// moves to the blocking thread and back; if the step panics the session is lost and the
/// error says so. The permit is held by the blocking work itself, so a step whose caller was
/// cancelled still counts until it has finished.
pub async fn session_step<T, F>(slot: &mut Option<Session>, f: F) -> Result<T, SyncError>
where
    T: Send + 'static,
    F: FnOnce(&mut Session) -> Result<T, SyncError> + Send + 'static,
{
    let mut session = slot
        .take()
        .ok_or_else(|| SyncError::Task("the session was lost by an earlier step".into()))?;
    let permit = steps()
        .acquire_owned()
        .await
        .map_err(|e| SyncError::Task(format!("the store step limit is closed: {e}")))?;
    let handle = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let r = f(&mut session);
        (session, r)
    });
    match handle.await {
        Ok((session, r)) => {
            *slot = Some(session);
            r
        }
        Err(e) => Err(SyncError::Task(format!("a sync step failed: {e}"))),
    }
}

/// Runs store work that needs no session on the blocking pool (same per-core limit).
pub async fn store_work<T, F>(f: F) -> Result<T, SyncError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, SyncError> + Send + 'static,
{
    let permit = steps()
        .acquire_owned()
        .await
        .map_err(|e| SyncError::Task(format!("the store step limit is closed: {e}")))?;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        f()
    })
    .await
    .map_err(|e| SyncError::Task(format!("a sync step failed: {e}")))?
}

/// A task handle that aborts its task when dropped.
#[derive(Debug)]
pub struct AbortOnDrop<T>(pub JoinHandle<T>);

impl<T> AbortOnDrop<T> {
    /// Spawns `fut` on the runtime, aborted when the returned guard is dropped.
    pub fn spawn<F>(fut: F) -> AbortOnDrop<T>
    where
        F: std::future::Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        AbortOnDrop(tokio::spawn(fut))
    }

    /// Aborts the task now.
    pub fn abort(&self) {
        self.0.abort();
    }
}

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}
