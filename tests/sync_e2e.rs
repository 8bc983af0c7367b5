//! Process-level sync tests: real `hoso serve` processes, `kill -9`, real iroh on loopback.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use hoso_testkit::cli::Hoso;

use crate::{BIN, hoso};

/// `hoso ARGS` on `dir`; its stdout, after asserting exit 0.
pub(crate) fn ok(dir: &Path, args: &[&str]) -> String {
    hoso(dir, args).code(0).stdout
}

/// [`ok`] as the sample supervisor `lanhdao01` (peer administration is theirs).
pub(crate) fn lead(dir: &Path, args: &[&str]) -> String {
    Hoso::new(BIN, dir)
        .as_officer("lanhdao01")
        .run(args)
        .code(0)
        .stdout
}

pub(crate) fn free_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

pub(crate) fn node_id(dir: &Path) -> String {
    let v: serde_json::Value = serde_json::from_str(&ok(dir, &["--json", "id"])).expect("json");
    v["node_id"].as_str().expect("node id").to_string()
}

/// Starts `hoso serve` and waits for its first line (node id and address).
pub(crate) fn serve(dir: &Path) -> Child {
    let mut child = Hoso::new(BIN, dir)
        .no_officer()
        .command(&["serve"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn serve");
    hoso_testkit::cli::wait_until_serving(&mut child);
    child
}

pub(crate) fn stop(mut child: Child) {
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    for _ in 0..100 {
        if let Ok(Some(st)) = child.try_wait() {
            assert!(st.success(), "serve exited with {st}");
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    panic!("serve did not shut down within 10 s of SIGTERM");
}

fn init(dir: &Path, role: &str, port: u16) {
    let listen = format!("127.0.0.1:{port}");
    let mut args = vec![
        "init",
        "--sample",
        "--listen",
        listen.as_str(),
        "--role",
        role,
    ];
    if role == "commune" {
        args.extend(["--commune", "06112"]);
    }
    ok(dir, &args);
}

/// The hub (listening on `hp`) adds the commune with scope `scope` (the commune dials it), the
/// commune adds the hub: each by its supervisor. Returns the commune's node id.
fn peer_both(hub: &Path, commune: &Path, hp: u16, scope: &str) -> String {
    let (hid, cid) = (node_id(hub), node_id(commune));
    lead(
        hub,
        &["peer", "add", &cid, "--role", "commune", "--scope", scope],
    );
    let addr = format!("127.0.0.1:{hp}");
    lead(
        commune,
        &["peer", "add", &hid, "--addr", &addr, "--role", "hub"],
    );
    cid
}

/// A sample hub and a sample commune (06112) in a temp dir, peered with [`peer_both`] (the hub's
/// entry for the commune with scope `scope`). Returns the dir, the hub, the commune and the
/// commune's node id.
fn sample_pair(scope: &str) -> (tempfile::TempDir, PathBuf, PathBuf, String) {
    let tmp = tempfile::tempdir().expect("tmp");
    let (hub, commune) = (tmp.path().join("hub"), tmp.path().join("commune"));
    let hp = free_port();
    init(&hub, "hub", hp);
    init(&commune, "commune", free_port());
    let cid = peer_both(&hub, &commune, hp, scope);
    (tmp, hub, commune, cid)
}

fn receipts(dir: &Path) -> Vec<String> {
    let v: serde_json::Value =
        serde_json::from_str(&ok(dir, &["--json", "case", "list", "--limit", "100000"]))
            .expect("json");
    let mut r: Vec<String> = v
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|c| c["receipt_code"].as_str().map(str::to_string))
        .collect();
    r.sort();
    r
}

fn citizen_ids(n: usize) -> Vec<String> {
    let reg = std::fs::read_to_string(hoso_testkit::fixtures::sample_registry()).expect("registry");
    reg.lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["date_of_birth"].as_str().is_some_and(|d| d < "2006"))
        .filter(|v| v["commune_code"].as_str() == Some("06112"))
        .filter_map(|v| v["citizen_id"].as_str().map(str::to_string))
        .take(n)
        .collect()
}

/// `n` judicial-record cases in the import format.
fn cases_file(dir: &Path, name: &str, n: usize) -> std::path::PathBuf {
    let catalog = hoso_schemas::Catalog::builtin().expect("catalog");
    let p = catalog.procedure("judicial_record").expect("procedure");
    let fields: serde_json::Map<String, serde_json::Value> = hoso_testkit::node::citizen_fields(p)
        .into_iter()
        .map(|(k, v)| (k, v.into()))
        .collect();
    let ids = citizen_ids(50);
    let mut text = String::new();
    for i in 0..n {
        let rec = serde_json::json!({
            "procedure": "judicial_record",
            "citizen_id": ids[i % ids.len()],
            "fields": fields,
        });
        text.push_str(&rec.to_string());
        text.push('\n');
    }
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write cases");
    path
}

#[test]
fn two_serve_processes_converge() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (hub, commune) = (tmp.path().join("hub"), tmp.path().join("commune"));
    let (hp, cp) = (free_port(), free_port());
    init(&hub, "hub", hp);
    init(&commune, "commune", cp);
    let (hid, cid) = (node_id(&hub), node_id(&commune));
    lead(
        &hub,
        &[
            "peer",
            "add",
            &cid,
            "--addr",
            &format!("127.0.0.1:{cp}"),
            "--role",
            "commune",
            "--scope",
            "06112",
            "--name",
            "Bình Gia",
        ],
    );
    lead(
        &commune,
        &[
            "peer",
            "add",
            &hid,
            "--addr",
            &format!("127.0.0.1:{hp}"),
            "--role",
            "hub",
            "--name",
            "Hub",
        ],
    );
    let file = cases_file(tmp.path(), "c.jsonl", 5);
    ok(&commune, &["import", file.to_str().expect("path")]);
    let file = cases_file(tmp.path(), "h.jsonl", 1);
    ok(&hub, &["import", file.to_str().expect("path")]);

    // Both nodes start with the 200 sample cases of `init --sample` under their own receipt
    // prefixes; after syncing each holds the union.
    let expected = receipts(&hub).len() + receipts(&commune).len();
    let h = serve(&hub);
    let c = serve(&commune);
    // The CLI reads a store while `serve` holds it: poll until both hold the union (a loaded
    // machine takes longer than a quiet one, so no fixed pause), within a bound.
    let start = Instant::now();
    loop {
        let (a, b) = (receipts(&hub), receipts(&commune));
        if (a.len() == expected && a == b) || start.elapsed() > Duration::from_secs(60) {
            break;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    stop(c);
    stop(h);
    let (a, b) = (receipts(&hub), receipts(&commune));
    assert_eq!(a.len(), expected, "{a:?}");
    assert_eq!(a, b);
    let status = ok(&hub, &["status"]);
    assert!(status.contains("Bình Gia"), "{status}");
}

#[test]
fn kill_9_hub_during_sync_then_converge() {
    let (tmp, hub, commune, _) = sample_pair("06112");
    let file = cases_file(tmp.path(), "c.jsonl", 300);
    ok(&commune, &["import", file.to_str().expect("path")]);
    let expected = receipts(&hub).len() + receipts(&commune).len();

    // Several kills at different moments of the same round.
    for (round, delay_ms) in [(1, 250u64), (2, 400), (3, 650)] {
        let mut h = serve(&hub);
        let sync = Hoso::new(BIN, &commune)
            .no_officer()
            .command(&["sync", "--once"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("sync");
        std::thread::sleep(Duration::from_millis(delay_ms));
        h.kill().expect("kill -9 the hub");
        let _ = h.wait();
        let mut sync = sync;
        let _ = sync.wait();
        let partial = receipts(&hub).len();
        eprintln!("kill {round}: the hub held {partial} of {expected} cases");
    }

    let h = serve(&hub);
    ok(&commune, &["sync", "--once"]);
    stop(h);
    let (a, b) = (receipts(&hub), receipts(&commune));
    assert_eq!(a.len(), expected);
    assert_eq!(a, b);
}

/// kill -9 of the commune's `hoso sync --once` in the middle of its rounds, 12 times, each
/// round with new cases to send and the hub's to receive: both stores stay whole (their checks
/// and chains verify) and the next round converges with none missing.
#[test]
fn kill_9_sync_process_mid_round_then_converge() {
    const KILLS: usize = 12;
    let (tmp, hub, commune, _) = sample_pair("06112");
    let h = serve(&hub);
    // The sample cases of both sides first; then one whole round with a batch like the ones
    // below: the kills are spread over as long as that takes.
    ok(&commune, &["sync", "--once"]);
    let first = cases_file(tmp.path(), "b0.jsonl", 20);
    ok(&commune, &["import", first.to_str().expect("path")]);
    let t = Instant::now();
    ok(&commune, &["sync", "--once"]);
    let window = (t.elapsed().as_millis() as u64).max(50);
    let mut jitter = hoso_testkit::cli::Jitter::new();
    let mut killed = 0;
    for k in 1..=KILLS {
        // A new batch (another count: other bytes) so every round has work.
        let batch = cases_file(tmp.path(), &format!("b{k}.jsonl"), 20 + k);
        ok(&commune, &["import", batch.to_str().expect("path")]);
        let mut sync = Hoso::new(BIN, &commune)
            .no_officer()
            .command(&["sync", "--once"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("sync");
        std::thread::sleep(jitter.ms(window));
        killed += usize::from(matches!(sync.try_wait(), Ok(None)));
        let _ = sync.kill(); // SIGKILL
        let _ = sync.wait();
    }
    ok(&commune, &["sync", "--once"]);
    stop(h);
    let (a, b) = (receipts(&hub), receipts(&commune));
    assert_eq!(a, b, "the hub and the commune differ after the kills");
    for dir in [&hub, &commune] {
        ok(dir, &["check"]);
        ok(dir, &["audit", "verify"]);
    }
    assert!(
        killed >= KILLS / 3,
        "only {killed} of {KILLS} sync processes were killed mid-round"
    );
}

/// Appends a change no audit entry accounts for to the first case of the (stopped) node in
/// `dir`, as a tampered store would hold, and puts the case at the head of its feed.
fn plant_unaudited_change(dir: &Path) -> String {
    let v: serde_json::Value =
        serde_json::from_str(&ok(dir, &["--json", "case", "list", "--limit", "1"])).expect("json");
    let first = &v.as_array().expect("array")[0];
    let id: hoso_node::CaseId = first["id"].as_str().expect("id").parse().expect("case id");
    let db = hoso_testkit::tamper::open_store(dir).expect("open store");
    let chunk = {
        let mut doc = hoso_testkit::tamper::load_doc(&db, &id, [7; 16]).expect("load");
        doc.set_result("Đã cấp (giả mạo)").expect("edit");
        doc.commit("forged", 0).expect("a change");
        doc.save_incremental()
    };
    hoso_testkit::tamper::plant_change(&db, &id, &chunk).expect("plant change");
    first["receipt_code"].as_str().expect("code").to_string()
}

/// Issue 9 item 6 at the user's level: a change the hub cannot verify is not merged, the
/// sender's `sync` says how many were refused and why and exits non-zero, and the hub's
/// `status` shows the quarantine.
#[test]
fn sync_with_a_refused_change_exits_non_zero_and_the_hub_status_shows_the_quarantine() {
    let (_tmp, hub, commune, _) = sample_pair("06112");
    let h = serve(&hub);
    ok(&commune, &["sync", "--once"]);
    let code = plant_unaudited_change(&commune);
    let out = hoso(&commune, &["sync", "--once"]).code(1);
    let err = out.stderr;
    assert!(
        err.contains("refused 1 case") && err.contains("accounted by no audit entry"),
        "{err}"
    );
    stop(h);
    let status = ok(&hub, &["status"]);
    assert!(status.contains("QUARANTINE 1"), "{status}");
    let shown = ok(&hub, &["--json", "case", "show", &code]);
    assert!(
        !shown.contains("giả mạo"),
        "the hub merged the unverified change"
    );
}

/// Issue 9 item 6, the misconfigured hub as found: the hub's operator typed another commune's
/// code for this commune. The session ends before anything moves, the commune's `sync` exits
/// non-zero naming both codes, and the hub holds none of the commune's cases or its chain.
#[test]
fn a_hub_with_the_wrong_scope_for_a_commune_gets_and_sends_nothing() {
    let (_tmp, hub, commune, cid) = sample_pair("06115");
    let hub_before = receipts(&hub);
    let commune_before = receipts(&commune);
    let h = serve(&hub);
    let out = hoso(&commune, &["sync", "--once"]).code(1);
    stop(h);
    assert!(
        out.stderr.contains("06112") && out.stderr.contains("06115"),
        "the refusal names both codes: {}",
        out.stderr
    );
    assert_eq!(
        receipts(&hub),
        hub_before,
        "the hub took the commune's cases"
    );
    assert_eq!(
        receipts(&commune),
        commune_before,
        "the commune got the hub's cases"
    );
    let chain = hoso(&hub, &["--json", "audit", "log", "--node", &cid]).code(0);
    assert_eq!(
        chain.json(),
        serde_json::json!([]),
        "the hub stored the chain"
    );
}

#[test]
fn sync_once_draws_progress_on_a_terminal_and_never_with_json() {
    use crate::e2e::help::{has_bar, on_terminal};
    let tmp = tempfile::tempdir().expect("tmp");
    let (hub, commune) = (tmp.path().join("hub"), tmp.path().join("commune"));
    let (hp, cp) = (free_port(), free_port());
    init(&hub, "hub", hp);
    init(&commune, "commune", cp);
    peer_both(&hub, &commune, hp, "06112");
    let h = serve(&hub);
    let c = Hoso::new(BIN, &commune);
    let out = tmp.path().join("stdout");
    // The first round sends the commune's 200 sample cases: a bar named after the peer.
    let (code, term) = on_terminal(&c, &["sync", "--once"], &out);
    let (code2, term2) = on_terminal(&c, &["--json", "sync", "--once"], &out);
    stop(h);
    assert_eq!(code, 0, "{term}");
    assert!(
        has_bar(&term, "sent"),
        "no sync bar on a terminal: {term:?}"
    );
    assert_eq!(code2, 0, "{term2}");
    assert!(
        !term2.contains("] ") && !term2.contains("sent,"),
        "--json drew: {term2:?}"
    );
    let text = std::fs::read_to_string(&out).expect("stdout");
    serde_json::from_str::<serde_json::Value>(&text).expect("stdout is one JSON document");
}
