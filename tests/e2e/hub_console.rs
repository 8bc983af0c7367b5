//! The hub's console end to end, with real processes: two communes (`init --sample`) sync to a
//! hub running `hoso serve` over iroh on loopback; the hub is stopped, and its console, opened
//! afterwards in tmux at 80×24, shows both communes on the dashboard with their last contact
//! (read back from the store: it survived the restart); the auditor then filters one officer's
//! actions across every chain the hub holds.
//!
//! tmux is required (CI installs it, see .ci/run).

use std::path::Path;
use std::time::Duration;

use hoso_testkit::cli::{Hoso, sh_quote};
use hoso_testkit::tmux::Tmux;

use crate::BIN;
use crate::sync_e2e::{free_port, lead, node_id, ok as hoso, serve, stop};

const WAIT: Duration = Duration::from_secs(60);

fn console_cmd(dir: &Path) -> String {
    let script = format!(
        "env -u COLUMNS -u LINES NO_COLOR=1 TERM=xterm-256color {} --data-dir {} tui",
        sh_quote(BIN),
        sh_quote(&dir.to_string_lossy()),
    );
    format!("sh -c {}", sh_quote(&script))
}

fn login(t: &Tmux, officer: &str) {
    t.wait_for("Đăng nhập cán bộ");
    t.text(officer);
    t.keys(&["Enter"]);
    t.text("hoso-demo");
    t.keys(&["Enter"]);
}

/// The dashboard row of a commune (`06112 Xã Bình Gia …`).
fn row<'a>(screen: &'a str, code: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(&format!("│{code} ")))
        .unwrap_or_else(|| panic!("no row for {code} on:\n{screen}"))
}

#[test]
fn two_communes_sync_then_the_hub_dashboard_and_the_auditor_filter() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (hub, a, b) = (
        tmp.path().join("hub"),
        tmp.path().join("binhgia"),
        tmp.path().join("hoatham"),
    );
    let hub_addr = format!("127.0.0.1:{}", free_port());
    hoso(
        &hub,
        &[
            "init",
            "--role",
            "hub",
            "--province",
            "20",
            "--listen",
            &hub_addr,
            "--sample",
        ],
    );
    for (dir, code) in [(&a, "06112"), (&b, "06115")] {
        let listen = format!("127.0.0.1:{}", free_port());
        hoso(
            dir,
            &["init", "--commune", code, "--listen", &listen, "--sample"],
        );
    }
    let hub_id = node_id(&hub);
    for (dir, code, name) in [(&a, "06112", "Xã Bình Gia"), (&b, "06115", "Xã Hoa Thám")] {
        let id = node_id(dir);
        lead(
            &hub,
            &[
                "peer", "add", &id, "--role", "commune", "--scope", code, "--name", name,
            ],
        );
        lead(
            dir,
            &[
                "peer",
                "add",
                &hub_id,
                "--addr",
                &hub_addr,
                "--role",
                "hub",
                "--name",
                "Hub Lạng Sơn",
            ],
        );
    }
    // One officer's action at Hoa Thám before it syncs: canbo02 notes a case.
    let list: serde_json::Value =
        serde_json::from_str(&hoso(&b, &["--json", "case", "list", "--limit", "1"])).expect("json");
    let code = list[0]["receipt_code"]
        .as_str()
        .expect("a case")
        .to_string();
    Hoso::new(BIN, &b).as_officer("canbo02").ok(&[
        "case",
        "note",
        &code,
        "Đã gọi điện hẹn công dân",
    ]);

    let server = serve(&hub);
    for dir in [&a, &b] {
        hoso(dir, &["sync", "--once"]);
    }
    stop(server);

    // The hub's console, in a new process: the contacts come from the store.
    let t = Tmux::start_sized("hub", &console_cmd(&hub), 80, 24).waiting(WAIT);
    login(&t, "lanhdao01");
    let s = t.wait_until("both communes on the dashboard", |s| {
        s.contains("│06112 ") && s.contains("│06115 ")
    });
    eprintln!("hub dashboard at 80x24:\n{s}");
    assert!(s.contains("1 Các xã") && !s.contains("2 Tiếp nhận"), "{s}");
    for c in ["06112", "06115"] {
        let r = row(&s, c);
        assert!(!r.contains("chưa lần nào"), "last contact kept: {r}");
        assert!(r.contains(':'), "a contact time: {r}");
    }
    assert!(s.contains("400 hồ sơ tại trung tâm"), "{s}");
    t.keys(&["n"]);
    t.wait_for("không tiếp nhận");
    t.keys(&["C-c"]);
    drop(t);

    // The auditor: every chain the hub holds, then one officer's actions.
    let t = Tmux::start_sized("audit", &console_cmd(&hub), 80, 24).waiting(WAIT);
    login(&t, "thanhtra01");
    t.wait_for("│06112 ");
    t.keys(&["4"]);
    let s = t.wait_for("mục trong 3 chuỗi");
    assert!(s.contains("Nhật ký kiểm toán"), "{s}");
    t.keys(&["f", "Tab"]);
    t.text("canbo02");
    t.keys(&["Enter"]);
    let rows_of = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| l.starts_with('│') && l.contains('/') && l.contains(':'))
            .map(str::to_string)
            .collect()
    };
    let s = t.wait_until("only canbo02's actions", |s| {
        let rows = rows_of(s);
        s.contains("Thêm ghi chú")
            && !rows.is_empty()
            && rows
                .iter()
                .all(|r| r.contains("canbo02") && r.contains("06115"))
    });
    eprintln!("auditor filtered to canbo02 at 80x24:\n{s}");
    assert!(s.contains("mục khớp"), "{s}");
    assert!(!s.contains("case_") && !s.contains('{'), "{s}");
    t.keys(&["C-c"]);
}
