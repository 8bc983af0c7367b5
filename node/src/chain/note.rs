//! Small text helpers of the checkpoint note: standard base64 (RFC 4648, padded) and the
//! signature key ids. Hand-written so the signed text never depends on a dependency's choices.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Base64 with padding.
pub fn b64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Strict base64 decoding: canonical padding, no whitespace, unused bits zero.
pub fn unb64(s: &str) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    if !bytes.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    for (ci, chunk) in bytes.chunks(4).enumerate() {
        let last = ci + 1 == bytes.len() / 4;
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && !last) {
            return None;
        }
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            let v = if i >= 4 - pad {
                0
            } else {
                ALPHABET.iter().position(|&a| a == c)? as u32
            };
            n = (n << 6) | v;
        }
        let got = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        let keep = 3 - pad;
        if got[keep..].iter().any(|&b| b != 0) {
            return None;
        }
        out.extend_from_slice(&got[..keep]);
    }
    Some(out)
}

/// blake3 derive-key context of a signature line's key id.
pub const KEY_ID_CONTEXT: &str = "hoso 2026-11 audit note key id v1";

/// The 4-byte key id of a signer name and key (C2SP signed-note shape, blake3 instead of
/// SHA-256; type byte 0x01 = Ed25519).
pub fn key_id(name: &str, key: &[u8; 32]) -> [u8; 4] {
    let mut h = blake3::Hasher::new_derive_key(KEY_ID_CONTEXT);
    h.update(name.as_bytes());
    h.update(b"\n\x01");
    h.update(key);
    let mut id = [0u8; 4];
    id.copy_from_slice(&h.finalize().as_bytes()[..4]);
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_rfc4648_vectors() {
        for (plain, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(b64(plain.as_bytes()), enc);
            assert_eq!(unb64(enc).as_deref(), Some(plain.as_bytes()));
        }
        assert!(unb64("Zh==").is_none(), "non-zero unused bits");
        assert!(unb64("Zg=").is_none());
        assert!(unb64("Z===").is_none());
        assert!(unb64("Zg==Zg==").is_none());
    }
}
