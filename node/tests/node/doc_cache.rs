//! The document cache of a long-running node (issue 13, target 5): a write or a read answered
//! from it sees every write made beside it (another handle on the same store, as the CLI is
//! beside `serve`), and a failed write leaves nothing of itself in it.

use hoso_node::Node;
use hoso_schemas::Status;

use hoso_testkit::node::{commune, login, receive};

fn notes(node: &Node, code: &str) -> Vec<String> {
    node.case(code)
        .expect("case")
        .notes
        .into_iter()
        .map(|n| n.text)
        .collect()
}

#[test]
fn the_cache_serves_repeat_writes_and_never_hides_a_write_from_another_handle() {
    let t = commune("06112");
    let serve = &t.node;
    let code = receive(serve, "judicial_record", "020190012345").receipt_code;
    let by = login(serve, "canbo01");
    serve.add_note(&by, &code, "một").expect("note");
    let (hits0, _) = serve.doc_cache_stats();
    serve.add_note(&by, &code, "hai").expect("note");
    assert_eq!(notes(serve, &code), ["một", "hai"]);
    let (hits1, _) = serve.doc_cache_stats();
    assert!(
        hits1 >= hits0 + 2,
        "the write and the read came from the cache"
    );

    // Another handle on the same store writes (the CLI beside `serve`).
    let cli = Node::open(t.dir.path()).expect("a second handle");
    cli.add_note(&login(&cli, "canbo01"), &code, "ba (CLI)")
        .expect("note");
    let (_, misses) = serve.doc_cache_stats();
    assert_eq!(
        notes(serve, &code),
        ["một", "hai", "ba (CLI)"],
        "a stale read"
    );
    serve.add_note(&by, &code, "bốn").expect("note");
    assert!(serve.doc_cache_stats().1 > misses);
    assert_eq!(
        notes(&cli, &code),
        ["một", "hai", "ba (CLI)", "bốn"],
        "a write from a stale document"
    );

    // A write refused after its document was loaded (a transition the workflow does not allow)
    // leaves nothing behind: the next write and read see the stored case.
    serve
        .transition(&by, &code, Status::Returned, None, None)
        .expect_err("not allowed from received");
    serve.add_note(&by, &code, "năm").expect("note");
    assert_eq!(notes(&cli, &code), ["một", "hai", "ba (CLI)", "bốn", "năm"]);
    let r = serve
        .verify_audit(&hoso_node::audit::verify::Policy::default())
        .expect("verify");
    assert!(r.ok, "{:?}", r.findings);

    // With the cache off every use loads from the store, with the same result.
    serve.set_doc_cache(false);
    let before = serve.doc_cache_stats();
    serve.add_note(&by, &code, "sáu").expect("note");
    assert_eq!(notes(serve, &code).len(), 6);
    assert_eq!(
        serve.doc_cache_stats(),
        before,
        "nothing came from the cache"
    );
}
