//! The communal units of Lạng Sơn province after the 1 July 2025 reorganisation.

use serde::Serialize;

/// A communal unit (phường or xã) with its 5-digit code under Decision 19/2025/QĐ-TTg.
///
/// Names repeat across provinces, so always key on [`Commune::code`], never the name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Commune {
    /// The 5-digit commune code, e.g. `"06184"`.
    pub code: &'static str,
    /// The name with its "Phường " or "Xã " prefix, e.g. `"Xã Đồng Đăng"`.
    pub name: &'static str,
}

/// The 2-digit code of Lạng Sơn province (Decision 19/2025/QĐ-TTg).
pub const PROVINCE_LANG_SON: &str = "20";

/// The 65 communal units of Lạng Sơn (4 phường, 61 xã), sorted by code.
///
/// Source: commune tables after the 2025 merger (three independent lists agree on the codes);
/// see `domain/procedures.md` §4. "Kiên Mộc" is the spelling used here ("Kiến Mộc" also appears).
pub const LANG_SON_COMMUNES: &[Commune] = &[
    Commune {
        code: "05977",
        name: "Phường Đông Kinh",
    },
    Commune {
        code: "05983",
        name: "Phường Lương Văn Tri",
    },
    Commune {
        code: "05986",
        name: "Phường Tam Thanh",
    },
    Commune {
        code: "06001",
        name: "Xã Đoàn Kết",
    },
    Commune {
        code: "06004",
        name: "Xã Quốc Khánh",
    },
    Commune {
        code: "06019",
        name: "Xã Tân Tiến",
    },
    Commune {
        code: "06037",
        name: "Xã Kháng Chiến",
    },
    Commune {
        code: "06040",
        name: "Xã Thất Khê",
    },
    Commune {
        code: "06046",
        name: "Xã Tràng Định",
    },
    Commune {
        code: "06058",
        name: "Xã Quốc Việt",
    },
    Commune {
        code: "06073",
        name: "Xã Hoa Thám",
    },
    Commune {
        code: "06076",
        name: "Xã Quý Hòa",
    },
    Commune {
        code: "06079",
        name: "Xã Hồng Phong",
    },
    Commune {
        code: "06085",
        name: "Xã Thiện Hòa",
    },
    Commune {
        code: "06091",
        name: "Xã Thiện Thuật",
    },
    Commune {
        code: "06103",
        name: "Xã Thiện Long",
    },
    Commune {
        code: "06112",
        name: "Xã Bình Gia",
    },
    Commune {
        code: "06115",
        name: "Xã Tân Văn",
    },
    Commune {
        code: "06124",
        name: "Xã Na Sầm",
    },
    Commune {
        code: "06148",
        name: "Xã Thụy Hùng",
    },
    Commune {
        code: "06151",
        name: "Xã Hội Hoan",
    },
    Commune {
        code: "06154",
        name: "Xã Văn Lãng",
    },
    Commune {
        code: "06172",
        name: "Xã Hoàng Văn Thụ",
    },
    Commune {
        code: "06184",
        name: "Xã Đồng Đăng",
    },
    Commune {
        code: "06187",
        name: "Phường Kỳ Lừa",
    },
    Commune {
        code: "06196",
        name: "Xã Ba Sơn",
    },
    Commune {
        code: "06211",
        name: "Xã Cao Lộc",
    },
    Commune {
        code: "06220",
        name: "Xã Công Sơn",
    },
    Commune {
        code: "06253",
        name: "Xã Văn Quan",
    },
    Commune {
        code: "06280",
        name: "Xã Điềm He",
    },
    Commune {
        code: "06286",
        name: "Xã Khánh Khê",
    },
    Commune {
        code: "06298",
        name: "Xã Yên Phúc",
    },
    Commune {
        code: "06313",
        name: "Xã Tri Lễ",
    },
    Commune {
        code: "06316",
        name: "Xã Tân Đoàn",
    },
    Commune {
        code: "06325",
        name: "Xã Bắc Sơn",
    },
    Commune {
        code: "06337",
        name: "Xã Tân Tri",
    },
    Commune {
        code: "06349",
        name: "Xã Hưng Vũ",
    },
    Commune {
        code: "06364",
        name: "Xã Vũ Lễ",
    },
    Commune {
        code: "06367",
        name: "Xã Vũ Lăng",
    },
    Commune {
        code: "06376",
        name: "Xã Nhất Hòa",
    },
    Commune {
        code: "06385",
        name: "Xã Hữu Lũng",
    },
    Commune {
        code: "06391",
        name: "Xã Yên Bình",
    },
    Commune {
        code: "06400",
        name: "Xã Hữu Liên",
    },
    Commune {
        code: "06415",
        name: "Xã Vân Nham",
    },
    Commune {
        code: "06427",
        name: "Xã Cai Kinh",
    },
    Commune {
        code: "06436",
        name: "Xã Thiện Tân",
    },
    Commune {
        code: "06445",
        name: "Xã Tân Thành",
    },
    Commune {
        code: "06457",
        name: "Xã Tuấn Sơn",
    },
    Commune {
        code: "06463",
        name: "Xã Chi Lăng",
    },
    Commune {
        code: "06475",
        name: "Xã Bằng Mạc",
    },
    Commune {
        code: "06481",
        name: "Xã Chiến Thắng",
    },
    Commune {
        code: "06496",
        name: "Xã Nhân Lý",
    },
    Commune {
        code: "06505",
        name: "Xã Vạn Linh",
    },
    Commune {
        code: "06517",
        name: "Xã Quan Sơn",
    },
    Commune {
        code: "06526",
        name: "Xã Na Dương",
    },
    Commune {
        code: "06529",
        name: "Xã Lộc Bình",
    },
    Commune {
        code: "06541",
        name: "Xã Mẫu Sơn",
    },
    Commune {
        code: "06565",
        name: "Xã Khuất Xá",
    },
    Commune {
        code: "06577",
        name: "Xã Thống Nhất",
    },
    Commune {
        code: "06601",
        name: "Xã Lợi Bác",
    },
    Commune {
        code: "06607",
        name: "Xã Xuân Dương",
    },
    Commune {
        code: "06613",
        name: "Xã Đình Lập",
    },
    Commune {
        code: "06616",
        name: "Xã Thái Bình",
    },
    Commune {
        code: "06625",
        name: "Xã Kiên Mộc",
    },
    Commune {
        code: "06637",
        name: "Xã Châu Sơn",
    },
];

/// Looks up a Lạng Sơn commune by its 5-digit code (surrounding whitespace ignored).
///
/// ```
/// assert_eq!(hoso_schemas::commune("06184").map(|c| c.name), Some("Xã Đồng Đăng"));
/// assert!(hoso_schemas::commune("99999").is_none());
/// ```
pub fn commune(code: &str) -> Option<&'static Commune> {
    let code = code.trim();
    LANG_SON_COMMUNES
        .binary_search_by(|c| c.code.cmp(code))
        .ok()
        .and_then(|i| LANG_SON_COMMUNES.get(i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_shape() {
        assert_eq!(LANG_SON_COMMUNES.len(), 65);
        let wards = LANG_SON_COMMUNES
            .iter()
            .filter(|c| c.name.starts_with("Phường "))
            .count();
        let xa = LANG_SON_COMMUNES
            .iter()
            .filter(|c| c.name.starts_with("Xã "))
            .count();
        assert_eq!((wards, xa), (4, 61));
        for w in LANG_SON_COMMUNES.windows(2) {
            assert!(w[0].code < w[1].code, "sorted and unique: {w:?}");
        }
        for c in LANG_SON_COMMUNES {
            assert_eq!(c.code.len(), 5);
            assert!(c.code.bytes().all(|b| b.is_ascii_digit()));
            assert!(crate::text::is_nfc(c.name));
            assert_eq!(commune(c.code), Some(c));
        }
    }

    #[test]
    fn lookups() {
        assert_eq!(commune("05977").map(|c| c.name), Some("Phường Đông Kinh"));
        assert_eq!(commune("06445").map(|c| c.name), Some("Xã Tân Thành"));
        assert_eq!(commune("06637").map(|c| c.name), Some("Xã Châu Sơn"));
        assert_eq!(commune("05923"), None); // Tân Thành in Thái Nguyên
    }
}
