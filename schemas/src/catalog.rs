//! The procedure catalog: every procedure file, checked and cross-linked.

use std::path::Path;

use crate::catalog_error::CatalogError;
use crate::catalog_file::{ParsedFile, parse_file};
use crate::intake::intake_fields;
use crate::procedure::{Procedure, TrackSpec};

/// The catalog files shipped with hoso, embedded at build time: (file name, text).
pub const BUILTIN_FILES: &[(&str, &str)] = &[
    (
        "catalog/birth_registration.toml",
        include_str!("../catalog/birth_registration.toml"),
    ),
    (
        "catalog/permanent_residence.toml",
        include_str!("../catalog/permanent_residence.toml"),
    ),
    (
        "catalog/health_insurance_child.toml",
        include_str!("../catalog/health_insurance_child.toml"),
    ),
    (
        "catalog/bundle_birth.toml",
        include_str!("../catalog/bundle_birth.toml"),
    ),
    (
        "catalog/death_registration.toml",
        include_str!("../catalog/death_registration.toml"),
    ),
    (
        "catalog/residence_removal.toml",
        include_str!("../catalog/residence_removal.toml"),
    ),
    (
        "catalog/funeral_allowance.toml",
        include_str!("../catalog/funeral_allowance.toml"),
    ),
    (
        "catalog/bundle_death.toml",
        include_str!("../catalog/bundle_death.toml"),
    ),
    (
        "catalog/marriage_registration.toml",
        include_str!("../catalog/marriage_registration.toml"),
    ),
    (
        "catalog/judicial_record.toml",
        include_str!("../catalog/judicial_record.toml"),
    ),
    (
        "catalog/survivor_benefit.toml",
        include_str!("../catalog/survivor_benefit.toml"),
    ),
    (
        "catalog/temporary_residence.toml",
        include_str!("../catalog/temporary_residence.toml"),
    ),
    (
        "catalog/temporary_absence.toml",
        include_str!("../catalog/temporary_absence.toml"),
    ),
    (
        "catalog/old_id_confirmation.toml",
        include_str!("../catalog/old_id_confirmation.toml"),
    ),
];

/// A set of procedures, ordered by code.
///
/// ```
/// let catalog = hoso_schemas::Catalog::builtin().unwrap();
/// let birth = catalog.procedure("birth_registration").unwrap();
/// assert_eq!(birth.name_vi, "Đăng ký khai sinh");
/// assert!(catalog.get("bundle_birth").unwrap().is_bundle());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Catalog {
    procedures: Vec<Procedure>,
}

/// A procedure code that is not in the catalog.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown procedure `{code}` (expected one of: {})", known.join(", "))]
pub struct UnknownProcedure {
    /// The code that was asked for.
    pub code: String,
    /// The codes in the catalog, sorted.
    pub known: Vec<String>,
}

impl Catalog {
    /// The catalog shipped with hoso ([`BUILTIN_FILES`]).
    pub fn builtin() -> Result<Catalog, CatalogError> {
        Catalog::from_sources(BUILTIN_FILES)
    }

    /// Loads every `*.toml` file in `dir` (not recursive), in file-name order.
    /// Errors name files as `dir/name.toml`.
    pub fn load_dir(dir: &Path) -> Result<Catalog, CatalogError> {
        let io = |path: &Path, e: std::io::Error| CatalogError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        };
        let mut paths = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(|e| io(dir, e))? {
            let path = entry.map_err(|e| io(dir, e))?.path();
            if path.extension().is_some_and(|x| x == "toml") && path.is_file() {
                paths.push(path);
            }
        }
        if paths.is_empty() {
            return Err(CatalogError::NoFiles {
                dir: dir.display().to_string(),
            });
        }
        paths.sort();
        let mut files = Vec::with_capacity(paths.len());
        for p in paths {
            let text = std::fs::read_to_string(&p).map_err(|e| io(&p, e))?;
            files.push((p.display().to_string(), text));
        }
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect();
        Catalog::from_sources(&refs)
    }

    /// Builds a catalog from `(file name, text)` pairs; the names appear in error messages.
    pub fn from_sources(sources: &[(&str, &str)]) -> Result<Catalog, CatalogError> {
        let mut parsed: Vec<ParsedFile> = Vec::with_capacity(sources.len());
        for (file, text) in sources {
            let p = parse_file(file, text)?;
            if let Some(first) = parsed.iter().find(|q| q.procedure.code == p.procedure.code) {
                return Err(CatalogError::invalid(
                    file,
                    text,
                    p.code_offset,
                    "code",
                    format!(
                        "duplicate procedure code `{}` (also defined in {})",
                        p.procedure.code, first.file
                    ),
                ));
            }
            parsed.push(p);
        }
        // Cross-file checks on bundles, then fill each bundle's fields from its tracks.
        let mut procedures = Vec::with_capacity(parsed.len());
        for p in &parsed {
            let mut proc = p.procedure.clone();
            for (i, track) in p.tracks.iter().enumerate() {
                let bad = |message: String| {
                    CatalogError::invalid(
                        &p.file,
                        &p.text,
                        track.offset,
                        format!("tracks[{i}]"),
                        message,
                    )
                };
                let code = &track.procedure;
                let Some(t) = parsed.iter().find(|q| &q.procedure.code == code) else {
                    let mut known: Vec<&str> = parsed
                        .iter()
                        .filter(|q| !q.procedure.is_bundle())
                        .map(|q| q.procedure.code.as_str())
                        .collect();
                    known.sort_unstable();
                    return Err(bad(format!(
                        "unknown track procedure `{code}` (expected one of: {})",
                        known.join(", ")
                    )));
                };
                if t.procedure.is_bundle() {
                    return Err(bad(format!(
                        "track `{code}` is itself a bundle; a bundle can only track plain procedures"
                    )));
                }
                for (from, to) in &track.same_as {
                    let at = |message: String| {
                        CatalogError::invalid(
                            &p.file,
                            &p.text,
                            track.same_as_offset,
                            format!("tracks[{i}].same_as.{from}"),
                            message,
                        )
                    };
                    let Some(src) = t.procedure.field(from) else {
                        return Err(at(format!("`{code}` has no field `{from}`")));
                    };
                    let Some(dst) = proc.field(to) else {
                        return Err(at(format!(
                            "`{to}` is not a field of the bundle before this track (the value is asked once, there)"
                        )));
                    };
                    if src.ty != dst.ty {
                        return Err(at(format!(
                            "`{from}` is {} but `{to}` is {}: they cannot hold the same value",
                            src.ty, dst.ty
                        )));
                    }
                }
                for f in &t.procedure.fields {
                    if proc.field(&f.name).is_none() && !track.same_as.contains_key(&f.name) {
                        proc.fields.push(f.clone());
                    }
                }
                proc.track_specs.push(TrackSpec {
                    procedure: code.clone(),
                    agency: track
                        .agency
                        .clone()
                        .unwrap_or_else(|| t.procedure.agency.clone()),
                    deadline: track
                        .deadline
                        .clone()
                        .unwrap_or_else(|| t.procedure.deadline.clone()),
                    after: track.after.clone(),
                    optional: track.optional,
                    same_as: track.same_as.clone(),
                });
            }
            for f in intake_fields() {
                if proc.field(&f.name).is_none() {
                    proc.fields.push(f);
                }
            }
            procedures.push(proc);
        }
        procedures.sort_by(|a, b| a.code.cmp(&b.code));
        Ok(Catalog { procedures })
    }

    /// The procedure with this code.
    pub fn get(&self, code: &str) -> Option<&Procedure> {
        self.procedures
            .binary_search_by(|p| p.code.as_str().cmp(code))
            .ok()
            .and_then(|i| self.procedures.get(i))
    }

    /// The procedure with this code, or an error listing the known codes.
    pub fn procedure(&self, code: &str) -> Result<&Procedure, UnknownProcedure> {
        self.get(code).ok_or_else(|| UnknownProcedure {
            code: code.to_string(),
            known: self.codes().map(str::to_string).collect(),
        })
    }

    /// The procedures tracked by a bundle, in track order (empty for a plain procedure).
    pub fn tracks_of(&self, bundle: &Procedure) -> Vec<&Procedure> {
        bundle.tracks.iter().filter_map(|c| self.get(c)).collect()
    }

    /// The procedures, ordered by code.
    pub fn iter(&self) -> std::slice::Iter<'_, Procedure> {
        self.procedures.iter()
    }

    /// The procedure codes, sorted.
    pub fn codes(&self) -> impl Iterator<Item = &str> {
        self.procedures.iter().map(|p| p.code.as_str())
    }

    /// How many procedures the catalog holds.
    pub fn len(&self) -> usize {
        self.procedures.len()
    }

    /// True if the catalog holds no procedure.
    pub fn is_empty(&self) -> bool {
        self.procedures.is_empty()
    }
}

impl<'a> IntoIterator for &'a Catalog {
    type Item = &'a Procedure;
    type IntoIter = std::slice::Iter<'a, Procedure>;

    fn into_iter(self) -> Self::IntoIter {
        self.procedures.iter()
    }
}
