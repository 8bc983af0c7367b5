//! Property tests: round trips, untouched chains verify, any single-byte mutation of any
//! stored entry is detected. Case counts are small so this runs in seconds in debug.

use hoso_testkit::node::login;
use std::sync::OnceLock;

use hoso_node::audit::bundle::Bundle;
use hoso_node::audit::entry::{Action, Entry, EntryBody, payload_hash};
use hoso_node::audit::verify::verify;
use hoso_node::{CaseId, NodeKey};
use proptest::prelude::*;

use super::fixture::build;
use super::witness::{hub, sync_round};

fn fixture_bundle() -> &'static [u8] {
    static B: OnceLock<Vec<u8>> = OnceLock::new();
    B.get_or_init(|| {
        let c = build();
        let (h, _hd) = hub();
        sync_round(c.node(), &h);
        c.node()
            .transition(
                &login(c.node(), "canbo01"),
                &c.cases[2].receipt_code,
                hoso_schemas::Status::InProcess,
                None,
                None,
            )
            .expect("transition after anchor");
        let mut out = Vec::new();
        c.node().export_audit(&mut out).expect("export");
        out
    })
}

fn arb_hashes(max: usize) -> impl Strategy<Value = Vec<[u8; 32]>> {
    prop::collection::btree_set(any::<[u8; 32]>(), 0..max).prop_map(|s| s.into_iter().collect())
}

fn arb_body() -> impl Strategy<Value = EntryBody> {
    (
        any::<[u8; 16]>(),
        any::<u64>(),
        any::<[u8; 32]>(),
        any::<i64>(),
        "[a-z0-9]{0,64}",
        prop::sample::select(Action::ALL.to_vec()),
        any::<[u8; 16]>(),
        arb_hashes(5),
        arb_hashes(5),
        any::<u32>(),
    )
        .prop_map(
            |(realm, seq, prev, time_ms, officer, action, case, heads, changes, plen)| EntryBody {
                realm,
                origin: NodeKey::from_secret([9; 32]).id(),
                seq,
                epoch: 0,
                prev,
                time_ms,
                anchor_size: seq / 2,
                anchor_cosig: prev,
                officer,
                action,
                case_id: CaseId(case),
                actor: case,
                heads_before: heads,
                changes,
                payload_hash: payload_hash(&plen.to_be_bytes()),
                payload_len: plen,
            },
        )
}

/// A chain of `n` signed entries of actions that touch no case document.
fn chain(n: usize, steps: &[u16]) -> Bundle {
    let key = NodeKey::from_secret([5; 32]);
    let realm = [3; 16];
    let mut b = Bundle {
        realm,
        ..Default::default()
    };
    b.nodes.insert(key.id());
    let mut prev = [0u8; 32];
    let mut time = 1_764_300_000_000i64;
    for seq in 0..n as u64 {
        let action = match seq {
            0 => Action::Genesis,
            1 => Action::ActorBind,
            _ => [Action::OfficerAdd, Action::RegistryImport, Action::Note][seq as usize % 3],
        };
        time += i64::from(steps[seq as usize % steps.len()]);
        let payload = format!("{{\"n\":{seq}}}").into_bytes();
        let e = Entry::sign(
            EntryBody {
                realm,
                origin: key.id(),
                seq,
                epoch: 0,
                prev,
                time_ms: time,
                anchor_size: 0,
                anchor_cosig: [0; 32],
                officer: "system".into(),
                action,
                case_id: CaseId::NONE,
                actor: if seq == 1 { [1; 16] } else { [0; 16] },
                heads_before: vec![],
                changes: vec![],
                payload_hash: payload_hash(&payload),
                payload_len: payload.len() as u32,
            },
            &key,
        );
        prev = e.hash;
        b.payloads.insert(e.hash, payload);
        b.entries
            .entry(key.id())
            .or_default()
            .insert(seq, e.to_record());
    }
    b
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn encode_decode_round_trips(body in arb_body()) {
        let bytes = body.encode();
        prop_assert_eq!(EntryBody::decode(&bytes), Ok(body));
    }

    #[test]
    fn accepted_bytes_are_canonical(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(b) = EntryBody::decode(&bytes) {
            prop_assert_eq!(b.encode(), bytes);
        }
    }

    #[test]
    fn untouched_chains_verify(n in 2usize..30, steps in prop::collection::vec(0u16..5000, 1..8)) {
        let b = chain(n, &steps);
        let r = verify(&b, &Default::default()).expect("verify");
        prop_assert!(r.ok, "{:?}", r.findings);
        prop_assert_eq!(r.entries, n as u64);
    }

    #[test]
    fn any_byte_mutation_of_a_generated_chain_is_detected(
        n in 2usize..30, pick in any::<prop::sample::Index>(), off in any::<prop::sample::Index>(), x in 1u8..=255,
    ) {
        let mut b = chain(n, &[1000]);
        let origin = *b.entries.keys().next().expect("chain");
        let recs = b.entries.get_mut(&origin).expect("chain");
        let seq = pick.index(recs.len()) as u64;
        let rec = recs.get_mut(&seq).expect("entry");
        let i = off.index(rec.len());
        rec[i] ^= x;
        let r = verify(&b, &Default::default()).expect("verify");
        prop_assert!(!r.ok);
        prop_assert_eq!(r.first_bad.and_then(|f| f.seq), Some(seq));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// Real chain (cases, transitions, a cosigned checkpoint, an anchored entry): any single
    /// byte of any stored entry, changed to anything else, is detected at that entry.
    #[test]
    fn any_byte_mutation_of_a_real_chain_is_detected(
        pick in any::<prop::sample::Index>(), off in any::<prop::sample::Index>(), x in 1u8..=255,
    ) {
        let mut b = Bundle::decode(fixture_bundle()).expect("decode");
        let origin = *b.entries.keys().next().expect("chain");
        let recs = b.entries.get_mut(&origin).expect("chain");
        let seq = pick.index(recs.len()) as u64;
        let rec = recs.get_mut(&seq).expect("entry");
        let i = off.index(rec.len());
        rec[i] ^= x;
        let r = verify(&b, &Default::default()).expect("verify");
        prop_assert!(!r.ok);
        prop_assert_eq!(r.first_bad.and_then(|f| f.seq), Some(seq));
    }
}
