//! What can go wrong printing a form.

/// A form that could not be printed.
#[derive(Debug, thiserror::Error)]
pub enum FormError {
    /// A template does not compile (a province's edit, usually).
    #[error(
        "form template {template}{} ({origin}) does not compile: {message}{}",
        line.map(|l| format!(":{l}")).unwrap_or_default(),
        hint.as_ref().map(|h| format!(" (hint: {h})")).unwrap_or_default()
    )]
    Template {
        /// The template file name, e.g. `receipt.typ`.
        template: String,
        /// `built-in` or the override's path.
        origin: String,
        /// The 1-based line of the error, when known.
        line: Option<usize>,
        /// typst's message.
        message: String,
        /// typst's first hint.
        hint: Option<String>,
    },
    /// No template for this form (an override set without it cannot happen: built-ins stay).
    #[error("no template `{0}`")]
    MissingTemplate(String),
    /// The settings file is malformed.
    #[error("{path}: {message}")]
    Settings {
        /// The file.
        path: String,
        /// What is wrong and what is expected.
        message: String,
    },
    /// A file could not be read.
    #[error("cannot read {path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// The OS error.
        message: String,
    },
    /// PDF export failed.
    #[error("cannot write the PDF: {0}")]
    Pdf(String),
}
