//! A value over one of the byte bounds of [`crate::limits`].

/// What was over its bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Limited {
    /// A case note.
    Note,
    /// A transition note.
    TransitionNote,
    /// A form field value.
    Field,
    /// A person's name.
    Name,
    /// A case document's stored size.
    DocBytes,
    /// A case document's change count.
    DocChanges,
    /// A line of a case import file.
    ImportLine,
    /// A line of a registry import file.
    RegistryLine,
    /// History entries and notes of one imported case.
    ImportPast,
}

impl Limited {
    /// What it is, in a message.
    pub fn label(self) -> &'static str {
        match self {
            Limited::Note => "the note",
            Limited::TransitionNote => "the transition note",
            Limited::Field => "the field value",
            Limited::Name => "the name",
            Limited::DocBytes => "the case document",
            Limited::DocChanges => "the case's change count",
            Limited::ImportLine => "the import line",
            Limited::RegistryLine => "the registry line",
            Limited::ImportPast => "the history and notes of the imported case",
        }
    }

    fn unit(self) -> &'static str {
        match self {
            Limited::DocChanges => "changes",
            Limited::ImportPast => "entries",
            _ => "bytes",
        }
    }
}

/// A value over its bound (CLI exit 2).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{} is over the limit of {limit} {unit} (it is {actual}{more}); {hint}",
    what.label(),
    unit = what.unit(),
    more = if matches!(what, Limited::ImportLine | Limited::RegistryLine) { " or more" } else { "" },
    hint = match what {
        Limited::DocBytes | Limited::DocChanges => "the case cannot grow further: record the rest in a new case or attach it outside hoso",
        Limited::ImportLine | Limited::RegistryLine => "nothing was imported; split or fix the line",
        _ => "shorten it",
    })]
pub struct LimitExceeded {
    /// What was too large.
    pub what: Limited,
    /// The bound.
    pub limit: usize,
    /// The size found (for lines read with a bounded reader: where reading stopped).
    pub actual: usize,
}
