//! Frames: `[version u8][length u32 BE][payload]`. The header is checked before the payload is
//! read, so a peer can never make us allocate more than [`MAX_FRAME`] bytes for one frame.

/// The frame format version this build speaks.
pub const FRAME_VERSION: u8 = 1;
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
}

/// Checks a header and returns the payload length.
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

/// Splits whole frames off the front of a byte buffer (for tests and non-stream transports).
/// Returns `Ok(None)` when more bytes are needed.
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
}
