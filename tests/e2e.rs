//! End-to-end tests of the `hoso` binary: real processes, real data dirs in temp dirs, run
//! through the shared test kit (`hoso_testkit::cli`).

mod e2e {
    pub mod admin;
    pub mod cli;
    pub mod console;
    pub mod durability;
    pub mod errors;
    pub mod guard;
    pub mod help;
    pub mod hub_console;
    pub mod store;
}
mod sync_e2e;
mod two_hubs_e2e;

hoso_testkit::hoso_bin!();
