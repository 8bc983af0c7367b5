//! # The catalog bundle: one catalog for the province (issue 12, item 5)
//!
//! A hub publishes the procedure catalog, the holiday calendar and the form templates of its
//! province as one **signed, versioned bundle**; communes take it by sync and apply it. The
//! bundle is a byte string, stored as is (meta rows `catalog-bundle:<version, 20 digits>`) and
//! sent as is, so a node can check it again at any time and old versions stay readable: a case
//! is checked against the version it was received under ([`crate::node::Rules`]).
//!
//! ```text
//! magic       8   "HOSOCAT1"
//! version     u64 big-endian, ≥ 1, strictly increasing per province
//! created_ms  i64 Unix milliseconds (the publisher's clock; shown, never trusted)
//! realm       16  the deployment id: a bundle of another deployment is refused
//! publisher   32  the hub's node id (ed25519 public key)
//! files       u16 count ≤ MAX_FILES, then per file:
//!               path  u16 length ≤ MAX_PATH, UTF-8: `catalog/<name>.toml`, `holidays.toml`,
//!                     `forms/<name>.typ` or `forms/forms.toml`, strictly ascending, no repeat
//!               text  u32 length ≤ MAX_FILE_BYTES, UTF-8
//! hash        32  blake3 of every byte above (the content hash)
//! signature   64  ed25519 by `publisher` over "hoso catalog bundle v1" ‖ hash
//! ```
//!
//! The whole bundle is at most [`MAX_BUNDLE_BYTES`]. Decoding ([`SignedBundle::decode`]) checks
//! every length against its bound before it allocates, the hash, the signature and the path
//! rules, and never panics: a peer's bundle is untrusted input. That it parses as a catalog and
//! a calendar (the same validation as `Catalog::load_dir` and `HolidayCalendar::load`) is
//! checked by [`crate::node::Rules::from_bundle`] before anything is stored; whether the sender
//! may publish for this node (its hub) and whether the version is newer is checked by
//! [`Node::apply_catalog`](crate::node::Node::apply_catalog).

use std::path::Path;

pub use crate::error::CatalogBundleError;
use crate::identity::{self, NodeKey};
use crate::ids::NodeId;

/// The first bytes of a bundle.
pub const MAGIC: &[u8; 8] = b"HOSOCAT1";
/// Largest bundle, all files included.
pub const MAX_BUNDLE_BYTES: usize = 4 << 20;
/// Most files in a bundle.
pub const MAX_FILES: usize = 256;
/// Largest file in a bundle.
pub const MAX_FILE_BYTES: usize = 1 << 20;
/// Longest file path in a bundle.
pub const MAX_PATH: usize = 128;
/// The signature's domain separation.
const SIG_CONTEXT: &[u8] = b"hoso catalog bundle v1";
const FIXED: usize = 8 + 8 + 8 + 16 + 32 + 2;
const TRAILER: usize = 32 + 64;

/// One file of a bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundleFile {
    /// Path inside the bundle (`catalog/x.toml`, `holidays.toml`, `forms/x.typ`…).
    pub path: String,
    /// Its text.
    pub text: String,
}

/// What a bundle carries, before it is signed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogBundle {
    /// Version, ≥ 1.
    pub version: u64,
    /// Publisher's clock, Unix milliseconds.
    pub created_ms: i64,
    /// Deployment id.
    pub realm: [u8; 16],
    /// The hub that signed it.
    pub publisher: NodeId,
    /// The files, in path order.
    pub files: Vec<BundleFile>,
}

/// A bundle with its content hash and signature, and its encoded bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedBundle {
    /// The content.
    pub bundle: CatalogBundle,
    /// blake3 of the encoded content.
    pub hash: [u8; 32],
    /// The publisher's signature over the hash.
    pub signature: [u8; 64],
    /// The encoded bytes (what is stored and sent).
    pub bytes: Vec<u8>,
}

fn malformed(what: impl Into<String>) -> CatalogBundleError {
    CatalogBundleError::Malformed { what: what.into() }
}

fn too_large(what: &'static str, size: usize, limit: usize) -> CatalogBundleError {
    CatalogBundleError::TooLarge { what, size, limit }
}

fn leaf_ok(leaf: &str, ext: &str) -> bool {
    leaf.len() > ext.len()
        && leaf.ends_with(ext)
        && !leaf.starts_with('.')
        && leaf
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// True when a bundle may carry a file at `path`.
pub fn path_allowed(path: &str) -> bool {
    if path.is_empty() || path.len() > MAX_PATH {
        return false;
    }
    if path == "holidays.toml" || path == "forms/forms.toml" {
        return true;
    }
    if let Some(leaf) = path.strip_prefix("catalog/") {
        return leaf_ok(leaf, ".toml");
    }
    if let Some(leaf) = path.strip_prefix("forms/") {
        return leaf_ok(leaf, ".typ");
    }
    false
}

fn check_files(files: &[BundleFile]) -> Result<(), CatalogBundleError> {
    if files.len() > MAX_FILES {
        return Err(too_large("file count", files.len(), MAX_FILES));
    }
    let mut last: Option<&str> = None;
    for f in files {
        if !path_allowed(&f.path) || last.is_some_and(|l| l >= f.path.as_str()) {
            return Err(CatalogBundleError::BadPath {
                path: f.path.chars().take(MAX_PATH).collect(),
            });
        }
        if f.text.len() > MAX_FILE_BYTES {
            return Err(too_large("a file", f.text.len(), MAX_FILE_BYTES));
        }
        last = Some(&f.path);
    }
    if !files.iter().any(|f| f.path.starts_with("catalog/")) {
        return Err(CatalogBundleError::NoCatalog);
    }
    Ok(())
}

impl CatalogBundle {
    /// Reads a bundle's files from a directory laid out like a data dir: `catalog/*.toml`
    /// (required), `holidays.toml`, `forms/*.typ` and `forms/forms.toml` (optional). Other
    /// files are ignored. Sizes are checked as the files are read.
    pub fn read_dir(dir: &Path) -> crate::error::Result<Vec<BundleFile>> {
        let mut files = Vec::new();
        let mut total = 0usize;
        let mut read = |rel: String, path: &Path| -> crate::error::Result<()> {
            let len = std::fs::metadata(path)
                .map_err(|e| crate::error::NodeError::io(path, e))?
                .len();
            let len = usize::try_from(len).unwrap_or(usize::MAX);
            if len > MAX_FILE_BYTES {
                return Err(too_large("a file", len, MAX_FILE_BYTES).into());
            }
            total += len;
            if total > MAX_BUNDLE_BYTES {
                return Err(too_large("the bundle", total, MAX_BUNDLE_BYTES).into());
            }
            let text =
                std::fs::read_to_string(path).map_err(|e| crate::error::NodeError::io(path, e))?;
            files.push(BundleFile { path: rel, text });
            Ok(())
        };
        for (sub, ext) in [("catalog", ".toml"), ("forms", ".typ"), ("forms", ".toml")] {
            let d = dir.join(sub);
            if !d.is_dir() {
                continue;
            }
            let mut names = Vec::new();
            for e in std::fs::read_dir(&d).map_err(|e| crate::error::NodeError::io(&d, e))? {
                let e = e.map_err(|e| crate::error::NodeError::io(&d, e))?;
                if let Some(n) = e.file_name().to_str()
                    && n.ends_with(ext)
                    && e.path().is_file()
                {
                    names.push(n.to_string());
                }
            }
            names.sort();
            for n in names {
                let rel = format!("{sub}/{n}");
                if !path_allowed(&rel) {
                    return Err(CatalogBundleError::BadPath { path: rel }.into());
                }
                read(rel, &d.join(&n))?;
            }
        }
        let h = dir.join("holidays.toml");
        if h.is_file() {
            read("holidays.toml".into(), &h)?;
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        check_files(&files)?;
        Ok(files)
    }

    fn encode_content(&self) -> Result<Vec<u8>, CatalogBundleError> {
        check_files(&self.files)?;
        let mut o =
            Vec::with_capacity(FIXED + self.files.iter().map(|f| f.text.len() + 8).sum::<usize>());
        o.extend_from_slice(MAGIC);
        o.extend_from_slice(&self.version.to_be_bytes());
        o.extend_from_slice(&self.created_ms.to_be_bytes());
        o.extend_from_slice(&self.realm);
        o.extend_from_slice(&self.publisher.0);
        let n = u16::try_from(self.files.len())
            .map_err(|_| too_large("file count", self.files.len(), MAX_FILES))?;
        o.extend_from_slice(&n.to_be_bytes());
        for f in &self.files {
            let pl = u16::try_from(f.path.len())
                .map_err(|_| too_large("a path", f.path.len(), MAX_PATH))?;
            o.extend_from_slice(&pl.to_be_bytes());
            o.extend_from_slice(f.path.as_bytes());
            let tl = u32::try_from(f.text.len())
                .map_err(|_| too_large("a file", f.text.len(), MAX_FILE_BYTES))?;
            o.extend_from_slice(&tl.to_be_bytes());
            o.extend_from_slice(f.text.as_bytes());
        }
        if o.len() + TRAILER > MAX_BUNDLE_BYTES {
            return Err(too_large("the bundle", o.len() + TRAILER, MAX_BUNDLE_BYTES));
        }
        Ok(o)
    }

    /// Encodes, hashes and signs the bundle with the publisher's key (`key` must be the key of
    /// [`CatalogBundle::publisher`]).
    pub fn sign(self, key: &NodeKey) -> Result<SignedBundle, CatalogBundleError> {
        if key.id() != self.publisher {
            return Err(CatalogBundleError::BadSignature {
                publisher: self.publisher.short(),
            });
        }
        let mut bytes = self.encode_content()?;
        let hash = *blake3::hash(&bytes).as_bytes();
        let signature = key.sign(SIG_CONTEXT, &hash);
        bytes.extend_from_slice(&hash);
        bytes.extend_from_slice(&signature);
        Ok(SignedBundle {
            bundle: self,
            hash,
            signature,
            bytes,
        })
    }
}

struct Reader<'a> {
    b: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], CatalogBundleError> {
        if self.b.len() < n {
            return Err(malformed(format!("it ends inside {what}")));
        }
        let (h, t) = self.b.split_at(n);
        self.b = t;
        Ok(h)
    }
    fn arr<const N: usize>(&mut self, what: &str) -> Result<[u8; N], CatalogBundleError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N, what)?);
        Ok(a)
    }
    fn text(&mut self, n: usize, what: &str) -> Result<String, CatalogBundleError> {
        String::from_utf8(self.take(n, what)?.to_vec())
            .map_err(|_| malformed(format!("{what} is not UTF-8")))
    }
}

impl SignedBundle {
    /// Decodes and verifies a bundle: bounds, layout, paths, content hash and the publisher's
    /// signature. Who the publisher is allowed to be is the caller's check.
    pub fn decode(bytes: &[u8]) -> Result<SignedBundle, CatalogBundleError> {
        if bytes.len() > MAX_BUNDLE_BYTES {
            return Err(too_large("the bundle", bytes.len(), MAX_BUNDLE_BYTES));
        }
        if bytes.len() < FIXED + TRAILER {
            return Err(malformed("it is shorter than a bundle header"));
        }
        let (content, trailer) = bytes.split_at(bytes.len() - TRAILER);
        let mut r = Reader { b: content };
        if r.take(8, "the magic")? != MAGIC {
            return Err(malformed("it does not begin with HOSOCAT1"));
        }
        let version = u64::from_be_bytes(r.arr("the version")?);
        let created_ms = i64::from_be_bytes(r.arr("the time")?);
        let realm: [u8; 16] = r.arr("the realm")?;
        let publisher = NodeId(r.arr("the publisher")?);
        let n = usize::from(u16::from_be_bytes(r.arr("the file count")?));
        if n > MAX_FILES {
            return Err(too_large("file count", n, MAX_FILES));
        }
        let mut files = Vec::with_capacity(n);
        for _ in 0..n {
            let pl = usize::from(u16::from_be_bytes(r.arr("a path length")?));
            if pl > MAX_PATH {
                return Err(too_large("a path", pl, MAX_PATH));
            }
            let path = r.text(pl, "a path")?;
            let tl = u32::from_be_bytes(r.arr("a file length")?) as usize;
            if tl > MAX_FILE_BYTES {
                return Err(too_large("a file", tl, MAX_FILE_BYTES));
            }
            let text = r.text(tl, "a file")?;
            files.push(BundleFile { path, text });
        }
        if !r.b.is_empty() {
            return Err(malformed(format!(
                "{} bytes after the last file",
                r.b.len()
            )));
        }
        if version == 0 {
            return Err(malformed("version 0 (versions start at 1)"));
        }
        check_files(&files)?;
        let mut hash = [0u8; 32];
        hash.copy_from_slice(&trailer[..32]);
        let mut signature = [0u8; 64];
        signature.copy_from_slice(&trailer[32..]);
        if *blake3::hash(content).as_bytes() != hash {
            return Err(CatalogBundleError::BadHash);
        }
        if !identity::verify(&publisher, SIG_CONTEXT, &hash, &signature) {
            return Err(CatalogBundleError::BadSignature {
                publisher: publisher.short(),
            });
        }
        Ok(SignedBundle {
            bundle: CatalogBundle {
                version,
                created_ms,
                realm,
                publisher,
                files,
            },
            hash,
            signature,
            bytes: bytes.to_vec(),
        })
    }

    /// The content hash, hex.
    pub fn hash_hex(&self) -> String {
        self.hash.iter().map(|b| format!("{b:02x}")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Vec<BundleFile> {
        vec![
            BundleFile {
                path: "catalog/a.toml".into(),
                text: "x = 1".into(),
            },
            BundleFile {
                path: "holidays.toml".into(),
                text: String::new(),
            },
        ]
    }

    fn bundle(key: &NodeKey) -> CatalogBundle {
        CatalogBundle {
            version: 3,
            created_ms: 1_764_300_000_000,
            realm: [7; 16],
            publisher: key.id(),
            files: files(),
        }
    }

    #[test]
    fn a_signed_bundle_decodes_to_itself() {
        let key = NodeKey::generate();
        let s = bundle(&key).sign(&key).expect("sign");
        let d = SignedBundle::decode(&s.bytes).expect("decode");
        assert_eq!(d, s);
    }

    #[test]
    fn a_flipped_byte_anywhere_is_refused_without_panic() {
        let key = NodeKey::generate();
        let s = bundle(&key).sign(&key).expect("sign");
        for i in 0..s.bytes.len() {
            let mut b = s.bytes.clone();
            b[i] ^= 0x40;
            assert!(SignedBundle::decode(&b).is_err(), "flip at {i} accepted");
        }
        for n in 0..s.bytes.len() {
            assert!(SignedBundle::decode(&s.bytes[..n]).is_err());
        }
    }

    #[test]
    fn a_bundle_signed_by_another_key_is_a_bad_signature() {
        let key = NodeKey::generate();
        let other = NodeKey::generate();
        let mut s = bundle(&key).sign(&key).expect("sign");
        // Re-sign the same content with another key: the hash holds, the signature does not.
        let sig = other.sign(SIG_CONTEXT, &s.hash);
        let n = s.bytes.len();
        s.bytes[n - 64..].copy_from_slice(&sig);
        assert!(matches!(
            SignedBundle::decode(&s.bytes),
            Err(CatalogBundleError::BadSignature { .. })
        ));
        let mut b = s.bytes.clone();
        b[20] ^= 1;
        assert!(matches!(
            SignedBundle::decode(&b),
            Err(CatalogBundleError::BadHash)
        ));
    }

    #[test]
    fn oversized_bundles_and_counts_are_refused_before_allocation() {
        let big = vec![0u8; MAX_BUNDLE_BYTES + 1];
        assert!(matches!(
            SignedBundle::decode(&big),
            Err(CatalogBundleError::TooLarge {
                what: "the bundle",
                ..
            })
        ));
        // A header that claims a file of 4 GiB.
        let key = NodeKey::generate();
        let mut b = bundle(&key);
        b.files.truncate(1);
        let s = b.sign(&key).expect("sign");
        let mut bytes = s.bytes.clone();
        let at = FIXED + 2 + "catalog/a.toml".len();
        bytes[at..at + 4].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(matches!(
            SignedBundle::decode(&bytes),
            Err(CatalogBundleError::TooLarge { what: "a file", .. })
        ));
        let mut b = bundle(&key);
        b.files[0].text = "x".repeat(MAX_FILE_BYTES + 1);
        assert!(matches!(
            b.sign(&key),
            Err(CatalogBundleError::TooLarge { what: "a file", .. })
        ));
    }

    #[test]
    fn paths_outside_the_layout_are_refused() {
        for p in [
            "../etc/passwd",
            "catalog/../x.toml",
            "catalog/.hidden.toml",
            "catalog/sub/x.toml",
            "forms/x.toml",
            "node.key",
            "catalog/x.txt",
        ] {
            assert!(!path_allowed(p), "{p}");
        }
        for p in [
            "catalog/birth.toml",
            "holidays.toml",
            "forms/receipt.typ",
            "forms/forms.toml",
        ] {
            assert!(path_allowed(p), "{p}");
        }
        let key = NodeKey::generate();
        let mut b = bundle(&key);
        b.files.reverse();
        assert!(matches!(
            b.sign(&key),
            Err(CatalogBundleError::BadPath { .. })
        ));
    }
}
