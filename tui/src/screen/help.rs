//! The help overlay (`?` / `F1`): every key of the current screen, then the global ones.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

use crate::context::Context;
use crate::keys::{KeyHelp, key_help};

/// Keys that work on every screen (outside text fields where noted).
pub fn global_keys() -> Vec<KeyHelp> {
    vec![
        key_help("? / F1", "trợ giúp này", false),
        key_help(": / Ctrl+P", "bảng lệnh", false),
        key_help(
            "1 2 3 4",
            "Danh sách · Tiếp nhận · Đồng bộ · Kiểm toán",
            false,
        ),
        key_help("s / F5", "đồng bộ ngay", false),
        key_help("Esc", "quay lại, đóng, huỷ (không xoá gì)", false),
        key_help(
            "q / Ctrl+C",
            "thoát (q ở màn chính, Ctrl+C ở mọi nơi)",
            false,
        ),
    ]
}

/// Draws the overlay: `screen` is the current screen's keys, `title` its name (see
/// [`super::screen_keys`] and [`super::screen_title`]).
pub fn render(ctx: &Context, screen: &[KeyHelp], title: &str, frame: &mut Frame<'_>, area: Rect) {
    let t = ctx.theme;
    let global = global_keys();
    let kw = screen
        .iter()
        .chain(global.iter())
        .map(|k| k.keys.width())
        .max()
        .unwrap_or(8);
    let mut lines = vec![Line::from(Span::styled(
        format!("Màn hình: {title}"),
        t.header(),
    ))];
    let row = |k: &KeyHelp| {
        Line::from(vec![
            Span::styled(format!("  {:<kw$}  ", k.keys), t.key()),
            Span::raw(k.what),
        ])
    };
    // `q` is listed once, with the global keys.
    lines.extend(screen.iter().filter(|k| k.keys != "q").map(row));
    let global_lines = global.len() + 1;
    // On a short screen the spacing and the IME note go first, so every key still shows.
    let roomy = lines.len() + global_lines + 3 + 2 <= usize::from(area.height);
    if roomy {
        lines.push(Line::raw(""));
    }
    lines.push(Line::from(Span::styled("Mọi màn hình", t.header())));
    lines.extend(global.iter().map(row));
    if roomy {
        lines.push(Line::raw(""));
        lines.push(Line::from(Span::styled(
            "Đang bật bộ gõ tiếng Việt? Phím tắt chỉ nhận chữ không dấu; ô nhập nhận mọi chữ.",
            t.dim(),
        )));
    }
    let h = u16::try_from(lines.len() + 2)
        .unwrap_or(u16::MAX)
        .min(area.height);
    let bx = area.centered(
        Constraint::Length(area.width.min(76)),
        Constraint::Length(h),
    );
    frame.render_widget(Clear, bx);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::bordered()
                .title(Span::styled(" Trợ giúp: phím (Esc để đóng) ", t.title()))
                .border_style(t.title()),
        ),
        bx,
    );
}
