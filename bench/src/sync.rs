//! `hoso-bench sync`: the sync bench with the hub and the commune as separate processes.
//!
//! Set-up: a hub and a commune built with real commands; the commune imports `--cases`
//! generated cases with `hoso import` (timed: bulk import). Then, with `hoso serve` running at
//! the hub:
//! - initial: `hoso sync --once` at the commune, into the empty hub;
//! - no-op: the same again with nothing changed (median of `--noop` rounds);
//! - edited: `--edits` cases get one note each (one audited durable write and one audit entry
//!   each, through the node's guarded write path in this process, as `hoso case note` writes),
//!   then one `sync --once` round;
//! - live push: the commune's sync engine runs in this process, connected to the hub process;
//!   a note written through the node is timed until the hub's ack of that version is recorded
//!   at the commune (median of `--live`).
//!
//! Each case carries its audit entry: an imported case is one Automerge change and one
//! `CaseImport` entry on the commune's chain (the report says so); an edited case adds a change
//! and an entry.
//!
//! Round times are what `sync --once` reports (connect included, process start excluded); the
//! process wall times are reported beside them. Peak RSS: the hub's `VmHWM` from
//! /proc/PID/status while it runs; each commune process's from rusage (`ru_maxrss`, the same
//! counter at exit); `commune_peak_rss_mib` is the largest of those. The live phase's engine
//! runs in the bench process, whose `VmHWM` (reported apart) also counts the bench's own
//! set-up. A human table with
//! each figure against its target goes to stderr; the JSON to stdout.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Args;
use serde_json::json;

use crate::hoso::{Hoso, LONG, NodeDir, OFFICER, Round, Status};
use crate::proc::Usage;
use crate::setup::{self, CommuneSpec};
use crate::stats::{median, r3, row, table};
use crate::{env, hub, inproc, workload};

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
    /// Live pushes timed (median; 0 skips the live phase).
    #[arg(long, default_value_t = 5)]
    pub live: usize,
    /// Keep the hub and the commune in DIR and reuse them on the next run with the same
    /// `--cases` (set-up and initial round skipped; `--rebuild` starts over): to time and
    /// profile only the incremental rounds.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Build the nodes in `--dir` again even if it holds a ready pair.
    #[arg(long)]
    pub rebuild: bool,
    /// Edited rounds (each: `--edits` notes, then one round); the first is reported as
    /// `edited.round`, every one in `edited.repeats` (to profile the rounds).
    #[arg(long, default_value_t = 1)]
    pub repeat: usize,
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

/// The file in `--dir` that says the nodes there are set up and synced once.
const READY: &str = "ready.json";

/// What `--dir` keeps between runs.
#[derive(serde::Serialize, serde::Deserialize)]
struct Kept {
    cases: usize,
    hub_id: String,
    hub_listen: String,
    commune_id: String,
    import_s: f64,
}

/// A hub and a commune of `cases` generated cases, built with real commands in `root`.
fn build(h: &Hoso, root: &Path, cases: usize) -> anyhow::Result<(setup::Hub, setup::Commune)> {
    let registry = workload::write_registry(root)?;
    let port = setup::free_port("127.0.0.1")?;
    let hubn = setup::hub(h, root, "hub", &format!("127.0.0.1:{port}"))?;
    eprintln!("commune: importing {cases} generated cases");
    let c = setup::commune(
        h,
        root,
        &registry,
        &CommuneSpec {
            index: 0,
            cases,
            hub: Some((hubn.id.clone(), hubn.listen.clone())),
            listen: "127.0.0.1:0".into(),
        },
    )?;
    setup::peer_hub_with(h, &hubn, std::slice::from_ref(&c))?;
    Ok((hubn, c))
}

/// The pair a previous run left in `root` (logged in again).
fn reuse(h: &Hoso, root: &Path, k: &Kept) -> anyhow::Result<(setup::Hub, setup::Commune)> {
    let mut hub = NodeDir::new(root.join("hub"), "hub");
    h.login(&mut hub, OFFICER)?;
    let label = "c000";
    let mut node = NodeDir::new(root.join(label), label);
    h.login(&mut node, OFFICER)?;
    let status: Status = h.status(&node)?;
    Ok((
        setup::Hub {
            node: hub,
            id: k.hub_id.clone(),
            listen: k.hub_listen.clone(),
        },
        setup::Commune {
            node,
            id: k.commune_id.clone(),
            code: workload::commune_code(0),
            status,
            import_s: k.import_s,
            import_usage: None,
        },
    ))
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
    let root = args
        .dir
        .clone()
        .unwrap_or_else(|| work.path().to_path_buf());
    let kept: Option<Kept> = args
        .dir
        .as_ref()
        .and_then(|d| std::fs::read(d.join(READY)).ok())
        .and_then(|b| serde_json::from_slice(&b).ok())
        .filter(|k: &Kept| k.cases == args.cases && !args.rebuild);
    let reused = kept.is_some();
    let (hubn, c) = match kept {
        Some(k) => {
            eprintln!("reusing the hub and the commune in {}", root.display());
            reuse(&h, &root, &k)?
        }
        None => {
            if args.dir.is_some() && root.exists() {
                std::fs::remove_dir_all(&root)
                    .with_context(|| format!("removing {}", root.display()))?;
            }
            std::fs::create_dir_all(&root)?;
            build(&h, &root, args.cases)?
        }
    };
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

    // Initial (with reused nodes: a round that settles what the last run left).
    eprintln!(
        "{}",
        if reused {
            "settle round (reused nodes)"
        } else {
            "initial round"
        }
    );
    let (initial, exit) = h.sync_once(&c.node, LONG)?;
    if let Some(u) = exit.usage {
        commune_procs.push(("sync initial", u));
    }
    let initial_wall = exit.wall.as_secs_f64();
    let hub_after = h.status(&hubn.node)?;
    let want_entries = if reused {
        c.status.chain_length
    } else {
        hub_before.audit_entries + c.status.chain_length
    };
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
    if let Some(d) = &args.dir
        && !reused
    {
        let k = Kept {
            cases: args.cases,
            hub_id: hubn.id.clone(),
            hub_listen: hubn.listen.clone(),
            commune_id: c.id.clone(),
            import_s: c.import_s,
        };
        std::fs::write(d.join(READY), serde_json::to_vec_pretty(&k)?)?;
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

    // Edited cases: one note each, written in this process through the node's guarded write
    // path (one audited durable write and one audit entry each; no `hoso` process holds the
    // commune's store between rounds).
    let ids = h.case_ids(&c.node, args.edits.max(args.live))?;
    if ids.len() < args.edits.max(args.live) {
        bail!("the commune lists {} cases, fewer than needed", ids.len());
    }
    let mut note_ms = Vec::new();
    let mut repeats: Vec<(Round, f64)> = Vec::new();
    for k in 0..args.repeat.max(1) {
        eprintln!(
            "editing {} cases (one note each), round {}/{}",
            args.edits,
            k + 1,
            args.repeat.max(1)
        );
        note_ms.extend(inproc::notes(
            &c.node.dir,
            &ids[..args.edits],
            "Đã gọi điện hẹn công dân (đo)",
        )?);
        let (r, exit) = h.sync_once(&c.node, LONG)?;
        if let Some(u) = exit.usage {
            commune_procs.push(("sync edited", u));
        }
        repeats.push((r, exit.wall.as_secs_f64()));
    }
    let (edited, edited_wall) = repeats[0].clone();

    // Live push: the commune's engine in this process, connected to the hub process; a note
    // written through the node, timed until the hub's ack of that version is recorded.
    let live = if args.live > 0 {
        eprintln!("live push");
        inproc::live_push(&c.node.dir, &hubn.id, &ids, args.live)?
    } else {
        inproc::Live::default()
    };
    let mut live_ms = live.push_ms.clone();
    // The hub's own peak, read from /proc while it runs (VmHWM of the `hoso serve` process).
    let hub_hwm = hub_proc.sample_usage();
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
    let hub_peak = hub_hwm.map_or(hub_usage.rss_mib(), |u| {
        u.rss_mib().max(hub_usage.rss_mib())
    });
    let per_case = |bytes: u64, cases: u64| r3(bytes as f64 / cases.max(1) as f64);
    let noop_ms_med = r3(median(&mut noop_ms));
    let noop_bytes_med = median(&mut noop_bytes);
    let live_med = r3(median(&mut live_ms));
    let kb = |b: u64| format!("{:.1} KB", b as f64 / 1000.0);
    let rows = vec![
        row(
            "initial sync",
            format!(
                "{:.2} s, {:.1} MB",
                initial.ms / 1000.0,
                initial.bytes as f64 / 1e6
            ),
            "≤ 8 s",
            Some(initial.ms <= 8000.0 && initial.error.is_none()),
        ),
        row(
            "no-op resync",
            format!("{noop_ms_med:.2} ms, {noop_bytes_med:.0} B"),
            "≤ 2 ms, ≤ 512 B",
            Some(noop_ms_med <= 2.0 && noop_bytes_med <= 512.0),
        ),
        row(
            &format!("{} edited cases", args.edits),
            format!("{:.1} ms, {}", edited.ms, kb(edited.bytes)),
            "≤ 150 ms, ≤ 1 MB",
            Some(edited.ms <= 150.0 && edited.bytes <= 1_000_000 && edited.error.is_none()),
        ),
        row(
            "live push (median)",
            format!("{live_med:.1} ms"),
            "≤ 50 ms",
            Some(live_med <= 50.0),
        ),
        row(
            "hub_peak_rss_mib",
            format!("{hub_peak:.0} MiB"),
            "≤ 300 MiB",
            Some(hub_peak <= 300.0),
        ),
        row(
            "commune_peak_rss_mib",
            format!("{commune_peak:.0} MiB"),
            "≤ 200 MiB",
            Some(commune_peak <= 200.0),
        ),
        row(
            "bulk import (hoso import)",
            format!(
                "{:.1} s, {:.0} cases/s",
                c.import_s,
                c.status.cases as f64 / c.import_s.max(1e-9)
            ),
            "",
            None,
        ),
        row(
            "hub disk per case",
            format!(
                "{:.0} B",
                hub_final.store_bytes as f64 / hub_final.cases.max(1) as f64
            ),
            "≤ 3,500 B (target 2)",
            None,
        ),
    ];
    eprint!(
        "{}",
        table(
            &format!(
                "hoso-bench sync: {} cases, {} audit entry per case, hub and commune in separate processes (load {})",
                c.status.cases,
                workload::ENTRIES_PER_IMPORTED_CASE,
                cond.load_at_end
            ),
            &rows
        )
    );
    Ok(json!({
        "bench": "sync (separate processes)",
        "reused_nodes": reused,
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
            "ms_median": noop_ms_med,
            "bytes_median": noop_bytes_med,
            "process_ms_median": r3(median(&mut noop_wall)),
        },
        "edited": {
            "cases": args.edits,
            "round": round_json(&edited, edited_wall, args.edits as u64),
            "repeats": repeats.iter().map(|(r, w)| round_json(r, *w, args.edits as u64)).collect::<Vec<_>>(),
            "note_write_ms_median": r3(median(&mut note_ms)),
        },
        "live_push_ms": {
            "median": r3(median(&mut live_ms)),
            "samples": live.push_ms.iter().map(|x| r3(*x)).collect::<Vec<_>>(),
            "engine_connect_ms": r3(live.connect_ms),
            "commune_engine_peak_rss_mib": r3(live.peak_rss_mib),
            "note": "the commune's engine runs in the bench process against the hub process; a note written through the node, timed until the hub's ack of that version is recorded at the commune",
        },
        "hub_peak_rss_mib": r3(hub_peak),
        "hub_peak_rss_how": "VmHWM of the `hoso serve` process from /proc/PID/status before it stops (and its rusage ru_maxrss, the larger)",
        "commune_peak_rss_how": "largest of the commune's `hoso sync --once` processes (ru_maxrss = their VmHWM at exit); the import is reported apart, and the live phase's engine runs inside the bench process, whose VmHWM also counts the bench's own set-up (live.commune_engine_peak_rss_mib)",
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
