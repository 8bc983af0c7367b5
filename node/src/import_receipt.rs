//! Import receipts: each imported file is remembered by the blake3 hash of its bytes, so a
//! re-run of the same file (after a kill that let the import land, or by mistake) is refused
//! instead of receiving every case again. Records with receipt codes are refused by their codes
//! already; this covers the records without one, which get new codes on every run.
//!
//! The receipt is a `meta` row (`import-file:<hash>`) written in the import's own transaction,
//! so it exists exactly when the cases do.

use std::io::{BufRead, Read};

use redb::{ReadableTable, WriteTransaction};
use serde::{Deserialize, Serialize};

use crate::error::{ImportedBefore, NodeError, Refusal, Result};
use crate::store::tables::META;

/// What the store remembers of one imported file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReceipt {
    /// blake3 of the file's bytes, hex.
    pub blake3: String,
    /// The file name given to the import.
    pub file: String,
    /// Who imported it (officer id, or `node`).
    pub officer: String,
    /// When, Unix milliseconds.
    pub at_ms: i64,
    /// How many cases it created.
    pub cases: usize,
}

impl ImportReceipt {
    /// The refusal of a second import of the same bytes (exit 2), saying when and by whom the
    /// file was imported and what to do.
    pub fn refusal(&self, file: &str) -> NodeError {
        NodeError::Refused(Refusal::AlreadyImported {
            file: file.to_string(),
            before: Box::new(ImportedBefore {
                blake3: self.blake3.chars().take(16).collect(),
                at: crate::session::vn_time(self.at_ms),
                officer: self.officer.clone(),
                cases: self.cases,
                first_file: self.file.clone(),
            }),
        })
    }
}

fn key(blake3: &str) -> String {
    format!("import-file:{blake3}")
}

/// The receipt of a file with hash `blake3`, if it was imported.
pub fn get(tx: &WriteTransaction, blake3: &str) -> Result<Option<ImportReceipt>> {
    let meta = tx.open_table(META)?;
    let Some(v) = meta.get(key(blake3).as_str())? else {
        return Ok(None);
    };
    serde_json::from_slice(v.value())
        .map(Some)
        .map_err(|e| NodeError::Corrupt {
            what: format!("import receipt {blake3}"),
            detail: e.to_string(),
        })
}

/// Stores `receipt` (inside the import's transaction).
pub fn put(tx: &WriteTransaction, receipt: &ImportReceipt) -> Result<()> {
    let bytes = serde_json::to_vec(receipt).map_err(|e| NodeError::Document(e.to_string()))?;
    tx.open_table(META)?
        .insert(key(&receipt.blake3).as_str(), bytes.as_slice())?;
    Ok(())
}

/// A reader that hashes every byte its user consumes (so, once read to the end, the hash of
/// the whole input).
pub struct Hashing<R> {
    inner: R,
    hasher: blake3::Hasher,
    lines: usize,
}

impl<R: BufRead> Hashing<R> {
    /// Wraps `inner`.
    pub fn new(inner: R) -> Self {
        Hashing {
            inner,
            hasher: blake3::Hasher::new(),
            lines: 0,
        }
    }

    /// The hex blake3 of what was consumed.
    pub fn hex(&self) -> String {
        self.hasher.finalize().to_hex().to_string()
    }

    /// How many newlines were consumed.
    pub fn line_count(&self) -> usize {
        self.lines
    }
}

impl<R: BufRead> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = {
            let available = self.fill_buf()?;
            let n = available.len().min(buf.len());
            buf[..n].copy_from_slice(&available[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Hashing<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        if let Ok(b) = self.inner.fill_buf() {
            let used = &b[..amt.min(b.len())];
            self.hasher.update(used);
            self.lines += used.iter().filter(|&&c| c == b'\n').count();
        }
        self.inner.consume(amt);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_covers_every_consumed_byte() {
        let text = b"line one\nline two\nlast";
        let mut r = Hashing::new(&text[..]);
        while let Ok(crate::limits::Line::Text(_)) = crate::limits::read_line(&mut r, 100) {}
        assert_eq!(r.hex(), blake3::hash(text).to_hex().to_string());
        assert_eq!(r.line_count(), 2);
    }
}
