//! Audit records in the store: every read and write of the [`AUDIT`] table goes through here.
//!
//! A row holds the compact form of a record and, in the same row, its detail payload
//! ([`crate::chain::compact`]); the origin's realm and actors ([`AUDIT_ORIGINS`]) and the
//! cosignature hashes its entries anchor to ([`AUDIT_ANCHORS`]) are kept once. Reads rebuild the
//! exact signed bytes; a row that does not rebuild is a [`NodeError::Corrupt`] naming the entry.
//! The audit-by-case index (`audit-by-case-2`) is keyed and read here too ([`case_key`],
//! [`case_entries`]).

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Bound;

use redb::{ReadableTable, WriteTransaction};

use crate::chain::compact::{self, Dictionary, DictionaryAdditions, Expanded};
use crate::chain::entry::{DecodeError, Entry};
use crate::error::{NodeError, Result};
use crate::ids::NodeId;
use crate::store::tables::{AUDIT, AUDIT_ANCHORS, AUDIT_ORIGINS, CompactRow};

/// One origin's dictionary, read from the store (cosignature lists on demand, cached).
struct StoreDictionary<'t, A> {
    origin: [u8; 32],
    realm: Option<[u8; 16]>,
    actors: Vec<[u8; 16]>,
    anchors: &'t A,
    cosigs: RefCell<HashMap<u64, Vec<[u8; 32]>>>,
    failed: RefCell<Option<NodeError>>,
}

fn parse_origin_row(v: &[u8]) -> Option<([u8; 16], Vec<[u8; 16]>)> {
    let realm: [u8; 16] = v.get(..16)?.try_into().ok()?;
    let rest = &v[16..];
    if !rest.len().is_multiple_of(16) {
        return None;
    }
    let actors = rest
        .chunks_exact(16)
        .map(|c| {
            let mut a = [0u8; 16];
            a.copy_from_slice(c);
            a
        })
        .collect();
    Some((realm, actors))
}

impl<'t, A> StoreDictionary<'t, A>
where
    A: ReadableTable<(&'static [u8; 32], u64), &'static [u8]>,
{
    fn load(
        origins: &impl ReadableTable<&'static [u8; 32], &'static [u8]>,
        anchors: &'t A,
        origin: &[u8; 32],
    ) -> Result<Self> {
        let (realm, actors) = match origins.get(origin)? {
            None => (None, Vec::new()),
            Some(v) => {
                let (r, a) = parse_origin_row(v.value()).ok_or_else(|| NodeError::Corrupt {
                    what: format!("audit dictionary of {}", NodeId(*origin).short()),
                    detail: "the row is not a realm and a list of actors".into(),
                })?;
                (Some(r), a)
            }
        };
        Ok(StoreDictionary {
            origin: *origin,
            realm,
            actors,
            anchors,
            cosigs: RefCell::new(HashMap::new()),
            failed: RefCell::new(None),
        })
    }

    fn fetch_cosigs(&self, size: u64) -> Result<Vec<[u8; 32]>> {
        let Some(v) = self.anchors.get((&self.origin, size))? else {
            return Ok(Vec::new());
        };
        let v = v.value();
        if !v.len().is_multiple_of(32) {
            return Err(NodeError::Corrupt {
                what: format!("audit anchors of {}", NodeId(self.origin).short()),
                detail: format!("the row at size {size} is not a list of hashes"),
            });
        }
        Ok(v.chunks_exact(32)
            .map(|c| {
                let mut h = [0u8; 32];
                h.copy_from_slice(c);
                h
            })
            .collect())
    }

    /// The store error a decode stopped on, if any (else the decode error as corruption).
    fn error(&self, seq: u64, e: DecodeError) -> NodeError {
        self.failed
            .borrow_mut()
            .take()
            .unwrap_or_else(|| corrupt(&self.origin, seq, e))
    }
}

impl<A> Dictionary for StoreDictionary<'_, A>
where
    A: ReadableTable<(&'static [u8; 32], u64), &'static [u8]>,
{
    fn realm(&self) -> Option<[u8; 16]> {
        self.realm
    }
    fn actors(&self) -> &[[u8; 16]] {
        &self.actors
    }
    fn cosigs(&self, size: u64) -> std::result::Result<Vec<[u8; 32]>, DecodeError> {
        if let Some(c) = self.cosigs.borrow().get(&size) {
            return Ok(c.clone());
        }
        match self.fetch_cosigs(size) {
            Ok(c) => {
                self.cosigs.borrow_mut().insert(size, c.clone());
                Ok(c)
            }
            Err(e) => {
                *self.failed.borrow_mut() = Some(e);
                Err(DecodeError::Truncated("the anchor dictionary"))
            }
        }
    }
}

fn corrupt(origin: &[u8; 32], seq: u64, e: DecodeError) -> NodeError {
    NodeError::Corrupt {
        what: format!("audit entry {} #{seq}", NodeId(*origin).short()),
        detail: e.to_string(),
    }
}

/// Reads records out of the audit tables of one transaction (read or write).
pub struct Records<T, O, A> {
    audit: T,
    origins: O,
    anchors: A,
}

/// [`Records`] over a read transaction.
pub type ReadRecords = Records<
    redb::ReadOnlyTable<(&'static [u8; 32], u64), crate::store::tables::CompactRecord>,
    redb::ReadOnlyTable<&'static [u8; 32], &'static [u8]>,
    redb::ReadOnlyTable<(&'static [u8; 32], u64), &'static [u8]>,
>;

/// Opens the audit tables of a read transaction.
pub fn read(rtx: &redb::ReadTransaction) -> Result<ReadRecords> {
    Ok(Records {
        audit: rtx.open_table(AUDIT)?,
        origins: rtx.open_table(AUDIT_ORIGINS)?,
        anchors: rtx.open_table(AUDIT_ANCHORS)?,
    })
}

/// [`Records`] over a write transaction: reads, and the inserts of [`WriteRecords::insert`].
pub type WriteRecords<'tx> = Records<
    redb::Table<'tx, (&'static [u8; 32], u64), crate::store::tables::CompactRecord>,
    redb::Table<'tx, &'static [u8; 32], &'static [u8]>,
    redb::Table<'tx, (&'static [u8; 32], u64), &'static [u8]>,
>;

/// Opens the audit tables of a write transaction (one handle at a time per transaction).
pub fn read_in(tx: &WriteTransaction) -> Result<WriteRecords<'_>> {
    Ok(Records {
        audit: tx.open_table(AUDIT)?,
        origins: tx.open_table(AUDIT_ORIGINS)?,
        anchors: tx.open_table(AUDIT_ANCHORS)?,
    })
}

impl<T, O, A> Records<T, O, A>
where
    T: ReadableTable<(&'static [u8; 32], u64), crate::store::tables::CompactRecord>,
    O: ReadableTable<&'static [u8; 32], &'static [u8]>,
    A: ReadableTable<(&'static [u8; 32], u64), &'static [u8]>,
{
    /// The origins whose records are held and whose id starts with `prefix` (the
    /// audit-by-case index keeps 8 bytes of the origin, see [`case_key`]): one in
    /// practice; at most 64, skipping from origin to origin.
    pub fn origins_with_prefix(&self, prefix: &[u8; 8]) -> Result<Vec<[u8; 32]>> {
        let mut out = Vec::new();
        let mut from = [0u8; 32];
        from[..8].copy_from_slice(prefix);
        while out.len() < 64 {
            let Some(row) = self.audit.range((&from, 0)..)?.next() else {
                break;
            };
            let o = *row?.0.value().0;
            if o[..8] != prefix[..] {
                break;
            }
            out.push(o);
            let Some(next) = next_origin(&o) else {
                break;
            };
            from = next;
        }
        Ok(out)
    }

    /// Every origin whose records are held, in key order (skipping from origin to origin).
    pub fn origins_held(&self) -> Result<Vec<[u8; 32]>> {
        let mut out = Vec::new();
        let mut from = Some([0u8; 32]);
        while let Some(f) = from {
            let Some(row) = self.audit.range((&f, 0)..)?.next() else {
                break;
            };
            let o = *row?.0.value().0;
            out.push(o);
            from = next_origin(&o);
        }
        Ok(out)
    }

    /// The record at (`origin`, `seq`), rebuilt, with its payload when held.
    pub fn get(&self, origin: &[u8; 32], seq: u64) -> Result<Option<Expanded>> {
        let Some(row) = self.audit.get((origin, seq))? else {
            return Ok(None);
        };
        let dict = StoreDictionary::load(&self.origins, &self.anchors, origin)?;
        compact::expand(origin, seq, row.value().0, &dict)
            .map(Some)
            .map_err(|e| dict.error(seq, e))
    }

    /// Visits `origin`'s records with seq in `from..to`, in order, rebuilt; `f` returns false to
    /// stop.
    pub fn each(
        &self,
        origin: &[u8; 32],
        from: u64,
        to: u64,
        mut f: impl FnMut(u64, Expanded) -> Result<bool>,
    ) -> Result<()> {
        if from >= to {
            return Ok(());
        }
        let dict = StoreDictionary::load(&self.origins, &self.anchors, origin)?;
        for row in self.audit.range((origin, from)..(origin, to))? {
            let (k, v) = row?;
            let seq = k.value().1;
            let x =
                compact::expand(origin, seq, v.value().0, &dict).map_err(|e| dict.error(seq, e))?;
            if !f(seq, x)? {
                break;
            }
        }
        Ok(())
    }

    /// Like [`Records::each`], but a row that does not rebuild is passed as its stored bytes
    /// (`Err`) instead of ending the walk: verification reports it as the entry at that seq.
    pub fn each_or_raw(
        &self,
        origin: &[u8; 32],
        from: u64,
        to: u64,
        mut f: impl FnMut(u64, std::result::Result<Expanded, &[u8]>) -> Result<bool>,
    ) -> Result<()> {
        if from >= to {
            return Ok(());
        }
        let dict = StoreDictionary::load(&self.origins, &self.anchors, origin)?;
        for row in self.audit.range((origin, from)..(origin, to))? {
            let (k, v) = row?;
            let seq = k.value().1;
            let bytes = v.value().0;
            let go = match compact::expand(origin, seq, bytes, &dict) {
                Ok(x) => f(seq, Ok(x))?,
                Err(e) => {
                    if let Some(err) = dict.failed.borrow_mut().take() {
                        return Err(err);
                    }
                    let _ = e;
                    f(seq, Err(bytes))?
                }
            };
            if !go {
                break;
            }
        }
        Ok(())
    }

    /// The length of `origin`'s chain as held (the seq after its last record).
    pub fn chain_len(&self, origin: &[u8; 32]) -> Result<u64> {
        Ok(self
            .audit
            .range((origin, 0)..=(origin, u64::MAX))?
            .next_back()
            .transpose()?
            .map(|(k, _)| k.value().1 + 1)
            .unwrap_or(0))
    }

    /// True when a record is held at (`origin`, `seq`).
    pub fn contains(&self, origin: &[u8; 32], seq: u64) -> Result<bool> {
        Ok(self.audit.get((origin, seq))?.is_some())
    }
}

impl WriteRecords<'_> {
    /// Stores `e` with its payload (when held) at (origin, seq), in compact form, adding what
    /// the origin's dictionary lacks. Replaces a row already there; the same record stored again
    /// without its payload keeps the payload held.
    pub fn insert(&mut self, e: &Entry, payload: Option<&[u8]>) -> Result<()> {
        self.insert_packed(e, payload, None)
    }

    /// [`WriteRecords::insert`] with the payload part of the row worked out before the writer
    /// ([`compact::pack_payload`] of `e` and `payload`; `None`: worked out here).
    pub fn insert_packed(
        &mut self,
        e: &Entry,
        payload: Option<&[u8]>,
        packed: Option<&compact::PackedPayload>,
    ) -> Result<()> {
        let origin = e.body.origin.0;
        let seq = e.body.seq;
        if payload.is_none()
            && let Ok(Some(held)) = self.get(&origin, seq)
            && held.payload.is_some()
            && held.record == e.to_record()
        {
            return Ok(());
        }
        let (row, add) = {
            let dict = StoreDictionary::load(&self.origins, &self.anchors, &origin)?;
            match packed {
                Some(p) => compact::compact_packed(e, p, payload, &dict),
                None => compact::compact(e, payload, &dict),
            }
            .map_err(|err| dict.error(seq, err))?
        };
        self.add_to_dictionary(&origin, &add)?;
        self.audit.insert((&origin, seq), CompactRow(&row))?;
        Ok(())
    }

    /// Stores `record` (`body ‖ signature`, as given) and its payload at (`origin`, `seq`): in
    /// compact form when it is a canonical entry of that position, else raw, byte for byte (a
    /// damaged chain under test), so that a later verification reports exactly what is held.
    pub fn insert_record(
        &mut self,
        origin: &[u8; 32],
        seq: u64,
        record: &[u8],
        payload: Option<&[u8]>,
    ) -> Result<()> {
        if let Ok(e) = Entry::from_record(record)
            && e.body.origin.0 == *origin
            && e.body.seq == seq
        {
            return self.insert(&e, payload);
        }
        self.audit
            .insert((origin, seq), CompactRow(&compact::raw(record, payload)))?;
        Ok(())
    }

    /// The compact row of `e` with its payload (when held; its payload part worked out before
    /// the writer when `packed`), adding what the origin's
    /// dictionary lacks; stored later by [`WriteRecords::put_ascending`] (a received batch,
    /// `audit/replica/run.rs`).
    pub(crate) fn compact_row(
        &mut self,
        e: &Entry,
        payload: Option<&[u8]>,
        packed: Option<&compact::PackedPayload>,
    ) -> Result<Vec<u8>> {
        let origin = e.body.origin.0;
        let (row, add) = {
            let dict = StoreDictionary::load(&self.origins, &self.anchors, &origin)?;
            match packed {
                Some(p) => compact::compact_packed(e, p, payload, &dict),
                None => compact::compact(e, payload, &dict),
            }
            .map_err(|err| dict.error(e.body.seq, err))?
        };
        self.add_to_dictionary(&origin, &add)?;
        Ok(row)
    }

    /// Stores compact `rows` of `origin` at ascending seqs not held here, through one redb
    /// cursor: its insert runs are spliced in as packed leaves, where single inserts in the
    /// middle of the table would split leaves evenly and leave them half full
    /// (`audit/replica/run.rs`). A seq held after all is replaced, as [`WriteRecords::insert`]
    /// would.
    pub(crate) fn put_ascending<'r>(
        &mut self,
        origin: &[u8; 32],
        rows: impl Iterator<Item = (u64, &'r [u8])>,
    ) -> Result<()> {
        let mut rows = rows.peekable();
        while let Some(&(first, first_row)) = rows.peek() {
            let mut cursor = self
                .audit
                .lower_bound_mut(Bound::Included((origin, first)))?;
            let mut placed = 0usize;
            while let Some(&(seq, row)) = rows.peek() {
                match cursor.insert_before((origin, seq), CompactRow(row)) {
                    Ok(()) => {
                        rows.next();
                        placed += 1;
                    }
                    // Not in this gap (a row between, or this very key): seek again.
                    Err(redb::CursorError::UnorderedKey) => break,
                    Err(e) => return Err(NodeError::Store(Box::new(redb::Error::from(e)))),
                }
            }
            cursor.close()?;
            if placed == 0 {
                // The key itself is held: replace it.
                self.audit.insert((origin, first), CompactRow(first_row))?;
                rows.next();
            }
        }
        Ok(())
    }

    /// Removes the record at (`origin`, `seq`), returning whether one was held.
    pub fn remove(&mut self, origin: &[u8; 32], seq: u64) -> Result<bool> {
        Ok(self.audit.remove((origin, seq))?.is_some())
    }

    fn add_to_dictionary(&mut self, origin: &[u8; 32], add: &DictionaryAdditions) -> Result<()> {
        if add.realm.is_some() || add.actor.is_some() {
            let mut row = self
                .origins
                .get(origin)?
                .map(|v| v.value().to_vec())
                .unwrap_or_default();
            if let Some(r) = add.realm {
                if row.len() < 16 {
                    row = r.to_vec();
                } else {
                    row[..16].copy_from_slice(&r);
                }
            }
            if let Some(a) = add.actor {
                row.extend_from_slice(&a);
            }
            self.origins.insert(origin, row.as_slice())?;
        }
        if let Some((size, cosig)) = add.cosig {
            let mut row = self
                .anchors
                .get((origin, size))?
                .map(|v| v.value().to_vec())
                .unwrap_or_default();
            row.extend_from_slice(&cosig);
            self.anchors.insert((origin, size), row.as_slice())?;
        }
        Ok(())
    }
}

/// The origin right after `o` in key order (`None` after the last).
fn next_origin(o: &[u8; 32]) -> Option<[u8; 32]> {
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

/// Stores one entry inside `tx` (see [`WriteRecords::insert`]); for several, open
/// [`read_in`] once and insert through it.
pub fn insert(tx: &WriteTransaction, e: &Entry, payload: Option<&[u8]>) -> Result<()> {
    read_in(tx)?.insert(e, payload)
}

// The audit-by-case index (table `audit-by-case-2`, store format 4): which entries name a case.
//
// A key is `case id (16) ‖ the origin's first 8 bytes ‖ seq (u64 BE)`: 32 bytes where format 3
// kept the whole 32-byte origin (56). The origin is found again from its prefix among the
// origins whose records the store holds ([`Records::origins_with_prefix`]).
// Two origins sharing a prefix (a 64-bit collision, which only a node grinding its own keys
// could make) are both looked at, and only the record that names the case is kept: the index is
// a pointer, the record itself says which case it is about.

/// Bytes of a key.
pub const CASE_KEY_LEN: usize = 32;
/// Bytes of the origin kept in a key.
pub const CASE_KEY_PREFIX: usize = 8;

/// The index key of the entry (`origin`, `seq`) that names `case`.
pub fn case_key(case: &crate::ids::CaseId, origin: &[u8; 32], seq: u64) -> [u8; CASE_KEY_LEN] {
    let mut k = [0u8; CASE_KEY_LEN];
    k[..16].copy_from_slice(&case.0);
    k[16..24].copy_from_slice(&origin[..CASE_KEY_PREFIX]);
    k[24..].copy_from_slice(&seq.to_be_bytes());
    k
}

/// One entry the index names for a case.
pub struct CaseEntry {
    /// The entry's origin.
    pub origin: [u8; 32],
    /// Its seq.
    pub seq: u64,
    /// The record, rebuilt, with its payload when held.
    pub held: Expanded,
}

/// Every entry the index names for `case`, in key order (origin prefix, seq), read through
/// `audit` (which rebuilds each record).
pub fn case_entries<I, T, O, A>(
    idx: &I,
    audit: &Records<T, O, A>,
    case: &crate::ids::CaseId,
) -> Result<Vec<CaseEntry>>
where
    I: ReadableTable<&'static [u8; CASE_KEY_LEN], ()>,
    T: ReadableTable<(&'static [u8; 32], u64), crate::store::tables::CompactRecord>,
    O: ReadableTable<&'static [u8; 32], &'static [u8]>,
    A: ReadableTable<(&'static [u8; 32], u64), &'static [u8]>,
{
    let mut lo = [0u8; CASE_KEY_LEN];
    lo[..16].copy_from_slice(&case.0);
    let mut hi = [0xffu8; CASE_KEY_LEN];
    hi[..16].copy_from_slice(&case.0);
    let mut origins: HashMap<[u8; CASE_KEY_PREFIX], Vec<[u8; 32]>> = HashMap::new();
    let mut out = Vec::new();
    for row in idx.range::<&[u8; CASE_KEY_LEN]>(&lo..=&hi)? {
        let (k, _) = row?;
        let k = k.value();
        let mut prefix = [0u8; CASE_KEY_PREFIX];
        prefix.copy_from_slice(&k[16..24]);
        let mut seq = [0u8; 8];
        seq.copy_from_slice(&k[24..]);
        let seq = u64::from_be_bytes(seq);
        let candidates = match origins.get(&prefix) {
            Some(c) => c,
            None => {
                let c = audit.origins_with_prefix(&prefix)?;
                origins.entry(prefix).or_insert(c)
            }
        };
        let only = candidates.len() == 1;
        for origin in candidates {
            let Some(held) = audit.get(origin, seq)? else {
                continue;
            };
            // One candidate: the record is the one indexed, whatever it holds (verification
            // reports a damaged one). Several: only the one that names the case.
            if only
                || crate::chain::entry::Entry::from_record(&held.record)
                    .is_ok_and(|e| e.body.case_id == *case)
            {
                out.push(CaseEntry {
                    origin: *origin,
                    seq,
                    held,
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod by_case_tests {
    use super::*;
    use crate::ids::CaseId;

    #[test]
    fn keys_are_32_bytes_ordered_by_case_then_origin_then_seq() {
        let a = CaseId([1; 16]);
        let b = CaseId([2; 16]);
        let o = [7u8; 32];
        let k = case_key(&a, &o, 5);
        assert_eq!(k.len(), 32);
        assert_eq!(&k[..16], &a.0);
        assert_eq!(&k[16..24], &o[..8]);
        assert_eq!(&k[24..], &5u64.to_be_bytes());
        assert!(case_key(&a, &o, 5) < case_key(&a, &o, 6));
        assert!(case_key(&a, &o, u64::MAX) < case_key(&b, &[0; 32], 0));
    }
}
