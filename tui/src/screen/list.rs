//! The case list (home): the work queue and its tabs (see [`crate::queue`]), one page at a time
//! with real totals, each case's clock, "my cases", and a search that narrows as you type inside
//! the tab and offers to search everything.

use std::cell::Cell;

use chrono::NaiveDate;
use hoso_node::CaseSummary;
use hoso_schemas::Clock;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell as TCell, Paragraph, Row, Table, TableState, Wrap};
use unicode_width::UnicodeWidthStr;

use crate::action::{AppAction, Command};
use crate::context::Context;
use crate::effect::Effect;
use crate::format;
use crate::input::Input;
use crate::keys::{KeyHelp, key_help};
use crate::queue::{Counts, QueuePage, QueueQuery, QueueRow, Tab};

/// Rows read per page.
pub const PAGE: usize = 100;

/// The list's state.
#[derive(Clone, Debug)]
pub struct ListState {
    /// Index into [`Tab::all`].
    pub filter: usize,
    /// Only the officer's own cases ("my cases").
    pub mine: bool,
    /// The search text.
    pub search: Input,
    /// The search field has the keyboard.
    pub searching: bool,
    /// The rows of the current page.
    pub rows: Vec<QueueRow>,
    /// Every match of the current tab and search (the real total).
    pub matches: Option<usize>,
    /// Whether the search found every match ("more than 200, type more" otherwise).
    pub bound: crate::queue::SearchBound,
    /// Index of the first row of the page among all matches.
    pub offset: usize,
    /// The selected row, among all matches.
    pub selected: usize,
    /// A page is being read.
    pub loading: bool,
    /// The last error.
    pub error: Option<String>,
    /// Cases per tab.
    pub counts: Counts,
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
            mine: false,
            search: Input::new(),
            searching: false,
            rows: vec![],
            matches: None,
            bound: crate::queue::SearchBound::Exact,
            offset: 0,
            selected: 0,
            loading: false,
            error: None,
            counts: Counts::default(),
            generation: 0,
            requested_offset: 0,
            table_area: Cell::new((Rect::default(), 0)),
        }
    }
}

impl ListState {
    /// The active tab.
    pub fn current_filter(&self) -> Tab {
        Tab::all().get(self.filter).copied().unwrap_or(Tab::Open)
    }
    /// Selects a tab.
    pub fn set_tab(&mut self, tab: Tab) {
        self.filter = Tab::all().iter().position(|t| *t == tab).unwrap_or(0);
    }
    /// The selected case, if it is on the current page.
    pub fn selected_row(&self) -> Option<&CaseSummary> {
        self.rows
            .get(self.selected.checked_sub(self.offset)?)
            .map(|r| &r.case)
    }
    /// The query for a page starting at `offset`.
    pub fn query(&self, offset: usize, officer: &str, today: NaiveDate) -> QueueQuery {
        let text = self.search.value().trim();
        QueueQuery {
            tab: self.current_filter(),
            mine: self.mine.then(|| officer.to_string()),
            search: (!text.is_empty()).then(|| text.to_string()),
            offset,
            limit: PAGE,
            today,
        }
    }
    /// Every match of the current tab and search, once the first page has been read.
    pub fn total(&self) -> Option<usize> {
        self.matches
    }
}

fn load(l: &mut ListState, ctx: &Context, offset: usize) -> Vec<AppAction> {
    let generation = ctx.next_generation();
    l.generation = generation;
    l.requested_offset = offset;
    l.loading = true;
    let officer = ctx.officer_id();
    vec![
        Effect::LoadList {
            generation,
            query: l.query(offset, &officer, ctx.today),
        }
        .into(),
    ]
}

/// Reads the page holding the selected row again (after a filter, search or remote change).
pub fn reload(l: &mut ListState, ctx: &Context) -> Vec<AppAction> {
    let offset = l.offset;
    load(l, ctx, offset)
}

fn restart(l: &mut ListState, ctx: &Context) -> Vec<AppAction> {
    l.selected = 0;
    l.offset = 0;
    load(l, ctx, 0)
}

/// Handles a page from the node.
pub fn on_rows(l: &mut ListState, generation: u64, page: Result<QueuePage, String>) {
    if generation != l.generation {
        return; // an older query; a newer one is on its way
    }
    l.loading = false;
    match page {
        Ok(page) => {
            l.error = None;
            l.offset = l.requested_offset;
            l.rows = page.rows;
            l.matches = Some(page.total);
            l.bound = page.bound;
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

fn move_to(l: &mut ListState, ctx: &Context, target: usize) -> Vec<AppAction> {
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
        return load(l, ctx, offset);
    }
    if target >= end {
        l.selected = end.saturating_sub(1);
    }
    vec![]
}

fn cycle_filter(l: &mut ListState, ctx: &Context, forward: bool) -> Vec<AppAction> {
    let n = Tab::all().len();
    l.filter = if forward {
        (l.filter + 1) % n
    } else {
        (l.filter + n - 1) % n
    };
    restart(l, ctx)
}

fn toggle_tab(l: &mut ListState, ctx: &Context, tab: Tab) -> Vec<AppAction> {
    if l.current_filter() == tab {
        l.set_tab(Tab::Open);
    } else {
        l.set_tab(tab);
    }
    restart(l, ctx)
}

/// "My cases" on or off (the counts follow).
fn toggle_mine(l: &mut ListState, ctx: &Context) -> Vec<AppAction> {
    l.mine = !l.mine;
    let mut out = restart(l, ctx);
    out.push(
        Effect::LoadCounts {
            mine: l.mine.then(|| ctx.officer_id()),
            today: ctx.today,
        }
        .into(),
    );
    out
}

/// A search narrowed inside a tab other than "all": widen it to every case.
fn search_everything(l: &mut ListState, ctx: &Context) -> Vec<AppAction> {
    l.set_tab(Tab::All);
    l.mine = false;
    let mut out = restart(l, ctx);
    out.push(
        Effect::LoadCounts {
            mine: None,
            today: ctx.today,
        }
        .into(),
    );
    out
}

/// The search is inside a narrower tab (or "my cases"): the screen says so and offers more.
pub fn search_is_narrowed(l: &ListState) -> bool {
    !l.search.value().trim().is_empty() && (l.current_filter() != Tab::All || l.mine)
}

/// Keys of the list.
pub fn keys(l: &ListState, ctx: &Context) -> Vec<KeyHelp> {
    if l.searching {
        let mut v = vec![
            key_help("gõ", "tên, CCCD, mã hồ sơ", true),
            key_help("↑↓", "chọn", true),
            key_help("Enter", "xong", true),
            key_help("Esc", "xoá", true),
        ];
        if search_is_narrowed(l) {
            v.insert(1, key_help("Tab", "tìm trong tất cả", true));
        }
        return v;
    }
    let mut v = vec![
        key_help("/", "tìm", true),
        key_help("↑↓ j k", "chọn", true),
        key_help("PgUp PgDn Home End", "trang, đầu, cuối", false),
        key_help("Enter", "mở", true),
        key_help("← → Tab", "đổi thẻ", true),
        key_help("m", "của tôi", true),
        key_help("o", "chỉ hồ sơ quá hạn", false),
        key_help("e", "hồ sơ đã kết thúc", false),
    ];
    if search_is_narrowed(l) {
        v.insert(1, key_help("a", "tìm trong tất cả", true));
    }
    if ctx.can_write() {
        v.push(key_help("n", "hồ sơ mới", true));
    }
    v.push(key_help("r", "tải lại", false));
    v.push(key_help("q", "thoát", true));
    v
}

/// Handles a key.
pub fn on_key(l: &mut ListState, ctx: &Context, key: KeyEvent) -> Vec<AppAction> {
    let sel = l.selected;
    if l.searching {
        return match key.code {
            KeyCode::Enter => {
                l.searching = false;
                vec![]
            }
            KeyCode::Esc => {
                l.searching = false;
                l.search.clear();
                restart(l, ctx)
            }
            KeyCode::Tab if search_is_narrowed(l) => search_everything(l, ctx),
            KeyCode::Up => move_to(l, ctx, sel.saturating_sub(1)),
            KeyCode::Down => move_to(l, ctx, sel + 1),
            _ => {
                if l.search.handle_key(&key) {
                    restart(l, ctx)
                } else {
                    vec![]
                }
            }
        };
    }
    match key.code {
        KeyCode::Up | KeyCode::Char('k') => move_to(l, ctx, sel.saturating_sub(1)),
        KeyCode::Down | KeyCode::Char('j') => move_to(l, ctx, sel + 1),
        KeyCode::PageUp => move_to(l, ctx, sel.saturating_sub(20)),
        KeyCode::PageDown => move_to(l, ctx, sel + 20),
        KeyCode::Home | KeyCode::Char('g') => move_to(l, ctx, 0),
        KeyCode::End | KeyCode::Char('G') => move_to(l, ctx, usize::MAX / 2),
        KeyCode::Enter => open_selected(l),
        KeyCode::Char('/') => {
            l.searching = true;
            vec![]
        }
        KeyCode::Esc if !l.search.value().is_empty() => {
            l.search.clear();
            restart(l, ctx)
        }
        KeyCode::Char('a') if search_is_narrowed(l) => search_everything(l, ctx),
        KeyCode::Right | KeyCode::Char('l') | KeyCode::Tab => cycle_filter(l, ctx, true),
        KeyCode::Left | KeyCode::Char('h') | KeyCode::BackTab => cycle_filter(l, ctx, false),
        KeyCode::Char('o') => toggle_tab(l, ctx, Tab::Overdue),
        KeyCode::Char('e') => toggle_tab(l, ctx, Tab::Ended),
        KeyCode::Char('m') => toggle_mine(l, ctx),
        KeyCode::Char('n') => vec![AppAction::Run(Command::NewCase)],
        KeyCode::Char('r') => vec![AppAction::Run(Command::Refresh)],
        KeyCode::Char('q') => vec![AppAction::Quit],
        _ => vec![],
    }
}

fn open_selected(l: &ListState) -> Vec<AppAction> {
    match l.selected_row() {
        Some(row) => {
            let reference = row.id.to_string();
            vec![AppAction::OpenCase(reference)]
        }
        None => vec![],
    }
}

/// Wheel scrolls, a click selects, a second click on the selected row opens it.
pub fn on_mouse(l: &mut ListState, ctx: &Context, m: MouseEvent) -> Vec<AppAction> {
    let sel = l.selected;
    match m.kind {
        MouseEventKind::ScrollDown => move_to(l, ctx, sel + 3),
        MouseEventKind::ScrollUp => move_to(l, ctx, sel.saturating_sub(3)),
        MouseEventKind::Down(MouseButton::Left) => {
            let (area, first) = l.table_area.get();
            // Rows start below the border and the header line.
            let top = area.y + 2;
            if m.column < area.x
                || m.column >= area.right()
                || m.row < top
                || m.row >= area.bottom().saturating_sub(1)
            {
                return vec![];
            }
            let idx = l.offset + first + usize::from(m.row - top);
            if idx == sel {
                return open_selected(l);
            }
            move_to(l, ctx, idx)
        }
        _ => vec![],
    }
}

fn filter_bar(l: &ListState, ctx: &Context, width: u16) -> Line<'static> {
    let t = ctx.theme;
    let filters = Tab::all();
    let label = |i: usize, f: Tab| -> String {
        let body = format!("{} {}", f.label(), l.counts.of(f));
        if i == l.filter {
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
    let mut spans = vec![];
    let mut used = 0;
    if l.mine {
        let m = "Của tôi ·";
        spans.push(Span::styled(m, t.selected()));
        used += m.width();
    }
    // Start far enough right that the selected tab fits.
    let width = usize::from(width).saturating_sub(used);
    let mut start = 0;
    while start < l.filter {
        let w: usize = labels[start..=l.filter]
            .iter()
            .map(|l| l.width())
            .sum::<usize>()
            + 2;
        if w <= width {
            break;
        }
        start += 1;
    }
    if start > 0 {
        spans.push(Span::styled("‹", t.dim()));
    }
    let mut used = usize::from(start > 0);
    for (i, label) in labels.iter().enumerate().skip(start) {
        if used + label.width() > width.saturating_sub(1) {
            spans.push(Span::styled("›", t.dim()));
            break;
        }
        used += label.width();
        let style = if i == l.filter {
            t.selected()
        } else if matches!(filters[i], Tab::Overdue | Tab::Conflicts) && l.counts.of(filters[i]) > 0
        {
            t.warn()
        } else {
            t.text()
        };
        spans.push(Span::styled(label.clone(), style));
    }
    Line::from(spans)
}

/// A case's clock as the list shows it: "còn 3 ngày", "quá 5 ngày", "tạm dừng từ 24/11/2026".
/// Narrow tables drop the year (and "làm việc": the header says the days are working days).
pub fn clock_cell(c: &Clock, wide: bool) -> String {
    let date = |d: &NaiveDate| {
        if wide {
            d.format("%d/%m/%Y").to_string()
        } else {
            d.format("%d/%m").to_string()
        }
    };
    match c {
        Clock::Left { working_days: 0 } => "hạn hôm nay".to_string(),
        Clock::Left { working_days } => format!("còn {working_days} ngày"),
        Clock::Late { working_days } => format!("quá {working_days} ngày"),
        Clock::Paused { since: Some(d) } => format!("tạm dừng từ {}", date(d)),
        Clock::Paused { since: None } => "tạm dừng".to_string(),
        Clock::Ended {
            late_working_days: 0,
            on,
        } => {
            if wide {
                format!("xong đúng hạn {}", date(on))
            } else {
                "xong đúng hạn".to_string()
            }
        }
        Clock::Ended {
            late_working_days, ..
        } => format!("xong trễ {late_working_days} ngày"),
    }
}

fn clock_style(ctx: &Context, c: &Clock) -> ratatui::style::Style {
    let t = ctx.theme;
    match c {
        Clock::Late { .. } => t.overdue(),
        Clock::Left { working_days } if *working_days <= 2 => t.due_soon(),
        Clock::Left { .. } => t.text(),
        Clock::Paused { .. } | Clock::Ended { .. } => t.dim(),
    }
}

/// `1000` as Vietnamese writes it: `1.000`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// What a narrowed search counts in: "my cases" or the tab.
fn scope_of(l: &ListState) -> String {
    if l.mine && l.current_filter() == Tab::All {
        "của tôi".to_string()
    } else {
        format!("«{}»", format::fit(l.current_filter().label(), 12))
    }
}

/// Draws the list.
pub fn render(l: &ListState, ctx: &Context, frame: &mut Frame<'_>, area: Rect) {
    let t = ctx.theme;
    let [filters, search, table] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(filter_bar(l, ctx, filters.width)), filters);

    let narrowed = search_is_narrowed(l);
    use crate::queue::SearchBound;
    // A search that stopped early (a broad name at a big hub) says so whatever the tab.
    let bounded = !l.search.value().trim().is_empty() && l.bound != SearchBound::Exact;
    let info_w: u16 = if bounded {
        56
    } else if narrowed {
        32
    } else {
        24
    };
    let [label, field, info] = Layout::horizontal([
        Constraint::Length(6),
        Constraint::Min(10),
        Constraint::Length(info_w),
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
    let order = if l.current_filter() == Tab::Ended {
        "mới nhất trước"
    } else {
        "quá hạn trước"
    };
    let status = if l.loading && l.rows.is_empty() {
        "đang đọc…".to_string()
    } else if bounded {
        let scope = if narrowed {
            format!(" trong {}", scope_of(l))
        } else {
            String::new()
        };
        if l.bound == SearchBound::MoreThan {
            format!(
                "hơn {} khớp{scope} · gõ thêm để thu hẹp",
                thousands(crate::queue::SEARCH_CAP)
            )
        } else {
            format!(
                "ít nhất {} khớp{scope} · gõ thêm để thu hẹp",
                thousands(l.total().unwrap_or(0))
            )
        }
    } else if narrowed {
        format!("{} khớp trong {}", l.total().unwrap_or(0), scope_of(l))
    } else if l.rows.is_empty() {
        "không có hồ sơ".to_string()
    } else {
        format!(
            "{}/{} · {order}",
            l.selected + 1,
            l.total().unwrap_or(l.rows.len())
        )
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
        // The catalog's short names are at most 14 columns ("Xóa thường trú").
        if wide {
            Constraint::Fill(2)
        } else {
            Constraint::Length(14)
        },
        Constraint::Fill(3),
        Constraint::Length(11),
    ];
    let mut header = vec!["", "Mã hồ sơ", "Thủ tục", "Công dân", "Trạng thái"];
    if wide {
        widths.push(Constraint::Length(10));
        header.push("Hạn");
        widths.push(Constraint::Length(24));
        header.push("Thời hạn (ngày làm việc)");
        widths.push(Constraint::Length(10));
        header.push("Cán bộ");
    } else {
        widths.push(Constraint::Length(17));
        header.push("Thời hạn");
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
            // At 80 columns the full names of the two bundles cut to the same prefix: the
            // catalog's short names ("LT khai sinh", "LT khai tử") stay distinct.
            let procedure = ctx
                .catalog
                .get(&r.procedure)
                .map_or(r.procedure.as_str(), |p| {
                    if p.name_vi.width() <= proc_w {
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
            ];
            if wide {
                cells.push(TCell::from(format::date_vi(&r.due_date)));
            }
            cells.push(TCell::from(Span::styled(
                clock_cell(&r.clock, wide),
                clock_style(ctx, &r.clock),
            )));
            if wide {
                cells.push(TCell::from(r.assigned_officer.clone().unwrap_or_default()));
            }
            Row::new(cells)
        })
        .collect();
    let mut title = format!(" Hồ sơ: {} ", l.current_filter().label());
    if l.mine {
        title = format!(" Hồ sơ của tôi: {} ", l.current_filter().label());
    }
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
            height: 3,
            x: table.x + 2,
            width: table.width.saturating_sub(4),
        };
        let text = l.search.value().trim();
        let msg = if text.is_empty() {
            match l.current_filter() {
                Tab::Open => {
                    "Không còn hồ sơ nào cần xử lý. Nhấn n để tiếp nhận hồ sơ mới.".to_string()
                }
                Tab::Overdue => "Không có hồ sơ nào quá hạn.".to_string(),
                _ => "Chưa có hồ sơ nào ở đây. Nhấn ← → để xem thẻ khác.".to_string(),
            }
        } else if narrowed {
            format!(
                "Không có hồ sơ khớp «{}» trong thẻ «{}»{}. Nhấn {} để tìm trong tất cả hồ sơ, Esc để xoá tìm kiếm.",
                format::fit(text, 20),
                l.current_filter().label(),
                if l.mine {
                    " (chỉ hồ sơ của tôi)"
                } else {
                    ""
                },
                if l.searching { "Tab" } else { "a" }
            )
        } else {
            format!(
                "Không tìm thấy hồ sơ nào khớp «{}» (tên, CCCD, mã hồ sơ hoặc các số cuối của mã). Esc để xoá tìm kiếm.",
                format::fit(text, 20)
            )
        };
        frame.render_widget(
            Paragraph::new(Span::styled(msg, t.dim())).wrap(Wrap { trim: true }),
            r,
        );
    }
}
