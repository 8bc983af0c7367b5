//! The case list (home): one page at a time from the node's indexes, filters by status,
//! accent-insensitive search that narrows as you type, soonest due first.

use std::cell::Cell;
use std::collections::BTreeMap;

use hoso_node::{CaseQuery, CaseSummary};
use hoso_schemas::Status;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell as TCell, Paragraph, Row, Table, TableState};
use unicode_width::UnicodeWidthStr;

use crate::app::{App, Command, KeyHelp, key_help};
use crate::effect::Effect;
use crate::format::{self, Due};
use crate::input::Input;
use crate::screen::detail;

/// Rows read per page.
pub const PAGE: usize = 100;

/// A list filter (the tabs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Filter {
    /// Every case.
    All,
    /// One status.
    Status(Status),
    /// Past due.
    Overdue,
    /// In the review queue.
    Conflicts,
}

impl Filter {
    /// The tabs, in order.
    pub fn all() -> Vec<Filter> {
        let mut v = vec![Filter::All];
        v.extend(Status::ALL.into_iter().map(Filter::Status));
        v.push(Filter::Overdue);
        v.push(Filter::Conflicts);
        v
    }
    /// The tab label.
    pub fn label(self) -> &'static str {
        match self {
            Filter::All => "Tất cả",
            Filter::Status(s) => format::status_short(s),
            Filter::Overdue => "QUÁ HẠN",
            Filter::Conflicts => "XUNG ĐỘT",
        }
    }
}

/// The list's state.
#[derive(Clone, Debug)]
pub struct ListState {
    /// Index into [`Filter::all`].
    pub filter: usize,
    /// The search text.
    pub search: Input,
    /// The search field has the keyboard.
    pub searching: bool,
    /// The rows of the current page.
    pub rows: Vec<CaseSummary>,
    /// Index of the first row of the page among all matches.
    pub offset: usize,
    /// The selected row, among all matches.
    pub selected: usize,
    /// A page is being read.
    pub loading: bool,
    /// The last error.
    pub error: Option<String>,
    /// Cases per status.
    pub counts: BTreeMap<Status, u64>,
    /// The request whose answer is awaited.
    pub generation: u64,
    requested_offset: usize,
    /// Where the table was drawn (mouse clicks), and its first visible row.
    pub table_area: Cell<(Rect, usize)>,
}

impl Default for ListState {
    fn default() -> Self {
        ListState {
            filter: 0,
            search: Input::new(),
            searching: false,
            rows: vec![],
            offset: 0,
            selected: 0,
            loading: false,
            error: None,
            counts: BTreeMap::new(),
            generation: 0,
            requested_offset: 0,
            table_area: Cell::new((Rect::default(), 0)),
        }
    }
}

impl ListState {
    /// The active filter.
    pub fn current_filter(&self) -> Filter {
        Filter::all()
            .get(self.filter)
            .copied()
            .unwrap_or(Filter::All)
    }
    /// The selected case, if it is on the current page.
    pub fn selected_row(&self) -> Option<&CaseSummary> {
        self.rows.get(self.selected.checked_sub(self.offset)?)
    }
    /// The query for a page starting at `offset`.
    pub fn query(&self, offset: usize) -> CaseQuery {
        let mut q = CaseQuery {
            limit: PAGE,
            offset,
            ..CaseQuery::default()
        };
        match self.current_filter() {
            Filter::All => {}
            Filter::Status(s) => q.status = Some(s),
            Filter::Overdue => q.overdue = true,
            Filter::Conflicts => q.conflicts = true,
        }
        let text = self.search.value().trim();
        if !text.is_empty() {
            q.search = Some(text.to_string());
        }
        q
    }
    /// Matches known in total (from the counts), when no search narrows them.
    pub fn total(&self) -> Option<usize> {
        if !self.search.value().trim().is_empty() {
            return None;
        }
        let n = match self.current_filter() {
            Filter::All => self.counts.values().sum(),
            Filter::Status(s) => self.counts.get(&s).copied().unwrap_or(0),
            _ => return None,
        };
        usize::try_from(n).ok()
    }
}

fn load(app: &mut App, offset: usize) -> Vec<Effect> {
    let generation = app.next_generation();
    let l = &mut app.list;
    l.generation = generation;
    l.requested_offset = offset;
    l.loading = true;
    vec![Effect::LoadList {
        generation,
        query: l.query(offset),
    }]
}

/// Reads the page holding the selected row again (after a filter, search or remote change).
pub fn reload(app: &mut App) -> Vec<Effect> {
    let offset = app.list.offset;
    load(app, offset)
}

fn restart(app: &mut App) -> Vec<Effect> {
    app.list.selected = 0;
    app.list.offset = 0;
    load(app, 0)
}

/// Handles a page from the node.
pub fn on_rows(app: &mut App, generation: u64, rows: Result<Vec<CaseSummary>, String>) {
    let l = &mut app.list;
    if generation != l.generation {
        return; // an older query; a newer one is on its way
    }
    l.loading = false;
    match rows {
        Ok(rows) => {
            l.error = None;
            l.offset = l.requested_offset;
            l.rows = rows;
            let end = l.offset + l.rows.len();
            if l.selected >= end {
                l.selected = end.saturating_sub(1);
            }
            if l.selected < l.offset {
                l.selected = l.offset;
            }
        }
        Err(e) => l.error = Some(e),
    }
}

fn move_to(app: &mut App, target: usize) -> Vec<Effect> {
    let l = &mut app.list;
    let end = l.offset + l.rows.len();
    let full = l.rows.len() >= PAGE;
    let target = match l.total() {
        Some(t) => target.min(t.saturating_sub(1)),
        None if !full => target.min(end.saturating_sub(1)),
        None => target,
    };
    l.selected = target;
    if target < l.offset || (target >= end && full) {
        let offset = target.saturating_sub(PAGE / 4);
        return load(app, offset);
    }
    if target >= end {
        l.selected = end.saturating_sub(1);
    }
    vec![]
}

fn cycle_filter(app: &mut App, forward: bool) -> Vec<Effect> {
    let n = Filter::all().len();
    app.list.filter = if forward {
        (app.list.filter + 1) % n
    } else {
        (app.list.filter + n - 1) % n
    };
    restart(app)
}

/// Keys of the list.
pub fn keys(app: &App) -> Vec<KeyHelp> {
    if app.list.searching {
        return vec![
            key_help("gõ", "tên (không dấu được), CCCD, mã hồ sơ", true),
            key_help("↑↓", "chọn", true),
            key_help("Enter", "xong", true),
            key_help("Esc", "xoá", true),
        ];
    }
    let mut v = vec![
        key_help("↑↓ j k", "chọn", true),
        key_help("PgUp PgDn Home End", "trang, đầu, cuối", false),
        key_help("Enter", "mở", true),
        key_help("/", "tìm", true),
        key_help("← → Tab", "lọc trạng thái", true),
        key_help("o", "chỉ hồ sơ quá hạn", false),
    ];
    if app.can_write() {
        v.push(key_help("n", "hồ sơ mới", true));
    }
    v.push(key_help("r", "tải lại", false));
    v.push(key_help("q", "thoát", true));
    v
}

/// Handles a key.
pub fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    let sel = app.list.selected;
    if app.list.searching {
        return match key.code {
            KeyCode::Enter => {
                app.list.searching = false;
                vec![]
            }
            KeyCode::Esc => {
                app.list.searching = false;
                app.list.search.clear();
                restart(app)
            }
            KeyCode::Up => move_to(app, sel.saturating_sub(1)),
            KeyCode::Down => move_to(app, sel + 1),
            _ => {
                if app.list.search.handle_key(&key) {
                    restart(app)
                } else {
                    vec![]
                }
            }
        };
    }
    match key.code {
        KeyCode::Up | KeyCode::Char('k') => move_to(app, sel.saturating_sub(1)),
        KeyCode::Down | KeyCode::Char('j') => move_to(app, sel + 1),
        KeyCode::PageUp => move_to(app, sel.saturating_sub(20)),
        KeyCode::PageDown => move_to(app, sel + 20),
        KeyCode::Home | KeyCode::Char('g') => move_to(app, 0),
        KeyCode::End | KeyCode::Char('G') => move_to(app, usize::MAX / 2),
        KeyCode::Enter => open_selected(app),
        KeyCode::Char('/') => {
            app.list.searching = true;
            vec![]
        }
        KeyCode::Esc if !app.list.search.value().is_empty() => {
            app.list.search.clear();
            restart(app)
        }
        KeyCode::Right | KeyCode::Char('l') | KeyCode::Tab => cycle_filter(app, true),
        KeyCode::Left | KeyCode::Char('h') | KeyCode::BackTab => cycle_filter(app, false),
        KeyCode::Char('o') => {
            let overdue = Filter::all()
                .iter()
                .position(|f| *f == Filter::Overdue)
                .unwrap_or(0);
            app.list.filter = if app.list.filter == overdue {
                0
            } else {
                overdue
            };
            restart(app)
        }
        KeyCode::Char('n') => app.run(Command::NewCase),
        KeyCode::Char('r') => app.run(Command::Refresh),
        KeyCode::Char('q') => {
            app.request_quit();
            vec![]
        }
        _ => vec![],
    }
}

fn open_selected(app: &mut App) -> Vec<Effect> {
    match app.list.selected_row() {
        Some(row) => {
            let reference = row.id.to_string();
            detail::open(app, reference)
        }
        None => vec![],
    }
}

/// Wheel scrolls, a click selects, a second click on the selected row opens it.
pub fn on_mouse(app: &mut App, m: MouseEvent) -> Vec<Effect> {
    let sel = app.list.selected;
    match m.kind {
        MouseEventKind::ScrollDown => move_to(app, sel + 3),
        MouseEventKind::ScrollUp => move_to(app, sel.saturating_sub(3)),
        MouseEventKind::Down(MouseButton::Left) => {
            let (area, first) = app.list.table_area.get();
            // Rows start below the border and the header line.
            let top = area.y + 2;
            if m.column < area.x
                || m.column >= area.right()
                || m.row < top
                || m.row >= area.bottom().saturating_sub(1)
            {
                return vec![];
            }
            let idx = app.list.offset + first + usize::from(m.row - top);
            if idx == sel {
                return open_selected(app);
            }
            move_to(app, idx)
        }
        _ => vec![],
    }
}

fn filter_bar(app: &App, width: u16) -> Line<'static> {
    let t = app.theme;
    let filters = Filter::all();
    let label = |i: usize, f: Filter| -> String {
        let n = match f {
            Filter::All => Some(app.list.counts.values().sum::<u64>()),
            Filter::Status(s) => app.list.counts.get(&s).copied(),
            _ => None,
        };
        let body = match n {
            Some(n) => format!("{} {n}", f.label()),
            None => f.label().to_string(),
        };
        if i == app.list.filter {
            format!("[{body}]")
        } else {
            format!(" {body} ")
        }
    };
    let labels: Vec<String> = filters
        .iter()
        .enumerate()
        .map(|(i, f)| label(i, *f))
        .collect();
    // Start far enough right that the selected tab fits.
    let width = usize::from(width);
    let mut start = 0;
    while start < app.list.filter {
        let w: usize = labels[start..=app.list.filter]
            .iter()
            .map(|l| l.width())
            .sum::<usize>()
            + 2;
        if w <= width {
            break;
        }
        start += 1;
    }
    let mut spans = vec![];
    if start > 0 {
        spans.push(Span::styled("‹", t.dim()));
    }
    let mut used = usize::from(start > 0);
    for (i, l) in labels.iter().enumerate().skip(start) {
        if used + l.width() > width.saturating_sub(1) {
            spans.push(Span::styled("›", t.dim()));
            break;
        }
        used += l.width();
        let style = if i == app.list.filter {
            t.selected()
        } else if matches!(filters[i], Filter::Overdue | Filter::Conflicts) {
            t.warn()
        } else {
            t.text()
        };
        spans.push(Span::styled(l.clone(), style));
    }
    Line::from(spans)
}

/// Draws the list.
pub fn render(app: &App, frame: &mut Frame<'_>, area: Rect) {
    let t = app.theme;
    let l = &app.list;
    let [filters, search, table] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(filter_bar(app, filters.width)), filters);

    let [label, field, info] = Layout::horizontal([
        Constraint::Length(6),
        Constraint::Min(10),
        Constraint::Length(24),
    ])
    .areas(search);
    frame.render_widget(
        Paragraph::new(Span::styled(
            "Tìm: ",
            if l.searching { t.title() } else { t.dim() },
        )),
        label,
    );
    if l.searching || !l.search.value().is_empty() {
        l.search.render(
            frame,
            field,
            if l.searching { t.selected() } else { t.text() },
            l.searching,
        );
    } else {
        frame.render_widget(
            Paragraph::new(Span::styled(
                "/ để tìm: tên (không dấu được), CCCD, mã hồ sơ",
                t.dim(),
            )),
            field,
        );
    }
    let status = if l.loading {
        "đang đọc…".to_string()
    } else if l.rows.is_empty() {
        "không có hồ sơ".to_string()
    } else {
        match l.total() {
            Some(total) => format!("{}/{} · theo hạn", l.selected + 1, total),
            None => format!(
                "{}/{}{} · theo hạn",
                l.selected + 1,
                l.offset + l.rows.len(),
                if l.rows.len() >= PAGE { "+" } else { "" }
            ),
        }
    };
    frame.render_widget(
        Paragraph::new(Span::styled(status, t.dim())).right_aligned(),
        info,
    );

    let wide = table.width >= 110;
    let code_w: u16 = if wide { 25 } else { 11 };
    let mut widths = vec![
        Constraint::Length(1),
        Constraint::Length(code_w),
        Constraint::Fill(2),
        Constraint::Fill(3),
        Constraint::Length(11),
        Constraint::Length(if wide { 18 } else { 13 }),
    ];
    let mut header = vec!["", "Mã hồ sơ", "Thủ tục", "Người nộp", "Trạng thái", "Hạn"];
    if wide {
        widths.push(Constraint::Length(10));
        header.push("Cán bộ");
    }
    // Column widths as the table will lay them out (borders and the highlight symbol aside),
    // so long names end in `…` instead of being cut mid-word.
    let inner = Rect {
        width: table.width.saturating_sub(3),
        ..table
    };
    let cols = Layout::horizontal(widths.clone()).spacing(1).split(inner);
    let proc_w = cols.get(2).map_or(10, |c| usize::from(c.width));
    let name_w = cols.get(3).map_or(10, |c| usize::from(c.width));
    let rows: Vec<Row<'_>> = l
        .rows
        .iter()
        .map(|r| {
            let due = format::due_mark(&app.calendar, app.today, &r.due_date, r.status, r.overdue);
            let due_style = match due {
                Due::Overdue => t.overdue(),
                Due::Soon => t.due_soon(),
                Due::Fine => t.text(),
            };
            let date = if wide {
                format::date_vi(&r.due_date)
            } else {
                format::date_vi(&r.due_date)
                    .get(..5)
                    .unwrap_or_default()
                    .to_string()
            };
            let due_text = if due.word().is_empty() {
                date
            } else {
                format!("{date} {}", due.word())
            };
            // At 80 columns the full names of the two bundles cut to the same prefix: the
            // catalog's short names ("LT khai sinh", "LT khai tử") stay distinct.
            let procedure = app
                .catalog
                .get(&r.procedure)
                .map_or(r.procedure.as_str(), |p| {
                    if wide {
                        p.name_vi.as_str()
                    } else {
                        p.short_name.as_str()
                    }
                });
            let code = if wide {
                r.receipt_code.as_str()
            } else {
                format::short_receipt(&r.receipt_code)
            };
            let mut cells = vec![
                TCell::from(Span::styled(if r.conflict { "!" } else { " " }, t.error())),
                TCell::from(code.to_string()),
                TCell::from(format::fit(procedure, proc_w)),
                TCell::from(format::fit(&r.applicant_name, name_w)),
                TCell::from(Span::styled(
                    if r.conflict {
                        "XUNG ĐỘT"
                    } else {
                        format::status_short(r.status)
                    },
                    if r.conflict { t.error() } else { t.text() },
                )),
                TCell::from(Span::styled(due_text, due_style)),
            ];
            if wide {
                cells.push(TCell::from(r.assigned_officer.clone().unwrap_or_default()));
            }
            Row::new(cells)
        })
        .collect();
    let title = match l.current_filter() {
        Filter::All => " Hồ sơ ".to_string(),
        f => format!(" Hồ sơ: {} ", f.label()),
    };
    let block = Block::bordered()
        .title(Span::styled(title, t.title()))
        .border_style(if l.searching { t.dim() } else { t.title() });
    let mut state = TableState::default();
    state.select(l.selected.checked_sub(l.offset));
    let widget = Table::new(rows, widths)
        .header(Row::new(header).style(t.header()))
        .block(block)
        .column_spacing(1)
        .row_highlight_style(t.selected())
        .highlight_symbol(">");
    frame.render_stateful_widget(widget, table, &mut state);
    l.table_area.set((table, state.offset()));
    if let Some(e) = &l.error {
        let r = Rect {
            y: table.bottom().saturating_sub(2),
            height: 1,
            x: table.x + 1,
            width: table.width.saturating_sub(2),
        };
        frame.render_widget(Paragraph::new(Span::styled(e.clone(), t.error())), r);
    } else if l.rows.is_empty() && !l.loading {
        let r = Rect {
            y: table.y + 3,
            height: 1,
            x: table.x + 2,
            width: table.width.saturating_sub(4),
        };
        let msg = if l.search.value().is_empty() {
            "Chưa có hồ sơ nào ở đây. Nhấn n để tiếp nhận hồ sơ mới."
        } else {
            "Không tìm thấy hồ sơ nào khớp. Esc để xoá tìm kiếm."
        };
        frame.render_widget(Paragraph::new(Span::styled(msg, t.dim())), r);
    }
}
