//! The five one-stop forms of Circular 01/2018/TT-VPCP and their paper sizes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One printed form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormKind {
    /// Mẫu 01: Giấy tiếp nhận hồ sơ và hẹn trả kết quả.
    Receipt,
    /// Mẫu 02: Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ.
    Supplement,
    /// Mẫu 03: Phiếu từ chối tiếp nhận giải quyết hồ sơ.
    Refusal,
    /// Mẫu 04: Phiếu xin lỗi và hẹn lại ngày trả kết quả.
    Apology,
    /// Mẫu 05: Phiếu kiểm soát quá trình giải quyết hồ sơ.
    Tracking,
}

impl FormKind {
    /// Every form, in the circular's order.
    pub const ALL: [FormKind; 5] = [
        FormKind::Receipt,
        FormKind::Supplement,
        FormKind::Refusal,
        FormKind::Apology,
        FormKind::Tracking,
    ];

    /// The word used on the command line and as the template's file stem.
    pub fn as_str(self) -> &'static str {
        match self {
            FormKind::Receipt => "receipt",
            FormKind::Supplement => "supplement",
            FormKind::Refusal => "refusal",
            FormKind::Apology => "apology",
            FormKind::Tracking => "tracking",
        }
    }

    /// The form number of Circular 01/2018/TT-VPCP.
    pub fn number(self) -> u8 {
        match self {
            FormKind::Receipt => 1,
            FormKind::Supplement => 2,
            FormKind::Refusal => 3,
            FormKind::Apology => 4,
            FormKind::Tracking => 5,
        }
    }

    /// The form's title.
    pub fn title_vi(self) -> &'static str {
        match self {
            FormKind::Receipt => "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
            FormKind::Supplement => "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
            FormKind::Refusal => "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
            FormKind::Apology => "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
            FormKind::Tracking => "Phiếu kiểm soát quá trình giải quyết hồ sơ",
        }
    }

    /// The circular's size: A5, except the tracking sheet on A4.
    pub fn default_paper(self) -> Paper {
        match self {
            FormKind::Tracking => Paper::A4,
            _ => Paper::A5,
        }
    }
}

impl fmt::Display for FormKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A form word that is not one of the five.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown form `{0}` (expected one of: receipt, supplement, refusal, apology, tracking)")]
pub struct UnknownForm(pub String);

impl FromStr for FormKind {
    type Err = UnknownForm;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FormKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| UnknownForm(s.to_string()))
    }
}

/// A paper size typst knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Paper {
    /// 210 × 297 mm.
    A4,
    /// 148 × 210 mm.
    A5,
}

impl Paper {
    /// The typst paper name.
    pub fn as_str(self) -> &'static str {
        match self {
            Paper::A4 => "a4",
            Paper::A5 => "a5",
        }
    }

    /// Width and height in millimetres.
    pub fn size_mm(self) -> (f64, f64) {
        match self {
            Paper::A4 => (210.0, 297.0),
            Paper::A5 => (148.0, 210.0),
        }
    }
}

/// A paper word that is not a4 or a5.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown paper size `{0}` (expected a4 or a5)")]
pub struct UnknownPaper(pub String);

impl FromStr for Paper {
    type Err = UnknownPaper;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "a4" => Ok(Paper::A4),
            "a5" => Ok(Paper::A5),
            _ => Err(UnknownPaper(s.to_string())),
        }
    }
}
