//! A real node in a temp dir plus a console driven by events.

use chrono::{DateTime, FixedOffset, NaiveDate};
use hoso_node::{CaseView, NewCase, Node};
use hoso_schemas::Procedure;
use hoso_testkit::fixtures;
use hoso_testkit::node::{Spec, login};
use hoso_tui::app::{App, AppOptions};
use hoso_tui::effect::{Effect, execute};
use hoso_tui::event::Event;
use hoso_tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{
    Event as TermEvent, KeyCode, KeyEvent, KeyEventKind, KeyModifiers,
};

pub(crate) use hoso_testkit::fixtures::PASS;

/// The console's test registry: the default citizens but the child, and a citizen with a very
/// long name (for the layouts that cut it).
pub(crate) const CITIZENS: &[&str] = &[
    fixtures::HUONG,
    fixtures::DUC,
    fixtures::HUNG,
    fixtures::LONG_NAME,
];

pub(crate) struct Harness {
    pub node: Node,
    pub app: App,
    pub _dir: tempfile::TempDir,
}

/// A commune node of Xã Bình Gia in `dir` with the test officers and [`CITIZENS`].
pub(crate) fn new_node(dir: &std::path::Path) -> Node {
    Spec::commune("06112").citizens(CITIZENS).init_at(dir)
}

pub(crate) fn app_for(node: &Node) -> App {
    App::new(
        node,
        AppOptions {
            login_hint: Some("Tài khoản thử: canbo01".into()),
            theme: Some(Theme::mono()),
            today: NaiveDate::from_ymd_opt(2026, 11, 27),
            ..AppOptions::default()
        },
    )
}

impl Harness {
    pub(crate) fn new() -> Harness {
        let dir = tempfile::tempdir().expect("tempdir");
        let node = new_node(dir.path());
        let app = app_for(&node);
        Harness {
            node,
            app,
            _dir: dir,
        }
    }

    /// Applies an event and runs every effect it causes (and theirs) to completion.
    pub(crate) fn send(&mut self, ev: Event) {
        let effects = self.app.handle_event(ev);
        self.run(effects);
    }

    pub(crate) fn run(&mut self, effects: Vec<Effect>) {
        let mut queue = std::collections::VecDeque::from(effects);
        while let Some(e) = queue.pop_front() {
            if let Some(o) = execute(&self.node, e) {
                queue.extend(self.app.handle_event(Event::Done(o)));
            }
        }
    }

    pub(crate) fn key(&mut self, code: KeyCode) {
        self.send(Event::Term(TermEvent::Key(KeyEvent::new_with_kind(
            code,
            KeyModifiers::NONE,
            KeyEventKind::Press,
        ))));
    }

    pub(crate) fn ctrl(&mut self, c: char) {
        self.send(Event::Term(TermEvent::Key(KeyEvent::new_with_kind(
            KeyCode::Char(c),
            KeyModifiers::CONTROL,
            KeyEventKind::Press,
        ))));
    }

    pub(crate) fn type_str(&mut self, s: &str) {
        for c in s.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    pub(crate) fn login(&mut self, officer: &str) {
        self.type_str(officer);
        self.key(KeyCode::Enter);
        self.type_str(PASS);
        self.key(KeyCode::Enter);
        assert!(
            self.app.officer.is_some(),
            "login failed: {:?}",
            self.app.login.error
        );
        self.app.toast = None;
    }

    /// The screen as text, `w`×`h`.
    pub(crate) fn screen(&self, w: u16, h: u16) -> String {
        let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        hoso_tui::terminal::draw(&mut t, &self.app).expect("draw");
        t.backend().to_string()
    }

    pub(crate) fn terminal(&self, w: u16, h: u16) -> Terminal<TestBackend> {
        let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        hoso_tui::terminal::draw(&mut t, &self.app).expect("draw");
        t
    }
}

pub(crate) fn citizen_fields(p: &Procedure) -> Vec<(String, String)> {
    p.fields
        .iter()
        .filter(|f| f.required && f.source.is_none())
        .map(|f| (f.name.clone(), f.example()))
        .collect()
}

pub(crate) fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).expect("time")
}

/// A case received at a fixed time (so receipt codes and due dates are stable).
pub(crate) fn case_at(node: &Node, procedure: &str, citizen: &str, received: &str) -> CaseView {
    let p = node.catalog().procedure(procedure).expect("procedure");
    node.create_case(
        &login(node, "canbo01"),
        NewCase {
            procedure: procedure.into(),
            citizen_id: citizen.into(),
            fields: citizen_fields(p),
            received_at: Some(at(received)),
        },
    )
    .expect("create")
}

/// insta settings that hide what depends on the clock or on random node keys.
pub(crate) fn stable() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.add_filter(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", "[dd/mm/yyyy hh:mm]");
    // A paused case shows the day the supplement was asked for: the day the test ran.
    s.add_filter(r"tạm dừng từ \d{2}/\d{2}(/\d{4})?", "tạm dừng từ [dd/mm]");
    s.add_filter(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", "[yyyy-mm-dd hh:mm]");
    // A case decided today after its due date: how late grows with the day the test runs.
    s.add_filter(r"xong trễ \d+ ngà", "xong trễ [n] ngà");
    s.add_filter(r"\b[0-9a-f]{10}\b", "[node]");
    s.add_filter(r"\b[0-9a-f]{64}\b", "[hash]");
    s
}
