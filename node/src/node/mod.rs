//! The `Node` handle: the one writer of a node's store, shared by the CLI, the console and sync.
//!
//! Every user action is one durable redb transaction holding the Automerge change, the summary
//! row, the index entries, the change-feed entry and the signed audit entry, then the reply.
//! Writers serialise on one mutex (so the node writes with one Automerge actor and the chain has
//! one head); readers use redb read transactions and never wait for a writer.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use chrono::{DateTime, FixedOffset};
use hoso_schemas::{Catalog, HolidayCalendar, Status};
use redb::{Database, WriteTransaction};
use serde::Serialize;

use crate::audit::ChainHead;
use crate::case::{Evidence, HistoryEntry, Note};
use crate::config::{NodeConfig, NodeRole};
use crate::error::{ConfigError, NodeError, Result};
use crate::identity::NodeKey;
use crate::ids::{CaseId, NodeId, actor_for};
use crate::store::{self, error::StoreError};
use crate::sync_status::{SyncCommand, SyncStatus};

mod accounts;
mod apology;
mod cases;
mod catalog;
mod corrections;
mod due;
mod edits;
pub(crate) mod fold;
mod intake;
mod officers;
mod payments;
mod read;
mod registry;
mod results;
mod rules;
mod storage;
mod supplement;
mod tracks;

pub use accounts::one_time_passphrase;
pub use apology::ApologyInput;
pub(crate) use cases::check_field_input;
pub use catalog::{CatalogVersion, META_CATALOG};
pub use due::DueRecompute;
pub(crate) use edits::bump_feed;
pub use fold::{BACKGROUND_AT, CaseStorage, MAX_CHUNKS, SMALL_DOC_BYTES};
pub use intake::{
    DeclaredInput, DeclaredIntake, ExtractImportReport, ExtractLabel, ExtractMeta, RecheckReport,
};
pub use payments::NewPayment;
pub use results::ResultInput;
pub use rules::Rules;
pub use supplement::SupplementInput;
pub use tracks::{TrackDue, track_clock, track_rows};

/// A write that would store a small document's `COMPACT_AFTER`th incremental change chunk saves
/// the whole document instead (and drops its chunks); larger documents are folded less often
/// and off the write path (`node/fold.rs`).
pub const COMPACT_AFTER: u32 = 4;
/// The officer id recorded for actions the node takes itself (init, imports without an officer).
pub const SYSTEM_OFFICER: &str = "system";
/// Search results up to this size are read whole and ranked exact-diacritic first.
pub const EXACT_RANK_MAX: usize = 2000;

/// Options for [`Node::init`].
#[derive(Clone, Debug)]
pub struct InitOptions {
    /// Display name.
    pub name: String,
    /// Commune or hub.
    pub role: NodeRole,
    /// Province code.
    pub province: String,
    /// Commune code (communes only).
    pub commune: Option<String>,
    /// Receipt unit code; derived from the scope when `None`.
    pub unit_code: Option<String>,
    /// Sync listen address.
    pub listen: String,
    /// Deployment id; derived from the province when `None`.
    pub realm: Option<String>,
}

/// What `case new` needs.
#[derive(Clone, Debug, Default)]
pub struct NewCase {
    /// Procedure code.
    pub procedure: String,
    /// The citizen the case is received for.
    pub citizen_id: String,
    /// Fields the citizen provided, raw `name → value`.
    pub fields: Vec<(String, String)>,
    /// Receipt time; now when `None`.
    pub received_at: Option<DateTime<FixedOffset>>,
}

/// A case form prefilled from the registry, before it is received.
#[derive(Clone, Debug, Serialize)]
pub struct Prefill {
    /// Procedure code.
    pub procedure: String,
    /// Citizen id.
    pub citizen_id: String,
    /// Applicant name from the registry.
    pub applicant_name: String,
    /// Field values (registry ones and validated given ones).
    pub fields: BTreeMap<String, String>,
    /// Evidence per registry-filled field.
    pub evidence: BTreeMap<String, Evidence>,
    /// Required fields still empty: what the citizen must still provide.
    pub missing_fields: Vec<String>,
    /// Commune of residence of the citizen.
    pub commune: String,
    /// For a citizen missing from the population extract: the declared identity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declared: Option<DeclaredIntake>,
}

/// A list query.
#[derive(Clone, Debug, Default)]
pub struct CaseQuery {
    /// Only this status.
    pub status: Option<Status>,
    /// Only this procedure.
    pub procedure: Option<String>,
    /// Accent-insensitive name search, or a citizen id, or a receipt code.
    pub search: Option<String>,
    /// Only overdue cases.
    pub overdue: bool,
    /// Only cases in the review queue.
    pub conflicts: bool,
    /// Only cases assigned to this officer.
    pub officer: Option<String>,
    /// Most rows returned (0 = 50).
    pub limit: usize,
    /// Matching rows to skip first (paging: the console reads one window at a time).
    pub offset: usize,
}

/// Counts and sizes for `hoso status`.
#[derive(Clone, Debug, Serialize)]
pub struct NodeStatus {
    /// Node id.
    pub node_id: NodeId,
    /// Name.
    pub name: String,
    /// Role.
    pub role: NodeRole,
    /// Province.
    pub province: String,
    /// Commune.
    pub commune: Option<String>,
    /// Cases stored.
    pub cases: u64,
    /// Cases per status word.
    pub by_status: BTreeMap<String, u64>,
    /// Cases in the review queue.
    pub conflicts: u64,
    /// Citizens in the registry.
    pub registry_citizens: u64,
    /// Officers.
    pub officers: u64,
    /// Store file size in bytes.
    pub store_bytes: u64,
    /// Own chain length.
    pub chain_length: u64,
    /// Own chain head hash, hex.
    pub chain_head: String,
    /// Latest change-feed seq.
    pub feed_seq: u64,
}

/// The writer lock's state: the own chain's head as this handle last wrote it.
pub(crate) struct Writer {
    pub(crate) head: ChainHead,
}

struct Inner {
    dir: PathBuf,
    db: Database,
    key: NodeKey,
    config: NodeConfig,
    /// The catalog version in force (swapped when a newer one is applied).
    rules: RwLock<&'static Rules>,
    /// The node's own catalog (version 0), as loaded at open.
    local: &'static Rules,
    actor: [u8; 16],
    realm: [u8; 16],
    writer: Mutex<Writer>,
    changed: tokio::sync::broadcast::Sender<CaseId>,
    sync_status: tokio::sync::watch::Sender<SyncStatus>,
    sync_commands: tokio::sync::broadcast::Sender<SyncCommand>,
    /// The own chain's compact range and head hash as last computed (`own_checkpoint`
    /// extends it with the entries appended since, instead of rehashing the whole chain).
    own_range: Mutex<Option<(crate::audit::merkle::CompactRange, [u8; 32])>>,
    /// Loaded case documents, checked against the store on each use (`doc_cache.rs`).
    docs: Mutex<crate::doc_cache::DocCache>,
    /// Each case's jurisdiction, for walking the feed (`replica/scope_cache.rs`).
    scopes: crate::replica::ScopeCache,
    /// The thread folding long change logs, when one runs (`node/fold.rs`).
    folder: fold::Folder,
}

/// The past of a case brought in by bulk import.
#[derive(Clone, Copy, Debug)]
pub struct ImportedPast<'a> {
    /// Receipt code to keep (empty: assign a new one).
    pub receipt_code: &'a str,
    /// Status to import in.
    pub status: Status,
    /// Status history.
    pub history: &'a [HistoryEntry],
    /// Notes.
    pub notes: &'a [Note],
    /// Assigned officer.
    pub assigned_officer: Option<&'a str>,
}

/// A cheap-to-clone handle to an open node.
#[derive(Clone)]
pub struct Node {
    inner: Arc<Inner>,
}

impl Node {
    /// Each case's jurisdiction as remembered for walking the feed (`replica/scope_cache.rs`).
    pub(crate) fn scopes(&self) -> &crate::replica::ScopeCache {
        &self.inner.scopes
    }
}

impl std::fmt::Debug for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Node({} {})", self.inner.config.name, self.id().short())
    }
}

/// File names inside a data dir.
pub mod paths {
    /// Node settings.
    pub const CONFIG: &str = "node.toml";
    /// Node key (mode 0600).
    pub const KEY: &str = "node.key";
    /// The redb store.
    pub const STORE: &str = "store.redb";
    /// Optional catalog override directory.
    pub const CATALOG_DIR: &str = "catalog";
    /// Optional holiday calendar override.
    pub const HOLIDAYS: &str = "holidays.toml";
}

/// The node's local rules (catalog version 0): the `catalog/` dir or the built-in catalog,
/// `holidays.toml` or the built-in calendar.
fn load_local_rules(dir: &Path) -> Result<Rules> {
    let catalog_dir = dir.join(paths::CATALOG_DIR);
    let catalog = if catalog_dir.is_dir() {
        Catalog::load_dir(&catalog_dir)
    } else {
        Catalog::builtin()
    }
    .map_err(ConfigError::Catalog)?;
    let holidays = dir.join(paths::HOLIDAYS);
    let calendar = if holidays.exists() {
        HolidayCalendar::load(&holidays)
    } else {
        HolidayCalendar::builtin()
    }
    .map_err(ConfigError::Holidays)?;
    Ok(Rules::local(catalog, calendar))
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl Node {
    /// Creates a node in `dir`: key, settings, store, and the chain's genesis entries.
    pub fn init(dir: &Path, opts: InitOptions) -> Result<Node> {
        Node::init_with_officer(dir, opts, None)
    }

    /// Creates a node in `dir` with its first officer account, written in the genesis
    /// transaction (`hoso init --officer`): the only way a node gets an officer without a
    /// supervisor creating it.
    pub fn init_with_officer(
        dir: &Path,
        opts: InitOptions,
        first: Option<&store::genesis::FirstOfficer>,
    ) -> Result<Node> {
        std::fs::create_dir_all(dir).map_err(|e| NodeError::io(dir, e))?;
        let cfg_path = dir.join(paths::CONFIG);
        let store_path = dir.join(paths::STORE);
        if cfg_path.exists() || dir.join(paths::KEY).exists() || store_path.exists() {
            return Err(NodeError::AlreadyInitialized {
                dir: dir.to_path_buf(),
            });
        }
        let config = NodeConfig {
            name: opts.name,
            role: opts.role,
            unit_code: opts.unit_code.unwrap_or_else(|| {
                NodeConfig::default_unit_code(&opts.province, opts.commune.as_deref())
            }),
            realm: opts
                .realm
                .unwrap_or_else(|| NodeConfig::default_realm(&opts.province)),
            province: opts.province,
            commune: opts.commune,
            listen: opts.listen,
            incarnation: 0,
        };
        config.validate()?;
        let first = first
            .map(store::genesis::FirstOfficer::account)
            .transpose()?;
        let key = NodeKey::generate();
        key.write_new(&dir.join(paths::KEY))?;
        config.write(&cfg_path)?;
        store::genesis::create(&store_path, &key, &config, first.as_ref())?;
        Node::open(dir)
    }

    /// Opens the node in `dir`.
    pub fn open(dir: &Path) -> Result<Node> {
        let cfg_path = dir.join(paths::CONFIG);
        if !cfg_path.exists() {
            return Err(NodeError::NotInitialized {
                dir: dir.to_path_buf(),
            });
        }
        let config = NodeConfig::read(&cfg_path)?;
        let key_path = dir.join(paths::KEY);
        if !key_path.exists() {
            return Err(StoreError::KeyMissing { path: key_path }.into());
        }
        let key = NodeKey::read(&key_path)?;
        let store_path = dir.join(paths::STORE);
        let (db, _) = store::open(&store_path)?;
        store::check_binding(&db, &store_path, &key.id())?;
        let head = ChainHead::load(&db)?;
        let local = rules::intern(load_local_rules(dir)?);
        let actor = actor_for(&key.id(), config.incarnation);
        let realm = config.realm_bytes()?;
        let (changed, _) = tokio::sync::broadcast::channel(1024);
        let (sync_status, _) = tokio::sync::watch::channel(SyncStatus::default());
        let (sync_commands, _) = tokio::sync::broadcast::channel(16);
        let node = Node {
            inner: Arc::new(Inner {
                dir: dir.to_path_buf(),
                db,
                key,
                config,
                rules: RwLock::new(local),
                local,
                actor,
                realm,
                writer: Mutex::new(Writer { head }),
                changed,
                sync_status,
                sync_commands,
                own_range: Mutex::new(None),
                docs: Mutex::new(crate::doc_cache::DocCache::default()),
                scopes: crate::replica::ScopeCache::default(),
                folder: fold::Folder::default(),
            }),
        };
        // The newest catalog version held (a hub's bundle) is in force over the local one.
        node.refresh_rules()?;
        Ok(node)
    }

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
    ) -> MutexGuard<'_, Option<(crate::audit::merkle::CompactRange, [u8; 32])>> {
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
