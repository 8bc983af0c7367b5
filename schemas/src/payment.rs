//! How a fee was paid: the method words the CLI and the console accept, and their Vietnamese
//! labels (printed on the receipt).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::text::fold;

/// How a citizen paid a fee.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    /// Cash at the desk (tiền mặt).
    Cash,
    /// Bank transfer (chuyển khoản).
    Transfer,
    /// Online payment through the portal's payment platform (thanh toán trực tuyến).
    Online,
    /// Nothing paid: the citizen is exempt (the reason is recorded with the payment).
    Exempt,
}

impl PaymentMethod {
    /// Every method.
    pub const ALL: [PaymentMethod; 4] = [
        PaymentMethod::Cash,
        PaymentMethod::Transfer,
        PaymentMethod::Online,
        PaymentMethod::Exempt,
    ];

    /// The stable word: `cash`, `transfer`, `online`, `exempt`.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Cash => "cash",
            PaymentMethod::Transfer => "transfer",
            PaymentMethod::Online => "online",
            PaymentMethod::Exempt => "exempt",
        }
    }

    /// The Vietnamese label, as printed on the receipt.
    pub fn label_vi(self) -> &'static str {
        match self {
            PaymentMethod::Cash => "Tiền mặt",
            PaymentMethod::Transfer => "Chuyển khoản",
            PaymentMethod::Online => "Thanh toán trực tuyến",
            PaymentMethod::Exempt => "Miễn nộp",
        }
    }

    /// Reads a word or a label (accents and case ignored).
    pub fn parse(s: &str) -> Option<PaymentMethod> {
        let f = fold(s.trim());
        PaymentMethod::ALL
            .into_iter()
            .find(|m| f == m.as_str() || f == fold(m.label_vi()))
    }
}

impl fmt::Display for PaymentMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_labels_parse() {
        for m in PaymentMethod::ALL {
            assert_eq!(PaymentMethod::parse(m.as_str()), Some(m));
            assert_eq!(PaymentMethod::parse(m.label_vi()), Some(m));
        }
        assert_eq!(PaymentMethod::parse("tien mat"), Some(PaymentMethod::Cash));
        assert_eq!(PaymentMethod::parse("cheque"), None);
    }
}
