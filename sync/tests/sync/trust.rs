//! The hub trusts only what it can verify (issue 9 item 6): a change no held audit entry
//! accounts for is quarantined and the sender is told; a peer that is not what the peers file
//! says gets nothing; another commune's case details never leave the hub.

use hoso_node::ingest::IncomingDoc;
use hoso_node::ingest::quarantine::RefusalKind;

use super::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_no_audit_entry_accounts_for_is_quarantined_and_the_sender_told() {
    let (hub, commune, engine, _) = hub_and_commune().await;
    let c = new_case(&commune.node);
    round(&commune.node).await;
    assert!(hub.node.case(&c.receipt_code).is_ok());

    // The commune's store gains a change behind the write path (no audit entry), made with
    // the commune's own actor, and another case is written normally.
    let forged = forged_change(&commune.node, &c.id, commune.node.actor());
    plant_change(&commune.node, &c.id, &forged);
    let honest = new_case(&commune.node);
    let rounds = hoso_sync::sync_once(&commune.node, None, false)
        .await
        .expect("sync once");
    let s = rounds[0].stats.clone().expect("the round completes");
    assert_eq!(s.refused_by_peer, 1, "{s:?}");
    let why = s.refusal_reason.clone().unwrap_or_default();
    assert!(why.contains("accounted by no audit entry"), "{why}");

    // The hub did not merge it, quarantined it with the reason, and took the honest case.
    let at_hub = hub.node.case(&c.receipt_code).expect("case");
    assert!(
        at_hub.result.as_deref() != Some("Đã cấp (giả mạo)"),
        "forged change merged"
    );
    let q = hub.node.quarantined().expect("quarantine");
    assert_eq!(q.len(), 1, "{q:?}");
    assert_eq!(
        (q[0].case_id, q[0].kind, q[0].peer),
        (c.id, RefusalKind::Unaccounted, commune.node.id())
    );
    assert!(q[0].kept_bytes > 0);
    assert!(hub.node.case(&honest.receipt_code).is_ok());
    // The audit of the hub's store still finds nothing wrong: the forged change is not in it.
    let r = hub.node.verify_audit(&Default::default()).expect("verify");
    assert!(r.findings.is_empty(), "{:?}", r.findings);

    // A change with another node's actor is refused the same way.
    let forged = forged_change(&commune.node, &honest.id, hub.node.actor());
    plant_change(&commune.node, &honest.id, &forged);
    let s = round_stats(&commune.node).await;
    assert_eq!(s.refused_by_peer, 1, "{s:?}");
    assert_eq!(hub.node.quarantined().expect("q").len(), 2);
    engine.shutdown().await;
}

/// The stats of the one round of `node` (which has one peer).
async fn round_stats(node: &hoso_node::Node) -> hoso_sync::RoundStats {
    let mut rounds = hoso_sync::sync_once(node, None, false)
        .await
        .expect("sync once");
    let r = rounds.remove(0);
    r.stats
        .unwrap_or_else(|| panic!("round with {} failed: {:?}", r.name, r.error))
}

#[test]
fn a_case_refused_for_want_of_its_entries_is_merged_once_they_arrive() {
    let hub = node(None);
    let commune = node(Some("06112"));
    let c = new_case(&commune.node);
    let doc = IncomingDoc {
        id: c.id,
        full: true,
        heads: Vec::new(),
        bytes: commune.node.doc_bytes(&c.id).expect("bytes"),
    };
    let cid = commune.node.id();
    let allow = |_: &str, _: &str| true;
    let r = hub
        .node
        .ingest_batch(&cid, std::slice::from_ref(&doc), 1, &allow)
        .expect("ingest");
    assert_eq!(r.refused(), 1);
    assert!(hub.node.case(&c.receipt_code).is_err());
    assert_eq!(hub.node.quarantined().expect("q").len(), 1);
    // Nothing to release while the entries are still missing.
    assert_eq!(hub.node.retry_quarantined(&cid, &allow).expect("retry"), 0);
    let recs = commune.node.chain_records(&cid, 0, 1000).expect("records");
    hub.node.ingest_chain(&cid, &recs).expect("chain");
    assert_eq!(hub.node.retry_quarantined(&cid, &allow).expect("retry"), 1);
    assert!(hub.node.case(&c.receipt_code).is_ok());
    assert!(hub.node.quarantined().expect("q").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_that_is_not_what_the_peers_file_says_gets_nothing() {
    let hub = node(None);
    let a = node(Some("06112"));
    let b = node(Some("06113"));
    let (engine, addr) = serve(&hub.node).await;
    peer_with_hub(&hub, &b, addr);
    let bc = new_case(&b.node);
    round(&b.node).await;
    assert!(hub.node.case(&bc.receipt_code).is_ok());

    // The hub's operator typed commune b's code for commune a.
    let mut wrong = peer_entry(&a.node, None);
    wrong.scope = vec!["06113".into()];
    let mut peers = hoso_node::Peers::load(hub.node.dir()).expect("peers");
    peers
        .add(hub.node.config(), &hub.node.id(), wrong)
        .expect("add");
    peers.save(hub.node.dir()).expect("save");
    add_peer(&a.node, &hub.node, Some(addr));
    let ac = new_case(&a.node);
    let rounds = hoso_sync::sync_once(&a.node, None, false)
        .await
        .expect("sync once");
    let err = rounds[0].error.clone().unwrap_or_default();
    assert!(err.contains("06112") && err.contains("06113"), "{err}");
    // Nothing moved either way: no b case at a, no a chain or case at the hub.
    assert!(a.node.case(&bc.receipt_code).is_err());
    assert_eq!(all_cases(&a.node).len(), 1);
    assert_eq!(hub.node.chain_len(&a.node.id()).expect("len"), 0);
    assert!(hub.node.case(&ac.receipt_code).is_err());
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hub_sends_no_details_of_another_communes_case() {
    let hub = node(None);
    let a = node(Some("06112"));
    let b = node(Some("06113"));
    let (engine, addr) = serve(&hub.node).await;
    for c in [&a, &b] {
        peer_with_hub(&hub, c, addr);
    }
    let bc = new_case(&b.node);
    let ac = new_case(&a.node);
    round(&b.node).await;
    round(&a.node).await;
    // The hub's officers note on both cases; their entries are in the hub's chain.
    hub.node
        .add_note(
            &login(&hub.node, "canbo01"),
            &bc.receipt_code,
            "Tỉnh đã xem hồ sơ của Nguyễn Thị Hương",
        )
        .expect("note");
    hub.node
        .add_note(
            &login(&hub.node, "canbo01"),
            &ac.receipt_code,
            "Tỉnh đã xem",
        )
        .expect("note");
    round(&a.node).await;
    let hub_id = hub.node.id();
    assert_eq!(
        a.node.chain_len(&hub_id).expect("len"),
        hub.node.chain_len(&hub_id).expect("len"),
        "the hub's chain arrives whole"
    );
    let at_a = a.node.audit_chain(&hub_id, 0, 10_000).expect("chain");
    let about_b: Vec<_> = at_a
        .iter()
        .filter(|e| e.entry.body.case_id == bc.id)
        .collect();
    assert!(!about_b.is_empty());
    assert!(
        about_b.iter().all(|e| e.payload.is_none()),
        "a commune received the details of another commune's case"
    );
    assert!(
        at_a.iter()
            .any(|e| e.entry.body.case_id == ac.id && e.payload.is_some()),
        "its own case's details arrive"
    );
    let v = a.node.case(&ac.receipt_code).expect("case");
    assert!(v.notes.iter().any(|n| n.text == "Tỉnh đã xem"));
    engine.shutdown().await;
}

/// A merged step this node's workflow does not allow the officer's role (as the signer's
/// chain declared it) is kept, and the case is flagged for review.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_the_role_may_not_take_is_merged_and_flagged_for_review() {
    let TestNode { node: first, dir } = node(None);
    drop(first);
    // The province's catalog makes taking a judicial-record case in a supervisor's step.
    let cat = dir.path().join("catalog");
    std::fs::create_dir_all(&cat).expect("catalog dir");
    let src = concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas/catalog");
    for e in std::fs::read_dir(src).expect("catalog") {
        let p = e.expect("entry").path();
        let mut text = std::fs::read_to_string(&p).expect("read");
        if p.file_name().is_some_and(|n| n == "judicial_record.toml") {
            text = text.replacen(
                "from = \"received\"\nto = \"in_process\"\nroles = [\"officer\", \"supervisor\"]",
                "from = \"received\"\nto = \"in_process\"\nroles = [\"supervisor\"]",
                1,
            );
            assert!(text.contains("to = \"in_process\"\nroles = [\"supervisor\"]"));
        }
        std::fs::write(cat.join(p.file_name().expect("name")), text).expect("write");
    }
    let hub = TestNode {
        node: hoso_node::Node::open(dir.path()).expect("reopen with the catalog"),
        dir,
    };
    let commune = node(Some("06112"));
    let (engine, addr) = serve(&hub.node).await;
    peer_with_hub(&hub, &commune, addr);
    let ok_case = new_case(&commune.node);
    let c = new_case(&commune.node);
    commune
        .node
        .transition(
            &login(&commune.node, "canbo01"),
            &c.receipt_code,
            hoso_schemas::Status::InProcess,
            None,
            None,
        )
        .expect("allowed at the commune");
    let s = round_stats(&commune.node).await;
    assert_eq!(s.refused_by_peer, 0, "{s:?}");
    let v = hub.node.case(&c.receipt_code).expect("merged");
    assert_eq!(v.status, hoso_schemas::Status::InProcess);
    let rec = hub
        .node
        .review_of(&c.id)
        .expect("review")
        .expect("flagged for review");
    assert!(
        rec.workflow_breaks
            .iter()
            .any(|b| b.contains("canbo01") && b.contains("officer") && b.contains("supervisor")),
        "{rec:?}"
    );
    assert!(hub.node.review_of(&ok_case.id).expect("review").is_none());
    engine.shutdown().await;
}
