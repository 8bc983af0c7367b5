//! The command line's own help (issue 11, item 10): the man page, examples in `--help`, global
//! flags shown only where they apply, and progress bars that appear on a terminal and never
//! with `--json` or into a pipe.

use std::path::Path;
use std::process::Command;

use hoso_testkit::cli::{Hoso, JUDICIAL_FIELDS, sh_quote};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_hoso")
}

/// Runs `hoso ARGS` with stderr on a pseudo-terminal (`script`), stdout into `stdout_file`;
/// returns the exit code and what reached the terminal.
pub(crate) fn on_terminal(h: &Hoso, args: &[&str], stdout_file: &Path) -> (i32, String) {
    let cmd = h.command(args);
    let mut line = String::new();
    for (k, v) in cmd.get_envs() {
        if let Some(v) = v {
            line.push_str(&format!(
                "{}={} ",
                k.to_string_lossy(),
                sh_quote(&v.to_string_lossy())
            ));
        }
    }
    line.push_str(&sh_quote(&cmd.get_program().to_string_lossy()));
    for a in cmd.get_args() {
        line.push(' ');
        line.push_str(&sh_quote(&a.to_string_lossy()));
    }
    line.push_str(&format!(" > {}", sh_quote(&stdout_file.to_string_lossy())));
    let out = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .env_remove("HOSO_DATA_DIR")
        .env_remove("RUST_LOG")
        .env("COLUMNS", "100")
        .output()
        .unwrap_or_else(|e| panic!("`script` not found ({e}): install bsdutils"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// What a drawn bar leaves on the terminal: its frame and its stage label.
pub(crate) fn has_bar(terminal: &str, label: &str) -> bool {
    terminal.contains(label) && terminal.contains("] ")
}

#[test]
fn the_man_page_comes_from_the_command_definitions_and_needs_no_node() {
    let tmp = tempfile::tempdir().expect("tmp");
    let h = Hoso::new(bin(), &tmp.path().join("none"));
    let page = h.ok(&["man"]).stdout;
    assert!(page.contains(".TH hoso 1"), "{page}");
    for name in ["case", "import", "audit", "completions", "man"] {
        assert!(
            page.contains(&format!("hoso\\-{name}(1)")),
            "{name}: {page}"
        );
    }
    let new = h.ok(&["man", "case", "new"]).stdout;
    assert!(new.contains(".TH hoso-case-new 1"), "{new}");
    assert!(new.contains("\\-\\-procedure") && new.contains("\\-\\-declared\\-name"));
    assert!(
        new.contains("Examples:"),
        "the page carries the help's examples: {new}"
    );
    // Only the flags that apply: `calendar show` reads no officer.
    let show = h.ok(&["man", "calendar", "show"]).stdout;
    assert!(
        !show.contains("\\-\\-officer") && show.contains("\\-\\-json"),
        "{show}"
    );
    h.run(&["man", "case", "nope"])
        .code(2)
        .stderr_has("no command `hoso case nope`");
    assert!(!tmp.path().join("none").exists(), "man created a data dir");
}

#[test]
fn help_gives_examples_and_only_the_flags_that_apply() {
    let h = Hoso::sample(bin());
    for cmd in [
        &["case", "new"][..],
        &["case", "list"],
        &["case", "transition"],
        &["case", "print"],
        &["import"],
        &["export"],
        &["sync"],
        &["audit", "verify"],
        &["calendar", "due"],
    ] {
        let mut args = cmd.to_vec();
        args.push("--help");
        let help = h.ok(&args).stdout;
        assert!(help.contains("Examples:\n  hoso "), "{cmd:?}: {help}");
    }
    let show = h.ok(&["calendar", "show", "--help"]).stdout;
    assert!(
        show.contains("--json") && !show.contains("--officer"),
        "{show}"
    );
    let new = h.ok(&["case", "new", "--help"]).stdout;
    assert!(new.contains("--officer") && new.contains("--json"), "{new}");
    let completions = h.ok(&["completions", "--help"]).stdout;
    assert!(!completions.contains("--json") && !completions.contains("--data-dir"));

    // The global flags stay accepted before the command, and after it where hidden.
    let before = h.ok(&["--json", "case", "list"]).json();
    let after = h.ok(&["case", "list", "--json"]).json();
    assert_eq!(before, after);
    assert!(before.as_array().is_some_and(|a| !a.is_empty()));
    h.ok(&["--officer", "canbo01", "calendar", "show", "2026", "--json"])
        .json();
}

#[test]
fn progress_is_drawn_on_a_terminal_and_never_with_json_or_into_a_pipe() {
    let h = Hoso::sample(bin());
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("stdout");
    let export = tmp.path().join("cases.jsonl");
    let export_s = export.to_string_lossy().into_owned();

    // Text output on a terminal: bars, then the command's own line.
    let (code, term) = on_terminal(&h, &["export", "--out", &export_s], &out);
    assert_eq!(code, 0, "{term}");
    assert!(
        has_bar(&term, "exporting"),
        "no bar on a terminal: {term:?}"
    );
    assert!(term.contains("exported 200 cases"), "{term:?}");
    let (code, term) = on_terminal(&h, &["audit", "verify"], &out);
    assert_eq!(code, 0, "{term}");
    assert!(has_bar(&term, "cases"), "no verify bar: {term:?}");
    let (code, term) = on_terminal(&h, &["check"], &out);
    assert_eq!(code, 0, "{term}");
    assert!(has_bar(&term, "store check"), "no check bar: {term:?}");

    // A file of new cases to import.
    let citizen = h.sample_adult();
    let mut fields = serde_json::Map::new();
    for pair in JUDICIAL_FIELDS.chunks(2) {
        let (k, v) = pair[1].split_once('=').expect("NAME=VALUE");
        fields.insert(k.into(), v.into());
    }
    let line = serde_json::json!({
        "procedure": "judicial_record",
        "citizen_id": citizen,
        "fields": fields,
    })
    .to_string();
    let import = tmp.path().join("import.jsonl");
    std::fs::write(&import, format!("{line}\n{line}\n")).expect("write");
    let import_s = import.to_string_lossy().into_owned();
    // A file is imported once: the `--json` run gets another one.
    let again = tmp.path().join("import-2.jsonl");
    std::fs::write(&again, format!("{line}\n")).expect("write");
    let again_s = again.to_string_lossy().into_owned();
    let (code, term) = on_terminal(&h, &["import", &import_s], &out);
    assert_eq!(code, 0, "{term}");
    assert!(has_bar(&term, "importing"), "no import bar: {term:?}");

    // `--json` on the same terminal: no bar, and stdout is the JSON document alone.
    for args in [
        &["--json", "audit", "verify"][..],
        &["--json", "import", &again_s],
        &["export", "--out", &export_s, "--json"],
    ] {
        let _ = std::fs::remove_file(&export);
        let (code, term) = on_terminal(&h, args, &out);
        assert_eq!(code, 0, "{args:?}: {term}");
        for label in ["exporting", "importing", "checking", "chains", "] "] {
            assert!(!term.contains(label), "{args:?} drew `{label}`: {term:?}");
        }
        if args[0] == "--json" {
            let text = std::fs::read_to_string(&out).expect("stdout");
            serde_json::from_str::<serde_json::Value>(&text).expect("stdout is one JSON document");
        }
    }

    // Into a pipe (stderr not a terminal): nothing but the command's own line.
    let _ = std::fs::remove_file(&export);
    let r = h.ok(&["export", "--out", &export_s]);
    assert_eq!(r.stderr.trim(), "exported 203 cases", "{:?}", r.stderr);
    let r = h.ok(&["audit", "verify"]);
    assert!(!r.stderr.contains("] "), "{:?}", r.stderr);
}
