//! Text safety: what a text input may contain, and how stored text is shown.
//!
//! Every text an officer, an import file or the registry gives (notes, field values, names,
//! registry records) is refused when it holds a control character other than newline and tab:
//! an ESC byte in a note would otherwise reach the terminal of whoever reads the case. Text that
//! is already stored (written by an older hoso, or received) is shown through [`escape`], so
//! nothing prints raw escape sequences.

use std::borrow::Cow;

use crate::error::ControlChar;

/// True for characters refused in text input: Unicode control characters (C0, DEL, C1) except
/// newline and tab.
pub fn is_refused(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// Refuses `s` when it holds a control character other than newline and tab. `what` names the
/// input in the error ("note", "field `purpose`").
pub fn check(what: &str, s: &str) -> Result<(), ControlChar> {
    match s.char_indices().find(|(_, c)| is_refused(*c)) {
        None => Ok(()),
        Some((at, c)) => Err(ControlChar {
            what: what.to_string(),
            at,
            code: u32::from(c),
        }),
    }
}

/// `s` with every control character other than newline and tab shown as `\u{..}`: safe to
/// print to a terminal.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_refused) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_refused(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Like [`escape`], and newlines and tabs shown as `\n` and `\t` too: for one-line cells.
pub fn escape_line(s: &str) -> Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_escape_sequences_keeps_newlines() {
        assert!(check("note", "dòng 1\n\tdòng 2").is_ok());
        let e = check("note", "a\u{1b}[31mred").unwrap_err();
        assert_eq!((e.at, e.code), (1, 0x1b));
        assert!(check("note", "a\u{9b}b").is_err());
        assert!(check("note", "a\rb").is_err());
    }

    #[test]
    fn escapes_for_display() {
        assert_eq!(escape("ok"), "ok");
        assert_eq!(escape("a\u{1b}[2Jb\n"), "a\\u{1b}[2Jb\n");
        assert_eq!(escape_line("a\nb\u{7}"), "a\\nb\\u{7}");
    }
}
