//! One module per screen or overlay. Each holds its state, its key handling (`on_key`, which
//! changes only the screen's own state, reads the [`crate::context::Context`] and returns
//! [`crate::action::AppAction`]s for the app to apply), its rendering (`render`) and its key list
//! (`keys`). No screen imports the app or another screen's behaviour: what a screen asks of
//! another (open a case, reload the list) is an action. [`detail_state`] and [`transitions`]
//! are the detail screen's state and status moves, apart so [`case_actions`] can use them.
//!
//! This module names the screens for the frame: [`screen_title`] and [`screen_keys`].

pub mod audit_view;
pub mod auditor;
pub mod case_actions;
pub mod case_form;
pub mod detail;
pub mod detail_state;
pub mod help;
pub mod list;
pub mod login;
pub mod new_case;
pub mod palette;
pub mod province;
pub mod province_cases;
pub mod sync_panel;
pub mod transitions;

use crate::action::Screen;
use crate::app::App;
use crate::keys::KeyHelp;

/// The Vietnamese name of a screen.
pub fn screen_title(s: Screen) -> &'static str {
    match s {
        Screen::Login => "Đăng nhập",
        Screen::List => "Danh sách hồ sơ",
        Screen::NewCase => "Tiếp nhận hồ sơ",
        Screen::Detail => "Chi tiết hồ sơ",
        Screen::Sync => "Đồng bộ",
        Screen::Audit => "Kiểm toán",
        Screen::Province => "Các xã",
        Screen::ProvinceCases => "Hồ sơ của xã",
        Screen::Auditor => "Kiểm toán",
    }
}

/// The keys of the current screen (help overlay and hint bar).
pub fn screen_keys(app: &App) -> Vec<KeyHelp> {
    match app.screen {
        Screen::Login => login::keys(),
        Screen::List => list::keys(&app.list, &app.ctx),
        Screen::NewCase => new_case::keys(&app.new_case),
        Screen::Detail => detail::keys(&app.detail, &app.ctx),
        Screen::Sync => sync_panel::keys(),
        Screen::Audit => audit_view::keys(),
        Screen::Province => province::keys(),
        Screen::ProvinceCases => province_cases::keys(),
        Screen::Auditor => auditor::keys(&app.auditor),
    }
}
