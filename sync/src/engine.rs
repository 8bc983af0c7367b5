//! The sync engine: listens for peers, dials the peers it should (a commune dials its hub; of
//! two nodes with the same role the smaller id dials), catches up, stays connected pushing
//! local changes as they happen (the session pumps on every `node.subscribe()` event), retries
//! lost peers with exponential backoff, publishes per-peer status on the node's channel and
//! obeys [`SyncCommand`]s from the console.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hoso_node::{Node, NodeRole, Peer, PeerStatus, Peers, SyncCommand};
use iroh::Endpoint;
use iroh::protocol::Router;
use serde::Serialize;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::blocking::{AbortOnDrop, store_work};
use crate::error::SyncError;
pub use crate::link::Link;
use crate::net::{self, DriveOptions, Observer, SyncHandler};
use crate::protocol::{ALPN, ALPN_V2, ALPN_V3, RoundStats, Session};

/// How the engine runs.
#[derive(Clone, Debug, Default)]
pub struct EngineOptions {
    /// Listen address; `listen` from node.toml when `None`.
    pub bind: Option<SocketAddr>,
    /// Use iroh's relays and discovery (off: direct addresses from the peers file only).
    pub relays: bool,
    /// Do not dial peers, only accept (tests).
    pub no_dial: bool,
}

/// A running engine. Dropping it without [`Engine::shutdown`] still stops its sessions and
/// tasks (cancelled and aborted).
pub struct Engine {
    node: Node,
    router: Router,
    cancel: CancellationToken,
    tasks: Vec<AbortOnDrop<()>>,
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.cancel.cancel();
        for t in &self.tasks {
            t.abort();
        }
    }
}

fn update_peer(node: &Node, peer: &Peer, f: impl FnOnce(&mut PeerStatus)) {
    node.publish_sync_status(|s| {
        s.running = true;
        let idx = match s.peers.iter().position(|p| p.node_id == peer.node_id) {
            Some(i) => i,
            None => {
                s.peers.push(PeerStatus {
                    node_id: peer.node_id,
                    name: peer.name.clone(),
                    role: peer.role,
                    online: false,
                    // The last contact kept in the store: a restarted node still knows it.
                    last_sync: node
                        .contacts()
                        .ok()
                        .and_then(|c| c.get(&peer.node_id).map(|c| c.at_ms))
                        .and_then(chrono::DateTime::from_timestamp_millis)
                        .map(|t| t.to_rfc3339()),
                    pending_cases: 0,
                    bytes_in: 0,
                    bytes_out: 0,
                    last_error: None,
                });
                s.peers.len() - 1
            }
        };
        f(&mut s.peers[idx]);
    });
}

/// An observer that publishes a peer's status from its session. The last contact goes to the
/// store off the session's loop while the session runs (`contact.rs`).
pub fn status_observer(node: &Node, peer: &Peer) -> Observer {
    let node = node.clone();
    let peer = peer.clone();
    let base = Arc::new(Mutex::new(None::<(u64, u64)>));
    let contact = Arc::new(Mutex::new(crate::contact::ContactState::default()));
    Arc::new(move |s: &Session, st: &RoundStats, online: bool| {
        let pending = s.pending();
        if s.got_hello()
            && let Some(c) = crate::contact::due(
                &contact,
                chrono::Utc::now().timestamp_millis(),
                online,
                s.peer_sent_all(),
                pending,
            )
        {
            crate::contact::write(&node, &peer, c, online);
        }
        let mut b = base
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        update_peer(&node, &peer, |p| {
            let (bi, bo) = *b.get_or_insert((p.bytes_in, p.bytes_out));
            p.online = online;
            p.pending_cases = pending;
            p.bytes_in = bi + st.bytes_in;
            p.bytes_out = bo + st.bytes_out;
            if pending == 0 {
                p.last_sync = Some(chrono::Utc::now().to_rfc3339());
            }
        });
        if !online {
            *b = None;
        }
    })
}

/// True when this node dials `peer` (rather than waiting for it).
pub fn dials(node: &Node, peer: &Peer) -> bool {
    if peer.addrs.is_empty() {
        return false;
    }
    match (node.config().role, peer.role) {
        (NodeRole::Commune, NodeRole::Hub) => true,
        (NodeRole::Hub, NodeRole::Commune) => false,
        _ => node.id() < peer.node_id,
    }
}

impl Engine {
    /// Binds the endpoint, starts accepting peers and dialing the ones this node dials.
    pub async fn start(node: Node, opts: EngineOptions) -> Result<Engine, SyncError> {
        Engine::start_with_limit(node, opts, net::MAX_SESSIONS).await
    }

    /// [`Engine::start`] serving at most `max_sessions` peers at once: one more is answered
    /// busy and dials again later with backoff.
    pub async fn start_with_limit(
        node: Node,
        opts: EngineOptions,
        max_sessions: usize,
    ) -> Result<Engine, SyncError> {
        let bind = match opts.bind {
            Some(b) => b,
            None => node.config().listen.parse().map_err(|_| {
                SyncError::Net(format!(
                    "listen address `{}` in node.toml is not IP:PORT",
                    node.config().listen
                ))
            })?,
        };
        let ep = net::bind_endpoint(&node, bind, opts.relays).await?;
        let cancel = CancellationToken::new();
        let link = Arc::new(Link::default());
        let handler = SyncHandler {
            node: node.clone(),
            cancel: cancel.clone(),
            link: link.clone(),
            observer_for: {
                let node = node.clone();
                Arc::new(move |p: &Peer| status_observer(&node, p))
            },
            active: Arc::new(std::sync::atomic::AtomicUsize::new(0)),
            max_sessions,
        };
        // hoso/sync/3, then 2, first: the accepting side's order picks the newest the dialler
        // offers.
        let router = Router::builder(ep.clone())
            .accept(ALPN_V3, handler.clone())
            .accept(ALPN_V2, handler.clone())
            .accept(ALPN, handler)
            .accept(
                crate::clock::CLOCK_ALPN,
                crate::clock::ClockHandler::new(node.clone()),
            )
            .spawn();
        let peers = Peers::load(node.dir())?;
        node.publish_sync_status(|s| {
            s.running = true;
            s.link_cut = false;
        });
        for p in &peers.peer {
            update_peer(&node, p, |_| {});
        }
        let wake = Arc::new(Notify::new());
        let mut tasks = Vec::new();
        if !opts.no_dial {
            for p in peers.peer.iter().filter(|p| dials(&node, p)) {
                tasks.push(AbortOnDrop::spawn(dial_loop(
                    node.clone(),
                    ep.clone(),
                    p.clone(),
                    cancel.clone(),
                    link.clone(),
                    wake.clone(),
                )));
            }
        }
        tasks.push(AbortOnDrop::spawn(command_loop(
            node.clone(),
            cancel.clone(),
            link,
            wake,
        )));
        Ok(Engine {
            node,
            router,
            cancel,
            tasks,
        })
    }

    /// The endpoint.
    pub fn endpoint(&self) -> &Endpoint {
        self.router.endpoint()
    }

    /// The addresses the endpoint listens on.
    pub fn local_addrs(&self) -> Vec<SocketAddr> {
        self.router.endpoint().bound_sockets()
    }

    /// Stops every session and closes the endpoint.
    pub async fn shutdown(mut self) {
        self.cancel.cancel();
        for mut t in std::mem::take(&mut self.tasks) {
            let _ = tokio::time::timeout(Duration::from_secs(5), &mut t.0).await;
        }
        let _ = tokio::time::timeout(Duration::from_secs(5), self.router.shutdown()).await;
        self.node.publish_sync_status(|s| {
            s.running = false;
            for p in &mut s.peers {
                p.online = false;
            }
        });
    }
}

async fn command_loop(node: Node, cancel: CancellationToken, link: Arc<Link>, wake: Arc<Notify>) {
    let mut cmds = node.sync_commands();
    loop {
        let cmd = tokio::select! {
            c = cmds.recv() => c,
            _ = cancel.cancelled() => return,
        };
        match cmd {
            Ok(SyncCommand::SyncNow) => wake.notify_waiters(),
            Ok(SyncCommand::SetLink(up)) => {
                link.set(up);
                node.publish_sync_status(|s| s.link_cut = !up);
                if up {
                    wake.notify_waiters();
                }
            }
            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
            Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
        }
    }
}

/// While a peer is unreachable nothing else counts what waits for it: recompute it so the
/// console's pending count grows as officers work offline.
async fn refresh_pending(node: &Node, peer: &Peer) {
    let (n2, p2) = (node.clone(), peer.clone());
    if let Ok(n) = store_work(move || Ok(n2.pending_for(&p2)?)).await {
        update_peer(node, peer, |p| p.pending_cases = n);
    }
}

/// Longest wait between two dials of a lost peer (plus the 10 s a dial may take): a link back
/// from a cut is found within seconds, not the half minute a 30 s cap cost; a busy hub still
/// spreads its communes with [`busy_backoff`].
pub const MAX_BACKOFF: Duration = Duration::from_secs(4);

async fn dial_loop(
    node: Node,
    ep: Endpoint,
    peer: Peer,
    cancel: CancellationToken,
    link: Arc<Link>,
    wake: Arc<Notify>,
) {
    let mut backoff = Duration::from_millis(250);
    loop {
        if cancel.is_cancelled() {
            return;
        }
        if link.is_cut() {
            tokio::select! {
                _ = link.restored.notified() => {}
                _ = cancel.cancelled() => return,
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
            refresh_pending(&node, &peer).await;
            continue;
        }
        let started = std::time::Instant::now();
        let res = match net::connect(&ep, &peer).await {
            Ok(conn) => {
                net::drive(
                    node.clone(),
                    peer.clone(),
                    conn,
                    true,
                    DriveOptions::default(),
                    link.token(&cancel),
                    Some(status_observer(&node, &peer)),
                )
                .await
            }
            Err(e) => Err(e),
        };
        let busy = matches!(res, Err(SyncError::Busy(_)));
        let err = match res {
            Ok(_) => None,
            Err(e) => Some(e.to_string()),
        };
        if let Some(e) = &err {
            tracing::info!(peer = %peer.name, error = %e, "sync connection ended; retrying");
        }
        update_peer(&node, &peer, |p| {
            p.online = false;
            p.last_error = err;
        });
        refresh_pending(&node, &peer).await;
        if started.elapsed() > Duration::from_secs(10) {
            backoff = Duration::from_millis(250);
        }
        // A busy peer asked for room: come back later, spread from the other communes.
        let wait = if busy {
            busy_backoff(&node.id(), 4).max(backoff)
        } else {
            backoff
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = wake.notified() => {}
            _ = cancel.cancelled() => return,
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// The result of a one-shot round with one peer.
#[derive(Debug, Serialize)]
pub struct PeerRound {
    /// The peer's node id.
    pub node_id: String,
    /// Its name.
    pub name: String,
    /// What moved, if the round completed.
    pub stats: Option<RoundStats>,
    /// Why it did not.
    pub error: Option<String>,
    /// Milliseconds the round took (every attempt and the waits between them).
    pub ms: u64,
    /// The same in microseconds (a no-op round is about a millisecond).
    pub us: u64,
    /// Connections tried: more than one when the peer answered busy.
    pub attempts: u32,
}

/// Attempts of a one-shot round with a busy peer before giving up.
pub const BUSY_ATTEMPTS: u32 = 8;

/// Attempts to connect in a one-shot round before giving up (a hub taking many communes at
/// once may not finish every handshake in time; a hub that is down costs the waits between,
/// about 4 s in all).
pub const CONNECT_ATTEMPTS: u32 = 3;

/// The wait before attempt `attempt + 1` after a busy answer: 0.5 s doubling up to 8 s, plus up
/// to half of it again, spread by this node's id so communes turned away together do not all
/// come back together.
pub fn busy_backoff(me: &hoso_node::NodeId, attempt: u32) -> Duration {
    let base = Duration::from_millis(500) * 2u32.saturating_pow(attempt.saturating_sub(1).min(4));
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let spread = u64::from(me.0[0]) * 257 + u64::from(me.0[1]) + u64::from(nanos % 1024);
    base + base.mul_f64((spread % 1000) as f64 / 2000.0)
}

/// One round with each peer (or only `only`): connect, exchange everything, close. Binds a
/// fresh endpoint on an ephemeral port (the node's `listen` port may be in use).
pub async fn sync_once(
    node: &Node,
    only: Option<hoso_node::NodeId>,
    relays: bool,
) -> Result<Vec<PeerRound>, SyncError> {
    sync_once_observed(node, only, relays, None).await
}

/// [`sync_once`], calling `observer_for(peer)`'s observer after every step of the round with
/// that peer (the CLI draws its progress from it).
pub async fn sync_once_observed(
    node: &Node,
    only: Option<hoso_node::NodeId>,
    relays: bool,
    observer_for: Option<&(dyn Fn(&Peer) -> net::Observer + Sync)>,
) -> Result<Vec<PeerRound>, SyncError> {
    let peers = Peers::load(node.dir())?;
    let list: Vec<Peer> = peers
        .peer
        .into_iter()
        .filter(|p| only.is_none_or(|o| o == p.node_id))
        .filter(|p| !p.addrs.is_empty())
        .collect();
    if list.is_empty() {
        return match only {
            Some(o) => Err(SyncError::UnknownPeer(o.to_string())),
            None => Err(SyncError::NoPeers),
        };
    }
    let bind: SocketAddr = ([0, 0, 0, 0], 0).into();
    let ep = net::bind_endpoint(node, bind, relays).await?;
    let mut out = Vec::new();
    for p in list {
        let t = std::time::Instant::now();
        let mut attempts = 0u32;
        let r = loop {
            attempts += 1;
            let opts = DriveOptions {
                once: true,
                ..DriveOptions::default()
            };
            // Many communes dialling one hub at once can find it too slow to finish the
            // handshake in time: a failed connect is tried again, spread like a busy answer.
            let conn = match net::connect(&ep, &p).await {
                Ok(conn) => conn,
                Err(e) if attempts < CONNECT_ATTEMPTS => {
                    let wait = busy_backoff(&node.id(), attempts);
                    tracing::info!(peer = %p.name, attempts, ?wait, error = %e, "could not connect; trying again");
                    tokio::time::sleep(wait).await;
                    continue;
                }
                Err(e) => break Err(e),
            };
            let r = net::drive(
                node.clone(),
                p.clone(),
                conn,
                true,
                opts,
                CancellationToken::new(),
                observer_for.map(|f| f(&p)),
            )
            .await;
            match r {
                Err(SyncError::Busy(_)) if attempts < BUSY_ATTEMPTS => {
                    let wait = busy_backoff(&node.id(), attempts);
                    tracing::info!(peer = %p.name, attempts, ?wait, "the peer is busy; trying again");
                    tokio::time::sleep(wait).await;
                }
                r => break r,
            }
        };
        let us = t.elapsed().as_micros() as u64;
        let ms = us / 1000;
        let (stats, error) = match r {
            Ok(rep) => (Some(rep.stats), None),
            Err(e) => (None, Some(e.to_string())),
        };
        out.push(PeerRound {
            node_id: p.node_id.to_string(),
            name: p.name.clone(),
            stats,
            error,
            ms,
            us,
            attempts,
        });
    }
    ep.close().await;
    Ok(out)
}

/// One round with one peer over an existing endpoint.
pub async fn round_with(
    node: &Node,
    ep: &Endpoint,
    peer: &Peer,
    opts: DriveOptions,
) -> Result<net::DriveReport, SyncError> {
    let conn = net::connect(ep, peer).await?;
    net::drive(
        node.clone(),
        peer.clone(),
        conn,
        true,
        opts,
        CancellationToken::new(),
        None,
    )
    .await
}
