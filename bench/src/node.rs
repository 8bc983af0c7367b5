//! `hoso-bench node`: the node's scale figures in one process, printed as JSON (release build).
//!
//! Every figure is measured in this process against a baseline run in the same process, since
//! the machines are noisy: a bare redb durable commit of a 1 KB value is the floor under a
//! durable `case new`.

use std::io::Write as _;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use hoso_node::{Author, CaseQuery, InitOptions, NewCase, Node, NodeRole};
use hoso_schemas::{Role, Status};
use serde::Serialize;

use crate::progress::Phase;
use crate::workload::{PASSPHRASE, REGISTRY};

/// `hoso-bench node`.
#[derive(Args, Debug)]
pub(crate) struct NodeArgs {
    /// Cases in the store for the search/open/size figures.
    #[arg(long, default_value_t = 100_000)]
    pub cases: usize,
    /// Durable `case new` calls to time.
    #[arg(long, default_value_t = 2000)]
    pub creates: usize,
}

/// Median, p99 and mean of a set of durations, in milliseconds.
#[derive(Debug, Serialize)]
pub(crate) struct Latency {
    /// Samples.
    pub n: usize,
    /// Median.
    pub median_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// Mean.
    pub mean_ms: f64,
}

impl Latency {
    /// Summarises samples.
    pub(crate) fn of(mut samples: Vec<Duration>) -> Latency {
        samples.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let n = samples.len().max(1);
        let at = |q: f64| {
            samples
                .get(((n as f64 - 1.0) * q).round() as usize)
                .copied()
                .unwrap_or_default()
        };
        Latency {
            n: samples.len(),
            median_ms: ms(at(0.5)),
            p99_ms: ms(at(0.99)),
            mean_ms: samples.iter().map(|d| ms(*d)).sum::<f64>() / n as f64,
        }
    }
}

#[derive(Debug, Serialize)]
struct NodeBench {
    cases: usize,
    baseline_redb_commit_1kb: Latency,
    case_new_durable: Latency,
    case_new_over_redb_commit: f64,
    bulk_import_cases_per_s: f64,
    bulk_import_s: f64,
    search: Vec<SearchFigure>,
    list_by_status_ms: f64,
    open_ms: Latency,
    store_bytes_per_case: f64,
    doc_bytes_per_case_5_changes: f64,
    summary_and_index_bytes_per_case: f64,
    audit_bytes_per_entry: f64,
    /// Per table: bytes per case of its pages (stored, redb overhead, slack), and the file's
    /// free pages, from `Node::storage_breakdown`.
    storage_per_case: serde_json::Value,
}

#[derive(Debug, Serialize)]
struct SearchFigure {
    query: String,
    hits: usize,
    median_ms: f64,
}

fn bench_node() -> InitOptions {
    InitOptions {
        name: "bench".into(),
        role: NodeRole::Commune,
        province: "20".into(),
        commune: Some("06112".into()),
        unit_code: None,
        listen: "127.0.0.1:0".into(),
        realm: None,
    }
}

/// The citizen-provided required fields of a procedure, as examples.
fn citizen_fields(node: &Node, procedure: &str) -> anyhow::Result<Vec<(String, String)>> {
    let p = node.catalog().procedure(procedure)?;
    Ok(p.fields
        .iter()
        .filter(|f| f.required && f.source.is_none())
        .map(|f| (f.name.clone(), f.example()))
        .collect())
}

fn adult_ids() -> Vec<String> {
    REGISTRY
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["date_of_birth"].as_str().is_some_and(|d| d < "2006"))
        .filter_map(|v| v["citizen_id"].as_str().map(str::to_string))
        .collect()
}

fn baseline_commits(dir: &std::path::Path, n: usize, phase: &Phase) -> anyhow::Result<Latency> {
    const T: redb::TableDefinition<u64, &[u8]> = redb::TableDefinition::new("t");
    let db = redb::Database::create(dir.join("baseline.redb"))?;
    let value = vec![7u8; 1024];
    let mut samples = Vec::with_capacity(n);
    for i in 0..n as u64 {
        let t = Instant::now();
        let tx = db.begin_write()?;
        tx.open_table(T)?.insert(i, value.as_slice())?;
        tx.commit()?;
        samples.push(t.elapsed());
        phase.inc(1);
    }
    Ok(Latency::of(samples))
}

fn run_node(cases: usize, creates: usize) -> anyhow::Result<NodeBench> {
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path().join("node");
    let node = Node::init(&dir, bench_node())?;
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
        &Author::Officer(lead.clone()),
    )?;
    let canbo = node.authenticate("canbo01", PASSPHRASE)?;
    let adults = adult_ids();
    let fields = citizen_fields(&node, "judicial_record")?;

    let phase = Phase::start(
        &format!("baseline: {creates} durable redb commits of 1 KB"),
        creates as u64,
    );
    let baseline = baseline_commits(tmp.path(), creates, &phase)?;
    drop(phase);

    let phase = Phase::start(
        &format!("case new: {creates} durable creates through the node API"),
        creates as u64,
    );
    let mut samples = Vec::with_capacity(creates);
    for i in 0..creates {
        let new = NewCase {
            procedure: "judicial_record".into(),
            citizen_id: adults[i % adults.len()].clone(),
            fields: fields.clone(),
            received_at: None,
        };
        let t = Instant::now();
        node.create_case(&canbo, new)?;
        samples.push(t.elapsed());
        phase.inc(1);
    }
    drop(phase);
    let case_new = Latency::of(samples);

    // Four more changes on 1,000 cases: full history of five changes each.
    let edited: Vec<String> = node
        .list(&CaseQuery {
            limit: 1000.min(creates),
            ..Default::default()
        })?
        .into_iter()
        .map(|s| s.id.to_string())
        .collect();
    let phase = Phase::start(
        &format!("editing {} cases four times each", edited.len()),
        edited.len() as u64,
    );
    for id in &edited {
        node.set_fields(
            &canbo,
            id,
            &[("purpose".into(), "Bổ sung hồ sơ xin việc".into())],
        )?;
        node.transition(&canbo, id, Status::InProcess, None, None)?;
        node.add_note(&canbo, id, "Đã kiểm tra dữ liệu dân cư")?;
        node.transition(&lead, id, Status::Decided, None, None)?;
        phase.inc(1);
    }
    drop(phase);
    let doc_bytes_5 = {
        let mut total = 0u64;
        for id in &edited {
            let id: hoso_node::CaseId = id.parse()?;
            total += node.stored_doc_bytes(&id)?;
        }
        total as f64 / edited.len().max(1) as f64
    };

    let bulk = cases.saturating_sub(creates);
    eprintln!("bulk import: generating {bulk} case lines");
    let mut lines = Vec::with_capacity(bulk * 600);
    let field_map: serde_json::Map<String, serde_json::Value> = fields
        .iter()
        .map(|(k, v)| (k.clone(), v.clone().into()))
        .collect();
    for i in 0..bulk {
        let rec = serde_json::json!({
            "procedure": "judicial_record",
            "citizen_id": adults[i % adults.len()],
            "received_at": "2026-11-20T09:00:00+07:00",
            "receipt_code": format!("000.20.06.112-261120-B{i:06}"),
            "fields": field_map,
        });
        writeln!(lines, "{rec}")?;
    }
    let phase = Phase::start("bulk import: importing", bulk as u64);
    let t = Instant::now();
    let report = node.import_cases_with(
        "bench.jsonl",
        lines.as_slice(),
        &Author::Officer(canbo.clone()),
        &phase,
    )?;
    drop(phase);
    let bulk_s = t.elapsed().as_secs_f64();

    let mut search = Vec::new();
    for q in [
        "nguyen thi huong",
        "dang van duc",
        "hoang",
        "ng th",
        "Lương",
    ] {
        let mut s = Vec::new();
        let mut hits = 0;
        for _ in 0..15 {
            let t = Instant::now();
            hits = node
                .list(&CaseQuery {
                    search: Some(q.into()),
                    limit: 50,
                    ..Default::default()
                })?
                .len();
            s.push(t.elapsed());
        }
        search.push(SearchFigure {
            query: q.into(),
            hits,
            median_ms: Latency::of(s).median_ms,
        });
    }
    let t = Instant::now();
    node.list(&CaseQuery {
        status: Some(Status::Received),
        limit: 50,
        ..Default::default()
    })?;
    let list_ms = t.elapsed().as_secs_f64() * 1000.0;

    let (store_bytes, summary_bytes, audit_bytes, audit_entries) = {
        let b = node.store_sizes()?;
        (
            b.file_bytes,
            b.summary_and_index_bytes,
            b.audit_bytes,
            b.audit_entries,
        )
    };
    let total_cases = creates + report.imported;
    let storage_per_case = {
        let b = node.storage_breakdown()?;
        let per = |x: u64| crate::stats::r3(x as f64 / total_cases.max(1) as f64);
        let mut m = serde_json::Map::new();
        for t in b.tables.iter().filter(|t| t.total_bytes() > 0) {
            m.insert(
                t.table.clone(),
                serde_json::json!({
                    "total": per(t.total_bytes()),
                    "stored": per(t.stored_bytes),
                    "redb_overhead": per(t.metadata_bytes),
                    "page_slack": per(t.fragmented_bytes),
                }),
            );
        }
        serde_json::json!({
            "file": per(b.file_bytes),
            "free_pages_and_redb": per(b.untabled_bytes()),
            "by_table": m,
        })
    };
    drop(node);

    eprintln!("open: reopening a store of {total_cases} cases");
    let mut opens = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let n = Node::open(&dir)?;
        n.list(&CaseQuery {
            limit: 50,
            ..Default::default()
        })?;
        opens.push(t.elapsed());
    }
    Ok(NodeBench {
        cases: total_cases,
        case_new_over_redb_commit: case_new.median_ms / baseline.median_ms.max(1e-9),
        baseline_redb_commit_1kb: baseline,
        case_new_durable: case_new,
        bulk_import_cases_per_s: report.imported as f64 / bulk_s.max(1e-9),
        bulk_import_s: bulk_s,
        search,
        list_by_status_ms: list_ms,
        open_ms: Latency::of(opens),
        store_bytes_per_case: store_bytes as f64 / total_cases.max(1) as f64,
        doc_bytes_per_case_5_changes: doc_bytes_5,
        summary_and_index_bytes_per_case: summary_bytes as f64 / total_cases.max(1) as f64,
        audit_bytes_per_entry: audit_bytes as f64 / audit_entries.max(1) as f64,
        storage_per_case,
    })
}

/// Runs the node benchmark.
pub(crate) fn run(a: &NodeArgs) -> anyhow::Result<serde_json::Value> {
    crate::warn_if_debug("node");
    let r = run_node(a.cases, a.creates).context("node benchmark")?;
    Ok(serde_json::to_value(r)?)
}
