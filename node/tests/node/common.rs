//! Test helpers: a node in a temp dir with officers and a small registry.

use hoso_node::{Author, InitOptions, NewCase, Node, NodeRole};
use hoso_schemas::{Procedure, Role};

pub const PASS: &str = "test-passphrase";

/// Synthetic citizens; ids agree with dates of birth and sex.
pub const REGISTRY: &str = concat!(
    r#"{"citizen_id":"020190012345","full_name":"Nguyễn Thị Hương","date_of_birth":"1990-03-12","sex":"female","ethnicity":"Tày","nationality":"Việt Nam","commune_code":"06112","address":"Thôn Nà Pàn, Xã Bình Gia, tỉnh Lạng Sơn","marital_status":"married","spouse_id":"020088001111"}"#,
    "\n",
    r#"{"citizen_id":"020088001111","full_name":"Đặng Văn Đức","date_of_birth":"1988-05-01","sex":"male","ethnicity":"Nùng","nationality":"Việt Nam","commune_code":"06112","address":"Thôn Nà Pàn, Xã Bình Gia, tỉnh Lạng Sơn","marital_status":"married","spouse_id":"020190012345"}"#,
    "\n",
    r#"{"citizen_id":"020325001234","full_name":"Nguyễn Thị Hướng","date_of_birth":"2025-01-02","sex":"female","commune_code":"06112","mother_id":"020190012345","father_id":"020088001111"}"#,
    "\n",
    r#"{"citizen_id":"020075000777","full_name":"Hoàng Văn Hùng","date_of_birth":"1975-07-07","sex":"male","ethnicity":"Kinh","nationality":"Việt Nam","commune_code":"06112","address":"Khối 2, Xã Bình Gia, tỉnh Lạng Sơn","marital_status":"single"}"#,
    "\n",
);

pub struct TestNode {
    pub node: Node,
    pub dir: tempfile::TempDir,
}

pub fn node() -> TestNode {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = Node::init(
        dir.path(),
        InitOptions {
            name: "Bình Gia".into(),
            role: NodeRole::Commune,
            province: "20".into(),
            commune: Some("06112".into()),
            unit_code: None,
            listen: "127.0.0.1:0".into(),
            realm: None,
        },
    )
    .expect("init");
    // The node creates its first account, the supervisor; the supervisor adds the others.
    node.add_officer(
        &Author::Node,
        "lanhdao01",
        "Lương Văn Đạt",
        Role::Supervisor,
        PASS,
    )
    .expect("supervisor");
    let lead = Author::Officer(node.authenticate("lanhdao01", PASS).expect("login"));
    node.add_officer(&lead, "canbo01", "Hoàng Thị Lan", Role::Officer, PASS)
        .expect("officer");
    node.add_officer(&lead, "thanhtra01", "Đặng Thu Hương", Role::Auditor, PASS)
        .expect("auditor");
    node.import_registry("registry.jsonl", REGISTRY.as_bytes(), &lead)
        .expect("registry");
    TestNode { node, dir }
}

/// The citizen-provided required fields of a procedure, filled with examples.
pub fn citizen_fields(p: &Procedure) -> Vec<(String, String)> {
    p.fields
        .iter()
        .filter(|f| f.required && f.source.is_none())
        .map(|f| (f.name.clone(), f.example()))
        .collect()
}

pub fn new_case(node: &Node, procedure: &str, citizen: &str) -> NewCase {
    let p = node.catalog().procedure(procedure).expect("procedure");
    NewCase {
        procedure: procedure.into(),
        citizen_id: citizen.into(),
        fields: citizen_fields(p),
        received_at: None,
    }
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
