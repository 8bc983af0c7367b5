//! A hub with three communes: scopes on send and on receive; unknown node ids refused.

use super::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hub_with_three_communes_keeps_each_in_its_scope() {
    let hub = node(None);
    let communes = [
        node(Some("06112")),
        node(Some("06113")),
        node(Some("06114")),
    ];
    let (engine, addr) = serve(&hub.node).await;
    let mut own = Vec::new();
    for c in &communes {
        peer_with_hub(&hub, c, addr);
        own.push(new_case(&c.node));
    }
    for c in &communes {
        round(&c.node).await;
    }
    assert_eq!(all_cases(&hub.node).len(), 3);
    // The hub edits each commune's case; each commune sees only its own, with the hub's edit.
    for case in &own {
        hub.node
            .add_note(
                &login(&hub.node, "lanhdao01"),
                &case.receipt_code,
                "Tỉnh đã xem",
            )
            .expect("hub note");
    }
    for c in &communes {
        round(&c.node).await;
    }
    for (c, case) in communes.iter().zip(&own) {
        let held = all_cases(&c.node);
        assert_eq!(held.len(), 1, "a commune holds another commune's case");
        assert_eq!(held[0].id, case.id);
        let v = c.node.case(&case.receipt_code).expect("case");
        assert!(v.notes.iter().any(|n| n.text == "Tỉnh đã xem"));
    }

    // Commune 06113 pushes a case of commune 06112 (crafted: a real case of another node,
    // merged into its store behind sync's back). The hub refuses it and stores nothing of it.
    let other = node(Some("06112"));
    let foreign = new_case(&other.node);
    let bytes = other.node.doc_bytes(&foreign.id).expect("bytes");
    plant_doc(&communes[1].node, &bytes);
    let s = round(&communes[1].node).await;
    assert_eq!(s.refused_by_peer, 1, "{s:?}");
    assert!(
        hub.node.case(&foreign.id.to_string()).is_err(),
        "the hub stored a case outside the sender's scope"
    );
    assert!(hub.node.case_doc(&foreign.id).is_err());
    // It is not offered again: the hub's checkpoint moved past it.
    let s = round(&communes[1].node).await;
    assert_eq!(s.docs_sent + s.refused_by_peer, 0, "{s:?}");
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_node_id_is_refused_before_any_data_moves() {
    let hub = node(None);
    let stranger = node(Some("06112"));
    let (engine, addr) = serve(&hub.node).await;
    add_peer(&stranger.node, &hub.node, Some(addr));
    new_case(&stranger.node);
    let rounds = hoso_sync::sync_once(&stranger.node, None, false)
        .await
        .expect("rounds");
    assert_eq!(rounds.len(), 1);
    assert!(rounds[0].error.is_some(), "{rounds:?}");
    assert!(all_cases(&hub.node).is_empty());
    assert_eq!(
        hub.node.sync_checkpoint(&stranger.node.id()).expect("cp"),
        0
    );
    assert_eq!(hub.node.chain_len(&stranger.node.id()).expect("len"), 0);
    engine.shutdown().await;
}
