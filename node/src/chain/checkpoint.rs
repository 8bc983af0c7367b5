//! The checkpoint note (audit.md §3), modelled on C2SP tlog-checkpoint and tlog-cosignature
//! (not interoperable: blake3 roots and key ids). The body, every line ending in `\n`:
//!
//! ```text
//! hoso/audit/v1/<realm hex>/<origin hex>
//! <size>
//! <merkle root, base64>
//! head <entry hash at size-1, base64; zero when size is 0>
//! epoch <n>
//! ```
//!
//! The node signs `"hoso/audit/checkpoint/v1\n" ‖ body`; the note is the body, a blank line and
//! `— <origin hex> base64(keyID ‖ sig)`. A witness (the hub) cosigns
//! `"hoso/audit/cosignature/v1\ntime <t>\n" ‖ body`, shown as
//! `— hub:<hub hex> base64(keyID ‖ u64 time ‖ sig)`: "as of t this is the largest consistent
//! checkpoint of origin I have seen, and I hold every entry up to size".

use crate::chain::note::{b64, key_id, unb64};
pub use crate::error::NoteError;
use crate::identity::{NodeKey, verify};
use crate::ids::{NodeId, hex};

/// Context prefix of the node's signature over a note body.
pub const CHECKPOINT_CONTEXT: &[u8] = b"hoso/audit/checkpoint/v1\n";
/// First line of the cosigned message (followed by `time <t>\n` and the body).
pub const COSIGNATURE_HEADER: &str = "hoso/audit/cosignature/v1\n";
/// blake3 derive-key context of a cosignature's hash (the `anchor_cosig` of later entries).
pub const COSIG_HASH_CONTEXT: &str = "hoso 2026-11 audit cosignature v1";
/// Longest note accepted.
pub const MAX_NOTE_LEN: usize = 2048;
const ORIGIN_PREFIX: &str = "hoso/audit/v1/";

/// The statement a checkpoint makes about one chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// Deployment id.
    pub realm: [u8; 16],
    /// Chain owner.
    pub origin: NodeId,
    /// Entry count (last seq + 1).
    pub size: u64,
    /// Merkle root over entries `0..size`.
    pub root: [u8; 32],
    /// Entry hash at `size - 1` (zero when empty).
    pub head: [u8; 32],
    /// Fork id, 0 in v1.
    pub epoch: u32,
}

fn arr<const N: usize>(v: &[u8]) -> Option<[u8; N]> {
    v.try_into().ok()
}

impl Checkpoint {
    /// The body text that is signed.
    pub fn body(&self) -> String {
        format!(
            "{ORIGIN_PREFIX}{}/{}\n{}\n{}\nhead {}\nepoch {}\n",
            hex(&self.realm),
            self.origin,
            self.size,
            b64(&self.root),
            b64(&self.head),
            self.epoch
        )
    }

    /// Parses a body strictly (it must re-render to the same text).
    pub fn parse_body(text: &str) -> Result<Checkpoint, NoteError> {
        if text.len() > MAX_NOTE_LEN {
            return Err(NoteError("note too long"));
        }
        let body = text
            .strip_suffix('\n')
            .ok_or(NoteError("body must end with a newline"))?;
        let lines: Vec<&str> = body.split('\n').collect();
        let [origin_line, size, root, head, epoch] = lines[..] else {
            return Err(NoteError("body must have 5 lines"));
        };
        let (realm_hex, origin_hex) = origin_line
            .strip_prefix(ORIGIN_PREFIX)
            .and_then(|r| r.split_once('/'))
            .ok_or(NoteError(
                "first line is not hoso/audit/v1/<realm>/<origin>",
            ))?;
        let realm: [u8; 16] = realm_hex
            .parse::<crate::ids::CaseId>()
            .map_err(|_| NoteError("realm is not 32 hex characters"))?
            .0;
        let origin: NodeId = origin_hex
            .parse()
            .map_err(|_| NoteError("origin is not 64 hex characters"))?;
        let size: u64 = size.parse().map_err(|_| NoteError("size"))?;
        let root = unb64(root)
            .and_then(|v| arr::<32>(&v))
            .ok_or(NoteError("root"))?;
        let head = head
            .strip_prefix("head ")
            .and_then(unb64)
            .and_then(|v| arr::<32>(&v))
            .ok_or(NoteError("head"))?;
        let epoch: u32 = epoch
            .strip_prefix("epoch ")
            .and_then(|e| e.parse().ok())
            .ok_or(NoteError("epoch"))?;
        let cp = Checkpoint {
            realm,
            origin,
            size,
            root,
            head,
            epoch,
        };
        if cp.body() != text {
            return Err(NoteError("non-canonical body"));
        }
        Ok(cp)
    }
}

/// A checkpoint with its origin's signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedCheckpoint {
    /// The statement.
    pub checkpoint: Checkpoint,
    /// Ed25519 by the origin over [`CHECKPOINT_CONTEXT`] ‖ body.
    pub signature: [u8; 64],
}

impl SignedCheckpoint {
    /// Signs a checkpoint with the origin's key.
    pub fn sign(checkpoint: Checkpoint, key: &NodeKey) -> SignedCheckpoint {
        let signature = key.sign(CHECKPOINT_CONTEXT, checkpoint.body().as_bytes());
        SignedCheckpoint {
            checkpoint,
            signature,
        }
    }
    /// True when the origin's signature verifies.
    pub fn signature_ok(&self) -> bool {
        verify(
            &self.checkpoint.origin,
            CHECKPOINT_CONTEXT,
            self.checkpoint.body().as_bytes(),
            &self.signature,
        )
    }
    /// The note: body, blank line, the origin's signature line.
    pub fn to_note(&self) -> String {
        let name = self.checkpoint.origin.to_string();
        let mut sig = key_id(&name, &self.checkpoint.origin.0).to_vec();
        sig.extend_from_slice(&self.signature);
        format!("{}\n— {name} {}\n", self.checkpoint.body(), b64(&sig))
    }
    /// Parses a note made by [`SignedCheckpoint::to_note`] (does not check the signature).
    pub fn parse_note(text: &str) -> Result<SignedCheckpoint, NoteError> {
        if text.len() > MAX_NOTE_LEN {
            return Err(NoteError("note too long"));
        }
        let (body, sigs) = text
            .split_once("\n\n")
            .ok_or(NoteError("no blank line before the signature"))?;
        let body = format!("{body}\n");
        let checkpoint = Checkpoint::parse_body(&body)?;
        let line = sigs
            .strip_suffix('\n')
            .ok_or(NoteError("signature line must end with a newline"))?;
        let (name, sig) = line
            .strip_prefix("— ")
            .and_then(|l| l.split_once(' '))
            .ok_or(NoteError("signature line"))?;
        let name_expected = checkpoint.origin.to_string();
        if name != name_expected {
            return Err(NoteError("signature name is not the origin"));
        }
        let raw = unb64(sig).ok_or(NoteError("signature is not base64"))?;
        if raw.len() != 68 || raw[..4] != key_id(name, &checkpoint.origin.0) {
            return Err(NoteError("signature key id or length"));
        }
        let signature = arr::<64>(&raw[4..]).ok_or(NoteError("signature length"))?;
        let sc = SignedCheckpoint {
            checkpoint,
            signature,
        };
        if sc.to_note() != text {
            return Err(NoteError("non-canonical note"));
        }
        Ok(sc)
    }
}

/// A witness cosignature over a checkpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cosignature {
    /// The witness key (the hub's node id).
    pub witness: NodeId,
    /// Unix seconds when the witness cosigned.
    pub time: u64,
    /// Ed25519 by the witness over the cosigned message.
    pub signature: [u8; 64],
}

fn cosigned_message(cp: &Checkpoint, time: u64) -> Vec<u8> {
    format!("time {time}\n{}", cp.body()).into_bytes()
}

impl Cosignature {
    /// Cosigns a checkpoint at `time` (Unix seconds).
    pub fn sign(cp: &Checkpoint, key: &NodeKey, time: u64) -> Cosignature {
        Cosignature {
            witness: key.id(),
            time,
            signature: key.sign(COSIGNATURE_HEADER.as_bytes(), &cosigned_message(cp, time)),
        }
    }
    /// True when the witness signature over `cp` verifies.
    pub fn verify(&self, cp: &Checkpoint) -> bool {
        verify(
            &self.witness,
            COSIGNATURE_HEADER.as_bytes(),
            &cosigned_message(cp, self.time),
            &self.signature,
        )
    }
    /// The hash later entries cite as `anchor_cosig`.
    pub fn hash(&self, cp: &Checkpoint) -> [u8; 32] {
        let mut h = blake3::Hasher::new_derive_key(COSIG_HASH_CONTEXT);
        h.update(&self.witness.0);
        h.update(&self.time.to_be_bytes());
        h.update(&self.signature);
        h.update(cp.body().as_bytes());
        *h.finalize().as_bytes()
    }
    /// Stored value: `time u64 BE ‖ signature`.
    pub fn encode_value(&self) -> Vec<u8> {
        let mut v = self.time.to_be_bytes().to_vec();
        v.extend_from_slice(&self.signature);
        v
    }
    /// Decodes a stored value.
    pub fn decode_value(witness: NodeId, v: &[u8]) -> Option<Cosignature> {
        if v.len() != 72 {
            return None;
        }
        Some(Cosignature {
            witness,
            time: u64::from_be_bytes(arr(&v[..8])?),
            signature: arr(&v[8..])?,
        })
    }
    /// The note line `— hub:<hex> base64(keyID ‖ time ‖ sig)`.
    pub fn line(&self) -> String {
        let name = format!("hub:{}", self.witness);
        let mut raw = key_id(&name, &self.witness.0).to_vec();
        raw.extend_from_slice(&self.encode_value());
        format!("— {name} {}\n", b64(&raw))
    }
    /// Parses a [`Cosignature::line`] (does not check the signature).
    pub fn parse_line(line: &str) -> Result<Cosignature, NoteError> {
        if line.len() > 512 {
            return Err(NoteError("cosignature line too long"));
        }
        let (name, sig) = line
            .strip_suffix('\n')
            .and_then(|l| l.strip_prefix("— hub:"))
            .and_then(|l| l.split_once(' '))
            .ok_or(NoteError("cosignature line"))?;
        let witness: NodeId = name.parse().map_err(|_| NoteError("witness key"))?;
        let raw = unb64(sig).ok_or(NoteError("cosignature is not base64"))?;
        if raw.len() != 76 || raw[..4] != key_id(&format!("hub:{name}"), &witness.0) {
            return Err(NoteError("cosignature key id or length"));
        }
        Cosignature::decode_value(witness, &raw[4..]).ok_or(NoteError("cosignature length"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cp(key: &NodeKey) -> Checkpoint {
        Checkpoint {
            realm: [7; 16],
            origin: key.id(),
            size: 42,
            root: [1; 32],
            head: [2; 32],
            epoch: 0,
        }
    }

    #[test]
    fn note_round_trips_and_detects_edits() {
        let node = NodeKey::from_secret([9; 32]);
        let hub = NodeKey::from_secret([8; 32]);
        let sc = SignedCheckpoint::sign(cp(&node), &node);
        let note = sc.to_note();
        let back = SignedCheckpoint::parse_note(&note).expect("parses");
        assert_eq!(back, sc);
        assert!(back.signature_ok());
        let edited = note.replacen("\n42\n", "\n41\n", 1);
        let e = SignedCheckpoint::parse_note(&edited).expect("still parses");
        assert!(!e.signature_ok());
        assert!(SignedCheckpoint::parse_note(&note.replace("epoch 0", "epoch 00")).is_err());
        let cs = Cosignature::sign(&sc.checkpoint, &hub, 1_764_300_000);
        assert!(cs.verify(&sc.checkpoint));
        assert_eq!(Cosignature::parse_line(&cs.line()), Ok(cs.clone()));
        let mut other = sc.checkpoint.clone();
        other.size = 43;
        assert!(!cs.verify(&other));
    }
}
