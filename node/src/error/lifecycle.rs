//! Why a step of a case's legal life was refused: bundle tracks, results, the supplement rule
//! and late-result apologies (issue 10). Each message is one line that says what to do.

use hoso_schemas::Status;

/// A lifecycle rule the node enforces (CLI exit 2).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LifecycleError {
    /// A track whose preceding track has not ended with a result yet.
    #[error(
        "track `{track}` of case {receipt_code} is handed off only after `{after}` is decided (it is {after_status}): move `{after}` first"
    )]
    TrackWaits {
        /// The case.
        receipt_code: String,
        /// The track that was asked to move.
        track: String,
        /// The track it waits for.
        after: String,
        /// That track's status.
        after_status: Status,
    },
    /// A track moved while the bundle itself has ended.
    #[error("case {receipt_code} is {status}: its tracks can no longer move")]
    BundleEnded {
        /// The case.
        receipt_code: String,
        /// The bundle's status.
        status: Status,
    },
    /// The bundle cannot be decided or returned while tracks are open.
    #[error(
        "case {receipt_code} cannot become {to} while these tracks are open: {open}; move each track to an end first (`hoso case track`)"
    )]
    TracksOpen {
        /// The case.
        receipt_code: String,
        /// The requested status.
        to: Status,
        /// The open tracks, with their status.
        open: String,
    },
    /// `returned` without a recorded result.
    #[error(
        "{} of case {receipt_code} has no result yet: record it with `hoso case result` before handing it over",
        part(track)
    )]
    NoResult {
        /// The case.
        receipt_code: String,
        /// The track without a result; `None`: the case itself.
        track: Option<String>,
    },
    /// A result recorded for a case or track that is not being decided.
    #[error(
        "{} of case {receipt_code} is {status}: a result is recorded while it is in_process or decided",
        part(track)
    )]
    ResultNotNow {
        /// The case.
        receipt_code: String,
        /// The track the result was for; `None`: the case itself.
        track: Option<String>,
        /// Its status.
        status: Status,
    },
    /// A result date after today or before the receipt.
    #[error("the result date {date} must lie between the receipt ({received}) and today ({today})")]
    ResultDate {
        /// The date given (dd/mm/yyyy).
        date: String,
        /// The receipt date (dd/mm/yyyy).
        received: String,
        /// Today (dd/mm/yyyy).
        today: String,
    },
    /// A required text of a record is empty.
    #[error("{what} is empty: {hint}")]
    Empty {
        /// What is empty.
        what: String,
        /// What to pass.
        hint: String,
    },
    /// A delivery channel word that is not one of the three.
    #[error("unknown delivery channel `{0}`: expected desk, post or vneid")]
    UnknownChannel(String),
    /// A plain transition into `supplement_requested` on a case that already had one, made by
    /// an officer.
    #[error(
        "case {receipt_code} already had {previous} supplement request(s): another one needs a supervisor and a reason (it still counts the case as late)"
    )]
    SecondSupplement {
        /// The case.
        receipt_code: String,
        /// How many requests it had.
        previous: usize,
    },
    /// A supplement deadline that is not after the request.
    #[error("the supplement deadline {deadline} must be after today ({today})")]
    SupplementDeadline {
        /// The deadline given (dd/mm/yyyy).
        deadline: String,
        /// Today (dd/mm/yyyy).
        today: String,
    },
    /// No supplement limit in the catalog and no deadline given.
    #[error("the catalog sets no supplement limit for {procedure}: pass --deadline dd/mm/yyyy")]
    NoSupplementLimit {
        /// The procedure code.
        procedure: String,
    },
    /// An apology by someone other than a supervisor.
    #[error(
        "an apology for a late result is signed by a supervisor (lãnh đạo): ask one to record it"
    )]
    ApologyNeedsSupervisor,
    /// An apology after the appointment date has passed, or for a case that ended.
    #[error(
        "case {receipt_code}: an apology is recorded before the appointment date {due} passes and while the case is open (today {today}, status {status})"
    )]
    ApologyTooLate {
        /// The case.
        receipt_code: String,
        /// The appointment date it answers for (dd/mm/yyyy).
        due: String,
        /// Today (dd/mm/yyyy).
        today: String,
        /// The case's status.
        status: Status,
    },
    /// A track's own supplement request or apology while the track is not with its agency.
    #[error(
        "track `{track}` of case {receipt_code} is {status} with no due date of its own running: a track's own supplement request or apology needs it handed off to its agency (`hoso case track`) and not ended"
    )]
    TrackNotOpen {
        /// The case.
        receipt_code: String,
        /// The track.
        track: String,
        /// Its status.
        status: Status,
    },
    /// A new appointment date not after the current one.
    #[error("the new appointment date {new} must be after the current one {current}")]
    ApologyDate {
        /// The date given (dd/mm/yyyy).
        new: String,
        /// The current appointment date (dd/mm/yyyy).
        current: String,
    },
}

/// "the case" or "track `x`", for messages.
fn part(track: &Option<String>) -> String {
    track
        .as_deref()
        .map_or_else(|| "the case".to_string(), |t| format!("track `{t}`"))
}
