//! The CLI contract: JSON keys, exit codes, one-line errors.

use hoso_testkit::cli::{JUDICIAL_FIELDS, Run, judicial_case_args};

use crate::{adult, hoso, sample_node};

#[test]
fn receive_find_edit_and_transition_a_case() {
    let dir = sample_node();
    let d = dir.path();
    let citizen = adult(d);
    let args = judicial_case_args(&citizen);
    let r = hoso(d, &args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let case = r.json();
    for key in [
        "id",
        "receipt_code",
        "procedure",
        "status",
        "citizen_id",
        "applicant_name",
        "due_date",
        "evidence",
    ] {
        assert!(case.get(key).is_some(), "case JSON lacks `{key}`: {case}");
    }
    assert_eq!(case["status"], "received");
    assert_eq!(
        case["evidence"]["requester_full_name"]["record_ref"],
        citizen.as_str()
    );
    let code = case["receipt_code"].as_str().expect("code").to_string();
    let name = case["applicant_name"].as_str().expect("name").to_string();

    // Found again by the name typed without accents.
    let plain: String = hoso_schemas::fold(&name);
    let r = hoso(
        d,
        &[
            "--json", "case", "list", "--search", &plain, "--limit", "500",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.json()
            .as_array()
            .expect("list")
            .iter()
            .any(|c| c["receipt_code"] == code.as_str()),
        "{plain} did not find {code}"
    );

    let r = hoso(d, &["--json", "case", "set", &code, "purpose=Du học"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["fields"]["purpose"], "Du học");
    let r = hoso(
        d,
        &[
            "case",
            "transition",
            &code,
            "in_process",
            "--note",
            "Đủ hồ sơ",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("in_process"), "{}", r.stdout);
    let r = hoso(d, &["case", "note", &code, "Đã gọi điện cho công dân"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = hoso(d, &["--json", "case", "show", &code]);
    let shown = r.json();
    assert_eq!(shown["status"], "in_process");
    assert_eq!(shown["notes"].as_array().map(Vec::len), Some(1));
    assert_eq!(shown["history"].as_array().map(Vec::len), Some(2));

    // The procedure JSON carries the catalog keys.
    let r = hoso(d, &["--json", "procedures", "show", "birth_registration"]);
    let p = r.json();
    for key in ["code", "name_vi", "name_en", "fields"] {
        assert!(p.get(key).is_some(), "procedure JSON lacks `{key}`");
    }
    let f = &p["fields"][0];
    for key in ["name", "type", "required", "source", "options"] {
        assert!(f.get(key).is_some(), "field JSON lacks `{key}`: {f}");
    }
    let r = hoso(d, &["--json", "status"]);
    assert!(r.json()["cases"].as_u64().is_some_and(|n| n >= 201));
}

fn assert_bad_input(r: &Run, needle: &str) {
    assert_eq!(r.code, 2, "expected exit 2, got {}: {}", r.code, r.stderr);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line on stderr: {:?}", r.stderr);
    assert!(lines[0].starts_with("error: "), "{}", lines[0]);
    assert!(lines[0].contains(needle), "`{needle}` not in: {}", lines[0]);
    assert!(r.stdout.is_empty(), "nothing on stdout: {}", r.stdout);
}

#[test]
fn bad_input_exits_2_with_one_line() {
    let dir = sample_node();
    let d = dir.path();
    let citizen = adult(d);
    let new = |citizen: &str, procedure: &str| {
        let mut a = vec![
            "case",
            "new",
            "--procedure",
            procedure,
            "--citizen",
            citizen,
        ];
        a.extend(JUDICIAL_FIELDS);
        hoso(d, &a)
    };
    assert_bad_input(&new("02019001234", "judicial_record"), "12 digits");
    // Century/sex digit 3 says born in the 2000s: a 1990 year digit pair cannot be born after 2025 here.
    assert_bad_input(&new("020390012345", "judicial_record"), "020390012345");
    assert_bad_input(&new(&citizen, "passport"), "passport");
    let r = hoso(
        d,
        &[
            "case",
            "new",
            "--procedure",
            "judicial_record",
            "--citizen",
            &citizen,
        ],
    );
    assert_bad_input(&r, "requester_place_of_birth");
    let mut a = vec![
        "case",
        "new",
        "--procedure",
        "judicial_record",
        "--citizen",
        &citizen,
        "--field",
        "copies=nhiều",
    ];
    a.extend(&JUDICIAL_FIELDS[..6]);
    assert_bad_input(&hoso(d, &a), "copies");

    let code = dir.receive_judicial(&citizen);
    assert_bad_input(
        &hoso(d, &["case", "transition", &code, "decided"]),
        "in_process",
    );
    assert_bad_input(&hoso(d, &["case", "transition", &code, "done"]), "received");
    assert_bad_input(
        &hoso(
            d,
            &[
                "--officer",
                "thanhtra01",
                "case",
                "transition",
                &code,
                "in_process",
            ],
        ),
        "auditor",
    );
    hoso(d, &["case", "transition", &code, "in_process"]);
    assert_bad_input(
        &hoso(d, &["case", "transition", &code, "stopped"]),
        "supervisor",
    );
    assert_bad_input(
        &hoso(d, &["--officer", "", "case", "note", &code, "x"]),
        "--officer",
    );
    assert_bad_input(&hoso(d, &["case", "show", "nothing-like-this"]), "no case");

    // A malformed import line: reported with its number, nothing imported.
    let file = d.join("bad.jsonl");
    std::fs::write(
        &file,
        "{\"procedure\":\"judicial_record\",\"citizen_id\":\"020190012345\"}\n",
    )
    .expect("write");
    let before = hoso(d, &["--json", "status"]).json()["cases"].clone();
    assert_bad_input(
        &hoso(d, &["import", file.to_str().expect("path")]),
        "line 1",
    );
    assert_eq!(hoso(d, &["--json", "status"]).json()["cases"], before);
}

#[test]
fn a_missing_or_corrupt_store_is_a_clear_error() {
    let empty = tempfile::tempdir().expect("tmp");
    let r = hoso(empty.path(), &["case", "list"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("hoso init"), "{}", r.stderr);

    let dir = sample_node();
    let store = dir.path().join("store.redb");
    let mut bytes = std::fs::read(&store).expect("read");
    for b in bytes.iter_mut().take(8192) {
        *b ^= 0x5A;
    }
    std::fs::write(&store, bytes).expect("write");
    let r = hoso(dir.path(), &["case", "list"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("corrupt store file"), "{}", r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}
