//! Errors from loading catalog and calendar files, always with file, line and field path.

use std::fmt;

/// An error in a catalog (or holiday calendar) file.
///
/// Parse and semantic errors display as `FILE:LINE: field `PATH`: MESSAGE`, for example
/// ``catalog/birth_registration.toml:23: field `workflow[2].to`: unknown status `done` (expected one of: …)``.
/// Lines are 1-based; array indexes in paths are 0-based, in file order.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    /// A file or directory could not be read.
    #[error("{path}: cannot read: {message}")]
    Io {
        /// The path that failed.
        path: String,
        /// The operating-system error.
        message: String,
    },
    /// A directory holds no `*.toml` file.
    #[error("{dir}: no catalog files (*.toml) found")]
    NoFiles {
        /// The directory.
        dir: String,
    },
    /// TOML syntax error, a wrong value type, a missing key or an unknown key.
    #[error("{file}:{line}: {}", Located(path, message))]
    Parse {
        /// The file name.
        file: String,
        /// The 1-based line.
        line: usize,
        /// The field path, e.g. `fields[3].colour` (empty if the error is not inside a key).
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The file parses but breaks a catalog rule (unknown status, duplicate field, …).
    #[error("{file}:{line}: {}", Located(path, message))]
    Invalid {
        /// The file name.
        file: String,
        /// The 1-based line.
        line: usize,
        /// The field path, e.g. `workflow[2].to`.
        path: String,
        /// What is wrong and what is expected.
        message: String,
    },
}

struct Located<'a>(&'a String, &'a String);

impl fmt::Display for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            write!(f, "{}", self.1)
        } else {
            write!(f, "field `{}`: {}", self.0, self.1)
        }
    }
}

impl CatalogError {
    /// The file the error is in (the path for [`CatalogError::Io`] and the directory for
    /// [`CatalogError::NoFiles`]).
    pub fn file(&self) -> &str {
        match self {
            CatalogError::Io { path, .. } => path,
            CatalogError::NoFiles { dir } => dir,
            CatalogError::Parse { file, .. } | CatalogError::Invalid { file, .. } => file,
        }
    }

    /// The 1-based line, for parse and semantic errors.
    pub fn line(&self) -> Option<usize> {
        match self {
            CatalogError::Parse { line, .. } | CatalogError::Invalid { line, .. } => Some(*line),
            _ => None,
        }
    }

    /// The field path, for parse and semantic errors.
    pub fn field_path(&self) -> Option<&str> {
        match self {
            CatalogError::Parse { path, .. } | CatalogError::Invalid { path, .. } => Some(path),
            _ => None,
        }
    }

    /// A TOML deserialisation error, located in `text`.
    pub(crate) fn from_toml(file: &str, text: &str, e: &toml::de::Error) -> CatalogError {
        let message = e.message().trim().replace('\n', "; ");
        let offset = e.span().map(|s| s.start);
        // A missing key is reported at its table (or nowhere, for the top level): name the key.
        let missing = message
            .strip_prefix("missing field `")
            .and_then(|m| m.split('`').next())
            .map(str::to_string);
        let path = match (missing, offset) {
            (Some(key), Some(o)) => {
                let table = table_at(text, o);
                if table.is_empty() {
                    key
                } else {
                    format!("{table}.{key}")
                }
            }
            (Some(key), None) => key,
            (None, Some(o)) => path_at(text, o),
            (None, None) => String::new(),
        };
        CatalogError::Parse {
            file: file.to_string(),
            line: line_of(text, offset.unwrap_or(0)),
            path,
            message,
        }
    }

    /// A semantic error at byte `offset` of `text`.
    pub(crate) fn invalid(
        file: &str,
        text: &str,
        offset: usize,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> CatalogError {
        CatalogError::Invalid {
            file: file.to_string(),
            line: line_of(text, offset),
            path: path.into(),
            message: message.into(),
        }
    }
}

/// The 1-based line of a byte offset.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The table path (`fields[3]`, or empty for the top level) at a byte offset.
pub(crate) fn table_at(text: &str, offset: usize) -> String {
    let path = path_at(text, offset);
    let line = text
        .lines()
        .nth(line_of(text, offset) - 1)
        .unwrap_or("")
        .trim();
    if line.starts_with('[') {
        return path;
    }
    match path.rsplit_once('.') {
        Some((table, _)) => table.to_string(),
        None if line.contains('=') => String::new(),
        None => path,
    }
}

/// The key path at a byte offset, worked out from the table headers above it and the key on
/// its line: `fields[3].colour`, `workflow[0]`, `code`. Arrays of tables are counted 0-based.
pub(crate) fn path_at(text: &str, offset: usize) -> String {
    let target = line_of(text, offset);
    let mut counts: Vec<(String, usize)> = Vec::new();
    let mut table = String::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let header = if let Some(rest) = line.strip_prefix("[[") {
            rest.split(']').next().map(|n| (n.trim().to_string(), true))
        } else if let Some(rest) = line.strip_prefix('[') {
            rest.split(']')
                .next()
                .map(|n| (n.trim().to_string(), false))
        } else {
            None
        };
        if let Some((name, is_array)) = header {
            table = if is_array {
                let n = match counts.iter_mut().find(|(k, _)| *k == name) {
                    Some((_, c)) => {
                        *c += 1;
                        *c
                    }
                    None => {
                        counts.push((name.clone(), 0));
                        0
                    }
                };
                format!("{name}[{n}]")
            } else {
                name
            };
            if i + 1 == target {
                return table;
            }
            continue;
        }
        if i + 1 == target {
            let key = line
                .split_once('=')
                .map(|(k, _)| k.trim().trim_matches('"').to_string())
                .filter(|k| !k.is_empty() && !k.starts_with('#'));
            return match (key, table.is_empty()) {
                (Some(k), true) => k,
                (Some(k), false) => format!("{table}.{k}"),
                (None, _) => table,
            };
        }
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "code = \"x\"\n\n[[fields]]\nname = \"a\"\n\n[[fields]]\nname = \"b\"\ncolour = 1\n[[workflow]]\nfrom = \"received\"\n";

    #[test]
    fn lines_and_paths() {
        let at = |needle: &str| DOC.find(needle).expect("needle");
        assert_eq!(line_of(DOC, 0), 1);
        assert_eq!(path_at(DOC, 0), "code");
        assert_eq!(line_of(DOC, at("colour")), 8);
        assert_eq!(path_at(DOC, at("colour")), "fields[1].colour");
        assert_eq!(path_at(DOC, at("name = \"a\"")), "fields[0].name");
        assert_eq!(path_at(DOC, at("[[workflow]]")), "workflow[0]");
        assert_eq!(path_at(DOC, at("from")), "workflow[0].from");
        assert_eq!(line_of(DOC, DOC.len() + 10), 11);
    }

    #[test]
    fn display() {
        let e = CatalogError::Invalid {
            file: "catalog/birth_registration.toml".into(),
            line: 23,
            path: "workflow[2].to".into(),
            message: "unknown status `done`".into(),
        };
        assert_eq!(
            e.to_string(),
            "catalog/birth_registration.toml:23: field `workflow[2].to`: unknown status `done`"
        );
        assert_eq!(e.line(), Some(23));
        assert_eq!(e.file(), "catalog/birth_registration.toml");
        assert_eq!(e.field_path(), Some("workflow[2].to"));
    }
}
