//! A case's whole legal life from the command line (issue 10, phase 2), on a sample node:
//! a birth bundle received, each track handed off and moved, results recorded, returned, and
//! every form printed from its records; a case walked through a supplement request, a refused
//! second request, a late apology and the forms that print them. PDFs are read back with
//! poppler's `pdftotext`.

use hoso_testkit::cli::{Run, dmy, pdf_text};
use std::path::Path;

hoso_testkit::hoso_bin!();

/// `hoso` acting as another sample officer (all share the sample passphrase).
fn hoso_as(dir: &Path, officer: &str, args: &[&str]) -> Run {
    let mut all = vec!["--officer", officer];
    all.extend_from_slice(args);
    hoso(dir, &all)
}

fn ok(r: Run) -> Run {
    r.code(0)
}

fn refused(r: Run, needle: &str) {
    r.refused(needle);
}

fn has(t: &str, needle: &str) {
    assert!(t.contains(needle), "`{needle}` not in:\n{t}");
}

/// Receives a case of `procedure` for `citizen`, the citizen's fields filled with the
/// catalog's examples.
fn receive(d: &Path, procedure: &str, citizen: &str, extra: &[&str]) -> serde_json::Value {
    let cat = hoso_schemas::Catalog::builtin().expect("catalog");
    let p = cat.procedure(procedure).expect("procedure");
    let pairs: Vec<String> = p
        .fields
        .iter()
        .filter(|f| f.required && f.source.is_none())
        .map(|f| format!("{}={}", f.name, f.example()))
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
    ok(hoso(d, &args)).json()
}

struct Printer<'a> {
    d: &'a Path,
    out: &'a Path,
    code: String,
}

impl Printer<'_> {
    fn print(&self, form: &str) -> String {
        let file = self
            .out
            .join(format!("{}-{form}.pdf", self.code.replace('.', "_")));
        let f = file.display().to_string();
        ok(hoso(
            self.d,
            &["case", "print", &self.code, "--form", form, "--out", &f],
        ));
        pdf_text(&file)
    }
}

#[test]
fn a_birth_bundle_moves_track_by_track_gets_its_results_and_prints_every_form() {
    let dir = sample_node();
    let d = dir.path();
    let citizen = adult(d);
    let case = receive(d, "bundle_birth", &citizen, &[]);
    let code = case["receipt_code"].as_str().expect("code").to_string();
    let name = case["applicant_name"].as_str().expect("name").to_string();
    let due = case["due_date"].as_str().expect("due").to_string();
    // The birth track is handed off at receipt; residence and health insurance wait for it.
    assert!(
        case["tracks"]["birth_registration"]["due_date"].is_string(),
        "{case}"
    );
    assert!(
        case["tracks"]["permanent_residence"]["due_date"].is_null(),
        "{case}"
    );

    refused(
        hoso(
            d,
            &[
                "case",
                "track",
                &code,
                "permanent_residence",
                "--to",
                "in_process",
            ],
        ),
        "is handed off only after `birth_registration` is decided",
    );
    ok(hoso(d, &["case", "transition", &code, "in_process"]));
    ok(hoso(
        d,
        &[
            "case",
            "track",
            &code,
            "birth_registration",
            "--to",
            "in_process",
        ],
    ));
    ok(hoso(
        d,
        &[
            "case",
            "track",
            &code,
            "birth_registration",
            "--to",
            "decided",
        ],
    ));
    ok(hoso(
        d,
        &[
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
        ],
    ));
    let r = ok(hoso(
        d,
        &[
            "case",
            "track",
            &code,
            "permanent_residence",
            "--to",
            "in_process",
            "--note",
            "Chuyển Công an xã",
        ],
    ));
    assert!(
        r.stdout
            .contains("track permanent_residence is now in_process, due "),
        "{}",
        r.stdout
    );
    ok(hoso(
        d,
        &[
            "case",
            "track",
            &code,
            "health_insurance_child",
            "--to",
            "in_process",
        ],
    ));

    // The police's list holds the residence track with its own due date.
    let j = ok(hoso(
        d,
        &["--json", "case", "tracks", "--agency", "cong an"],
    ))
    .json();
    let rows = j.as_array().expect("rows");
    let mine: Vec<_> = rows
        .iter()
        .filter(|r| r["receipt_code"] == code.as_str())
        .collect();
    assert_eq!(mine.len(), 1, "{j}");
    assert_eq!(mine[0]["track"], "permanent_residence");
    assert!(mine[0]["due_date"].is_string());
    assert_eq!(mine[0]["clock"]["state"], "left");
    let t = ok(hoso(d, &["case", "tracks", "--agency", "bảo hiểm"]));
    assert!(
        t.stdout.contains(&code) && t.stdout.contains("Bảo hiểm xã hội cơ sở"),
        "{}",
        t.stdout
    );

    // Show, list and --json carry the tracks.
    let s = ok(hoso(d, &["case", "show", &code]));
    assert!(
        s.stdout
            .contains("[permanent_residence] — Công an cấp xã: in_process, hạn "),
        "{}",
        s.stdout
    );
    assert!(
        s.stdout
            .contains("kết quả: Trích lục khai sinh số 125/2026"),
        "{}",
        s.stdout
    );
    let j = ok(hoso(d, &["--json", "case", "show", &code])).json();
    assert_eq!(
        j["tracks"]["permanent_residence"]["agency"],
        "Công an cấp xã"
    );
    assert!(
        j["tracks"]["permanent_residence"]["clock"]["working_days"].is_number(),
        "{j}"
    );
    let l = ok(hoso(d, &["--json", "case", "list", "--search", &code])).json();
    assert_eq!(l[0]["tracks"].as_array().map(Vec::len), Some(3), "{l}");
    let l = ok(hoso(d, &["case", "list", "--search", &code]));
    assert!(l.stdout.contains("Khai sinh đã xử lý xong"), "{}", l.stdout);

    // The bundle cannot be decided or returned with open tracks.
    refused(
        hoso_as(d, "lanhdao01", &["case", "transition", &code, "decided"]),
        "while these tracks are open: health_insurance_child (in_process), permanent_residence (in_process)",
    );
    ok(hoso_as(
        d,
        "lanhdao01",
        &[
            "case",
            "track",
            &code,
            "permanent_residence",
            "--to",
            "decided",
        ],
    ));
    ok(hoso_as(
        d,
        "lanhdao01",
        &[
            "case",
            "track",
            &code,
            "health_insurance_child",
            "--to",
            "decided",
        ],
    ));
    ok(hoso(
        d,
        &[
            "case",
            "result",
            &code,
            "--track",
            "permanent_residence",
            "--kind",
            "Thông báo kết quả đăng ký thường trú",
            "--number",
            "TT-88/2026",
            "--signer",
            "Trưởng Công an xã",
            "--channel",
            "vneid",
        ],
    ));
    ok(hoso_as(
        d,
        "lanhdao01",
        &["case", "transition", &code, "decided"],
    ));
    refused(
        hoso(d, &["case", "transition", &code, "returned"]),
        "track `health_insurance_child` of case",
    );
    refused(
        hoso(
            d,
            &[
                "case",
                "result",
                &code,
                "--track",
                "health_insurance_child",
                "--kind",
                "Thẻ BHYT",
                "--number",
                "x",
                "--signer",
                "y",
                "--channel",
                "fax",
            ],
        ),
        "unknown delivery channel `fax`",
    );
    ok(hoso(
        d,
        &[
            "case",
            "result",
            &code,
            "--track",
            "health_insurance_child",
            "--kind",
            "Thẻ bảo hiểm y tế",
            "--number",
            "GD4202012345678",
            "--signer",
            "Giám đốc BHXH cơ sở",
            "--channel",
            "post",
        ],
    ));
    ok(hoso(d, &["case", "transition", &code, "returned"]));
    let j = ok(hoso(d, &["--json", "case", "show", &code])).json();
    assert_eq!(j["status"], "returned");
    assert_eq!(
        j["tracks"]["health_insurance_child"]["result"]["channel"],
        "post"
    );

    // Every form, from the case's records.
    let out_dir = tempfile::tempdir().expect("tmp");
    let p = Printer {
        d,
        out: out_dir.path(),
        code: code.clone(),
    };
    let t = p.print("receipt");
    has(&t, &name);
    has(&t, &code);
    has(&t, &format!("ngày {}", dmy(&due)));
    has(&t, "Công an cấp xã");
    let t = p.print("tracking");
    has(&t, "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ");
    // Table cells wrap into each other in the extracted text: check the words, not the line.
    has(&t, "Ghi kết quả:");
    has(&t, "GD4202012345678");
    has(&t, "Đã xử lý xong — Thẻ bảo hiểm y tế số GD4202012345678");
    has(&t, "Lương Văn Đạt");
    // A returned case has no supplement, refusal or apology record: the command line fills them.
    let file = out_dir.path().join("s.pdf");
    let f = file.display().to_string();
    ok(hoso(
        d,
        &[
            "case",
            "print",
            &code,
            "--form",
            "supplement",
            "--out",
            &f,
            "--item",
            "Giấy chứng sinh",
            "--deadline",
            "31/12/2099",
        ],
    ));
    has(&pdf_text(&file), "Giấy chứng sinh");
    ok(hoso(
        d,
        &[
            "case",
            "print",
            &code,
            "--form",
            "refusal",
            "--out",
            &f,
            "--reason",
            "Không thuộc thẩm quyền",
        ],
    ));
    has(&pdf_text(&file), "Không thuộc thẩm quyền");
    ok(hoso(
        d,
        &[
            "case",
            "print",
            &code,
            "--form",
            "apology",
            "--out",
            &f,
            "--reason",
            "Chờ xác minh",
            "--new-date",
            "31/12/2099",
        ],
    ));
    has(&pdf_text(&file), "31/12/2099");
}

#[test]
fn a_supplement_a_refused_second_request_and_a_late_apology() {
    let dir = sample_node();
    let d = dir.path();
    let citizen = adult(d);
    // The birth bundle sets a supplement limit of 7 working days.
    let case = receive(d, "bundle_birth", &citizen, &[]);
    let code = case["receipt_code"].as_str().expect("code").to_string();
    let name = case["applicant_name"].as_str().expect("name").to_string();
    let due = case["due_date"].as_str().expect("due").to_string();
    ok(hoso(d, &["case", "transition", &code, "in_process"]));
    refused(
        hoso(d, &["case", "supplement", &code]),
        "lists everything missing at once",
    );
    let r = ok(hoso(
        d,
        &[
            "--json",
            "case",
            "supplement",
            &code,
            "--item",
            "Giấy chứng sinh bản chụp rõ nét",
            "--item",
            "Giấy tờ chứng minh chỗ ở hợp pháp",
        ],
    ));
    let j = r.json();
    assert_eq!(j["status"], "supplement_requested");
    // The birth track, handed off at receipt, waits with the bundle: its clock is paused too.
    let shown = ok(hoso(d, &["--json", "case", "show", &code])).json();
    assert_eq!(
        shown["tracks"]["birth_registration"]["clock"]["state"], "paused",
        "{shown}"
    );
    let deadline = j["supplements"][0]["deadline"]
        .as_str()
        .expect("deadline")
        .to_string();
    let s = ok(hoso(d, &["case", "show", &code]));
    assert!(
        s.stdout.contains("clock         tạm dừng từ "),
        "{}",
        s.stdout
    );
    assert!(
        s.stdout
            .contains(&format!("hạn bổ sung {}", dmy(&deadline))),
        "{}",
        s.stdout
    );
    let l = ok(hoso(d, &["case", "list", "--search", &code]));
    assert!(l.stdout.contains("tạm dừng từ "), "{}", l.stdout);

    let out_dir = tempfile::tempdir().expect("tmp");
    let p = Printer {
        d,
        out: out_dir.path(),
        code: code.clone(),
    };
    let t = p.print("supplement");
    has(&t, "Giấy chứng sinh bản chụp rõ nét");
    has(&t, "Giấy tờ chứng minh chỗ ở hợp pháp");
    has(&t, &format!("trước ngày {}", dmy(&deadline)));
    has(&t, &name);

    // Supplemented: the clock resumes. A second request: an officer is refused; a supervisor
    // needs a reason; with one it is recorded and the case counts as late.
    ok(hoso(
        d,
        &[
            "case",
            "transition",
            &code,
            "in_process",
            "--note",
            "Đã bổ sung",
        ],
    ));
    refused(
        hoso(
            d,
            &[
                "case",
                "supplement",
                &code,
                "--item",
                "Văn bản ủy quyền",
                "--reason",
                "Thiếu",
            ],
        ),
        "already had 1 supplement request(s)",
    );
    refused(
        hoso_as(
            d,
            "lanhdao01",
            &["case", "supplement", &code, "--item", "Văn bản ủy quyền"],
        ),
        "needs a supervisor and a reason",
    );
    ok(hoso_as(
        d,
        "lanhdao01",
        &[
            "case",
            "supplement",
            &code,
            "--item",
            "Văn bản ủy quyền",
            "--reason",
            "Người nộp không phải cha mẹ",
        ],
    ));
    let j = ok(hoso(d, &["--json", "case", "show", &code])).json();
    assert_eq!(j["overdue"], true, "a second request counts as late: {j}");
    assert_eq!(j["supplements"].as_array().map(Vec::len), Some(2));
    ok(hoso(d, &["case", "transition", &code, "in_process"]));

    // The result will be late: the supervisor apologises with a new date, before the due date.
    let new_date = "31/12/2099";
    refused(
        hoso(
            d,
            &[
                "case",
                "apology",
                &code,
                "--new-date",
                new_date,
                "--reason",
                "Chờ xác minh",
            ],
        ),
        "signed by a supervisor",
    );
    refused(
        hoso_as(
            d,
            "lanhdao01",
            &[
                "case",
                "apology",
                &code,
                "--new-date",
                "01/01/2020",
                "--reason",
                "x",
            ],
        ),
        "must be after the current one",
    );
    let r = ok(hoso_as(
        d,
        "lanhdao01",
        &[
            "case",
            "apology",
            &code,
            "--new-date",
            new_date,
            "--reason",
            "Phải xác minh nơi cư trú của người mẹ",
        ],
    ));
    assert!(
        r.stdout.contains("new appointment date 31/12/2099"),
        "{}",
        r.stdout
    );
    let j = ok(hoso(d, &["--json", "case", "show", &code])).json();
    assert_eq!(j["appointment_date"], "2099-12-31");
    assert_eq!(j["due_date"], due.as_str(), "the legal due date stays");
    let s = ok(hoso(d, &["case", "show", &code]));
    assert!(s.stdout.contains("hẹn lại 31/12/2099"), "{}", s.stdout);
    let t = p.print("apology");
    has(&t, "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ");
    has(&t, "Phải xác minh nơi cư trú của người mẹ");
    has(&t, "ngày 31/12/2099");
    has(&t, &format!("ngày {}", dmy(&due)));
    has(&t, "Lương Văn Đạt");
    let t = p.print("tracking");
    has(&t, "Xin lỗi, hẹn lại");
    has(&t, "31/12/2099");
    has(&t, "Văn bản ủy quyền");

    // Refused after intake: the reasons noted on the stop print on the refusal.
    ok(hoso_as(
        d,
        "lanhdao01",
        &[
            "case",
            "transition",
            &code,
            "stopped",
            "--note",
            "Trẻ đã được đăng ký khai sinh; Hồ sơ trùng",
        ],
    ));
    let t = p.print("refusal");
    has(&t, "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ");
    has(&t, "Trẻ đã được đăng ký khai sinh");
    has(&t, "Hồ sơ trùng");
    // The audit chain holds each step; it verifies.
    ok(hoso(d, &["audit", "verify"]));
}
