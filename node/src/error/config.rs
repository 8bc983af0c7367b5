//! Why `node.toml`, the catalog or the holiday calendar of a data dir was refused.

use std::path::PathBuf;

use hoso_schemas::CatalogError;

/// A node setting that is not valid (CLI exit 2: fix the option or the file).
/// Not `non_exhaustive`: the console matches every variant, so a new one cannot ship without
/// its Vietnamese sentence.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A node role word that is neither `commune` nor `hub`.
    #[error("unknown node role `{0}`: expected commune or hub")]
    UnknownRole(String),
    /// A realm that is not 32 hex characters.
    #[error(
        "node.toml: realm `{0}` must be 32 hex characters; put back the realm of the deployment"
    )]
    BadRealm(String),
    /// A province code that is not 2 digits.
    #[error("province code `{0}` must be 2 digits (Lạng Sơn is 20)")]
    BadProvince(String),
    /// A commune node with no commune code.
    #[error("a commune node needs --commune CODE (5 digits, e.g. 06112 for Xã Bình Gia)")]
    CommuneMissing,
    /// A commune code that is not 5 digits.
    #[error("commune code `{0}` must be 5 digits (e.g. 06112)")]
    BadCommune(String),
    /// A receipt unit code with other characters than letters, digits and dots.
    #[error("unit code `{0}` must be 1–40 letters, digits and dots (e.g. 000.20.06.112)")]
    BadUnitCode(String),
    /// `node.toml` does not parse.
    #[error("{}: {message}; fix the file (`hoso init` wrote it) or restore it from a backup", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// The parser's one-line message.
        message: String,
        /// The parser's error.
        #[source]
        source: Box<toml::de::Error>,
    },
    /// The data dir's procedure catalog does not load.
    #[error(
        "the procedure catalog of this node does not load: {0}; fix that file, or remove the data dir's catalog/ to use the built-in one"
    )]
    Catalog(#[source] CatalogError),
    /// The data dir's holiday calendar does not load.
    #[error(
        "the holiday calendar of this node does not load: {0}; fix holidays.toml, or remove it to use the built-in one"
    )]
    Holidays(#[source] CatalogError),
}

/// A TOML parse error as one line with its line number: "line 3: expected `=`".
pub(crate) fn toml_message(text: &str, e: &toml::de::Error) -> String {
    match e.span() {
        Some(span) => {
            let at = span.start.min(text.len());
            let line = text.as_bytes()[..at]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1;
            format!("line {line}: {}", e.message().trim())
        }
        None => e.message().trim().to_string(),
    }
}
