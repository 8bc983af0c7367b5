//! Evidence bundles: export, verify offline, and edits detected where they are.

use hoso_node::audit::bundle::{Bundle, verify_bundle};
use hoso_node::audit::verify::{Finding, verify};

use super::fixture::build;
use super::witness::{hub, sync_round};

fn exported() -> (Vec<u8>, hoso_node::NodeId) {
    let c = build();
    let (h, _hd) = hub();
    sync_round(c.node(), &h);
    let mut out = Vec::new();
    c.node().export_audit(&mut out).expect("export");
    (out, c.node().id())
}

#[test]
fn bundle_verifies_offline_and_round_trips() {
    let (bytes, id) = exported();
    let r = verify_bundle(&bytes, &Default::default()).expect("verify");
    assert!(r.ok, "{:#?}", r.findings);
    assert_eq!(r.cases, 3);
    assert_eq!(r.chains[0].origin, id);
    assert!(r.chains[0].cosigned_size > 0);
    assert_eq!(r.cosignatures, 1);
}

/// The "done when" flip: one byte inside an entry names that entry.
#[test]
fn flipped_entry_byte_names_the_entry() {
    let (mut bytes, id) = exported();
    // Find entry #7's record: tag 3, then origin ‖ seq.
    let mut needle = id.0.to_vec();
    needle.extend_from_slice(&7u64.to_be_bytes());
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle.as_slice())
        .expect("entry 7 in bundle");
    bytes[at + 40 + 60] ^= 0x04;
    let r = verify_bundle(&bytes, &Default::default()).expect("verify");
    let f = r.first_bad.expect("found");
    assert_eq!((f.origin, f.seq), (Some(id), Some(7)));
}

/// §4.29: an edited case document in a bundle.
#[test]
fn t29_tampered_document_in_bundle() {
    let (bytes, _) = exported();
    let mut b = Bundle::decode(&bytes).expect("decode");
    let (case, doc) = b.docs.iter_mut().next().expect("a doc");
    let case = *case;
    let n = doc.len();
    doc[n / 2] ^= 0x10;
    let r = verify(&b, &Default::default()).expect("verify");
    assert!(
        r.findings
            .iter()
            .any(|f| matches!(f, Finding::BadDocument { case: c, .. } if *c == case)),
        "{:#?}",
        r.findings
    );
}

/// §4.3: a chain whose node is not enrolled in the bundle's roster.
#[test]
fn t03_unknown_origin_in_bundle() {
    let (bytes, id) = exported();
    let mut b = Bundle::decode(&bytes).expect("decode");
    b.nodes.remove(&id);
    let r = verify(&b, &Default::default()).expect("verify");
    assert_eq!(r.findings[0], Finding::UnknownOrigin { origin: id });
}

#[test]
fn malformed_bundles_are_findings_not_panics() {
    let (bytes, _) = exported();
    for cut in [0, 10, 20, 25, bytes.len() / 2, bytes.len() - 1] {
        let r = verify_bundle(&bytes[..cut], &Default::default()).expect("verify");
        assert!(!r.ok);
        assert_eq!(r.findings.len(), 1);
        assert!(matches!(r.findings[0], Finding::MalformedBundle { .. }));
    }
    let mut extra = bytes.clone();
    extra.push(0);
    assert!(!verify_bundle(&extra, &Default::default()).expect("v").ok);
    // A length field blown up to 4 GiB: refused before allocating.
    let mut big = bytes.clone();
    big[21..25].copy_from_slice(&u32::MAX.to_be_bytes());
    assert!(matches!(
        verify_bundle(&big, &Default::default())
            .expect("v")
            .findings[0],
        Finding::MalformedBundle { .. }
    ));
}

/// The "done when", in-process (the iroh session is wired by sync): a hub that has
/// witnessed and merged three communes exports a bundle that verifies offline; replay works
/// on the hub; one flipped byte names the entry.
#[test]
fn hub_with_three_communes_exports_a_verifiable_bundle() {
    let (h, _hd) = hub();
    let communes: Vec<_> = (0..3).map(|_| build()).collect();
    for c in &communes {
        assert!(matches!(
            sync_round(c.node(), &h),
            hoso_node::audit::witness::WitnessReply::Cosigned { .. }
        ));
        for v in &c.cases {
            let bytes = c.node().doc_bytes(&v.id).expect("doc");
            h.apply_remote(&v.id, &bytes).expect("merge");
        }
    }
    let r = h.verify_audit(&Default::default()).expect("verify hub");
    assert!(r.ok, "{:#?}", r.findings);
    assert_eq!(r.chains.len(), 4);
    assert_eq!(r.cases, 9);
    let case = &communes[1].cases[0];
    let rp = h
        .replay(
            &case.id.to_string(),
            hoso_node::audit::replay::ReplayPoint::Now,
        )
        .expect("replay");
    assert_eq!(rp.steps.len(), 3);
    assert_eq!(rp.steps[0].origin, communes[1].node().id());
    let mut bytes = Vec::new();
    h.export_audit(&mut bytes).expect("export");
    let r = verify_bundle(&bytes, &Default::default()).expect("verify bundle");
    assert!(r.ok, "{:#?}", r.findings);
    assert_eq!(r.cosignatures, 3);
    let id = communes[2].node().id();
    let mut needle = id.0.to_vec();
    needle.extend_from_slice(&9u64.to_be_bytes());
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle.as_slice())
        .expect("entry in bundle");
    bytes[at + 40 + 120] ^= 0x20;
    let f = verify_bundle(&bytes, &Default::default())
        .expect("verify")
        .first_bad
        .expect("tampering found");
    assert_eq!((f.origin, f.seq), (Some(id), Some(9)));
}
