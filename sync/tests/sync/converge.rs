//! Two nodes converge; concurrent edits merge; a repeated round moves nothing.

use super::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_converge_merge_concurrent_edits_and_repeat_moves_nothing() {
    let (hub, commune, engine, _) = hub_and_commune().await;

    let c1 = new_case(&commune.node);
    let _c2 = new_case(&commune.node);
    let h1 = new_case(&hub.node);
    let s = round(&commune.node).await;
    assert_eq!(s.docs_sent, 2, "{s:?}");
    assert_eq!(s.docs_received, 1, "{s:?}");
    assert_eq!(all_cases(&hub.node).len(), 3);
    assert_eq!(all_cases(&commune.node).len(), 3);

    // Concurrent edits on both sides of one case: a note each, and a field on one side.
    commune
        .node
        .add_note(
            &login(&commune.node, "canbo01"),
            &c1.receipt_code,
            "Ghi chú của xã",
        )
        .expect("note");
    hub.node
        .add_note(
            &login(&hub.node, "lanhdao01"),
            &c1.receipt_code,
            "Ghi chú của tỉnh",
        )
        .expect("note");
    hub.node
        .add_note(
            &login(&hub.node, "canbo01"),
            &h1.receipt_code,
            "Tỉnh bổ sung",
        )
        .expect("note");
    let s = round(&commune.node).await;
    assert_eq!(s.changes_sent, 1, "{s:?}");
    assert_eq!(s.changes_received, 2, "{s:?}");
    for n in [&hub.node, &commune.node] {
        let v = n.case(&c1.receipt_code).expect("case");
        let texts: Vec<_> = v.notes.iter().map(|x| x.text.as_str()).collect();
        assert!(
            texts.contains(&"Ghi chú của xã") && texts.contains(&"Ghi chú của tỉnh"),
            "{texts:?}"
        );
    }
    assert_eq!(
        hub.node.case(&c1.receipt_code).expect("a"),
        commune.node.case(&c1.receipt_code).expect("b")
    );

    // The same run again: nothing moves but the handshake.
    let s = round(&commune.node).await;
    assert_eq!(
        s.docs_sent + s.changes_sent + s.docs_received + s.changes_received,
        0,
        "{s:?}"
    );
    assert_eq!(s.audit_sent + s.audit_received, 0, "{s:?}");
    assert!(
        s.bytes_in + s.bytes_out < 600,
        "a no-op round moved {} bytes",
        s.bytes_in + s.bytes_out
    );
    assert!(hub.node.check_indexes().expect("check").is_empty());
    assert!(commune.node.check_indexes().expect("check").is_empty());
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_connection_pushes_a_local_change() {
    let (hub, commune, hub_engine, _) = hub_and_commune().await;
    let engine = hoso_sync::Engine::start(
        commune.node.clone(),
        hoso_sync::EngineOptions {
            bind: Some("127.0.0.1:0".parse().expect("addr")),
            ..Default::default()
        },
    )
    .await
    .expect("engine");
    let c = new_case(&commune.node);
    let mut ok = false;
    for _ in 0..100 {
        if hub.node.case(&c.receipt_code).is_ok() {
            ok = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(ok, "the live engine did not push the new case within 10 s");
    let status = commune.node.sync_status().borrow().clone();
    assert!(status.running);
    assert_eq!(status.peers.len(), 1);
    engine.shutdown().await;
    hub_engine.shutdown().await;
}
