//! The sync panel: each peer with online/offline, last sync, pending cases and bytes, as the sync
//! engine publishes them on the node's watch; keys to sync now and to cut or restore the link.
//! Nothing here waits on the network: commands are fire-and-forget.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table, TableState, Wrap};

use crate::action::{AppAction, Command};
use crate::context::Context;
use crate::format;
use crate::keys::{KeyHelp, key_help};

/// The panel's state.
#[derive(Clone, Debug, Default)]
pub struct SyncPanelState {
    /// Selected peer.
    pub selected: usize,
}

/// Keys of the panel.
pub fn keys() -> Vec<KeyHelp> {
    vec![
        key_help("s / F5", "đồng bộ ngay", true),
        key_help("c", "cắt / khôi phục kết nối", true),
        key_help("↑↓", "chọn điểm", false),
        key_help("1", "danh sách hồ sơ", true),
        key_help("q", "thoát", true),
    ]
}

/// Handles a key.
pub fn on_key(s: &mut SyncPanelState, ctx: &Context, key: KeyEvent) -> Vec<AppAction> {
    let n = ctx.sync.peers.len();
    match key.code {
        KeyCode::Up | KeyCode::Char('k') => s.selected = s.selected.saturating_sub(1),
        KeyCode::Down | KeyCode::Char('j') => {
            s.selected = (s.selected + 1).min(n.saturating_sub(1));
        }
        KeyCode::Char('c') => return vec![AppAction::Run(Command::ToggleLink)],
        KeyCode::Esc => return vec![AppAction::Run(Command::GoList)],
        KeyCode::Char('q') => return vec![AppAction::Quit],
        _ => {}
    }
    vec![]
}

/// Draws the panel.
pub fn render(panel: &SyncPanelState, ctx: &Context, frame: &mut Frame<'_>, area: Rect) {
    let t = ctx.theme;
    let s = &ctx.sync;
    let [head, table, foot] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Min(4),
        Constraint::Length(4),
    ])
    .areas(area);
    let state = if !s.running {
        Span::styled("KHÔNG CHẠY: chưa có tiến trình đồng bộ", t.warn())
    } else if s.link_cut {
        Span::styled(
            "LIÊN KẾT BỊ CẮT (thử nghiệm): làm việc ngoại tuyến",
            t.warn(),
        )
    } else if s.online() {
        Span::styled("TRỰC TUYẾN", t.ok())
    } else {
        Span::styled("NGOẠI TUYẾN: chờ kết nối lại", t.error())
    };
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(vec![Span::styled("Đồng bộ: ", t.header()), state]),
            Line::from(vec![
                Span::styled("Hồ sơ chờ gửi: ", t.dim()),
                Span::styled(
                    s.pending().to_string(),
                    if s.pending() > 0 { t.warn() } else { t.ok() },
                ),
                Span::styled(
                    format!(" · điểm này: {} ({})", ctx.node_name, ctx.node_short),
                    t.dim(),
                ),
            ]),
        ]),
        head,
    );
    let wide = table.width >= 100;
    let rows: Vec<Row<'_>> = s
        .peers
        .iter()
        .map(|p| {
            let mut cells = vec![
                Span::raw(p.name.clone()),
                if p.online {
                    Span::styled("TRỰC TUYẾN", t.ok())
                } else {
                    Span::styled("NGOẠI TUYẾN", t.error())
                },
                Span::raw(
                    p.last_sync
                        .as_deref()
                        .map_or_else(|| "chưa".to_string(), format::time_vi),
                ),
                Span::styled(
                    p.pending_cases.to_string(),
                    if p.pending_cases > 0 {
                        t.warn()
                    } else {
                        t.text()
                    },
                ),
            ];
            if wide {
                cells.push(Span::raw(format!(
                    "{} / {}",
                    format::bytes(p.bytes_in),
                    format::bytes(p.bytes_out)
                )));
            }
            Row::new(cells)
        })
        .collect();
    let mut widths = vec![
        Constraint::Fill(1),
        Constraint::Length(11),
        Constraint::Length(16),
        Constraint::Length(5),
    ];
    let mut header = vec!["Điểm", "Kết nối", "Đồng bộ cuối", "Chờ"];
    if wide {
        widths.push(Constraint::Length(21));
        header.push("Nhận / gửi");
    }
    let mut st = TableState::default();
    if !s.peers.is_empty() {
        st.select(Some(panel.selected.min(s.peers.len() - 1)));
    }
    frame.render_stateful_widget(
        Table::new(rows, widths)
            .header(Row::new(header).style(t.header()))
            .row_highlight_style(t.selected())
            .block(
                Block::bordered()
                    .title(Span::styled(" Các điểm đồng bộ ", t.title()))
                    .border_style(t.title()),
            ),
        table,
        &mut st,
    );
    let selected = s.peers.get(panel.selected);
    let selected_error = selected.and_then(|p| p.last_error.clone());
    let mut lines = vec![];
    if let Some(p) = selected
        && !wide
    {
        lines.push(Line::from(Span::styled(
            format!(
                "{}: nhận {} · gửi {}",
                match p.role {
                    hoso_node::NodeRole::Hub => "Trung tâm tỉnh",
                    hoso_node::NodeRole::Commune => "Điểm xã",
                },
                format::bytes(p.bytes_in),
                format::bytes(p.bytes_out)
            ),
            t.dim(),
        )));
    }
    if let Some(e) = selected_error {
        // The sync engine's detail is technical English: it goes to the log, the officer reads
        // what it means for the work.
        tracing::debug!(error = %e, "last sync error of the selected peer");
        lines.push(Line::from(Span::styled(
            "Lần đồng bộ gần nhất với điểm này không thành công: hồ sơ vẫn lưu tại máy và sẽ gửi lại khi kết nối được (chi tiết kỹ thuật trong nhật ký).",
            t.error(),
        )));
    }
    lines.push(Line::from(Span::styled(
        if s.running {
            "Mọi thao tác được lưu tại máy trước; đồng bộ chạy nền và không bao giờ làm chậm màn hình."
        } else {
            "Hồ sơ vẫn được lưu tại máy. Đồng bộ chỉ chạy khi máy được mở cùng dịch vụ đồng bộ: báo quản trị nếu cần gửi hồ sơ lên tỉnh."
        },
        t.dim(),
    )));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), foot);
}
