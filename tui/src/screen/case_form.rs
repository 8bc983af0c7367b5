//! The small forms over the case detail (issue 11 items 2 and 6, issue 10's console parts):
//! correcting a field, recording a result, a fee payment, a supplement request. One generic
//! form: labelled rows of text or of choices (`←→` picks), `Tab`/`↑↓` between rows, `Enter` on
//! the last row or `F2`/`Ctrl+S` saves, and `Esc` on a changed form asks before dropping what
//! was typed. What a row means is read back by [`crate::screen::detail`] when it saves.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use crate::input::Input;
use crate::theme::Theme;

/// What the form records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormKind {
    /// Correct one field (a registry field asks for a reason).
    Edit {
        /// The field's name.
        field: String,
        /// Filled from the registry (needs a reason, keeps its evidence).
        registry: bool,
    },
    /// The result of the case or of one track.
    Result,
    /// A fee payment.
    Payment,
    /// A supplement request.
    Supplement,
    /// An apology for a late result, with a new appointment date (supervisor).
    Apology,
}

/// One row: a text input, or a choice among values.
#[derive(Clone, Debug)]
pub struct Row {
    /// The label.
    pub label: String,
    /// The text (unused for a choice row).
    pub input: Input,
    /// `(value, label)` pairs of a choice row; empty for text.
    pub choices: Vec<(String, String)>,
    /// The chosen index.
    pub choice: usize,
    /// A hint under the row.
    pub hint: String,
}

impl Row {
    /// A text row with a starting value.
    pub fn text(label: &str, value: &str, hint: &str) -> Row {
        let mut input = Input::new();
        input.set(value);
        Row {
            label: label.to_string(),
            input,
            choices: vec![],
            choice: 0,
            hint: hint.to_string(),
        }
    }

    /// A choice row.
    pub fn choice(label: &str, choices: Vec<(String, String)>, hint: &str) -> Row {
        Row {
            label: label.to_string(),
            input: Input::new(),
            choices,
            choice: 0,
            hint: hint.to_string(),
        }
    }

    /// The row's value: the text trimmed, or the chosen value.
    pub fn value(&self) -> String {
        if self.choices.is_empty() {
            self.input.value().trim().to_string()
        } else {
            self.choices
                .get(self.choice)
                .map(|c| c.0.clone())
                .unwrap_or_default()
        }
    }
}

/// An open form.
#[derive(Clone, Debug)]
pub struct CaseForm {
    /// What it records.
    pub kind: FormKind,
    /// The title.
    pub title: String,
    /// A line above the rows (e.g. the registry value kept).
    pub intro: Vec<String>,
    /// The rows.
    pub rows: Vec<Row>,
    /// The focused row.
    pub focus: usize,
    /// Why the last save was refused (shown in the form; nothing typed is lost).
    pub error: Option<String>,
    /// Asking whether to drop what was typed.
    pub asking_leave: bool,
    initial: Vec<String>,
}

/// What a key did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormKey {
    /// Keep the form open.
    Stay,
    /// Save it.
    Submit,
    /// Close it (nothing typed, or the officer said drop it).
    Leave,
}

impl CaseForm {
    /// A form with `rows`; what they hold now counts as unchanged.
    pub fn new(kind: FormKind, title: &str, intro: Vec<String>, rows: Vec<Row>) -> CaseForm {
        let initial = rows.iter().map(Row::value).collect();
        CaseForm {
            kind,
            title: title.to_string(),
            intro,
            rows,
            focus: 0,
            error: None,
            asking_leave: false,
            initial,
        }
    }

    /// Something was typed or chosen since it opened.
    pub fn changed(&self) -> bool {
        self.rows
            .iter()
            .map(Row::value)
            .zip(&self.initial)
            .any(|(a, b)| &a != b)
    }

    /// The draft key of this form (`edit:<field>`, `result`, …).
    pub fn draft_kind(&self) -> String {
        match &self.kind {
            FormKind::Edit { field, .. } => format!("edit:{field}"),
            FormKind::Result => "result".into(),
            FormKind::Payment => "payment".into(),
            FormKind::Supplement => "supplement".into(),
            FormKind::Apology => "apology".into(),
        }
    }

    /// What is typed, for the draft.
    pub fn draft(&self) -> crate::draft::FormDraft {
        crate::draft::FormDraft {
            kind: self.draft_kind(),
            values: self
                .rows
                .iter()
                .map(|r| {
                    if r.choices.is_empty() {
                        r.input.value().to_string()
                    } else {
                        r.value()
                    }
                })
                .collect(),
        }
    }

    /// Puts a draft's values back (only a draft of this same form).
    pub fn restore(&mut self, d: &crate::draft::FormDraft) {
        if d.kind != self.draft_kind() {
            return;
        }
        for (r, v) in self.rows.iter_mut().zip(&d.values) {
            if r.choices.is_empty() {
                r.input.set(v);
            } else if let Some(i) = r.choices.iter().position(|c| &c.0 == v) {
                r.choice = i;
            }
        }
    }

    /// The value of row `i`.
    pub fn value(&self, i: usize) -> String {
        self.rows.get(i).map(Row::value).unwrap_or_default()
    }

    /// Pasted text goes to the focused text row.
    pub fn paste(&mut self, text: &str) {
        if let Some(r) = self.rows.get_mut(self.focus)
            && r.choices.is_empty()
        {
            r.input.insert_str(text);
        }
    }

    /// Handles a key.
    pub fn on_key(&mut self, key: &KeyEvent) -> FormKey {
        if self.asking_leave {
            self.asking_leave = false;
            return if matches!(key.code, KeyCode::Char('c' | 'y')) {
                FormKey::Leave
            } else {
                FormKey::Stay
            };
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let last = self.rows.len().saturating_sub(1);
        match key.code {
            KeyCode::Esc => {
                if self.changed() {
                    self.asking_leave = true;
                    return FormKey::Stay;
                }
                return FormKey::Leave;
            }
            KeyCode::F(2) => return FormKey::Submit,
            KeyCode::Char('s') if ctrl => return FormKey::Submit,
            KeyCode::Enter if self.focus >= last => return FormKey::Submit,
            KeyCode::Enter | KeyCode::Tab | KeyCode::Down => {
                self.focus = (self.focus + 1).min(last);
            }
            KeyCode::BackTab | KeyCode::Up => self.focus = self.focus.saturating_sub(1),
            _ => {
                if let Some(r) = self.rows.get_mut(self.focus) {
                    if r.choices.is_empty() {
                        r.input.handle_key(key);
                    } else {
                        let n = r.choices.len();
                        match key.code {
                            KeyCode::Left => r.choice = (r.choice + n - 1) % n,
                            KeyCode::Right | KeyCode::Char(' ') => r.choice = (r.choice + 1) % n,
                            _ => {}
                        }
                    }
                }
            }
        }
        FormKey::Stay
    }

    /// Draws the form centred over `area`.
    pub fn render(&self, theme: Theme, frame: &mut Frame<'_>, area: Rect) {
        let t = theme;
        let width = area.width.min(72);
        let label_w = self
            .rows
            .iter()
            .map(|r| unicode_width::UnicodeWidthStr::width(r.label.as_str()))
            .max()
            .unwrap_or(8)
            .min(usize::from(width / 3));
        let mut h: u16 = 2 + 2; // borders, blank and the key line
        h += u16::try_from(self.intro.len()).unwrap_or(0);
        h += u16::try_from(self.rows.len()).unwrap_or(0) * 2;
        if self.error.is_some() || self.asking_leave {
            h += 2;
        }
        let h = h.min(area.height);
        let bx = area.centered(Constraint::Length(width), Constraint::Length(h));
        frame.render_widget(Clear, bx);
        let block = Block::bordered()
            .title(Span::styled(format!(" {} ", self.title), t.title()))
            .border_style(t.title());
        let inner = block.inner(bx);
        frame.render_widget(block, bx);
        let mut constraints = vec![Constraint::Length(1); self.intro.len()];
        constraints.extend(std::iter::repeat_n(Constraint::Length(2), self.rows.len()));
        constraints.push(Constraint::Min(1));
        let parts = Layout::vertical(constraints).split(inner);
        for (i, l) in self.intro.iter().enumerate() {
            frame.render_widget(
                Paragraph::new(Span::styled(
                    crate::format::fit(l, usize::from(inner.width)),
                    t.dim(),
                )),
                parts[i],
            );
        }
        for (i, r) in self.rows.iter().enumerate() {
            let area = parts[self.intro.len() + i];
            let [top, bottom] = Layout::vertical([Constraint::Length(1); 2]).areas(area);
            let lw = u16::try_from(label_w + 2).unwrap_or(12);
            let [l, v] =
                Layout::horizontal([Constraint::Length(lw), Constraint::Min(4)]).areas(top);
            let focused = i == self.focus;
            let label = crate::format::fit(&r.label, label_w);
            frame.render_widget(
                Paragraph::new(Span::styled(
                    format!("{}{label}", if focused { "▶" } else { " " }),
                    if focused { t.title() } else { t.text() },
                )),
                l,
            );
            if r.choices.is_empty() {
                r.input.render(
                    frame,
                    v,
                    if focused { t.selected() } else { t.text() },
                    focused,
                );
            } else {
                let name = r.choices.get(r.choice).map_or("", |c| c.1.as_str());
                frame.render_widget(
                    Paragraph::new(Span::styled(
                        format!("‹ {name} ›"),
                        if focused { t.selected() } else { t.text() },
                    )),
                    v,
                );
            }
            if !r.hint.is_empty() {
                frame.render_widget(
                    Paragraph::new(Span::styled(
                        crate::format::fit(&r.hint, usize::from(bottom.width.saturating_sub(lw))),
                        t.dim(),
                    )),
                    Rect {
                        x: bottom.x + lw,
                        width: bottom.width.saturating_sub(lw),
                        ..bottom
                    },
                );
            }
        }
        let foot = parts[parts.len() - 1];
        let mut lines = vec![];
        if self.asking_leave {
            lines.push(Line::from(Span::styled(
                "Bỏ những gì đã nhập? c: bỏ · phím khác: nhập tiếp",
                t.warn(),
            )));
        } else if let Some(e) = &self.error {
            lines.push(Line::from(Span::styled(e.clone(), t.error())));
        }
        lines.push(Line::from(Span::styled(
            "Tab ↑↓ ô khác · ←→ chọn · Enter/F2 lưu · Esc huỷ",
            t.dim(),
        )));
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), foot);
    }
}
