//! Identifiers: case ids, node ids and the Automerge actor bound to a node.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Error for an identifier that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a valid {what}: expected {expected}")]
pub struct BadId {
    /// The rejected text.
    pub value: String,
    /// What kind of id was expected.
    pub what: &'static str,
    /// The expected shape.
    pub expected: &'static str,
}

fn decode_hex<const N: usize>(s: &str, what: &'static str) -> Result<[u8; N], BadId> {
    let bad = || BadId {
        value: s.chars().take(80).collect(),
        what,
        expected: if N == 16 {
            "32 hexadecimal characters"
        } else {
            "64 hexadecimal characters"
        },
    };
    let bytes = s.as_bytes();
    if bytes.len() != N * 2 {
        return Err(bad());
    }
    let mut out = [0u8; N];
    for (i, pair) in bytes.chunks_exact(2).enumerate() {
        let hi = (pair[0] as char).to_digit(16).ok_or_else(bad)?;
        let lo = (pair[1] as char).to_digit(16).ok_or_else(bad)?;
        out[i] = u8::try_from(hi * 16 + lo).map_err(|_| bad())?;
    }
    Ok(out)
}

/// Lower-case hex of some bytes.
pub fn hex(bytes: &[u8]) -> String {
    use fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// The stable id of a case file: 16 random bytes, shown as 32 hex characters.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct CaseId(pub [u8; 16]);

impl CaseId {
    /// A fresh random id.
    pub fn random() -> Self {
        CaseId(rand::random())
    }
    /// The all-zero id, used by audit entries that name no case.
    pub const NONE: CaseId = CaseId([0; 16]);
    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

impl fmt::Display for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex(&self.0))
    }
}

impl fmt::Debug for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CaseId({self})")
    }
}

impl FromStr for CaseId {
    type Err = BadId;
    fn from_str(s: &str) -> Result<Self, BadId> {
        decode_hex::<16>(s, "case id").map(CaseId)
    }
}

impl Serialize for CaseId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for CaseId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A node's identity: its ed25519 public key (the same key iroh uses as `EndpointId`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub [u8; 32]);

impl NodeId {
    /// The raw key bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
    /// The first 10 hex characters, for people.
    pub fn short(&self) -> String {
        hex(&self.0[..5])
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex(&self.0))
    }
}

impl fmt::Debug for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NodeId({})", self.short())
    }
}

impl FromStr for NodeId {
    type Err = BadId;
    fn from_str(s: &str) -> Result<Self, BadId> {
        decode_hex::<32>(s, "node id").map(NodeId)
    }
}

impl Serialize for NodeId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for NodeId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The blake3 key-derivation context binding an Automerge actor id to a node key.
pub const ACTOR_CONTEXT: &str = "hoso 2026 automerge actor v1";

/// The 16-byte Automerge actor id of a node: derived from its key and incarnation, so every
/// change a node makes is provably bound to it (audit.md §3).
pub fn actor_for(node: &NodeId, incarnation: u32) -> [u8; 16] {
    let mut input = [0u8; 36];
    input[..32].copy_from_slice(&node.0);
    input[32..].copy_from_slice(&incarnation.to_be_bytes());
    let key = blake3::derive_key(ACTOR_CONTEXT, &input);
    let mut out = [0u8; 16];
    out.copy_from_slice(&key[..16]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_id_round_trips_and_rejects_garbage() {
        let id = CaseId::random();
        assert_eq!(id.to_string().parse::<CaseId>(), Ok(id));
        assert!("xyz".parse::<CaseId>().is_err());
        assert!("0g".repeat(16).parse::<CaseId>().is_err());
        let err = "abc"
            .parse::<NodeId>()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("64 hexadecimal"), "{err}");
    }

    #[test]
    fn actor_depends_on_key_and_incarnation() {
        let a = NodeId([1; 32]);
        let b = NodeId([2; 32]);
        assert_ne!(actor_for(&a, 0), actor_for(&b, 0));
        assert_ne!(actor_for(&a, 0), actor_for(&a, 1));
        assert_eq!(actor_for(&a, 0), actor_for(&a, 0));
    }
}
