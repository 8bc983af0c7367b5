//! The last-contact record a session leaves in the store (`hoso_node::province`), written off
//! the session's loop.
//!
//! The record is bookkeeping for the hub's dashboard, not part of the exchange, yet each write
//! is a durable commit (an fsync). Written inline from the status observer it sat on every
//! round's critical path twice (at the peer's hello and at its `Idle`): a no-op round waited
//! for two commits at the hub. Mid-session records now go to the blocking pool in a task of
//! their own and the session goes on; the record at the session's end is still written before
//! the session returns, with a time after every earlier record of the session, so a late
//! mid-session write (the store keeps the newest `at_ms`) never replaces it.

use std::sync::Mutex;

use hoso_node::province::Contact;
use hoso_node::{Node, Peer};

/// Where one session's contact records stand.
#[derive(Debug, Default)]
pub(crate) struct ContactState {
    /// When the last record was due (Unix ms), and whether the peer had sent all by then.
    last: (i64, bool),
    /// The largest `at_ms` handed to a writer in this session.
    newest: i64,
}

/// Records `contact` for `peer`: in a background task when `background` (a mid-session record)
/// and a runtime is at hand, else here.
pub(crate) fn write(node: &Node, peer: &Peer, contact: Contact, background: bool) {
    if background && let Ok(rt) = tokio::runtime::Handle::try_current() {
        let (node, name, id) = (node.clone(), peer.name.clone(), peer.node_id);
        rt.spawn(async move {
            let r = crate::blocking::store_work(move || {
                node.record_contact(&id, &contact).map_err(Into::into)
            })
            .await;
            if let Err(e) = r {
                tracing::warn!(peer = %name, error = %e, "last contact not recorded");
            }
        });
        return;
    }
    if let Err(e) = node.record_contact(&peer.node_id, &contact) {
        tracing::warn!(peer = %peer.name, error = %e, "last contact not recorded");
    }
}

/// The record due now for a session (`online`: still open), if one is: at its end, and while
/// it stays open at most every [`hoso_node::province::CONTACT_EVERY_MS`] or when the peer has
/// just sent all it had. Its `at_ms` is after every earlier record of the session.
pub(crate) fn due(
    state: &Mutex<ContactState>,
    now: i64,
    online: bool,
    peer_sent_all: bool,
    pending_to_peer: u64,
) -> Option<Contact> {
    let mut st = state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let due = !online
        || now - st.last.0 >= hoso_node::province::CONTACT_EVERY_MS
        || peer_sent_all != st.last.1;
    if !due {
        return None;
    }
    let at_ms = now.max(st.newest + 1);
    st.newest = at_ms;
    st.last = if online {
        (now, peer_sent_all)
    } else {
        (0, false)
    };
    Some(Contact {
        at_ms,
        open: online,
        peer_sent_all,
        pending_to_peer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_due_at_the_hello_at_idle_and_at_the_end_each_newer() {
        let st = Mutex::new(ContactState::default());
        let t = 1_764_000_000_000;
        let a = due(&st, t, true, false, 3).expect("first record");
        assert!(due(&st, t, true, false, 3).is_none(), "nothing new");
        let b = due(&st, t, true, true, 0).expect("the peer sent all");
        let c = due(&st, t, false, true, 0).expect("the end");
        assert!(a.at_ms < b.at_ms && b.at_ms < c.at_ms);
        assert!(a.open && b.open && !c.open);
        let st = Mutex::new(ContactState::default());
        assert!(due(&st, t, true, false, 0).is_some());
        assert!(due(&st, t + 10_000, true, false, 0).is_none());
        assert!(
            due(&st, t + 30_000, true, false, 0).is_some(),
            "every 30 s while open"
        );
    }
}
