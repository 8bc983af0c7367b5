//! The hub's own screen: the province by commune. Per commune: open cases, overdue, due this
//! week, the last contact with its node (kept in the store, so it survives a restart), cases
//! waiting to go down to the commune and whether the commune had sent everything, and how far
//! its audit chain is cosigned. Sorted by who is behind; `Enter` opens a commune's cases.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table, TableState, Wrap};

use hoso_node::province::{CommuneRow, ProvinceDashboard};

use crate::action::{AppAction, Command, Screen};
use crate::context::Context;
use crate::effect::Effect;
use crate::keys::{KeyHelp, key_help};
use crate::oversight::OversightEffect;

/// How the communes are ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    /// Most overdue first, then most waiting, then the longest without contact.
    #[default]
    Behind,
    /// The longest without contact first (never first of all).
    Contact,
    /// Most cases waiting to go down first.
    Pending,
    /// By commune code.
    Code,
}

impl Sort {
    fn next(self) -> Sort {
        match self {
            Sort::Behind => Sort::Contact,
            Sort::Contact => Sort::Pending,
            Sort::Pending => Sort::Code,
            Sort::Code => Sort::Behind,
        }
    }

    /// As shown.
    pub fn label(self) -> &'static str {
        match self {
            Sort::Behind => "xã chậm nhất trước",
            Sort::Contact => "lâu chưa liên lạc nhất trước",
            Sort::Pending => "nhiều hồ sơ chờ gửi nhất trước",
            Sort::Code => "theo mã xã",
        }
    }
}

/// The screen's state.
#[derive(Clone, Debug, Default)]
pub struct ProvinceState {
    /// The last read.
    pub dashboard: Option<ProvinceDashboard>,
    /// Reading.
    pub loading: bool,
    /// The last error.
    pub error: Option<String>,
    /// Selected row (in sorted order).
    pub selected: usize,
    /// The order.
    pub sort: Sort,
}

impl ProvinceState {
    /// The rows in the chosen order.
    pub fn sorted(&self) -> Vec<&CommuneRow> {
        let Some(d) = &self.dashboard else {
            return vec![];
        };
        let mut rows: Vec<&CommuneRow> = d.rows.iter().collect();
        let contact = |r: &CommuneRow| r.contact.as_ref().map_or(i64::MIN, |c| c.at_ms);
        match self.sort {
            Sort::Behind => rows.sort_by(|a, b| {
                (b.overdue, b.pending_to, contact(a), &a.commune).cmp(&(
                    a.overdue,
                    a.pending_to,
                    contact(b),
                    &b.commune,
                ))
            }),
            Sort::Contact => {
                rows.sort_by(|a, b| (contact(a), &a.commune).cmp(&(contact(b), &b.commune)));
            }
            Sort::Pending => rows.sort_by(|a, b| {
                (b.pending_to, b.overdue, &a.commune).cmp(&(a.pending_to, a.overdue, &b.commune))
            }),
            Sort::Code => rows.sort_by(|a, b| a.commune.cmp(&b.commune)),
        }
        rows
    }
}

/// Reads the dashboard again.
pub fn reload(s: &mut ProvinceState, ctx: &Context) -> Vec<AppAction> {
    s.loading = true;
    vec![Effect::Oversight(OversightEffect::Dashboard { today: ctx.today }).into()]
}

/// Opens the dashboard.
pub fn open(s: &mut ProvinceState, ctx: &Context) -> Vec<AppAction> {
    let mut out = vec![AppAction::Go(Screen::Province)];
    out.extend(reload(s, ctx));
    out
}

/// Keys of the screen.
pub fn keys() -> Vec<KeyHelp> {
    vec![
        key_help("↑↓", "chọn xã", true),
        key_help("Enter", "hồ sơ của xã", true),
        key_help("o", "đổi cách xếp", true),
        key_help("r", "tải lại", true),
        key_help("3", "đồng bộ", false),
        key_help("4", "kiểm toán", false),
        key_help("q", "thoát", true),
    ]
}

/// Handles the node's answer.
pub fn on_dashboard(s: &mut ProvinceState, r: Result<Box<ProvinceDashboard>, String>) {
    s.loading = false;
    match r {
        Ok(d) => {
            s.error = None;
            let n = d.rows.len();
            s.dashboard = Some(*d);
            s.selected = s.selected.min(n.saturating_sub(1));
        }
        Err(e) => s.error = Some(e),
    }
}

/// Handles a key.
pub fn on_key(s: &mut ProvinceState, ctx: &Context, key: KeyEvent) -> Vec<AppAction> {
    let n = s.dashboard.as_ref().map_or(0, |d| d.rows.len());
    match key.code {
        KeyCode::Up | KeyCode::Char('k') => s.selected = s.selected.saturating_sub(1),
        KeyCode::Down | KeyCode::Char('j') => {
            s.selected = (s.selected + 1).min(n.saturating_sub(1));
        }
        KeyCode::Home => s.selected = 0,
        KeyCode::End => s.selected = n.saturating_sub(1),
        KeyCode::Char('o') => {
            s.sort = s.sort.next();
            s.selected = 0;
        }
        KeyCode::Char('r') => return reload(s, ctx),
        // Receiving is the communes' work: say so rather than ignore the key.
        KeyCode::Char('n') => return vec![AppAction::Run(Command::NewCase)],
        KeyCode::Enter => {
            let picked = s
                .sorted()
                .get(s.selected)
                .map(|r| (r.commune.clone(), r.name.clone()));
            if let Some((code, name)) = picked {
                return vec![AppAction::OpenCommune { code, name }];
            }
        }
        KeyCode::Char('q') => return vec![AppAction::Quit],
        _ => {}
    }
    vec![]
}

/// `dd/mm HH:MM` (narrow) or `dd/mm/yyyy HH:MM`, Vietnam time.
fn when(ms: i64, wide: bool) -> String {
    let t = crate::effect::local_time(ms);
    if wide {
        t
    } else {
        format!("{}{}", t.get(..5).unwrap_or(""), t.get(10..).unwrap_or(""))
    }
}

fn online(ctx: &Context, r: &CommuneRow) -> bool {
    r.node
        .is_some_and(|id| ctx.sync.peers.iter().any(|p| p.node_id == id && p.online))
}

/// Draws the screen.
pub fn render(s: &ProvinceState, ctx: &Context, frame: &mut Frame<'_>, area: Rect) {
    let t = ctx.theme;
    let [head, table, foot] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(4),
        Constraint::Length(3),
    ])
    .areas(area);
    let Some(d) = &s.dashboard else {
        let msg = match (&s.error, s.loading) {
            (Some(e), _) => Span::styled(e.clone(), t.error()),
            _ => Span::styled("Đang đọc số liệu các xã…", t.dim()),
        };
        frame.render_widget(Paragraph::new(msg).wrap(Wrap { trim: true }), head);
        return;
    };
    let rows = s.sorted();
    let (open, overdue, week): (u64, u64, u64) = d.rows.iter().fold((0, 0, 0), |a, r| {
        (a.0 + r.open, a.1 + r.overdue, a.2 + r.due_week)
    });
    let never = d
        .rows
        .iter()
        .filter(|r| r.node.is_some() && r.contact.is_none())
        .count();
    let summary = vec![
        Span::styled("Toàn tỉnh: ", t.header()),
        Span::raw(format!("{} xã · {open} đang xử lý · ", d.rows.len())),
        Span::styled(
            format!("{overdue} quá hạn"),
            if overdue > 0 { t.overdue() } else { t.dim() },
        ),
        Span::raw(format!(" · {week} đến hạn trong 7 ngày")),
    ];
    let mut second = vec![Span::styled("Xếp: ", t.dim()), Span::raw(s.sort.label())];
    if never > 0 {
        second.push(Span::styled(
            format!(" · {never} xã chưa liên lạc"),
            t.warn(),
        ));
    }
    second.push(Span::styled(
        if s.loading {
            " · đang tải lại…"
        } else {
            " · tỉnh không tiếp nhận hồ sơ"
        },
        t.dim(),
    ));
    frame.render_widget(
        Paragraph::new(vec![Line::from(summary), Line::from(second)]),
        head,
    );
    let wide = table.width >= 110;
    let body: Vec<Row<'_>> = rows
        .iter()
        .map(|r| {
            let contact = match (&r.contact, online(ctx, r)) {
                (_, true) => Span::styled("đang kết nối", t.ok()),
                (Some(c), false) => Span::raw(when(c.at_ms, wide)),
                (None, false) if r.node.is_some() => Span::styled("chưa lần nào", t.warn()),
                (None, false) => Span::styled("không nối", t.dim()),
            };
            let from = match &r.contact {
                Some(c) if c.peer_sent_all => "0".to_string(),
                Some(_) => "dở".to_string(),
                None => "–".to_string(),
            };
            let mut cells = vec![
                Span::raw(format!("{} {}", r.commune, r.name)),
                Span::raw(r.open.to_string()),
                Span::styled(
                    if r.overdue > 0 {
                        format!("{} !", r.overdue)
                    } else {
                        "0".into()
                    },
                    if r.overdue > 0 { t.overdue() } else { t.dim() },
                ),
                Span::raw(r.due_week.to_string()),
                contact,
                Span::styled(
                    format!("{}/{from}", r.pending_to),
                    if r.pending_to > 0 { t.warn() } else { t.text() },
                ),
                Span::styled(
                    if r.node.is_some() {
                        format!("{}/{}", r.cosigned, r.chain_held)
                    } else {
                        "–".into()
                    },
                    if r.cosigned < r.chain_held {
                        t.warn()
                    } else {
                        t.text()
                    },
                ),
            ];
            if wide {
                cells.insert(4, Span::raw(r.paused.to_string()));
            }
            Row::new(cells)
        })
        .collect();
    let mut widths = vec![
        Constraint::Fill(1),
        Constraint::Length(5),
        Constraint::Length(7),
        Constraint::Length(5),
        Constraint::Length(if wide { 16 } else { 13 }),
        Constraint::Length(8),
        Constraint::Length(9),
    ];
    let mut header = vec![
        "Xã",
        "Đang",
        "Quá hạn",
        "Tuần",
        "Liên lạc cuối",
        "Chờ g/n",
        "Đã ký",
    ];
    if wide {
        widths.insert(4, Constraint::Length(8));
        header.insert(4, "Tạm dừng");
        header[5] = "Liên lạc cuối";
        header[6] = "Chờ gửi/nhận";
        header[7] = "Chuỗi đã ký";
        widths[6] = Constraint::Length(12);
        widths[7] = Constraint::Length(12);
    }
    let mut st = TableState::default();
    if !rows.is_empty() {
        st.select(Some(s.selected.min(rows.len() - 1)));
    }
    frame.render_stateful_widget(
        Table::new(body, widths)
            .header(Row::new(header).style(t.header()))
            .row_highlight_style(t.selected())
            .block(
                Block::bordered()
                    .title(Span::styled(
                        format!(" Các xã ({} hồ sơ tại trung tâm) ", d.cases),
                        t.title(),
                    ))
                    .border_style(t.title()),
            ),
        table,
        &mut st,
    );
    let sel = rows.get(s.selected.min(rows.len().saturating_sub(1)));
    let text = match sel {
        None => "Chưa có xã nào: báo quản trị thêm điểm xã vào danh sách đồng bộ, rồi đồng bộ."
            .to_string(),
        Some(r) => explain(r),
    };
    frame.render_widget(
        Paragraph::new(Span::styled(text, t.dim())).wrap(Wrap { trim: true }),
        foot,
    );
}

/// The selected commune in one or two sentences.
pub fn explain(r: &CommuneRow) -> String {
    let contact = match &r.contact {
        None if r.node.is_some() => "chưa liên lạc lần nào".to_string(),
        None => "không phải điểm đồng bộ của trung tâm".to_string(),
        Some(c) => format!(
            "liên lạc cuối {}{}",
            crate::effect::local_time(c.at_ms),
            if c.peer_sent_all {
                ", xã đã gửi hết thay đổi"
            } else {
                ", xã chưa gửi hết thay đổi"
            }
        ),
    };
    format!(
        "{}: {contact}; {} hồ sơ chờ gửi xuống xã; chuỗi nhật ký của xã đã được ký xác nhận tới mục {} trên {} mục đang giữ.",
        r.name, r.pending_to, r.cosigned, r.chain_held
    )
}
