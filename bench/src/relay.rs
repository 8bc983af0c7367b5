//! A UDP relay that delays every datagram by a fixed time each way: the link bench's
//! round-trip delay (the kernel here has no `netem`). One client: the first address that sends
//! to `--listen` is where replies go. Runs until killed.

use std::net::{SocketAddr, UdpSocket};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;

/// `hoso-bench __relay` options.
#[derive(Args, Debug)]
pub(crate) struct RelayArgs {
    /// Where clients send.
    #[arg(long)]
    pub listen: SocketAddr,
    /// Where datagrams are forwarded.
    #[arg(long)]
    pub to: SocketAddr,
    /// Delay each way, ms.
    #[arg(long)]
    pub delay_ms: u64,
}

/// Sends each queued datagram once its time has come (FIFO: the delay is constant).
fn sender(rx: mpsc::Receiver<(Instant, Vec<u8>)>, send: impl Fn(&[u8]) -> std::io::Result<usize>) {
    for (due, data) in rx {
        let now = Instant::now();
        if due > now {
            std::thread::sleep(due - now);
        }
        let _ = send(&data);
    }
}

/// Runs the relay (never returns on success).
pub(crate) fn run(args: &RelayArgs) -> anyhow::Result<()> {
    let front =
        Arc::new(UdpSocket::bind(args.listen).with_context(|| format!("binding {}", args.listen))?);
    let back = Arc::new(UdpSocket::bind(("127.0.0.1", 0))?);
    back.connect(args.to)?;
    let delay = Duration::from_millis(args.delay_ms);
    let client: Arc<Mutex<Option<SocketAddr>>> = Arc::new(Mutex::new(None));

    let (to_back, rx_back) = mpsc::channel::<(Instant, Vec<u8>)>();
    let b = back.clone();
    std::thread::spawn(move || sender(rx_back, |d| b.send(d)));

    let (to_front, rx_front) = mpsc::channel::<(Instant, Vec<u8>)>();
    let (f, c) = (front.clone(), client.clone());
    std::thread::spawn(move || {
        sender(rx_front, |d| match c.lock().ok().and_then(|g| *g) {
            Some(addr) => f.send_to(d, addr),
            None => Ok(0),
        });
    });

    let b = back.clone();
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 65_536];
        while let Ok(n) = b.recv(&mut buf) {
            if to_front
                .send((Instant::now() + delay, buf[..n].to_vec()))
                .is_err()
            {
                break;
            }
        }
    });
    println!(
        "relay ready {} -> {} delay {} ms",
        args.listen, args.to, args.delay_ms
    );
    let mut buf = vec![0u8; 65_536];
    loop {
        let (n, from) = front.recv_from(&mut buf)?;
        if let Ok(mut g) = client.lock() {
            *g = Some(from);
        }
        to_back
            .send((Instant::now() + delay, buf[..n].to_vec()))
            .context("relay sender gone")?;
    }
}
