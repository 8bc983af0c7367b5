//! The stored form of a case document (store format 4, table `docs-2`): the document's saved
//! bytes, deflated when that is shorter (issue 13: disk per case). A 1.4 KB document fitted
//! only twice in a 4 KiB redb page; deflated, three or more fit.
//!
//! The row is lossless: [`DocRow::unpack`] gives back exactly the bytes that were packed, so a
//! document loads as it did before and its stored bytes are what they were. The value type
//! [`PackedDoc`] makes every reader go through [`DocRow::unpack`] (nobody can mistake a row
//! for Automerge bytes), and only [`DocBuf::pack`] makes a row.
//!
//! Writers hand it the document saved without Automerge's column deflate
//! ([`crate::case::CaseDoc::save_stored`]), so the text is there to compress; it is deflated
//! with a preset dictionary ([`DICTIONARY`]: one document of each procedure of the sample
//! cases), which holds what every case document shares (the field names, the procedure and
//! status words, the column layout). Measured on the judicial-record documents of the format-3
//! fixture, made by another node: 1,988 bytes saved without column deflate, 1,013 with it,
//! 1,149 deflated, 686 deflated with the dictionary.
//!
//! | tag | row |
//! |---|---|
//! | 0 | the saved bytes as they are |
//! | 1 | varint length of the saved bytes, then their raw DEFLATE (strictly shorter) |
//! | 2 | varint length of the saved bytes, then their raw DEFLATE with [`DICTIONARY`] as the preset dictionary |
//!
//! The dictionary is part of the format: a row of tag 2 reads only with these exact bytes, so
//! the file is never changed; a better one gets a new tag.

use std::borrow::Cow;
use std::io::Read as _;

use crate::ids::CaseId;
use crate::store::error::StoreError;

const TAG_RAW: u8 = 0;
const TAG_DEFLATE: u8 = 1;
const TAG_DEFLATE_DICT: u8 = 2;
/// The preset dictionary of tag 2 (made by `dictionary_from_the_sample_cases` in
/// `node/tests/node/pack_cases.rs`; never edited, see the module doc).
pub(crate) const DICTIONARY: &[u8] = include_bytes!("doc_dict.bin");
/// blake3 of [`DICTIONARY`], checked by a test so the file is never changed by accident.
#[cfg(test)]
const DICTIONARY_BLAKE3: &str = "c36cdcffde5787724d3874d1806fa2bf6db4241579a21e7df7b8181169431484";
/// Largest document a row inflates to: bounds what reading a damaged row allocates (well
/// above [`crate::limits::MAX_DOC_BYTES`] of any build).
pub(crate) const MAX_UNPACKED: u64 = 64 * 1024 * 1024;

/// The value type of [`super::tables::DOCS`].
#[derive(Debug)]
pub struct PackedDoc;

/// One stored document row, as read from or written to the table.
#[derive(Clone, Copy, Debug)]
pub struct DocRow<'a>(&'a [u8]);

/// A packed row, owned, to insert with [`DocBuf::row`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocBuf(Vec<u8>);

impl DocBuf {
    /// Packs a document's saved bytes: deflated when that is shorter, else as they are.
    pub fn pack(saved: &[u8]) -> Self {
        let mut out = Vec::with_capacity(saved.len() / 2 + 8);
        if let Some(z) = deflate(saved) {
            out.push(TAG_DEFLATE_DICT);
            put_varint(&mut out, saved.len() as u64);
            if out.len() + z.len() < saved.len() + 1 {
                out.extend_from_slice(&z);
                return DocBuf(out);
            }
            out.clear();
        }
        out.push(TAG_RAW);
        out.extend_from_slice(saved);
        DocBuf(out)
    }

    /// Whether the row deflated to at most 3/4 of the `saved` length it packs: a document saved
    /// with Automerge's column deflate does not, and is better saved again in the stored form
    /// ([`crate::case::CaseDoc::save_stored`]).
    pub fn packs_well(&self, saved: usize) -> bool {
        self.stored_len() * 4 <= saved * 3
    }

    /// The row to insert.
    pub fn row(&self) -> DocRow<'_> {
        DocRow(&self.0)
    }

    /// Bytes the row takes in the table (never 0: a row holds at least its tag).
    pub fn stored_len(&self) -> usize {
        self.0.len()
    }
}

impl DocBuf {
    /// A row received from a peer in this stored form (`ingest/packed.rs`), and the saved bytes
    /// it unpacks to. The length its header declares is checked against `max` before anything
    /// is inflated, and the row must unpack to exactly that many bytes; the caller then loads
    /// those bytes strictly, so the row stored is the document that was checked.
    pub(crate) fn from_received(
        row: &[u8],
        max: usize,
    ) -> std::result::Result<(DocBuf, Vec<u8>), &'static str> {
        let declared = match row.split_first() {
            Some((&TAG_RAW, rest)) => rest.len() as u64,
            Some((&(TAG_DEFLATE | TAG_DEFLATE_DICT), rest)) => {
                get_varint(rest).ok_or("a bad length")?.0
            }
            Some(_) => return Err("an unknown row tag"),
            None => return Err("an empty row"),
        };
        if declared > max as u64 {
            return Err("a document over the size bound");
        }
        let saved = unpack(row)?.into_owned();
        Ok((DocBuf(row.to_vec()), saved))
    }
}

impl<'a> DocRow<'a> {
    /// Case `case`'s document, its saved bytes exactly as packed. A row that does not unpack
    /// is [`StoreError::DamagedCase`].
    pub fn unpack(&self, case: &CaseId) -> Result<Cow<'a, [u8]>, StoreError> {
        unpack(self.0).map_err(|detail| StoreError::DamagedCase {
            case: *case,
            detail: format!("the stored document row does not read: {detail}"),
        })
    }

    /// Length of the document's saved bytes, read from the row's header without inflating
    /// (0 for a row that does not say).
    pub fn unpacked_len(&self) -> usize {
        match self.0.split_first() {
            Some((&TAG_RAW, rest)) => rest.len(),
            Some((&(TAG_DEFLATE | TAG_DEFLATE_DICT), rest)) => get_varint(rest)
                .and_then(|(n, _)| usize::try_from(n).ok())
                .unwrap_or(0),
            _ => 0,
        }
    }

    /// Bytes the row takes in the table (packed).
    pub fn stored_len(&self) -> usize {
        self.0.len()
    }

    /// The row as stored (packed): a fold compares it to the row it read (`node/fold.rs`).
    pub(crate) fn packed(&self) -> &'a [u8] {
        self.0
    }
}

fn unpack(row: &[u8]) -> std::result::Result<Cow<'_, [u8]>, &'static str> {
    match row.split_first() {
        Some((&TAG_RAW, rest)) => Ok(Cow::Borrowed(rest)),
        Some((&TAG_DEFLATE, rest)) => {
            let (n, z) = get_varint(rest).ok_or("a bad length")?;
            if n > MAX_UNPACKED {
                return Err("a length over the bound");
            }
            let mut out = Vec::with_capacity(n as usize);
            flate2::read::DeflateDecoder::new(z)
                .take(n + 1)
                .read_to_end(&mut out)
                .map_err(|_| "a deflated row that does not inflate")?;
            if out.len() as u64 != n {
                return Err("a deflated row of the wrong length");
            }
            Ok(Cow::Owned(out))
        }
        Some((&TAG_DEFLATE_DICT, rest)) => {
            let (n, z) = get_varint(rest).ok_or("a bad length")?;
            if n > MAX_UNPACKED {
                return Err("a length over the bound");
            }
            inflate_dict(z, n as usize).map(Cow::Owned)
        }
        Some(_) => Err("an unknown row tag"),
        None => Err("an empty row"),
    }
}

/// Raw DEFLATE of `p` with [`DICTIONARY`] preset.
fn deflate(p: &[u8]) -> Option<Vec<u8>> {
    crate::preset_deflate::deflate(DICTIONARY, p)
}

/// Inflates a raw DEFLATE stream made with [`DICTIONARY`] preset to exactly `n` bytes.
fn inflate_dict(z: &[u8], n: usize) -> std::result::Result<Vec<u8>, &'static str> {
    crate::preset_deflate::inflate(DICTIONARY, z, n)
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn get_varint(b: &[u8]) -> Option<(u64, &[u8])> {
    let mut v = 0u64;
    for (i, &byte) in b.iter().enumerate().take(10) {
        v |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((v, &b[i + 1..]));
        }
    }
    None
}

impl redb::Value for PackedDoc {
    type SelfType<'a>
        = DocRow<'a>
    where
        Self: 'a;
    type AsBytes<'a>
        = &'a [u8]
    where
        Self: 'a;

    fn fixed_width() -> Option<usize> {
        None
    }

    fn from_bytes<'a>(data: &'a [u8]) -> DocRow<'a>
    where
        Self: 'a,
    {
        DocRow(data)
    }

    fn as_bytes<'a, 'b: 'a>(value: &'a DocRow<'b>) -> &'a [u8]
    where
        Self: 'b,
    {
        value.0
    }

    fn type_name() -> redb::TypeName {
        redb::TypeName::new("hoso::PackedDoc")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_unpack_to_exactly_what_was_packed() {
        let repetitive: Vec<u8> = b"hoso case document ".repeat(80);
        let mut noise = vec![0u8; 600];
        blake3::Hasher::new()
            .update(b"noise")
            .finalize_xof()
            .fill(&mut noise);
        for saved in [&b""[..], b"x", &repetitive, &noise] {
            let buf = DocBuf::pack(saved);
            assert!(
                buf.stored_len() <= saved.len() + 1,
                "never more than one byte over"
            );
            assert_eq!(
                buf.row()
                    .unpack(&CaseId([1; 16]))
                    .expect("unpacks")
                    .as_ref(),
                saved
            );
        }
        assert_eq!(DocBuf::pack(&repetitive).0[0], TAG_DEFLATE_DICT);
        assert_eq!(DocBuf::pack(&noise).0[0], TAG_RAW);
    }

    #[test]
    fn the_dictionary_is_the_one_rows_were_made_with() {
        assert_eq!(
            blake3::hash(DICTIONARY).to_hex().as_str(),
            DICTIONARY_BLAKE3
        );
        // A row of tag 1 (no dictionary) still reads.
        use std::io::Write as _;
        let saved = b"tag one row ".repeat(40);
        let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(&saved).expect("deflate");
        let mut row = vec![TAG_DEFLATE];
        put_varint(&mut row, saved.len() as u64);
        row.extend_from_slice(&z.finish().expect("finish"));
        assert_eq!(
            DocRow(&row)
                .unpack(&CaseId([1; 16]))
                .expect("reads")
                .as_ref(),
            saved.as_slice()
        );
        assert_eq!(DocRow(&row).unpacked_len(), saved.len());
    }

    #[test]
    fn damaged_rows_are_corrupt_not_panics() {
        let good = DocBuf::pack(&b"abcabcabc".repeat(50));
        let mut short = good.0.clone();
        short.truncate(short.len() - 3);
        let mut long_claim = good.0.clone();
        long_claim[1] ^= 0x01;
        for bad in [
            &[][..],
            &[9, 1, 2][..],
            &[TAG_DEFLATE][..],
            &[
                TAG_DEFLATE,
                0xff,
                0xff,
                0xff,
                0xff,
                0xff,
                0xff,
                0xff,
                0xff,
                0xff,
                0x7f,
            ][..],
            &short,
            &long_claim,
        ] {
            let e = DocRow(bad).unpack(&CaseId([1; 16])).expect_err("refused");
            assert!(matches!(e, StoreError::DamagedCase { .. }), "{e}");
        }
    }
}
