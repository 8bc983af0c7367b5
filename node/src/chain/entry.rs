//! The audit entry, binary v1 (audit.md §3): a hand-written, canonical encoding that is hashed
//! and signed as stored. Never re-serialise a struct to check a signature: verify the bytes.
//!
//! Layout of the body (integers big-endian, fixed width):
//!
//! | field | bytes |
//! |---|---|
//! | version | u8 = 1 |
//! | realm | 16 |
//! | origin | 32 (the node key) |
//! | seq | u64 |
//! | epoch | u32 |
//! | prev | 32 (entry hash of seq − 1, zero at genesis) |
//! | `time_ms` | i64 |
//! | `anchor_size`, `anchor_cosig` | u64, 32 |
//! | officer | u8 length + ASCII |
//! | action | u16 |
//! | `case_id` | 16 |
//! | actor | 16 |
//! | `heads_before` | u16 count + 32·n, sorted, unique |
//! | changes | u16 count + 32·n, unique |
//! | `payload_hash`, `payload_len` | 32, u32 |
//!
//! The stored record is `body ‖ signature(64)`.

use crate::identity::{NodeKey, verify};
use crate::ids::{CaseId, NodeId};

/// Format version of the body.
pub const VERSION: u8 = 1;
/// blake3 derive-key context of the entry hash.
pub const ENTRY_HASH_CONTEXT: &str = "hoso 2026-11 audit entry v1";
/// blake3 derive-key context of the payload hash.
pub const PAYLOAD_HASH_CONTEXT: &str = "hoso 2026-11 audit payload v1";
/// Prefix of the signed message.
pub const SIGNATURE_CONTEXT: &[u8] = b"hoso/audit/entry/v1\0";
/// Most hashes one list may hold.
pub const MAX_HASHES: usize = 1024;
/// Longest officer id.
pub const MAX_OFFICER_LEN: usize = 64;
/// Largest stored record.
pub const MAX_RECORD_LEN: usize = FIXED_LEN + MAX_OFFICER_LEN + 2 * 32 * MAX_HASHES + 64;
const FIXED_LEN: usize = 1 + 16 + 32 + 8 + 4 + 32 + 8 + 8 + 32 + 1 + 2 + 16 + 16 + 2 + 2 + 32 + 4;

/// What an entry records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[repr(u16)]
pub enum Action {
    /// First entry of a chain.
    Genesis = 1,
    /// Declares the Automerge actor bound to this node and incarnation.
    ActorBind = 2,
    /// An officer account was created.
    OfficerAdd = 3,
    /// A population registry file was imported.
    RegistryImport = 4,
    /// A passphrase check failed (console or CLI login).
    LoginFailed = 5,
    /// A case was received.
    CaseCreate = 10,
    /// Fields were edited.
    FieldSet = 11,
    /// A status transition.
    Transition = 12,
    /// A note was appended.
    Note = 13,
    /// A case arrived through bulk import.
    CaseImport = 14,
    /// The result of a case or of one bundle track was recorded (issue 10).
    CaseResult = 40,
    /// A supplement request listing the missing items, with its deadline (Mẫu 02).
    SupplementRequest = 41,
    /// An apology for a late result with a new appointment date (Mẫu 04).
    Apology = 42,
    /// Remote changes were merged (a review-queue resolution, or conflict filing).
    Merge = 20,
    /// The wall clock moved backwards.
    ClockJump = 30,
    /// A payload was purged.
    Purge = 31,
    /// A fee payment was recorded on a case.
    Payment = 50,
    /// An unverified citizen was checked against a newer population extract.
    RegistryRecheck = 51,
    /// A case's due date was recomputed after a calendar change.
    DueRecompute = 52,
    /// A supervisor disabled an officer account; its sessions ended (issue 12).
    OfficerDisable = 70,
    /// An officer changed their own passphrase (issue 12).
    OfficerPasswd = 71,
    /// A supervisor set a one-time passphrase the officer must change (issue 12).
    OfficerReset = 72,
    /// A node id was retired at the hub after its commune was rebuilt with a new key (issue 12).
    NodeRetire = 73,
    /// A hub published a new catalog version (catalog, calendar, form templates; issue 12).
    CatalogPublish = 74,
    /// A commune applied a catalog version its hub published (issue 12).
    CatalogApply = 75,
    /// A supervisor moved a received case to the catalog version in force, with a reason.
    CaseRecatalog = 76,
    /// A peer was added to (or updated in) the peers file, by a supervisor.
    PeerAdd = 60,
    /// A peer was removed from the peers file, by a supervisor.
    PeerRemove = 61,
    /// `hoso check --repair` rebuilt summaries, indexes and receipts from the documents.
    StoreRepair = 62,
    /// `hoso store compact` rewrote the store file in key order (no record changed): recorded
    /// after it, by the node, with the sizes before and after.
    StoreCompact = 95,
    /// A registry-filled field was corrected by hand, with a reason (the registry evidence is
    /// kept beside the corrected value).
    FieldCorrect = 80,
}

impl Action {
    /// All actions.
    pub const ALL: [Action; 31] = [
        Action::Genesis,
        Action::ActorBind,
        Action::OfficerAdd,
        Action::RegistryImport,
        Action::LoginFailed,
        Action::CaseCreate,
        Action::FieldSet,
        Action::Transition,
        Action::Note,
        Action::CaseImport,
        Action::CaseResult,
        Action::SupplementRequest,
        Action::Apology,
        Action::Merge,
        Action::ClockJump,
        Action::Purge,
        Action::Payment,
        Action::RegistryRecheck,
        Action::DueRecompute,
        Action::OfficerDisable,
        Action::OfficerPasswd,
        Action::OfficerReset,
        Action::NodeRetire,
        Action::CatalogPublish,
        Action::CatalogApply,
        Action::CaseRecatalog,
        Action::PeerAdd,
        Action::PeerRemove,
        Action::StoreRepair,
        Action::StoreCompact,
        Action::FieldCorrect,
    ];
    /// The wire code.
    pub fn code(self) -> u16 {
        self as u16
    }
    /// The action for a wire code.
    pub fn from_code(code: u16) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.code() == code)
    }
    /// The `snake_case` name.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Genesis => "genesis",
            Action::ActorBind => "actor_bind",
            Action::OfficerAdd => "officer_add",
            Action::RegistryImport => "registry_import",
            Action::LoginFailed => "login_failed",
            Action::CaseCreate => "case_create",
            Action::FieldSet => "field_set",
            Action::Transition => "transition",
            Action::Note => "note",
            Action::CaseImport => "case_import",
            Action::CaseResult => "case_result",
            Action::SupplementRequest => "supplement_request",
            Action::Apology => "apology",
            Action::Merge => "merge",
            Action::ClockJump => "clock_jump",
            Action::Purge => "purge",
            Action::Payment => "payment",
            Action::RegistryRecheck => "registry_recheck",
            Action::DueRecompute => "due_recompute",
            Action::OfficerDisable => "officer_disable",
            Action::OfficerPasswd => "officer_passwd",
            Action::OfficerReset => "officer_reset",
            Action::NodeRetire => "node_retire",
            Action::CatalogPublish => "catalog_publish",
            Action::CatalogApply => "catalog_apply",
            Action::CaseRecatalog => "case_recatalog",
            Action::PeerAdd => "peer_add",
            Action::PeerRemove => "peer_remove",
            Action::StoreRepair => "store_repair",
            Action::StoreCompact => "store_compact",
            Action::FieldCorrect => "field_correct",
        }
    }
}

/// A decoded entry body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryBody {
    /// Deployment id.
    pub realm: [u8; 16],
    /// The node that wrote the entry.
    pub origin: NodeId,
    /// Position in the origin's chain, 0 at genesis.
    pub seq: u64,
    /// Fork id, 0 in v1.
    pub epoch: u32,
    /// Entry hash of the previous entry.
    pub prev: [u8; 32],
    /// Node clock, Unix milliseconds.
    pub time_ms: i64,
    /// Size of the newest hub-cosigned checkpoint the node held.
    pub anchor_size: u64,
    /// Hash of that cosignature.
    pub anchor_cosig: [u8; 32],
    /// The officer who acted.
    pub officer: String,
    /// What was done.
    pub action: Action,
    /// The case, or [`CaseId::NONE`].
    pub case_id: CaseId,
    /// The Automerge actor of the listed changes.
    pub actor: [u8; 16],
    /// Document heads the officer acted on (sorted, unique).
    pub heads_before: Vec<[u8; 32]>,
    /// Change hashes this action committed, in creation order.
    pub changes: Vec<[u8; 32]>,
    /// blake3 of the detail payload.
    pub payload_hash: [u8; 32],
    /// Length of the detail payload.
    pub payload_len: u32,
}

/// Why a record failed to decode.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Version byte other than 1.
    #[error("unsupported entry version {0}")]
    UnsupportedVersion(u8),
    /// The record ended early.
    #[error("entry truncated: {0}")]
    Truncated(&'static str),
    /// Over a size bound.
    #[error("entry too large: {0}")]
    TooLarge(&'static str),
    /// Not the one canonical encoding.
    #[error("non-canonical entry: {0}")]
    NonCanonical(&'static str),
}

/// Hash of a payload.
pub fn payload_hash(payload: &[u8]) -> [u8; 32] {
    blake3::derive_key(PAYLOAD_HASH_CONTEXT, payload)
}

impl EntryBody {
    /// The canonical bytes. Caller guarantees the bounds (officer length, list sizes).
    pub fn encode(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(
            FIXED_LEN + self.officer.len() + 32 * (self.heads_before.len() + self.changes.len()),
        );
        b.push(VERSION);
        b.extend_from_slice(&self.realm);
        b.extend_from_slice(&self.origin.0);
        b.extend_from_slice(&self.seq.to_be_bytes());
        b.extend_from_slice(&self.epoch.to_be_bytes());
        b.extend_from_slice(&self.prev);
        b.extend_from_slice(&self.time_ms.to_be_bytes());
        b.extend_from_slice(&self.anchor_size.to_be_bytes());
        b.extend_from_slice(&self.anchor_cosig);
        let officer = self.officer.as_bytes();
        b.push(u8::try_from(officer.len()).unwrap_or(u8::MAX));
        b.extend_from_slice(&officer[..officer.len().min(255)]);
        b.extend_from_slice(&self.action.code().to_be_bytes());
        b.extend_from_slice(&self.case_id.0);
        b.extend_from_slice(&self.actor);
        for list in [&self.heads_before, &self.changes] {
            b.extend_from_slice(&u16::try_from(list.len()).unwrap_or(u16::MAX).to_be_bytes());
            for h in list {
                b.extend_from_slice(h);
            }
        }
        b.extend_from_slice(&self.payload_hash);
        b.extend_from_slice(&self.payload_len.to_be_bytes());
        b
    }

    /// Decodes a body strictly: bounds checked before allocating, no trailing bytes,
    /// sorted unique heads, unique changes, ASCII officer, known action.
    pub fn decode(bytes: &[u8]) -> Result<EntryBody, DecodeError> {
        let mut r = Reader::new(bytes);
        let version = r.u8("version")?;
        if version != VERSION {
            return Err(DecodeError::UnsupportedVersion(version));
        }
        let realm = r.array::<16>("realm")?;
        let origin = NodeId(r.array::<32>("origin")?);
        let seq = u64::from_be_bytes(r.array("seq")?);
        let epoch = u32::from_be_bytes(r.array("epoch")?);
        let prev = r.array::<32>("prev")?;
        let time_ms = i64::from_be_bytes(r.array("time_ms")?);
        let anchor_size = u64::from_be_bytes(r.array("anchor_size")?);
        let anchor_cosig = r.array::<32>("anchor_cosig")?;
        let officer_len = usize::from(r.u8("officer length")?);
        if officer_len > MAX_OFFICER_LEN {
            return Err(DecodeError::TooLarge("officer id"));
        }
        let officer_bytes = r.take(officer_len, "officer")?;
        if !officer_bytes.iter().all(u8::is_ascii_graphic) {
            return Err(DecodeError::NonCanonical(
                "officer id is not printable ASCII",
            ));
        }
        let officer = String::from_utf8_lossy(officer_bytes).into_owned();
        let action = Action::from_code(u16::from_be_bytes(r.array("action")?))
            .ok_or(DecodeError::NonCanonical("unknown action code"))?;
        let case_id = CaseId(r.array("case_id")?);
        let actor = r.array::<16>("actor")?;
        let heads_before = r.hashes("heads_before")?;
        if heads_before.windows(2).any(|w| w[0] >= w[1]) {
            return Err(DecodeError::NonCanonical(
                "heads_before not sorted and unique",
            ));
        }
        let changes = r.hashes("changes")?;
        let mut sorted = changes.clone();
        sorted.sort_unstable();
        if sorted.windows(2).any(|w| w[0] == w[1]) {
            return Err(DecodeError::NonCanonical("changes listed twice"));
        }
        let payload_hash = r.array::<32>("payload_hash")?;
        let payload_len = u32::from_be_bytes(r.array("payload_len")?);
        if r.pos != bytes.len() {
            return Err(DecodeError::NonCanonical("trailing bytes"));
        }
        Ok(EntryBody {
            realm,
            origin,
            seq,
            epoch,
            prev,
            time_ms,
            anchor_size,
            anchor_cosig,
            officer,
            action,
            case_id,
            actor,
            heads_before,
            changes,
            payload_hash,
            payload_len,
        })
    }
}

/// A bounds-checked reader over encoded bytes (entry records here, compact rows in
/// [`super::compact`]).
pub(super) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `bytes`.
    pub(super) fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, pos: 0 }
    }
    /// Every byte was read.
    pub(super) fn at_end(&self) -> bool {
        self.pos == self.bytes.len()
    }
    /// An unsigned LEB128 varint, minimal and at most 10 bytes.
    pub(super) fn varint(&mut self, what: &'static str) -> Result<u64, DecodeError> {
        let mut v = 0u64;
        for i in 0..10 {
            let b = self.take(1, what)?[0];
            let part = u64::from(b & 0x7f);
            if i == 9 && part > 1 {
                return Err(DecodeError::NonCanonical("varint overflows"));
            }
            v |= part << (7 * i);
            if b & 0x80 == 0 {
                if b == 0 && i > 0 {
                    return Err(DecodeError::NonCanonical("varint not minimal"));
                }
                return Ok(v);
            }
        }
        Err(DecodeError::NonCanonical("varint too long"))
    }
    pub(super) fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], DecodeError> {
        let end = self
            .pos
            .checked_add(n)
            .ok_or(DecodeError::Truncated(what))?;
        let s = self
            .bytes
            .get(self.pos..end)
            .ok_or(DecodeError::Truncated(what))?;
        self.pos = end;
        Ok(s)
    }
    fn u8(&mut self, what: &'static str) -> Result<u8, DecodeError> {
        Ok(self.take(1, what)?[0])
    }
    pub(super) fn array<const N: usize>(
        &mut self,
        what: &'static str,
    ) -> Result<[u8; N], DecodeError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N, what)?);
        Ok(out)
    }
    fn hashes(&mut self, what: &'static str) -> Result<Vec<[u8; 32]>, DecodeError> {
        let n = usize::from(u16::from_be_bytes(self.array(what)?));
        if n > MAX_HASHES {
            return Err(DecodeError::TooLarge(what));
        }
        let raw = self.take(n * 32, what)?;
        Ok(raw
            .chunks_exact(32)
            .map(|c| {
                let mut h = [0u8; 32];
                h.copy_from_slice(c);
                h
            })
            .collect())
    }
}

/// A stored record: the body bytes as signed, and the signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The decoded body.
    pub body: EntryBody,
    /// The exact body bytes.
    pub body_bytes: Vec<u8>,
    /// The ed25519 signature of the origin.
    pub signature: [u8; 64],
    /// blake3 of `body_bytes` in the entry context.
    pub hash: [u8; 32],
}

impl Entry {
    /// Encodes and signs a body.
    pub fn sign(body: EntryBody, key: &NodeKey) -> Entry {
        let body_bytes = body.encode();
        let hash = blake3::derive_key(ENTRY_HASH_CONTEXT, &body_bytes);
        let signature = key.sign(SIGNATURE_CONTEXT, &hash);
        Entry {
            body,
            body_bytes,
            signature,
            hash,
        }
    }

    /// The stored record `body ‖ signature`.
    pub fn to_record(&self) -> Vec<u8> {
        let mut r = Vec::with_capacity(self.body_bytes.len() + 64);
        r.extend_from_slice(&self.body_bytes);
        r.extend_from_slice(&self.signature);
        r
    }

    /// Decodes a stored record (does not check the signature; see [`Entry::signature_ok`]).
    pub fn from_record(record: &[u8]) -> Result<Entry, DecodeError> {
        if record.len() > MAX_RECORD_LEN {
            return Err(DecodeError::TooLarge("record"));
        }
        let split = record
            .len()
            .checked_sub(64)
            .ok_or(DecodeError::Truncated("signature"))?;
        let (body_bytes, sig) = record.split_at(split);
        let body = EntryBody::decode(body_bytes)?;
        let mut signature = [0u8; 64];
        signature.copy_from_slice(sig);
        Ok(Entry {
            hash: blake3::derive_key(ENTRY_HASH_CONTEXT, body_bytes),
            body,
            body_bytes: body_bytes.to_vec(),
            signature,
        })
    }

    /// True when the origin's signature over the entry hash verifies.
    pub fn signature_ok(&self) -> bool {
        verify(
            &self.body.origin,
            SIGNATURE_CONTEXT,
            &self.hash,
            &self.signature,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn body(seq: u64, changes: usize) -> EntryBody {
        EntryBody {
            realm: [7; 16],
            origin: NodeKey::from_secret([9; 32]).id(),
            seq,
            epoch: 0,
            prev: [1; 32],
            time_ms: 1_764_300_000_000,
            anchor_size: 0,
            anchor_cosig: [0; 32],
            officer: "canbo01".into(),
            action: Action::CaseCreate,
            case_id: CaseId([3; 16]),
            actor: [4; 16],
            heads_before: vec![[5; 32], [6; 32]],
            changes: (0..changes).map(|i| [i as u8 + 10; 32]).collect(),
            payload_hash: payload_hash(b"{}"),
            payload_len: 2,
        }
    }

    #[test]
    fn round_trip_and_signature() {
        let key = NodeKey::from_secret([9; 32]);
        let e = Entry::sign(body(5, 2), &key);
        let back = Entry::from_record(&e.to_record()).expect("decodes");
        assert_eq!(back, e);
        assert!(back.signature_ok());
    }

    #[test]
    fn rejects_non_canonical() {
        let key = NodeKey::from_secret([9; 32]);
        let mut rec = Entry::sign(body(1, 1), &key).to_record();
        rec.insert(rec.len() - 64, 0);
        assert_eq!(
            Entry::from_record(&rec).map(|_| ()),
            Err(DecodeError::NonCanonical("trailing bytes"))
        );
        let mut unsorted = body(1, 1);
        unsorted.heads_before = vec![[6; 32], [5; 32]];
        let rec = Entry::sign(unsorted, &key).to_record();
        assert!(matches!(
            Entry::from_record(&rec),
            Err(DecodeError::NonCanonical(_))
        ));
        assert!(matches!(
            Entry::from_record(&[1u8; 10]),
            Err(DecodeError::Truncated(_))
        ));
    }

    proptest! {
        #[test]
        fn any_single_byte_flip_is_detected(pos in 0usize..400, bit in 0u8..8) {
            let key = NodeKey::from_secret([9; 32]);
            let rec = Entry::sign(body(3, 2), &key).to_record();
            let pos = pos % rec.len();
            let mut bad = rec.clone();
            bad[pos] ^= 1 << bit;
            match Entry::from_record(&bad) {
                Err(_) => {}
                Ok(e) => prop_assert!(!e.signature_ok(), "flip at {} undetected", pos),
            }
        }
    }
}
