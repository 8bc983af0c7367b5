//! The command line as the binary parses it: the clap definitions of [`crate::cli`] plus what
//! derive attributes cannot say.
//!
//! - **Global flags where they apply.** `--data-dir`, `--officer` and `--json` are global, so
//!   `hoso --json case list` and `hoso case list --json` both work. Each command's `--help`
//!   lists only the ones it reads: the others are still accepted (a script that always passes
//!   `--officer` keeps working) but hidden. clap propagates a global flag only to subcommands
//!   that do not define one of the same id, so a hidden copy on a command stops the visible one.
//! - **Examples** in the help of the common commands (`after_help`).
//! - The man page (`hoso man [COMMAND…]`) and the completion scripts are generated from this
//!   same command, so they list what `--help` lists.

use std::io::Write;
use std::process::ExitCode;

use clap::{Arg, Command, CommandFactory, FromArgMatches};

use crate::cli::Cli;
use crate::exit::UsageError;

/// Commands that read `--officer` (they write as an officer, or name one).
const READS_OFFICER: &[&str] = &[
    "init",
    "demo",
    "tui",
    "login",
    "officer add",
    "registry import",
    "registry recheck",
    "import",
    "case new",
    "case set",
    "case transition",
    "case note",
    "case pay",
    "case recompute-due",
    "case track",
    "case result",
    "case supplement",
    "case apology",
    "case print",
    "peer add",
    "peer remove",
    "check",
];

/// Commands that print no JSON document (`--json` does nothing there).
const NO_JSON: &[&str] = &[
    "tui",
    "completions",
    "man",
    "export",
    "serve",
    "peer remove",
];

/// Commands that need no data dir.
const NO_DATA_DIR: &[&str] = &["completions", "man"];

/// Whether the command at `path` (e.g. `case new`) reads the global flag `id`.
pub(crate) fn applies(path: &str, id: &str) -> bool {
    match id {
        "officer" => READS_OFFICER.contains(&path),
        "json" => !NO_JSON.contains(&path),
        "data_dir" => !NO_DATA_DIR.contains(&path),
        _ => true,
    }
}

/// Examples shown under a command's `--help`.
fn examples(path: &str) -> Option<&'static str> {
    Some(match path {
        "init" => {
            "Examples:\n  hoso init --commune 06112 --sample\n  hoso --officer admin01 init --commune 06112 --officer-name \"Nguyễn Văn A\"\n  hoso --data-dir /srv/hub init --role hub --province 20 --listen 0.0.0.0:7521"
        }
        "login" => {
            "Examples:\n  hoso login canbo01\n  printf '%s\\n' \"$PASS\" | hoso login canbo01 --passphrase-stdin"
        }
        "import" => {
            "Examples:\n  hoso import cases.jsonl\n  zcat cases.jsonl.gz | hoso import -\n  hoso --json import cases.jsonl     # {\"imported\": …, \"by_status\": {…}}"
        }
        "export" => {
            "Examples:\n  hoso export --out cases.jsonl\n  hoso export | gzip > cases.jsonl.gz"
        }
        "sync" => {
            "Examples:\n  hoso sync --once\n  hoso sync --peer 4f2a…e91c\n  hoso --json sync | jq '.[] | {name, error}'"
        }
        "registry list" => {
            "Examples:\n  hoso registry list --search \"nguyen thi\"\n  hoso --json registry list --limit 5"
        }
        "case new" => {
            "Examples:\n  hoso case new --procedure judicial_record --citizen 020314093808 --check\n  hoso case new --procedure judicial_record --citizen 020314093808 \\\n      --field requester_place_of_birth=\"Xã Bình Gia\" --field certificate_type=\"Phiếu số 1\" \\\n      --field purpose=\"Bổ sung hồ sơ xin việc\" --field copies=1\n  hoso case new --procedure birth_registration --citizen 020190012345 --from-file fields.json"
        }
        "case list" => {
            "Examples:\n  hoso case list --search \"nong thi nguyet\"\n  hoso case list --status in_process --procedure judicial_record\n  hoso --json case list --overdue"
        }
        "case show" => {
            "Examples:\n  hoso case show 000.20.06.112-261128-0001\n  hoso --json case show 000.20.06.112-261128-0001 | jq .due_date"
        }
        "case transition" => {
            "Examples:\n  hoso case transition 000.20.06.112-261128-0001 in_process --note \"Hồ sơ đầy đủ\"\n  hoso case transition 000.20.06.112-261128-0001 decided"
        }
        "case pay" => {
            "Examples:\n  hoso case pay 000.20.06.112-261128-0001 --amount 20000 --method cash\n  hoso case pay 000.20.06.112-261128-0001 --amount 10000 --method online --reference VNP123456"
        }
        "case result" => {
            "Examples:\n  hoso case result CODE --kind \"Trích lục khai sinh\" --number 123/2026 --signer \"Nguyễn Văn A\" --channel desk\n  hoso case result CODE --track permanent_residence --kind \"Xác nhận thường trú\" --number CT-45 --signer \"Công an xã\" --channel vneid"
        }
        "case track" => {
            "Examples:\n  hoso case track CODE permanent_residence --to in_process\n  hoso case track CODE health_insurance_child --to decided --note \"Đã cấp thẻ\""
        }
        "case print" => {
            "Examples:\n  hoso case print CODE --form receipt --out giay-hen.pdf\n  hoso case print CODE --form supplement --item \"Bản sao giấy chứng sinh\" --out bo-sung.pdf\n  hoso case print CODE --form tracking --paper a4 --out theo-doi.pdf"
        }
        "audit verify" => {
            "Examples:\n  hoso audit verify\n  hoso --json audit verify | jq .ok\n  hoso audit verify --bundle hoso-audit-4f2a-2026-12-01.bundle --witness 9c1e…"
        }
        "audit log" => {
            "Examples:\n  hoso audit log --case 000.20.06.112-261128-0001\n  hoso audit log --limit 20"
        }
        "calendar due" => {
            "Examples:\n  hoso calendar due birth_registration --received 2025-12-31T15:30:00+07:00\n  hoso --json calendar due bundle_birth --received 2026-08-27T09:00:00+07:00"
        }
        "check" => "Examples:\n  hoso check\n  hoso check --repair\n  hoso --json check | jq .ok",
        "completions" => {
            "Examples:\n  hoso completions bash > /etc/bash_completion.d/hoso\n  hoso completions zsh > \"${fpath[1]}/_hoso\""
        }
        "man" => "Examples:\n  hoso man > hoso.1 && man -l hoso.1\n  hoso man case new | man -l -",
        _ => return None,
    })
}

/// The leaf commands under `cmd` (itself when it has none), as paths like `case new`.
fn leaves(cmd: &Command, path: &str, out: &mut Vec<String>) {
    let mut any = false;
    for sc in cmd.get_subcommands() {
        any = true;
        leaves(sc, &format!("{path} {}", sc.get_name()), out);
    }
    if !any {
        out.push(path.to_string());
    }
}

/// Hides on `cmd` (at `path`) the global flags none of its commands read, adds its examples,
/// and does the same for its subcommands.
fn shape(mut cmd: Command, path: &str, globals: &[Arg]) -> Command {
    let mut under = Vec::new();
    leaves(&cmd, path, &mut under);
    for g in globals {
        let id = g.get_id().as_str();
        if !under.iter().any(|l| applies(l, id)) {
            cmd = cmd.arg(g.clone().hide(true));
        }
    }
    if let Some(text) = examples(path) {
        cmd = cmd.after_help(text);
    }
    cmd.mut_subcommands(|sc| {
        let sub = format!("{path} {}", sc.get_name());
        shape(sc, &sub, globals)
    })
}

/// The `hoso` command: [`Cli`]'s definitions with per-command flags and examples.
pub(crate) fn command() -> Command {
    let root = Cli::command();
    let globals: Vec<Arg> = root
        .get_arguments()
        .filter(|a| a.is_global_set())
        .cloned()
        .collect();
    root.mut_subcommands(|sc| {
        let path = sc.get_name().to_string();
        shape(sc, &path, &globals)
    })
}

/// Parses the process's arguments (exits with clap's message on bad usage, as `Cli::parse`).
pub(crate) fn parse() -> Cli {
    let mut cmd = command();
    let matches = cmd.get_matches_mut();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.format(&mut cmd).exit())
}

/// `hoso man [COMMAND…]`: the roff man page of hoso or of one command, on stdout.
pub(crate) fn man(path: &[String]) -> anyhow::Result<ExitCode> {
    let mut root = command();
    root.build();
    let mut cmd = &root;
    for name in path {
        cmd = cmd
            .get_subcommands()
            .find(|c| c.get_name() == name || c.get_all_aliases().any(|a| a == name))
            .ok_or_else(|| {
                UsageError(format!(
                    "no command `hoso {}`: see `hoso --help`",
                    path.join(" ")
                ))
            })?;
    }
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .source(concat!("hoso ", env!("CARGO_PKG_VERSION")))
        .manual("hoso manual")
        .render(&mut page)?;
    let mut out = std::io::stdout().lock();
    out.write_all(&page)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The help of the command at `path`, as `hoso PATH --help` prints it.
    fn help_of(path: &[&str]) -> String {
        let mut root = command();
        root.build();
        let mut cmd = &mut root;
        for name in path {
            cmd = cmd.find_subcommand_mut(name).expect("a command");
        }
        cmd.render_long_help().to_string()
    }

    #[test]
    fn every_listed_command_exists() {
        let mut all = Vec::new();
        for sc in Cli::command().get_subcommands() {
            leaves(sc, sc.get_name(), &mut all);
        }
        for p in READS_OFFICER.iter().chain(NO_JSON).chain(NO_DATA_DIR) {
            assert!(all.iter().any(|l| l == p), "no command `{p}`");
        }
    }

    #[test]
    fn help_shows_only_the_global_flags_that_apply() {
        let calendar = help_of(&["calendar", "show"]);
        assert!(calendar.contains("--json") && calendar.contains("--data-dir"));
        assert!(!calendar.contains("--officer"), "{calendar}");
        let new = help_of(&["case", "new"]);
        assert!(new.contains("--officer") && new.contains("--json"), "{new}");
        let completions = help_of(&["completions"]);
        for flag in ["--officer", "--json", "--data-dir"] {
            assert!(!completions.contains(flag), "{completions}");
        }
        let export = help_of(&["export"]);
        assert!(!export.contains("--json") && !export.contains("--officer"));
        // A group shows what any of its commands reads.
        let case = help_of(&["case"]);
        assert!(case.contains("--officer"), "{case}");
        let peer = help_of(&["peer", "list"]);
        assert!(!peer.contains("--officer"), "{peer}");
    }

    #[test]
    fn hidden_global_flags_are_still_accepted_before_and_after_the_command() {
        for args in [
            &[
                "hoso",
                "--json",
                "--officer",
                "x",
                "calendar",
                "show",
                "2026",
            ][..],
            &[
                "hoso",
                "calendar",
                "show",
                "2026",
                "--officer",
                "x",
                "--json",
            ],
            &["hoso", "--officer", "x", "peer", "list"],
            &["hoso", "completions", "bash", "--data-dir", "/tmp/x"],
        ] {
            let m = command().try_get_matches_from(args).expect("parses");
            let cli = Cli::from_arg_matches(&m).expect("a Cli");
            assert!(cli.officer.is_some() || cli.data_dir.is_some(), "{args:?}");
        }
        let m = command()
            .try_get_matches_from(["hoso", "calendar", "show", "2026", "--json"])
            .expect("parses");
        assert!(Cli::from_arg_matches(&m).expect("a Cli").json);
    }
}
