//! Audit records stored in compact form (store format 3): every record rebuilds to the exact
//! signed bytes, in a store migrated from format 1 and in one written by this build.

use std::collections::HashMap;

use hoso_node::audit::entry::Entry;
use hoso_node::audit::stored;
use hoso_node::audit::verify::Policy;
use hoso_node::tamper::tables::AUDIT;
use hoso_node::{Node, NodeId};
use redb::{ReadableDatabase, ReadableTable, TableDefinition};

use hoso_testkit::node::{commune, login, receive};

const OLD_AUDIT: TableDefinition<(&[u8; 32], u64), &[u8]> = TableDefinition::new("audit-1");
const OLD_PAYLOADS: TableDefinition<&[u8; 32], &[u8]> = TableDefinition::new("audit-payloads-1");

type Held = HashMap<([u8; 32], u64), (Vec<u8>, Option<Vec<u8>>)>;

/// Every record of every chain held, rebuilt, with its payload; each one's signature checked.
fn rebuilt(node: &Node) -> Held {
    let rtx = hoso_node::tamper::db(node).begin_read().expect("read");
    let origins: Vec<[u8; 32]> = {
        let t = rtx.open_table(AUDIT).expect("audit");
        let mut o: Vec<[u8; 32]> = t
            .iter()
            .expect("iter")
            .map(|r| *r.expect("row").0.value().0)
            .collect();
        o.dedup();
        o
    };
    let records = stored::read(&rtx).expect("records");
    let mut out = HashMap::new();
    for o in origins {
        records
            .each(&o, 0, u64::MAX, |seq, x| {
                let e = Entry::from_record(&x.record).expect("a canonical record");
                assert!(
                    e.signature_ok(),
                    "entry {} #{seq} verifies",
                    NodeId(o).short()
                );
                assert_eq!((e.body.origin.0, e.body.seq), (o, seq));
                out.insert((o, seq), (x.record, x.payload));
                Ok(true)
            })
            .expect("every row rebuilds");
    }
    out
}

#[test]
fn a_format_1_store_migrates_every_record_byte_for_byte() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/store-format-1");
    let tmp = tempfile::tempdir().expect("tmp");
    for f in std::fs::read_dir(&src).expect("fixture") {
        let f = f.expect("entry");
        std::fs::copy(f.path(), tmp.path().join(f.file_name())).expect("copy");
    }
    let old: Held = {
        let db = redb::Database::open(tmp.path().join("store.redb")).expect("old store");
        let rtx = db.begin_read().expect("read");
        let audit = rtx.open_table(OLD_AUDIT).expect("audit-1");
        let payloads = rtx.open_table(OLD_PAYLOADS).expect("audit-payloads-1");
        let mut out = HashMap::new();
        for row in audit.iter().expect("iter") {
            let (k, v) = row.expect("row");
            let (o, seq) = k.value();
            let rec = v.value().to_vec();
            let hash = Entry::from_record(&rec).expect("decodes").hash;
            let p = payloads
                .get(&hash)
                .expect("get")
                .map(|p| p.value().to_vec());
            out.insert((*o, seq), (rec, p));
        }
        out
    };
    assert_eq!(old.len(), 12);
    let node = Node::open(tmp.path()).expect("opens and migrates");
    assert_eq!(
        rebuilt(&node),
        old,
        "every record and payload, byte for byte"
    );
    let report = node.verify_audit(&Policy::default()).expect("verify");
    assert!(report.ok, "{:?}", report.first_bad);
    let rtx = hoso_node::tamper::db(&node).begin_read().expect("read");
    let names: Vec<String> = rtx
        .list_tables()
        .expect("tables")
        .map(|t| redb::TableHandle::name(&t).to_string())
        .collect();
    assert!(
        !names
            .iter()
            .any(|n| n == "audit-1" || n == "audit-payloads-1"),
        "{names:?}"
    );
    drop(rtx);
    // The chain goes on in the new form, and verifies whole.
    let by = node.authenticate("canbo01", "hoso-demo").expect("login");
    node.add_note(&by, "000.20.06.112-261201-0002", "sau khi nâng cấp")
        .expect("note");
    let after = rebuilt(&node);
    assert_eq!(after.len(), 13);
    let report = node.verify_audit(&Policy::default()).expect("verify");
    assert!(report.ok, "{:?}", report.first_bad);
}

#[test]
fn records_written_by_this_build_rebuild_and_are_smaller() {
    let t = commune("06112");
    let by = login(&t.node, "canbo01");
    for citizen in ["020190012345", "020075000777", "020190012345"] {
        let v = receive(&t.node, "judicial_record", citizen);
        t.node
            .add_note(&by, &v.receipt_code, "Đã kiểm tra dữ liệu dân cư")
            .expect("note");
        t.node
            .set_fields(
                &by,
                &v.receipt_code,
                &[("purpose".into(), "Bổ sung hồ sơ xin việc".into())],
            )
            .expect("set");
    }
    let held = rebuilt(&t.node);
    assert_eq!(held.len() as u64, t.node.chain_head().next_seq);
    let full: usize = held
        .values()
        .map(|(r, p)| r.len() + 32 + p.as_ref().map_or(0, Vec::len))
        .sum();
    let rtx = hoso_node::tamper::db(&t.node).begin_read().expect("read");
    let rows: usize = rtx
        .open_table(AUDIT)
        .expect("audit")
        .iter()
        .expect("iter")
        .map(|r| r.expect("row").1.value().0.len())
        .sum();
    assert!(
        rows * 10 < full * 7,
        "compact rows {rows} B vs {full} B of records, payloads and payload keys"
    );
    let report = t.node.verify_audit(&Policy::default()).expect("verify");
    assert!(report.ok, "{:?}", report.first_bad);
}
