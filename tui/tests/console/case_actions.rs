//! The officer's actions on a case from its detail: correcting a field (a registry field asks
//! for a reason and keeps its evidence), the action menu greyed by role and state, a supplement
//! request, a result and the "Tiến trình" tab; snapshots at 80×24 and 120×40.

use hoso_schemas::Status;
use hoso_tui::screen::case_actions::field_order;
use hoso_tui::screen::detail::Popup;
use ratatui::crossterm::event::KeyCode;

use super::common::{Harness, case_at, stable};

fn snap(name: &str, h: &Harness, w: u16, ht: u16) {
    let screen = h.screen(w, ht);
    let mut s = stable();
    s.add_filter(r"\d{2}/\d{2}/\d{4}", "[dd/mm/yyyy]");
    s.bind(|| insta::assert_snapshot!(name, screen));
}

/// Opens the only case and puts the field cursor on `field`.
fn open_on_field(h: &mut Harness, field: &str) {
    h.key(KeyCode::Enter);
    let v = h.app.detail.case.as_ref().expect("case open").view.clone();
    let at = field_order(&h.app, &v)
        .iter()
        .position(|f| f == field)
        .expect("field in the catalog");
    for _ in 0..at {
        h.key(KeyCode::Down);
    }
}

fn clear_input(h: &mut Harness) {
    for _ in 0..80 {
        h.key(KeyCode::Backspace);
    }
}

#[test]
fn a_registry_field_is_corrected_with_a_reason_80x24_and_120x40() {
    let mut h = Harness::new();
    let v = case_at(
        &h.node,
        "birth_registration",
        "020190012345",
        "2026-11-20T09:00:00+07:00",
    );
    h.login("canbo01");
    open_on_field(&mut h, "father_full_name");
    h.key(KeyCode::Char('e'));
    assert!(matches!(h.app.detail.popup, Some(Popup::Form(_))));
    snap("edit_registry_field_80x24", &h, 80, 24);
    snap("edit_registry_field_120x40", &h, 120, 40);
    clear_input(&mut h);
    h.type_str("Đặng Văn Đức Anh");
    h.key(KeyCode::Enter); // to the reason
    h.key(KeyCode::Enter); // save without one: refused in the form, nothing lost
    let Some(Popup::Form(f)) = &h.app.detail.popup else {
        panic!("the form stays open");
    };
    assert!(
        f.error.as_deref().is_some_and(|e| e.contains("lý do")),
        "{:?}",
        f.error
    );
    assert_eq!(f.value(0), "Đặng Văn Đức Anh");
    h.type_str("Giấy tờ mới của người cha");
    h.key(KeyCode::Enter);
    assert!(h.app.detail.popup.is_none(), "saved");
    let after = h.node.case(&v.receipt_code).expect("read");
    assert_eq!(
        after.fields.get("father_full_name").map(String::as_str),
        Some("Đặng Văn Đức Anh")
    );
    assert_eq!(
        after.evidence.get("father_full_name"),
        v.evidence.get("father_full_name"),
        "the registry evidence is kept"
    );
    assert_eq!(after.corrections.len(), 1);
    let screen = h.screen(120, 40);
    assert!(screen.contains("[SỬA]"), "{screen}");
    // The Tiến trình tab names the correction and the kept evidence.
    for _ in 0..3 {
        h.key(KeyCode::Tab);
    }
    h.app.toast = None;
    let screen = h.screen(120, 40);
    assert!(screen.contains("Đính chính"), "{screen}");
    assert!(screen.contains("giữ nguyên"), "{screen}");
    snap("lifecycle_tab_80x24", &h, 80, 24);
    snap("lifecycle_tab_120x40", &h, 120, 40);
}

#[test]
fn a_typed_field_is_validated_by_the_catalog_and_esc_asks() {
    let mut h = Harness::new();
    let v = case_at(
        &h.node,
        "birth_registration",
        "020190012345",
        "2026-11-20T09:00:00+07:00",
    );
    h.login("canbo01");
    open_on_field(&mut h, "child_date_of_birth");
    h.key(KeyCode::Char('e'));
    clear_input(&mut h);
    h.type_str("31/02/2026");
    h.key(KeyCode::Enter);
    let Some(Popup::Form(f)) = &h.app.detail.popup else {
        panic!("the form stays open");
    };
    assert!(
        f.error
            .as_deref()
            .is_some_and(|e| e.contains("không hợp lệ")),
        "{:?}",
        f.error
    );
    // Esc on a changed form asks; any other key goes back to it with the text.
    h.key(KeyCode::Esc);
    let Some(Popup::Form(f)) = &h.app.detail.popup else {
        panic!("still open while asking");
    };
    assert!(f.asking_leave);
    h.key(KeyCode::Char('x'));
    let Some(Popup::Form(f)) = &h.app.detail.popup else {
        panic!("back to the form");
    };
    assert!(!f.asking_leave);
    clear_input(&mut h);
    h.type_str("15/11/2026");
    h.key(KeyCode::Enter);
    assert!(h.app.detail.popup.is_none(), "{:?}", h.app.toast);
    let after = h.node.case(&v.receipt_code).expect("read");
    assert_eq!(
        after.fields.get("child_date_of_birth").map(String::as_str),
        Some("2026-11-15")
    );
    assert!(
        after.corrections.is_empty(),
        "a typed field is no correction"
    );
}

#[test]
fn the_action_menu_greys_what_the_role_or_state_does_not_allow_80x24_and_120x40() {
    let mut h = Harness::new();
    case_at(
        &h.node,
        "judicial_record",
        "020190012345",
        "2026-11-20T09:00:00+07:00",
    );
    h.login("canbo01");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('a'));
    h.app.toast = None;
    let screen = h.screen(120, 40);
    // Received, not in process: no result yet; no printer in this console.
    assert!(screen.contains("Chỉ ghi khi hồ sơ đang xử lý"), "{screen}");
    assert!(screen.contains("chưa cài chức năng in"), "{screen}");
    snap("action_menu_80x24", &h, 80, 24);
    snap("action_menu_120x40", &h, 120, 40);
    // A greyed entry says why and does nothing.
    h.key(KeyCode::Char('k'));
    assert!(
        h.app
            .toast
            .as_ref()
            .is_some_and(|t| t.error && t.text.contains("đang xử lý")),
        "{:?}",
        h.app.toast
    );
    // The auditor sees every action greyed with the role.
    h.app.logout();
    h.login("thanhtra01");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('a'));
    let screen = h.screen(120, 40);
    assert!(screen.contains("chỉ được xem"), "{screen}");
}

#[test]
fn supplement_then_result_from_the_console() {
    let mut h = Harness::new();
    let v = case_at(
        &h.node,
        "judicial_record",
        "020190012345",
        "2026-11-20T09:00:00+07:00",
    );
    h.node
        .transition(
            &h.node
                .authenticate("canbo01", super::common::PASS)
                .expect("login"),
            &v.receipt_code,
            Status::InProcess,
            None,
            None,
        )
        .expect("in process");
    h.login("canbo01");
    h.key(KeyCode::Enter);
    // b: the supplement request lists the missing items at once.
    h.key(KeyCode::Char('b'));
    snap("supplement_form_80x24", &h, 80, 24);
    snap("supplement_form_120x40", &h, 120, 40);
    h.type_str("Bản sao giấy khai sinh; Ảnh 4x6");
    h.key(KeyCode::F(2));
    // This procedure sets no supplement limit: the node refuses, the form keeps what was typed.
    let Some(Popup::Form(f)) = &h.app.detail.popup else {
        panic!("the form opens again with the reason: {:?}", h.app.toast);
    };
    assert!(
        f.error
            .as_deref()
            .is_some_and(|e| e.contains("hạn bổ sung")),
        "{:?}",
        f.error
    );
    assert_eq!(f.value(0), "Bản sao giấy khai sinh; Ảnh 4x6");
    h.key(KeyCode::Tab);
    let by = hoso_node::deadline::now().date_naive() + chrono::Days::new(10);
    h.type_str(&by.format("%d/%m/%Y").to_string());
    h.key(KeyCode::F(2));
    assert!(h.app.detail.popup.is_none(), "{:?}", h.app.toast);
    let after = h.node.case(&v.receipt_code).expect("read");
    assert_eq!(after.status, Status::SupplementRequested);
    assert_eq!(
        after.supplements[0].items,
        ["Bản sao giấy khai sinh", "Ảnh 4x6"]
    );
    // A second request by an officer is greyed: it needs a supervisor.
    h.key(KeyCode::Char('b'));
    assert!(h.app.detail.popup.is_none());
    // Back in process, then k: the result.
    h.node
        .transition(
            &h.node
                .authenticate("canbo01", super::common::PASS)
                .expect("login"),
            &v.receipt_code,
            Status::InProcess,
            None,
            None,
        )
        .expect("back in process");
    h.key(KeyCode::Char('r'));
    h.key(KeyCode::Char('k'));
    assert!(matches!(h.app.detail.popup, Some(Popup::Form(_))));
    h.app.toast = None;
    snap("result_form_80x24", &h, 80, 24);
    snap("result_form_120x40", &h, 120, 40);
    h.type_str(""); // the kind is prefilled with the procedure's short name
    h.key(KeyCode::Tab);
    h.type_str("125/2026");
    h.key(KeyCode::F(2));
    assert!(h.app.detail.popup.is_none(), "{:?}", h.app.toast);
    let after = h.node.case(&v.receipt_code).expect("read");
    let r = after.result_record.expect("result recorded");
    assert_eq!(r.number, "125/2026");
    assert_eq!(r.signer, "Hoàng Thị Lan");
}

#[test]
fn a_fee_payment_then_the_entry_is_greyed_with_the_date() {
    let mut h = Harness::new();
    let v = case_at(
        &h.node,
        "judicial_record",
        "020190012345",
        "2026-11-20T09:00:00+07:00",
    );
    h.login("canbo01");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('f'));
    let Some(Popup::Form(f)) = &h.app.detail.popup else {
        panic!("the payment form: {:?}", h.app.toast);
    };
    // The catalog's in-person fee is there already.
    let fee = h
        .node
        .catalog()
        .procedure("judicial_record")
        .expect("p")
        .fee
        .clone()
        .expect("a fee");
    assert_eq!(f.value(0), fee.in_person.to_string());
    h.app.toast = None;
    snap("payment_form_80x24", &h, 80, 24);
    snap("payment_form_120x40", &h, 120, 40);
    h.key(KeyCode::F(2));
    assert!(h.app.detail.popup.is_none(), "{:?}", h.app.toast);
    let after = h.node.case(&v.receipt_code).expect("read");
    assert_eq!(after.payments.len(), 1);
    assert_eq!(after.payments[0].amount, fee.in_person);
    h.key(KeyCode::Char('f'));
    assert!(
        h.app
            .toast
            .as_ref()
            .is_some_and(|t| t.text.starts_with("Đã nộp ngày")),
        "{:?}",
        h.app.toast
    );
}

#[test]
fn a_bundle_track_moves_and_gets_its_own_result_80x24_and_120x40() {
    let mut h = Harness::new();
    let v = case_at(
        &h.node,
        "bundle_birth",
        "020190012345",
        "2026-11-25T09:00:00+07:00",
    );
    h.login("canbo01");
    h.key(KeyCode::Enter);
    // The transition menu moves one track.
    h.key(KeyCode::Char('t'));
    let screen = h.screen(120, 40);
    assert!(
        screen.contains("[Khai sinh]") || screen.contains("Khai sinh"),
        "{screen}"
    );
    let Some(Popup::Actions { options, .. }) = &h.app.detail.popup else {
        panic!("the transition menu");
    };
    let i = options
        .iter()
        .position(|a| {
            a.track.as_deref() == Some("birth_registration")
                && a.to == Status::InProcess
                && a.blocked.is_none()
        })
        .expect("birth track → in process");
    h.key(KeyCode::Char(char::from(
        b'1' + u8::try_from(i).expect("small"),
    )));
    h.key(KeyCode::Enter);
    let after = h.node.case(&v.receipt_code).expect("read");
    assert_eq!(after.tracks["birth_registration"].status, Status::InProcess);
    // k: the result of that track (the case itself is still received).
    h.key(KeyCode::Char('k'));
    let Some(Popup::Form(f)) = &h.app.detail.popup else {
        panic!("the result form: {:?}", h.app.toast);
    };
    assert_eq!(f.value(0), "birth_registration");
    h.key(KeyCode::Tab);
    h.type_str("TLKS-88/2026");
    h.key(KeyCode::F(2));
    assert!(h.app.detail.popup.is_none(), "{:?}", h.app.toast);
    let after = h.node.case(&v.receipt_code).expect("read");
    let r = after.tracks["birth_registration"]
        .result
        .as_ref()
        .expect("the track's result");
    assert_eq!(r.number, "TLKS-88/2026");
    // The Tiến trình tab: each track with its agency, status, own due date; the result.
    for _ in 0..3 {
        h.key(KeyCode::Tab);
    }
    h.app.toast = None;
    let screen = h.screen(120, 40);
    assert!(screen.contains("Công an cấp xã"), "{screen}");
    assert!(screen.contains("TLKS-88/2026"), "{screen}");
    snap("bundle_lifecycle_80x24", &h, 80, 24);
    snap("bundle_lifecycle_120x40", &h, 120, 40);
}

#[test]
fn the_supervisor_records_an_apology_with_a_new_date() {
    let mut h = Harness::new();
    let v = case_at(
        &h.node,
        "judicial_record",
        "020190012345",
        "2026-11-30T09:00:00+07:00",
    );
    // An officer is told it is the supervisor's.
    h.login("canbo01");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('x'));
    assert!(h.app.detail.popup.is_none());
    assert!(
        h.app
            .toast
            .as_ref()
            .is_some_and(|t| t.text.contains("Lãnh đạo")),
        "{:?}",
        h.app.toast
    );
    h.app.logout();
    h.login("lanhdao01");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('x'));
    assert!(matches!(h.app.detail.popup, Some(Popup::Form(_))));
    h.app.toast = None;
    snap("apology_form_80x24", &h, 80, 24);
    snap("apology_form_120x40", &h, 120, 40);
    h.type_str("Chờ kết quả xác minh của Sở Tư pháp");
    h.key(KeyCode::Tab);
    let due = hoso_schemas::parse_date(&v.due_date).expect("due");
    let new = due + chrono::Days::new(7);
    h.type_str(&new.format("%d/%m/%Y").to_string());
    h.key(KeyCode::F(2));
    assert!(h.app.detail.popup.is_none(), "{:?}", h.app.toast);
    let after = h.node.case(&v.receipt_code).expect("read");
    assert_eq!(after.apologies.len(), 1);
    assert_eq!(after.appointment_date(), new.to_string());
}

/// A printer for opening the print menu only: the forms themselves are made by the binary's
/// printer (typst), which the end-to-end test drives; this one refuses.
#[derive(Debug)]
struct NoForms;

impl hoso_tui::print::Printer for NoForms {
    fn print(
        &self,
        _node: &hoso_node::Node,
        _officer: &str,
        _reference: &str,
        _form: hoso_tui::print::Form,
    ) -> Result<hoso_tui::print::Printed, String> {
        Err("không có mẫu giấy tờ trong bài kiểm thử này".into())
    }
}

#[test]
fn the_print_menu_greys_forms_the_case_has_no_record_for_80x24_and_120x40() {
    let mut h = Harness::new();
    case_at(
        &h.node,
        "judicial_record",
        "020190012345",
        "2026-11-20T09:00:00+07:00",
    );
    h.app.printer = Some(std::sync::Arc::new(NoForms));
    h.login("canbo01");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('p'));
    assert!(matches!(h.app.detail.popup, Some(Popup::Print { .. })));
    snap("print_menu_80x24", &h, 80, 24);
    snap("print_menu_120x40", &h, 120, 40);
    // A form without its record says why and stays in the menu.
    h.key(KeyCode::Char('2'));
    assert!(matches!(h.app.detail.popup, Some(Popup::Print { .. })));
    assert!(
        h.app
            .toast
            .as_ref()
            .is_some_and(|t| t.text.contains("chưa có yêu cầu bổ sung")),
        "{:?}",
        h.app.toast
    );
    // A printer's refusal is a Vietnamese sentence.
    h.key(KeyCode::Char('1'));
    assert!(
        h.app
            .toast
            .as_ref()
            .is_some_and(|t| t.error && t.text.starts_with("Không in được: ")),
        "{:?}",
        h.app.toast
    );
}

#[test]
fn an_unverified_citizen_is_flagged_in_the_header_and_the_lifecycle_tab_80x24_and_120x40() {
    let mut h = Harness::new();
    let p = h
        .node
        .catalog()
        .procedure("judicial_record")
        .expect("p")
        .clone();
    h.node
        .create_case_declared(
            &h.node
                .authenticate("canbo01", super::common::PASS)
                .expect("login"),
            hoso_node::NewCase {
                procedure: "judicial_record".into(),
                citizen_id: "020099000999".into(),
                fields: {
                    let mut f = super::common::citizen_fields(&p);
                    f.push((
                        "requester_address".into(),
                        "Thôn Nà Pàn, Xã Bình Gia, tỉnh Lạng Sơn".into(),
                    ));
                    f
                },
                received_at: Some(super::common::at("2026-11-20T09:00:00+07:00")),
            },
            &hoso_node::node::DeclaredInput {
                full_name: "Lục Văn Khải".into(),
                date_of_birth: "02/03/1999".into(),
                sex: "Nam".into(),
                commune_code: "06112".into(),
            },
        )
        .expect("received unverified");
    h.login("canbo01");
    h.key(KeyCode::Enter);
    let screen = h.screen(80, 24);
    assert!(screen.contains("CHƯA XÁC MINH"), "{screen}");
    for _ in 0..3 {
        h.key(KeyCode::Tab);
    }
    let screen = h.screen(120, 40);
    assert!(screen.contains("không có trong bản trích"), "{screen}");
    snap("unverified_lifecycle_80x24", &h, 80, 24);
    snap("unverified_lifecycle_120x40", &h, 120, 40);
}

#[test]
fn the_detail_help_lists_every_key_at_80x24() {
    let mut h = Harness::new();
    case_at(
        &h.node,
        "judicial_record",
        "020190012345",
        "2026-11-20T09:00:00+07:00",
    );
    h.login("canbo01");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('?'));
    let screen = h.screen(80, 24);
    for k in ["a / F2", "b k f x", "q / Ctrl+C"] {
        assert!(screen.contains(k), "`{k}` missing:\n{screen}");
    }
    snap("help_detail_80x24", &h, 80, 24);
}

#[test]
fn a_half_typed_correction_survives_quitting_and_goes_once_saved() {
    let mut h = Harness::new();
    let v = case_at(
        &h.node,
        "birth_registration",
        "020190012345",
        "2026-11-20T09:00:00+07:00",
    );
    h.login("canbo01");
    open_on_field(&mut h, "father_full_name");
    h.key(KeyCode::Char('e'));
    clear_input(&mut h);
    h.type_str("Đặng Văn Đức Anh");
    h.key(KeyCode::Tab);
    h.type_str("Giấy tờ mới");
    let file = h.app.draft_file().expect("draft file");
    let on_disk = hoso_tui::draft::load(&file);
    let d = on_disk
        .forms
        .get(&v.id.to_string())
        .expect("the form is in the draft");
    assert_eq!(d.kind, "edit:father_full_name");
    assert_eq!(d.values, ["Đặng Văn Đức Anh", "Giấy tờ mới"]);
    // Quit abruptly; a new console, the same officer, the same field: the form comes back.
    h.ctrl('c');
    h.app = super::common::app_for(&h.node);
    h.login("canbo01");
    open_on_field(&mut h, "father_full_name");
    h.key(KeyCode::Char('e'));
    let Some(Popup::Form(f)) = &h.app.detail.popup else {
        panic!("the form");
    };
    assert_eq!(f.value(0), "Đặng Văn Đức Anh");
    assert_eq!(f.value(1), "Giấy tờ mới");
    assert!(f.changed(), "Esc on it asks");
    // Saved: the draft goes.
    h.key(KeyCode::F(2));
    assert!(h.app.detail.popup.is_none(), "{:?}", h.app.toast);
    assert!(
        hoso_tui::draft::load(&file).forms.is_empty(),
        "the saved form's draft is gone"
    );
    assert_eq!(
        h.node
            .case(&v.receipt_code)
            .expect("read")
            .fields
            .get("father_full_name")
            .map(String::as_str),
        Some("Đặng Văn Đức Anh")
    );
}

#[test]
fn a_supplement_request_for_one_bundle_track() {
    let mut h = Harness::new();
    let v = case_at(
        &h.node,
        "bundle_birth",
        "020190012345",
        "2026-11-25T09:00:00+07:00",
    );
    h.node
        .transition(
            &h.node
                .authenticate("canbo01", super::common::PASS)
                .expect("login"),
            &v.receipt_code,
            Status::InProcess,
            Some("birth_registration"),
            None,
        )
        .expect("birth track in process");
    h.login("canbo01");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('b'));
    let Some(Popup::Form(_)) = &h.app.detail.popup else {
        panic!("the supplement form: {:?}", h.app.toast);
    };
    h.type_str("Giấy chứng sinh bản chính");
    h.key(KeyCode::Tab);
    let by = hoso_node::deadline::now().date_naive() + chrono::Days::new(10);
    h.type_str(&by.format("%d/%m/%Y").to_string());
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Right); // Cả hồ sơ → Phần Khai sinh
    let Some(Popup::Form(f)) = &h.app.detail.popup else {
        panic!("the form");
    };
    assert_eq!(f.value(3), "birth_registration");
    h.app.toast = None;
    snap("track_supplement_form_120x40", &h, 120, 40);
    h.key(KeyCode::F(2));
    assert!(h.app.detail.popup.is_none(), "{:?}", h.app.detail.popup);
    let after = h.node.case(&v.receipt_code).expect("read");
    assert_eq!(
        after.tracks["birth_registration"].status,
        Status::SupplementRequested
    );
    assert_eq!(
        after.supplements[0].track.as_deref(),
        Some("birth_registration")
    );
    assert_eq!(
        after.status,
        Status::Received,
        "the bundle itself does not move"
    );
    for _ in 0..3 {
        h.key(KeyCode::Tab);
    }
    let screen = h.screen(120, 40);
    assert!(screen.contains("[Phần Khai sinh] Lần 1"), "{screen}");
}
