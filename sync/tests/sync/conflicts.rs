//! Concurrent `decided` vs `stopped` lands in the review queue on both nodes.

use hoso_node::CaseQuery;
use hoso_schemas::Status;

use super::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decided_versus_stopped_enters_the_review_queue_on_both_nodes() {
    let (hub, commune, engine, _) = hub_and_commune().await;
    let c = new_case(&commune.node);
    commune
        .node
        .transition(
            &login(&commune.node, "canbo01"),
            &c.receipt_code,
            Status::InProcess,
            None,
            None,
        )
        .expect("in process");
    round(&commune.node).await;
    commune
        .node
        .transition(
            &login(&commune.node, "lanhdao01"),
            &c.receipt_code,
            Status::Decided,
            None,
            None,
        )
        .expect("decided");
    hub.node
        .transition(
            &login(&hub.node, "lanhdao01"),
            &c.receipt_code,
            Status::Stopped,
            None,
            Some("thiếu hồ sơ"),
        )
        .expect("stopped");
    let s = round(&commune.node).await;
    assert_eq!(s.conflicts, 1, "{s:?}");
    for n in [&commune.node, &hub.node] {
        let q = n
            .list(&CaseQuery {
                conflicts: true,
                ..CaseQuery::default()
            })
            .expect("list");
        assert_eq!(q.len(), 1, "{n:?}");
        let rec = n
            .review_of(&c.id)
            .expect("review")
            .expect("a review record");
        let sides: Vec<_> = rec.sides.iter().map(|s| s.status.as_str()).collect();
        assert!(
            sides.contains(&"decided") && sides.contains(&"stopped"),
            "{rec:?}"
        );
        assert!(
            rec.sides
                .iter()
                .all(|s| s.officer.as_deref() == Some("lanhdao01") && s.at.is_some())
        );
    }
    // Resolving is a normal audited transition from one of the values; a decided case is
    // handed over with its recorded result.
    commune
        .node
        .record_result(
            &login(&commune.node, "canbo01"),
            &c.receipt_code,
            &hoso_node::node::ResultInput {
                track: None,
                kind: "Phiếu lý lịch tư pháp".into(),
                number: "7/2026".into(),
                date: hoso_node::deadline::now().date_naive(),
                signer: "Lương Văn Đạt".into(),
                channel: hoso_node::case::Delivery::Desk,
            },
        )
        .expect("result");
    commune
        .node
        .transition(
            &login(&commune.node, "lanhdao01"),
            &c.receipt_code,
            Status::Returned,
            None,
            Some("đã thống nhất"),
        )
        .expect("resolve");
    round(&commune.node).await;
    for n in [&commune.node, &hub.node] {
        let v = n.case(&c.receipt_code).expect("case");
        assert_eq!(v.status, Status::Returned);
        assert!(!v.has_conflict());
        assert!(n.review_of(&c.id).expect("review").is_none());
    }
    engine.shutdown().await;
}
