//! The store as an operator meets it (issue 9, items 3, 7 and 10): a node is bound to its
//! store and key, damaged data fails closed, `hoso check` finds what the chain cannot, and a
//! store made by an older hoso opens and migrates. Byte edits are made on the real store file.

use std::path::{Path, PathBuf};

use hoso_testkit::cli::{Hoso, Run};

use crate::{BIN, hoso};

const PASS: &str = "hoso-demo";
/// The store made by main before issue 9 (see its README).
const OLD: &str = "node/tests/data/store-format-1";
const OLD_CASE_1: &str = "000.20.06.112-261201-0001";
const OLD_CASE_1_ID: &str = "995d325c293756b862f3890fd7a4c799";
const OLD_CASE_2: &str = "000.20.06.112-261201-0002";

/// `hoso ARGS` on `dir` with no acting officer, the sample passphrase and `input` on stdin.
fn hoso_stdin(dir: &Path, args: &[&str], input: &str) -> Run {
    Hoso::new(BIN, dir)
        .no_officer()
        .run_stdin(args, Some(input))
}

/// A node made by `init` with its first officer, a supervisor `lanhdao01`.
fn node_with_officer() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    let r = hoso_stdin(
        dir.path(),
        &[
            "--officer",
            "lanhdao01",
            "init",
            "--commune",
            "06112",
            "--officer-name",
            "Lương Văn Đạt",
            "--passphrase-stdin",
        ],
        &format!("{PASS}\n"),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    dir
}

/// A copy of the format-1 store made by main before this issue.
fn old_store() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(OLD);
    for f in ["node.key", "node.toml", "store.redb"] {
        std::fs::copy(src.join(f), dir.path().join(f)).expect("copy fixture");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            dir.path().join("node.key"),
            std::fs::Permissions::from_mode(0o600),
        )
        .expect("chmod");
    }
    dir
}

fn store(dir: &Path) -> PathBuf {
    dir.join("store.redb")
}

/// Every offset where `needle` occurs in the file (redb keeps stale copies of old pages, so a
/// value may occur more than once; tests edit every copy).
fn find_all(file: &Path, needle: &[u8]) -> Vec<usize> {
    let d = std::fs::read(file).expect("read store");
    (0..d.len().saturating_sub(needle.len()))
        .filter(|&i| d[i..].starts_with(needle))
        .collect()
}

/// Automerge change chunks in the file: magic bytes, checksum, chunk type 1.
fn change_chunks(file: &Path) -> Vec<usize> {
    let d = std::fs::read(file).expect("read store");
    find_all(file, &[0x85, 0x6f, 0x4a, 0x83])
        .into_iter()
        .filter(|&i| d.get(i + 8) == Some(&1))
        .collect()
}

fn xor_at(file: &Path, offsets: &[usize], mask: u8) {
    let mut d = std::fs::read(file).expect("read store");
    for &i in offsets {
        d[i] ^= mask;
    }
    std::fs::write(file, d).expect("write store");
}

fn replace_all(file: &Path, from: &[u8], to: &[u8]) -> usize {
    assert_eq!(from.len(), to.len(), "in-place edits keep the length");
    let mut d = std::fs::read(file).expect("read store");
    let at = find_all(file, from);
    for &i in &at {
        d[i..i + to.len()].copy_from_slice(to);
    }
    std::fs::write(file, d).expect("write store");
    at.len()
}

fn refused_naming(r: &Run, what: &[&str]) {
    assert_eq!(r.code, 1, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    for w in what {
        assert!(r.stderr.contains(w), "`{w}` not in: {}", r.stderr);
    }
    assert_eq!(r.stderr.trim().lines().count(), 1, "one line: {}", r.stderr);
}

#[test]
fn a_missing_or_empty_store_is_refused_and_never_recreated() {
    let dir = node_with_officer();
    let d = dir.path();
    let out = tempfile::tempdir().expect("tmp");
    let bundle = out.path().join("node.bundle");
    let r = hoso(
        d,
        &["audit", "export", "--out", bundle.to_str().expect("utf-8")],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let path = store(d).display().to_string();
    std::fs::rename(store(d), d.join("store.moved")).expect("move store");
    for args in [
        &["status"][..],
        &["case", "list"],
        &["officer", "list"],
        &["audit", "verify"],
        &["check"],
        &["id"],
        &[
            "--officer",
            "lanhdao01",
            "officer",
            "add",
            "x1",
            "--name",
            "X",
            "--role",
            "supervisor",
            "--passphrase-stdin",
        ],
    ] {
        let r = hoso(d, args);
        refused_naming(&r, &[&path, "missing", "re-sync from the hub"]);
        assert!(
            !store(d).exists(),
            "`hoso {}` recreated the store",
            args.join(" ")
        );
    }
    // Commands that need no node keep working without one.
    for args in [
        &["--version"][..],
        &["--help"],
        &["procedures", "list"],
        &[
            "calendar",
            "due",
            "judicial_record",
            "--received",
            "2026-12-01T09:00:00+07:00",
        ],
        &[
            "audit",
            "verify",
            "--bundle",
            bundle.to_str().expect("utf-8"),
        ],
    ] {
        let r = hoso(d, args);
        assert_eq!(r.code, 0, "`hoso {}`: {}", args.join(" "), r.stderr);
    }

    std::fs::write(store(d), b"").expect("zero-length store");
    for args in [&["status"][..], &["case", "list"], &["check"]] {
        let r = hoso(d, args);
        refused_naming(&r, &[&path, "empty (0 bytes)", "backup"]);
        assert_eq!(std::fs::metadata(store(d)).expect("store").len(), 0);
    }
    std::fs::rename(d.join("store.moved"), store(d)).expect("put back");
    assert_eq!(hoso(d, &["status"]).code, 0);
}

#[test]
fn a_replaced_node_key_refuses_to_start() {
    let dir = node_with_officer();
    let d = dir.path();
    let before = hoso(d, &["--json", "status"]).json();
    let own = std::fs::read(d.join("node.key")).expect("key");
    // Another valid key, written the way `init` writes one.
    let other = tempfile::tempdir().expect("tmp");
    assert_eq!(hoso(other.path(), &["init", "--commune", "06112"]).code, 0);
    std::fs::copy(other.path().join("node.key"), d.join("node.key")).expect("replace key");
    let other_id = hoso(other.path(), &["--json", "id"]).json()["node_id"]
        .as_str()
        .expect("id")
        .to_string();
    let own_id = before["node_id"].as_str().expect("id");
    for args in [
        &["status"][..],
        &["case", "list"],
        &[
            "--officer",
            "lanhdao01",
            "officer",
            "add",
            "x1",
            "--name",
            "X",
            "--passphrase-stdin",
        ],
    ] {
        let r = hoso(d, args);
        refused_naming(&r, &[own_id, &other_id, "node.key"]);
    }
    // The key of another node's store is just as foreign.
    std::fs::copy(other.path().join("store.redb"), store(d)).ok();
    std::fs::write(d.join("node.key"), &own).expect("own key back");
    let r = hoso(d, &["status"]);
    refused_naming(&r, &[own_id, &other_id]);
    std::fs::copy(other.path().join("node.key"), d.join("node.key")).expect("other key");
    assert_eq!(
        hoso(d, &["status"]).code,
        0,
        "the other node's own pair opens"
    );
    // A missing key is named as such.
    std::fs::remove_file(d.join("node.key")).expect("rm key");
    refused_naming(&hoso(d, &["status"]), &["node key", "missing"]);
}

#[test]
fn the_first_officer_comes_from_init_never_from_officer_add() {
    // Without a first officer, `officer add` is refused: nobody may make themselves supervisor.
    let bare = tempfile::tempdir().expect("tmp");
    assert_eq!(hoso(bare.path(), &["init", "--commune", "06112"]).code, 0);
    let r = hoso_stdin(
        bare.path(),
        &[
            "officer",
            "add",
            "admin",
            "--name",
            "Ai Đó",
            "--role",
            "supervisor",
            "--passphrase-stdin",
        ],
        &format!("{PASS}\n"),
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("hoso init --officer ID --officer-name NAME"),
        "{}",
        r.stderr
    );
    let list = hoso(bare.path(), &["--json", "officer", "list"]).json();
    assert_eq!(list.as_array().map(Vec::len), Some(0));

    // `init --officer` creates a supervisor in the genesis transaction, who adds the others.
    let dir = node_with_officer();
    let d = dir.path();
    let list = hoso(d, &["--json", "officer", "list"]).json();
    assert_eq!(list[0]["id"], "lanhdao01");
    assert_eq!(list[0]["role"], "supervisor");
    let r = hoso_stdin(
        d,
        &[
            "officer",
            "add",
            "canbo01",
            "--name",
            "Hoàng Thị Lan",
            "--passphrase-stdin",
        ],
        &format!("{PASS}\n"),
    );
    assert_eq!(r.code, 2, "an acting officer is required: {}", r.stderr);
    let r = hoso_stdin(
        d,
        &[
            "--officer",
            "lanhdao01",
            "officer",
            "add",
            "canbo01",
            "--name",
            "Hoàng Thị Lan",
            "--passphrase-stdin",
        ],
        &format!("{PASS}\n"),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let log = hoso(d, &["--json", "audit", "log"]).json();
    let actions: Vec<&str> = log
        .as_array()
        .expect("log")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(
        actions,
        ["genesis", "actor_bind", "officer_add", "officer_add"],
        "{log}"
    );
    assert_eq!(hoso(d, &["audit", "verify"]).code, 0);
    // `--sample` keeps its own officers.
    let s = tempfile::tempdir().expect("tmp");
    let r = hoso(s.path(), &["init", "--commune", "06112", "--sample"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        hoso(s.path(), &["--json", "officer", "list"])
            .json()
            .as_array()
            .map(Vec::len),
        Some(4)
    );
}

#[test]
fn a_flipped_byte_in_a_stored_change_fails_closed_and_loses_nothing() {
    let dir = old_store();
    let d = dir.path();
    let full = hoso(d, &["--json", "case", "show", OLD_CASE_1]);
    assert_eq!(full.code, 0, "{}", full.stderr);
    let full = full.json();
    let at: Vec<usize> = change_chunks(&store(d)).iter().map(|i| i + 20).collect();
    assert!(!at.is_empty(), "the fixture has change chunks");
    xor_at(&store(d), &at, 0x01);

    let r = hoso(d, &["case", "show", OLD_CASE_1]);
    refused_naming(&r, &[OLD_CASE_1_ID, "damaged", "hoso check"]);
    // Writes refuse too, so the compaction that would rewrite the document never runs.
    for n in 0..5 {
        let r = hoso(
            d,
            &[
                "--officer",
                "canbo01",
                "case",
                "note",
                OLD_CASE_1,
                &format!("ghi chú {n}"),
            ],
        );
        refused_naming(&r, &[OLD_CASE_1_ID, "nothing was dropped"]);
    }
    let r = hoso(d, &["check"]);
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("damaged-document"), "{}", r.stdout);
    assert!(r.stdout.contains(OLD_CASE_1), "{}", r.stdout);
    let r = hoso(d, &["check", "--repair"]);
    assert_eq!(
        r.code, 1,
        "a damaged document is not repaired over: {}",
        r.stderr
    );
    assert_eq!(hoso(d, &["audit", "verify"]).code, 3);

    // Put the byte back: every change is still there.
    xor_at(&store(d), &at, 0x01);
    let back = hoso(d, &["--json", "case", "show", OLD_CASE_1]);
    assert_eq!(back.code, 0, "{}", back.stderr);
    let back = back.json();
    assert_eq!(back["history"], full["history"]);
    assert_eq!(back["notes"], full["notes"]);
    assert_eq!(back["status"], "decided");
    assert_eq!(hoso(d, &["check"]).code, 0);
}

#[test]
fn an_edited_summary_row_is_found_by_check_and_audit_verify_and_repaired() {
    let dir = old_store();
    let d = dir.path();
    assert_eq!(hoso(d, &["check"]).code, 0);
    // Case 2 is in_process; its summary row (store format 4: version, flags, then the status
    // code, 4, the supplement count and the place, see `node/src/summaries.rs`) is edited to
    // say decided (code 9).
    let row = |status: u8| {
        let mut p = vec![status, 0, 2, b'2', b'0', 5];
        p.extend_from_slice(b"06112");
        p.push(OLD_CASE_2.len() as u8);
        p.extend_from_slice(OLD_CASE_2.as_bytes());
        p
    };
    let n = replace_all(&store(d), &row(4), &row(9));
    assert!(n > 0, "the summary row is in the file");
    let list = hoso(d, &["--json", "case", "list"]).json();
    let row = list
        .as_array()
        .expect("list")
        .iter()
        .find(|c| c["receipt_code"] == OLD_CASE_2)
        .expect("row")
        .clone();
    assert_eq!(row["status"], "decided", "the edit took");
    let show = hoso(d, &["--json", "case", "show", OLD_CASE_2]).json();
    assert_eq!(show["status"], "in_process");

    let r = hoso(d, &["check"]);
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("summary-differs"), "{}", r.stdout);
    assert!(r.stdout.contains(OLD_CASE_2), "{}", r.stdout);
    assert!(r.stdout.contains("status"), "{}", r.stdout);
    let r = hoso(d, &["audit", "verify"]);
    assert_eq!(r.code, 3, "audit verify runs the store check: {}", r.stdout);
    assert!(r.stderr.contains("store check"), "{}", r.stderr);

    // The repair rewrites what every list shows: an officer may not, a supervisor may, and
    // the chain records it (issue 9: `check --repair` rewrote rows with no entry of its own).
    let r = hoso(d, &["check", "--repair"]);
    assert_eq!(
        r.code, 2,
        "an officer repairs nothing: {}\n{}",
        r.stdout, r.stderr
    );
    assert!(r.stderr.contains("canbo01"), "{}", r.stderr);
    assert_eq!(
        hoso(d, &["check"]).code,
        3,
        "still damaged after the refusal"
    );
    let lead = Hoso::new(BIN, d).as_officer("lanhdao01");
    let r = lead.run(&["check", "--repair"]).code(0);
    assert!(r.stdout.contains("store_repair"), "{}", r.stdout);
    let log = hoso(d, &["--json", "audit", "log"]).json().to_string();
    assert!(
        log.contains("store_repair") && log.contains("lanhdao01"),
        "the repair is on the chain: {log}"
    );
    // A consistent store is left alone: no second entry.
    let again = lead.run(&["check", "--repair"]).code(0);
    assert!(
        again.stdout.contains("nothing to repair"),
        "{}",
        again.stdout
    );
    let log = hoso(d, &["--json", "audit", "log"]).json().to_string();
    assert_eq!(log.matches("store_repair").count(), 1, "{log}");
    let list = hoso(d, &["--json", "case", "list", "--status", "in_process"]).json();
    assert!(
        list.as_array()
            .expect("list")
            .iter()
            .any(|c| c["receipt_code"] == OLD_CASE_2 && c["status"] == "in_process"),
        "{list}"
    );
    assert_eq!(hoso(d, &["audit", "verify"]).code, 0);
}

#[test]
fn a_store_made_before_issue_9_opens_and_migrates() {
    let dir = old_store();
    let d = dir.path();
    assert!(!find_all(&store(d), b"hoso-store-1").is_empty());
    let list = hoso(d, &["--json", "case", "list"]);
    assert_eq!(list.code, 0, "{}", list.stderr);
    assert_eq!(list.json().as_array().map(Vec::len), Some(2));
    let d2 = std::fs::read(store(d)).expect("store");
    assert!(
        d2.windows(12).any(|w| w == b"hoso-store-4"),
        "the store was migrated to format 4"
    );
    let show = hoso(d, &["--json", "case", "show", OLD_CASE_1]).json();
    assert_eq!(show["status"], "decided");
    assert_eq!(show["notes"].as_array().map(Vec::len), Some(1));
    let r = hoso(d, &["audit", "verify"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("12 entries"), "{}", r.stdout);
    // It takes writes under the same chain, and still belongs to its own key only.
    let r = hoso(
        d,
        &[
            "--officer",
            "canbo01",
            "case",
            "note",
            OLD_CASE_2,
            "sau khi nâng cấp",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let s = hoso(d, &["--json", "status"]).json();
    assert_eq!(s["chain_length"], 13);
    assert_eq!(hoso(d, &["check"]).code, 0);
    let other = tempfile::tempdir().expect("tmp");
    assert_eq!(hoso(other.path(), &["init", "--commune", "06112"]).code, 0);
    std::fs::copy(other.path().join("node.key"), d.join("node.key")).expect("replace key");
    assert_eq!(
        hoso(d, &["status"]).code,
        1,
        "the migrated store is bound to its key"
    );
}

#[test]
fn a_store_from_a_newer_hoso_is_refused_as_such() {
    let dir = node_with_officer();
    let d = dir.path();
    let n = replace_all(&store(d), b"hoso-store-4", b"hoso-store-9");
    assert!(n > 0);
    let r = hoso(d, &["status"]);
    refused_naming(
        &r,
        &[
            "made by a newer hoso (format 9)",
            &store(d).display().to_string(),
        ],
    );
    assert!(!r.stderr.contains("corrupt"), "{}", r.stderr);
    // Untouched: an upgraded hoso could still open it.
    assert!(!find_all(&store(d), b"hoso-store-9").is_empty());
}

#[test]
fn an_edited_chain_head_refuses_to_open() {
    let dir = node_with_officer();
    let d = dir.path();
    let head = hoso(d, &["--json", "status"]).json()["chain_head"]
        .as_str()
        .expect("head")
        .to_string();
    let mut forged = head.clone().into_bytes();
    forged[0] = if forged[0] == b'0' { b'1' } else { b'0' };
    assert!(replace_all(&store(d), head.as_bytes(), &forged) > 0);
    let r = hoso(d, &["status"]);
    refused_naming(&r, &["audit chain head", &store(d).display().to_string()]);
    let r = hoso(d, &["audit", "verify"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
}
