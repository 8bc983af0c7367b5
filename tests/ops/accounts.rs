//! Officer accounts over time: disable (sessions end, CLI and console refuse), reset (a
//! one-time passphrase that must be changed), passwd; every step audited and on the hub.

use hoso_testkit::cli::Auth;

use super::support::*;

#[test]
fn disable_reset_passwd_are_enforced_audited_and_reach_the_hub() {
    let tmp = tempfile::tempdir().expect("tmp");
    let Pair { hub, commune, .. } = pair(tmp.path());
    let lead = commune.as_officer("lanhdao01");
    let code = new_case(&commune);

    // canbo01 works in the console too.
    let t = Tmux::start("disabled", &console_cmd(&commune.dir));
    t.wait_for("Đăng nhập cán bộ");
    t.text("canbo01");
    t.keys(&["Enter"]);
    t.text("hoso-demo");
    t.keys(&["Enter"]);
    t.wait_for("canbo01 · Cán bộ một cửa");

    // canbo01 opens a session; the supervisor disables the account: the session ends at once.
    let session = commune.with_auth(Auth::None);
    session.login("canbo01", "hoso-demo").code(0);
    session.ok(&["case", "note", &code, "Trước khi khóa"]);
    let out = lead.ok(&["officer", "disable", "canbo01"]).stdout;
    assert!(out.contains("1 open session(s) ended"), "{out}");
    // The console's session ends too (within its 2 s account check), in Vietnamese…
    let screen = t.wait_for("đã bị khóa");
    assert!(screen.contains("Đăng nhập cán bộ"), "{screen}");
    assert!(!screen.contains("disabled"), "{screen}");
    // …and logging in again is refused.
    t.text("canbo01");
    t.keys(&["Enter"]);
    t.text("hoso-demo");
    t.keys(&["Enter"]);
    std::thread::sleep(std::time::Duration::from_millis(500));
    let screen = t.wait_for("đã bị khóa");
    assert!(!screen.contains("canbo01 · Cán bộ"), "{screen}");
    drop(t);
    session
        .run(&["case", "note", &code, "Sau khi khóa"])
        .code(2)
        .stderr_has("officer `canbo01` is disabled");
    commune
        .run(&["case", "note", &code, "Bằng mật khẩu"])
        .code(2)
        .stderr_has("is disabled");
    session
        .login("canbo01", "hoso-demo")
        .code(2)
        .stderr_has("is disabled");
    lead.run(&["officer", "disable", "lanhdao01"])
        .code(2)
        .stderr_has("cannot disable your own account");
    commune
        .as_officer("thanhtra01")
        .run(&["officer", "disable", "lanhdao01"])
        .code(2);
    let list = commune.ok(&["--json", "officer", "list"]).json();
    let c = list
        .as_array()
        .expect("array")
        .iter()
        .find(|o| o["id"] == "canbo01")
        .expect("canbo01 listed");
    assert!(c["disabled_at"].is_string(), "{c}");
    assert!(c.get("passphrase_hash").is_none(), "{c}");

    // A new officer, reset by the supervisor: the one-time passphrase admits only passwd.
    lead.run_stdin(
        &[
            "officer",
            "add",
            "canbo09",
            "--name",
            "Hoàng Thị Mai",
            "--passphrase-stdin",
        ],
        Some("mat-khau-goc\n"),
    )
    .code(0);
    let b = commune
        .as_officer("canbo09")
        .with_auth(Auth::Passphrase("mat-khau-goc".into()));
    b.ok(&["case", "note", &code, "Cán bộ mới"]);
    let one_time =
        lead.ok(&["--json", "officer", "reset", "canbo09"]).json()["one_time_passphrase"]
            .as_str()
            .expect("one-time passphrase")
            .to_string();
    b.run(&["case", "note", &code, "Mật khẩu cũ"]).code(2);
    let tmp_b = b.with_auth(Auth::Passphrase(one_time.clone()));
    tmp_b
        .run(&["case", "note", &code, "Mật khẩu tạm"])
        .code(2)
        .stderr_has("one-time passphrase");
    b.with_auth(Auth::None)
        .login("canbo09", &one_time)
        .code(2)
        .stderr_has("officer passwd");
    // passwd proves the old passphrase; a wrong one is refused.
    b.with_auth(Auth::None)
        .run_stdin(
            &["officer", "passwd", "--passphrase-stdin"],
            Some("sai-mat-khau\nmoi-mat-khau-1\n"),
        )
        .code(2);
    b.with_auth(Auth::None)
        .run_stdin(
            &["officer", "passwd", "--passphrase-stdin"],
            Some(&format!("{one_time}\nmoi-mat-khau-1\n")),
        )
        .code(0);
    b.with_auth(Auth::Passphrase("moi-mat-khau-1".into())).ok(&[
        "case",
        "note",
        &code,
        "Mật khẩu mới",
    ]);
    tmp_b.run(&["case", "note", &code, "Mật khẩu tạm"]).code(2);

    // Every step is on the commune's chain, without a hash in any payload…
    let cid = node_id(&commune);
    let actions = audit_actions(&commune, Some(&cid));
    let names: Vec<&str> = actions.iter().map(|(a, _)| a.as_str()).collect();
    for want in ["officer_disable", "officer_reset", "officer_passwd"] {
        assert!(names.contains(&want), "{want} missing: {names:?}");
    }
    let log = commune
        .ok(&["--json", "audit", "log", "--node", &cid])
        .stdout;
    assert!(
        !log.contains("argon2"),
        "a passphrase hash in the audit log"
    );

    // …and travels to the hub with the chain on the next sync.
    let serving = Serve::start(&hub);
    commune.ok(&["sync", "--once"]);
    serving.stop();
    let at_hub: Vec<String> = audit_actions(&hub, Some(&cid))
        .into_iter()
        .map(|(a, _)| a)
        .collect();
    for want in ["officer_disable", "officer_reset", "officer_passwd"] {
        assert!(
            at_hub.iter().any(|a| a == want),
            "{want} not at the hub: {at_hub:?}"
        );
    }
    commune.ok(&["audit", "verify"]);
    hub.ok(&["audit", "verify"]);
}
