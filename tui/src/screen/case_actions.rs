//! What an officer does to a case from its detail beyond moving its status (issue 11 items 2, 6
//! and 9; issue 10's console parts): correct a field (`e`), ask for a supplement (`b`), record a
//! result (`k`) or a fee payment (`f`), print a form (`p`); the action menu (`a`) lists them all,
//! greyed with the reason where the role or the case's state does not allow them. The
//! "Tiến trình" tab shows the case's legal life: bundle tracks with agency, status, own due date
//! and result; the result; payments; the citizen's verification; supplement requests, apologies
//! and corrections of registry fields.

use chrono::NaiveDate;
use hoso_node::CaseView;
use hoso_node::case::Delivery;
use hoso_node::node::{ApologyInput, NewPayment, ResultInput, SupplementInput};
use hoso_schemas::{Channel, PaymentMethod, Role, Status};
use ratatui::text::{Line, Span};

use crate::app::App;
use crate::effect::{CaseDetail, Effect};
use crate::format;
use crate::print::{Form, Printed};
use crate::screen::case_form::{CaseForm, FormKind, Row};
use crate::screen::detail::Popup;

/// One entry of the action menu.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Item {
    /// Correct the selected field.
    Edit,
    /// Move the status (or a track's).
    Transition,
    /// Add a note.
    Note,
    /// Ask for a supplement.
    Supplement,
    /// Record the result.
    Result,
    /// Record a fee payment.
    Payment,
    /// Apologise for a late result with a new appointment date (supervisor).
    Apology,
    /// Print a form.
    Print,
}

impl Item {
    /// Menu order.
    pub const ALL: [Item; 8] = [
        Item::Edit,
        Item::Transition,
        Item::Note,
        Item::Supplement,
        Item::Result,
        Item::Payment,
        Item::Apology,
        Item::Print,
    ];

    /// Its key and label.
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Item::Edit => ("e", "Sửa ô đang chọn"),
            Item::Transition => ("t", "Chuyển trạng thái"),
            Item::Note => ("m", "Thêm ghi chú"),
            Item::Supplement => ("b", "Yêu cầu bổ sung hồ sơ"),
            Item::Result => ("k", "Ghi kết quả giải quyết"),
            Item::Payment => ("f", "Ghi nhận nộp lệ phí"),
            Item::Apology => ("x", "Xin lỗi, hẹn lại ngày trả"),
            Item::Print => ("p", "In giấy tờ"),
        }
    }
}

fn dmy(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// "20.000 đ".
pub fn money(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(ch);
    }
    format!("{out} đ")
}

/// Statuses a result may be recorded in.
fn result_open(s: Status) -> bool {
    matches!(s, Status::InProcess | Status::Decided)
}

/// Why the logged-in officer may not take `item` on `v` now, if so.
pub fn blocked(app: &App, v: &CaseView, item: Item) -> Option<String> {
    let Some(o) = &app.officer else {
        return Some("Chưa đăng nhập".into());
    };
    if item == Item::Print {
        return app
            .printer
            .is_none()
            .then(|| "Máy này chưa cài chức năng in".to_string());
    }
    if !o.can_write() {
        return Some(format!("Vai trò {} chỉ được xem", o.role.label_vi()));
    }
    let ended = v.status.ends_processing();
    match item {
        Item::Edit => {
            if ended {
                return Some(format!(
                    "Hồ sơ đã «{}»: không sửa được nữa",
                    v.status.label_vi()
                ));
            }
            if selected_field(app, v).is_none() {
                return Some("Chọn một ô ở thẻ Hồ sơ (↑↓)".into());
            }
            None
        }
        Item::Transition | Item::Note | Item::Print => None,
        Item::Supplement => {
            let p = app.catalog.get(&v.procedure)?;
            let open_track = v.tracks.values().any(|t| !t.status.ends_processing());
            if !open_track
                && !p
                    .next_statuses(v.status, o.role)
                    .contains(&Status::SupplementRequested)
            {
                let anyone = p
                    .workflow
                    .transitions_from(v.status)
                    .any(|t| t.to == Status::SupplementRequested);
                return Some(if anyone {
                    "Chỉ Lãnh đạo được yêu cầu bổ sung ở bước này".into()
                } else {
                    format!("Không yêu cầu bổ sung khi hồ sơ «{}»", v.status.label_vi())
                });
            }
            // One request for the whole case; a bundle's tracks have their own (the node says).
            let asked = v.supplements.iter().any(|s| s.track.is_none());
            (asked && !open_track && o.role != Role::Supervisor)
                .then(|| "Đã yêu cầu bổ sung một lần: lần hai cần Lãnh đạo".into())
        }
        Item::Result => {
            let any = result_open(v.status) || v.tracks.values().any(|t| result_open(t.status));
            (!any).then(|| "Chỉ ghi khi hồ sơ đang xử lý hoặc đã xử lý xong".into())
        }
        Item::Apology => {
            if o.role != Role::Supervisor {
                return Some("Chỉ Lãnh đạo ký phiếu xin lỗi".into());
            }
            if ended {
                return Some("Hồ sơ đã kết thúc".into());
            }
            let current = hoso_schemas::parse_date(v.appointment_date());
            current
                .is_some_and(|d| app.today > d)
                .then(|| "Đã quá ngày hẹn: xin lỗi phải lập trước ngày hẹn".into())
        }
        Item::Payment => {
            let p = app.catalog.get(&v.procedure)?;
            if p.fee.as_ref().is_none_or(hoso_schemas::Fee::is_free) {
                return Some("Thủ tục này không thu lệ phí".into());
            }
            if let Some(first) = v.payments.first() {
                return Some(format!("Đã nộp ngày {}", format::time_vi(&first.at)));
            }
            ended.then(|| "Hồ sơ đã kết thúc".into())
        }
    }
}

/// The fields of the case's procedure in the order the Hồ sơ tab shows them.
pub fn field_order(app: &App, v: &CaseView) -> Vec<String> {
    let Some(p) = app.catalog.get(&v.procedure) else {
        return vec![];
    };
    p.sections()
        .into_iter()
        .flat_map(|s| {
            p.fields
                .iter()
                .filter(move |f| f.section == s)
                .map(|f| f.name.clone())
        })
        .collect()
}

/// The field under the cursor on the Hồ sơ tab.
pub fn selected_field(app: &App, v: &CaseView) -> Option<String> {
    field_order(app, v).get(app.detail.field).cloned()
}

/// Runs a menu item (or its key): opens its form, or says why not.
pub fn run(app: &mut App, item: Item) -> Vec<crate::effect::Effect> {
    let Some(c) = app.detail.case.as_ref() else {
        return vec![];
    };
    let v = c.view.clone();
    if let Some(why) = blocked(app, &v, item) {
        app.toast(format!("{why}."), true);
        return vec![];
    }
    match item {
        Item::Edit => open_edit(app, &v),
        Item::Transition => {
            return crate::screen::detail::on_key(
                app,
                ratatui::crossterm::event::KeyEvent::from(
                    ratatui::crossterm::event::KeyCode::Char('t'),
                ),
            );
        }
        Item::Note => {
            return crate::screen::detail::on_key(
                app,
                ratatui::crossterm::event::KeyEvent::from(
                    ratatui::crossterm::event::KeyCode::Char('m'),
                ),
            );
        }
        Item::Supplement => open_supplement(app, &v),
        Item::Result => open_result(app, &v),
        Item::Payment => open_payment(app, &v),
        Item::Apology => open_apology(app, &v),
        Item::Print => app.detail.popup = Some(Popup::Print { selected: 0 }),
    }
    // A form left unsaved on this case (even across a quit) comes back as it was typed.
    let id = v.id.to_string();
    if let Some(Popup::Form(f)) = &mut app.detail.popup
        && let Some(d) = app.draft.forms.get(&id)
    {
        f.restore(d);
    }
    vec![]
}

/// Folds the open form into the officer's draft (called after every key; the draft is written
/// when it changed). A form typed into is kept; one back to what it opened with is not.
pub fn fold_draft(app: &mut App) {
    if app.screen != crate::app::Screen::Detail {
        return;
    }
    let Some(id) = app.detail.case.as_ref().map(|c| c.view.id.to_string()) else {
        return;
    };
    if let Some(Popup::Form(f)) = &app.detail.popup {
        if f.changed() {
            app.draft.forms.insert(id, f.draft());
        } else {
            app.draft.forms.remove(&id);
        }
    }
}

/// The form over the shown case was saved or dropped: its draft goes.
pub fn drop_draft(app: &mut App) -> Vec<Effect> {
    if let Some(id) = app.detail.case.as_ref().map(|c| c.view.id.to_string()) {
        app.draft.forms.remove(&id);
    }
    app.flush_draft()
}

fn open_edit(app: &mut App, v: &CaseView) {
    let Some(name) = selected_field(app, v) else {
        return;
    };
    let Some(def) = app.catalog.get(&v.procedure).and_then(|p| p.field(&name)) else {
        return;
    };
    let current = v
        .fields
        .get(&name)
        .map(|x| format::value_vi(def, x))
        .unwrap_or_default();
    let registry = v.evidence.contains_key(&name);
    let mut intro = vec![];
    let mut rows = vec![Row::text(
        &def.label_vi,
        &current,
        &format!("cần {}", format::expected_vi(def)),
    )];
    if let Some(e) = v.evidence.get(&name) {
        intro.push(format!(
            "Ô này lấy từ CSDL dân cư (bản ghi {}): minh chứng được giữ nguyên.",
            e.record_ref
        ));
        rows.push(Row::text(
            "Lý do sửa",
            "",
            "bắt buộc, vd. công dân xuất trình giấy tờ mới",
        ));
    }
    app.detail.popup = Some(Popup::Form(CaseForm::new(
        FormKind::Edit {
            field: name,
            registry,
        },
        "Sửa thông tin",
        intro,
        rows,
    )));
}

fn open_result(app: &mut App, v: &CaseView) {
    let mut targets: Vec<(String, String)> = vec![];
    if result_open(v.status) {
        targets.push((String::new(), "Cả hồ sơ".into()));
    }
    for (code, tr) in &v.tracks {
        if result_open(tr.status) && tr.result.is_none() {
            let name = app
                .catalog
                .get(code)
                .map_or(code.clone(), |p| p.short_name.clone());
            targets.push((code.clone(), format!("Phần {name}")));
        }
    }
    let delivery = [Delivery::Desk, Delivery::Post, Delivery::Vneid]
        .iter()
        .map(|d| (d.as_str().to_string(), d.label_vi().to_string()))
        .collect();
    let signer = app
        .officer
        .as_ref()
        .map(|o| o.officer().name.clone())
        .unwrap_or_default();
    let kind = app
        .catalog
        .get(&v.procedure)
        .map(|p| p.short_name.clone())
        .unwrap_or_default();
    let mut rows = vec![];
    if targets.len() > 1 || v.tracks.values().any(|t| result_open(t.status)) {
        rows.push(Row::choice("Kết quả của", targets, "←→ chọn"));
    } else {
        rows.push(Row::choice("Kết quả của", targets, ""));
    }
    rows.extend([
        Row::text("Loại giấy tờ", &kind, "vd. Trích lục khai sinh"),
        Row::text("Số", "", "số của giấy tờ đã ký, vd. 125/2026"),
        Row::text("Ngày ký", &dmy(app.today), "dd/mm/yyyy"),
        Row::text("Người ký", &signer, "họ và tên"),
        Row::choice("Trả qua", delivery, "←→ chọn"),
    ]);
    let mut f = CaseForm::new(FormKind::Result, "Ghi kết quả giải quyết", vec![], rows);
    f.focus = 1;
    app.detail.popup = Some(Popup::Form(f));
}

fn open_payment(app: &mut App, v: &CaseView) {
    let channel = Channel::of_fields(|k| v.fields.get(k).map(String::as_str));
    let due = app
        .catalog
        .get(&v.procedure)
        .and_then(|p| p.fee.as_ref())
        .map(|f| f.amount(channel))
        .unwrap_or(0);
    let methods = PaymentMethod::ALL
        .iter()
        .map(|m| (m.as_str().to_string(), m.label_vi().to_string()))
        .collect();
    let rows = vec![
        Row::text(
            "Số tiền (đồng)",
            &due.to_string(),
            &format!("lệ phí {}: {}", channel.label_vi(), money(due)),
        ),
        Row::choice("Hình thức", methods, "←→ chọn"),
        Row::text("Mã giao dịch", "", "bắt buộc khi chuyển khoản, trực tuyến"),
        Row::text("Miễn, giảm", "", "lý do khi nộp ít hơn hoặc miễn"),
    ];
    app.detail.popup = Some(Popup::Form(CaseForm::new(
        FormKind::Payment,
        "Ghi nhận nộp lệ phí",
        vec![],
        rows,
    )));
}

fn open_supplement(app: &mut App, v: &CaseView) {
    let deadline = app
        .catalog
        .get(&v.procedure)
        .and_then(|p| p.deadline.supplement_due(&app.calendar, app.today))
        .map(dmy)
        .unwrap_or_default();
    let second = v.supplements.iter().any(|s| s.track.is_none());
    let mut rows = vec![
        Row::text(
            "Giấy tờ còn thiếu",
            "",
            "liệt kê đủ một lần, cách nhau bằng dấu ;",
        ),
        Row::text(
            "Hạn bổ sung",
            "",
            &if deadline.is_empty() {
                "bắt buộc, dd/mm/yyyy (thủ tục không quy định sẵn)".to_string()
            } else {
                format!("dd/mm/yyyy; để trống: {deadline} (theo thủ tục)")
            },
        ),
        Row::text(
            "Lý do",
            "",
            if second {
                "bắt buộc: yêu cầu lần hai tính là trễ hạn"
            } else {
                "không bắt buộc"
            },
        ),
    ];
    rows.extend(target_row(app, v));
    app.detail.popup = Some(Popup::Form(CaseForm::new(
        FormKind::Supplement,
        "Yêu cầu bổ sung hồ sơ",
        vec!["Thời hạn giải quyết tạm dừng từ hôm nay đến khi công dân bổ sung.".into()],
        rows,
    )));
}

/// For a bundle: a last row choosing the whole case or one open track (the node checks that
/// the track has its own deadline).
fn target_row(app: &App, v: &CaseView) -> Option<Row> {
    if v.tracks.is_empty() {
        return None;
    }
    let mut targets = vec![(String::new(), "Cả hồ sơ".to_string())];
    for (code, tr) in &v.tracks {
        if !tr.status.ends_processing() {
            let name = app
                .catalog
                .get(code)
                .map_or(code.clone(), |p| p.short_name.clone());
            targets.push((code.clone(), format!("Phần {name}")));
        }
    }
    Some(Row::choice(
        "Áp dụng cho",
        targets,
        "←→ chọn: cả hồ sơ hoặc một phần có thời hạn riêng",
    ))
}

/// The track chosen in the form's target row (after `fixed` rows), if any.
fn target(f: &CaseForm, fixed: usize) -> Option<String> {
    Some(f.value(fixed)).filter(|t| !t.is_empty())
}

fn open_apology(app: &mut App, v: &CaseView) {
    let current = format::date_vi(v.appointment_date());
    let mut rows = vec![
        Row::text(
            "Lý do trễ hạn",
            "",
            "bắt buộc, ghi trên phiếu xin lỗi (Mẫu 04)",
        ),
        Row::text(
            "Ngày hẹn mới",
            "",
            &format!("dd/mm/yyyy, sau ngày hẹn hiện tại {current}"),
        ),
    ];
    rows.extend(target_row(app, v));
    app.detail.popup = Some(Popup::Form(CaseForm::new(
        FormKind::Apology,
        "Xin lỗi và hẹn lại ngày trả kết quả",
        vec![format!("Ngày hẹn hiện tại: {current}.")],
        rows,
    )));
}

fn date_row(f: &CaseForm, i: usize, what: &str) -> Result<Option<NaiveDate>, String> {
    let raw = f.value(i);
    if raw.is_empty() {
        return Ok(None);
    }
    hoso_schemas::parse_date(&raw)
        .map(Some)
        .ok_or_else(|| format!("{what} «{raw}» không phải ngày (dd/mm/yyyy)."))
}

/// The effect that saves `f`, or why it cannot be saved as typed (shown in the form).
pub fn submit(app: &App, f: &CaseForm) -> Result<Effect, String> {
    let officer = app.officer.clone().ok_or("Chưa đăng nhập.")?;
    let reference = app
        .detail
        .case
        .as_ref()
        .map(|c| c.view.id.to_string())
        .ok_or("Chưa mở hồ sơ.")?;
    Ok(match &f.kind {
        FormKind::Edit { field, registry } => {
            let value = f.value(0);
            let reason = f.value(1);
            if *registry && reason.is_empty() {
                return Err("Ô lấy từ CSDL dân cư: cần ghi lý do sửa.".into());
            }
            if let Some(def) = app
                .detail
                .case
                .as_ref()
                .and_then(|c| app.catalog.get(&c.view.procedure))
                .and_then(|p| p.field(field))
                && def.validate(&value).is_err()
            {
                return Err(format!(
                    "«{}» không hợp lệ: cần {}.",
                    def.label_vi,
                    format::expected_vi(def)
                ));
            }
            Effect::CorrectFields {
                officer,
                reference,
                fields: vec![(field.clone(), value)],
                reason: (!reason.is_empty()).then_some(reason),
            }
        }
        FormKind::Result => {
            let track = f.value(0);
            let date = date_row(f, 3, "Ngày ký")?.ok_or("Cần ngày ký (dd/mm/yyyy).")?;
            for (i, what) in [(1, "loại giấy tờ"), (2, "số"), (4, "người ký")] {
                if f.value(i).is_empty() {
                    return Err(format!("Cần ghi {what}."));
                }
            }
            Effect::RecordResult {
                officer,
                reference,
                input: ResultInput {
                    track: (!track.is_empty()).then_some(track),
                    kind: f.value(1),
                    number: f.value(2),
                    date,
                    signer: f.value(4),
                    channel: f.value(5).parse().unwrap_or(Delivery::Desk),
                },
            }
        }
        FormKind::Payment => {
            let raw = f.value(0).replace(['.', ' ', ','], "");
            let amount: u64 = raw
                .parse()
                .map_err(|_| format!("Số tiền «{}» phải là số đồng, vd. 20000.", f.value(0)))?;
            let method = PaymentMethod::ALL
                .into_iter()
                .find(|m| m.as_str() == f.value(1))
                .unwrap_or(PaymentMethod::Cash);
            let exemption = f.value(3);
            Effect::RecordPayment {
                officer,
                reference,
                payment: NewPayment {
                    amount,
                    method,
                    reference: f.value(2),
                    exemption: (!exemption.is_empty()).then_some(exemption),
                },
            }
        }
        FormKind::Apology => {
            if f.value(0).is_empty() {
                return Err("Cần ghi lý do trễ hạn.".into());
            }
            let new_date =
                date_row(f, 1, "Ngày hẹn mới")?.ok_or("Cần ngày hẹn mới (dd/mm/yyyy).")?;
            Effect::RecordApology {
                officer,
                reference,
                track: target(f, 2),
                input: ApologyInput {
                    reason: f.value(0),
                    new_date,
                },
            }
        }
        FormKind::Supplement => {
            let items: Vec<String> = f
                .value(0)
                .split(';')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
            if items.is_empty() {
                return Err("Liệt kê giấy tờ còn thiếu (cách nhau bằng dấu ;).".into());
            }
            let reason = f.value(2);
            Effect::RequestSupplement {
                officer,
                reference,
                track: target(f, 3),
                input: SupplementInput {
                    items,
                    reason: (!reason.is_empty()).then_some(reason),
                    deadline: date_row(f, 1, "Hạn bổ sung")?,
                },
            }
        }
    })
}

/// Starts printing `form` of the shown case (or of `reference`).
pub fn print(app: &mut App, reference: String, form: Form) -> Vec<Effect> {
    let Some(printer) = app.printer.clone() else {
        app.toast("Máy này chưa cài chức năng in.", true);
        return vec![];
    };
    app.toast(format!("Đang tạo {}…", form.title_vi()), false);
    vec![Effect::Print {
        printer,
        officer: app.officer_id(),
        reference,
        form,
    }]
}

/// Handles a print's answer: the path stays on screen until the next print.
pub fn on_printed(app: &mut App, form: Form, r: Result<Printed, String>) {
    match r {
        Ok(p) => {
            let msg = crate::print::done_vi(form, &p);
            app.toast(msg.clone(), p.send_error.is_some());
            if app.screen == crate::app::Screen::NewCase {
                app.new_case.printed = Some(msg);
            } else {
                // The Tiến trình tab keeps the file path on screen.
                app.detail.printed = Some(msg);
                app.detail.tab = 3;
                app.detail.scroll = 0;
            }
        }
        Err(e) => app.toast(format!("Không in được: {e}"), true),
    }
}

/// The "Tiến trình" tab: tracks, result, fee, verification, supplements, apologies, corrections.
pub fn lifecycle_lines(app: &App, c: &CaseDetail, width: usize) -> Vec<Line<'static>> {
    let t = app.theme;
    let v = &c.view;
    let mut out = vec![];
    let head = |s: &str| Line::from(Span::styled(format!("── {s}"), t.header()));
    let wrap = |out: &mut Vec<Line<'static>>, s: String, style| {
        for l in format::wrap(&s, width.saturating_sub(2)) {
            out.push(Line::from(Span::styled(format!("  {l}"), style)));
        }
    };
    if let Some(msg) = &app.detail.printed {
        wrap(&mut out, msg.clone(), t.ok());
    }
    if !v.tracks.is_empty() {
        out.push(head("Liên thông: từng thủ tục, cơ quan, hạn riêng"));
        for r in hoso_node::node::track_rows(&app.catalog, &app.calendar, v, app.today) {
            let name = app
                .catalog
                .get(&r.track)
                .map_or(r.track.clone(), |p| p.short_name.clone());
            let due = match (&r.due_date, &r.clock) {
                (Some(d), Some(c)) => format!("hạn {} ({})", format::date_vi(d), c.label_vi()),
                _ => "chưa chuyển giao".into(),
            };
            let style = if r.overdue { t.overdue() } else { t.text() };
            wrap(
                &mut out,
                format!("{name} — {}: {}, {due}", r.agency, r.status.label_vi()),
                style,
            );
            if let Some(res) = v.tracks.get(&r.track).and_then(|x| x.result.as_ref()) {
                wrap(&mut out, format!("    kết quả: {}", res.line_vi()), t.ok());
            }
        }
    }
    out.push(head("Kết quả"));
    match &v.result_record {
        Some(r) => wrap(&mut out, r.line_vi(), t.ok()),
        None => wrap(&mut out, "Chưa ghi kết quả (k để ghi).".into(), t.dim()),
    }
    if let Some(fee) = app.catalog.get(&v.procedure).and_then(|p| p.fee.as_ref())
        && !fee.is_free()
    {
        out.push(head("Lệ phí"));
        let channel = Channel::of_fields(|k| v.fields.get(k).map(String::as_str));
        match v.payments.first() {
            Some(p) => {
                let mut s = format!(
                    "Đã nộp {} ({}) ngày {}, cán bộ {}",
                    money(p.amount),
                    p.method.label_vi(),
                    format::time_vi(&p.at),
                    p.officer
                );
                if !p.reference.is_empty() {
                    s.push_str(&format!(", mã {}", p.reference));
                }
                if let Some(e) = &p.exemption {
                    s.push_str(&format!("; miễn, giảm: {e}"));
                }
                wrap(&mut out, s, t.ok());
            }
            None => wrap(
                &mut out,
                format!(
                    "Chưa nộp: {} ({}); f để ghi nhận.",
                    money(fee.amount(channel)),
                    channel.label_vi()
                ),
                t.warn(),
            ),
        }
    }
    if let Some(ver) = &v.verification {
        out.push(head("Công dân"));
        let (text, style) = if v.is_unverified() {
            (
                format!(
                    "CHƯA XÁC MINH: không có trong bản trích CSDL dân cư ngày {}; thông tin do công dân tự khai ({}).",
                    format::date_vi(&ver.received_extract.date),
                    ver.declared.full_name
                ),
                t.warn(),
            )
        } else {
            (
                format!(
                    "Đã xác minh theo bản trích ngày {}.",
                    format::date_vi(&ver.extract.date)
                ),
                t.ok(),
            )
        };
        wrap(&mut out, text, style);
    }
    if !v.supplements.is_empty() {
        out.push(head("Yêu cầu bổ sung"));
        for (i, s) in v.supplements.iter().enumerate() {
            let part = s.track.as_deref().map_or(String::new(), |t| {
                let name = app
                    .catalog
                    .get(t)
                    .map_or(t.to_string(), |p| p.short_name.clone());
                format!("[Phần {name}] ")
            });
            let mut line = format!(
                "{part}Lần {}: {} ({}): {}; hạn bổ sung {}",
                i + 1,
                format::time_vi(&s.at),
                s.officer,
                s.items.join("; "),
                format::date_vi(&s.deadline)
            );
            if let Some(r) = &s.reason {
                line.push_str(&format!("; lý do: {r}"));
            }
            wrap(&mut out, line, t.text());
        }
        if v.supplements.iter().filter(|s| s.track.is_none()).count() > 1 {
            wrap(
                &mut out,
                "Yêu cầu bổ sung quá một lần: tính là trễ hạn.".into(),
                t.warn(),
            );
        }
    }
    if v.stop_proposed {
        wrap(
            &mut out,
            "ĐỀ NGHỊ DỪNG XỬ LÝ: đã quá hạn bổ sung.".into(),
            t.overdue(),
        );
    }
    if !v.apologies.is_empty() {
        out.push(head("Xin lỗi, hẹn lại ngày trả"));
        for a in &v.apologies {
            let part = a.track.as_deref().map_or(String::new(), |t| {
                let name = app
                    .catalog
                    .get(t)
                    .map_or(t.to_string(), |p| p.short_name.clone());
                format!("[Phần {name}] ")
            });
            wrap(
                &mut out,
                format!(
                    "{part}{} ({}): hẹn lại {} thay {}; lý do: {}",
                    format::time_vi(&a.at),
                    a.officer,
                    format::date_vi(&a.new_date),
                    format::date_vi(&a.old_date),
                    a.reason
                ),
                t.text(),
            );
        }
    }
    if !v.corrections.is_empty() {
        out.push(head("Đính chính dữ liệu lấy từ CSDL dân cư"));
        let p = app.catalog.get(&v.procedure);
        for x in &v.corrections {
            let def = p.and_then(|p| p.field(&x.field));
            let label = def.map_or(x.field.clone(), |f| f.label_vi.clone());
            let shown = |s: &str| def.map_or(s.to_string(), |d| format::value_vi(d, s));
            wrap(
                &mut out,
                format!(
                    "{} ({}): «{label}» «{}» → «{}»; lý do: {}. Minh chứng CSDL (bản ghi {}) giữ nguyên.",
                    format::time_vi(&x.at),
                    x.officer,
                    shown(&x.from),
                    shown(&x.to),
                    x.reason,
                    x.record_ref
                ),
                t.text(),
            );
        }
    }
    out
}
