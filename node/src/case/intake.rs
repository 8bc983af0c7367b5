//! What a case records about how it came in and what the citizen paid, beside the form:
//! the citizen's own commune (a centre receives a dossier whatever the citizen's commune in
//! the province, Decree 118/2025), the check of an unverified citizen against the population
//! extract, the "declared" evidence of typed data, and the fee payments.
//!
//! Document keys (all values strings, like the rest of the case document):
//!
//! ```text
//! citizen_commune: "06184"                  the citizen's commune (the case's is `commune`)
//! verification: { state, declared_full_name, declared_date_of_birth, declared_sex,
//!                 declared_commune, received_extract_date, received_extract_version,
//!                 extract_date, extract_version, checked_at, checked_by, note }
//! declared:     { <field>: "<extract date>|<extract version>" }   typed, not in the extract
//! payments:     [ { at, officer, node, amount, method, reference, channel, exemption } ]
//! ```

use std::collections::BTreeMap;

use automerge::hydrate;
use hoso_schemas::{Channel, PaymentMethod};
use serde::{Deserialize, Serialize};

/// The population extract a lookup was made against: its date and version.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtractRef {
    /// The date the extract was taken from the national population database (YYYY-MM-DD).
    pub date: String,
    /// The extract's version as the province labels it.
    pub version: String,
}

impl ExtractRef {
    /// "ngày 01/11/2026, phiên bản 2026-11" (or "chưa có bản trích" when none was imported).
    pub fn label_vi(&self) -> String {
        if self.date.is_empty() && self.version.is_empty() {
            return "chưa nhập bản trích CSDL dân cư".to_string();
        }
        let date = crate::deadline::parse::parse_date(&self.date)
            .map(|d| d.format("%d/%m/%Y").to_string())
            .unwrap_or_else(|| self.date.clone());
        format!("ngày {date}, phiên bản {}", self.version)
    }
}

/// The state of a citizen's identity against the population extract.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerificationState {
    /// Not in the extract: declared by the citizen, not yet checked.
    Unverified,
    /// Found in a later extract, and the declared identity matches it.
    Verified,
    /// Found in a later extract, but the declared identity differs from it.
    Mismatch,
}

impl VerificationState {
    /// The stable word.
    pub fn as_str(self) -> &'static str {
        match self {
            VerificationState::Unverified => "unverified",
            VerificationState::Verified => "verified",
            VerificationState::Mismatch => "mismatch",
        }
    }

    /// The Vietnamese label.
    pub fn label_vi(self) -> &'static str {
        match self {
            VerificationState::Unverified => "Chưa đối chiếu được (không có trong bản trích)",
            VerificationState::Verified => "Đã đối chiếu, khớp CSDL dân cư",
            VerificationState::Mismatch => "Đã đối chiếu, KHÁC CSDL dân cư",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [Self::Unverified, Self::Verified, Self::Mismatch]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// The identity a citizen missing from the extract declared at the desk.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclaredCitizen {
    /// Full name (NFC).
    pub full_name: String,
    /// Date of birth, YYYY-MM-DD.
    pub date_of_birth: String,
    /// "Nam" or "Nữ".
    pub sex: String,
    /// The citizen's commune of residence (5-digit code).
    pub commune_code: String,
}

/// How a case for a citizen missing from the extract stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    /// Where it stands.
    pub state: VerificationState,
    /// What the citizen declared.
    pub declared: DeclaredCitizen,
    /// The extract in force when the case was received (the citizen was not in it).
    pub received_extract: ExtractRef,
    /// The extract of the last check.
    pub extract: ExtractRef,
    /// When it was last checked (RFC 3339).
    pub checked_at: String,
    /// Who checked (officer id, or `system`).
    pub checked_by: String,
    /// What differs, on a mismatch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A fee payment recorded on a case (append-only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    /// When (RFC 3339).
    pub at: String,
    /// Who recorded it.
    pub officer: String,
    /// On which node (short id).
    pub node: String,
    /// Amount paid, in đồng.
    pub amount: u64,
    /// How.
    pub method: PaymentMethod,
    /// Transaction code or receipt number ("" for cash without a receipt number).
    pub reference: String,
    /// The submission channel the amount was checked against.
    pub channel: Channel,
    /// The exemption, when the citizen paid less than the fee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exemption: Option<String>,
}

/// Evidence of a value the citizen declared that the extract does not hold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclaredEvidence {
    /// The extract the citizen was missing from.
    pub extract: ExtractRef,
    /// "khai báo, không có trong bản trích CSDL dân cư ngày …".
    pub text: String,
}

impl DeclaredEvidence {
    /// The evidence for a value typed against `extract`.
    pub fn new(extract: &ExtractRef) -> Self {
        DeclaredEvidence {
            extract: extract.clone(),
            text: format!(
                "khai báo, không có trong bản trích CSDL dân cư {}",
                extract.label_vi()
            ),
        }
    }
}

/// The parts of a case view this module reads.
#[derive(Clone, Debug, Default)]
pub(crate) struct IntakeView {
    pub(crate) citizen_commune: Option<String>,
    pub(crate) verification: Option<Verification>,
    pub(crate) declared: BTreeMap<String, DeclaredEvidence>,
    pub(crate) payments: Vec<Payment>,
}

fn s(v: Option<&hydrate::Value>) -> Option<String> {
    match v {
        Some(hydrate::Value::Scalar(automerge::ScalarValue::Str(s))) => Some(s.to_string()),
        _ => None,
    }
}

fn string_map(v: Option<&hydrate::Value>) -> Option<BTreeMap<String, String>> {
    match v {
        Some(hydrate::Value::Map(m)) => Some(
            m.iter()
                .filter_map(|(k, v)| s(Some(&v.value)).map(|x| (k.clone(), x)))
                .collect(),
        ),
        _ => None,
    }
}

/// Reads the intake keys of a hydrated root (absent keys: an older case, nothing recorded).
pub(crate) fn read(root: &hydrate::Map) -> IntakeView {
    let citizen_commune = s(root.get("citizen_commune"));
    let verification = string_map(root.get("verification")).and_then(|m| {
        let g = |k: &str| m.get(k).cloned().unwrap_or_default();
        Some(Verification {
            state: VerificationState::parse(m.get("state")?)?,
            declared: DeclaredCitizen {
                full_name: g("declared_full_name"),
                date_of_birth: g("declared_date_of_birth"),
                sex: g("declared_sex"),
                commune_code: g("declared_commune"),
            },
            received_extract: ExtractRef {
                date: g("received_extract_date"),
                version: g("received_extract_version"),
            },
            extract: ExtractRef {
                date: g("extract_date"),
                version: g("extract_version"),
            },
            checked_at: g("checked_at"),
            checked_by: g("checked_by"),
            note: m.get("note").cloned().filter(|n| !n.is_empty()),
        })
    });
    let declared = string_map(root.get("declared"))
        .unwrap_or_default()
        .into_iter()
        .map(|(field, v)| {
            let (date, version) = v.split_once('|').unwrap_or((v.as_str(), ""));
            let extract = ExtractRef {
                date: date.to_string(),
                version: version.to_string(),
            };
            (field, DeclaredEvidence::new(&extract))
        })
        .collect();
    let mut payments = Vec::new();
    if let Some(hydrate::Value::List(l)) = root.get("payments") {
        for item in l.iter() {
            let Some(m) = string_map(Some(&item.value)) else {
                continue;
            };
            let g = |k: &str| m.get(k).cloned().unwrap_or_default();
            let (Ok(amount), Some(method), Some(channel)) = (
                g("amount").parse::<u64>(),
                PaymentMethod::parse(&g("method")),
                Channel::parse(&g("channel")),
            ) else {
                continue;
            };
            payments.push(Payment {
                at: g("at"),
                officer: g("officer"),
                node: g("node"),
                amount,
                method,
                reference: g("reference"),
                channel,
                exemption: m.get("exemption").cloned().filter(|e| !e.is_empty()),
            });
        }
    }
    IntakeView {
        citizen_commune,
        verification,
        declared,
        payments,
    }
}
