//! One case: every field by section with the data checklist, the workflow actions the officer's
//! role allows (one key each, with a confirm), notes, the history (the case's own and the audit
//! chain's: who, what, when, from which node), and a conflict banner with a way to resolve it.

use hoso_node::CaseView;
use hoso_schemas::Status;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::action::{AppAction, Command, Discard, Screen, error, news, toast};
use crate::context::Context;
use crate::draft::Draft;
use crate::effect::{CaseDetail, Effect};
use crate::format;
use crate::input::Input;
use crate::keys::{KeyHelp, key_help};
use crate::screen::case_actions::{self, Item};
use crate::screen::transitions::{self, concurrent};

pub use crate::screen::detail_state::{Action, DetailState, Popup, TABS};
pub use crate::screen::transitions::{actions, menu};

/// Opens a case (by id or receipt code).
pub fn open(d: &mut DetailState, reference: String) -> Vec<AppAction> {
    let same = d.reference.as_deref() == Some(reference.as_str());
    if !same {
        *d = DetailState::default();
    }
    d.reference = Some(reference.clone());
    d.loading = true;
    vec![
        AppAction::Go(Screen::Detail),
        Effect::LoadCase { reference }.into(),
    ]
}

/// Reads the shown case again.
pub fn reload(d: &mut DetailState) -> Vec<AppAction> {
    match d.reference.clone() {
        Some(r) => {
            d.loading = true;
            vec![Effect::LoadCase { reference: r }.into()]
        }
        None => vec![],
    }
}

/// Handles a read.
pub fn on_case(d: &mut DetailState, r: Result<Box<CaseDetail>, String>) {
    d.loading = false;
    match r {
        Ok(c) => {
            let matches = d
                .reference
                .as_deref()
                .is_some_and(|r| r == c.view.id.to_string() || r == c.view.receipt_code);
            if matches {
                d.error = None;
                d.case = Some(*c);
            }
        }
        Err(e) => d.error = Some(e),
    }
}

/// Handles a write's answer.
pub fn on_updated(
    d: &mut DetailState,
    draft: &mut Draft,
    r: Result<Box<CaseView>, String>,
) -> Vec<AppAction> {
    d.busy = false;
    let note = std::mem::take(&mut d.saving_note);
    let mut saved_form = vec![];
    if let Some(mut form) = d.pending_form.take() {
        if let Err(e) = &r {
            // Refused: the form opens again as it was typed, with the reason.
            form.error = Some(e.clone());
            d.popup = Some(Popup::Form(form));
            return vec![error(format!("Không lưu được: {e}"))];
        }
        // Saved: its draft goes.
        saved_form = case_actions::drop_draft(d, draft);
    }
    let mut out = vec![AppAction::MarkListDirty];
    match r {
        Ok(v) if note => {
            draft.notes.remove(&v.id.to_string());
            out.push(news(format!(
                "Đã lưu ghi chú vào hồ sơ {}.",
                v.receipt_code
            )));
            out.push(AppAction::FlushDraft);
            out.extend(reload(d));
        }
        Ok(v) => {
            out.push(news(format!(
                "Đã lưu. {}: {}.",
                v.receipt_code,
                v.status.label_vi()
            )));
            out.extend(saved_form);
            out.extend(reload(d));
            out.push(AppAction::LoadCounts);
        }
        Err(e) => {
            out.push(error(format!("Không lưu được: {e}")));
            if note
                && let Some(c) = &d.case
                && let Some(text) = draft.notes.get(&c.view.id.to_string())
            {
                // Nothing typed is lost: the note box opens again with the text.
                let mut input = Input::new();
                input.set(text);
                d.popup = Some(Popup::Note(input));
            }
        }
    }
    out
}

/// When the pending supplement request was made, if one is pending (the clock stopped then).
fn paused_since(v: &CaseView) -> Option<chrono::NaiveDate> {
    if v.status != Status::SupplementRequested {
        return None;
    }
    v.history
        .iter()
        .rev()
        .find(|h| h.to == Status::SupplementRequested && h.track.is_none())
        .and_then(|h| hoso_node::deadline::parse_date(&h.at))
}

/// Keys of the detail screen.
pub fn keys(d: &DetailState, ctx: &Context) -> Vec<KeyHelp> {
    match &d.popup {
        Some(Popup::Actions { .. }) => vec![
            key_help("1-9 / ↑↓ Enter", "chọn thao tác", true),
            key_help("Esc", "đóng", true),
        ],
        Some(Popup::Confirm { .. }) => vec![
            key_help("gõ", "ghi chú (không bắt buộc)", true),
            key_help("Enter", "xác nhận", true),
            key_help("Esc", "huỷ", true),
        ],
        Some(Popup::Note(_)) => vec![
            key_help("Enter", "lưu ghi chú", true),
            key_help("Esc", "huỷ", true),
        ],
        Some(Popup::Menu { .. } | Popup::Print { .. }) => vec![
            key_help("↑↓ Enter / phím", "chọn", true),
            key_help("Esc", "đóng", true),
        ],
        Some(Popup::Form(_)) => vec![
            key_help("Tab ↑↓", "ô khác", true),
            key_help("←→", "chọn", true),
            key_help("Enter F2", "lưu", true),
            key_help("Esc", "huỷ", true),
        ],
        None => {
            let mut v = vec![];
            v.push(key_help("a / F2", "mọi thao tác", true));
            if ctx.can_write() {
                v.push(key_help("e", "sửa ô", true));
                v.push(key_help("t / F3", "chuyển trạng thái", true));
                v.push(key_help("m / F4", "thêm ghi chú", false));
                // One line for the four records, so the help still fits 80×24.
                v.push(key_help(
                    "b k f x",
                    "bổ sung · kết quả · lệ phí · xin lỗi (Lãnh đạo)",
                    false,
                ));
            }
            v.push(key_help("p", "in giấy tờ", true));
            v.push(key_help(
                "Tab",
                "Hồ sơ / Lịch sử / Ghi chú / Tiến trình",
                true,
            ));
            v.push(key_help("↑↓ PgUp PgDn", "chọn ô (thẻ Hồ sơ) / cuộn", false));
            v.push(key_help("r", "tải lại", false));
            v.push(key_help("Esc q", "về danh sách", true));
            v
        }
    }
}

/// Pasted text goes to the open note.
pub fn on_paste(d: &mut DetailState, text: &str) {
    match &mut d.popup {
        Some(Popup::Confirm { note, .. } | Popup::Note(note)) => note.insert_str(text),
        Some(Popup::Form(f)) => f.paste(text),
        _ => {}
    }
}

/// Handles a key.
pub fn on_key(
    d: &mut DetailState,
    ctx: &Context,
    draft: &mut Draft,
    key: KeyEvent,
) -> Vec<AppAction> {
    if d.popup.is_some() {
        return on_key_popup(d, ctx, draft, key);
    }
    match key.code {
        KeyCode::Esc | KeyCode::Char('q') => return vec![AppAction::Go(Screen::List)],
        KeyCode::Tab | KeyCode::Right | KeyCode::Char('l') => {
            d.tab = (d.tab + 1) % TABS.len();
            d.scroll = 0;
        }
        KeyCode::BackTab | KeyCode::Left | KeyCode::Char('h') => {
            d.tab = (d.tab + TABS.len() - 1) % TABS.len();
            d.scroll = 0;
        }
        // On the Hồ sơ tab the arrows move the field cursor (the body follows it).
        KeyCode::Down if d.tab == 0 => {
            let n = d
                .case
                .as_ref()
                .map_or(0, |c| case_actions::field_order(ctx, &c.view).len());
            d.field = (d.field + 1).min(n.saturating_sub(1));
        }
        KeyCode::Up if d.tab == 0 => d.field = d.field.saturating_sub(1),
        KeyCode::PageDown if d.tab == 0 => {
            let n = d
                .case
                .as_ref()
                .map_or(0, |c| case_actions::field_order(ctx, &c.view).len());
            d.field = (d.field + 10).min(n.saturating_sub(1));
        }
        KeyCode::PageUp if d.tab == 0 => d.field = d.field.saturating_sub(10),
        KeyCode::Down => d.scroll = d.scroll.saturating_add(1),
        KeyCode::Up => d.scroll = d.scroll.saturating_sub(1),
        KeyCode::PageDown => d.scroll = d.scroll.saturating_add(10),
        KeyCode::PageUp => d.scroll = d.scroll.saturating_sub(10),
        KeyCode::Char('a') | KeyCode::F(2) if d.case.is_some() => {
            d.popup = Some(Popup::Menu { selected: 0 });
        }
        KeyCode::Char('e') | KeyCode::Enter if d.tab == 0 => {
            return case_actions::run(d, ctx, draft, Item::Edit);
        }
        KeyCode::Char('e') => {
            d.tab = 0;
            return case_actions::run(d, ctx, draft, Item::Edit);
        }
        KeyCode::Char('b') => return case_actions::run(d, ctx, draft, Item::Supplement),
        KeyCode::Char('k') => return case_actions::run(d, ctx, draft, Item::Result),
        KeyCode::Char('f') => return case_actions::run(d, ctx, draft, Item::Payment),
        KeyCode::Char('p') => return case_actions::run(d, ctx, draft, Item::Print),
        KeyCode::Char('x') => return case_actions::run(d, ctx, draft, Item::Apology),
        KeyCode::Home => d.scroll = 0,
        KeyCode::Char('r') => return vec![AppAction::Run(Command::Refresh)],
        KeyCode::Char('t') | KeyCode::F(3) => return transitions::open(d, ctx),
        KeyCode::Char('m') | KeyCode::F(4) => return case_actions::open_note(d, ctx, draft),
        _ => {}
    }
    vec![]
}

fn on_key_popup(
    d: &mut DetailState,
    ctx: &Context,
    draft: &mut Draft,
    key: KeyEvent,
) -> Vec<AppAction> {
    let Some(officer) = ctx.officer.clone() else {
        return vec![];
    };
    let reference = d
        .case
        .as_ref()
        .map(|c| c.view.id.to_string())
        .unwrap_or_default();
    let Some(popup) = d.popup.take() else {
        return vec![];
    };
    match popup {
        Popup::Menu { mut selected } => {
            let pick = match key.code {
                KeyCode::Esc | KeyCode::Char('q') => return vec![],
                KeyCode::Up => {
                    selected = selected.saturating_sub(1);
                    None
                }
                KeyCode::Down => {
                    selected = (selected + 1).min(Item::ALL.len() - 1);
                    None
                }
                KeyCode::Enter => Item::ALL.get(selected).copied(),
                KeyCode::Char(c) => Item::ALL.into_iter().find(|i| i.label().0.starts_with(c)),
                _ => None,
            };
            match pick {
                Some(item) => return case_actions::run(d, ctx, draft, item),
                None => d.popup = Some(Popup::Menu { selected }),
            }
        }
        Popup::Print { mut selected } => {
            use crate::print::Form;
            let pick = match key.code {
                KeyCode::Esc | KeyCode::Char('q') => return vec![],
                KeyCode::Up => {
                    selected = selected.saturating_sub(1);
                    None
                }
                KeyCode::Down => {
                    selected = (selected + 1).min(Form::ALL.len() - 1);
                    None
                }
                KeyCode::Enter => Form::ALL.get(selected).copied(),
                KeyCode::Char(c) if ('1'..='5').contains(&c) => {
                    Form::ALL.get(usize::from(c as u8 - b'1')).copied()
                }
                _ => None,
            };
            let Some(form) = pick else {
                d.popup = Some(Popup::Print { selected });
                return vec![];
            };
            let why = d.case.as_ref().and_then(|c| form.unavailable(&c.view));
            if let Some(why) = why {
                d.popup = Some(Popup::Print { selected });
                return vec![error(format!("Chưa in được: {why}."))];
            }
            return case_actions::print(ctx, reference, form);
        }
        Popup::Form(mut form) => {
            use crate::screen::case_form::FormKey;
            match form.on_key(&key) {
                FormKey::Stay => d.popup = Some(Popup::Form(form)),
                FormKey::Leave => {
                    // Left on purpose (nothing typed, or the officer said drop it).
                    if let Some(c) = &d.case {
                        draft.forms.remove(&c.view.id.to_string());
                    }
                }
                FormKey::Submit => match case_actions::submit(d, ctx, &form) {
                    Ok(effect) => {
                        form.error = None;
                        d.busy = true;
                        d.pending_form = Some(form);
                        return vec![effect.into()];
                    }
                    Err(e) => {
                        form.error = Some(e);
                        d.popup = Some(Popup::Form(form));
                    }
                },
            }
        }
        Popup::Actions {
            options,
            mut selected,
        } => {
            let pick = match key.code {
                KeyCode::Esc | KeyCode::Char('q') => return vec![],
                KeyCode::Up | KeyCode::Char('k') => {
                    selected = selected.saturating_sub(1);
                    None
                }
                KeyCode::Down | KeyCode::Char('j') => {
                    selected = (selected + 1).min(options.len().saturating_sub(1));
                    None
                }
                KeyCode::Enter => Some(selected),
                KeyCode::Char(c) if c.is_ascii_digit() && c != '0' => {
                    let i = usize::from(c as u8 - b'1');
                    (i < options.len()).then_some(i)
                }
                _ => None,
            };
            match pick.and_then(|i| options.get(i)) {
                Some(a) if a.blocked.is_some() => {
                    let why = a.blocked.clone().unwrap_or_default();
                    d.popup = Some(Popup::Actions { options, selected });
                    return vec![toast(
                        format!("{why}: bạn không thực hiện được thao tác này."),
                        true,
                    )];
                }
                Some(a) => {
                    d.popup = Some(Popup::Confirm {
                        action: a.clone(),
                        note: Input::new(),
                    });
                }
                None => d.popup = Some(Popup::Actions { options, selected }),
            }
        }
        Popup::Confirm { action, mut note } => match key.code {
            KeyCode::Esc => {}
            KeyCode::Enter => {
                d.busy = true;
                let text = note.value().trim().to_string();
                return vec![
                    Effect::Transition {
                        officer,
                        reference,
                        to: action.to,
                        track: action.track,
                        note: (!text.is_empty()).then_some(text),
                    }
                    .into(),
                ];
            }
            _ => {
                note.handle_key(&key);
                d.popup = Some(Popup::Confirm { action, note });
            }
        },
        Popup::Note(mut note) => match key.code {
            KeyCode::Esc if !note.value().trim().is_empty() => {
                d.popup = Some(Popup::Note(note));
                return vec![AppAction::ConfirmDiscard(Discard::Note)];
            }
            KeyCode::Esc => {}
            KeyCode::Enter => {
                let text = note.value().trim().to_string();
                if text.is_empty() {
                    d.popup = Some(Popup::Note(note));
                    return vec![];
                }
                d.busy = true;
                d.saving_note = true;
                return vec![
                    Effect::AddNote {
                        officer,
                        reference,
                        text,
                    }
                    .into(),
                ];
            }
            _ => {
                note.handle_key(&key);
                d.popup = Some(Popup::Note(note));
            }
        },
    }
    vec![]
}

fn action_label(ctx: &Context, a: &Action) -> String {
    match &a.track {
        None => a.to.label_vi().to_string(),
        Some(t) => {
            let name = ctx
                .catalog
                .get(t)
                .map_or(t.as_str(), |p| p.short_name.as_str());
            format!("[{name}] {}", a.to.label_vi())
        }
    }
}

/// Who set `value` and when, from the case history (newest such entry).
fn who_set(v: &CaseView, value: Status, track: Option<&str>) -> String {
    v.history
        .iter()
        .rev()
        .find(|h| h.to == value && h.track.as_deref() == track)
        .map(|h| {
            format!(
                "{}, điểm {}, {}",
                format::officer_vi(&h.officer),
                h.node,
                format::time_vi(&h.at)
            )
        })
        .unwrap_or_else(|| "không rõ".into())
}

fn conflict_lines(ctx: &Context, v: &CaseView) -> Vec<Line<'static>> {
    let t = ctx.theme;
    let mut out = vec![];
    let mut add = |track: Option<&str>, current: Status, others: &[Status]| {
        let head = match track {
            None => "XUNG ĐỘT trạng thái: hai nơi đổi cùng lúc".to_string(),
            Some(tr) => format!("XUNG ĐỘT ở thủ tục {tr}"),
        };
        out.push(Line::from(Span::styled(head, t.banner())));
        for s in concurrent(current, others) {
            out.push(Line::from(vec![
                Span::styled("  - ", t.error()),
                Span::styled(s.label_vi().to_string(), t.error()),
                Span::raw(format!(" ({s}): {}", who_set(v, s, track))),
            ]));
        }
    };
    if !v.conflicting_status.is_empty() {
        add(None, v.status, &v.conflicting_status);
    }
    for (code, tr) in &v.tracks {
        if !tr.conflicting.is_empty() {
            add(Some(code), tr.status, &tr.conflicting);
        }
    }
    if !out.is_empty() {
        out.push(Line::from(Span::styled(
            if ctx.can_write() {
                "  Nhấn t để chọn trạng thái đúng: thao tác đó giải quyết xung đột."
            } else {
                "  Cán bộ hoặc lãnh đạo cần chọn trạng thái đúng để giải quyết."
            },
            t.warn(),
        )));
    }
    out
}

/// The Hồ sơ tab's lines, and the line of the field under the cursor.
fn fields_lines(
    d: &DetailState,
    ctx: &Context,
    c: &CaseDetail,
    width: usize,
) -> (Vec<Line<'static>>, Option<usize>) {
    let t = ctx.theme;
    let v = &c.view;
    let mut out = vec![];
    let Some(p) = ctx.catalog.get(&v.procedure) else {
        for (k, val) in &v.fields {
            out.push(Line::raw(format!("{k}: {val}")));
        }
        return (out, None);
    };
    let selected = case_actions::selected_field(d, ctx, v);
    let mut selected_line = None;
    let from_reg = v.evidence.len();
    let provided = v
        .fields
        .keys()
        .filter(|k| !v.evidence.contains_key(*k))
        .count();
    out.push(Line::from(vec![
        Span::styled("Dữ liệu: ", t.header()),
        Span::styled(format!("[CSDL] {from_reg} từ CSDL dân cư"), t.registry()),
        Span::raw(format!(" · {provided} công dân cung cấp · ")),
        Span::styled(
            format!("{} còn thiếu", v.missing_fields.len()),
            if v.missing_fields.is_empty() {
                t.ok()
            } else {
                t.warn()
            },
        ),
    ]));
    let label_w = p
        .fields
        .iter()
        .map(|f| unicode_width::UnicodeWidthStr::width(f.label_vi.as_str()))
        .max()
        .unwrap_or(10)
        .min(width / 3);
    let value_w = width.saturating_sub(8 + label_w + 2).max(10);
    for section in p.sections() {
        out.push(Line::from(Span::styled(
            format!("── {}", format::section_vi(section)),
            t.header(),
        )));
        for f in p.fields.iter().filter(|f| f.section == section) {
            let value = v.fields.get(&f.name);
            let corrected = v.corrections.iter().any(|x| x.field == f.name);
            let (marker, style) = if corrected {
                ("[SỬA]", t.warn())
            } else if v.evidence.contains_key(&f.name) {
                ("[CSDL]", t.registry())
            } else if value.is_some() {
                ("[CD]  ", t.text())
            } else if v.missing_fields.contains(&f.name) {
                ("[THIẾU]", t.warn())
            } else {
                ("      ", t.dim())
            };
            let label = format::fit(&f.label_vi, label_w);
            let pad = " ".repeat(label_w - unicode_width::UnicodeWidthStr::width(label.as_str()));
            let text = value.map_or_else(|| "-".into(), |x| format::value_vi(f, x));
            let mut parts = format::wrap(&text, value_w).into_iter();
            let here = selected.as_deref() == Some(f.name.as_str());
            if here {
                selected_line = Some(out.len());
            }
            out.push(Line::from(vec![
                Span::styled(format!("{marker:<7} "), style),
                Span::styled(
                    format!("{label}{pad}  "),
                    if here { t.selected() } else { t.text() },
                ),
                Span::styled(parts.next().unwrap_or_default(), style),
            ]));
            for more in parts {
                out.push(Line::from(vec![
                    Span::raw(" ".repeat(8 + label_w + 2)),
                    Span::styled(more, style),
                ]));
            }
        }
    }
    out.push(Line::from(Span::styled(
        "[CSDL] từ CSDL dân cư (có minh chứng) · [CD] công dân cung cấp · [SỬA] đã đính chính · [THIẾU] còn thiếu",
        t.dim(),
    )));
    (out, selected_line)
}

fn history_lines(ctx: &Context, c: &CaseDetail, width: usize) -> Vec<Line<'static>> {
    let t = ctx.theme;
    let v = &c.view;
    let mut out = vec![Line::from(Span::styled(
        "── Diễn biến trạng thái",
        t.header(),
    ))];
    for h in &v.history {
        let from = h
            .from
            .map(|s| format!("{} → ", s.label_vi()))
            .unwrap_or_default();
        // A bundle's track by its short name, not its code.
        let track = h
            .track
            .as_ref()
            .map(|code| {
                let name = ctx
                    .catalog
                    .get(code)
                    .map_or(code.as_str(), |p| p.short_name.as_str());
                format!("[{name}] ")
            })
            .unwrap_or_default();
        out.push(Line::from(vec![
            Span::styled(format!("{}  ", format::time_vi(&h.at)), t.dim()),
            Span::raw(format!("{track}{from}")),
            Span::styled(h.to.label_vi().to_string(), t.title()),
            Span::styled(
                format!("  {} (máy {})", format::officer_vi(&h.officer), h.node),
                t.dim(),
            ),
        ]));
        if let Some(n) = &h.note {
            out.push(Line::raw(format!("      \"{n}\"")));
        }
    }
    out.push(Line::raw(""));
    out.push(Line::from(Span::styled(
        format!("── Nhật ký kiểm toán ({} mục)", c.audit.len()),
        t.header(),
    )));
    for a in &c.audit {
        out.push(Line::from(vec![
            Span::styled(format!("{}  ", a.time), t.dim()),
            Span::raw(format!("{} ", a.officer)),
            Span::styled(format!("(máy {}, mục {})", a.node, a.seq), t.dim()),
            if a.signature_ok {
                Span::styled("  chữ ký hợp lệ", t.ok())
            } else {
                Span::styled("  CHỮ KÝ SAI", t.error())
            },
        ]));
        for l in format::wrap(&a.sentence, width.saturating_sub(9)) {
            out.push(Line::raw(format!("      {l}")));
        }
    }
    out
}

fn notes_lines(ctx: &Context, c: &CaseDetail) -> Vec<Line<'static>> {
    let t = ctx.theme;
    if c.view.notes.is_empty() {
        return vec![Line::from(Span::styled(
            "Chưa có ghi chú. Nhấn m để thêm.",
            t.dim(),
        ))];
    }
    let mut out = vec![];
    for n in &c.view.notes {
        out.push(Line::from(Span::styled(
            format!(
                "{}  {} @ {}",
                format::time_vi(&n.at),
                format::officer_vi(&n.officer),
                n.node
            ),
            t.dim(),
        )));
        out.push(Line::raw(format!("  {}", n.text)));
    }
    out
}

/// Draws the detail screen.
pub fn render(d: &DetailState, ctx: &Context, frame: &mut Frame<'_>, area: Rect) {
    let t = ctx.theme;
    let Some(c) = &d.case else {
        let msg = match (&d.error, d.loading) {
            (Some(e), _) => Span::styled(e.clone(), t.error()),
            (None, true) => Span::styled("Đang đọc hồ sơ…", t.dim()),
            _ => Span::styled("Chưa chọn hồ sơ.", t.dim()),
        };
        frame.render_widget(Paragraph::new(msg).block(Block::bordered()), area);
        return;
    };
    let v = &c.view;
    let banner = conflict_lines(ctx, v);
    let head_h = if v.tracks.is_empty() && v.result.is_none() {
        4
    } else {
        5
    };
    let [head, ban, tabs, body] = Layout::vertical([
        Constraint::Length(head_h),
        Constraint::Length(u16::try_from(banner.len()).unwrap_or(0)),
        Constraint::Length(1),
        Constraint::Min(3),
    ])
    .areas(area);
    let procedure = ctx
        .catalog
        .get(&v.procedure)
        .map_or(v.procedure.clone(), |p| p.name_vi.clone());
    let due = format::due_mark(&ctx.calendar, ctx.today, &v.due_date, v.status, v.overdue);
    let mut due_spans = vec![Span::styled(
        format!("Hạn {}", format::date_vi(&v.due_date)),
        match due {
            format::Due::Overdue => t.overdue(),
            format::Due::Soon => t.due_soon(),
            format::Due::Fine => t.text(),
        },
    )];
    if !due.word().is_empty() {
        due_spans.push(Span::styled(format!(" {}", due.word()), t.overdue()));
    }
    let mut line3 = vec![
        Span::styled("Trạng thái: ", t.dim()),
        Span::styled(
            if v.conflicting_status.is_empty() {
                v.status.label_vi().to_string()
            } else {
                let all: Vec<&str> = concurrent(v.status, &v.conflicting_status)
                    .into_iter()
                    .map(Status::label_vi)
                    .collect();
                format!("XUNG ĐỘT ({})", all.join(" / "))
            },
            if v.conflicting_status.is_empty() {
                t.title()
            } else {
                t.error()
            },
        ),
        Span::raw(" · "),
    ];
    line3.extend(due_spans);
    let clock = hoso_schemas::Clock::of(
        &ctx.calendar,
        v.status,
        hoso_node::deadline::parse_date(&v.due_date).unwrap_or(ctx.today),
        v.ended_on()
            .as_deref()
            .and_then(hoso_node::deadline::parse_date),
        paused_since(v),
        ctx.today,
    );
    line3.push(Span::styled(format!(" · {}", clock.label_vi()), t.dim()));

    let mut line4 = Line::from(Span::styled(
        format!(
            "Tiếp nhận {} · cán bộ {}",
            format::time_vi(&v.received_at),
            v.assigned_officer.as_deref().unwrap_or("-")
        ),
        t.dim(),
    ));
    if v.is_unverified() {
        line4.push_span(Span::styled(" · CHƯA XÁC MINH CSDL", t.warn()));
    }
    if v.stop_proposed {
        line4.push_span(Span::styled(" · ĐỀ NGHỊ DỪNG", t.overdue()));
    }
    // The full name when it fits beside the code, else the catalog's short name.
    let room = usize::from(area.width).saturating_sub(v.receipt_code.len() + 2);
    let procedure = if unicode_width::UnicodeWidthStr::width(procedure.as_str()) <= room {
        procedure
    } else {
        let short = ctx
            .catalog
            .get(&v.procedure)
            .map_or(procedure.clone(), |p| p.short_name.clone());
        format::fit(&short, room)
    };
    let mut head_lines = vec![Line::from(vec![
        Span::styled(v.receipt_code.clone(), t.title()),
        Span::raw("  "),
        Span::raw(procedure),
    ])];
    // "Người nộp: … · Người chết: …": without the ids when that is too wide, then cut.
    let people = format::applicant_lines(&ctx.catalog, v);
    let join = |with_ids: bool| -> String {
        people
            .iter()
            .map(|(label, text)| {
                let text = if with_ids {
                    text.clone()
                } else {
                    text.split(" (").next().unwrap_or(text).to_string()
                };
                format!("{label}: {text}")
            })
            .collect::<Vec<_>>()
            .join(" · ")
    };
    let width = usize::from(area.width);
    let mut who = join(true);
    if unicode_width::UnicodeWidthStr::width(who.as_str()) > width {
        who = format::fit(&join(false), width);
    }
    head_lines.push(Line::raw(who));
    head_lines.push(Line::from(line3));
    head_lines.push(line4);
    if !v.tracks.is_empty() {
        let parts: Vec<String> = v
            .tracks
            .iter()
            .map(|(code, tr)| {
                let name = ctx
                    .catalog
                    .get(code)
                    .map_or(code.as_str(), |p| p.short_name.as_str());
                format!("{name}: {}", format::status_short(tr.status))
            })
            .collect();
        head_lines.push(Line::from(Span::styled(
            format::fit(
                &format!("Liên thông: {}", parts.join(" · ")),
                usize::from(area.width),
            ),
            t.dim(),
        )));
    } else if let Some(r) = &v.result {
        head_lines.push(Line::raw(format!("Kết quả: {r}")));
    }
    frame.render_widget(Paragraph::new(head_lines), head);
    frame.render_widget(Paragraph::new(banner), ban);
    let mut tab_spans = vec![];
    for (i, name) in TABS.iter().enumerate() {
        let label = match i {
            1 => format!(" {name} ({}) ", v.history.len()),
            2 => format!(" {name} ({}) ", v.notes.len()),
            3 if v.is_unverified() || v.stop_proposed => format!(" {name} (!) "),
            _ => format!(" {name} "),
        };
        tab_spans.push(Span::styled(
            label,
            if i == d.tab { t.selected() } else { t.dim() },
        ));
        tab_spans.push(Span::raw(" "));
    }
    frame.render_widget(Paragraph::new(Line::from(tab_spans)), tabs);
    let inner_w = usize::from(body.width.saturating_sub(2));
    let (lines, scroll) = match d.tab {
        0 => {
            // The body follows the field cursor: it stays in the middle third when it can.
            let (lines, at) = fields_lines(d, ctx, c, inner_w);
            let h = usize::from(body.height.saturating_sub(2));
            let scroll = at.map_or(0, |at| if at + 2 > h { at + 2 - h + h / 3 } else { 0 });
            (lines, u16::try_from(scroll).unwrap_or(0))
        }
        1 => (history_lines(ctx, c, usize::from(body.width)), d.scroll),
        2 => (notes_lines(ctx, c), d.scroll),
        _ => (case_actions::lifecycle_lines(d, ctx, c, inner_w), d.scroll),
    };
    frame.render_widget(
        Paragraph::new(lines)
            .block(Block::bordered().border_style(t.dim()))
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        body,
    );
    if let Some(p) = &d.popup {
        render_popup(d, ctx, frame, area, p);
    }
}

fn render_popup(d: &DetailState, ctx: &Context, frame: &mut Frame<'_>, area: Rect, p: &Popup) {
    let t = ctx.theme;
    match p {
        Popup::Form(f) => f.render(t, frame, area),
        Popup::Menu { selected } => {
            use crate::screen::case_actions::{Item, blocked};
            let Some(c) = &d.case else {
                return;
            };
            let lines: Vec<Line<'_>> = Item::ALL
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let (key, label) = item.label();
                    let why = blocked(d, ctx, &c.view, *item);
                    let style = if i == *selected {
                        t.selected()
                    } else if why.is_some() {
                        t.dim()
                    } else {
                        t.text()
                    };
                    let mut spans = vec![Span::styled(format!(" {key}  {label}"), style)];
                    if let Some(why) = why {
                        spans.push(Span::styled(format!(" ({why})"), t.dim()));
                    }
                    Line::from(spans)
                })
                .collect();
            popup_list(ctx, frame, area, " Thao tác với hồ sơ ", lines);
        }
        Popup::Print { selected } => {
            let Some(c) = &d.case else {
                return;
            };
            let lines: Vec<Line<'_>> = crate::print::Form::ALL
                .iter()
                .enumerate()
                .map(|(i, form)| {
                    let why = form.unavailable(&c.view);
                    let style = if i == *selected {
                        t.selected()
                    } else if why.is_some() {
                        t.dim()
                    } else {
                        t.text()
                    };
                    let mut spans = vec![Span::styled(
                        format!(" {}  {}", i + 1, form.title_vi()),
                        style,
                    )];
                    if let Some(why) = why {
                        spans.push(Span::styled(format!(" ({why})"), t.dim()));
                    }
                    Line::from(spans)
                })
                .collect();
            popup_list(ctx, frame, area, " In giấy tờ (PDF) ", lines);
        }
        Popup::Actions { options, selected } => {
            let h = u16::try_from(options.len()).unwrap_or(9).min(12) + 2;
            let bx = area.centered(
                Constraint::Length(area.width.min(64)),
                Constraint::Length(h),
            );
            frame.render_widget(Clear, bx);
            let lines: Vec<Line<'_>> = options
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    let text = format!(" {}  {}", i + 1, action_label(ctx, a));
                    let style = if i == *selected {
                        t.selected()
                    } else if a.blocked.is_some() {
                        t.dim()
                    } else {
                        t.text()
                    };
                    let mut spans = vec![Span::styled(text, style)];
                    if let Some(why) = &a.blocked {
                        spans.push(Span::styled(format!(" ({})", why.to_lowercase()), t.dim()));
                    }
                    Line::from(spans)
                })
                .collect();
            frame.render_widget(
                Paragraph::new(lines).block(
                    Block::bordered()
                        .title(Span::styled(" Chuyển trạng thái ", t.title()))
                        .border_style(t.title()),
                ),
                bx,
            );
        }
        Popup::Confirm { action, note } => {
            let bx = area.centered(
                Constraint::Length(area.width.min(64)),
                Constraint::Length(7),
            );
            frame.render_widget(Clear, bx);
            let block = Block::bordered()
                .title(Span::styled(" Xác nhận ", t.title()))
                .border_style(t.title());
            let inner = block.inner(bx);
            frame.render_widget(block, bx);
            let [q, _, l, f, h] = Layout::vertical([Constraint::Length(1); 5]).areas(inner);
            let code = d
                .case
                .as_ref()
                .map(|c| c.view.receipt_code.clone())
                .unwrap_or_default();
            frame.render_widget(
                Paragraph::new(Line::from(vec![
                    Span::raw(format!("Chuyển {code} sang ")),
                    Span::styled(action_label(ctx, action), t.title()),
                    Span::raw("?"),
                ])),
                q,
            );
            frame.render_widget(
                Paragraph::new(Span::styled("Ghi chú (không bắt buộc):", t.dim())),
                l,
            );
            note.render(frame, f, t.selected(), true);
            frame.render_widget(
                Paragraph::new(Span::styled("Enter xác nhận · Esc huỷ", t.dim())),
                h,
            );
        }
        Popup::Note(note) => {
            let bx = area.centered(
                Constraint::Length(area.width.min(64)),
                Constraint::Length(5),
            );
            frame.render_widget(Clear, bx);
            let block = Block::bordered()
                .title(Span::styled(" Ghi chú mới ", t.title()))
                .border_style(t.title());
            let inner = block.inner(bx);
            frame.render_widget(block, bx);
            let [f, _, h] = Layout::vertical([Constraint::Length(1); 3]).areas(inner);
            note.render(frame, f, t.selected(), true);
            frame.render_widget(
                Paragraph::new(Span::styled("Enter lưu · Esc huỷ", t.dim())),
                h,
            );
        }
    }
}

/// A titled list popup centred over `area`; long lines wrap.
fn popup_list(ctx: &Context, frame: &mut Frame<'_>, area: Rect, title: &str, lines: Vec<Line<'_>>) {
    let t = ctx.theme;
    let w = area.width.min(76);
    let inner_w = usize::from(w.saturating_sub(2)).max(1);
    let rows: usize = lines
        .iter()
        .map(|l| l.width().div_ceil(inner_w).max(1))
        .sum();
    let h = (u16::try_from(rows).unwrap_or(12) + 2).min(area.height);
    let bx = area.centered(Constraint::Length(w), Constraint::Length(h));
    frame.render_widget(Clear, bx);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::bordered()
                .title(Span::styled(title.to_string(), t.title()))
                .border_style(t.title()),
        ),
        bx,
    );
}
