//! What a screen asks of the app. A screen changes only its own state; everything beyond it (an
//! effect for the node, a toast, another screen, the session) it returns as an [`AppAction`],
//! which [`crate::app::App`] applies in order. The screens, commands and discard prompts are
//! named here so screens can ask for them without knowing the app.

use hoso_node::AuthenticatedOfficer;

use crate::effect::Effect;

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

/// What an `Esc` on typed text would leave: the console asks first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Discard {
    /// The new-case form with values typed.
    NewCase,
    /// The note box with text.
    Note,
}

/// One thing a screen asks the app to do, applied in order after the screen returns.
#[derive(Debug)]
pub enum AppAction {
    /// Ask the node (run on the blocking pool; its answer comes back as an event).
    Effect(Box<Effect>),
    /// Show a toast.
    Toast {
        /// The text.
        text: String,
        /// An error rather than news.
        error: bool,
    },
    /// Run a command, as its key would.
    Run(Command),
    /// Show another screen (nothing is read).
    Go(Screen),
    /// `q` at top level: quit, asking first when changes have not reached any peer.
    Quit,
    /// Open a case (by id or receipt code) on the detail screen.
    OpenCase(String),
    /// Open one commune's cases (hub).
    OpenCommune {
        /// The commune's code.
        code: String,
        /// Its name.
        name: String,
    },
    /// Count the list tabs again.
    LoadCounts,
    /// Reload the list at the next tick.
    MarkListDirty,
    /// Write the officer's draft now if it changed.
    FlushDraft,
    /// Ask before leaving typed text.
    ConfirmDiscard(Discard),
    /// Print a form of a case.
    Print {
        /// The case, by id or receipt code.
        reference: String,
        /// The form.
        form: crate::print::Form,
    },
    /// The node accepted the login: the session starts.
    SignIn(Box<AuthenticatedOfficer>),
    /// Close the command palette.
    ClosePalette,
}

impl From<Effect> for AppAction {
    fn from(e: Effect) -> Self {
        AppAction::Effect(Box::new(e))
    }
}

/// A toast with news.
pub fn news(text: impl Into<String>) -> AppAction {
    AppAction::Toast {
        text: text.into(),
        error: false,
    }
}

/// A toast with an error.
pub fn error(text: impl Into<String>) -> AppAction {
    AppAction::Toast {
        text: text.into(),
        error: true,
    }
}

/// A toast; `error` for an error rather than news.
pub fn toast(text: impl Into<String>, error: bool) -> AppAction {
    AppAction::Toast {
        text: text.into(),
        error,
    }
}
