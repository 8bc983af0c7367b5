//! `hoso`: the one binary. A thin CLI over the node, sync and console crates.
//!
//! Exit codes (../shared/design/cli.md): 0 ok, 1 failure, 2 bad usage or bad input,
//! 3 tampering found by `audit verify`.

#![cfg_attr(not(test), deny(clippy::unwrap_used))]

mod auth;
mod cli;
mod commands;
mod data_dir;
mod exit;
mod help;
mod out_file;
mod output;
mod progress;
mod sample;

use std::process::ExitCode;

fn main() -> ExitCode {
    quiet_on_broken_pipe();
    let cli = help::parse();
    let logs = tracing_subscriber::fmt().with_env_filter(
        tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,automerge=off")),
    );
    // While the console owns the terminal, logs go to a file, never to the screen.
    match commands::console_log_file(&cli) {
        Some(file) => logs
            .with_writer(std::sync::Mutex::new(file))
            .with_ansi(false)
            .init(),
        None => logs.with_writer(std::io::stderr).init(),
    }
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {}", one_line(&err));
            ExitCode::from(exit_code(&err))
        }
    }
}

/// `hoso case list | head` closes stdout early: `println!` then panics with "failed printing to
/// stdout: Broken pipe". Like other Unix tools, exit quietly instead.
fn quiet_on_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.contains("failed printing to stdout") && msg.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The error as one line: the context the CLI added, then the node's message, which is whole
/// (it already names its cause and what to do), so the causes below it are not repeated;
/// any other cause is appended unless the line already says it.
fn one_line(err: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if !line.contains(&text) {
            if !line.is_empty() {
                line.push_str(": ");
            }
            line.push_str(&text);
        }
        if cause.downcast_ref::<hoso_node::NodeError>().is_some() {
            break;
        }
    }
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// 3 for tampering found, 2 for the caller's input, 1 for anything else.
fn exit_code(err: &anyhow::Error) -> u8 {
    if err
        .chain()
        .any(|e| e.downcast_ref::<commands::TamperingFound>().is_some())
    {
        return 3;
    }
    let bad_input = err.chain().any(|e| {
        e.downcast_ref::<hoso_node::NodeError>()
            .is_some_and(hoso_node::NodeError::is_bad_input)
            || e.downcast_ref::<commands::UsageError>().is_some()
    });
    if bad_input { 2 } else { 1 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hoso_node::NodeError;
    use hoso_node::error::{AuditError, ConfigError, PeerError, examples};

    #[test]
    fn every_node_error_maps_to_exit_1_or_2_and_one_line() {
        for e in examples::all() {
            let bad_input = e.is_bad_input();
            let shown = e.to_string();
            let err = anyhow::Error::from(e);
            assert_eq!(exit_code(&err), if bad_input { 2 } else { 1 }, "{shown}");
            let line = one_line(&err);
            assert!(!line.contains('\n') && !line.is_empty(), "{line}");
            assert!(line.starts_with(&shown), "{line} / {shown}");
        }
    }

    #[test]
    fn exit_codes_of_the_typed_reasons() {
        let code = |e: NodeError| exit_code(&anyhow::Error::from(e));
        for c in examples::config_errors() {
            assert_eq!(code(c.into()), 2);
        }
        for p in examples::peer_errors() {
            assert_eq!(code(p.into()), 2);
        }
        for e in examples::encode_errors() {
            assert_eq!(code(e.into()), 1);
        }
        for i in examples::ingest_errors() {
            assert_eq!(code(i.into()), 2);
        }
        assert_eq!(code(AuditError::BundleRecordTooLarge.into()), 1);
        assert_eq!(code(AuditError::BatchTooLarge { max: 4096 }.into()), 2);
        assert_eq!(code(ConfigError::CommuneMissing.into()), 2);
        assert_eq!(code(PeerError::OwnId.into()), 2);
    }

    #[test]
    fn the_line_keeps_the_context_and_says_a_cause_once() {
        let io = NodeError::io(
            std::path::Path::new("/d/peers.toml"),
            std::io::Error::other("disk on fire"),
        );
        let err = anyhow::Error::from(io).context("loading the peers");
        let line = one_line(&err);
        assert_eq!(line, "loading the peers: /d/peers.toml: disk on fire");
        // A cause below a node error is not appended: the node's message is whole.
        let toml = examples::peer_errors().remove(0);
        let line = one_line(&anyhow::Error::from(NodeError::from(toml)));
        assert!(
            line.contains("line 1:") || line.contains("key with no value"),
            "{line}"
        );
        assert!(
            !line.contains('|'),
            "toml's multi-line snippet leaked: {line}"
        );
    }
}
