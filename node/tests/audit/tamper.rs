//! audit.md §4: one test per tamper or fault case, each asserting the exact check and entry.

use hoso_node::audit::entry::{Action, Entry};
use hoso_node::audit::verify::{Finding, Notice};
use hoso_node::tamper::tables::*;
use hoso_node::{CaseId, NodeKey};
use hoso_testkit::node::TestNode;
use redb::ReadableTable;

use super::fixture::{build, close, first, has};

#[test]
fn untouched_chain_verifies() {
    let c = build();
    let r = c.node().verify_audit(&Default::default()).expect("verify");
    assert!(r.ok, "{:#?}", r.findings);
    assert_eq!(r.chains.len(), 1);
    assert_eq!(r.chains[0].length, 12);
    assert_eq!(r.cases, 3);
    assert!(r.changes >= 6, "every case change accounted: {}", r.changes);
    assert!(r.first_bad.is_none());
}

/// §4.1: a flipped body byte breaks the signature; the successor's link breaks too.
#[test]
fn t01_body_bit_flip() {
    let c = close(build());
    let mut rec = c.record(7);
    rec[1 + 16 + 32 + 8 + 4 + 32 + 7] ^= 0x01; // last byte of time_ms
    c.put(&c.id, 7, &rec);
    let r = c.verify();
    assert_eq!(first(&r), (Some(c.id), Some(7), "BadSignature".into()));
    assert!(has(&r, |f| *f
        == Finding::BrokenLink {
            origin: c.id,
            seq: 8
        }));
}

/// §4.2: a flipped signature byte.
#[test]
fn t02_signature_bit_flip() {
    let c = close(build());
    let mut rec = c.record(4);
    let n = rec.len();
    rec[n - 10] ^= 0x80;
    c.put(&c.id, 4, &rec);
    let r = c.verify();
    assert_eq!(
        r.findings,
        vec![Finding::BadSignature {
            origin: c.id,
            seq: 4
        }]
    );
}

/// §4.3: random signature bytes, and a signature by a key that is not the chain's.
#[test]
fn t03_forged_signature() {
    let c = close(build());
    let mut rec = c.record(3);
    let n = rec.len();
    for (i, b) in rec[n - 64..].iter_mut().enumerate() {
        *b = (i as u8).wrapping_mul(37).wrapping_add(11);
    }
    c.put(&c.id, 3, &rec);
    let other = NodeKey::from_secret([42; 32]);
    let e = Entry::sign(c.entry(5).body, &other);
    c.put(&c.id, 5, &e.to_record());
    let r = c.verify();
    assert_eq!(first(&r), (Some(c.id), Some(3), "BadSignature".into()));
    assert!(has(&r, |f| *f
        == Finding::BadSignature {
            origin: c.id,
            seq: 5
        }));
}

/// §4.4: an entry deleted mid-chain.
#[test]
fn t04_entry_deleted() {
    let c = close(build());
    c.delete(8);
    let r = c.verify();
    assert_eq!(
        r.findings[0],
        Finding::SeqGap {
            origin: c.id,
            expected: 8,
            got: 9
        }
    );
    assert!(has(&r, |f| *f
        == Finding::BrokenLink {
            origin: c.id,
            seq: 9
        }));
    // The deleted entry's change is now unaccounted for.
    assert!(has(
        &r,
        |f| matches!(f, Finding::UnaccountedChange { node: Some(n), .. } if *n == c.id)
    ));
}

/// §4.5: two entries swapped.
#[test]
fn t05_entries_swapped() {
    let c = close(build());
    let (a, b) = (c.record(8), c.record(9));
    c.put(&c.id, 8, &b);
    c.put(&c.id, 9, &a);
    let r = c.verify();
    assert_eq!(
        r.findings[0],
        Finding::SeqMismatch {
            origin: c.id,
            seq: 8,
            claimed: 9
        }
    );
    assert!(has(&r, |f| *f
        == Finding::BrokenLink {
            origin: c.id,
            seq: 8
        }));
}

/// §4.7: the tail truncated before any cosignature, after its change exists.
#[test]
fn t07_tail_truncated_leaves_unaccounted_change() {
    let c = close(build());
    let last = c.len() - 1;
    let hash = c.entry(last).body.changes[0];
    c.delete(last);
    let r = c.verify();
    assert_eq!(r.findings.len(), 1, "{:#?}", r.findings);
    match &r.findings[0] {
        Finding::UnaccountedChange {
            case,
            hash: h,
            node,
            ..
        } => {
            assert_eq!(*case, c.cases[2].id);
            assert_eq!(*h, hoso_node::ids::hex(&hash));
            assert_eq!(*node, Some(c.id));
        }
        other => panic!("unexpected {other:?}"),
    }
}

/// §4.8: the same record appended again locally at seq+1.
#[test]
fn t08_duplicate_appended() {
    let c = close(build());
    let last = c.len() - 1;
    let rec = c.record(last);
    c.put(&c.id, last + 1, &rec);
    let r = c.verify();
    assert_eq!(
        r.findings[0],
        Finding::SeqMismatch {
            origin: c.id,
            seq: last + 1,
            claimed: last
        }
    );
}

/// §4.9: a second validly signed entry at one (origin, seq), as sync stores it.
#[test]
fn t09_equivocation() {
    let c = close(build());
    let mut b = c.entry(6).body;
    b.officer = "lanhdao01".into();
    let twin = Entry::sign(b, &c.key);
    let held = c.entry(6).hash;
    {
        let db = c.db();
        let tx = db.begin_write().expect("w");
        tx.open_table(AUDIT_FORKS)
            .expect("forks")
            .insert((&c.id.0, 6, &twin.hash), twin.to_record().as_slice())
            .expect("insert");
        tx.commit().expect("commit");
    }
    let r = c.verify();
    assert_eq!(
        r.findings,
        vec![Finding::Equivocation {
            origin: c.id,
            seq: 6,
            h1: hoso_node::ids::hex(&held),
            h2: hoso_node::ids::hex(&twin.hash),
        }]
    );
}

/// §4.12: an entry replayed from another node's chain.
#[test]
fn t12_entry_from_another_chain() {
    let c = close(build());
    let other = close(build());
    let rec = other.record(2);
    c.put(&c.id, 2, &rec);
    let r = c.verify();
    assert_eq!(first(&r).2, "WrongOrigin");
    assert_eq!(first(&r).1, Some(2));
}

/// §4.13: an entry signed for another realm.
#[test]
fn t13_wrong_realm() {
    let c = close(build());
    let last = c.len() - 1;
    c.resign_from(last, |b| b.realm = [0xaa; 16]);
    let r = c.verify();
    assert_eq!(
        r.findings,
        vec![Finding::WrongRealm {
            origin: c.id,
            seq: last
        }]
    );
}

/// §4.14: time earlier than the entry before it; a `ClockJump` entry is only a notice.
#[test]
fn t14_clock_rollback() {
    let c = close(build());
    let t = c.entry(9).body.time_ms;
    c.resign_from(10, |b| b.time_ms = t - 60_000);
    let r = c.verify();
    assert_eq!(
        r.findings,
        vec![Finding::ClockRollback {
            origin: c.id,
            seq: 10
        }]
    );
    let seq = c.append_forged(|b| {
        b.action = Action::ClockJump;
        b.case_id = CaseId::NONE;
        b.time_ms = t - 3_600_000;
    });
    let r = c.verify();
    assert!(r.notices.contains(&Notice::ClockJump { origin: c.id, seq }));
}

/// §4.15: an anchor citing a cosignature nobody holds, then going backwards.
#[test]
fn t15_unknown_anchor_and_regression() {
    let c = close(build());
    let last = c.len() - 1;
    c.resign_from(last - 1, |b| {
        b.anchor_size = 3;
        b.anchor_cosig = [5; 32];
    });
    let r = c.verify();
    assert_eq!(
        first(&r),
        (Some(c.id), Some(last - 1), "UnknownAnchor".into())
    );
    assert!(has(&r, |f| *f
        == Finding::AnchorRegression {
            origin: c.id,
            seq: last
        }));
}

/// §4.16: an entry lists a change the case does not have.
#[test]
fn t16_missing_change() {
    let c = close(build());
    let case = c.cases[0].id;
    let seq = c.append_forged(|b| {
        b.action = Action::FieldSet;
        b.case_id = case;
        b.changes = vec![[0x77; 32]];
    });
    let r = c.verify();
    assert_eq!(
        r.findings,
        vec![Finding::MissingChange {
            case,
            hash: hoso_node::ids::hex(&[0x77; 32]),
            origin: c.id,
            seq
        }]
    );
}

/// §4.17: a change injected into a document under a fresh actor.
#[test]
fn t17_injected_change_is_unaccounted() {
    let c = close(build());
    let case = c.cases[1].id;
    {
        let db = c.db();
        let tx = db.begin_write().expect("w");
        {
            let mut docs = tx.open_table(DOCS).expect("docs");
            let mut chunks = tx.open_table(DOC_CHANGES).expect("chunks");
            let saved = docs
                .get(&case.0)
                .expect("get")
                .expect("doc")
                .value()
                .unpack(&case)
                .expect("unpacks")
                .into_owned();
            let mut am = automerge::AutoCommit::load(&saved).expect("load");
            let rows: Vec<u32> = chunks
                .range((&case.0, 0)..=(&case.0, u32::MAX))
                .expect("range")
                .map(|r| r.expect("row").0.value().1)
                .collect();
            for n in &rows {
                let ch = chunks
                    .get((&case.0, *n))
                    .expect("g")
                    .expect("c")
                    .value()
                    .to_vec();
                am.load_incremental(&ch).expect("inc");
            }
            am.set_actor(automerge::ActorId::from([0x99u8; 16].as_slice()));
            use automerge::transaction::Transactable;
            am.put(automerge::ROOT, "status", "returned").expect("put");
            am.commit();
            docs.insert(&case.0, DocBuf::pack(&am.save()).row())
                .expect("save");
            for n in rows {
                chunks.remove((&case.0, n)).expect("rm");
            }
        }
        tx.commit().expect("commit");
    }
    let r = c.verify();
    assert_eq!(r.findings.len(), 1, "{:#?}", r.findings);
    assert!(matches!(
        &r.findings[0],
        Finding::UnaccountedChange { case: k, actor, node: None, .. } if *k == case && *actor == "99".repeat(16)
    ));
}

/// §4.18: the entry names another actor than the change's.
#[test]
fn t18_misattributed_change() {
    let c = close(build());
    let seq = c.find(Action::CaseCreate, 0);
    c.resign_from(seq, |b| b.actor = [3; 16]);
    let r = c.verify();
    assert_eq!(
        first(&r),
        (Some(c.id), Some(seq), "MisattributedChange".into())
    );
    assert_eq!(r.findings.len(), 1);
}

/// §4.19: a change accounted twice.
#[test]
fn t19_duplicate_accounting() {
    let c = close(build());
    let orig = c.entry(c.find(Action::CaseCreate, 0));
    let seq = c.append_forged(|b| {
        b.action = Action::FieldSet;
        b.case_id = orig.body.case_id;
        b.actor = orig.body.actor;
        b.changes = orig.body.changes.clone();
    });
    let r = c.verify();
    assert_eq!(r.findings.len(), 1, "{:#?}", r.findings);
    assert!(matches!(&r.findings[0], Finding::DuplicateAccounting { seq: s, .. } if *s == seq));
}

/// §4.20: a change listed under the wrong case id.
#[test]
fn t20_case_mismatch() {
    let c = close(build());
    let seq = c.find(Action::Note, 0);
    let wrong = c.cases[2].id;
    c.resign_from(seq, |b| b.case_id = wrong);
    let r = c.verify();
    assert_eq!(r.findings.len(), 1, "{:#?}", r.findings);
    assert!(
        matches!(&r.findings[0], Finding::CaseMismatch { seq: s, listed, .. } if *s == seq && *listed == wrong)
    );
}

/// §4.21: the officer "acted on" a state they did not see.
#[test]
fn t21_heads_mismatch() {
    let c = close(build());
    let seq = c.find(Action::Transition, 0);
    c.resign_from(seq, |b| b.heads_before = vec![]);
    let r = c.verify();
    assert_eq!(first(&r), (Some(c.id), Some(seq), "HeadsMismatch".into()));
    assert_eq!(r.findings.len(), 1);
}

/// §4.23: trailing bytes, unknown version, unknown action code.
#[test]
fn t23_non_canonical() {
    let c = close(build());
    let mut rec = c.record(4);
    let n = rec.len();
    rec.insert(n - 64, 0);
    c.put(&c.id, 4, &rec);
    let mut rec = c.record(6);
    rec[0] = 2;
    c.put(&c.id, 6, &rec);
    let r = c.verify();
    assert_eq!(
        r.findings[0],
        Finding::NonCanonical {
            origin: c.id,
            seq: 4,
            what: "non-canonical entry: trailing bytes".into()
        }
    );
    assert!(has(
        &r,
        |f| matches!(f, Finding::NonCanonical { seq: 6, what, .. } if what.contains("version"))
    ));
}

/// §4.24: an oversized record is refused before it is decoded.
#[test]
fn t24_too_large() {
    let c = close(build());
    c.put(&c.id, 5, &vec![1u8; 300_000]);
    let r = c.verify();
    assert_eq!(
        r.findings[0],
        Finding::TooLarge {
            origin: c.id,
            seq: 5,
            what: "record".into()
        }
    );
}

/// §4.25: genesis with a non-zero prev, a second genesis, a missing `ActorBind`.
#[test]
fn t25_bad_genesis() {
    let c = close(build());
    c.resign_from(0, |b| b.prev = [1; 32]);
    let r = c.verify();
    assert_eq!(first(&r), (Some(c.id), Some(0), "BadGenesis".into()));
    let c = close(build());
    c.resign_from(3, |b| b.action = Action::Genesis);
    let r = c.verify();
    assert_eq!(first(&r), (Some(c.id), Some(3), "BadGenesis".into()));
    let c = close(build());
    c.resign_from(1, |b| b.action = Action::OfficerAdd);
    let r = c.verify();
    assert_eq!(first(&r), (Some(c.id), Some(1), "BadGenesis".into()));
}

/// §4.30: a purged payload is a notice; an altered one is a finding.
#[test]
fn t30_payloads() {
    let c = close(build());
    let e3 = c.entry(3);
    let e6 = c.entry(6);
    {
        let db = c.db();
        let tx = db.begin_write().expect("w");
        {
            // The payload of entry 3 purged, the one of entry 6 replaced.
            let mut audit = hoso_node::audit::stored::read_in(&tx).expect("audit");
            audit.remove(&c.id.0, 3).expect("rm");
            audit
                .insert_record(&c.id.0, 3, &e3.to_record(), None)
                .expect("purged");
            audit
                .insert_record(
                    &c.id.0,
                    6,
                    &e6.to_record(),
                    Some(b"{\"procedure\":\"forged\"}".as_slice()),
                )
                .expect("ins");
        }
        tx.commit().expect("commit");
    }
    let r = c.verify();
    assert_eq!(
        r.findings,
        vec![Finding::PayloadMismatch {
            origin: c.id,
            seq: 6
        }]
    );
    assert!(r.notices.contains(&Notice::PayloadPurged {
        origin: c.id,
        seq: 3
    }));
}

/// §4.28: after a reopen (the commit either happened or not), the chain verifies and the
/// stored head is the last entry.
#[test]
fn t28_reopen_keeps_head_consistent() {
    let c = build();
    let dir = c.dir();
    let head = c.node().chain_head();
    let super::fixture::Chain { t, .. } = c;
    let TestNode { node, dir: guard } = t;
    drop(node);
    let node = hoso_node::Node::open(&dir).expect("reopen");
    assert_eq!(node.chain_head(), head);
    let r = node.verify_audit(&Default::default()).expect("verify");
    assert!(r.ok, "{:#?}", r.findings);
    assert_eq!(r.chains[0].length, head.next_seq);
    drop(guard);
}
