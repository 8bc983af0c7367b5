//! Every error the node can give, said in Vietnamese for the officer: one sentence that says what
//! happened and what to do. Built from the typed errors (`NodeError` and the schema errors it
//! wraps), never by matching on their English text. A variant this console does not know yet gets
//! a general sentence (the English detail goes to the log only).

use hoso_node::StoreError;
use hoso_node::error::IntakeError;
use hoso_node::error::LifecycleError;
use hoso_node::error::{
    AccountError, AuditError, ConfigError, ControlChar, EncodeError, IngestError, LimitExceeded,
    Limited, PeerError, Refusal,
};
use hoso_node::ingest::quarantine::RefusalKind;
use hoso_node::{NodeError, NodeRole};
use hoso_schemas::{Catalog, CitizenIdError, Role, WorkflowError};

/// The catalog's Vietnamese label of a field (the field's code when no procedure has it).
fn field_label(catalog: &Catalog, procedure: Option<&str>, field: &str) -> String {
    field_label_opt(catalog, procedure, field).unwrap_or_else(|| field.to_string())
}

/// The catalog's Vietnamese label of a field, if a procedure has it.
fn field_label_opt(catalog: &Catalog, procedure: Option<&str>, field: &str) -> Option<String> {
    let in_proc = procedure
        .and_then(|p| catalog.get(p))
        .and_then(|p| p.fields.iter().find(|f| f.name == field));
    let any = || {
        catalog
            .iter()
            .flat_map(|p| p.fields.iter())
            .find(|f| f.name == field)
    };
    in_proc.or_else(any).map(|f| f.label_vi.clone())
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
            "Kho dữ liệu được tạo bởi phiên bản phần mềm khác với phiên bản đang chạy. Báo quản trị nâng cấp phần mềm.".to_string()
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
    let track_or_case = |track: &Option<String>| match track {
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
        LifecycleError::NoResult { track, .. } => format!(
            "{} chưa có kết quả (số, ngày, người ký). Ghi kết quả trước khi trả cho công dân.",
            track_or_case(track)
        ),
        LifecycleError::ResultNotNow { track, status, .. } => format!(
            "{} đang «{}»: chỉ ghi kết quả khi đang xử lý hoặc đã xử lý xong.",
            track_or_case(track),
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
        LifecycleError::TrackNotOpen { track, status, .. } => format!(
            "Phần «{}» đang «{}»: chỉ phần đã chuyển cho cơ quan xử lý và chưa kết thúc mới có yêu cầu bổ sung hoặc phiếu xin lỗi riêng.",
            procedure_name(catalog, track),
            status.label_vi()
        ),
        // Kept for variants added later to the node's enum.
        #[allow(unreachable_patterns)]
        _ => "Thao tác này không đúng quy định về hồ sơ. Kiểm tra lại.".to_string(),
    }
}

/// A refusal of the write path in Vietnamese.
pub fn refusal_vi(e: &Refusal, catalog: &Catalog) -> String {
    match e {
        Refusal::NothingToSet => "Chưa nhập ô nào để sửa.".to_string(),
        Refusal::AlreadyImported { before, .. } => format!(
            "Tệp này đã được nhập lúc {} bởi {} ({} hồ sơ) nên không nhập lại. Muốn thêm hồ sơ, nhập tệp chỉ gồm các hồ sơ mới.",
            before.at, before.officer, before.cases
        ),
        Refusal::NothingToChange => {
            "Không có gì thay đổi: hồ sơ đã có đúng các giá trị này.".to_string()
        }
        Refusal::EmptyNote => "Ghi chú đang để trống. Nhập nội dung rồi ghi lại.".to_string(),
        Refusal::EmptyOfficerName | Refusal::EmptyFirstOfficerName => {
            "Họ tên cán bộ đang để trống. Nhập đầy đủ họ tên.".to_string()
        }
        Refusal::OfficerExists(id) => {
            format!("Mã cán bộ «{id}» đã có trên máy. Chọn mã khác.")
        }
        Refusal::FieldsFrozen {
            receipt_code,
            status,
        } => format!(
            "Hồ sơ {receipt_code} đã «{}» nên không sửa thông tin được nữa.",
            status.label_vi()
        ),
        Refusal::NoSuchTrack {
            receipt_code,
            track,
            ..
        } => format!(
            "Hồ sơ {receipt_code} không có phần «{}».",
            procedure_name(catalog, track)
        ),
        Refusal::ReceiptCodeExists(code) => {
            format!("Mã hồ sơ {code} đã được dùng. Tải lại (r) rồi tiếp nhận lại.")
        }
        Refusal::AuthorMayNot { .. } => {
            "Tài khoản này không được làm thao tác này. Báo người có thẩm quyền.".to_string()
        }
        Refusal::NeedsSupervisor => {
            "Chỉ lãnh đạo được thêm cán bộ. Báo lãnh đạo thực hiện.".to_string()
        }
        Refusal::BadOfficerId(id) => format!(
            "Mã cán bộ «{id}» không hợp lệ: dùng chữ thường không dấu, chữ số, dấu chấm hoặc gạch ngang, tối đa 64 ký tự (ví dụ canbo01)."
        ),
        Refusal::ShortPassphrase => "Mật khẩu phải có ít nhất 6 ký tự.".to_string(),
        Refusal::ImportHistory { entry, .. } => format!(
            "Quá trình xử lý của hồ sơ nhập vào không đúng quy trình (mục thứ {entry}). Sửa tệp rồi nhập lại."
        ),
        Refusal::ForeignAttribution { named, .. } => format!(
            "Hồ sơ nhập vào ghi việc của cán bộ «{named}»: mỗi cán bộ chỉ nhập những việc do chính mình thực hiện."
        ),
        // A reason newer than this console.
        other => {
            tracing::warn!(error = %other, "refusal without a Vietnamese message");
            GENERAL.to_string()
        }
    }
}

/// A value over its byte bound, in Vietnamese.
pub fn limit_vi(e: &LimitExceeded) -> String {
    let limit = e.limit;
    match e.what {
        Limited::Note => format!("Ghi chú quá dài (tối đa {limit} byte). Rút ngắn lại."),
        Limited::TransitionNote => {
            format!("Ghi chú khi chuyển trạng thái quá dài (tối đa {limit} byte). Rút ngắn lại.")
        }
        Limited::Field => format!("Giá trị của ô quá dài (tối đa {limit} byte). Rút ngắn lại."),
        Limited::Name => format!("Họ tên quá dài (tối đa {limit} byte). Rút ngắn lại."),
        Limited::DocBytes => format!(
            "Hồ sơ đã đạt giới hạn dung lượng ({limit} byte) nên không ghi thêm được. Ghi phần còn lại vào hồ sơ mới."
        ),
        Limited::DocChanges => format!(
            "Hồ sơ đã đạt giới hạn {limit} lần thay đổi nên không ghi thêm được. Ghi phần còn lại vào hồ sơ mới."
        ),
        Limited::ImportLine => format!(
            "Một dòng của tệp nhập dài quá {limit} byte: mỗi dòng là một hồ sơ. Kiểm tra lại tệp."
        ),
        Limited::RegistryLine => {
            format!("Một dòng của tệp dữ liệu dân cư dài quá {limit} byte. Kiểm tra lại tệp.")
        }
        Limited::ImportPast => format!(
            "Quá trình xử lý và ghi chú của hồ sơ nhập vào vượt quá {limit} mục. Kiểm tra lại tệp."
        ),
        // A bound newer than this console.
        _ => format!("Nội dung quá dài (tối đa {limit}). Rút ngắn lại."),
    }
}

/// A refused control character, in Vietnamese.
pub fn control_char_vi(_: &ControlChar) -> String {
    "Nội dung có ký tự điều khiển không được phép (thường do dán từ chương trình khác). Xoá ký tự đó rồi ghi lại.".to_string()
}

/// An invalid node setting, catalog or holiday calendar, in Vietnamese.
pub fn config_vi(e: &ConfigError) -> String {
    match e {
        ConfigError::UnknownRole(_) => "Vai trò của máy phải là xã hoặc tỉnh.".to_string(),
        ConfigError::BadRealm(_) => {
            "Tệp cấu hình của máy ghi sai mã hệ thống. Báo quản trị khôi phục tệp cấu hình từ bản sao lưu.".to_string()
        }
        ConfigError::BadProvince(c) => {
            format!("Mã tỉnh «{c}» phải gồm 2 chữ số (Lạng Sơn là 20).")
        }
        ConfigError::CommuneMissing => {
            "Máy cấp xã cần mã xã (5 chữ số, ví dụ 06112 của Xã Bình Gia).".to_string()
        }
        ConfigError::BadCommune(c) => format!("Mã xã «{c}» phải gồm 5 chữ số (ví dụ 06112)."),
        ConfigError::BadUnitCode(c) => format!(
            "Mã đơn vị tiếp nhận «{c}» chỉ gồm chữ, số và dấu chấm (ví dụ 000.20.06.112)."
        ),
        ConfigError::Unreadable { .. } => {
            "Tệp cấu hình của máy bị hỏng nên không đọc được. Báo quản trị sửa lại hoặc khôi phục từ bản sao lưu.".to_string()
        }
        ConfigError::Catalog(_) => {
            "Danh mục thủ tục của máy không đọc được. Báo quản trị sửa tệp danh mục.".to_string()
        }
        ConfigError::Holidays(_) => {
            "Lịch nghỉ lễ của máy không đọc được. Báo quản trị sửa tệp lịch nghỉ.".to_string()
        }
    }
}

/// A peers file or peer entry that is not valid, in Vietnamese.
pub fn peer_vi(e: &PeerError) -> String {
    match e {
        PeerError::Unreadable { .. } => {
            "Danh sách máy đồng bộ bị hỏng nên không đọc được. Báo quản trị sửa lại hoặc thêm lại từng máy.".to_string()
        }
        PeerError::TooManyInFile { max, .. } | PeerError::TooMany { max } => format!(
            "Danh sách máy đồng bộ đã đủ {max} máy. Báo quản trị bớt những máy không còn dùng."
        ),
        PeerError::OwnId => {
            "Đó là mã của chính máy này. Nhập mã của máy cần đồng bộ.".to_string()
        }
        PeerError::BadAddr(a) => {
            format!("Địa chỉ «{a}» phải có dạng IP:cổng, ví dụ 192.168.1.10:7420.")
        }
        PeerError::CommuneScopeMissing => "Máy cấp xã cần ghi mã xã (5 chữ số).".to_string(),
        PeerError::BadScope { code, role } => match role {
            NodeRole::Hub => format!("Mã tỉnh «{code}» phải gồm 2 chữ số."),
            NodeRole::Commune => format!("Mã xã «{code}» phải gồm 5 chữ số."),
        },
    }
}

/// An audit chain refusal, in Vietnamese.
pub fn audit_vi(e: &AuditError) -> String {
    match e {
        AuditError::CosignRefused(_) => {
            "Chữ ký xác nhận nhật ký từ tỉnh không hợp lệ nên chưa được lưu. Lần đồng bộ sau sẽ xin lại; nếu lặp lại, báo quản trị.".to_string()
        }
        AuditError::OfficerIdTooLong { max, .. } => {
            format!("Mã cán bộ dài quá {max} ký tự. Dùng mã ngắn hơn.")
        }
        AuditError::TooManyChanges { .. } => {
            "Thao tác thay đổi quá nhiều nội dung cùng lúc. Chia nhỏ rồi thực hiện lại.".to_string()
        }
        AuditError::BatchTooLarge { .. } => {
            "Máy bên kia gửi quá nhiều mục nhật ký trong một lần nên chưa lưu gì. Báo quản trị kiểm tra máy đó.".to_string()
        }
        AuditError::BundleRecordTooLarge => {
            "Gói chứng cứ quá lớn. Xuất theo khoảng thời gian ngắn hơn.".to_string()
        }
        AuditError::NoSuchEntry { seq, .. } => format!(
            "Không có mục nhật ký số {seq} của hồ sơ này. Xem nhật ký kiểm toán của hồ sơ để chọn đúng mục."
        ),
    }
}

/// A serialization failure (a bug), in Vietnamese.
pub fn encode_vi(_: &EncodeError) -> String {
    "Máy gặp lỗi chương trình khi ghi dữ liệu; dữ liệu chưa bị thay đổi. Báo quản trị (chi tiết trong nhật ký).".to_string()
}

/// A received document that was refused and quarantined, in Vietnamese.
pub fn ingest_vi(e: &IngestError) -> String {
    match e {
        IngestError::Refused { kind, .. } => match kind {
            RefusalKind::Unaccounted => {
                "Hồ sơ nhận được chưa có nhật ký kiểm toán đi kèm nên được giữ lại để kiểm tra; sẽ ghi nhận khi nhật ký đến.".to_string()
            }
            RefusalKind::OutOfScope => {
                "Hồ sơ nhận được không thuộc địa bàn của máy này nên được giữ lại, không ghi vào.".to_string()
            }
            RefusalKind::Invalid => {
                "Hồ sơ nhận được bị hỏng hoặc sai địa bàn nên được giữ lại, không ghi vào.".to_string()
            }
        },
        IngestError::NothingMerged => {
            "Không ghi nhận được hồ sơ nhận về. Báo quản trị (chi tiết trong nhật ký).".to_string()
        }
    }
}

/// The sentence for an error this console has no sentence for yet (the detail is logged).
const GENERAL: &str = "Máy không thực hiện được thao tác này. Thử lại; nếu vẫn lỗi, báo quản trị (chi tiết trong nhật ký).";

/// An officer-account refusal in Vietnamese (issue 12).
pub fn account_vi(e: &AccountError) -> String {
    match e {
        AccountError::Disabled { .. } => {
            "Tài khoản này đã bị khóa, không đăng nhập hay ghi được nữa. Liên hệ lãnh đạo bộ phận.".to_string()
        }
        AccountError::MustChangePassphrase { .. } => {
            "Mật khẩu hiện tại là mật khẩu tạm: hãy đổi sang mật khẩu của riêng bạn trước (quản trị hướng dẫn cách đổi), rồi đăng nhập lại.".to_string()
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
            "Máy này chưa được khởi tạo dữ liệu. Báo quản trị khởi tạo máy.".to_string()
        }
        NodeError::AlreadyInitialized { .. } => {
            "Thư mục dữ liệu đã có một nút. Dùng nút đó hoặc chọn thư mục khác.".to_string()
        }
        NodeError::StoreLocked { .. } => {
            "Kho dữ liệu đang được một chương trình khác mở (màn hình làm việc khác hoặc dịch vụ đồng bộ). Đóng chương trình đó rồi mở lại.".to_string()
        }
        NodeError::Corrupt { .. } => {
            "Dữ liệu trên máy bị hỏng. Báo quản trị khôi phục từ bản sao lưu hoặc đồng bộ lại từ tỉnh.".to_string()
        }
        NodeError::Integrity(i) => store_integrity_vi(i),
        NodeError::Store(_) => {
            "Kho dữ liệu của máy gặp lỗi. Thử lại; nếu vẫn lỗi, báo quản trị.".to_string()
        }
        NodeError::Document(_) | NodeError::Automerge(_) => {
            "Tài liệu hồ sơ không đọc được. Thử tải lại (r); nếu vẫn lỗi, báo quản trị.".to_string()
        }
        NodeError::UnknownProcedure(_) => {
            "Thủ tục này không có trong danh mục của máy. Chọn thủ tục khác hoặc báo quản trị cập nhật danh mục.".to_string()
        }
        NodeError::Field(f) => format!(
            "Ô «{}» không hợp lệ. Sửa lại giá trị đã nhập.",
            field_label(catalog, None, &f.field)
        ),
        NodeError::UnknownField { procedure, field } => {
            match field_label_opt(catalog, Some(procedure), field) {
                Some(label) => format!(
                    "Thủ tục «{}» không có ô «{label}».",
                    procedure_name(catalog, procedure)
                ),
                None => format!(
                    "Thủ tục «{}» không có ô đã nhập. Kiểm tra lại tên ô.",
                    procedure_name(catalog, procedure)
                ),
            }
        }
        NodeError::MissingFields { procedure, fields } => format!(
            "Còn thiếu: {}. Nhập đủ rồi tiếp nhận lại.",
            fields
                .iter()
                .map(|f| field_label(catalog, Some(procedure), f))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        NodeError::RegistryField { field } => match field_label_opt(catalog, None, field) {
            Some(label) => format!(
                "Ô «{label}» lấy từ CSDL dân cư nên không sửa ở đây được; cần đính chính trong CSDL dân cư."
            ),
            None => "Ô này lấy từ CSDL dân cư nên không sửa ở đây được; cần đính chính trong CSDL dân cư.".to_string(),
        },
        NodeError::CorrectionNeedsReason { field } => match field_label_opt(catalog, None, field) {
            Some(label) => format!(
                "Ô «{label}» lấy từ CSDL dân cư: muốn sửa phải ghi lý do (ví dụ giấy tờ mới hơn của công dân). Thông tin gốc từ CSDL vẫn được giữ."
            ),
            None => "Ô này lấy từ CSDL dân cư: muốn sửa phải ghi lý do (ví dụ giấy tờ mới hơn của công dân). Thông tin gốc từ CSDL vẫn được giữ.".to_string(),
        },
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
        NodeError::Refused(r) => refusal_vi(r, catalog),
        NodeError::TooLarge(l) => limit_vi(l),
        NodeError::ControlChar(c) => control_char_vi(c),
        NodeError::Account(a) => account_vi(a),
        NodeError::Backup(_) => {
            "Tệp sao lưu không dùng được (hỏng, thiếu hoặc không phải tệp sao lưu). Báo quản trị dùng bản sao lưu khác.".to_string()
        }
        NodeError::Restore(hoso_node::restore::RestoreError::Pending) => {
            "Máy đang được khôi phục và chưa liên lạc được với máy chủ tỉnh: chưa ghi được. Báo quản trị hoàn tất việc khôi phục.".to_string()
        }
        NodeError::Restore(_) => {
            "Việc khôi phục máy không tiếp tục được. Báo quản trị (chi tiết trong nhật ký).".to_string()
        }
        NodeError::CatalogBundle(e) => catalog_bundle_vi(e),
        NodeError::Config(c) => config_vi(c),
        NodeError::Peer(p) => peer_vi(p),
        NodeError::Audit(a) => audit_vi(a),
        NodeError::Encode(e) => encode_vi(e),
        NodeError::Ingest(i) => ingest_vi(i),
        NodeError::BadDocument { .. } => {
            "Tài liệu hồ sơ nhận được không đúng định dạng nên không đọc được. Kiểm tra lại tệp hoặc báo quản trị.".to_string()
        }
        NodeError::PassphraseHash { .. } => {
            "Chưa tạo được mật khẩu lúc này. Thử lại; nếu vẫn lỗi, báo quản trị.".to_string()
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
        // A kind of error newer than this console: a general sentence; the detail is logged.
        other => {
            tracing::warn!(error = %other, "node error without a Vietnamese message");
            GENERAL.to_string()
        }
    }
}

/// A refused catalog bundle or catalog version (issue 12), for officers.
fn catalog_bundle_vi(e: &hoso_node::catalog_bundle::CatalogBundleError) -> String {
    use hoso_node::catalog_bundle::CatalogBundleError as E;
    match e {
        E::NotNewer { held, offered } => format!(
            "Danh mục phiên bản {offered} không mới hơn phiên bản {held} đang dùng nên không áp dụng."
        ),
        E::NotFromHub { .. } => {
            "Danh mục thủ tục không đến từ máy chủ tỉnh của xã nên bị từ chối.".to_string()
        }
        E::NotHub => "Chỉ máy chủ tỉnh mới ban hành danh mục thủ tục.".to_string(),
        E::ReasonRequired => {
            "Cần ghi lý do khi chuyển hồ sơ sang danh mục khác.".to_string()
        }
        E::UnknownVersion { version } => format!(
            "Máy chưa có danh mục phiên bản {version}. Đồng bộ với máy chủ tỉnh rồi thử lại."
        ),
        _ => "Gói danh mục thủ tục không hợp lệ (hỏng, sai chữ ký hoặc sai nội dung) nên không áp dụng. Báo quản trị.".to_string(),
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
    fn a_correction_without_reason_is_a_vietnamese_sentence() {
        let cat = Catalog::builtin().expect("catalog");
        let m = node_error_vi(
            &NodeError::CorrectionNeedsReason {
                field: "requester_full_name".into(),
            },
            &cat,
        );
        assert!(m.contains("ghi lý do"), "{m}");
        assert!(!m.contains("requester_full_name"), "{m}");
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
                    track: Some("health_insurance_child".into()),
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

    /// The sentences for kinds this console does not know: a real message never falls back.
    const FALLBACKS: [&str; 5] = [
        GENERAL,
        "Số định danh cá nhân không hợp lệ. Kiểm tra lại trên thẻ CCCD.",
        "Quy trình của thủ tục không cho phép thao tác này.",
        "Kho dữ liệu của máy không dùng được. Báo quản trị (chi tiết trong nhật ký).",
        "Thao tác này không đúng quy định về hồ sơ. Kiểm tra lại.",
    ];

    /// Onsets, then rhymes' finals, of a Vietnamese syllable written without diacritics.
    const ONSETS: [&str; 27] = [
        "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr", "b", "c", "d", "g", "h",
        "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "",
    ];
    const FINALS: [&str; 13] = [
        "ng", "nh", "ch", "c", "m", "n", "p", "t", "i", "y", "o", "u", "",
    ];

    /// True when an ASCII word can be a Vietnamese syllable without its diacritics ("tin",
    /// "theo", "danh"); English words ("must", "case", "node", "store") cannot.
    fn vietnamese_syllable(word: &str) -> bool {
        let w = word.to_lowercase();
        ONSETS.iter().any(|onset| {
            w.strip_prefix(onset).is_some_and(|rest| {
                FINALS.iter().any(|fin| {
                    rest.strip_suffix(fin).is_some_and(|nucleus| {
                        (1..=3).contains(&nucleus.len())
                            && nucleus.chars().all(|c| "aeiouy".contains(c))
                    })
                })
            })
        })
    }

    /// Why `m` is not a Vietnamese sentence for an officer (English words, backquoted commands,
    /// `snake_case` codes, the general fallback), or `None`.
    fn not_vietnamese(m: &str, e: &NodeError) -> Option<String> {
        let english = e.to_string();
        let why = if m.is_ascii() {
            "all ASCII".to_string()
        } else if m == english || FALLBACKS.contains(&m) {
            "the general fallback".to_string()
        } else if m.contains('`') || m.contains('_') {
            "a code".to_string()
        } else {
            // Allowed ASCII words: acronyms (CCCD, CSDL, IP, VNeID) and the byte unit.
            let word = m.split(|c: char| !c.is_alphanumeric()).find(|w| {
                w.len() >= 2
                    && w.chars().all(|c| c.is_ascii_alphabetic())
                    && w.chars().filter(char::is_ascii_uppercase).count() < 2
                    && *w != "byte"
                    && !vietnamese_syllable(w)
            })?;
            format!("the English word `{word}`")
        };
        Some(format!("{why} in «{m}» (for: {english})"))
    }

    #[test]
    fn the_word_check_tells_english_from_vietnamese() {
        for w in [
            "tin", "theo", "danh", "nghieng", "khong", "Trung", "quyen", "chuyen",
        ] {
            assert!(vietnamese_syllable(w), "{w}");
        }
        for w in [
            "must",
            "case",
            "node",
            "store",
            "error",
            "digits",
            "passphrase",
            "stop",
        ] {
            assert!(!vietnamese_syllable(w), "{w}");
        }
    }

    #[test]
    fn every_node_error_has_a_vietnamese_sentence() {
        let cat = Catalog::builtin().expect("catalog");
        let all = hoso_node::error::examples::all();
        assert!(all.len() > 100, "{}", all.len());
        let bad: Vec<String> = all
            .iter()
            .filter_map(|e| not_vietnamese(&node_error_vi(e, &cat), e))
            .collect();
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }
}
