//! Malformed frames from an allowed peer: a clean error, the connection closed, and the node
//! keeps serving other peers.

use std::time::Duration;

use hoso_sync::protocol::Message;
use hoso_sync::protocol::frame::split_frame;

use super::common::*;

async fn send_raw(
    from: &hoso_node::Node,
    hub_addr: std::net::SocketAddr,
    hub: &hoso_node::Node,
    bytes: Vec<u8>,
) -> Vec<Message> {
    let ep = hoso_sync::net::bind_endpoint(from, "127.0.0.1:0".parse().expect("a"), false)
        .await
        .expect("endpoint");
    let conn = hoso_sync::net::connect(&ep, &peer_entry(hub, Some(hub_addr)))
        .await
        .expect("connect");
    let (mut send, mut recv) = conn.open_bi().await.expect("stream");
    send.write_all(&bytes).await.expect("write");
    send.finish().expect("finish");
    let got = tokio::time::timeout(Duration::from_secs(10), recv.read_to_end(1 << 20))
        .await
        .expect("the hub must close the stream promptly");
    let buf = got.unwrap_or_default();
    let mut msgs = Vec::new();
    let mut rest = &buf[..];
    while let Ok(Some((payload, used))) = split_frame(rest) {
        if let Ok(m) = Message::decode(payload) {
            msgs.push(m);
        }
        rest = &rest[used..];
    }
    ep.close().await;
    msgs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_frames_get_a_clean_error_and_the_hub_keeps_serving() {
    let hub = node(None);
    let evil = node(Some("06112"));
    let good = node(Some("06113"));
    let (engine, addr) = serve(&hub.node).await;
    add_peer(&hub.node, &evil.node, None);
    peer_with_hub(&hub, &good, addr);
    new_case(&good.node);

    let mut oversized = vec![1u8];
    oversized.extend_from_slice(&(100u32 << 20).to_be_bytes());
    oversized.extend_from_slice(&[0; 64]);
    let mut truncated = vec![1u8];
    truncated.extend_from_slice(&1000u32.to_be_bytes());
    truncated.extend_from_slice(&[1; 10]);
    let mut wrong_version = vec![9u8];
    wrong_version.extend_from_slice(&3u32.to_be_bytes());
    wrong_version.extend_from_slice(&[1, 2, 3]);
    let garbage: Vec<u8> = (0..300u32).map(|i| (i * 37 % 251) as u8).collect();
    let mut bad_message = vec![1u8];
    bad_message.extend_from_slice(&4u32.to_be_bytes());
    bad_message.extend_from_slice(&[2, 0, 0, 0]);

    for (name, bytes) in [
        ("oversized", oversized),
        ("truncated", truncated),
        ("wrong version", wrong_version),
        ("garbage", garbage),
        ("bad message", bad_message),
    ] {
        let msgs = send_raw(&evil.node, addr, &hub.node, bytes).await;
        assert!(
            msgs.iter().any(|m| matches!(m, Message::Error { .. })),
            "{name}: expected an error message, got {msgs:?}"
        );
    }
    assert!(all_cases(&hub.node).is_empty());
    // The hub still serves a well-behaved peer.
    let s = round(&good.node).await;
    assert_eq!(s.docs_sent, 1);
    assert_eq!(all_cases(&hub.node).len(), 1);
    engine.shutdown().await;
}
