//! Audit entries as Vietnamese sentences: "Chuyển trạng thái «Đã tiếp nhận» → «Đang xử lý»:
//! “Đủ hồ sơ”", "Sửa ô «Số bản sao»: «1» → «2»". No action codes, no JSON: the payload is read
//! field by field, and whatever a payload does not say (or a purged one) is simply left out.

use hoso_node::audit::entry::Action;
use hoso_schemas::{Catalog, Role, Status};
use serde_json::Value;

fn status_vi(v: &Value) -> Option<&'static str> {
    v.as_str()?.parse::<Status>().ok().map(Status::label_vi)
}

fn role_vi(v: &Value) -> Option<&'static str> {
    let w = v.as_str()?;
    [Role::Officer, Role::Supervisor, Role::Auditor]
        .into_iter()
        .find(|r| r.as_str() == w)
        .map(Role::label_vi)
}

fn procedure_vi(catalog: &Catalog, code: &str) -> String {
    catalog
        .get(code)
        .map_or_else(|| code.to_string(), |p| p.name_vi.clone())
}

fn field_vi(catalog: &Catalog, procedure: Option<&str>, field: &str) -> String {
    let found = procedure
        .and_then(|p| catalog.get(p))
        .and_then(|p| p.fields.iter().find(|f| f.name == field))
        .or_else(|| {
            catalog
                .iter()
                .flat_map(|p| p.fields.iter())
                .find(|f| f.name == field)
        });
    found.map_or_else(|| field.to_string(), |f| f.label_vi.clone())
}

fn quoted(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "(trống)".to_string(),
        Some(Value::String(s)) if s.is_empty() => "(trống)".to_string(),
        Some(Value::String(s)) => format!("«{}»", crate::format::fit(s, 40)),
        Some(other) => format!("«{}»", crate::format::fit(&other.to_string(), 40)),
    }
}

/// The action's name, as a short Vietnamese phrase (for filters and narrow columns).
pub fn action_vi(a: Action) -> &'static str {
    match a {
        Action::Genesis => "Khởi tạo nhật ký",
        Action::ActorBind => "Gắn định danh máy",
        Action::OfficerAdd => "Tạo tài khoản",
        Action::RegistryImport => "Nhập CSDL dân cư",
        Action::LoginFailed => "Đăng nhập sai",
        Action::CaseCreate => "Tiếp nhận hồ sơ",
        Action::FieldSet => "Sửa thông tin",
        Action::Transition => "Chuyển trạng thái",
        Action::Note => "Thêm ghi chú",
        Action::CaseImport => "Nhập hồ sơ từ tệp",
        Action::CaseResult => "Ghi kết quả",
        Action::SupplementRequest => "Yêu cầu bổ sung",
        Action::Apology => "Xin lỗi, hẹn lại",
        Action::Merge => "Hợp nhất thay đổi",
        Action::ClockJump => "Đồng hồ bị lùi",
        Action::Purge => "Xoá nội dung chi tiết",
        Action::Payment => "Ghi nhận nộp lệ phí",
        Action::RegistryRecheck => "Đối chiếu lại CSDL dân cư",
        Action::DueRecompute => "Tính lại hạn trả",
        Action::OfficerDisable => "Khóa tài khoản",
        Action::OfficerPasswd => "Đổi mật khẩu",
        Action::OfficerReset => "Cấp mật khẩu tạm",
        Action::NodeRetire => "Ngừng nhận máy cũ",
        Action::CatalogPublish => "Ban hành danh mục thủ tục",
        Action::CatalogApply => "Nhận danh mục thủ tục của tỉnh",
        Action::CaseRecatalog => "Chuyển hồ sơ sang danh mục mới",
        Action::PeerAdd => "Thêm máy đồng bộ",
        Action::PeerRemove => "Gỡ máy đồng bộ",
        Action::StoreRepair => "Dựng lại chỉ mục",
        Action::StoreCompact => "Thu gọn tệp dữ liệu",
        Action::FieldCorrect => "Đính chính dữ liệu CSDL",
    }
}

/// The entry as one Vietnamese sentence. `payload` is the entry's detail JSON (empty if purged).
pub fn sentence(catalog: &Catalog, action: Action, payload: &[u8]) -> String {
    let p: Value = serde_json::from_slice(payload).unwrap_or(Value::Null);
    let procedure = p.get("procedure").and_then(Value::as_str);
    let mut s = match action {
        Action::Genesis => "Khởi tạo chuỗi nhật ký của máy.".to_string(),
        Action::ActorBind => match p.get("incarnation").and_then(Value::as_u64) {
            Some(n) => format!("Gắn định danh ghi của máy (lần khởi động dữ liệu thứ {n})."),
            None => "Gắn định danh ghi của máy.".to_string(),
        },
        Action::OfficerAdd => {
            let id = p.get("officer").and_then(Value::as_str).unwrap_or("");
            let name = p.get("name").and_then(Value::as_str).unwrap_or("");
            let role = p.get("role").and_then(role_vi);
            match (id.is_empty(), role) {
                (false, Some(r)) => format!("Tạo tài khoản cán bộ {id} ({name}, {r})."),
                (false, None) => format!("Tạo tài khoản cán bộ {id} ({name})."),
                _ => "Tạo tài khoản cán bộ.".to_string(),
            }
        }
        Action::RegistryImport => "Nhập dữ liệu từ CSDL dân cư.".to_string(),
        Action::LoginFailed => match p.get("officer").and_then(Value::as_str) {
            Some(id) if !id.is_empty() => format!(
                "Đăng nhập không thành công với mã cán bộ «{}».",
                crate::format::fit(id, 40)
            ),
            _ => "Đăng nhập không thành công.".to_string(),
        },
        Action::CaseCreate | Action::CaseImport => {
            let verb = if action == Action::CaseCreate {
                "Tiếp nhận"
            } else {
                "Nhập từ tệp"
            };
            let mut out = format!("{verb} hồ sơ");
            if let Some(code) = p.get("receipt_code").and_then(Value::as_str) {
                out.push_str(&format!(" {code}"));
            }
            if let Some(pc) = procedure {
                out.push_str(&format!(", thủ tục {}", procedure_vi(catalog, pc)));
            }
            if let Some(c) = p.get("citizen_id").and_then(Value::as_str) {
                out.push_str(&format!(", công dân số định danh {c}"));
            }
            if let Some(n) = p.get("registry_records").and_then(Value::as_object)
                && !n.is_empty()
            {
                out.push_str(", có dữ liệu đối chiếu từ CSDL dân cư");
            }
            out.push('.');
            out
        }
        Action::FieldSet => match p.get("fields").and_then(Value::as_object) {
            Some(fields) if !fields.is_empty() => {
                let parts: Vec<String> = fields
                    .iter()
                    .map(|(name, ch)| {
                        format!(
                            "ô «{}»: {} → {}",
                            field_vi(catalog, procedure, name),
                            quoted(ch.get("from")),
                            quoted(ch.get("to"))
                        )
                    })
                    .collect();
                format!("Sửa {}.", parts.join("; "))
            }
            _ => "Sửa thông tin hồ sơ.".to_string(),
        },
        Action::Transition => {
            let from = p.get("from").and_then(status_vi);
            let to = p.get("to").and_then(status_vi);
            let mut out = match (from, to) {
                (Some(f), Some(t)) => format!("Chuyển trạng thái «{f}» → «{t}»"),
                (None, Some(t)) => format!("Chuyển sang «{t}»"),
                _ => "Chuyển trạng thái".to_string(),
            };
            if let Some(tr) = p.get("track").and_then(Value::as_str) {
                out.push_str(&format!(" (phần {})", procedure_vi(catalog, tr)));
            }
            if p.get("resolved_conflict").and_then(Value::as_bool) == Some(true) {
                out.push_str(", giải quyết xung đột");
            }
            match p.get("note").and_then(Value::as_str) {
                Some(n) if !n.trim().is_empty() => out.push_str(&format!(": “{n}”")),
                _ => out.push('.'),
            }
            out
        }
        Action::Note => match p.get("note_chars").and_then(Value::as_u64) {
            Some(n) => format!("Thêm ghi chú ({n} ký tự)."),
            None => "Thêm ghi chú.".to_string(),
        },
        Action::CaseResult => {
            let kind = p.get("kind").and_then(Value::as_str).unwrap_or("kết quả");
            let number = p.get("number").and_then(Value::as_str).unwrap_or("");
            let mut out = format!(
                "Ghi kết quả: {} số {}",
                crate::format::fit(kind, 40),
                crate::format::fit(number, 20)
            );
            if let Some(tr) = p.get("track").and_then(Value::as_str) {
                out.push_str(&format!(" (phần {})", procedure_vi(catalog, tr)));
            }
            out.push('.');
            out
        }
        Action::SupplementRequest => {
            let n = p.get("items").and_then(Value::as_u64).unwrap_or(0);
            let by = p
                .get("deadline")
                .and_then(Value::as_str)
                .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                .map(|d| format!(", hạn bổ sung {}", d.format("%d/%m/%Y")))
                .unwrap_or_default();
            let nth = match p.get("request").and_then(Value::as_u64) {
                Some(k) if k > 1 => format!(" (lần {k})"),
                _ => String::new(),
            };
            format!("Yêu cầu bổ sung{nth} {n} thành phần hồ sơ{by}.")
        }
        Action::Apology => match p
            .get("new_date")
            .and_then(Value::as_str)
            .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        {
            Some(d) => format!("Xin lỗi vì trễ hạn, hẹn lại ngày {}.", d.format("%d/%m/%Y")),
            None => "Xin lỗi vì trễ hạn, hẹn lại ngày trả kết quả.".to_string(),
        },
        Action::Merge => "Hợp nhất thay đổi nhận từ máy khác.".to_string(),
        Action::ClockJump => "Đồng hồ của máy bị lùi; đã ghi nhận để kiểm toán.".to_string(),
        Action::Purge => "Xoá nội dung chi tiết của mục cũ (chuỗi nhật ký giữ nguyên).".to_string(),
        Action::Payment => match p.get("amount").and_then(Value::as_u64) {
            Some(n) => {
                let mut out = format!("Ghi nhận nộp lệ phí {}", hoso_schemas::format_dong(n));
                if let Some(m) = p
                    .get("method")
                    .and_then(Value::as_str)
                    .and_then(hoso_schemas::PaymentMethod::parse)
                {
                    out.push_str(&format!(" ({})", m.label_vi()));
                }
                if let Some(e) = p.get("exemption").and_then(Value::as_str) {
                    out.push_str(&format!(", miễn, giảm: {}", crate::format::fit(e, 60)));
                }
                out.push('.');
                out
            }
            None => "Ghi nhận nộp lệ phí.".to_string(),
        },
        Action::RegistryRecheck => match p.get("to").and_then(Value::as_str) {
            Some("verified") => {
                "Đối chiếu lại CSDL dân cư: thông tin công dân khớp, bỏ cờ chưa xác minh."
                    .to_string()
            }
            Some("mismatch") => {
                "Đối chiếu lại CSDL dân cư: thông tin công dân KHÁC bản trích.".to_string()
            }
            _ => "Đối chiếu lại CSDL dân cư: công dân vẫn chưa có trong bản trích.".to_string(),
        },
        Action::DueRecompute => {
            let d = |k: &str| {
                p.get(k)
                    .and_then(Value::as_str)
                    .and_then(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
                    .map(|d| d.format("%d/%m/%Y").to_string())
            };
            match (d("from"), d("to")) {
                (Some(a), Some(b)) => {
                    format!("Tính lại hạn trả kết quả theo lịch ngày nghỉ mới: {a} → {b}.")
                }
                _ => "Tính lại hạn trả kết quả theo lịch ngày nghỉ mới.".to_string(),
            }
        }
        Action::OfficerDisable | Action::OfficerPasswd | Action::OfficerReset => {
            let id = p.get("officer").and_then(Value::as_str).unwrap_or("");
            let id = crate::format::fit(id, 40);
            match action {
                Action::OfficerDisable => {
                    format!("Khóa tài khoản cán bộ {id}; các phiên đăng nhập của cán bộ kết thúc.")
                }
                Action::OfficerPasswd => format!("Cán bộ {id} đổi mật khẩu."),
                _ => format!("Cấp mật khẩu tạm cho cán bộ {id}; cán bộ phải đổi khi đăng nhập."),
            }
        }
        Action::NodeRetire => {
            "Ngừng nhận dữ liệu từ một máy cũ của xã (máy đã được thay).".to_string()
        }
        Action::CatalogPublish | Action::CatalogApply => {
            let v = p.get("version").and_then(Value::as_u64).unwrap_or(0);
            if action == Action::CatalogPublish {
                format!(
                    "Ban hành danh mục thủ tục, lịch nghỉ và mẫu biểu phiên bản {v} cho các xã."
                )
            } else {
                format!("Nhận và áp dụng danh mục thủ tục phiên bản {v} do tỉnh ban hành.")
            }
        }
        Action::CaseRecatalog => {
            let from = p.get("from").and_then(Value::as_u64).unwrap_or(0);
            let to = p.get("to").and_then(Value::as_u64).unwrap_or(0);
            let why = p.get("reason").and_then(Value::as_str).unwrap_or("");
            format!(
                "Chuyển hồ sơ từ danh mục phiên bản {from} sang phiên bản {to}; lý do: {}.",
                crate::format::fit(why, 80)
            )
        }
        Action::PeerAdd | Action::PeerRemove => {
            let name = p.get("name").and_then(Value::as_str).unwrap_or("");
            let node = p.get("node_id").and_then(Value::as_str).unwrap_or("");
            let short: String = node.chars().take(10).collect();
            let verb = if action == Action::PeerAdd {
                "Thêm máy đồng bộ"
            } else {
                "Gỡ máy đồng bộ"
            };
            match (name.is_empty(), short.is_empty()) {
                (false, _) => format!("{verb} «{}» ({short}).", crate::format::fit(name, 40)),
                (true, false) => format!("{verb} {short}."),
                _ => format!("{verb}."),
            }
        }
        Action::StoreRepair => match p.get("cases").and_then(Value::as_u64) {
            Some(n) => {
                format!("Dựng lại bảng tóm tắt và chỉ mục của {n} hồ sơ từ chính các hồ sơ.")
            }
            None => "Dựng lại bảng tóm tắt và chỉ mục từ các hồ sơ.".to_string(),
        },
        Action::StoreCompact => {
            let mb = |k: &str| {
                p.get(k)
                    .and_then(Value::as_u64)
                    .map(|b| format!("{:.1} MB", b as f64 / 1e6).replace('.', ","))
            };
            match (mb("bytes_before"), mb("bytes_after")) {
                (Some(a), Some(b)) => {
                    format!("Thu gọn tệp dữ liệu từ {a} xuống {b}; không hồ sơ nào thay đổi.")
                }
                _ => "Thu gọn tệp dữ liệu; không hồ sơ nào thay đổi.".to_string(),
            }
        }
        Action::FieldCorrect => {
            let parts: Vec<String> = p
                .get("fields")
                .and_then(Value::as_object)
                .map(|fields| {
                    fields
                        .iter()
                        .map(|(name, ch)| {
                            format!(
                                "ô «{}»{}: {} → {}",
                                field_vi(catalog, procedure, name),
                                if ch.get("registry").and_then(Value::as_bool) == Some(true) {
                                    " (lấy từ CSDL dân cư, minh chứng giữ nguyên)"
                                } else {
                                    ""
                                },
                                quoted(ch.get("from")),
                                quoted(ch.get("to"))
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let mut out = if parts.is_empty() {
                "Đính chính dữ liệu lấy từ CSDL dân cư".to_string()
            } else {
                format!("Đính chính {}", parts.join("; "))
            };
            match p.get("reason").and_then(Value::as_str) {
                Some(r) if !r.trim().is_empty() => out.push_str(&format!("; lý do: “{r}”.")),
                _ => out.push('.'),
            }
            out
        }
    };
    if payload.is_empty() && !matches!(action, Action::Genesis | Action::Purge) {
        s.push_str(" (nội dung chi tiết đã được xoá theo quy định lưu trữ)");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_read_as_sentences_without_codes_or_json() {
        let cat = Catalog::builtin().expect("catalog");
        let t = sentence(
            &cat,
            Action::Transition,
            r#"{"from":"received","to":"in_process","track":null,"note":"Đủ hồ sơ","resolved_conflict":false}"#
                .as_bytes(),
        );
        assert_eq!(
            t,
            "Chuyển trạng thái «Đã tiếp nhận» → «Đang xử lý»: “Đủ hồ sơ”"
        );
        let f = sentence(
            &cat,
            Action::FieldSet,
            br#"{"fields":{"copies":{"from":"1","to":"2"}}}"#,
        );
        assert!(f.starts_with("Sửa ô «"), "{f}");
        assert!(!f.contains("copies") && !f.contains('{'), "{f}");
        let c = sentence(
            &cat,
            Action::CaseImport,
            br#"{"procedure":"judicial_record","receipt_code":"000.20.06.112-261130-0001"}"#,
        );
        assert!(c.contains("Cấp Phiếu lý lịch tư pháp"), "{c}");
        assert!(!c.contains("case_import"), "{c}");
        assert!(sentence(&cat, Action::Note, b"").contains("đã được xoá"));
        let fc = sentence(
            &cat,
            Action::FieldCorrect,
            r#"{"fields":{"father_full_name":{"from":"Đặng Văn Đức","to":"Đặng Văn Đức Anh","registry":true}},"reason":"Giấy tờ mới"}"#
                .as_bytes(),
        );
        assert!(fc.starts_with("Đính chính ô «"), "{fc}");
        assert!(fc.contains("minh chứng giữ nguyên"), "{fc}");
        assert!(fc.contains("lý do: “Giấy tờ mới”"), "{fc}");
        assert!(
            !fc.contains("father_full_name") && !fc.contains('{'),
            "{fc}"
        );
        assert_eq!(action_vi(Action::FieldCorrect), "Đính chính dữ liệu CSDL");
        let sc = sentence(
            &cat,
            Action::StoreCompact,
            br#"{"bytes_before":15667000,"bytes_after":5497000,"rows":1200}"#,
        );
        assert_eq!(
            sc,
            "Thu gọn tệp dữ liệu từ 15,7 MB xuống 5,5 MB; không hồ sơ nào thay đổi."
        );
    }
}
