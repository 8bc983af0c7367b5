//! Refusals of the intake actions: fee payments, citizens missing from the population extract,
//! recomputing a due date. Each says what to do instead.

/// Why a payment, an unverified receipt or a due-date recomputation was refused (CLI exit 2).
/// Not `non_exhaustive`: the console matches every variant, so a new one cannot ship without
/// its Vietnamese sentence.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IntakeError {
    /// A payment on a procedure that charges nothing.
    #[error(
        "procedure `{procedure}` charges no fee: there is nothing to pay on case {receipt_code}"
    )]
    NoFee {
        /// The case.
        receipt_code: String,
        /// Its procedure.
        procedure: String,
    },
    /// The amount is not the catalog fee for the case's channel.
    #[error(
        "case {receipt_code} owes {} ({channel}), not {}: pay that amount, or pass --exemption REASON if the citizen is exempt",
        hoso_schemas::format_dong(*expected),
        hoso_schemas::format_dong(*given)
    )]
    FeeMismatch {
        /// The case.
        receipt_code: String,
        /// The catalog fee for the channel.
        expected: u64,
        /// The amount given.
        given: u64,
        /// The submission channel the fee was taken for.
        channel: String,
    },
    /// A payment marked exempt without the reason.
    #[error("an exemption needs its reason (the catalog lists them): pass --exemption REASON")]
    ExemptionWithoutReason,
    /// A transfer or online payment with no transaction reference.
    #[error("the {method} payment needs its transaction reference: pass --reference CODE")]
    NoPaymentReference {
        /// The method.
        method: String,
    },
    /// A second payment on a case.
    #[error("case {receipt_code} was already paid on {at}: a payment is recorded once")]
    AlreadyPaid {
        /// The case.
        receipt_code: String,
        /// When the first payment was recorded (RFC 3339).
        at: String,
    },
    /// Leaving `awaiting_payment` for processing with no payment recorded.
    #[error(
        "case {receipt_code} is awaiting payment: record it first with `hoso case pay {receipt_code} --amount … --method …`"
    )]
    NotPaid {
        /// The case.
        receipt_code: String,
    },
    /// An action on a case that has ended processing.
    #[error("case {receipt_code} is {status}: it has ended, so {action} is no longer possible")]
    CaseEnded {
        /// The case.
        receipt_code: String,
        /// Its final status word.
        status: String,
        /// What was attempted.
        action: String,
    },
    /// A declared identity with a part missing or malformed.
    #[error("the declared citizen's {what} is missing or malformed: {hint}")]
    BadDeclaration {
        /// Which part.
        what: String,
        /// What is expected.
        hint: String,
    },
    /// A declared commune that is not a commune of the node's province.
    #[error(
        "commune `{code}` is not a commune of province {province}: a centre receives citizens of its own province (Decree 118/2025)"
    )]
    CommuneOutsideProvince {
        /// The code given.
        code: String,
        /// The node's province.
        province: String,
    },
    /// A declared citizen who is in the extract after all.
    #[error(
        "citizen id `{citizen_id}` is in the population extract: receive the case normally (drop the --declared-* options)"
    )]
    CitizenInExtract {
        /// The citizen id.
        citizen_id: String,
    },
    /// A due-date recomputation by a role that may not move appointment dates.
    #[error("recomputing a due date moves the citizen's appointment: a supervisor must do it")]
    RecomputeNeedsSupervisor,
}
