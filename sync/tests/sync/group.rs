//! A run of received messages ingested as one group (`hoso_node::ingest::group`): the same
//! outcome, item by item, as ingesting them one by one, in one commit.

use hoso_node::ingest::IncomingDoc;
use hoso_node::ingest::group::{GroupItem, GroupOutcome};

use super::common::*;

fn whole(node: &hoso_node::Node, id: &hoso_node::CaseId) -> IncomingDoc {
    IncomingDoc {
        id: *id,
        full: true,
        heads: Vec::new(),
        bytes: node.doc_bytes(id).expect("bytes"),
    }
}

#[test]
fn entries_and_documents_of_one_group_are_checked_in_order_and_committed_together() {
    let hub = node(None);
    let commune = node(Some("06112"));
    let cases: Vec<_> = (0..3).map(|_| new_case(&commune.node)).collect();
    let cid = commune.node.id();
    let recs = commune.node.chain_records(&cid, 0, 1000).expect("records");
    let items = vec![
        // A document before the entries that account for it: refused, quarantined.
        GroupItem::Docs {
            docs: vec![whole(&commune.node, &cases[0].id)],
            upto: 1,
        },
        GroupItem::Audit {
            origin: cid,
            entries: recs.clone(),
        },
        // After them, in the same group: merged.
        GroupItem::Docs {
            docs: vec![
                whole(&commune.node, &cases[1].id),
                whole(&commune.node, &cases[2].id),
            ],
            upto: 3,
        },
    ];
    let allow = |_: &str, _: &str| true;
    let out = hub.node.ingest_group(&cid, &items, &allow).expect("group");
    match out.as_slice() {
        [
            GroupOutcome::Docs(first),
            GroupOutcome::Audit(chain),
            GroupOutcome::Docs(rest),
        ] => {
            assert_eq!(first.refused(), 1);
            assert_eq!(chain.stored, recs.len() as u64, "{chain:?}");
            assert_eq!(chain.refused, None);
            assert_eq!((rest.items.len(), rest.refused()), (2, 0));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(hub.node.sync_checkpoint(&cid).expect("checkpoint"), 3);
    assert!(hub.node.case(&cases[0].receipt_code).is_err());
    assert!(hub.node.case(&cases[2].receipt_code).is_ok());
    // The quarantined case goes in once its entries are held, as after a batch alone.
    assert_eq!(hub.node.retry_quarantined(&cid, &allow).expect("retry"), 1);
    assert!(hub.node.case(&cases[0].receipt_code).is_ok());
    // The same entries again are duplicates; the chain held verifies.
    let again = hub
        .node
        .ingest_group(
            &cid,
            &[GroupItem::Audit {
                origin: cid,
                entries: recs.clone(),
            }],
            &allow,
        )
        .expect("again");
    assert!(
        matches!(&again[..], [GroupOutcome::Audit(c)] if c.duplicates == recs.len() as u64 && c.stored == 0),
        "{again:?}"
    );
    let r = hub.node.verify_audit(&Default::default()).expect("verify");
    assert!(r.findings.is_empty(), "{:?}", r.findings);
}

#[test]
fn a_bad_entry_stops_its_batch_and_not_the_rest_of_the_group() {
    let hub = node(None);
    let commune = node(Some("06112"));
    let cases: Vec<_> = (0..2).map(|_| new_case(&commune.node)).collect();
    let cid = commune.node.id();
    let mut recs = commune.node.chain_records(&cid, 0, 1000).expect("records");
    let bad = recs.len() - 1;
    // The last entry's signature no longer matches.
    let last = recs[bad].0.len() - 1;
    recs[bad].0[last] ^= 1;
    let items = vec![
        GroupItem::Audit {
            origin: cid,
            entries: recs.clone(),
        },
        GroupItem::Docs {
            docs: vec![whole(&commune.node, &cases[0].id)],
            upto: 5,
        },
    ];
    let allow = |_: &str, _: &str| true;
    let out = hub.node.ingest_group(&cid, &items, &allow).expect("group");
    match out.as_slice() {
        [GroupOutcome::Audit(chain), GroupOutcome::Docs(docs)] => {
            assert_eq!(chain.stored, bad as u64, "{chain:?}");
            assert!(chain.refused.is_some(), "{chain:?}");
            // The first case's entry came before the bad one: it is accounted and merged.
            assert_eq!(docs.refused(), 0, "{docs:?}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(hub.node.chain_len(&cid).expect("len"), bad as u64);
    assert_eq!(hub.node.sync_checkpoint(&cid).expect("checkpoint"), 5);
}

/// What each case of a report did: stored, or the kind of refusal and its reason.
fn kinds(r: &hoso_node::ingest::IngestReport) -> Vec<String> {
    r.items
        .iter()
        .map(|i| match i {
            hoso_node::ingest::Ingested::Stored { created, .. } => format!("stored {created}"),
            hoso_node::ingest::Ingested::Refused { kind, reason, .. } => {
                format!("refused {kind:?}: {reason}")
            }
        })
        .collect()
}

#[test]
fn a_trust_check_on_entries_stored_earlier_in_the_group_refuses_what_it_refused_before() {
    // The group keeps the entries it stored in memory for the trust checks of the cases after
    // them (`ingest/fresh.rs`) and stages the rows of new cases on its workers
    // (`ingest/staged.rs`): the outcome must be the one of storing the entries, then the cases,
    // one message at a time.
    let grouped = node(None);
    let alone = node(None);
    let commune = node(Some("06112"));
    let honest = new_case(&commune.node);
    // A change no entry lists, with the commune's own actor.
    let unlisted = new_case(&commune.node);
    let forged = forged_change(&commune.node, &unlisted.id, commune.node.actor());
    plant_change(&commune.node, &unlisted.id, &forged);
    // A change made with another node's actor.
    let foreign = new_case(&commune.node);
    let forged = forged_change(&commune.node, &foreign.id, grouped.node.actor());
    plant_change(&commune.node, &foreign.id, &forged);
    let cid = commune.node.id();
    let recs = commune.node.chain_records(&cid, 0, 1000).expect("records");
    let docs: Vec<IncomingDoc> = [&honest, &unlisted, &foreign]
        .iter()
        .map(|c| whole(&commune.node, &c.id))
        .collect();
    let allow = |_: &str, _: &str| true;

    let out = grouped
        .node
        .ingest_group(
            &cid,
            &[
                GroupItem::Audit {
                    origin: cid,
                    entries: recs.clone(),
                },
                GroupItem::Docs {
                    docs: docs.clone(),
                    upto: 3,
                },
            ],
            &allow,
        )
        .expect("group");
    let in_group = match out.as_slice() {
        [GroupOutcome::Audit(chain), GroupOutcome::Docs(r)] => {
            assert_eq!(chain.stored, recs.len() as u64, "{chain:?}");
            kinds(r)
        }
        other => panic!("{other:?}"),
    };
    assert!(in_group[0].starts_with("stored true"), "{in_group:?}");
    assert!(
        in_group[1].contains("Unaccounted") && in_group[1].contains("accounted by no audit entry"),
        "{in_group:?}"
    );
    assert!(in_group[2].contains("Unaccounted"), "{in_group:?}");

    let chain = alone.node.ingest_chain(&cid, &recs).expect("chain");
    assert_eq!(chain.stored, recs.len() as u64);
    let one_by_one = alone
        .node
        .ingest_batch(&cid, &docs, 3, &allow)
        .expect("batch");
    assert_eq!(in_group, kinds(&one_by_one));

    // What was stored is the same, row for row as the node reads it back.
    let c = &honest;
    let a = grouped.node.case(&c.receipt_code).expect("grouped");
    let b = alone.node.case(&c.receipt_code).expect("alone");
    assert_eq!(a.summary(), b.summary());
    assert_eq!(
        grouped.node.doc_bytes(&c.id).expect("doc"),
        alone.node.doc_bytes(&c.id).expect("doc")
    );
    for c in [&unlisted, &foreign] {
        assert!(grouped.node.case(&c.receipt_code).is_err());
    }
    assert_eq!(grouped.node.quarantined().expect("q").len(), 2);
    // Both hubs hold the entries of the two refused cases without their changes, and nothing
    // else is wrong.
    let a = grouped
        .node
        .verify_audit(&Default::default())
        .expect("verify");
    let b = alone
        .node
        .verify_audit(&Default::default())
        .expect("verify");
    assert_eq!(format!("{:?}", a.findings), format!("{:?}", b.findings));
}
