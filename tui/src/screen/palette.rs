//! The command palette (`:` or `Ctrl+P`): every command with its key, filtered as you type.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::action::{AppAction, Command};
use crate::context::Context;
use crate::input::Input;

/// The palette's state.
#[derive(Clone, Debug, Default)]
pub struct PaletteState {
    /// The filter.
    pub input: Input,
    /// Selected command among the matching ones.
    pub selected: usize,
}

/// Commands whose name matches `filter` (accent-insensitive word prefixes).
pub fn matching(filter: &str) -> Vec<Command> {
    let want = hoso_schemas::tokens(filter);
    Command::ALL
        .into_iter()
        .filter(|c| {
            let have = hoso_schemas::tokens(c.label().0);
            want.iter()
                .all(|w| have.iter().any(|h| h.starts_with(w.as_str())))
        })
        .collect()
}

/// Handles a key.
pub fn on_key(p: &mut PaletteState, key: KeyEvent) -> Vec<AppAction> {
    let found = matching(p.input.value());
    match key.code {
        KeyCode::Esc => return vec![AppAction::ClosePalette],
        KeyCode::Up => p.selected = p.selected.saturating_sub(1),
        KeyCode::Down => p.selected = (p.selected + 1).min(found.len().saturating_sub(1)),
        KeyCode::Enter => {
            let cmd = found.get(p.selected).copied();
            let mut out = vec![AppAction::ClosePalette];
            out.extend(cmd.map(AppAction::Run));
            return out;
        }
        _ => {
            if p.input.handle_key(&key) {
                p.selected = 0;
            }
        }
    }
    vec![]
}

/// Draws the palette.
pub fn render(p: &PaletteState, ctx: &Context, frame: &mut Frame<'_>, area: Rect) {
    let t = ctx.theme;
    let found = matching(p.input.value());
    let h = u16::try_from(found.len()).unwrap_or(10) + 4;
    let bx = area.centered(
        Constraint::Length(area.width.min(60)),
        Constraint::Length(h),
    );
    frame.render_widget(Clear, bx);
    let block = Block::bordered()
        .title(Span::styled(" Lệnh ", t.title()))
        .border_style(t.title());
    let inner = block.inner(bx);
    frame.render_widget(block, bx);
    let [f, _, list] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(inner);
    frame.render_widget(Paragraph::new(Span::styled(":", t.title())), f);
    p.input.render(
        frame,
        Rect {
            x: f.x + 1,
            width: f.width.saturating_sub(1),
            ..f
        },
        t.text(),
        true,
    );
    let w = usize::from(list.width);
    let lines: Vec<Line<'_>> = found
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let (name, key) = c.label();
            let pad = w.saturating_sub(unicode_width::UnicodeWidthStr::width(name) + key.len() + 2);
            Line::from(Span::styled(
                format!(" {name}{}{key} ", " ".repeat(pad)),
                if i == p.selected {
                    t.selected()
                } else {
                    t.text()
                },
            ))
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), list);
}
