//! Console tests without a terminal: the state machine driven through `App::handle_event` with
//! effects run against a real node, and whole screens rendered to ratatui's `TestBackend` and
//! compared with insta snapshots (tests/console/snapshots/).

mod console {
    pub(crate) mod case_actions;
    pub(crate) mod common;
    pub(crate) mod hub;
    pub(crate) mod search;
    pub(crate) mod snapshots;
    pub(crate) mod state;
}
