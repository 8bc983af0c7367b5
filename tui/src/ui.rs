//! The frame around every screen: a title line with the tabs, the screen, the status bar
//! (connectivity, pending count, officer) and the key-hint bar; overlays on top.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

use crate::action::{Discard, Screen};
use crate::app::App;
use crate::keys::{KeyHelp, key_help};
use crate::screen::{
    audit_view, auditor, detail, help, list, login, new_case, palette, province, province_cases,
    screen_keys, screen_title, sync_panel,
};

/// Smallest supported terminal.
pub const MIN_WIDTH: u16 = 80;
/// Smallest supported terminal.
pub const MIN_HEIGHT: u16 = 24;

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
    let ctx = &app.ctx;
    match app.screen {
        Screen::Login => login::render(&app.login, ctx, frame, body),
        Screen::List => list::render(&app.list, ctx, frame, body),
        Screen::NewCase => new_case::render(&app.new_case, ctx, frame, body),
        Screen::Detail => detail::render(&app.detail, ctx, frame, body),
        Screen::Sync => sync_panel::render(&app.sync_panel, ctx, frame, body),
        Screen::Audit => audit_view::render(&app.audit, ctx, frame, body),
        Screen::Province => province::render(&app.province, ctx, frame, body),
        Screen::ProvinceCases => province_cases::render(&app.province_cases, ctx, frame, body),
        Screen::Auditor => auditor::render(&app.auditor, ctx, frame, body),
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
            app.ctx.theme.error()
        } else {
            app.ctx.theme.ok()
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
                app.ctx.sync.pending()
            ))
            .wrap(Wrap { trim: true })
            .block(Block::bordered().border_style(app.ctx.theme.warn())),
            r,
        );
    }
    if let Some(which) = app.confirm_discard {
        let text = match which {
            Discard::NewCase => {
                "Rời biểu mẫu? Những gì đã nhập vẫn được giữ làm bản nháp và hiện lại khi mở lại. Enter / y: rời (giữ nháp) · x: bỏ bản nháp · phím khác: ở lại nhập tiếp"
            }
            Discard::Note => {
                "Đóng ô ghi chú chưa lưu? Ghi chú vẫn được giữ làm bản nháp. Enter / y: đóng (giữ nháp) · x: bỏ ghi chú · phím khác: viết tiếp"
            }
        };
        let r = body.centered(Constraint::Length(70), Constraint::Length(5));
        frame.render_widget(Clear, r);
        frame.render_widget(
            Paragraph::new(text)
                .wrap(Wrap { trim: true })
                .block(Block::bordered().border_style(app.ctx.theme.warn())),
            r,
        );
    }
    if let Some(p) = &app.palette {
        palette::render(p, ctx, frame, body);
    }
    if app.help {
        let keys = screen_keys(app);
        help::render(ctx, &keys, screen_title(app.screen), frame, body);
    }
}

fn render_top(app: &App, frame: &mut Frame<'_>, area: Rect) {
    let t = app.ctx.theme;
    let mut spans = vec![
        Span::styled(" hoso ", t.selected()),
        Span::styled(format!(" {} ", app.ctx.node_name), t.title()),
    ];
    if app.ctx.officer.is_some() {
        let tabs = if app.ctx.hub {
            // A hub receives no cases: its first tab is the province by commune.
            vec![
                (Screen::Province, "1 Các xã"),
                (Screen::Sync, "3 Đồng bộ"),
                (Screen::Auditor, "4 Kiểm toán"),
            ]
        } else {
            vec![
                (Screen::List, "1 Hồ sơ"),
                (Screen::NewCase, "2 Tiếp nhận"),
                (Screen::Sync, "3 Đồng bộ"),
                (Screen::Auditor, "4 Kiểm toán"),
            ]
        };
        for (i, (s, name)) in tabs.into_iter().enumerate() {
            let active = app.screen == s
                || (i == 0
                    && matches!(
                        app.screen,
                        Screen::Detail | Screen::List | Screen::ProvinceCases
                    ))
                || (s == Screen::Auditor && app.screen == Screen::Audit);
            spans.push(Span::raw(" "));
            spans.push(Span::styled(
                format!(" {name} "),
                if active { t.selected() } else { t.dim() },
            ));
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// One piece of the status bar. When the bar is too narrow, pieces with the largest `drop`
/// go first, so connectivity, the overdue count and the officer always stay.
struct Piece {
    drop: u8,
    right: bool,
    span: Span<'static>,
}

fn render_status(app: &App, frame: &mut Frame<'_>, area: Rect) {
    let t = app.ctx.theme;
    let s = &app.ctx.sync;
    let conn = if !s.running {
        Span::styled("[CHỈ MÁY NÀY]", t.dim())
    } else if s.link_cut {
        Span::styled("[ĐÃ CẮT KẾT NỐI]", t.warn())
    } else if s.online() {
        Span::styled("[TRỰC TUYẾN]", t.ok())
    } else {
        Span::styled("[NGOẠI TUYẾN]", t.error())
    };
    let pending = s.pending();
    let mut pieces = vec![
        Piece {
            drop: 0,
            right: false,
            span: conn,
        },
        Piece {
            drop: 3,
            right: false,
            span: Span::styled(
                format!(" chờ gửi {pending}"),
                if pending > 0 { t.warn() } else { t.dim() },
            ),
        },
    ];
    if app.ctx.officer.is_some() {
        let overdue = app.list.counts.of(crate::queue::Tab::Overdue);
        pieces.push(Piece {
            drop: 1,
            right: false,
            span: Span::styled(
                format!(
                    " · quá hạn {overdue}{}",
                    if app.list.mine { " (của tôi)" } else { "" }
                ),
                if overdue > 0 { t.overdue() } else { t.dim() },
            ),
        });
    }
    if let Some(last) = s.peers.iter().filter_map(|p| p.last_sync.as_deref()).max() {
        pieces.push(Piece {
            drop: 4,
            right: false,
            span: Span::styled(
                format!(" · đồng bộ {}", crate::format::time_vi(last)),
                t.dim(),
            ),
        });
    }
    match &app.ctx.officer {
        Some(o) => {
            pieces.push(Piece {
                drop: 2,
                right: true,
                span: Span::styled(format!("{} ", o.id), t.dim()),
            });
            pieces.push(Piece {
                drop: 5,
                right: true,
                span: Span::styled(format!("· {} ", o.role.label_vi()), t.dim()),
            });
        }
        None => pieces.push(Piece {
            drop: 2,
            right: true,
            span: Span::styled("chưa đăng nhập ", t.dim()),
        }),
    }
    let width = usize::from(area.width);
    let total = |p: &[Piece]| p.iter().map(|x| x.span.content.width()).sum::<usize>() + 1;
    while total(&pieces) > width {
        let Some(worst) = pieces
            .iter()
            .enumerate()
            .filter(|(_, p)| p.drop > 0)
            .max_by_key(|(_, p)| p.drop)
            .map(|(i, _)| i)
        else {
            break;
        };
        pieces.remove(worst);
    }
    let left: Vec<Span<'static>> = pieces
        .iter()
        .filter(|p| !p.right)
        .map(|p| p.span.clone())
        .collect();
    let right: Vec<Span<'static>> = pieces
        .iter()
        .filter(|p| p.right)
        .map(|p| p.span.clone())
        .collect();
    let used: usize = pieces.iter().map(|p| p.span.content.width()).sum();
    let mut spans = left;
    spans.push(Span::raw(" ".repeat(width.saturating_sub(used))));
    spans.extend(right);
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn render_hints(app: &App, frame: &mut Frame<'_>, area: Rect) {
    let t = app.ctx.theme;
    let mut keys: Vec<KeyHelp> = if app.confirm_discard.is_some() {
        vec![
            key_help("Enter y", "rời, giữ nháp", true),
            key_help("x", "bỏ nháp", true),
            key_help("phím khác", "ở lại", true),
        ]
    } else if app.help {
        vec![key_help("Esc", "đóng trợ giúp", true)]
    } else if app.palette.is_some() {
        vec![
            key_help("gõ", "lọc", true),
            key_help("Enter", "chạy", true),
            key_help("Esc", "đóng", true),
        ]
    } else {
        let mut keys: Vec<KeyHelp> = screen_keys(app).into_iter().filter(|k| k.bar).collect();
        // `/ tìm` is on every screen where letters are keys, first so it is never cut.
        let popup = app.screen == Screen::Detail && app.detail.popup.is_some();
        if !app.typing() && !popup && !keys.iter().any(|k| k.keys == "/") {
            keys.insert(0, key_help("/", "tìm", true));
        }
        keys
    };
    // In a text field `?` is a letter: the help key there is F1.
    let help_key = if app.typing() { "F1" } else { "?" };
    let help_hint =
        (!app.help && app.palette.is_none()).then(|| key_help(help_key, "trợ giúp", true));
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
