//! Two hubs for one province (issue 13, target 8): a cosignature relayed to a hub is kept only
//! when a hub of its own peers file made it and it verifies; anything else is dropped without
//! ending the session. (The whole flow with processes and `kill -9` is `tests/two_hubs_e2e.rs`.)

use hoso_node::NodeId;
use hoso_node::audit::checkpoint::{Cosignature, SignedCheckpoint};
use hoso_node::audit::verify::Policy;
use hoso_sync::protocol::{Message, Session, WitnessMsg};

use super::common::*;

/// The witnesses of `origin`'s chain in `node`'s verification report.
fn witnesses(node: &hoso_node::Node, origin: &NodeId) -> Vec<NodeId> {
    let r = node.verify_audit(&Policy::default()).expect("verify");
    assert!(r.ok, "{:?}", r.findings);
    r.chains
        .iter()
        .find(|c| c.origin == *origin)
        .map(|c| c.witnesses.clone())
        .unwrap_or_default()
}

/// A hub-side session with `commune`, past both hellos.
fn session_at(hub: &hoso_node::Node, commune: &hoso_node::Node) -> Session {
    let mut s = Session::new(hub.clone(), peer_entry(commune, None), false, false);
    let theirs = Session::new(commune.clone(), peer_entry(hub, None), true, true)
        .hello()
        .expect("hello");
    s.on_message(theirs).expect("the commune's hello");
    s
}

fn relayed(note: &str, cs: &Cosignature) -> Message {
    Message::Witness {
        reply: WitnessMsg::Cosigned {
            note: note.to_string(),
            cosignature: cs.line(),
        },
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_keeps_relayed_cosignatures_only_from_the_hubs_it_peers_with() {
    let (hub, commune, engine, _) = hub_and_commune().await;
    round(&commune.node).await;
    engine.shutdown().await;
    let cid = commune.node.id();
    assert_eq!(witnesses(&hub.node, &cid), vec![hub.node.id()]);

    // The commune's head, cosigned by a node the hub does not know and by a second hub.
    let sc = commune.node.own_checkpoint().expect("checkpoint");
    let note = sc.to_note();
    let cp = SignedCheckpoint::parse_note(&note)
        .expect("note")
        .checkpoint;
    let now = chrono::Utc::now().timestamp() as u64;
    let stranger = node(None);
    let other_hub = node(None);
    let by_stranger = Cosignature::sign(&cp, stranger.node.key(), now);
    let by_other_hub = Cosignature::sign(&cp, other_hub.node.key(), now);

    let mut s = session_at(&hub.node, &commune.node);
    assert_eq!(
        s.on_message(relayed(&note, &by_stranger)).expect("dropped"),
        vec![]
    );
    assert_eq!(s.stats.cosigs_relayed_stored, 0);
    // Not yet a peer: dropped too.
    assert_eq!(
        s.on_message(relayed(&note, &by_other_hub))
            .expect("dropped"),
        vec![]
    );
    assert_eq!(witnesses(&hub.node, &cid), vec![hub.node.id()]);

    // Once the other hub is in the peers file, its cosignature is kept; one over another
    // checkpoint (a forged signature) is not, and the session goes on.
    add_peer(&hub.node, &other_hub.node, None);
    let mut s = session_at(&hub.node, &commune.node);
    let mut forged = by_other_hub.clone();
    forged.time += 1;
    assert_eq!(
        s.on_message(relayed(&note, &forged)).expect("dropped"),
        vec![]
    );
    assert_eq!(s.stats.cosigs_relayed_stored, 0);
    s.on_message(relayed(&note, &by_other_hub)).expect("kept");
    assert_eq!(s.stats.cosigs_relayed_stored, 1);
    let mut w = witnesses(&hub.node, &cid);
    w.sort();
    let mut want = vec![hub.node.id(), other_hub.node.id()];
    want.sort();
    assert_eq!(w, want);
}
