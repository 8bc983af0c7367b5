//! A case's legal life in the node (issue 10): bundle tracks with their own hand-off and due
//! date, results, the supplement rule and apologies, each through the one write path.

use chrono::Duration;
use hoso_node::node::{ApologyInput, ResultInput, SupplementInput};
use hoso_node::{
    CaseView, Node, NodeError, audit::entry::Action, case::Delivery, error::LifecycleError,
};
use hoso_schemas::Status;
use hoso_testkit::node::{commune, login, receive};

fn go(n: &Node, who: &str, code: &str, to: Status, track: Option<&str>) -> CaseView {
    n.transition(&login(n, who), code, to, track, None)
        .unwrap_or_else(|e| panic!("{code} {track:?} -> {to}: {e}"))
}

fn result(track: Option<&str>, kind: &str) -> ResultInput {
    ResultInput {
        track: track.map(str::to_string),
        kind: kind.into(),
        number: "125/2026".into(),
        date: hoso_node::deadline::now().date_naive(),
        signer: "Lương Văn Đạt".into(),
        channel: Delivery::Desk,
    }
}

fn lifecycle(e: NodeError) -> LifecycleError {
    match e {
        NodeError::Lifecycle(l) => l,
        other => panic!("expected a lifecycle refusal, got {other:?}"),
    }
}

#[test]
fn a_birth_bundle_moves_track_by_track_and_returns_only_when_every_track_ended() {
    let t = commune("06112");
    let n = &t.node;
    let v = receive(n, "bundle_birth", "020190012345");
    let code = v.receipt_code.clone();
    let birth = &v.tracks["birth_registration"];
    let received = chrono::DateTime::parse_from_rfc3339(&v.received_at).expect("time");
    let spec = |t: &str| {
        n.catalog()
            .procedure("bundle_birth")
            .expect("p")
            .track_spec(t)
            .cloned()
            .expect("spec")
    };
    // The birth track is handed off at receipt and due by its own (same-day) limit.
    assert_eq!(birth.handed_off_at.as_deref(), Some(v.received_at.as_str()));
    assert_eq!(
        birth.due_date.as_deref(),
        Some(
            spec("birth_registration")
                .deadline
                .due_date(n.calendar(), received)
                .to_string()
                .as_str()
        )
    );
    assert!(v.tracks["permanent_residence"].due_date.is_none());
    // The bundle's own due date is the legal bundle limit (3 working days).
    let p = n.catalog().procedure("bundle_birth").expect("p");
    assert_eq!(
        v.due_date,
        p.deadline.due_date(n.calendar(), received).to_string()
    );

    // Residence waits for the birth registration.
    let e = n
        .transition(
            &login(n, "canbo01"),
            &code,
            Status::InProcess,
            Some("permanent_residence"),
            None,
        )
        .expect_err("waits");
    assert!(
        matches!(lifecycle(e), LifecycleError::TrackWaits { ref after, .. } if after == "birth_registration")
    );

    go(n, "canbo01", &code, Status::InProcess, None);
    go(
        n,
        "canbo01",
        &code,
        Status::InProcess,
        Some("birth_registration"),
    );
    go(
        n,
        "canbo01",
        &code,
        Status::Decided,
        Some("birth_registration"),
    );
    let e = n
        .transition(&login(n, "lanhdao01"), &code, Status::Decided, None, None)
        .expect_err("tracks open");
    let msg = e.to_string();
    assert!(
        matches!(lifecycle(e), LifecycleError::TracksOpen { .. }),
        "{msg}"
    );
    assert!(msg.contains("permanent_residence (received)"), "{msg}");

    // Hand-off: the residence track's due date counts from now, by its own limit.
    let before = hoso_node::deadline::now();
    let v = n
        .move_track(
            &login(n, "canbo01"),
            &code,
            "permanent_residence",
            Status::InProcess,
            Some("Chuyển Công an xã"),
        )
        .expect("hand off");
    let r = &v.tracks["permanent_residence"];
    let at = chrono::DateTime::parse_from_rfc3339(r.handed_off_at.as_deref().expect("handed off"))
        .expect("t");
    assert!(at >= before - Duration::seconds(1));
    assert_eq!(
        r.due_date.as_deref(),
        Some(
            spec("permanent_residence")
                .deadline
                .due_date(n.calendar(), at)
                .to_string()
                .as_str()
        )
    );
    // The agency's list shows it (accents ignored), not the social-insurance track's.
    let police = n.track_list(Some("cong an"), false).expect("list");
    assert_eq!(police.len(), 1, "{police:?}");
    assert_eq!(police[0].track, "permanent_residence");
    assert_eq!(police[0].agency, "Công an cấp xã");
    assert!(!police[0].overdue);
    assert!(
        n.track_list(Some("cong an"), true)
            .expect("overdue")
            .is_empty()
    );

    go(
        n,
        "lanhdao01",
        &code,
        Status::Decided,
        Some("permanent_residence"),
    );
    go(
        n,
        "canbo01",
        &code,
        Status::InProcess,
        Some("health_insurance_child"),
    );
    go(
        n,
        "lanhdao01",
        &code,
        Status::Decided,
        Some("health_insurance_child"),
    );
    // A decided track is handed over only with its result.
    let e = n
        .transition(
            &login(n, "canbo01"),
            &code,
            Status::Returned,
            Some("health_insurance_child"),
            None,
        )
        .expect_err("no result");
    assert!(matches!(lifecycle(e), LifecycleError::NoResult { .. }));
    go(n, "lanhdao01", &code, Status::Decided, None);
    let e = n
        .transition(&login(n, "canbo01"), &code, Status::Returned, None, None)
        .expect_err("no track results");
    assert!(e.to_string().contains("track `"), "{e}");
    for (track, kind) in [
        ("birth_registration", "Trích lục khai sinh"),
        (
            "permanent_residence",
            "Thông báo kết quả đăng ký thường trú",
        ),
        ("health_insurance_child", "Thẻ bảo hiểm y tế"),
    ] {
        n.record_result(&login(n, "canbo01"), &code, &result(Some(track), kind))
            .expect("result");
    }
    let v = go(n, "canbo01", &code, Status::Returned, None);
    assert_eq!(v.status, Status::Returned);
    assert_eq!(
        v.tracks["health_insurance_child"]
            .result
            .as_ref()
            .map(|r| r.kind.as_str()),
        Some("Thẻ bảo hiểm y tế")
    );
    // Ended bundles' tracks no longer move, and leave the agencies' lists.
    let e = n
        .transition(
            &login(n, "canbo01"),
            &code,
            Status::Returned,
            Some("birth_registration"),
            None,
        )
        .expect_err("ended");
    assert!(matches!(lifecycle(e), LifecycleError::BundleEnded { .. }));
    assert!(n.track_list(None, false).expect("list").is_empty());
    // Every step is one audit entry; results have their own action.
    let entries = n.audit_for_case(&v.id).expect("entries");
    let results = entries
        .iter()
        .filter(|e| e.entry.body.action == Action::CaseResult)
        .count();
    assert_eq!(results, 3);
    assert_eq!(n.check_indexes().expect("check"), vec![]);
}

#[test]
fn returned_needs_a_result_and_the_result_is_checked() {
    let t = commune("06112");
    let n = &t.node;
    let v = receive(n, "judicial_record", "020075000777");
    let code = v.receipt_code.clone();
    let e = n
        .record_result(
            &login(n, "canbo01"),
            &code,
            &result(None, "Phiếu lý lịch tư pháp"),
        )
        .expect_err("received");
    assert!(matches!(lifecycle(e), LifecycleError::ResultNotNow { .. }));
    go(n, "canbo01", &code, Status::InProcess, None);
    go(n, "lanhdao01", &code, Status::Decided, None);
    let e = n
        .transition(&login(n, "canbo01"), &code, Status::Returned, None, None)
        .expect_err("no result");
    assert!(e.is_bad_input());
    assert!(matches!(lifecycle(e), LifecycleError::NoResult { .. }));
    let mut future = result(None, "Phiếu lý lịch tư pháp");
    future.date += Duration::days(3);
    assert!(matches!(
        lifecycle(
            n.record_result(&login(n, "canbo01"), &code, &future)
                .expect_err("future")
        ),
        LifecycleError::ResultDate { .. }
    ));
    let mut empty = result(None, " ");
    empty.kind = "  ".into();
    assert!(matches!(
        lifecycle(
            n.record_result(&login(n, "canbo01"), &code, &empty)
                .expect_err("empty")
        ),
        LifecycleError::Empty { .. }
    ));
    assert!(matches!(
        n.record_result(&login(n, "thanhtra01"), &code, &result(None, "x"))
            .expect_err("auditor"),
        NodeError::NotPermitted { .. }
    ));
    let v = n
        .record_result(
            &login(n, "canbo01"),
            &code,
            &result(None, "Phiếu lý lịch tư pháp số 1"),
        )
        .expect("result");
    let r = v.result_record.as_ref().expect("recorded");
    assert_eq!(r.channel, Delivery::Desk);
    assert_eq!(r.officer, "canbo01");
    assert!(
        v.result.as_deref().is_some_and(|s| s.contains("125/2026")),
        "{:?}",
        v.result
    );
    let v = go(n, "canbo01", &code, Status::Returned, None);
    assert_eq!(v.status, Status::Returned);
    let e = n
        .record_result(&login(n, "canbo01"), &code, &result(None, "x"))
        .expect_err("returned");
    assert!(matches!(lifecycle(e), LifecycleError::ResultNotNow { .. }));
}

#[test]
fn one_supplement_request_then_a_supervisor_with_a_reason() {
    let t = commune("06112");
    let n = &t.node;
    let v = receive(n, "judicial_record", "020075000777");
    let code = v.receipt_code.clone();
    go(n, "canbo01", &code, Status::InProcess, None);
    let today = hoso_node::deadline::now().date_naive();
    let by = today + Duration::days(10);
    let ask_by = |who: &str, items: &[&str], reason: Option<&str>, deadline| {
        n.request_supplement(
            &login(n, who),
            &code,
            &SupplementInput {
                items: items.iter().map(std::string::ToString::to_string).collect(),
                reason: reason.map(str::to_string),
                deadline,
            },
        )
    };
    let ask =
        |who: &str, items: &[&str], reason: Option<&str>| ask_by(who, items, reason, Some(by));
    // The catalog sets no supplement limit for a judicial record: the deadline must be given,
    // and after today.
    let e = ask_by("canbo01", &["x"], None, None).expect_err("no limit");
    assert!(matches!(
        lifecycle(e),
        LifecycleError::NoSupplementLimit { .. }
    ));
    let e = ask_by("canbo01", &["x"], None, Some(today)).expect_err("today");
    assert!(matches!(
        lifecycle(e),
        LifecycleError::SupplementDeadline { .. }
    ));
    assert!(matches!(
        lifecycle(ask("canbo01", &[" "], None).expect_err("no items")),
        LifecycleError::Empty { .. }
    ));
    let v =
        ask("canbo01", &["Bản chụp hộ chiếu", "Ảnh 4x6\ncòn hạn"], None).expect("first request");
    assert_eq!(v.status, Status::SupplementRequested);
    let s = &v.supplements[0];
    assert_eq!(s.items, ["Bản chụp hộ chiếu", "Ảnh 4x6 còn hạn"]);
    assert_eq!(s.deadline, by.to_string());
    assert_eq!(v.supplement_deadline(), Some(by));
    assert!(v.paused_since().is_some());
    assert!(!v.stop_proposed);
    // Past the deadline, the case is proposed for stop.
    let d = v.supplement_deadline().expect("deadline");
    assert!(!v.stop_proposed_on(d));
    assert!(v.stop_proposed_on(d + Duration::days(1)));
    assert!(!v.overdue, "one request keeps the clock honest");
    go(n, "canbo01", &code, Status::InProcess, None);
    // A second request: an officer is refused, by either path; a supervisor needs a reason.
    let e = ask(
        "canbo01",
        &["Giấy xác nhận cư trú"],
        Some("Thiếu sót mới phát hiện"),
    )
    .expect_err("officer");
    assert!(matches!(
        lifecycle(e),
        LifecycleError::SecondSupplement { previous: 1, .. }
    ));
    let e = n
        .transition(
            &login(n, "canbo01"),
            &code,
            Status::SupplementRequested,
            None,
            Some("lần hai"),
        )
        .expect_err("plain transition too");
    assert!(matches!(
        lifecycle(e),
        LifecycleError::SecondSupplement { .. }
    ));
    assert!(matches!(
        lifecycle(ask("lanhdao01", &["Giấy xác nhận cư trú"], None).expect_err("no reason")),
        LifecycleError::SecondSupplement { .. }
    ));
    let v = ask(
        "lanhdao01",
        &["Giấy xác nhận cư trú"],
        Some("Cơ quan công an yêu cầu thêm"),
    )
    .expect("second, by a supervisor");
    assert_eq!(v.supplements.len(), 2);
    assert_eq!(
        v.supplements[1].reason.as_deref(),
        Some("Cơ quan công an yêu cầu thêm")
    );
    assert!(v.overdue, "a second request counts the case as late");
    let entries = n.audit_for_case(&v.id).expect("entries");
    assert_eq!(
        entries
            .iter()
            .filter(|e| e.entry.body.action == Action::SupplementRequest)
            .count(),
        2
    );
}

#[test]
fn an_apology_is_a_supervisors_before_the_appointment_passes() {
    let t = commune("06112");
    let n = &t.node;
    let v = receive(n, "judicial_record", "020075000777");
    let code = v.receipt_code.clone();
    let due = hoso_node::deadline::parse_date(&v.due_date).expect("due");
    let input = |d| ApologyInput {
        reason: "Phải xác minh nơi cư trú trước đây".into(),
        new_date: d,
    };
    let e = n
        .record_apology(&login(n, "canbo01"), &code, &input(due + Duration::days(7)))
        .expect_err("officer");
    assert!(matches!(
        lifecycle(e),
        LifecycleError::ApologyNeedsSupervisor
    ));
    let e = n
        .record_apology(&login(n, "lanhdao01"), &code, &input(due))
        .expect_err("same date");
    assert!(matches!(lifecycle(e), LifecycleError::ApologyDate { .. }));
    let v = n
        .record_apology(
            &login(n, "lanhdao01"),
            &code,
            &input(due + Duration::days(7)),
        )
        .expect("apology");
    assert_eq!(v.apologies.len(), 1);
    assert_eq!(v.apologies[0].old_date, v.due_date);
    assert_eq!(v.appointment_date(), (due + Duration::days(7)).to_string());
    assert_eq!(
        v.due_date,
        due.to_string(),
        "the legal due date stays for reporting"
    );
    let e = n
        .record_apology(
            &login(n, "lanhdao01"),
            &code,
            &ApologyInput {
                reason: " ".into(),
                new_date: due + Duration::days(9),
            },
        )
        .expect_err("no reason");
    assert!(matches!(lifecycle(e), LifecycleError::Empty { .. }));
}
