//! The clock probe (`hoso doctor`, issue 12 item 6): a node asks a peer for the time.
//!
//! Deadlines, cosignature ages and the audit's timestamps all read the node's clock, and a
//! commune laptop's clock drifts or is set by hand. So `hoso serve` answers a second ALPN,
//! [`CLOCK_ALPN`], beside the sync protocol: a known peer (checked against the peers file like
//! a sync connection) opens a bidirectional stream and sends one byte; the node answers its
//! Unix time in milliseconds (8 bytes, big-endian) and closes. The asking side reads its own
//! clock before and after and takes the peer's reading to be from the middle of that round
//! trip: the estimated offset is within half the round trip of the truth.
//!
//! A peer that sends more than one byte, or answers more than eight, is cut off: both sides
//! bound what they read.

use std::time::{Duration, Instant};

use hoso_node::{Node, NodeId, Peer};
use iroh::Endpoint;
use iroh::endpoint::{Connection, VarInt};
use iroh::protocol::{AcceptError, ProtocolHandler};

use crate::error::SyncError;
use crate::net::{allowed_peer, peer_addr};

/// The ALPN of the clock probe.
pub const CLOCK_ALPN: &[u8] = b"hoso/clock/1";

/// How long a probe may take, connection included.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// The answering side of the clock probe.
#[derive(Clone)]
pub struct ClockHandler {
    node: Node,
}

impl ClockHandler {
    /// A handler answering for `node`.
    pub fn new(node: Node) -> ClockHandler {
        ClockHandler { node }
    }
}

impl std::fmt::Debug for ClockHandler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ClockHandler({:?})", self.node)
    }
}

impl ProtocolHandler for ClockHandler {
    async fn accept(&self, conn: Connection) -> Result<(), AcceptError> {
        let remote = NodeId(*conn.remote_id().as_bytes());
        if allowed_peer(&self.node, &remote).is_err() {
            conn.close(VarInt::from_u32(1), b"not in peers file");
            return Ok(());
        }
        let answer = async {
            let (mut send, mut recv) = conn.accept_bi().await.ok()?;
            let mut ask = [0u8; 1];
            recv.read_exact(&mut ask).await.ok()?;
            let now = chrono::Utc::now().timestamp_millis();
            send.write_all(&now.to_be_bytes()).await.ok()?;
            send.finish().ok()?;
            conn.closed().await;
            Some(())
        };
        let _ = tokio::time::timeout(PROBE_TIMEOUT, answer).await;
        Ok(())
    }
}

/// What a probe measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClockReading {
    /// The peer's clock minus this node's, in milliseconds (positive: this clock is behind).
    pub offset_ms: i64,
    /// The round trip of the question, in milliseconds (the offset is within half of it).
    pub rtt_ms: u64,
}

/// Asks `peer` for its time over `ep`.
pub async fn probe_clock(ep: &Endpoint, peer: &Peer) -> Result<ClockReading, SyncError> {
    let addr = peer_addr(peer)?;
    let timed_out = || SyncError::Net(format!("{} did not answer the clock probe", peer.name));
    tokio::time::timeout(PROBE_TIMEOUT, async {
        let conn = ep
            .connect(addr, CLOCK_ALPN)
            .await
            .map_err(|e| SyncError::Net(format!("cannot reach {}: {e}", peer.name)))?;
        let (mut send, mut recv) = conn.open_bi().await.map_err(SyncError::net)?;
        let before = chrono::Utc::now().timestamp_millis();
        let start = Instant::now();
        send.write_all(b"t").await.map_err(SyncError::net)?;
        send.finish().map_err(SyncError::net)?;
        let answer = recv.read_to_end(8).await.map_err(|e| {
            SyncError::Net(format!(
                "{} answered the clock probe badly (an older hoso does not know it): {e}",
                peer.name
            ))
        })?;
        let rtt = start.elapsed();
        conn.close(VarInt::from_u32(0), b"clock");
        let bytes: [u8; 8] = answer.as_slice().try_into().map_err(|_| {
            SyncError::Net(format!(
                "{} answered the clock probe with {} bytes, not 8",
                peer.name,
                answer.len()
            ))
        })?;
        let theirs = i64::from_be_bytes(bytes);
        let rtt_ms = u64::try_from(rtt.as_millis()).unwrap_or(u64::MAX);
        let middle = before.saturating_add(i64::try_from(rtt_ms / 2).unwrap_or(i64::MAX));
        Ok(ClockReading {
            offset_ms: theirs.saturating_sub(middle),
            rtt_ms,
        })
    })
    .await
    .map_err(|_| timed_out())?
}
