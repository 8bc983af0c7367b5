//! One catalog for the province (issue 12): a hub publishes a signed, versioned bundle, a
//! commune applies it; cases keep the version they were received under; bad bundles are
//! refused with typed errors.

use hoso_node::NodeError;
use hoso_node::catalog_bundle::{BundleFile, CatalogBundle, CatalogBundleError, MAX_BUNDLE_BYTES};
use hoso_testkit::node::{commune, hub, peer_entry};

fn files(fee: u64) -> Vec<BundleFile> {
    hoso_testkit::fixtures::catalog_files(fee)
}

fn fee_of(rules: &hoso_node::node::Rules) -> u64 {
    rules
        .catalog
        .procedure("judicial_record")
        .expect("judicial")
        .fee
        .as_ref()
        .expect("fee")
        .in_person
}

fn bundle_err(e: NodeError) -> CatalogBundleError {
    match e {
        NodeError::CatalogBundle(b) => b,
        other => panic!("expected a catalog bundle error, got {other}"),
    }
}

#[test]
fn a_published_version_is_applied_and_old_cases_keep_their_rules() {
    let h = hub();
    let c = commune("06112");
    let before = c.receive("judicial_record", "020075000777");
    assert_eq!(before.catalog_version, Some(0));
    assert_eq!(c.catalog_version(), 0);

    let signed = h
        .publish_catalog(&h.login("lanhdao01"), files(250_000))
        .expect("publish");
    assert_eq!(signed.bundle.version, 1);
    assert_eq!(h.catalog_version(), 1);
    assert_eq!(fee_of(h.rules()), 250_000);

    let v = c
        .apply_catalog(&peer_entry(&h, None), &signed.bytes)
        .expect("apply");
    assert_eq!(v, 1);
    assert_eq!(c.catalog_version(), 1);
    assert_eq!(fee_of(c.rules()), 250_000);
    // The new case is received under version 1; the old one keeps version 0 and its fee.
    let after = c.receive("judicial_record", "020075000777");
    assert_eq!(after.catalog_version, Some(1));
    assert_eq!(fee_of(c.case_rules(&after)), 250_000);
    let old = c.case(&before.receipt_code).expect("old case");
    assert_eq!(old.catalog_version, Some(0));
    assert_eq!(fee_of(c.case_rules(&old)), 200_000);
    // Reopened, the node has version 1 in force and still checks the old case against 0.
    let dir = c.dir().to_path_buf();
    let again = hoso_node::Node::open(&dir).expect("reopen");
    assert_eq!(again.catalog_version(), 1);
    assert_eq!(fee_of(again.case_rules(&old)), 200_000);

    // Moving the old case is a supervisor's audited act, with a reason.
    let officer = c.login("canbo01");
    let e = c
        .recatalog_case(&officer, &before.receipt_code, "theo quyết định mới")
        .expect_err("an officer may not");
    assert!(matches!(e, NodeError::NotPermitted { .. }), "{e}");
    let lead = c.login("lanhdao01");
    let e = c
        .recatalog_case(&lead, &before.receipt_code, "  ")
        .expect_err("no reason");
    assert!(matches!(bundle_err(e), CatalogBundleError::ReasonRequired));
    let moved = c
        .recatalog_case(&lead, &before.receipt_code, "theo quyết định mới")
        .expect("recatalog");
    assert_eq!(moved.catalog_version, Some(1));
    assert_eq!(fee_of(c.case_rules(&moved)), 250_000);
    let actions: Vec<String> = c
        .audit_for_case(&moved.id)
        .expect("entries")
        .iter()
        .map(|e| e.entry.body.action.as_str().to_string())
        .collect();
    assert!(
        actions.contains(&"case_recatalog".to_string()),
        "{actions:?}"
    );
}

#[test]
fn bad_bundles_are_refused_with_typed_errors_and_change_nothing() {
    let h = hub();
    let c = commune("06112");
    let hub_peer = peer_entry(&h, None);
    let v1 = h
        .publish_catalog(&h.login("lanhdao01"), files(250_000))
        .expect("publish 1");
    let v2 = h
        .publish_catalog(&h.login("lanhdao01"), files(300_000))
        .expect("publish 2");
    assert_eq!(v2.bundle.version, 2);

    // A flipped signature byte.
    let mut bad = v2.bytes.clone();
    let n = bad.len();
    bad[n - 1] ^= 1;
    let e = bundle_err(c.apply_catalog(&hub_peer, &bad).expect_err("bad signature"));
    assert!(matches!(e, CatalogBundleError::BadSignature { .. }), "{e}");
    // A changed byte of content.
    let mut bad = v2.bytes.clone();
    bad[30] ^= 1;
    assert!(c.apply_catalog(&hub_peer, &bad).is_err());
    // Oversized.
    let big = vec![0u8; MAX_BUNDLE_BYTES + 1];
    let e = bundle_err(c.apply_catalog(&hub_peer, &big).expect_err("too large"));
    assert!(matches!(e, CatalogBundleError::TooLarge { .. }), "{e}");
    // From a peer that is not the hub (another commune), even with the hub's bundle.
    let other = commune("06115");
    let e = bundle_err(
        c.apply_catalog(&peer_entry(&other, None), &v2.bytes)
            .expect_err("not the hub"),
    );
    assert!(matches!(e, CatalogBundleError::NotFromHub { .. }), "{e}");
    // Signed by another hub key than the peer that sent it.
    let rogue = hub();
    let forged = rogue
        .publish_catalog(&rogue.login("lanhdao01"), files(1))
        .expect("rogue publish");
    let e = bundle_err(
        c.apply_catalog(&hub_peer, &forged.bytes)
            .expect_err("publisher is not the hub"),
    );
    assert!(matches!(e, CatalogBundleError::NotFromHub { .. }), "{e}");
    assert_eq!(c.catalog_version(), 0);
    assert_eq!(c.newest_catalog_version().expect("newest"), 0);

    // Newest first, then an older one: refused as not newer.
    assert_eq!(c.apply_catalog(&hub_peer, &v2.bytes).expect("apply 2"), 2);
    let e = bundle_err(c.apply_catalog(&hub_peer, &v1.bytes).expect_err("older"));
    assert!(
        matches!(
            e,
            CatalogBundleError::NotNewer {
                held: 2,
                offered: 1
            }
        ),
        "{e}"
    );
    let e = bundle_err(c.apply_catalog(&hub_peer, &v2.bytes).expect_err("same"));
    assert!(matches!(e, CatalogBundleError::NotNewer { .. }), "{e}");
    assert_eq!(c.catalog_version(), 2);
    assert!(e.to_string().contains("not newer"), "{e}");
}

#[test]
fn publishing_is_a_hub_supervisor_act_on_a_valid_catalog() {
    let h = hub();
    let c = commune("06112");
    let e = c
        .publish_catalog(&c.login("lanhdao01"), files(1))
        .expect_err("a commune does not publish");
    assert!(matches!(bundle_err(e), CatalogBundleError::NotHub));
    let e = h
        .publish_catalog(&h.login("canbo01"), files(1))
        .expect_err("an officer does not publish");
    assert!(matches!(e, NodeError::NotPermitted { .. }), "{e}");
    let mut broken = files(1);
    broken[0].text.push_str("\nthis is = = not toml\n");
    let e = h
        .publish_catalog(&h.login("lanhdao01"), broken)
        .expect_err("invalid catalog");
    assert!(matches!(bundle_err(e), CatalogBundleError::Invalid(_)));
    let e = h
        .publish_catalog(
            &h.login("lanhdao01"),
            vec![BundleFile {
                path: "holidays.toml".into(),
                text: String::new(),
            }],
        )
        .expect_err("no catalog");
    assert!(matches!(bundle_err(e), CatalogBundleError::NoCatalog));
    assert_eq!(h.newest_catalog_version().expect("newest"), 0);
    // A directory laid out like a data dir reads the same files.
    let tmp = tempfile::tempdir().expect("tmp");
    std::fs::create_dir_all(tmp.path().join("catalog")).expect("mkdir");
    for f in files(250_000) {
        std::fs::write(tmp.path().join(&f.path), &f.text).expect("write");
    }
    std::fs::write(tmp.path().join("catalog/notes.txt"), "ignored").expect("write");
    let read = CatalogBundle::read_dir(tmp.path()).expect("read dir");
    assert_eq!(read, files(250_000));
}
