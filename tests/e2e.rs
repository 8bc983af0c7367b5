//! End-to-end tests of the `hoso` binary: real processes, real data dirs in temp dirs, run
//! through the shared test kit (`hoso_testkit::cli`).

mod e2e {
    pub(crate) mod admin;
    pub(crate) mod cli;
    pub(crate) mod console;
    pub(crate) mod durability;
    pub(crate) mod errors;
    pub(crate) mod guard;
    pub(crate) mod help;
    pub(crate) mod hub_console;
    pub(crate) mod store;
}
mod sync_e2e;
mod two_hubs_e2e;

hoso_testkit::hoso_bin!();
