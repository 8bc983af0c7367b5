//! What other crates read of the store without naming a table: the audit chain as stored, the
//! store as an audit source, and the sizes benchmarks and `hoso sync status` report. The redb
//! tables themselves are private to this crate (a test in `tests/tidy.rs` keeps every other
//! crate from naming one).

use redb::{ReadableDatabase, ReadableTable, ReadableTableMetadata};

use crate::audit::read::StoredEntry;
use crate::audit::source::DbSource;
use crate::error::Result;
use crate::ids::{CaseId, NodeId};
use crate::node::handle::Node;
use crate::store::tables::{AUDIT, AUDIT_COSIGS, AUDIT_EVIDENCE, CASES, DOC_CHANGES, DOCS, INDEX};

/// Row counts of the audit tables (`hoso sync status --json`, `audit_held`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct AuditHeld {
    /// Entries of every chain held here (own and replicated).
    pub entries: u64,
    /// Witness cosignatures held.
    pub cosignatures: u64,
    /// Checkpoints refused, with evidence.
    pub refused_checkpoints: u64,
}

/// Where a store's bytes go (for benchmarks): summaries and indexes, the audit chain.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StoreSizes {
    /// The store file's size.
    pub file_bytes: u64,
    /// Summary rows (value plus the 16-byte key) and index keys.
    pub summary_and_index_bytes: u64,
    /// Audit records (body and signature).
    pub audit_bytes: u64,
    /// Audit entries held.
    pub audit_entries: u64,
}

impl Node {
    /// Entries of one origin's chain from `from_seq`, at most `limit`.
    pub fn audit_chain(
        &self,
        origin: &NodeId,
        from_seq: u64,
        limit: usize,
    ) -> Result<Vec<StoredEntry>> {
        crate::audit::read::chain(self.db(), origin, from_seq, limit)
    }

    /// Every audit entry naming one case, in (origin, seq) order.
    pub fn audit_for_case(&self, case: &CaseId) -> Result<Vec<StoredEntry>> {
        crate::audit::read::for_case(self.db(), case)
    }

    /// This node's store as an audit source (what `audit verify` reads).
    pub fn audit_source(&self) -> DbSource<'_> {
        DbSource {
            db: self.db(),
            realm: self.realm(),
        }
    }

    /// Row counts of the audit tables.
    pub fn audit_held(&self) -> Result<AuditHeld> {
        let rtx = self.db().begin_read()?;
        Ok(AuditHeld {
            entries: rtx.open_table(AUDIT)?.len()?,
            cosignatures: rtx.open_table(AUDIT_COSIGS)?.len()?,
            refused_checkpoints: rtx.open_table(AUDIT_EVIDENCE)?.len()?,
        })
    }

    /// Cases stored (summary rows).
    pub fn count_cases(&self) -> Result<u64> {
        crate::store::count_cases(self.db())
    }

    /// The bytes a case's document takes in the store: its snapshot (packed, as stored) and its
    /// change chunks.
    pub fn stored_doc_bytes(&self, id: &CaseId) -> Result<u64> {
        let rtx = self.db().begin_read()?;
        let docs = rtx.open_table(DOCS)?;
        let chunks = rtx.open_table(DOC_CHANGES)?;
        let mut total = docs
            .get(&id.0)?
            .map_or(0, |v| v.value().stored_len() as u64);
        for row in chunks.range((&id.0, 0)..=(&id.0, u32::MAX))? {
            total += row?.1.value().len() as u64;
        }
        Ok(total)
    }

    /// Where the store's bytes go (reads every summary, index key and audit record).
    pub fn store_sizes(&self) -> Result<StoreSizes> {
        let rtx = self.db().begin_read()?;
        let mut out = StoreSizes::default();
        for row in rtx.open_table(CASES)?.iter()? {
            out.summary_and_index_bytes += row?.1.value().0.len() as u64 + 16;
        }
        for row in rtx.open_table(INDEX)?.iter()? {
            out.summary_and_index_bytes += row?.0.value().len() as u64;
        }
        for row in rtx.open_table(AUDIT)?.iter()? {
            out.audit_bytes += row?.1.value().0.len() as u64;
            out.audit_entries += 1;
        }
        let store = self.dir().join(crate::node::paths::STORE);
        out.file_bytes = std::fs::metadata(&store)
            .map_err(|e| crate::error::NodeError::io(&store, e))?
            .len();
        Ok(out)
    }
}
