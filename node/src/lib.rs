//! # hoso-node
//!
//! A hoso node: every case file (hồ sơ) is an Automerge document stored in redb, with secondary
//! indexes, a change feed for sync, a read-only population registry, officer accounts, and a
//! signed, hash-chained audit log written in the same transaction as every change.
//!
//! ```no_run
//! use hoso_node::{Author, Node, InitOptions, NodeRole, NewCase};
//! # fn main() -> Result<(), hoso_node::NodeError> {
//! let dir = std::path::Path::new("/tmp/hoso-example");
//! let node = Node::init(dir, InitOptions {
//!     name: "Bình Gia".into(),
//!     role: NodeRole::Commune,
//!     province: "20".into(),
//!     commune: Some("06112".into()),
//!     unit_code: None,
//!     listen: "127.0.0.1:7420".into(),
//!     realm: None,
//! })?;
//! // The node creates its first account; from then on officers act, authenticated.
//! node.add_officer(&Author::Node, "lanhdao01", "Lương Văn Đạt", hoso_schemas::Role::Supervisor, "mat-khau-1")?;
//! let lead = node.authenticate("lanhdao01", "mat-khau-1")?;
//! let file = std::fs::File::open("fixtures/sample/registry.jsonl").map_err(|e| hoso_node::NodeError::io(dir, e))?;
//! node.import_registry("registry.jsonl", std::io::BufReader::new(file), &Author::Officer(lead.clone()))?;
//! let case = node.create_case(&lead, NewCase {
//!     procedure: "judicial_record".into(),
//!     citizen_id: "020190012345".into(),
//!     ..Default::default()
//! })?;
//! println!("{} due {}", case.receipt_code, case.due_date);
//! # Ok(()) }
//! ```
//!
//! Modules: [`node`] (the handle and its operations), [`write`](mod@write) (the one guarded write path:
//! [`WriteCtx`], [`Author`]), [`limits`] (every byte bound), [`text`] (text safety), [`case`]
//! (the document layout and views), `store` (redb tables, private), `index` (private), [`feed`] (the change
//! feed sync reads), [`registry`], [`audit`] (appending, verifying and exchanging the audit
//! chain) over [`chain`] (its primitives: entries, Merkle range, checkpoints), [`deadline`],
//! [`bulk`] (import/export), [`import_receipt`] (each imported file
//! remembered by its hash), [`ingest`] (received documents: scope, validity, the trust check, the quarantine),
//! [`replica`] (what sync stores and reads: peers' chains, sync checkpoints) with `peer_heads`
//! (the heads a peer holds, which `ingest` records and `replica` reads), [`conflicts`]
//! (conflict records and the review queue), [`peers`], [`peer_admin`] (peers added and
//! removed by a supervisor, audited), [`province`] (the hub's view by commune, last
//! contacts), [`commune_counts`] (per-commune counters kept in the write path, read by the
//! province view), [`sync_status`] (what the console shows
//! of sync), [`identity`], [`officer`], [`session`] (authentication and CLI sessions),
//! [`config`], [`role`] (commune or hub), [`ids`], [`error`], [`progress`] (what long operations report as they go),
//! and running a node over years: [`backup`] (a consistent copy of a running node),
//! [`restore`] (a restored node's new chain incarnation), [`rebuild`] (a new node taking a
//! lost one's place), [`roster_carry`] (the officer accounts a rebuild carries over),
//! [`doctor`] (what `hoso doctor` reads), [`catalog_bundle`] (the province's catalog as a
//! signed, versioned bundle the hub publishes and communes apply); [`doc_store`] says how a case
//! document and its change log are stored and folded; [`doc_cache`] keeps loaded
//! case documents of a long-running node, checked against the store on each use;
//! [`name_search`] finds a page of name matches as a join of sorted index ranges; `chunk_heads`
//! keeps the heads around each stored change chunk, so sync sends a peer the chunks it lacks
//! without loading the document.
//!
//! Private storage: the redb tables (`store`), the index keys (`index`, one typed builder per
//! key prefix), the summary row codec (`summaries`) and raw DEFLATE with a preset dictionary
//! (`preset_deflate`, for stored documents and audit payloads) are private, and `index_build` adds
//! the index keys that came after the first stores when a node opens; other crates read through
//! node methods: [`CaseIndex`] (`case_index`, the console's work-queue reads), `storage`
//! ([`Node::audit_chain`], [`Node::audit_for_case`], [`Node::audit_source`],
//! [`Node::audit_held`], [`Node::store_sizes`]), [`ScratchChain`] (`scratch_chain`, a bare
//! audit chain for benchmarks), and, with the `tamper` feature only the test kit enables,
//! `tamper` (writes behind the write path for tests).
//!
//! Inside [`node`]: `node::handle` (the `Node` struct, its accessors and the writer lock: what
//! modules below the operations name), `node::open` (creating and opening), `node::paths` (file
//! names in a data dir), `node::new_case` (what receiving a case takes), `node::fields` (the raw
//! value checks several operations share), `node::feed_bump` (the change feed's write),
//! `node::passphrase` (one-time passphrases), and one child per group of operations.

#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod audit;
pub mod backup;
pub mod bulk;
pub mod case;
mod case_index;
pub mod catalog_bundle;
pub mod chain;
mod chunk_heads;
pub mod commune_counts;
pub mod config;
pub mod conflicts;
pub mod deadline;
pub mod doc_cache;
pub mod doc_store;
pub mod doctor;
pub mod error;
pub mod feed;
pub mod identity;
pub mod ids;
pub mod import_receipt;
mod index;
mod index_build;
pub mod ingest;
pub mod limits;
pub mod name_search;
pub mod node;
pub mod officer;
pub mod peer_admin;
mod peer_heads;
pub mod peers;
mod preset_deflate;
pub mod progress;
pub mod province;
pub mod rebuild;
pub mod registry;
pub mod replica;
pub mod restore;
pub mod role;
pub mod roster_carry;
mod scratch_chain;
pub mod session;
mod storage;
mod store;
mod summaries;
pub mod sync_status;
#[cfg(feature = "tamper")]
pub mod tamper;
pub mod text;
pub mod write;

pub use case::{CaseSummary, CaseView, Evidence, HistoryEntry, Note};
pub use case_index::{CaseIndex, IndexVersion};
pub use config::{NodeConfig, NodeRole};
pub use error::{NodeError, Result};
pub use identity::NodeKey;
pub use ids::{CaseId, NodeId};
pub use index::{DueDate, StatusKey, date_bytes, receipt_tail};
pub use index_build::LateKeysBuilt;
pub use node::{
    BACKGROUND_AT, CaseQuery, CaseStorage, InitOptions, MAX_CHUNKS, NewCase, Node, NodeStatus,
    Prefill, REPACK_SLACK_FROM, REPACK_STEP_BYTES, Repacked, SMALL_DOC_BYTES,
};
pub use officer::Officer;
pub use peers::{Peer, Peers};
pub use scratch_chain::ScratchChain;
pub use session::{Session, SessionRecord};
pub use storage::{AuditHeld, StoreSizes};
pub use store::check::CheckReport;
pub use store::error::{RECOVER, StoreError};
pub use store::genesis::FirstOfficer;
pub use store::repack::Compacted;
pub use store::usage::{StorageBreakdown, TableUsage};
pub use sync_status::{PeerStatus, SyncCommand, SyncStatus};
pub use write::{AuthMethod, AuthenticatedOfficer, Author, Permission, WriteCtx};
