//! Store format 4 (issue 13, disk per case): a format-3 store migrates on open, and every read
//! gives back what it gave before: each document loads the same (the same changes: its
//! `save()` is byte for byte the same), each summary, each case's audit entries (their signed
//! bytes and payloads byte for byte).

use std::collections::{BTreeMap, BTreeSet};

use hoso_node::audit::verify::Policy;
use hoso_node::tamper::tables::{AUDIT, CASES, DOCS, DocBuf};
use hoso_node::{CaseId, CaseSummary, Node};
use redb::{ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};

const OLD_DOCS: TableDefinition<&[u8; 16], &[u8]> = TableDefinition::new("docs-1");
const OLD_CASES: TableDefinition<&[u8; 16], &[u8]> = TableDefinition::new("cases-1");
const OLD_BY_CASE: TableDefinition<&[u8], ()> = TableDefinition::new("audit-by-case-1");

/// A stored document loaded and saved again: equal for two stored forms of one document.
fn canonical(stored: &[u8]) -> Vec<u8> {
    automerge::AutoCommit::load(stored).expect("loads").save()
}

/// An entry as read: origin, seq, signed bytes, payload.
type Held = ([u8; 32], u64, Vec<u8>, Option<Vec<u8>>);
/// Every record held: (origin, seq) → (signed bytes, payload).
type Records = BTreeMap<([u8; 32], u64), (Vec<u8>, Option<Vec<u8>>)>;

/// What a store gave its readers: documents, summaries, and per case its entries (origin, seq,
/// signed bytes, payload).
#[derive(Debug, PartialEq, Eq)]
struct Reads {
    docs: BTreeMap<[u8; 16], Vec<u8>>,
    summaries: BTreeMap<[u8; 16], CaseSummary>,
    entries: BTreeMap<[u8; 16], BTreeSet<Held>>,
    /// Every record held, with its payload.
    all: Records,
}

/// Bytes of the compact audit rows.
fn audit_bytes(rtx: &redb::ReadTransaction) -> usize {
    rtx.open_table(AUDIT)
        .expect("audit")
        .iter()
        .expect("iter")
        .map(|r| r.expect("row").1.value().0.len())
        .sum()
}

fn all_records(rtx: &redb::ReadTransaction) -> Records {
    let records = hoso_node::audit::stored::read(rtx).expect("records");
    let mut out = BTreeMap::new();
    for o in records.origins_held().expect("origins") {
        records
            .each(&o, 0, u64::MAX, |seq, x| {
                out.insert((o, seq), (x.record, x.payload));
                Ok(true)
            })
            .expect("every row rebuilds");
    }
    out
}

fn copy_fixture() -> tempfile::TempDir {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/store-format-3");
    let tmp = tempfile::tempdir().expect("tmp");
    for f in ["node.key", "node.toml", "store.redb"] {
        std::fs::copy(src.join(f), tmp.path().join(f)).expect("copy");
    }
    tmp
}

/// The format-3 store's reads, from its tables as format 3 read them.
fn old_reads(path: &std::path::Path) -> Reads {
    let db = redb::Database::open(path).expect("old store");
    let rtx = db.begin_read().expect("read");
    let mut docs = BTreeMap::new();
    for row in rtx
        .open_table(OLD_DOCS)
        .expect("docs-1")
        .iter()
        .expect("iter")
    {
        let (k, v) = row.expect("row");
        docs.insert(*k.value(), canonical(v.value()));
    }
    let mut summaries = BTreeMap::new();
    for row in rtx
        .open_table(OLD_CASES)
        .expect("cases-1")
        .iter()
        .expect("iter")
    {
        let (k, v) = row.expect("row");
        let s: CaseSummary = serde_json::from_slice(v.value()).expect("a JSON summary");
        summaries.insert(*k.value(), s);
    }
    let records = hoso_node::audit::stored::read(&rtx).expect("records");
    let mut entries: BTreeMap<_, BTreeSet<_>> = BTreeMap::new();
    for row in rtx
        .open_table(OLD_BY_CASE)
        .expect("audit-by-case-1")
        .iter()
        .expect("iter")
    {
        let k = row.expect("row").0.value().to_vec();
        assert_eq!(k.len(), 56);
        let case: [u8; 16] = k[..16].try_into().expect("case");
        let origin: [u8; 32] = k[16..48].try_into().expect("origin");
        let seq = u64::from_be_bytes(k[48..].try_into().expect("seq"));
        let x = records.get(&origin, seq).expect("get").expect("held");
        entries
            .entry(case)
            .or_default()
            .insert((origin, seq, x.record, x.payload));
    }
    Reads {
        docs,
        summaries,
        entries,
        all: all_records(&rtx),
    }
}

/// The same reads through this build.
fn new_reads(node: &Node) -> Reads {
    let db = hoso_node::tamper::db(node);
    let rtx = db.begin_read().expect("read");
    let mut docs = BTreeMap::new();
    let ids: Vec<[u8; 16]> = {
        let t = rtx.open_table(DOCS).expect("docs-2");
        let mut ids = Vec::new();
        for row in t.iter().expect("iter") {
            let (k, v) = row.expect("row");
            docs.insert(
                *k.value(),
                canonical(&v.value().unpack(&CaseId(*k.value())).expect("unpacks")),
            );
            ids.push(*k.value());
        }
        ids
    };
    let index = node.case_index().expect("index");
    let mut summaries = BTreeMap::new();
    let mut entries: BTreeMap<_, BTreeSet<_>> = BTreeMap::new();
    for id in ids {
        let s = index.summary(&CaseId(id)).expect("decodes").expect("held");
        summaries.insert(id, s);
        for e in hoso_node::audit::for_case(db, &CaseId(id)).expect("entries") {
            entries.entry(id).or_default().insert((
                e.entry.body.origin.0,
                e.entry.body.seq,
                e.entry.to_record(),
                e.payload,
            ));
        }
    }
    Reads {
        docs,
        summaries,
        entries,
        all: all_records(&rtx),
    }
}

#[test]
fn a_format_3_store_migrates_and_every_read_is_unchanged() {
    let tmp = copy_fixture();
    let old = old_reads(&tmp.path().join("store.redb"));
    let old_audit = {
        let db = redb::Database::open(tmp.path().join("store.redb")).expect("old store");
        audit_bytes(&db.begin_read().expect("read"))
    };
    assert_eq!(old.docs.len(), 2);
    assert_eq!(old.entries.values().map(BTreeSet::len).sum::<usize>(), 7);
    assert_eq!(old.all.len(), 12);
    let node = Node::open(tmp.path()).expect("opens and migrates");
    assert_eq!(
        new_reads(&node),
        old,
        "documents, summaries and entries, byte for byte"
    );
    // Documents are packed and summaries are binary now.
    let rtx = hoso_node::tamper::db(&node).begin_read().expect("read");
    let mut packed = 0;
    for row in rtx.open_table(DOCS).expect("docs").iter().expect("iter") {
        let (_, v) = row.expect("row");
        eprintln!(
            "packed {} of {}",
            v.value().stored_len(),
            v.value().unpacked_len()
        );
        assert!(v.value().stored_len() < v.value().unpacked_len());
        packed += 1;
    }
    assert_eq!(packed, 2);
    let names: Vec<String> = rtx
        .list_tables()
        .expect("tables")
        .map(|t| redb::TableHandle::name(&t).to_string())
        .collect();
    for gone in ["docs-1", "cases-1", "audit-by-case-1"] {
        assert!(!names.iter().any(|n| n == gone), "{gone} in {names:?}");
    }
    assert_eq!(
        rtx.open_table(AUDIT).expect("audit").len().expect("len"),
        12
    );
    let new_audit = audit_bytes(&rtx);
    assert!(
        new_audit * 10 < old_audit * 9,
        "payloads deflated with the dictionary: {new_audit} B of rows, {old_audit} B before"
    );
    drop(rtx);
    let report = node.verify_audit(&Policy::default()).expect("verify");
    assert!(report.ok, "{:?}", report.first_bad);
    let check = node.check_store().expect("check");
    assert!(check.ok, "{:?}", check.problems);
    // The store takes writes in the new form, and they read back.
    let by = node.authenticate("canbo01", "hoso-demo").expect("login");
    node.add_note(&by, "000.20.06.112-261201-0002", "sau khi nâng cấp")
        .expect("note");
    let after = new_reads(&node);
    let id = *old
        .summaries
        .iter()
        .find(|(_, s)| s.receipt_code.ends_with("0002"))
        .expect("case 2")
        .0;
    assert_eq!(after.entries[&id].len(), old.entries[&id].len() + 1);
    assert!(node.check_store().expect("check").ok);
    assert!(node.verify_audit(&Policy::default()).expect("verify").ok);
}

#[test]
fn a_packed_document_reads_back_the_bytes_written() {
    let tmp = copy_fixture();
    let node = Node::open(tmp.path()).expect("opens");
    let before = new_reads(&node);
    for id in before.docs.keys() {
        let mut doc = node.case_doc(&CaseId(*id)).expect("loads");
        let saved = doc.save_stored();
        let row = DocBuf::pack(&saved);
        assert_eq!(
            row.row().unpack(&CaseId(*id)).expect("unpacks").as_ref(),
            saved.as_slice()
        );
        assert!(
            row.packs_well(saved.len()),
            "deflated: {} of {}",
            row.stored_len(),
            saved.len()
        );
        let compressed = doc.save();
        assert!(
            row.stored_len() < compressed.len(),
            "{} packed vs {} with column deflate",
            row.stored_len(),
            compressed.len()
        );
    }
    let rtx = hoso_node::tamper::db(&node).begin_read().expect("read");
    assert_eq!(rtx.open_table(CASES).expect("cases").len().expect("len"), 2);
}

/// How `node/src/store/doc_dict.bin` was made: one document of each procedure among the first
/// 50 cases `list` gives on a
/// `hoso init --commune 06112 --sample` node (the sample cases, in the stored form), the
/// commonest procedure last (deflate finds near matches cheaper), cut to 32 KiB.
/// `HOSO_DICT_FROM=<data dir> HOSO_DICT_OUT=<file> cargo test --test node -- --ignored dictionary`
#[test]
#[ignore = "writes the preset dictionary; run by hand"]
fn dictionary_from_the_sample_cases() {
    let (Ok(from), Ok(out)) = (
        std::env::var("HOSO_DICT_FROM"),
        std::env::var("HOSO_DICT_OUT"),
    ) else {
        return;
    };
    let node = Node::open(std::path::Path::new(&from)).expect("opens");
    let all = node.list(&hoso_node::CaseQuery::default()).expect("list");
    let mut count: BTreeMap<String, (usize, CaseId)> = BTreeMap::new();
    for s in &all {
        let e = count.entry(s.procedure.clone()).or_insert((0, s.id));
        e.0 += 1;
    }
    let mut by_count: Vec<(usize, CaseId)> = count.into_values().collect();
    by_count.sort_by_key(|(n, _)| *n);
    let mut dict = Vec::new();
    for (_, id) in by_count {
        dict.extend_from_slice(&node.case_doc(&id).expect("loads").save_stored());
    }
    let cut = dict.len().saturating_sub(32 * 1024);
    std::fs::write(out, &dict[cut..]).expect("write");
}

/// How `node/src/chain/payload_dict.bin` was made: on a `hoso init --commune 06112 --sample`
/// node (`HOSO_DICT_FROM`), a few everyday edits (fields set, a note, transitions), then the
/// payload of the first entry of each action, and of one import of each procedure, the
/// commonest last, cut to 16 KiB.
/// `HOSO_DICT_FROM=<data dir> HOSO_DICT_OUT=<file> cargo test --test node -- --ignored payload_dictionary`
#[test]
#[ignore = "writes the preset dictionary; run by hand"]
fn payload_dictionary_from_the_sample_node() {
    let (Ok(from), Ok(out)) = (
        std::env::var("HOSO_DICT_FROM"),
        std::env::var("HOSO_DICT_OUT"),
    ) else {
        return;
    };
    let node = Node::open(std::path::Path::new(&from)).expect("opens");
    let by = node.authenticate("canbo01", "hoso-demo").expect("login");
    let all = node
        .list(&hoso_node::CaseQuery {
            limit: 10_000,
            ..hoso_node::CaseQuery::default()
        })
        .expect("list");
    eprintln!("{} cases", all.len());
    let mut edited = 0;
    for s in all.iter().filter(|s| !s.status.ends_processing()) {
        if edited == 3 {
            break;
        }
        let code = &s.receipt_code;
        let _ = node.add_note(&by, code, "Đã gọi điện hẹn công dân bổ sung giấy tờ");
        let view = node.case(code).expect("case");
        let edit: Vec<(String, String)> = view
            .fields
            .iter()
            .filter(|(k, _)| k.ends_with("address") || k.ends_with("place_of_birth"))
            .map(|(k, v)| (k.clone(), format!("{v}, tổ 3")))
            .collect();
        for e in edit {
            if node.set_fields(&by, code, std::slice::from_ref(&e)).is_ok() {
                eprintln!("edited {code}: {e:?}");
                edited += 1;
                break;
            }
        }
    }
    let rtx = hoso_node::tamper::db(&node).begin_read().expect("read");
    let records = hoso_node::audit::stored::read(&rtx).expect("records");
    let origin = node.id().0;
    let mut firsts: BTreeMap<String, (usize, Vec<u8>)> = BTreeMap::new();
    records
        .each(&origin, 0, u64::MAX, |_, x| {
            let e = hoso_node::audit::entry::Entry::from_record(&x.record).expect("entry");
            let Some(p) = x.payload else {
                return Ok(true);
            };
            let mut kind = e.body.action.as_str().to_string();
            if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&p)
                && let Some(proc) = v.get("procedure").and_then(|p| p.as_str())
            {
                kind = format!("{kind}/{proc}");
            }
            let f = firsts.entry(kind).or_insert((0, p));
            f.0 += 1;
            Ok(true)
        })
        .expect("each");
    let mut by_count: Vec<(usize, Vec<u8>)> = firsts.into_values().collect();
    by_count.sort_by_key(|(n, _)| *n);
    let mut dict = Vec::new();
    for (_, p) in by_count {
        dict.extend_from_slice(&p);
    }
    let cut = dict.len().saturating_sub(16 * 1024);
    std::fs::write(out, &dict[cut..]).expect("write");
}
