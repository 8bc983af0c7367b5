//! Text that holds a refused control character.

/// A control character (other than newline and tab) in a text input (CLI exit 2).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "{what} contains the control character U+{code:04X} at byte {at}; only printable text, newlines and tabs are accepted: remove it"
)]
pub struct ControlChar {
    /// The input ("note", "field `purpose`").
    pub what: String,
    /// Byte offset of the character.
    pub at: usize,
    /// Its code point.
    pub code: u32,
}
