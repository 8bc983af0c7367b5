//! Every redb table of a node, in one place. Names carry a version: a layout change gets a new
//! name and a migration.

use redb::TableDefinition;

pub use super::doc_row::{DocBuf, PackedDoc};

/// Key: case id. Value: the compacted Automerge document (`save()`), packed (deflated when
/// shorter, see [`super::doc_row`]); read only through [`DocRow::unpack`]. (Format 3 kept the
/// saved bytes as they were in `docs-1`.)
pub const DOCS: TableDefinition<&[u8; 16], PackedDoc> = TableDefinition::new("docs-2");
/// Key: (case id, n). Value: an incremental change chunk appended after the compacted doc.
pub const DOC_CHANGES: TableDefinition<(&[u8; 16], u32), &[u8]> =
    TableDefinition::new("doc-changes-1");
/// Key: case id. Value: the case summary row that lists and indexes are built from, read and
/// written only through `summaries` (a compact binary row; format 3 kept JSON in `cases-1`).
pub const CASES: TableDefinition<&[u8; 16], SummaryRecord> = TableDefinition::new("cases-2");
/// Key: index key bytes (see `index.rs`). Value: nothing. All secondary indexes share it.
pub const INDEX: TableDefinition<&[u8], ()> = TableDefinition::new("index-1");
/// Key: receipt code. Value: case id.
pub const RECEIPTS: TableDefinition<&str, &[u8; 16]> = TableDefinition::new("receipts-1");
/// Key: feed seq. Value: case id. A doc's older feed entry is dropped when it changes again.
pub const FEED: TableDefinition<u64, &[u8; 16]> = TableDefinition::new("feed-1");
/// Key: case id. Value: its current feed seq.
pub const FEED_BY_DOC: TableDefinition<&[u8; 16], u64> = TableDefinition::new("feed-by-doc-1");
/// Key: name. Value: node metadata (see `meta` keys in `store.rs`).
pub const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta-1");
/// Key: officer id. Value: officer account (JSON).
pub const OFFICERS: TableDefinition<&str, &[u8]> = TableDefinition::new("officers-1");
/// Key: citizen id. Value: the registry record exactly as imported (one JSON line).
pub const REGISTRY: TableDefinition<&str, &[u8]> = TableDefinition::new("registry-1");
/// Key: folded name token ‖ 0 ‖ citizen id. Value: nothing.
pub const REGISTRY_NAMES: TableDefinition<&[u8], ()> = TableDefinition::new("registry-names-1");
/// Key: (origin node key, seq). Value: the compact form of the audit record with its detail
/// payload (`chain::compact`), read and written only through `audit::stored`. Own and replicated
/// chains. (Format 2 kept `body ‖ signature` in `audit-1` and payloads in `audit-payloads-1`.)
pub const AUDIT: TableDefinition<(&[u8; 32], u64), CompactRecord> = TableDefinition::new("audit-2");
/// Key: origin node key. Value: `realm(16) ‖ actors (16·n)`: what that origin's compact audit
/// records leave out.
pub const AUDIT_ORIGINS: TableDefinition<&[u8; 32], &[u8]> =
    TableDefinition::new("audit-origins-1");
/// Key: (origin, anchor size). Value: the cosignature hashes (32·n) that origin's entries
/// anchor to at that size; compact records name one by its index.
pub const AUDIT_ANCHORS: TableDefinition<(&[u8; 32], u64), &[u8]> =
    TableDefinition::new("audit-anchors-1");
/// Key: case id ‖ origin's first 8 bytes ‖ seq (32 bytes, see `audit::stored::case_key`). Value:
/// nothing. Entries per case. (Format 3 kept the whole origin, 56 bytes, in `audit-by-case-1`.)
pub const AUDIT_BY_CASE: TableDefinition<&[u8; 32], ()> = TableDefinition::new("audit-by-case-2");
/// Key: case id. Value: review-queue record (JSON) of a semantic conflict.
pub const REVIEW: TableDefinition<&[u8; 16], &[u8]> = TableDefinition::new("review-1");
/// Key: (origin, seq, entry hash). Value: a second, different validly signed record at an
/// (origin, seq) already held in [`AUDIT`]: equivocation evidence, kept forever.
#[allow(clippy::type_complexity)]
pub const AUDIT_FORKS: TableDefinition<(&[u8; 32], u64, &[u8; 32]), &[u8]> =
    TableDefinition::new("audit-forks-1");
/// Key: peer node key. Value: the peer's change-feed seq up to which everything it sent is
/// durable here (sync resumes after it).
pub const SYNC_CHECKPOINTS: TableDefinition<&[u8; 32], u64> =
    TableDefinition::new("sync-checkpoints-1");
/// Key: (peer node key, case id). Value: `local feed seq (u64 BE) ‖ heads (32·n)`: the heads the
/// peer is known to hold, and the local feed seq at which that was exactly the local state
/// (0 when the local doc had more). Sync skips a feed entry whose seq matches, and otherwise
/// sends only the changes after these heads.
pub const PEER_HEADS: TableDefinition<(&[u8; 32], &[u8; 16]), &[u8]> =
    TableDefinition::new("peer-heads-1");
/// Key: (origin, size). Value: a node-signed checkpoint note (audit.md §3), UTF-8 text.
pub const AUDIT_CHECKPOINTS: TableDefinition<(&[u8; 32], u64), &[u8]> =
    TableDefinition::new("audit-checkpoints-1");
/// Key: (origin, size, witness key). Value: `time u64 BE ‖ ed25519 signature(64)`, a witness
/// cosignature over the checkpoint note at (origin, size).
#[allow(clippy::type_complexity)]
pub const AUDIT_COSIGS: TableDefinition<(&[u8; 32], u64, &[u8; 32]), &[u8]> =
    TableDefinition::new("audit-cosigs-1");
/// Witness state per origin (hub side): `size u64 BE ‖ compact Merkle range (32·n)`, the
/// largest consistent size this node has cosigned.
pub const AUDIT_WITNESS: TableDefinition<&[u8; 32], &[u8]> =
    TableDefinition::new("audit-witness-1");
/// Key: (origin, blake3 of the evidence). Value: evidence JSON of a checkpoint the witness
/// refused (both signed artefacts), kept forever.
pub const AUDIT_EVIDENCE: TableDefinition<(&[u8; 32], &[u8; 32]), &[u8]> =
    TableDefinition::new("audit-evidence-1");
/// Key: (sending peer, case id). Value: a received case that was not merged, with the reason
/// (see `ingest/quarantine.rs` for the layout). Bounded by `quarantine::MAX_ROWS`.
pub const QUARANTINE: TableDefinition<(&[u8; 32], &[u8; 16]), &[u8]> =
    TableDefinition::new("quarantine-1");

/// The value type of [`AUDIT`]: a compact audit row, which only `audit::stored` can turn into a
/// record (so no reader mistakes it for `body ‖ signature`).
#[derive(Debug)]
pub struct CompactRecord;

/// A compact audit row's bytes (see `chain::compact`).
#[derive(Clone, Copy, Debug)]
pub struct CompactRow<'a>(pub &'a [u8]);

impl redb::Value for CompactRecord {
    type SelfType<'a>
        = CompactRow<'a>
    where
        Self: 'a;
    type AsBytes<'a>
        = &'a [u8]
    where
        Self: 'a;

    fn fixed_width() -> Option<usize> {
        None
    }

    fn from_bytes<'a>(data: &'a [u8]) -> CompactRow<'a>
    where
        Self: 'a,
    {
        CompactRow(data)
    }

    fn as_bytes<'a, 'b: 'a>(value: &'a CompactRow<'b>) -> &'a [u8]
    where
        Self: 'b,
    {
        value.0
    }

    fn type_name() -> redb::TypeName {
        redb::TypeName::new("hoso::CompactRecord")
    }
}

/// Key: blake3 hash (hex) of a session token. Value: [`SessionRecord`](crate::session::SessionRecord) (JSON).
pub(crate) const SESSIONS: TableDefinition<&str, &[u8]> = TableDefinition::new("sessions-1");
/// Key: an officer id as typed at a login. Value: [`Failures`](crate::session::Failures) (JSON).
pub(crate) const LOGIN_FAILURES: TableDefinition<&str, &[u8]> =
    TableDefinition::new("login-failures-1");

/// The value type of [`CASES`]: a summary row, which only `summaries` reads (so no reader
/// mistakes it for JSON).
#[derive(Debug)]
pub struct SummaryRecord;

/// A summary row's bytes (see `summaries`).
#[derive(Clone, Copy, Debug)]
pub struct SummaryRow<'a>(pub(crate) &'a [u8]);

impl redb::Value for SummaryRecord {
    type SelfType<'a>
        = SummaryRow<'a>
    where
        Self: 'a;
    type AsBytes<'a>
        = &'a [u8]
    where
        Self: 'a;

    fn fixed_width() -> Option<usize> {
        None
    }

    fn from_bytes<'a>(data: &'a [u8]) -> SummaryRow<'a>
    where
        Self: 'a,
    {
        SummaryRow(data)
    }

    fn as_bytes<'a, 'b: 'a>(value: &'a SummaryRow<'b>) -> &'a [u8]
    where
        Self: 'b,
    {
        value.0
    }

    fn type_name() -> redb::TypeName {
        redb::TypeName::new("hoso::SummaryRecord")
    }
}
