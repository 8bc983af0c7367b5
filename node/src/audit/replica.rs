//! Receiving other nodes' audit chains (audit.md §3). Every entry is decoded strictly and
//! checked before it is stored: the origin's signature, the realm, the seq (no gaps) and the
//! hash link to the stored previous entry. An exact duplicate is accepted idempotently; a
//! different, validly signed entry at an (origin, seq) already held is equivocation evidence
//! and goes to [`AUDIT_FORKS`]; anything else is refused and ends the batch.

use redb::{ReadableDatabase, ReadableTable};
use serde::Serialize;

use crate::chain::entry::Entry;
use crate::error::{AuditError, NodeError, Result};
use crate::ids::{CaseId, NodeId};
use crate::node::handle::Node;
use crate::store::tables::{AUDIT_BY_CASE, AUDIT_FORKS, CASES};

pub(crate) mod precheck;
pub(crate) mod run;

/// Most entries one batch may carry.
pub const MAX_BATCH: usize = 4096;

pub use precheck::RawRecord;

/// What a batch of received entries did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ChainIngest {
    /// New entries stored.
    pub stored: u64,
    /// Entries already held, byte for byte.
    pub duplicates: u64,
    /// Equivocations found (stored as evidence).
    pub forks: u64,
    /// Why the batch stopped early, if it did (the entries before it are kept).
    pub refused: Option<String>,
}

/// What a grouped ingest adds to [`Node::ingest_chain_noting`].
pub(crate) struct Grouped<'a> {
    /// The payload part of each passed entry's row, in order (`chain::compact::pack_payload`).
    pub(crate) packed: &'a [crate::chain::compact::PackedPayload],
    /// Called with each entry stored and its payload.
    pub(crate) stored: &'a mut dyn FnMut(&Entry, Option<&[u8]>),
}

/// Two different signed entries at one (origin, seq).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Equivocation {
    /// The node that signed both.
    pub origin: NodeId,
    /// The seq.
    pub seq: u64,
    /// Hash of the entry kept in the chain, hex.
    pub kept: String,
    /// Hash of the other entry, hex.
    pub other: String,
}

impl Node {
    /// The seq the next entry of `origin`'s chain held here would have (its length).
    pub fn chain_len(&self, origin: &NodeId) -> Result<u64> {
        let rtx = self.db().begin_read()?;
        crate::audit::stored::read(&rtx)?.chain_len(&origin.0)
    }

    /// Records of `origin`'s chain from `from_seq` (at most `limit`), with payloads, to send.
    pub fn chain_records(
        &self,
        origin: &NodeId,
        from_seq: u64,
        limit: usize,
    ) -> Result<Vec<RawRecord>> {
        let rtx = self.db().begin_read()?;
        let t = crate::audit::stored::read(&rtx)?;
        let mut out = Vec::new();
        t.each(&origin.0, from_seq, u64::MAX, |_, x| {
            if out.len() >= limit {
                return Ok(false);
            }
            out.push((x.record, x.payload));
            Ok(true)
        })?;
        Ok(out)
    }

    /// Records of `origin`'s chain from `from_seq` to send to a peer: at most `max_entries`,
    /// and no more than `max_bytes` of records and payloads (at least one record when any is
    /// left). The payload of an entry about a case `may_hold` does not cover (or one not held
    /// here) is left out, as if purged: the entry still verifies and links, but the case's
    /// details (names, citizen ids) never reach a peer that is not scoped for that case.
    pub fn chain_records_bounded(
        &self,
        origin: &NodeId,
        from_seq: u64,
        max_entries: usize,
        max_bytes: usize,
        may_hold: &dyn Fn(&str, &str) -> bool,
    ) -> Result<Vec<RawRecord>> {
        let rtx = self.db().begin_read()?;
        let t = crate::audit::stored::read(&rtx)?;
        let cases = rtx.open_table(CASES)?;
        let mut out = Vec::new();
        let mut bytes = 0usize;
        t.each(&origin.0, from_seq, u64::MAX, |_, x| {
            if out.len() >= max_entries {
                return Ok(false);
            }
            let rec = x.record;
            let e = Entry::from_record(&rec).map_err(|e| NodeError::Corrupt {
                what: "audit entry".into(),
                detail: e.to_string(),
            })?;
            let scoped = e.body.case_id == CaseId::NONE
                || cases
                    .get(&e.body.case_id.0)?
                    .and_then(|s| crate::summaries::decode(&e.body.case_id, s.value()).ok())
                    .is_some_and(|s| may_hold(&s.province, &s.commune));
            let payload = if scoped { x.payload } else { None };
            let len = rec.len() + payload.as_ref().map_or(0, Vec::len);
            if !out.is_empty() && bytes + len > max_bytes {
                return Ok(false);
            }
            bytes += len;
            out.push((rec, payload));
            Ok(true)
        })?;
        Ok(out)
    }

    /// Verifies and stores entries of `origin`'s chain received from a peer, in one
    /// transaction. Stops at the first bad entry and says why. What needs only the entry
    /// (decoding, chain, realm, signature, payload hash) is checked before the writer lock
    /// (`replica/precheck.rs`); the transaction checks duplicates, forks and the hash link.
    pub fn ingest_chain(&self, origin: &NodeId, entries: &[RawRecord]) -> Result<ChainIngest> {
        if entries.len() > MAX_BATCH {
            return Err(AuditError::BatchTooLarge { max: MAX_BATCH }.into());
        }
        let pre = precheck::precheck(origin, self.realm(), entries);
        self.with_write(|tx, head| {
            self.ingest_chain_in(tx, head, origin, &pre.passed, entries, pre.refused.clone())
        })
    }

    /// The part of [`Node::ingest_chain`] that needs the store, inside a write transaction:
    /// `passed` are the leading `entries` that passed the pre-checks (`precheck.rs`), and
    /// `refused` why the next one did not. Duplicates, forks, the hash link and the seq are
    /// checked here; the entries before the first bad one are stored.
    pub(crate) fn ingest_chain_in(
        &self,
        tx: &redb::WriteTransaction,
        head: &mut crate::audit::ChainHead,
        origin: &NodeId,
        passed: &[Entry],
        entries: &[RawRecord],
        refused: Option<String>,
    ) -> Result<ChainIngest> {
        self.ingest_chain_noting(tx, head, origin, passed, entries, refused, None)
    }

    /// [`Node::ingest_chain_in`] for a grouped ingest (`ingest/group.rs`): the payload parts of
    /// the rows worked out on its workers, and each entry stored handed to it with its payload.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn ingest_chain_noting(
        &self,
        tx: &redb::WriteTransaction,
        head: &mut crate::audit::ChainHead,
        origin: &NodeId,
        passed: &[Entry],
        entries: &[RawRecord],
        refused: Option<String>,
        mut grouped: Option<Grouped<'_>>,
    ) -> Result<ChainIngest> {
        let own = self.id();
        let mut out = ChainIngest::default();
        let mut audit = crate::audit::stored::read_in(tx)?;
        let mut by_case = tx.open_table(AUDIT_BY_CASE)?;
        let mut forks = tx.open_table(AUDIT_FORKS)?;
        // New rows are stored in seq order at the end of the batch (`replica/run.rs`).
        let mut run = run::PendingRun::new(origin.0);
        // The hash of the entry held at the seq before, once this batch has passed it.
        let mut last: Option<(u64, [u8; 32])> = None;
        for (i, (e, (rec, payload))) in passed.iter().zip(entries).enumerate() {
            let seq = e.body.seq;
            let refuse = |why: &str| {
                Some(format!(
                    "entry {} #{seq} refused: {why}",
                    e.body.origin.short()
                ))
            };
            let existing = match run.record(seq) {
                Some(r) => Some(r.to_vec()),
                None => audit.get(&origin.0, seq)?.map(|v| v.record),
            };
            if let Some(existing) = existing {
                if existing == *rec {
                    out.duplicates += 1;
                    last = Some((seq, e.hash));
                } else {
                    let kept = Entry::from_record(&existing)
                        .map(|k| k.hash)
                        .unwrap_or([0; 32]);
                    if forks.get((&origin.0, seq, &e.hash))?.is_none() {
                        forks.insert((&origin.0, seq, &e.hash), rec.as_slice())?;
                        tracing::warn!(
                            origin = %origin, seq, kept = %crate::ids::hex(&kept),
                            "equivocation: two different signed audit entries at one seq"
                        );
                    }
                    out.forks += 1;
                    last = None;
                }
                continue;
            }
            // A node being restored takes back the entries of its own chain it lost,
            // checked like a peer's; they move its head (issue 12, `restore.rs`).
            let restoring = *origin == own && crate::restore::restoring_in(tx)?;
            if *origin == own && !restoring {
                out.refused = refuse("entries of this node's own chain it never wrote");
                break;
            }
            let expected_prev = match last {
                _ if seq == 0 => Some([0u8; 32]),
                Some((s, h)) if s + 1 == seq => Some(h),
                _ => match run.hash(seq - 1) {
                    Some(h) => Some(h),
                    None => audit
                        .get(&origin.0, seq - 1)?
                        .and_then(|v| Entry::from_record(&v.record).ok())
                        .map(|p| p.hash),
                },
            };
            match expected_prev {
                None => {
                    out.refused = refuse("a gap: the previous entry is not held");
                    break;
                }
                Some(p) if p != e.body.prev => {
                    out.refused = refuse("its hash link does not match the previous entry");
                    break;
                }
                Some(_) => {}
            }
            let packed = grouped.as_ref().and_then(|g| g.packed.get(i));
            let row = audit.compact_row(e, payload.as_deref(), packed)?;
            if let Some(g) = grouped.as_mut() {
                (g.stored)(e, payload.as_deref());
            }
            run.push(seq, rec, e.hash, row);
            if e.body.case_id != CaseId::NONE {
                by_case.insert(
                    &crate::audit::stored::case_key(&e.body.case_id, &origin.0, seq),
                    (),
                )?;
            }
            if restoring {
                crate::restore::adopt_own_entry(tx, head, e)?;
            }
            last = Some((seq, e.hash));
            out.stored += 1;
        }
        run.flush(&mut audit)?;
        // Every entry before the first that failed on its own was handled above.
        if out.refused.is_none() {
            out.refused = refused;
        }
        Ok(out)
    }

    /// Every equivocation held as evidence.
    pub fn equivocations(&self) -> Result<Vec<Equivocation>> {
        let rtx = self.db().begin_read()?;
        let forks = rtx.open_table(AUDIT_FORKS)?;
        let audit = crate::audit::stored::read(&rtx)?;
        let mut out = Vec::new();
        for row in forks.iter()? {
            let (k, _) = row?;
            let (origin, seq, other) = k.value();
            let kept = audit
                .get(origin, seq)?
                .and_then(|v| Entry::from_record(&v.record).ok())
                .map(|e| crate::ids::hex(&e.hash))
                .unwrap_or_default();
            out.push(Equivocation {
                origin: NodeId(*origin),
                seq,
                kept,
                other: crate::ids::hex(other),
            });
        }
        Ok(out)
    }
}
