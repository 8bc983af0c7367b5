//! Receiving a case: pick a procedure (type to filter, accents optional), enter the citizen id,
//! see the form prefilled from the registry with its evidence, fill what the citizen must still
//! provide (validated as you type), submit, and read out the receipt.

use hoso_node::{CaseView, NewCase, Prefill};
use hoso_schemas::{FieldDef, Procedure};
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, List, ListItem, ListState, Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

use crate::action::{AppAction, Command, Discard, Screen, news};
use crate::context::Context;
use crate::draft::{Draft, NewCaseDraft};
use crate::effect::Effect;
use crate::format;
use crate::input::Input;
use crate::keys::{KeyHelp, key_help};

/// The steps of the flow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Step {
    /// Choose the procedure.
    #[default]
    Procedure,
    /// Enter the citizen id.
    Citizen,
    /// Fill the form.
    Form,
    /// The receipt.
    Receipt,
}

/// One form field.
#[derive(Clone, Debug)]
pub struct FormField {
    /// Its definition in the catalog.
    pub def: FieldDef,
    /// The value being typed (citizen-provided fields) or the registry value.
    pub input: Input,
    /// Filled from the registry (read-only, with evidence).
    pub from_registry: bool,
    /// The registry record it came from.
    pub record_ref: Option<String>,
    /// The validation message.
    pub error: Option<String>,
}

/// The flow's state.
#[derive(Clone, Debug, Default)]
pub struct NewCaseState {
    /// Current step.
    pub step: Step,
    /// Procedure filter text.
    pub filter: Input,
    /// Selected procedure among the filtered ones.
    pub selected: usize,
    /// The chosen procedure code.
    pub procedure: Option<String>,
    /// Citizen id.
    pub citizen: Input,
    /// The prefilled form.
    pub prefill: Option<Prefill>,
    /// Form fields in catalog order.
    pub fields: Vec<FormField>,
    /// Focused field (index into `fields`, editable ones only).
    pub focus: usize,
    /// Waiting for the node.
    pub busy: bool,
    /// The request whose answer is awaited.
    pub generation: u64,
    /// A message for the whole step (unknown citizen, refusal on submit).
    pub error: Option<String>,
    /// A submit was attempted: show "required" errors too.
    pub tried: bool,
    /// The received case.
    pub receipt: Option<CaseView>,
    /// The last print's message (file path, printer), shown on the receipt.
    pub printed: Option<String>,
    /// Scroll of the form.
    pub scroll: usize,
}

impl NewCaseState {
    /// A text field has the keyboard.
    pub fn typing(&self) -> bool {
        matches!(self.step, Step::Procedure | Step::Citizen | Step::Form)
    }
    fn editable(&self) -> Vec<usize> {
        self.fields
            .iter()
            .enumerate()
            .filter(|(_, f)| !f.from_registry)
            .map(|(i, _)| i)
            .collect()
    }
}

/// Procedures matching `filter` (accent-insensitive, every word a prefix of a word of the
/// name or the code).
pub fn matching<'a>(ctx: &'a Context, filter: &str) -> Vec<&'a Procedure> {
    let want = hoso_schemas::tokens(filter);
    ctx.catalog
        .iter()
        .filter(|p| {
            let have = hoso_schemas::tokens(&format!("{} {}", p.name_vi, p.code.replace('_', " ")));
            want.iter()
                .all(|w| have.iter().any(|h| h.starts_with(w.as_str())))
        })
        .collect()
}

/// Keys of the flow.
pub fn keys(s: &NewCaseState) -> Vec<KeyHelp> {
    match s.step {
        Step::Procedure => vec![
            key_help("gõ", "lọc thủ tục (không dấu được)", true),
            key_help("↑↓", "chọn", true),
            key_help("Enter", "chọn thủ tục", true),
            key_help("Esc", "về danh sách", true),
        ],
        Step::Citizen => vec![
            key_help("gõ", "số CCCD / định danh (12 số)", true),
            key_help("Enter", "tra cứu CSDL dân cư", true),
            key_help("Esc", "chọn lại thủ tục", true),
        ],
        Step::Form => vec![
            key_help("Tab ↑↓", "ô khác", true),
            key_help("Enter", "ô tiếp (ở ô cuối: tiếp nhận)", false),
            key_help("F2 / Ctrl+S", "tiếp nhận", true),
            key_help("Esc", "nhập lại CCCD", true),
        ],
        Step::Receipt => vec![
            key_help("p", "in giấy tiếp nhận", true),
            key_help("Enter", "mở hồ sơ", true),
            key_help("n", "tiếp nhận hồ sơ khác", true),
            key_help("Esc q", "về danh sách", true),
        ],
    }
}

/// Pasted text goes to the focused field.
pub fn on_paste(s: &mut NewCaseState, text: &str) -> Vec<AppAction> {
    match s.step {
        Step::Procedure => {
            s.filter.insert_str(text);
            s.selected = 0;
        }
        Step::Citizen => s.citizen.insert_str(text),
        Step::Form => {
            if let Some(f) = s.fields.get_mut(s.focus) {
                f.input.insert_str(text);
                validate(f, false);
            }
        }
        Step::Receipt => {}
    }
    vec![]
}

fn validate(f: &mut FormField, tried: bool) {
    if f.from_registry {
        f.error = None;
        return;
    }
    let v = f.input.value().trim();
    f.error = if v.is_empty() {
        (f.def.required && tried).then(|| "bắt buộc: công dân phải cung cấp".to_string())
    } else {
        f.def
            .validate(v)
            .err()
            .map(|_| format!("không hợp lệ, cần {}", format::expected_vi(&f.def)))
    };
}

/// Handles a key.
pub fn on_key(s: &mut NewCaseState, ctx: &Context, key: KeyEvent) -> Vec<AppAction> {
    match s.step {
        Step::Procedure => on_key_procedure(s, ctx, key),
        Step::Citizen => on_key_citizen(s, ctx, key),
        Step::Form => on_key_form(s, ctx, key),
        Step::Receipt => on_key_receipt(s, key),
    }
}

fn on_key_procedure(s: &mut NewCaseState, ctx: &Context, key: KeyEvent) -> Vec<AppAction> {
    let n = matching(ctx, s.filter.value()).len();
    match key.code {
        KeyCode::Esc => return vec![AppAction::Go(Screen::List)],
        KeyCode::Up => s.selected = s.selected.saturating_sub(1),
        KeyCode::Down => s.selected = (s.selected + 1).min(n.saturating_sub(1)),
        KeyCode::Enter => {
            let code = matching(ctx, s.filter.value())
                .get(s.selected)
                .map(|p| p.code.clone());
            if let Some(code) = code {
                s.procedure = Some(code);
                s.step = Step::Citizen;
                s.error = None;
            }
        }
        _ => {
            if s.filter.handle_key(&key) {
                s.selected = 0;
            }
        }
    }
    vec![]
}

fn on_key_citizen(s: &mut NewCaseState, ctx: &Context, key: KeyEvent) -> Vec<AppAction> {
    match key.code {
        KeyCode::Esc => {
            s.step = Step::Procedure;
            s.error = None;
        }
        KeyCode::Enter => {
            let generation = ctx.next_generation();
            let officer = ctx.officer_id();
            let citizen = s.citizen.value().trim().to_string();
            if citizen.is_empty() {
                s.error = Some("Nhập số định danh cá nhân (12 chữ số) của công dân.".into());
                return vec![];
            }
            s.busy = true;
            s.error = None;
            s.generation = generation;
            return vec![
                Effect::Prefill {
                    generation,
                    officer,
                    new: NewCase {
                        procedure: s.procedure.clone().unwrap_or_default(),
                        citizen_id: citizen,
                        ..NewCase::default()
                    },
                }
                .into(),
            ];
        }
        _ => {
            if s.citizen.handle_key(&key) {
                s.error = None;
            }
        }
    }
    vec![]
}

/// Opens the form again from a draft: the procedure and citizen id as typed, and (once the
/// registry answers) the values typed into the form.
pub fn restore(s: &mut NewCaseState, ctx: &Context, d: NewCaseDraft) -> Vec<AppAction> {
    s.procedure = Some(d.procedure.clone());
    s.citizen.set(&d.citizen_id);
    s.step = Step::Citizen;
    let mut out = vec![news(
        "Đã mở lại bản nháp chưa tiếp nhận: những gì đã nhập vẫn còn.",
    )];
    if d.citizen_id.trim().is_empty() {
        return out;
    }
    // As if Enter were pressed on the citizen id: the form comes back prefilled.
    out.extend(on_key_citizen(
        s,
        ctx,
        KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE),
    ));
    out
}

/// Handles the prefilled form.
pub fn on_prefill(
    s: &mut NewCaseState,
    ctx: &Context,
    draft: &Draft,
    generation: u64,
    r: Result<Box<Prefill>, String>,
) {
    if generation != s.generation {
        return;
    }
    s.busy = false;
    let p = match r {
        Ok(p) => p,
        Err(e) => {
            s.error = Some(e);
            return;
        }
    };
    let Some(procedure) = ctx.catalog.get(&p.procedure) else {
        tracing::warn!(procedure = %p.procedure, "prefilled procedure not in the catalog");
        s.error = Some(
            "Thủ tục này không còn trong danh mục của máy. Chọn thủ tục khác hoặc báo quản trị."
                .to_string(),
        );
        return;
    };
    s.fields = procedure
        .fields
        .iter()
        .map(|def| {
            let mut input = Input::new();
            if let Some(v) = p.fields.get(&def.name) {
                input.set(v);
            }
            let ev = p.evidence.get(&def.name);
            FormField {
                def: def.clone(),
                input,
                from_registry: ev.is_some(),
                record_ref: ev.map(|e| e.record_ref.clone()),
                error: None,
            }
        })
        .collect();
    // One header per section, in the order the sections first appear (as the case detail shows
    // them): a bundle's catalog may list a section's fields in two places.
    let sections = procedure.sections();
    s.fields
        .sort_by_key(|f| sections.iter().position(|x| *x == f.def.section.as_str()));
    // A draft of this form (same procedure and citizen) fills back what was typed.
    if let Some(d) = &draft.new_case
        && d.procedure == p.procedure
        && d.citizen_id.trim() == p.citizen_id
    {
        let tried = s.tried;
        for f in s.fields.iter_mut().filter(|f| !f.from_registry) {
            if let Some(v) = d.fields.get(&f.def.name) {
                f.input.set(v);
                validate(f, tried);
            }
        }
    }
    s.prefill = Some(*p);
    s.step = Step::Form;
    s.tried = false;
    s.scroll = 0;
    s.focus = s.editable().first().copied().unwrap_or(0);
}

fn on_key_form(s: &mut NewCaseState, ctx: &Context, key: KeyEvent) -> Vec<AppAction> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let editable = s.editable();
    let pos = editable.iter().position(|i| *i == s.focus);
    let next = |d: isize| -> Option<usize> {
        let p = pos? as isize + d;
        editable.get(usize::try_from(p).ok()?).copied()
    };
    match key.code {
        KeyCode::Esc => {
            let typed = s
                .fields
                .iter()
                .any(|f| !f.from_registry && !f.input.value().trim().is_empty());
            if typed {
                return vec![AppAction::ConfirmDiscard(Discard::NewCase)];
            } else {
                s.step = Step::Citizen;
                s.error = None;
            }
        }
        KeyCode::Tab | KeyCode::Down => {
            if let Some(n) = next(1) {
                s.focus = n;
            }
        }
        KeyCode::BackTab | KeyCode::Up => {
            if let Some(n) = next(-1) {
                s.focus = n;
            }
        }
        KeyCode::F(2) => return submit(s, ctx),
        KeyCode::Char('s') if ctrl => return submit(s, ctx),
        KeyCode::Enter => match next(1) {
            Some(n) => s.focus = n,
            None => return submit(s, ctx),
        },
        _ => {
            let tried = s.tried;
            if let Some(f) = s.fields.get_mut(s.focus)
                && !f.from_registry
                && f.input.handle_key(&key)
            {
                validate(f, tried);
            }
        }
    }
    vec![]
}

fn submit(s: &mut NewCaseState, ctx: &Context) -> Vec<AppAction> {
    let Some(officer) = ctx.officer.clone() else {
        return vec![];
    };
    if s.busy {
        return vec![];
    }
    s.tried = true;
    for f in &mut s.fields {
        validate(f, true);
    }
    if let Some(first) = s.fields.iter().position(|f| f.error.is_some()) {
        s.focus = first;
        let n = s.fields.iter().filter(|f| f.error.is_some()).count();
        s.error = Some(format!("Còn {n} ô cần sửa trước khi tiếp nhận."));
        return vec![];
    }
    let Some(p) = &s.prefill else {
        return vec![];
    };
    s.busy = true;
    s.error = None;
    vec![
        Effect::Create {
            officer,
            new: NewCase {
                procedure: p.procedure.clone(),
                citizen_id: p.citizen_id.clone(),
                fields: s
                    .fields
                    .iter()
                    .filter(|f| !f.from_registry && !f.input.value().trim().is_empty())
                    .map(|f| (f.def.name.clone(), f.input.value().trim().to_string()))
                    .collect(),
                received_at: None,
            },
        }
        .into(),
    ]
}

/// Handles the node's answer to a submit.
pub fn on_created(
    s: &mut NewCaseState,
    draft: &mut Draft,
    r: Result<Box<CaseView>, String>,
) -> Vec<AppAction> {
    s.busy = false;
    match r {
        Ok(v) => {
            let toast = news(format!("Đã tiếp nhận hồ sơ {}.", v.receipt_code));
            s.receipt = Some(*v);
            s.step = Step::Receipt;
            // Received: the draft has done its job.
            draft.new_case = None;
            vec![
                toast,
                AppAction::MarkListDirty,
                AppAction::FlushDraft,
                AppAction::LoadCounts,
            ]
        }
        Err(e) => {
            s.error = Some(format!("Không tiếp nhận được: {e}"));
            vec![]
        }
    }
}

fn on_key_receipt(s: &mut NewCaseState, key: KeyEvent) -> Vec<AppAction> {
    match key.code {
        KeyCode::Enter => match &s.receipt {
            Some(v) => vec![AppAction::OpenCase(v.id.to_string())],
            None => vec![],
        },
        KeyCode::Char('n') => {
            *s = NewCaseState::default();
            vec![]
        }
        KeyCode::Char('p') | KeyCode::F(9) => match &s.receipt {
            Some(v) => vec![AppAction::Print {
                reference: v.id.to_string(),
                form: crate::print::Form::Receipt,
            }],
            None => vec![],
        },
        KeyCode::Esc | KeyCode::Char('q') => vec![AppAction::Run(Command::GoList)],
        _ => vec![],
    }
}

/// Draws the flow.
pub fn render(s: &NewCaseState, ctx: &Context, frame: &mut Frame<'_>, area: Rect) {
    match s.step {
        Step::Procedure => render_procedure(s, ctx, frame, area),
        Step::Citizen => render_citizen(s, ctx, frame, area),
        Step::Form => render_form(s, ctx, frame, area),
        Step::Receipt => render_receipt(s, ctx, frame, area),
    }
}

fn title(ctx: &Context, step: &str) -> Block<'static> {
    Block::bordered()
        .title(Span::styled(
            format!(" Tiếp nhận hồ sơ · {step} "),
            ctx.theme.title(),
        ))
        .border_style(ctx.theme.title())
}

fn render_procedure(s: &NewCaseState, ctx: &Context, frame: &mut Frame<'_>, area: Rect) {
    let t = ctx.theme;
    let block = title(ctx, "1/3 Chọn thủ tục");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [l, f, _, list] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(inner);
    frame.render_widget(
        Paragraph::new(Span::styled(
            "Gõ vài chữ của tên thủ tục (ví dụ: khai sinh, ly lich):",
            t.dim(),
        )),
        l,
    );
    s.filter.render(frame, f, t.selected(), true);
    let procs = matching(ctx, s.filter.value());
    let items: Vec<ListItem<'_>> = procs
        .iter()
        .map(|p| {
            let days = if p.deadline.working_days == 0 {
                "  trong ngày".to_string()
            } else {
                format!("  {} ngày làm việc", p.deadline.working_days)
            };
            let bundle = if p.is_bundle() {
                format!("  [liên thông {} thủ tục]", p.tracks.len())
            } else {
                String::new()
            };
            let room = usize::from(list.width).saturating_sub(2 + days.width() + bundle.width());
            let spans = vec![
                Span::raw(format::fit(&p.name_vi, room)),
                Span::styled(bundle, t.dim()),
                Span::styled(days, t.dim()),
            ];
            ListItem::new(Line::from(spans))
        })
        .collect();
    if items.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled("Không có thủ tục nào khớp.", t.dim())),
            list,
        );
        return;
    }
    let mut st = ListState::default();
    st.select(Some(s.selected.min(items.len() - 1)));
    frame.render_stateful_widget(
        List::new(items)
            .highlight_style(t.selected())
            .highlight_symbol("> "),
        list,
        &mut st,
    );
}

fn procedure_name(s: &NewCaseState, ctx: &Context) -> String {
    s.procedure
        .as_deref()
        .and_then(|c| ctx.catalog.get(c))
        .map(|p| p.name_vi.clone())
        .unwrap_or_default()
}

fn render_citizen(s: &NewCaseState, ctx: &Context, frame: &mut Frame<'_>, area: Rect) {
    let t = ctx.theme;
    let block = title(ctx, "2/3 Công dân");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [p, _, l, f, _, msg] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(inner);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("Thủ tục: ", t.dim()),
            Span::styled(procedure_name(s, ctx), t.title()),
        ])),
        p,
    );
    frame.render_widget(Paragraph::new("Số định danh cá nhân (CCCD, 12 chữ số):"), l);
    let fa = Rect {
        width: f.width.min(20),
        ..f
    };
    s.citizen.render(frame, fa, t.selected(), true);
    let mut lines = vec![];
    if s.busy {
        lines.push(Line::from(Span::styled(
            "Đang tra cứu CSDL dân cư…",
            t.dim(),
        )));
    }
    if let Some(e) = &s.error {
        lines.push(Line::from(Span::styled(e.clone(), t.error())));
    }
    lines.push(Line::from(Span::styled(
        "Các thông tin có trong CSDL dân cư sẽ được điền sẵn, công dân không phải khai lại.",
        t.dim(),
    )));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), msg);
}

fn render_form(s: &NewCaseState, ctx: &Context, frame: &mut Frame<'_>, area: Rect) {
    let t = ctx.theme;
    let block = title(ctx, "3/3 Tờ khai");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(p) = &s.prefill else {
        return;
    };
    let [head, body, foot] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(3),
        Constraint::Length(2),
    ])
    .areas(inner);
    let from_reg = s.fields.iter().filter(|f| f.from_registry).count();
    let todo = s
        .fields
        .iter()
        .filter(|f| !f.from_registry && f.def.required && f.input.value().trim().is_empty())
        .count();
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(vec![
                Span::styled(format::fit(&procedure_name(s, ctx), 40), t.title()),
                Span::raw(" · "),
                Span::raw(p.applicant_name.clone()),
                Span::styled(format!(" ({})", p.citizen_id), t.dim()),
            ]),
            Line::from(vec![
                Span::styled(format!("[CSDL] {from_reg} ô từ CSDL dân cư"), t.registry()),
                Span::raw(" · "),
                Span::styled(
                    format!("{todo} ô bắt buộc công dân còn phải cung cấp"),
                    if todo > 0 { t.warn() } else { t.ok() },
                ),
            ]),
        ]),
        head,
    );
    // Build the lines: a section header, then label / value / message per field.
    let label_w = s
        .fields
        .iter()
        .map(|f| f.def.label_vi.width())
        .max()
        .unwrap_or(10)
        .min(usize::from(body.width / 3))
        + 2;
    let mut lines: Vec<Line<'_>> = vec![];
    let mut focus_line = 0;
    let mut section = "";
    for (i, f) in s.fields.iter().enumerate() {
        if f.def.section != section {
            section = &f.def.section;
            lines.push(Line::from(Span::styled(
                format!("── {}", format::section_vi(section)),
                t.header(),
            )));
        }
        let focused = i == s.focus;
        if focused {
            focus_line = lines.len();
        }
        let marker = if f.from_registry {
            Span::styled("[CSDL] ", t.registry())
        } else if f.def.required {
            Span::styled("[*]    ", t.warn())
        } else {
            Span::styled("       ", t.dim())
        };
        let label = format::fit(&f.def.label_vi, label_w - 2);
        let pad = " ".repeat(label_w.saturating_sub(label.width()));
        let value = if f.from_registry {
            Span::styled(format::value_vi(&f.def, f.input.value()), t.registry())
        } else if f.input.value().is_empty() && !focused {
            Span::styled(format!("({})", format::expected_vi(&f.def)), t.dim())
        } else {
            Span::styled(
                f.input.value().to_string(),
                if focused { t.selected() } else { t.text() },
            )
        };
        lines.push(Line::from(vec![
            Span::styled(if focused { ">" } else { " " }, t.title()),
            marker,
            Span::styled(
                format!("{label}{pad}"),
                if focused { t.title() } else { t.text() },
            ),
            value,
        ]));
        if let Some(e) = &f.error {
            lines.push(Line::from(Span::styled(
                format!("{}! {e}", " ".repeat(8 + label_w)),
                t.error(),
            )));
        } else if focused && !f.from_registry {
            lines.push(Line::from(Span::styled(
                format!(
                    "{}gợi ý: {}",
                    " ".repeat(8 + label_w),
                    format::expected_vi(&f.def)
                ),
                t.dim(),
            )));
        }
    }
    let height = usize::from(body.height);
    let scroll = (focus_line + 2).saturating_sub(height);
    frame.render_widget(
        Paragraph::new(lines).scroll((u16::try_from(scroll).unwrap_or(0), 0)),
        body,
    );
    // The real cursor sits in the focused field.
    if let Some(f) = s.fields.get(s.focus)
        && !f.from_registry
        && focus_line >= scroll
        && focus_line - scroll < height
    {
        let y = body.y + u16::try_from(focus_line - scroll).unwrap_or(0);
        let x = body.x + 1 + 7 + u16::try_from(label_w).unwrap_or(0);
        let r = Rect {
            x,
            y,
            width: body.right().saturating_sub(x),
            height: 1,
        };
        f.input.render(frame, r, t.selected(), true);
    }
    let mut foot_lines = vec![];
    if s.busy {
        foot_lines.push(Line::from(Span::styled("Đang tiếp nhận…", t.dim())));
    }
    if let Some(e) = &s.error {
        foot_lines.push(Line::from(Span::styled(e.clone(), t.error())));
    } else {
        foot_lines.push(Line::from(Span::styled(
            "[CSDL] lấy từ CSDL dân cư (có minh chứng) · [*] bắt buộc · F2 tiếp nhận",
            t.dim(),
        )));
    }
    frame.render_widget(Paragraph::new(foot_lines).wrap(Wrap { trim: true }), foot);
}

fn render_receipt(s: &NewCaseState, ctx: &Context, frame: &mut Frame<'_>, area: Rect) {
    let t = ctx.theme;
    let Some(v) = &s.receipt else {
        return;
    };
    let block = title(ctx, "Giấy tiếp nhận");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let procedure = ctx.catalog.get(&v.procedure);
    let mut lines = vec![
        Line::from(Span::styled("ĐÃ TIẾP NHẬN HỒ SƠ", t.ok())),
        Line::raw(""),
        Line::from(vec![
            Span::styled("Mã hồ sơ:       ", t.dim()),
            Span::styled(v.receipt_code.clone(), t.title()),
        ]),
        Line::from(vec![
            Span::styled("Thủ tục:        ", t.dim()),
            Span::raw(procedure.map_or(v.procedure.clone(), |p| p.name_vi.clone())),
        ]),
    ];
    for (label, text) in format::applicant_lines(&ctx.catalog, v) {
        lines.push(Line::from(vec![
            Span::styled(format!("{:<16}", format!("{label}:")), t.dim()),
            Span::raw(text),
        ]));
    }
    lines.extend([
        Line::from(vec![
            Span::styled("Ngày tiếp nhận: ", t.dim()),
            Span::raw(format::time_vi(&v.received_at)),
        ]),
        Line::from(vec![
            Span::styled("Hẹn trả KQ:     ", t.dim()),
            Span::styled(format::date_vi(&v.due_date), t.title()),
        ]),
        Line::from(vec![
            Span::styled("Cán bộ:         ", t.dim()),
            Span::raw(v.assigned_officer.clone().unwrap_or_default()),
        ]),
    ]);
    if !v.tracks.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::from(Span::styled(
            "Hồ sơ liên thông, gồm các thủ tục:",
            t.header(),
        )));
        for (code, tr) in &v.tracks {
            let name = ctx
                .catalog
                .get(code)
                .map_or(code.as_str(), |p| p.name_vi.as_str());
            lines.push(Line::raw(format!("  - {name}: {}", tr.status.label_vi())));
        }
    }
    lines.push(Line::raw(""));
    match &s.printed {
        Some(msg) => lines.push(Line::from(Span::styled(msg.clone(), t.ok()))),
        None => lines.push(Line::from(Span::styled(
            "Nhấn p để in giấy tiếp nhận và hẹn trả kết quả (Mẫu 01), hoặc đọc mã hồ sơ và ngày hẹn cho công dân.",
            t.dim(),
        ))),
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
