//! Receiving, editing, transitioning and finding cases; bad input.

use hoso_node::{CaseQuery, NodeError};
use hoso_schemas::Status;
use hoso_testkit::fixtures::PASS;

use hoso_testkit::node::{commune, login, new_case, next_receipt_code, receive};

#[test]
fn receive_a_birth_case_filled_from_the_registry() {
    let t = commune("06112");
    let v = receive(&t.node, "birth_registration", "020190012345");
    // Receipt code: unit code, YYMMDD, 4-digit daily sequence.
    let parts: Vec<&str> = v.receipt_code.rsplitn(3, '-').collect();
    assert_eq!(parts.len(), 3, "{}", v.receipt_code);
    assert_eq!(parts[2], "000.20.06.112");
    assert_eq!(parts[1].len(), 6);
    assert_eq!(parts[0], "0001");
    assert_eq!(v.status, Status::Received);
    assert_eq!(v.applicant_name, "Nguyễn Thị Hương");
    assert_eq!(
        v.fields.get("mother_full_name").map(String::as_str),
        Some("Nguyễn Thị Hương")
    );
    // Through the spouse relation.
    assert_eq!(
        v.fields.get("father_full_name").map(String::as_str),
        Some("Đặng Văn Đức")
    );
    let ev = v.evidence.get("father_full_name").expect("evidence");
    assert_eq!(ev.record_ref, "020088001111");
    assert_eq!(ev.verified_by, "canbo01");
    assert_eq!(ev.digest.len(), 64);
    assert!(v.missing_fields.is_empty(), "{:?}", v.missing_fields);
    // The second case of the day gets the next number.
    let v2 = receive(&t.node, "judicial_record", "020075000777");
    assert_eq!(
        v2.receipt_code,
        next_receipt_code(&v.receipt_code, &v2.receipt_code)
    );
    // The audit chain grew by one entry per action.
    let entries = t.node.audit_for_case(&v.id).expect("entries");
    assert_eq!(entries.len(), 1);
    assert!(entries[0].entry.signature_ok());
    assert_eq!(entries[0].entry.body.changes.len(), 1);
}

#[test]
fn workflow_and_roles_are_enforced() {
    let t = commune("06112");
    let n = &t.node;
    let v = receive(n, "judicial_record", "020075000777");
    let code = v.receipt_code.clone();
    // received -> decided skips in_process.
    let err = n
        .transition(&login(n, "canbo01"), &code, Status::Decided, None, None)
        .expect_err("must fail");
    assert!(matches!(err, NodeError::Workflow(_)), "{err}");
    assert!(err.to_string().contains("in_process"), "{err}");
    n.transition(
        &login(n, "canbo01"),
        &code,
        Status::InProcess,
        None,
        Some("Đủ hồ sơ"),
    )
    .expect("to in_process");
    // An auditor may not write at all.
    let err = n
        .transition(
            &login(n, "thanhtra01"),
            &code,
            Status::SupplementRequested,
            None,
            None,
        )
        .expect_err("must fail");
    assert!(matches!(err, NodeError::NotPermitted { .. }), "{err}");
    // Stopping needs a supervisor.
    let err = n
        .transition(&login(n, "canbo01"), &code, Status::Stopped, None, None)
        .expect_err("must fail");
    assert!(matches!(err, NodeError::Workflow(_)), "{err}");
    assert!(err.to_string().contains("supervisor"), "{err}");
    let v = n
        .transition(&login(n, "lanhdao01"), &code, Status::Stopped, None, None)
        .expect("supervisor stops");
    assert_eq!(v.status, Status::Stopped);
    assert_eq!(v.history.len(), 3);
    assert_eq!(v.history[1].note.as_deref(), Some("Đủ hồ sơ"));
    assert!(n.check_indexes().expect("check").is_empty());
}

#[test]
fn bad_input_gets_typed_errors() {
    let t = commune("06112");
    let n = &t.node;
    // Malformed citizen ids.
    let mut c = new_case(n, "judicial_record", "12345");
    assert!(matches!(
        n.create_case(&login(n, "canbo01"), c.clone()),
        Err(NodeError::CitizenId(_))
    ));
    c.citizen_id = "020190012346".into();
    assert!(matches!(
        n.create_case(&login(n, "canbo01"), c.clone()),
        Err(NodeError::UnknownCitizen(_))
    ));
    // Unknown procedure.
    c.procedure = "passport".into();
    c.citizen_id = "020190012345".into();
    let err = n
        .create_case(&login(n, "canbo01"), c)
        .expect_err("must fail");
    assert!(matches!(err, NodeError::UnknownProcedure(_)), "{err}");
    assert!(
        err.to_string().contains("birth_registration"),
        "lists the known codes: {err}"
    );
    // Missing required field, listed by name.
    let mut c = new_case(n, "birth_registration", "020190012345");
    c.fields.retain(|(k, _)| k != "child_full_name");
    let err = n
        .create_case(&login(n, "canbo01"), c)
        .expect_err("must fail");
    match &err {
        NodeError::MissingFields { fields, .. } => {
            assert_eq!(fields, &vec!["child_full_name".to_string()]);
        }
        other => panic!("expected MissingFields, got {other}"),
    }
    // A wrong field value and an unknown field.
    let mut c = new_case(n, "birth_registration", "020190012345");
    c.fields
        .push(("child_date_of_birth".into(), "2026-13-45".into()));
    assert!(matches!(
        n.create_case(&login(n, "canbo01"), c),
        Err(NodeError::Field(_))
    ));
    let mut c = new_case(n, "birth_registration", "020190012345");
    c.fields.push(("favourite_colour".into(), "xanh".into()));
    assert!(matches!(
        n.create_case(&login(n, "canbo01"), c),
        Err(NodeError::UnknownField { .. })
    ));
    // Registry fields cannot be typed over.
    let mut c = new_case(n, "birth_registration", "020190012345");
    c.fields
        .push(("mother_full_name".into(), "Người Khác".into()));
    assert!(matches!(
        n.create_case(&login(n, "canbo01"), c),
        Err(NodeError::RegistryField { .. })
    ));
    // No officer, unknown officer, unknown case.
    assert!(matches!(
        n.authenticate("ghost", PASS),
        Err(NodeError::UnknownOfficer(_))
    ));
    assert!(matches!(
        n.authenticate("canbo01", "wrong-passphrase"),
        Err(NodeError::WrongPassphrase(_))
    ));
    assert!(matches!(
        n.case("000.20.06.112-261128-9999"),
        Err(NodeError::CaseNotFound(_))
    ));
    // Nothing was stored by any of the failures.
    assert_eq!(n.status().expect("status").cases, 0);
    assert!(err_is_bad_input(&NodeError::NoOfficer));
}

fn err_is_bad_input(e: &NodeError) -> bool {
    e.is_bad_input()
}

#[test]
fn registry_import_reports_the_bad_line_and_imports_nothing() {
    let t = commune("06112");
    let before = t.node.status().expect("status").registry_citizens;
    let bad = concat!(
        r#"{"citizen_id":"020075000778","full_name":"Lê Văn Nam","date_of_birth":"1975-01-01","sex":"male","commune_code":"06112"}"#,
        "\n",
        r#"{"citizen_id":"020175000779","full_name":"Lê Văn Bắc","date_of_birth":"1975-01-01","sex":"male","commune_code":"06112"}"#,
        "\n",
    );
    let err = t
        .node
        .import_registry("bad.jsonl", bad.as_bytes(), &hoso_node::Author::Node)
        .expect_err("must fail");
    let msg = err.to_string();
    assert!(msg.contains("bad.jsonl line 2"), "{msg}");
    assert!(msg.contains("nothing was imported"), "{msg}");
    let garbage = "{not json\n";
    let err = t
        .node
        .import_registry("g.jsonl", garbage.as_bytes(), &hoso_node::Author::Node)
        .expect_err("must fail");
    assert!(err.to_string().contains("g.jsonl line 1"), "{err}");
    assert_eq!(t.node.status().expect("status").registry_citizens, before);
}

#[test]
fn search_is_accent_insensitive_and_folds_d() {
    let t = commune("06112");
    let n = &t.node;
    for citizen in ["020190012345", "020088001111", "020075000777"] {
        receive(n, "judicial_record", citizen);
    }
    let find = |q: &str| -> Vec<String> {
        n.list(&CaseQuery {
            search: Some(q.into()),
            ..Default::default()
        })
        .expect("list")
        .into_iter()
        .map(|s| s.applicant_name)
        .collect()
    };
    assert_eq!(find("nguyen thi huong"), vec!["Nguyễn Thị Hương"]);
    assert_eq!(find("NGUYỄN thị HƯƠNG"), vec!["Nguyễn Thị Hương"]);
    assert_eq!(find("dang van duc"), vec!["Đặng Văn Đức"]);
    assert_eq!(find("đức"), vec!["Đặng Văn Đức"]);
    // Decomposed (NFD) input finds the same case.
    assert_eq!(find("Nguye\u{302}\u{303}n"), vec!["Nguyễn Thị Hương"]);
    // Token prefixes.
    assert_eq!(find("ng th huo"), vec!["Nguyễn Thị Hương"]);
    assert!(find("tran").is_empty());
    // Citizen id and receipt code.
    assert_eq!(find("020075000777"), vec!["Hoàng Văn Hùng"]);
}

#[test]
fn supplement_pause_moves_the_due_date_and_notes_append() {
    let t = commune("06112");
    let n = &t.node;
    let v = receive(n, "judicial_record", "020190012345");
    let id = v.id.to_string();
    n.transition(&login(n, "canbo01"), &id, Status::InProcess, None, None)
        .expect("in process");
    n.transition(
        &login(n, "canbo01"),
        &id,
        Status::SupplementRequested,
        None,
        Some("Thiếu ảnh"),
    )
    .expect("supplement");
    let back = n
        .transition(&login(n, "canbo01"), &id, Status::InProcess, None, None)
        .expect("resume");
    // Paused and resumed the same day: no working day lost, the due date stays. The clock is the
    // real one: if midnight in Vietnam fell between the two, the due date moves by the working
    // days between them.
    let day_of = |to: Status| {
        let h = back.history.iter().rev().find(|h| h.to == to);
        h.and_then(|h| hoso_node::deadline::parse_date(&h.at))
            .expect("a dated history entry")
    };
    let (paused, resumed) = (
        day_of(Status::SupplementRequested),
        day_of(Status::InProcess),
    );
    if paused == resumed {
        assert_eq!(back.due_date, v.due_date);
    } else {
        let due = hoso_node::deadline::parse_date(&v.due_date).expect("due date");
        let moved = hoso_node::deadline::extend_for_pause(n.calendar(), due, paused, resumed);
        assert_eq!(back.due_date, moved.to_string());
    }
    let noted = n
        .add_note(&login(n, "canbo01"), &id, "Công dân đã bổ sung ảnh 4x6")
        .expect("note");
    assert_eq!(noted.notes.len(), 1);
    assert!(matches!(
        n.add_note(&login(n, "canbo01"), &id, "   "),
        Err(NodeError::Refused(hoso_node::error::Refusal::EmptyNote))
    ));
    let set = n
        .set_fields(
            &login(n, "canbo01"),
            &id,
            &[("requester_place_of_birth".into(), "Xã Bình Gia".into())],
        )
        .expect("set");
    assert_eq!(
        set.fields
            .get("requester_place_of_birth")
            .map(String::as_str),
        Some("Xã Bình Gia")
    );
    let entries = n.audit_for_case(&v.id).expect("entries");
    assert_eq!(entries.len(), 6, "create, 3 transitions, note, set");
    assert!(n.check_indexes().expect("check").is_empty());
}

#[test]
fn bundles_move_one_track_at_a_time() {
    let t = commune("06112");
    let n = &t.node;
    let v = receive(n, "bundle_birth", "020190012345");
    assert_eq!(v.tracks.len(), 3, "{:?}", v.tracks);
    let track = v.tracks.keys().next().expect("track").clone();
    let moved = n
        .transition(
            &login(n, "canbo01"),
            &v.receipt_code,
            Status::InProcess,
            Some(&track),
            None,
        )
        .expect("track");
    assert_eq!(moved.tracks[&track].status, Status::InProcess);
    assert_eq!(
        moved.status,
        Status::Received,
        "the bundle's own status is unchanged"
    );
    let err = n
        .transition(
            &login(n, "canbo01"),
            &v.receipt_code,
            Status::InProcess,
            Some("passport"),
            None,
        )
        .expect_err("must fail");
    assert!(err.to_string().contains("no track"), "{err}");
}
