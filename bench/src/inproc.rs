//! The commune side of the process benches, run inside the bench process on a node dir that
//! `hoso` commands built: officer writes through the node's guarded write path (one audited
//! durable write each, as `hoso case note` makes, without a process start per write), and a
//! live sync engine whose pushes are timed to the hub's acknowledgement.
//!
//! Only one process may hold a node's store: these run while no `hoso` process has the
//! commune's dir open.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use hoso_node::{Node, NodeId};
use hoso_sync::engine::{Engine, EngineOptions};

use crate::hoso::{OFFICER, PASSPHRASE};
use crate::proc::check_stop;

/// Peak resident set of this process so far (`VmHWM`, MiB).
pub(crate) fn self_peak_rss_mib() -> f64 {
    crate::stats::vm_hwm_mib("/proc/self/status").unwrap_or(0.0)
}

/// Starts this process's peak-RSS count again from its current RSS (`clear_refs` 5).
pub(crate) fn reset_self_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Adds one note to each case of `ids` at the node in `dir` (one audited write each) and
/// returns each write's time in ms.
pub(crate) fn notes(dir: &Path, ids: &[String], text: &str) -> anyhow::Result<Vec<f64>> {
    let node = Node::open(dir).with_context(|| format!("opening {}", dir.display()))?;
    let officer = node.authenticate(OFFICER, PASSPHRASE)?;
    let mut ms = Vec::with_capacity(ids.len());
    for (k, id) in ids.iter().enumerate() {
        if k % 100 == 0 {
            check_stop()?;
        }
        let t = Instant::now();
        node.add_note(&officer, id, &format!("{text} {k}"))?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(ms)
}

/// What the live phase measured.
#[derive(Default)]
pub(crate) struct Live {
    /// Write → the hub's ack recorded at the commune, per push (ms).
    pub push_ms: Vec<f64>,
    /// Engine start → the hub online (ms).
    pub connect_ms: f64,
    /// Peak RSS of this process during the phase (MiB): the commune's engine and store.
    pub peak_rss_mib: f64,
}

/// Runs the commune's sync engine in this process (it dials `hub`), then `pushes` times: one
/// note on a case, timed until the hub's acknowledgement of that version is recorded at the
/// commune (the hub acks a case once it has merged it durably).
pub(crate) fn live_push(
    dir: &Path,
    hub: &str,
    ids: &[String],
    pushes: usize,
) -> anyhow::Result<Live> {
    let hub: NodeId = hub
        .parse()
        .map_err(|e| anyhow::anyhow!("the hub's id {hub}: {e}"))?;
    reset_self_peak_rss();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let node = Node::open(dir).with_context(|| format!("opening {}", dir.display()))?;
        let officer = node.authenticate(OFFICER, PASSPHRASE)?;
        let t = Instant::now();
        let engine = Engine::start(
            node.clone(),
            EngineOptions {
                bind: Some(([127, 0, 0, 1], 0).into()),
                relays: false,
                no_dial: false,
            },
        )
        .await?;
        let mut status = node.sync_status();
        let online = tokio::time::timeout(Duration::from_secs(60), async {
            loop {
                if status
                    .borrow()
                    .peers
                    .iter()
                    .any(|p| p.node_id == hub && p.online && p.pending_cases == 0)
                {
                    return true;
                }
                if status.changed().await.is_err() {
                    return false;
                }
            }
        })
        .await
        .unwrap_or(false);
        anyhow::ensure!(
            online,
            "the commune's engine did not reach the hub within 60 s"
        );
        let connect_ms = t.elapsed().as_secs_f64() * 1000.0;
        // Let the catch-up exchange (checkpoints, cosignatures) settle.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let mut push_ms = Vec::new();
        for (k, id) in ids.iter().cycle().take(pushes).enumerate() {
            check_stop()?;
            let t = Instant::now();
            let view = node.add_note(&officer, id, &format!("Đẩy trực tiếp {k}"))?;
            loop {
                if node.peer_acked_current(&hub, &view.id)? {
                    push_ms.push(t.elapsed().as_secs_f64() * 1000.0);
                    break;
                }
                anyhow::ensure!(
                    t.elapsed() < Duration::from_secs(30),
                    "a live note was not acknowledged by the hub within 30 s"
                );
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let peak_rss_mib = self_peak_rss_mib();
        engine.shutdown().await;
        Ok(Live {
            push_ms,
            connect_ms,
            peak_rss_mib,
        })
    })
}
