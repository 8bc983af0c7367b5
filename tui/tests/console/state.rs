//! The state machine, driven by events, with effects run against a real node.

use hoso_node::{CaseQuery, PeerStatus, SyncCommand};
use hoso_schemas::Status;
use hoso_tui::Screen;
use hoso_tui::event::Event;
use hoso_tui::screen::list::PAGE;
use hoso_tui::screen::new_case::Step;
use ratatui::crossterm::event::KeyCode;

use super::common::{Harness, case_at};

#[test]
fn login_refuses_a_wrong_passphrase_then_opens_the_list() {
    let mut h = Harness::new();
    assert_eq!(h.app.screen, Screen::Login);
    h.type_str("canbo01");
    h.key(KeyCode::Enter);
    assert_eq!(
        h.app.login.focus, 1,
        "Enter on the id moves to the passphrase"
    );
    h.type_str("sai");
    h.key(KeyCode::Enter);
    assert!(h.app.officer.is_none());
    assert!(h.app.login.error.is_some());
    assert_eq!(
        h.app.login.passphrase.value(),
        "",
        "a refused passphrase is cleared"
    );
    h.type_str(super::common::PASS);
    h.key(KeyCode::Enter);
    assert_eq!(h.app.screen, Screen::List);
    assert_eq!(h.app.officer_id(), "canbo01");
}

#[test]
fn letters_are_text_on_the_login_screen_not_shortcuts() {
    let mut h = Harness::new();
    h.type_str("q1s?");
    assert!(!h.app.quit);
    assert!(!h.app.help);
    assert_eq!(h.app.login.officer.value(), "q1s?");
}

#[test]
fn the_auditor_is_offered_no_writes() {
    let mut h = Harness::new();
    case_at(
        &h.node,
        "judicial_record",
        "020190012345",
        "2026-01-05T09:00:00+07:00",
    );
    h.login("thanhtra01");
    h.key(KeyCode::Char('n'));
    assert_eq!(h.app.screen, Screen::List);
    assert!(h.app.toast.as_ref().is_some_and(|t| t.error));
    h.key(KeyCode::Enter);
    assert_eq!(h.app.screen, Screen::Detail);
    assert!(h.app.detail.case.is_some());
    h.key(KeyCode::Char('t'));
    assert!(h.app.detail.popup.is_none());
    let c = h.app.detail.case.as_ref().expect("case");
    assert!(hoso_tui::screen::detail::actions(&h.app, &c.view).is_empty());
}

#[test]
fn new_case_from_a_citizen_id_with_inline_validation() {
    let mut h = Harness::new();
    h.login("canbo01");
    h.key(KeyCode::Char('n'));
    assert_eq!(h.app.screen, Screen::NewCase);
    h.type_str("ly lich"); // no accents: "Cấp Phiếu lý lịch tư pháp"
    h.key(KeyCode::Enter);
    assert_eq!(h.app.new_case.procedure.as_deref(), Some("judicial_record"));
    h.type_str("020199999999");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.new_case.step, Step::Citizen, "unknown citizen stays");
    assert!(h.app.new_case.error.is_some());
    h.ctrl('u');
    h.type_str("020190012345");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.new_case.step, Step::Form);
    let reg = h
        .app
        .new_case
        .fields
        .iter()
        .filter(|f| f.from_registry)
        .count();
    assert!(reg >= 4, "registry fields prefilled: {reg}");
    // Submitting with nothing filled shows every missing field and focuses the first.
    h.key(KeyCode::F(2));
    assert_eq!(h.app.new_case.step, Step::Form);
    let errors = h
        .app
        .new_case
        .fields
        .iter()
        .filter(|f| f.error.is_some())
        .count();
    assert!(errors >= 2, "errors: {errors}");
    // Fill each editable required field with a valid value, walking with Tab.
    let p = h
        .node
        .catalog()
        .procedure("judicial_record")
        .expect("p")
        .clone();
    let wanted = super::common::citizen_fields(&p);
    for _ in 0..40 {
        let f = &h.app.new_case.fields[h.app.new_case.focus];
        if let Some((_, v)) = wanted.iter().find(|(n, _)| *n == f.def.name)
            && f.input.value().is_empty()
        {
            let v = v.clone();
            h.type_str(&v);
        }
        h.key(KeyCode::Tab);
    }
    // A bad value is flagged as it is typed.
    let copies = h
        .app
        .new_case
        .fields
        .iter()
        .position(|f| f.def.name == "copies")
        .expect("copies");
    h.app.new_case.focus = copies;
    h.ctrl('u');
    h.type_str("x");
    assert!(h.app.new_case.fields[copies].error.is_some());
    h.key(KeyCode::Backspace);
    h.type_str("2");
    assert!(h.app.new_case.fields[copies].error.is_none());
    h.key(KeyCode::F(2));
    assert_eq!(
        h.app.new_case.step,
        Step::Receipt,
        "{:?}",
        h.app.new_case.error
    );
    let v = h.app.new_case.receipt.clone().expect("receipt");
    assert_eq!(v.applicant_name, "Nguyễn Thị Hương");
    assert_eq!(v.fields.get("copies").map(String::as_str), Some("2"));
    assert!(h.node.case(&v.receipt_code).is_ok());
    h.key(KeyCode::Enter);
    assert_eq!(h.app.screen, Screen::Detail);
}

#[test]
fn search_narrows_as_you_type_without_accents() {
    let mut h = Harness::new();
    case_at(
        &h.node,
        "judicial_record",
        "020190012345",
        "2026-01-05T09:00:00+07:00",
    );
    case_at(
        &h.node,
        "judicial_record",
        "020088001111",
        "2026-01-06T09:00:00+07:00",
    );
    case_at(
        &h.node,
        "judicial_record",
        "020075000777",
        "2026-01-07T09:00:00+07:00",
    );
    h.login("canbo01");
    assert_eq!(h.app.list.rows.len(), 3);
    h.key(KeyCode::Char('/'));
    h.type_str("h");
    let names = |h: &Harness| -> Vec<String> {
        h.app
            .list
            .rows
            .iter()
            .map(|r| r.applicant_name.clone())
            .collect()
    };
    assert_eq!(names(&h).len(), 2, "{:?}", names(&h)); // Hương, Hùng
    h.type_str("uong");
    assert_eq!(names(&h), ["Nguyễn Thị Hương"]);
    h.key(KeyCode::Enter);
    assert!(!h.app.list.searching);
    h.key(KeyCode::Enter);
    assert_eq!(h.app.screen, Screen::Detail);
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('/'));
    h.key(KeyCode::Esc);
    assert_eq!(h.app.list.rows.len(), 3, "Esc clears the search");
    // đ folds to d.
    h.key(KeyCode::Char('/'));
    h.type_str("dang van duc");
    assert_eq!(names(&h), ["Đặng Văn Đức"]);
}

#[test]
fn answers_to_stale_queries_are_dropped() {
    let mut h = Harness::new();
    case_at(
        &h.node,
        "judicial_record",
        "020190012345",
        "2026-01-05T09:00:00+07:00",
    );
    h.login("canbo01");
    h.key(KeyCode::Char('/'));
    // Two keystrokes; the first one's answer arrives last.
    let first = h.app.handle_event(key_event('x'));
    let second = h.app.handle_event(key_event(KeyCode::Backspace));
    let run = |h: &mut Harness, e: Vec<hoso_tui::effect::Effect>| {
        for e in e {
            if let Some(o) = hoso_tui::effect::execute(&h.node, e) {
                h.app.handle_event(Event::Done(o));
            }
        }
    };
    run(&mut h, second);
    run(&mut h, first);
    assert_eq!(h.app.list.rows.len(), 1, "the newer (empty) query wins");
}

fn key_event(code: impl Into<KeyLike>) -> Event {
    use ratatui::crossterm::event::{Event as T, KeyEvent, KeyEventKind, KeyModifiers};
    Event::Term(T::Key(KeyEvent::new_with_kind(
        code.into().0,
        KeyModifiers::NONE,
        KeyEventKind::Press,
    )))
}

struct KeyLike(KeyCode);
impl From<char> for KeyLike {
    fn from(c: char) -> Self {
        KeyLike(KeyCode::Char(c))
    }
}
impl From<KeyCode> for KeyLike {
    fn from(c: KeyCode) -> Self {
        KeyLike(c)
    }
}

#[test]
fn transition_needs_a_confirm_and_records_the_note() {
    let mut h = Harness::new();
    let v = case_at(
        &h.node,
        "judicial_record",
        "020190012345",
        "2026-01-05T09:00:00+07:00",
    );
    h.login("canbo01");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('t'));
    assert!(h.app.detail.popup.is_some());
    h.key(KeyCode::Char('1'));
    h.key(KeyCode::Esc); // cancel at the confirm
    assert_eq!(
        h.node.case(&v.receipt_code).expect("case").status,
        Status::Received
    );
    h.key(KeyCode::Char('t'));
    h.key(KeyCode::Char('1'));
    h.type_str("Đủ giấy tờ");
    h.key(KeyCode::Enter);
    let now = h.node.case(&v.receipt_code).expect("case");
    assert_eq!(now.status, Status::InProcess);
    assert_eq!(
        now.history.last().and_then(|e| e.note.as_deref()),
        Some("Đủ giấy tờ")
    );
    let shown = h.app.detail.case.as_ref().expect("shown");
    assert_eq!(shown.view.status, Status::InProcess, "detail reloaded");
    assert!(shown.audit.iter().any(|a| a.action == "transition"));
}

#[test]
fn notes_are_added_from_the_detail() {
    let mut h = Harness::new();
    let v = case_at(
        &h.node,
        "judicial_record",
        "020190012345",
        "2026-01-05T09:00:00+07:00",
    );
    h.login("canbo01");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('m'));
    h.type_str("Công dân hẹn chiều mai");
    h.key(KeyCode::Enter);
    let now = h.node.case(&v.receipt_code).expect("case");
    assert_eq!(now.notes.len(), 1);
    assert_eq!(now.notes[0].text, "Công dân hẹn chiều mai");
}

#[test]
fn a_remote_change_reaches_the_list_at_the_next_tick() {
    let mut h = Harness::new();
    h.login("canbo01");
    assert!(h.app.list.rows.is_empty());
    let v = case_at(
        &h.node,
        "judicial_record",
        "020190012345",
        "2026-01-05T09:00:00+07:00",
    );
    h.send(Event::CaseChanged(v.id));
    assert!(h.app.list.rows.is_empty(), "not before the tick");
    h.send(Event::Tick);
    assert_eq!(h.app.list.rows.len(), 1);
    // The open case reloads at once.
    h.key(KeyCode::Enter);
    h.node
        .transition(
            &h.node
                .authenticate("lanhdao01", "mat-khau-thu")
                .expect("login"),
            &v.receipt_code,
            Status::InProcess,
            None,
            None,
        )
        .expect("transition");
    h.send(Event::CaseChanged(v.id));
    assert_eq!(
        h.app.detail.case.as_ref().map(|c| c.view.status),
        Some(Status::InProcess)
    );
}

#[test]
fn sync_keys_send_commands_and_never_wait() {
    let mut h = Harness::new();
    let mut cmds = h.node.sync_commands();
    h.login("canbo01");
    h.key(KeyCode::Char('3'));
    assert_eq!(h.app.screen, Screen::Sync);
    h.key(KeyCode::Char('s'));
    h.key(KeyCode::Char('c'));
    assert_eq!(cmds.try_recv().ok(), Some(SyncCommand::SyncNow));
    assert_eq!(cmds.try_recv().ok(), Some(SyncCommand::SetLink(false)));
    h.node.publish_sync_status(|s| {
        s.running = true;
        s.link_cut = true;
    });
    h.send(Event::Sync(h.node.sync_status().borrow().clone()));
    h.key(KeyCode::Char('c'));
    assert_eq!(cmds.try_recv().ok(), Some(SyncCommand::SetLink(true)));
}

#[test]
fn quitting_with_unsynced_cases_asks_first() {
    let mut h = Harness::new();
    h.login("canbo01");
    h.node.publish_sync_status(|s| {
        s.running = true;
        s.peers.push(PeerStatus {
            node_id: h.node.id(),
            name: "Hub".into(),
            role: hoso_node::NodeRole::Hub,
            online: false,
            last_sync: None,
            pending_cases: 3,
            bytes_in: 0,
            bytes_out: 0,
            last_error: None,
        });
    });
    h.send(Event::Sync(h.node.sync_status().borrow().clone()));
    h.key(KeyCode::Char('q'));
    assert!(!h.app.quit);
    assert!(h.app.confirm_quit);
    h.key(KeyCode::Char('n'));
    assert!(!h.app.quit);
    h.key(KeyCode::Char('q'));
    h.key(KeyCode::Char('y'));
    assert!(h.app.quit);
}

#[test]
fn accented_letters_in_navigation_do_nothing_but_hint() {
    let mut h = Harness::new();
    h.login("canbo01");
    h.key(KeyCode::Char('á'));
    assert_eq!(h.app.screen, Screen::List);
    assert!(
        h.app
            .toast
            .as_ref()
            .is_some_and(|t| t.text.contains("bộ gõ"))
    );
    h.key(KeyCode::Backspace); // bound to nothing in navigation
    assert_eq!(h.app.screen, Screen::List);
    assert!(!h.app.quit);
}

#[test]
fn the_list_reads_pages_and_moves_across_them() {
    let mut h = Harness::new();
    let n = PAGE + 30;
    let mut jsonl = String::new();
    let p = h
        .node
        .catalog()
        .procedure("judicial_record")
        .expect("p")
        .clone();
    let fields: serde_json::Map<String, serde_json::Value> = super::common::citizen_fields(&p)
        .into_iter()
        .map(|(k, v)| (k, v.into()))
        .collect();
    for i in 0..n {
        let line = serde_json::json!({
            "procedure": "judicial_record",
            "citizen_id": "020190012345",
            "received_at": format!("2026-0{}-{:02}T09:00:00+07:00", 1 + i / 28, 1 + i % 28),
            "fields": fields,
        });
        jsonl.push_str(&line.to_string());
        jsonl.push('\n');
    }
    h.node
        .import_cases(
            "t.jsonl",
            jsonl.as_bytes(),
            &hoso_node::Author::Officer(
                h.node
                    .authenticate("canbo01", "mat-khau-thu")
                    .expect("login"),
            ),
        )
        .expect("import");
    h.login("canbo01");
    assert_eq!(h.app.list.rows.len(), PAGE, "one page, not every case");
    assert_eq!(h.app.list.total(), Some(n));
    h.key(KeyCode::End);
    assert_eq!(h.app.list.selected, n - 1);
    assert!(h.app.list.offset > 0);
    let last = h.app.list.selected_row().expect("row").clone();
    let all = h
        .node
        .list(&CaseQuery {
            limit: n,
            ..CaseQuery::default()
        })
        .expect("list");
    assert_eq!(all.last().map(|s| s.id), Some(last.id));
    h.key(KeyCode::Home);
    assert_eq!(h.app.list.selected, 0);
    assert_eq!(h.app.list.offset, 0);
    assert_eq!(
        h.app.list.selected_row().map(|s| s.id),
        all.first().map(|s| s.id)
    );
}

#[test]
fn filters_cycle_and_show_counts() {
    let mut h = Harness::new();
    let v = case_at(
        &h.node,
        "judicial_record",
        "020190012345",
        "2026-01-05T09:00:00+07:00",
    );
    case_at(
        &h.node,
        "judicial_record",
        "020088001111",
        "2026-01-06T09:00:00+07:00",
    );
    h.node
        .transition(
            &h.node
                .authenticate("canbo01", "mat-khau-thu")
                .expect("login"),
            &v.receipt_code,
            Status::InProcess,
            None,
            None,
        )
        .expect("t");
    h.login("canbo01");
    assert_eq!(h.app.list.counts.get(&Status::InProcess), Some(&1));
    // All → submitted → received → rejected → in_process
    for _ in 0..4 {
        h.key(KeyCode::Right);
    }
    assert_eq!(h.app.list.rows.len(), 1);
    assert_eq!(h.app.list.rows[0].status, Status::InProcess);
    h.key(KeyCode::Char('o'));
    assert_eq!(
        h.app.list.rows.len(),
        2,
        "both are overdue (received in January)"
    );
}

#[test]
fn palette_runs_commands_by_name_without_accents() {
    let mut h = Harness::new();
    h.login("canbo01");
    h.key(KeyCode::Char(':'));
    h.type_str("kiem toan");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.screen, Screen::Audit);
    let s = h.app.audit.summary.as_ref().expect("audit read");
    assert!(s.problem.is_none(), "{:?}", s.problem);
    assert!(s.checked > 0);
}

#[test]
fn terminate_event_quits() {
    let mut h = Harness::new();
    h.send(Event::Terminate);
    assert!(h.app.quit);
}

#[test]
fn a_small_terminal_asks_to_be_enlarged() {
    let h = Harness::new();
    let s = h.screen(60, 20);
    assert!(s.contains("quá nhỏ"), "{s}");
}
