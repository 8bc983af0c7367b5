//! Fees (phí, lệ phí) as catalog data: the amount in person and online, who is exempt, and the
//! legal source. Amounts are whole đồng.
//!
//! ```
//! use hoso_schemas::{Catalog, Channel, format_dong};
//! let catalog = Catalog::builtin().unwrap();
//! let fee = catalog.procedure("permanent_residence").unwrap().fee.clone().unwrap();
//! assert_eq!(fee.amount(Channel::InPerson), 20_000);
//! assert_eq!(fee.amount(Channel::Online), 10_000);
//! assert_eq!(format_dong(20_000), "20.000 đồng");
//! ```

use serde::{Deserialize, Serialize};

use crate::intake::Channel;

/// What a procedure costs the citizen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fee {
    /// Amount for a dossier filed at the desk (and by post), in đồng.
    pub in_person: u64,
    /// Amount for a dossier filed online, in đồng.
    pub online: u64,
    /// The charge per copy of the result (e.g. 8.000 đồng per copy of a civil-status extract),
    /// paid on top of the fee when copies are requested; 0 when none.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub per_copy: u64,
    /// Who pays nothing (or less), in the law's words.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exemptions: Vec<String>,
    /// The legal source of the amounts and exemptions, with a confidence note.
    pub source: String,
    /// Anything else the desk must know (late registration, copies, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Fee {
    /// The amount for a dossier that came in through `channel`.
    pub fn amount(&self, channel: Channel) -> u64 {
        match channel {
            Channel::Online => self.online,
            Channel::InPerson | Channel::Post => self.in_person,
        }
    }

    /// True when nobody pays anything on either channel.
    pub fn is_free(&self) -> bool {
        self.in_person == 0 && self.online == 0
    }

    /// "20.000 đồng (trực tuyến 10.000 đồng)", or "Không thu" for a free procedure; the
    /// charge per copy follows when there is one.
    pub fn label_vi(&self) -> String {
        let mut s = if self.is_free() {
            "Không thu".to_string()
        } else if self.online == self.in_person {
            format_dong(self.in_person)
        } else {
            format!(
                "{} (trực tuyến {})",
                format_dong(self.in_person),
                format_dong(self.online)
            )
        };
        if self.per_copy > 0 {
            s.push_str(&format!("; bản sao: {}/bản", format_dong(self.per_copy)));
        }
        s
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// An amount in đồng the Vietnamese way: dots between thousands, "đồng" after.
pub fn format_dong(amount: u64) -> String {
    let digits = amount.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 6);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out.push_str(" đồng");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dong_formatting() {
        assert_eq!(format_dong(0), "0 đồng");
        assert_eq!(format_dong(7_000), "7.000 đồng");
        assert_eq!(format_dong(200_000), "200.000 đồng");
        assert_eq!(format_dong(1_234_567), "1.234.567 đồng");
    }

    #[test]
    fn amount_by_channel_and_labels() {
        let fee = Fee {
            in_person: 15_000,
            online: 7_000,
            per_copy: 0,
            exemptions: vec![],
            source: "Thông tư 75/2022/TT-BTC".into(),
            note: None,
        };
        assert_eq!(fee.amount(Channel::Post), 15_000);
        assert_eq!(fee.amount(Channel::Online), 7_000);
        assert_eq!(fee.label_vi(), "15.000 đồng (trực tuyến 7.000 đồng)");
        let free = Fee {
            in_person: 0,
            online: 0,
            ..fee
        };
        assert!(free.is_free());
        assert_eq!(free.label_vi(), "Không thu");
        let copies = Fee {
            per_copy: 8_000,
            ..free
        };
        assert_eq!(copies.label_vi(), "Không thu; bản sao: 8.000 đồng/bản");
    }
}
