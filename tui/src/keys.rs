//! One key binding as the help overlay and the hint bar show it.

/// One key binding, for the help overlay and the hint bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyHelp {
    /// The keys, as shown.
    pub keys: &'static str,
    /// What they do.
    pub what: &'static str,
    /// Shown in the hint bar too.
    pub bar: bool,
}

/// Shorthand for a [`KeyHelp`].
pub const fn key_help(keys: &'static str, what: &'static str, bar: bool) -> KeyHelp {
    KeyHelp { keys, what, bar }
}
