//! Compressed frames: two current nodes negotiate `hoso/sync/2` and compress, a node that
//! dials with only `hoso/sync/1` (an older build) still syncs raw, and a compressed frame that
//! lies about its size gets a clean error.

use std::time::Duration;

use hoso_sync::net::{self, DriveOptions};
use hoso_sync::protocol::frame::{FRAME_ZSTD, split_frame};
use hoso_sync::protocol::{ALPN, ALPN_V2, ALPN_V3, Message};
use tokio_util::sync::CancellationToken;

use super::common::*;

/// Drives one `--once` round from `commune` to the hub over a connection offering only `alpns`.
async fn round_over(
    commune: &hoso_node::Node,
    hub: &hoso_node::Node,
    addr: std::net::SocketAddr,
    alpns: &[&[u8]],
    raw_frames: bool,
) -> (Vec<u8>, net::DriveReport) {
    let ep = net::bind_endpoint(commune, "127.0.0.1:0".parse().expect("a"), false)
        .await
        .expect("endpoint");
    let peer = peer_entry(hub, Some(addr));
    let target = net::peer_addr(&peer).expect("addr");
    let more = alpns[1..].iter().map(|a| a.to_vec()).collect();
    let conn = ep
        .connect_with_opts(
            target,
            alpns[0],
            iroh::endpoint::ConnectOptions::new().with_additional_alpns(more),
        )
        .await
        .expect("connect")
        .await
        .expect("connected");
    let alpn = conn.alpn().to_vec();
    let report = net::drive(
        commune.clone(),
        peer,
        conn,
        true,
        DriveOptions {
            once: true,
            raw_frames,
            ..DriveOptions::default()
        },
        CancellationToken::new(),
        None,
    )
    .await
    .expect("round");
    ep.close().await;
    (alpn, report)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn current_nodes_compress_and_an_older_dialler_still_syncs_raw() {
    let hub = node(None);
    let (engine, addr) = serve(&hub.node).await;
    let old = node(Some("06112"));
    let new = node(Some("06113"));
    let raw = node(Some("06114"));
    for c in [&old, &new, &raw] {
        peer_with_hub(&hub, c, addr);
        for _ in 0..20 {
            new_case(&c.node);
        }
    }

    // An older build offers only hoso/sync/1: the hub answers in raw frames and all arrives.
    let (alpn, r_old) = round_over(&old.node, &hub.node, addr, &[ALPN], false).await;
    assert_eq!(alpn, ALPN);
    assert_eq!(r_old.stats.docs_sent, 20);

    // A node of the previous build offers 2 and 1: hoso/sync/2 is picked.
    let (alpn, r_new) = round_over(&new.node, &hub.node, addr, &[ALPN_V2, ALPN], false).await;
    assert_eq!(alpn, ALPN_V2);
    assert_eq!(r_new.stats.docs_sent, 20);
    // The same round in raw frames moves more bytes.
    let (_, r_raw) = round_over(&raw.node, &hub.node, addr, &[ALPN_V2, ALPN], true).await;
    assert_eq!(r_raw.stats.docs_sent, 20);
    let total = |r: &net::DriveReport| r.stats.bytes_in + r.stats.bytes_out;
    assert!(
        total(&r_new) < total(&r_raw),
        "compressed {} B, raw {} B",
        total(&r_new),
        total(&r_raw)
    );
    assert_eq!(all_cases(&hub.node).len(), 60);

    // The engine's own dialling negotiates hoso/sync/3 and still converges.
    new_case(&new.node);
    let s = round(&new.node).await;
    assert_eq!(s.docs_sent, 1);
    assert_eq!(all_cases(&hub.node).len(), 61);
    engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lying_compressed_frame_gets_a_clean_error() {
    let hub = node(None);
    let evil = node(Some("06112"));
    let (engine, addr) = serve(&hub.node).await;
    add_peer(&hub.node, &evil.node, None);

    // 1 MB of zeros compressed, declared as 1,000 bytes.
    let z = zstd_frame(&vec![0u8; 1 << 20]);
    let mut lie = vec![FRAME_ZSTD];
    lie.extend_from_slice(&((4 + z.len()) as u32).to_be_bytes());
    lie.extend_from_slice(&1000u32.to_be_bytes());
    lie.extend_from_slice(&z);
    // Declared over the frame limit.
    let mut huge = vec![FRAME_ZSTD];
    huge.extend_from_slice(&((4 + z.len()) as u32).to_be_bytes());
    huge.extend_from_slice(&u32::MAX.to_be_bytes());
    huge.extend_from_slice(&z);
    for (name, bytes) in [("bomb", lie), ("over the limit", huge)] {
        let ep = net::bind_endpoint(&evil.node, "127.0.0.1:0".parse().expect("a"), false)
            .await
            .expect("endpoint");
        let conn = net::connect(&ep, &peer_entry(&hub.node, Some(addr)))
            .await
            .expect("connect");
        assert_eq!(conn.alpn(), ALPN_V3);
        let (mut send, mut recv) = conn.open_bi().await.expect("stream");
        send.write_all(&bytes).await.expect("write");
        send.finish().expect("finish");
        let buf = tokio::time::timeout(Duration::from_secs(10), recv.read_to_end(1 << 20))
            .await
            .expect("the hub must close the stream promptly")
            .unwrap_or_default();
        let mut msgs = Vec::new();
        let mut rest = &buf[..];
        while let Ok(Some((payload, used))) = split_frame(rest) {
            if let Ok(m) = Message::decode(payload) {
                msgs.push(m);
            }
            rest = &rest[used..];
        }
        assert!(
            msgs.iter().any(
                |m| matches!(m, Message::Error { reason } if reason.contains("compressed frame"))
            ),
            "{name}: expected an error about the compressed frame, got {msgs:?}"
        );
        ep.close().await;
    }
    assert!(all_cases(&hub.node).is_empty());
    engine.shutdown().await;
}

/// A zstd frame of `data` through the sender's own path (the frame's body after its length).
fn zstd_frame(data: &[u8]) -> Vec<u8> {
    let f = hoso_sync::protocol::frame::encode_frame_with(data, true).expect("frame");
    assert_eq!(f[0], FRAME_ZSTD);
    f[hoso_sync::protocol::frame::HEADER_LEN + 4..].to_vec()
}
