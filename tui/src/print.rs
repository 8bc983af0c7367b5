//! Printing from the console (issue 11, item 6): the receipt after receiving a case, and every
//! one-stop form from the case detail. The forms themselves (typst templates, PDF) live in the
//! `hoso-forms` crate, which the console does not depend on: the binary hands the console a
//! [`Printer`] (see `src/commands/console_print.rs`), so the console stays on hoso-node and
//! hoso-schemas. The printer writes the PDF to a file, whose path the console shows, and sends it
//! to the printer named by `HOSO_PRINTER` with `lp` where one is set.

use std::path::PathBuf;
use std::sync::Arc;

use hoso_node::{CaseView, Node};
use hoso_schemas::Status;

/// A one-stop form (Circular 01/2018/TT-VPCP).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// Mẫu 01: receipt and appointment.
    Receipt,
    /// Mẫu 02: supplement request.
    Supplement,
    /// Mẫu 03: refusal.
    Refusal,
    /// Mẫu 04: apology with a new date.
    Apology,
    /// Mẫu 05: tracking sheet.
    Tracking,
}

impl Form {
    /// Every form, in menu order.
    pub const ALL: [Form; 5] = [
        Form::Receipt,
        Form::Supplement,
        Form::Refusal,
        Form::Apology,
        Form::Tracking,
    ];

    /// The word the forms crate knows (`receipt`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Form::Receipt => "receipt",
            Form::Supplement => "supplement",
            Form::Refusal => "refusal",
            Form::Apology => "apology",
            Form::Tracking => "tracking",
        }
    }

    /// The Vietnamese title.
    pub fn title_vi(self) -> &'static str {
        match self {
            Form::Receipt => "Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu 01)",
            Form::Supplement => "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02)",
            Form::Refusal => "Phiếu từ chối tiếp nhận, giải quyết hồ sơ (Mẫu 03)",
            Form::Apology => "Phiếu xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04)",
            Form::Tracking => "Phiếu kiểm soát quá trình giải quyết hồ sơ (Mẫu 05)",
        }
    }

    /// A file-name word without accents (`giay-hen`, …).
    pub fn file_word(self) -> &'static str {
        match self {
            Form::Receipt => "giay-hen",
            Form::Supplement => "yeu-cau-bo-sung",
            Form::Refusal => "tu-choi",
            Form::Apology => "xin-loi",
            Form::Tracking => "phieu-kiem-soat",
        }
    }

    /// Why this case has nothing to print on this form yet, if so: the supplement request,
    /// refusal and apology print the case's own records.
    pub fn unavailable(self, v: &CaseView) -> Option<&'static str> {
        match self {
            Form::Supplement if v.supplements.is_empty() => Some("chưa có yêu cầu bổ sung"),
            Form::Refusal => {
                let refused = v.history.iter().any(|h| {
                    h.track.is_none()
                        && matches!(h.to, Status::RejectedAtIntake | Status::Stopped)
                        && h.note.as_deref().is_some_and(|n| !n.trim().is_empty())
                });
                (!refused).then_some("chưa từ chối, hoặc từ chối không ghi lý do")
            }
            Form::Apology if v.apologies.is_empty() => Some("chưa có phiếu xin lỗi"),
            _ => None,
        }
    }
}

/// A form written to a file and, where a printer is set, sent to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Printed {
    /// The PDF file.
    pub path: PathBuf,
    /// The printer it was sent to.
    pub printer: Option<String>,
    /// Why sending failed (the file is there all the same), in Vietnamese.
    pub send_error: Option<String>,
}

/// Makes a form of a case as PDF (blocking; the console runs it on the blocking pool).
pub trait Printer: Send + Sync + std::fmt::Debug {
    /// Writes `form` of case `reference`, signed by `officer`, and sends it to the printer if
    /// one is set. The error is a Vietnamese sentence.
    fn print(
        &self,
        node: &Node,
        officer: &str,
        reference: &str,
        form: Form,
    ) -> Result<Printed, String>;
}

/// A shared printer.
pub type SharedPrinter = Arc<dyn Printer>;

/// The one-line message after printing.
pub fn done_vi(form: Form, p: &Printed) -> String {
    let what = match form {
        Form::Receipt => "giấy tiếp nhận",
        Form::Supplement => "phiếu yêu cầu bổ sung",
        Form::Refusal => "phiếu từ chối",
        Form::Apology => "phiếu xin lỗi",
        Form::Tracking => "phiếu kiểm soát",
    };
    let mut out = format!("Đã tạo {what}: {}", p.path.display());
    match (&p.printer, &p.send_error) {
        (Some(name), None) => out.push_str(&format!(" · đã gửi máy in {name}")),
        (_, Some(e)) => out.push_str(&format!(" · chưa in được: {e}")),
        (None, None) => out.push_str(" · chưa đặt máy in (HOSO_PRINTER): mở tệp để in"),
    }
    out
}
