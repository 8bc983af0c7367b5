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

use crate::action::{AppAction, error, toast};
use crate::context::Context;
use crate::draft::Draft;
use crate::effect::{CaseDetail, Effect};
use crate::format;
use crate::input::Input;
use crate::print::{Form, Printed};
use crate::screen::case_form::{CaseForm, FormKind, Row};
use crate::screen::detail_state::{DetailState, Popup};
use crate::screen::transitions;

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
pub fn blocked(d: &DetailState, ctx: &Context, v: &CaseView, item: Item) -> Option<String> {
    let Some(o) = &ctx.officer else {
        return Some("Chưa đăng nhập".into());
    };
    if item == Item::Print {
        return ctx
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
            if selected_field(d, ctx, v).is_none() {
                return Some("Chọn một ô ở thẻ Hồ sơ (↑↓)".into());
            }
            None
        }
        Item::Transition | Item::Note | Item::Print => None,
        Item::Supplement => {
            let p = ctx.catalog.get(&v.procedure)?;
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
                .is_some_and(|d| ctx.today > d)
                .then(|| "Đã quá ngày hẹn: xin lỗi phải lập trước ngày hẹn".into())
        }
        Item::Payment => {
            let p = ctx.catalog.get(&v.procedure)?;
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
pub fn field_order(ctx: &Context, v: &CaseView) -> Vec<String> {
    let Some(p) = ctx.catalog.get(&v.procedure) else {
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
pub fn selected_field(d: &DetailState, ctx: &Context, v: &CaseView) -> Option<String> {
    field_order(ctx, v).get(d.field).cloned()
}

/// Runs a menu item (or its key): opens its form, or says why not.
pub fn run(d: &mut DetailState, ctx: &Context, draft: &Draft, item: Item) -> Vec<AppAction> {
    let Some(c) = d.case.as_ref() else {
        return vec![];
    };
    let v = c.view.clone();
    if let Some(why) = blocked(d, ctx, &v, item) {
        return vec![error(format!("{why}."))];
    }
    match item {
        Item::Edit => open_edit(d, ctx, &v),
        // As their keys (`t`, `m`) on the detail screen.
        Item::Transition => return transitions::open(d, ctx),
        Item::Note => return open_note(d, ctx, draft),
        Item::Supplement => open_supplement(d, ctx, &v),
        Item::Result => open_result(d, ctx, &v),
        Item::Payment => open_payment(d, ctx, &v),
        Item::Apology => open_apology(d, ctx, &v),
        Item::Print => d.popup = Some(Popup::Print { selected: 0 }),
    }
    // A form left unsaved on this case (even across a quit) comes back as it was typed.
    let id = v.id.to_string();
    if let Some(Popup::Form(f)) = &mut d.popup
        && let Some(saved) = draft.forms.get(&id)
    {
        f.restore(saved);
    }
    vec![]
}

/// Opens the note box over the shown case (`m`); an unsaved note of the case comes back as it
/// was left.
pub fn open_note(d: &mut DetailState, ctx: &Context, draft: &Draft) -> Vec<AppAction> {
    if !ctx.can_write() {
        return vec![toast("Vai trò của bạn chỉ được xem hồ sơ.", true)];
    }
    if let Some(c) = &d.case {
        let mut note = Input::new();
        if let Some(text) = draft.notes.get(&c.view.id.to_string()) {
            note.set(text);
        }
        d.popup = Some(Popup::Note(note));
    }
    vec![]
}

/// Folds the open form into the officer's draft (called after every key; the draft is written
/// when it changed). A form typed into is kept; one back to what it opened with is not.
/// The app calls it only while the detail screen is shown.
pub fn fold_draft(d: &DetailState, draft: &mut Draft) {
    let Some(id) = d.case.as_ref().map(|c| c.view.id.to_string()) else {
        return;
    };
    if let Some(Popup::Form(f)) = &d.popup {
        if f.changed() {
            draft.forms.insert(id, f.draft());
        } else {
            draft.forms.remove(&id);
        }
    }
}

/// The form over the shown case was saved or dropped: its draft goes.
pub fn drop_draft(d: &DetailState, draft: &mut Draft) -> Vec<AppAction> {
    if let Some(id) = d.case.as_ref().map(|c| c.view.id.to_string()) {
        draft.forms.remove(&id);
    }
    vec![AppAction::FlushDraft]
}

fn open_edit(d: &mut DetailState, ctx: &Context, v: &CaseView) {
    let Some(name) = selected_field(d, ctx, v) else {
        return;
    };
    let Some(def) = ctx.catalog.get(&v.procedure).and_then(|p| p.field(&name)) else {
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
    d.popup = Some(Popup::Form(CaseForm::new(
        FormKind::Edit {
            field: name,
            registry,
        },
        "Sửa thông tin",
        intro,
        rows,
    )));
}

fn open_result(d: &mut DetailState, ctx: &Context, v: &CaseView) {
    let mut targets: Vec<(String, String)> = vec![];
    if result_open(v.status) {
        targets.push((String::new(), "Cả hồ sơ".into()));
    }
    for (code, tr) in &v.tracks {
        if result_open(tr.status) && tr.result.is_none() {
            let name = ctx
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
    let signer = ctx
        .officer
        .as_ref()
        .map(|o| o.officer().name.clone())
        .unwrap_or_default();
    let kind = ctx
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
        Row::text("Ngày ký", &dmy(ctx.today), "dd/mm/yyyy"),
        Row::text("Người ký", &signer, "họ và tên"),
        Row::choice("Trả qua", delivery, "←→ chọn"),
    ]);
    let mut f = CaseForm::new(FormKind::Result, "Ghi kết quả giải quyết", vec![], rows);
    f.focus = 1;
    d.popup = Some(Popup::Form(f));
}

fn open_payment(d: &mut DetailState, ctx: &Context, v: &CaseView) {
    let channel = Channel::of_fields(|k| v.fields.get(k).map(String::as_str));
    let due = ctx
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
    d.popup = Some(Popup::Form(CaseForm::new(
        FormKind::Payment,
        "Ghi nhận nộp lệ phí",
        vec![],
        rows,
    )));
}

fn open_supplement(d: &mut DetailState, ctx: &Context, v: &CaseView) {
    let deadline = ctx
        .catalog
        .get(&v.procedure)
        .and_then(|p| p.deadline.supplement_due(&ctx.calendar, ctx.today))
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
    rows.extend(target_row(ctx, v));
    d.popup = Some(Popup::Form(CaseForm::new(
        FormKind::Supplement,
        "Yêu cầu bổ sung hồ sơ",
        vec!["Thời hạn giải quyết tạm dừng từ hôm nay đến khi công dân bổ sung.".into()],
        rows,
    )));
}

/// For a bundle: a last row choosing the whole case or one open track (the node checks that
/// the track has its own deadline).
fn target_row(ctx: &Context, v: &CaseView) -> Option<Row> {
    if v.tracks.is_empty() {
        return None;
    }
    let mut targets = vec![(String::new(), "Cả hồ sơ".to_string())];
    for (code, tr) in &v.tracks {
        if !tr.status.ends_processing() {
            let name = ctx
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

fn open_apology(d: &mut DetailState, ctx: &Context, v: &CaseView) {
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
    rows.extend(target_row(ctx, v));
    d.popup = Some(Popup::Form(CaseForm::new(
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
pub fn submit(d: &DetailState, ctx: &Context, f: &CaseForm) -> Result<Effect, String> {
    let officer = ctx.officer.clone().ok_or("Chưa đăng nhập.")?;
    let reference = d
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
            if let Some(def) = d
                .case
                .as_ref()
                .and_then(|c| ctx.catalog.get(&c.view.procedure))
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
pub fn print(ctx: &Context, reference: String, form: Form) -> Vec<AppAction> {
    let Some(printer) = ctx.printer.clone() else {
        return vec![error("Máy này chưa cài chức năng in.")];
    };
    vec![
        toast(format!("Đang tạo {}…", form.title_vi()), false),
        Effect::Print {
            printer,
            officer: ctx.officer_id(),
            reference,
            form,
        }
        .into(),
    ]
}

/// Handles a print's answer: the path stays on screen until the next print.
/// `receipt` is the new-case flow's line when the new-case screen is shown (its receipt was
/// printed from there); otherwise the detail screen's Tiến trình tab shows it.
pub fn on_printed(
    d: &mut DetailState,
    receipt: Option<&mut Option<String>>,
    form: Form,
    r: Result<Printed, String>,
) -> Vec<AppAction> {
    match r {
        Ok(p) => {
            let msg = crate::print::done_vi(form, &p);
            let shown = toast(msg.clone(), p.send_error.is_some());
            if let Some(receipt) = receipt {
                *receipt = Some(msg);
            } else {
                // The Tiến trình tab keeps the file path on screen.
                d.printed = Some(msg);
                d.tab = 3;
                d.scroll = 0;
            }
            vec![shown]
        }
        Err(e) => vec![error(format!("Không in được: {e}"))],
    }
}

/// The "Tiến trình" tab: tracks, result, fee, verification, supplements, apologies, corrections.
pub fn lifecycle_lines(
    d: &DetailState,
    ctx: &Context,
    c: &CaseDetail,
    width: usize,
) -> Vec<Line<'static>> {
    let t = ctx.theme;
    let v = &c.view;
    let mut out = vec![];
    let head = |s: &str| Line::from(Span::styled(format!("── {s}"), t.header()));
    let wrap = |out: &mut Vec<Line<'static>>, s: String, style| {
        for l in format::wrap(&s, width.saturating_sub(2)) {
            out.push(Line::from(Span::styled(format!("  {l}"), style)));
        }
    };
    if let Some(msg) = &d.printed {
        wrap(&mut out, msg.clone(), t.ok());
    }
    if !v.tracks.is_empty() {
        out.push(head("Liên thông: từng thủ tục, cơ quan, hạn riêng"));
        for r in hoso_node::node::track_rows(&ctx.catalog, &ctx.calendar, v, ctx.today) {
            let name = ctx
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
    if let Some(fee) = ctx.catalog.get(&v.procedure).and_then(|p| p.fee.as_ref())
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
                let name = ctx
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
                let name = ctx
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
        let p = ctx.catalog.get(&v.procedure);
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
