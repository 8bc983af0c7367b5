//! Test nodes and peer wiring.

#![allow(dead_code)]

use std::net::SocketAddr;

use hoso_node::{Author, CaseQuery, InitOptions, NewCase, Node, NodeRole, Peer, Peers};
use hoso_schemas::Role;
use hoso_sync::{Engine, EngineOptions};

pub const PASS: &str = "test-passphrase";

pub const REGISTRY: &str = concat!(
    r#"{"citizen_id":"020190012345","full_name":"Nguyễn Thị Hương","date_of_birth":"1990-03-12","sex":"female","ethnicity":"Tày","nationality":"Việt Nam","commune_code":"06112","address":"Thôn Nà Pàn, Xã Bình Gia, tỉnh Lạng Sơn","marital_status":"married","spouse_id":"020088001111"}"#,
    "\n",
    r#"{"citizen_id":"020075000777","full_name":"Hoàng Văn Hùng","date_of_birth":"1975-07-07","sex":"male","ethnicity":"Kinh","nationality":"Việt Nam","commune_code":"06112","address":"Khối 2, Xã Bình Gia, tỉnh Lạng Sơn","marital_status":"single"}"#,
    "\n",
);

pub struct TestNode {
    pub node: Node,
    pub dir: tempfile::TempDir,
}

/// A commune (`Some(code)`) or hub (`None`) of province 20 with officers and a registry.
pub fn node(commune: Option<&str>) -> TestNode {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = Node::init(
        dir.path(),
        InitOptions {
            name: commune.map_or("Hub Lạng Sơn".to_string(), |c| format!("Xã {c}")),
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
    node.import_registry("registry.jsonl", REGISTRY.as_bytes(), &lead)
        .expect("registry");
    TestNode { node, dir }
}

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

/// Writes `other` into `at`'s peers file.
pub fn add_peer(at: &Node, other: &Node, addr: Option<SocketAddr>) {
    let mut peers = Peers::load(at.dir()).expect("load peers");
    peers
        .add(at.config(), &at.id(), peer_entry(other, addr))
        .expect("add peer");
    peers.save(at.dir()).expect("save peers");
}

/// A listening engine on an ephemeral loopback port that does not dial.
pub async fn serve(node: &Node) -> (Engine, SocketAddr) {
    let e = Engine::start(
        node.clone(),
        EngineOptions {
            bind: Some("127.0.0.1:0".parse().expect("addr")),
            relays: false,
            no_dial: true,
        },
    )
    .await
    .expect("engine");
    let addr = *e.local_addrs().first().expect("bound");
    (e, addr)
}

pub fn new_case(node: &Node) -> hoso_node::CaseView {
    let p = node
        .catalog()
        .procedure("judicial_record")
        .expect("procedure");
    let fields = p
        .fields
        .iter()
        .filter(|f| f.required && f.source.is_none())
        .map(|f| (f.name.clone(), f.example()))
        .collect();
    node.create_case(
        &node
            .authenticate("canbo01", "test-passphrase")
            .expect("login"),
        NewCase {
            procedure: "judicial_record".into(),
            citizen_id: "020190012345".into(),
            fields,
            received_at: None,
        },
    )
    .expect("create case")
}

pub fn all_cases(node: &Node) -> Vec<hoso_node::CaseSummary> {
    node.list(&CaseQuery {
        limit: 100_000,
        ..CaseQuery::default()
    })
    .expect("list")
}

/// One round from `node` with every peer in its file; panics on a failed round.
pub async fn round(node: &Node) -> hoso_sync::RoundStats {
    let rounds = hoso_sync::sync_once(node, None, false)
        .await
        .expect("sync once");
    let mut total = hoso_sync::RoundStats::default();
    for r in rounds {
        let s = r
            .stats
            .unwrap_or_else(|| panic!("round with {} failed: {:?}", r.name, r.error));
        total.docs_sent += s.docs_sent;
        total.changes_sent += s.changes_sent;
        total.docs_received += s.docs_received;
        total.changes_received += s.changes_received;
        total.refused_by_peer += s.refused_by_peer;
        total.refused_here += s.refused_here;
        total.conflicts += s.conflicts;
        total.audit_sent += s.audit_sent;
        total.audit_received += s.audit_received;
        total.bytes_in += s.bytes_in;
        total.bytes_out += s.bytes_out;
    }
    total
}

/// Moves a case to the head of `node`'s change feed inside `tx` (as the node does on a write).
fn bump_feed(tx: &redb::WriteTransaction, id: &hoso_node::CaseId) {
    use hoso_node::store::tables::{FEED, FEED_BY_DOC};
    use redb::ReadableTable;
    let mut feed = tx.open_table(FEED).expect("feed");
    let mut by_doc = tx.open_table(FEED_BY_DOC).expect("feed by doc");
    let next = feed
        .last()
        .expect("last")
        .map(|(k, _)| k.value() + 1)
        .unwrap_or(1);
    if let Some(old) = by_doc
        .insert(&id.0, next)
        .expect("insert")
        .map(|g| g.value())
    {
        feed.remove(old).expect("remove");
    }
    feed.insert(next, &id.0).expect("insert");
}

/// Appends a change chunk to a case in `node`'s store behind every check (no audit entry), as
/// a tampered store or a patched binary would, and puts the case at the head of the feed so
/// sync sends it.
pub fn plant_change(node: &Node, id: &hoso_node::CaseId, chunk: &[u8]) {
    use hoso_node::store::tables::DOC_CHANGES;
    use redb::ReadableTable;
    let tx = node.db().begin_write().expect("write");
    {
        let mut t = tx.open_table(DOC_CHANGES).expect("changes");
        let n = t
            .range((&id.0, 0)..=(&id.0, u32::MAX))
            .expect("range")
            .count() as u32;
        t.insert((&id.0, n), chunk).expect("insert");
    }
    bump_feed(&tx, id);
    tx.commit().expect("commit");
}

/// Stores a whole case document in `node`'s store behind every check (scope, audit).
pub fn plant_doc(node: &Node, bytes: &[u8]) -> hoso_node::CaseId {
    use hoso_node::store::tables::{CASES, DOCS, RECEIPTS};
    let am = automerge::AutoCommit::load(bytes).expect("doc");
    let view = hoso_node::case::CaseDoc::from_automerge(am)
        .view()
        .expect("view");
    let id = view.id;
    let tx = node.db().begin_write().expect("write");
    tx.open_table(DOCS)
        .expect("docs")
        .insert(&id.0, bytes)
        .expect("insert");
    let summary = serde_json::to_vec(&view.summary()).expect("json");
    tx.open_table(CASES)
        .expect("cases")
        .insert(&id.0, summary.as_slice())
        .expect("insert");
    tx.open_table(RECEIPTS)
        .expect("receipts")
        .insert(view.receipt_code.as_str(), &id.0)
        .expect("insert");
    bump_feed(&tx, &id);
    tx.commit().expect("commit");
    id
}

/// A change to case `id` of `node` made with Automerge `actor` and written by nobody's audit
/// entry: the bytes after the case's current heads.
pub fn forged_change(node: &Node, id: &hoso_node::CaseId, actor: [u8; 16]) -> Vec<u8> {
    forged_change_with(node, id, actor, "Đã cấp (giả mạo)")
}

/// [`forged_change`] that writes `value` as the case's result.
pub fn forged_change_with(
    node: &Node,
    id: &hoso_node::CaseId,
    actor: [u8; 16],
    value: &str,
) -> Vec<u8> {
    use automerge::transaction::Transactable;
    let mut am = automerge::AutoCommit::load(&node.doc_bytes(id).expect("doc")).expect("load");
    let before = am.get_heads();
    am.set_actor(automerge::ActorId::from(actor.to_vec()));
    am.put(automerge::ROOT, "result", value).expect("put");
    am.commit();
    am.save_after(&before)
}
