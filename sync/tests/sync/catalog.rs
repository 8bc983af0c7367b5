//! Catalog updates over sync (issue 12): the hub offers its newest version, a commune that is
//! behind takes it in the round and uses it at once; offers from a peer that is not the hub
//! are declined and unrequested bundles end the session.

use hoso_node::catalog_bundle::BundleFile;
use hoso_sync::SyncError;
use hoso_sync::protocol::catalog::CatalogState;
use hoso_sync::protocol::{CatalogMsg, Message, RoundStats};

use super::common::*;

fn files(fee: u64) -> Vec<BundleFile> {
    hoso_testkit::fixtures::catalog_files(fee)
}

fn judicial_fee(node: &hoso_node::Node, v: &hoso_node::CaseView) -> u64 {
    node.case_rules(v)
        .catalog
        .procedure("judicial_record")
        .expect("judicial")
        .fee
        .as_ref()
        .expect("fee")
        .in_person
}

/// One round from `node` with its one peer; its stats.
async fn one_round(node: &hoso_node::Node) -> RoundStats {
    let mut rounds = hoso_sync::sync_once(node, None, false)
        .await
        .expect("sync once");
    assert_eq!(rounds.len(), 1);
    let r = rounds.remove(0);
    r.stats
        .unwrap_or_else(|| panic!("round with {} failed: {:?}", r.name, r.error))
}

#[tokio::test]
async fn a_commune_takes_the_hubs_newest_catalog_in_a_round() {
    let (hub, commune, engine, _) = hub_and_commune().await;
    let before = new_case(&commune);
    hub.publish_catalog(&login(&hub, "lanhdao01"), files(250_000))
        .expect("publish");
    let stats = one_round(&commune).await;
    assert_eq!(stats.catalog_applied, Some(1), "{stats:?}");
    assert_eq!(stats.catalog_refused, 0);
    // The same handle uses it at once: no reopening.
    assert_eq!(commune.catalog_version(), 1);
    let after = new_case(&commune);
    assert_eq!(after.catalog_version, Some(1));
    assert_eq!(judicial_fee(&commune, &after), 250_000);
    assert_eq!(judicial_fee(&commune, &before), 200_000);
    // Nothing new: nothing applied.
    let stats = one_round(&commune).await;
    assert_eq!(stats.catalog_applied, None, "{stats:?}");
    // The hub checks the commune's new case against the version it was received under.
    let at_hub = hub.case(&after.receipt_code).expect("case at the hub");
    assert_eq!(at_hub.catalog_version, Some(1));
    assert_eq!(judicial_fee(&hub, &at_hub), 250_000);
    engine.shutdown().await;
}

#[test]
fn offers_from_a_peer_that_is_not_the_hub_are_declined() {
    let c = node(Some("06112"));
    let other = node(Some("06115"));
    let hub = node(None);
    let mut stats = RoundStats::default();
    let mut st = CatalogState::default();
    let out = st
        .on_step(
            &c,
            &peer_entry(&other, None),
            CatalogMsg::Offer { version: 5 },
            &mut stats.catalog_applied,
            &mut stats.catalog_refused,
        )
        .expect("declined");
    assert_eq!(
        out,
        vec![Message::Catalog {
            step: CatalogMsg::Want { version: 0 }
        }]
    );
    assert!(!st.pending());
    // A bundle nobody asked for ends the session.
    let e = st
        .on_step(
            &c,
            &peer_entry(&hub, None),
            CatalogMsg::Bundle { bytes: vec![1; 8] },
            &mut stats.catalog_applied,
            &mut stats.catalog_refused,
        )
        .expect_err("unrequested");
    assert!(matches!(e, SyncError::Protocol(_)), "{e}");
    // From the hub, a newer version is asked for; a forged bundle is refused, not fatal.
    let out = st
        .on_step(
            &c,
            &peer_entry(&hub, None),
            CatalogMsg::Offer { version: 1 },
            &mut stats.catalog_applied,
            &mut stats.catalog_refused,
        )
        .expect("asked");
    assert_eq!(
        out,
        vec![Message::Catalog {
            step: CatalogMsg::Want { version: 1 }
        }]
    );
    assert!(st.pending());
    st.on_step(
        &c,
        &peer_entry(&hub, None),
        CatalogMsg::Bundle {
            bytes: b"HOSOCAT1 but not a bundle".to_vec(),
        },
        &mut stats.catalog_applied,
        &mut stats.catalog_refused,
    )
    .expect("refused, not fatal");
    assert_eq!(stats.catalog_refused, 1);
    assert_eq!(stats.catalog_applied, None);
    assert_eq!(c.catalog_version(), 0);
}
