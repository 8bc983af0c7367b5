//! What a form prints: the case as the desk knows it ([`FormCase`]), the office issuing it
//! ([`Office`]), and what each form adds (the missing items of a supplement request, the
//! reasons of a refusal, the new date of an apology). Everything is plain data, so the forms
//! crate knows no store: the caller fills it from a case view, and data the node does not yet
//! record (payments, supplement items, apology dates) is passed in by the caller.
//!
//! Templates receive [`FormData`] as `/data.json`, with dates, times and amounts already
//! written the Vietnamese way (dd/mm/yyyy, "14 giờ 05 phút", "20.000 đồng").

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Timelike};
use hoso_schemas::{Channel, format_dong, vn_offset};
use serde::Serialize;

/// The office that issues the form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Office {
    /// The governing body, upper case as on a letterhead, e.g. "UBND TỈNH LẠNG SƠN".
    pub parent: String,
    /// The issuing unit, e.g. "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG XÃ BÌNH GIA".
    pub unit: String,
    /// The place name in the date line, e.g. "Bình Gia".
    pub place: String,
}

/// A fee line on the receipt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FeeDue {
    /// The amount due, in đồng (0 when exempt or free).
    pub amount: u64,
    /// Where the amount comes from (the catalog's legal source).
    pub source: String,
}

/// A payment recorded for the case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Payment {
    /// Amount paid, in đồng.
    pub amount: u64,
    /// How: "Tiền mặt", "Chuyển khoản", "Cổng Dịch vụ công"…
    pub method: String,
    /// The payment reference (transaction code, receipt number).
    pub reference: String,
    /// When it was paid.
    pub paid_at: DateTime<FixedOffset>,
}

/// One track of an integrated bundle, as printed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TrackLine {
    /// The tracked procedure's name.
    pub name: String,
    /// The agency that handles it.
    pub agency: String,
    /// Its own limit, e.g. "2 ngày làm việc kể từ khi nhận hồ sơ chuyển sang".
    pub limit: String,
    /// Its due date, once handed off.
    pub due_date: Option<NaiveDate>,
    /// Its status, in Vietnamese.
    pub status: String,
}

/// One step of the case's handling, for the tracking sheet (Mẫu 05).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    /// When.
    pub at: DateTime<FixedOffset>,
    /// Who (name, or login when the name is unknown).
    pub officer: String,
    /// What happened, in Vietnamese, e.g. "Tiếp nhận → Đang xử lý".
    pub action: String,
    /// The bundle track, if the step was on one.
    pub track: Option<String>,
    /// The officer's note.
    pub note: Option<String>,
}

/// The case as the forms print it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FormCase {
    /// The receipt code (mã hồ sơ).
    pub receipt_code: String,
    /// The procedure's full Vietnamese name.
    pub procedure_name: String,
    /// The national procedure code, if known.
    pub national_code: Option<String>,
    /// The agency that decides.
    pub agency: String,
    /// The applicant's full name.
    pub applicant_name: String,
    /// The applicant's personal ID number.
    pub applicant_id: String,
    /// The applicant's address.
    pub applicant_address: Option<String>,
    /// The applicant's phone.
    pub applicant_phone: Option<String>,
    /// When the dossier was received.
    pub received_at: DateTime<FixedOffset>,
    /// The appointment date (the bundle's, for a bundle).
    pub due_date: NaiveDate,
    /// The statutory limit in words, e.g. "3 ngày làm việc (5 ngày làm việc nếu phải xác minh)".
    pub limit: String,
    /// How the dossier came in.
    pub channel: Channel,
    /// The portal's own case code, if it came through the portal.
    pub portal_case_code: Option<String>,
    /// Where the result is handed over, e.g. "Nhận trực tiếp tại Trung tâm …".
    pub result_delivery: Option<String>,
    /// The dossier's components (thành phần hồ sơ), one per line.
    pub documents: Vec<String>,
    /// The officer who received the dossier (full name).
    pub officer_name: String,
    /// The fee due, if the procedure has one.
    pub fee: Option<FeeDue>,
    /// The payment, once recorded.
    pub payment: Option<Payment>,
    /// The bundle's tracks (empty for a plain procedure).
    pub tracks: Vec<TrackLine>,
    /// Every step, oldest first.
    pub steps: Vec<Step>,
}

/// A supplement request (Mẫu 02): everything missing, listed at once, and the deadline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SupplementRequest {
    /// The missing or incomplete items.
    pub items: Vec<String>,
    /// Why, if more needs saying.
    pub reason: Option<String>,
    /// The day the request is made.
    pub requested_on: NaiveDate,
    /// The date the citizen must supplement by.
    pub deadline: NaiveDate,
    /// The officer who guides the citizen.
    pub officer_name: String,
}

/// A refusal (Mẫu 03) with its reasons.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Refusal {
    /// The reasons, each one a sentence.
    pub reasons: Vec<String>,
    /// The day of the refusal.
    pub refused_on: NaiveDate,
    /// The officer who signs.
    pub officer_name: String,
}

/// An apology for a late result (Mẫu 04) with the new appointment date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Apology {
    /// Why the result is late.
    pub reason: String,
    /// The new appointment date.
    pub new_due_date: NaiveDate,
    /// The day of the apology (before the due date).
    pub issued_on: NaiveDate,
    /// The head of the office who signs (a supervisor).
    pub signer_name: String,
}

/// `dd/mm/yyyy`.
pub fn dmy(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// "ngày 23 tháng 11 năm 2026" (day and month without leading zero padding issues: two digits
/// for the day, as on official letters).
pub fn date_words(d: NaiveDate) -> String {
    format!(
        "ngày {:02} tháng {:02} năm {}",
        d.day(),
        d.month(),
        d.year()
    )
}

/// "14 giờ 05 phút, ngày 23/11/2026", in Vietnam time.
pub fn time_words(t: DateTime<FixedOffset>) -> String {
    let t = t.with_timezone(&vn_offset());
    format!(
        "{:02} giờ {:02} phút, ngày {}",
        t.hour(),
        t.minute(),
        dmy(t.date_naive())
    )
}

#[derive(Serialize)]
struct TrackOut {
    name: String,
    agency: String,
    limit: String,
    due_date: String,
    status: String,
}

#[derive(Serialize)]
struct StepOut {
    at: String,
    officer: String,
    action: String,
    track: String,
    note: String,
}

/// What templates get as `/data.json`: every value a ready-to-print string.
#[derive(Serialize)]
pub struct FormData {
    paper: String,
    office: Office,
    /// The date line, e.g. "Bình Gia, ngày 23 tháng 11 năm 2026".
    place_date: String,
    receipt_code: String,
    procedure_name: String,
    national_code: String,
    agency: String,
    applicant_name: String,
    applicant_id: String,
    applicant_address: String,
    applicant_phone: String,
    received_at: String,
    received_on: String,
    due_date: String,
    due_words: String,
    limit: String,
    channel: String,
    portal_case_code: String,
    result_delivery: String,
    documents: Vec<String>,
    officer_name: String,
    fee_amount: String,
    fee_source: String,
    paid: String,
    tracks: Vec<TrackOut>,
    steps: Vec<StepOut>,
    supplement_items: Vec<String>,
    supplement_reason: String,
    supplement_deadline: String,
    refusal_reasons: Vec<String>,
    apology_reason: String,
    apology_new_date: String,
    apology_new_words: String,
    signer_name: String,
}

/// What the form adds to the case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormInput {
    /// Mẫu 01: receipt and appointment.
    Receipt,
    /// Mẫu 02: supplement request.
    Supplement(SupplementRequest),
    /// Mẫu 03: refusal.
    Refusal(Refusal),
    /// Mẫu 04: apology with a new appointment date.
    Apology(Apology),
    /// Mẫu 05: case tracking sheet.
    Tracking,
}

impl FormData {
    /// The template data of one form. `issued_on` is the date the form is printed.
    pub fn new(
        case: &FormCase,
        office: &Office,
        input: &FormInput,
        paper: &str,
        issued_on: NaiveDate,
    ) -> FormData {
        let opt = |s: &Option<String>| s.clone().unwrap_or_default();
        let received_local = case.received_at.with_timezone(&vn_offset());
        let mut data = FormData {
            paper: paper.to_string(),
            office: office.clone(),
            place_date: format!("{}, {}", office.place, date_words(issued_on)),
            receipt_code: case.receipt_code.clone(),
            procedure_name: case.procedure_name.clone(),
            national_code: opt(&case.national_code),
            agency: case.agency.clone(),
            applicant_name: case.applicant_name.clone(),
            applicant_id: case.applicant_id.clone(),
            applicant_address: opt(&case.applicant_address),
            applicant_phone: opt(&case.applicant_phone),
            received_at: time_words(case.received_at),
            received_on: dmy(received_local.date_naive()),
            due_date: dmy(case.due_date),
            due_words: date_words(case.due_date),
            limit: case.limit.clone(),
            channel: case.channel.label_vi().to_string(),
            portal_case_code: opt(&case.portal_case_code),
            result_delivery: opt(&case.result_delivery),
            documents: case.documents.clone(),
            officer_name: case.officer_name.clone(),
            fee_amount: case
                .fee
                .as_ref()
                .map(|f| {
                    if f.amount == 0 {
                        "Không thu".to_string()
                    } else {
                        format_dong(f.amount)
                    }
                })
                .unwrap_or_default(),
            fee_source: case
                .fee
                .as_ref()
                .map(|f| f.source.clone())
                .unwrap_or_default(),
            paid: case
                .payment
                .as_ref()
                .map(|p| {
                    format!(
                        "Đã nộp {} ({}, mã giao dịch {}) lúc {}",
                        format_dong(p.amount),
                        p.method,
                        p.reference,
                        time_words(p.paid_at)
                    )
                })
                .unwrap_or_default(),
            tracks: case
                .tracks
                .iter()
                .map(|t| TrackOut {
                    name: t.name.clone(),
                    agency: t.agency.clone(),
                    limit: t.limit.clone(),
                    due_date: t.due_date.map(dmy).unwrap_or_default(),
                    status: t.status.clone(),
                })
                .collect(),
            steps: case
                .steps
                .iter()
                .map(|s| StepOut {
                    at: time_words(s.at),
                    officer: s.officer.clone(),
                    action: s.action.clone(),
                    track: s.track.clone().unwrap_or_default(),
                    note: s.note.clone().unwrap_or_default(),
                })
                .collect(),
            supplement_items: Vec::new(),
            supplement_reason: String::new(),
            supplement_deadline: String::new(),
            refusal_reasons: Vec::new(),
            apology_reason: String::new(),
            apology_new_date: String::new(),
            apology_new_words: String::new(),
            signer_name: case.officer_name.clone(),
        };
        match input {
            FormInput::Receipt | FormInput::Tracking => {}
            FormInput::Supplement(s) => {
                data.supplement_items = s.items.clone();
                data.supplement_reason = opt(&s.reason);
                data.supplement_deadline = dmy(s.deadline);
                data.signer_name = s.officer_name.clone();
                data.place_date = format!("{}, {}", office.place, date_words(s.requested_on));
            }
            FormInput::Refusal(r) => {
                data.refusal_reasons = r.reasons.clone();
                data.signer_name = r.officer_name.clone();
                data.place_date = format!("{}, {}", office.place, date_words(r.refused_on));
            }
            FormInput::Apology(a) => {
                data.apology_reason = a.reason.clone();
                data.apology_new_date = dmy(a.new_due_date);
                data.apology_new_words = date_words(a.new_due_date);
                data.signer_name = a.signer_name.clone();
                data.place_date = format!("{}, {}", office.place, date_words(a.issued_on));
            }
        }
        data
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_dates_and_times() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 5).expect("date");
        assert_eq!(dmy(d), "05/03/2026");
        assert_eq!(date_words(d), "ngày 05 tháng 03 năm 2026");
        let t = DateTime::parse_from_rfc3339("2026-03-05T07:05:00Z").expect("time");
        assert_eq!(time_words(t), "14 giờ 05 phút, ngày 05/03/2026");
    }
}
