//! Test nodes: real nodes in temp dirs, with officers and the registry fixture.

use hoso_node::{InitOptions, NewCase, Node, NodeRole};
use hoso_schemas::{Procedure, Role};

use crate::fixtures::{PASS, REGISTRY};

/// A node and the temp dir it lives in (deleted on drop, after the node).
pub struct TestNode {
    /// The node.
    pub node: Node,
    /// Its data dir.
    pub dir: tempfile::TempDir,
}

impl std::ops::Deref for TestNode {
    type Target = Node;
    fn deref(&self) -> &Node {
        &self.node
    }
}

/// The officers of every test node: id, name, role (passphrase [`PASS`]).
pub const OFFICERS: &[(&str, &str, Role)] = &[
    ("canbo01", "Hoàng Thị Lan", Role::Officer),
    ("lanhdao01", "Lương Văn Đạt", Role::Supervisor),
    ("thanhtra01", "Đặng Thu Hương", Role::Auditor),
];

/// A commune node of province 20 (`code`, e.g. `06112`) with [`OFFICERS`] and the registry
/// fixture.
pub fn commune(code: &str) -> TestNode {
    build(Some(code))
}

/// The hub of province 20 with [`OFFICERS`] and the registry fixture.
pub fn hub() -> TestNode {
    build(None)
}

/// A commune (`Some(code)`) or hub (`None`) of province 20 with [`OFFICERS`] and the registry.
pub fn build(commune: Option<&str>) -> TestNode {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = Node::init(
        dir.path(),
        InitOptions {
            name: commune.map_or("Hub Lạng Sơn".to_string(), |c| {
                hoso_schemas::commune(c).map_or_else(|| format!("Xã {c}"), |c| c.name.to_string())
            }),
            role: if commune.is_some() {
                NodeRole::Commune
            } else {
                NodeRole::Hub
            },
            province: "20".into(),
            commune: commune.map(str::to_string),
            unit_code: None,
            listen: "127.0.0.1:0".into(),
            realm: None,
        },
    )
    .expect("init");
    for (id, name, role) in OFFICERS {
        node.add_officer(None, id, name, *role, PASS)
            .expect("officer");
    }
    node.import_registry("registry.jsonl", REGISTRY.as_bytes(), None)
        .expect("registry");
    TestNode { node, dir }
}

/// The citizen-provided required fields of a procedure, filled with the catalog's examples.
pub fn citizen_fields(p: &Procedure) -> Vec<(String, String)> {
    p.fields
        .iter()
        .filter(|f| f.required && f.source.is_none())
        .map(|f| (f.name.clone(), f.example()))
        .collect()
}

/// A `case new` input for `procedure` and `citizen` that the catalog accepts.
pub fn new_case(node: &Node, procedure: &str, citizen: &str) -> NewCase {
    let p = node.catalog().procedure(procedure).expect("procedure");
    NewCase {
        procedure: procedure.into(),
        citizen_id: citizen.into(),
        fields: citizen_fields(p),
        received_at: None,
    }
}
