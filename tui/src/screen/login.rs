//! Login: officer id and passphrase, checked by the node (argon2, on the blocking pool).

use hoso_node::AuthenticatedOfficer;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::action::{AppAction, news};
use crate::context::Context;
use crate::effect::Effect;
use crate::input::Input;
use crate::keys::{KeyHelp, key_help};

/// The login form.
#[derive(Clone, Debug)]
pub struct LoginState {
    /// Officer id.
    pub officer: Input,
    /// Passphrase (masked).
    pub passphrase: Input,
    /// 0 = officer id, 1 = passphrase.
    pub focus: usize,
    /// The last refusal.
    pub error: Option<String>,
    /// Waiting for the node's answer.
    pub busy: bool,
}

impl Default for LoginState {
    fn default() -> Self {
        LoginState {
            officer: Input::new(),
            passphrase: Input::masked(),
            focus: 0,
            error: None,
            busy: false,
        }
    }
}

impl LoginState {
    /// The focused field.
    pub fn focused_mut(&mut self) -> &mut Input {
        if self.focus == 0 {
            &mut self.officer
        } else {
            &mut self.passphrase
        }
    }
}

/// Keys of the login screen.
pub fn keys() -> Vec<KeyHelp> {
    vec![
        key_help("Tab ↑↓", "chuyển ô", true),
        key_help("Enter", "đăng nhập", true),
        key_help("Ctrl+C", "thoát", true),
    ]
}

/// Handles a key.
pub fn on_key(s: &mut LoginState, key: KeyEvent) -> Vec<AppAction> {
    match key.code {
        KeyCode::Tab | KeyCode::BackTab | KeyCode::Down | KeyCode::Up => {
            s.focus = 1 - s.focus.min(1);
        }
        KeyCode::Esc => {
            s.passphrase.clear();
            s.error = None;
        }
        KeyCode::Enter => {
            if s.officer.value().trim().is_empty() {
                s.focus = 0;
                s.error = Some("Nhập mã cán bộ.".into());
            } else if s.focus == 0 && s.passphrase.value().is_empty() {
                s.focus = 1;
            } else if !s.busy {
                s.busy = true;
                s.error = None;
                return vec![
                    Effect::Login {
                        officer: s.officer.value().trim().to_string(),
                        passphrase: s.passphrase.value().to_string(),
                    }
                    .into(),
                ];
            }
        }
        _ => {
            s.focused_mut().handle_key(&key);
        }
    }
    vec![]
}

/// Handles the node's answer.
/// On success the session starts ([`AppAction::SignIn`]: the list, its counts and the officer's
/// draft are read).
pub fn on_result(s: &mut LoginState, r: Result<AuthenticatedOfficer, String>) -> Vec<AppAction> {
    s.busy = false;
    match r {
        Ok(o) => {
            s.passphrase.clear();
            vec![
                news(format!(
                    "Xin chào {} ({}).",
                    o.officer().name,
                    o.role().label_vi()
                )),
                AppAction::SignIn(Box::new(o)),
            ]
        }
        Err(e) => {
            s.passphrase.clear();
            s.focus = 1;
            s.error = Some(format!("Không đăng nhập được: {e}"));
            vec![]
        }
    }
}

/// Draws the login box in the middle of `area`.
pub fn render(s: &LoginState, ctx: &Context, frame: &mut Frame<'_>, area: Rect) {
    let t = ctx.theme;
    let bx = area.centered(
        Constraint::Length(area.width.min(64)),
        Constraint::Length(14),
    );
    frame.render_widget(Clear, bx);
    let block = Block::bordered()
        .title(Span::styled(" Đăng nhập cán bộ ", t.title()))
        .border_style(t.title());
    let inner = block.inner(bx);
    frame.render_widget(block, bx);
    let [head, _, l1, f1, l2, f2, _, msg] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .horizontal_margin(1)
    .areas(inner);
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(Span::styled(ctx.node_name.clone(), t.title())),
            Line::from(Span::styled(
                "Hồ sơ hành chính một cửa, làm việc cả khi mất mạng",
                t.dim(),
            )),
        ]),
        head,
    );
    let label = |text: &'static str, focused: bool| {
        Span::styled(
            format!("{} {text}", if focused { "▶" } else { " " }),
            if focused { t.title() } else { t.text() },
        )
    };
    frame.render_widget(Paragraph::new(label("Mã cán bộ", s.focus == 0)), l1);
    frame.render_widget(Paragraph::new(label("Mật khẩu", s.focus == 1)), l2);
    let field = |r: Rect| Rect {
        x: r.x + 2,
        width: r.width.saturating_sub(2),
        ..r
    };
    s.officer
        .render(frame, field(f1), t.selected(), s.focus == 0);
    s.passphrase
        .render(frame, field(f2), t.selected(), s.focus == 1);
    let mut lines = Vec::new();
    if s.busy {
        lines.push(Line::from(Span::styled("Đang kiểm tra…", t.dim())));
    }
    if let Some(e) = &s.error {
        lines.push(Line::from(Span::styled(e.clone(), t.error())));
    }
    if let Some(h) = &ctx.login_hint {
        lines.push(Line::from(Span::styled(h.clone(), t.dim())));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), msg);
}
