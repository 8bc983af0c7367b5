//! The audit entry that accounts for a received change ([`Claim`]): what the trust check
//! (`trust.rs`) reads of an entry, whether from the store or from the entries a grouped ingest
//! has just stored (`fresh.rs`).

use crate::chain::entry::Action;
use crate::ids::NodeId;

/// The entry that accounts for a change.
#[derive(Clone, Debug)]
pub(crate) struct Claim {
    pub(crate) origin: NodeId,
    pub(crate) seq: u64,
    pub(crate) actor: [u8; 16],
    pub(crate) action: Action,
    pub(crate) officer: String,
    pub(crate) payload: Option<Vec<u8>>,
}
