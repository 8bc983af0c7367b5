//! The rules a node checks cases against: one catalog version (procedures, holiday calendar,
//! form templates), in force or historical (issue 12, item 5).
//!
//! Version 0 is the node's local catalog (`catalog/` dir or the built-in one, `holidays.toml`
//! or the built-in calendar, `forms/` in the data dir); versions ≥ 1 are signed bundles
//! published by the hub ([`crate::catalog_bundle`]). The node keeps the version in force in a
//! swappable slot, so `serve` and the console take a newly applied version without a restart.
//!
//! Each distinct version is built once per process and kept for its life (interned by version
//! and content): reads are a lock-free-in-practice `RwLock` read and a pointer copy, and a
//! `&Catalog` handed out stays valid after a swap. A process holds one entry per version it
//! has used — a handful a year, each published by a supervisor.

use std::sync::{Mutex, OnceLock};

use hoso_schemas::{Catalog, HolidayCalendar};

use crate::catalog_bundle::{BundleFile, CatalogBundle, CatalogBundleError};

/// One catalog version: what a case is checked against.
#[derive(Debug, PartialEq)]
pub struct Rules {
    /// The version: 0 for the node's local catalog, ≥ 1 for a hub's bundle.
    pub version: u64,
    /// The bundle's content hash (none for the local catalog).
    pub hash: Option<[u8; 32]>,
    /// The procedures.
    pub catalog: Catalog,
    /// The holiday calendar.
    pub calendar: HolidayCalendar,
    /// The bundle's form files (`forms/*.typ`, `forms/forms.toml`; empty for version 0,
    /// whose forms are the data dir's `forms/`).
    pub forms: Vec<BundleFile>,
}

impl Rules {
    /// The local rules (version 0).
    pub fn local(catalog: Catalog, calendar: HolidayCalendar) -> Rules {
        Rules {
            version: 0,
            hash: None,
            catalog,
            calendar,
            forms: Vec::new(),
        }
    }

    /// Builds and validates the rules of a bundle: its catalog files load with the validation
    /// of `Catalog::load_dir` (the same parser, in name order) and its calendar with that of
    /// `HolidayCalendar::load` (the built-in calendar when it carries none).
    pub fn from_bundle(b: &CatalogBundle, hash: [u8; 32]) -> Result<Rules, CatalogBundleError> {
        let sources: Vec<(&str, &str)> = b
            .files
            .iter()
            .filter(|f| f.path.starts_with("catalog/"))
            .map(|f| (f.path.as_str(), f.text.as_str()))
            .collect();
        if sources.is_empty() {
            return Err(CatalogBundleError::NoCatalog);
        }
        let catalog = Catalog::from_sources(&sources).map_err(CatalogBundleError::Invalid)?;
        let calendar = match b.files.iter().find(|f| f.path == "holidays.toml") {
            Some(f) => HolidayCalendar::parse_toml(&f.path, &f.text),
            None => HolidayCalendar::builtin(),
        }
        .map_err(CatalogBundleError::Invalid)?;
        Ok(Rules {
            version: b.version,
            hash: Some(hash),
            catalog,
            calendar,
            forms: b
                .files
                .iter()
                .filter(|f| f.path.starts_with("forms/"))
                .cloned()
                .collect(),
        })
    }

    /// The content hash, hex (empty for the local catalog).
    pub fn hash_hex(&self) -> String {
        self.hash
            .map(|h| h.iter().map(|b| format!("{b:02x}")).collect())
            .unwrap_or_default()
    }
}

static INTERNED: OnceLock<Mutex<Vec<&'static Rules>>> = OnceLock::new();

/// The process's one copy of `r` (see the module docs).
pub(crate) fn intern(r: Rules) -> &'static Rules {
    let all = INTERNED.get_or_init(|| Mutex::new(Vec::new()));
    let mut all = all
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let same = |x: &&&Rules| {
        x.version == r.version
            && x.hash == r.hash
            && (r.hash.is_some() || (x.catalog == r.catalog && x.calendar == r.calendar))
    };
    if let Some(x) = all.iter().find(same) {
        return x;
    }
    let leaked: &'static Rules = Box::leak(Box::new(r));
    all.push(leaked);
    leaked
}

/// An interned version by number and hash, if built already.
pub(crate) fn find(version: u64, hash: &[u8; 32]) -> Option<&'static Rules> {
    let all = INTERNED.get_or_init(|| Mutex::new(Vec::new()));
    let all = all
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    all.iter()
        .find(|x| x.version == version && x.hash.as_ref() == Some(hash))
        .copied()
}
