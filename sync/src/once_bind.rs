//! The address a one-shot round (`hoso sync --once`) binds its endpoint to.
//!
//! Bound to the unspecified address, the endpoint offers the peer every local interface
//! address, and iroh's path discovery then opens and validates a QUIC path to each of them
//! during the round (extra packets and work on both sides while the round's own messages
//! wait). A one-shot round only dials: when every address of the peers it dials is reached from
//! one local address (the kernel's choice of source for each, asked with an unsent UDP
//! `connect`), the endpoint binds that address alone. Anything else (relays, a name instead of
//! an address, peers reached from different local addresses) binds the unspecified address,
//! as before.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};

use hoso_node::Peer;

/// The unspecified address of `addr`'s family, port 0.
fn any_of(addr: &SocketAddr) -> SocketAddr {
    match addr {
        SocketAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
        SocketAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
    }
}

/// The local address the kernel sends to `to` from (no packet is sent).
fn source_for(to: &SocketAddr) -> Option<IpAddr> {
    let s = UdpSocket::bind(any_of(to)).ok()?;
    s.connect(to).ok()?;
    let ip = s.local_addr().ok()?.ip();
    (!ip.is_unspecified()).then_some(ip)
}

/// The bind address of a one-shot round with `peers` (see the module docs).
pub(crate) fn once_bind(peers: &[Peer], relays: bool) -> SocketAddr {
    let any: SocketAddr = (Ipv4Addr::UNSPECIFIED, 0).into();
    if relays {
        return any;
    }
    let mut source: Option<IpAddr> = None;
    for p in peers {
        for a in &p.addrs {
            let Ok(to) = a.parse::<SocketAddr>() else {
                return any;
            };
            match (source_for(&to), source) {
                (None, _) => return any,
                (Some(ip), None) => source = Some(ip),
                (Some(ip), Some(s)) if ip == s => {}
                (Some(_), Some(_)) => return any,
            }
        }
    }
    source.map_or(any, |ip| (ip, 0).into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use hoso_node::{NodeId, NodeRole};

    fn peer(addrs: &[&str]) -> Peer {
        Peer {
            node_id: NodeId([7; 32]),
            name: "hub".into(),
            role: NodeRole::Hub,
            addrs: addrs.iter().map(|a| (*a).to_string()).collect(),
            scope: vec!["20".into()],
        }
    }

    #[test]
    fn loopback_peers_bind_loopback_alone() {
        let b = once_bind(&[peer(&["127.0.0.1:7420"])], false);
        assert_eq!(b, SocketAddr::from((Ipv4Addr::LOCALHOST, 0)));
    }

    #[test]
    fn anything_else_binds_the_unspecified_address() {
        let any = SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0));
        assert_eq!(once_bind(&[peer(&["127.0.0.1:7420"])], true), any);
        assert_eq!(once_bind(&[peer(&["hub.example:7420"])], false), any);
        assert_eq!(once_bind(&[peer(&[])], false), any);
    }
}
