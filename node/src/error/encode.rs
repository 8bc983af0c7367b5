//! A value of the node that could not be serialized: a bug, not the caller's input (CLI exit 1).

/// Serialization of a stored record or settings file failed.
#[derive(Debug, thiserror::Error)]
pub enum EncodeError {
    /// JSON encoding of a stored record.
    #[error("could not encode {what} as JSON: {source}; report this as a bug")]
    Json {
        /// What was being encoded.
        what: &'static str,
        /// The encoder's error.
        #[source]
        source: serde_json::Error,
    },
    /// TOML encoding of a settings file.
    #[error("could not encode {what} as TOML: {source}; report this as a bug")]
    Toml {
        /// What was being encoded.
        what: &'static str,
        /// The encoder's error.
        #[source]
        source: Box<toml::ser::Error>,
    },
}
