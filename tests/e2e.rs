//! End-to-end tests of the `hoso` binary.

mod console_e2e;
