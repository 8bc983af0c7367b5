//! Long case histories (issue 13, target 5): a write appends one change chunk, the change log is
//! folded off the write path (a long-running node's thread) or in line at a bounded cadence (a
//! CLI command), a fold racing a write loses nothing, and the case read back from the store by
//! another handle equals the one written, with every write made beside the cache seen.

use std::time::{Duration, Instant};

use hoso_node::{AuthenticatedOfficer, MAX_CHUNKS, Node};
use hoso_testkit::node::{commune, login, receive};

/// A note of about 2 KB of words that do not repeat (so they do not compress away): a few
/// dozen make a case larger than an ordinary one (`SMALL_DOC_BYTES`), whose writes append
/// instead of folding in line.
fn note(n: usize) -> String {
    const WORDS: [&str; 16] = [
        "hồ", "sơ", "công", "dân", "đã", "liên", "hệ", "bổ", "sung", "giấy", "tờ", "xác", "nhận",
        "cư", "trú", "hẹn",
    ];
    let mut x = (n as u64)
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    let mut s = format!("Ghi chú {n}:");
    while s.len() < 2000 {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        s.push(' ');
        s.push_str(WORDS[(x >> 60) as usize]);
        s.push_str(&format!("{}", (x >> 40) & 0xfff));
    }
    s
}

fn add(node: &Node, by: &AuthenticatedOfficer, code: &str, n: usize) {
    node.add_note(by, code, &note(n)).expect("note");
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let t = Instant::now();
    while !done() {
        assert!(t.elapsed() < Duration::from_secs(20), "{what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The case as a fresh handle reads it from the store, with no cache.
fn from_store(t: &hoso_testkit::node::TestNode, code: &str) -> hoso_node::CaseView {
    let fresh = Node::open(t.dir.path()).expect("a fresh handle");
    fresh.set_doc_cache(false);
    fresh.case(code).expect("case")
}

#[test]
fn a_long_history_is_folded_in_the_background_and_reads_back_whole() {
    let t = commune("06112");
    let serve = &t.node;
    serve.fold_in_background();
    assert!(serve.folds_in_background());
    let code = receive(serve, "judicial_record", "020190012345").receipt_code;
    let by = login(serve, "canbo01");
    let mut most = 0;
    for n in 0..60 {
        add(serve, &by, &code, n);
        most = most.max(serve.case_storage(&code).expect("storage").chunks);
    }
    assert!(most > 4, "a large case appends change chunks ({most})");
    assert!(most <= MAX_CHUNKS);
    wait_for("the folding thread folds the change log", || {
        serve.case_storage(&code).expect("storage").chunks < hoso_node::BACKGROUND_AT
    });

    // The CLI writes beside `serve`: both see each other's notes, in order.
    let cli = Node::open(t.dir.path()).expect("a second handle");
    cli.add_note(&login(&cli, "canbo01"), &code, "từ CLI")
        .expect("note");
    add(serve, &by, &code, 60);
    let view = serve.case(&code).expect("case");
    assert_eq!(view.notes.len(), 62);
    assert_eq!(view.notes[60].text, "từ CLI");
    assert_eq!(view.notes[61].text, note(60));

    // The case read back from the store is the one written.
    assert_eq!(from_store(&t, &code), view);
    let r = serve
        .verify_audit(&hoso_node::audit::verify::Policy::default())
        .expect("verify");
    assert!(r.ok, "{:?}", r.findings);
}

#[test]
fn without_a_folding_thread_writes_fold_in_line_at_a_bound() {
    let t = commune("06112");
    let node = &t.node;
    assert!(!node.folds_in_background());
    let code = receive(node, "judicial_record", "020190012345").receipt_code;
    let by = login(node, "canbo01");
    let mut chunks = Vec::new();
    for n in 0..(MAX_CHUNKS as usize + 20) {
        add(node, &by, &code, n);
        chunks.push(node.case_storage(&code).expect("storage").chunks);
    }
    let most = chunks.iter().copied().max().unwrap_or(0);
    assert_eq!(most, MAX_CHUNKS - 1, "at most MAX_CHUNKS - 1 chunks stay");
    assert!(
        chunks.windows(2).any(|w| w[1] < w[0]),
        "a write folded in line"
    );
    assert_eq!(from_store(&t, &code), node.case(&code).expect("case"));
}

#[test]
fn a_write_racing_a_fold_loses_nothing() {
    let t = commune("06112");
    let serve = &t.node;
    let code = receive(serve, "judicial_record", "020190012345").receipt_code;
    let by = login(serve, "canbo01");
    for n in 0..30 {
        add(serve, &by, &code, n);
    }
    let before = serve.case_storage(&code).expect("storage");
    assert!(before.chunks > 1, "{before:?}");

    // A write lands between the fold's read and its store: the chunks it read are folded, the
    // new one stays after the new saved form.
    let folded = serve
        .fold_case_racing(&code, || add(serve, &by, &code, 30))
        .expect("fold");
    assert_eq!(folded, before.chunks);
    let after = serve.case_storage(&code).expect("storage");
    assert_eq!(after.chunks, 1, "{after:?}");
    let view = serve.case(&code).expect("case");
    assert_eq!(view.notes.len(), 31);
    assert_eq!(from_store(&t, &code), view);

    // The cached document goes on appending after the fold.
    add(serve, &by, &code, 31);
    assert_eq!(serve.case_storage(&code).expect("storage").chunks, 2);
    assert_eq!(from_store(&t, &code).notes.len(), 32);

    // A fold whose saved form was replaced meanwhile (another fold came first) stores nothing.
    let folded = serve
        .fold_case_racing(&code, || {
            assert_eq!(serve.fold_case_now(&code).expect("fold"), 2);
        })
        .expect("fold");
    assert_eq!(folded, 0, "the stale fold stored nothing");
    assert_eq!(serve.case_storage(&code).expect("storage").chunks, 0);
    let view = serve.case(&code).expect("case");
    assert_eq!(view.notes.len(), 32);
    assert_eq!(from_store(&t, &code), view);
}
