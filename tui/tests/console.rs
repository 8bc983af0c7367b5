//! Console tests without a terminal: the state machine driven through `App::handle_event` with
//! effects run against a real node, and whole screens rendered to ratatui's `TestBackend` and
//! compared with insta snapshots (tests/console/snapshots/).

mod console {
    pub mod case_actions;
    pub mod common;
    pub mod hub;
    pub mod snapshots;
    pub mod state;
}
