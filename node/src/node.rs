//! The `Node` handle: the one writer of a node's store, shared by the CLI, the console and sync.
//!
//! Every user action is one durable redb transaction holding the Automerge change, the summary
//! row, the index entries, the change-feed entry and the signed audit entry, then the reply.
//! Writers serialise on one mutex (so the node writes with one Automerge actor and the chain has
//! one head); readers use redb read transactions and never wait for a writer.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, FixedOffset};
use hoso_schemas::{Catalog, CitizenId, FieldDef, HolidayCalendar, Procedure, Role, Status};
use redb::{Database, ReadableDatabase, ReadableTable, WriteTransaction};
use serde::Serialize;

use crate::audit::entry::Action;
use crate::audit::{self, ChainHead, NewEntry};
use crate::case::{CaseDoc, CaseInit, CaseSummary, CaseView, Evidence, HistoryEntry, Note};
use crate::config::{NodeConfig, NodeRole};
use crate::deadline;
use crate::error::{NodeError, Result};
use crate::identity::NodeKey;
use crate::ids::{CaseId, NodeId, actor_for};
use crate::index;
use crate::officer::{self, Officer};
use crate::registry::{self, RegistryImportReport};
use crate::store::{self, tables::*};
use crate::sync_status::{SyncCommand, SyncStatus};

/// Incremental change chunks kept per document before it is compacted.
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

struct Writer {
    head: ChainHead,
}

struct Inner {
    dir: PathBuf,
    db: Database,
    key: NodeKey,
    config: NodeConfig,
    catalog: Catalog,
    calendar: HolidayCalendar,
    actor: [u8; 16],
    realm: [u8; 16],
    writer: Mutex<Writer>,
    changed: tokio::sync::broadcast::Sender<CaseId>,
    sync_status: tokio::sync::watch::Sender<SyncStatus>,
    sync_commands: tokio::sync::broadcast::Sender<SyncCommand>,
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

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn payload(v: serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(&v).unwrap_or_default()
}

fn hashes(h: &[automerge::ChangeHash]) -> Vec<[u8; 32]> {
    h.iter().map(|h| h.0).collect()
}

impl Node {
    /// Creates a node in `dir`: key, settings, store, and the chain's genesis entries.
    pub fn init(dir: &Path, opts: InitOptions) -> Result<Node> {
        std::fs::create_dir_all(dir).map_err(|e| NodeError::io(dir, e))?;
        let cfg_path = dir.join(paths::CONFIG);
        if cfg_path.exists() || dir.join(paths::KEY).exists() {
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
        let key = NodeKey::generate();
        key.write_new(&dir.join(paths::KEY))?;
        config.write(&cfg_path)?;
        let node = Node::open(dir)?;
        {
            let (mut w, tx) = node.write_txn()?;
            let info = serde_json::json!({
                "name": node.inner.config.name,
                "role": node.inner.config.role,
                "province": node.inner.config.province,
                "commune": node.inner.config.commune,
            });
            let (_, head) = audit::append(
                &tx,
                &node.inner.key,
                node.inner.realm,
                &w.head,
                NewEntry {
                    officer: SYSTEM_OFFICER,
                    action: Action::Genesis,
                    case_id: CaseId::NONE,
                    actor: [0; 16],
                    heads_before: vec![],
                    changes: vec![],
                    payload: &payload(info),
                    now_ms: now_ms(),
                },
            )?;
            let (_, head) = audit::append(
                &tx,
                &node.inner.key,
                node.inner.realm,
                &head,
                NewEntry {
                    officer: SYSTEM_OFFICER,
                    action: Action::ActorBind,
                    case_id: CaseId::NONE,
                    actor: node.inner.actor,
                    heads_before: vec![],
                    changes: vec![],
                    payload: &payload(
                        serde_json::json!({"incarnation": node.inner.config.incarnation}),
                    ),
                    now_ms: now_ms(),
                },
            )?;
            tx.commit()?;
            w.head = head;
        }
        Ok(node)
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
        let key = NodeKey::read(&dir.join(paths::KEY))?;
        let catalog_dir = dir.join(paths::CATALOG_DIR);
        let catalog = if catalog_dir.is_dir() {
            Catalog::load_dir(&catalog_dir)
        } else {
            Catalog::builtin()
        }
        .map_err(|e| NodeError::Invalid(e.to_string()))?;
        let holidays = dir.join(paths::HOLIDAYS);
        let calendar = if holidays.exists() {
            HolidayCalendar::load(&holidays)
        } else {
            HolidayCalendar::builtin()
        }
        .map_err(|e| NodeError::Invalid(e.to_string()))?;
        let db = store::open(&dir.join(paths::STORE), true)?;
        let head = ChainHead::load(&db)?;
        let actor = actor_for(&key.id(), config.incarnation);
        let realm = config.realm_bytes()?;
        let (changed, _) = tokio::sync::broadcast::channel(1024);
        let (sync_status, _) = tokio::sync::watch::channel(SyncStatus::default());
        let (sync_commands, _) = tokio::sync::broadcast::channel(16);
        Ok(Node {
            inner: Arc::new(Inner {
                dir: dir.to_path_buf(),
                db,
                key,
                config,
                catalog,
                calendar,
                actor,
                realm,
                writer: Mutex::new(Writer { head }),
                changed,
                sync_status,
                sync_commands,
            }),
        })
    }

    fn writer(&self) -> MutexGuard<'_, Writer> {
        self.inner.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes the writer lock and opens a write transaction. The chain head is re-read inside
    /// the transaction: in redb's multi-writer mode another process (a CLI command next to a
    /// running `hoso serve`) may have appended since this handle last wrote.
    fn write_txn(&self) -> Result<(MutexGuard<'_, Writer>, WriteTransaction)> {
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
    /// The procedure catalog.
    pub fn catalog(&self) -> &Catalog {
        &self.inner.catalog
    }
    /// The holiday calendar.
    pub fn calendar(&self) -> &HolidayCalendar {
        &self.inner.calendar
    }
    /// The store, for read transactions (sync, audit, console).
    pub fn db(&self) -> &Database {
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

    // ----- officers -----

    /// Creates an officer account. `by` is the acting officer, if any.
    pub fn add_officer(
        &self,
        by: Option<&str>,
        id: &str,
        name: &str,
        role: Role,
        passphrase: &str,
    ) -> Result<Officer> {
        officer::validate_id(id)?;
        if name.trim().is_empty() {
            return Err(NodeError::Invalid(
                "officer name is empty: pass --name \"Full Name\"".into(),
            ));
        }
        if let Some(by) = by {
            let actor = self.officer(by)?;
            if actor.role != Role::Supervisor {
                return Err(NodeError::NotPermitted {
                    officer: actor.id,
                    role: actor.role.to_string(),
                    action: "create officer accounts".into(),
                });
            }
        }
        let hash = officer::hash_passphrase(passphrase)?;
        let off = Officer {
            id: id.to_string(),
            name: hoso_schemas::nfc(name.trim()),
            role,
            passphrase_hash: hash,
            created_at: deadline::now().to_rfc3339(),
        };
        let (mut w, tx) = self.write_txn()?;
        {
            let mut t = tx.open_table(OFFICERS)?;
            if t.get(id)?.is_some() {
                return Err(NodeError::Invalid(format!("officer `{id}` already exists")));
            }
            let bytes = serde_json::to_vec(&off).map_err(|e| NodeError::Invalid(e.to_string()))?;
            t.insert(id, bytes.as_slice())?;
        }
        let (_, head) = audit::append(
            &tx,
            &self.inner.key,
            self.inner.realm,
            &w.head,
            NewEntry {
                officer: by.unwrap_or(SYSTEM_OFFICER),
                action: Action::OfficerAdd,
                case_id: CaseId::NONE,
                actor: [0; 16],
                heads_before: vec![],
                changes: vec![],
                payload: &payload(
                    serde_json::json!({"officer": id, "name": off.name, "role": role}),
                ),
                now_ms: now_ms(),
            },
        )?;
        tx.commit()?;
        w.head = head;
        Ok(off.public())
    }

    /// An officer account.
    pub fn officer(&self, id: &str) -> Result<Officer> {
        let rtx = self.inner.db.begin_read()?;
        let t = rtx.open_table(OFFICERS)?;
        let v = t
            .get(id)?
            .ok_or_else(|| NodeError::UnknownOfficer(id.to_string()))?;
        serde_json::from_slice(v.value()).map_err(|e| NodeError::Corrupt {
            what: format!("officer `{id}`"),
            detail: e.to_string(),
        })
    }

    /// All officers (without hashes).
    pub fn officers(&self) -> Result<Vec<Officer>> {
        let rtx = self.inner.db.begin_read()?;
        let t = rtx.open_table(OFFICERS)?;
        let mut out = Vec::new();
        for row in t.iter()? {
            let (_, v) = row?;
            if let Ok(o) = serde_json::from_slice::<Officer>(v.value()) {
                out.push(o.public());
            }
        }
        Ok(out)
    }

    /// Checks an officer's passphrase (console login): throttled and audited on failure,
    /// see [`Node::authenticate`].
    pub fn login(&self, id: &str, passphrase: &str) -> Result<Officer> {
        self.authenticate(id, passphrase)
    }

    /// Appends an audit entry that changes no case (a failed login), with `extra` writes in
    /// the same durable transaction.
    pub(crate) fn append_event(
        &self,
        action: Action,
        detail: serde_json::Value,
        extra: impl FnOnce(&WriteTransaction) -> Result<()>,
    ) -> Result<()> {
        let (mut w, tx) = self.write_txn()?;
        extra(&tx)?;
        let (_, head) = audit::append(
            &tx,
            &self.inner.key,
            self.inner.realm,
            &w.head,
            NewEntry {
                officer: SYSTEM_OFFICER,
                action,
                case_id: CaseId::NONE,
                actor: [0; 16],
                heads_before: vec![],
                changes: vec![],
                payload: &payload(detail),
                now_ms: now_ms(),
            },
        )?;
        tx.commit()?;
        w.head = head;
        Ok(())
    }

    fn writing_officer(&self, id: &str) -> Result<Officer> {
        if id.is_empty() {
            return Err(NodeError::NoOfficer);
        }
        let o = self.officer(id)?;
        if !o.can_write() {
            return Err(NodeError::NotPermitted {
                officer: o.id,
                role: o.role.to_string(),
                action: "change cases".into(),
            });
        }
        Ok(o)
    }

    // ----- registry -----

    /// Imports a population registry file (all or nothing).
    pub fn import_registry(
        &self,
        name: &str,
        reader: impl std::io::BufRead,
        by: Option<&str>,
    ) -> Result<RegistryImportReport> {
        let (records, file_digest) = registry::parse_file(name, reader)?;
        let mut report = RegistryImportReport {
            file_digest,
            ..Default::default()
        };
        let (mut w, tx) = self.write_txn()?;
        registry::store(&tx, &records, &mut report)?;
        let (_, head) = audit::append(
            &tx,
            &self.inner.key,
            self.inner.realm,
            &w.head,
            NewEntry {
                officer: by.unwrap_or(SYSTEM_OFFICER),
                action: Action::RegistryImport,
                case_id: CaseId::NONE,
                actor: [0; 16],
                heads_before: vec![],
                changes: vec![],
                payload: &payload(serde_json::to_value(&report).unwrap_or_default()),
                now_ms: now_ms(),
            },
        )?;
        tx.commit()?;
        w.head = head;
        Ok(report)
    }

    /// One registry record.
    pub fn registry_get(&self, citizen_id: &str) -> Result<registry::Record> {
        let id = CitizenId::parse(citizen_id)?;
        registry::get(&self.inner.db, id.as_str())?
            .ok_or_else(|| NodeError::UnknownCitizen(id.as_str().to_string()))
    }

    /// Registry search by name (accent-insensitive token prefixes).
    pub fn registry_search(&self, query: &str, limit: usize) -> Result<Vec<registry::Record>> {
        registry::search(&self.inner.db, query, limit)
    }

    // ----- cases: reading -----

    fn resolve(&self, reference: &str) -> Result<CaseId> {
        let reference = reference.trim();
        let rtx = self.inner.db.begin_read()?;
        if let Ok(id) = reference.parse::<CaseId>()
            && rtx.open_table(CASES)?.get(&id.0)?.is_some()
        {
            return Ok(id);
        }
        if let Some(v) = rtx.open_table(RECEIPTS)?.get(reference)? {
            return Ok(CaseId(*v.value()));
        }
        Err(NodeError::CaseNotFound(reference.to_string()))
    }

    fn load_doc<
        T: ReadableTable<&'static [u8; 16], &'static [u8]>,
        C: ReadableTable<(&'static [u8; 16], u32), &'static [u8]>,
    >(
        &self,
        docs: &T,
        changes: &C,
        id: &CaseId,
    ) -> Result<(CaseDoc, u32)> {
        let saved = docs
            .get(&id.0)?
            .ok_or_else(|| NodeError::CaseNotFound(id.to_string()))?
            .value()
            .to_vec();
        let mut chunks = Vec::new();
        for row in changes.range((&id.0, 0)..=(&id.0, u32::MAX))? {
            chunks.push(row?.1.value().to_vec());
        }
        let n = u32::try_from(chunks.len()).unwrap_or(u32::MAX);
        Ok((CaseDoc::load(&saved, &chunks, self.inner.actor)?, n))
    }

    pub(crate) fn load_doc_pub<
        T: ReadableTable<&'static [u8; 16], &'static [u8]>,
        C: ReadableTable<(&'static [u8; 16], u32), &'static [u8]>,
    >(
        &self,
        docs: &T,
        changes: &C,
        id: &CaseId,
    ) -> Result<(CaseDoc, u32)> {
        self.load_doc(docs, changes, id)
    }

    /// Loads a case document read-only (for sync and audit).
    pub fn case_doc(&self, id: &CaseId) -> Result<CaseDoc> {
        let rtx = self.inner.db.begin_read()?;
        let docs = rtx.open_table(DOCS)?;
        let changes = rtx.open_table(DOC_CHANGES)?;
        Ok(self.load_doc(&docs, &changes, id)?.0)
    }

    fn finish_view(&self, mut v: CaseView) -> CaseView {
        let today = deadline::now().date_naive();
        v.overdue = deadline::is_overdue(&v.summary(), today);
        if let Some(p) = self.inner.catalog.get(&v.procedure) {
            for (field, e) in v.evidence.iter_mut() {
                if let Some(src) = p.field(field).and_then(|f| f.source.clone()) {
                    e.source = src;
                }
            }
            v.missing_fields = p
                .required_fields()
                .filter(|f| v.fields.get(&f.name).is_none_or(|x| x.is_empty()))
                .map(|f| f.name.clone())
                .collect();
        }
        v
    }

    /// One case, by id or receipt code.
    pub fn case(&self, reference: &str) -> Result<CaseView> {
        let id = self.resolve(reference)?;
        let doc = self.case_doc(&id)?;
        Ok(self.finish_view(doc.view()?))
    }

    /// Cases matching a query, soonest due first.
    pub fn list(&self, q: &CaseQuery) -> Result<Vec<CaseSummary>> {
        let limit = if q.limit == 0 { 50 } else { q.limit };
        let today = deadline::now().date_naive();
        let rtx = self.inner.db.begin_read()?;
        let idx = rtx.open_table(INDEX)?;
        let cases = rtx.open_table(CASES)?;
        let load = |id: &CaseId| -> Result<Option<CaseSummary>> {
            match cases.get(&id.0)? {
                None => Ok(None),
                Some(v) => {
                    let mut s: CaseSummary =
                        serde_json::from_slice(v.value()).map_err(|e| NodeError::Corrupt {
                            what: format!("case summary {id}"),
                            detail: e.to_string(),
                        })?;
                    s.overdue = deadline::is_overdue(&s, today);
                    Ok(Some(s))
                }
            }
        };
        let keep = |s: &CaseSummary| {
            q.status.is_none_or(|st| s.status == st)
                && q.procedure.as_ref().is_none_or(|p| &s.procedure == p)
                && (!q.overdue || s.overdue)
                && (!q.conflicts || s.conflict)
                && q.officer
                    .as_ref()
                    .is_none_or(|o| s.assigned_officer.as_ref() == Some(o))
        };
        let search = q.search.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let mut out = Vec::new();
        let mut skip = q.offset;
        if let Some(text) = search {
            // Exact receipt code or citizen id first, then names (soonest due first).
            let ids: Vec<CaseId> = if let Some(v) = rtx.open_table(RECEIPTS)?.get(text)? {
                vec![CaseId(*v.value())]
            } else if text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) {
                let mut p = vec![b'C'];
                p.extend_from_slice(text.as_bytes());
                p.push(0);
                index::scan_prefix(&idx, &p, usize::MAX)?
            } else {
                index::search_names(&idx, text)?
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(id, _)| id)
                    .collect()
            };
            // Rank exact-diacritic matches first when the set is small enough to read whole;
            // otherwise read summaries only until the page is full.
            if ids.len() <= EXACT_RANK_MAX {
                for id in &ids {
                    if let Some(s) = load(id)?
                        && keep(&s)
                    {
                        out.push(s);
                    }
                }
                let needle = hoso_schemas::nfc(text).to_lowercase();
                let mut ranked: Vec<(bool, CaseSummary)> = out
                    .into_iter()
                    .map(|s| (!s.applicant_name.to_lowercase().contains(&needle), s))
                    .collect();
                ranked.sort_by(|a, b| {
                    (a.0, &a.1.due_date, &a.1.receipt_code).cmp(&(
                        b.0,
                        &b.1.due_date,
                        &b.1.receipt_code,
                    ))
                });
                out = ranked
                    .into_iter()
                    .map(|(_, s)| s)
                    .skip(q.offset)
                    .take(limit)
                    .collect();
            } else {
                for id in &ids {
                    if out.len() >= limit {
                        break;
                    }
                    if let Some(s) = load(id)?
                        && keep(&s)
                    {
                        if skip > 0 {
                            skip -= 1;
                        } else {
                            out.push(s);
                        }
                    }
                }
            }
            return Ok(out);
        }
        let prefix: Vec<u8> = if q.conflicts {
            vec![b'X']
        } else if let Some(st) = q.status {
            vec![b'S', st.code()]
        } else if let Some(p) = &q.procedure {
            let mut k = vec![b'P'];
            k.extend_from_slice(p.as_bytes());
            k.push(0);
            k
        } else {
            vec![b'D']
        };
        for row in idx.range(prefix.as_slice()..)? {
            let (k, _) = row?;
            let k = k.value();
            if !k.starts_with(&prefix) || out.len() >= limit {
                break;
            }
            let Some(tail) = k.get(k.len().saturating_sub(16)..) else {
                continue;
            };
            let mut id = [0u8; 16];
            id.copy_from_slice(tail);
            if let Some(s) = load(&CaseId(id))?
                && keep(&s)
            {
                if skip > 0 {
                    skip -= 1;
                } else {
                    out.push(s);
                }
            }
        }
        Ok(out)
    }

    /// Number of cases per status word.
    pub fn counts_by_status(&self) -> Result<BTreeMap<Status, u64>> {
        let rtx = self.inner.db.begin_read()?;
        let idx = rtx.open_table(INDEX)?;
        let mut out = BTreeMap::new();
        for st in Status::ALL {
            let prefix = [b'S', st.code()];
            let mut n = 0u64;
            for row in idx.range(prefix.as_slice()..)? {
                let (k, _) = row?;
                if !k.value().starts_with(&prefix) {
                    break;
                }
                n += 1;
            }
            out.insert(st, n);
        }
        Ok(out)
    }

    /// Node status for `hoso status`.
    pub fn status(&self) -> Result<NodeStatus> {
        use redb::ReadableTableMetadata;
        let by_status = self.counts_by_status()?;
        let rtx = self.inner.db.begin_read()?;
        let idx = rtx.open_table(INDEX)?;
        let conflicts = index::scan_prefix(&idx, b"X", usize::MAX)?.len() as u64;
        let head = self.chain_head();
        let feed_seq = rtx
            .open_table(FEED)?
            .last()?
            .map(|(k, _)| k.value())
            .unwrap_or(0);
        Ok(NodeStatus {
            node_id: self.id(),
            name: self.inner.config.name.clone(),
            role: self.inner.config.role,
            province: self.inner.config.province.clone(),
            commune: self.inner.config.commune.clone(),
            cases: rtx.open_table(CASES)?.len()?,
            by_status: by_status
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            conflicts,
            registry_citizens: rtx.open_table(REGISTRY)?.len()?,
            officers: rtx.open_table(OFFICERS)?.len()?,
            store_bytes: std::fs::metadata(self.inner.dir.join(paths::STORE))
                .map(|m| m.len())
                .unwrap_or(0),
            chain_length: head.next_seq,
            chain_head: head.prev,
            feed_seq,
        })
    }

    // ----- cases: writing -----

    /// Validates the given fields and fills the registry ones: the form as the officer sees it
    /// before receiving the case.
    pub fn prefill(
        &self,
        officer_id: &str,
        new: &NewCase,
    ) -> Result<(Prefill, &Procedure, registry::Record)> {
        let procedure = self.inner.catalog.procedure(&new.procedure)?;
        let cid = CitizenId::parse(&new.citizen_id)?;
        let subject = registry::get(&self.inner.db, cid.as_str())?
            .ok_or_else(|| NodeError::UnknownCitizen(cid.as_str().to_string()))?;
        let at = deadline::now().to_rfc3339();
        let mut fields = BTreeMap::new();
        let mut evidence = BTreeMap::new();
        for f in &procedure.fields {
            let Some(src) = f.source.as_deref() else {
                continue;
            };
            let Some(path) = src.strip_prefix("population:") else {
                continue;
            };
            let Ok(source) = hoso_schemas::parse_source(src) else {
                tracing::warn!(field = %f.name, source = %path, "unknown registry source");
                continue;
            };
            if let Some(found) = registry::resolve(&self.inner.db, &subject, &source)? {
                match f.validate(&found.value) {
                    Ok(v) => {
                        fields.insert(f.name.clone(), v);
                        evidence.insert(
                            f.name.clone(),
                            Evidence {
                                source: src.to_string(),
                                record_ref: found.record_ref,
                                digest: found.digest,
                                verified_by: officer_id.to_string(),
                                at: at.clone(),
                            },
                        );
                    }
                    Err(e) => {
                        tracing::warn!(field = %f.name, error = %e, "registry value does not fit the catalog")
                    }
                }
            }
        }
        for (name, raw) in &new.fields {
            let def = field_def(procedure, name)?;
            if evidence.contains_key(name) {
                return Err(NodeError::RegistryField {
                    field: name.clone(),
                });
            }
            fields.insert(name.clone(), def.validate(raw)?);
        }
        let missing_fields = procedure
            .required_fields()
            .filter(|f| !fields.contains_key(&f.name))
            .map(|f| f.name.clone())
            .collect();
        Ok((
            Prefill {
                procedure: procedure.code.clone(),
                citizen_id: cid.as_str().to_string(),
                applicant_name: subject.citizen.full_name.clone(),
                fields,
                evidence,
                missing_fields,
                commune: subject.citizen.commune_code.clone(),
            },
            procedure,
            subject,
        ))
    }

    /// Receives a case: validates, fills from the registry, assigns the receipt code and due
    /// date, and stores it durably with its audit entry.
    pub fn create_case(&self, officer_id: &str, new: NewCase) -> Result<CaseView> {
        let off = self.writing_officer(officer_id)?;
        let (pre, procedure, _) = self.prefill(&off.id, &new)?;
        if !pre.missing_fields.is_empty() {
            return Err(NodeError::MissingFields {
                procedure: procedure.code.clone(),
                fields: pre.missing_fields,
            });
        }
        let received = new.received_at.unwrap_or_else(deadline::now);
        let (mut w, tx) = self.write_txn()?;
        let view = self.insert_case(
            &tx,
            &off.id,
            procedure,
            pre,
            received,
            Action::CaseCreate,
            &mut w.head,
            None,
        )?;
        tx.commit()?;
        drop(w);
        let _ = self.inner.changed.send(view.id);
        Ok(self.finish_view(view))
    }

    /// Writes a new case inside `tx`, advancing `head`. `history` replaces the single
    /// "received" history entry (bulk import of a case with its past).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn insert_case(
        &self,
        tx: &WriteTransaction,
        officer_id: &str,
        procedure: &Procedure,
        pre: Prefill,
        received: DateTime<FixedOffset>,
        action: Action,
        head: &mut ChainHead,
        imported: Option<ImportedPast<'_>>,
    ) -> Result<CaseView> {
        let cfg = &self.inner.config;
        let id = CaseId::random();
        let receipt_code = match imported
            .as_ref()
            .map(|i| i.receipt_code)
            .filter(|c| !c.is_empty())
        {
            Some(code) => {
                if tx.open_table(RECEIPTS)?.get(code)?.is_some() {
                    return Err(NodeError::Invalid(format!(
                        "receipt code {code} already exists"
                    )));
                }
                code.to_string()
            }
            None => next_receipt_code(tx, &cfg.unit_code, received)?,
        };
        let due = procedure.deadline.due_date(&self.inner.calendar, received);
        let status = imported
            .as_ref()
            .map(|i| i.status)
            .unwrap_or(procedure.workflow.initial);
        let commune = cfg.commune.clone().unwrap_or(pre.commune.clone());
        let init = CaseInit {
            id,
            receipt_code,
            procedure: procedure.code.clone(),
            tracks: procedure.tracks.clone(),
            citizen_id: pre.citizen_id.clone(),
            applicant_name: pre.applicant_name.clone(),
            province: cfg.province.clone(),
            commune,
            received_at: received.to_rfc3339(),
            due_date: due.to_string(),
            status,
            assigned_officer: imported
                .as_ref()
                .and_then(|i| i.assigned_officer)
                .unwrap_or(officer_id)
                .to_string(),
            fields: pre.fields.clone(),
            evidence: pre.evidence.clone(),
            history: match imported {
                None => vec![HistoryEntry {
                    at: received.to_rfc3339(),
                    officer: officer_id.to_string(),
                    node: self.id().short(),
                    from: None,
                    to: status,
                    track: None,
                    note: None,
                }],
                Some(past) => past.history.to_vec(),
            },
            notes: imported.map(|p| p.notes.to_vec()).unwrap_or_default(),
        };
        let mut doc = CaseDoc::new(self.inner.actor);
        doc.init(&init)?;
        let now = now_ms();
        let change = doc
            .commit(action.as_str(), now)
            .ok_or_else(|| NodeError::Document("empty creation change".into()))?;
        let bytes = doc.save();
        tx.open_table(DOCS)?.insert(&id.0, bytes.as_slice())?;
        tx.open_table(RECEIPTS)?
            .insert(init.receipt_code.as_str(), &id.0)?;
        let view = doc.view()?;
        self.store_summary(tx, &view, None)?;
        let p = payload(serde_json::json!({
            "procedure": procedure.code,
            "receipt_code": view.receipt_code,
            "citizen_id": view.citizen_id,
            "fields": pre.fields.keys().collect::<Vec<_>>(),
            "registry_records": pre.evidence.values().map(|e| (e.record_ref.clone(), e.digest.clone())).collect::<BTreeMap<_, _>>(),
            "status": status,
        }));
        let (_, new_head) = audit::append(
            tx,
            &self.inner.key,
            self.inner.realm,
            head,
            NewEntry {
                officer: officer_id,
                action,
                case_id: id,
                actor: self.inner.actor,
                heads_before: vec![],
                changes: vec![change.0],
                payload: &p,
                now_ms: now,
            },
        )?;
        *head = new_head;
        Ok(view)
    }

    /// Writes the summary row, indexes and change feed of a case whose document changed.
    pub(crate) fn store_summary(
        &self,
        tx: &WriteTransaction,
        view: &CaseView,
        _old: Option<()>,
    ) -> Result<()> {
        let new = view.summary();
        let bytes = serde_json::to_vec(&new).map_err(|e| NodeError::Invalid(e.to_string()))?;
        let old = {
            let mut cases = tx.open_table(CASES)?;
            let old = cases
                .insert(&view.id.0, bytes.as_slice())?
                .map(|g| g.value().to_vec());
            old.and_then(|b| serde_json::from_slice::<CaseSummary>(&b).ok())
        };
        {
            let mut idx = tx.open_table(INDEX)?;
            index::update(&mut idx, old.as_ref(), Some(&new))?;
        }
        if !new.conflict {
            // A resolved (or never conflicting) case leaves the review queue.
            tx.open_table(REVIEW)?.remove(&view.id.0)?;
        }
        bump_feed(tx, &view.id)?;
        Ok(())
    }

    /// Applies an edit to a stored case as one durable, audited action.
    fn edit_case<F>(
        &self,
        officer_id: &str,
        reference: &str,
        action: Action,
        f: F,
    ) -> Result<CaseView>
    where
        F: FnOnce(&mut CaseDoc, &CaseView, &Officer, &Procedure) -> Result<serde_json::Value>,
    {
        let off = self.writing_officer(officer_id)?;
        let id = self.resolve(reference)?;
        let (mut w, tx) = self.write_txn()?;
        let (mut doc, chunks) = {
            let docs = tx.open_table(DOCS)?;
            let changes = tx.open_table(DOC_CHANGES)?;
            self.load_doc(&docs, &changes, &id)?
        };
        let before = doc.view()?;
        let procedure = self.inner.catalog.procedure(&before.procedure)?;
        let heads_before = hashes(&doc.heads());
        let p = f(&mut doc, &before, &off, procedure)?;
        let now = now_ms();
        let change = doc
            .commit(action.as_str(), now)
            .ok_or_else(|| NodeError::Invalid("nothing to change".into()))?;
        self.persist_doc(&tx, &id, &mut doc, chunks)?;
        let view = doc.view()?;
        self.store_summary(&tx, &view, None)?;
        let (_, head) = audit::append(
            &tx,
            &self.inner.key,
            self.inner.realm,
            &w.head,
            NewEntry {
                officer: &off.id,
                action,
                case_id: id,
                actor: self.inner.actor,
                heads_before,
                changes: vec![change.0],
                payload: &payload(p),
                now_ms: now,
            },
        )?;
        tx.commit()?;
        w.head = head;
        drop(w);
        let _ = self.inner.changed.send(id);
        Ok(self.finish_view(view))
    }

    /// Stores a document's new changes: appended as a chunk, or compacted past the threshold.
    pub(crate) fn persist_doc(
        &self,
        tx: &WriteTransaction,
        id: &CaseId,
        doc: &mut CaseDoc,
        chunks: u32,
    ) -> Result<()> {
        let mut changes = tx.open_table(DOC_CHANGES)?;
        if chunks + 1 >= COMPACT_AFTER {
            let bytes = doc.save();
            tx.open_table(DOCS)?.insert(&id.0, bytes.as_slice())?;
            for n in 0..chunks {
                changes.remove((&id.0, n))?;
            }
        } else {
            let inc = doc.save_incremental();
            if !inc.is_empty() {
                changes.insert((&id.0, chunks), inc.as_slice())?;
            }
        }
        Ok(())
    }

    /// Edits fields (validated against the catalog).
    pub fn set_fields(
        &self,
        officer_id: &str,
        reference: &str,
        fields: &[(String, String)],
    ) -> Result<CaseView> {
        if fields.is_empty() {
            return Err(NodeError::Invalid(
                "nothing to set: pass NAME=VALUE pairs".into(),
            ));
        }
        self.edit_case(
            officer_id,
            reference,
            Action::FieldSet,
            |doc, before, _off, procedure| {
                if before.status.ends_processing() {
                    return Err(NodeError::Invalid(format!(
                        "case {} is {}: its fields can no longer change",
                        before.receipt_code, before.status
                    )));
                }
                let mut changed = BTreeMap::new();
                for (name, raw) in fields {
                    let def = field_def(procedure, name)?;
                    if before.evidence.contains_key(name) {
                        return Err(NodeError::RegistryField {
                            field: name.clone(),
                        });
                    }
                    let v = def.validate(raw)?;
                    doc.set_field(name, &v)?;
                    changed.insert(
                        name.clone(),
                        serde_json::json!({"from": before.fields.get(name), "to": v}),
                    );
                }
                Ok(serde_json::json!({"fields": changed}))
            },
        )
    }

    /// Moves a case (or one track of a bundle) through its workflow.
    pub fn transition(
        &self,
        officer_id: &str,
        reference: &str,
        to: Status,
        track: Option<&str>,
        note: Option<&str>,
    ) -> Result<CaseView> {
        let calendar = self.inner.calendar.clone();
        let catalog = self.inner.catalog.clone();
        let node_short = self.id().short();
        self.edit_case(officer_id, reference, Action::Transition, |doc, before, off, procedure| {
            let (proc_for, current, conflicting) = match track {
                None => (procedure, before.status, before.conflicting_status.clone()),
                Some(t) => {
                    let tv = before.tracks.get(t).ok_or_else(|| {
                        NodeError::Invalid(format!(
                            "case {} has no track `{t}`; its tracks are: {}",
                            before.receipt_code,
                            if before.tracks.is_empty() { "none (not a bundle)".to_string() } else { before.tracks.keys().cloned().collect::<Vec<_>>().join(", ") }
                        ))
                    })?;
                    (catalog.procedure(t)?, tv.status, tv.conflicting.clone())
                }
            };
            // A conflicted status may be resolved from any of its concurrent values.
            let mut result = proc_for.check_transition(current, to, off.role);
            if result.is_err() {
                for alt in &conflicting {
                    if proc_for.check_transition(*alt, to, off.role).is_ok() {
                        result = Ok(());
                        break;
                    }
                }
            }
            result?;
            let now = deadline::now();
            if track.is_none() && current == Status::SupplementRequested && to != Status::SupplementRequested {
                let paused_on = before
                    .history
                    .iter()
                    .rev()
                    .find(|h| h.to == Status::SupplementRequested && h.track.is_none())
                    .and_then(|h| deadline::parse_date(&h.at));
                if let (Some(p), Some(due)) = (paused_on, deadline::parse_date(&before.due_date)) {
                    let new_due = deadline::extend_for_pause(&calendar, due, p, now.date_naive());
                    doc.set_due_date(&new_due.to_string())?;
                }
            }
            doc.set_status(to, track)?;
            let note = note.map(|n| hoso_schemas::nfc(n.trim())).filter(|n| !n.is_empty());
            doc.push_history(&HistoryEntry {
                at: now.to_rfc3339(),
                officer: off.id.clone(),
                node: node_short.clone(),
                from: Some(current),
                to,
                track: track.map(str::to_string),
                note: note.clone(),
            })?;
            Ok(serde_json::json!({"from": current, "to": to, "track": track, "note": note, "resolved_conflict": !conflicting.is_empty()}))
        })
    }

    /// Appends a note.
    pub fn add_note(&self, officer_id: &str, reference: &str, text: &str) -> Result<CaseView> {
        let text = hoso_schemas::nfc(text.trim());
        if text.is_empty() {
            return Err(NodeError::Invalid("the note is empty".into()));
        }
        if text.chars().count() > 2000 {
            return Err(NodeError::Invalid(
                "the note is over 2000 characters".into(),
            ));
        }
        let node_short = self.id().short();
        self.edit_case(
            officer_id,
            reference,
            Action::Note,
            |doc, _before, off, _p| {
                doc.push_note(&Note {
                    at: deadline::now().to_rfc3339(),
                    officer: off.id.clone(),
                    node: node_short.clone(),
                    text: text.clone(),
                })?;
                Ok(serde_json::json!({"note_chars": text.chars().count()}))
            },
        )
    }

    /// Runs `f` with the writer lock and a write transaction: the bulk-import path.
    pub(crate) fn with_write<T>(
        &self,
        f: impl FnOnce(&WriteTransaction, &mut ChainHead) -> Result<T>,
    ) -> Result<T> {
        let (mut w, tx) = self.write_txn()?;
        let mut head = w.head.clone();
        let out = f(&tx, &mut head)?;
        tx.commit()?;
        w.head = head;
        Ok(out)
    }

    /// Recomputes every summary and index entry from the documents and compares them with what
    /// is stored. Returns the case ids whose stored rows differ (empty when consistent).
    pub fn check_indexes(&self) -> Result<Vec<CaseId>> {
        let rtx = self.inner.db.begin_read()?;
        let docs = rtx.open_table(DOCS)?;
        let changes = rtx.open_table(DOC_CHANGES)?;
        let cases = rtx.open_table(CASES)?;
        let idx = rtx.open_table(INDEX)?;
        let mut expected = std::collections::BTreeSet::new();
        let mut bad = Vec::new();
        for row in docs.iter()? {
            let (k, _) = row?;
            let id = CaseId(*k.value());
            let (doc, _) = self.load_doc(&docs, &changes, &id)?;
            let s = doc.view()?.summary();
            let stored: Option<CaseSummary> = cases
                .get(&id.0)?
                .and_then(|v| serde_json::from_slice(v.value()).ok());
            if stored.as_ref() != Some(&s) {
                bad.push(id);
            }
            expected.extend(index::keys(&s));
        }
        let mut actual = std::collections::BTreeSet::new();
        for row in idx.iter()? {
            actual.insert(row?.0.value().to_vec());
        }
        for k in expected.symmetric_difference(&actual) {
            if let Some(tail) = k.get(k.len().saturating_sub(16)..) {
                let mut id = [0u8; 16];
                id.copy_from_slice(tail);
                if !bad.contains(&CaseId(id)) {
                    bad.push(CaseId(id));
                }
            }
        }
        Ok(bad)
    }
}

fn field_def<'p>(procedure: &'p Procedure, name: &str) -> Result<&'p FieldDef> {
    procedure
        .field(name)
        .ok_or_else(|| NodeError::UnknownField {
            procedure: procedure.code.clone(),
            field: name.to_string(),
        })
}

/// The next receipt code of the day: `<unit>-YYMMDD-NNNN` (wider past 9,999 a day).
fn next_receipt_code(
    tx: &WriteTransaction,
    unit: &str,
    received: DateTime<FixedOffset>,
) -> Result<String> {
    let day = received
        .with_timezone(&deadline::vn_offset())
        .format("%y%m%d")
        .to_string();
    let key = format!("{}{day}", store::META_RECEIPT_SEQ);
    let mut meta = tx.open_table(META)?;
    let n = meta
        .get(key.as_str())?
        .and_then(|v| <[u8; 4]>::try_from(v.value()).ok())
        .map(u32::from_be_bytes)
        .unwrap_or(0)
        + 1;
    meta.insert(key.as_str(), n.to_be_bytes().as_slice())?;
    Ok(format!("{unit}-{day}-{n:04}"))
}

/// Moves a case to the head of the change feed.
pub(crate) fn bump_feed(tx: &WriteTransaction, id: &CaseId) -> Result<u64> {
    let mut feed = tx.open_table(FEED)?;
    let mut by_doc = tx.open_table(FEED_BY_DOC)?;
    let next = feed.last()?.map(|(k, _)| k.value() + 1).unwrap_or(1);
    if let Some(old) = by_doc.insert(&id.0, next)?.map(|g| g.value()) {
        feed.remove(old)?;
    }
    feed.insert(next, &id.0)?;
    Ok(next)
}
