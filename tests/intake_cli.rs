//! Intake from the command line (issue 10, items 2, 6, 7 and 8) on a sample node: a fee paid
//! through `case pay` on a case that also walks a supplement and a late apology (the second
//! scenario of issue 10's "done when"), a citizen missing from the extract received on their
//! declared identity and cleared by `registry recheck` after a newer extract, and a due date
//! recomputed by a supervisor after the data dir's calendar changed.

use std::path::Path;
use std::process::Command;

use hoso_testkit::cli::{Hoso, Run};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_hoso")
}

/// Asserts a refusal: exit 2 and one line on stderr naming `needle`.
#[track_caller]
fn refused(r: Run, needle: &str) {
    let r = r.code(2).stderr_has(needle);
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
}

/// Receives a case of `procedure` for `citizen`: what the registry does not fill is typed
/// from the catalog's examples.
fn receive(h: &Hoso, procedure: &str, citizen: &str, extra: &[&str]) -> serde_json::Value {
    let check = h
        .ok(&[
            "--json",
            "case",
            "new",
            "--procedure",
            procedure,
            "--citizen",
            citizen,
            "--check",
        ])
        .json();
    let cat = hoso_schemas::Catalog::builtin().expect("catalog");
    let p = cat.procedure(procedure).expect("procedure");
    let pairs: Vec<String> = check["missing_fields"]
        .as_array()
        .expect("missing_fields")
        .iter()
        .filter_map(|f| f.as_str())
        .map(|f| format!("{f}={}", p.field(f).expect("field").example()))
        .collect();
    let mut args = vec![
        "--json",
        "case",
        "new",
        "--procedure",
        procedure,
        "--citizen",
        citizen,
    ];
    for pair in &pairs {
        args.extend(["--field", pair.as_str()]);
    }
    args.extend_from_slice(extra);
    h.ok(&args).json()
}

fn pdf_text(path: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output()
        .unwrap_or_else(|e| panic!("pdftotext not found ({e}): install poppler-utils"));
    assert!(out.status.success());
    let text = hoso_schemas::nfc(&String::from_utf8_lossy(&out.stdout));
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn print(h: &Hoso, code: &str, form: &str, dir: &Path) -> String {
    let file = dir.join(format!("{form}.pdf"));
    let f = file.to_string_lossy().into_owned();
    h.ok(&["case", "print", code, "--form", form, "--out", &f]);
    pdf_text(&file)
}

fn dmy(iso: &str) -> String {
    let p: Vec<&str> = iso.split('-').collect();
    format!("{}/{}/{}", p[2], p[1], p[0])
}

#[test]
fn a_fee_a_supplement_and_a_late_apology_on_one_case() {
    let h = Hoso::sample(bin());
    let lead = h.as_officer("lanhdao01");
    let out = tempfile::tempdir().expect("tmp");
    let citizen = h.sample_adult();
    let case = receive(&h, "permanent_residence", &citizen, &[]);
    let code = case["receipt_code"].as_str().expect("code").to_string();
    let due = case["due_date"].as_str().expect("due").to_string();
    let name = case["applicant_name"].as_str().expect("name").to_string();

    // The fee is asked for before processing; processing waits for it.
    h.ok(&["case", "transition", &code, "awaiting_payment"]);
    refused(
        h.run(&["case", "transition", &code, "in_process"]),
        "is awaiting payment",
    );
    // The amount is the catalog's for the channel (20,000 đ in person); a transfer needs its
    // reference; an exemption needs its reason.
    refused(
        h.run(&[
            "case", "pay", &code, "--amount", "10000", "--method", "cash",
        ]),
        "20.000",
    );
    refused(
        h.run(&[
            "case", "pay", &code, "--amount", "20000", "--method", "transfer",
        ]),
        "reference",
    );
    refused(
        h.run(&["case", "pay", &code, "--amount", "0", "--method", "exempt"]),
        "exemption",
    );
    refused(
        h.run(&[
            "case", "pay", &code, "--amount", "20000", "--method", "cheque",
        ]),
        "--method `cheque`",
    );
    let paid = h
        .ok(&[
            "--json",
            "case",
            "pay",
            &code,
            "--amount",
            "20000",
            "--method",
            "transfer",
            "--reference",
            "FT26335123",
        ])
        .json();
    assert_eq!(
        paid["status"], "in_process",
        "paying moves the case on: {paid}"
    );
    assert_eq!(paid["payments"][0]["amount"], 20000, "{paid}");
    assert_eq!(paid["payments"][0]["reference"], "FT26335123", "{paid}");
    refused(
        h.run(&[
            "case", "pay", &code, "--amount", "20000", "--method", "cash",
        ]),
        "already",
    );
    let t = print(&h, &code, "receipt", out.path());
    assert!(
        t.contains("Đã nộp 20.000"),
        "the receipt shows the payment: {t}"
    );
    assert!(t.contains("FT26335123") && t.contains(&name), "{t}");

    // A supplement pauses the clock; supplemented, it resumes. Residence sets no supplement
    // limit in the catalog: the officer gives the date.
    let by = (chrono::Utc::now() + chrono::Duration::days(10))
        .format("%d/%m/%Y")
        .to_string();
    let s = h
        .ok(&[
            "--json",
            "case",
            "supplement",
            &code,
            "--item",
            "Văn bản đồng ý của chủ hộ",
            "--deadline",
            &by,
        ])
        .json();
    assert_eq!(s["status"], "supplement_requested");
    let deadline = s["supplements"][0]["deadline"].as_str().expect("deadline");
    let shown = h.ok(&["case", "show", &code]).stdout;
    assert!(shown.contains("tạm dừng từ "), "{shown}");
    let t = print(&h, &code, "supplement", out.path());
    assert!(t.contains("Văn bản đồng ý của chủ hộ"), "{t}");
    assert!(t.contains(&format!("trước ngày {}", dmy(deadline))), "{t}");
    h.ok(&[
        "case",
        "transition",
        &code,
        "in_process",
        "--note",
        "Đã bổ sung",
    ]);

    // Late: the supervisor apologises with a new date before the due date passes.
    refused(
        h.run(&[
            "case",
            "apology",
            &code,
            "--new-date",
            "31/12/2099",
            "--reason",
            "Chờ xác minh",
        ]),
        "supervisor",
    );
    lead.ok(&[
        "case",
        "apology",
        &code,
        "--new-date",
        "31/12/2099",
        "--reason",
        "Chờ xác minh chỗ ở hợp pháp",
    ]);
    let j = h.ok(&["--json", "case", "show", &code]).json();
    assert_eq!(j["appointment_date"], "2099-12-31", "{j}");
    let t = print(&h, &code, "apology", out.path());
    assert!(t.contains("Chờ xác minh chỗ ở hợp pháp") && t.contains("31/12/2099"));

    // Decided, its result recorded, returned; the tracking sheet holds every step.
    lead.ok(&["case", "transition", &code, "decided"]);
    refused(h.run(&["case", "transition", &code, "returned"]), "result");
    h.ok(&[
        "case",
        "result",
        &code,
        "--kind",
        "Xác nhận đăng ký thường trú",
        "--number",
        "TT-125/2026",
        "--signer",
        "Trưởng Công an xã",
        "--channel",
        "desk",
    ]);
    h.ok(&["case", "transition", &code, "returned"]);
    let j = h.ok(&["--json", "case", "show", &code]).json();
    assert_eq!(j["status"], "returned");
    assert_eq!(
        j["due_date"],
        due.as_str(),
        "the legal due date never moved"
    );
    let t = print(&h, &code, "tracking", out.path());
    for needle in ["Văn bản đồng ý của chủ hộ", "31/12/2099", "TT-125/2026"] {
        assert!(
            t.contains(needle),
            "`{needle}` not on the tracking sheet: {t}"
        );
    }
    h.ok(&["audit", "verify"]);
}

/// The citizen of the declared-identity test, as a registry record.
const DECLARED_RECORD: &str = r#"{"citizen_id":"020095001234","full_name":"Hà Văn Thắng","date_of_birth":"1995-07-14","sex":"male","commune_code":"06211"}"#;

#[test]
fn a_citizen_missing_from_the_extract_is_received_unverified_then_cleared() {
    let h = Hoso::sample(bin());
    let lead = h.as_officer("lanhdao01");
    let absence = [
        "--field",
        "absence_case=Người không thuộc các trường hợp trên: đi khỏi xã từ 12 tháng liên tục trở lên",
        "--field",
        "absence_reason=Đi làm việc tại Hà Nội",
        "--field",
        "absence_from=01/01/2027",
        "--field",
        "absence_to=31/12/2027",
        "--field",
        "destination_address=Phường Cầu Giấy, Hà Nội",
        "--field",
        "residence_address=Thôn Nà Cạn, Xã Cao Lộc",
    ];
    let new = |extra: &[&str]| {
        let mut args = vec![
            "--json",
            "case",
            "new",
            "--procedure",
            "temporary_absence",
            "--citizen",
            "020095001234",
        ];
        args.extend_from_slice(&absence);
        args.extend_from_slice(extra);
        args.iter()
            .map(std::string::ToString::to_string)
            .collect::<Vec<_>>()
    };
    let run = |h: &Hoso, args: Vec<String>| {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        h.run(&a)
    };

    // Not in the extract: refused with the way forward, unless the citizen declares who
    // they are; half a declaration is a usage error.
    refused(run(&h, new(&[])), "--declared-name");
    run(&h, new(&["--declared-name", "Hà Văn Thắng"])).code(2);
    refused(
        run(
            &h,
            new(&[
                "--declared-name",
                "Hà Văn Thắng",
                "--declared-dob",
                "14/07/1995",
                "--declared-sex",
                "Nam",
                "--declared-commune",
                "05923",
            ]),
        ),
        "05923",
    );
    let declared = [
        "--declared-name",
        "Hà Văn Thắng",
        "--declared-dob",
        "14/07/1995",
        "--declared-sex",
        "Nam",
        "--declared-commune",
        "06211",
    ];
    let v = run(&h, new(&declared)).code(0).json();
    let code = v["receipt_code"].as_str().expect("code").to_string();
    assert_eq!(v["commune"], "06112", "the receiving commune's case: {v}");
    assert_eq!(v["citizen_commune"], "06211");
    assert_eq!(v["applicant_name"], "Hà Văn Thắng");
    assert_eq!(v["verification"]["state"], "unverified", "{v}");
    assert_eq!(v["fields"]["absentee_full_name"], "Hà Văn Thắng");
    let ev = v["declared"]["absence_reason"]["text"]
        .as_str()
        .expect("evidence");
    assert!(ev.contains("không có trong bản trích"), "{ev}");
    let list = h.ok(&["--json", "case", "list", "--search", &code]).json();
    assert_eq!(list[0]["unverified"], true, "{list}");

    // A recheck against the same extract changes nothing; an officer may not run it.
    h.run(&["registry", "recheck"]).code(2);
    let r = lead.ok(&["--json", "registry", "recheck"]).json();
    assert_eq!(
        (r["checked"].as_u64(), r["unchanged"].as_u64()),
        (Some(1), Some(1)),
        "{r}"
    );

    // A newer extract holds the citizen as declared: the case is cleared, in the same write.
    let tmp = tempfile::tempdir().expect("tmp");
    let extract = tmp.path().join("extract-2026-12.jsonl");
    let sample =
        std::fs::read_to_string(hoso_testkit::fixtures::sample_registry()).expect("sample");
    std::fs::write(&extract, format!("{sample}{DECLARED_RECORD}\n")).expect("write");
    let e = extract.to_string_lossy().into_owned();
    let text = lead
        .ok(&[
            "registry",
            "import",
            &e,
            "--extract-date",
            "01/12/2026",
            "--extract-version",
            "2026-12",
        ])
        .stdout;
    assert!(text.contains("1 cleared"), "{text}");
    assert!(text.contains(&format!("cleared        {code}")), "{text}");
    let v = h.ok(&["--json", "case", "show", &code]).json();
    assert_eq!(v["verification"]["state"], "verified", "{v}");
    let r = lead.ok(&["--json", "registry", "recheck"]).json();
    assert_eq!(r["checked"], 0, "nothing left to check: {r}");
    h.ok(&["audit", "verify"]);
}

#[test]
fn a_supervisor_recomputes_a_due_date_after_the_calendar_changed() {
    let h = Hoso::sample(bin());
    let lead = h.as_officer("lanhdao01");
    let citizen = h.sample_adult();
    let case = receive(&h, "permanent_residence", &citizen, &[]);
    let code = case["receipt_code"].as_str().expect("code").to_string();
    let due = case["due_date"].as_str().expect("due").to_string();

    // Same calendar: nothing moves, nothing is written.
    let r = lead.ok(&["--json", "case", "recompute-due", &code]).json();
    assert_eq!(
        (r["changed"].as_bool(), r["after"].as_str()),
        (Some(false), Some(due.as_str()))
    );

    // The province declares the due date a day off: the stored date stays until a supervisor
    // recomputes it, an officer may not.
    let holidays = h.dir.join("holidays.toml");
    let builtin = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/holidays.toml"),
    )
    .expect("the built-in calendar");
    std::fs::write(
        &holidays,
        format!("{builtin}\n[[holiday]]\ndate = \"{due}\"\nname = \"Nghỉ bù (thử)\"\n"),
    )
    .expect("holidays");
    let j = h.ok(&["--json", "case", "show", &code]).json();
    assert_eq!(
        j["due_date"],
        due.as_str(),
        "a calendar change moves nothing silently"
    );
    let day = h
        .ok(&[
            "--json",
            "calendar",
            "due",
            "permanent_residence",
            "--received",
            case["received_at"].as_str().expect("received"),
        ])
        .json();
    let after = day["due_date"].as_str().expect("due_date").to_string();
    assert!(after > due, "{after} after {due}");
    refused(h.run(&["case", "recompute-due", &code]), "supervisor");
    let r = lead.ok(&["case", "recompute-due", &code]).stdout;
    assert!(
        r.contains(&format!("due date moved {due} -> {after}")),
        "{r}"
    );
    let j = h.ok(&["--json", "case", "show", &code]).json();
    assert_eq!(j["due_date"], after.as_str());
    let log = h.ok(&["audit", "log", "--case", &code]).stdout;
    assert!(log.lines().count() >= 2, "{log}");

    // A bundle's tracks count their own due dates on the calendar too: a day off on the birth
    // track's due date moves it, by the same audited recomputation.
    let bundle = receive(&h, "bundle_birth", &citizen, &[]);
    let bcode = bundle["receipt_code"].as_str().expect("code").to_string();
    let track_due = bundle["tracks"]["birth_registration"]["due_date"]
        .as_str()
        .expect("the birth track is handed off at receipt")
        .to_string();
    let r = lead.ok(&["--json", "case", "recompute-due", &bcode]).json();
    assert_eq!(r["changed"], false, "{r}");
    std::fs::write(
        &holidays,
        format!(
            "{builtin}\n[[holiday]]\ndate = \"{due}\"\nname = \"Nghỉ bù (thử)\"\n[[holiday]]\ndate = \"{track_due}\"\nname = \"Nghỉ (thử)\"\n"
        ),
    )
    .expect("holidays");
    let r = lead.ok(&["--json", "case", "recompute-due", &bcode]).json();
    assert_eq!(r["changed"], true, "{r}");
    let moved = &r["tracks"][0];
    assert_eq!(moved["track"], "birth_registration", "{r}");
    assert_eq!(moved["before"], track_due.as_str(), "{r}");
    let after = moved["after"].as_str().expect("after").to_string();
    assert!(after > track_due, "{r}");
    let j = h.ok(&["--json", "case", "show", &bcode]).json();
    assert_eq!(
        j["tracks"]["birth_registration"]["due_date"],
        after.as_str(),
        "{j}"
    );
    let r = lead.ok(&["--json", "case", "recompute-due", &bcode]).json();
    assert_eq!(r["changed"], false, "once is enough: {r}");
    h.ok(&["audit", "verify"]);
}

#[test]
fn a_bundle_track_with_its_own_deadline_gets_its_own_supplement_and_apology() {
    let h = Hoso::sample(bin());
    let lead = h.as_officer("lanhdao01");
    let citizen = h.sample_adult();
    let case = receive(&h, "bundle_birth", &citizen, &[]);
    let code = case["receipt_code"].as_str().expect("code").to_string();
    let due = case["due_date"].as_str().expect("due").to_string();
    let by = (chrono::Utc::now() + chrono::Duration::days(10))
        .format("%d/%m/%Y")
        .to_string();
    let ask = |who: &Hoso, extra: &[&str]| {
        let mut args = vec![
            "--json",
            "case",
            "supplement",
            &code,
            "--track",
            "permanent_residence",
            "--item",
            "Giấy tờ chứng minh chỗ ở hợp pháp",
            "--deadline",
            &by,
        ];
        args.extend_from_slice(extra);
        who.run(&args)
    };

    // Not handed off yet: the residence track has no clock of its own to pause.
    h.ok(&["case", "transition", &code, "in_process"]);
    refused(ask(&h, &[]), "handed off to its agency");
    for to in ["in_process", "decided"] {
        h.ok(&["case", "track", &code, "birth_registration", "--to", to]);
    }
    h.ok(&[
        "case",
        "result",
        &code,
        "--track",
        "birth_registration",
        "--kind",
        "Trích lục khai sinh",
        "--number",
        "125/2026",
        "--signer",
        "Lương Văn Đạt",
        "--channel",
        "vneid",
    ]);
    h.ok(&[
        "case",
        "track",
        &code,
        "permanent_residence",
        "--to",
        "in_process",
    ]);

    // The track's own request: only the track waits, the bundle works on.
    let j = ask(&h, &[]).code(0).json();
    assert_eq!(j["status"], "in_process", "the bundle is not paused: {j}");
    let t = &j["tracks"]["permanent_residence"];
    assert_eq!(t["status"], "supplement_requested", "{j}");
    assert_eq!(j["supplements"][0]["track"], "permanent_residence", "{j}");
    let shown = h.ok(&["--json", "case", "show", &code]).json();
    assert_eq!(
        shown["tracks"]["permanent_residence"]["clock"]["state"], "paused",
        "{shown}"
    );
    assert_ne!(
        shown["tracks"]["health_insurance_child"]["clock"]["state"],
        "paused"
    );
    let text = h.ok(&["case", "show", &code]).stdout;
    assert!(
        text.contains("[Thường trú]") || text.contains("supplement 1  ["),
        "{text}"
    );
    // One request per track: a second needs a supervisor and a reason.
    h.ok(&[
        "case",
        "track",
        &code,
        "permanent_residence",
        "--to",
        "in_process",
    ]);
    refused(ask(&h, &["--reason", "Thiếu"]), "supplement request");
    ask(&lead, &["--reason", "Giấy tờ nộp bổ sung không hợp lệ"]).code(0);
    h.ok(&[
        "case",
        "track",
        &code,
        "permanent_residence",
        "--to",
        "in_process",
    ]);
    // Those were the track's requests: the bundle has made none, so it is not late for it.
    let j = h.ok(&["--json", "case", "show", &code]).json();
    assert_eq!(j["overdue"], false, "{j}");
    let row = h.ok(&["--json", "case", "list", "--search", &code]).json();
    assert_eq!(row[0]["supplement_requests"], 0, "{row}");

    // The track's result will be late: its own apology, its own new date; the bundle's
    // appointment stays.
    let apology = [
        "case",
        "apology",
        &code,
        "--track",
        "permanent_residence",
        "--new-date",
        "31/12/2099",
        "--reason",
        "Chờ xác minh chỗ ở",
    ];
    refused(h.run(&apology), "supervisor");
    let r = lead.ok(&apology).stdout;
    assert!(
        r.contains("new appointment date of track permanent_residence 31/12/2099"),
        "{r}"
    );
    let j = h.ok(&["--json", "case", "show", &code]).json();
    assert_eq!(
        j["tracks"]["permanent_residence"]["appointment_date"], "2099-12-31",
        "{j}"
    );
    assert_eq!(j["appointment_date"], due.as_str(), "{j}");
    assert_eq!(j["apologies"][0]["track"], "permanent_residence");
    let text = h.ok(&["case", "show", &code]).stdout;
    assert!(text.contains("hẹn lại 31/12/2099"), "{text}");
    refused(
        lead.run(&[
            "case",
            "apology",
            &code,
            "--track",
            "permanent_residence",
            "--new-date",
            "01/01/2020",
            "--reason",
            "x",
        ]),
        "must be after the current one",
    );
    refused(
        lead.run(&[
            "case",
            "apology",
            &code,
            "--track",
            "health_insurance_child",
            "--new-date",
            "31/12/2099",
            "--reason",
            "x",
        ]),
        "handed off to its agency",
    );
    h.ok(&["audit", "verify"]);
}
