//! Typed errors as the user meets them: each refusal's exit code and its one line on stderr,
//! which names the cause and what to do (no repeated causes, no multi-line parser output).

use hoso_testkit::cli::{Hoso, Run};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_hoso")
}

/// Asserts exit `code` and one line `error: …` on stderr holding every needle.
#[track_caller]
fn one_line(r: Run, code: i32, needles: &[&str]) {
    let r = r.code(code);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "not one line: {}", r.stderr);
    assert!(lines[0].starts_with("error: "), "{}", r.stderr);
    for n in needles {
        assert!(lines[0].contains(n), "stderr lacks `{n}`: {}", r.stderr);
    }
}

/// A node in a fresh temp dir that `init` has not run in yet.
fn fresh() -> (tempfile::TempDir, Hoso) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let h = Hoso::new(bin(), &tmp.path().join("node")).as_officer("lanhdao01");
    (tmp, h)
}

fn init(h: &Hoso, extra: &[&str], name: &str) -> Run {
    let mut args = vec!["init", "--officer-name", name, "--passphrase-stdin"];
    args.extend(extra);
    h.run_stdin(&args, Some("hoso-demo\n"))
}

#[test]
fn bad_node_settings_exit_2_naming_the_setting() {
    let (_tmp, h) = fresh();
    one_line(
        init(&h, &["--province", "2", "--commune", "06112"], "Lê Văn A"),
        2,
        &["province code `2` must be 2 digits"],
    );
    one_line(
        init(&h, &["--role", "mayor"], "Lê Văn A"),
        2,
        &["unknown node role `mayor`: expected commune or hub"],
    );
    one_line(
        init(&h, &[], "Lê Văn A"),
        2,
        &["a commune node needs --commune CODE"],
    );
    one_line(
        init(&h, &["--commune", "611"], "Lê Văn A"),
        2,
        &["commune code `611` must be 5 digits"],
    );
    one_line(
        init(
            &h,
            &["--commune", "06112", "--unit-code", "a b"],
            "Lê Văn A",
        ),
        2,
        &["unit code `a b` must be"],
    );
    one_line(
        init(&h, &["--commune", "06112"], "  "),
        2,
        &["the first officer's name is empty: pass --officer-name"],
    );
    assert!(
        !h.dir.join("store.redb").exists(),
        "a refused init made a store"
    );
}

#[test]
fn settings_files_that_do_not_parse_name_the_line_and_the_fix() {
    let h = Hoso::sample(bin());
    // peers.toml: a parse error on line 2, one line (toml's own message spans five).
    std::fs::write(h.dir.join("peers.toml"), "[[peer]]\nnode_id = \"x\"\n").expect("write");
    one_line(
        h.run(&["peer", "list"]),
        2,
        &["peers.toml: line 2:", "re-add peers with `hoso peer add`"],
    );
    // A peers file that cannot be read at all: a failure (exit 1), its cause said once.
    std::fs::remove_file(h.dir.join("peers.toml")).expect("rm");
    std::fs::create_dir(h.dir.join("peers.toml")).expect("mkdir");
    let r = h.run(&["peer", "list"]);
    assert_eq!(
        r.stderr.matches("Is a directory").count(),
        1,
        "{}",
        r.stderr
    );
    one_line(r, 1, &["peers.toml"]);
    std::fs::remove_dir(h.dir.join("peers.toml")).expect("rmdir");
    // node.toml with a duplicate key.
    let cfg = h.dir.join("node.toml");
    let good = std::fs::read_to_string(&cfg).expect("read");
    std::fs::write(&cfg, format!("{good}role = \"hub\"\n")).expect("write");
    one_line(
        h.run(&["case", "list"]),
        2,
        &["node.toml: line ", "fix the file"],
    );
    std::fs::write(&cfg, good).expect("write");
    h.ok(&["case", "list"]);
}

#[test]
fn peer_entries_are_refused_with_the_reason() {
    // Peer administration is a supervisor's.
    let h = Hoso::sample(bin()).as_officer("lanhdao01");
    let own = h.ok(&["--json", "id"]).json()["node_id"]
        .as_str()
        .expect("node id")
        .to_string();
    let other = "01".repeat(32);
    one_line(
        h.run(&[
            "peer",
            "add",
            &own,
            "--addr",
            "10.0.0.1:7420",
            "--role",
            "hub",
        ]),
        2,
        &["that node id is this node's own"],
    );
    one_line(
        h.run(&["peer", "add", &other, "--addr", "hub", "--role", "hub"]),
        2,
        &["address `hub` is not IP:PORT"],
    );
    one_line(
        h.run(&["peer", "add", &other, "--role", "commune"]),
        2,
        &["a commune peer needs its commune code: pass --scope CODE"],
    );
    one_line(
        h.run(&["peer", "add", &other, "--role", "hub", "--scope", "123"]),
        2,
        &["scope code `123` should be 2 digits for a hub peer"],
    );
    let listed = h.ok(&["--json", "peer", "list"]).stdout;
    assert!(
        !listed.contains(&other),
        "a refused peer was saved: {listed}"
    );
}

#[test]
fn a_replay_point_that_does_not_exist_exits_2() {
    let h = Hoso::sample(bin());
    let cases = h.ok(&["--json", "case", "list"]).json();
    let code = cases[0]["receipt_code"]
        .as_str()
        .expect("a sample case")
        .to_string();
    one_line(
        h.run(&["audit", "replay", &code, "--seq", "999999"]),
        2,
        &["no entry #999999 of node", "see `hoso audit log --case"],
    );
}
