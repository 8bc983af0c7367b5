//! # hoso-testkit
//!
//! What the workspace's tests share, in one place instead of a copy per test crate:
//!
//! - [`node`]: a node in a temp dir with the three sample roles and a small registry
//!   ([`node::commune`], [`node::hub`], [`node::TestNode`]), and case inputs that pass the
//!   catalog ([`node::new_case`]);
//! - [`fixtures`]: the registry fixture ([`fixtures::REGISTRY`], four synthetic citizens whose
//!   ids agree with their dates of birth), the sample data shipped in `fixtures/sample/`, and
//!   the passphrases;
//! - [`cli`]: the `hoso` end-to-end runner — run the real binary with a data dir and an
//!   authenticated officer, assert the exit code, read stdout as text or JSON;
//! - [`tamper`]: writes behind the write path, as a tampered store would hold them;
//! - [`tmux`]: the console driven in a tmux server of its own (keys in, screen text out).
//!
//! A dev-dependency only (`publish = false`); nothing in it runs outside tests.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod cli;
pub mod fixtures;
pub mod node;
pub mod tamper;
pub mod tmux;
