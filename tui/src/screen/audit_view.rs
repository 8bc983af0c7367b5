//! The audit view: this node's chain head, a check of its newest entries (signature and link),
//! and the newest entries. The per-case history is on the case's "Lịch sử" tab.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table, TableState};

use crate::app::{App, Command, KeyHelp, key_help};
use crate::effect::{AuditSummary, Effect};
use crate::format;

/// The view's state.
#[derive(Clone, Debug, Default)]
pub struct AuditState {
    /// The last read.
    pub summary: Option<AuditSummary>,
    /// Reading.
    pub loading: bool,
    /// The last error.
    pub error: Option<String>,
    /// Selected entry.
    pub selected: usize,
}

/// Keys of the view.
pub fn keys(_app: &App) -> Vec<KeyHelp> {
    vec![
        key_help("↑↓", "chọn mục", true),
        key_help("r", "đọc và kiểm tra lại", true),
        key_help("1", "danh sách hồ sơ", true),
        key_help("q", "thoát", true),
    ]
}

/// Handles the node's answer.
pub fn on_audit(app: &mut App, r: Result<Box<AuditSummary>, String>) {
    app.audit.loading = false;
    match r {
        Ok(s) => {
            app.audit.error = None;
            app.audit.summary = Some(*s);
        }
        Err(e) => app.audit.error = Some(e),
    }
}

/// Handles a key.
pub fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let n = app.audit.summary.as_ref().map_or(0, |s| s.recent.len());
    match key.code {
        KeyCode::Up | KeyCode::Char('k') => {
            app.audit.selected = app.audit.selected.saturating_sub(1);
        }
        KeyCode::Down | KeyCode::Char('j') => {
            app.audit.selected = (app.audit.selected + 1).min(n.saturating_sub(1));
        }
        KeyCode::Char('r') => {
            app.audit.loading = true;
            return vec![Effect::LoadAudit];
        }
        KeyCode::Esc => return app.run(Command::GoList),
        KeyCode::Char('q') => app.request_quit(),
        _ => {}
    }
    vec![]
}

/// Draws the view.
pub fn render(app: &App, frame: &mut Frame<'_>, area: Rect) {
    let t = app.theme;
    let a = &app.audit;
    let [head, table, detail] = Layout::vertical([
        Constraint::Length(4),
        Constraint::Min(4),
        Constraint::Length(3),
    ])
    .areas(area);
    let Some(s) = &a.summary else {
        let msg = match (&a.error, a.loading) {
            (Some(e), _) => Span::styled(e.clone(), t.error()),
            _ => Span::styled("Đang đọc nhật ký…", t.dim()),
        };
        frame.render_widget(Paragraph::new(msg), head);
        return;
    };
    let verdict = match &s.problem {
        None => Span::styled(
            format!("{} mục gần nhất: chữ ký và liên kết hợp lệ", s.checked),
            t.ok(),
        ),
        Some(p) => Span::styled(format!("PHÁT HIỆN SAI LỆCH: {p}"), t.error()),
    };
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(vec![
                Span::styled("Chuỗi nhật ký của điểm này: ", t.header()),
                Span::raw(format!("{} mục", s.length)),
            ]),
            Line::from(vec![
                Span::styled("Đầu chuỗi: ", t.dim()),
                Span::raw(format::fit(
                    &s.head,
                    usize::from(head.width.saturating_sub(11)),
                )),
            ]),
            Line::from(vec![Span::styled("Kiểm tra: ", t.dim()), verdict]),
            Line::from(Span::styled(
                "Kiểm tra toàn chuỗi: báo quản trị. Lịch sử hồ sơ: mở hồ sơ, thẻ Lịch sử.",
                t.dim(),
            )),
        ]),
        head,
    );
    let rows: Vec<Row<'_>> = s
        .recent
        .iter()
        .map(|e| {
            Row::new(vec![
                Span::raw(e.seq.to_string()),
                Span::raw(e.time.clone()),
                Span::raw(e.officer.clone()),
                Span::raw(e.action.clone()),
                if e.signature_ok {
                    Span::styled("hợp lệ", t.ok())
                } else {
                    Span::styled("SAI", t.error())
                },
            ])
        })
        .collect();
    let mut st = TableState::default();
    if !s.recent.is_empty() {
        st.select(Some(a.selected.min(s.recent.len() - 1)));
    }
    frame.render_stateful_widget(
        Table::new(
            rows,
            [
                Constraint::Length(6),
                Constraint::Length(16),
                Constraint::Length(12),
                Constraint::Fill(1),
                Constraint::Length(7),
            ],
        )
        .header(Row::new(["Số", "Thời gian", "Cán bộ", "Thao tác", "Chữ ký"]).style(t.header()))
        .row_highlight_style(t.selected())
        .block(
            Block::bordered()
                .title(Span::styled(" Mục gần nhất ", t.title()))
                .border_style(t.title()),
        ),
        table,
        &mut st,
    );
    if let Some(e) = s.recent.get(a.selected) {
        frame.render_widget(
            Paragraph::new(Span::styled(
                format::fit(&e.sentence, usize::from(detail.width) * 2),
                t.dim(),
            ))
            .wrap(ratatui::widgets::Wrap { trim: true }),
            detail,
        );
    }
}
