//! The state machine, driven by events, with effects run against a real node.

use hoso_node::{CaseQuery, PeerStatus, SyncCommand};
use hoso_schemas::Clock;
use hoso_schemas::Status;
use hoso_testkit::node::login;
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
fn a_bundle_form_shows_each_section_once() {
    let mut h = Harness::new();
    h.login("canbo01");
    h.key(KeyCode::Char('n'));
    h.type_str("lien thong dang ky khai sinh");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.new_case.procedure.as_deref(), Some("bundle_birth"));
    h.type_str("020190012345");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.new_case.step, Step::Form);
    // The catalog lists "Người đi khai" fields on both sides of "Nhận kết quả"; the form groups
    // them, so no section comes back after another one started.
    let mut seen: Vec<&str> = Vec::new();
    for f in &h.app.new_case.fields {
        let section = f.def.section.as_str();
        if seen.last() != Some(&section) {
            assert!(
                !seen.contains(&section),
                "section {section} shown twice: {seen:?}"
            );
            seen.push(section);
        }
    }
    assert!(seen.len() >= 3, "sections: {seen:?}");
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
    assert!(shown.audit.iter().any(|a| a.action == "Chuyển trạng thái"));
    assert!(
        shown
            .audit
            .iter()
            .any(|a| a.sentence.contains("«Đã tiếp nhận» → «Đang xử lý»")),
        "{:?}",
        shown.audit
    );
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
            &login(&h.node, "lanhdao01"),
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
            &hoso_node::Author::Officer(login(&h.node, "canbo01")),
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

/// Four cases as of 27/11/2026: one late, one due far ahead, one paused for a supplement, one
/// returned late (ended).
fn day_of_work(h: &Harness) -> [hoso_node::CaseView; 4] {
    let late = case_at(
        &h.node,
        "judicial_record",
        "020190012345",
        "2026-11-02T09:00:00+07:00",
    );
    let ahead = case_at(
        &h.node,
        "judicial_record",
        "020088001111",
        "2099-03-02T09:00:00+07:00",
    );
    let paused = case_at(
        &h.node,
        "judicial_record",
        "020075000777",
        "2026-11-20T09:00:00+07:00",
    );
    let ended = case_at(
        &h.node,
        "judicial_record",
        "020301000123",
        "2026-01-05T09:00:00+07:00",
    );
    for (v, to) in [
        (&late, Status::InProcess),
        (&paused, Status::InProcess),
        (&paused, Status::SupplementRequested),
        (&ended, Status::InProcess),
        (&ended, Status::Decided),
        (&ended, Status::Returned),
    ] {
        let who = if to == Status::Decided {
            "lanhdao01"
        } else {
            "canbo01"
        };
        if to == Status::Returned {
            // A decided case is handed over only with its recorded result.
            h.node
                .record_result(
                    &login(&h.node, who),
                    &v.receipt_code,
                    &hoso_node::node::ResultInput {
                        track: None,
                        kind: "Phiếu lý lịch tư pháp".into(),
                        number: "12/2026".into(),
                        date: hoso_node::deadline::now().date_naive(),
                        signer: "Lương Văn Đạt".into(),
                        channel: hoso_node::case::Delivery::Desk,
                    },
                )
                .expect("result");
        }
        h.node
            .transition(&login(&h.node, who), &v.receipt_code, to, None, None)
            .expect("transition");
    }
    [late, ahead, paused, ended]
}

#[test]
fn the_work_queue_opens_on_open_cases_overdue_first_with_real_totals() {
    use hoso_tui::queue::Tab;
    let mut h = Harness::new();
    let [late, ahead, paused, ended] = day_of_work(&h);
    h.login("canbo01");
    let l = &h.app.list;
    assert_eq!(
        l.current_filter(),
        Tab::Open,
        "the default tab is the work queue"
    );
    let codes: Vec<&str> = l.rows.iter().map(|r| r.receipt_code.as_str()).collect();
    assert_eq!(
        codes,
        [
            late.receipt_code.as_str(),
            ahead.receipt_code.as_str(),
            paused.receipt_code.as_str()
        ],
        "overdue first, then soonest due, then paused; the returned case is not here"
    );
    assert_eq!(l.total(), Some(3));
    assert_eq!(l.counts.of(Tab::Open), 3);
    assert_eq!(l.counts.of(Tab::Overdue), 1);
    assert_eq!(l.counts.of(Tab::Paused), 1);
    assert_eq!(l.counts.of(Tab::Ended), 1);
    assert_eq!(l.counts.of(Tab::All), 4);
    assert!(matches!(l.rows[0].clock, Clock::Late { working_days } if working_days > 1));
    assert!(matches!(l.rows[1].clock, Clock::Left { .. }));
    assert!(
        matches!(l.rows[2].clock, Clock::Paused { since: Some(_) }),
        "{:?}",
        l.rows[2].clock
    );
    let screen = h.screen(80, 24);
    assert!(screen.contains("[Cần xử lý 3]"), "{screen}");
    assert!(screen.contains("Quá hạn 1"), "{screen}");
    assert!(screen.contains("quá hạn 1"), "status bar: {screen}");
    assert!(screen.contains("tạm dừng từ "), "{screen}");
    assert!(screen.contains("1/3"), "{screen}");
    assert!(!screen.contains("100+"), "{screen}");

    // `o`: only the open overdue case (not the one returned late).
    h.key(KeyCode::Char('o'));
    let codes: Vec<&str> = h
        .app
        .list
        .rows
        .iter()
        .map(|r| r.receipt_code.as_str())
        .collect();
    assert_eq!(codes, [late.receipt_code.as_str()]);
    // `e`: the ended cases, in their own tab.
    h.key(KeyCode::Char('e'));
    assert_eq!(h.app.list.current_filter(), Tab::Ended);
    let codes: Vec<&str> = h
        .app
        .list
        .rows
        .iter()
        .map(|r| r.receipt_code.as_str())
        .collect();
    assert_eq!(codes, [ended.receipt_code.as_str()]);
    assert!(
        matches!(h.app.list.rows[0].clock, Clock::Ended { late_working_days, .. } if late_working_days > 0)
    );
    // Tabs cycle: ended → all.
    h.key(KeyCode::Right);
    assert_eq!(h.app.list.current_filter(), Tab::All);
    assert_eq!(h.app.list.total(), Some(4));
}

#[test]
fn my_cases_shows_only_the_officers_own_and_counts_follow() {
    use hoso_tui::queue::Tab;
    let mut h = Harness::new();
    day_of_work(&h);
    // One case assigned to the supervisor.
    let other = case_at(
        &h.node,
        "judicial_record",
        "020190012345",
        "2026-11-25T09:00:00+07:00",
    );
    h.node
        .create_case(
            &login(&h.node, "lanhdao01"),
            hoso_node::NewCase {
                procedure: "judicial_record".into(),
                citizen_id: "020088001111".into(),
                fields: super::common::citizen_fields(
                    h.node.catalog().procedure("judicial_record").expect("p"),
                ),
                received_at: Some(super::common::at("2026-11-26T09:00:00+07:00")),
            },
        )
        .expect("create");
    h.login("canbo01");
    assert_eq!(h.app.list.counts.of(Tab::Open), 5);
    h.key(KeyCode::Char('m'));
    assert!(h.app.list.mine);
    assert_eq!(
        h.app.list.counts.of(Tab::Open),
        4,
        "the supervisor's case is gone"
    );
    assert!(
        h.app
            .list
            .rows
            .iter()
            .all(|r| r.assigned_officer.as_deref() == Some("canbo01"))
    );
    assert!(h.app.list.rows.iter().any(|r| r.id == other.id));
    let screen = h.screen(80, 24);
    assert!(screen.contains("Của tôi"), "{screen}");
}

#[test]
fn palette_runs_commands_by_name_without_accents() {
    let mut h = Harness::new();
    h.login("canbo01");
    h.key(KeyCode::Char(':'));
    h.type_str("kiem toan");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.screen, Screen::Auditor);
    let r = h.app.auditor.results.as_ref().expect("audit read");
    assert!(r.total > 0 && r.total as u64 == r.held, "{r:?}");
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

#[test]
fn search_takes_the_code_as_shown_its_last_digits_the_full_code_and_the_cccd() {
    let mut h = Harness::new();
    let [late, ahead, _paused, ended] = day_of_work(&h);
    h.login("canbo01");
    let codes = |h: &Harness| -> Vec<String> {
        h.app
            .list
            .rows
            .iter()
            .map(|r| r.receipt_code.clone())
            .collect()
    };
    let short = hoso_tui::format::short_receipt(&late.receipt_code).to_string();
    for text in [
        late.receipt_code.clone(),
        short.clone(),
        short.replace('-', ""),
    ] {
        h.key(KeyCode::Char('/'));
        h.type_str(&text);
        assert_eq!(codes(&h), [late.receipt_code.as_str()], "searching {text}");
        h.key(KeyCode::Esc);
    }
    // The last digits: every case of that number, in the tab.
    let last = &short[short.len() - 4..];
    h.key(KeyCode::Char('/'));
    h.type_str(last);
    assert!(
        codes(&h).contains(&late.receipt_code),
        "{last}: {:?}",
        codes(&h)
    );
    h.key(KeyCode::Esc);
    // A citizen id.
    h.key(KeyCode::Char('/'));
    h.type_str(&ahead.citizen_id);
    assert_eq!(codes(&h), [ahead.receipt_code.as_str()]);
    h.key(KeyCode::Esc);

    // The returned case is not in the work queue: the search names the tab and offers more.
    h.key(KeyCode::Char('/'));
    h.type_str("ton nu");
    assert!(h.app.list.rows.is_empty());
    let screen = h.screen(80, 24);
    assert!(screen.contains("«Cần xử lý»"), "{screen}");
    assert!(
        screen.contains("Tab tìm trong tất cả"),
        "hint bar: {screen}"
    );
    h.key(KeyCode::Tab);
    assert_eq!(
        codes(&h),
        [ended.receipt_code.as_str()],
        "found among every case"
    );
    assert!(h.app.list.searching, "still typing");
}

#[test]
fn a_stray_letter_never_changes_data_and_the_hint_bar_shows_search() {
    let mut h = Harness::new();
    day_of_work(&h);
    h.login("canbo01");
    let before = h.node.chain_head().next_seq;
    // An officer types a name without `/` first.
    for c in "nguyen thi huong".chars() {
        h.key(KeyCode::Char(c));
        if h.app.screen == Screen::NewCase {
            h.key(KeyCode::Esc); // `n` opened the (empty) form: Esc backs out
        }
    }
    assert_eq!(h.node.chain_head().next_seq, before, "nothing was written");
    for (w, ht) in [(80, 24), (120, 40)] {
        let screen = h.screen(w, ht);
        let last = screen.lines().last().unwrap_or_default().to_string();
        assert!(last.contains("/ tìm"), "{w}x{ht}: {last}");
    }
}

#[test]
fn logout_forgets_the_previous_officers_search_and_filters() {
    let mut h = Harness::new();
    day_of_work(&h);
    h.login("canbo01");
    h.key(KeyCode::Char('m'));
    h.key(KeyCode::Char('/'));
    h.type_str("huong");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char(':'));
    h.type_str("dang xuat");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.screen, Screen::Login);
    assert!(h.app.officer.is_none());
    h.login("lanhdao01");
    assert_eq!(h.app.list.search.value(), "");
    assert!(!h.app.list.mine);
    assert_eq!(
        h.app.list.rows.len(),
        3,
        "the whole work queue, no search left over"
    );
    let screen = h.screen(80, 24);
    assert!(!screen.contains("huong"), "{screen}");
}

#[test]
fn esc_on_a_typed_form_asks_and_the_draft_survives_quitting() {
    let mut h = Harness::new();
    h.login("canbo01");
    h.key(KeyCode::Char('n'));
    h.type_str("ly lich");
    h.key(KeyCode::Enter);
    h.type_str("020190012345");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.new_case.step, Step::Form);
    let focus = h.app.new_case.focus;
    let name = h.app.new_case.fields[focus].def.name.clone();
    h.type_str("Xin cấp để bổ sung hồ sơ xin việc");
    // Esc asks; any other key stays, with the text intact.
    h.key(KeyCode::Esc);
    assert_eq!(h.app.confirm_discard, Some(hoso_tui::app::Discard::NewCase));
    assert!(h.screen(80, 24).contains("bản nháp"));
    h.key(KeyCode::Char('k'));
    assert_eq!(h.app.confirm_discard, None);
    assert_eq!(h.app.new_case.step, Step::Form);
    assert_eq!(
        h.app.new_case.fields[focus].input.value(),
        "Xin cấp để bổ sung hồ sơ xin việc"
    );
    // The draft is on disk, private to the officer, outside the store.
    let file = h.app.draft_file().expect("draft file");
    assert!(file.starts_with(h.node.dir().join("drafts")));
    let on_disk = hoso_tui::draft::load(&file);
    let nc = on_disk.new_case.expect("new-case draft");
    assert_eq!(nc.citizen_id, "020190012345");
    assert_eq!(
        nc.fields.get(&name).map(String::as_str),
        Some("Xin cấp để bổ sung hồ sơ xin việc")
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Quit abruptly (Ctrl+C), start a new console, log in again: the form comes back.
    h.ctrl('c');
    assert!(h.app.quit);
    h.app = super::common::app_for(&h.node);
    h.login("canbo01");
    h.key(KeyCode::Char('n'));
    assert_eq!(
        h.app.new_case.step,
        Step::Form,
        "{:?}",
        h.app.new_case.error
    );
    let f = h
        .app
        .new_case
        .fields
        .iter()
        .find(|f| f.def.name == name)
        .expect("field");
    assert_eq!(f.input.value(), "Xin cấp để bổ sung hồ sơ xin việc");
    // `x` drops the draft for good.
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('x'));
    assert_eq!(h.app.screen, Screen::List);
    assert!(!file.exists(), "the draft file is gone");
    h.key(KeyCode::Char('n'));
    assert_eq!(h.app.new_case.step, Step::Procedure, "a fresh form");
}

#[test]
fn an_unsaved_note_asks_on_esc_and_comes_back_after_a_restart() {
    let mut h = Harness::new();
    let v = case_at(
        &h.node,
        "judicial_record",
        "020190012345",
        "2026-11-20T09:00:00+07:00",
    );
    h.login("canbo01");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('m'));
    h.type_str("Công dân hẹn chiều mai");
    h.key(KeyCode::Esc);
    assert_eq!(h.app.confirm_discard, Some(hoso_tui::app::Discard::Note));
    h.key(KeyCode::Enter); // close, keep the draft
    assert!(h.app.detail.popup.is_none());
    h.app = super::common::app_for(&h.node);
    h.login("canbo01");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('m'));
    match &h.app.detail.popup {
        Some(hoso_tui::screen::detail::Popup::Note(n)) => {
            assert_eq!(n.value(), "Công dân hẹn chiều mai");
        }
        other => panic!("note box: {other:?}"),
    }
    h.key(KeyCode::Enter);
    let now = h.node.case(&v.receipt_code).expect("case");
    assert_eq!(now.notes.len(), 1);
    assert!(h.app.draft.notes.is_empty(), "saved: the draft is gone");
    let file = h.app.draft_file().expect("file");
    assert!(!file.exists());
}

#[test]
fn supervisor_only_transitions_are_greyed_with_the_reason_and_do_nothing() {
    let mut h = Harness::new();
    let v = case_at(
        &h.node,
        "judicial_record",
        "020190012345",
        "2026-11-20T09:00:00+07:00",
    );
    h.node
        .transition(
            &login(&h.node, "canbo01"),
            &v.receipt_code,
            Status::InProcess,
            None,
            None,
        )
        .expect("t");
    h.login("canbo01");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('t'));
    let Some(hoso_tui::screen::detail::Popup::Actions { options, .. }) = &h.app.detail.popup else {
        panic!("menu: {:?}", h.app.detail.popup)
    };
    let decided = options
        .iter()
        .position(|a| a.to == Status::Decided)
        .expect("decided is shown");
    assert_eq!(
        options[decided].blocked.as_deref(),
        Some("Chỉ Lãnh đạo được chuyển")
    );
    assert!(
        options.iter().any(|a| a.blocked.is_none()),
        "own actions too"
    );
    let screen = h.screen(80, 24);
    assert!(screen.contains("chỉ lãnh đạo được chuyển"), "{screen}");
    assert!(
        !screen.contains("(in_process)") && !screen.contains("decided"),
        "{screen}"
    );
    // Picking it explains and changes nothing.
    let key = char::from_digit(u32::try_from(decided + 1).expect("n"), 10).expect("digit");
    h.key(KeyCode::Char(key));
    assert!(
        h.app
            .toast
            .as_ref()
            .is_some_and(|t| t.error && t.text.contains("Lãnh đạo"))
    );
    assert!(matches!(
        h.app.detail.popup,
        Some(hoso_tui::screen::detail::Popup::Actions { .. })
    ));
    assert_eq!(
        h.node.case(&v.receipt_code).expect("case").status,
        Status::InProcess
    );
}

#[test]
fn node_errors_reach_the_officer_in_vietnamese() {
    let mut h = Harness::new();
    h.login("canbo01");
    h.key(KeyCode::Char('n'));
    h.type_str("ly lich");
    h.key(KeyCode::Enter);
    h.type_str("12345");
    h.key(KeyCode::Enter);
    let e = h.app.new_case.error.clone().expect("error");
    assert!(e.contains("12 chữ số"), "{e}");
    assert!(!e.contains("citizen id") && !e.contains("digits"), "{e}");
}

#[test]
fn the_status_bar_keeps_its_priorities_at_80_columns_with_the_link_cut() {
    let mut h = Harness::new();
    day_of_work(&h);
    h.login("canbo01");
    let mut s = h.app.sync.clone();
    s.running = true;
    s.link_cut = true;
    s.peers = vec![PeerStatus {
        node_id: hoso_node::NodeId([7; 32]),
        name: "Trung tâm tỉnh Lạng Sơn".into(),
        role: hoso_node::NodeRole::Hub,
        online: false,
        last_sync: Some("2026-11-27T01:30:00+00:00".into()),
        pending_cases: 12,
        bytes_in: 0,
        bytes_out: 0,
        last_error: None,
    }];
    h.send(Event::Sync(s));
    let screen = h.screen(80, 24);
    let bar = screen.lines().rev().nth(1).expect("status bar").to_string();
    assert!(bar.contains("[ĐÃ CẮT KẾT NỐI]"), "{bar}");
    assert!(bar.contains("quá hạn 1"), "{bar}");
    assert!(
        bar.trim_end_matches(['"', ' ']).ends_with("canbo01"),
        "{bar}"
    );
    // One time zone: 01:30 UTC is 08:30 in Vietnam, wherever it is shown.
    let wide = h.screen(120, 40);
    assert!(wide.contains("27/11/2026 08:30"), "{wide}");
}

#[test]
fn slash_searches_from_any_screen_and_every_hint_bar_offers_it() {
    let mut h = Harness::new();
    day_of_work(&h);
    h.login("canbo01");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.screen, Screen::Detail);
    for (screen, key) in [
        (Screen::Detail, None),
        (Screen::Sync, Some('3')),
        (Screen::Auditor, Some('4')),
    ] {
        if let Some(k) = key {
            h.key(KeyCode::Char(k));
        }
        assert_eq!(h.app.screen, screen);
        let s = h.screen(80, 24);
        let bar = s.lines().last().unwrap_or_default().to_string();
        assert!(bar.contains("/ tìm"), "{screen:?}: {bar}");
    }
    h.key(KeyCode::Char('/'));
    assert_eq!(h.app.screen, Screen::List);
    assert!(h.app.list.searching);
    h.type_str("huong");
    assert_eq!(h.app.list.rows.len(), 1);
}

/// A catalog version the node takes while the console is open (a hub's bundle applied by
/// `serve`'s sync, issue 12) reaches the console at its next account check: the screens use
/// the new catalog and a toast says which version.
#[test]
fn a_catalog_version_applied_while_open_reaches_the_console() {
    let mut h = Harness::new();
    h.login("canbo01");
    let fee = |c: &hoso_schemas::Catalog| {
        c.procedure("judicial_record")
            .expect("judicial")
            .fee
            .as_ref()
            .expect("fee")
            .in_person
    };
    assert_eq!(fee(&h.app.catalog), 200_000);
    let files = hoso_testkit::fixtures::catalog_files(250_000);
    let hub = hoso_testkit::node::hub();
    let signed = hub
        .publish_catalog(&login(&hub, "lanhdao01"), files)
        .expect("publish");
    // Another handle on the same store, as `serve` would be.
    let other = hoso_node::Node::open(h.node.dir()).expect("open");
    other
        .apply_catalog(&hoso_testkit::node::peer_entry(&hub, None), &signed.bytes)
        .expect("apply");
    for _ in 0..hoso_tui::app::ACCOUNT_CHECK_TICKS {
        h.send(Event::Tick);
    }
    assert_eq!(h.app.catalog_version, 1);
    assert_eq!(fee(&h.app.catalog), 250_000);
    let toast = h.app.toast.as_ref().expect("a toast");
    assert!(toast.text.contains("phiên bản 1"), "{}", toast.text);
}
