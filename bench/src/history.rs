//! `hoso-bench history`: one case with a long history in a long-running node (issue 13, target
//! 5). Notes are added to one case through the guarded write path (`add_note`, each with its
//! audit entry) until it has the asked number of prior changes; there the bench times, in the
//! same process, a note written and the case opened (`Node::case`) with the document cache and
//! without it (`Node::set_doc_cache(false)`: every use loads and replays the stored document,
//! as before the cache), and a bare load of the stored document (`Node::case_doc`).
//!
//! The node folds the case's change log in the background (`Node::fold_in_background`), as
//! `serve` and the console do. `load_uncached` is the open of a case no cache holds (the first
//! open after a start): the stored document loaded and read whole.
//!
//! A case holds at most `limits::MAX_DOC_CHANGES` changes and `MAX_DOC_BYTES` bytes: a point
//! past them is reported as refused. Built with `--features bench-long-history` (benchmarks
//! only) the node's limits are raised so that 10,000 changes can be measured.

use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use hoso_node::{AuthenticatedOfficer, Author, NewCase, Node, NodeRole};
use hoso_schemas::Role;
use serde::Serialize;

use crate::node::Latency;
use crate::progress::Phase;
use crate::workload::{PASSPHRASE, REGISTRY};

/// `hoso-bench history`.
#[derive(Args, Debug)]
pub(crate) struct HistoryArgs {
    /// Prior changes of the case at which to measure, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1000,10000")]
    pub changes: Vec<usize>,
    /// Writes and opens timed at each point, each way.
    #[arg(long, default_value_t = 30)]
    pub samples: usize,
}

#[derive(Debug, Serialize)]
struct Point {
    prior_changes: usize,
    stored_doc_bytes: Option<usize>,
    write_cached: Latency,
    write_uncached: Latency,
    write_speedup: f64,
    open_cached: Latency,
    open_uncached: Latency,
    load_stored_doc: Latency,
    /// One fold of the case's change log into its saved form (what the background thread does).
    fold: Latency,
    /// Change chunks stored after the saved form when the point was measured.
    stored_chunks: u32,
}

#[derive(Debug, Serialize)]
struct HistoryBench {
    max_doc_changes: usize,
    max_doc_bytes: usize,
    points: Vec<Point>,
    refused: Option<String>,
    cache_hits: u64,
    cache_misses: u64,
    build_s: f64,
}

fn timed(n: usize, mut f: impl FnMut() -> anyhow::Result<()>) -> anyhow::Result<Latency> {
    let mut s: Vec<Duration> = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        f()?;
        s.push(t.elapsed());
    }
    Ok(Latency::of(s))
}

fn setup(dir: &std::path::Path) -> anyhow::Result<(Node, AuthenticatedOfficer, String)> {
    let node = Node::init(
        dir,
        hoso_node::InitOptions {
            name: "bench".into(),
            role: NodeRole::Commune,
            province: "20".into(),
            commune: Some("06112".into()),
            unit_code: None,
            listen: "127.0.0.1:0".into(),
            realm: None,
        },
    )?;
    node.add_officer(
        &Author::Node,
        "lanhdao01",
        "Lương Văn Đạt",
        Role::Supervisor,
        PASSPHRASE,
    )?;
    let lead = node.authenticate("lanhdao01", PASSPHRASE)?;
    node.add_officer(
        &Author::Officer(lead.clone()),
        "canbo01",
        "Hoàng Thị Lan",
        Role::Officer,
        PASSPHRASE,
    )?;
    node.import_registry(
        "registry.jsonl",
        REGISTRY.as_bytes(),
        &Author::Officer(lead),
    )?;
    let canbo = node.authenticate("canbo01", PASSPHRASE)?;
    let citizen = REGISTRY
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["date_of_birth"].as_str().is_some_and(|d| d < "2006"))
        .find_map(|v| v["citizen_id"].as_str().map(str::to_string))
        .context("an adult in the registry")?;
    let p = node.catalog().procedure("judicial_record")?;
    let fields = p
        .fields
        .iter()
        .filter(|f| f.required && f.source.is_none())
        .map(|f| (f.name.clone(), f.example()))
        .collect();
    let view = node.create_case(
        &canbo,
        NewCase {
            procedure: "judicial_record".into(),
            citizen_id: citizen,
            fields,
            received_at: None,
        },
    )?;
    Ok((node, canbo, view.receipt_code))
}

fn run_history(a: &HistoryArgs) -> anyhow::Result<HistoryBench> {
    let tmp = tempfile::tempdir()?;
    let (node, canbo, code) = setup(&tmp.path().join("node"))?;
    node.fold_in_background();
    let mut targets = a.changes.clone();
    targets.sort_unstable();
    let mut changes = 1usize;
    let mut points = Vec::new();
    let mut refused = None;
    let mut build = Duration::ZERO;
    let mut n = 0u64;
    let mut note = |node: &Node| -> anyhow::Result<()> {
        n += 1;
        node.add_note(
            &canbo,
            &code,
            &format!("Ghi chú số {n}: đã liên hệ công dân"),
        )?;
        Ok(())
    };
    'points: for target in targets {
        let phase = Phase::start(
            &format!("notes on one case up to {target} changes"),
            target.saturating_sub(changes) as u64,
        );
        let t = Instant::now();
        while changes < target {
            if let Err(e) = note(&node) {
                refused = Some(format!("at {changes} changes: {e:#}"));
                build += t.elapsed();
                break 'points;
            }
            changes += 1;
            phase.inc(1);
        }
        build += t.elapsed();
        drop(phase);
        node.set_doc_cache(true);
        let _ = node.case(&code)?;
        let write_cached = timed(a.samples, || note(&node))?;
        let open_cached = timed(a.samples, || {
            node.case(&code).map(|_| ()).map_err(Into::into)
        })?;
        node.set_doc_cache(false);
        let write_uncached = timed(a.samples, || note(&node))?;
        let open_uncached = timed(a.samples, || {
            node.case(&code).map(|_| ()).map_err(Into::into)
        })?;
        let id = node.case(&code)?.id;
        let load_stored_doc = timed(a.samples, || {
            node.case_doc(&id).map(|_| ()).map_err(Into::into)
        })?;
        let stored_doc_bytes = node.case_doc(&id).ok().map(|mut d| d.save().len());
        let stored_chunks = node.case_storage(&code)?.chunks;
        let mut folds = Vec::new();
        for _ in 0..a.samples.min(5) {
            // A chunk to fold, then the fold the background thread would make.
            note(&node)?;
            let t = Instant::now();
            node.fold_case_now(&code)?;
            folds.push(t.elapsed());
        }
        let fold = Latency::of(folds);
        node.set_doc_cache(true);
        changes += 2 * a.samples + a.samples.min(5);
        points.push(Point {
            prior_changes: target,
            stored_doc_bytes,
            write_speedup: write_uncached.median_ms / write_cached.median_ms.max(1e-9),
            write_cached,
            write_uncached,
            open_cached,
            open_uncached,
            load_stored_doc,
            fold,
            stored_chunks,
        });
    }
    let (cache_hits, cache_misses) = node.doc_cache_stats();
    Ok(HistoryBench {
        max_doc_changes: hoso_node::limits::MAX_DOC_CHANGES,
        max_doc_bytes: hoso_node::limits::MAX_DOC_BYTES,
        points,
        refused,
        cache_hits,
        cache_misses,
        build_s: build.as_secs_f64(),
    })
}

/// Runs the long-history benchmark.
pub(crate) fn run(a: &HistoryArgs) -> anyhow::Result<serde_json::Value> {
    crate::warn_if_debug("history");
    let r = run_history(a).context("history benchmark")?;
    Ok(serde_json::to_value(r)?)
}
