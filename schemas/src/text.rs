//! Vietnamese text: NFC normalisation and accent-insensitive folding for search.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Normalises to NFC, the form hoso stores everywhere (bytes compare equal only in one form).
pub fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// True if `s` is already in NFC.
pub fn is_nfc(s: &str) -> bool {
    unicode_normalization::is_nfc(s)
}

/// Folds for accent-insensitive search: NFD, drop combining marks, map the
/// d-with-stroke lookalikes (`đ Đ ð Ð ɖ Ɖ`) to `d`, then lowercase.
///
/// ```
/// assert_eq!(hoso_schemas::fold("Đặng Văn Đức"), "dang van duc");
/// ```
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.nfd().filter(|c| !is_combining_mark(*c)) {
        match c {
            'đ' | 'Đ' | 'ð' | 'Ð' | 'ɖ' | 'Ɖ' => out.push('d'),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Folded search tokens: [`fold`], split on anything that is not alphanumeric,
/// drop empty pieces, and drop repeats (keeping first-occurrence order).
///
/// ```
/// assert_eq!(hoso_schemas::tokens("Nguyễn Thị-Hương, nguyen"), ["nguyen", "thi", "huong"]);
/// ```
pub fn tokens(s: &str) -> Vec<String> {
    let folded = fold(s);
    let mut out: Vec<String> = Vec::new();
    for t in folded.split(|c: char| !c.is_alphanumeric()) {
        if !t.is_empty() && !out.iter().any(|o| o == t) {
            out.push(t.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: &[(&str, &str)] = &[
        ("Đặng Văn Đức", "dang van duc"),
        ("Nguyễn Thị Hương", "nguyen thi huong"),
        ("Trần Quốc Toản", "tran quoc toan"),
        ("Lê Thị Ánh Tuyết", "le thi anh tuyet"),
        ("Hoàng Văn Thụ", "hoang van thu"),
        ("Lương Văn Tri", "luong van tri"),
        ("Phạm Ngọc Thạch", "pham ngoc thach"),
        ("Vũ Thị Ngọc Ánh", "vu thi ngoc anh"),
        ("Nông Thị Xuân", "nong thi xuan"),
        ("Triệu Thị Hồng Nhung", "trieu thi hong nhung"),
        ("Lộc Văn Đoàn", "loc van doan"),
        ("Hứa Thị Mỹ Duyên", "hua thi my duyen"),
        ("ĐỖ MINH ĐỨC", "do minh duc"),
        ("Ðinh Bộ Lĩnh", "dinh bo linh"),   // U+00D0 eth
        ("Ɖoàn Thị Điểm", "doan thi diem"), // U+0189 African D
        ("Bùi Ƣu", "bui ƣu"),               // letters without decomposition stay
    ];

    #[test]
    fn fold_table() {
        for (input, want) in NAMES {
            assert_eq!(fold(input), *want, "{input}");
            let decomposed: String = input.nfd().collect();
            assert_eq!(fold(&decomposed), *want, "NFD {input}");
        }
    }

    #[test]
    fn nfc_of_nfd() {
        let nfd: String = "Nguyễn Thị Hương".nfd().collect();
        assert_ne!(nfd, "Nguyễn Thị Hương");
        assert_eq!(nfd.chars().count(), 21);
        assert_eq!(nfc(&nfd), "Nguyễn Thị Hương");
        assert!(is_nfc(&nfc(&nfd)));
        assert!(!is_nfc(&nfd));
    }

    #[test]
    fn tokens_table() {
        assert_eq!(tokens("Nguyễn Thị Hương"), ["nguyen", "thi", "huong"]);
        assert_eq!(tokens("  Đặng--Văn  Đức  "), ["dang", "van", "duc"]);
        assert_eq!(tokens("Hương, Hướng; huong"), ["huong"]);
        assert_eq!(
            tokens("Thôn Nà Pàn, xã Đồng Đăng (06184)"),
            ["thon", "na", "pan", "xa", "dong", "dang", "06184"]
        );
        assert!(tokens(" ,.- ").is_empty());
        assert!(tokens("").is_empty());
    }
}
