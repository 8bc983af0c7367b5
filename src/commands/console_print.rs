//! The console's printer: the forms of `hoso case print`, written as PDF files in the print
//! directory and sent with `lp` to the printer `HOSO_PRINTER` names, when it names one.
//!
//! The print directory is `HOSO_PRINT_DIR`, else `~/hoso-in`, else `hoso-in` in the temp dir;
//! it is created if missing, and never inside the node's data dir (the same rule as
//! `case print --out`). A file is `<receipt code>-<form>.pdf` (`…-giay-hen.pdf`), replaced when
//! printed again.

use std::path::PathBuf;
use std::process::Command;

use hoso_forms::FormKind;
use hoso_node::Node;
use hoso_tui::print::{Form, Printed, Printer};

/// Prints with the forms crate and `lp`.
#[derive(Debug, Default)]
pub(super) struct FormPrinter;

/// Where printed forms go.
pub(super) fn print_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("HOSO_PRINT_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    match std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        Some(h) => PathBuf::from(h).join("hoso-in"),
        None => std::env::temp_dir().join("hoso-in"),
    }
}

fn kind(form: Form) -> FormKind {
    match form {
        Form::Receipt => FormKind::Receipt,
        Form::Supplement => FormKind::Supplement,
        Form::Refusal => FormKind::Refusal,
        Form::Apology => FormKind::Apology,
        Form::Tracking => FormKind::Tracking,
    }
}

/// Sends `file` to `printer` with `lp`; the error in Vietnamese.
fn send(printer: &str, file: &std::path::Path) -> Result<(), String> {
    let out = Command::new("lp")
        .arg("-d")
        .arg(printer)
        .arg("--")
        .arg(file)
        .output()
        .map_err(|e| {
            tracing::warn!(error = %e, "lp not run");
            "không chạy được lệnh in lp (máy chưa cài CUPS?)".to_string()
        })?;
    if out.status.success() {
        Ok(())
    } else {
        tracing::warn!(stderr = %String::from_utf8_lossy(&out.stderr), "lp failed");
        Err(format!(
            "máy in {printer} không nhận lệnh in (kiểm tra tên máy in, HOSO_PRINTER)"
        ))
    }
}

impl Printer for FormPrinter {
    fn print(
        &self,
        node: &Node,
        officer: &str,
        reference: &str,
        form: Form,
    ) -> Result<Printed, String> {
        let (view, pdf) =
            super::print::form_pdf(node, reference, kind(form), officer).map_err(|e| {
                tracing::warn!(error = %e, case = reference, form = form.as_str(), "form not made");
                "không tạo được giấy tờ (chi tiết trong nhật ký)".to_string()
            })?;
        let dir = print_dir();
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("không tạo được thư mục in {}: {e}", dir.display()))?;
        let path = dir.join(format!("{}-{}.pdf", view.receipt_code, form.file_word()));
        crate::out_file::write(&path, node.dir(), |w| Ok(w.write_all(&pdf)?)).map_err(|e| {
            tracing::warn!(error = %e, file = %path.display(), "form not written");
            format!("không ghi được tệp {}", path.display())
        })?;
        let printer = std::env::var("HOSO_PRINTER")
            .ok()
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty());
        let send_error = printer.as_deref().and_then(|p| send(p, &path).err());
        Ok(Printed {
            path,
            printer,
            send_error,
        })
    }
}
