//! Results (issue 10, item 3): what was issued for a case or for one track of a bundle (kind,
//! number, date, signer) and how it reaches the citizen (desk, post, VNeID). `returned` needs
//! it: see [`super::tracks::check_case_move`].

use chrono::NaiveDate;
use hoso_schemas::Status;

use crate::case::{CaseResult, CaseView, Delivery};
use crate::chain::entry::Action;
use crate::error::{LifecycleError, Limited, Refusal, Result};
use crate::write::AuthenticatedOfficer;
use crate::{deadline, limits};

use super::fields::record_text;
use super::handle::Node;

/// What `hoso case result` records.
#[derive(Clone, Debug)]
pub struct ResultInput {
    /// The bundle track, or `None` for the case itself.
    pub track: Option<String>,
    /// What was issued, e.g. "Trích lục khai sinh".
    pub kind: String,
    /// Its number.
    pub number: String,
    /// The date it was signed.
    pub date: NaiveDate,
    /// Who signed it.
    pub signer: String,
    /// How it reaches the citizen.
    pub channel: Delivery,
}

fn dmy(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

impl Node {
    /// Records the result of a case or of one of its tracks (a correction replaces it while the
    /// case or track is still `in_process` or `decided`), audited.
    pub fn record_result(
        &self,
        by: &AuthenticatedOfficer,
        reference: &str,
        input: &ResultInput,
    ) -> Result<CaseView> {
        let kind = record_text(
            "the result kind",
            &input.kind,
            "pass --kind, e.g. \"Trích lục khai sinh\"",
            limits::MAX_FIELD_BYTES,
            Limited::Field,
        )?;
        let number = record_text(
            "the result number",
            &input.number,
            "pass --number",
            limits::MAX_FIELD_BYTES,
            Limited::Field,
        )?;
        let signer = record_text(
            "the signer",
            &input.signer,
            "pass --signer \"Full Name\"",
            limits::MAX_NAME_BYTES,
            Limited::Name,
        )?;
        let track = input.track.as_deref();
        self.edit_case(by, reference, Action::CaseResult, |doc, before, off, _p| {
            // A status in conflict after a merge counts with each of its values.
            let (status, also) = match track {
                None => (before.status, before.conflicting_status.clone()),
                Some(t) => before
                    .tracks
                    .get(t)
                    .map(|tv| (tv.status, tv.conflicting.clone()))
                    .ok_or_else(|| Refusal::NoSuchTrack {
                        receipt_code: before.receipt_code.clone(),
                        track: t.to_string(),
                        tracks: if before.tracks.is_empty() {
                            "none (not a bundle)".to_string()
                        } else {
                            before.tracks.keys().cloned().collect::<Vec<_>>().join(", ")
                        },
                    })?,
            };
            let open = |s: &Status| matches!(s, Status::InProcess | Status::Decided);
            if !open(&status) && !also.iter().any(open) {
                return Err(LifecycleError::ResultNotNow {
                    receipt_code: before.receipt_code.clone(),
                    track: track.map(str::to_string),
                    status,
                }
                .into());
            }
            let now = deadline::now();
            let received = deadline::parse_date(&before.received_at).unwrap_or(input.date);
            if input.date > now.date_naive() || input.date < received {
                return Err(LifecycleError::ResultDate {
                    date: dmy(input.date),
                    received: dmy(received),
                    today: dmy(now.date_naive()),
                }
                .into());
            }
            let record = CaseResult {
                kind: kind.clone(),
                number: number.clone(),
                date: input.date.to_string(),
                signer: signer.clone(),
                channel: input.channel,
                officer: off.id.clone(),
                at: now.to_rfc3339(),
            };
            doc.set_result_record(track, &record)?;
            let old = match track {
                None => before.result_record.as_ref(),
                Some(t) => before.tracks.get(t).and_then(|t| t.result.as_ref()),
            };
            Ok(serde_json::json!({
                "track": track,
                "kind": kind,
                "number": number,
                "date": record.date,
                "signer": signer,
                "channel": input.channel.as_str(),
                "replaces": old.map(|o| format!("{} {}", o.kind, o.number)),
            }))
        })
    }
}
