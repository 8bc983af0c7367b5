//! Refusals about officer accounts over time (issue 12): disabled accounts, one-time
//! passphrases that must be changed, and the rules of `officer disable | passwd | reset`.

/// Why an officer account may not act, or an account change was refused (CLI exit 2). Not
/// `non_exhaustive`: the console matches every variant, so a new one cannot ship without its
/// Vietnamese sentence.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    /// The account was disabled by a supervisor.
    #[error(
        "officer `{officer}` is disabled on this node: ask a supervisor (their sessions ended when it was disabled)"
    )]
    Disabled {
        /// The officer id.
        officer: String,
    },
    /// The account holds a one-time passphrase set by `officer reset`.
    #[error(
        "officer `{officer}` has a one-time passphrase: set your own first with `hoso officer passwd --officer {officer}`"
    )]
    MustChangePassphrase {
        /// The officer id.
        officer: String,
    },
    /// A supervisor tried to disable their own account.
    #[error("you cannot disable your own account `{officer}`: another supervisor must")]
    SelfDisable {
        /// The officer id.
        officer: String,
    },
    /// The account is already disabled.
    #[error("officer `{officer}` is already disabled")]
    AlreadyDisabled {
        /// The officer id.
        officer: String,
    },
    /// The new passphrase is the old one.
    #[error("the new passphrase is the same as the old one: choose another")]
    SamePassphrase,
}
