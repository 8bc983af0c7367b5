//! Raw DEFLATE with a preset dictionary (zlib's `deflateSetDictionary`), for the small rows of
//! the store that share most of their text with every other row of their kind: case documents
//! (`store::doc_row`) and audit payloads (`chain::compact`). A row made with a dictionary reads
//! only with the same bytes, so each dictionary is a fixed file, part of the store format.

/// Raw DEFLATE (best compression) of `p` with `dict` preset; `None` if zlib refuses.
pub(crate) fn deflate(dict: &[u8], p: &[u8]) -> Option<Vec<u8>> {
    let mut c = flate2::Compress::new(flate2::Compression::best(), false);
    c.set_dictionary(dict).ok()?;
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
    let bad = "a deflated row that does not inflate";
    let mut d = flate2::Decompress::new(false);
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
}
