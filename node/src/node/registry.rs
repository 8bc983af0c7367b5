//! The population registry as the node reads and imports it.

use hoso_schemas::CitizenId;

use crate::audit::entry::Action;
use crate::error::{NodeError, Result};
use crate::ids::CaseId;
use crate::registry::{self, RegistryImportReport};
use crate::write::{Author, Permission};

use super::*;

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
        let mut ctx = self.begin_write(by, Permission::ImportRegistry)?;
        let (records, file_digest) = registry::parse_file(name, reader)?;
        let mut report = RegistryImportReport {
            file_digest,
            ..Default::default()
        };
        registry::store(ctx.tx(), &records, &mut report)?;
        ctx.audit(
            Action::RegistryImport,
            CaseId::NONE,
            [0; 16],
            vec![],
            vec![],
            &serde_json::to_value(&report).unwrap_or_default(),
            now_ms(),
        )?;
        ctx.commit()?;
        Ok(report)
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
