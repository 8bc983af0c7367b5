//! Every form typesets to a PDF whose text, extracted by poppler's `pdftotext`, carries the
//! citizen's name with its diacritics, the receipt code, dates as dd/mm/yyyy, the officer's
//! name and amounts in đồng; paper sizes follow the circular and the settings; a province's
//! template override is used, and a broken one is reported with its file and line.

use std::path::Path;
use std::process::Command;

use chrono::{DateTime, NaiveDate};
use hoso_forms::{
    Apology, FeeDue, FormCase, FormError, FormInput, FormKind, Forms, Office, Payment, Refusal,
    Step, SupplementRequest, TrackLine, font_count,
};
use hoso_schemas::{Channel, nfc};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn at(s: &str) -> DateTime<chrono::FixedOffset> {
    DateTime::parse_from_rfc3339(s).expect("time")
}

fn office() -> Office {
    Office {
        parent: "UBND xã Bình Gia".into(),
        unit: "Trung tâm Phục vụ hành chính công xã Bình Gia".into(),
        place: "Bình Gia".into(),
    }
}

fn case() -> FormCase {
    FormCase {
        receipt_code: "000.20.06.112-261123-0007".into(),
        procedure_name: "Đăng ký thường trú".into(),
        national_code: Some("1.004222".into()),
        agency: "Công an xã Bình Gia".into(),
        applicant_name: "Đặng Thị Hường".into(),
        applicant_id: "020190012345".into(),
        applicant_address: Some("Thôn Pác Khuổi, xã Bình Gia, tỉnh Lạng Sơn".into()),
        applicant_phone: Some("0912345678".into()),
        received_at: at("2026-11-23T14:05:00+07:00"),
        due_date: date(2026, 12, 2),
        limit: "7 ngày làm việc".into(),
        channel: Channel::InPerson,
        portal_case_code: None,
        result_delivery: None,
        documents: vec![
            "Tờ khai thay đổi thông tin cư trú (mẫu CT01)".into(),
            "Giấy tờ chứng minh chỗ ở hợp pháp".into(),
        ],
        officer_name: "Nông Văn Quyết".into(),
        fee: Some(FeeDue {
            amount: 20_000,
            source: "Thông tư 75/2022/TT-BTC".into(),
        }),
        payment: Some(Payment {
            amount: 20_000,
            method: "Tiền mặt".into(),
            reference: "BL-0042".into(),
            paid_at: at("2026-11-23T14:10:00+07:00"),
        }),
        tracks: vec![],
        steps: vec![
            Step {
                at: at("2026-11-23T14:05:00+07:00"),
                officer: "Nông Văn Quyết".into(),
                action: "Tiếp nhận hồ sơ".into(),
                track: None,
                note: None,
            },
            Step {
                at: at("2026-11-24T08:30:00+07:00"),
                officer: "Hoàng Thị Lụa".into(),
                action: "Tiếp nhận → Đang xử lý".into(),
                track: None,
                note: Some("Hồ sơ đầy đủ".into()),
            },
        ],
    }
}

fn bundle_case() -> FormCase {
    let mut c = case();
    c.procedure_name =
        "Liên thông đăng ký khai sinh, đăng ký thường trú, cấp thẻ BHYT cho trẻ em dưới 6 tuổi"
            .into();
    c.fee = Some(FeeDue {
        amount: 0,
        source: "Luật Hộ tịch 2014".into(),
    });
    c.payment = None;
    c.channel = Channel::Online;
    c.portal_case_code = Some("G22.99-261123-000123".into());
    c.tracks = vec![
        TrackLine {
            name: "Khai sinh".into(),
            agency: "UBND xã (Tư pháp – Hộ tịch)".into(),
            limit: "trong ngày làm việc".into(),
            due_date: Some(date(2026, 11, 23)),
            status: "Đã xử lý xong".into(),
        },
        TrackLine {
            name: "Thường trú".into(),
            agency: "Công an cấp xã".into(),
            limit: "2 ngày làm việc".into(),
            due_date: Some(date(2026, 11, 25)),
            status: "Đang xử lý".into(),
        },
    ];
    c
}

/// The PDF's text, whitespace collapsed so a line break never splits a phrase.
fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("form.pdf");
    std::fs::write(&path, pdf).expect("write pdf");
    let out = Command::new("pdftotext")
        .arg("-enc")
        .arg("UTF-8")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap_or_else(|e| {
            panic!("pdftotext not found ({e}): install poppler-utils (apt-get install -y poppler-utils)")
        });
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = nfc(&String::from_utf8(out.stdout).expect("utf-8"));
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The page size of a PDF in millimetres, from `pdfinfo`.
fn page_mm(pdf: &[u8]) -> (f64, f64) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("form.pdf");
    std::fs::write(&path, pdf).expect("write pdf");
    let out = Command::new("pdfinfo")
        .arg(&path)
        .output()
        .expect("pdfinfo (poppler-utils)");
    let info = String::from_utf8_lossy(&out.stdout).to_string();
    let line = info
        .lines()
        .find(|l| l.starts_with("Page size:"))
        .unwrap_or_else(|| panic!("no page size in {info}"));
    let nums: Vec<f64> = line
        .split_whitespace()
        .filter_map(|w| w.parse::<f64>().ok())
        .collect();
    (nums[0] * 25.4 / 72.0, nums[1] * 25.4 / 72.0)
}

fn assert_size(pdf: &[u8], want: (f64, f64)) {
    let (w, h) = page_mm(pdf);
    assert!(
        (w - want.0).abs() < 1.0 && (h - want.1).abs() < 1.0,
        "page {w:.1}×{h:.1} mm, want {want:?}"
    );
}

fn render(forms: &Forms, input: &FormInput, c: &FormCase) -> Vec<u8> {
    let pdf = forms
        .render(input, c, &office(), date(2026, 11, 23))
        .unwrap_or_else(|e| panic!("{}: {e}", input.kind()));
    // To look at the forms: HOSO_FORMS_DUMP=/tmp/forms cargo test -p hoso-forms
    if let Some(dir) = std::env::var_os("HOSO_FORMS_DUMP") {
        let name = format!("{}-{}.pdf", input.kind(), c.tracks.len());
        std::fs::write(Path::new(&dir).join(name), &pdf).expect("dump");
    }
    pdf
}

fn has(text: &str, needle: &str) {
    assert!(text.contains(needle), "`{needle}` not in:\n{text}");
}

#[test]
fn fonts_are_embedded() {
    assert_eq!(font_count(), 4);
}

#[test]
fn receipt_carries_the_case() {
    let pdf = render(&Forms::builtin(), &FormInput::Receipt, &case());
    assert!(pdf.starts_with(b"%PDF-"));
    assert_size(&pdf, (148.0, 210.0));
    let t = pdf_text(&pdf);
    has(&t, "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ");
    has(&t, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
    has(&t, "Đặng Thị Hường");
    has(&t, "000.20.06.112-261123-0007");
    has(&t, "ngày 02/12/2026");
    has(&t, "14 giờ 05 phút, ngày 23/11/2026");
    has(&t, "Nông Văn Quyết");
    has(&t, "20.000 đồng");
    has(&t, "BL-0042");
    has(&t, "Bình Gia, ngày 23 tháng 11 năm 2026");
    has(&t, "Đăng ký thường trú");
}

#[test]
fn bundle_receipt_lists_tracks_and_portal_code() {
    let t = pdf_text(&render(
        &Forms::builtin(),
        &FormInput::Receipt,
        &bundle_case(),
    ));
    has(&t, "Trực tuyến");
    has(&t, "G22.99-261123-000123");
    has(&t, "Công an cấp xã");
    has(&t, "2 ngày làm việc");
    has(&t, "Không thu");
}

#[test]
fn supplement_lists_items_and_deadline() {
    let input = FormInput::Supplement(SupplementRequest {
        items: vec![
            "Bản sao Giấy chứng nhận quyền sử dụng đất của chủ hộ".into(),
            "Văn bản đồng ý của chủ hộ cho nhập khẩu".into(),
        ],
        reason: Some("Chưa chứng minh được chỗ ở hợp pháp".into()),
        requested_on: date(2026, 11, 24),
        deadline: date(2026, 12, 3),
        officer_name: "Nông Văn Quyết".into(),
    });
    let pdf = render(&Forms::builtin(), &input, &case());
    assert_size(&pdf, (148.0, 210.0));
    let t = pdf_text(&pdf);
    has(&t, "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ");
    has(&t, "Đặng Thị Hường");
    has(&t, "Giấy chứng nhận quyền sử dụng đất");
    has(&t, "Văn bản đồng ý của chủ hộ");
    has(&t, "trước ngày 03/12/2026");
    has(&t, "Nông Văn Quyết");
    has(&t, "000.20.06.112-261123-0007");
}

#[test]
fn refusal_gives_reasons() {
    let input = FormInput::Refusal(Refusal {
        reasons: vec!["Chỗ ở không thuộc địa bàn xã Bình Gia".into()],
        refused_on: date(2026, 11, 23),
        officer_name: "Nông Văn Quyết".into(),
    });
    let t = pdf_text(&render(&Forms::builtin(), &input, &case()));
    has(&t, "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ");
    has(&t, "Chỗ ở không thuộc địa bàn xã Bình Gia");
    has(&t, "Đặng Thị Hường");
}

#[test]
fn apology_gives_the_new_date() {
    let input = FormInput::Apology(Apology {
        reason: "Phải xác minh chỗ ở hợp pháp tại thôn".into(),
        new_due_date: date(2026, 12, 7),
        issued_on: date(2026, 12, 1),
        signer_name: "Hoàng Thị Lụa".into(),
    });
    let t = pdf_text(&render(&Forms::builtin(), &input, &case()));
    has(&t, "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ");
    has(&t, "ngày 07/12/2026");
    has(&t, "ngày 02/12/2026");
    has(&t, "Hoàng Thị Lụa");
    has(&t, "Bình Gia, ngày 01 tháng 12 năm 2026");
}

#[test]
fn tracking_sheet_is_a4_with_every_step() {
    let pdf = render(&Forms::builtin(), &FormInput::Tracking, &bundle_case());
    assert_size(&pdf, (210.0, 297.0));
    let t = pdf_text(&pdf);
    has(&t, "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ");
    has(&t, "Hoàng Thị Lụa");
    has(&t, "Hồ sơ đầy đủ");
    has(&t, "08 giờ 30 phút, ngày 24/11/2026");
    has(&t, "25/11/2026");
}

#[test]
fn paper_is_a_setting_and_templates_are_overridable() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("forms.toml"), "[paper]\nreceipt = \"a4\"\n").expect("write");
    let custom = hoso_forms::BUILTIN_TEMPLATES
        .iter()
        .find(|(n, _)| *n == "refusal.typ")
        .map(|(_, t)| t.replace("Xin thông báo", "Tỉnh Lạng Sơn xin thông báo"))
        .expect("refusal template");
    std::fs::write(dir.path().join("refusal.typ"), custom).expect("write");
    let forms = Forms::load(dir.path()).expect("load");
    assert_eq!(forms.paper(FormKind::Receipt), hoso_forms::Paper::A4);
    assert_eq!(forms.paper(FormKind::Apology), hoso_forms::Paper::A5);
    assert_size(
        &render(&forms, &FormInput::Receipt, &case()),
        (210.0, 297.0),
    );
    let input = FormInput::Refusal(Refusal {
        reasons: vec!["x".into()],
        refused_on: date(2026, 11, 23),
        officer_name: "Nông Văn Quyết".into(),
    });
    has(
        &pdf_text(&render(&forms, &input, &case())),
        "Tỉnh Lạng Sơn xin thông báo",
    );
    assert!(
        forms
            .origin("refusal.typ")
            .is_some_and(|o| o.ends_with("refusal.typ") && o != "built-in")
    );
    assert_eq!(forms.origin("receipt.typ"), Some("built-in"));
    assert!(Forms::load(Path::new("/nonexistent/forms")).is_ok());
}

#[test]
fn a_broken_template_names_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("apology.typ"),
        "#import \"common.typ\": *\n#show: form-page\n\nXin lỗi #d.no_such_field\n",
    )
    .expect("write");
    let forms = Forms::load(dir.path()).expect("load");
    let input = FormInput::Apology(Apology {
        reason: "x".into(),
        new_due_date: date(2026, 12, 7),
        issued_on: date(2026, 12, 1),
        signer_name: "x".into(),
    });
    let e = forms
        .render(&input, &case(), &office(), date(2026, 12, 1))
        .expect_err("broken template");
    match &e {
        FormError::Template { template, line, .. } => {
            assert_eq!(template, "apology.typ");
            assert_eq!(*line, Some(4));
        }
        other => panic!("{other}"),
    }
    let msg = e.to_string();
    assert!(msg.starts_with("form template apology.typ:4 ("), "{msg}");
    assert!(msg.contains("no_such_field"), "{msg}");
}
