//! `hoso-bench hub`: many communes, each its own `hoso` process, into one hub process.
//!
//! 1. Set-up (not timed): a hub (`hoso init --role hub`), N communes each built with real
//!    commands (init, officer, registry import, `hoso import` of generated cases, the hub as
//!    peer), and every commune added as a peer of the hub.
//! 2. `hoso serve` at the hub; its "serving" line is "ready".
//! 3. All communes start at once: `hoso sync --once` each (default), or `hoso serve` each
//!    (`--commune-mode serve`, communes that stay connected and retry).
//! 4. The hub's `hoso status --json` is polled: converged when it holds every case and every
//!    audit entry of every commune's chain. `converge_s` runs from starting the communes to the
//!    end of the first status call that shows it.
//! 5. Communes and hub are stopped; the hub's peak RSS and CPU come from its rusage.

use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use serde::Serialize;
use serde_json::json;

use crate::hoso::{Hoso, NodeDir, Status, parse_round};
use crate::proc::{Proc, check_stop, describe};
use crate::setup::{self, CommuneSpec};
use crate::stats::{median, mib, percentile, r3};
use crate::{env, workload};

/// How each commune process syncs.
#[derive(Clone, Copy, Debug, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum CommuneMode {
    /// `hoso sync --once`: one round, then exit (failures are explicit).
    Once,
    /// `hoso serve`: stay connected, reconnect with backoff.
    Serve,
}

/// `hoso-bench hub` options.
#[derive(Args, Debug)]
pub(crate) struct HubArgs {
    /// Commune processes.
    #[arg(long, default_value_t = 100)]
    pub communes: usize,
    /// Cases imported at each commune.
    #[arg(long, default_value_t = 1000)]
    pub cases_per_commune: usize,
    /// How communes sync.
    #[arg(long, value_enum, default_value = "once")]
    pub commune_mode: CommuneMode,
    /// Hub status poll interval, ms.
    #[arg(long, default_value_t = 500)]
    pub poll_ms: u64,
    /// Give up converging after this many seconds.
    #[arg(long, default_value_t = 900)]
    pub timeout_s: u64,
    /// Communes set up in parallel.
    #[arg(long, default_value_t = 2)]
    pub setup_jobs: usize,
    #[command(flatten)]
    pub common: crate::Common,
}

struct Running {
    proc: Proc,
    index: usize,
}

/// Runs the fan-in bench and returns its JSON report.
pub(crate) fn run(args: &HubArgs) -> anyhow::Result<serde_json::Value> {
    let work = setup::WorkDir::new(
        args.common.work.as_deref(),
        "hoso-bench-hub-",
        args.common.keep,
    )?;
    let h = Hoso::new(args.common.hoso_bin()?, work.path().join("logs"))?;
    let mut cond = env::measure(work.path())?;
    let registry = workload::write_registry(work.path())?;

    let t_setup = Instant::now();
    let port = setup::free_port("127.0.0.1")?;
    let hub = setup::hub(&h, work.path(), "hub", &format!("127.0.0.1:{port}"))?;
    eprintln!(
        "setting up {} communes × {} cases in {}",
        args.communes,
        args.cases_per_commune,
        work.path().display()
    );
    let specs: Vec<CommuneSpec> = (0..args.communes)
        .map(|i| CommuneSpec {
            index: i,
            cases: args.cases_per_commune,
            hub: Some((hub.id.clone(), hub.listen.clone())),
            listen: "127.0.0.1:0".into(),
        })
        .collect();
    let communes = setup::communes(&h, work.path(), &registry, &specs, args.setup_jobs)?;
    setup::peer_hub_with(&h, &hub, &communes)?;
    let hub_before = h.status(&hub.node)?;
    cond.baseline_hoso_id_ms = Some(id_baseline(&h, &hub.node)?);
    let setup_s = t_setup.elapsed().as_secs_f64();
    let want_cases: u64 = communes.iter().map(|c| c.status.cases).sum();
    let want_entries: u64 =
        hub_before.audit_entries + communes.iter().map(|c| c.status.chain_length).sum::<u64>();
    let setup_entries = communes
        .first()
        .map(|c| c.status.chain_length - c.status.cases * workload::ENTRIES_PER_IMPORTED_CASE)
        .unwrap_or(0);

    // The hub.
    let t_hub = Instant::now();
    let mut hub_proc = h.spawn(&hub.node, "serve", &["serve"])?;
    hub_proc.wait_line("the serving line", Duration::from_secs(60), |l| {
        l.starts_with("serving")
    })?;
    let hub_ready_s = t_hub.elapsed().as_secs_f64();

    // The communes, all at once.
    eprintln!("starting {} commune processes", communes.len());
    let t0 = Instant::now();
    let mut running = Vec::new();
    for (i, c) in communes.iter().enumerate() {
        let p = match args.commune_mode {
            CommuneMode::Once => {
                let mut spec = h.spec(&c.node, "sync", &["--json", "sync", "--once"], true);
                spec.netns = None;
                Proc::spawn(&spec, &h.logs)?
            }
            CommuneMode::Serve => {
                h.spawn(&c.node, "serve", &["serve", "--listen", "127.0.0.1:0"])?
            }
        };
        running.push(Running { proc: p, index: i });
    }

    // Poll the hub until it holds everything, the communes have all given up, or time is out.
    let deadline = t0 + Duration::from_secs(args.timeout_s);
    let mut converge_s = None;
    let mut last: Status;
    let mut status_failures: Vec<String> = Vec::new();
    let mut polls = Vec::new();
    let mut resolution_s: f64 = 0.0;
    loop {
        check_stop()?;
        let tp = Instant::now();
        last = match h.status(&hub.node) {
            Ok(s) => s,
            Err(e) => {
                // A failed probe is a finding, not the end of the run (bounded).
                status_failures.push(format!("{:.1} s: {e:#}", t0.elapsed().as_secs_f64()));
                if status_failures.len() > 20 {
                    return Err(e.context("the hub's status failed more than 20 times"));
                }
                crate::proc::sleep(Duration::from_millis(args.poll_ms))?;
                continue;
            }
        };
        let done_at = t0.elapsed().as_secs_f64();
        resolution_s = resolution_s.max(tp.elapsed().as_secs_f64());
        polls.push(
            json!({"t_s": r3(done_at), "cases": last.cases, "audit_entries": last.audit_entries}),
        );
        if last.cases >= want_cases && last.audit_entries >= want_entries {
            converge_s = Some(done_at);
            break;
        }
        let all_exited = running.iter_mut().all(|r| r.proc.poll().unwrap_or(true));
        if matches!(args.commune_mode, CommuneMode::Once) && all_exited {
            // One more look after the last commune has gone.
            if let Ok(s) = h.status(&hub.node) {
                last = s;
            }
            if last.cases >= want_cases && last.audit_entries >= want_entries {
                converge_s = Some(t0.elapsed().as_secs_f64());
            }
            break;
        }
        if Instant::now() >= deadline {
            break;
        }
        crate::proc::sleep(Duration::from_millis(args.poll_ms))?;
    }

    // Collect the communes.
    let mut failures = Vec::new();
    let mut rounds = Vec::new();
    let mut rss = Vec::new();
    let mut cpu = Vec::new();
    let mut walls = Vec::new();
    let mut bytes = 0u64;
    let (mut cosigned, mut refused) = (0u64, 0u64);
    let (mut retried, mut attempts_max) = (0u64, 0u64);
    for r in &mut running {
        let exit = match args.commune_mode {
            CommuneMode::Once => {
                let left = deadline.saturating_duration_since(Instant::now());
                r.proc.wait(left.max(Duration::from_secs(5)))
            }
            CommuneMode::Serve => r.proc.stop(Duration::from_secs(20)),
        };
        let exit = match exit {
            Ok(e) => e,
            Err(e) => {
                failures.push(format!("commune {}: {e:#}", r.index));
                continue;
            }
        };
        if let Some(u) = exit.usage {
            rss.push(u.rss_mib());
            cpu.push(u.cpu_s());
        }
        walls.push(exit.wall.as_secs_f64());
        match args.commune_mode {
            CommuneMode::Once => {
                let round = serde_json::from_str(&exit.stdout)
                    .map(|v| parse_round(&v))
                    .unwrap_or_default();
                if let Some(e) = round.error.clone().or_else(|| {
                    (!exit.status.success())
                        .then(|| format!("{}: {}", describe(&exit.status), exit.stderr_tail))
                }) {
                    failures.push(format!("commune {}: {e}", r.index));
                }
                bytes += round.bytes;
                cosigned += round.cosigned;
                refused += round.witness_refused;
                retried += u64::from(round.attempts > 1);
                attempts_max = attempts_max.max(round.attempts);
                rounds.push(round.ms / 1000.0);
            }
            CommuneMode::Serve => {
                for l in exit.stdout.lines().filter(|l| l.contains(" offline")) {
                    failures.push(format!("commune {}: {l}", r.index));
                }
            }
        }
    }
    let hub_status = h.status(&hub.node).unwrap_or_else(|_| last.clone());
    let t_stop = Instant::now();
    let hub_exit = hub_proc.stop(Duration::from_secs(60))?;
    let hub_stop_s = t_stop.elapsed().as_secs_f64();
    let hub_usage = hub_exit.usage.unwrap_or_default();
    cond.load_at_end = env::loadavg();

    let import_rss: Vec<f64> = communes
        .iter()
        .filter_map(|c| c.import_usage.map(|u| u.rss_mib()))
        .collect();
    let mut store_per_case: Vec<f64> = communes
        .iter()
        .filter(|c| c.status.cases > 0)
        .map(|c| c.status.store_bytes as f64 / c.status.cases as f64)
        .collect();
    Ok(json!({
        "bench": "hub",
        "communes": args.communes,
        "cases_per_commune": args.cases_per_commune,
        "commune_mode": args.commune_mode,
        "audit_entries_per_case": workload::ENTRIES_PER_IMPORTED_CASE,
        "setup_audit_entries_per_commune": setup_entries,
        "converged": converge_s.is_some(),
        "converge_s": converge_s.map(r3),
        "converge_resolution_s": r3(resolution_s + args.poll_ms as f64 / 1000.0),
        "hub_ready_s": r3(hub_ready_s),
        "hub_stop_s": r3(hub_stop_s),
        "hub_peak_rss_mib": r3(hub_usage.rss_mib()),
        "hub_cpu_s": r3(hub_usage.cpu_s()),
        "bytes": bytes,
        "bytes_note": "application bytes out + in as the communes' rounds report them (once mode only)",
        "failed_sessions": failures.len(),
        "failures_first": failures.iter().take(5).collect::<Vec<_>>(),
        "hub_status_failures": status_failures,
        "expected": {"cases": want_cases, "audit_entries": want_entries},
        "hub_holds": {
            "cases": hub_status.cases.max(last.cases),
            "audit_entries": hub_status.audit_entries,
            "cosignatures": hub_status.cosignatures,
            "refused_checkpoints": hub_status.refused_checkpoints,
            "store_bytes_per_case": r3(hub_status.store_bytes as f64 / hub_status.cases.max(1) as f64),
        },
        "commune": {
            "round_s_median": r3(median(&mut rounds.clone())),
            "round_s_max": r3(percentile(&mut rounds, 1.0)),
            "process_s_median": r3(median(&mut walls.clone())),
            "process_s_max": r3(percentile(&mut walls, 1.0)),
            "peak_rss_mib_median": r3(median(&mut rss.clone())),
            "peak_rss_mib_max": r3(percentile(&mut rss, 1.0)),
            "cpu_s_total": r3(cpu.iter().sum::<f64>()),
            "cosigned": cosigned,
            "witness_refused": refused,
            "sessions_retried_busy": retried,
            "attempts_max": attempts_max,
            "import_peak_rss_mib_max": r3(percentile(&mut import_rss.clone(), 1.0)),
            "store_bytes_per_case_median": r3(median(&mut store_per_case)),
            "store_mib_total": r3(mib(communes.iter().map(|c| c.status.store_bytes).sum())),
        },
        "setup_s": r3(setup_s),
        "polls": polls,
        "work_dir": if work.is_temporary() { serde_json::Value::Null } else { json!(work.path()) },
        "conditions": cond,
    }))
}

/// Median wall time of `hoso --json id` on `node` (5 runs): the floor under CLI-timed figures.
pub(crate) fn id_baseline(h: &Hoso, node: &NodeDir) -> anyhow::Result<f64> {
    let mut v = Vec::new();
    for _ in 0..5 {
        let (_, exit) = h.json(node, "id", &["id"], crate::hoso::SHORT)?;
        v.push(exit.wall.as_secs_f64() * 1000.0);
    }
    Ok(r3(median(&mut v)))
}
