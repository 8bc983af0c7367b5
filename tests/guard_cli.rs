//! Issue 9, retried as found, through the real binary: officers authenticate on the CLI
//! (passphrase or a `hoso login` session bound to the OS user, 8 hours, audited and throttled
//! failures), and every file the CLI writes on request is written safely.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use hoso_testkit::cli::{Auth, Hoso};
use hoso_testkit::fixtures::SAMPLE_PASS;

const BIN: &str = env!("CARGO_BIN_EXE_hoso");

/// A sample node and one `judicial_record` case of it moved to `in_process` (by canbo01, with
/// the passphrase), ready for the supervisor-only step to `decided`.
fn node_with_case_in_process() -> (Hoso, String) {
    let h = Hoso::sample(BIN);
    let citizen = h.sample_adult();
    let code = h.receive_judicial(&citizen);
    h.ok(&["case", "transition", &code, "in_process"]);
    (h, code)
}

fn status_of(h: &Hoso, code: &str) -> String {
    h.ok(&["--json", "case", "show", code]).json()["status"]
        .as_str()
        .expect("status")
        .to_string()
}

/// The first bullet: `--officer lanhdao01 case transition … decided` with no passphrase.
#[test]
fn supervisor_step_without_passphrase_is_refused_and_works_after_login() {
    let (h, code) = node_with_case_in_process();
    let boss = h.as_officer("lanhdao01").with_auth(Auth::None);
    boss.run(&["case", "transition", &code, "decided"])
        .code(2)
        .stderr_has("hoso login");
    // A wrong passphrase is refused too, and nothing moved.
    boss.with_auth(Auth::Passphrase("not-the-passphrase".into()))
        .run(&["case", "transition", &code, "decided"])
        .code(2)
        .stderr_has("wrong passphrase");
    assert_eq!(status_of(&h, &code), "in_process");

    // With a session opened by the supervisor, the step is done and recorded under them.
    boss.login("lanhdao01", SAMPLE_PASS)
        .code(0)
        .stdout
        .contains("logged in as lanhdao01")
        .then_some(())
        .expect("login message");
    boss.ok(&["case", "transition", &code, "decided"]);
    assert_eq!(status_of(&h, &code), "decided");
    let log = h
        .ok(&["--json", "audit", "log", "--case", &code])
        .json()
        .to_string();
    assert!(log.contains("lanhdao01"), "{log}");
}

#[test]
fn the_session_acts_only_as_its_officer_and_logout_ends_it() {
    let (h, code) = node_with_case_in_process();
    let desk = h.with_auth(Auth::None);
    desk.login("canbo01", SAMPLE_PASS).code(0);
    // canbo01's session cannot be used under another officer's name …
    desk.as_officer("lanhdao01")
        .run(&["case", "transition", &code, "decided"])
        .code(2)
        .stderr_has("session here is officer `canbo01`");
    // … and the officer's own role still applies.
    desk.no_officer()
        .run(&["case", "transition", &code, "decided"])
        .code(2);
    desk.no_officer()
        .ok(&["case", "note", &code, "đã gọi điện cho công dân"]);
    desk.ok(&["logout"]).stdout.contains("logged out canbo01");
    desk.run(&["case", "note", &code, "sau khi đăng xuất"])
        .code(2)
        .stderr_has("no open session");
    // The session file is gone with the session.
    let uid = hoso_node::session::current_uid();
    assert!(!hoso_node::session::session_path(&h.dir, uid).exists());
}

/// Rewrites the stored row of every open session of the node in `dir` (no hoso process runs).
fn edit_session_rows(dir: &Path, edit: impl Fn(&mut hoso_node::SessionRecord)) {
    let db = hoso_testkit::tamper::open_store(dir).expect("open store");
    let edited = hoso_testkit::tamper::edit_sessions(&db, edit).expect("edit sessions");
    assert!(edited > 0, "no session row to edit");
}

#[test]
fn a_session_expires_at_its_stored_time() {
    let (h, code) = node_with_case_in_process();
    let desk = h.with_auth(Auth::None);
    desk.login("canbo01", SAMPLE_PASS).code(0);
    desk.ok(&["case", "note", &code, "trong phiên"]);
    let now = chrono_now_ms();
    edit_session_rows(&h.dir, |r| {
        assert!(r.expires_ms - r.opened_ms == hoso_node::session::SESSION_TTL_MS);
        r.opened_ms = now - hoso_node::session::SESSION_TTL_MS - 1000;
        r.expires_ms = now - 1000;
    });
    desk.run(&["case", "note", &code, "sau 8 giờ"])
        .code(2)
        .stderr_has("expired");
    // Logging in again opens a new one.
    desk.login("canbo01", SAMPLE_PASS).code(0);
    desk.ok(&["case", "note", &code, "phiên mới"]);
}

fn chrono_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis() as i64
}

/// Nobody else at the same desk acts under a session: a session whose row or file belongs to
/// another OS user, a file others may read, a link, or a file copied from another node.
#[test]
fn a_session_of_another_os_user_is_refused() {
    let (h, code) = node_with_case_in_process();
    let desk = h.with_auth(Auth::None);
    let uid = hoso_node::session::current_uid();
    let file = hoso_node::session::session_path(&h.dir, uid);
    let note = |text: &str| desk.run(&["case", "note", &code, text]);

    // The stored row names another uid (a session opened by someone else).
    desk.login("canbo01", SAMPLE_PASS).code(0);
    edit_session_rows(&h.dir, |r| r.uid = uid + 1);
    note("x").code(2).stderr_has("opened by OS user");

    // The file is owned by another user (possible to set up only as root).
    desk.login("canbo01", SAMPLE_PASS).code(0);
    if uid == 0 {
        std::os::unix::fs::chown(&file, Some(65534), None).expect("chown");
        note("x").code(2).stderr_has("belongs to OS user 65534");
        std::os::unix::fs::chown(&file, Some(0), None).expect("chown back");
        note("y").code(0);
    }

    // Other users may read it.
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    note("x").code(2).stderr_has("other users may read it");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).expect("chmod");

    // A link in its place.
    let real = h.dir.with_file_name("elsewhere");
    std::fs::rename(&file, &real).expect("move");
    std::os::unix::fs::symlink(&real, &file).expect("symlink");
    note("x").code(2).stderr_has("not a regular file");
    std::fs::remove_file(&file).expect("rm link");
    std::fs::rename(&real, &file).expect("move back");
    note("z").code(0);

    // The file copied to another node: not open there.
    let other = Hoso::sample(BIN).with_auth(Auth::None);
    let copy = hoso_node::session::session_path(&other.dir, uid);
    std::fs::copy(&file, &copy).expect("copy");
    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    other.run(&["case", "list", "--limit", "1"]).code(0);
    let c = other.ok(&["--json", "case", "list", "--limit", "1"]).json()[0]["receipt_code"]
        .as_str()
        .expect("a case")
        .to_string();
    other
        .run(&["case", "note", &c, "x"])
        .code(2)
        .stderr_has("not open on this node");
}

#[test]
fn failed_logins_are_audited_and_slowed_down() {
    let h = Hoso::sample(BIN).with_auth(Auth::None);
    for _ in 0..hoso_node::session::FREE_ATTEMPTS {
        h.login("canbo01", "wrong-passphrase")
            .code(2)
            .stderr_has("wrong passphrase");
    }
    // The next attempt waits, even with the right passphrase.
    h.login("canbo01", SAMPLE_PASS)
        .code(2)
        .stderr_has("too many failed logins");
    // The failures are in the signed chain, which still verifies.
    let log = h.ok(&["--json", "audit", "log"]).json();
    let failed = log
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e.to_string().contains("login_failed"))
        .count();
    assert_eq!(failed, hoso_node::session::FREE_ATTEMPTS as usize, "{log}");
    h.ok(&["audit", "verify"]);
    // An unknown officer id is a failure too.
    h.login("khongco99", SAMPLE_PASS).code(2);
}

#[test]
fn officer_add_needs_an_authenticated_supervisor() {
    let h = Hoso::sample(BIN);
    let add = |who: &Hoso| {
        who.run_stdin(
            &[
                "officer",
                "add",
                "canbo09",
                "--name",
                "Lê Văn Mới",
                "--passphrase-stdin",
            ],
            Some("mat-khau-moi\n"),
        )
    };
    add(&h.as_officer("lanhdao01").with_auth(Auth::None))
        .code(2)
        .stderr_has("hoso login");
    add(&h)
        .code(2)
        .stderr_has("may not manage officer accounts");
    add(&h.as_officer("lanhdao01")).code(0);
    // `--passphrase-stdin` set the new officer's passphrase.
    h.as_officer("canbo09")
        .with_auth(Auth::None)
        .login("canbo09", "mat-khau-moi")
        .code(0);
}

/// `export --out F` followed a planted `F.tmp` link and overwrote its target.
#[test]
fn export_does_not_follow_a_planted_link() {
    let h = Hoso::sample(BIN);
    let tmp = tempfile::tempdir().expect("tmp");
    let victim = tmp.path().join("victim.txt");
    std::fs::write(&victim, "must stay").expect("write");
    let out = tmp.path().join("cases.jsonl");
    std::os::unix::fs::symlink(&victim, tmp.path().join("cases.jsonl.tmp")).expect("symlink");
    h.ok(&["export", "--out", out.to_str().expect("utf-8")]);
    assert_eq!(std::fs::read_to_string(&victim).expect("read"), "must stay");
    let lines = std::fs::read_to_string(&out)
        .expect("export")
        .lines()
        .count();
    assert!(lines > 100, "{lines} exported lines");
    // A link as the target itself is refused, not followed and not replaced.
    let link = tmp.path().join("link.jsonl");
    std::os::unix::fs::symlink(&victim, &link).expect("symlink");
    h.run(&["export", "--out", link.to_str().expect("utf-8")])
        .code(2)
        .stderr_has("symbolic link");
    assert_eq!(std::fs::read_to_string(&victim).expect("read"), "must stay");
}

/// `--out /dev/full` replaced the device node.
#[test]
fn output_to_a_device_is_refused() {
    let h = Hoso::sample(BIN);
    let dev = if Path::new("/dev/full").exists() {
        "/dev/full"
    } else {
        "/dev/null"
    };
    let before = std::fs::symlink_metadata(dev).expect("device");
    for args in [
        &["export", "--out", dev][..],
        &["audit", "export", "--out", dev],
        &["case", "print", "x", "--form", "receipt", "--out", dev],
    ] {
        h.run(args).code(2).stderr_has("device file");
    }
    let after = std::fs::symlink_metadata(dev).expect("device");
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    assert!(after.file_type().is_char_device());
    assert_eq!(before.ino(), after.ino());
}

/// `audit export --out <data dir>/store.redb` overwrote the live store.
#[test]
fn output_inside_the_data_dir_is_refused() {
    let h = Hoso::sample(BIN);
    use std::os::unix::fs::MetadataExt;
    let store = h.dir.join("store.redb");
    let inode = std::fs::metadata(&store).expect("store").ino();
    let cases = h.ok(&["--json", "status"]).json()["cases"].clone();
    let via_dots = h.dir.join("../node/node.key");
    for target in [&store, &via_dots, &h.dir.join("new.bundle")] {
        let t = target.to_str().expect("utf-8");
        h.run(&["audit", "export", "--out", t])
            .code(2)
            .stderr_has("inside the node's data dir");
        h.run(&["export", "--out", t])
            .code(2)
            .stderr_has("inside the node's data dir");
    }
    assert!(!h.dir.join("new.bundle").exists());
    // The live store is the same file, whole: same inode, same cases, chain verifies.
    assert_eq!(std::fs::metadata(&store).expect("store").ino(), inode);
    assert_eq!(h.ok(&["--json", "status"]).json()["cases"], cases);
    h.ok(&["audit", "verify"]);
}

#[test]
fn completions_need_no_node() {
    let nowhere = tempfile::tempdir().expect("tmp");
    let h = Hoso::new(BIN, &nowhere.path().join("no-node"));
    for shell in ["bash", "zsh", "fish"] {
        let r = h.ok(&["completions", shell]);
        assert!(r.stdout.contains("login"), "{shell}: {}", r.stdout);
    }
    h.run(&["completions", "tcsh"]).code(2);
    assert!(!nowhere.path().join("no-node").exists());
}
