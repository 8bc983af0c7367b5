//! The audit chain, write side: every action appends one signed, hash-chained entry in the same
//! redb transaction as the Automerge change it records (audit.md §3). This module declares and
//! re-exports its parts — appending in [`append`], the chain head in [`head`], reading entries
//! back in [`read`] — and gives the node its `verify_audit` and `export_audit`.
//!
//! The chain's primitives (the entry encoding, the Merkle range, checkpoints and their note
//! text) live below the node in [`crate::chain`] and are re-exported here as [`entry`],
//! [`merkle`], [`checkpoint`] and [`note`]. The node features: verification in [`verify`] over
//! an [`source::AuditSource`], evidence bundles in [`bundle`], the witness flow in
//! [`witness`] (the own chain's range kept for it in [`own_range`]), peers' chains in [`replica`], replay in [`replay`], cosignatures relayed to a
//! second hub in [`relay`]; every read and write of the stored records goes through
//! [`stored`] (the compact row and its dictionary).

pub use crate::chain::{checkpoint, entry, merkle, note};

pub(crate) mod append;
pub mod bundle;
#[cfg(feature = "bench-unaudited")]
pub mod cost;
pub(crate) mod head;
pub mod own_range;
pub(crate) mod read;
pub mod relay;
pub mod replay;
pub mod replica;
pub mod search;
pub mod source;
pub mod stored;
pub mod verify;
pub mod witness;
pub mod witness_held;

pub use append::{NewEntry, append};
pub use head::ChainHead;
pub use read::{StoredEntry, chain, for_case};

use crate::error::Result;

impl crate::node::handle::Node {
    /// Verifies everything this node's store holds (`hoso audit verify`).
    pub fn verify_audit(&self, policy: &verify::Policy) -> Result<verify::Report> {
        self.verify_audit_with(policy, &crate::progress::Silent)
    }

    /// [`Node::verify_audit`](crate::node::Node::verify_audit), reporting its progress.
    pub fn verify_audit_with(
        &self,
        policy: &verify::Policy,
        progress: &dyn crate::progress::Progress,
    ) -> Result<verify::Report> {
        verify::verify_with(
            &source::DbSource {
                db: self.db(),
                realm: self.realm(),
            },
            policy,
            progress,
        )
    }

    /// Writes an evidence bundle of everything this node's store holds.
    pub fn export_audit(&self, out: impl std::io::Write) -> Result<bundle::ExportSummary> {
        bundle::export(self.db(), self.realm(), &self.id(), out)
    }
}
