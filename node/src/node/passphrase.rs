//! One-time passphrases: what a reset account, or an account a restore carries, is handed.

/// Characters of a one-time passphrase: no 0/o, 1/l/i to misread on paper.
const ONE_TIME_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// A fresh one-time passphrase, `xxxx-xxxx-xxxx` (about 59 bits).
pub fn one_time_passphrase() -> String {
    let bytes: [u8; 12] = rand::random();
    let mut out = String::with_capacity(14);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(ONE_TIME_ALPHABET[*b as usize % ONE_TIME_ALPHABET.len()] as char);
    }
    out
}
