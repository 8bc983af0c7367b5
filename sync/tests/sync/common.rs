//! Test nodes and peer wiring.

#![allow(dead_code)]

use std::net::SocketAddr;

use hoso_node::{CaseQuery, Node};
use hoso_sync::{Engine, EngineOptions};

pub(crate) use hoso_testkit::node::{TestNode, add_peer, build as node, login, peer_entry};

/// A hub serving on loopback and a commune of Xã Bình Gia (06112) peered with it both ways:
/// the set-up of most sync tests. Returns the hub, the commune, the hub's engine and address.
pub(crate) async fn hub_and_commune() -> (TestNode, TestNode, Engine, SocketAddr) {
    let hub = node(None);
    let commune = node(Some("06112"));
    let (engine, addr) = serve(&hub.node).await;
    peer_with_hub(&hub, &commune, addr);
    (hub, commune, engine, addr)
}

/// Peers `commune` with `hub` (serving at `addr`) in both peers files.
pub(crate) fn peer_with_hub(hub: &Node, commune: &Node, addr: SocketAddr) {
    add_peer(hub, commune, None);
    add_peer(commune, hub, Some(addr));
}

/// A listening engine on an ephemeral loopback port that does not dial.
pub(crate) async fn serve(node: &Node) -> (Engine, SocketAddr) {
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

/// A judicial-record case of Nguyễn Thị Hương received on `node` by `canbo01`.
pub(crate) fn new_case(node: &Node) -> hoso_node::CaseView {
    hoso_testkit::node::receive(node, "judicial_record", "020190012345")
}

pub(crate) fn all_cases(node: &Node) -> Vec<hoso_node::CaseSummary> {
    node.list(&CaseQuery {
        limit: 100_000,
        ..CaseQuery::default()
    })
    .expect("list")
}

/// One round from `node` with every peer in its file; panics on a failed round.
pub(crate) async fn round(node: &Node) -> hoso_sync::RoundStats {
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

/// Appends a change chunk to a case in `node`'s store behind every check (no audit entry), as
/// a tampered store or a patched binary would, and puts the case at the head of the feed so
/// sync sends it.
pub(crate) fn plant_change(node: &Node, id: &hoso_node::CaseId, chunk: &[u8]) {
    hoso_testkit::tamper::plant_change(hoso_testkit::tamper::db(node), id, chunk)
        .expect("plant change");
}

/// Stores a whole case document in `node`'s store behind every check (scope, audit).
pub(crate) fn plant_doc(node: &Node, bytes: &[u8]) -> hoso_node::CaseId {
    hoso_testkit::tamper::plant_doc(hoso_testkit::tamper::db(node), bytes).expect("plant doc")
}

/// A change to case `id` of `node` made with Automerge `actor` and written by nobody's audit
/// entry: the bytes after the case's current heads.
pub(crate) fn forged_change(node: &Node, id: &hoso_node::CaseId, actor: [u8; 16]) -> Vec<u8> {
    forged_change_with(node, id, actor, "Đã cấp (giả mạo)")
}

/// [`forged_change`] that writes `value` as the case's result.
pub(crate) fn forged_change_with(
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
