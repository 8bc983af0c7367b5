//! What verification reports: typed findings (tampering, names from audit.md §4) and notices
//! (worth knowing, not tampering).

use serde::Serialize;

use crate::ids::{CaseId, NodeId};

/// One thing wrong with the stored history. Names follow audit.md §4.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "check")]
pub enum Finding {
    /// The origin's signature over the entry hash does not verify.
    #[error("entry {origin} #{seq}: signature does not verify")]
    BadSignature {
        /// Chain.
        origin: NodeId,
        /// Position.
        seq: u64,
    },
    /// `prev` is not the hash of the previous entry.
    #[error("entry {origin} #{seq}: prev does not match the hash of the entry before it")]
    BrokenLink {
        /// Chain.
        origin: NodeId,
        /// Position.
        seq: u64,
    },
    /// A position is missing.
    #[error("chain {origin}: entry #{expected} is missing (next held is #{got})")]
    SeqGap {
        /// Chain.
        origin: NodeId,
        /// The missing position.
        expected: u64,
        /// The next position held.
        got: u64,
    },
    /// The entry stored at a position claims another seq.
    #[error("entry {origin} #{seq}: stored at #{seq} but claims #{claimed}")]
    SeqMismatch {
        /// Chain.
        origin: NodeId,
        /// Position it is stored at.
        seq: u64,
        /// Position it claims.
        claimed: u64,
    },
    /// Two different validly signed entries for one position.
    #[error("entry {origin} #{seq}: two validly signed entries ({h1} and {h2})")]
    Equivocation {
        /// Chain.
        origin: NodeId,
        /// Position.
        seq: u64,
        /// Hash held in the chain.
        h1: String,
        /// Hash of the other record.
        h2: String,
    },
    /// The chain is shorter than a checkpoint says.
    #[error("chain {origin}: {have} entries held but a checkpoint covers {cosigned}")]
    TruncatedBelowCheckpoint {
        /// Chain.
        origin: NodeId,
        /// Entries held.
        have: u64,
        /// Size of the checkpoint.
        cosigned: u64,
    },
    /// The chain contradicts a checkpoint: a rewrite.
    #[error("chain {origin}: entries up to #{} contradict the checkpoint of size {size} (rewritten)", size.saturating_sub(1))]
    InconsistentWithCheckpoint {
        /// Chain.
        origin: NodeId,
        /// Checkpoint size.
        size: u64,
    },
    /// A witness refused a checkpoint and kept the evidence.
    #[error("chain {origin}: witness refused a checkpoint: {reason}")]
    CheckpointEquivocation {
        /// Chain.
        origin: NodeId,
        /// Why.
        reason: String,
    },
    /// A checkpoint note is malformed or its node signature fails.
    #[error("checkpoint {origin} size {size}: {what}")]
    BadCheckpoint {
        /// Chain.
        origin: NodeId,
        /// Size.
        size: u64,
        /// What is wrong.
        what: String,
    },
    /// A witness cosignature does not verify.
    #[error("checkpoint {origin} size {size}: cosignature of {witness} does not verify")]
    BadCosignature {
        /// Chain.
        origin: NodeId,
        /// Size.
        size: u64,
        /// Witness key.
        witness: NodeId,
    },
    /// A change in a case document no entry accounts for.
    #[error("case {case}: change {hash} (actor {actor}) has no audit entry")]
    UnaccountedChange {
        /// Case.
        case: CaseId,
        /// Change hash.
        hash: String,
        /// Its actor.
        actor: String,
        /// The node the actor is bound to, if any.
        node: Option<NodeId>,
    },
    /// An entry lists a change the case does not have.
    #[error("entry {origin} #{seq}: lists change {hash} missing from case {case}")]
    MissingChange {
        /// Case.
        case: CaseId,
        /// Change hash.
        hash: String,
        /// Chain.
        origin: NodeId,
        /// Position.
        seq: u64,
    },
    /// The change's actor is not the entry's node (or not the entry's actor).
    #[error("entry {origin} #{seq}: lists change {hash} of case {case} made by another actor")]
    MisattributedChange {
        /// Case.
        case: CaseId,
        /// Change hash.
        hash: String,
        /// Chain.
        origin: NodeId,
        /// Position.
        seq: u64,
    },
    /// A change is listed twice.
    #[error("entry {origin} #{seq}: lists change {hash} of case {case} already accounted for")]
    DuplicateAccounting {
        /// Case.
        case: CaseId,
        /// Change hash.
        hash: String,
        /// Chain of the second listing.
        origin: NodeId,
        /// Position of the second listing.
        seq: u64,
    },
    /// A change is listed under another case id.
    #[error("entry {origin} #{seq}: lists change {hash} of case {case} under case {listed}")]
    CaseMismatch {
        /// Case holding the change.
        case: CaseId,
        /// Change hash.
        hash: String,
        /// Chain.
        origin: NodeId,
        /// Position.
        seq: u64,
        /// Case the entry names.
        listed: CaseId,
    },
    /// The change depends on state the entry says the officer did not see.
    #[error(
        "entry {origin} #{seq}: change {hash} of case {case} depends on heads not in heads_before"
    )]
    HeadsMismatch {
        /// Case.
        case: CaseId,
        /// Change hash.
        hash: String,
        /// Chain.
        origin: NodeId,
        /// Position.
        seq: u64,
    },
    /// A case document does not load (chunk checksum, hash mismatch, garbage).
    #[error("case {case}: document does not load: {what}")]
    BadDocument {
        /// Case.
        case: CaseId,
        /// The loader's complaint.
        what: String,
    },
    /// Not the one canonical encoding (or an unsupported version or epoch).
    #[error("entry {origin} #{seq}: non-canonical: {what}")]
    NonCanonical {
        /// Chain.
        origin: NodeId,
        /// Position.
        seq: u64,
        /// What.
        what: String,
    },
    /// Over a size bound.
    #[error("entry {origin} #{seq}: too large: {what}")]
    TooLarge {
        /// Chain.
        origin: NodeId,
        /// Position.
        seq: u64,
        /// What.
        what: String,
    },
    /// Genesis rules broken.
    #[error("entry {origin} #{seq}: bad genesis: {what}")]
    BadGenesis {
        /// Chain.
        origin: NodeId,
        /// Position.
        seq: u64,
        /// What.
        what: String,
    },
    /// Time went backwards without a `ClockJump` entry.
    #[error("entry {origin} #{seq}: time is earlier than the entry before it")]
    ClockRollback {
        /// Chain.
        origin: NodeId,
        /// Position.
        seq: u64,
    },
    /// Time is later than the witness time covering it.
    #[error("entry {origin} #{seq}: time is after the cosignature that covers it")]
    FutureTimestamp {
        /// Chain.
        origin: NodeId,
        /// Position.
        seq: u64,
    },
    /// From another deployment.
    #[error("entry {origin} #{seq}: belongs to another realm")]
    WrongRealm {
        /// Chain.
        origin: NodeId,
        /// Position.
        seq: u64,
    },
    /// The origin field is not the chain's node.
    #[error("entry {origin} #{seq}: written by {claimed}, not by the chain's node")]
    WrongOrigin {
        /// Chain.
        origin: NodeId,
        /// Position.
        seq: u64,
        /// Origin field.
        claimed: NodeId,
    },
    /// A chain of a node not in the roster.
    #[error("chain {origin}: node is not enrolled")]
    UnknownOrigin {
        /// Chain.
        origin: NodeId,
    },
    /// The anchor moved backwards.
    #[error("entry {origin} #{seq}: anchor is older than the previous entry's")]
    AnchorRegression {
        /// Chain.
        origin: NodeId,
        /// Position.
        seq: u64,
    },
    /// The anchor cites a cosignature not held.
    #[error("entry {origin} #{seq}: anchor cites an unknown cosignature")]
    UnknownAnchor {
        /// Chain.
        origin: NodeId,
        /// Position.
        seq: u64,
    },
    /// An evidence bundle that does not decode (edited, truncated or not a bundle).
    #[error("bundle: {what} at byte {offset}")]
    MalformedBundle {
        /// Byte offset of the bad record.
        offset: u64,
        /// What is wrong.
        what: String,
    },
    /// The payload is present but altered.
    #[error("entry {origin} #{seq}: payload does not match its hash")]
    PayloadMismatch {
        /// Chain.
        origin: NodeId,
        /// Position.
        seq: u64,
    },
}

impl Finding {
    /// The entry the finding names, when it names one.
    pub fn position(&self) -> Option<(NodeId, u64)> {
        use Finding::*;
        match self {
            BadSignature { origin, seq }
            | BrokenLink { origin, seq }
            | SeqMismatch { origin, seq, .. }
            | Equivocation { origin, seq, .. }
            | MissingChange { origin, seq, .. }
            | MisattributedChange { origin, seq, .. }
            | DuplicateAccounting { origin, seq, .. }
            | CaseMismatch { origin, seq, .. }
            | HeadsMismatch { origin, seq, .. }
            | NonCanonical { origin, seq, .. }
            | TooLarge { origin, seq, .. }
            | BadGenesis { origin, seq, .. }
            | ClockRollback { origin, seq }
            | FutureTimestamp { origin, seq }
            | WrongRealm { origin, seq }
            | WrongOrigin { origin, seq, .. }
            | AnchorRegression { origin, seq }
            | UnknownAnchor { origin, seq }
            | PayloadMismatch { origin, seq } => Some((*origin, *seq)),
            SeqGap {
                origin, expected, ..
            } => Some((*origin, *expected)),
            TruncatedBelowCheckpoint { origin, have, .. } => Some((*origin, *have)),
            InconsistentWithCheckpoint { origin, size } => Some((*origin, size.saturating_sub(1))),
            BadCheckpoint { origin, size, .. } | BadCosignature { origin, size, .. } => {
                Some((*origin, size.saturating_sub(1)))
            }
            CheckpointEquivocation { .. }
            | UnaccountedChange { .. }
            | BadDocument { .. }
            | MalformedBundle { .. }
            | UnknownOrigin { .. } => None,
        }
    }
    /// The variant name (the check that failed).
    pub fn check(&self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.get("check").and_then(|c| c.as_str().map(str::to_string)))
            .unwrap_or_default()
    }
}

/// Something worth knowing that is not tampering.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "note")]
pub enum Notice {
    /// The payload is gone; the chain still verifies through `payload_hash`.
    PayloadPurged {
        /// Chain.
        origin: NodeId,
        /// Position.
        seq: u64,
    },
    /// A legitimate clock jump.
    ClockJump {
        /// Chain.
        origin: NodeId,
        /// Position.
        seq: u64,
    },
    /// A fork record that is not validly signed (ignored).
    UnsignedForkRecord {
        /// Chain.
        origin: NodeId,
        /// Position.
        seq: u64,
    },
}
