//! The thin I/O layer over iroh: the endpoint, the ALPN handler that refuses node ids missing
//! from the peers file before any data moves, and the driver that runs a [`Session`] over one
//! bidirectional QUIC stream (a reader task, a writer task, and the session loop between them:
//! reading and writing in one task can deadlock on QUIC flow control).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use hoso_node::{CaseId, Node, NodeId, Peer, Peers};
use iroh::endpoint::{
    Connection, IdleTimeout, PortmapperConfig, QuicTransportConfig, VarInt, presets,
};
use iroh::protocol::{AcceptError, ProtocolHandler};
use iroh::{Endpoint, EndpointAddr, RelayMode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::blocking::{AbortOnDrop, session_step};
use crate::error::SyncError;
use crate::held::{self, Held};
use crate::protocol::frame::{self, HEADER_LEN, encode_frame_with, parse_any_header};
use crate::protocol::{
    ALPN, ALPN_V2, ALPN_V3, Message, RoundStats, Session, alpn_compresses, alpn_sends_rows,
};

/// QUIC close code: the node id is not in the peers file.
pub const CLOSE_NOT_ALLOWED: u32 = 403;
/// QUIC close code: the peer sent something malformed.
pub const CLOSE_BAD_INPUT: u32 = 400;
/// QUIC close code: a normal end.
pub const CLOSE_DONE: u32 = 0;
/// QUIC close code: the node serves as many sessions as it takes; dial again later.
pub const CLOSE_BUSY: u32 = 503;

/// Binds the node's endpoint. Relays, address lookup and port mapping stay off unless
/// `relays` is set (then iroh's default relays and discovery are used).
pub async fn bind_endpoint(
    node: &Node,
    bind: SocketAddr,
    relays: bool,
) -> Result<Endpoint, SyncError> {
    let sk = iroh::SecretKey::from_bytes(&node.key().secret_bytes());
    let b = if relays {
        Endpoint::builder(presets::N0)
    } else {
        Endpoint::builder(presets::Minimal)
            .relay_mode(RelayMode::Disabled)
            .clear_address_lookup()
            .portmapper_config(PortmapperConfig::Disabled)
    };
    let b = b
        .transport_config(transport_config())
        .secret_key(sk)
        .clear_ip_transports()
        .bind_addr(bind)
        .map_err(|e| SyncError::Net(format!("listen address {bind}: {e}")))?;
    b.bind()
        .await
        .map_err(|e| SyncError::Net(format!("cannot listen on {bind}: {e}; is another node using that port? Set `listen` in node.toml")))
}

/// QUIC keep-alive: a ping every half second on an otherwise quiet connection (a side's idle
/// clock restarts when it sends one, so this is added to [`IDLE_TIMEOUT`] at worst: measured
/// over a cut veth link, the dialling side noticed after 4.9–5.2 s with a 1 s ping and 4 s).
pub const KEEP_ALIVE: Duration = Duration::from_millis(500);
/// QUIC idle timeout: a peer silent this long is gone (a dead hub is noticed within it, where
/// iroh's default took about 30 s).
pub const IDLE_TIMEOUT: Duration = Duration::from_millis(3500);

/// iroh's transport config with [`KEEP_ALIVE`] and [`IDLE_TIMEOUT`] for the connection and
/// for each of its paths.
pub fn transport_config() -> QuicTransportConfig {
    let mut b = QuicTransportConfig::builder()
        .keep_alive_interval(KEEP_ALIVE)
        .default_path_keep_alive_interval(KEEP_ALIVE)
        .default_path_max_idle_timeout(IDLE_TIMEOUT);
    if let Ok(t) = IdleTimeout::try_from(IDLE_TIMEOUT) {
        b = b.max_idle_timeout(Some(t));
    }
    b.build()
}

/// The iroh address of a peer from its id and address hints.
pub fn peer_addr(peer: &Peer) -> Result<EndpointAddr, SyncError> {
    let pk = iroh::PublicKey::from_bytes(&peer.node_id.0)
        .map_err(|e| SyncError::Net(format!("peer {}: bad node id: {e}", peer.name)))?;
    let mut a = EndpointAddr::new(pk);
    for s in &peer.addrs {
        if let Ok(sock) = s.parse::<SocketAddr>() {
            a = a.with_ip_addr(sock);
        }
    }
    Ok(a)
}

/// Connects to a peer, offering [`ALPN_V3`] (compressed frames, documents as stored rows),
/// [`ALPN_V2`] (compressed frames) and [`ALPN`] (raw frames, what an older node speaks); the
/// peer picks.
pub async fn connect(ep: &Endpoint, peer: &Peer) -> Result<Connection, SyncError> {
    let addr = peer_addr(peer)?;
    let opts = iroh::endpoint::ConnectOptions::new()
        .with_additional_alpns(vec![ALPN_V2.to_vec(), ALPN.to_vec()]);
    let reach = |e: String| SyncError::Net(format!("cannot reach {}: {e}", peer.name));
    tokio::time::timeout(Duration::from_secs(10), async {
        ep.connect_with_opts(addr, ALPN_V3, opts)
            .await
            .map_err(|e| reach(e.to_string()))?
            .await
            .map_err(|e| reach(e.to_string()))
    })
    .await
    .map_err(|_| SyncError::Net(format!("connecting to {} timed out", peer.name)))?
}

/// Knobs of one driven session.
#[derive(Clone, Debug, Default)]
pub struct DriveOptions {
    /// One round, then `Done` and close.
    pub once: bool,
    /// Record every case id and byte count sent (tests).
    pub log_sent: bool,
    /// Cut the connection abruptly after this many `Ack`s were received (resume tests).
    pub cut_after_acks: Option<usize>,
    /// Feed entries per batch (default [`crate::protocol::session::BATCH_ENTRIES`]).
    pub batch_entries: Option<usize>,
    /// Largest part of one case (default [`crate::protocol::session::PART_BYTES`]; tests).
    pub part_bytes: Option<usize>,
    /// Audit bytes per message (default [`crate::protocol::session::AUDIT_BYTES`]; tests).
    pub audit_bytes: Option<usize>,
    /// Held entries a hub verifies per read transaction when it cosigns (default
    /// [`crate::protocol::session::WITNESS_STEP`]; tests lower it).
    pub witness_step: Option<usize>,
    /// Send raw frames even when the connection negotiated compressed ones (benches compare).
    pub raw_frames: bool,
}

/// What a driven session reports.
#[derive(Debug, Default)]
pub struct DriveReport {
    /// What moved.
    pub stats: RoundStats,
    /// Sent cases and their byte counts, if logged.
    pub sent: Vec<(CaseId, usize)>,
}

/// Called after every step with the session, for status publishing.
pub type Observer = Arc<dyn Fn(&Session, &RoundStats, bool) + Send + Sync>;

async fn read_frame<R: tokio::io::AsyncRead + Unpin>(
    r: &mut R,
    bytes_in: &AtomicU64,
) -> Result<Option<Message>, SyncError> {
    let mut hdr = [0u8; HEADER_LEN];
    let n = r.read(&mut hdr[..1]).await.map_err(SyncError::net)?;
    if n == 0 {
        return Ok(None);
    }
    r.read_exact(&mut hdr[1..])
        .await
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => {
                SyncError::Frame(crate::protocol::FrameError::Truncated("header"))
            }
            _ => SyncError::net(e),
        })?;
    let header = parse_any_header(&hdr)?;
    let len = header.len;
    let mut buf = vec![0u8; len];
    r.read_exact(&mut buf).await.map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => {
            SyncError::Frame(crate::protocol::FrameError::Truncated("payload"))
        }
        _ => SyncError::net(e),
    })?;
    bytes_in.fetch_add((HEADER_LEN + len) as u64, Ordering::Relaxed);
    let payload = frame::payload(header, buf)?;
    Ok(Some(Message::decode(&payload)?))
}

/// Runs a session over `conn` until a one-shot round ends, the peer goes away, `cancel`
/// fires, or an error. Malformed input from the peer gets an `Error` message and a close
/// with [`CLOSE_BAD_INPUT`]. `cancel` belongs to this session (pass a child token): it is
/// cancelled when the session ends.
pub async fn drive(
    node: Node,
    peer: Peer,
    conn: Connection,
    initiator: bool,
    opts: DriveOptions,
    cancel: CancellationToken,
    observer: Option<Observer>,
) -> Result<DriveReport, SyncError> {
    let (mut send, mut recv) = if initiator {
        match conn.open_bi().await {
            Ok(s) => s,
            Err(_) if closed_busy(&conn) => return Err(SyncError::Busy(peer.name.clone())),
            Err(e) => return Err(SyncError::net(e)),
        }
    } else {
        tokio::select! {
            r = conn.accept_bi() => r.map_err(SyncError::net)?,
            _ = cancel.cancelled() => return Ok(DriveReport::default()),
        }
    };
    let compress = alpn_compresses(conn.alpn()) && !opts.raw_frames;
    let bytes_out = Arc::new(AtomicU64::new(0));
    let bytes_in = Arc::new(AtomicU64::new(0));
    let (wtx, mut wrx) = mpsc::unbounded_channel::<Vec<u8>>();
    let bo = bytes_out.clone();
    // Frame bytes handed to the writer and not yet written; the writer wakes a session that
    // streams a backlog once they fall under `QUEUE_LOW`.
    let queued = Arc::new(AtomicUsize::new(0));
    let drained = Arc::new(tokio::sync::Notify::new());
    let (wq, wd) = (queued.clone(), drained.clone());
    let mut writer = AbortOnDrop::spawn(async move {
        while let Some(f) = wrx.recv().await {
            if AsyncWriteExt::write_all(&mut send, &f).await.is_err() {
                return;
            }
            bo.fetch_add(f.len() as u64, Ordering::Relaxed);
            if wq.fetch_sub(f.len(), Ordering::Relaxed) - f.len() < QUEUE_LOW {
                wd.notify_one();
            }
        }
        let _ = send.finish();
    });
    let (rtx, mut rrx) = mpsc::channel::<Received>(16);
    let bi = bytes_in.clone();
    let _reader = AbortOnDrop::spawn(async move {
        loop {
            let r = read_frame(&mut recv, &bi).await;
            let stop = !matches!(r, Ok(Some(_)));
            // A decoded message takes its share of the process's budget before it is queued,
            // and gives it back once its step is done (`held.rs`).
            let share = match &r {
                Ok(Some(m)) => held::shared().take(held::message_bytes(m)).await,
                _ => Held::none(),
            };
            if rtx.send((r, share)).await.is_err() || stop {
                return;
            }
        }
    });

    let mut session = Session::new(node.clone(), peer.clone(), initiator, opts.once);
    if opts.log_sent {
        session.sent_log = Some(Vec::new());
    }
    if let Some(n) = opts.batch_entries {
        session.batch_entries = n.clamp(1, crate::protocol::message::MAX_DOCS);
    }
    if let Some(n) = opts.part_bytes {
        session.part_bytes = n.clamp(1, crate::protocol::session::PART_BYTES);
    }
    if let Some(n) = opts.audit_bytes {
        session.audit_bytes = n.clamp(1, crate::protocol::session::AUDIT_BYTES);
    }
    session.compressed_frames = compress;
    session.rows = alpn_sends_rows(conn.alpn());
    if let Some(n) = opts.witness_step {
        session.witness_step = n.max(1);
    }
    // The session lives here between steps and moves to the blocking pool for each one.
    let mut slot = Some(session);
    let send_all = |msgs: Vec<Message>| -> Result<(), SyncError> {
        for m in msgs {
            let f = encode_frame_with(&m.encode(), compress)?;
            queued.fetch_add(f.len(), Ordering::Relaxed);
            let _ = wtx.send(f);
        }
        Ok(())
    };
    // A message the reader held that did not join the last group: handled next.
    let mut held: Option<Received> = None;
    let mut changes = node.subscribe();
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut acks = 0usize;
    let stats_now = |s: Option<&Session>| {
        let mut st = s.map(|s| s.stats.clone()).unwrap_or_default();
        st.bytes_in = bytes_in.load(Ordering::Relaxed);
        st.bytes_out = bytes_out.load(Ordering::Relaxed);
        st
    };
    let finished = |s: &Option<Session>| s.as_ref().is_some_and(Session::finished);

    let result: Result<(), SyncError> = async {
        let hello = session_step(&mut slot, |s| s.hello()).await?;
        send_all(vec![hello])?;
        loop {
            let behind = slot.as_ref().is_some_and(Session::audit_behind);
            tokio::select! {
                m = next_message(&mut held, &mut rrx) => {
                    let (m, share) = match m {
                        Some((r, share)) => (Some(r), share),
                        None => (None, Held::none()),
                    };
                    let msg = match m {
                        None | Some(Ok(None)) => {
                            if finished(&slot) || !opts.once {
                                return Ok(());
                            }
                            return Err(SyncError::Net(format!("{} closed the stream", peer.name)));
                        }
                        Some(Err(e)) => return Err(e),
                        Some(Ok(Some(m))) => m,
                    };
                    // With the messages the reader already holds: taken as one step.
                    let (msgs, shares) = if opts.cut_after_acks.is_some() {
                        (vec![msg], vec![share])
                    } else {
                        gather((msg, share), &mut rrx, &mut held)
                    };
                    let n_acks = msgs.iter().filter(|m| matches!(m, Message::Ack { .. })).count();
                    let out = session_step(&mut slot, move |s| s.on_messages(msgs)).await?;
                    // The group is handled (and committed): its budget goes back.
                    drop(shares);
                    send_all(out)?;
                    if n_acks > 0 {
                        acks += n_acks;
                        if opts.cut_after_acks.is_some_and(|n| acks >= n) {
                            conn.close(VarInt::from_u32(CLOSE_DONE), b"cut");
                            return Err(SyncError::Net("connection cut (test)".into()));
                        }
                    }
                    if finished(&slot) {
                        return Ok(());
                    }
                }
                _ = drained.notified(), if behind => {
                    if queued.load(Ordering::Relaxed) < QUEUE_LOW {
                        send_all(session_step(&mut slot, Session::pump).await?)?;
                    }
                }
                r = changes.recv() => {
                    if matches!(r, Err(tokio::sync::broadcast::error::RecvError::Closed)) {
                        return Ok(());
                    }
                    while changes.try_recv().is_ok() {}
                    send_all(session_step(&mut slot, Session::pump).await?)?;
                }
                _ = tick.tick() => {
                    send_all(session_step(&mut slot, Session::pump).await?)?;
                }
                _ = cancel.cancelled() => return Ok(()),
            }
            if let (Some(o), Some(s)) = (&observer, &slot) {
                o(s, &stats_now(Some(s)), true);
            }
        }
    }
    .await;

    let sent = slot
        .as_mut()
        .and_then(|s| s.sent_log.take())
        .unwrap_or_default();
    // A peer that answered "busy" closed the connection with its code before any stream data.
    let result = match result {
        Err(SyncError::Net(_)) if closed_busy(&conn) => Err(SyncError::Busy(peer.name.clone())),
        Err(SyncError::Net(_))
            if matches!(
                conn.close_reason(),
                Some(iroh::endpoint::ConnectionError::TimedOut)
            ) =>
        {
            Err(SyncError::Net(format!(
                "{} stopped answering (nothing heard for {} s, timed out): the link or the node is down; retrying",
                peer.name,
                IDLE_TIMEOUT.as_secs_f64()
            )))
        }
        r => r,
    };
    match &result {
        Err(
            e @ (SyncError::Frame(_)
            | SyncError::Decode(_)
            | SyncError::Protocol(_)
            | SyncError::ScopeMismatch(_)),
        ) => {
            tracing::warn!(peer = %peer.name, error = %e, "closing a connection after bad input");
            if let Ok(f) = encode_frame_with(
                &Message::Error {
                    reason: e.to_string(),
                }
                .encode(),
                false,
            ) {
                let _ = wtx.send(f);
            }
            drop(wtx);
            let _ = tokio::time::timeout(Duration::from_millis(500), &mut writer.0).await;
            // Closing right after `finish` can drop the error frame: give the peer a moment.
            let _ = tokio::time::timeout(Duration::from_secs(1), conn.closed()).await;
            conn.close(VarInt::from_u32(CLOSE_BAD_INPUT), b"bad input");
        }
        Err(_) => {
            drop(wtx);
            writer.abort();
            conn.close(VarInt::from_u32(CLOSE_DONE), b"error");
        }
        Ok(()) => {
            drop(wtx);
            let _ = tokio::time::timeout(Duration::from_secs(5), &mut writer.0).await;
            if initiator {
                conn.close(VarInt::from_u32(CLOSE_DONE), b"done");
            } else {
                // The initiator closes once it has our `Done`; closing first could drop it.
                let _ = tokio::time::timeout(Duration::from_secs(5), conn.closed()).await;
            }
        }
    }
    // The token is this session's own (a child of the engine's): cancelling it ends the task
    // that ties it to the link switch, which would otherwise wait for the next cut.
    cancel.cancel();
    let stats = stats_now(slot.as_ref());
    if let (Some(o), Some(s)) = (&observer, &slot) {
        o(s, &stats, false);
    }
    result.map(|()| DriveReport { stats, sent })
}

/// Frame bytes queued for the writer under which a session streaming a backlog is pumped again
/// ([`Session::audit_behind`]).
pub const QUEUE_LOW: usize = 4 << 20;

/// Messages one step takes at most ([`Session::on_messages`]).
pub const GROUP_MESSAGES: usize = 16;

/// Cases and audit entries (an entry counts an eighth) one step takes at most: a hub ingesting a
/// backlog commits once per this many.
pub const GROUP_WEIGHT: usize = 2048;

/// What a message weighs in a group.
fn weight(m: &Message) -> usize {
    match m {
        Message::Docs { docs, .. } => docs.len().max(1),
        Message::Audit { entries, .. } => entries.len().div_ceil(8).max(1),
        _ => 1,
    }
}

/// What the reader queues: a decoded message (or the end, or an error) and its share of the
/// process's budget of held messages (`held.rs`).
type Received = (Result<Option<Message>, SyncError>, Held);

/// The next message: the one held back from the last group, else the reader's next.
async fn next_message(
    held: &mut Option<Received>,
    rrx: &mut mpsc::Receiver<Received>,
) -> Option<Received> {
    match held.take() {
        Some(m) => Some(m),
        None => rrx.recv().await,
    }
}

/// `first` and the messages the reader already holds after it, up to [`GROUP_MESSAGES`] and
/// [`GROUP_WEIGHT`]; an end of stream, an error or a message over the limits is held back
/// for the next step.
fn gather(
    first: (Message, Held),
    rrx: &mut mpsc::Receiver<Received>,
    held: &mut Option<Received>,
) -> (Vec<Message>, Vec<Held>) {
    let mut w = weight(&first.0);
    let mut msgs = vec![first.0];
    let mut shares = vec![first.1];
    while msgs.len() < GROUP_MESSAGES && w < GROUP_WEIGHT {
        match rrx.try_recv() {
            Ok((Ok(Some(m)), share)) if w + weight(&m) <= GROUP_WEIGHT => {
                w += weight(&m);
                msgs.push(m);
                shares.push(share);
            }
            Ok(other) => {
                *held = Some(other);
                break;
            }
            Err(_) => break,
        }
    }
    (msgs, shares)
}

/// True when the peer closed the connection with [`CLOSE_BUSY`].
fn closed_busy(conn: &Connection) -> bool {
    matches!(
        conn.close_reason(),
        Some(iroh::endpoint::ConnectionError::ApplicationClosed(c))
            if c.error_code == VarInt::from_u32(CLOSE_BUSY)
    )
}

/// The ALPN handler: checks the remote node id against the peers file (read at each
/// connection, so `hoso peer add` applies without a restart) before any stream is accepted.
#[derive(Clone)]
pub struct SyncHandler {
    pub(crate) node: Node,
    pub(crate) cancel: CancellationToken,
    pub(crate) link: Arc<crate::link::Link>,
    pub(crate) observer_for: Arc<dyn Fn(&Peer) -> Observer + Send + Sync>,
    /// Sessions running now.
    pub(crate) active: Arc<AtomicUsize>,
    /// Sessions taken at once; one more is answered [`CLOSE_BUSY`].
    pub(crate) max_sessions: usize,
}

/// Sessions a node serves at once by default (each costs a little memory and a share of the
/// per-core store steps; beyond it peers are told to come back later).
pub const MAX_SESSIONS: usize = 1024;

/// Counts one running session; uncounts it when dropped.
struct SessionSlot(Arc<AtomicUsize>);

impl SessionSlot {
    fn take(active: &Arc<AtomicUsize>, max: usize) -> Option<SessionSlot> {
        let mut n = active.load(Ordering::SeqCst);
        loop {
            if n >= max {
                return None;
            }
            match active.compare_exchange(n, n + 1, Ordering::SeqCst, Ordering::SeqCst) {
                Ok(_) => return Some(SessionSlot(active.clone())),
                Err(now) => n = now,
            }
        }
    }
}

impl Drop for SessionSlot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl std::fmt::Debug for SyncHandler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SyncHandler({:?})", self.node)
    }
}

/// Looks a remote node id up in the peers file.
pub fn allowed_peer(node: &Node, remote: &NodeId) -> Result<Peer, SyncError> {
    // A node replaced by another (`hoso node retire`) is refused from then on.
    if node.is_retired(remote)? {
        return Err(SyncError::UnknownPeer(format!("{remote} (retired)")));
    }
    let peers = Peers::load(node.dir())?;
    peers
        .get(remote)
        .cloned()
        .ok_or_else(|| SyncError::UnknownPeer(remote.to_string()))
}

impl ProtocolHandler for SyncHandler {
    async fn accept(&self, conn: Connection) -> Result<(), AcceptError> {
        let remote = NodeId(*conn.remote_id().as_bytes());
        let peer = match allowed_peer(&self.node, &remote) {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(remote = %remote, error = %e, "refused a connection");
                conn.close(VarInt::from_u32(CLOSE_NOT_ALLOWED), b"not in peers file");
                return Ok(());
            }
        };
        if self.link.is_cut() {
            conn.close(VarInt::from_u32(CLOSE_DONE), b"link cut");
            return Ok(());
        }
        let Some(_slot) = SessionSlot::take(&self.active, self.max_sessions) else {
            tracing::info!(peer = %peer.name, limit = self.max_sessions, "busy: told a peer to come back later");
            conn.close(VarInt::from_u32(CLOSE_BUSY), b"busy");
            // Keep the connection until the close has gone out (or the peer has gone).
            let _ = tokio::time::timeout(Duration::from_secs(2), conn.closed()).await;
            return Ok(());
        };
        let cancel = self.link.token(&self.cancel);
        let observer = (self.observer_for)(&peer);
        if let Err(e) = drive(
            self.node.clone(),
            peer.clone(),
            conn,
            false,
            DriveOptions::default(),
            cancel,
            Some(observer),
        )
        .await
        {
            tracing::info!(peer = %peer.name, error = %e, "incoming sync session ended");
        }
        Ok(())
    }
}
