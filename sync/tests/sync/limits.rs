//! Sync is bounded in bytes (issue 9 item 4): a case bigger than a part travels in parts, a
//! case with one change over the part limit is reported and never blocks the others, and audit
//! messages are cut by bytes.

use hoso_sync::net::DriveOptions;

use super::common::*;

/// Text that does not compress (so its size on the wire is its length).
fn noise(seed: u64, len: usize) -> String {
    let mut x = seed
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    (0..len)
        .map(|_| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            char::from(b'a' + ((x >> 33) % 26) as u8)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn big_cases_travel_in_parts_and_one_too_big_blocks_nothing() {
    let (hub, commune, engine, addr) = hub_and_commune().await;
    let small: Vec<_> = (0..5).map(|_| new_case(&commune.node)).collect();
    // The part limit: a little over the largest single change a case has when created.
    let create = commune
        .node
        .case_doc(&small[0].id)
        .expect("doc")
        .automerge()
        .get_changes(&[])
        .into_iter()
        .map(|mut c| c.bytes().len())
        .max()
        .expect("a change");
    let part = create + 600;
    // A case with 12 notes of part/2 bytes: several parts.
    let big = new_case(&commune.node);
    for i in 0..12 {
        commune
            .node
            .add_note(
                &login(&commune.node, "canbo01"),
                &big.receipt_code,
                &noise(i, part / 2),
            )
            .expect("note");
    }
    // A case with one change over the part limit (the node's own content limits keep such a
    // change from being typed, so it is planted in the store).
    let huge = new_case(&commune.node);
    let change = forged_change_with(
        &commune.node,
        &huge.id,
        commune.node.actor(),
        &noise(99, 4 * part),
    );
    assert!(change.len() > part);
    plant_change(&commune.node, &huge.id, &change);

    let peer = peer_entry(&hub.node, Some(addr));
    let ep = hoso_sync::net::bind_endpoint(&commune.node, "127.0.0.1:0".parse().expect("a"), false)
        .await
        .expect("endpoint");
    let r = hoso_sync::engine::round_with(
        &commune.node,
        &ep,
        &peer,
        DriveOptions {
            once: true,
            part_bytes: Some(part),
            audit_bytes: Some(part),
            ..DriveOptions::default()
        },
    )
    .await
    .expect("round");
    ep.close().await;
    let s = r.stats;
    assert_eq!(s.too_large, 1, "{s:?}");
    assert_eq!(s.refused_by_peer, 0, "{s:?}");
    // The big case arrived whole, in parts.
    let sent_big = s.docs_sent + s.changes_sent;
    assert!(sent_big >= 5, "expected parts, {s:?}");
    let mut at_hub = hub.node.case_doc(&big.id).expect("big at hub").heads();
    let mut at_commune = commune.node.case_doc(&big.id).expect("big").heads();
    at_hub.sort();
    at_commune.sort();
    assert_eq!(at_hub, at_commune);
    assert_eq!(
        hub.node.case(&big.receipt_code).expect("case").notes.len(),
        12
    );
    // Every other case arrived; the one too big did not, and nothing else was held back.
    for c in &small {
        assert!(hub.node.case(&c.receipt_code).is_ok());
    }
    assert!(hub.node.case(&huge.receipt_code).is_err());
    // The audit chain arrived whole in messages of at most `part` bytes.
    let cid = commune.node.id();
    assert_eq!(
        hub.node.chain_len(&cid).expect("len"),
        commune.node.chain_len(&cid).expect("len")
    );
    assert!(hub.node.quarantined().expect("q").is_empty());
    engine.shutdown().await;
}
