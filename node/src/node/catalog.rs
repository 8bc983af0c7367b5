//! Publishing, applying and reading catalog versions (issue 12, item 5; the bundle format is
//! [`crate::catalog_bundle`], the rules one version gives are [`Rules`]).
//!
//! - At the hub, a supervisor publishes ([`Node::publish_catalog`], `hoso catalog publish`):
//!   the next version, signed with the hub's key, validated, stored and audited
//!   (`catalog_publish`) in one write.
//! - A commune applies what its hub sent by sync ([`Node::apply_catalog`]): only from a peer
//!   in its peers file as the hub of its province, only a bundle that hub signed, only a newer
//!   version; stored and audited (`catalog_apply`) in one write, then put in force.
//! - Every version stays stored, so a case is checked against the version it was received
//!   under ([`Node::case_rules`]) unless a supervisor moves it ([`Node::recatalog_case`],
//!   `case_recatalog`).

use redb::{ReadableDatabase, ReadableTable};
use serde::Serialize;

use crate::case::CaseView;
use crate::catalog_bundle::{BundleFile, CatalogBundle, CatalogBundleError, SignedBundle};
use crate::chain::entry::Action;
use crate::config::NodeRole;
use crate::error::{NodeError, Refusal, Result};
use crate::ids::CaseId;
use crate::peers::Peer;
use crate::store::tables::META;
use crate::write::{AuthenticatedOfficer, Author, Permission};

use super::handle::{Node, now_ms};
use super::rules::{self, Rules};

/// Meta key prefix of a stored bundle: `catalog-bundle:<version, 20 digits>` → its bytes.
pub const META_CATALOG: &str = "catalog-bundle:";
const META_CATALOG_END: &str = "catalog-bundle;";

fn key(version: u64) -> String {
    format!("{META_CATALOG}{version:020}")
}

/// One stored catalog version, as `hoso catalog show` lists it.
#[derive(Clone, Debug, Serialize)]
pub struct CatalogVersion {
    /// The version.
    pub version: u64,
    /// Content hash, hex.
    pub hash: String,
    /// When the hub published it (RFC 3339).
    pub published_at: String,
    /// The hub that signed it.
    pub publisher: String,
    /// Procedures in it.
    pub procedures: usize,
    /// Files in it.
    pub files: usize,
}

impl Node {
    /// The rules in force (the newest catalog version held).
    pub fn rules(&self) -> &'static Rules {
        *self
            .inner
            .rules
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The catalog version in force (0: the node's local catalog).
    pub fn catalog_version(&self) -> u64 {
        self.rules().version
    }

    fn set_rules(&self, r: &'static Rules) {
        *self
            .inner
            .rules
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = r;
    }

    /// The newest stored bundle's version (0 when none is stored).
    pub fn newest_catalog_version(&self) -> Result<u64> {
        let rtx = self.db().begin_read()?;
        let meta = rtx.open_table(META)?;
        let last = meta.range(META_CATALOG..META_CATALOG_END)?.next_back();
        match last {
            None => Ok(0),
            Some(row) => {
                let (k, _) = row?;
                Ok(parse_key(k.value()).unwrap_or(0))
            }
        }
    }

    /// The stored bundle of `version`, as it was signed.
    pub fn catalog_bundle(&self, version: u64) -> Result<Option<Vec<u8>>> {
        crate::store::meta_get(self.db(), &key(version))
    }

    /// The rules of `version`, built once per process.
    pub fn rules_for(&self, version: u64) -> Result<&'static Rules> {
        let current = self.rules();
        if current.version == version {
            return Ok(current);
        }
        if version == 0 {
            return Ok(self.local_rules());
        }
        let bytes = self
            .catalog_bundle(version)?
            .ok_or(CatalogBundleError::UnknownVersion { version })?;
        let hash = bytes_hash(&bytes);
        if let Some(r) = hash.and_then(|h| rules::find(version, &h)) {
            return Ok(r);
        }
        let b = SignedBundle::decode(&bytes)?;
        Ok(rules::intern(Rules::from_bundle(&b.bundle, b.hash)?))
    }

    /// The rules a case is checked against: the catalog version it was received under (or was
    /// moved to). A version not held here (a case from a node further ahead) falls back to the
    /// version in force, with a warning.
    pub fn case_rules(&self, v: &CaseView) -> &'static Rules {
        let version = v.catalog_version.unwrap_or(0);
        match self.rules_for(version) {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(case = %v.receipt_code, version, error = %e, "the case's catalog version is not held here; the version in force is used");
                self.rules()
            }
        }
    }

    /// Puts the newest stored version in force if another process stored one since (a
    /// `hoso sync` or `catalog publish` next to a running `serve`). Returns the rules in force.
    pub fn refresh_rules(&self) -> Result<&'static Rules> {
        let newest = self.newest_catalog_version()?;
        let current = self.rules();
        if newest <= current.version {
            return Ok(current);
        }
        let r = self.rules_for(newest)?;
        self.set_rules(r);
        Ok(r)
    }

    /// Every stored catalog version, oldest first.
    pub fn catalog_versions(&self) -> Result<Vec<CatalogVersion>> {
        let rtx = self.db().begin_read()?;
        let meta = rtx.open_table(META)?;
        let mut out = Vec::new();
        for row in meta.range(META_CATALOG..META_CATALOG_END)? {
            let (_, v) = row?;
            let b = SignedBundle::decode(v.value())?;
            let procedures = Rules::from_bundle(&b.bundle, b.hash)
                .map(|r| r.catalog.len())
                .unwrap_or(0);
            out.push(CatalogVersion {
                version: b.bundle.version,
                hash: b.hash_hex(),
                published_at: chrono::DateTime::from_timestamp_millis(b.bundle.created_ms)
                    .map(|t| t.with_timezone(&crate::deadline::vn_offset()).to_rfc3339())
                    .unwrap_or_default(),
                publisher: b.bundle.publisher.to_string(),
                procedures,
                files: b.bundle.files.len(),
            });
        }
        Ok(out)
    }

    /// Hub side: publishes `files` as the next catalog version, signed with this node's key,
    /// after checking that they load (catalog and calendar); stored and audited in one write,
    /// then put in force. Supervisors only.
    pub fn publish_catalog(
        &self,
        by: &AuthenticatedOfficer,
        files: Vec<BundleFile>,
    ) -> Result<SignedBundle> {
        if self.config().role != NodeRole::Hub {
            return Err(CatalogBundleError::NotHub.into());
        }
        let mut ctx = self.begin_write(&Author::from(by), Permission::AdminCatalog)?;
        let held = self.newest_catalog_version()?;
        let now = now_ms();
        let signed = CatalogBundle {
            version: held + 1,
            created_ms: now,
            realm: self.realm(),
            publisher: self.id(),
            files,
        }
        .sign(self.key())?;
        let r = Rules::from_bundle(&signed.bundle, signed.hash)?;
        ctx.tx()
            .open_table(META)?
            .insert(key(signed.bundle.version).as_str(), signed.bytes.as_slice())?;
        ctx.audit(
            Action::CatalogPublish,
            CaseId::NONE,
            [0; 16],
            vec![],
            vec![],
            &serde_json::json!({
                "version": signed.bundle.version,
                "hash": signed.hash_hex(),
                "files": signed.bundle.files.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(),
                "procedures": r.catalog.len(),
                "bytes": signed.bytes.len(),
            }),
            now,
        )?;
        ctx.commit()?;
        self.set_rules(rules::intern(r));
        Ok(signed)
    }

    /// Commune side: applies a bundle `peer` sent. Refused unless `peer` is this node's hub
    /// (a hub of its province in the peers file) and signed it, and unless it is newer than
    /// every version held; then stored and audited in one write and put in force. Returns the
    /// version applied.
    pub fn apply_catalog(&self, peer: &Peer, bytes: &[u8]) -> Result<u64> {
        let province = &self.config().province;
        if self.config().role != NodeRole::Commune
            || peer.role != NodeRole::Hub
            || !peer.scope.iter().any(|s| s == province)
        {
            return Err(CatalogBundleError::NotFromHub {
                peer: peer.name.clone(),
            }
            .into());
        }
        let b = SignedBundle::decode(bytes)?;
        if b.bundle.publisher != peer.node_id {
            return Err(CatalogBundleError::NotFromHub {
                peer: b.bundle.publisher.short(),
            }
            .into());
        }
        if b.bundle.realm != self.realm() {
            return Err(CatalogBundleError::WrongRealm.into());
        }
        let r = Rules::from_bundle(&b.bundle, b.hash)?;
        let mut ctx = self.begin_write(&Author::Peer(peer.node_id), Permission::Ingest)?;
        let held = {
            let meta = ctx.tx().open_table(META)?;
            let last = meta.range(META_CATALOG..META_CATALOG_END)?.next_back();
            match last {
                Some(row) => parse_key(row?.0.value()).unwrap_or(0),
                None => 0,
            }
        };
        if b.bundle.version <= held {
            return Err(CatalogBundleError::NotNewer {
                held,
                offered: b.bundle.version,
            }
            .into());
        }
        ctx.tx()
            .open_table(META)?
            .insert(key(b.bundle.version).as_str(), bytes)?;
        ctx.audit(
            Action::CatalogApply,
            CaseId::NONE,
            [0; 16],
            vec![],
            vec![],
            &serde_json::json!({
                "version": b.bundle.version,
                "previous": held,
                "hash": b.hash_hex(),
                "publisher": b.bundle.publisher.to_string(),
                "procedures": r.catalog.len(),
            }),
            now_ms(),
        )?;
        ctx.commit()?;
        self.set_rules(rules::intern(r));
        Ok(b.bundle.version)
    }

    /// Moves a received case to the catalog version in force (its deadlines, fee and workflow
    /// are checked against that version from then on), with a reason; audited
    /// (`case_recatalog`). Supervisors only.
    pub fn recatalog_case(
        &self,
        by: &AuthenticatedOfficer,
        code: &str,
        reason: &str,
    ) -> Result<CaseView> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(CatalogBundleError::ReasonRequired.into());
        }
        crate::text::check("reason", reason)?;
        let rules = self.refresh_rules()?;
        let id = self.resolve(code)?;
        let mut ctx = self.begin_write(&Author::from(by), Permission::AdminCatalog)?;
        let to = rules.version;
        let view = ctx.edit_case(id, Action::CaseRecatalog, |doc, before, _, _| {
            let from = before.catalog_version.unwrap_or(0);
            if from == to {
                return Err(Refusal::NothingToChange.into());
            }
            rules.catalog.procedure(&before.procedure)?;
            doc.set_catalog_version(to)?;
            Ok(serde_json::json!({"from": from, "to": to, "reason": reason}))
        })?;
        ctx.commit()?;
        Ok(view)
    }
}

fn parse_key(k: &str) -> Option<u64> {
    k.strip_prefix(META_CATALOG)?.parse().ok()
}

/// The content hash a stored bundle carries (its trailer), without verifying it.
fn bytes_hash(bytes: &[u8]) -> Option<[u8; 32]> {
    let n = bytes.len();
    let h = bytes.get(n.checked_sub(96)?..n.checked_sub(64)?)?;
    <[u8; 32]>::try_from(h).ok()
}

impl From<CatalogBundleError> for NodeError {
    fn from(e: CatalogBundleError) -> Self {
        NodeError::CatalogBundle(e)
    }
}
