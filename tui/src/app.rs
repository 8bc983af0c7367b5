//! The console's state and its one update function.
//!
//! [`App::handle_event`] mutates state and returns [`Effect`]s; it never calls the node, so the
//! whole console can be driven in tests without a terminal. Rendering is in [`crate::ui`].
//!
//! The app owns every screen's state and the read-only [`Context`] they share. It hands each
//! screen its own state and `&Context`; the screen returns [`AppAction`]s, which
//! [`App::apply`] carries out in order (switching screens, toasts, the session, effects).

use std::cell::Cell;
use std::ops::{Deref, DerefMut};

use chrono::NaiveDate;
use hoso_node::{CaseId, Node, SyncCommand};
use ratatui::crossterm::event::{
    Event as TermEvent, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent,
};

use crate::action::AppAction;
pub use crate::action::{Command, Discard, Screen};
pub use crate::context::Context;
use crate::draft::{Draft, NewCaseDraft};
use crate::effect::{Effect, Outcome};
use crate::event::Event;
pub use crate::keys::{KeyHelp, key_help};
use crate::screen::{
    audit_view, auditor, case_actions, detail, list, login, new_case, palette, province,
    province_cases, sync_panel,
};
use crate::theme::Theme;

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

/// Ticks (4 Hz) between checks that the logged-in account is still enabled.
pub const ACCOUNT_CHECK_TICKS: u32 = 8;

/// The whole console state.
#[derive(Debug)]
pub struct App {
    /// What every screen reads (the app's fields of it are reachable as `app.field` too).
    pub ctx: Context,
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
    /// Sync panel.
    pub sync_panel: sync_panel::SyncPanelState,
    /// Audit view.
    pub audit: audit_view::AuditState,
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
    /// The catalog version the console's context holds.
    pub catalog_version: u64,
    /// Asking whether to leave typed text (it stays as a draft unless the officer says drop it).
    pub confirm_discard: Option<Discard>,
    /// The officer's draft as typed now.
    pub draft: Draft,
    draft_saved: Draft,
    /// The loop should end.
    pub quit: bool,
    /// Something changed since the last frame.
    pub redraw: bool,
    list_dirty: bool,
}

/// The context's fields and methods (`app.officer`, `app.today`, `app.officer_id()`) read as
/// the app's own.
impl Deref for App {
    type Target = Context;
    fn deref(&self) -> &Context {
        &self.ctx
    }
}

impl DerefMut for App {
    fn deref_mut(&mut self) -> &mut Context {
        &mut self.ctx
    }
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
        let today: NaiveDate = opts
            .today
            .unwrap_or_else(|| hoso_node::deadline::now().date_naive());
        App {
            ctx: Context {
                theme: opts.theme.unwrap_or_default(),
                catalog: node.catalog().clone(),
                calendar: node.calendar().clone(),
                today,
                node_name: node.config().name.clone(),
                node_short: node.id().short(),
                login_hint: opts.login_hint,
                mouse: opts.mouse,
                officer: None,
                sync: node.sync_status().borrow().clone(),
                hub: node.config().role == hoso_node::NodeRole::Hub,
                drafts_dir: opts.drafts_dir.unwrap_or_else(|| node.dir().join("drafts")),
                printer: opts.printer,
                generation: Cell::new(0),
            },
            screen: Screen::Login,
            login,
            list: list::ListState::default(),
            new_case: new_case::NewCaseState::default(),
            detail: detail::DetailState::default(),
            sync_panel: sync_panel::SyncPanelState::default(),
            audit: audit_view::AuditState::default(),
            province: province::ProvinceState::default(),
            province_cases: province_cases::ProvinceCasesState::default(),
            auditor: auditor::AuditorState::default(),
            help: false,
            palette: None,
            toast: None,
            confirm_quit: false,
            account_ticks: 0,
            catalog_version: node.catalog_version(),
            confirm_discard: None,
            draft: Draft::default(),
            draft_saved: Draft::default(),
            quit: false,
            redraw: true,
            list_dirty: false,
        }
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
                self.ctx.sync = s;
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
        if let Some(o) = &self.ctx.officer {
            self.account_ticks += 1;
            if self.account_ticks >= ACCOUNT_CHECK_TICKS {
                self.account_ticks = 0;
                out.push(Effect::CheckAccount {
                    officer: o.id().to_string(),
                });
                // As often: a catalog version applied by another process (issue 12).
                out.push(Effect::CheckCatalog {
                    shown: self.catalog_version,
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
        if self.list_dirty && self.ctx.officer.is_some() {
            self.list_dirty = false;
            self.redraw = true;
            out.extend(self.reload_list());
            out.push(self.load_counts());
            return out;
        }
        out
    }

    fn on_changed(&mut self, id: Option<CaseId>) -> Vec<Effect> {
        if self.ctx.officer.is_none() {
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
                self.reload_list()
            }
            Screen::NewCase => {
                let a = new_case::on_paste(&mut self.new_case, text);
                self.apply(a)
            }
            Screen::Detail => {
                detail::on_paste(&mut self.detail, text);
                vec![]
            }
            Screen::Auditor => {
                auditor::on_paste(&mut self.auditor, text);
                vec![]
            }
            _ => vec![],
        }
    }

    fn on_mouse(&mut self, m: MouseEvent) -> Vec<Effect> {
        if self.screen == Screen::List && self.palette.is_none() && !self.help {
            self.redraw = true;
            let a = list::on_mouse(&mut self.list, &self.ctx, m);
            return self.apply(a);
        }
        vec![]
    }

    fn on_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && key.code == KeyCode::Char('c') {
            self.quit = true;
            return vec![];
        }
        if let Some(p) = self.palette.as_mut() {
            let a = palette::on_key(p, key);
            return self.apply(a);
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
            let a = login::on_key(&mut self.login, key);
            return self.apply(a);
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
                    let mut out = self.reload_list();
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
        let ctx = &self.ctx;
        let actions = match self.screen {
            Screen::Login => login::on_key(&mut self.login, key),
            Screen::List => list::on_key(&mut self.list, ctx, key),
            Screen::NewCase => new_case::on_key(&mut self.new_case, ctx, key),
            Screen::Detail => detail::on_key(&mut self.detail, ctx, &mut self.draft, key),
            Screen::Sync => sync_panel::on_key(&mut self.sync_panel, ctx, key),
            Screen::Audit => audit_view::on_key(&mut self.audit, key),
            Screen::Province => province::on_key(&mut self.province, ctx, key),
            Screen::ProvinceCases => province_cases::on_key(&mut self.province_cases, key),
            Screen::Auditor => auditor::on_key(&mut self.auditor, key),
        };
        self.apply(actions)
    }

    /// Carries out what a screen asked, in order; returns what the node should do.
    pub fn apply(&mut self, actions: Vec<AppAction>) -> Vec<Effect> {
        let mut out = Vec::new();
        for action in actions {
            match action {
                AppAction::Effect(e) => out.push(*e),
                AppAction::Toast { text, error } => self.toast(text, error),
                AppAction::Run(cmd) => out.extend(self.run(cmd)),
                AppAction::Go(screen) => self.screen = screen,
                AppAction::Quit => self.request_quit(),
                AppAction::OpenCase(reference) => {
                    let a = detail::open(&mut self.detail, reference);
                    out.extend(self.apply(a));
                }
                AppAction::OpenCommune { code, name } => {
                    let a = province_cases::open(&mut self.province_cases, &self.ctx, code, name);
                    out.extend(self.apply(a));
                }
                AppAction::LoadCounts => out.push(self.load_counts()),
                AppAction::MarkListDirty => self.mark_list_dirty(),
                AppAction::FlushDraft => out.extend(self.flush_draft()),
                AppAction::ConfirmDiscard(which) => self.confirm_discard = Some(which),
                AppAction::Print { reference, form } => {
                    let a = case_actions::print(&self.ctx, reference, form);
                    out.extend(self.apply(a));
                }
                AppAction::SignIn(officer) => {
                    self.ctx.officer = Some(*officer);
                    self.screen = Screen::List;
                    out.extend(self.reload_list());
                    out.push(self.load_counts());
                    if let Some(file) = self.ctx.draft_file() {
                        out.push(Effect::LoadDraft { file });
                    }
                }
                AppAction::ClosePalette => self.palette = None,
            }
        }
        out
    }

    /// Reads the page of the list holding the selected row again.
    fn reload_list(&mut self) -> Vec<Effect> {
        let a = list::reload(&mut self.list, &self.ctx);
        self.apply(a)
    }

    fn open_province(&mut self) -> Vec<Effect> {
        let a = province::open(&mut self.province, &self.ctx);
        self.apply(a)
    }

    fn screen_uses_digits(&self) -> bool {
        self.screen == Screen::Detail && self.detail.popup.is_some()
    }

    /// `q` at top level: quit, asking first when changes have not reached any peer.
    pub fn request_quit(&mut self) {
        if self.ctx.sync.running && self.ctx.sync.pending() > 0 {
            self.confirm_quit = true;
        } else {
            self.quit = true;
        }
    }

    /// Runs a command.
    pub fn run(&mut self, cmd: Command) -> Vec<Effect> {
        self.redraw = true;
        match cmd {
            Command::GoList if self.ctx.hub => self.open_province(),
            Command::GoList => {
                self.screen = Screen::List;
                let mut out = self.reload_list();
                out.push(self.load_counts());
                out
            }
            Command::NewCase => {
                if self.ctx.hub {
                    self.toast(
                        "Trung tâm tỉnh không tiếp nhận hồ sơ: hồ sơ được tiếp nhận tại xã và đồng bộ lên đây.",
                        true,
                    );
                    return vec![];
                }
                if !self.ctx.can_write() {
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
                    Some(d) => {
                        let a = new_case::restore(&mut self.new_case, &self.ctx, d);
                        self.apply(a)
                    }
                    None => vec![],
                }
            }
            Command::GoSync => {
                self.screen = Screen::Sync;
                vec![]
            }
            Command::GoAudit => {
                let a = auditor::open(&mut self.auditor);
                self.apply(a)
            }
            Command::SyncNow => {
                if self.ctx.sync.running {
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
                let restore = self.ctx.sync.link_cut;
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
                    let mut out = self.reload_list();
                    out.push(self.load_counts());
                    out
                }
                Screen::Detail => {
                    let a = detail::reload(&mut self.detail);
                    self.apply(a)
                }
                Screen::Audit => vec![Effect::LoadAudit],
                Screen::Province => {
                    let a = province::reload(&mut self.province, &self.ctx);
                    self.apply(a)
                }
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
                let a = login::on_result(&mut self.login, r);
                let mut out = self.apply(a);
                out.extend(self.open_home());
                out
            }
            Outcome::List { generation, rows } => {
                list::on_rows(&mut self.list, generation, rows);
                vec![]
            }
            Outcome::Counts(c) => {
                self.list.counts = c;
                vec![]
            }
            Outcome::Case(r) => {
                detail::on_case(&mut self.detail, r);
                vec![]
            }
            Outcome::Prefill { generation, result } => {
                new_case::on_prefill(
                    &mut self.new_case,
                    &self.ctx,
                    &self.draft,
                    generation,
                    result,
                );
                vec![]
            }
            Outcome::Created(r) => {
                let a = new_case::on_created(&mut self.new_case, &mut self.draft, r);
                self.apply(a)
            }
            Outcome::Updated(r) => {
                let a = detail::on_updated(&mut self.detail, &mut self.draft, r);
                self.apply(a)
            }
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
                audit_view::on_audit(&mut self.audit, r);
                vec![]
            }
            Outcome::Catalog(version, rules) => {
                let (catalog, calendar) = *rules;
                self.ctx.catalog = catalog;
                self.ctx.calendar = calendar;
                self.catalog_version = version;
                self.toast(
                    format!(
                        "Đã áp dụng danh mục thủ tục phiên bản {version} do hub tỉnh ban hành."
                    ),
                    false,
                );
                self.redraw = true;
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
                let receipt =
                    (self.screen == Screen::NewCase).then_some(&mut self.new_case.printed);
                let a = case_actions::on_printed(&mut self.detail, receipt, form, r);
                self.apply(a)
            }
            Outcome::Oversight(o) => {
                use crate::oversight::OversightOutcome as O;
                match o {
                    O::Dashboard(r) => province::on_dashboard(&mut self.province, r),
                    O::CommuneCases { commune, result } => {
                        province_cases::on_cases(&mut self.province_cases, commune, result);
                    }
                    O::Audit { generation, result } => {
                        auditor::on_results(&mut self.auditor, generation, result);
                    }
                    O::Verified(r) => auditor::on_verified(&mut self.auditor, r),
                    O::Exported(r) => {
                        let a = auditor::on_exported(&mut self.auditor, r);
                        return self.apply(a);
                    }
                }
                vec![]
            }
        }
    }

    /// Back to the login screen with nothing of the session left: the next officer sees none
    /// of the previous one's search, filters, open case, form or audit view.
    pub fn logout(&mut self) {
        self.ctx.officer = None;
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
        self.ctx.next_generation();
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

    /// Folds what is typed now into the draft; returns the write when it changed.
    fn refresh_draft(&mut self) -> Option<Effect> {
        let file = self.ctx.draft_file()?;
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
        if self.screen == Screen::Detail {
            case_actions::fold_draft(&self.detail, &mut self.draft);
        }
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
        match self.ctx.draft_file() {
            Some(f) => self.save_draft_if_changed(f).into_iter().collect(),
            None => vec![],
        }
    }

    /// Counts the list tabs again ("my cases" applied when on).
    pub fn load_counts(&self) -> Effect {
        Effect::LoadCounts {
            mine: self.list.mine.then(|| self.ctx.officer_id()),
            today: self.ctx.today,
        }
    }

    /// After login a hub opens on its province dashboard (a commune stays on the work queue).
    fn open_home(&mut self) -> Vec<Effect> {
        if self.ctx.hub && self.ctx.officer.is_some() {
            self.open_province()
        } else {
            vec![]
        }
    }

    /// Marks the list for a reload at the next tick.
    pub fn mark_list_dirty(&mut self) {
        self.list_dirty = true;
    }
}
