//! `hoso doctor` (issue 12): checks a node the way an operator would, read-only — the key
//! file's mode, the store (`hoso check`), a restore left unfinished, each peer reachable over
//! iroh (the handshake proves its key), the own chain cosigned recently, free disk space, and
//! this node's clock against each reachable peer's (asked over the clock probe,
//! `hoso_sync::clock`: within 60 s is fine, beyond an hour fails) and against the hub's newest
//! cosignature. Exit 1 when a check fails.

use std::process::ExitCode;
use std::time::Duration;

use hoso_node::{Node, NodeRole, Peers};
use serde::Serialize;

use crate::cli::Cli;
use crate::data_dir::open;
use crate::output;

/// A chain not cosigned for this long, with entries past the cosigned size, is a warning.
const COSIGN_STALE: Duration = Duration::from_secs(24 * 3600);
/// A hub cosignature this far ahead of this node's clock means the clock is behind.
const CLOCK_TOLERANCE_SECS: i64 = 300;
/// A peer's clock this close to this node's is fine.
const PEER_CLOCK_OK_SECS: u64 = 60;
/// Beyond this a clock off from a peer's fails the check (deadlines and cosignatures move).
const PEER_CLOCK_WARN_SECS: u64 = 3600;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
enum Level {
    Ok,
    Warn,
    Fail,
}

#[derive(Debug, Serialize)]
struct Check {
    check: &'static str,
    level: Level,
    detail: String,
}

fn check(check: &'static str, level: Level, detail: impl Into<String>) -> Check {
    Check {
        check,
        level,
        detail: detail.into(),
    }
}

fn vn_time(secs: u64) -> String {
    hoso_node::session::vn_time((secs as i64).saturating_mul(1000))
}

fn gib(b: u64) -> String {
    format!("{:.1} GiB", b as f64 / (1u64 << 30) as f64)
}

/// Runs `hoso doctor`.
pub(super) fn run(cli: &Cli) -> anyhow::Result<ExitCode> {
    let mut out = Vec::new();
    let node = match open(cli) {
        Ok(n) => {
            out.push(check(
                "store",
                Level::Ok,
                "the store opens and belongs to node.key",
            ));
            n
        }
        Err(e) => {
            out.push(check("store", Level::Fail, format!("{e:#}")));
            return report(cli, out);
        }
    };
    key(&node, &mut out);
    store(&node, &mut out);
    peers(&node, &mut out);
    cosign(&node, &mut out);
    disk(&node, &mut out);
    report(cli, out)
}

fn key(node: &Node, out: &mut Vec<Check>) {
    match node.key_mode() {
        Ok(m) if m & 0o077 == 0 => {
            out.push(check("key", Level::Ok, format!("node.key mode {m:o}")));
        }
        Ok(m) => out.push(check(
            "key",
            Level::Fail,
            format!(
                "node.key mode {m:o}: other users may read the node's key; run chmod 600 {}",
                node.dir().join("node.key").display()
            ),
        )),
        Err(e) => out.push(check("key", Level::Fail, e.to_string())),
    }
}

fn store(node: &Node, out: &mut Vec<Check>) {
    match node.is_restoring() {
        Ok(true) => out.push(check(
            "restore",
            Level::Fail,
            "a restore has not finished: officers cannot write; run `hoso node restore --resume`",
        )),
        Ok(false) => {}
        Err(e) => out.push(check("restore", Level::Fail, e.to_string())),
    }
    match node.check_store() {
        Ok(r) if r.ok => out.push(check(
            "check",
            Level::Ok,
            format!(
                "{} documents load whole, {} index rows match (hoso check)",
                r.documents, r.index_rows
            ),
        )),
        Ok(r) => out.push(check(
            "check",
            Level::Fail,
            format!(
                "{} problem(s) in the store: run `hoso check` for the list, `hoso check --repair` for derived rows",
                r.problem_count
            ),
        )),
        Err(e) => out.push(check("check", Level::Fail, e.to_string())),
    }
}

fn peers(node: &Node, out: &mut Vec<Check>) {
    let peers = match Peers::load(node.dir()) {
        Ok(p) => p.peer,
        Err(e) => {
            out.push(check("peers", Level::Fail, e.to_string()));
            return;
        }
    };
    if peers.is_empty() {
        out.push(check(
            "peers",
            Level::Warn,
            "no peers: this node syncs with nobody (`hoso peer add`)",
        ));
        return;
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            out.push(check("peers", Level::Fail, e.to_string()));
            return;
        }
    };
    rt.block_on(async {
        let ep = match hoso_sync::net::bind_endpoint(node, ([0, 0, 0, 0], 0).into(), false).await {
            Ok(ep) => ep,
            Err(e) => {
                out.push(check("peers", Level::Fail, e.to_string()));
                return;
            }
        };
        for p in &peers {
            if p.addrs.is_empty() {
                out.push(check(
                    "peer",
                    Level::Warn,
                    format!("{}: no address: it must dial this node", p.name),
                ));
                continue;
            }
            let t = std::time::Instant::now();
            match hoso_sync::net::connect(&ep, p).await {
                Ok(conn) => {
                    out.push(check(
                        "peer",
                        Level::Ok,
                        format!(
                            "{} ({}) reachable at {}, its key checked, {} ms",
                            p.name,
                            p.role.as_str(),
                            p.addrs.join(", "),
                            t.elapsed().as_millis()
                        ),
                    ));
                    conn.close(0u32.into(), b"doctor");
                    out.push(peer_clock(p, hoso_sync::clock::probe_clock(&ep, p).await));
                }
                Err(e) => out.push(check("peer", Level::Fail, e.to_string())),
            }
        }
        ep.close().await;
    });
}

/// This node's clock against `p`'s, as the clock probe read it.
fn peer_clock(
    p: &hoso_node::Peer,
    reading: Result<hoso_sync::clock::ClockReading, hoso_sync::SyncError>,
) -> Check {
    match reading {
        Ok(r) => {
            let off = r.offset_ms.unsigned_abs() / 1000;
            let way = if r.offset_ms > 0 {
                "behind"
            } else {
                "ahead of"
            };
            let level = if off <= PEER_CLOCK_OK_SECS {
                Level::Ok
            } else if off <= PEER_CLOCK_WARN_SECS {
                Level::Warn
            } else {
                Level::Fail
            };
            let fix = if level == Level::Ok {
                String::new()
            } else {
                ": set the time (timedatectl set-ntp true, or timedatectl set-time)".into()
            };
            check(
                "clock",
                level,
                format!(
                    "{} s {way} {}'s clock (measured within ±{} ms){fix}",
                    off,
                    p.name,
                    r.rtt_ms.div_ceil(2)
                ),
            )
        }
        Err(e) => check(
            "clock",
            Level::Warn,
            format!("could not read {}'s clock: {e}", p.name),
        ),
    }
}

fn cosign(node: &Node, out: &mut Vec<Check>) {
    let has_hub = Peers::load(node.dir())
        .map(|p| p.peer.iter().any(|p| p.role == NodeRole::Hub))
        .unwrap_or(false);
    let s = match node.cosign_state() {
        Ok(s) => s,
        Err(e) => {
            out.push(check("cosigned", Level::Fail, e.to_string()));
            return;
        }
    };
    let now = chrono::Utc::now().timestamp().max(0) as u64;
    if node.config().role == NodeRole::Hub || !has_hub {
        out.push(check(
            "cosigned",
            Level::Ok,
            format!(
                "chain of {} entries, {} cosigned (no hub witnesses this node)",
                s.chain_length, s.cosigned_size
            ),
        ));
    } else {
        match s.cosigned_at {
            None => out.push(check(
                "cosigned",
                Level::Warn,
                format!(
                    "the hub never cosigned this node's chain ({} entries): run `hoso sync` or `hoso serve`",
                    s.chain_length
                ),
            )),
            Some(at) => {
                let level = if s.cosigned_size < s.chain_length
                    && now.saturating_sub(at) > COSIGN_STALE.as_secs()
                {
                    Level::Warn
                } else {
                    Level::Ok
                };
                out.push(check(
                    "cosigned",
                    level,
                    format!(
                        "{} of {} entries cosigned by the hub, last at {}",
                        s.cosigned_size,
                        s.chain_length,
                        vn_time(at)
                    ),
                ));
            }
        }
    }
    // Clock: a hub cosignature from this node's future means this clock is behind.
    match s.cosigned_at {
        Some(at) if at as i64 - now as i64 > CLOCK_TOLERANCE_SECS => out.push(check(
            "clock",
            Level::Warn,
            format!(
                "this node's clock is at least {} s behind the hub's (its newest cosignature is dated {}): set the time (timedatectl, NTP)",
                at as i64 - now as i64,
                vn_time(at)
            ),
        )),
        Some(at) => out.push(check(
            "clock",
            Level::Ok,
            format!(
                "not behind the hub's clock (its newest cosignature, {}, is not in this node's future)",
                vn_time(at)
            ),
        )),
        None => out.push(check(
            "clock",
            Level::Ok,
            "not measured: no hub cosignature held yet",
        )),
    }
}

fn disk(node: &Node, out: &mut Vec<Check>) {
    match node.disk_space() {
        Ok(d) => {
            let level = if d.free_bytes < 100 << 20 {
                Level::Fail
            } else if d.free_bytes < 1 << 30 || d.free_bytes.saturating_mul(20) < d.total_bytes {
                Level::Warn
            } else {
                Level::Ok
            };
            out.push(check(
                "disk",
                level,
                format!(
                    "{} free of {} where the data dir is",
                    gib(d.free_bytes),
                    gib(d.total_bytes)
                ),
            ));
        }
        Err(e) => out.push(check("disk", Level::Fail, e.to_string())),
    }
}

fn report(cli: &Cli, out: Vec<Check>) -> anyhow::Result<ExitCode> {
    let worst = out.iter().map(|c| c.level).max().unwrap_or(Level::Ok);
    if cli.json {
        output::json(&serde_json::json!({"ok": worst != Level::Fail, "checks": out}))?;
    } else {
        for c in &out {
            let l = match c.level {
                Level::Ok => "ok  ",
                Level::Warn => "WARN",
                Level::Fail => "FAIL",
            };
            crate::output::safe_println!("{l}  {:<9} {}", c.check, c.detail);
        }
    }
    Ok(if worst == Level::Fail {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
