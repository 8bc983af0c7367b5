//! Case status words, one per status code of the National Public Service Portal.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The status of a case file (hồ sơ).
///
/// The variants follow the national portal's status codes 1..=10 in order, so a
/// later connector can push [`Status::code`] unchanged. The stable lower-case word
/// ([`Status::as_str`]) is what the CLI, the catalog files and JSON use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 1, "Mới đăng ký": submitted online, not yet received.
    Submitted,
    /// 2, "Được tiếp nhận": received at the one-stop desk (receipt slip, Mẫu 01).
    Received,
    /// 3, "Không được tiếp nhận": refused at intake (Mẫu 03).
    RejectedAtIntake,
    /// 4, "Đang xử lý": being processed.
    InProcess,
    /// 5, "Yêu cầu bổ sung giấy tờ": waiting for the citizen to supplement (Mẫu 02); the deadline clock pauses.
    SupplementRequested,
    /// 6, "Yêu cầu thực hiện nghĩa vụ tài chính": waiting for a fee to be paid.
    AwaitingPayment,
    /// 7, "Công dân yêu cầu rút hồ sơ": the citizen asked to withdraw the case.
    WithdrawalRequested,
    /// 8, "Dừng xử lý": processing stopped (withdrawn or refused after intake).
    Stopped,
    /// 9, "Đã xử lý xong": decided, the result is at the one-stop desk.
    Decided,
    /// 10, "Đã trả kết quả": the result was handed to the citizen.
    Returned,
}

impl Status {
    /// Every status, in national-code order.
    pub const ALL: [Status; 10] = [
        Status::Submitted,
        Status::Received,
        Status::RejectedAtIntake,
        Status::InProcess,
        Status::SupplementRequested,
        Status::AwaitingPayment,
        Status::WithdrawalRequested,
        Status::Stopped,
        Status::Decided,
        Status::Returned,
    ];

    /// The stable `snake_case` word, e.g. `"in_process"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Submitted => "submitted",
            Status::Received => "received",
            Status::RejectedAtIntake => "rejected_at_intake",
            Status::InProcess => "in_process",
            Status::SupplementRequested => "supplement_requested",
            Status::AwaitingPayment => "awaiting_payment",
            Status::WithdrawalRequested => "withdrawal_requested",
            Status::Stopped => "stopped",
            Status::Decided => "decided",
            Status::Returned => "returned",
        }
    }

    /// The national portal status code, 1..=10.
    pub fn code(self) -> u8 {
        match self {
            Status::Submitted => 1,
            Status::Received => 2,
            Status::RejectedAtIntake => 3,
            Status::InProcess => 4,
            Status::SupplementRequested => 5,
            Status::AwaitingPayment => 6,
            Status::WithdrawalRequested => 7,
            Status::Stopped => 8,
            Status::Decided => 9,
            Status::Returned => 10,
        }
    }

    /// The status for a national portal code, or `None` outside 1..=10.
    pub fn from_code(code: u8) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The Vietnamese label shown to officers, e.g. `"Đã tiếp nhận"`.
    pub fn label_vi(self) -> &'static str {
        match self {
            Status::Submitted => "Mới đăng ký",
            Status::Received => "Đã tiếp nhận",
            Status::RejectedAtIntake => "Không được tiếp nhận",
            Status::InProcess => "Đang xử lý",
            Status::SupplementRequested => "Yêu cầu bổ sung",
            Status::AwaitingPayment => "Chờ thực hiện nghĩa vụ tài chính",
            Status::WithdrawalRequested => "Công dân yêu cầu rút hồ sơ",
            Status::Stopped => "Dừng xử lý",
            Status::Decided => "Đã xử lý xong",
            Status::Returned => "Đã trả kết quả",
        }
    }

    /// True when reaching this status ends the deadline clock: `rejected_at_intake`,
    /// `stopped`, `decided` and `returned`.
    pub fn ends_processing(self) -> bool {
        matches!(
            self,
            Status::RejectedAtIntake | Status::Stopped | Status::Decided | Status::Returned
        )
    }

    /// True while the deadline clock is paused (waiting for the citizen's supplement).
    pub fn pauses_clock(self) -> bool {
        self == Status::SupplementRequested
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A word that is not one of the status words.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown status `{word}` (expected one of: {})", valid_status_words())]
pub struct UnknownStatus {
    /// The word that was given.
    pub word: String,
}

/// All status words, comma separated, in national-code order.
pub fn valid_status_words() -> String {
    Status::ALL.map(Status::as_str).join(", ")
}

impl FromStr for Status {
    type Err = UnknownStatus;

    /// Parses a status word. Surrounding whitespace and ASCII case are ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let w = s.trim().to_ascii_lowercase();
        Status::ALL
            .into_iter()
            .find(|st| st.as_str() == w)
            .ok_or_else(|| UnknownStatus {
                word: s.to_string(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_in_order() {
        for (i, s) in Status::ALL.into_iter().enumerate() {
            assert_eq!(usize::from(s.code()), i + 1);
            assert_eq!(Status::from_code(s.code()), Some(s));
            assert_eq!(s.as_str().parse::<Status>(), Ok(s));
            assert_eq!(s.to_string(), s.as_str());
            let json = serde_json::to_string(&s).expect("serialize");
            assert_eq!(json, format!("\"{}\"", s.as_str()));
        }
        assert_eq!(Status::from_code(0), None);
        assert_eq!(Status::from_code(11), None);
        assert_eq!(Status::Received.label_vi(), "Đã tiếp nhận");
    }

    #[test]
    fn ends_processing() {
        let ends: Vec<_> = Status::ALL
            .into_iter()
            .filter(|s| s.ends_processing())
            .collect();
        assert_eq!(
            ends,
            [
                Status::RejectedAtIntake,
                Status::Stopped,
                Status::Decided,
                Status::Returned
            ]
        );
    }

    #[test]
    fn unknown_word_lists_valid_words() {
        let e = "done".parse::<Status>().expect_err("expected an error");
        let msg = e.to_string();
        assert!(msg.contains("`done`"), "{msg}");
        for s in Status::ALL {
            assert!(msg.contains(s.as_str()), "{msg}");
        }
        assert_eq!(" In_Process ".parse::<Status>(), Ok(Status::InProcess));
    }
}
