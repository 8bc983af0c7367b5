//! The `Node` handle itself: the open store, key, settings, caches and the writer lock, with
//! the accessors every operation uses. The operations are `impl Node` blocks in the sibling
//! modules; opening and creating a node is `node/open.rs`.
//!
//! Every user action is one durable redb transaction holding the Automerge change, the summary
//! row, the index entries, the change-feed entry and the signed audit entry, then the reply.
//! Writers serialise on one mutex (so the node writes with one Automerge actor and the chain has
//! one head); readers use redb read transactions and never wait for a writer.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use hoso_schemas::{Catalog, HolidayCalendar};
use redb::{Database, WriteTransaction};

use crate::audit::head::ChainHead;
use crate::config::NodeConfig;
use crate::error::Result;
use crate::identity::NodeKey;
use crate::ids::{CaseId, NodeId};
use crate::sync_status::{SyncCommand, SyncStatus};

use super::rules::Rules;

/// A write that would store a small document's `COMPACT_AFTER`th incremental change chunk saves
/// the whole document instead (and drops its chunks); larger documents are folded less often
/// and off the write path (`node/fold.rs`).
pub const COMPACT_AFTER: u32 = crate::doc_store::COMPACT_AFTER;
/// The officer id recorded for actions the node takes itself (init, imports without an officer).
pub const SYSTEM_OFFICER: &str = "system";

/// The writer lock's state: the own chain's head as this handle last wrote it.
pub(crate) struct Writer {
    pub(crate) head: ChainHead,
}

pub(super) struct Inner {
    pub(super) dir: PathBuf,
    pub(super) db: Database,
    pub(super) key: NodeKey,
    pub(super) config: NodeConfig,
    /// The catalog version in force (swapped when a newer one is applied).
    pub(super) rules: RwLock<&'static Rules>,
    /// The node's own catalog (version 0), as loaded at open.
    pub(super) local: &'static Rules,
    pub(super) actor: [u8; 16],
    pub(super) realm: [u8; 16],
    pub(super) writer: Mutex<Writer>,
    pub(super) changed: tokio::sync::broadcast::Sender<CaseId>,
    pub(super) sync_status: tokio::sync::watch::Sender<SyncStatus>,
    pub(super) sync_commands: tokio::sync::broadcast::Sender<SyncCommand>,
    /// The own chain's compact range and head hash as last computed (`own_checkpoint`
    /// extends it with the entries appended since, instead of rehashing the whole chain).
    pub(super) own_range: Mutex<Option<(crate::chain::merkle::CompactRange, [u8; 32])>>,
    /// Loaded case documents, checked against the store on each use (`doc_cache.rs`).
    pub(super) docs: Mutex<crate::doc_cache::DocCache>,
    /// Each case's jurisdiction, for walking the feed (`replica/scope_cache.rs`).
    pub(super) scopes: crate::replica::scope_cache::ScopeCache,
    /// The thread folding long change logs, when one runs (`node/fold.rs`).
    pub(super) folder: crate::doc_store::Folder,
}

/// A cheap-to-clone handle to an open node.
#[derive(Clone)]
pub struct Node {
    pub(super) inner: Arc<Inner>,
}

impl Node {
    /// Each case's jurisdiction as remembered for walking the feed (`replica/scope_cache.rs`).
    pub(crate) fn scopes(&self) -> &crate::replica::scope_cache::ScopeCache {
        &self.inner.scopes
    }
}

impl std::fmt::Debug for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Node({} {})", self.inner.config.name, self.id().short())
    }
}

pub(super) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl Node {
    /// The node's own catalog (version 0), as loaded at open.
    pub(crate) fn local_rules(&self) -> &'static Rules {
        self.inner.local
    }

    /// The cache of loaded case documents (see `doc_cache.rs`).
    pub(crate) fn doc_cache(&self) -> MutexGuard<'_, crate::doc_cache::DocCache> {
        self.inner
            .docs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Turns the document cache off (every write and read loads the case from the store) or
    /// back on: benchmarks compare the two in one process.
    pub fn set_doc_cache(&self, on: bool) {
        let mut c = self.doc_cache();
        c.disabled = !on;
        if !on {
            c.clear();
        }
    }

    /// Uses of the document cache so far: (answered from it, loaded from the store).
    pub fn doc_cache_stats(&self) -> (u64, u64) {
        let c = self.doc_cache();
        (c.hits, c.misses)
    }

    /// The cached compact range of the own chain (see `Inner::own_range`).
    pub(crate) fn own_range(
        &self,
    ) -> MutexGuard<'_, Option<(crate::chain::merkle::CompactRange, [u8; 32])>> {
        self.inner
            .own_range
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn writer(&self) -> MutexGuard<'_, Writer> {
        self.inner
            .writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Takes the writer lock and opens a write transaction. The chain head is re-read inside
    /// the transaction: in redb's multi-writer mode another process (a CLI command next to a
    /// running `hoso serve`) may have appended since this handle last wrote.
    pub(crate) fn write_txn(&self) -> Result<(MutexGuard<'_, Writer>, WriteTransaction)> {
        let mut w = self.writer();
        let tx = self.inner.db.begin_write()?;
        w.head = ChainHead::load_in(&tx)?;
        Ok((w, tx))
    }

    /// The node id.
    pub fn id(&self) -> NodeId {
        self.inner.key.id()
    }
    /// The node key (for the sync endpoint and checkpoint signatures).
    pub fn key(&self) -> &NodeKey {
        &self.inner.key
    }
    /// The settings.
    pub fn config(&self) -> &NodeConfig {
        &self.inner.config
    }
    /// The data dir.
    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }
    /// The procedure catalog in force (see [`Node::rules`]; a case is checked against its
    /// own version, [`Node::case_rules`]).
    pub fn catalog(&self) -> &Catalog {
        &self.rules().catalog
    }
    /// The holiday calendar in force.
    pub fn calendar(&self) -> &HolidayCalendar {
        &self.rules().calendar
    }
    /// The store (this crate only: other crates read through node methods).
    pub(crate) fn db(&self) -> &Database {
        &self.inner.db
    }
    /// This node's Automerge actor id.
    pub fn actor(&self) -> [u8; 16] {
        self.inner.actor
    }
    /// The deployment id.
    pub fn realm(&self) -> [u8; 16] {
        self.inner.realm
    }
    /// A stream of case ids as they change (local writes and merges).
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<CaseId> {
        self.inner.changed.subscribe()
    }
    /// The sync engine's status, as it publishes it.
    pub fn sync_status(&self) -> tokio::sync::watch::Receiver<SyncStatus> {
        self.inner.sync_status.subscribe()
    }
    /// Publishes a new sync status (the sync engine does this).
    pub fn publish_sync_status(&self, f: impl FnOnce(&mut SyncStatus)) {
        self.inner.sync_status.send_modify(f);
    }
    /// Asks the sync engine to do something (the console does this).
    pub fn send_sync_command(&self, cmd: SyncCommand) {
        let _ = self.inner.sync_commands.send(cmd);
    }
    /// The requests to the sync engine.
    pub fn sync_commands(&self) -> tokio::sync::broadcast::Receiver<SyncCommand> {
        self.inner.sync_commands.subscribe()
    }
    pub(crate) fn subscribe_sender(&self) -> &tokio::sync::broadcast::Sender<CaseId> {
        &self.inner.changed
    }
    /// The own chain's head, as stored (another process may have appended).
    pub fn chain_head(&self) -> ChainHead {
        ChainHead::load(&self.inner.db).unwrap_or_else(|_| self.writer().head.clone())
    }
}
