//! Reading entries back from the store: one origin's chain from a seq, or every entry naming
//! one case (through the by-case index), each decoded strictly with its payload.

use redb::ReadableDatabase;

use crate::audit::stored;
use crate::chain::entry::Entry;
use crate::error::{NodeError, Result};
use crate::ids::{CaseId, NodeId};
use crate::store::tables::AUDIT_BY_CASE;

/// An entry with its payload, for reading.
#[derive(Clone, Debug)]
pub struct StoredEntry {
    /// The decoded entry.
    pub entry: Entry,
    /// The detail payload, unless purged.
    pub payload: Option<Vec<u8>>,
}

fn decode(origin: &[u8; 32], seq: u64, rec: &[u8]) -> Result<Entry> {
    Entry::from_record(rec).map_err(|e| NodeError::Corrupt {
        what: format!("audit entry {} #{seq}", NodeId(*origin).short()),
        detail: e.to_string(),
    })
}

/// Entries of one origin's chain from `from_seq`, at most `limit`.
pub fn chain(
    db: &redb::Database,
    origin: &NodeId,
    from_seq: u64,
    limit: usize,
) -> Result<Vec<StoredEntry>> {
    let rtx = db.begin_read()?;
    let t = stored::read(&rtx)?;
    let mut out = Vec::new();
    t.each(&origin.0, from_seq, u64::MAX, |seq, x| {
        if out.len() >= limit {
            return Ok(false);
        }
        let entry = decode(&origin.0, seq, &x.record)?;
        out.push(StoredEntry {
            entry,
            payload: x.payload,
        });
        Ok(true)
    })?;
    Ok(out)
}

/// Every entry naming one case, in (origin, seq) order.
pub fn for_case(db: &redb::Database, case: &CaseId) -> Result<Vec<StoredEntry>> {
    let rtx = db.begin_read()?;
    let idx = rtx.open_table(AUDIT_BY_CASE)?;
    let t = stored::read(&rtx)?;
    let mut out = Vec::new();
    for x in stored::case_entries(&idx, &t, case)? {
        let entry = decode(&x.origin, x.seq, &x.held.record)?;
        out.push(StoredEntry {
            entry,
            payload: x.held.payload,
        });
    }
    out.sort_by_key(|e| (e.entry.body.time_ms, e.entry.body.seq));
    Ok(out)
}
