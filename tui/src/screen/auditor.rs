//! The auditor's screen: every audit chain the node holds (its own and every peer's it received,
//! all entries, newest first, a page at a time), filtered by commune, officer, receipt code,
//! action and time (`f`; `/` searches cases, as on every screen); each entry a Vietnamese sentence with its field changes. `v` runs a full
//! verification with progress and shows its findings as sentences; `x` writes an evidence
//! bundle for the selected case, the filtered period or everything.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Row, Table, TableState, Wrap};

use hoso_node::audit::entry::Action;
use hoso_node::audit::search::ExportScope;

use crate::action::{AppAction, Command, Screen, toast};
use crate::context::Context;
use crate::effect::Effect;
use crate::format;
use crate::input::Input;
use crate::keys::{KeyHelp, key_help};
use crate::oversight::{
    AuditResults, FilterText, OversightEffect, VerifyProgress, VerifyView, parse_day,
};

/// Filter fields, in focus order.
pub const FIELDS: [&str; 6] = [
    "Xã",
    "Cán bộ",
    "Mã hồ sơ",
    "Thao tác",
    "Từ ngày",
    "Đến ngày",
];
/// The action field (cycled with ←→, not typed).
const ACTION: usize = 3;

/// A box over the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Popup {
    /// Verification progress and findings.
    Verify,
    /// Choosing what to export.
    Export,
}

/// The screen's state.
#[derive(Clone, Debug)]
pub struct AuditorState {
    /// Typed filter values (commune, officer, code, —, from, to).
    pub inputs: [Input; 6],
    /// The action filter, by index in `Action::ALL`.
    pub action: Option<usize>,
    /// The focused filter field; `None`: the list has the keys.
    pub focus: Option<usize>,
    /// The filter of the results shown.
    pub applied: FilterText,
    /// The last page read.
    pub results: Option<AuditResults>,
    /// Reading.
    pub loading: bool,
    /// What went wrong with the last search.
    pub error: Option<String>,
    /// Selected row.
    pub selected: usize,
    /// Request number of the search in flight.
    pub generation: u64,
    /// A verification running or done.
    pub progress: Option<Arc<VerifyProgress>>,
    /// The last verification's result.
    pub report: Option<Result<VerifyView, String>>,
    /// Scroll of the findings list.
    pub findings_scroll: usize,
    /// The open box.
    pub popup: Option<Popup>,
    /// Where evidence bundles go.
    pub export_dir: PathBuf,
    /// The last export, as a sentence.
    pub exported: Option<(String, bool)>,
}

impl Default for AuditorState {
    fn default() -> AuditorState {
        AuditorState {
            inputs: Default::default(),
            action: None,
            focus: None,
            applied: FilterText::default(),
            results: None,
            loading: false,
            error: None,
            selected: 0,
            generation: 0,
            progress: None,
            report: None,
            findings_scroll: 0,
            popup: None,
            export_dir: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
            exported: None,
        }
    }
}

impl AuditorState {
    /// The filter as typed now.
    pub fn typed(&self) -> FilterText {
        FilterText {
            commune: self.inputs[0].value().to_string(),
            officer: self.inputs[1].value().to_string(),
            code: self.inputs[2].value().to_string(),
            action: self.action,
            from: self.inputs[4].value().to_string(),
            to: self.inputs[5].value().to_string(),
        }
    }

    /// A verification is running.
    pub fn verifying(&self) -> bool {
        self.progress
            .as_ref()
            .is_some_and(|p| !p.done.load(Ordering::Relaxed))
    }

    /// A filter field has the keyboard.
    pub fn typing(&self) -> bool {
        self.focus.is_some()
    }
}

fn action_label(i: Option<usize>) -> &'static str {
    i.and_then(|i| Action::ALL.get(i))
        .map_or("Tất cả", |a| crate::audit_text::action_vi(*a))
}

/// Runs the search typed, from `offset`.
pub fn search(a: &mut AuditorState, offset: usize) -> Effect {
    a.generation += 1;
    a.loading = true;
    a.applied = a.typed();
    Effect::Oversight(OversightEffect::AuditSearch {
        generation: a.generation,
        filter: a.applied.clone(),
        offset,
    })
}

/// Opens the screen (reads the first page when nothing is shown yet).
pub fn open(a: &mut AuditorState) -> Vec<AppAction> {
    let mut out = vec![AppAction::Go(Screen::Auditor)];
    if a.results.is_none() && !a.loading {
        out.push(search(a, 0).into());
    }
    out
}

/// Keys of the screen.
pub fn keys(a: &AuditorState) -> Vec<KeyHelp> {
    if a.focus.is_some() {
        return vec![
            key_help("Tab", "ô kế", true),
            key_help("Enter", "lọc", true),
            key_help("←→", "chọn thao tác (ô Thao tác)", true),
            key_help("Esc", "thôi", true),
        ];
    }
    match a.popup {
        Some(Popup::Export) => vec![
            key_help("h", "hồ sơ đang chọn", true),
            key_help("t", "khoảng thời gian lọc", true),
            key_help("a", "toàn bộ", true),
            key_help("Esc", "thôi", true),
        ],
        Some(Popup::Verify) => vec![key_help("↑↓", "cuộn", true), key_help("Esc", "đóng", true)],
        None => vec![
            key_help("f", "lọc", true),
            key_help("v", "kiểm tra toàn bộ", true),
            key_help("x", "xuất bằng chứng", true),
            key_help("←→", "trang", true),
            key_help("c", "bỏ lọc", true),
            key_help("↑↓", "chọn mục", false),
            key_help("1", "danh sách", false),
            key_help("q", "thoát", true),
        ],
    }
}

/// Handles a search page.
pub fn on_results(a: &mut AuditorState, generation: u64, r: Result<Box<AuditResults>, String>) {
    if generation != a.generation {
        return;
    }
    a.loading = false;
    match r {
        Ok(res) => {
            a.error = None;
            a.selected = 0;
            a.results = Some(*res);
        }
        Err(e) => a.error = Some(e),
    }
}

/// Handles a finished verification.
pub fn on_verified(a: &mut AuditorState, r: Result<Box<VerifyView>, String>) {
    a.report = Some(r.map(|b| *b));
    a.findings_scroll = 0;
}

/// Handles a written bundle.
pub fn on_exported(
    a: &mut AuditorState,
    r: Result<(PathBuf, u64, usize), String>,
) -> Vec<AppAction> {
    let (text, error) = match r {
        Ok((path, bytes, n)) => (
            format!(
                "Đã ghi gói bằng chứng {} ({}, {n} mục thuộc phạm vi). Máy khác kiểm tra được gói này mà không cần kho dữ liệu của máy này.",
                path.display(),
                format::bytes(bytes)
            ),
            false,
        ),
        Err(e) => (e, true),
    };
    a.exported = Some((text.clone(), error));
    vec![toast(text, error)]
}

/// Handles a key.
pub fn on_key(a: &mut AuditorState, key: KeyEvent) -> Vec<AppAction> {
    if let Some(f) = a.focus {
        return on_filter_key(a, f, key);
    }
    match a.popup {
        Some(Popup::Export) => return on_export_key(a, key),
        Some(Popup::Verify) => {
            match key.code {
                KeyCode::Up | KeyCode::Char('k') => {
                    a.findings_scroll = a.findings_scroll.saturating_sub(1);
                }
                KeyCode::Down | KeyCode::Char('j') => a.findings_scroll += 1,
                KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') => a.popup = None,
                _ => {}
            }
            return vec![];
        }
        None => {}
    }
    let n = a.results.as_ref().map_or(0, |r| r.rows.len());
    match key.code {
        KeyCode::Up | KeyCode::Char('k') => a.selected = a.selected.saturating_sub(1),
        KeyCode::Down | KeyCode::Char('j') => {
            a.selected = (a.selected + 1).min(n.saturating_sub(1));
        }
        KeyCode::PageUp => a.selected = a.selected.saturating_sub(10),
        KeyCode::PageDown => a.selected = (a.selected + 10).min(n.saturating_sub(1)),
        KeyCode::Home => a.selected = 0,
        KeyCode::End => a.selected = n.saturating_sub(1),
        KeyCode::Char('f') => a.focus = Some(0),
        KeyCode::Right => {
            if let Some(r) = &a.results
                && r.offset + r.rows.len() < r.total
            {
                let next = r.offset + r.rows.len();
                return page(a, next);
            }
        }
        KeyCode::Left => {
            if let Some(r) = &a.results
                && r.offset > 0
            {
                let prev = r.offset.saturating_sub(crate::oversight::AUDIT_PAGE);
                return page(a, prev);
            }
        }
        KeyCode::Char('c') => {
            for i in &mut a.inputs {
                i.clear();
            }
            a.action = None;
            return vec![search(a, 0).into()];
        }
        KeyCode::Char('r') => {
            let offset = a.results.as_ref().map_or(0, |r| r.offset);
            return page(a, offset);
        }
        KeyCode::Char('v') => {
            a.popup = Some(Popup::Verify);
            if a.verifying() {
                return vec![];
            }
            let p = Arc::new(VerifyProgress::default());
            a.progress = Some(p.clone());
            a.report = None;
            return vec![Effect::Oversight(OversightEffect::Verify { progress: p }).into()];
        }
        KeyCode::Char('x') => a.popup = Some(Popup::Export),
        KeyCode::Esc => return vec![AppAction::Run(Command::GoList)],
        KeyCode::Char('q') => return vec![AppAction::Quit],
        _ => {}
    }
    vec![]
}

/// The page from `offset` of the filter already applied.
fn page(a: &mut AuditorState, offset: usize) -> Vec<AppAction> {
    a.generation += 1;
    a.loading = true;
    vec![
        Effect::Oversight(OversightEffect::AuditSearch {
            generation: a.generation,
            filter: a.applied.clone(),
            offset,
        })
        .into(),
    ]
}

fn on_filter_key(a: &mut AuditorState, f: usize, key: KeyEvent) -> Vec<AppAction> {
    let back = key.modifiers.contains(KeyModifiers::SHIFT);
    match key.code {
        KeyCode::Esc => a.focus = None,
        KeyCode::Enter => {
            a.focus = None;
            return vec![search(a, 0).into()];
        }
        KeyCode::Tab | KeyCode::Down if !back => a.focus = Some((f + 1) % FIELDS.len()),
        KeyCode::BackTab | KeyCode::Up | KeyCode::Tab => {
            a.focus = Some((f + FIELDS.len() - 1) % FIELDS.len());
        }
        KeyCode::Left | KeyCode::Right if f == ACTION => {
            let n = Action::ALL.len();
            a.action = match (a.action, key.code == KeyCode::Right) {
                (None, true) => Some(0),
                (None, false) => Some(n - 1),
                (Some(i), true) if i + 1 < n => Some(i + 1),
                (Some(i), false) if i > 0 => Some(i - 1),
                _ => None,
            };
        }
        KeyCode::Backspace | KeyCode::Delete if f == ACTION => a.action = None,
        _ if f == ACTION => {}
        _ => {
            a.inputs[f].handle_key(&key);
        }
    }
    vec![]
}

/// Pastes into the focused filter field.
pub fn on_paste(a: &mut AuditorState, text: &str) {
    if let Some(f) = a.focus
        && f != ACTION
    {
        a.inputs[f].insert_str(text.trim());
    }
}

fn on_export_key(a: &mut AuditorState, key: KeyEvent) -> Vec<AppAction> {
    let scope = match key.code {
        KeyCode::Esc => {
            a.popup = None;
            return vec![];
        }
        KeyCode::Char('h') => {
            let code = a
                .results
                .as_ref()
                .and_then(|r| r.rows.get(a.selected))
                .and_then(|r| r.receipt_code.clone());
            match code {
                Some(receipt_code) => ExportScope::Case { receipt_code },
                None => {
                    a.popup = None;
                    return vec![toast(
                        "Mục đang chọn không thuộc hồ sơ nào: chọn một mục của hồ sơ.",
                        true,
                    )];
                }
            }
        }
        KeyCode::Char('t') => {
            let from = parse_day(&a.applied.from);
            let to = parse_day(&a.applied.to);
            match (from, to) {
                (Some(f), Some(t)) if f <= t => ExportScope::Period {
                    from_ms: crate::oversight::day_ms(f),
                    to_ms: crate::oversight::day_ms(t + chrono::Days::new(1)),
                },
                _ => {
                    a.popup = None;
                    return vec![toast(
                        "Chưa có khoảng thời gian: điền Từ ngày và Đến ngày trong bộ lọc (/), nhấn Enter, rồi xuất.",
                        true,
                    )];
                }
            }
        }
        KeyCode::Char('a') => ExportScope::All,
        _ => return vec![],
    };
    a.popup = None;
    vec![
        toast("Đang ghi gói bằng chứng…", false),
        Effect::Oversight(OversightEffect::Export {
            scope,
            dir: a.export_dir.clone(),
        })
        .into(),
    ]
}

/// Draws the screen.
pub fn render(a: &AuditorState, ctx: &Context, frame: &mut Frame<'_>, area: Rect) {
    let t = ctx.theme;
    let [filters, status, table, detail] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Min(4),
        Constraint::Length(3),
    ])
    .areas(area);
    render_filters(a, ctx, frame, filters);

    let mut line = vec![];
    match (&a.error, &a.results) {
        (Some(e), _) => line.push(Span::styled(e.clone(), t.error())),
        (None, None) => line.push(Span::styled("Đang đọc nhật ký…", t.dim())),
        (None, Some(r)) => {
            let shown = if r.rows.is_empty() {
                String::new()
            } else {
                format!(" · {}–{}", r.offset + 1, r.offset + r.rows.len())
            };
            line.push(Span::styled(
                format!("{} mục khớp{shown}", r.total),
                t.header(),
            ));
            line.push(Span::styled(
                format!(" / {} mục trong {} chuỗi", r.held, r.chains),
                t.dim(),
            ));
        }
    }
    if a.loading && a.results.is_some() {
        line.push(Span::styled(" · đang lọc…", t.dim()));
    }
    if let Some(p) = &a.progress {
        let (d, n) = p.fraction();
        match (&a.report, a.verifying()) {
            (_, true) => line.push(Span::styled(
                format!(" · kiểm tra {}%", (d * 100).checked_div(n).unwrap_or(0)),
                t.warn(),
            )),
            (Some(Ok(v)), false) => line.push(if v.ok {
                Span::styled(" · TOÀN VẸN", t.ok())
            } else {
                Span::styled(format!(" · {} SAI LỆCH", v.findings.len()), t.error())
            }),
            _ => {}
        }
    }
    frame.render_widget(Paragraph::new(Line::from(line)), status);

    let wide = table.width >= 110;
    let rows: Vec<Row<'_>> = a
        .results
        .iter()
        .flat_map(|r| r.rows.iter())
        .map(|r| {
            let mut cells = vec![
                Span::raw(r.line.time.clone()),
                Span::raw(r.commune.clone().unwrap_or_else(|| "tỉnh".into())),
                Span::raw(r.line.officer.clone()),
                Span::raw(
                    r.receipt_code
                        .as_deref()
                        .map(format::short_receipt)
                        .unwrap_or("")
                        .to_string(),
                ),
                if r.line.signature_ok {
                    Span::raw(r.line.sentence.clone())
                } else {
                    Span::styled(format!("CHỮ KÝ SAI · {}", r.line.sentence), t.error())
                },
            ];
            if wide {
                cells.insert(1, Span::raw(r.node_name.clone()));
            }
            Row::new(cells)
        })
        .collect();
    let mut widths = vec![
        Constraint::Length(16),
        Constraint::Length(5),
        Constraint::Length(10),
        Constraint::Length(11),
        Constraint::Fill(1),
    ];
    let mut header = vec!["Thời gian", "Xã", "Cán bộ", "Hồ sơ", "Nội dung"];
    if wide {
        widths.insert(1, Constraint::Length(16));
        header.insert(1, "Máy ghi");
    }
    let mut st = TableState::default();
    let n = a.results.as_ref().map_or(0, |r| r.rows.len());
    if n > 0 {
        st.select(Some(a.selected.min(n - 1)));
    }
    frame.render_stateful_widget(
        Table::new(rows, widths)
            .header(Row::new(header).style(t.header()))
            .row_highlight_style(t.selected())
            .block(
                Block::bordered()
                    .title(Span::styled(
                        " Nhật ký kiểm toán: mọi chuỗi máy đang giữ ",
                        t.title(),
                    ))
                    .border_style(t.title()),
            ),
        table,
        &mut st,
    );
    let sel = a
        .results
        .as_ref()
        .and_then(|r| r.rows.get(a.selected.min(n.saturating_sub(1))));
    if let Some(r) = sel {
        let code = r
            .receipt_code
            .as_deref()
            .map(|c| format!(" · hồ sơ {}", format::short_receipt(c)))
            .unwrap_or_default();
        frame.render_widget(
            Paragraph::new(vec![
                Line::from(Span::styled(
                    format!(
                        "{} · {} · mục #{} · cán bộ {}{code}",
                        r.line.time, r.node_name, r.line.seq, r.line.officer
                    ),
                    t.dim(),
                )),
                Line::from(Span::raw(r.line.sentence.clone())),
            ])
            .wrap(Wrap { trim: true }),
            detail,
        );
    } else if a.results.is_some() {
        frame.render_widget(
            Paragraph::new(Span::styled(
                "Không có mục nào khớp bộ lọc. Nhấn c để bỏ lọc.",
                t.dim(),
            )),
            detail,
        );
    }
    match a.popup {
        Some(Popup::Verify) => render_verify(a, ctx, frame, area),
        Some(Popup::Export) => render_export(a, ctx, frame, area),
        None => {}
    }
}

fn render_filters(a: &AuditorState, ctx: &Context, frame: &mut Frame<'_>, area: Rect) {
    let t = ctx.theme;
    let [l1, l2] = Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(area);
    let label = |i: usize| {
        let style = if a.focus == Some(i) {
            t.selected()
        } else {
            t.dim()
        };
        Span::styled(format!("{}: ", FIELDS[i]), style)
    };
    let row = |frame: &mut Frame<'_>, r: Rect, items: &[(usize, u16)]| {
        let mut cons: Vec<Constraint> = vec![];
        for (i, w) in items {
            cons.push(Constraint::Length(FIELDS[*i].chars().count() as u16 + 2));
            cons.push(Constraint::Length(*w));
            cons.push(Constraint::Length(1));
        }
        let parts = Layout::horizontal(cons).split(r);
        for (k, (i, _)) in items.iter().enumerate() {
            frame.render_widget(Paragraph::new(label(*i)), parts[k * 3]);
            let field = parts[k * 3 + 1];
            if *i == ACTION {
                let style = if a.focus == Some(*i) {
                    t.selected()
                } else {
                    t.text()
                };
                frame.render_widget(
                    Paragraph::new(Span::styled(
                        format::fit(
                            &format!("‹{}›", action_label(a.action)),
                            usize::from(field.width),
                        ),
                        style,
                    )),
                    field,
                );
            } else {
                let focused = a.focus == Some(*i);
                if a.inputs[*i].value().is_empty() && !focused {
                    frame.render_widget(Paragraph::new(Span::styled("—", t.dim())), field);
                } else {
                    a.inputs[*i].render(frame, field, t.text(), focused);
                }
            }
        }
    };
    let w = area.width;
    let (wc, wo, wk) = if w >= 110 { (16, 14, 26) } else { (10, 10, 24) };
    row(frame, l1, &[(0, wc), (1, wo), (2, wk)]);
    row(
        frame,
        l2,
        &[(3, if w >= 110 { 26 } else { 20 }), (4, 10), (5, 10)],
    );
}

fn render_verify(a: &AuditorState, ctx: &Context, frame: &mut Frame<'_>, area: Rect) {
    let t = ctx.theme;
    let r = area;
    frame.render_widget(Clear, r);
    let block = Block::bordered()
        .title(Span::styled(" Kiểm tra toàn bộ nhật ký ", t.title()))
        .border_style(t.title());
    let inner = block.inner(r);
    frame.render_widget(block, r);
    let width = usize::from(inner.width);
    let mut lines: Vec<Line<'_>> = vec![];
    if let Some(p) = &a.progress {
        let (d, n) = p.fraction();
        let pct = (d * 100)
            .checked_div(n)
            .unwrap_or(if a.verifying() { 0 } else { 100 });
        let bar_w = width.saturating_sub(8).min(60);
        let filled = bar_w * usize::try_from(pct).unwrap_or(100).min(100) / 100;
        lines.push(Line::from(vec![
            Span::styled("█".repeat(filled), t.ok()),
            Span::styled("░".repeat(bar_w - filled), t.dim()),
            Span::raw(format!(" {pct:>3}%")),
        ]));
        lines.push(Line::from(Span::styled(
            format!(
                "Đã đọc {} / {} mục nhật ký, đối chiếu {} / {} hồ sơ.",
                p.entries.load(Ordering::Relaxed),
                p.entries_total.load(Ordering::Relaxed),
                p.cases.load(Ordering::Relaxed),
                p.cases_total.load(Ordering::Relaxed)
            ),
            t.dim(),
        )));
    }
    match &a.report {
        None => lines.push(Line::from(Span::styled(
            "Đang kiểm tra chữ ký, liên kết, điểm kiểm và thay đổi của từng hồ sơ… (Esc: đóng, kiểm tra vẫn chạy)",
            t.dim(),
        ))),
        Some(Err(e)) => lines.push(Line::from(Span::styled(
            format!("Không kiểm tra được: {e}"),
            t.error(),
        ))),
        Some(Ok(v)) => {
            lines.push(Line::from(Span::styled(
                v.verdict.clone(),
                if v.ok { t.ok() } else { t.error() },
            )));
            let body: Vec<&String> = v.findings.iter().chain(v.chains.iter()).collect();
            for f in body.into_iter().skip(a.findings_scroll) {
                lines.push(Line::from(Span::raw(format!("• {f}"))));
            }
        }
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
}

fn render_export(a: &AuditorState, ctx: &Context, frame: &mut Frame<'_>, area: Rect) {
    let t = ctx.theme;
    let r = area.centered(
        Constraint::Length(area.width.saturating_sub(4).min(76)),
        Constraint::Length(9),
    );
    frame.render_widget(Clear, r);
    let code = a
        .results
        .as_ref()
        .and_then(|r| r.rows.get(a.selected))
        .and_then(|r| r.receipt_code.clone());
    let period = match (parse_day(&a.applied.from), parse_day(&a.applied.to)) {
        (Some(f), Some(to)) => format!("từ {} đến {}", f.format("%d/%m/%Y"), to.format("%d/%m/%Y")),
        _ => "(điền Từ ngày và Đến ngày trong bộ lọc trước)".to_string(),
    };
    let lines = vec![
        Line::from(vec![
            Span::styled(" h ", t.key()),
            Span::raw(match &code {
                Some(c) => format!("hồ sơ đang chọn {c}"),
                None => "hồ sơ đang chọn (mục đang chọn không thuộc hồ sơ nào)".into(),
            }),
        ]),
        Line::from(vec![
            Span::styled(" t ", t.key()),
            Span::raw(format!("khoảng thời gian {period}")),
        ]),
        Line::from(vec![
            Span::styled(" a ", t.key()),
            Span::raw("toàn bộ nhật ký máy đang giữ"),
        ]),
        Line::from(Span::styled(
            format!(
                "Tệp ghi vào {}. Gói luôn chứa trọn các chuỗi để kiểm tra được ở máy khác; phạm vi được ghi trong gói.",
                a.export_dir.display()
            ),
            t.dim(),
        )),
    ];
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: true }).block(
            Block::bordered()
                .title(Span::styled(" Xuất gói bằng chứng ", t.title()))
                .border_style(t.title()),
        ),
        r,
    );
}
