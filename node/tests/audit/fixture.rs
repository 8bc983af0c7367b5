//! A real chain and tools to damage it: raw record access on the closed redb file, and
//! re-signing with the node's own key (the key holder rewriting history).

use std::path::PathBuf;

use hoso_node::audit::entry::{Action, Entry, EntryBody, payload_hash};
use hoso_node::audit::source::DbSource;
use hoso_node::audit::verify::{Finding, Policy, Report};
use hoso_node::tamper::tables::*;
use hoso_node::{CaseView, Node, NodeId, NodeKey};
use hoso_schemas::Status;
use redb::{Database, ReadableDatabase};

use hoso_testkit::node::{TestNode, commune, login, receive};

/// A commune node with three cases: created, edited, transitioned, noted.
pub(crate) struct Chain {
    pub t: TestNode,
    pub cases: Vec<CaseView>,
}

impl Chain {
    pub(crate) fn node(&self) -> &Node {
        &self.t.node
    }
    pub(crate) fn dir(&self) -> PathBuf {
        self.t.dir.path().to_path_buf()
    }
}

pub(crate) fn build() -> Chain {
    let t = commune("06112");
    let n = &t.node;
    let mut cases = Vec::new();
    let c1 = receive(n, "judicial_record", "020190012345");
    let c2 = receive(n, "judicial_record", "020088001111");
    n.add_note(&login(n, "canbo01"), &c1.receipt_code, "Đã nhận đủ giấy tờ")
        .expect("note");
    n.transition(
        &login(n, "canbo01"),
        &c1.receipt_code,
        Status::InProcess,
        None,
        None,
    )
    .expect("transition");
    n.add_note(&login(n, "lanhdao01"), &c2.receipt_code, "Cần bổ sung")
        .expect("note 2");
    let c3 = receive(n, "judicial_record", "020075000777");
    cases.push(n.case(&c1.receipt_code).expect("c1"));
    cases.push(n.case(&c2.receipt_code).expect("c2"));
    cases.push(c3);
    Chain { t, cases }
}

/// Drops the node and returns (data dir guard, store path, node id, node key, realm).
pub(crate) struct Closed {
    pub _dir: tempfile::TempDir,
    pub dir: PathBuf,
    pub id: NodeId,
    pub key: NodeKey,
    pub realm: [u8; 16],
    pub cases: Vec<CaseView>,
}

impl Closed {
    pub(crate) fn store(&self) -> PathBuf {
        self.dir.join("store.redb")
    }
    pub(crate) fn db(&self) -> Database {
        Database::open(self.store()).expect("open store")
    }
    pub(crate) fn verify(&self) -> Report {
        let db = self.db();
        hoso_node::audit::verify::verify(
            &DbSource {
                db: &db,
                realm: self.realm,
            },
            &Policy::default(),
        )
        .expect("verify runs")
    }
    pub(crate) fn len(&self) -> u64 {
        let db = self.db();
        let rtx = db.begin_read().expect("read");
        let t = rtx.open_table(AUDIT).expect("audit");
        t.range((&self.id.0, 0)..=(&self.id.0, u64::MAX))
            .expect("range")
            .count() as u64
    }
    pub(crate) fn record(&self, seq: u64) -> Vec<u8> {
        let db = self.db();
        let rtx = db.begin_read().expect("read");
        hoso_node::audit::stored::read(&rtx)
            .expect("audit")
            .get(&self.id.0, seq)
            .expect("get")
            .expect("entry present")
            .record
    }
    pub(crate) fn entry(&self, seq: u64) -> Entry {
        Entry::from_record(&self.record(seq)).expect("decodes")
    }
    pub(crate) fn put(&self, origin: &NodeId, seq: u64, rec: &[u8]) {
        let db = self.db();
        let tx = db.begin_write().expect("write");
        {
            let mut audit = hoso_node::audit::stored::read_in(&tx).expect("audit");
            let payload = audit
                .get(&origin.0, seq)
                .ok()
                .flatten()
                .and_then(|x| x.payload);
            audit
                .insert_record(&origin.0, seq, rec, payload.as_deref())
                .expect("insert");
        }
        tx.commit().expect("commit");
    }
    pub(crate) fn delete(&self, seq: u64) {
        let db = self.db();
        let tx = db.begin_write().expect("write");
        hoso_node::audit::stored::read_in(&tx)
            .expect("audit")
            .remove(&self.id.0, seq)
            .expect("remove");
        tx.commit().expect("commit");
    }
    /// The first entry at or after `from` with this action (and a case).
    pub(crate) fn find(&self, action: Action, from: u64) -> u64 {
        (from..self.len())
            .find(|s| self.entry(*s).body.action == action)
            .expect("action in chain")
    }
    /// Rewrites entry `seq` with `f`, re-signs it with the node key and re-links and re-signs
    /// every later entry: a consistent alternative history only the key holder can make.
    pub(crate) fn resign_from(&self, seq: u64, f: impl FnOnce(&mut EntryBody)) {
        let len = self.len();
        let mut body = self.entry(seq).body;
        f(&mut body);
        let mut e = Entry::sign(body, &self.key);
        self.store_signed(&e);
        for s in seq + 1..len {
            let mut b = self.entry(s).body;
            b.prev = e.hash;
            e = Entry::sign(b, &self.key);
            self.store_signed(&e);
        }
        // The stored head follows, as the key holder would make it (the node refuses to open a
        // store whose head is not its chain's last entry).
        let db = self.db();
        let mut head = hoso_node::audit::ChainHead::load(&db).expect("head");
        head.prev = hoso_node::ids::hex(&e.hash);
        let tx = db.begin_write().expect("write");
        tx.open_table(META)
            .expect("meta")
            .insert(
                hoso_node::tamper::META_CHAIN_HEAD,
                serde_json::to_vec(&head).expect("json").as_slice(),
            )
            .expect("insert");
        tx.commit().expect("commit");
    }
    fn store_signed(&self, e: &Entry) {
        let db = self.db();
        let tx = db.begin_write().expect("write");
        {
            let mut audit = hoso_node::audit::stored::read_in(&tx).expect("audit");
            let payload = audit
                .get(&self.id.0, e.body.seq)
                .ok()
                .flatten()
                .and_then(|x| x.payload);
            audit.insert(e, payload.as_deref()).expect("insert");
        }
        tx.commit().expect("commit");
    }
    /// Appends a validly signed, correctly linked entry built by `f` from the last one.
    pub(crate) fn append_forged(&self, f: impl FnOnce(&mut EntryBody)) -> u64 {
        let last = self.entry(self.len() - 1);
        let mut b = last.body.clone();
        b.seq += 1;
        b.prev = last.hash;
        b.time_ms += 1;
        b.changes = vec![];
        b.heads_before = vec![];
        b.payload_hash = payload_hash(b"{}");
        b.payload_len = 2;
        f(&mut b);
        let e = Entry::sign(b, &self.key);
        let db = self.db();
        let tx = db.begin_write().expect("write");
        hoso_node::audit::stored::insert(&tx, &e, Some(b"{}".as_slice())).expect("insert");
        tx.commit().expect("commit");
        e.body.seq
    }
}

pub(crate) fn close(c: Chain) -> Closed {
    let Chain { t, cases } = c;
    let id = t.node.id();
    let key = t.node.key().clone();
    let realm = t.node.realm();
    let TestNode { node, dir } = t;
    drop(node);
    Closed {
        dir: dir.path().to_path_buf(),
        _dir: dir,
        id,
        key,
        realm,
        cases,
    }
}

/// The report's first bad entry as (origin, seq, check).
pub(crate) fn first(r: &Report) -> (Option<NodeId>, Option<u64>, String) {
    let f = r.first_bad.as_ref().expect("a finding");
    (f.origin, f.seq, f.check.clone())
}

pub(crate) fn has(r: &Report, pred: impl Fn(&Finding) -> bool) -> bool {
    r.findings.iter().any(pred)
}
