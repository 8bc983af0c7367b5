//! The sample data shipped in fixtures/, embedded so `hoso demo` and `hoso init --sample` work
//! from any directory.

use anyhow::Context;
use hoso_node::{Author, Node};
use hoso_schemas::Role;

/// The synthetic population registry.
pub(crate) const REGISTRY: &str = include_str!("../fixtures/sample/registry.jsonl");
/// The sample cases (import format).
pub(crate) const CASES: &str = include_str!("../fixtures/sample/cases.jsonl");
/// The passphrase of every sample officer.
pub(crate) const PASSPHRASE: &str = "hoso-demo";
/// Sample officers: id, name, role.
pub(crate) const OFFICERS: &[(&str, &str, Role)] = &[
    ("canbo01", "Hoàng Thị Lan", Role::Officer),
    ("canbo02", "Nông Văn Đức", Role::Officer),
    ("lanhdao01", "Lương Văn Đạt", Role::Supervisor),
    ("thanhtra01", "Đặng Thu Hương", Role::Auditor),
];

/// What loading the sample did.
#[derive(Debug, serde::Serialize)]
pub(crate) struct Loaded {
    /// Officers created.
    pub officers: usize,
    /// Registry citizens.
    pub citizens: usize,
    /// Cases imported.
    pub cases: usize,
}

/// Loads officers, registry and (on a commune) the sample cases into a fresh node.
pub(crate) fn load(node: &Node) -> anyhow::Result<Loaded> {
    // The node creates its first account (the supervisor); the supervisor adds the others.
    let mut by = Author::Node;
    let supervisors_first = OFFICERS
        .iter()
        .filter(|o| o.2 == Role::Supervisor)
        .chain(OFFICERS.iter().filter(|o| o.2 != Role::Supervisor));
    for (id, name, role) in supervisors_first {
        node.add_officer(&by, id, name, *role, PASSPHRASE)
            .with_context(|| format!("creating sample officer {id}"))?;
        if matches!(by, Author::Node) {
            by = Author::Officer(node.authenticate(id, PASSPHRASE)?);
        }
    }
    let reg = node
        .import_registry("fixtures/sample/registry.jsonl", REGISTRY.as_bytes(), &by)
        .context("importing the sample registry")?;
    // The sample cases belong to a commune center; a hub gets them from its communes by sync.
    let cases = if node.config().role == hoso_node::NodeRole::Hub {
        0
    } else {
        // The sample cases carry the history of several officers: set-up data, imported
        // by the node itself (history still checked against the workflow).
        node.import_cases(
            "fixtures/sample/cases.jsonl",
            CASES.as_bytes(),
            &Author::Node,
        )
        .context("importing the sample cases")?
        .imported
    };
    Ok(Loaded {
        officers: OFFICERS.len(),
        citizens: reg.records,
        cases,
    })
}
