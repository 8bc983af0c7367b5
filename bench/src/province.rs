//! `hoso-bench province`: a hub holding `--cases` cases (default 1,000,000), then what its
//! operator and its communes feel.
//!
//! Generation (once; reused while `ready.json` in `--dir` matches) goes the real way: `--communes`
//! communes each import `cases / communes` generated cases with `hoso import` (one audit entry
//! per case on the commune's chain) and sync them into the hub with `hoso sync --once` while
//! the hub runs `hoso serve`. So the hub holds exactly what a hub fed by its communes holds:
//! their documents, summaries, indexes, known heads and every commune's audit chain. Commune
//! 0 is kept for the measurements; the others are deleted once synced, to save disk.
//!
//! Measured: hub start (`hoso serve` spawned → its "serving" line; median of 3), `hoso status`
//! at the hub, commune 0's no-op round (median of 5, time and bytes), 100 edited cases (one
//! note each) in one round, search at the hub (`hoso case list --search`, as processes, with
//! `hoso id` as the floor), then in this process on the hub's store ([`crate::hubview`]):
//! `Node::open`, the console's first frames drawn into a `TestBackend`, and the console's search
//! (`hoso_tui::queue::page`, and the last keystroke typed into the list's search box). A human
//! table with each figure against its target goes to stderr; the JSON to stdout.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Args;
use serde_json::json;

use crate::hoso::{Hoso, LONG, NodeDir, OFFICER, SHORT};
use crate::proc::check_stop;
use crate::setup::{self, CommuneSpec};
use crate::stats::{median, r3};
use crate::stats::{row, table};
use crate::{env, hub, hubview, province_gen, workload};

/// `hoso-bench province` options.
#[derive(Args, Debug)]
pub(crate) struct ProvinceArgs {
    /// Cases at the hub.
    #[arg(long, default_value_t = 1_000_000)]
    pub cases: usize,
    /// Communes the cases come from (generation).
    #[arg(long, default_value_t = 10)]
    pub communes: usize,
    /// Where the generated hub is kept (default: target/bench-province-<cases>).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Generate again even if the dir holds a ready hub.
    #[arg(long)]
    pub rebuild: bool,
    /// Communes built in parallel during generation.
    #[arg(long, default_value_t = 1)]
    pub jobs: usize,
    /// Generate the old way: each commune a `hoso import` process, synced into a running
    /// `hoso serve` with `hoso sync --once` (hours at 1M; the default is the bulk generator of
    /// `province_gen.rs`: the same write and ingest paths in this process, no network).
    #[arg(long)]
    pub via_sync: bool,
    /// Cases edited before the incremental round.
    #[arg(long, default_value_t = 100)]
    pub edits: usize,
    #[command(flatten)]
    pub common: crate::Common,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Ready {
    cases: u64,
    communes: usize,
    hub_id: String,
    commune0_id: String,
    build_s: f64,
    sync_s: Vec<f64>,
    import_s: Vec<f64>,
    /// How the hub was generated.
    #[serde(default)]
    how: String,
    /// Cases generated per second (import and ingest, end to end).
    #[serde(default)]
    cases_per_s: f64,
    /// Audit entries the hub received during generation.
    #[serde(default)]
    audit_received: u64,
}

/// The bulk generator ([`province_gen`]): the hub and commune 0 in `dir`.
fn build_bulk(h: &Hoso, dir: &Path, args: &ProvinceArgs) -> anyhow::Result<Ready> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir)?;
    let t = Instant::now();
    let communes = args.communes.max(1);
    let per = args.cases / communes;
    let g = province_gen::generate(dir, communes, per, args.jobs.max(1))?;
    let build_s = t.elapsed().as_secs_f64();
    let st = h.status(&NodeDir::new(dir.join("hub"), "hub"))?;
    let want = (per * communes) as u64;
    if st.cases != want {
        bail!("the hub holds {} cases, expected {want}", st.cases);
    }
    let ready = Ready {
        cases: st.cases,
        communes,
        hub_id: g.hub_id,
        commune0_id: g.commune0_id,
        build_s: r3(build_s),
        sync_s: g.sync_s,
        import_s: g.import_s,
        how: "bulk: each commune a node in this process, its cases imported through the guarded write path (hoso import's Node::import_cases, 1 audit entry each, 10,000 per transaction), then one sync round into the hub between two sans-IO sessions in memory (messages encoded and decoded, no network)".into(),
        cases_per_s: r3(st.cases as f64 / build_s.max(1e-9)),
        audit_received: g.audit_received,
    };
    std::fs::write(dir.join("ready.json"), serde_json::to_vec_pretty(&ready)?)?;
    eprintln!(
        "generated {} cases in {build_s:.0} s ({:.0} cases/s); {} audit entries received, {} checkpoints cosigned",
        st.cases, ready.cases_per_s, g.audit_received, g.cosigned
    );
    Ok(ready)
}

fn target_dir() -> anyhow::Result<PathBuf> {
    let me = std::env::current_exe()?;
    me.parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .context("this binary is not in a target dir; pass --dir")
}

fn build(h: &Hoso, dir: &Path, args: &ProvinceArgs) -> anyhow::Result<Ready> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir)?;
    let t = Instant::now();
    let registry = workload::write_registry(dir)?;
    let port = setup::free_port("127.0.0.1")?;
    let hubn = setup::hub(h, dir, "hub", &format!("127.0.0.1:{port}"))?;
    let per = args.cases / args.communes.max(1);
    eprintln!(
        "generating: {} communes × {per} cases, imported with `hoso import` ({} at a time)",
        args.communes,
        args.jobs.max(1)
    );
    let specs: Vec<CommuneSpec> = (0..args.communes)
        .map(|i| CommuneSpec {
            index: i,
            cases: per,
            hub: Some((hubn.id.clone(), hubn.listen.clone())),
            listen: "127.0.0.1:0".into(),
        })
        .collect();
    // Imports run on `jobs` worker threads; each commune is synced into the running hub (and,
    // except commune 0, deleted) as soon as it is ready, so disk holds the hub and a few
    // communes at a time.
    let mut serve = h.spawn(&hubn.node, "serve", &["serve"])?;
    serve.wait_line("the serving line", Duration::from_secs(60), |l| {
        l.starts_with("serving")
    })?;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let (tx, rx) = std::sync::mpsc::channel::<anyhow::Result<setup::Commune>>();
    let mut done: Vec<(u64, String, f64)> = Vec::new();
    let mut sync_s = Vec::new();
    std::thread::scope(|sc| -> anyhow::Result<()> {
        for _ in 0..args.jobs.max(1) {
            let tx = tx.clone();
            let (next, specs, registry) = (&next, &specs, &registry);
            sc.spawn(move || {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if i >= specs.len() || crate::proc::stop_requested() {
                        break;
                    }
                    let r = setup::commune(h, dir, registry, &specs[i]);
                    let failed = r.is_err();
                    if tx.send(r).is_err() || failed {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for r in rx {
            let c = r?;
            setup::peer_hub_with(h, &hubn, std::slice::from_ref(&c))?;
            let (round, _) = h.sync_once(&c.node, LONG)?;
            if let Some(e) = round.error {
                bail!("syncing commune {} into the hub failed: {e}", c.code);
            }
            sync_s.push(r3(round.ms / 1000.0));
            done.push((c.status.cases, c.id.clone(), c.import_s));
            eprintln!(
                "  commune {} ({}/{}) imported in {:.0} s, synced in {:.1} s ({:.0} s so far)",
                c.code,
                done.len(),
                specs.len(),
                c.import_s,
                round.ms / 1000.0,
                t.elapsed().as_secs_f64()
            );
            if c.node.dir != dir.join("c000") {
                std::fs::remove_dir_all(&c.node.dir).ok();
            }
        }
        Ok(())
    })?;
    check_stop()?;
    serve.stop(Duration::from_secs(120))?;
    let st = h.status(&hubn.node)?;
    let want: u64 = done.iter().map(|d| d.0).sum();
    if st.cases != want {
        bail!("the hub holds {} cases, expected {want}", st.cases);
    }
    let ready = Ready {
        cases: st.cases,
        communes: args.communes,
        hub_id: hubn.id,
        commune0_id: setup_id(h, dir)?,
        build_s: r3(t.elapsed().as_secs_f64()),
        sync_s,
        import_s: done.iter().map(|d| r3(d.2)).collect(),
        how: "each commune: hoso import of generated cases (1 audit entry each), then hoso sync --once into the hub".into(),
        cases_per_s: 0.0,
        audit_received: 0,
    };
    std::fs::write(dir.join("ready.json"), serde_json::to_vec_pretty(&ready)?)?;
    Ok(ready)
}

/// Node id of the kept commune 0.
fn setup_id(h: &Hoso, dir: &Path) -> anyhow::Result<String> {
    let (v, _) = h.json(
        &NodeDir::new(dir.join("c000"), "c000"),
        "id",
        &["id"],
        SHORT,
    )?;
    v["node_id"]
        .as_str()
        .map(str::to_string)
        .context("`hoso id` printed no node_id")
}

/// Runs the province bench and returns its JSON report.
pub(crate) fn run(args: &ProvinceArgs) -> anyhow::Result<serde_json::Value> {
    let dir = match &args.dir {
        Some(d) => d.clone(),
        None => target_dir()?.join(format!("bench-province-{}", args.cases)),
    };
    let logs = setup::WorkDir::new(
        args.common.work.as_deref(),
        "hoso-bench-province-",
        args.common.keep,
    )?;
    let h = Hoso::new(args.common.hoso_bin()?, logs.path().join("logs"))?;
    let mut cond = env::measure(logs.path())?;
    let ready: Option<Ready> = std::fs::read(dir.join("ready.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .filter(|r: &Ready| r.cases == args.cases as u64 && !args.rebuild);
    let (ready, generated_now) = match ready {
        Some(r) => {
            eprintln!("reusing the hub in {} ({} cases)", dir.display(), r.cases);
            (r, false)
        }
        None if args.via_sync => (build(&h, &dir, args)?, true),
        None => (build_bulk(&h, &dir, args)?, true),
    };
    let mut hubn = NodeDir::new(dir.join("hub"), "hub");
    h.login(&mut hubn, OFFICER)?;
    let mut c0 = NodeDir::new(dir.join("c000"), "c000");
    h.login(&mut c0, OFFICER)?;
    let hub_status = h.status(&hubn)?;
    let mut status_ms = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        h.status(&hubn)?;
        status_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    cond.baseline_hoso_id_ms = Some(hub::id_baseline(&h, &hubn)?);

    // Hub start: spawn → "serving", three times.
    let port = setup::free_port("127.0.0.1")?;
    let listen = format!("127.0.0.1:{port}");
    let mut start_ms = Vec::new();
    for _ in 0..3 {
        let mut p = h.spawn(&hubn, "serve", &["serve", "--listen", &listen])?;
        let (at, _) = p.wait_line("the serving line", Duration::from_secs(120), |l| {
            l.starts_with("serving")
        })?;
        start_ms.push(at.duration_since(p.started()).as_secs_f64() * 1000.0);
        p.stop(Duration::from_secs(60))?;
    }

    // A commune's rounds against the running hub.
    h.peer_add(
        &c0,
        &ready.hub_id,
        Some(&listen),
        "hub",
        setup::PROVINCE,
        "Hub tỉnh đo hiệu năng",
    )?;
    let mut serve = h.spawn(&hubn, "serve", &["serve", "--listen", &listen])?;
    serve.wait_line("the serving line", Duration::from_secs(120), |l| {
        l.starts_with("serving")
    })?;
    // Settle anything pending (the previous run's edits), then time the no-op rounds.
    let (settle, _) = h.sync_once(&c0, LONG)?;
    if let Some(e) = settle.error {
        bail!("the commune's first round failed: {e}");
    }
    let (mut noop_ms, mut noop_bytes) = (vec![], vec![]);
    for _ in 0..5 {
        let (r, _) = h.sync_once(&c0, SHORT)?;
        if let Some(e) = r.error {
            bail!("no-op round failed: {e}");
        }
        noop_ms.push(r.ms);
        noop_bytes.push(r.bytes as f64);
    }
    let ids = h.case_ids(&c0, args.edits)?;
    for (k, id) in ids.iter().enumerate() {
        check_stop()?;
        h.note(&c0, id, &format!("Bổ sung ghi chú {k}"))?;
    }
    let (edited, _) = h.sync_once(&c0, LONG)?;
    let hub_exit = serve.stop(Duration::from_secs(120))?;
    let hub_usage = hub_exit.usage.unwrap_or_default();

    // Search at the hub, as processes; `hoso id` is the floor (spawn + open).
    let citizen = workload::REGISTRY
        .lines()
        .next()
        .and_then(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .and_then(|v| v["citizen_id"].as_str().map(str::to_string))
        .unwrap_or_default();
    let (shown, _) = h.json(
        &hubn,
        "show",
        &[
            "case",
            "show",
            ids.first().map(String::as_str).unwrap_or(""),
        ],
        SHORT,
    )?;
    let receipt = shown["receipt_code"].as_str().unwrap_or("").to_string();
    let mut searches = Vec::new();
    for (what, q) in [
        ("name", "nguyen thi"),
        ("name_rare", "nong thi nguyet"),
        ("citizen_id", citizen.as_str()),
        ("receipt_code", receipt.as_str()),
    ] {
        let mut v = Vec::new();
        let mut hits = 0;
        for _ in 0..5 {
            let (out, exit) = h.json(
                &hubn,
                "search",
                &["case", "list", "--search", q, "--limit", "50"],
                SHORT,
            )?;
            hits = out.as_array().map(Vec::len).unwrap_or(0);
            v.push(exit.wall.as_secs_f64() * 1000.0);
        }
        let m = median(&mut v);
        searches.push(
            json!({"kind": what, "query": q, "hits": hits, "process_ms_median": r3(m),
            "over_hoso_id_ms": r3(m - cond.baseline_hoso_id_ms.unwrap_or(0.0))}),
        );
    }

    // In this process, on the hub's store: open, the console's frames and its search.
    let short_tail: String = receipt
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let view = hubview::measure(
        &hubn.dir,
        &[
            ("name", "nguyen thi".to_string()),
            ("name_rare", "nong thi nguyet".to_string()),
            ("citizen_id", citizen.clone()),
            ("receipt_code", receipt.clone()),
            ("receipt_last_digits", short_tail),
        ],
    )?;
    cond.load_at_end = env::loadavg();
    let start_med = median(&mut start_ms.clone());
    let open_med = median(&mut view.open_ms.clone());
    let noop_ms_med = median(&mut noop_ms.clone());
    let noop_b_med = median(&mut noop_bytes.clone());
    let per_case = hub_status.store_bytes as f64 / hub_status.cases.max(1) as f64;
    let rows = vec![
        row(
            "hub start: `hoso serve` → serving",
            format!("{start_med:.0} ms"),
            "≤ 1 s",
            Some(start_med <= 1000.0),
        ),
        row(
            "hub start: Node::open",
            format!("{open_med:.1} ms"),
            "≤ 1 s",
            Some(open_med <= 1000.0),
        ),
        row(
            "commune no-op",
            format!("{noop_ms_med:.2} ms, {noop_b_med:.0} B"),
            "≤ 5 ms, ≤ 1 KiB",
            Some(noop_ms_med <= 5.0 && noop_b_med <= 1024.0),
        ),
        row(
            &format!("{} edited cases", ids.len()),
            format!(
                "{:.0} ms, {:.1} KB",
                edited.ms,
                edited.bytes as f64 / 1000.0
            ),
            "≤ 0.3 s",
            Some(edited.ms <= 300.0 && edited.error.is_none()),
        ),
        row(
            "search (worst kind, median)",
            format!("{:.1} ms", view.search_worst_ms),
            "≤ 50 ms",
            Some(view.search_worst_ms <= 50.0),
        ),
        row(
            "console first frame (login screen)",
            format!("{:.0} ms", view.first_frame_ms),
            "≤ 300 ms",
            Some(view.first_frame_ms <= 300.0),
        ),
        row(
            "console home after login (hub dashboard)",
            format!("{:.0} ms", view.list_frame_ms),
            "≤ 300 ms",
            Some(view.list_frame_ms <= 300.0),
        ),
        row(
            "hub disk",
            format!(
                "{:.2} GB, {per_case:.0} B/case",
                hub_status.store_bytes as f64 / 1e9
            ),
            "",
            None,
        ),
    ];
    eprint!(
        "{}",
        table(
            &format!(
                "hoso-bench province: a hub holding {} cases (load {})",
                hub_status.cases, cond.load_at_end
            ),
            &rows
        )
    );
    Ok(json!({
        "bench": "province",
        "cases": hub_status.cases,
        "generated_now": generated_now,
        "generation": {"communes": ready.communes, "build_s": ready.build_s, "cases_per_s": ready.cases_per_s,
                       "audit_received": ready.audit_received, "import_s": ready.import_s, "sync_s": ready.sync_s,
                       "how": ready.how},
        "hub_audit_entries": hub_status.audit_entries,
        "hub_store_bytes": hub_status.store_bytes,
        "hub_store_bytes_per_case": r3(hub_status.store_bytes as f64 / hub_status.cases.max(1) as f64),
        "hub_start_ms": {"median": r3(median(&mut start_ms.clone())), "samples": start_ms.iter().map(|x| r3(*x)).collect::<Vec<_>>()},
        "hub_status_process_ms_median": r3(median(&mut status_ms)),
        "commune_noop": {"ms_median": r3(median(&mut noop_ms)), "bytes_median": median(&mut noop_bytes)},
        "edited": {"cases": ids.len(), "s": r3(edited.ms / 1000.0), "bytes": edited.bytes, "audit_sent": edited.audit_sent, "error": edited.error},
        "hub_peak_rss_mib_during_rounds": r3(hub_usage.rss_mib()),
        "search_cli": searches,
        "hub_view": view.json,
        "dir": dir,
        "conditions": cond,
    }))
}
