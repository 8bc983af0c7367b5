//! The population registry as the node reads and imports it.

use hoso_schemas::CitizenId;

use crate::audit::entry::Action;
use crate::audit::{self, NewEntry};
use crate::error::{NodeError, Result};
use crate::ids::CaseId;
use crate::registry::{self, RegistryImportReport};

use super::*;

impl Node {
    /// Imports a population registry file (all or nothing).
    pub fn import_registry(
        &self,
        name: &str,
        reader: impl std::io::BufRead,
        by: Option<&str>,
    ) -> Result<RegistryImportReport> {
        let (records, file_digest) = registry::parse_file(name, reader)?;
        let mut report = RegistryImportReport {
            file_digest,
            ..Default::default()
        };
        let (mut w, tx) = self.write_txn()?;
        registry::store(&tx, &records, &mut report)?;
        let (_, head) = audit::append(
            &tx,
            &self.inner.key,
            self.inner.realm,
            &w.head,
            NewEntry {
                officer: by.unwrap_or(SYSTEM_OFFICER),
                action: Action::RegistryImport,
                case_id: CaseId::NONE,
                actor: [0; 16],
                heads_before: vec![],
                changes: vec![],
                payload: &payload(serde_json::to_value(&report).unwrap_or_default()),
                now_ms: now_ms(),
            },
        )?;
        tx.commit()?;
        w.head = head;
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
