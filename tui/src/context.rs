//! What every screen may read: the node's catalog and calendar, today, the logged-in officer,
//! the sync status, the theme. Screens get it as `&Context` and never change it; the app
//! ([`crate::app`]) owns it and changes it when it applies an [`crate::action::AppAction`].

use std::cell::Cell;
use std::path::PathBuf;

use chrono::NaiveDate;
use hoso_node::{AuthenticatedOfficer, SyncStatus};
use hoso_schemas::{Catalog, HolidayCalendar};

use crate::theme::Theme;

/// The read-only context of every screen.
#[derive(Debug)]
pub struct Context {
    /// Styles.
    pub theme: Theme,
    /// The procedure catalog.
    pub catalog: Catalog,
    /// The holiday calendar (due-soon marks).
    pub calendar: HolidayCalendar,
    /// Today, for deadline marks.
    pub today: NaiveDate,
    /// Node display name.
    pub node_name: String,
    /// Node short id.
    pub node_short: String,
    /// Shown on the login screen.
    pub login_hint: Option<String>,
    /// Mouse capture is on.
    pub mouse: bool,
    /// The logged-in officer, as the node authenticated them (the write path needs it).
    pub officer: Option<AuthenticatedOfficer>,
    /// The sync engine's last status.
    pub sync: SyncStatus,
    /// This node is a provincial hub: it opens on the dashboard and receives no cases.
    pub hub: bool,
    /// Where drafts are kept.
    pub drafts_dir: PathBuf,
    /// Makes the printed forms, when the console was given one.
    pub printer: Option<crate::print::SharedPrinter>,
    /// The last request number handed out (answers to older ones are dropped). A counter, the
    /// one thing a screen may advance through `&Context`.
    pub(crate) generation: Cell<u64>,
}

impl Context {
    /// A fresh request number (answers to older ones are dropped).
    pub fn next_generation(&self) -> u64 {
        let g = self.generation.get() + 1;
        self.generation.set(g);
        g
    }

    /// The logged-in officer's id (empty before login).
    pub fn officer_id(&self) -> String {
        self.officer
            .as_ref()
            .map(|o| o.id().to_string())
            .unwrap_or_default()
    }

    /// The officer may change cases.
    pub fn can_write(&self) -> bool {
        self.officer
            .as_ref()
            .is_some_and(|o| o.officer().can_write())
    }

    /// The draft file of the logged-in officer.
    pub fn draft_file(&self) -> Option<PathBuf> {
        let o = self.officer.as_ref()?;
        Some(crate::draft::path(&self.drafts_dir, &o.id))
    }
}
