//! The legal life of a case from the command line (issue 10, phase 1): the calendar and due
//! dates without a node, the catalog's legal values, and every printed form of a real case on
//! a sample node, read back with poppler's `pdftotext`.

use hoso_testkit::cli::{dmy, pdf_text};
use std::path::Path;

hoso_testkit::hoso_bin!();

/// A data dir that holds nothing: the calendar commands need no node.
fn empty_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tmp")
}

fn due(dir: &Path, procedure: &str, received: &str) -> String {
    let r = hoso(
        dir,
        &[
            "--json",
            "calendar",
            "due",
            procedure,
            "--received",
            received,
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.json()["due_date"].as_str().expect("due_date").to_string()
}

#[test]
fn calendar_show_2026_lists_the_swaps_and_tet() {
    let dir = empty_dir();
    let r = hoso(dir.path(), &["--json", "calendar", "show", "2026"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["calendar"], "built-in");
    let days = j["days"].as_array().expect("days");
    let kind_of = |date: &str| {
        days.iter()
            .find(|d| d["date"] == date)
            .map(|d| d["kind"].as_str().unwrap_or("").to_string())
    };
    assert_eq!(kind_of("2026-01-02").as_deref(), Some("holiday"));
    assert_eq!(kind_of("2026-01-10").as_deref(), Some("workday"));
    assert_eq!(kind_of("2026-08-22").as_deref(), Some("workday"));
    assert_eq!(kind_of("2026-08-31").as_deref(), Some("holiday"));
    for day in 14..=22 {
        assert_eq!(
            kind_of(&format!("2026-02-{day}")).as_deref(),
            Some("holiday")
        );
    }
    let eve = days
        .iter()
        .find(|d| d["date"] == "2026-02-16")
        .expect("16/2");
    assert!(
        eve["name"]
            .as_str()
            .is_some_and(|n| n.contains("29 tháng Chạp")),
        "{eve}"
    );

    let text = hoso(dir.path(), &["calendar", "show", "2026"]);
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(
        text.stdout.contains("Thứ Bảy   10/01/2026  làm bù"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("Thứ Hai   31/08/2026  nghỉ"),
        "{}",
        text.stdout
    );
}

#[test]
fn calendar_due_follows_the_2026_swaps_and_the_three_pm_rule() {
    let dir = empty_dir();
    let d = dir.path();
    // Wednesday 31/12/2025 after 15:00: 1/1 and Fri 2/1 off, 3–4/1 the weekend → Mon 5/1.
    assert_eq!(
        due(d, "birth_registration", "2025-12-31T15:30:00+07:00"),
        "2026-01-05"
    );
    assert_eq!(
        due(d, "birth_registration", "2025-12-31T10:00:00+07:00"),
        "2025-12-31"
    );
    // Thursday 27/8/2026 after 15:00 → Fri 28/8; Friday 28/8 after 15:00 → Thu 3/9
    // (29/8–2/9 National Day, Mon 31/8 swapped for Sat 22/8).
    assert_eq!(
        due(d, "birth_registration", "2026-08-27T15:30:00+07:00"),
        "2026-08-28"
    );
    assert_eq!(
        due(d, "death_registration", "2026-08-28T15:30:00+07:00"),
        "2026-09-03"
    );
    // Saturday 22/8/2026 is worked: a same-day dossier that morning is due that day.
    assert_eq!(
        due(d, "birth_registration", "2026-08-22T09:00:00+07:00"),
        "2026-08-22"
    );
    // The birth bundle, 3 working days: Thu 27/8 morning → Fri 28/8, Thu 3/9, Fri 4/9.
    assert_eq!(
        due(d, "bundle_birth", "2026-08-27T09:00:00+07:00"),
        "2026-09-04"
    );
    // Tết: Friday 13/2/2026, 3 working days → 23, 24, 25/2.
    assert_eq!(
        due(d, "bundle_birth", "2026-02-13T09:00:00+07:00"),
        "2026-02-25"
    );

    let r = hoso(
        d,
        &[
            "--json",
            "calendar",
            "due",
            "bundle_birth",
            "--received",
            "2026-11-23T09:00:00+07:00",
            "--verification",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j = r.json();
    assert_eq!(j["working_days"], 5);
    assert_eq!(j["due_date"], "2026-11-30");
    assert_eq!(j["tracks"].as_array().map(Vec::len), Some(3));

    let text = hoso(
        d,
        &[
            "calendar",
            "due",
            "birth_registration",
            "--received",
            "2025-12-31T15:30:00+07:00",
        ],
    );
    assert!(
        text.stdout.contains("hẹn trả        Thứ Hai 05/01/2026"),
        "{}",
        text.stdout
    );

    let bad = hoso(
        d,
        &[
            "calendar",
            "due",
            "khai_sinh",
            "--received",
            "2026-01-05T09:00:00+07:00",
        ],
    );
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(
        bad.stderr
            .starts_with("error: unknown procedure `khai_sinh`"),
        "{}",
        bad.stderr
    );
    let bad = hoso(
        d,
        &[
            "calendar",
            "due",
            "birth_registration",
            "--received",
            "31/12/2025",
        ],
    );
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("RFC 3339"), "{}", bad.stderr);
}

#[test]
fn the_data_dirs_calendar_is_used_and_a_broken_one_is_refused() {
    let dir = empty_dir();
    let d = dir.path();
    std::fs::write(
        d.join("holidays.toml"),
        "[[holiday]]\ndate = \"2027-03-01\"\nname = \"Ngày nghỉ của tỉnh\"\n",
    )
    .expect("write");
    // Friday 26/2/2027 after 15:00: Monday 1/3 is now a day off → Tuesday 2/3.
    assert_eq!(
        due(d, "birth_registration", "2027-02-26T16:00:00+07:00"),
        "2027-03-02"
    );
    let r = hoso(d, &["--json", "calendar", "show", "2027"]);
    assert_eq!(r.json()["days"].as_array().map(Vec::len), Some(1));
    assert!(
        r.json()["calendar"]
            .as_str()
            .is_some_and(|c| c.ends_with("holidays.toml"))
    );

    std::fs::write(
        d.join("holidays.toml"),
        "[[holiday]]\ndate = \"2027-02-30\"\nname = \"x\"\n",
    )
    .expect("write");
    let r = hoso(d, &["calendar", "show", "2027"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("holidays.toml:2"), "{}", r.stderr);
}

#[test]
fn procedures_show_gives_fees_deadlines_tracks_and_sources() {
    let dir = empty_dir();
    let d = dir.path();
    let r = hoso(d, &["procedures", "show", "permanent_residence"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for needle in [
        "20.000 đồng (trực tuyến 10.000 đồng)",
        "Thông tư 75/2022/TT-BTC",
        "7 ngày làm việc",
        "Luật Cư trú 2020, Điều 22",
        "awaiting_payment",
    ] {
        assert!(
            r.stdout.contains(needle),
            "`{needle}` not in:\n{}",
            r.stdout
        );
    }
    let r = hoso(d, &["procedures", "show", "bundle_birth"]);
    for needle in [
        "3 ngày làm việc (5 ngày làm việc nếu phải xác minh)",
        "Công an cấp xã",
        "2 ngày làm việc, kể từ khi Khai sinh xong",
    ] {
        assert!(
            r.stdout.contains(needle),
            "`{needle}` not in:\n{}",
            r.stdout
        );
    }
    let r = hoso(d, &["--json", "procedures", "show", "bundle_death"]);
    let j = r.json();
    assert_eq!(j["national_code"], "1.011537");
    assert_eq!(j["track_specs"][3]["procedure"], "survivor_benefit");
    assert_eq!(j["track_specs"][3]["optional"], true);
    let r = hoso(d, &["--json", "procedures", "show", "temporary_residence"]);
    let j = r.json();
    assert_eq!(j["fee"]["in_person"], 15000);
    assert_eq!(j["fee"]["online"], 7000);
    assert_eq!(j["deadline"]["working_days"], 3);
    let list = hoso(d, &["procedures", "list"]);
    assert_eq!(list.code, 0);
    for short in [
        "Khai sinh",
        "Khai tử",
        "LT khai sinh",
        "LT khai tử",
        "Tạm trú",
        "Tạm vắng",
        "Xác nhận CMND",
    ] {
        assert!(list.stdout.contains(short), "{short}");
    }
    assert!(list.stdout.lines().all(|l| l.chars().count() <= 200));
}

#[test]
fn every_form_prints_from_a_real_case() {
    let dir = sample_node();
    let d = dir.path();
    let citizen = adult(d);
    let r = hoso(
        d,
        &[
            "--json",
            "case",
            "new",
            "--procedure",
            "temporary_residence",
            "--citizen",
            &citizen,
            "--field",
            "temporary_address=Số 12, thôn Pác Khuổi",
            "--field",
            "temporary_commune_code=06112",
            "--field",
            "stay_months=12",
            "--field",
            "legal_residence_basis=Thuê, mượn, ở nhờ",
            "--field",
            "host_consent=có",
            "--field",
            "submission_channel=truc tiep",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let case = r.json();
    let code = case["receipt_code"].as_str().expect("code").to_string();
    let name = case["applicant_name"].as_str().expect("name").to_string();
    let due = dmy(case["due_date"].as_str().expect("due"));
    // Printed forms go outside the data dir: `--out` refuses paths inside it.
    let out_dir = empty_dir();
    let out = out_dir.path().to_path_buf();

    let print = |form: &str, extra: &[&str]| {
        let file = out.join(format!("{form}.pdf"));
        let file_s = file.display().to_string();
        let mut args = vec!["case", "print", &code, "--form", form, "--out", &file_s];
        args.extend_from_slice(extra);
        let r = hoso(d, &args);
        assert_eq!(r.code, 0, "{form}: {}", r.stderr);
        pdf_text(&file)
    };
    let has = |t: &str, needle: &str| assert!(t.contains(needle), "`{needle}` not in:\n{t}");

    let t = print("receipt", &[]);
    has(&t, "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ");
    has(&t, &name);
    has(&t, &code);
    has(&t, &format!("ngày {due}"));
    has(&t, "Hoàng Thị Lan");
    has(&t, "15.000 đồng");
    has(&t, "Đăng ký tạm trú");
    has(&t, "UBND XÃ BÌNH GIA");

    let t = print(
        "supplement",
        &[
            "--item",
            "Hợp đồng thuê nhà có công chứng",
            "--item",
            "Văn bản đồng ý của chủ nhà",
            "--date",
            "24/11/2026",
            "--deadline",
            "03/12/2026",
        ],
    );
    has(&t, "Hợp đồng thuê nhà có công chứng");
    has(&t, "Văn bản đồng ý của chủ nhà");
    has(&t, "trước ngày 03/12/2026");
    has(&t, &name);

    let t = print(
        "refusal",
        &["--reason", "Chỗ ở đề nghị đăng ký không thuộc địa bàn xã"],
    );
    has(&t, "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ");
    has(&t, "Chỗ ở đề nghị đăng ký không thuộc địa bàn xã");

    let t = print(
        "apology",
        &[
            "--reason",
            "Phải xác minh chỗ ở",
            "--new-date",
            "31/12/2026",
        ],
    );
    has(&t, "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ");
    has(&t, "ngày 31/12/2026");
    has(&t, &format!("ngày {due}"));

    let t = print("tracking", &[]);
    has(&t, "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ");
    has(&t, "Hoàng Thị Lan");
    has(&t, &code);

    // Bad input: a clear one-line error, exit 2, nothing written.
    let missing = out.join("nothing.pdf");
    let m = missing.display().to_string();
    for (args, needle) in [
        (
            vec!["case", "print", &code, "--form", "supplement", "--out", &m],
            "--item",
        ),
        (
            vec!["case", "print", &code, "--form", "refusal", "--out", &m],
            "--reason",
        ),
        (
            vec![
                "case",
                "print",
                &code,
                "--form",
                "apology",
                "--out",
                &m,
                "--reason",
                "x",
                "--new-date",
                "01/01/2020",
            ],
            "must be after",
        ),
        (
            vec!["case", "print", &code, "--form", "letter", "--out", &m],
            "unknown form `letter`",
        ),
        (
            vec![
                "case", "print", &code, "--form", "receipt", "--out", &m, "--paper", "a3",
            ],
            "expected a4 or a5",
        ),
    ] {
        let r = hoso(d, &args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(needle), "{args:?}: {}", r.stderr);
        assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
        assert!(!missing.exists());
    }

    // The clock: days left while open, paused (with the date) during a supplement.
    let r = hoso(d, &["--json", "case", "show", &code]);
    assert_eq!(r.json()["clock"]["state"], "left", "{}", r.stdout);
    let r = hoso(d, &["case", "transition", &code, "in_process"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = hoso(
        d,
        &[
            "case",
            "transition",
            &code,
            "supplement_requested",
            "--note",
            "Thiếu hợp đồng thuê nhà",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = hoso(d, &["--json", "case", "show", &code]);
    let clock = &r.json()["clock"];
    assert_eq!(clock["state"], "paused", "{clock}");
    assert!(clock["since"].is_string(), "{clock}");
    let r = hoso(d, &["case", "show", &code]);
    assert!(
        r.stdout.contains("clock         tạm dừng từ "),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("limit         3 ngày làm việc"),
        "{}",
        r.stdout
    );

    // A sample birth bundle: its tracks, agencies and limits are on the receipt.
    let r = hoso(
        d,
        &[
            "--json",
            "case",
            "list",
            "--procedure",
            "bundle_birth",
            "--limit",
            "1",
        ],
    );
    let bundle = r.json()[0]["receipt_code"]
        .as_str()
        .expect("a sample bundle")
        .to_string();
    let file = out.join("bundle.pdf");
    let f = file.display().to_string();
    let r = hoso(
        d,
        &["case", "print", &bundle, "--form", "receipt", "--out", &f],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let t = pdf_text(&file);
    has(&t, "Công an cấp xã");
    has(&t, "Bảo hiểm xã hội cơ sở");
    has(
        &t,
        "thời hạn 2 ngày làm việc kể từ khi nhận hồ sơ chuyển sang",
    );
    let r = hoso(
        d,
        &[
            "--json", "case", "print", &bundle, "--form", "tracking", "--out", &f, "--paper", "a5",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["paper"], "a5");
}
