//! `hoso officer disable | passwd | reset`: officer accounts over time (issue 12).

use std::process::ExitCode;

use anyhow::Context;
use hoso_node::{Node, NodeError, Officer};

use crate::cli::{Cli, OfficerCmd};
use crate::exit::UsageError;
use crate::output;

/// The account's state word for `officer list`.
pub(super) fn state(o: &Officer) -> &'static str {
    if o.is_disabled() {
        "disabled"
    } else if o.must_change {
        "must change passphrase"
    } else {
        "active"
    }
}

/// Runs `officer disable | passwd | reset`.
pub(super) fn run(cli: &Cli, node: &Node, cmd: &OfficerCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        OfficerCmd::Disable { id } => {
            let by = crate::auth::acting(cli, node)?;
            let ended = node.disable_officer(&by, id)?;
            if cli.json {
                output::json(
                    &serde_json::json!({"officer": id, "disabled": true, "sessions_ended": ended}),
                )?;
            } else {
                println!("officer {id} disabled ({ended} open session(s) ended)");
            }
        }
        OfficerCmd::Reset { id } => {
            let by = crate::auth::acting(cli, node)?;
            let one_time = node.reset_officer(&by, id)?;
            if cli.json {
                output::json(&serde_json::json!({"officer": id, "one_time_passphrase": one_time}))?;
            } else {
                println!("one-time passphrase for {id}: {one_time}");
                println!(
                    "hand it to the officer; they must set their own with `hoso officer passwd --officer {id}` before anything else"
                );
            }
        }
        OfficerCmd::Passwd { passphrase_stdin } => {
            let id = whose(cli, node)?;
            let (old, new) = if *passphrase_stdin {
                let old = crate::auth::passphrase_from_stdin()?;
                let new = crate::auth::passphrase_from_stdin()?;
                (old, new)
            } else {
                let old = rpassword::prompt_password(format!("Current passphrase of {id}: "))
                    .context(
                        "reading the passphrase (use --passphrase-stdin without a terminal)",
                    )?;
                let new = rpassword::prompt_password("New passphrase: ")?;
                let again = rpassword::prompt_password("Again: ")?;
                if new != again {
                    return Err(UsageError("the two new passphrases differ".into()).into());
                }
                (old, new)
            };
            node.change_passphrase(&id, &old, &new)?;
            if cli.json {
                output::json(&serde_json::json!({"officer": id, "passphrase_changed": true}))?;
            } else {
                println!("passphrase of {id} changed");
            }
        }
        OfficerCmd::Add { .. } | OfficerCmd::List => {
            return Err(UsageError("not an account command".into()).into());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Whose passphrase `passwd` changes: `--officer`, else the open session's officer.
fn whose(cli: &Cli, node: &Node) -> anyhow::Result<String> {
    if let Some(id) = cli.officer.as_deref().filter(|o| !o.is_empty()) {
        return Ok(id.to_string());
    }
    match node.resume_session(None) {
        Ok(o) => Ok(o.id().to_string()),
        Err(NodeError::NoSession) => Err(UsageError(
            "whose passphrase? pass --officer ID (or run it in your `hoso login` session)".into(),
        )
        .into()),
        Err(e) => Err(e.into()),
    }
}
