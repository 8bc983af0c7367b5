//! End-to-end tests of the `hoso` binary: real processes, real data dirs in temp dirs.

mod e2e {
    pub mod cli;
    pub mod console;
    pub mod durability;
    pub mod guard;
    pub mod help;
    pub mod store;
    pub mod support;
}
mod sync_e2e;
