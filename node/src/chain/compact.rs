//! The compact stored form of an audit record (store format 3, table `audit-2`).
//!
//! A record is stored without what its key or the store already says, and the exact signed
//! bytes `body ‖ signature` are rebuilt from it on every read ([`expand`]); the entry hash and
//! signature then check as before, so nothing about what was signed changes. Left out:
//!
//! - the version byte (always 1), the origin and seq (the row's key);
//! - the realm, when it is the origin's (kept once per origin in the store's dictionary);
//! - the Automerge actor, as an index into the origin's actors (at most [`MAX_ACTORS`], then
//!   inline), or nothing when it is zero;
//! - the anchor (size, cosignature hash): nothing when zero, else the size and an index into
//!   the cosignature hashes held for that (origin, size) (at most [`MAX_COSIGS`], then inline);
//! - the case id when it is [`CaseId::NONE`];
//! - the payload hash and length when the payload itself is stored in the row (they are
//!   recomputed from it); a record held without its payload keeps both.
//!
//! Integers are LEB128 varints; the flags byte says which fields are present. The decoder is
//! strict (no trailing bytes, bounded counts) and never trusts the dictionary blindly: an index
//! it does not hold is a decode error, and the rebuilt bytes must still decode as a canonical
//! entry body ([`EntryBody::decode`]).
//!
//! Two rarer forms hang off the extension byte (`F_EXT`): a record that is not a canonical
//! entry of its (origin, seq) — which only a damaged or tampered store holds — is kept
//! **raw** (`E_RAW`: varint length, the bytes as given, then the payload if `F_PAYLOAD`), so
//! that verification reports it exactly as it is; and a payload that does not hash to the
//! entry's payload hash is kept beside the explicit hash (`E_PAYLOAD_EXPLICIT`), so that
//! verification reports the mismatch.
//!
//! | field | bytes |
//! |---|---|
//! | flags | u8 (see `F_*`) |
//! | ext | u8, if `F_EXT` (see `E_*`) |
//! | realm | 16, if `F_REALM` |
//! | epoch | varint, if `E_EPOCH` |
//! | prev | 32 |
//! | time_ms | zigzag varint |
//! | anchor | if `F_ANCHOR_DICT`: varint size, varint index; if `F_ANCHOR_INLINE`: u64 BE, 32 |
//! | officer | u8 length + ASCII |
//! | action | varint |
//! | case_id | 16, unless `F_NO_CASE` |
//! | actor | if `F_ACTOR_DICT`: varint index; if `F_ACTOR_INLINE`: 16 |
//! | heads_before, changes | varint count + 32·n each |
//! | payload | if `E_DEFLATE` (with `F_PAYLOAD`): varint length, varint deflated length + raw DEFLATE bytes; if `E_DEFLATE_DICT` (with `F_PAYLOAD`, store format 4): the same, deflated with the preset payload dictionary; if `E_PAYLOAD_EXPLICIT`: payload_hash 32, varint length, then the payload as varint length + bytes; else if `F_PAYLOAD`: varint length + bytes; else payload_hash 32, varint length |
//! | signature | 64 |

use crate::chain::entry::{
    DecodeError, Entry, EntryBody, MAX_HASHES, MAX_OFFICER_LEN, Reader, VERSION, payload_hash,
};
use crate::ids::CaseId;

/// Most actors kept per origin in the dictionary; more are stored inline.
pub const MAX_ACTORS: usize = 16;
/// Most cosignature hashes kept per (origin, anchor size); more are stored inline.
pub const MAX_COSIGS: usize = 16;
/// Largest payload stored in a row (larger ones are refused on write by the callers' bounds;
/// here it bounds what a decode allocates).
pub const MAX_PAYLOAD: usize = 16 * 1024 * 1024;

const F_REALM: u8 = 1;
const F_EXT: u8 = 1 << 1;
const F_ANCHOR_DICT: u8 = 1 << 2;
const F_ANCHOR_INLINE: u8 = 1 << 3;
const F_NO_CASE: u8 = 1 << 4;
const F_ACTOR_DICT: u8 = 1 << 5;
const F_ACTOR_INLINE: u8 = 1 << 6;
const F_PAYLOAD: u8 = 1 << 7;
const E_EPOCH: u8 = 1;
const E_RAW: u8 = 1 << 1;
const E_PAYLOAD_EXPLICIT: u8 = 1 << 2;
const E_DEFLATE: u8 = 1 << 3;
/// The payload is deflated with [`PAYLOAD_DICTIONARY`] preset (store format 4).
const E_DEFLATE_DICT: u8 = 1 << 4;
/// The preset dictionary of `E_DEFLATE_DICT` payloads: payloads of each kind of entry of a
/// sample node (made by `payload_dictionary_from_the_sample_node` in
/// `node/tests/node/pack_cases.rs`). Part of the format: never edited, a better one gets a new
/// flag.
const PAYLOAD_DICTIONARY: &[u8] = include_bytes!("payload_dict.bin");
/// Payloads shorter than this are stored as they are (deflate would not pay).
const DEFLATE_FROM: usize = 96;
/// Payloads shorter than this are stored as they are, even with the preset dictionary.
const DEFLATE_FROM_DICT: usize = 24;

/// What the store keeps once per origin (and per anchor size) for its compact records.
pub trait Dictionary {
    /// The realm of the origin's chain, if recorded.
    fn realm(&self) -> Option<[u8; 16]>;
    /// The origin's actors, in the order they were first seen.
    fn actors(&self) -> &[[u8; 16]];
    /// The cosignature hashes seen for an anchor size of this origin, in order.
    fn cosigs(&self, size: u64) -> Result<Vec<[u8; 32]>, DecodeError>;
}

/// What an encode adds to the dictionary (the caller stores it with the row).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DictionaryAdditions {
    /// The origin's realm, when the dictionary had none.
    pub realm: Option<[u8; 16]>,
    /// An actor appended to the origin's list.
    pub actor: Option<[u8; 16]>,
    /// A cosignature hash appended to the list of this anchor size.
    pub cosig: Option<(u64, [u8; 32])>,
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// Encodes `e` (and its payload, when held) for the row at (origin, seq), against the origin's
/// dictionary. Returns the row and what the dictionary must gain.
pub fn compact(
    e: &Entry,
    payload: Option<&[u8]>,
    dict: &dyn Dictionary,
) -> Result<(Vec<u8>, DictionaryAdditions), DecodeError> {
    let packed = pack_payload(e, payload);
    compact_packed(e, &packed, payload, dict)
}

/// The payload part of an entry's compact row ([`compact`]): it needs only the entry and its
/// payload, not the store's dictionary, so a grouped ingest works it out (deflating the
/// payload) on its decoding workers, before the writer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackedPayload {
    /// The hash of the entry it was worked out for.
    entry: [u8; 32],
    flags: u8,
    ext: u8,
    bytes: Vec<u8>,
}

/// [`PackedPayload`] of `e` with `payload` (when held).
pub fn pack_payload(e: &Entry, payload: Option<&[u8]>) -> PackedPayload {
    let b = &e.body;
    let mut flags = 0u8;
    let mut ext = 0u8;
    let mut out = Vec::new();
    match payload {
        Some(p)
            if payload_hash(p) == b.payload_hash
                && u32::try_from(p.len()).ok() == Some(b.payload_len) =>
        {
            flags |= F_PAYLOAD;
            match deflate(p) {
                Some((z, with_dictionary)) => {
                    ext |= if with_dictionary {
                        E_DEFLATE_DICT
                    } else {
                        E_DEFLATE
                    };
                    put_varint(&mut out, p.len() as u64);
                    put_varint(&mut out, z.len() as u64);
                    out.extend_from_slice(&z);
                }
                None => {
                    put_varint(&mut out, p.len() as u64);
                    out.extend_from_slice(p);
                }
            }
        }
        Some(p) => {
            ext |= E_PAYLOAD_EXPLICIT;
            out.extend_from_slice(&b.payload_hash);
            put_varint(&mut out, u64::from(b.payload_len));
            put_varint(&mut out, p.len() as u64);
            out.extend_from_slice(p);
        }
        None => {
            out.extend_from_slice(&b.payload_hash);
            put_varint(&mut out, u64::from(b.payload_len));
        }
    }
    PackedPayload {
        entry: e.hash,
        flags,
        ext,
        bytes: out,
    }
}

/// [`compact`] with the payload part already worked out by [`pack_payload`] (the same row,
/// byte for byte). A part worked out for another entry is not used: `payload` is packed again.
pub fn compact_packed(
    e: &Entry,
    packed: &PackedPayload,
    payload: Option<&[u8]>,
    dict: &dyn Dictionary,
) -> Result<(Vec<u8>, DictionaryAdditions), DecodeError> {
    if packed.entry != e.hash {
        return compact(e, payload, dict);
    }
    let b = &e.body;
    let mut add = DictionaryAdditions::default();
    let mut flags = 0u8;
    let mut ext = 0u8;
    let mut out = Vec::with_capacity(e.body_bytes.len() + packed.bytes.len());
    out.push(0);
    out.push(0);
    match dict.realm() {
        Some(r) if r == b.realm => {}
        None => add.realm = Some(b.realm),
        Some(_) => {
            flags |= F_REALM;
            out.extend_from_slice(&b.realm);
        }
    }
    if b.epoch != 0 {
        ext |= E_EPOCH;
        put_varint(&mut out, u64::from(b.epoch));
    }
    out.extend_from_slice(&b.prev);
    put_varint(&mut out, zigzag(b.time_ms));
    if b.anchor_size != 0 || b.anchor_cosig != [0; 32] {
        let known = dict.cosigs(b.anchor_size)?;
        let idx = match known.iter().position(|c| *c == b.anchor_cosig) {
            Some(i) => Some(i),
            None if known.len() < MAX_COSIGS => {
                add.cosig = Some((b.anchor_size, b.anchor_cosig));
                Some(known.len())
            }
            None => None,
        };
        match idx {
            Some(i) => {
                flags |= F_ANCHOR_DICT;
                put_varint(&mut out, b.anchor_size);
                put_varint(&mut out, i as u64);
            }
            None => {
                flags |= F_ANCHOR_INLINE;
                out.extend_from_slice(&b.anchor_size.to_be_bytes());
                out.extend_from_slice(&b.anchor_cosig);
            }
        }
    }
    let officer = b.officer.as_bytes();
    if officer.len() > MAX_OFFICER_LEN {
        return Err(DecodeError::TooLarge("officer id"));
    }
    out.push(officer.len() as u8);
    out.extend_from_slice(officer);
    put_varint(&mut out, u64::from(b.action.code()));
    if b.case_id == CaseId::NONE {
        flags |= F_NO_CASE;
    } else {
        out.extend_from_slice(&b.case_id.0);
    }
    if b.actor != [0; 16] {
        let known = dict.actors();
        let idx = match known.iter().position(|a| *a == b.actor) {
            Some(i) => Some(i),
            None if known.len() < MAX_ACTORS => {
                add.actor = Some(b.actor);
                Some(known.len())
            }
            None => None,
        };
        match idx {
            Some(i) => {
                flags |= F_ACTOR_DICT;
                put_varint(&mut out, i as u64);
            }
            None => {
                flags |= F_ACTOR_INLINE;
                out.extend_from_slice(&b.actor);
            }
        }
    }
    for list in [&b.heads_before, &b.changes] {
        put_varint(&mut out, list.len() as u64);
        for h in list {
            out.extend_from_slice(h);
        }
    }
    flags |= packed.flags;
    ext |= packed.ext;
    out.extend_from_slice(&packed.bytes);
    out.extend_from_slice(&e.signature);
    if ext == 0 {
        out.remove(1);
    } else {
        flags |= F_EXT;
        out[1] = ext;
    }
    out[0] = flags;
    Ok((out, add))
}

/// The raw form of a record that is not a canonical entry of its (origin, seq): kept byte for
/// byte, with its payload as given.
pub fn raw(record: &[u8], payload: Option<&[u8]>) -> Vec<u8> {
    let mut out = Vec::with_capacity(record.len() + 12 + payload.map_or(0, <[u8]>::len));
    out.push(F_EXT | if payload.is_some() { F_PAYLOAD } else { 0 });
    out.push(E_RAW);
    put_varint(&mut out, record.len() as u64);
    out.extend_from_slice(record);
    if let Some(p) = payload {
        put_varint(&mut out, p.len() as u64);
        out.extend_from_slice(p);
    }
    out
}

/// A record rebuilt from its row: the exact stored bytes `body ‖ signature`, and the payload
/// when the row holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expanded {
    /// `body ‖ signature`, byte for byte as signed.
    pub record: Vec<u8>,
    /// The detail payload, unless the row was stored without it.
    pub payload: Option<Vec<u8>>,
}

/// The payload deflated, when that is shorter by more than its length prefix: with the preset
/// dictionary (`true`) or without, whichever is shorter.
fn deflate(p: &[u8]) -> Option<(Vec<u8>, bool)> {
    if p.len() < DEFLATE_FROM_DICT {
        return None;
    }
    let with = crate::preset_deflate::deflate(PAYLOAD_DICTIONARY, p);
    let without = (p.len() >= DEFLATE_FROM)
        .then(|| crate::preset_deflate::deflate_plain(p))
        .flatten();
    let best = match (with, without) {
        (Some(a), Some(b)) if b.len() < a.len() => (b, false),
        (Some(a), _) => (a, true),
        (None, Some(b)) => (b, false),
        (None, None) => return None,
    };
    (best.0.len() + 4 < p.len()).then_some(best)
}

fn inflated_with_dictionary(c: &mut Reader<'_>) -> Result<Vec<u8>, DecodeError> {
    let n = c.varint("payload length")?;
    if n > MAX_PAYLOAD as u64 {
        return Err(DecodeError::TooLarge("payload"));
    }
    let zn = c.varint("deflated payload length")?;
    if zn >= n {
        return Err(DecodeError::NonCanonical(
            "a deflated payload that is not shorter",
        ));
    }
    let z = c.take(zn as usize, "deflated payload")?;
    crate::preset_deflate::inflate(PAYLOAD_DICTIONARY, z, n as usize)
        .map_err(|_| DecodeError::NonCanonical("a deflated payload that does not inflate"))
}

fn inflated(c: &mut Reader<'_>) -> Result<Vec<u8>, DecodeError> {
    use std::io::Read as _;
    let n = c.varint("payload length")?;
    if n > MAX_PAYLOAD as u64 {
        return Err(DecodeError::TooLarge("payload"));
    }
    let zn = c.varint("deflated payload length")?;
    if zn >= n {
        return Err(DecodeError::NonCanonical(
            "a deflated payload that is not shorter",
        ));
    }
    let z = c.take(zn as usize, "deflated payload")?;
    let mut out = Vec::with_capacity(n as usize);
    flate2::read::DeflateDecoder::new(z)
        .take(n + 1)
        .read_to_end(&mut out)
        .map_err(|_| DecodeError::NonCanonical("a deflated payload that does not inflate"))?;
    if out.len() as u64 != n {
        return Err(DecodeError::NonCanonical(
            "a deflated payload of the wrong length",
        ));
    }
    Ok(out)
}

fn payload_bytes(c: &mut Reader<'_>) -> Result<Vec<u8>, DecodeError> {
    let n = c.varint("payload length")?;
    if n > MAX_PAYLOAD as u64 {
        return Err(DecodeError::TooLarge("payload"));
    }
    Ok(c.take(n as usize, "payload")?.to_vec())
}

/// Rebuilds the record stored at (`origin`, `seq`) from its row and the origin's dictionary.
pub fn expand(
    origin: &[u8; 32],
    seq: u64,
    row: &[u8],
    dict: &dyn Dictionary,
) -> Result<Expanded, DecodeError> {
    let mut c = Reader::new(row);
    let flags = c.take(1, "flags")?[0];
    let ext = if flags & F_EXT != 0 {
        c.take(1, "extension")?[0]
    } else {
        0
    };
    if ext & E_RAW != 0 {
        if ext != E_RAW || flags & !(F_EXT | F_PAYLOAD) != 0 {
            return Err(DecodeError::NonCanonical("raw row with other flags"));
        }
        let n = c.varint("raw record length")?;
        if n > crate::chain::entry::MAX_RECORD_LEN as u64 + MAX_PAYLOAD as u64 {
            return Err(DecodeError::TooLarge("raw record"));
        }
        let record = c.take(n as usize, "raw record")?.to_vec();
        let payload = if flags & F_PAYLOAD != 0 {
            Some(payload_bytes(&mut c)?)
        } else {
            None
        };
        if !c.at_end() {
            return Err(DecodeError::NonCanonical("trailing bytes"));
        }
        return Ok(Expanded { record, payload });
    }
    if ext & !(E_EPOCH | E_PAYLOAD_EXPLICIT | E_DEFLATE | E_DEFLATE_DICT) != 0
        || (flags & F_EXT != 0 && ext == 0)
        || (ext & (E_DEFLATE | E_DEFLATE_DICT) != 0 && flags & F_PAYLOAD == 0)
        || (ext & E_DEFLATE != 0 && ext & E_DEFLATE_DICT != 0)
    {
        return Err(DecodeError::NonCanonical("unknown extension"));
    }
    let mut body = Vec::with_capacity(row.len() + 96);
    body.push(VERSION);
    let realm = if flags & F_REALM != 0 {
        c.array::<16>("realm")?
    } else {
        dict.realm()
            .ok_or(DecodeError::Truncated("the origin's realm"))?
    };
    body.extend_from_slice(&realm);
    body.extend_from_slice(origin);
    body.extend_from_slice(&seq.to_be_bytes());
    let epoch = if ext & E_EPOCH != 0 {
        u32::try_from(c.varint("epoch")?).map_err(|_| DecodeError::TooLarge("epoch"))?
    } else {
        0
    };
    body.extend_from_slice(&epoch.to_be_bytes());
    body.extend_from_slice(c.take(32, "prev")?);
    body.extend_from_slice(&unzigzag(c.varint("time")?).to_be_bytes());
    let (size, cosig) = match (flags & F_ANCHOR_DICT != 0, flags & F_ANCHOR_INLINE != 0) {
        (true, true) => return Err(DecodeError::NonCanonical("two anchor forms")),
        (true, false) => {
            let size = c.varint("anchor size")?;
            let idx = c.varint("anchor index")?;
            let known = dict.cosigs(size)?;
            let cosig = usize::try_from(idx)
                .ok()
                .and_then(|i| known.get(i))
                .copied()
                .ok_or(DecodeError::Truncated(
                    "anchor cosignature not in the dictionary",
                ))?;
            (size, cosig)
        }
        (false, true) => (
            u64::from_be_bytes(c.array("anchor size")?),
            c.array::<32>("anchor cosig")?,
        ),
        (false, false) => (0, [0; 32]),
    };
    body.extend_from_slice(&size.to_be_bytes());
    body.extend_from_slice(&cosig);
    let olen = usize::from(c.take(1, "officer length")?[0]);
    if olen > MAX_OFFICER_LEN {
        return Err(DecodeError::TooLarge("officer id"));
    }
    body.push(olen as u8);
    body.extend_from_slice(c.take(olen, "officer")?);
    let action = u16::try_from(c.varint("action")?).map_err(|_| DecodeError::TooLarge("action"))?;
    body.extend_from_slice(&action.to_be_bytes());
    if flags & F_NO_CASE != 0 {
        body.extend_from_slice(&CaseId::NONE.0);
    } else {
        body.extend_from_slice(c.take(16, "case id")?);
    }
    let actor = match (flags & F_ACTOR_DICT != 0, flags & F_ACTOR_INLINE != 0) {
        (true, true) => return Err(DecodeError::NonCanonical("two actor forms")),
        (true, false) => {
            let idx = c.varint("actor index")?;
            usize::try_from(idx)
                .ok()
                .and_then(|i| dict.actors().get(i))
                .copied()
                .ok_or(DecodeError::Truncated("actor not in the dictionary"))?
        }
        (false, true) => c.array::<16>("actor")?,
        (false, false) => [0; 16],
    };
    body.extend_from_slice(&actor);
    for what in ["heads_before", "changes"] {
        let n = c.varint(what)?;
        if n > MAX_HASHES as u64 {
            return Err(DecodeError::TooLarge(what));
        }
        body.extend_from_slice(&(n as u16).to_be_bytes());
        body.extend_from_slice(c.take(n as usize * 32, what)?);
    }
    let payload = if ext & E_PAYLOAD_EXPLICIT != 0 {
        if flags & F_PAYLOAD != 0 {
            return Err(DecodeError::NonCanonical("two payload forms"));
        }
        body.extend_from_slice(c.take(32, "payload hash")?);
        let n = u32::try_from(c.varint("payload length")?)
            .map_err(|_| DecodeError::TooLarge("payload length"))?;
        body.extend_from_slice(&n.to_be_bytes());
        Some(payload_bytes(&mut c)?)
    } else if flags & F_PAYLOAD != 0 {
        let p = if ext & E_DEFLATE_DICT != 0 {
            inflated_with_dictionary(&mut c)?
        } else if ext & E_DEFLATE != 0 {
            inflated(&mut c)?
        } else {
            payload_bytes(&mut c)?
        };
        body.extend_from_slice(&payload_hash(&p));
        body.extend_from_slice(&(p.len() as u32).to_be_bytes());
        Some(p)
    } else {
        body.extend_from_slice(c.take(32, "payload hash")?);
        let n = u32::try_from(c.varint("payload length")?)
            .map_err(|_| DecodeError::TooLarge("payload length"))?;
        body.extend_from_slice(&n.to_be_bytes());
        None
    };
    let sig = c.take(64, "signature")?;
    if !c.at_end() {
        return Err(DecodeError::NonCanonical("trailing bytes"));
    }
    // The rebuilt body must be the one canonical encoding (sorted heads, known action, …).
    EntryBody::decode(&body)?;
    body.extend_from_slice(sig);
    Ok(Expanded {
        record: body,
        payload,
    })
}

/// A dictionary held in memory (tests, and callers that cache one origin's dictionary).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemDictionary {
    /// The origin's realm.
    pub realm: Option<[u8; 16]>,
    /// The origin's actors.
    pub actors: Vec<[u8; 16]>,
    /// Cosignature hashes per anchor size.
    pub cosigs: std::collections::BTreeMap<u64, Vec<[u8; 32]>>,
}

impl MemDictionary {
    /// Adds what an encode reported.
    pub fn apply(&mut self, add: &DictionaryAdditions) {
        if let Some(r) = add.realm {
            self.realm = Some(r);
        }
        if let Some(a) = add.actor {
            self.actors.push(a);
        }
        if let Some((size, c)) = add.cosig {
            self.cosigs.entry(size).or_default().push(c);
        }
    }
}

impl Dictionary for MemDictionary {
    fn realm(&self) -> Option<[u8; 16]> {
        self.realm
    }
    fn actors(&self) -> &[[u8; 16]] {
        &self.actors
    }
    fn cosigs(&self, size: u64) -> Result<Vec<[u8; 32]>, DecodeError> {
        Ok(self.cosigs.get(&size).cloned().unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn payloads_deflate_with_the_fixed_dictionary() {
        // The dictionary is part of the store format: never changed.
        assert_eq!(
            blake3::hash(PAYLOAD_DICTIONARY).to_hex().as_str(),
            "dcd5b8edf7133f8602b4791cf73ab9fc2b7fe6f8006ea58f0b3eb0ec75c2a1da"
        );
        let p = r#"{"fields":{"child_place_of_birth":{"from":"Xã Hoàng Văn Thụ, tỉnh Lạng Sơn","to":"Phường Chi Lăng, tỉnh Lạng Sơn"}}}"#.as_bytes();
        let (z, with) = deflate(p).expect("deflates");
        assert!(with, "the dictionary wins on an everyday payload");
        assert!(z.len() * 2 < p.len(), "{} of {}", z.len(), p.len());
    }

    use super::*;
    use crate::chain::entry::Action;
    use crate::identity::NodeKey;
    use proptest::prelude::*;

    fn body(seq: u64, anchor: u64, case: bool, heads: usize, payload: &[u8]) -> EntryBody {
        EntryBody {
            realm: [7; 16],
            origin: NodeKey::from_secret([9; 32]).id(),
            seq,
            epoch: 0,
            prev: [seq as u8; 32],
            time_ms: 1_764_300_000_000 + seq as i64,
            anchor_size: anchor,
            anchor_cosig: if anchor == 0 {
                [0; 32]
            } else {
                [anchor as u8; 32]
            },
            officer: "canbo01".into(),
            action: Action::FieldSet,
            case_id: if case { CaseId([3; 16]) } else { CaseId::NONE },
            actor: if case { [4; 16] } else { [0; 16] },
            heads_before: (0..heads).map(|i| [i as u8 + 1; 32]).collect(),
            changes: vec![[0xaa; 32]],
            payload_hash: payload_hash(payload),
            payload_len: payload.len() as u32,
        }
    }

    fn round_trip(e: &Entry, payload: Option<&[u8]>, dict: &mut MemDictionary) -> Expanded {
        let (row, add) = compact(e, payload, dict).expect("compacts");
        dict.apply(&add);
        let x = expand(&e.body.origin.0, e.body.seq, &row, dict).expect("expands");
        assert_eq!(x.record, e.to_record(), "the exact signed bytes come back");
        let back = Entry::from_record(&x.record).expect("decodes");
        assert!(back.signature_ok());
        assert_eq!(back.hash, e.hash);
        x
    }

    #[test]
    fn every_shape_rebuilds_the_signed_bytes() {
        let key = NodeKey::from_secret([9; 32]);
        let mut dict = MemDictionary::default();
        let p = br#"{"fields":{"purpose":"B\u1ed5 sung"}}"#;
        for (seq, anchor, case, heads) in [
            (0, 0, false, 0),
            (1, 0, true, 1),
            (2, 5, true, 2),
            (3, 5, true, 1),
            (4, 9, false, 0),
        ] {
            let e = Entry::sign(body(seq, anchor, case, heads, p), &key);
            let x = round_trip(&e, Some(p), &mut dict);
            assert_eq!(x.payload.as_deref(), Some(&p[..]));
            let x = round_trip(&e, None, &mut dict);
            assert_eq!(x.payload, None);
        }
        // A payload that is not the entry's is kept as it is, beside the signed hash, so that
        // verification reports the mismatch.
        let e = Entry::sign(body(7, 0, true, 1, p), &key);
        let x = round_trip(&e, Some(b"other"), &mut dict);
        assert_eq!(x.payload.as_deref(), Some(&b"other"[..]));
        let mut b = body(8, 0, true, 1, p);
        b.epoch = 3;
        round_trip(&Entry::sign(b, &key), Some(p), &mut dict);
    }

    #[test]
    fn long_payloads_are_deflated_and_come_back_whole() {
        let key = NodeKey::from_secret([9; 32]);
        let mut dict = MemDictionary::default();
        let p = format!(
            "{{\"fields\":[{}],\"registry_records\":{{\"a\":\"{}\"}}}}",
            (0..20)
                .map(|i| format!("\"field_{i}\""))
                .collect::<Vec<_>>()
                .join(","),
            "ab12".repeat(16)
        );
        let e = Entry::sign(body(1, 0, true, 1, p.as_bytes()), &key);
        let (row, _) = compact(&e, Some(p.as_bytes()), &dict).expect("compacts");
        assert!(
            row.len() < e.to_record().len() - 64 + p.len() / 2,
            "{}",
            row.len()
        );
        let x = round_trip(&e, Some(p.as_bytes()), &mut dict);
        assert_eq!(x.payload.as_deref(), Some(p.as_bytes()));
    }

    #[test]
    fn raw_rows_keep_any_bytes() {
        for (rec, p) in [
            (vec![1u8; 300], None),
            (vec![], Some(&b"{}"[..])),
            (vec![2u8; 10], Some(&b""[..])),
        ] {
            let row = raw(&rec, p);
            let x = expand(&[0; 32], 1, &row, &MemDictionary::default()).expect("expands");
            assert_eq!(x.record, rec);
            assert_eq!(x.payload.as_deref(), p);
        }
    }

    #[test]
    fn a_case_edit_entry_is_much_smaller() {
        let key = NodeKey::from_secret([9; 32]);
        let mut dict = MemDictionary::default();
        let p = br#"{"fields":{"purpose":"x"}}"#;
        let first = Entry::sign(body(1, 3, true, 1, p), &key);
        round_trip(&first, Some(p), &mut dict);
        let e = Entry::sign(body(2, 3, true, 1, p), &key);
        let (row, add) = compact(&e, Some(p), &dict).expect("compacts");
        assert_eq!(add, DictionaryAdditions::default());
        let full = e.to_record().len() + p.len() + 32;
        assert!(row.len() + 110 < full, "{} vs {full}", row.len());
    }

    #[test]
    fn other_realms_actors_and_many_cosigs_stay_inline() {
        let key = NodeKey::from_secret([9; 32]);
        let mut dict = MemDictionary {
            realm: Some([1; 16]),
            actors: (0..MAX_ACTORS as u8).map(|i| [i + 100; 16]).collect(),
            ..Default::default()
        };
        dict.cosigs.insert(3, vec![[0xee; 32]; MAX_COSIGS]);
        let mut b = body(1, 3, true, 1, b"{}");
        b.epoch = 7;
        let e = Entry::sign(b, &key);
        let (_, add) = compact(&e, None, &dict).expect("compacts");
        assert_eq!(add, DictionaryAdditions::default());
        round_trip(&e, Some(b"{}"), &mut dict);
    }

    #[test]
    fn missing_dictionary_rows_and_garbage_are_errors() {
        let key = NodeKey::from_secret([9; 32]);
        let mut dict = MemDictionary::default();
        let e = Entry::sign(body(1, 3, true, 1, b"{}"), &key);
        let (row, add) = compact(&e, Some(b"{}"), &dict).expect("compacts");
        assert!(expand(&e.body.origin.0, 1, &row, &dict).is_err());
        dict.apply(&add);
        assert!(expand(&e.body.origin.0, 1, &row, &dict).is_ok());
        let mut longer = row.clone();
        longer.push(0);
        assert!(expand(&e.body.origin.0, 1, &longer, &dict).is_err());
        for cut in 0..row.len() {
            assert!(expand(&e.body.origin.0, 1, &row[..cut], &dict).is_err());
        }
    }

    proptest! {
        #[test]
        fn any_flip_is_an_error_or_a_failed_signature(pos in 0usize..400, bit in 0u8..8) {
            let key = NodeKey::from_secret([9; 32]);
            let mut dict = MemDictionary::default();
            let e = Entry::sign(body(3, 2, true, 1, b"{\"a\":1}"), &key);
            let (row, add) = compact(&e, Some(b"{\"a\":1}"), &dict).expect("compacts");
            dict.apply(&add);
            let pos = pos % row.len();
            let mut bad = row.clone();
            bad[pos] ^= 1 << bit;
            match expand(&e.body.origin.0, 3, &bad, &dict) {
                Err(_) => {}
                Ok(x) => match Entry::from_record(&x.record) {
                    Err(_) => {}
                    Ok(back) => prop_assert!(
                        !back.signature_ok() || x.payload.as_deref() != Some(&b"{\"a\":1}"[..]),
                        "flip at {} undetected", pos
                    ),
                },
            }
        }
    }

    #[test]
    fn a_payload_packed_before_the_writer_gives_the_same_row() {
        let key = NodeKey::from_secret([9; 32]);
        let dict = MemDictionary::default();
        let long = r#"{"fields":{"purpose":"Bổ sung hồ sơ"}}"#.repeat(4);
        for p in [
            None,
            Some(&b"{}"[..]),
            Some(long.as_bytes()),
            Some(&b"other"[..]),
        ] {
            let e = Entry::sign(body(1, 5, true, 1, long.as_bytes()), &key);
            let packed = pack_payload(&e, p);
            assert_eq!(
                compact_packed(&e, &packed, p, &dict).expect("packed"),
                compact(&e, p, &dict).expect("compact")
            );
            // A part packed for another entry is not used.
            let other = Entry::sign(body(2, 5, true, 1, long.as_bytes()), &key);
            assert_eq!(
                compact_packed(&other, &packed, p, &dict).expect("other"),
                compact(&other, p, &dict).expect("compact other")
            );
        }
    }
}
