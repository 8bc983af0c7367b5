//! Two hubs for one province (issue 13, target 8), with real `hoso serve` processes: a commune
//! peers with both hubs and the hubs with each other; one hub is killed with SIGKILL, the
//! commune keeps syncing through the other with no operator action, and the killed hub catches
//! up from the surviving hub alone when it comes back. Every store's audit chains verify.

use std::path::Path;
use std::process::Child;
use std::time::{Duration, Instant};

use hoso_testkit::cli::Hoso;

use crate::BIN;
use crate::sync_e2e::{free_port, lead, node_id, ok, serve, stop};

fn init(dir: &Path, role: &str, port: u16) {
    let listen = format!("127.0.0.1:{port}");
    let mut args = vec!["init", "--sample", "--listen", &listen, "--role", role];
    if role == "commune" {
        args.extend(["--commune", "06112"]);
    }
    ok(dir, &args);
}

/// The text of `hoso case show CODE` at `dir`, empty when the case is not there.
fn shown(dir: &Path, code: &str) -> String {
    let r = Hoso::new(BIN, dir)
        .no_officer()
        .run(&["--json", "case", "show", code]);
    r.stdout
}

/// Polls `f` every 200 ms until it holds or `within` has passed; the time it took.
fn wait_for(within: Duration, what: &str, mut f: impl FnMut() -> bool) -> Duration {
    let t = Instant::now();
    while !f() {
        assert!(t.elapsed() < within, "{what}: not within {within:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
    t.elapsed()
}

/// The commune's own chain as its `audit verify --json` reports it.
fn own_chain(dir: &Path, id: &str) -> serde_json::Value {
    let v: serde_json::Value =
        serde_json::from_str(&ok(dir, &["--json", "audit", "verify"])).expect("json");
    v["chains"]
        .as_array()
        .expect("chains")
        .iter()
        .find(|ch| ch["origin"].as_str() == Some(id))
        .cloned()
        .unwrap_or_default()
}

/// True when `dir`'s own chain is cosigned up to its head by `witnesses` hubs or more.
fn cosigned(dir: &Path, id: &str, witnesses: usize) -> bool {
    let c = own_chain(dir, id);
    c["cosigned_size"] == c["length"]
        && c["witnesses"]
            .as_array()
            .is_some_and(|w| w.len() >= witnesses)
}

fn kill_9(mut c: Child) {
    c.kill().expect("kill -9");
    let _ = c.wait();
}

#[test]
fn two_hubs_one_killed_the_commune_syncs_through_the_other_and_it_catches_up() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (a, b, c) = (
        tmp.path().join("hub-a"),
        tmp.path().join("hub-b"),
        tmp.path().join("commune"),
    );
    let (pa, pb, pc) = (free_port(), free_port(), free_port());
    init(&a, "hub", pa);
    init(&b, "hub", pb);
    init(&c, "commune", pc);
    let (ia, ib, ic) = (node_id(&a), node_id(&b), node_id(&c));
    let (aa, ab) = (format!("127.0.0.1:{pa}"), format!("127.0.0.1:{pb}"));
    // The README's commands: each hub has the commune and the other hub; the commune both hubs.
    for (hub, other, other_addr, name) in [(&a, &ib, &ab, "Hub B"), (&b, &ia, &aa, "Hub A")] {
        lead(
            hub,
            &["peer", "add", &ic, "--role", "commune", "--scope", "06112"],
        );
        lead(
            hub,
            &[
                "peer", "add", other, "--addr", other_addr, "--role", "hub", "--name", name,
            ],
        );
    }
    lead(
        &c,
        &[
            "peer", "add", &ia, "--addr", &aa, "--role", "hub", "--name", "Hub A",
        ],
    );
    lead(
        &c,
        &[
            "peer", "add", &ib, "--addr", &ab, "--role", "hub", "--name", "Hub B",
        ],
    );

    let code = {
        let v: serde_json::Value =
            serde_json::from_str(&ok(&c, &["--json", "case", "list", "--limit", "1"]))
                .expect("json");
        v[0]["receipt_code"].as_str().expect("code").to_string()
    };
    let (ha, hb, hc) = (serve(&a), serve(&b), serve(&c));
    let within = Duration::from_secs(90);
    wait_for(within, "both hubs hold the commune's case", || {
        !shown(&a, &code).is_empty() && !shown(&b, &code).is_empty()
    });
    wait_for(within, "both hubs cosign the commune's chain", || {
        cosigned(&c, &ic, 2)
    });

    // Hub B dies; the commune writes; the write reaches hub A with nobody touching anything.
    kill_9(hb);
    let killed = Instant::now();
    Hoso::new(BIN, &c).as_officer("canbo01").ok(&[
        "case",
        "note",
        &code,
        "Ghi chú sau khi hub B ngừng",
    ]);
    wait_for(within, "the note reaches the surviving hub", || {
        shown(&a, &code).contains("hub B ngừng")
    });
    eprintln!(
        "two hubs: from the kill of hub B to the commune's new note at hub A: {} ms (debug build, CLI polling)",
        killed.elapsed().as_millis()
    );
    // Hub A alone cosigns the note's entry; the next entry cites that cosignature, which hub B
    // must learn from hub A to verify the chain.
    wait_for(within, "hub A cosigns the note", || cosigned(&c, &ic, 1));
    Hoso::new(BIN, &c)
        .as_officer("canbo01")
        .ok(&["case", "note", &code, "Ghi chú thứ hai"]);
    wait_for(within, "the second note reaches hub A", || {
        shown(&a, &code).contains("Ghi chú thứ hai")
    });

    // The commune goes quiet; hub B comes back and catches up from hub A alone.
    stop(hc);
    let hb = serve(&b);
    wait_for(within, "hub B catches up from hub A", || {
        shown(&b, &code).contains("Ghi chú thứ hai")
    });
    stop(hb);
    stop(ha);
    for dir in [&a, &b, &c] {
        ok(dir, &["check"]);
        ok(dir, &["audit", "verify"]);
    }
    // Each hub holds the commune's chain whole, and the cosignatures of both hubs.
    let own = own_chain(&c, &ic);
    for hub in [&a, &b] {
        let held = own_chain(hub, &ic);
        assert_eq!(
            held["length"], own["length"],
            "a hub lacks some of the commune's chain"
        );
        assert_eq!(
            held["witnesses"].as_array().map(Vec::len),
            Some(2),
            "a hub lacks a cosignature: {held}"
        );
    }
}
