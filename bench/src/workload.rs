//! Generated inputs: the sample registry and sample-shaped cases from `hoso-fixtures`.
//!
//! Every case comes from `hoso_fixtures::cases::generate` (the generator of
//! `fixtures/sample/cases.jsonl`: real procedures, registry citizens, a workflow history, notes)
//! with a per-node seed, and is imported with `hoso import`. An imported case is one Automerge
//! change and carries **one audit entry** (`CaseImport`) on its commune's chain; the node's own
//! set-up adds a handful more (genesis, actor binding, officer, registry import).

#[cfg(feature = "process")]
use std::path::{Path, PathBuf};

#[cfg(feature = "process")]
use anyhow::Context;

/// The shipped synthetic registry (1,000 citizens of Lạng Sơn).
pub(crate) const REGISTRY: &str = include_str!("../../fixtures/sample/registry.jsonl");

/// The passphrase of the officers the in-process benches create.
pub(crate) const PASSPHRASE: &str = "bench-passphrase";

/// Audit entries one imported case carries.
#[cfg(feature = "process")]
pub(crate) const ENTRIES_PER_IMPORTED_CASE: u64 = 1;

/// Writes the registry into `dir` and returns its path.
#[cfg(feature = "process")]
pub(crate) fn write_registry(dir: &Path) -> anyhow::Result<PathBuf> {
    let p = dir.join("registry.jsonl");
    std::fs::write(&p, REGISTRY).with_context(|| format!("writing {}", p.display()))?;
    Ok(p)
}

/// Generates `count` cases with `seed` and writes them as JSON lines to `out`.
#[cfg(feature = "process")]
pub(crate) fn write_cases(out: &Path, count: usize, seed: u64) -> anyhow::Result<u64> {
    let text = cases_jsonl(count, seed)?;
    std::fs::write(out, &text).with_context(|| format!("writing {}", out.display()))?;
    Ok(text.len() as u64)
}

/// `count` generated cases with `seed` as the JSON lines `hoso import` reads (each step within
/// the importer's role, attributed to the bench's officer).
#[cfg(feature = "process")]
pub(crate) fn cases_jsonl(count: usize, seed: u64) -> anyhow::Result<String> {
    let citizens = hoso_fixtures::cases::parse_registry(REGISTRY)?;
    let catalog = hoso_schemas::Catalog::builtin().context("loading the built-in catalog")?;
    let mut cases = hoso_fixtures::cases::generate(&catalog, &citizens, count, seed)?;
    within_role(&catalog, &mut cases, IMPORTER_ROLE)?;
    attributed_to(
        &hoso_fixtures::cases::to_jsonl(&cases),
        crate::hoso::OFFICER,
    )
}

/// The role of the officer the benches import as: `hoso init`'s first officer, a supervisor.
#[cfg(feature = "process")]
pub(crate) const IMPORTER_ROLE: hoso_schemas::Role = hoso_schemas::Role::Supervisor;

/// Cuts each case's history before the first step `role` may not make (the generator gives
/// officer-only steps such as `received -> withdrawal_requested` to the desk officer and
/// supervisor-only ones to the supervisor; an import records only what its one officer did,
/// and a node refuses a step that officer's role may not take). The case's status becomes the
/// last step kept. Returns the steps cut.
#[cfg(feature = "process")]
pub(crate) fn within_role(
    catalog: &hoso_schemas::Catalog,
    cases: &mut [hoso_fixtures::cases::CaseRecord],
    role: hoso_schemas::Role,
) -> anyhow::Result<usize> {
    let mut cut = 0;
    for c in cases.iter_mut() {
        let procedure = catalog
            .procedure(&c.procedure)
            .with_context(|| format!("procedure {}", c.procedure))?;
        let keep = c
            .history
            .iter()
            .position(|h| match (h.from, &h.track) {
                (None, _) => false,
                (Some(from), None) => procedure.check_transition(from, h.to, role).is_err(),
                (Some(from), Some(t)) => catalog
                    .procedure(t)
                    .map(|tp| tp.check_transition(from, h.to, role).is_err())
                    .unwrap_or(true),
            })
            .unwrap_or(c.history.len());
        cut += c.history.len() - keep;
        c.history.truncate(keep);
        if let Some(last) = c.history.last() {
            c.status = Some(last.to);
        }
    }
    Ok(cut)
}

/// `jsonl` with every history step and note attributed to `officer`: an import records only what
/// the importing officer did, and the bench imports as its one (supervisor) officer.
#[cfg(feature = "process")]
fn attributed_to(jsonl: &str, officer: &str) -> anyhow::Result<String> {
    let mut out = String::with_capacity(jsonl.len());
    for line in jsonl.lines().filter(|l| !l.trim().is_empty()) {
        let mut v: serde_json::Value =
            serde_json::from_str(line).context("re-reading a generated case")?;
        for list in ["history", "notes"] {
            if let Some(items) = v.get_mut(list).and_then(|x| x.as_array_mut()) {
                for item in items {
                    if let Some(o) = item.get_mut("officer") {
                        *o = serde_json::Value::from(officer);
                    }
                }
            }
        }
        if let Some(o) = v.get_mut("assigned_officer") {
            *o = serde_json::Value::from(officer);
        }
        out.push_str(&serde_json::to_string(&v)?);
        out.push('\n');
    }
    Ok(out)
}

/// The commune code of the `i`-th bench commune (synthetic codes of province 20, one per node).
#[cfg(feature = "process")]
pub(crate) fn commune_code(i: usize) -> String {
    format!("{:05}", 70_000 + i)
}

#[cfg(all(test, feature = "process"))]
mod tests {
    use super::*;

    #[test]
    fn generated_cases_only_make_moves_the_importers_role_may_make() {
        let citizens = hoso_fixtures::cases::parse_registry(REGISTRY).expect("registry");
        let catalog = hoso_schemas::Catalog::builtin().expect("catalog");
        let mut cases =
            hoso_fixtures::cases::generate(&catalog, &citizens, 400, 7).expect("generate");
        let cut = within_role(&catalog, &mut cases, IMPORTER_ROLE).expect("cut");
        // The generator does give the desk officer steps a supervisor may not make.
        assert!(cut > 0);
        for c in &cases {
            let p = catalog.procedure(&c.procedure).expect("procedure");
            for h in c.history.iter().skip(1) {
                let from = h.from.expect("a move has a from");
                assert!(
                    p.check_transition(from, h.to, IMPORTER_ROLE).is_ok(),
                    "{} {from} -> {}",
                    c.procedure,
                    h.to
                );
            }
            assert_eq!(c.history.last().map(|h| h.to), c.status);
        }
    }
}
