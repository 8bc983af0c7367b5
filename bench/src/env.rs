//! The conditions of a run: machine load and baselines measured in the same run, so figures
//! taken on a shared machine can be read as ratios.

use std::net::UdpSocket;
use std::path::Path;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::stats::median;

/// Load and baselines.
#[derive(Debug, Serialize)]
pub(crate) struct Conditions {
    /// `/proc/loadavg` (1, 5, 15 min) when the run started.
    pub load_at_start: String,
    /// The same when it ended.
    pub load_at_end: String,
    /// CPUs online.
    pub cpus: usize,
    /// Bare redb: one durable commit of a 1 KiB value, median of 100 (the floor under any write).
    pub baseline_redb_commit_ms: f64,
    /// Loopback UDP echo of 64 bytes, median of 2,000 round trips (the floor under any sync).
    pub baseline_udp_echo_us: f64,
    /// `hoso --json id` as a process (spawn, open the store, print), median of 5: the floor
    /// under every CLI-timed figure.
    pub baseline_hoso_id_ms: Option<f64>,
}

/// The current `/proc/loadavg` head.
pub(crate) fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// Measures the baselines (writes a scratch redb file in `scratch`).
pub(crate) fn measure(scratch: &Path) -> anyhow::Result<Conditions> {
    Ok(Conditions {
        load_at_start: loadavg(),
        load_at_end: String::new(),
        cpus: std::thread::available_parallelism()
            .map(std::num::NonZero::get)
            .unwrap_or(1),
        baseline_redb_commit_ms: crate::stats::r3(redb_commit_ms(scratch)?),
        baseline_udp_echo_us: crate::stats::r3(udp_echo_us()?),
        baseline_hoso_id_ms: None,
    })
}

fn redb_commit_ms(scratch: &Path) -> anyhow::Result<f64> {
    const T: redb::TableDefinition<u64, &[u8]> = redb::TableDefinition::new("t");
    let path = scratch.join("baseline.redb");
    let db = redb::Database::create(&path)?;
    let value = vec![7u8; 1024];
    let mut v = Vec::new();
    for i in 0..100u64 {
        let t = Instant::now();
        let tx = db.begin_write()?;
        tx.open_table(T)?.insert(i, value.as_slice())?;
        tx.commit()?;
        v.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    drop(db);
    let _ = std::fs::remove_file(&path);
    Ok(median(&mut v))
}

fn udp_echo_us() -> anyhow::Result<f64> {
    let a = UdpSocket::bind("127.0.0.1:0")?;
    let b = UdpSocket::bind("127.0.0.1:0")?;
    a.connect(b.local_addr()?)?;
    b.connect(a.local_addr()?)?;
    a.set_read_timeout(Some(Duration::from_secs(2)))?;
    b.set_read_timeout(Some(Duration::from_secs(2)))?;
    let echo = std::thread::spawn(move || {
        let mut buf = [0u8; 64];
        for _ in 0..2000 {
            if b.recv(&mut buf).is_err() || b.send(&buf).is_err() {
                break;
            }
        }
    });
    let mut v = Vec::new();
    let mut buf = [0u8; 64];
    for _ in 0..2000 {
        let t = Instant::now();
        a.send(&[1u8; 64])?;
        a.recv(&mut buf)?;
        v.push(t.elapsed().as_secs_f64() * 1e6);
    }
    let _ = echo.join();
    Ok(median(&mut v))
}
