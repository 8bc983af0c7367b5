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

use crate::effect::{Effect, Outcome};
use crate::event::Event;
use crate::screen::{audit_view, detail, list, login, new_case, palette, sync_panel};
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
}

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
    /// The help overlay is open.
    pub help: bool,
    /// The command palette, when open.
    pub palette: Option<palette::PaletteState>,
    /// The current toast.
    pub toast: Option<Toast>,
    /// Asking whether to quit with changes not yet synced.
    pub confirm_quit: bool,
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
            help: false,
            palette: None,
            toast: None,
            confirm_quit: false,
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
            Screen::Sync | Screen::Audit => false,
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
                self.on_key(k)
            }
            Event::Term(TermEvent::Mouse(m)) => self.on_mouse(m),
            Event::Term(TermEvent::Paste(text)) => {
                self.redraw = true;
                self.on_paste(&text)
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
            let mut out = list::reload(self);
            out.push(Effect::LoadCounts);
            return out;
        }
        vec![]
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
                KeyCode::Esc
                    | KeyCode::F(1)
                    | KeyCode::Char('?')
                    | KeyCode::Char('q')
                    | KeyCode::Enter
            ) {
                self.help = false;
            }
            return vec![];
        }
        if self.confirm_quit {
            self.confirm_quit = false;
            if matches!(
                key.code,
                KeyCode::Char('y') | KeyCode::Char('c') | KeyCode::Enter
            ) {
                self.quit = true;
            }
            return vec![];
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
            Command::GoList => {
                self.screen = Screen::List;
                let mut out = list::reload(self);
                out.push(Effect::LoadCounts);
                out
            }
            Command::NewCase => {
                if !self.can_write() {
                    self.toast("Vai trò của bạn chỉ được xem, không tiếp nhận hồ sơ.", true);
                    return vec![];
                }
                self.new_case = new_case::NewCaseState::default();
                self.screen = Screen::NewCase;
                vec![]
            }
            Command::GoSync => {
                self.screen = Screen::Sync;
                vec![]
            }
            Command::GoAudit => {
                self.screen = Screen::Audit;
                self.audit.loading = true;
                vec![Effect::LoadAudit]
            }
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
                    out.push(Effect::LoadCounts);
                    out
                }
                Screen::Detail => detail::reload(self),
                Screen::Audit => vec![Effect::LoadAudit],
                _ => vec![],
            },
            Command::Logout => {
                self.officer = None;
                self.login = login::LoginState::default();
                self.screen = Screen::Login;
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
            Outcome::LoggedIn(r) => login::on_result(self, r),
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
            Outcome::Audit(r) => {
                audit_view::on_audit(self, r);
                vec![]
            }
        }
    }

    /// Marks the list for a reload at the next tick.
    pub fn mark_list_dirty(&mut self) {
        self.list_dirty = true;
    }
}
