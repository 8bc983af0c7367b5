//! The hub's drill-down: one commune's open cases as the hub holds them, overdue first then
//! soonest due. `Enter` opens a case in the case detail (read from the hub's own store).

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table, TableState};

use hoso_node::CaseSummary;

use crate::action::{AppAction, Screen};
use crate::context::Context;
use crate::effect::Effect;
use crate::format;
use crate::keys::{KeyHelp, key_help};
use crate::oversight::OversightEffect;

/// The screen's state.
#[derive(Clone, Debug, Default)]
pub struct ProvinceCasesState {
    /// Commune code.
    pub commune: String,
    /// Commune name.
    pub name: String,
    /// Open cases, overdue first.
    pub rows: Vec<CaseSummary>,
    /// Every open case of the commune.
    pub total: usize,
    /// Reading.
    pub loading: bool,
    /// The last error.
    pub error: Option<String>,
    /// Selected row.
    pub selected: usize,
}

/// Opens the commune's cases.
pub fn open(
    s: &mut ProvinceCasesState,
    ctx: &Context,
    commune: String,
    name: String,
) -> Vec<AppAction> {
    *s = ProvinceCasesState {
        commune: commune.clone(),
        name,
        loading: true,
        ..Default::default()
    };
    vec![
        AppAction::Go(Screen::ProvinceCases),
        Effect::Oversight(OversightEffect::CommuneCases {
            commune,
            today: ctx.today,
        })
        .into(),
    ]
}

/// Keys of the screen.
pub fn keys() -> Vec<KeyHelp> {
    vec![
        key_help("↑↓", "chọn hồ sơ", true),
        key_help("Enter", "mở hồ sơ", true),
        key_help("Esc", "về các xã", true),
        key_help("q", "thoát", true),
    ]
}

/// Handles the node's answer.
pub fn on_cases(
    s: &mut ProvinceCasesState,
    commune: String,
    r: Result<(Vec<CaseSummary>, usize), String>,
) {
    if s.commune != commune {
        return; // an answer for a commune left since
    }
    s.loading = false;
    match r {
        Ok((rows, total)) => {
            s.error = None;
            s.selected = s.selected.min(rows.len().saturating_sub(1));
            s.rows = rows;
            s.total = total;
        }
        Err(e) => s.error = Some(e),
    }
}

/// Handles a key.
pub fn on_key(s: &mut ProvinceCasesState, key: KeyEvent) -> Vec<AppAction> {
    let n = s.rows.len();
    match key.code {
        KeyCode::Up | KeyCode::Char('k') => s.selected = s.selected.saturating_sub(1),
        KeyCode::Down | KeyCode::Char('j') => {
            s.selected = (s.selected + 1).min(n.saturating_sub(1));
        }
        KeyCode::PageUp => s.selected = s.selected.saturating_sub(10),
        KeyCode::PageDown => s.selected = (s.selected + 10).min(n.saturating_sub(1)),
        KeyCode::Enter => {
            if let Some(c) = s.rows.get(s.selected) {
                let reference = c.receipt_code.clone();
                return vec![AppAction::OpenCase(reference)];
            }
        }
        KeyCode::Esc => return vec![AppAction::Go(Screen::Province)],
        KeyCode::Char('q') => return vec![AppAction::Quit],
        _ => {}
    }
    vec![]
}

/// Draws the screen.
pub fn render(s: &ProvinceCasesState, ctx: &Context, frame: &mut Frame<'_>, area: Rect) {
    let t = ctx.theme;
    let [head, table] = Layout::vertical([Constraint::Length(1), Constraint::Min(4)]).areas(area);
    let overdue = s.rows.iter().filter(|c| c.overdue).count();
    let status = match (&s.error, s.loading) {
        (Some(e), _) => Span::styled(e.clone(), t.error()),
        (None, true) => Span::styled("Đang đọc…", t.dim()),
        (None, false) => Span::raw(format!(
            "{} hồ sơ đang xử lý, {overdue} quá hạn{}",
            s.total,
            if s.total > s.rows.len() {
                format!(" (hiện {} đầu)", s.rows.len())
            } else {
                String::new()
            }
        )),
    };
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(format!("{} ({}): ", s.name, s.commune), t.header()),
            status,
        ])),
        head,
    );
    let wide = table.width >= 110;
    let rows: Vec<Row<'_>> = s
        .rows
        .iter()
        .map(|c| {
            let mark = format::due_mark(&ctx.calendar, ctx.today, &c.due_date, c.status, c.overdue);
            let proc_name = ctx
                .catalog
                .get(&c.procedure)
                .map_or_else(|| c.procedure.clone(), |p| p.short_name.clone());
            let mut cells = vec![
                Span::raw(format::short_receipt(&c.receipt_code).to_string()),
                Span::raw(proc_name),
                Span::raw(c.applicant_name.clone()),
                Span::raw(format::date_vi(&c.due_date)),
                Span::styled(
                    if mark.word().is_empty() {
                        format::status_short(c.status).to_string()
                    } else {
                        mark.word().to_string()
                    },
                    match mark {
                        format::Due::Overdue => t.overdue(),
                        format::Due::Soon => t.due_soon(),
                        format::Due::Fine => t.text(),
                    },
                ),
            ];
            if wide {
                cells.push(Span::raw(c.assigned_officer.clone().unwrap_or_default()));
            }
            Row::new(cells)
        })
        .collect();
    let mut widths = vec![
        Constraint::Length(11),
        Constraint::Length(if wide { 24 } else { 14 }),
        Constraint::Fill(1),
        Constraint::Length(10),
        Constraint::Length(11),
    ];
    let mut header = vec!["Mã", "Thủ tục", "Người nộp", "Hẹn trả", "Tình trạng"];
    if wide {
        widths.push(Constraint::Length(12));
        header.push("Cán bộ");
    }
    let mut st = TableState::default();
    if !s.rows.is_empty() {
        st.select(Some(s.selected.min(s.rows.len() - 1)));
    }
    frame.render_stateful_widget(
        Table::new(rows, widths)
            .header(Row::new(header).style(t.header()))
            .row_highlight_style(t.selected())
            .block(
                Block::bordered()
                    .title(Span::styled(format!(" Hồ sơ của {} ", s.name), t.title()))
                    .border_style(t.title()),
            ),
        table,
        &mut st,
    );
}
