//! Printing: one JSON document with `--json`, aligned text otherwise.

use serde::Serialize;

/// `println!` for lines that hold stored text (names, notes, field values, registry records):
/// control characters other than newline and tab are printed escaped (`\u{1b}`), so a stored
/// escape sequence never reaches the terminal.
macro_rules! safe_println {
    ($($arg:tt)*) => {
        println!("{}", hoso_node::text::escape(&format!($($arg)*)))
    };
}
pub(crate) use safe_println;

/// Prints `value` as pretty JSON on stdout.
pub(crate) fn json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    println!("{text}");
    Ok(())
}

/// Pads or cuts `s` to `width` characters (Vietnamese NFC letters are one cell each).
pub(crate) fn cell(s: &str, width: usize) -> String {
    let s = &*hoso_node::text::escape_line(s);
    let n = s.chars().count();
    if n > width {
        let mut out: String = s.chars().take(width.saturating_sub(1)).collect();
        out.push('…');
        out
    } else {
        format!("{s}{}", " ".repeat(width - n))
    }
}

/// Prints a table: a header row and rows, columns as wide as their widest cell (capped).
pub(crate) fn table(header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(c.chars().count()).min(40);
            }
        }
    }
    let line = |cells: Vec<String>| {
        let s: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| cell(c, widths.get(i).copied().unwrap_or(10)))
            .collect();
        println!("{}", s.join("  ").trim_end());
    };
    line(
        header
            .iter()
            .map(std::string::ToString::to_string)
            .collect(),
    );
    for r in rows {
        line(r.clone());
    }
}
