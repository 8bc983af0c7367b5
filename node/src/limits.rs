//! Every size bound of a node's input, in bytes, in one place (the README lists them).
//!
//! A value over its bound is refused with [`LimitExceeded`](crate::error::LimitExceeded), which
//! names the limit; the CLI exits 2. Byte bounds, not character counts: a Vietnamese letter is
//! up to 3 bytes in UTF-8, and what the store, the audit chain and sync frames carry is bytes.

/// A note on a case (`case note`), after trimming.
pub const MAX_NOTE_BYTES: usize = 8 * 1024;
/// The note of a workflow transition (`case transition --note`).
pub const MAX_TRANSITION_NOTE_BYTES: usize = MAX_NOTE_BYTES;
/// One form field value.
pub const MAX_FIELD_BYTES: usize = 4 * 1024;
/// A person's name: an officer's name, a registry citizen's name.
pub const MAX_NAME_BYTES: usize = 256;
/// One case document as stored (its saved form plus its pending change chunks), counted in the
/// form store format 4 keeps and sends: saved without Automerge's column compression (deflated
/// at rest, zstd on the wire), about 1.5× the column-compressed size. 2 MiB holds a case with
/// 10,000 notes (1 MiB cut one at 7,844 changes once that form was counted); a case over a
/// sync part travels in parts, and it stays well under the 8 MiB frame limit.
#[cfg(not(feature = "bench-long-history"))]
pub const MAX_DOC_BYTES: usize = 2 * 1024 * 1024;
/// Changes in one case document's history: 20,000, twice the 10,000 a long-lived case is
/// expected to reach (issue 13, target 5). A write costs the same whatever the history (the
/// cached view is updated from the change, the change appended as one chunk, the change log
/// folded off the write path), so the count no longer guards the write path's time; it bounds
/// what a history costs to load and fold, and the byte bound ([`MAX_DOC_BYTES`]) still bounds
/// what is stored and sent. ARCHITECTURE.md, "Long case histories", says why.
#[cfg(not(feature = "bench-long-history"))]
pub const MAX_DOC_CHANGES: usize = 20_000;
/// Raised for `hoso-bench history` built with the `bench-long-history` feature (benchmarks only).
#[cfg(feature = "bench-long-history")]
pub const MAX_DOC_BYTES: usize = 8 * 1024 * 1024;
/// Raised for `hoso-bench history` built with the `bench-long-history` feature (benchmarks only).
#[cfg(feature = "bench-long-history")]
pub const MAX_DOC_CHANGES: usize = 100_000;
/// One line of a case import file (`hoso import`), read with a bounded reader.
pub const MAX_IMPORT_LINE_BYTES: usize = 256 * 1024;
/// One line of a registry import file (`hoso registry import`), read with a bounded reader.
pub const MAX_REGISTRY_LINE_BYTES: usize = 16 * 1024;
/// History entries plus notes carried by one imported case record.
pub const MAX_IMPORT_PAST_ENTRIES: usize = 500;

/// Checks `len` against `limit` for `what`.
pub fn check(what: crate::error::Limited, len: usize, limit: usize) -> crate::Result<()> {
    if len > limit {
        return Err(crate::error::LimitExceeded {
            what,
            limit,
            actual: len,
        }
        .into());
    }
    Ok(())
}

/// What [`read_line`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    /// A line (without its `\n`, and without a trailing `\r`).
    Text(String),
    /// The end of the input.
    End,
}

/// Why [`read_line`] stopped.
#[derive(Debug)]
pub enum LineError {
    /// The line is longer than the bound; reading stopped at the bound.
    TooLong,
    /// The bytes are not UTF-8.
    NotUtf8,
    /// The reader failed.
    Io(std::io::Error),
}

/// Reads one line of at most `max` bytes, never buffering more than `max + 1` bytes: an input
/// with no newline (`/dev/zero`) stops at the bound instead of filling memory.
pub fn read_line(reader: &mut impl std::io::BufRead, max: usize) -> Result<Line, LineError> {
    let mut buf: Vec<u8> = Vec::new();
    let mut any = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(LineError::Io(e)),
        };
        if available.is_empty() {
            break;
        }
        any = true;
        let (chunk, found) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (&available[..i], Some(i)),
            None => (available, None),
        };
        if buf.len() + chunk.len() > max {
            return Err(LineError::TooLong);
        }
        buf.extend_from_slice(chunk);
        match found {
            Some(i) => {
                reader.consume(i + 1);
                break;
            }
            None => {
                let n = chunk.len();
                reader.consume(n);
            }
        }
    }
    if !any {
        return Ok(Line::End);
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    String::from_utf8(buf)
        .map(Line::Text)
        .map_err(|_| LineError::NotUtf8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_lines() {
        let mut r = std::io::Cursor::new(b"ab\r\ncd\n\nlong-line".to_vec());
        assert_eq!(read_line(&mut r, 4).ok(), Some(Line::Text("ab".into())));
        assert_eq!(read_line(&mut r, 4).ok(), Some(Line::Text("cd".into())));
        assert_eq!(read_line(&mut r, 4).ok(), Some(Line::Text(String::new())));
        assert!(matches!(read_line(&mut r, 4), Err(LineError::TooLong)));
    }

    #[test]
    fn endless_input_stops_at_the_bound() {
        let mut zero = std::io::BufReader::new(std::io::repeat(0));
        assert!(matches!(
            read_line(&mut zero, 1024),
            Err(LineError::TooLong)
        ));
    }
}
