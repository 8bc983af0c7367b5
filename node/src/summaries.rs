//! The case summary row (`cases` table): its one encoding and its one decoding. Lists, indexes,
//! scope checks and the console's work queue all read summaries through [`decode`].

use crate::case::CaseSummary;
use crate::error::{EncodeError, Result};
use crate::ids::CaseId;
use crate::store::error::StoreError;

/// Decodes case `id`'s stored summary row. A row that does not decode is
/// [`StoreError::CorruptSummary`]; readers that skip such a row use `.ok()`.
pub(crate) fn decode(id: &CaseId, bytes: &[u8]) -> Result<CaseSummary> {
    serde_json::from_slice(bytes).map_err(|e| {
        StoreError::CorruptSummary {
            case: *id,
            detail: e.to_string(),
        }
        .into()
    })
}

/// Encodes a summary row.
pub(crate) fn encode(s: &CaseSummary) -> Result<Vec<u8>> {
    serde_json::to_vec(s).map_err(EncodeError::json("a case summary"))
}
