//! Raw DEFLATE with a preset dictionary (zlib's `deflateSetDictionary`), for the small rows of
//! the store that share most of their text with every other row of their kind: case documents
//! (`store::doc_row`) and audit payloads (`chain::compact`). A row made with a dictionary reads
//! only with the same bytes, so each dictionary is a fixed file, part of the store format.

use std::cell::RefCell;

thread_local! {
    /// One compressor and one decompressor per thread, reset between uses: a new zlib
    /// compressor allocates and clears several hundred KB of state, which cost more than
    /// deflating a case document.
    static COMPRESS: RefCell<Option<flate2::Compress>> = const { RefCell::new(None) };
    /// The same for raw DEFLATE with no dictionary ([`deflate_plain`]).
    static PLAIN: RefCell<Option<flate2::Compress>> = const { RefCell::new(None) };
    static DECOMPRESS: RefCell<Option<flate2::Decompress>> = const { RefCell::new(None) };
}

/// Raw DEFLATE (best compression) of `p` with `dict` preset; `None` if zlib refuses.
pub(crate) fn deflate(dict: &[u8], p: &[u8]) -> Option<Vec<u8>> {
    COMPRESS.with(|cell| {
        let mut slot = cell.try_borrow_mut().ok();
        let mut c = match slot.as_mut().and_then(|s| s.take()) {
            Some(mut c) => {
                c.reset();
                c
            }
            None => flate2::Compress::new(flate2::Compression::best(), false),
        };
        let out = deflate_with(&mut c, dict, p);
        if let Some(s) = slot.as_mut() {
            **s = Some(c);
        }
        out
    })
}

/// Raw DEFLATE (best compression) of `p` with no dictionary: the bytes
/// `flate2::write::DeflateEncoder` at `Compression::best()` writes, on a reused state (a
/// received audit payload is deflated both ways and the shorter kept, `chain/compact.rs`; a
/// fresh encoder per payload allocated and cleared its whole state each time).
pub(crate) fn deflate_plain(p: &[u8]) -> Option<Vec<u8>> {
    PLAIN.with(|cell| {
        let mut slot = cell.try_borrow_mut().ok();
        let mut c = match slot.as_mut().and_then(|s| s.take()) {
            Some(mut c) => {
                c.reset();
                c
            }
            None => flate2::Compress::new(flate2::Compression::best(), false),
        };
        let out = finish(&mut c, p);
        if let Some(s) = slot.as_mut() {
            **s = Some(c);
        }
        out
    })
}

fn deflate_with(c: &mut flate2::Compress, dict: &[u8], p: &[u8]) -> Option<Vec<u8>> {
    c.set_dictionary(dict).ok()?;
    finish(c, p)
}

/// Compresses all of `p` on `c` (reset, its dictionary set) to the end of the stream.
fn finish(c: &mut flate2::Compress, p: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(p.len() / 2 + 64);
    loop {
        let done = usize::try_from(c.total_in()).ok()?;
        let status = c
            .compress_vec(&p[done..], &mut out, flate2::FlushCompress::Finish)
            .ok()?;
        if status == flate2::Status::StreamEnd {
            return Some(out);
        }
        out.reserve(out.capacity().max(64));
    }
}

/// Inflates `z`, a raw DEFLATE stream made with `dict` preset, to exactly `n` bytes: a stream
/// that does not inflate, inflates to another length or has bytes after its end is refused.
pub(crate) fn inflate(dict: &[u8], z: &[u8], n: usize) -> Result<Vec<u8>, &'static str> {
    DECOMPRESS.with(|cell| {
        let mut slot = cell.try_borrow_mut().ok();
        let mut d = match slot.as_mut().and_then(|s| s.take()) {
            Some(mut d) => {
                d.reset(false);
                d
            }
            None => flate2::Decompress::new(false),
        };
        let out = inflate_with(&mut d, dict, z, n);
        if let Some(s) = slot.as_mut() {
            **s = Some(d);
        }
        out
    })
}

fn inflate_with(
    d: &mut flate2::Decompress,
    dict: &[u8],
    z: &[u8],
    n: usize,
) -> Result<Vec<u8>, &'static str> {
    let bad = "a deflated row that does not inflate";
    d.set_dictionary(dict).map_err(|_| bad)?;
    // One byte of room past `n`, so a stream that inflates to more is seen.
    let mut out = Vec::with_capacity(n + 1);
    let status = d
        .decompress_vec(z, &mut out, flate2::FlushDecompress::Finish)
        .map_err(|_| bad)?;
    if status != flate2::Status::StreamEnd || out.len() != n || d.total_in() != z.len() as u64 {
        return Err("a deflated row of the wrong length");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trips_and_needs_its_dictionary() {
        let dict = b"{\"fields\":{\"from\":\"to\"}}".repeat(4);
        let p = b"{\"fields\":{\"purpose\":{\"from\":\"a\",\"to\":\"b\"}}}";
        let z = super::deflate(&dict, p).expect("deflates");
        assert!(z.len() < p.len());
        assert_eq!(super::inflate(&dict, &z, p.len()).expect("inflates"), p);
        assert!(super::inflate(&dict, &z, p.len() + 1).is_err());
        assert!(
            super::inflate(b"another dictionary", &z, p.len()).map_or(true, |x| x != p),
            "another dictionary never gives the payload back"
        );
        let mut longer = z.clone();
        longer.push(0);
        assert!(super::inflate(&dict, &longer, p.len()).is_err());
    }

    #[test]
    fn plain_deflate_is_what_a_fresh_encoder_writes() {
        use std::io::Write as _;
        let a = b"{\"fields\":{\"purpose\":\"x\"}} payload text ".repeat(7);
        let b = b"short".to_vec();
        for p in [&a, &b, &a] {
            let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
            z.write_all(p).expect("write");
            let fresh = z.finish().expect("finish");
            assert_eq!(super::deflate_plain(p).expect("deflates"), fresh);
            // The dictionary state in between leaves nothing behind either.
            let _ = super::deflate(b"some dictionary", p);
        }
    }

    #[test]
    fn the_reused_state_gives_the_same_bytes_after_any_use() {
        let dict = b"case document field names ".repeat(20);
        let a = b"case document field names and a value".repeat(3);
        let b = b"another payload, unlike the first one at all".to_vec();
        let za = super::deflate(&dict, &a).expect("a");
        let zb = super::deflate(b"other", &b).expect("b");
        assert_eq!(super::deflate(&dict, &a).expect("a again"), za);
        // A failed inflate leaves nothing behind for the next one.
        assert!(super::inflate(&dict, &za[..za.len() / 2], a.len()).is_err());
        assert!(super::inflate(&dict, b"\xff\xff garbage", 10).is_err());
        assert_eq!(super::inflate(&dict, &za, a.len()).expect("a"), a);
        assert_eq!(super::inflate(b"other", &zb, b.len()).expect("b"), b);
    }
}
