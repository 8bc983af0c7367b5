//! The one guarded write path, seen from the CLI: who may write, what may be written, how big,
//! and that an import is checked like typed-in cases and lands whole or not at all.

use std::path::Path;

use hoso_testkit::cli::{Auth, Hoso, Run};

use crate::{BIN, adult, hoso, sample_node};

/// Runs `hoso` with an explicit acting officer (with the sample passphrase) or none, and
/// optional stdin.
fn hoso_as(dir: &Path, officer: Option<&str>, args: &[&str], stdin: Option<&str>) -> Run {
    let h = Hoso::new(BIN, dir);
    match officer {
        Some(o) => h.as_officer(o),
        None => h.no_officer().with_auth(Auth::None),
    }
    .run_stdin(args, stdin)
}

fn cases(d: &Path) -> u64 {
    let r = hoso(d, &["--json", "status"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.json()["cases"].as_u64().expect("cases")
}

fn new_case(d: &Path) -> String {
    Hoso::new(BIN, d).receive_judicial(&adult(d))
}

/// One import line for a judicial-record case of `citizen` with `history`.
fn record(citizen: &str, code: &str, status: &str, history: serde_json::Value) -> String {
    serde_json::json!({
        "receipt_code": code,
        "procedure": "judicial_record",
        "citizen_id": citizen,
        "received_at": "2026-11-20T09:00:00+07:00",
        "fields": {
            "requester_place_of_birth": "Xã Bình Gia",
            "certificate_type": "Phiếu số 1",
            "purpose": "Bổ sung hồ sơ xin việc",
            "copies": "1"
        },
        "status": status,
        "history": history,
    })
    .to_string()
}

fn step(officer: &str, from: Option<&str>, to: &str, note: Option<&str>) -> serde_json::Value {
    serde_json::json!({
        "at": "2026-11-20T09:00:00+07:00", "officer": officer, "node": "x",
        "from": from, "to": to, "track": null, "note": note,
    })
}

#[test]
fn officer_admin_needs_a_supervisor_once_the_roster_is_not_empty() {
    let dir = sample_node();
    let d = dir.path();
    // No acting officer on a node that has officers: refused, nothing created.
    let r = hoso_as(
        d,
        None,
        &[
            "officer",
            "add",
            "gia01",
            "--name",
            "Giả Mạo",
            "--role",
            "supervisor",
            "--passphrase-stdin",
        ],
        Some("mat-khau-gia\n"),
    );
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    // An officer (not a supervisor) is refused too.
    let r = hoso_as(
        d,
        Some("canbo01"),
        &[
            "officer",
            "add",
            "gia01",
            "--name",
            "Giả Mạo",
            "--role",
            "supervisor",
            "--passphrase-stdin",
        ],
        Some("mat-khau-gia\n"),
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    let r = hoso(d, &["--json", "officer", "list"]);
    assert!(!r.stdout.contains("gia01"), "{}", r.stdout);
    // The supervisor may.
    let r = hoso_as(
        d,
        Some("lanhdao01"),
        &[
            "officer",
            "add",
            "canbo09",
            "--name",
            "Lý Thị Mai",
            "--role",
            "officer",
            "--passphrase-stdin",
        ],
        Some("mat-khau-mai\n"),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn registry_import_checks_the_officer_and_the_text() {
    let dir = sample_node();
    let d = dir.path();
    let file = d.join("reg.jsonl");
    let good = r#"{"citizen_id":"020075000777","full_name":"Hoàng Văn Hùng","date_of_birth":"1975-07-07","sex":"male","commune_code":"06112"}"#;
    std::fs::write(&file, format!("{good}\n")).expect("write");
    let f = file.to_str().expect("path");
    // Nobody authenticated: refused before anything is read (no session, no passphrase).
    let r = hoso_as(d, None, &["registry", "import", f], None);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("hoso login"), "{}", r.stderr);
    for (who, why) in [("ghost", "ghost"), ("canbo01", "role")] {
        let r = hoso_as(d, Some(who), &["registry", "import", f], None);
        assert_eq!(r.code, 2, "{who}: {}", r.stderr);
        assert!(r.stderr.contains(why), "{who}: {}", r.stderr);
    }
    // An escape sequence in a name is refused, with the line.
    let bad = good.replace("Hoàng Văn Hùng", "Hoàng \\u001b[2JVăn");
    std::fs::write(&file, format!("{bad}\n")).expect("write");
    let r = hoso_as(d, Some("lanhdao01"), &["registry", "import", f], None);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("line 1") && r.stderr.contains("U+001B"),
        "{}",
        r.stderr
    );
    // A registry line with no end is read only up to its bound.
    let r = hoso_as(
        d,
        Some("lanhdao01"),
        &["registry", "import", "/dev/zero"],
        None,
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("16384"), "{}", r.stderr);
    std::fs::write(&file, format!("{good}\n")).expect("write");
    let r = hoso_as(d, Some("lanhdao01"), &["registry", "import", f], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn notes_and_fields_are_bounded_in_bytes_and_refuse_control_characters() {
    let dir = sample_node();
    let d = dir.path();
    let code = new_case(d);
    // 3,000 Vietnamese letters are 9,000 bytes: over the 8 KiB bound of a note.
    let big = "ữ".repeat(3000);
    let r = hoso(d, &["case", "note", &code, &big]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("8192 bytes"), "{}", r.stderr);
    let r = hoso(
        d,
        &["case", "transition", &code, "in_process", "--note", &big],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("transition note") && r.stderr.contains("8192"),
        "{}",
        r.stderr
    );
    let r = hoso(
        d,
        &[
            "case",
            "set",
            &code,
            &format!("purpose={}", "a".repeat(5000)),
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("4096"), "{}", r.stderr);
    // Escape sequences: refused in notes, transition notes and fields.
    let r = hoso(
        d,
        &[
            "case",
            "note",
            &code,
            "xin chào \u{1b}[2J\u{1b}]0;pwned\u{7}",
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("U+001B"), "{}", r.stderr);
    let r = hoso(
        d,
        &[
            "case",
            "transition",
            &code,
            "in_process",
            "--note",
            "a\u{9b}31m",
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    let r = hoso(d, &["case", "set", &code, "purpose=a\u{1b}[31mb"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    // Nothing of it was stored; newlines and tabs are text.
    let r = hoso(d, &["case", "note", &code, "dòng một\n\tdòng hai"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = hoso(d, &["--json", "case", "show", &code]);
    let v = r.json();
    assert_eq!(v["status"], "received");
    assert_eq!(v["notes"].as_array().map(Vec::len), Some(1));
    let r = hoso(d, &["case", "show", &code]);
    assert!(!r.stdout.contains('\u{1b}'), "{}", r.stdout);
}

#[test]
fn import_checks_role_workflow_and_attribution_like_typed_cases() {
    let dir = sample_node();
    let d = dir.path();
    let citizen = adult(d);
    let before = cases(d);
    let file = d.join("import.jsonl");
    let f = file.to_str().expect("path");
    // An officer imports a decided case with the decision attributed to the supervisor.
    let forged = record(
        &citizen,
        "000.20.06.112-261120-X0001",
        "decided",
        serde_json::json!([
            step("canbo01", None, "received", None),
            step("canbo01", Some("received"), "in_process", None),
            step("lanhdao01", Some("in_process"), "decided", Some("Đồng ý")),
        ]),
    );
    std::fs::write(&file, format!("{forged}\n")).expect("write");
    let r = hoso(d, &["import", f]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("lanhdao01") && r.stderr.contains("line 1"),
        "{}",
        r.stderr
    );
    // The same decision in the officer's own name: the role may not decide.
    let own = forged.replace("lanhdao01", "canbo01");
    std::fs::write(&file, format!("{own}\n")).expect("write");
    let r = hoso(d, &["import", f]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    // A step the workflow does not have.
    let skip = record(
        &citizen,
        "000.20.06.112-261120-X0002",
        "returned",
        serde_json::json!([
            step("canbo01", None, "received", None),
            step("canbo01", Some("received"), "returned", None),
        ]),
    );
    std::fs::write(&file, format!("{skip}\n")).expect("write");
    assert_eq!(hoso(d, &["import", f]).code, 2);
    // The status without a history: the node writes the path in the importer's name, and the
    // role check still applies.
    let short = serde_json::json!({
        "procedure": "judicial_record", "citizen_id": citizen, "status": "decided",
        "fields": {"requester_place_of_birth": "Xã Bình Gia", "certificate_type": "Phiếu số 1",
                   "purpose": "Bổ sung hồ sơ xin việc", "copies": "1"},
    });
    std::fs::write(&file, format!("{short}\n")).expect("write");
    assert_eq!(hoso(d, &["import", f]).code, 2);
    // An escape sequence in a note.
    let esc = record(
        &citizen,
        "000.20.06.112-261120-X0003",
        "in_process",
        serde_json::json!([
            step("canbo01", None, "received", None),
            step(
                "canbo01",
                Some("received"),
                "in_process",
                Some("x\u{1b}[2Jy")
            ),
        ]),
    );
    std::fs::write(&file, format!("{esc}\n")).expect("write");
    let r = hoso(d, &["import", f]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("U+001B"), "{}", r.stderr);
    assert_eq!(cases(d), before, "a refused import stored something");
    // What the officer did themself imports.
    let fine = esc.replace("x\\u001b[2Jy", "đã kiểm tra");
    std::fs::write(&file, format!("{fine}\n")).expect("write");
    let r = hoso(d, &["--json", "import", f]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(cases(d), before + 1);
}

#[test]
fn import_of_an_endless_line_is_a_clear_error() {
    let dir = sample_node();
    let d = dir.path();
    let before = cases(d);
    let r = hoso(d, &["import", "/dev/zero"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("262144") && r.stderr.contains("line 1"),
        "{}",
        r.stderr
    );
    assert_eq!(cases(d), before);
}

#[test]
fn import_is_all_or_nothing() {
    let dir = sample_node();
    let d = dir.path();
    let citizen = adult(d);
    let before = cases(d);
    let file = d.join("import.jsonl");
    let f = file.to_str().expect("path");
    let mut lines = String::new();
    for i in 0..5 {
        let code = format!("000.20.06.112-261120-Y{i:04}");
        lines.push_str(&record(&citizen, &code, "received", serde_json::json!([])));
        lines.push('\n');
    }
    // The fifth line's receipt code repeats the first: nothing is imported.
    lines.push_str(&record(
        &citizen,
        "000.20.06.112-261120-Y0000",
        "received",
        serde_json::json!([]),
    ));
    lines.push('\n');
    std::fs::write(&file, &lines).expect("write");
    let r = hoso(d, &["import", f]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("line 6") && r.stderr.contains("nothing was imported"),
        "{}",
        r.stderr
    );
    assert_eq!(cases(d), before);
    let lines: String = lines.lines().take(5).map(|l| format!("{l}\n")).collect();
    std::fs::write(&file, &lines).expect("write");
    assert_eq!(hoso(d, &["import", f]).code, 0);
    assert_eq!(cases(d), before + 5);
    // A re-run duplicates nothing.
    let r = hoso(d, &["import", f]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("already exists"), "{}", r.stderr);
    assert_eq!(cases(d), before + 5);
}
