//! Intake scenarios (issue 10, items 7, 8 and 2): a fee paid on a permanent residence case,
//! citizens of another commune and citizens missing from the extract received and rechecked,
//! and a due date recomputed after a calendar change, all through the write path, audited.

use chrono::DateTime;
use hoso_node::audit::entry::Action;
use hoso_node::case::VerificationState;
use hoso_node::error::IntakeError;
use hoso_node::node::{DeclaredInput, ExtractLabel, NewPayment};
use hoso_node::{Author, CaseQuery, NewCase, Node, NodeError};
use hoso_schemas::{CHANNEL_FIELD, PORTAL_CODE_FIELD, PaymentMethod, Status};

use hoso_testkit::fixtures::default_registry;
use hoso_testkit::node::{TestNode, citizen_fields, commune, login, new_case};

/// The citizen-provided fields of a permanent residence case, with its channel.
fn residence_case(citizen: &str, channel: &str) -> NewCase {
    NewCase {
        procedure: "permanent_residence".into(),
        citizen_id: citizen.into(),
        fields: vec![
            ("resident_full_name".into(), "Đặng Văn Bình".into()),
            ("resident_date_of_birth".into(), "12/03/2001".into()),
            ("resident_sex".into(), "Nam".into()),
            ("household_head_full_name".into(), "Đặng Văn Đức".into()),
            ("relationship_to_head".into(), "Con".into()),
            (
                "legal_residence_basis".into(),
                "Về ở với người thân (vợ, chồng, cha, mẹ, con)".into(),
            ),
            ("host_consent".into(), "có".into()),
            (CHANNEL_FIELD.into(), channel.into()),
            (PORTAL_CODE_FIELD.into(), "G22.20-261201-000042".into()),
        ],
        received_at: None,
    }
}

fn intake_err(e: NodeError) -> IntakeError {
    match e {
        NodeError::Intake(i) => i,
        other => panic!("expected an intake refusal, got {other}"),
    }
}

fn payment(amount: u64, method: PaymentMethod, reference: &str) -> NewPayment {
    NewPayment {
        amount,
        method,
        reference: reference.into(),
        exemption: None,
    }
}

fn actions(node: &Node, case: &hoso_node::CaseId) -> Vec<(Action, serde_json::Value)> {
    node.audit_for_case(case)
        .expect("entries")
        .into_iter()
        .map(|e| {
            let p = e
                .payload
                .as_deref()
                .and_then(|b| serde_json::from_slice(b).ok())
                .unwrap_or_default();
            (e.entry.body.action, p)
        })
        .collect()
}

#[test]
fn a_permanent_residence_fee_is_paid_at_the_channels_amount() {
    let t = commune("06112");
    let n = &t.node;
    let officer = login(n, "canbo01");
    let v = n
        .create_case(&officer, residence_case("020088001111", "Trực tuyến"))
        .expect("receive");
    assert_eq!(v.fields[CHANNEL_FIELD], "Trực tuyến");
    assert_eq!(v.fields[PORTAL_CODE_FIELD], "G22.20-261201-000042");
    let code = v.receipt_code.clone();
    n.transition(&officer, &code, Status::AwaitingPayment, None, None)
        .expect("fee asked for");
    // The fee step is a gate: no processing before the payment.
    let e = intake_err(
        n.transition(&officer, &code, Status::InProcess, None, None)
            .expect_err("not paid"),
    );
    assert!(matches!(e, IntakeError::NotPaid { .. }), "{e}");
    // 20.000 đ is the in-person fee; the dossier came in online (Circular 75/2022: 10.000 đ).
    let e = intake_err(
        n.record_payment(
            &officer,
            &code,
            payment(20_000, PaymentMethod::Cash, "BL-1"),
        )
        .expect_err("wrong amount"),
    );
    assert_eq!(
        e,
        IntakeError::FeeMismatch {
            receipt_code: code.clone(),
            expected: 10_000,
            given: 20_000,
            channel: "Trực tuyến".into(),
        }
    );
    let e = intake_err(
        n.record_payment(
            &officer,
            &code,
            payment(10_000, PaymentMethod::Transfer, " "),
        )
        .expect_err("no reference"),
    );
    assert!(matches!(e, IntakeError::NoPaymentReference { .. }), "{e}");
    let paid = n
        .record_payment(
            &officer,
            &code,
            payment(10_000, PaymentMethod::Transfer, "VCB-20261201-88213"),
        )
        .expect("pay");
    assert_eq!(
        paid.status,
        Status::InProcess,
        "paying moves the case on to processing"
    );
    assert_eq!(paid.payments.len(), 1);
    let p = &paid.payments[0];
    assert_eq!(
        (p.amount, p.method, p.reference.as_str(), p.officer.as_str()),
        (
            10_000,
            PaymentMethod::Transfer,
            "VCB-20261201-88213",
            "canbo01"
        )
    );
    assert_eq!(p.channel, hoso_schemas::Channel::Online);
    let last = paid.history.last().expect("history");
    assert_eq!(
        (last.from, last.to),
        (Some(Status::AwaitingPayment), Status::InProcess)
    );
    // Stored: a fresh read and the JSON view carry it.
    let again = n.case(&code).expect("read");
    assert_eq!(again.payments, paid.payments);
    let json = serde_json::to_value(&again).expect("json");
    assert_eq!(json["payments"][0]["amount"], 10_000);
    assert_eq!(json["payments"][0]["method"], "transfer");
    // Recorded once.
    let e = intake_err(
        n.record_payment(&officer, &code, payment(10_000, PaymentMethod::Cash, ""))
            .expect_err("twice"),
    );
    assert!(matches!(e, IntakeError::AlreadyPaid { .. }), "{e}");
    // Audited: one payment entry with the amount, the catalog amount and the legal source.
    let log = actions(n, &v.id);
    let pays: Vec<_> = log.iter().filter(|(a, _)| *a == Action::Payment).collect();
    assert_eq!(pays.len(), 1, "{log:?}");
    assert_eq!(pays[0].1["amount"], 10_000);
    assert_eq!(pays[0].1["expected"], 10_000);
    assert!(
        pays[0].1["fee_source"]
            .as_str()
            .is_some_and(|s| s.contains("75/2022/TT-BTC"))
    );

    // In person, an exempt citizen pays nothing, but only with the reason.
    let v2 = n
        .create_case(&officer, residence_case("020088001111", "Trực tiếp"))
        .expect("receive");
    let e = intake_err(
        n.record_payment(
            &officer,
            &v2.receipt_code,
            payment(0, PaymentMethod::Exempt, ""),
        )
        .expect_err("no reason"),
    );
    assert_eq!(e, IntakeError::ExemptionWithoutReason);
    let e = intake_err(
        n.record_payment(
            &officer,
            &v2.receipt_code,
            payment(10_000, PaymentMethod::Cash, ""),
        )
        .expect_err("in person is 20.000"),
    );
    assert!(
        matches!(
            e,
            IntakeError::FeeMismatch {
                expected: 20_000,
                ..
            }
        ),
        "{e}"
    );
    let exempt = n
        .record_payment(
            &officer,
            &v2.receipt_code,
            NewPayment {
                exemption: Some("Người khuyết tật".into()),
                ..payment(0, PaymentMethod::Exempt, "")
            },
        )
        .expect("exempt");
    assert_eq!(
        exempt.payments[0].exemption.as_deref(),
        Some("Người khuyết tật")
    );
    assert_eq!(
        exempt.status,
        Status::Received,
        "paid at the desk before the fee step"
    );

    // A procedure that charges nothing has nothing to pay.
    let birth = n
        .create_case(
            &officer,
            NewCase {
                procedure: "temporary_absence".into(),
                citizen_id: "020088001111".into(),
                fields: absence_fields().into_iter().take(5).collect(),
                received_at: None,
            },
        )
        .expect("temporary absence");
    let e = intake_err(
        n.record_payment(
            &officer,
            &birth.receipt_code,
            payment(8_000, PaymentMethod::Cash, ""),
        )
        .expect_err("free"),
    );
    assert!(matches!(e, IntakeError::NoFee { .. }), "{e}");
    assert!(n.check_indexes().expect("check").is_empty());
}

/// A citizen of Xã Đồng Đăng (06184), received at Xã Bình Gia (06112).
const OTHER_COMMUNE: &str = r#"{"citizen_id":"020093004321","full_name":"Lộc Văn Sơn","date_of_birth":"1993-04-04","sex":"male","commune_code":"06184","address":"Thôn Pò Mã, Xã Đồng Đăng, tỉnh Lạng Sơn"}"#;

fn declared() -> DeclaredInput {
    DeclaredInput {
        full_name: "Hà Văn Thắng".into(),
        date_of_birth: "14/07/1995".into(),
        sex: "Nam".into(),
        commune_code: "06211".into(),
    }
}

fn absence_fields() -> Vec<(String, String)> {
    vec![
        (
            "absence_case".into(),
            "Người không thuộc các trường hợp trên: đi khỏi xã từ 12 tháng liên tục trở lên".into(),
        ),
        ("absence_reason".into(), "Đi làm việc tại Hà Nội".into()),
        ("absence_from".into(), "01/01/2027".into()),
        ("absence_to".into(), "31/12/2027".into()),
        (
            "destination_address".into(),
            "Phường Cầu Giấy, Hà Nội".into(),
        ),
        ("residence_address".into(), "Thôn Nà Cạn, Xã Cao Lộc".into()),
    ]
}

#[test]
fn other_commune_and_unverified_citizens_are_received_and_rechecked() {
    let t = commune("06112");
    let n = &t.node;
    let lead = Author::Officer(login(n, "lanhdao01"));
    let officer = login(n, "canbo01");
    let r = n
        .import_registry_extract(
            "extract-1.jsonl",
            format!("{}{OTHER_COMMUNE}\n", default_registry()).as_bytes(),
            &lead,
            ExtractLabel {
                date: chrono::NaiveDate::from_ymd_opt(2026, 11, 1),
                version: Some("2026-11".into()),
            },
        )
        .expect("extract 1");
    assert_eq!(r.extract.extract.date, "2026-11-01");

    // Another commune of the province: received here, jurisdiction here, the citizen's own
    // commune recorded; the registry evidence names the extract.
    let other = n
        .create_case(
            &officer,
            NewCase {
                fields: vec![(
                    "destination_address".into(),
                    "Phường Cầu Giấy, Hà Nội".into(),
                )]
                .into_iter()
                .chain(absence_fields().into_iter().take(4))
                .collect(),
                ..new_case(n, "temporary_absence", "020093004321")
            },
        )
        .expect("other commune");
    assert_eq!(other.commune, "06112", "the receiving commune's case");
    assert_eq!(other.citizen_commune.as_deref(), Some("06184"));
    assert!(other.verification.is_none());
    let ev = other.evidence.get("absentee_full_name").expect("evidence");
    assert_eq!(
        (ev.extract_date.as_str(), ev.extract_version.as_str()),
        ("2026-11-01", "2026-11")
    );

    // Missing from the extract: refused as before unless the citizen declares who they are.
    let missing = NewCase {
        procedure: "temporary_absence".into(),
        citizen_id: "020095001234".into(),
        fields: absence_fields(),
        received_at: None,
    };
    assert!(matches!(
        n.create_case(&officer, missing.clone())
            .expect_err("unknown"),
        NodeError::UnknownCitizen(_)
    ));
    let e = intake_err(
        n.create_case_declared(
            &officer,
            missing.clone(),
            &DeclaredInput {
                commune_code: "05923".into(),
                ..declared()
            },
        )
        .expect_err("Tân Thành of Thái Nguyên is not in Lạng Sơn"),
    );
    assert!(
        matches!(e, IntakeError::CommuneOutsideProvince { .. }),
        "{e}"
    );
    let e = intake_err(
        n.create_case_declared(
            &officer,
            NewCase {
                citizen_id: "020093004321".into(),
                ..missing.clone()
            },
            &declared(),
        )
        .expect_err("in the extract"),
    );
    assert!(matches!(e, IntakeError::CitizenInExtract { .. }), "{e}");
    let v = n
        .create_case_declared(&officer, missing, &declared())
        .expect("unverified receipt");
    assert_eq!(v.commune, "06112");
    assert_eq!(v.citizen_commune.as_deref(), Some("06211"));
    assert_eq!(v.applicant_name, "Hà Văn Thắng");
    assert!(v.is_unverified());
    let ver = v.verification.clone().expect("verification");
    assert_eq!(ver.state, VerificationState::Unverified);
    assert_eq!(ver.received_extract.version, "2026-11");
    // Typed once: the declared identity fills the citizen's own fields.
    assert_eq!(v.fields["absentee_full_name"], "Hà Văn Thắng");
    assert_eq!(v.fields["absentee_citizen_id"], "020095001234");
    // Every typed value carries the "declared, not in the extract dated …" evidence.
    for f in ["absentee_full_name", "absence_reason", "residence_address"] {
        let d = v.declared.get(f).unwrap_or_else(|| panic!("{f} declared"));
        assert_eq!(d.extract.date, "2026-11-01");
        assert!(
            d.text.contains("không có trong bản trích") && d.text.contains("01/11/2026"),
            "{}",
            d.text
        );
    }
    let flagged = n
        .list(&CaseQuery {
            limit: 100,
            ..Default::default()
        })
        .expect("list");
    assert_eq!(
        flagged
            .iter()
            .filter(|s| s.unverified)
            .map(|s| s.receipt_code.clone())
            .collect::<Vec<_>>(),
        vec![v.receipt_code.clone()]
    );

    // A recheck against the same extract changes nothing and writes nothing.
    let same = n.recheck_registry(&lead).expect("recheck");
    assert_eq!((same.checked, same.unchanged), (1, 1));

    // A newer extract holds the citizen, spelt differently: flagged as a mismatch.
    let wrong = r#"{"citizen_id":"020095001234","full_name":"Hà Văn Thăng","date_of_birth":"1995-07-14","sex":"male","commune_code":"06211"}"#;
    let r2 = n
        .import_registry_extract(
            "extract-2.jsonl",
            format!("{wrong}\n").as_bytes(),
            &lead,
            ExtractLabel {
                date: chrono::NaiveDate::from_ymd_opt(2026, 12, 1),
                version: Some("2026-12".into()),
            },
        )
        .expect("extract 2");
    assert_eq!(r2.recheck.mismatched, vec![v.receipt_code.clone()]);
    let m = n.case(&v.receipt_code).expect("read");
    let mv = m.verification.clone().expect("verification");
    assert_eq!(mv.state, VerificationState::Mismatch);
    assert_eq!(mv.extract.version, "2026-12");
    assert!(mv.note.as_deref().is_some_and(|x| x.contains("họ tên")));
    assert!(m.is_unverified());

    // The corrected record clears it; the case stays verified on later checks.
    let right = r#"{"citizen_id":"020095001234","full_name":"Hà Văn Thắng","date_of_birth":"1995-07-14","sex":"male","commune_code":"06211"}"#;
    let r3 = n
        .import_registry_extract(
            "extract-3.jsonl",
            format!("{right}\n").as_bytes(),
            &lead,
            ExtractLabel::default(),
        )
        .expect("extract 3");
    assert_eq!(r3.recheck.cleared, vec![v.receipt_code.clone()]);
    assert_eq!(r3.extract.import_no, 4, "the set-up import, then three");
    let c = n.case(&v.receipt_code).expect("read");
    assert_eq!(
        c.verification.as_ref().map(|x| x.state),
        Some(VerificationState::Verified)
    );
    assert!(!c.is_unverified());
    assert_eq!(n.recheck_registry(&lead).expect("recheck").checked, 0);
    // Each change of the flag is one audited action.
    let log = actions(n, &v.id);
    let rechecks: Vec<_> = log
        .iter()
        .filter(|(a, _)| *a == Action::RegistryRecheck)
        .map(|(_, p)| p["to"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(rechecks, vec!["mismatch", "verified"]);
    // An officer may not recheck (it is part of replacing the registry).
    let officer_author = Author::Officer(officer);
    assert!(matches!(
        n.recheck_registry(&officer_author),
        Err(NodeError::NotPermitted { .. })
    ));
    assert!(n.check_indexes().expect("check").is_empty());
}

#[test]
fn recomputing_a_due_date_is_an_explicit_supervisor_action() {
    let TestNode { node, dir } = commune("06112");
    let officer = login(&node, "canbo01");
    let received = DateTime::parse_from_rfc3339("2026-12-01T09:00:00+07:00").expect("time");
    let v = node
        .create_case(
            &officer,
            NewCase {
                received_at: Some(received),
                ..residence_case("020088001111", "Trực tiếp")
            },
        )
        .expect("receive");
    assert_eq!(v.due_date, "2026-12-10", "7 working days from 01/12/2026");
    drop(node);
    // The province declares an extra day off on 03/12/2026.
    let calendar = format!(
        "{}\n[[holiday]]\ndate = \"2026-12-03\"\nname = \"Ngày nghỉ bổ sung\"\n",
        hoso_schemas::BUILTIN_HOLIDAYS
    );
    std::fs::write(dir.path().join("holidays.toml"), calendar).expect("calendar");
    let node = Node::open(dir.path()).expect("reopen");
    // Never silently: the stored date stands until someone recomputes it.
    assert_eq!(
        node.case(&v.receipt_code).expect("read").due_date,
        "2026-12-10"
    );
    let officer = login(&node, "canbo01");
    let e = intake_err(
        node.recompute_due(&officer, &v.receipt_code)
            .expect_err("officer"),
    );
    assert_eq!(e, IntakeError::RecomputeNeedsSupervisor);
    let lead = login(&node, "lanhdao01");
    let r = node
        .recompute_due(&lead, &v.receipt_code)
        .expect("recompute");
    assert!(r.changed);
    assert_eq!(
        (r.before.as_str(), r.after.as_str()),
        ("2026-12-10", "2026-12-11")
    );
    assert_eq!(r.case.due_date, "2026-12-11");
    assert!(
        r.case
            .notes
            .last()
            .is_some_and(|n| n.text.contains("10/12/2026 → 11/12/2026"))
    );
    let again = node.recompute_due(&lead, &v.receipt_code).expect("again");
    assert!(!again.changed, "nothing to move, nothing written");
    let log = actions(&node, &v.id);
    let moves: Vec<_> = log
        .iter()
        .filter(|(a, _)| *a == Action::DueRecompute)
        .map(|(_, p)| (p["from"].clone(), p["to"].clone()))
        .collect();
    assert_eq!(
        moves,
        vec![(
            serde_json::json!("2026-12-10"),
            serde_json::json!("2026-12-11")
        )]
    );
}

#[test]
fn people_the_case_names_by_id_are_read_from_the_registry_not_typed() {
    let t = commune("06112");
    let n = &t.node;
    let lead = Author::Officer(login(n, "lanhdao01"));
    let officer = login(n, "canbo01");
    // The registry records the death (from the death notice).
    let deceased = r#"{"citizen_id":"020050000123","full_name":"Hoàng Văn Pảo","date_of_birth":"1950-01-20","sex":"male","commune_code":"06112","address":"Khối 2, Xã Bình Gia, tỉnh Lạng Sơn","date_of_death":"2026-11-28"}"#;
    n.import_registry("deaths.jsonl", format!("{deceased}\n").as_bytes(), &lead)
        .expect("registry");
    let p = n
        .catalog()
        .procedure("death_registration")
        .expect("catalog");
    let looked_up: Vec<&str> = p
        .fields
        .iter()
        .filter(|f| f.lookup.is_some())
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(
        looked_up,
        vec!["declarant_full_name", "declarant_address", "date_of_death"]
    );
    let mut fields: Vec<(String, String)> = citizen_fields(p)
        .into_iter()
        .filter(|(k, _)| !looked_up.contains(&k.as_str()))
        .collect();
    for (k, v) in &mut fields {
        if k == "declarant_citizen_id" {
            *v = "020088001111".into();
        }
    }
    let v = n
        .create_case(
            &officer,
            NewCase {
                procedure: "death_registration".into(),
                citizen_id: "020050000123".into(),
                fields,
                received_at: None,
            },
        )
        .expect("received without typing the declarant or the date of death");
    assert_eq!(v.fields["declarant_full_name"], "Đặng Văn Đức");
    assert_eq!(
        v.fields["declarant_address"],
        "Thôn Nà Pàn, Xã Bình Gia, tỉnh Lạng Sơn"
    );
    assert_eq!(v.fields["date_of_death"], "2026-11-28");
    let ev = &v.evidence["declarant_full_name"];
    assert_eq!(ev.record_ref, "020088001111");
    assert_eq!(ev.source, "population:declarant_citizen_id.full_name");
    assert_eq!(v.evidence["date_of_death"].record_ref, "020050000123");
    // Held data is not retyped: the registry value cannot be overwritten by hand.
    assert!(matches!(
        n.set_fields(
            &officer,
            &v.receipt_code,
            &[("declarant_full_name".into(), "Người khác".into())]
        ),
        Err(NodeError::RegistryField { .. })
    ));
}
