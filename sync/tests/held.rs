//! Sessions whose process's budget of held messages (`hoso_sync::held`) is smaller than one
//! group: the readers wait, the groups shrink, and a backlog still syncs whole, with every
//! share given back. Its own test binary: the budget is one per process.

#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;

use hoso_node::Node;
use hoso_sync::net::DriveOptions;
use hoso_sync::{Engine, EngineOptions, held};
use hoso_testkit::node::{add_peer, build as node, login, new_case, peer_entry};

const BUDGET: usize = 48 * 1024;

async fn serve(node: &Node) -> (Engine, SocketAddr) {
    let e = Engine::start(
        node.clone(),
        EngineOptions {
            bind: Some("127.0.0.1:0".parse().unwrap()),
            relays: false,
            no_dial: true,
        },
    )
    .await
    .unwrap();
    let addr = *e.local_addrs().first().unwrap();
    (e, addr)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backlog_syncs_whole_through_a_budget_smaller_than_a_group() {
    assert!(
        held::init_shared(BUDGET),
        "the budget is set before any session"
    );
    let hub = node(None);
    let commune = node(Some("06112"));
    let (engine, addr) = serve(&hub.node).await;
    add_peer(&hub.node, &commune.node, None);
    add_peer(&commune.node, &hub.node, Some(addr));
    let canbo = login(&commune.node, "canbo01");
    for i in 0..120 {
        let citizen = if i % 2 == 0 {
            "020075000777"
        } else {
            "020190012345"
        };
        commune
            .node
            .create_case(&canbo, new_case(&commune.node, "judicial_record", citizen))
            .unwrap();
    }
    let peer = peer_entry(&hub.node, Some(addr));
    let ep = hoso_sync::net::bind_endpoint(&commune.node, "127.0.0.1:0".parse().unwrap(), false)
        .await
        .unwrap();
    let r = hoso_sync::engine::round_with(
        &commune.node,
        &ep,
        &peer,
        DriveOptions {
            once: true,
            // Many small messages, so that a group could hold far more than the budget.
            batch_entries: Some(4),
            audit_bytes: Some(8 * 1024),
            ..DriveOptions::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(r.stats.refused_by_peer, 0, "{:?}", r.stats.refusal_reason);
    assert_eq!(hub.node.status().unwrap().cases, 120);
    let cid = commune.node.id();
    assert_eq!(
        hub.node.chain_len(&cid).unwrap(),
        commune.node.chain_len(&cid).unwrap()
    );
    ep.close().await;
    engine.shutdown().await;
    // Every share came back once its step was done.
    let b = held::shared();
    assert_eq!(b.size(), BUDGET);
    let start = std::time::Instant::now();
    while b.available() != b.size() {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(10),
            "{} of {} bytes still held after the sessions ended",
            b.size() - b.available(),
            b.size()
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
