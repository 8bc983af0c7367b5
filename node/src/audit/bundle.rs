//! Evidence bundles (`hoso audit export` / `hoso audit verify --bundle F`): one self-contained
//! file an auditor verifies offline on a machine that has nothing else.
//!
//! Format v1 (integers big-endian):
//!
//! ```text
//! magic   "HOSO-AUDIT-BUNDLE\n" (18 bytes)
//! version u16 = 1
//! records tag u8 ‖ len u32 ‖ data[len], repeated
//! end     tag 0xFF ‖ len 8 ‖ u64 number of records before it
//! ```
//!
//! | tag | record | data |
//! |---|---|---|
//! | 1 | realm (exactly one, first) | 16 bytes |
//! | 2 | enrolled node | node key (32) |
//! | 3 | audit entry | origin (32) ‖ seq u64 ‖ `body ‖ signature` |
//! | 4 | payload | entry hash (32) ‖ JSON |
//! | 5 | equivocation evidence | origin ‖ seq ‖ the other record |
//! | 6 | checkpoint | origin ‖ size u64 ‖ node-signed note text |
//! | 7 | cosignature | origin ‖ size ‖ witness (32) ‖ time u64 ‖ signature (64) |
//! | 8 | witness evidence | origin ‖ JSON |
//! | 9 | case document | case id (16) ‖ Automerge `save()` bytes |
//! | 10 | export info | JSON (who, when; informational, not trusted) |
//!
//! There is no bundle-wide checksum on purpose: every part authenticates itself (signed entries
//! and notes, documents accounted by change hashes, payloads by `payload_hash`), so an edit is
//! reported where it is. Decoding is bounded: sizes are checked before allocating, duplicate
//! keys and unknown tags are errors, and the end record must count every record.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;

use redb::{Database, ReadableDatabase, ReadableTable};
use serde::Serialize;

use crate::audit::source::{AuditSource, DbSource, DocBytes, ForkRecord, RecordVisitor};
use crate::audit::verify::{Finding, Policy, Report, verify};
use crate::chain::entry::MAX_RECORD_LEN;
use crate::error::{AuditError, NodeError, Result};
use crate::ids::{CaseId, NodeId};
use crate::store::tables::*;

/// File magic.
pub const MAGIC: &[u8; 18] = b"HOSO-AUDIT-BUNDLE\n";
/// Format version.
pub const BUNDLE_VERSION: u16 = 1;
/// Largest case document accepted.
pub const MAX_DOC: usize = 64 << 20;
/// Largest payload or evidence record accepted.
pub const MAX_BLOB: usize = 1 << 20;
/// Most records in one bundle.
pub const MAX_RECORDS: u64 = 200_000_000;
/// Largest bundle file.
pub const MAX_BUNDLE: u64 = 16 << 30;

const T_REALM: u8 = 1;
const T_NODE: u8 = 2;
const T_ENTRY: u8 = 3;
const T_PAYLOAD: u8 = 4;
const T_FORK: u8 = 5;
const T_CHECKPOINT: u8 = 6;
const T_COSIG: u8 = 7;
const T_EVIDENCE: u8 = 8;
const T_DOC: u8 = 9;
const T_INFO: u8 = 10;
const T_END: u8 = 0xff;

/// Why a bundle does not decode.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("evidence bundle is malformed at byte {offset}: {what}")]
pub struct BundleError {
    /// Offset of the record.
    pub offset: u64,
    /// What is wrong.
    pub what: String,
}

/// A decoded bundle: everything verification needs.
#[derive(Clone, Debug, Default)]
pub struct Bundle {
    /// Deployment id.
    pub realm: [u8; 16],
    /// Enrolled node keys.
    pub nodes: BTreeSet<NodeId>,
    /// Chains: origin → seq → record.
    pub entries: BTreeMap<NodeId, BTreeMap<u64, Vec<u8>>>,
    /// Payloads by entry hash.
    pub payloads: HashMap<[u8; 32], Vec<u8>>,
    /// Equivocation evidence.
    pub forks: Vec<ForkRecord>,
    /// Checkpoint notes by (origin, size).
    pub checkpoints: BTreeMap<(NodeId, u64), Vec<u8>>,
    /// Cosignature values by (origin, size, witness).
    pub cosigs: BTreeMap<(NodeId, u64, NodeId), Vec<u8>>,
    /// Witness evidence.
    pub evidence: Vec<(NodeId, Vec<u8>)>,
    /// Case documents (`save()` bytes).
    pub docs: BTreeMap<CaseId, Vec<u8>>,
    /// Export info (not trusted).
    pub info: Option<serde_json::Value>,
}

/// What an export wrote.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ExportSummary {
    /// Chains.
    pub chains: u64,
    /// Entries.
    pub entries: u64,
    /// Case documents.
    pub cases: u64,
    /// Checkpoints.
    pub checkpoints: u64,
    /// Bytes written.
    pub bytes: u64,
}

struct Writer<W: Write> {
    out: W,
    records: u64,
    bytes: u64,
}

impl<W: Write> Writer<W> {
    fn record(&mut self, tag: u8, parts: &[&[u8]]) -> Result<()> {
        let len: usize = parts.iter().map(|p| p.len()).sum();
        let len32 = u32::try_from(len).map_err(|_| AuditError::BundleRecordTooLarge)?;
        let io = |e: std::io::Error| NodeError::io(std::path::Path::new("audit bundle"), e);
        self.out.write_all(&[tag]).map_err(io)?;
        self.out.write_all(&len32.to_be_bytes()).map_err(io)?;
        for p in parts {
            self.out.write_all(p).map_err(io)?;
        }
        self.records += 1;
        self.bytes += 5 + len as u64;
        Ok(())
    }
}

/// Writes a bundle of everything `db` holds: every chain, payload, fork record, checkpoint,
/// cosignature, witness evidence and case document.
pub fn export(
    db: &Database,
    realm: [u8; 16],
    exporter: &NodeId,
    out: impl Write,
) -> Result<ExportSummary> {
    export_with_info(db, realm, exporter, None, out)
}

/// [`export`], with `extra` merged into the export info record (informational, not trusted:
/// e.g. the scope an auditor exported for, see [`crate::audit::search::ExportScope`]).
pub fn export_with_info(
    db: &Database,
    realm: [u8; 16],
    exporter: &NodeId,
    extra: Option<serde_json::Value>,
    out: impl Write,
) -> Result<ExportSummary> {
    let mut w = Writer {
        out,
        records: 0,
        bytes: 0,
    };
    let io = |e: std::io::Error| NodeError::io(std::path::Path::new("audit bundle"), e);
    w.out.write_all(MAGIC).map_err(io)?;
    w.out.write_all(&BUNDLE_VERSION.to_be_bytes()).map_err(io)?;
    w.bytes += 20;
    let mut sum = ExportSummary::default();
    w.record(T_REALM, &[&realm])?;
    let src = DbSource { db, realm };
    let origins = src.origins()?;
    let mut nodes: BTreeSet<NodeId> = origins.iter().copied().collect();
    nodes.insert(*exporter);
    for n in &nodes {
        w.record(T_NODE, &[&n.0])?;
    }
    let mut info = serde_json::json!({
        "exported_by": exporter,
        "exported_at": chrono::Utc::now().to_rfc3339(),
        "hoso": env!("CARGO_PKG_VERSION"),
    });
    if let (Some(serde_json::Value::Object(extra)), Some(obj)) = (extra, info.as_object_mut()) {
        obj.extend(extra);
    }
    w.record(T_INFO, &[&serde_json::to_vec(&info).unwrap_or_default()])?;
    let rtx = db.begin_read()?;
    let audit = crate::audit::stored::read(&rtx)?;
    for o in &origins {
        sum.chains += 1;
        audit.each_or_raw(&o.0, 0, u64::MAX, |seq, x| {
            let (rec, payload) = match &x {
                Ok(x) => (x.record.as_slice(), x.payload.as_deref()),
                Err(raw) => (*raw, None),
            };
            w.record(T_ENTRY, &[&o.0, &seq.to_be_bytes(), rec])?;
            sum.entries += 1;
            if let Some(p) = payload {
                let h = crate::audit::witness::record_hash(rec);
                w.record(T_PAYLOAD, &[&h, p])?;
            }
            Ok(true)
        })?;
    }
    for f in src.forks()? {
        w.record(T_FORK, &[&f.origin.0, &f.seq.to_be_bytes(), &f.record])?;
    }
    for row in rtx.open_table(AUDIT_CHECKPOINTS)?.iter()? {
        let (k, v) = row?;
        let (o, size) = k.value();
        w.record(T_CHECKPOINT, &[o, &size.to_be_bytes(), v.value()])?;
        sum.checkpoints += 1;
    }
    for row in rtx.open_table(AUDIT_COSIGS)?.iter()? {
        let (k, v) = row?;
        let (o, size, wit) = k.value();
        w.record(T_COSIG, &[o, &size.to_be_bytes(), wit, v.value()])?;
    }
    for (o, ev) in src.evidence()? {
        w.record(T_EVIDENCE, &[&o.0, &ev])?;
    }
    for case in src.case_ids()? {
        let Some(d) = src.doc(&case)? else { continue };
        let saved = if d.chunks.is_empty() {
            d.saved
        } else {
            crate::case::doc::load_stored(&d.saved, &d.chunks)
                .map_err(|detail| crate::store::error::StoreError::DamagedCase { case, detail })?
                .save()
        };
        w.record(T_DOC, &[&case.0, &saved])?;
        sum.cases += 1;
    }
    let n = w.records;
    w.record(T_END, &[&n.to_be_bytes()])?;
    w.out.flush().map_err(io)?;
    sum.bytes = w.bytes;
    Ok(sum)
}

fn arr<const N: usize>(b: &[u8]) -> [u8; N] {
    let mut a = [0u8; N];
    a.copy_from_slice(&b[..N]);
    a
}

impl Bundle {
    /// Decodes a bundle strictly. The input is untrusted: every length is bounded before use.
    pub fn decode(bytes: &[u8]) -> std::result::Result<Bundle, BundleError> {
        let err = |offset: usize, what: &str| BundleError {
            offset: offset as u64,
            what: what.to_string(),
        };
        if bytes.len() as u64 > MAX_BUNDLE {
            return Err(err(0, "file is larger than the bundle limit"));
        }
        if bytes.len() < 20 || &bytes[..18] != MAGIC {
            return Err(err(0, "not a hoso evidence bundle (bad magic)"));
        }
        let version = u16::from_be_bytes([bytes[18], bytes[19]]);
        if version != BUNDLE_VERSION {
            return Err(err(18, &format!("unsupported bundle version {version}")));
        }
        let mut b = Bundle::default();
        let mut pos = 20usize;
        let mut count = 0u64;
        let mut realm_seen = false;
        loop {
            let at = pos;
            let head = bytes
                .get(pos..pos + 5)
                .ok_or_else(|| err(at, "truncated: no end record"))?;
            let tag = head[0];
            let len = u32::from_be_bytes(arr(&head[1..5])) as usize;
            let max = match tag {
                T_REALM => 16,
                T_NODE => 32,
                T_ENTRY | T_FORK => 40 + MAX_RECORD_LEN,
                T_PAYLOAD => 32 + MAX_BLOB,
                T_CHECKPOINT => 40 + crate::chain::checkpoint::MAX_NOTE_LEN,
                T_COSIG => 40 + 32 + 72,
                T_EVIDENCE => 32 + MAX_BLOB,
                T_DOC => 16 + MAX_DOC,
                T_INFO => MAX_BLOB,
                T_END => 8,
                _ => return Err(err(at, &format!("unknown record tag {tag}"))),
            };
            if len > max {
                return Err(err(
                    at,
                    &format!("record of tag {tag} is over its size limit"),
                ));
            }
            let data = bytes
                .get(pos + 5..pos + 5 + len)
                .ok_or_else(|| err(at, "truncated record"))?;
            pos += 5 + len;
            let need = |n: usize| {
                if data.len() < n {
                    Err(err(at, &format!("record of tag {tag} is too short")))
                } else {
                    Ok(())
                }
            };
            if !realm_seen && tag != T_REALM {
                return Err(err(at, "the realm record must come first"));
            }
            match tag {
                T_END => {
                    need(8)?;
                    if u64::from_be_bytes(arr(data)) != count {
                        return Err(err(
                            at,
                            "record count does not match (records added or removed)",
                        ));
                    }
                    if pos != bytes.len() {
                        return Err(err(pos, "bytes after the end record"));
                    }
                    return Ok(b);
                }
                T_REALM => {
                    need(16)?;
                    if realm_seen {
                        return Err(err(at, "second realm record"));
                    }
                    realm_seen = true;
                    b.realm = arr(data);
                }
                T_NODE => {
                    need(32)?;
                    if !b.nodes.insert(NodeId(arr(data))) {
                        return Err(err(at, "node listed twice"));
                    }
                }
                T_ENTRY | T_FORK => {
                    need(40)?;
                    let origin = NodeId(arr(data));
                    let seq = u64::from_be_bytes(arr(&data[32..]));
                    let rec = data[40..].to_vec();
                    if tag == T_ENTRY {
                        if b.entries
                            .entry(origin)
                            .or_default()
                            .insert(seq, rec)
                            .is_some()
                        {
                            return Err(err(at, "two entries for one (origin, seq)"));
                        }
                    } else {
                        b.forks.push(ForkRecord {
                            origin,
                            seq,
                            record: rec,
                        });
                    }
                }
                T_PAYLOAD => {
                    need(32)?;
                    if b.payloads.insert(arr(data), data[32..].to_vec()).is_some() {
                        return Err(err(at, "payload listed twice"));
                    }
                }
                T_CHECKPOINT => {
                    need(40)?;
                    let key = (NodeId(arr(data)), u64::from_be_bytes(arr(&data[32..])));
                    if b.checkpoints.insert(key, data[40..].to_vec()).is_some() {
                        return Err(err(at, "checkpoint listed twice"));
                    }
                }
                T_COSIG => {
                    need(40 + 32 + 72)?;
                    let key = (
                        NodeId(arr(data)),
                        u64::from_be_bytes(arr(&data[32..])),
                        NodeId(arr(&data[40..])),
                    );
                    if b.cosigs.insert(key, data[72..].to_vec()).is_some() {
                        return Err(err(at, "cosignature listed twice"));
                    }
                }
                T_EVIDENCE => {
                    need(32)?;
                    b.evidence.push((NodeId(arr(data)), data[32..].to_vec()));
                }
                T_DOC => {
                    need(16)?;
                    if b.docs
                        .insert(CaseId(arr(data)), data[16..].to_vec())
                        .is_some()
                    {
                        return Err(err(at, "case document listed twice"));
                    }
                }
                T_INFO => {
                    b.info = serde_json::from_slice(data).ok();
                }
                _ => return Err(err(at, "unknown record tag")),
            }
            count += 1;
            if count > MAX_RECORDS {
                return Err(err(at, "too many records"));
            }
        }
    }
}

impl AuditSource for Bundle {
    fn realm(&self) -> [u8; 16] {
        self.realm
    }
    fn origins(&self) -> Result<Vec<NodeId>> {
        let mut o: BTreeSet<NodeId> = self.entries.keys().copied().collect();
        o.extend(self.checkpoints.keys().map(|k| k.0));
        Ok(o.into_iter().collect())
    }
    fn records(&self, origin: &NodeId, f: &mut RecordVisitor<'_>) -> Result<()> {
        if let Some(c) = self.entries.get(origin) {
            for (seq, rec) in c {
                let h = crate::audit::witness::record_hash(rec);
                f(*seq, rec, self.payloads.get(&h).map(Vec::as_slice));
            }
        }
        Ok(())
    }
    fn forks(&self) -> Result<Vec<ForkRecord>> {
        Ok(self.forks.clone())
    }
    fn checkpoints(&self, origin: &NodeId) -> Result<Vec<(u64, Vec<u8>)>> {
        Ok(self
            .checkpoints
            .range((*origin, 0)..=(*origin, u64::MAX))
            .map(|(k, v)| (k.1, v.clone()))
            .collect())
    }
    fn cosignatures(&self, origin: &NodeId, size: u64) -> Result<Vec<(NodeId, Vec<u8>)>> {
        Ok(self
            .cosigs
            .range((*origin, size, NodeId([0; 32]))..=(*origin, size, NodeId([0xff; 32])))
            .map(|(k, v)| (k.2, v.clone()))
            .collect())
    }
    fn evidence(&self) -> Result<Vec<(NodeId, Vec<u8>)>> {
        Ok(self.evidence.clone())
    }
    fn case_ids(&self) -> Result<Vec<CaseId>> {
        Ok(self.docs.keys().copied().collect())
    }
    fn doc(&self, case: &CaseId) -> Result<Option<DocBytes>> {
        Ok(self.docs.get(case).map(|d| DocBytes {
            saved: d.clone(),
            chunks: Vec::new(),
        }))
    }
    fn roster(&self) -> Option<BTreeSet<NodeId>> {
        Some(self.nodes.clone())
    }
}

/// Verifies bundle bytes: a malformed bundle is itself a finding (`MalformedBundle`).
pub fn verify_bundle(bytes: &[u8], policy: &Policy) -> Result<Report> {
    match Bundle::decode(bytes) {
        Ok(b) => verify(&b, policy),
        Err(e) => {
            let f = Finding::MalformedBundle {
                offset: e.offset,
                what: e.what,
            };
            Ok(Report {
                ok: false,
                realm: String::new(),
                chains: Vec::new(),
                entries: 0,
                cases: 0,
                changes: 0,
                checkpoints: 0,
                cosignatures: 0,
                first_bad: Some(crate::audit::verify::FirstBad {
                    origin: None,
                    seq: None,
                    check: f.check(),
                    what: f.to_string(),
                }),
                findings: vec![f],
                notices: Vec::new(),
            })
        }
    }
}
