//! Dependency direction (style.md §2): the console knows the node, never the sync engine or iroh.
//!
//! Both checks read `cargo metadata` offline and need nothing a host build did not download, so
//! they pass on a fresh machine whose cargo cache holds only what `cargo build` fetched:
//! - the resolved closure of hoso-tui's normal dependencies, for the host platform only
//!   (`--filter-platform <host triple>`; an unfiltered resolve needs the Android, Windows and wasm
//!   crates too, which a Linux build never downloads);
//! - the dependencies the workspace crates under hoso-tui declare, for every platform
//!   (`--no-deps` reads the manifests alone), so a `[target.'cfg(windows)'.dependencies]` line
//!   cannot hide a forbidden edge from the host-only walk.

use std::collections::{BTreeSet, HashMap};
use std::process::Command;

use serde_json::Value;

/// What the console must never pull in, directly or through another crate.
const BANNED: [&str; 2] = ["hoso-sync", "iroh"];

/// `cargo metadata --format-version 1 --offline --locked` plus `extra`, parsed.
fn metadata(extra: &[&str]) -> Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(&cargo)
        .args(["metadata", "--format-version", "1", "--offline", "--locked"])
        .args(extra)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap_or_else(|e| panic!("cannot run `{cargo} metadata`: {e}"));
    assert!(
        out.status.success(),
        "`cargo metadata {}` failed:\n{}",
        extra.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON")
}

/// The host triple, as `rustc -vV` reports it (cargo resolves for this platform when it builds);
/// `cargo -vV` names the same host when no `rustc` is on PATH.
fn host_triple() -> String {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    for tool in [rustc, cargo] {
        let Ok(out) = Command::new(&tool).arg("-vV").output() else {
            continue;
        };
        let text = String::from_utf8_lossy(&out.stdout);
        if let Some(host) = text.lines().find_map(|l| l.strip_prefix("host: ")) {
            return host.trim().to_string();
        }
    }
    panic!("neither `rustc -vV` nor `cargo -vV` names the host triple")
}

fn package_names(meta: &Value) -> HashMap<&str, &str> {
    meta["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .filter_map(|p| Some((p["id"].as_str()?, p["name"].as_str()?)))
        .collect()
}

#[test]
fn the_console_depends_on_neither_sync_nor_iroh() {
    let meta = metadata(&["--filter-platform", &host_triple()]);
    let name_of = package_names(&meta);
    let nodes: HashMap<&str, &Value> = meta["resolve"]["nodes"]
        .as_array()
        .expect("resolve nodes")
        .iter()
        .filter_map(|n| Some((n["id"].as_str()?, n)))
        .collect();
    let root = nodes
        .keys()
        .copied()
        .find(|id| name_of.get(id) == Some(&"hoso-tui"))
        .expect("hoso-tui in the workspace");
    // Walk normal edges only: dev- and build-dependencies do not ship in the console.
    let mut seen = BTreeSet::new();
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        for dep in nodes[id]["deps"].as_array().into_iter().flatten() {
            let normal = dep["dep_kinds"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|k| k["kind"].is_null());
            if normal && let Some(p) = dep["pkg"].as_str() {
                stack.push(p);
            }
        }
    }
    let names: BTreeSet<&str> = seen
        .iter()
        .filter_map(|id| name_of.get(id).copied())
        .collect();
    assert!(
        names.contains("hoso-node") && names.contains("ratatui"),
        "the walk is broken: {names:?}"
    );
    for banned in BANNED {
        assert!(
            !names.contains(banned),
            "hoso-tui must not depend on {banned} (dependency direction: schemas ← node ← sync/tui)"
        );
    }
}

#[test]
fn no_workspace_crate_under_the_console_declares_sync_or_iroh_on_any_platform() {
    let meta = metadata(&["--no-deps"]);
    let packages: HashMap<&str, &Value> = meta["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .filter_map(|p| Some((p["name"].as_str()?, p)))
        .collect();
    let mut seen = BTreeSet::new();
    let mut declared = BTreeSet::new();
    let mut stack = vec!["hoso-tui"];
    while let Some(name) = stack.pop() {
        if !seen.insert(name) {
            continue;
        }
        let deps = packages[name]["dependencies"].as_array().expect("deps");
        // Normal dependencies under any `[target.…]` table; workspace crates are walked on.
        for dep in deps.iter().filter(|d| d["kind"].is_null()) {
            let Some(dep_name) = dep["name"].as_str() else {
                continue;
            };
            declared.insert((name, dep_name, dep["target"].as_str().unwrap_or("all")));
            if packages.contains_key(dep_name) {
                stack.push(dep_name);
            }
        }
    }
    assert!(
        seen.contains("hoso-node") && seen.contains("hoso-schemas"),
        "the walk is broken: {seen:?}"
    );
    let offending: Vec<String> = declared
        .iter()
        .filter(|(_, dep, _)| BANNED.contains(dep))
        .map(|(by, dep, target)| format!("{by} → {dep} (platform: {target})"))
        .collect();
    assert!(
        offending.is_empty(),
        "the console must not depend on {BANNED:?}, on any platform; declared under hoso-tui: {}",
        offending.join(", ")
    );
}
