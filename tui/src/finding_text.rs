//! Verification findings as Vietnamese sentences for the auditor: which chain (by the node's
//! name), which entry, what is wrong, and which case (by receipt code when it is held). Read
//! from the typed [`Finding`], never from its English text.

use hoso_node::audit::verify::{Finding, Report};
use hoso_node::{CaseId, NodeId};

/// Names what a finding points at.
pub trait Names {
    /// A chain's node, by name.
    fn node(&self, id: &NodeId) -> String;
    /// A case, by receipt code when known.
    fn case(&self, id: &CaseId) -> String;
}

/// One finding as a sentence.
pub fn finding_vi(f: &Finding, n: &dyn Names) -> String {
    use Finding::*;
    let at = |o: &NodeId, seq: &u64| format!("Mục #{seq} của chuỗi {}", n.node(o));
    match f {
        BadSignature { origin, seq } => {
            format!("{}: chữ ký không hợp lệ (mục đã bị sửa).", at(origin, seq))
        }
        BrokenLink { origin, seq } => format!(
            "{}: không nối với mục trước (chuỗi bị chèn, xoá hoặc sửa).",
            at(origin, seq)
        ),
        SeqGap {
            origin,
            expected,
            got,
        } => format!(
            "Chuỗi {} thiếu mục #{expected} (mục kế tiếp đang giữ là #{got}).",
            n.node(origin)
        ),
        SeqMismatch {
            origin,
            seq,
            claimed,
        } => format!(
            "{}: được lưu ở vị trí #{seq} nhưng ghi là #{claimed}.",
            at(origin, seq)
        ),
        Equivocation { origin, seq, .. } => format!(
            "{}: có hai phiên bản cùng được ký (máy ghi hai lịch sử khác nhau).",
            at(origin, seq)
        ),
        TruncatedBelowCheckpoint {
            origin,
            have,
            cosigned,
        } => format!(
            "Chuỗi {} chỉ còn {have} mục nhưng đã được xác nhận tới {cosigned} mục (bị cắt bớt).",
            n.node(origin)
        ),
        InconsistentWithCheckpoint { origin, size } => format!(
            "Chuỗi {}: các mục tới #{} khác với bản đã được xác nhận (bị viết lại).",
            n.node(origin),
            size.saturating_sub(1)
        ),
        CheckpointEquivocation { origin, .. } => format!(
            "Trung tâm xác nhận đã từ chối một điểm kiểm của chuỗi {} (máy đưa ra hai lịch sử).",
            n.node(origin)
        ),
        BadCheckpoint { origin, size, .. } => format!(
            "Điểm kiểm {size} mục của chuỗi {} không hợp lệ.",
            n.node(origin)
        ),
        BadCosignature {
            origin,
            size,
            witness,
        } => format!(
            "Chữ ký xác nhận của {} cho điểm kiểm {size} mục của chuỗi {} không hợp lệ.",
            n.node(witness),
            n.node(origin)
        ),
        UnaccountedChange { case, .. } => format!(
            "Hồ sơ {}: có thay đổi không có mục nhật ký nào ghi nhận.",
            n.case(case)
        ),
        MissingChange {
            case, origin, seq, ..
        } => format!(
            "{}: ghi một thay đổi của hồ sơ {} nhưng hồ sơ không có thay đổi đó.",
            at(origin, seq),
            n.case(case)
        ),
        MisattributedChange {
            case, origin, seq, ..
        } => format!(
            "{}: ghi nhận thay đổi của hồ sơ {} do máy khác tạo.",
            at(origin, seq),
            n.case(case)
        ),
        DuplicateAccounting {
            case, origin, seq, ..
        } => format!(
            "{}: ghi lại một thay đổi của hồ sơ {} đã được ghi nhận ở mục khác.",
            at(origin, seq),
            n.case(case)
        ),
        CaseMismatch {
            case,
            origin,
            seq,
            listed,
            ..
        } => format!(
            "{}: ghi thay đổi của hồ sơ {} dưới hồ sơ {}.",
            at(origin, seq),
            n.case(case),
            n.case(listed)
        ),
        HeadsMismatch {
            case, origin, seq, ..
        } => format!(
            "{}: thay đổi của hồ sơ {} dựa trên phiên bản cán bộ không được xem.",
            at(origin, seq),
            n.case(case)
        ),
        BadDocument { case, .. } => {
            format!("Hồ sơ {}: dữ liệu không đọc được trọn vẹn.", n.case(case))
        }
        NonCanonical { origin, seq, .. } => format!("{}: mã hoá không chuẩn.", at(origin, seq)),
        TooLarge { origin, seq, .. } => format!("{}: lớn quá giới hạn.", at(origin, seq)),
        BadGenesis { origin, seq, .. } => {
            format!("{}: phần mở đầu chuỗi không hợp lệ.", at(origin, seq))
        }
        ClockRollback { origin, seq } => format!(
            "{}: thời gian sớm hơn mục trước mà không có ghi nhận đồng hồ bị lùi.",
            at(origin, seq)
        ),
        FutureTimestamp { origin, seq } => format!(
            "{}: thời gian muộn hơn lúc được xác nhận (ghi lùi ngày giờ).",
            at(origin, seq)
        ),
        WrongRealm { origin, seq } => format!("{}: thuộc hệ thống khác.", at(origin, seq)),
        WrongOrigin {
            origin,
            seq,
            claimed,
        } => format!(
            "{}: do {} ký, không phải máy của chuỗi.",
            at(origin, seq),
            n.node(claimed)
        ),
        UnknownOrigin { origin } => format!(
            "Chuỗi {}: máy không có trong danh sách đăng ký.",
            n.node(origin)
        ),
        AnchorRegression { origin, seq } => {
            format!("{}: mốc xác nhận cũ hơn mục trước.", at(origin, seq))
        }
        UnknownAnchor { origin, seq } => {
            format!("{}: dẫn một chữ ký xác nhận không có.", at(origin, seq))
        }
        MalformedBundle { offset, .. } => format!("Gói bằng chứng hỏng ở byte {offset}."),
        PayloadMismatch { origin, seq } => format!(
            "{}: nội dung chi tiết không khớp với mã băm (bị sửa).",
            at(origin, seq)
        ),
    }
}

/// The verdict in one sentence.
pub fn verdict_vi(r: &Report) -> String {
    let scope = format!(
        "{} chuỗi, {} mục, {} hồ sơ, {} thay đổi, {} chữ ký xác nhận",
        r.chains.len(),
        r.entries,
        r.cases,
        r.changes,
        r.cosignatures
    );
    if r.ok {
        format!("TOÀN VẸN: không phát hiện sai lệch ({scope}).")
    } else {
        format!("PHÁT HIỆN {} SAI LỆCH trong {scope}.", r.findings.len())
    }
}
