//! `hoso login`, `hoso logout`, `hoso completions`.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Context;
use hoso_node::NodeError;

use crate::auth;
use crate::cli::{Cli, LoginArgs};
use crate::data_dir::open;
use crate::output;

/// `hoso login [ID] [--passphrase-stdin]`.
pub(super) fn login(cli: &Cli, args: &LoginArgs) -> anyhow::Result<ExitCode> {
    let node = open(cli)?;
    let id = args
        .id
        .clone()
        .or_else(|| cli.officer.clone())
        .filter(|o| !o.is_empty())
        .ok_or(NodeError::NoOfficer)?;
    let pass = if args.passphrase_stdin {
        auth::passphrase_from_stdin()?
    } else if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("Passphrase of officer {id}: "))
            .context("reading the passphrase from the terminal")?
    } else {
        return Err(crate::exit::UsageError(
            "stdin is not a terminal: pass --passphrase-stdin and write the passphrase on stdin"
                .into(),
        )
        .into());
    };
    let s = node.start_session(&id, &pass)?;
    if cli.json {
        output::json(&serde_json::json!({
            "officer": s.officer.id,
            "name": s.officer.name,
            "role": s.officer.role,
            "uid": s.uid,
            "expires_at": chrono::DateTime::from_timestamp_millis(s.expires_ms)
                .map(|t| t.with_timezone(&hoso_node::deadline::vn_offset()).to_rfc3339()),
            "session_file": s.file.display().to_string(),
        }))?;
    } else {
        println!(
            "logged in as {} ({}, {}) until {} (Vietnam time); `hoso logout` ends it",
            s.officer.id,
            s.officer.name,
            s.officer.role,
            hoso_node::session::vn_time(s.expires_ms)
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `hoso logout`.
pub(super) fn logout(cli: &Cli) -> anyhow::Result<ExitCode> {
    let node = open(cli)?;
    let ended = node.end_session()?;
    if cli.json {
        output::json(&serde_json::json!({ "logged_out": ended }))?;
    } else {
        match ended {
            Some(o) => println!("logged out {o}"),
            None => println!("no open session for this OS user on this node"),
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `hoso completions SHELL`: needs no node.
pub(super) fn completions(shell: clap_complete::Shell) -> anyhow::Result<ExitCode> {
    let mut cmd = crate::help::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "hoso", &mut script);
    // Written here, not by the generator, so `| head` ends quietly (main treats a broken pipe
    // as success) instead of panicking inside clap_complete.
    let mut out = std::io::stdout().lock();
    out.write_all(&script)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
