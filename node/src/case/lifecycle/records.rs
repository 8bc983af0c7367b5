//! The lifecycle records a case document keeps ([`crate::case::lifecycle`]): the result and
//! how it is delivered, supplement requests, apologies.

use serde::{Deserialize, Serialize};

use crate::error::LifecycleError;

/// How the result reaches the citizen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// Handed over at the one-stop desk.
    Desk,
    /// By the public postal service.
    Post,
    /// Electronic copy through VNeID / the national portal.
    Vneid,
}

impl Delivery {
    /// The stable word.
    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Desk => "desk",
            Delivery::Post => "post",
            Delivery::Vneid => "vneid",
        }
    }
    /// The Vietnamese label.
    pub fn label_vi(self) -> &'static str {
        match self {
            Delivery::Desk => "Nhận trực tiếp tại Bộ phận Một cửa",
            Delivery::Post => "Qua dịch vụ bưu chính công ích",
            Delivery::Vneid => "Bản điện tử qua VNeID / Cổng Dịch vụ công quốc gia",
        }
    }
}

impl std::str::FromStr for Delivery {
    type Err = LifecycleError;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "desk" => Ok(Delivery::Desk),
            "post" => Ok(Delivery::Post),
            "vneid" => Ok(Delivery::Vneid),
            _ => Err(LifecycleError::UnknownChannel(s.to_string())),
        }
    }
}

/// The result of a case or of one track: the document issued and how it was handed over.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseResult {
    /// What was issued, e.g. "Trích lục khai sinh", "Thẻ BHYT".
    pub kind: String,
    /// Its number, e.g. "125/2026".
    pub number: String,
    /// The date it was signed (YYYY-MM-DD).
    pub date: String,
    /// Who signed it.
    pub signer: String,
    /// How it reaches the citizen.
    pub channel: Delivery,
    /// The officer who recorded it.
    pub officer: String,
    /// When it was recorded (RFC 3339).
    pub at: String,
}

impl CaseResult {
    /// One line, e.g. "Trích lục khai sinh số 125/2026 ngày 24/11/2026, Nguyễn Văn A ký".
    pub fn line_vi(&self) -> String {
        let date = crate::deadline::parse::parse_date(&self.date)
            .map_or_else(|| self.date.clone(), |d| d.format("%d/%m/%Y").to_string());
        format!(
            "{} số {} ngày {date}, {} ký; {}",
            self.kind,
            self.number,
            self.signer,
            self.channel.label_vi()
        )
    }
}

/// One supplement request (Mẫu 02): everything missing, and the date to supplement by.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplementRecord {
    /// When (RFC 3339).
    pub at: String,
    /// Who asked.
    pub officer: String,
    /// The missing or incomplete items.
    pub items: Vec<String>,
    /// The date the citizen must supplement by (YYYY-MM-DD).
    pub deadline: String,
    /// Why (required from the second request on).
    pub reason: Option<String>,
    /// The track of a bundle asked about; `None` for the whole case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track: Option<String>,
}

/// An apology for a late result (Mẫu 04) with a new appointment date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApologyRecord {
    /// When (RFC 3339).
    pub at: String,
    /// The supervisor who signed it.
    pub officer: String,
    /// Why the result is late.
    pub reason: String,
    /// The appointment date it answers for (YYYY-MM-DD).
    pub old_date: String,
    /// The new appointment date (YYYY-MM-DD).
    pub new_date: String,
    /// The track of a bundle whose own due date it answers for; `None` for the whole case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track: Option<String>,
}
