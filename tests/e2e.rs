//! e2e

mod sync_e2e;
