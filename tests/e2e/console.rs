//! The real `hoso` binary driven in tmux: login → new case → transition → search, reading the
//! screen with `capture-pane` and polling for text; the work queue, the short-code search and a
//! draft that survives a restart at 80×24. Also: SIGTERM restores the terminal.
//!
//! tmux is required (CI installs it, see .ci/run); without it this test fails and says so.

use std::path::Path;
use std::process::Command;

use hoso_testkit::cli::{Hoso, sh_quote};
use hoso_testkit::tmux::Tmux;

use crate::sample_node;

/// The console in a shell that writes its exit status to `status` (tmux may leave the pane's
/// process unreaped, so `#{pane_dead_status}` is not reliable).
///
/// The terminal is stated, not inherited: its type, no colour, and no `COLUMNS`/`LINES` from the
/// caller's shell (the pane is 100×30).
fn console_cmd(dir: &Path, status: &Path) -> String {
    let script = format!(
        "env -u COLUMNS -u LINES NO_COLOR=1 TERM=xterm-256color {} --data-dir {} tui; echo $? > {}",
        sh_quote(env!("CARGO_BIN_EXE_hoso")),
        sh_quote(&dir.to_string_lossy()),
        sh_quote(&status.to_string_lossy()),
    );
    format!("sh -c {}", sh_quote(&script))
}

fn exit_status(t: &Tmux, status: &Path) -> String {
    t.wait_until("the console exits", |_| {
        std::fs::read_to_string(status).is_ok_and(|s| s.ends_with('\n'))
    });
    std::fs::read_to_string(status)
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// A full receipt code on the screen (`000.20.06.112-YYMMDD-NNNN`).
fn receipt_code(screen: &str) -> Option<String> {
    screen
        .split(|c: char| c.is_whitespace() || c == '│')
        .find(|w| w.starts_with("000.") && w.matches('-').count() == 2)
        .map(|w| w.trim_end_matches('.').to_string())
}

#[test]
fn console_login_new_case_transition_search() {
    let dir = sample_node();
    let citizen = "020081900551"; // Nông Hữu Hùng in fixtures/sample/registry.jsonl
    let status = dir.path().join("console-exit");
    let t = Tmux::start("flow", &console_cmd(dir.path(), &status));
    t.wait_for("Đăng nhập cán bộ");
    assert_eq!(
        t.pane("#{alternate_on}"),
        "1",
        "the console uses the alternate screen"
    );
    t.text("canbo01");
    t.keys(&["Enter"]);
    t.text("hoso-demo");
    t.keys(&["Enter"]);
    t.wait_for("canbo01 · Cán bộ một cửa");

    // New case: procedure by name without accents, citizen id, the fields the citizen gives.
    t.keys(&["n"]);
    t.wait_for("Chọn thủ tục");
    t.text("ly lich");
    t.wait_for("> Cấp Phiếu lý lịch tư pháp");
    t.keys(&["Enter"]);
    t.wait_for("Số định danh cá nhân (CCCD");
    t.text(citizen);
    t.keys(&["Enter"]);
    t.wait_for("Nông Hữu Hùng (020081900551)");
    t.text("Bệnh viện Lạng Sơn"); // place of birth (Vietnamese through the terminal)
    t.keys(&["Tab", "Tab", "Tab", "Tab"]);
    t.text("phieu so 1");
    t.keys(&["Tab"]);
    t.text("Xin việc");
    t.keys(&["Tab", "Tab"]);
    t.text("1"); // copies
    t.keys(&["F2"]);
    let s = t.wait_for("ĐÃ TIẾP NHẬN HỒ SƠ");
    let code = receipt_code(&s).unwrap_or_else(|| panic!("no receipt code on:\n{s}"));

    // Transition from the detail, with a confirm.
    t.keys(&["Enter"]);
    t.wait_for("Trạng thái: Đã tiếp nhận");
    t.keys(&["t"]);
    t.wait_for("Chuyển trạng thái");
    t.keys(&["1"]);
    t.wait_for("Xác nhận");
    t.text("Đủ giấy tờ");
    t.keys(&["Enter"]);
    t.wait_for("Trạng thái: Đang xử lý");

    // Search by name without accents.
    t.keys(&["Escape"]);
    t.wait_for("Tìm:");
    t.keys(&["/"]);
    t.text("nong huu");
    let tail = code
        .split_once('-')
        .map(|x| x.1.to_string())
        .unwrap_or_default();
    // The search finds this case (the sample has other Nông Hữu cases). A toast may overlay
    // the right of the list for a while: wait until the case's own row shows whole.
    let row_of = |s: &str| -> Option<String> {
        s.lines()
            .find(|l| {
                l.split('│')
                    .nth(1)
                    .is_some_and(|c| c.trim_start_matches([' ', '>', '!']).starts_with(&tail))
            })
            .map(str::to_string)
    };
    t.wait_until("the new case's row in the search results", |s| {
        s.contains("khớp trong") && row_of(s).is_some_and(|r| r.contains("Đang xử lý"))
    });
    let row = row_of(&t.screen()).unwrap_or_default();
    assert!(row.contains("Nông Hữu Hùng"), "{row}");

    // q leaves and restores the terminal.
    t.keys(&["Enter", "q"]);
    assert_eq!(exit_status(&t, &status), "0", "exit status");
    assert_eq!(t.pane("#{alternate_on}"), "0", "alternate screen left");

    // The store agrees (read after the console closed it), and the history has the note.
    let shown: serde_json::Value =
        serde_json::from_str(&dir.ok(&["--json", "case", "show", &code]).stdout).expect("json");
    assert_eq!(shown["status"], "in_process", "{shown}");
    assert!(shown.to_string().contains("Đủ giấy tờ"));
}

#[test]
fn console_restores_the_terminal_on_sigterm() {
    let dir = sample_node();
    let status = dir.path().join("console-exit");
    let t = Tmux::start("term", &console_cmd(dir.path(), &status));
    t.wait_for("Đăng nhập cán bộ");
    // The pane runs `sh`, whose child is the console.
    let sh = t.pane("#{pane_pid}");
    let out = Command::new("pgrep")
        .args(["-P", &sh])
        .output()
        .expect("pgrep");
    let pid = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(!pid.is_empty(), "no console process under the pane's shell");
    let st = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(st.success());
    assert_eq!(
        exit_status(&t, &status),
        "0",
        "SIGTERM is handled: the console ends normally"
    );
    assert_eq!(
        t.pane("#{alternate_on}"),
        "0",
        "alternate screen left after SIGTERM"
    );
}

/// An officer's morning at 80×24: the work queue with its clocks and totals, the receipt code as
/// the list shows it, the ended tab, and a half-typed form that survives Ctrl+C and a restart.
#[test]
fn console_work_queue_short_code_search_and_a_draft_at_80x24() {
    let dir = sample_node();
    let status = dir.path().join("console-exit");
    let login = |t: &Tmux| {
        t.wait_for("Đăng nhập cán bộ");
        t.text("canbo01");
        t.keys(&["Enter"]);
        t.text("hoso-demo");
        t.keys(&["Enter"]);
    };
    let t = Tmux::start_sized("queue", &console_cmd(dir.path(), &status), 80, 24);
    login(&t);
    // The first page is in when the position shows ("1/110 · quá hạn trước").
    let s = t.wait_for("quá hạn trước");
    eprintln!("work queue at 80x24:\n{s}");
    assert!(s.contains("[Cần xử lý "), "{s}");
    assert!(
        s.contains(" · quá hạn "),
        "overdue count in the status bar:\n{s}"
    );
    assert!(s.contains("/ tìm"), "{s}");
    assert!(!s.contains("100+"), "{s}");
    // The selected (first) row's code, as the list shows it.
    let short = s
        .lines()
        .find_map(|l| {
            let cell = l.split('│').nth(1)?.trim_start_matches([' ', '>', '!']);
            let code = cell.split_whitespace().next()?;
            (code.len() == 11 && code.as_bytes().get(6) == Some(&b'-')).then(|| code.to_string())
        })
        .unwrap_or_else(|| panic!("no short code on:\n{s}"));
    t.keys(&["/"]);
    t.text(&short);
    let found = t.wait_for("khớp trong «Cần xử lý»");
    assert!(found.contains(&short), "{found}");
    // Esc then a letter in one write would read as Alt+letter: wait in between.
    t.keys(&["Escape"]);
    t.wait_for("/ để tìm");
    t.keys(&["e"]);
    t.wait_for("[Đã kết thúc ");
    // A form half typed, then Ctrl+C.
    t.keys(&["n"]);
    t.wait_for("Chọn thủ tục");
    t.text("ly lich");
    t.keys(&["Enter"]);
    t.wait_for("Số định danh cá nhân (CCCD");
    t.text("020081900551");
    t.keys(&["Enter"]);
    t.wait_for("Nông Hữu Hùng (020081900551)");
    t.text("Bệnh viện Lạng Sơn");
    t.keys(&["Escape"]);
    t.wait_for("Rời biểu mẫu?");
    t.keys(&["j"]); // any other key: stay
    t.wait_until("the question closes", |s| !s.contains("Rời biểu mẫu?"));
    t.keys(&["C-c"]);
    assert_eq!(exit_status(&t, &status), "0");
    drop(t);
    std::fs::remove_file(&status).ok();
    let draft = dir.path().join("drafts").join("canbo01.json");
    assert!(draft.exists(), "the draft is on disk");
    let t = Tmux::start_sized("queue2", &console_cmd(dir.path(), &status), 80, 24);
    login(&t);
    t.wait_for("bản nháp");
    t.keys(&["n"]);
    t.wait_for("Bệnh viện Lạng Sơn");
    t.keys(&["C-c"]);
    assert_eq!(exit_status(&t, &status), "0");
}

/// The console with a print directory and a printer: `lp` is the script `bin/lp` under `dir`,
/// which copies what it is given into `spool/` (this machine has no CUPS queue).
fn console_cmd_printing(dir: &Path, status: &Path) -> String {
    let bin = dir.join("bin");
    let spool = dir.join("spool");
    std::fs::create_dir_all(&bin).expect("bin dir");
    std::fs::create_dir_all(&spool).expect("spool dir");
    let lp = bin.join("lp");
    std::fs::write(
        &lp,
        format!(
            "#!/bin/sh\n# lp -d PRINTER -- FILE\n[ \"$1\" = -d ] || exit 2\necho \"$2\" >> {spool}/printers\ncp \"$4\" {spool}/\n",
            spool = sh_quote(&spool.to_string_lossy())
        ),
    )
    .expect("lp script");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&lp, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let script = format!(
        "env -u COLUMNS -u LINES NO_COLOR=1 TERM=xterm-256color PATH={}:\"$PATH\" HOSO_PRINT_DIR={} HOSO_PRINTER=quay-mot-cua {} --data-dir {} tui; echo $? > {}",
        sh_quote(&bin.to_string_lossy()),
        sh_quote(&dir.join("in").to_string_lossy()),
        sh_quote(env!("CARGO_BIN_EXE_hoso")),
        sh_quote(&dir.join("node").to_string_lossy()),
        sh_quote(&status.to_string_lossy()),
    );
    format!("sh -c {}", sh_quote(&script))
}

/// The number the open menu gives `label` (` 3  Đã xử lý xong`).
fn menu_key(screen: &str, label: &str) -> String {
    screen
        .lines()
        .find_map(|l| {
            let i = l.find(label)?;
            let head = l[..i].trim_end();
            let digit = head.chars().last().filter(char::is_ascii_digit)?;
            // A greyed entry says why after the label: it is not the one to pick.
            (!l[i..].contains("(chỉ")).then(|| digit.to_string())
        })
        .unwrap_or_else(|| panic!("no `{label}` in the menu:\n{screen}"))
}

fn pdf_text(file: &Path) -> Option<String> {
    let out = Command::new("pdftotext").arg(file).arg("-").output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// An officer's whole day at 80×24: log in, the work queue, receive a case and print its receipt,
/// correct a field the registry filled (with a reason), ask for a supplement and print it, take
/// the supplement in; the supervisor decides and records the result; the case is returned.
#[test]
fn console_officer_day_receive_print_correct_supplement_decide_result_return_at_80x24() {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = dir.path().join("node");
    Hoso::new(crate::BIN, &node).ok(&["init", "--commune", "06112", "--sample"]);
    let status = dir.path().join("console-exit");
    let t = Tmux::start_sized("day", &console_cmd_printing(dir.path(), &status), 80, 24);
    let login = |who: &str| {
        t.wait_for("Đăng nhập cán bộ");
        t.text(who);
        t.keys(&["Enter"]);
        t.text("hoso-demo");
        t.keys(&["Enter"]);
    };
    login("canbo01");
    let queue = t.wait_for("quá hạn trước");
    eprintln!("work queue at 80x24:\n{queue}");
    assert!(queue.contains("[Cần xử lý "), "{queue}");

    // Receive a case, print its receipt: the file path shows, and it went to the printer.
    t.keys(&["n"]);
    t.wait_for("Chọn thủ tục");
    t.text("ly lich");
    t.wait_for("> Cấp Phiếu lý lịch tư pháp");
    t.keys(&["Enter"]);
    t.wait_for("Số định danh cá nhân (CCCD");
    t.text("020081900551");
    t.keys(&["Enter"]);
    t.wait_for("Nông Hữu Hùng (020081900551)");
    t.text("Bệnh viện Lạng Sơn");
    t.keys(&["Tab", "Tab", "Tab", "Tab"]);
    t.text("phieu so 1");
    t.keys(&["Tab"]);
    t.text("Xin việc");
    t.keys(&["Tab", "Tab"]);
    t.text("1");
    t.keys(&["F2"]);
    let s = t.wait_for("ĐÃ TIẾP NHẬN HỒ SƠ");
    let code = receipt_code(&s).unwrap_or_else(|| panic!("no receipt code on:\n{s}"));
    t.keys(&["p"]);
    let s = t.wait_for("Đã tạo giấy tiếp nhận");
    eprintln!("receipt printed at 80x24:\n{s}");
    assert!(s.contains("quay-mot-cua"), "sent to the printer:\n{s}");
    let receipt = dir.path().join("in").join(format!("{code}-giay-hen.pdf"));
    let bytes = std::fs::read(&receipt).expect("the receipt PDF is in the print dir");
    assert!(bytes.starts_with(b"%PDF"), "a PDF");
    assert!(
        dir.path()
            .join("spool")
            .join(format!("{code}-giay-hen.pdf"))
            .exists(),
        "lp was given the file"
    );
    if let Some(text) = pdf_text(&receipt) {
        assert!(text.contains(&code), "{text}");
        assert!(text.contains("Nông Hữu Hùng"), "{text}");
    }

    // Correct the requester's name, filled from the registry: a reason is asked.
    t.keys(&["Enter"]);
    t.wait_for("Trạng thái: Đã tiếp nhận");
    t.keys(&["e"]);
    let s = t.wait_for("Sửa thông tin");
    eprintln!("correcting a registry field at 80x24:\n{s}");
    assert!(s.contains("Lý do sửa"), "{s}");
    for _ in 0..30 {
        t.keys(&["BSpace"]);
    }
    t.text("Nông Hữu Hùng Anh");
    t.keys(&["Enter"]);
    t.text("CCCD cấp lại ghi tên mới");
    t.keys(&["Enter"]);
    t.wait_for("[SỬA]");

    // In process, then the supplement request (items and deadline), printed.
    t.keys(&["t"]);
    let s = t.wait_for("Chuyển trạng thái");
    t.keys(&[&menu_key(&s, "Đang xử lý")]);
    t.wait_for("Xác nhận");
    t.keys(&["Enter"]);
    t.wait_for("Trạng thái: Đang xử lý");
    t.keys(&["b"]);
    t.wait_for("Yêu cầu bổ sung hồ sơ");
    t.text("Bản sao CCCD; Ảnh 4x6");
    t.keys(&["Tab"]);
    let by = chrono::Utc::now().date_naive() + chrono::Days::new(14);
    t.text(&by.format("%d/%m/%Y").to_string());
    t.keys(&["F2"]);
    t.wait_for("Trạng thái: Yêu cầu bổ sung");
    t.keys(&["p"]);
    t.wait_for("In giấy tờ (PDF)");
    t.keys(&["2"]);
    let s = t.wait_for("Đã tạo phiếu yêu cầu bổ sung");
    eprintln!("supplement printed, Tiến trình tab at 80x24:\n{s}");
    let supplement = dir
        .path()
        .join("in")
        .join(format!("{code}-yeu-cau-bo-sung.pdf"));
    if let Some(text) = pdf_text(&supplement) {
        assert!(text.contains("Bản sao CCCD"), "{text}");
    }
    // The citizen brings it: back in process.
    t.keys(&["t"]);
    let s = t.wait_for("Chuyển trạng thái");
    t.keys(&[&menu_key(&s, "Đang xử lý")]);
    t.wait_for("Xác nhận");
    t.keys(&["Enter"]);
    t.wait_for("Trạng thái: Đang xử lý");

    // The supervisor decides and records the result; the case is returned.
    t.keys(&[":"]);
    t.text("dang xuat");
    t.keys(&["Enter"]);
    login("lanhdao01");
    t.wait_for("quá hạn trước");
    t.keys(&["/"]);
    t.text(code.split_once('-').map_or(code.as_str(), |x| x.1));
    t.wait_for("khớp");
    t.keys(&["Enter"]); // ends the search, the matches stay
    t.wait_for("Enter mở");
    t.keys(&["Enter"]);
    t.wait_for("Trạng thái: Đang xử lý");
    t.keys(&["t"]);
    let s = t.wait_for("Chuyển trạng thái");
    t.keys(&[&menu_key(&s, "Đã xử lý xong")]);
    t.wait_for("Xác nhận");
    t.keys(&["Enter"]);
    t.wait_for("Trạng thái: Đã xử lý xong");
    t.keys(&["k"]);
    t.wait_for("Ghi kết quả giải quyết");
    t.keys(&["Tab"]);
    t.text("125/2026");
    t.keys(&["F2"]);
    t.wait_until("the result form closes", |s| {
        !s.contains("Ghi kết quả giải quyết")
    });
    t.keys(&["t"]);
    let s = t.wait_for("Chuyển trạng thái");
    t.keys(&[&menu_key(&s, "Đã trả kết quả")]);
    t.wait_for("Xác nhận");
    t.keys(&["Enter"]);
    let s = t.wait_for("Trạng thái: Đã trả kết quả");
    eprintln!("returned at 80x24:\n{s}");
    t.keys(&["Escape"]);
    t.wait_for("Tìm:");
    t.keys(&["q"]);
    assert_eq!(exit_status(&t, &status), "0");

    let shown: serde_json::Value = serde_json::from_str(
        &Hoso::new(crate::BIN, &node)
            .ok(&["--json", "case", "show", &code])
            .stdout,
    )
    .expect("json");
    assert_eq!(shown["status"], "returned", "{shown}");
    assert_eq!(shown["result_record"]["number"], "125/2026", "{shown}");
    assert_eq!(shown["supplements"][0]["items"][1], "Ảnh 4x6", "{shown}");
    assert_eq!(
        shown["corrections"][0]["to"], "Nông Hữu Hùng Anh",
        "{shown}"
    );
    assert_eq!(shown["applicant_name"], "Nông Hữu Hùng Anh", "{shown}");
    assert_eq!(
        shown["evidence"]["requester_full_name"]["record_ref"], "020081900551",
        "the registry evidence is kept: {shown}"
    );
    let printers =
        std::fs::read_to_string(dir.path().join("spool").join("printers")).unwrap_or_default();
    assert_eq!(printers.lines().count(), 2, "{printers}");
}
