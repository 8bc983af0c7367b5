//! Display helpers: width-aware truncation, short status labels, deadline marks, dates.

use chrono::NaiveDate;
use hoso_schemas::{HolidayCalendar, Status};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Cuts `s` to at most `width` columns, ending in `…` when cut.
pub fn fit(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if w + cw > width - 1 {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

/// A status label short enough for a table column (≤ 11 columns).
pub fn status_short(s: Status) -> &'static str {
    match s {
        Status::Submitted => "Mới đăng ký",
        Status::Received => "Tiếp nhận",
        Status::RejectedAtIntake => "Từ chối",
        Status::InProcess => "Đang xử lý",
        Status::SupplementRequested => "Chờ bổ sung",
        Status::AwaitingPayment => "Chờ nộp phí",
        Status::WithdrawalRequested => "Xin rút",
        Status::Stopped => "Dừng xử lý",
        Status::Decided => "Đã xử lý",
        Status::Returned => "Đã trả KQ",
    }
}

/// Where a case stands against its deadline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Due {
    /// Finished, or plenty of time.
    Fine,
    /// Due within two working days.
    Soon,
    /// Past due.
    Overdue,
}

impl Due {
    /// The word shown next to the date (never colour alone).
    pub fn word(self) -> &'static str {
        match self {
            Due::Fine => "",
            Due::Soon => "SẮP HẠN",
            Due::Overdue => "QUÁ HẠN",
        }
    }
}

/// The deadline mark of a case: `overdue` as the node derived it, else due within two
/// working days of `today` while the case is still open.
pub fn due_mark(
    cal: &HolidayCalendar,
    today: NaiveDate,
    due: &str,
    status: Status,
    overdue: bool,
) -> Due {
    if overdue {
        return Due::Overdue;
    }
    if status.ends_processing() || status.pauses_clock() {
        return Due::Fine;
    }
    match NaiveDate::parse_from_str(due, "%Y-%m-%d") {
        Ok(d) if d < today => Due::Overdue,
        Ok(d) if d <= cal.add_working_days(today, 2) => Due::Soon,
        _ => Due::Fine,
    }
}

/// `YYYY-MM-DD` as `DD/MM/YYYY` (how Vietnamese offices write dates).
pub fn date_vi(d: &str) -> String {
    match NaiveDate::parse_from_str(d.get(..10).unwrap_or(d), "%Y-%m-%d") {
        Ok(x) => x.format("%d/%m/%Y").to_string(),
        Err(_) => d.to_string(),
    }
}

/// Who recorded an entry, as officers read it: the node's own entries (imports, genesis, sync
/// bookkeeping) are "hệ thống", not the `system` id they are stored under.
pub fn officer_vi(id: &str) -> String {
    if id == hoso_node::node::SYSTEM_OFFICER {
        "hệ thống".to_string()
    } else {
        id.to_string()
    }
}

/// An RFC 3339 time as `DD/MM/YYYY HH:MM` in Vietnam time (`Asia/Ho_Chi_Minh`, UTC+7),
/// whatever offset it was written with: every time in the console is in one zone.
pub fn time_vi(t: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(t) {
        Ok(x) => x
            .with_timezone(&hoso_node::deadline::vn_offset())
            .format("%d/%m/%Y %H:%M")
            .to_string(),
        Err(_) => t.to_string(),
    }
}

/// A byte count for people.
pub fn bytes(n: u64) -> String {
    const K: u64 = 1024;
    if n < K {
        format!("{n} B")
    } else if n < K * K {
        format!("{:.1} KiB", n as f64 / K as f64)
    } else {
        format!("{:.1} MiB", n as f64 / (K * K) as f64)
    }
}

/// The part of a receipt code after the unit (`000.20.06.112-261128-0001` → `261128-0001`).
pub fn short_receipt(code: &str) -> &str {
    code.split_once('-')
        .filter(|(_, rest)| rest.contains('-'))
        .map_or(code, |(_, rest)| rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_counts_columns_not_bytes() {
        assert_eq!(fit("Nguyễn Thị Hương", 16), "Nguyễn Thị Hương");
        assert_eq!(fit("Nguyễn Thị Hương", 10), "Nguyễn Th…");
        assert_eq!(fit("Nguyễn Thị Hương", 10).width(), 10);
        assert_eq!(fit("abc", 0), "");
    }

    #[test]
    fn due_marks() {
        let cal = HolidayCalendar::new();
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).expect("date"); // a Friday
        let open = Status::InProcess;
        assert_eq!(
            due_mark(&cal, today, "2026-11-26", open, false),
            Due::Overdue
        );
        assert_eq!(due_mark(&cal, today, "2026-12-01", open, false), Due::Soon);
        assert_eq!(due_mark(&cal, today, "2026-12-02", open, false), Due::Fine);
        assert_eq!(
            due_mark(&cal, today, "2026-11-26", Status::Decided, false),
            Due::Fine
        );
        assert_eq!(
            due_mark(&cal, today, "2026-12-20", open, true),
            Due::Overdue
        );
    }

    #[test]
    fn receipt_and_dates() {
        assert_eq!(short_receipt("000.20.06.112-261128-0001"), "261128-0001");
        assert_eq!(short_receipt("odd"), "odd");
        assert_eq!(date_vi("2026-11-28"), "28/11/2026");
        assert_eq!(bytes(2048), "2.0 KiB");
    }
}

/// What a valid value of a field looks like, in Vietnamese (the catalog's own hint is English).
pub fn expected_vi(def: &hoso_schemas::FieldDef) -> String {
    use hoso_schemas::FieldType;
    match def.ty {
        FieldType::Text => format!("chữ, tối đa {} ký tự", def.max_len()),
        FieldType::Date => "ngày, dạng DD/MM/YYYY hoặc YYYY-MM-DD".to_string(),
        FieldType::CitizenId => "số định danh 12 chữ số".to_string(),
        FieldType::Enum => format!("một trong: {}", def.options.join(", ")),
        FieldType::CommuneCode => "mã xã 5 chữ số của Lạng Sơn, ví dụ 06184".to_string(),
        FieldType::Number => "một số, ví dụ 2".to_string(),
        FieldType::Bool => "có hoặc không".to_string(),
    }
}

/// The Vietnamese heading of a catalog form section.
pub fn section_vi(s: &str) -> &str {
    match s {
        "absence" => "Tạm vắng",
        "applicant" => "Người nộp hồ sơ",
        "beneficiary" => "Thân nhân hưởng trợ cấp",
        "child" => "Trẻ em",
        "citizen" => "Công dân",
        "copies" => "Bản sao",
        "death" => "Thông tin khai tử",
        "death_notice" => "Giấy báo tử",
        "deceased" => "Người chết",
        "declarant" => "Người đi khai",
        "delivery" => "Nhận kết quả",
        "family" => "Gia đình",
        "father" => "Cha",
        "guardian" => "Người giám hộ",
        "insurance" => "Bảo hiểm y tế",
        "intake" => "Hình thức nộp",
        "mother" => "Mẹ",
        "old_card" => "Chứng minh nhân dân cũ",
        "payee" => "Người nhận trợ cấp",
        "request" => "Nội dung yêu cầu",
        "requester" => "Người yêu cầu",
        "residence" => "Nơi cư trú",
        "resident" => "Người đăng ký cư trú",
        "spouse" => "Vợ hoặc chồng",
        other => other,
    }
}

/// Splits `s` into lines of at most `width` columns, at spaces where possible.
pub fn wrap(s: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = vec![];
    let mut line = String::new();
    for word in s.split(' ') {
        let sep = usize::from(!line.is_empty());
        if line.width() + sep + word.width() <= width {
            if sep == 1 {
                line.push(' ');
            }
            line.push_str(word);
            continue;
        }
        if !line.is_empty() {
            out.push(std::mem::take(&mut line));
        }
        // A word longer than the line is cut.
        let mut w = word;
        while w.width() > width {
            let cut: String = w
                .chars()
                .scan(0, |acc, c| {
                    *acc += c.width().unwrap_or(0);
                    (*acc <= width).then_some(c)
                })
                .collect();
            w = &w[cut.len()..];
            out.push(cut);
        }
        line.push_str(w);
    }
    if !line.is_empty() || out.is_empty() {
        out.push(line);
    }
    out
}

#[cfg(test)]
mod wrap_tests {
    use super::wrap;

    #[test]
    fn wraps_at_spaces_by_width() {
        assert_eq!(
            wrap("Thôn Nà Pàn, Xã Bắc Sơn, tỉnh Lạng Sơn", 20),
            ["Thôn Nà Pàn, Xã Bắc", "Sơn, tỉnh Lạng Sơn"]
        );
        assert_eq!(wrap("abcdefgh", 3), ["abc", "def", "gh"]);
        assert_eq!(wrap("", 5), [""]);
    }

    #[test]
    fn the_node_itself_is_named_in_vietnamese() {
        assert_eq!(super::officer_vi("system"), "hệ thống");
        assert_eq!(super::officer_vi("canbo01"), "canbo01");
    }
}

/// A field value as officers read it: dates `DD/MM/YYYY`, yes/no in Vietnamese.
pub fn value_vi(def: &hoso_schemas::FieldDef, value: &str) -> String {
    use hoso_schemas::FieldType;
    match def.ty {
        FieldType::Date => date_vi(value),
        FieldType::Bool => match value.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" | "có" => "có".to_string(),
            "false" | "no" | "0" | "không" => "không".to_string(),
            _ => value.to_string(),
        },
        _ => value.to_string(),
    }
}

/// Who submitted the case, as the header shows it: on procedures with a declarant (a death
/// registration is received for the deceased), the declarant is the applicant and the case's
/// citizen is named as what they are ("Người chết"). Returns (label, name and id) lines.
pub fn applicant_lines(
    catalog: &hoso_schemas::Catalog,
    v: &hoso_node::CaseView,
) -> Vec<(String, String)> {
    let declarant = v
        .fields
        .get("declarant_full_name")
        .filter(|n| !n.trim().is_empty());
    let subject_section = catalog.get(&v.procedure).and_then(|p| {
        p.fields
            .iter()
            .find(|f| f.is_from_registry())
            .map(|f| f.section.clone())
    });
    match declarant {
        Some(name) => {
            let id = v
                .fields
                .get("declarant_citizen_id")
                .map(|c| format!(" ({c})"))
                .unwrap_or_default();
            let subject = subject_section
                .as_deref()
                .map_or_else(|| "Công dân".to_string(), |s| section_vi(s).to_string());
            vec![
                ("Người nộp".to_string(), format!("{name}{id}")),
                (subject, format!("{} ({})", v.applicant_name, v.citizen_id)),
            ]
        }
        None => vec![(
            "Người nộp".to_string(),
            format!("{} ({})", v.applicant_name, v.citizen_id),
        )],
    }
}

/// Unix ms as Vietnam time (`Asia/Ho_Chi_Minh`), `DD/MM/YYYY HH:MM`.
pub fn local_time(ms: i64) -> String {
    use chrono::TimeZone;
    hoso_node::deadline::vn_offset()
        .timestamp_millis_opt(ms)
        .single()
        .map(|t| t.format("%d/%m/%Y %H:%M").to_string())
        .unwrap_or_default()
}
