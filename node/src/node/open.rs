//! Creating a node in a data dir and opening one: the key, the settings, the store and its
//! genesis entries, the local rules.

use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};

use hoso_schemas::{Catalog, HolidayCalendar};

use crate::audit::head::ChainHead;
use crate::config::{NodeConfig, NodeRole};
use crate::error::{ConfigError, NodeError, Result};
use crate::identity::NodeKey;
use crate::ids::actor_for;
use crate::store::{self, error::StoreError};
use crate::sync_status::SyncStatus;

use super::handle::{Inner, Node, Writer};
use super::paths;
use super::rules::{self, Rules};

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
                scopes: crate::replica::scope_cache::ScopeCache::default(),
                folder: crate::doc_store::Folder::default(),
            }),
        };
        // The newest catalog version held (a hub's bundle) is in force over the local one.
        node.refresh_rules()?;
        // Derived counters missing or built under another store format: rebuilt once here.
        if let Err(e) = crate::province::ensure_counts(&node) {
            tracing::warn!(error = %e, "the per-commune counters could not be rebuilt");
        }
        // Index keys that came after the store was written (receipt digits, a commune's open
        // cases): added once here.
        if let Err(e) = crate::index_build::ensure(&node) {
            tracing::warn!(error = %e, "the receipt-digits and commune index keys could not be built");
        }
        Ok(node)
    }
}
