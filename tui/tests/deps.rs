//! Dependency direction (style.md §2): the console knows the node, never the sync engine or iroh.
//! Reads `cargo metadata` and walks hoso-tui's normal (non-dev) dependency closure.

use std::collections::{BTreeSet, HashMap};
use std::process::Command;

#[test]
fn the_console_depends_on_neither_sync_nor_iroh() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo metadata");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata json");
    let nodes: HashMap<String, &serde_json::Value> = meta["resolve"]["nodes"]
        .as_array()
        .expect("resolve nodes")
        .iter()
        .map(|n| (n["id"].as_str().unwrap_or_default().to_string(), n))
        .collect();
    let name_of = |id: &str| -> String {
        meta["packages"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["id"] == id))
            .and_then(|p| p["name"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    let root = nodes
        .keys()
        .find(|id| name_of(id) == "hoso-tui")
        .expect("hoso-tui in the workspace")
        .clone();
    let mut seen = BTreeSet::new();
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        if !seen.insert(id.clone()) {
            continue;
        }
        for dep in nodes[&id]["deps"].as_array().into_iter().flatten() {
            let normal = dep["dep_kinds"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|k| k["kind"].is_null());
            if normal && let Some(p) = dep["pkg"].as_str() {
                stack.push(p.to_string());
            }
        }
    }
    let names: BTreeSet<String> = seen.iter().map(|id| name_of(id)).collect();
    assert!(names.contains("hoso-node"), "walk is broken: {names:?}");
    for banned in ["hoso-sync", "iroh"] {
        assert!(
            !names.contains(banned),
            "hoso-tui must not depend on {banned}"
        );
    }
}
