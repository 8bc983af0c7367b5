//! The frame around every screen: a title line with the tabs, the screen, the status bar
//! (connectivity, pending count, officer) and the key-hint bar; overlays on top.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

use crate::app::{App, KeyHelp, Screen};
use crate::screen::{audit_view, detail, help, list, login, new_case, palette, sync_panel};

/// Smallest supported terminal.
pub const MIN_WIDTH: u16 = 80;
/// Smallest supported terminal.
pub const MIN_HEIGHT: u16 = 24;

/// The Vietnamese name of a screen.
pub fn screen_title(s: Screen) -> &'static str {
    match s {
        Screen::Login => "Đăng nhập",
        Screen::List => "Danh sách hồ sơ",
        Screen::NewCase => "Tiếp nhận hồ sơ",
        Screen::Detail => "Chi tiết hồ sơ",
        Screen::Sync => "Đồng bộ",
        Screen::Audit => "Kiểm toán",
    }
}

/// The keys of the current screen (help overlay and hint bar).
pub fn screen_keys(app: &App) -> Vec<KeyHelp> {
    match app.screen {
        Screen::Login => login::keys(),
        Screen::List => list::keys(app),
        Screen::NewCase => new_case::keys(app),
        Screen::Detail => detail::keys(app),
        Screen::Sync => sync_panel::keys(app),
        Screen::Audit => audit_view::keys(app),
    }
}

/// Draws the whole console.
pub fn render(app: &App, frame: &mut Frame<'_>) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let msg = format!(
            "Cửa sổ quá nhỏ ({}×{}): cần ít nhất {MIN_WIDTH}×{MIN_HEIGHT}. Hãy phóng to cửa sổ.",
            area.width, area.height
        );
        frame.render_widget(Paragraph::new(msg).wrap(Wrap { trim: true }), area);
        return;
    }
    let [top, body, status, hints] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(10),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    render_top(app, frame, top);
    match app.screen {
        Screen::Login => login::render(app, frame, body),
        Screen::List => list::render(app, frame, body),
        Screen::NewCase => new_case::render(app, frame, body),
        Screen::Detail => detail::render(app, frame, body),
        Screen::Sync => sync_panel::render(app, frame, body),
        Screen::Audit => audit_view::render(app, frame, body),
    }
    render_status(app, frame, status);
    render_hints(app, frame, hints);
    if let Some(t) = &app.toast {
        let w = u16::try_from(t.text.width() + 4)
            .unwrap_or(u16::MAX)
            .min(body.width);
        let lines = if w >= body.width { 4 } else { 3 };
        let r = Rect {
            x: body.right().saturating_sub(w),
            y: body.bottom().saturating_sub(lines),
            width: w,
            height: lines,
        };
        frame.render_widget(Clear, r);
        let style = if t.error {
            app.theme.error()
        } else {
            app.theme.ok()
        };
        frame.render_widget(
            Paragraph::new(Span::styled(t.text.clone(), style))
                .wrap(Wrap { trim: true })
                .block(Block::bordered().border_style(style)),
            r,
        );
    }
    if app.confirm_quit {
        let r = body.centered(Constraint::Length(64), Constraint::Length(4));
        frame.render_widget(Clear, r);
        frame.render_widget(
            Paragraph::new(format!(
                "Còn {} hồ sơ chưa gửi tới điểm khác (vẫn được lưu tại máy). Thoát? y / Enter: thoát · phím khác: ở lại",
                app.sync.pending()
            ))
            .wrap(Wrap { trim: true })
            .block(Block::bordered().border_style(app.theme.warn())),
            r,
        );
    }
    if app.palette.is_some() {
        palette::render(app, frame, body);
    }
    if app.help {
        help::render(app, frame, body);
    }
}

fn render_top(app: &App, frame: &mut Frame<'_>, area: Rect) {
    let t = app.theme;
    let mut spans = vec![
        Span::styled(" hoso ", t.selected()),
        Span::styled(format!(" {} ", app.node_name), t.title()),
    ];
    if app.officer.is_some() {
        for (i, (s, name)) in [
            (Screen::List, "1 Hồ sơ"),
            (Screen::NewCase, "2 Tiếp nhận"),
            (Screen::Sync, "3 Đồng bộ"),
            (Screen::Audit, "4 Kiểm toán"),
        ]
        .into_iter()
        .enumerate()
        {
            let active = app.screen == s || (app.screen == Screen::Detail && i == 0);
            spans.push(Span::raw(" "));
            spans.push(Span::styled(
                format!(" {name} "),
                if active { t.selected() } else { t.dim() },
            ));
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn render_status(app: &App, frame: &mut Frame<'_>, area: Rect) {
    let t = app.theme;
    let s = &app.sync;
    let conn = if !s.running {
        Span::styled("[CHỈ MÁY NÀY]", t.dim())
    } else if s.link_cut {
        Span::styled("[MẤT KẾT NỐI: đã cắt]", t.warn())
    } else if s.online() {
        Span::styled("[TRỰC TUYẾN]", t.ok())
    } else {
        Span::styled("[NGOẠI TUYẾN]", t.error())
    };
    let pending = s.pending();
    let mut spans = vec![
        conn,
        Span::styled(
            format!(" chờ gửi {pending}"),
            if pending > 0 { t.warn() } else { t.dim() },
        ),
    ];
    if let Some(last) = s.peers.iter().filter_map(|p| p.last_sync.as_deref()).max() {
        spans.push(Span::styled(
            format!(" · đồng bộ {}", crate::format::time_vi(last)),
            t.dim(),
        ));
    }
    let right = match &app.officer {
        Some(o) => format!("{} · {} ", o.id(), o.role().label_vi()),
        None => "chưa đăng nhập ".to_string(),
    };
    let left_w: usize = spans.iter().map(|s| s.content.width()).sum();
    let pad = usize::from(area.width).saturating_sub(left_w + right.width());
    spans.push(Span::raw(" ".repeat(pad)));
    spans.push(Span::styled(right, t.dim()));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn render_hints(app: &App, frame: &mut Frame<'_>, area: Rect) {
    let t = app.theme;
    let mut keys: Vec<KeyHelp> = if app.help {
        vec![crate::app::key_help("Esc", "đóng trợ giúp", true)]
    } else if app.palette.is_some() {
        vec![
            crate::app::key_help("gõ", "lọc", true),
            crate::app::key_help("Enter", "chạy", true),
            crate::app::key_help("Esc", "đóng", true),
        ]
    } else {
        screen_keys(app).into_iter().filter(|k| k.bar).collect()
    };
    // In a text field `?` is a letter: the help key there is F1.
    let help_key = if app.typing() { "F1" } else { "?" };
    let help_hint = (!app.help && app.palette.is_none())
        .then(|| crate::app::key_help(help_key, "trợ giúp", true));
    let mut spans = vec![];
    let mut used = 0;
    // The help key always shows: the others fit in what is left.
    let width = usize::from(area.width)
        .saturating_sub(help_hint.map_or(0, |k| k.keys.width() + k.what.width() + 3));
    if let Some(h) = help_hint {
        keys.retain(|k| k.keys != help_key);
        keys.push(h);
    }
    let mut budget = width;
    keys.retain(|k| {
        let w = k.keys.width() + k.what.width() + 3;
        if k.keys == help_key || w <= budget {
            budget = budget.saturating_sub(w);
            true
        } else {
            false
        }
    });
    let width = usize::from(area.width);
    for k in keys {
        let w = k.keys.width() + k.what.width() + 3;
        if used + w > width {
            break;
        }
        used += w;
        spans.push(Span::styled(format!(" {}", k.keys), t.key()));
        spans.push(Span::raw(format!(" {} ", k.what)));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
