//! The node key: one ed25519 key per node, kept in a file readable only by its owner.
//!
//! The same 32 secret bytes are the node's iroh identity (its `EndpointId` is the public key),
//! so every signature made here carries its own context prefix (audit.md §2, lesson 2).

use std::fs;
use std::io::Write;
use std::path::Path;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

use crate::error::NodeError;
use crate::ids::NodeId;

/// The node's signing key.
#[derive(Clone)]
pub struct NodeKey {
    signing: SigningKey,
}

impl std::fmt::Debug for NodeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NodeKey({})", self.id().short())
    }
}

impl NodeKey {
    /// A fresh random key.
    pub fn generate() -> Self {
        NodeKey {
            signing: SigningKey::from_bytes(&rand::random::<[u8; 32]>()),
        }
    }

    /// A key from its 32 secret bytes.
    pub fn from_secret(bytes: [u8; 32]) -> Self {
        NodeKey {
            signing: SigningKey::from_bytes(&bytes),
        }
    }

    /// The 32 secret bytes (for the iroh endpoint).
    pub fn secret_bytes(&self) -> [u8; 32] {
        self.signing.to_bytes()
    }

    /// The node id (public key).
    pub fn id(&self) -> NodeId {
        NodeId(self.signing.verifying_key().to_bytes())
    }

    /// Signs `context ‖ message`.
    pub fn sign(&self, context: &[u8], message: &[u8]) -> [u8; 64] {
        let mut buf = Vec::with_capacity(context.len() + message.len());
        buf.extend_from_slice(context);
        buf.extend_from_slice(message);
        self.signing.sign(&buf).to_bytes()
    }

    /// Writes the key file (hex, mode 0600). Refuses to overwrite an existing key.
    pub fn write_new(&self, path: &Path) -> Result<(), NodeError> {
        let mut opts = fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(path).map_err(|e| NodeError::io(path, e))?;
        let hex = crate::ids::hex(&self.secret_bytes());
        f.write_all(format!("{hex}\n").as_bytes())
            .and_then(|()| f.sync_all())
            .map_err(|e| NodeError::io(path, e))
    }

    /// Reads a key file written by [`NodeKey::write_new`].
    pub fn read(path: &Path) -> Result<Self, NodeError> {
        let text = fs::read_to_string(path).map_err(|e| NodeError::io(path, e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(path)
                .map_err(|e| NodeError::io(path, e))?
                .permissions()
                .mode();
            if mode & 0o077 != 0 {
                tracing::warn!(path = %path.display(), "node key file is readable by others; run chmod 600");
            }
        }
        let id: NodeId = text.trim().parse().map_err(|_| NodeError::Corrupt {
            what: format!("node key file {}", path.display()),
            detail: "expected 64 hexadecimal characters".into(),
        })?;
        Ok(NodeKey::from_secret(id.0))
    }
}

/// Checks an ed25519 signature over `context ‖ message` by `node` (strict verification).
pub fn verify(node: &NodeId, context: &[u8], message: &[u8], sig: &[u8; 64]) -> bool {
    let Ok(key) = VerifyingKey::from_bytes(&node.0) else {
        return false;
    };
    let mut buf = Vec::with_capacity(context.len() + message.len());
    buf.extend_from_slice(context);
    buf.extend_from_slice(message);
    key.verify_strict(&buf, &Signature::from_bytes(sig)).is_ok()
}

/// A parsed public key, for checking many signatures by one node (the key is decompressed
/// once instead of per signature).
#[derive(Clone, Debug)]
pub struct Verifier(VerifyingKey);

impl Verifier {
    /// The verifier of `node`, or `None` when the bytes are not a valid key.
    pub fn new(node: &NodeId) -> Option<Verifier> {
        VerifyingKey::from_bytes(&node.0).ok().map(Verifier)
    }
    /// Same check as [`verify`].
    pub fn verify(&self, context: &[u8], message: &[u8], sig: &[u8; 64]) -> bool {
        let mut buf = Vec::with_capacity(context.len() + message.len());
        buf.extend_from_slice(context);
        buf.extend_from_slice(message);
        self.0
            .verify_strict(&buf, &Signature::from_bytes(sig))
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_file_round_trips_with_private_mode() -> Result<(), NodeError> {
        let dir = tempfile::tempdir().map_err(|e| NodeError::io(Path::new("tmp"), e))?;
        let path = dir.path().join("node.key");
        let key = NodeKey::generate();
        key.write_new(&path)?;
        assert!(key.write_new(&path).is_err(), "must not overwrite a key");
        let back = NodeKey::read(&path)?;
        assert_eq!(back.id(), key.id());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).map_err(|e| NodeError::io(&path, e))?;
            assert_eq!(mode.permissions().mode() & 0o777, 0o600);
        }
        let sig = key.sign(b"ctx", b"msg");
        assert!(verify(&key.id(), b"ctx", b"msg", &sig));
        assert!(!verify(&key.id(), b"ctx2", b"msg", &sig));
        Ok(())
    }
}
