//! The console's state and its one update function.
//!
//! [`App::handle_event`] mutates state and returns [`Effect`]s; it never calls the node, so the
//! whole console can be driven in tests without a terminal. Rendering is in [`crate::ui`].

use chrono::NaiveDate;
use hoso_node::{AuthenticatedOfficer, CaseId, Node, SyncCommand, SyncStatus};
use hoso_schemas::{Catalog, HolidayCalendar};
use ratatui::crossterm::event::{
    Event as TermEvent, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent,
};

use crate::draft::{Draft, NewCaseDraft};
use crate::effect::{Effect, Outcome};
use crate::event::Event;
use crate::screen::{
    audit_view, auditor, detail, list, login, new_case, palette, province, province_cases,
    sync_panel,
};
use crate::theme::Theme;

/// The screens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    /// Officer id and passphrase.
    Login,
    /// The case list (home).
    List,
    /// Receiving a new case.
    NewCase,
    /// One case.
    Detail,
    /// Peers and links.
    Sync,
    /// The audit chain.
    Audit,
    /// The hub's province dashboard by commune.
    Province,
    /// One commune's cases, from the dashboard.
    ProvinceCases,
    /// The auditor's view of every chain held.
    Auditor,
}

/// Commands reachable from keys and from the palette.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// Go to the case list.
    GoList,
    /// Start receiving a case.
    NewCase,
    /// Go to the sync panel.
    GoSync,
    /// Go to the audit view.
    GoAudit,
    /// Ask the sync engine for a round now.
    SyncNow,
    /// Cut or restore the link.
    ToggleLink,
    /// Show the help overlay.
    Help,
    /// Reload what is shown.
    Refresh,
    /// Back to the login screen.
    Logout,
    /// Leave the console.
    Quit,
}

impl Command {
    /// Every command, in palette order.
    pub const ALL: [Command; 10] = [
        Command::GoList,
        Command::NewCase,
        Command::GoSync,
        Command::SyncNow,
        Command::ToggleLink,
        Command::GoAudit,
        Command::Refresh,
        Command::Help,
        Command::Logout,
        Command::Quit,
    ];

    /// The Vietnamese name and its key.
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Command::GoList => ("Danh sách hồ sơ", "1"),
            Command::NewCase => ("Tiếp nhận hồ sơ mới", "n / 2"),
            Command::GoSync => ("Đồng bộ: trạng thái các điểm", "3"),
            Command::SyncNow => ("Đồng bộ ngay", "s"),
            Command::ToggleLink => ("Cắt / khôi phục kết nối", "c (màn Đồng bộ)"),
            Command::GoAudit => ("Nhật ký kiểm toán", "4"),
            Command::Refresh => ("Tải lại", "r"),
            Command::Help => ("Trợ giúp phím", "? / F1"),
            Command::Logout => ("Đăng xuất", ""),
            Command::Quit => ("Thoát", "q / Ctrl+C"),
        }
    }
}

/// One key binding, for the help overlay and the hint bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyHelp {
    /// The keys, as shown.
    pub keys: &'static str,
    /// What they do.
    pub what: &'static str,
    /// Shown in the hint bar too.
    pub bar: bool,
}

/// Shorthand for a [`KeyHelp`].
pub const fn key_help(keys: &'static str, what: &'static str, bar: bool) -> KeyHelp {
    KeyHelp { keys, what, bar }
}

/// A short message in a corner that goes away by itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Toast {
    /// The text.
    pub text: String,
    /// An error rather than news.
    pub error: bool,
    /// Ticks left.
    pub ticks: u16,
}

/// Options that change what the console offers.
#[derive(Clone, Debug, Default)]
pub struct AppOptions {
    /// A line shown on the login screen (e.g. the demo accounts).
    pub login_hint: Option<String>,
    /// Log in as this officer without a passphrase prompt being filled (prefills the id).
    pub officer: Option<String>,
    /// Mouse capture is on (wheel and click on the list).
    pub mouse: bool,
    /// Colours and styles.
    pub theme: Option<Theme>,
    /// "Today" for deadline colours; the node's clock when `None`.
    pub today: Option<NaiveDate>,
    /// Where officers' drafts are kept; `<data dir>/drafts` when `None`.
    pub drafts_dir: Option<std::path::PathBuf>,
    /// Makes the printed forms (the binary's; printing is offered only with one).
    pub printer: Option<crate::print::SharedPrinter>,
}

/// What an `Esc` on typed text would leave: the console asks first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Discard {
    /// The new-case form with values typed.
    NewCase,
    /// The note box with text.
    Note,
}

/// Ticks (4 Hz) between checks that the logged-in account is still enabled.
pub const ACCOUNT_CHECK_TICKS: u32 = 8;

/// The whole console state.
#[derive(Debug)]
pub struct App {
    /// Styles.
    pub theme: Theme,
    /// The procedure catalog.
    pub catalog: Catalog,
    /// The holiday calendar (due-soon marks).
    pub calendar: HolidayCalendar,
    /// Today, for deadline marks.
    pub today: NaiveDate,
    /// Node display name.
    pub node_name: String,
    /// Node short id.
    pub node_short: String,
    /// Shown on the login screen.
    pub login_hint: Option<String>,
    /// Mouse capture is on.
    pub mouse: bool,
    /// The logged-in officer, as the node authenticated them (the write path needs it).
    pub officer: Option<AuthenticatedOfficer>,
    /// The current screen.
    pub screen: Screen,
    /// Login form.
    pub login: login::LoginState,
    /// Case list.
    pub list: list::ListState,
    /// New-case flow.
    pub new_case: new_case::NewCaseState,
    /// Case detail.
    pub detail: detail::DetailState,
    /// The sync engine's last status.
    pub sync: SyncStatus,
    /// Sync panel.
    pub sync_panel: sync_panel::SyncPanelState,
    /// Audit view.
    pub audit: audit_view::AuditState,
    /// This node is a provincial hub: it opens on the dashboard and receives no cases.
    pub hub: bool,
    /// The hub's dashboard.
    pub province: province::ProvinceState,
    /// The hub's drill-down into one commune.
    pub province_cases: province_cases::ProvinceCasesState,
    /// The auditor's screen.
    pub auditor: auditor::AuditorState,
    /// The help overlay is open.
    pub help: bool,
    /// The command palette, when open.
    pub palette: Option<palette::PaletteState>,
    /// The current toast.
    pub toast: Option<Toast>,
    /// Asking whether to quit with changes not yet synced.
    pub confirm_quit: bool,
    /// Ticks since the logged-in account was last checked (disabled accounts end at once).
    pub account_ticks: u32,
    /// Asking whether to leave typed text (it stays as a draft unless the officer says drop it).
    pub confirm_discard: Option<Discard>,
    /// Where drafts are kept.
    pub drafts_dir: std::path::PathBuf,
    /// The officer's draft as typed now.
    pub draft: Draft,
    draft_saved: Draft,
    /// Makes the printed forms, when the console was given one.
    pub printer: Option<crate::print::SharedPrinter>,
    /// The loop should end.
    pub quit: bool,
    /// Something changed since the last frame.
    pub redraw: bool,
    generation: u64,
    list_dirty: bool,
}

/// How long a toast stays, in ticks.
const TOAST_TICKS: u16 = 16;

impl App {
    /// A console for `node`, at the login screen.
    pub fn new(node: &Node, opts: AppOptions) -> App {
        let mut login = login::LoginState::default();
        if let Some(o) = &opts.officer {
            login.officer.set(o);
            login.focus = 1;
        }
        App {
            theme: opts.theme.unwrap_or_default(),
            catalog: node.catalog().clone(),
            calendar: node.calendar().clone(),
            today: opts
                .today
                .unwrap_or_else(|| hoso_node::deadline::now().date_naive()),
            node_name: node.config().name.clone(),
            node_short: node.id().short(),
            login_hint: opts.login_hint,
            mouse: opts.mouse,
            officer: None,
            screen: Screen::Login,
            login,
            list: list::ListState::default(),
            new_case: new_case::NewCaseState::default(),
            detail: detail::DetailState::default(),
            sync: node.sync_status().borrow().clone(),
            sync_panel: sync_panel::SyncPanelState::default(),
            audit: audit_view::AuditState::default(),
            hub: node.config().role == hoso_node::NodeRole::Hub,
            province: province::ProvinceState::default(),
            province_cases: province_cases::ProvinceCasesState::default(),
            auditor: auditor::AuditorState::default(),
            help: false,
            palette: None,
            toast: None,
            confirm_quit: false,
            account_ticks: 0,
            confirm_discard: None,
            drafts_dir: opts.drafts_dir.unwrap_or_else(|| node.dir().join("drafts")),
            draft: Draft::default(),
            draft_saved: Draft::default(),
            printer: opts.printer,
            quit: false,
            redraw: true,
            generation: 0,
            list_dirty: false,
        }
    }

    /// A fresh request number (answers to older ones are dropped).
    pub fn next_generation(&mut self) -> u64 {
        self.generation += 1;
        self.generation
    }

    /// The logged-in officer's id (empty before login).
    pub fn officer_id(&self) -> String {
        self.officer
            .as_ref()
            .map(|o| o.id().to_string())
            .unwrap_or_default()
    }

    /// The officer may change cases.
    pub fn can_write(&self) -> bool {
        self.officer
            .as_ref()
            .is_some_and(|o| o.officer().can_write())
    }

    /// Shows a toast.
    pub fn toast(&mut self, text: impl Into<String>, error: bool) {
        self.toast = Some(Toast {
            text: text.into(),
            error,
            ticks: TOAST_TICKS,
        });
    }

    /// A text field has the keyboard: letters are text, not shortcuts.
    pub fn typing(&self) -> bool {
        match self.screen {
            Screen::Login => true,
            Screen::List => self.list.searching,
            Screen::NewCase => self.new_case.typing(),
            Screen::Detail => self.detail.typing(),
            Screen::Auditor => self.auditor.typing(),
            Screen::Sync | Screen::Audit | Screen::Province | Screen::ProvinceCases => false,
        }
    }

    /// Applies one event. Returns what the node should do.
    pub fn handle_event(&mut self, ev: Event) -> Vec<Effect> {
        if let Event::Term(t) = &ev {
            tracing::trace!(event = ?t, screen = ?self.screen, "input");
        }
        match ev {
            Event::Tick => self.on_tick(),
            Event::Term(TermEvent::Key(k)) => {
                if k.kind == KeyEventKind::Release {
                    return vec![];
                }
                self.redraw = true;
                let mut out = self.on_key(k);
                out.extend(self.refresh_draft());
                out
            }
            Event::Term(TermEvent::Mouse(m)) => self.on_mouse(m),
            Event::Term(TermEvent::Paste(text)) => {
                self.redraw = true;
                let mut out = self.on_paste(&text);
                out.extend(self.refresh_draft());
                out
            }
            Event::Term(TermEvent::Resize(..)) => {
                self.redraw = true;
                vec![]
            }
            Event::Term(_) => vec![],
            Event::CaseChanged(id) => self.on_changed(Some(id)),
            Event::ManyChanged => self.on_changed(None),
            Event::Sync(s) => {
                self.sync = s;
                self.redraw = true;
                vec![]
            }
            Event::Done(o) => {
                self.redraw = true;
                self.on_outcome(o)
            }
            Event::Terminate => {
                self.quit = true;
                vec![]
            }
        }
    }

    fn on_tick(&mut self) -> Vec<Effect> {
        let mut out = Vec::new();
        // Every 2 s: a supervisor may have disabled this account (issue 12).
        if let Some(o) = &self.officer {
            self.account_ticks += 1;
            if self.account_ticks >= ACCOUNT_CHECK_TICKS {
                self.account_ticks = 0;
                out.push(Effect::CheckAccount {
                    officer: o.id().to_string(),
                });
            }
        }
        if self.auditor.verifying() {
            self.redraw = true; // the progress moves
        }
        if let Some(t) = &mut self.toast {
            t.ticks = t.ticks.saturating_sub(1);
            if t.ticks == 0 {
                self.toast = None;
                self.redraw = true;
            }
        }
        if self.list_dirty && self.officer.is_some() {
            self.list_dirty = false;
            self.redraw = true;
            out.extend(list::reload(self));
            out.push(self.load_counts());
            return out;
        }
        out
    }

    fn on_changed(&mut self, id: Option<CaseId>) -> Vec<Effect> {
        if self.officer.is_none() {
            return vec![];
        }
        self.list_dirty = true;
        if self.screen == Screen::Detail
            && let Some(c) = &self.detail.case
            && id.is_none_or(|id| id == c.view.id)
            && self.detail.popup.is_none()
        {
            return vec![Effect::LoadCase {
                reference: c.view.id.to_string(),
            }];
        }
        vec![]
    }

    fn on_paste(&mut self, text: &str) -> Vec<Effect> {
        match self.screen {
            Screen::Login => {
                self.login.focused_mut().insert_str(text);
                vec![]
            }
            Screen::List if self.list.searching => {
                self.list.search.insert_str(text);
                list::reload(self)
            }
            Screen::NewCase => new_case::on_paste(self, text),
            Screen::Detail => {
                detail::on_paste(self, text);
                vec![]
            }
            Screen::Auditor => {
                auditor::on_paste(self, text);
                vec![]
            }
            _ => vec![],
        }
    }

    fn on_mouse(&mut self, m: MouseEvent) -> Vec<Effect> {
        if self.screen == Screen::List && self.palette.is_none() && !self.help {
            self.redraw = true;
            return list::on_mouse(self, m);
        }
        vec![]
    }

    fn on_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && key.code == KeyCode::Char('c') {
            self.quit = true;
            return vec![];
        }
        if self.palette.is_some() {
            return palette::on_key(self, key);
        }
        if self.help {
            if matches!(
                key.code,
                KeyCode::Esc | KeyCode::F(1) | KeyCode::Char('?' | 'q') | KeyCode::Enter
            ) {
                self.help = false;
            }
            return vec![];
        }
        if self.confirm_quit {
            self.confirm_quit = false;
            if matches!(key.code, KeyCode::Char('y' | 'c') | KeyCode::Enter) {
                self.quit = true;
            }
            return vec![];
        }
        if let Some(which) = self.confirm_discard.take() {
            return match key.code {
                KeyCode::Char('y' | 'c') | KeyCode::Enter => self.leave_typed(which, true),
                KeyCode::Char('x') => self.leave_typed(which, false),
                _ => vec![], // stay and keep typing
            };
        }
        if key.code == KeyCode::F(1) {
            self.help = true;
            return vec![];
        }
        if self.screen == Screen::Login {
            return login::on_key(self, key);
        }
        if ctrl && key.code == KeyCode::Char('p') {
            self.palette = Some(palette::PaletteState::default());
            return vec![];
        }
        if !self.typing() {
            match key.code {
                KeyCode::Char('?') => {
                    self.help = true;
                    return vec![];
                }
                KeyCode::Char(':') => {
                    self.palette = Some(palette::PaletteState::default());
                    return vec![];
                }
                KeyCode::Char('1') if !self.screen_uses_digits() => {
                    return self.run(Command::GoList);
                }
                KeyCode::Char('2') if !self.screen_uses_digits() => {
                    return self.run(Command::NewCase);
                }
                KeyCode::Char('3') if !self.screen_uses_digits() => {
                    return self.run(Command::GoSync);
                }
                KeyCode::Char('4') if !self.screen_uses_digits() => {
                    return self.run(Command::GoAudit);
                }
                KeyCode::Char('/')
                    if self.screen != Screen::List && self.detail.popup.is_none() =>
                {
                    // `/` searches from anywhere: back to the list with the search field open.
                    self.screen = Screen::List;
                    self.list.searching = true;
                    let mut out = list::reload(self);
                    out.push(self.load_counts());
                    return out;
                }
                KeyCode::Char('s') | KeyCode::F(5) => return self.run(Command::SyncNow),
                KeyCode::Char(c) if !c.is_ascii() => {
                    // A Vietnamese IME turned letters into accented ones: no shortcut matches.
                    self.toast(
                        "Phím tắt không nhận chữ có dấu. Tắt bộ gõ tiếng Việt để dùng phím tắt?",
                        false,
                    );
                    return vec![];
                }
                _ => {}
            }
        }
        match self.screen {
            Screen::Login => login::on_key(self, key),
            Screen::List => list::on_key(self, key),
            Screen::NewCase => new_case::on_key(self, key),
            Screen::Detail => detail::on_key(self, key),
            Screen::Sync => sync_panel::on_key(self, key),
            Screen::Audit => audit_view::on_key(self, key),
            Screen::Province => province::on_key(self, key),
            Screen::ProvinceCases => province_cases::on_key(self, key),
            Screen::Auditor => auditor::on_key(self, key),
        }
    }

    fn screen_uses_digits(&self) -> bool {
        self.screen == Screen::Detail && self.detail.popup.is_some()
    }

    /// `q` at top level: quit, asking first when changes have not reached any peer.
    pub fn request_quit(&mut self) {
        if self.sync.running && self.sync.pending() > 0 {
            self.confirm_quit = true;
        } else {
            self.quit = true;
        }
    }

    /// Runs a command.
    pub fn run(&mut self, cmd: Command) -> Vec<Effect> {
        self.redraw = true;
        match cmd {
            Command::GoList if self.hub => province::open(self),
            Command::GoList => {
                self.screen = Screen::List;
                let mut out = list::reload(self);
                out.push(self.load_counts());
                out
            }
            Command::NewCase => {
                if self.hub {
                    self.toast(
                        "Trung tâm tỉnh không tiếp nhận hồ sơ: hồ sơ được tiếp nhận tại xã và đồng bộ lên đây.",
                        true,
                    );
                    return vec![];
                }
                if !self.can_write() {
                    self.toast("Vai trò của bạn chỉ được xem, không tiếp nhận hồ sơ.", true);
                    return vec![];
                }
                self.screen = Screen::NewCase;
                let unfinished = self.new_case.step != new_case::Step::Receipt
                    && self.new_case.procedure.is_some();
                if unfinished {
                    return vec![]; // back to the form as it was left
                }
                self.new_case = new_case::NewCaseState::default();
                match self.draft.new_case.clone() {
                    Some(d) => new_case::restore(self, d),
                    None => vec![],
                }
            }
            Command::GoSync => {
                self.screen = Screen::Sync;
                vec![]
            }
            Command::GoAudit => auditor::open(self),
            Command::SyncNow => {
                if self.sync.running {
                    self.toast("Đã yêu cầu đồng bộ ngay.", false);
                } else {
                    self.toast(
                        "Chưa có tiến trình đồng bộ: hồ sơ vẫn được lưu tại máy này.",
                        false,
                    );
                }
                vec![Effect::Sync(SyncCommand::SyncNow)]
            }
            Command::ToggleLink => {
                let restore = self.sync.link_cut;
                self.toast(
                    if restore {
                        "Khôi phục kết nối…"
                    } else {
                        "Cắt kết nối: hồ sơ vẫn làm việc bình thường, sẽ gửi khi có lại mạng."
                    },
                    false,
                );
                vec![Effect::Sync(SyncCommand::SetLink(restore))]
            }
            Command::Help => {
                self.help = true;
                vec![]
            }
            Command::Refresh => match self.screen {
                Screen::List => {
                    let mut out = list::reload(self);
                    out.push(self.load_counts());
                    out
                }
                Screen::Detail => detail::reload(self),
                Screen::Audit => vec![Effect::LoadAudit],
                Screen::Province => province::reload(self),
                _ => vec![],
            },
            Command::Logout => {
                self.logout();
                vec![]
            }
            Command::Quit => {
                self.request_quit();
                vec![]
            }
        }
    }

    fn on_outcome(&mut self, o: Outcome) -> Vec<Effect> {
        match o {
            Outcome::LoggedIn(r) => {
                let mut out = login::on_result(self, r);
                out.extend(self.open_home());
                out
            }
            Outcome::List { generation, rows } => {
                list::on_rows(self, generation, rows);
                vec![]
            }
            Outcome::Counts(c) => {
                self.list.counts = c;
                vec![]
            }
            Outcome::Case(r) => {
                detail::on_case(self, r);
                vec![]
            }
            Outcome::Prefill { generation, result } => {
                new_case::on_prefill(self, generation, result);
                vec![]
            }
            Outcome::Created(r) => new_case::on_created(self, r),
            Outcome::Updated(r) => detail::on_updated(self, r),
            Outcome::Draft(d) => {
                if d.new_case.is_some() {
                    self.toast(
                        "Có hồ sơ mới đang nhập dở (bản nháp): nhấn n để nhập tiếp.",
                        false,
                    );
                }
                self.draft_saved = (*d).clone();
                self.draft = *d;
                vec![]
            }
            Outcome::Audit(r) => {
                audit_view::on_audit(self, r);
                vec![]
            }
            Outcome::AccountEnded(msg) => {
                // The account was disabled: the session ends, nothing of it stays on screen.
                self.logout();
                self.login.error = Some(msg);
                self.redraw = true;
                vec![]
            }
            Outcome::Printed(form, r) => {
                crate::screen::case_actions::on_printed(self, form, r);
                vec![]
            }
            Outcome::Oversight(o) => {
                use crate::oversight::OversightOutcome as O;
                match o {
                    O::Dashboard(r) => province::on_dashboard(self, r),
                    O::CommuneCases { commune, result } => {
                        province_cases::on_cases(self, commune, result);
                    }
                    O::Audit { generation, result } => {
                        auditor::on_results(self, generation, result);
                    }
                    O::Verified(r) => auditor::on_verified(self, r),
                    O::Exported(r) => auditor::on_exported(self, r),
                }
                vec![]
            }
        }
    }

    /// Back to the login screen with nothing of the session left: the next officer sees none
    /// of the previous one's search, filters, open case, form or audit view.
    pub fn logout(&mut self) {
        self.officer = None;
        self.login = login::LoginState::default();
        self.list = list::ListState::default();
        self.new_case = new_case::NewCaseState::default();
        self.detail = detail::DetailState::default();
        self.audit = audit_view::AuditState::default();
        self.province = province::ProvinceState::default();
        self.province_cases = province_cases::ProvinceCasesState::default();
        let export_dir = std::mem::take(&mut self.auditor.export_dir);
        self.auditor = auditor::AuditorState {
            export_dir,
            ..auditor::AuditorState::default()
        };
        self.sync_panel = sync_panel::SyncPanelState::default();
        self.palette = None;
        self.help = false;
        self.toast = None;
        self.confirm_quit = false;
        self.confirm_discard = None;
        self.draft = Draft::default();
        self.draft_saved = Draft::default();
        self.list_dirty = false;
        // Answers to requests of the old session are dropped.
        self.generation += 1;
        self.screen = Screen::Login;
    }

    /// Leaves the form or note box the officer confirmed leaving; `keep` leaves the draft.
    fn leave_typed(&mut self, which: Discard, keep: bool) -> Vec<Effect> {
        match which {
            Discard::NewCase => {
                if keep {
                    self.new_case.step = new_case::Step::Citizen;
                    self.new_case.error = None;
                    self.toast("Đã giữ bản nháp: mở lại Tiếp nhận (n) để nhập tiếp.", false);
                } else {
                    self.new_case = new_case::NewCaseState::default();
                    self.draft.new_case = None;
                    self.screen = Screen::List;
                    self.toast("Đã bỏ bản nháp hồ sơ mới.", false);
                }
            }
            Discard::Note => {
                self.detail.popup = None;
                if !keep && let Some(c) = &self.detail.case {
                    self.draft.notes.remove(&c.view.id.to_string());
                }
                self.toast(
                    if keep {
                        "Đã giữ ghi chú nháp: nhấn m để viết tiếp."
                    } else {
                        "Đã bỏ ghi chú nháp."
                    },
                    false,
                );
            }
        }
        vec![]
    }

    /// The draft file of the logged-in officer.
    pub fn draft_file(&self) -> Option<std::path::PathBuf> {
        let o = self.officer.as_ref()?;
        Some(crate::draft::path(&self.drafts_dir, &o.id))
    }

    /// Folds what is typed now into the draft; returns the write when it changed.
    fn refresh_draft(&mut self) -> Option<Effect> {
        let file = self.draft_file()?;
        let nc = &self.new_case;
        if self.screen == Screen::NewCase
            && matches!(nc.step, new_case::Step::Citizen | new_case::Step::Form)
            && let Some(procedure) = &nc.procedure
        {
            let mut d = NewCaseDraft {
                procedure: procedure.clone(),
                citizen_id: nc.citizen.value().to_string(),
                fields: Default::default(),
            };
            // Values of the form in hand, or (before the registry answers) the draft's own.
            if nc.fields.is_empty() {
                if let Some(old) = &self.draft.new_case
                    && old.procedure == d.procedure
                {
                    d.fields = old.fields.clone();
                }
            } else {
                d.fields = nc
                    .fields
                    .iter()
                    .filter(|f| !f.from_registry && !f.input.value().trim().is_empty())
                    .map(|f| (f.def.name.clone(), f.input.value().to_string()))
                    .collect();
            }
            self.draft.new_case = (!d.is_empty()).then_some(d);
        }
        crate::screen::case_actions::fold_draft(self);
        if self.screen == Screen::Detail
            && let Some(detail::Popup::Note(note)) = &self.detail.popup
            && let Some(c) = &self.detail.case
        {
            let id = c.view.id.to_string();
            if note.value().trim().is_empty() {
                self.draft.notes.remove(&id);
            } else {
                self.draft.notes.insert(id, note.value().to_string());
            }
        }
        self.save_draft_if_changed(file)
    }

    fn save_draft_if_changed(&mut self, file: std::path::PathBuf) -> Option<Effect> {
        if self.draft == self.draft_saved {
            return None;
        }
        self.draft_saved = self.draft.clone();
        Some(Effect::SaveDraft {
            file,
            seq: crate::draft::next_seq(),
            draft: self.draft.clone(),
        })
    }

    /// Writes the draft now if it changed (after a save or a discard).
    pub fn flush_draft(&mut self) -> Vec<Effect> {
        match self.draft_file() {
            Some(f) => self.save_draft_if_changed(f).into_iter().collect(),
            None => vec![],
        }
    }

    /// Counts the list tabs again ("my cases" applied when on).
    pub fn load_counts(&self) -> Effect {
        Effect::LoadCounts {
            mine: self.list.mine.then(|| self.officer_id()),
            today: self.today,
        }
    }

    /// After login a hub opens on its province dashboard (a commune stays on the work queue).
    fn open_home(&mut self) -> Vec<Effect> {
        if self.hub && self.officer.is_some() {
            province::open(self)
        } else {
            vec![]
        }
    }

    /// Marks the list for a reload at the next tick.
    pub fn mark_list_dirty(&mut self) {
        self.list_dirty = true;
    }
}
