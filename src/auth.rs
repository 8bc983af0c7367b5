//! Who is acting: every CLI write proves the officer's identity before it reaches the node.
//!
//! In order, the first that applies:
//! 1. `HOSO_PASSPHRASE` (scripts, tests, the benchmark harness): the passphrase of `--officer`.
//!    An environment variable is readable only by the same OS user and root
//!    (`/proc/PID/environ` is mode 0400), the same boundary as the session file; see
//!    ARCHITECTURE.md ("Officer authentication on the CLI").
//! 2. This OS user's open session on the node (`hoso login`); `--officer`, when given, must be
//!    the session's officer.
//! 3. On a terminal: the passphrase, asked without echo.
//!
//! Otherwise the write is refused with what to run. Every passphrase check goes through
//! [`hoso_node::Node::authenticate`]: failures are audited and throttled.

use std::io::{BufRead, IsTerminal};

use anyhow::Context;
use hoso_node::{AuthenticatedOfficer, Node, NodeError};

use crate::cli::Cli;

/// Environment variable with the acting officer's passphrase, for non-interactive use.
pub(crate) const PASSPHRASE_ENV: &str = "HOSO_PASSPHRASE";

/// The `--officer` given, if any.
fn given(cli: &Cli) -> Option<&str> {
    cli.officer.as_deref().filter(|o| !o.is_empty())
}

/// The authenticated officer for a write.
pub(crate) fn acting(cli: &Cli, node: &Node) -> anyhow::Result<AuthenticatedOfficer> {
    let given = given(cli);
    if let Some(pass) = std::env::var(PASSPHRASE_ENV).ok().filter(|p| !p.is_empty()) {
        let id = given.ok_or(NodeError::NoOfficer)?;
        return Ok(node.authenticate(id, &pass)?);
    }
    match node.resume_session(given) {
        Ok(o) => return Ok(o),
        Err(NodeError::NoSession) => {}
        Err(e) => return Err(e.into()),
    }
    let Some(id) = given else {
        return Err(NodeError::NoSession.into());
    };
    if !std::io::stdin().is_terminal() {
        return Err(NodeError::NoSession.into());
    }
    let pass = rpassword::prompt_password(format!("Passphrase of officer {id}: "))
        .context("reading the passphrase from the terminal")?;
    Ok(node.authenticate(id, &pass)?)
}

/// Reads one passphrase line from stdin (`--passphrase-stdin`).
pub(crate) fn passphrase_from_stdin() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .take_line(&mut line)
        .context("reading the passphrase from stdin")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// Longest passphrase line read from stdin.
const MAX_PASSPHRASE: u64 = 1024;

trait TakeLine {
    fn take_line(self, line: &mut String) -> std::io::Result<usize>;
}

impl<R: BufRead> TakeLine for R {
    /// One line, at most [`MAX_PASSPHRASE`] bytes (a bounded read, not read-then-check).
    fn take_line(self, line: &mut String) -> std::io::Result<usize> {
        std::io::Read::take(self, MAX_PASSPHRASE).read_line(line)
    }
}
