//! Every error the node can give, said in Vietnamese for the officer: one sentence that says what
//! happened and what to do. Built from the typed errors (`NodeError` and the schema errors it
//! wraps), never by matching on their English text. A variant this console does not know yet gets
//! a general sentence (the English detail goes to the log only).

use hoso_node::NodeError;
use hoso_node::error::IntakeError;
use hoso_node::error::LifecycleError;
use hoso_node::store::error::StoreError;
use hoso_schemas::{Catalog, CitizenIdError, Role, WorkflowError};

/// The catalog's Vietnamese label of a field (the field's code when no procedure has it).
fn field_label(catalog: &Catalog, procedure: Option<&str>, field: &str) -> String {
    let in_proc = procedure
        .and_then(|p| catalog.get(p))
        .and_then(|p| p.fields.iter().find(|f| f.name == field));
    let any = || {
        catalog
            .iter()
            .flat_map(|p| p.fields.iter())
            .find(|f| f.name == field)
    };
    in_proc
        .or_else(any)
        .map_or_else(|| field.to_string(), |f| f.label_vi.clone())
}

fn procedure_name(catalog: &Catalog, code: &str) -> String {
    catalog
        .get(code)
        .map_or_else(|| code.to_string(), |p| p.name_vi.clone())
}

fn roles_vi(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.label_vi())
        .collect::<Vec<_>>()
        .join(" hoặc ")
}

/// A citizen id problem in Vietnamese.
pub fn citizen_id_vi(e: &CitizenIdError) -> String {
    match e {
        CitizenIdError::WrongLength { len, .. } => format!(
            "Số định danh cá nhân phải có đúng 12 chữ số (đã nhập {len}). Kiểm tra lại trên thẻ CCCD."
        ),
        CitizenIdError::NotDigits {
            found, position, ..
        } => format!(
            "Số định danh cá nhân chỉ gồm chữ số 0–9 (ký tự «{found}» ở vị trí {}). Kiểm tra lại trên thẻ CCCD.",
            position + 1
        ),
        CitizenIdError::YearMismatch { id_year, dob, .. } => format!(
            "Số định danh cho biết năm sinh {id_year} nhưng ngày sinh ghi {}. Đối chiếu lại với CSDL dân cư.",
            dob.format("%d/%m/%Y")
        ),
        CitizenIdError::SexMismatch { id_sex, sex, .. } => format!(
            "Số định danh cho biết giới tính {} nhưng hồ sơ ghi {}. Đối chiếu lại với CSDL dân cư.",
            id_sex.label_vi(),
            sex.label_vi()
        ),
        CitizenIdError::YearOutOfRange { dob, .. } => format!(
            "Ngày sinh {} nằm ngoài khoảng 1900–2399 mà số định danh ghi được. Kiểm tra lại ngày sinh.",
            dob.format("%d/%m/%Y")
        ),
        // Kept for variants added later to the schema's enum.
        #[allow(unreachable_patterns)]
        _ => "Số định danh cá nhân không hợp lệ. Kiểm tra lại trên thẻ CCCD.".to_string(),
    }
}

/// A workflow refusal in Vietnamese.
pub fn workflow_vi(e: &WorkflowError) -> String {
    match e {
        WorkflowError::NotAllowed {
            from, to, allowed, ..
        } => {
            let next = if allowed.is_empty() {
                "không chuyển tiếp được nữa".to_string()
            } else {
                format!(
                    "chỉ chuyển được sang: {}",
                    allowed
                        .iter()
                        .map(|s| s.label_vi())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            format!(
                "Hồ sơ đang «{}» nên không chuyển sang «{}» được; {next}. Tải lại (r) để xem trạng thái mới nhất.",
                from.label_vi(),
                to.label_vi()
            )
        }
        WorkflowError::RoleNotAllowed {
            from, to, roles, ..
        } => format!(
            "Chuyển «{}» → «{}» phải do {} thực hiện. Báo người có thẩm quyền.",
            from.label_vi(),
            to.label_vi(),
            roles_vi(roles)
        ),
        #[allow(unreachable_patterns)]
        _ => "Quy trình của thủ tục không cho phép thao tác này.".to_string(),
    }
}

/// The store cannot be trusted or read back: what it means for the officer.
pub fn store_integrity_vi(e: &StoreError) -> String {
    match e {
        StoreError::Missing { .. } | StoreError::Empty { .. } => {
            "Kho dữ liệu của máy bị mất hoặc rỗng. Không làm tiếp trên máy này; báo quản trị khôi phục từ bản sao lưu hoặc đồng bộ lại từ tỉnh.".to_string()
        }
        StoreError::KeyMissing { .. } | StoreError::Foreign { .. } => {
            "Khoá định danh của máy không khớp với kho dữ liệu. Báo quản trị khôi phục tệp khoá từ bản sao lưu.".to_string()
        }
        StoreError::NoGenesis { .. } => {
            "Việc khởi tạo máy chưa hoàn tất. Báo quản trị khởi tạo lại.".to_string()
        }
        StoreError::TooNew { .. } | StoreError::Migration { .. } => {
            "Kho dữ liệu thuộc phiên bản hoso khác với chương trình này. Báo quản trị nâng cấp hoso.".to_string()
        }
        StoreError::DamagedCase { .. } | StoreError::CorruptSummary { .. } => {
            "Một hồ sơ trong kho dữ liệu bị hỏng và không đọc được. Báo quản trị khôi phục hồ sơ này từ tỉnh; các hồ sơ khác vẫn dùng được.".to_string()
        }
        StoreError::CorruptChainHead { .. } => {
            "Nhật ký kiểm toán của máy bị hỏng. Báo quản trị ngay; không ghi thêm trên máy này.".to_string()
        }
        StoreError::WorkerPanicked(_) => {
            "Máy gặp lỗi khi ghi dữ liệu. Thử lại; nếu vẫn lỗi, báo quản trị.".to_string()
        }
        // A kind newer than this console.
        other => {
            tracing::warn!(error = %other, "store error without a Vietnamese message");
            "Kho dữ liệu của máy không dùng được. Báo quản trị (chi tiết trong nhật ký).".to_string()
        }
    }
}

/// A refused payment, unverified receipt or due-date recomputation, in Vietnamese.
pub fn intake_vi(e: &IntakeError) -> String {
    use hoso_schemas::format_dong;
    match e {
        IntakeError::NoFee { receipt_code, .. } => format!(
            "Thủ tục của hồ sơ {receipt_code} không thu phí, lệ phí: không có gì để nộp."
        ),
        IntakeError::FeeMismatch {
            expected,
            given,
            channel,
            ..
        } => format!(
            "Lệ phí nộp {} chưa đúng: hồ sơ nộp {} phải nộp {}. Thu đúng số tiền, hoặc ghi rõ lý do miễn, giảm.",
            format_dong(*given),
            channel.to_lowercase(),
            format_dong(*expected)
        ),
        IntakeError::ExemptionWithoutReason => {
            "Miễn, giảm lệ phí phải ghi rõ lý do (theo danh mục đối tượng được miễn).".to_string()
        }
        IntakeError::NoPaymentReference { .. } => {
            "Nộp bằng chuyển khoản hoặc trực tuyến phải ghi mã giao dịch.".to_string()
        }
        IntakeError::AlreadyPaid { receipt_code, .. } => {
            format!("Hồ sơ {receipt_code} đã ghi nhận nộp lệ phí; mỗi hồ sơ chỉ ghi một lần.")
        }
        IntakeError::NotPaid { receipt_code } => format!(
            "Hồ sơ {receipt_code} đang chờ thực hiện nghĩa vụ tài chính: ghi nhận nộp lệ phí trước khi chuyển xử lý."
        ),
        IntakeError::CaseEnded { receipt_code, .. } => {
            format!("Hồ sơ {receipt_code} đã kết thúc xử lý nên không làm thao tác này được nữa.")
        }
        IntakeError::BadDeclaration { .. } => {
            "Thông tin công dân tự khai còn thiếu hoặc sai (họ tên, ngày sinh, giới tính, mã xã cư trú). Kiểm tra lại.".to_string()
        }
        IntakeError::CommuneOutsideProvince { code, .. } => format!(
            "Mã xã {code} không thuộc tỉnh: Trung tâm chỉ tiếp nhận hồ sơ của công dân trong tỉnh (Nghị định 118/2025/NĐ-CP)."
        ),
        IntakeError::CitizenInExtract { citizen_id } => format!(
            "Công dân số định danh {citizen_id} có trong CSDL dân cư: tiếp nhận bình thường, không cần tự khai."
        ),
        IntakeError::RecomputeNeedsSupervisor => {
            "Tính lại hạn trả kết quả làm thay đổi ngày hẹn của công dân: phải do lãnh đạo thực hiện.".to_string()
        }
    }
}

/// A lifecycle rule (tracks, results, supplements, apologies) in Vietnamese.
pub fn lifecycle_vi(e: &LifecycleError, catalog: &Catalog) -> String {
    let track_or_case = |what: &str| match what
        .strip_prefix("track `")
        .and_then(|t| t.strip_suffix('`'))
    {
        Some(t) => format!("Phần «{}»", procedure_name(catalog, t)),
        None => "Hồ sơ".to_string(),
    };
    match e {
        LifecycleError::TrackWaits {
            track,
            after,
            after_status,
            ..
        } => format!(
            "Phần «{}» chỉ chuyển cho cơ quan xử lý sau khi phần «{}» đã giải quyết xong (đang «{}»). Xử lý phần đó trước.",
            procedure_name(catalog, track),
            procedure_name(catalog, after),
            after_status.label_vi()
        ),
        LifecycleError::BundleEnded { status, .. } => format!(
            "Hồ sơ liên thông đã «{}» nên các phần không chuyển được nữa.",
            status.label_vi()
        ),
        LifecycleError::TracksOpen { to, .. } => format!(
            "Chưa chuyển hồ sơ sang «{}» được: còn phần liên thông chưa kết thúc. Chuyển từng phần đến khi xong trước.",
            to.label_vi()
        ),
        LifecycleError::NoResult { what, .. } => format!(
            "{} chưa có kết quả (số, ngày, người ký). Ghi kết quả trước khi trả cho công dân.",
            track_or_case(what)
        ),
        LifecycleError::ResultNotNow { what, status, .. } => format!(
            "{} đang «{}»: chỉ ghi kết quả khi đang xử lý hoặc đã xử lý xong.",
            track_or_case(what),
            status.label_vi()
        ),
        LifecycleError::ResultDate {
            date,
            received,
            today,
        } => format!(
            "Ngày ký kết quả {date} phải trong khoảng từ ngày tiếp nhận {received} đến hôm nay {today}."
        ),
        LifecycleError::Empty { .. } => "Còn ô bắt buộc để trống. Nhập đủ rồi ghi lại.".to_string(),
        LifecycleError::UnknownChannel(_) => {
            "Hình thức trả kết quả phải là: tại Bộ phận Một cửa, qua bưu chính hoặc qua VNeID."
                .to_string()
        }
        LifecycleError::SecondSupplement { previous, .. } => format!(
            "Hồ sơ đã yêu cầu bổ sung {previous} lần. Yêu cầu thêm phải do Lãnh đạo thực hiện và ghi rõ lý do; hồ sơ bị tính là trễ hạn."
        ),
        LifecycleError::SupplementDeadline { deadline, today } => {
            format!("Hạn bổ sung {deadline} phải sau hôm nay ({today}).")
        }
        LifecycleError::NoSupplementLimit { .. } => {
            "Danh mục chưa quy định thời hạn bổ sung cho thủ tục này: nhập hạn bổ sung.".to_string()
        }
        LifecycleError::ApologyNeedsSupervisor => {
            "Phiếu xin lỗi và hẹn lại do Lãnh đạo ký. Báo Lãnh đạo ghi nhận.".to_string()
        }
        LifecycleError::ApologyTooLate { due, .. } => format!(
            "Phiếu xin lỗi phải lập trước khi hết ngày hẹn {due} và khi hồ sơ chưa kết thúc."
        ),
        LifecycleError::ApologyDate { new, current } => {
            format!("Ngày hẹn mới {new} phải sau ngày hẹn hiện tại {current}.")
        }
        // Kept for variants added later to the node's enum.
        #[allow(unreachable_patterns)]
        _ => "Thao tác này không đúng quy định về hồ sơ. Kiểm tra lại.".to_string(),
    }
}

/// An officer-account refusal in Vietnamese (issue 12).
pub fn account_vi(e: &hoso_node::error::AccountError) -> String {
    use hoso_node::error::AccountError;
    match e {
        AccountError::Disabled { .. } => {
            "Tài khoản này đã bị khóa, không đăng nhập hay ghi được nữa. Liên hệ lãnh đạo bộ phận.".to_string()
        }
        AccountError::MustChangePassphrase { .. } => {
            "Mật khẩu hiện tại là mật khẩu tạm: hãy đặt mật khẩu của riêng bạn trước (lệnh «hoso officer passwd»), rồi đăng nhập lại.".to_string()
        }
        AccountError::SelfDisable { .. } => {
            "Không tự khóa tài khoản của mình được: cần một lãnh đạo khác.".to_string()
        }
        AccountError::AlreadyDisabled { .. } => "Tài khoản này đã bị khóa từ trước.".to_string(),
        AccountError::SamePassphrase => {
            "Mật khẩu mới trùng mật khẩu cũ: hãy chọn mật khẩu khác.".to_string()
        }
    }
}

/// A node error in Vietnamese, for the officer.
pub fn node_error_vi(e: &NodeError, catalog: &Catalog) -> String {
    match e {
        NodeError::Io { .. } => {
            "Không đọc/ghi được tệp dữ liệu của máy. Kiểm tra ổ đĩa còn chỗ trống và quyền truy cập, rồi thử lại.".to_string()
        }
        NodeError::NotInitialized { .. } => {
            "Máy này chưa được khởi tạo nút dữ liệu. Báo quản trị chạy `hoso init`.".to_string()
        }
        NodeError::AlreadyInitialized { .. } => {
            "Thư mục dữ liệu đã có một nút. Dùng nút đó hoặc chọn thư mục khác.".to_string()
        }
        NodeError::StoreLocked { .. } => {
            "Kho dữ liệu đang được một chương trình hoso khác dùng. Đóng chương trình đó rồi mở lại.".to_string()
        }
        NodeError::Corrupt { .. } => {
            "Dữ liệu trên máy bị hỏng. Báo quản trị khôi phục từ bản sao lưu hoặc đồng bộ lại từ tỉnh.".to_string()
        }
        NodeError::Integrity(i) => store_integrity_vi(i),
        NodeError::Store(_) => {
            "Kho dữ liệu của máy gặp lỗi. Thử lại; nếu vẫn lỗi, báo quản trị.".to_string()
        }
        NodeError::Document(_) => {
            "Tài liệu hồ sơ không đọc được. Thử tải lại (r); nếu vẫn lỗi, báo quản trị.".to_string()
        }
        NodeError::UnknownProcedure(u) => format!(
            "Thủ tục «{}» không có trong danh mục của máy. Chọn thủ tục khác hoặc báo quản trị cập nhật danh mục.",
            u.code
        ),
        NodeError::Field(f) => format!(
            "Ô «{}» không hợp lệ. Sửa lại giá trị đã nhập.",
            field_label(catalog, None, &f.field)
        ),
        NodeError::UnknownField { procedure, field } => format!(
            "Thủ tục «{}» không có ô «{}».",
            procedure_name(catalog, procedure),
            field_label(catalog, Some(procedure), field)
        ),
        NodeError::MissingFields { procedure, fields } => format!(
            "Còn thiếu: {}. Nhập đủ rồi tiếp nhận lại.",
            fields
                .iter()
                .map(|f| field_label(catalog, Some(procedure), f))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        NodeError::RegistryField { field } => format!(
            "Ô «{}» lấy từ CSDL dân cư nên không sửa ở đây được; cần đính chính trong CSDL dân cư.",
            field_label(catalog, None, field)
        ),
        NodeError::Workflow(w) => workflow_vi(w),
        NodeError::Intake(i) => intake_vi(i),
        NodeError::Lifecycle(l) => lifecycle_vi(l, catalog),
        NodeError::CitizenId(c) => citizen_id_vi(c),
        NodeError::UnknownCitizen(id) => format!(
            "Không có công dân số định danh {id} trong bản trích CSDL dân cư. Kiểm tra lại số trên thẻ CCCD; nếu đúng, tiếp nhận theo thông tin công dân tự khai (hồ sơ được đánh dấu chưa xác minh)."
        ),
        NodeError::CaseNotFound(r) => {
            format!("Không tìm thấy hồ sơ «{r}». Kiểm tra lại mã hồ sơ.")
        }
        NodeError::UnknownOfficer(o) => format!(
            "Không có cán bộ «{o}» trên máy này. Kiểm tra lại mã cán bộ hoặc báo quản trị tạo tài khoản."
        ),
        NodeError::NoOfficer => "Thao tác này cần biết cán bộ thực hiện: hãy đăng nhập.".to_string(),
        NodeError::WrongPassphrase(_) => "Sai mã cán bộ hoặc mật khẩu.".to_string(),
        NodeError::NotPermitted { .. } => {
            "Vai trò của bạn không được làm thao tác này. Báo người có thẩm quyền.".to_string()
        }
        NodeError::ImportLine { line, .. } => {
            format!("Dòng {line} của tệp nhập không hợp lệ. Sửa dòng đó rồi nhập lại.")
        }
        NodeError::Invalid(_) => {
            "Dữ liệu không hợp lệ. Kiểm tra lại những gì đã nhập.".to_string()
        }
        NodeError::LoginThrottled { wait_secs, .. } => format!(
            "Đăng nhập sai quá nhiều lần. Chờ {wait_secs} giây rồi thử lại."
        ),
        NodeError::NoSession
        | NodeError::SessionRefused { .. }
        | NodeError::SessionExpired { .. }
        | NodeError::SessionOfficer { .. } => {
            "Phiên làm việc không dùng được. Hãy đăng nhập lại.".to_string()
        }
        NodeError::Account(a) => account_vi(a),
        // A kind of error newer than this console: a general sentence; the detail is logged.
        other => {
            tracing::warn!(error = %other, "node error without a Vietnamese message");
            "Máy không thực hiện được thao tác này. Thử lại; nếu vẫn lỗi, báo quản trị (chi tiết trong nhật ký).".to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_errors_become_vietnamese_sentences() {
        let cat = Catalog::builtin().expect("catalog");
        let e = NodeError::CitizenId(hoso_schemas::CitizenId::parse("12345").expect_err("short"));
        let m = node_error_vi(&e, &cat);
        assert!(m.contains("12 chữ số"), "{m}");
        assert!(!m.contains("citizen"), "{m}");
        let e = NodeError::MissingFields {
            procedure: "judicial_record".into(),
            fields: vec!["purpose".into()],
        };
        let m = node_error_vi(&e, &cat);
        assert!(m.starts_with("Còn thiếu: "), "{m}");
        assert!(
            !m.contains("purpose"),
            "the catalog's label, not the code: {m}"
        );
        let e = NodeError::Workflow(WorkflowError::RoleNotAllowed {
            procedure: "judicial_record".into(),
            from: hoso_schemas::Status::InProcess,
            to: hoso_schemas::Status::Decided,
            role: Role::Officer,
            roles: vec![Role::Supervisor],
        });
        let m = node_error_vi(&e, &cat);
        assert!(m.contains("«Đang xử lý» → «Đã xử lý xong»"), "{m}");
        assert!(!m.contains("in_process"), "{m}");
    }

    #[test]
    fn lifecycle_refusals_become_vietnamese_sentences() {
        use hoso_schemas::Status;
        let cat = Catalog::builtin().expect("catalog");
        let code = || "000.20.06.112-261201-0001".to_string();
        for (e, needle) in [
            (
                LifecycleError::TrackWaits {
                    receipt_code: code(),
                    track: "permanent_residence".into(),
                    after: "birth_registration".into(),
                    after_status: Status::Received,
                },
                "Đăng ký khai sinh",
            ),
            (
                LifecycleError::NoResult {
                    receipt_code: code(),
                    what: "track `health_insurance_child`".into(),
                },
                "chưa có kết quả",
            ),
            (
                LifecycleError::SecondSupplement {
                    receipt_code: code(),
                    previous: 1,
                },
                "Lãnh đạo",
            ),
            (LifecycleError::ApologyNeedsSupervisor, "Lãnh đạo ký"),
            (
                LifecycleError::TracksOpen {
                    receipt_code: code(),
                    to: Status::Returned,
                    open: "permanent_residence (in_process)".into(),
                },
                "«Đã trả kết quả»",
            ),
        ] {
            let m = node_error_vi(&NodeError::Lifecycle(e), &cat);
            assert!(m.contains(needle), "{m}");
            for english in ["track", "in_process", "case ", "hoso "] {
                assert!(!m.contains(english), "{m}");
            }
        }
    }
}
