//! Test nodes: real nodes in temp dirs, with officers and the registry fixture.
//!
//! ```no_run
//! let t = hoso_testkit::node::commune("06112");
//! let case = t.receive("judicial_record", hoso_testkit::fixtures::ADULT);
//! let lead = t.login("lanhdao01");
//! # let _ = (case, lead);
//! ```

use std::net::SocketAddr;
use std::path::Path;

use hoso_node::{AuthenticatedOfficer, Author, CaseView, InitOptions, NewCase, Node, NodeRole};
use hoso_node::{Peer, Peers};
use hoso_schemas::{Procedure, Role};

use crate::fixtures::{self, PASS};

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

impl TestNode {
    /// `who` (one of [`OFFICERS`]) authenticated with [`PASS`].
    pub fn login(&self, who: &str) -> AuthenticatedOfficer {
        login(&self.node, who)
    }

    /// A case of `procedure` for `citizen` received by `canbo01`, its citizen fields filled
    /// with the catalog's examples.
    pub fn receive(&self, procedure: &str, citizen: &str) -> CaseView {
        receive(&self.node, procedure, citizen)
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
    Spec::commune(code).build()
}

/// The hub of province 20 with [`OFFICERS`] and the registry fixture.
pub fn hub() -> TestNode {
    Spec::hub().build()
}

/// A commune (`Some(code)`) or hub (`None`) of province 20 with [`OFFICERS`] and the registry.
pub fn build(commune: Option<&str>) -> TestNode {
    match commune {
        Some(c) => Spec::commune(c),
        None => Spec::hub(),
    }
    .build()
}

/// What a test node is made of; [`Spec::build`] makes it in a temp dir, [`Spec::init_at`] in
/// a given one.
#[derive(Clone, Debug)]
pub struct Spec {
    /// The commune code, or `None` for the province's hub.
    pub commune: Option<String>,
    /// The registry's citizens (JSON lines of [`fixtures`]).
    pub citizens: &'static [&'static str],
}

impl Spec {
    /// A commune of province 20 with the default registry ([`fixtures::CITIZENS`]).
    pub fn commune(code: &str) -> Spec {
        Spec {
            commune: Some(code.to_string()),
            citizens: fixtures::CITIZENS,
        }
    }

    /// The hub of province 20 with the default registry.
    pub fn hub() -> Spec {
        Spec {
            commune: None,
            citizens: fixtures::CITIZENS,
        }
    }

    /// The same node with another registry.
    pub fn citizens(self, citizens: &'static [&'static str]) -> Spec {
        Spec { citizens, ..self }
    }

    /// The node in a new temp dir.
    pub fn build(&self) -> TestNode {
        let dir = tempfile::tempdir().expect("tempdir");
        let node = self.init_at(dir.path());
        TestNode { node, dir }
    }

    /// The node in `dir`: `init`, then the first account (a supervisor, created by the node),
    /// then the other [`OFFICERS`] and the registry, added by that supervisor (the write path
    /// refuses the node once the roster is not empty).
    pub fn init_at(&self, dir: &Path) -> Node {
        let commune = self.commune.as_deref();
        let node = Node::init(
            dir,
            InitOptions {
                name: commune.map_or("Hub Lạng Sơn".to_string(), |c| {
                    hoso_schemas::commune(c)
                        .map_or_else(|| format!("Xã {c}"), |c| c.name.to_string())
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
        let supervisors_first = OFFICERS
            .iter()
            .filter(|o| o.2 == Role::Supervisor)
            .chain(OFFICERS.iter().filter(|o| o.2 != Role::Supervisor));
        let mut by = Author::Node;
        for (id, name, role) in supervisors_first {
            node.add_officer(&by, id, name, *role, PASS)
                .expect("officer");
            if matches!(by, Author::Node) {
                by = Author::Officer(login(&node, id));
            }
        }
        let registry = fixtures::registry(self.citizens);
        node.import_registry("registry.jsonl", registry.as_bytes(), &by)
            .expect("registry");
        node
    }
}

/// `who` authenticated on `node` with [`PASS`].
pub fn login(node: &Node, who: &str) -> AuthenticatedOfficer {
    node.authenticate(who, PASS)
        .unwrap_or_else(|e| panic!("login {who}: {e}"))
}

/// A case of `procedure` for `citizen` received on `node` by `canbo01` ([`new_case`]).
pub fn receive(node: &Node, procedure: &str, citizen: &str) -> CaseView {
    node.create_case(&login(node, "canbo01"), new_case(node, procedure, citizen))
        .unwrap_or_else(|e| panic!("receive {procedure} for {citizen}: {e}"))
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

/// `of` as an entry of another node's peers file: its id, name, role, `addr` and its own
/// scope (its province for a hub, its commune for a commune).
pub fn peer_entry(of: &Node, addr: Option<SocketAddr>) -> Peer {
    let cfg = of.config();
    Peer {
        node_id: of.id(),
        name: cfg.name.clone(),
        role: cfg.role,
        addrs: addr.map(|a| vec![a.to_string()]).unwrap_or_default(),
        scope: match cfg.role {
            NodeRole::Hub => vec![cfg.province.clone()],
            NodeRole::Commune => vec![cfg.commune.clone().unwrap_or_default()],
        },
    }
}

/// Writes `other` into `at`'s peers file ([`peer_entry`]).
pub fn add_peer(at: &Node, other: &Node, addr: Option<SocketAddr>) {
    let mut peers = Peers::load(at.dir()).expect("load peers");
    peers
        .add(at.config(), &at.id(), peer_entry(other, addr))
        .expect("add peer");
    peers.save(at.dir()).expect("save peers");
}

/// The receipt code the case received right after the one coded `first` must get: the next
/// number of the same day, or the day's first number when midnight in Vietnam fell between the
/// two (the tests use the real clock). `second` only tells which day it was received on.
pub fn next_receipt_code(first: &str, second: &str) -> String {
    let split = |c: &str| -> (String, String, u32) {
        let mut parts = c.rsplitn(3, '-');
        let n = parts.next().and_then(|n| n.parse().ok());
        let day = parts.next().map(str::to_string);
        let unit = parts.next().map(str::to_string);
        match (unit, day, n) {
            (Some(u), Some(d), Some(n)) => (u, d, n),
            _ => panic!("`{c}` is not UNIT-YYMMDD-NNNN"),
        }
    };
    let (unit, day, n) = split(first);
    let (_, day2, _) = split(second);
    assert!(
        day2 >= day,
        "`{second}` was received on a day before `{first}`"
    );
    let n = if day2 == day { n + 1 } else { 1 };
    format!("{unit}-{day2}-{n:04}")
}
