//! Case files (hồ sơ): one Automerge document per case, and the views read from it.

pub mod correction;
pub mod doc;
pub mod intake;
pub mod lifecycle;
pub mod view;
pub mod view_update;

pub use correction::FieldCorrection;
pub use doc::{CaseDoc, CaseInit};
pub use intake::{
    DeclaredCitizen, DeclaredEvidence, ExtractRef, Payment, Verification, VerificationState,
};
pub use lifecycle::{ApologyRecord, CaseResult, Delivery, SupplementRecord};
pub use view::{CaseSummary, CaseView, Evidence, HistoryEntry, Note, TrackView};
