//! A single-line text field that keeps its value in NFC and edits by character.
//!
//! Vietnamese IMEs of the "backspace technique" kind (Unikey, `EVKey`) send `Backspace` plus the
//! replacement letter; every key is applied in order, and since the buffer is NFC every
//! Vietnamese letter is one `char`, so `Backspace` removes exactly one visible letter.

use hoso_schemas::nfc;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

/// Longest value a field accepts, in characters (bounds memory on pasted input).
pub const MAX_CHARS: usize = 2000;

/// An editable line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Input {
    value: String,
    /// Cursor position in chars.
    cursor: usize,
    /// Shown as dots (passphrases).
    pub masked: bool,
}

impl Input {
    /// An empty field.
    pub fn new() -> Input {
        Input::default()
    }
    /// An empty masked field.
    pub fn masked() -> Input {
        Input {
            masked: true,
            ..Input::default()
        }
    }
    /// The value (NFC).
    pub fn value(&self) -> &str {
        &self.value
    }
    /// The cursor, in chars from the start.
    pub fn cursor(&self) -> usize {
        self.cursor
    }
    /// Replaces the value; the cursor goes to the end.
    pub fn set(&mut self, v: &str) {
        self.value = nfc(v);
        self.cursor = self.value.chars().count();
    }
    /// Empties the field.
    pub fn clear(&mut self) {
        self.value.clear();
        self.cursor = 0;
    }
    fn byte_at(&self, chars: usize) -> usize {
        self.value
            .char_indices()
            .nth(chars)
            .map_or(self.value.len(), |(i, _)| i)
    }
    /// Inserts text at the cursor and normalises to NFC (typed keys and pastes).
    pub fn insert_str(&mut self, s: &str) {
        let s: String = s.chars().filter(|c| !c.is_control()).collect();
        if s.is_empty() {
            return;
        }
        let at = self.byte_at(self.cursor);
        let (head, tail) = self.value.split_at(at);
        let room = MAX_CHARS.saturating_sub(self.value.chars().count());
        let s: String = s.chars().take(room).collect();
        let new_head = nfc(&format!("{head}{s}"));
        let cursor = new_head.chars().count();
        self.value = nfc(&format!("{new_head}{tail}"));
        self.cursor = cursor.min(self.value.chars().count());
    }
    /// Removes the character before the cursor.
    pub fn backspace(&mut self) -> bool {
        if self.cursor == 0 {
            return false;
        }
        let from = self.byte_at(self.cursor - 1);
        let to = self.byte_at(self.cursor);
        self.value.replace_range(from..to, "");
        self.cursor -= 1;
        true
    }
    /// Removes the character under the cursor.
    pub fn delete(&mut self) -> bool {
        if self.cursor >= self.value.chars().count() {
            return false;
        }
        let from = self.byte_at(self.cursor);
        let to = self.byte_at(self.cursor + 1);
        self.value.replace_range(from..to, "");
        true
    }
    /// Applies an editing key. Returns true when the value changed.
    pub fn handle_key(&mut self, key: &KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('u') if ctrl => {
                let changed = !self.value.is_empty();
                self.clear();
                changed
            }
            KeyCode::Char(c) if !ctrl && !key.modifiers.contains(KeyModifiers::ALT) => {
                self.insert_str(c.encode_utf8(&mut [0; 4]));
                true
            }
            KeyCode::Backspace => self.backspace(),
            KeyCode::Delete => self.delete(),
            KeyCode::Left => {
                self.cursor = self.cursor.saturating_sub(1);
                false
            }
            KeyCode::Right => {
                self.cursor = (self.cursor + 1).min(self.value.chars().count());
                false
            }
            KeyCode::Home => {
                self.cursor = 0;
                false
            }
            KeyCode::End => {
                self.cursor = self.value.chars().count();
                false
            }
            _ => false,
        }
    }

    /// What is displayed (dots when masked).
    pub fn display(&self) -> String {
        if self.masked {
            "•".repeat(self.value.chars().count())
        } else {
            self.value.clone()
        }
    }

    /// Draws the value in `area` (one line), scrolled so the cursor shows, and places the
    /// terminal cursor there when focused (screen readers follow it).
    pub fn render(&self, frame: &mut Frame<'_>, area: Rect, style: Style, focused: bool) {
        if area.width == 0 || area.height == 0 {
            return;
        }
        let shown = self.display();
        let before: String = shown.chars().take(self.cursor).collect();
        let width = usize::from(area.width.saturating_sub(1));
        // Drop leading chars until the text before the cursor fits.
        let mut skip = 0;
        while before.chars().skip(skip).collect::<String>().width() > width {
            skip += 1;
        }
        let visible: String = shown.chars().skip(skip).collect();
        let cursor_x = before.chars().skip(skip).collect::<String>().width();
        frame.render_widget(
            Paragraph::new(Line::from(Span::raw(visible))).style(style),
            area,
        );
        if focused {
            let x = area
                .x
                .saturating_add(u16::try_from(cursor_x).unwrap_or(u16::MAX));
            frame.set_cursor_position(Position::new(x.min(area.right().saturating_sub(1)), area.y));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyEventKind;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new_with_kind(code, KeyModifiers::NONE, KeyEventKind::Press)
    }

    #[test]
    fn typed_combining_marks_are_composed() {
        let mut i = Input::new();
        for c in "Hu\u{31b}o\u{31b}ng".chars() {
            i.handle_key(&key(KeyCode::Char(c)));
        }
        assert_eq!(i.value(), "Hương");
        assert_eq!(i.cursor(), 5);
        assert!(hoso_schemas::is_nfc(i.value()));
    }

    #[test]
    fn ime_backspace_replaces_one_letter() {
        // Telex "Vieejt" through a backspace-technique IME: V i e, BS, ê, j → BS ệ, t.
        let mut i = Input::new();
        for k in [
            KeyCode::Char('V'),
            KeyCode::Char('i'),
            KeyCode::Char('e'),
            KeyCode::Backspace,
            KeyCode::Char('ê'),
            KeyCode::Backspace,
            KeyCode::Char('ệ'),
            KeyCode::Char('t'),
        ] {
            i.handle_key(&key(k));
        }
        assert_eq!(i.value(), "Việt");
        assert_eq!(i.cursor(), 4);
        i.handle_key(&key(KeyCode::Backspace));
        assert_eq!(i.value(), "Việ");
    }

    #[test]
    fn cursor_moves_and_inserts_in_the_middle() {
        let mut i = Input::new();
        i.set("Hương");
        i.handle_key(&key(KeyCode::Home));
        i.handle_key(&key(KeyCode::Right));
        i.handle_key(&key(KeyCode::Delete));
        assert_eq!(i.value(), "Hơng");
        i.insert_str("ư");
        assert_eq!(i.value(), "Hương");
        assert_eq!(i.cursor(), 2);
    }

    #[test]
    fn paste_is_bounded_and_stripped_of_controls() {
        let mut i = Input::new();
        i.insert_str(&"a\n".repeat(MAX_CHARS + 10));
        assert_eq!(i.value().chars().count(), MAX_CHARS);
        assert!(!i.value().contains('\n'));
    }
}
