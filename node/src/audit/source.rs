//! Where verification reads from: a node's redb store or an evidence bundle. Both give the same
//! view (chains keyed (origin, seq), payloads, fork evidence, checkpoints and cosignatures,
//! witness evidence, case documents), so `verify` is one pure function over stored data.

use std::collections::BTreeSet;

use redb::{Database, ReadableDatabase, ReadableTable};

use crate::error::Result;
use crate::ids::{CaseId, NodeId};
use crate::store::tables::*;

/// A case document as stored: the saved document and the change chunks appended after it.
#[derive(Clone, Debug, Default)]
pub struct DocBytes {
    /// `save()` bytes.
    pub saved: Vec<u8>,
    /// Incremental chunks, in order.
    pub chunks: Vec<Vec<u8>>,
}

/// A second, different record held for one (origin, seq).
#[derive(Clone, Debug)]
pub struct ForkRecord {
    /// Chain owner.
    pub origin: NodeId,
    /// Position.
    pub seq: u64,
    /// The other record, `body ‖ signature`.
    pub record: Vec<u8>,
}

/// Receives `(key seq, record, payload)`.
pub type RecordVisitor<'a> = dyn FnMut(u64, &[u8], Option<&[u8]>) + 'a;

/// Stored audit data, read-only.
pub trait AuditSource {
    /// The deployment the data must belong to.
    fn realm(&self) -> [u8; 16];
    /// Origins with at least one entry or checkpoint, sorted.
    fn origins(&self) -> Result<Vec<NodeId>>;
    /// Calls `f(key seq, record, payload)` for every record of `origin` in seq order; the
    /// payload is the one stored under the record's entry hash, if any.
    fn records(&self, origin: &NodeId, f: &mut RecordVisitor<'_>) -> Result<()>;
    /// Equivocation evidence.
    fn forks(&self) -> Result<Vec<ForkRecord>>;
    /// `(key size, note text bytes)` of every checkpoint of `origin`.
    fn checkpoints(&self, origin: &NodeId) -> Result<Vec<(u64, Vec<u8>)>>;
    /// `(witness, stored value)` of every cosignature of (origin, size).
    fn cosignatures(&self, origin: &NodeId, size: u64) -> Result<Vec<(NodeId, Vec<u8>)>>;
    /// Witness evidence: `(origin, JSON)`.
    fn evidence(&self) -> Result<Vec<(NodeId, Vec<u8>)>>;
    /// Case documents in scope, sorted.
    fn case_ids(&self) -> Result<Vec<CaseId>>;
    /// One case document.
    fn doc(&self, case: &CaseId) -> Result<Option<DocBytes>>;
    /// The enrolled node keys, when known (a bundle lists them; a store does not).
    fn roster(&self) -> Option<BTreeSet<NodeId>>;
}

/// A node's store as an [`AuditSource`].
pub struct DbSource<'a> {
    /// The store.
    pub db: &'a Database,
    /// The node's realm.
    pub realm: [u8; 16],
}

impl AuditSource for DbSource<'_> {
    fn realm(&self) -> [u8; 16] {
        self.realm
    }
    fn origins(&self) -> Result<Vec<NodeId>> {
        let rtx = self.db.begin_read()?;
        let mut out = BTreeSet::new();
        let t = rtx.open_table(AUDIT)?;
        // Skip from origin to origin instead of scanning every row.
        let mut next: Option<[u8; 32]> = Some([0; 32]);
        while let Some(from) = next {
            let Some(row) = t.range((&from, 0)..)?.next() else {
                break;
            };
            let (k, _) = row?;
            let o = *k.value().0;
            out.insert(NodeId(o));
            next = succ(&o);
        }
        for row in rtx.open_table(AUDIT_CHECKPOINTS)?.iter()? {
            out.insert(NodeId(*row?.0.value().0));
        }
        Ok(out.into_iter().collect())
    }
    fn records(&self, origin: &NodeId, f: &mut RecordVisitor<'_>) -> Result<()> {
        let rtx = self.db.begin_read()?;
        let t = crate::audit::stored::read(&rtx)?;
        t.each_or_raw(&origin.0, 0, u64::MAX, |seq, x| {
            match x {
                Ok(x) => f(seq, &x.record, x.payload.as_deref()),
                Err(raw) => f(seq, raw, None),
            }
            Ok(true)
        })
    }
    fn forks(&self) -> Result<Vec<ForkRecord>> {
        let rtx = self.db.begin_read()?;
        let mut out = Vec::new();
        for row in rtx.open_table(AUDIT_FORKS)?.iter()? {
            let (k, v) = row?;
            let (o, seq, _) = k.value();
            out.push(ForkRecord {
                origin: NodeId(*o),
                seq,
                record: v.value().to_vec(),
            });
        }
        Ok(out)
    }
    fn checkpoints(&self, origin: &NodeId) -> Result<Vec<(u64, Vec<u8>)>> {
        let rtx = self.db.begin_read()?;
        let t = rtx.open_table(AUDIT_CHECKPOINTS)?;
        let mut out = Vec::new();
        for row in t.range((&origin.0, 0)..=(&origin.0, u64::MAX))? {
            let (k, v) = row?;
            out.push((k.value().1, v.value().to_vec()));
        }
        Ok(out)
    }
    fn cosignatures(&self, origin: &NodeId, size: u64) -> Result<Vec<(NodeId, Vec<u8>)>> {
        let rtx = self.db.begin_read()?;
        let t = rtx.open_table(AUDIT_COSIGS)?;
        let mut out = Vec::new();
        for row in t.range((&origin.0, size, &[0u8; 32])..=(&origin.0, size, &[0xff; 32]))? {
            let (k, v) = row?;
            out.push((NodeId(*k.value().2), v.value().to_vec()));
        }
        Ok(out)
    }
    fn evidence(&self) -> Result<Vec<(NodeId, Vec<u8>)>> {
        let rtx = self.db.begin_read()?;
        let mut out = Vec::new();
        for row in rtx.open_table(AUDIT_EVIDENCE)?.iter()? {
            let (k, v) = row?;
            out.push((NodeId(*k.value().0), v.value().to_vec()));
        }
        Ok(out)
    }
    fn case_ids(&self) -> Result<Vec<CaseId>> {
        let rtx = self.db.begin_read()?;
        let mut out = Vec::new();
        for row in rtx.open_table(DOCS)?.iter()? {
            out.push(CaseId(*row?.0.value()));
        }
        Ok(out)
    }
    fn doc(&self, case: &CaseId) -> Result<Option<DocBytes>> {
        let rtx = self.db.begin_read()?;
        let Some(saved) = rtx
            .open_table(DOCS)?
            .get(&case.0)?
            .map(|v| v.value().unpack(case).map(std::borrow::Cow::into_owned))
            .transpose()?
        else {
            return Ok(None);
        };
        let mut chunks = Vec::new();
        for row in rtx
            .open_table(DOC_CHANGES)?
            .range((&case.0, 0)..=(&case.0, u32::MAX))?
        {
            chunks.push(row?.1.value().to_vec());
        }
        Ok(Some(DocBytes { saved, chunks }))
    }
    fn roster(&self) -> Option<BTreeSet<NodeId>> {
        None
    }
}

/// The next 32-byte value in big-endian order.
fn succ(o: &[u8; 32]) -> Option<[u8; 32]> {
    let mut n = *o;
    for b in n.iter_mut().rev() {
        if *b == 0xff {
            *b = 0;
        } else {
            *b += 1;
            return Some(n);
        }
    }
    None
}
