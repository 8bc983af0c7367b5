//! Frames: `[version u8][length u32 BE][body]`. The header is checked before the body is
//! read, so a peer can never make us allocate more than [`MAX_FRAME`] bytes for one frame.
//!
//! Two kinds of frame under the same version: a raw frame (first byte [`FRAME_VERSION`]) whose
//! body is the payload, and a compressed frame (first byte [`FRAME_ZSTD`], the version with
//! the high bit set) whose body is `[payload length u32 BE][one zstd frame]`. A sender
//! compresses only payloads of at least [`COMPRESS_MIN`] bytes, and only when that makes them
//! smaller, so small messages stay raw; it compresses only on a connection that negotiated
//! `hoso/sync/2` (see [`crate::protocol::ALPN_V2`]), so a node that knows only raw frames never
//! gets one. The receiver checks the declared payload length against [`MAX_FRAME`] before it
//! decompresses, decompresses into a buffer of exactly that size and refuses a body that would
//! grow past it or stop short of it: a peer's zstd bomb costs at most [`MAX_FRAME`] bytes. This
//! is below the message kinds: any message may travel in either kind of frame.

/// The frame format version this build speaks.
pub const FRAME_VERSION: u8 = 1;
/// First byte of a compressed frame: [`FRAME_VERSION`] with the compression flag.
pub const FRAME_ZSTD: u8 = FRAME_VERSION | ZSTD_FLAG;
/// The compression flag in the first byte.
pub const ZSTD_FLAG: u8 = 0x80;
/// Smallest payload a sender compresses (smaller ones stay raw).
pub const COMPRESS_MIN: usize = 256;
/// zstd level (3, zstd's default: ~300 MB/s a core, so compressing never holds a sync back).
pub const ZSTD_LEVEL: i32 = 3;
/// Header length in bytes.
pub const HEADER_LEN: usize = 5;
/// Largest payload accepted or sent (8 MiB).
pub const MAX_FRAME: usize = 8 << 20;

/// Why a frame was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// Version byte other than [`FRAME_VERSION`].
    #[error(
        "frame version {0} is not supported (this node speaks {FRAME_VERSION}); upgrade the older node"
    )]
    WrongVersion(u8),
    /// Length over [`MAX_FRAME`].
    #[error("frame of {0} bytes is over the {MAX_FRAME}-byte limit")]
    TooLarge(u64),
    /// A frame with no payload.
    #[error("empty frame")]
    Empty,
    /// The stream ended inside a frame.
    #[error("the stream ended inside a frame ({0})")]
    Truncated(&'static str),
    /// A compressed frame declaring a payload over [`MAX_FRAME`].
    #[error("compressed frame declares {0} bytes, over the {MAX_FRAME}-byte limit")]
    DecompressedTooLarge(u64),
    /// A compressed body that is not one zstd frame of the declared length.
    #[error("compressed frame does not decompress to its declared {declared} bytes: {why}")]
    BadCompression {
        /// The declared payload length.
        declared: u64,
        /// What zstd or the length check said.
        why: String,
    },
    /// This node could not compress a frame (zstd failed; a bug or memory exhaustion).
    #[error("cannot compress a frame: {0}")]
    Compress(String),
}

/// A checked frame header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// Body length (what follows the header).
    pub len: usize,
    /// The body is `[payload length][zstd frame]`.
    pub compressed: bool,
}

/// Checks a header of either kind (raw or compressed) and returns the body length and kind.
pub fn parse_any_header(h: &[u8; HEADER_LEN]) -> Result<Header, FrameError> {
    let compressed = match h[0] {
        FRAME_VERSION => false,
        FRAME_ZSTD => true,
        v => return Err(FrameError::WrongVersion(v)),
    };
    let mut raw = *h;
    raw[0] = FRAME_VERSION;
    let len = parse_header(&raw)?;
    if compressed && len < 5 {
        return Err(FrameError::Truncated("compressed body"));
    }
    Ok(Header { len, compressed })
}

/// The payload of a frame body read after `header`: the body itself for a raw frame, the
/// bounded decompression of a compressed one.
pub fn payload(header: Header, body: Vec<u8>) -> Result<Vec<u8>, FrameError> {
    if !header.compressed {
        return Ok(body);
    }
    let Some((len, z)) = body.split_first_chunk::<4>() else {
        return Err(FrameError::Truncated("compressed body"));
    };
    let declared = u64::from(u32::from_be_bytes(*len));
    if declared == 0 {
        return Err(FrameError::Empty);
    }
    if declared > MAX_FRAME as u64 {
        return Err(FrameError::DecompressedTooLarge(declared));
    }
    let bad = |why: String| FrameError::BadCompression { declared, why };
    // `declared` ≤ MAX_FRAME: the capacity is the bound, zstd stops at it with an error.
    let out = zstd::bulk::decompress(z, declared as usize).map_err(|e| bad(e.to_string()))?;
    if out.len() as u64 != declared {
        return Err(bad(format!("got {} bytes", out.len())));
    }
    Ok(out)
}

/// Wraps a payload in a frame, compressed when `compress` is set, the payload has at least
/// [`COMPRESS_MIN`] bytes and compressing makes it smaller; raw otherwise.
pub fn encode_frame_with(payload: &[u8], compress: bool) -> Result<Vec<u8>, FrameError> {
    if compress && payload.len() >= COMPRESS_MIN && payload.len() <= MAX_FRAME {
        let z = zstd::bulk::compress(payload, ZSTD_LEVEL)
            .map_err(|e| FrameError::Compress(e.to_string()))?;
        if z.len() + 4 < payload.len() {
            let body = 4 + z.len();
            let mut out = Vec::with_capacity(HEADER_LEN + body);
            out.push(FRAME_ZSTD);
            out.extend_from_slice(&(body as u32).to_be_bytes());
            out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
            out.extend_from_slice(&z);
            return Ok(out);
        }
    }
    encode_frame(payload)
}

/// Checks a raw frame's header and returns the payload length (a compressed frame is
/// refused here; see [`parse_any_header`]).
pub fn parse_header(h: &[u8; HEADER_LEN]) -> Result<usize, FrameError> {
    if h[0] != FRAME_VERSION {
        return Err(FrameError::WrongVersion(h[0]));
    }
    let len = u32::from_be_bytes([h[1], h[2], h[3], h[4]]) as u64;
    if len == 0 {
        return Err(FrameError::Empty);
    }
    if len > MAX_FRAME as u64 {
        return Err(FrameError::TooLarge(len));
    }
    Ok(len as usize)
}

/// Wraps a payload in a frame. Payloads over [`MAX_FRAME`] are a bug of the sender.
pub fn encode_frame(payload: &[u8]) -> Result<Vec<u8>, FrameError> {
    if payload.is_empty() {
        return Err(FrameError::Empty);
    }
    if payload.len() > MAX_FRAME {
        return Err(FrameError::TooLarge(payload.len() as u64));
    }
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.push(FRAME_VERSION);
    out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    out.extend_from_slice(payload);
    Ok(out)
}

/// Splits whole raw frames off the front of a byte buffer (for tests and non-stream
/// transports). Returns `Ok(None)` when more bytes are needed.
pub fn split_frame(buf: &[u8]) -> Result<Option<(&[u8], usize)>, FrameError> {
    let Some(h) = buf.get(..HEADER_LEN) else {
        return Ok(None);
    };
    let mut hdr = [0u8; HEADER_LEN];
    hdr.copy_from_slice(h);
    let len = parse_header(&hdr)?;
    match buf.get(HEADER_LEN..HEADER_LEN + len) {
        Some(p) => Ok(Some((p, HEADER_LEN + len))),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_refusals() {
        let f = encode_frame(b"abc").expect("frame");
        assert_eq!(split_frame(&f), Ok(Some((&b"abc"[..], 8))));
        assert_eq!(split_frame(&f[..6]), Ok(None));
        let mut bad = f.clone();
        bad[0] = 2;
        assert_eq!(split_frame(&bad), Err(FrameError::WrongVersion(2)));
        let huge = [1u8, 0xff, 0xff, 0xff, 0xff];
        assert_eq!(parse_header(&huge), Err(FrameError::TooLarge(0xffff_ffff)));
        assert_eq!(parse_header(&[1, 0, 0, 0, 0]), Err(FrameError::Empty));
    }

    fn read_back(f: &[u8]) -> Result<Vec<u8>, FrameError> {
        let mut h = [0u8; HEADER_LEN];
        h.copy_from_slice(&f[..HEADER_LEN]);
        let hdr = parse_any_header(&h)?;
        assert_eq!(hdr.len, f.len() - HEADER_LEN);
        payload(hdr, f[HEADER_LEN..].to_vec())
    }

    #[test]
    fn compressed_frames_round_trip_and_small_ones_stay_raw() {
        let big: Vec<u8> = (0..10_000u32)
            .flat_map(|i| (i % 97).to_be_bytes())
            .collect();
        let f = encode_frame_with(&big, true).expect("frame");
        assert_eq!(f[0], FRAME_ZSTD);
        assert!(f.len() < big.len() / 4, "{} of {}", f.len(), big.len());
        assert_eq!(read_back(&f), Ok(big.clone()));
        // Not asked to: raw.
        assert_eq!(
            encode_frame_with(&big, false).expect("raw")[0],
            FRAME_VERSION
        );
        // Small: raw even when asked.
        let small = vec![7u8; COMPRESS_MIN - 1];
        assert_eq!(
            encode_frame_with(&small, true).expect("raw")[0],
            FRAME_VERSION
        );
        // Incompressible: raw.
        let noise: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let f = encode_frame_with(&noise, true).expect("frame");
        assert_eq!(read_back(&f), Ok(noise));
        // A raw-only reader refuses a compressed frame with the version error.
        let f = encode_frame_with(&big, true).expect("frame");
        assert_eq!(split_frame(&f), Err(FrameError::WrongVersion(FRAME_ZSTD)));
    }

    #[test]
    fn compressed_frames_are_bounded() {
        let big = vec![0u8; 100_000];
        let f = encode_frame_with(&big, true).expect("frame");
        // Declares fewer bytes than the zstd frame holds: refused, not grown.
        let mut lie = f.clone();
        lie[HEADER_LEN..HEADER_LEN + 4].copy_from_slice(&1000u32.to_be_bytes());
        assert!(matches!(
            read_back(&lie),
            Err(FrameError::BadCompression { declared: 1000, .. })
        ));
        // Declares more: refused.
        let mut lie = f.clone();
        lie[HEADER_LEN..HEADER_LEN + 4].copy_from_slice(&200_000u32.to_be_bytes());
        assert!(matches!(
            read_back(&lie),
            Err(FrameError::BadCompression {
                declared: 200_000,
                ..
            })
        ));
        // Over the frame limit: refused before decompressing.
        let mut lie = f.clone();
        lie[HEADER_LEN..HEADER_LEN + 4].copy_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(
            read_back(&lie),
            Err(FrameError::DecompressedTooLarge(u64::from(u32::MAX)))
        );
        // Garbage body.
        let mut junk = f.clone();
        for b in &mut junk[HEADER_LEN + 4..] {
            *b ^= 0x5a;
        }
        assert!(matches!(
            read_back(&junk),
            Err(FrameError::BadCompression { .. })
        ));
        // A body too short to hold the length.
        assert_eq!(
            parse_any_header(&[FRAME_ZSTD, 0, 0, 0, 3]),
            Err(FrameError::Truncated("compressed body"))
        );
        assert_eq!(
            parse_any_header(&[0x82, 0, 0, 0, 9]),
            Err(FrameError::WrongVersion(0x82))
        );
    }
}
