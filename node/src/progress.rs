//! Progress of the long operations (case import and export, audit verify, the store check),
//! reported to whoever drives them. The node never draws anything: the CLI turns the reports
//! into progress bars on a terminal, a console can turn them into a line of text.
//!
//! An operation reports each [`Stage`] it enters, with the number of steps when it is known,
//! then [`Progress::advance`] as steps are done. Reports are cheap calls on the caller's thread;
//! [`Silent`] ignores them (every operation without `_with` uses it).

/// One stage of a long operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Import: lines read and checked (a step is a line; the total is not known).
    ImportCheck,
    /// Import: cases written into the transaction (a step is a case).
    ImportWrite,
    /// Import: the one commit.
    ImportCommit,
    /// Export: cases written (a step is a case).
    Export,
    /// Audit verify: audit chains walked (a step is a chain).
    VerifyChains,
    /// Audit verify: case documents accounted against the chains (a step is a case).
    VerifyCases,
    /// Store check: documents compared with their rows (a step is a document).
    CheckStore,
}

/// Receives the progress of a long operation.
pub trait Progress {
    /// A new stage begins; `total` steps when known.
    fn stage(&self, stage: Stage, total: Option<u64>);
    /// `n` more steps of the current stage are done.
    fn advance(&self, n: u64);
}

/// Ignores every report.
#[derive(Clone, Copy, Debug, Default)]
pub struct Silent;

impl Progress for Silent {
    fn stage(&self, _: Stage, _: Option<u64>) {}
    fn advance(&self, _: u64) {}
}
