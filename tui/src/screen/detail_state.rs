//! What the detail screen holds: the case shown, its tab, the popup over it and the workflow
//! actions offered. Apart from the screen's behaviour so the case actions
//! ([`super::case_actions`]) and the transitions ([`super::transitions`]) can open popups
//! without importing the detail screen that uses them.

use hoso_schemas::Status;

use crate::effect::CaseDetail;
use crate::input::Input;
use crate::screen::case_form::CaseForm;

/// The tabs of the detail screen.
pub const TABS: [&str; 4] = ["Hồ sơ", "Lịch sử", "Ghi chú", "Tiến trình"];

/// One workflow action offered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    /// Target status.
    pub to: Status,
    /// Bundle track, if the action moves one track.
    pub track: Option<String>,
    /// Why this officer may not take it (shown greyed with the reason), if so.
    pub blocked: Option<String>,
}

/// A popup over the detail screen.
#[derive(Clone, Debug)]
pub enum Popup {
    /// Choose an action.
    Actions {
        /// The actions.
        options: Vec<Action>,
        /// Selected one.
        selected: usize,
    },
    /// Confirm an action, with an optional note.
    Confirm {
        /// The action.
        action: Action,
        /// The note.
        note: Input,
    },
    /// Write a note.
    Note(Input),
    /// Every action on the case, greyed with the reason where not allowed.
    Menu {
        /// Selected entry.
        selected: usize,
    },
    /// A form: correct a field, a result, a payment, a supplement request.
    Form(CaseForm),
    /// Choose a form to print.
    Print {
        /// Selected form.
        selected: usize,
    },
}

/// The detail screen's state.
#[derive(Clone, Debug, Default)]
pub struct DetailState {
    /// The case being read or shown.
    pub reference: Option<String>,
    /// The case.
    pub case: Option<CaseDetail>,
    /// Reading.
    pub loading: bool,
    /// The last error.
    pub error: Option<String>,
    /// Index into [`TABS`].
    pub tab: usize,
    /// Vertical scroll of the body.
    pub scroll: u16,
    /// The open popup.
    pub popup: Option<Popup>,
    /// Waiting for a write.
    pub busy: bool,
    /// The write awaited is a note (its draft goes once it is saved).
    pub saving_note: bool,
    /// The field under the cursor on the Hồ sơ tab (index into the catalog's field order).
    pub field: usize,
    /// The form being saved: it opens again with the node's answer if the save is refused.
    pub pending_form: Option<CaseForm>,
    /// The last print's message (file path, printer).
    pub printed: Option<String>,
}

impl DetailState {
    /// A text field has the keyboard.
    pub fn typing(&self) -> bool {
        matches!(
            self.popup,
            Some(Popup::Confirm { .. } | Popup::Note(_) | Popup::Form(_))
        )
    }
}
