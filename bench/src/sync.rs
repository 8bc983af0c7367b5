//! `hoso-bench sync`: the sync bench with the hub and the commune as separate processes.
//!
//! Set-up: a hub and a commune built with real commands; the commune imports `--cases`
//! generated cases with `hoso import` (timed: bulk import). Then, with `hoso serve` running at
//! the hub:
//! - initial: `hoso sync --once` at the commune, into the empty hub;
//! - no-op: the same again with nothing changed (median of `--noop` rounds);
//! - edited: `--edits` cases get one note each (`hoso case note`: one change and one audit entry
//!   each), then one round;
//! - live push: `hoso serve` at the commune as well; a note written with `hoso case note` until
//!   `hoso case show` at the hub has it (median of `--live`). The CLI write is another process
//!   than the commune's engine, which notices it on its 500 ms pump tick: that is in the figure.
//!
//! Round times are what `sync --once` reports (connect included, process start excluded); the
//! process wall times are reported beside them. Peak RSS per process comes from rusage.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Args;
use serde_json::json;

use crate::hoso::{Hoso, LONG, Round};
use crate::proc::{Usage, check_stop};
use crate::setup::{self, CommuneSpec};
use crate::stats::{median, r3};
use crate::{env, hub, workload};

/// `hoso-bench sync` options.
#[derive(Args, Debug)]
pub(crate) struct SyncArgs {
    /// Cases imported at the commune.
    #[arg(long, default_value_t = 100_000)]
    pub cases: usize,
    /// Cases edited (one note each) before the incremental round.
    #[arg(long, default_value_t = 1000)]
    pub edits: usize,
    /// No-op rounds (median).
    #[arg(long, default_value_t = 5)]
    pub noop: usize,
    /// Live pushes timed (median).
    #[arg(long, default_value_t = 5)]
    pub live: usize,
    #[command(flatten)]
    pub common: crate::Common,
}

fn round_json(r: &Round, wall_s: f64, cases: u64) -> serde_json::Value {
    json!({
        "s": r3(r.ms / 1000.0),
        "process_s": r3(wall_s),
        "bytes": r.bytes,
        "bytes_per_case": if cases > 0 { json!(r3(r.bytes as f64 / cases as f64)) } else { json!(null) },
        "cases_sent": r.cases_sent,
        "audit_sent": r.audit_sent,
        "cosigned": r.cosigned,
        "witness_refused": r.witness_refused,
        "error": r.error,
    })
}

/// Runs the two-process sync bench and returns its JSON report.
pub(crate) fn run(args: &SyncArgs) -> anyhow::Result<serde_json::Value> {
    let work = setup::WorkDir::new(
        args.common.work.as_deref(),
        "hoso-bench-sync-",
        args.common.keep,
    )?;
    let h = Hoso::new(args.common.hoso_bin()?, work.path().join("logs"))?;
    let mut cond = env::measure(work.path())?;
    let registry = workload::write_registry(work.path())?;
    let port = setup::free_port("127.0.0.1")?;
    let hubn = setup::hub(&h, work.path(), "hub", &format!("127.0.0.1:{port}"))?;
    eprintln!("commune: importing {} generated cases", args.cases);
    let c = setup::commune(
        &h,
        work.path(),
        &registry,
        &CommuneSpec {
            index: 0,
            cases: args.cases,
            hub: Some((hubn.id.clone(), hubn.listen.clone())),
            listen: "127.0.0.1:0".into(),
        },
    )?;
    setup::peer_hub_with(&h, &hubn, std::slice::from_ref(&c))?;
    cond.baseline_hoso_id_ms = Some(hub::id_baseline(&h, &c.node)?);
    let hub_before = h.status(&hubn.node)?;
    let mut commune_procs: Vec<(&str, Usage)> = Vec::new();
    if let Some(u) = c.import_usage {
        commune_procs.push(("import", u));
    }

    let t = Instant::now();
    let mut hub_proc = h.spawn(&hubn.node, "serve", &["serve"])?;
    hub_proc.wait_line("the serving line", Duration::from_secs(60), |l| {
        l.starts_with("serving")
    })?;
    let hub_ready_s = t.elapsed().as_secs_f64();

    // Initial.
    eprintln!("initial round");
    let (initial, exit) = h.sync_once(&c.node, LONG)?;
    if let Some(u) = exit.usage {
        commune_procs.push(("sync initial", u));
    }
    let initial_wall = exit.wall.as_secs_f64();
    let hub_after = h.status(&hubn.node)?;
    let want_entries = hub_before.audit_entries + c.status.chain_length;
    if initial.error.is_none()
        && (hub_after.cases < c.status.cases || hub_after.audit_entries < want_entries)
    {
        bail!(
            "after the initial round the hub holds {} cases and {} audit entries, expected {} and {}",
            hub_after.cases,
            hub_after.audit_entries,
            c.status.cases,
            want_entries
        );
    }

    // No-op.
    eprintln!("no-op rounds");
    let (mut noop_ms, mut noop_bytes, mut noop_wall) = (vec![], vec![], vec![]);
    for _ in 0..args.noop {
        let (r, exit) = h.sync_once(&c.node, LONG)?;
        if let Some(e) = r.error {
            bail!("no-op round failed: {e}");
        }
        noop_ms.push(r.ms);
        noop_bytes.push(r.bytes as f64);
        noop_wall.push(exit.wall.as_secs_f64() * 1000.0);
        if let Some(u) = exit.usage {
            commune_procs.push(("sync no-op", u));
        }
    }

    // Edited cases.
    let ids = h.case_ids(&c.node, args.edits.max(args.live))?;
    if ids.len() < args.edits.max(args.live) {
        bail!("the commune lists {} cases, fewer than needed", ids.len());
    }
    eprintln!("editing {} cases with `hoso case note`", args.edits);
    let mut note_ms = Vec::new();
    for (k, id) in ids.iter().take(args.edits).enumerate() {
        check_stop()?;
        let exit = h.note(&c.node, id, &format!("Đã gọi điện hẹn công dân (đo {k})"))?;
        note_ms.push(exit.wall.as_secs_f64() * 1000.0);
    }
    let (edited, exit) = h.sync_once(&c.node, LONG)?;
    if let Some(u) = exit.usage {
        commune_procs.push(("sync edited", u));
    }
    let edited_wall = exit.wall.as_secs_f64();

    // Live push.
    eprintln!("live push");
    let mut commune_serve = h.spawn(&c.node, "serve", &["serve", "--listen", "127.0.0.1:0"])?;
    commune_serve.wait_line("the hub online", Duration::from_secs(60), |l| {
        l.contains(" online")
    })?;
    let (mut live_ms, mut poll_ms) = (vec![], vec![]);
    for (k, id) in ids.iter().take(args.live).enumerate() {
        let before = h.note_count(&hubn.node, id)?;
        h.note(&c.node, id, &format!("Đẩy trực tiếp {k}"))?;
        let written = Instant::now();
        loop {
            check_stop()?;
            let tp = Instant::now();
            let n = h.note_count(&hubn.node, id)?;
            poll_ms.push(tp.elapsed().as_secs_f64() * 1000.0);
            if n > before {
                live_ms.push(written.elapsed().as_secs_f64() * 1000.0);
                break;
            }
            if written.elapsed() > Duration::from_secs(60) {
                bail!("a live note did not reach the hub within 60 s");
            }
        }
    }
    let cs = commune_serve.stop(Duration::from_secs(20))?;
    if let Some(u) = cs.usage {
        commune_procs.push(("serve (live push)", u));
    }
    let hub_final = h.status(&hubn.node)?;
    let hub_exit = hub_proc.stop(Duration::from_secs(60))?;
    let hub_usage = hub_exit.usage.context("no rusage from the hub")?;
    let commune_final = h.status(&c.node)?;
    cond.load_at_end = env::loadavg();

    let commune_peak = commune_procs
        .iter()
        .filter(|(w, _)| *w != "import")
        .map(|(_, u)| u.rss_mib())
        .fold(0.0, f64::max);
    let per_case = |bytes: u64, cases: u64| r3(bytes as f64 / cases.max(1) as f64);
    Ok(json!({
        "bench": "sync (separate processes)",
        "cases": c.status.cases,
        "audit_entries_per_case": workload::ENTRIES_PER_IMPORTED_CASE,
        "commune_chain_length": c.status.chain_length,
        "case_shape": "hoso-fixtures generated case imported with `hoso import`: 1 Automerge change, 1 audit entry (CaseImport)",
        "bulk_import_s": r3(c.import_s),
        "bulk_import_cases_per_s": r3(c.status.cases as f64 / c.import_s.max(1e-9)),
        "hub_ready_s": r3(hub_ready_s),
        "initial": round_json(&initial, initial_wall, c.status.cases),
        "noop": {
            "rounds": args.noop,
            "ms_median": r3(median(&mut noop_ms)),
            "bytes_median": median(&mut noop_bytes),
            "process_ms_median": r3(median(&mut noop_wall)),
        },
        "edited": {
            "cases": args.edits,
            "round": round_json(&edited, edited_wall, args.edits as u64),
            "cli_note_ms_median": r3(median(&mut note_ms)),
        },
        "live_push_ms": {
            "median": r3(median(&mut live_ms.clone())),
            "samples": live_ms.iter().map(|x| r3(*x)).collect::<Vec<_>>(),
            "hub_poll_ms_median": r3(median(&mut poll_ms)),
            "note": "CLI write in its own process; the commune's engine picks it up on its 500 ms pump tick; detected by polling `hoso case show` at the hub",
        },
        "hub_peak_rss_mib": r3(hub_usage.rss_mib()),
        "hub_cpu_s": r3(hub_usage.cpu_s()),
        "commune_peak_rss_mib": r3(commune_peak),
        "commune_processes": commune_procs.iter().map(|(w, u)| json!({"what": w, "peak_rss_mib": r3(u.rss_mib()), "cpu_s": r3(u.cpu_s())})).collect::<Vec<_>>(),
        "disk_bytes_per_case": {
            "commune_after_import": per_case(c.status.store_bytes, c.status.cases),
            "commune_after_sync": per_case(commune_final.store_bytes, commune_final.cases),
            "hub_after_sync": per_case(hub_final.store_bytes, hub_final.cases),
        },
        "hub_holds": {"cases": hub_final.cases, "audit_entries": hub_final.audit_entries, "cosignatures": hub_final.cosignatures, "refused_checkpoints": hub_final.refused_checkpoints},
        "conditions": cond,
    }))
}
