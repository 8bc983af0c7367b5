//! The population registry as the node reads and imports it.

use hoso_schemas::CitizenId;

use crate::error::{NodeError, Result};
use crate::registry::{self, RegistryImportReport};
use crate::write::Author;

use super::handle::Node;

impl Node {
    /// Imports a population registry file (all or nothing), authored by `by`: a supervisor, or
    /// the node at set-up. The author is checked first, then every line (bounded read, text
    /// safety, record checks), then all records are stored in one transaction.
    pub fn import_registry(
        &self,
        name: &str,
        reader: impl std::io::BufRead,
        by: &Author,
    ) -> Result<RegistryImportReport> {
        // The extract is labelled with the import's date and number; the unverified cases
        // are checked against it in the same transaction (see `intake.rs`).
        self.import_registry_extract(name, reader, by, super::ExtractLabel::default())
            .map(|r| r.import)
    }

    /// One registry record.
    pub fn registry_get(&self, citizen_id: &str) -> Result<registry::Record> {
        let id = CitizenId::parse(citizen_id)?;
        registry::get(&self.inner.db, id.as_str())?
            .ok_or_else(|| NodeError::UnknownCitizen(id.as_str().to_string()))
    }

    /// Registry search by name (accent-insensitive token prefixes).
    pub fn registry_search(&self, query: &str, limit: usize) -> Result<Vec<registry::Record>> {
        registry::search(&self.inner.db, query, limit)
    }
}
