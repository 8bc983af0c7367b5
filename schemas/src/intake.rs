//! How a dossier came in: the submission channel (the portal's `KenhThucHien`) and the
//! portal's own case code, two fields every procedure carries (appended by the catalog loader
//! unless a procedure defines a field of the same name itself).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::field::{FieldDef, FieldType};
use crate::text::fold;

/// The field holding the submission channel.
pub const CHANNEL_FIELD: &str = "submission_channel";
/// The field holding the National Public Service Portal's own case code.
pub const PORTAL_CODE_FIELD: &str = "portal_case_code";

/// How a dossier was submitted (procedures.md §2, `KenhThucHien` 1–3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// At the desk (trực tiếp), portal code 1.
    InPerson,
    /// Online, on the portal or VNeID (trực tuyến), portal code 2.
    Online,
    /// By the public postal service (bưu chính công ích), portal code 3.
    Post,
}

impl Channel {
    /// Every channel, in portal-code order.
    pub const ALL: [Channel; 3] = [Channel::InPerson, Channel::Online, Channel::Post];

    /// The stable word: `in_person`, `online`, `post`.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::InPerson => "in_person",
            Channel::Online => "online",
            Channel::Post => "post",
        }
    }

    /// The National Public Service Portal's code (`KenhThucHien`).
    pub fn portal_code(self) -> u8 {
        match self {
            Channel::InPerson => 1,
            Channel::Online => 2,
            Channel::Post => 3,
        }
    }

    /// The Vietnamese label, as stored in the `submission_channel` field.
    pub fn label_vi(self) -> &'static str {
        match self {
            Channel::InPerson => "Trực tiếp",
            Channel::Online => "Trực tuyến",
            Channel::Post => "Qua dịch vụ bưu chính công ích",
        }
    }

    /// Reads a stored field value or a word (accents and case ignored); `None` if neither.
    pub fn parse(s: &str) -> Option<Channel> {
        let f = fold(s.trim());
        Channel::ALL.into_iter().find(|c| {
            f == c.as_str() || f == fold(c.label_vi()) || f == c.portal_code().to_string()
        })
    }

    /// The channel recorded in a case's fields; in person when none is recorded.
    pub fn of_fields<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Channel {
        get(CHANNEL_FIELD)
            .and_then(Channel::parse)
            .unwrap_or(Channel::InPerson)
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The intake fields every procedure carries, in form order.
pub fn intake_fields() -> Vec<FieldDef> {
    let mut channel = FieldDef::new(
        CHANNEL_FIELD,
        "Hình thức nộp hồ sơ",
        "Submission channel",
        FieldType::Enum,
    );
    channel.options = Channel::ALL
        .iter()
        .map(|c| c.label_vi().to_string())
        .collect();
    channel.section = "intake".into();
    let mut code = FieldDef::new(
        PORTAL_CODE_FIELD,
        "Mã hồ sơ trên Cổng Dịch vụ công",
        "The portal's case code",
        FieldType::Text,
    );
    code.section = "intake".into();
    code.max_len = Some(40);
    vec![channel, code]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_words_labels_and_codes() {
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Some(c));
            assert_eq!(Channel::parse(c.label_vi()), Some(c));
            assert_eq!(Channel::parse(&c.portal_code().to_string()), Some(c));
        }
        assert_eq!(Channel::parse("truc tuyen"), Some(Channel::Online));
        assert_eq!(Channel::parse("fax"), None);
        assert_eq!(Channel::of_fields(|_| None), Channel::InPerson);
    }

    #[test]
    fn intake_fields_validate_their_values() {
        let fields = intake_fields();
        assert_eq!(
            fields[0].validate("truc tuyen").as_deref(),
            Ok("Trực tuyến")
        );
        assert!(fields[1].validate(&"x".repeat(41)).is_err());
    }
}
