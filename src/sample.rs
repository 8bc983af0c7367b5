//! The sample data shipped in fixtures/, embedded so `hoso demo` and `hoso init --sample` work
//! from any directory.

use anyhow::Context;
use hoso_node::Node;
use hoso_schemas::Role;

/// The synthetic population registry.
pub const REGISTRY: &str = include_str!("../fixtures/sample/registry.jsonl");
/// The sample cases (import format).
pub const CASES: &str = include_str!("../fixtures/sample/cases.jsonl");
/// The passphrase of every sample officer.
pub const PASSPHRASE: &str = "hoso-demo";
/// Sample officers: id, name, role.
pub const OFFICERS: &[(&str, &str, Role)] = &[
    ("canbo01", "Hoàng Thị Lan", Role::Officer),
    ("canbo02", "Nông Văn Đức", Role::Officer),
    ("lanhdao01", "Lương Văn Đạt", Role::Supervisor),
    ("thanhtra01", "Đặng Thu Hương", Role::Auditor),
];

/// What loading the sample did.
#[derive(Debug, serde::Serialize)]
pub struct Loaded {
    /// Officers created.
    pub officers: usize,
    /// Registry citizens.
    pub citizens: usize,
    /// Cases imported.
    pub cases: usize,
}

/// Loads officers, registry and (on a commune) the sample cases into a fresh node.
pub fn load(node: &Node) -> anyhow::Result<Loaded> {
    for (id, name, role) in OFFICERS {
        node.add_officer(None, id, name, *role, PASSPHRASE)
            .with_context(|| format!("creating sample officer {id}"))?;
    }
    let reg = node
        .import_registry("fixtures/sample/registry.jsonl", REGISTRY.as_bytes(), None)
        .context("importing the sample registry")?;
    // The sample cases belong to a commune center; a hub gets them from its communes by sync.
    let cases = if node.config().role == hoso_node::NodeRole::Hub {
        0
    } else {
        node.import_cases("fixtures/sample/cases.jsonl", CASES.as_bytes(), "canbo01")
            .context("importing the sample cases")?
            .imported
    };
    Ok(Loaded {
        officers: OFFICERS.len(),
        citizens: reg.records,
        cases,
    })
}
