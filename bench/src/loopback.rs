//! `hoso-bench sync-loopback`: a commune and a hub in one process on loopback, in fresh temp
//! dirs, both persisting to redb, and a naive baseline run on the same documents in the same
//! process.
//!
//! Workload: each case is a birth registration with 22 given fields (declarant, child,
//! mother, father; the registry's values win for the fields it sources), 3 notes and its
//! receipt history, Vietnamese names. Every case is written through the node's guarded write
//! path as an officer would: imported with [`Node::import_cases`] (the API of `hoso import`;
//! 1,000 cases per transaction, one `CaseImport` audit entry each), then edited
//! `--edits-per-case` times (default 4, one field each) with [`Node::set_fields`], one audited
//! durable write and one audit entry each. So every case reaches the hub with the entries that
//! account for its changes, and the hub's trust check merges it; the report states the audit
//! entries per case. (Until issue 9's guarded write path, this bench built the documents
//! directly and ingested them without entries; the hub now quarantines such changes.)
//!
//! Phases, each timed on the commune side as one `--once` round (connect included):
//! initial (empty hub), no-op (nothing changed; median of 5), incremental (1 % of cases edited,
//! one field each), live push (an engine stays connected; one edit until the hub has merged
//! it; median of 5). The baseline is plain per-case Automerge sync (`generate_sync_message` /
//! `receive_sync_message`) of every case over one iroh stream, pipelined 1,000 cases at a
//! time, with no feed, no audit entries and no bulk path: the receiver commits each changed
//! case in its own redb transaction. Sync states are kept in memory across the baseline's
//! rounds (the kindest choice for it).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::Context;
use automerge::AutoCommit;
use automerge::sync::{Message as AmMessage, State, SyncDoc};
use clap::Args;
use hoso_node::{Author, CaseId, InitOptions, Node, NodeRole, Peers};
use hoso_schemas::Role;
use hoso_sync::engine::{Engine, EngineOptions, round_with};
use hoso_sync::net::{self, DriveOptions};
use hoso_sync::protocol::frame::{HEADER_LEN, encode_frame, parse_header};
use iroh::endpoint::Connection;
use iroh::protocol::{AcceptError, ProtocolHandler, Router};
use redb::{ReadableDatabase, TableDefinition};
use serde::Serialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::progress::Phase;
use crate::workload::{PASSPHRASE, REGISTRY};

/// `hoso-bench sync-loopback`.
#[derive(Args, Debug)]
pub(crate) struct LoopbackArgs {
    /// Cases at the commune.
    #[arg(long, default_value_t = 10_000)]
    pub cases: usize,
    /// Audited one-field edits per case after its import (4: five changes per case, the
    /// shape of the workload before issue 9).
    #[arg(long, default_value_t = 4)]
    pub edits_per_case: usize,
    /// Skip the naive baseline.
    #[arg(long)]
    pub no_baseline: bool,
    /// Stop after the initial round: build, sync once, and report the disk per case at both
    /// sides (no no-op, incremental, live or baseline phases).
    #[arg(long)]
    pub disk_only: bool,
    /// Send raw frames in the `--once` rounds (the bytes before frame compression).
    #[arg(long)]
    pub raw_frames: bool,
}

const FAMILY: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Lương",
];
const MIDDLE: &[&str] = &["Văn", "Thị", "Đức", "Thu", "Minh", "Ngọc", "Hữu", "Thanh"];
const GIVEN: &[&str] = &[
    "Hương", "Đức", "Lan", "Hùng", "Dũng", "Thảo", "Tuấn", "Hạnh", "Quỳnh", "Phúc",
];
const PLACES: &[&str] = &[
    "Bệnh viện Đa khoa tỉnh Lạng Sơn",
    "Trạm Y tế xã Bình Gia",
    "Bệnh viện Đa khoa huyện Văn Quan",
];
/// The officer who receives and edits every case.
const OFFICER: &str = "canbo01";
/// Cases per import transaction.
const IMPORT_CHUNK: usize = 1000;

fn name(i: usize, salt: usize) -> String {
    let k = i.wrapping_mul(2_654_435_761).wrapping_add(salt * 97);
    format!(
        "{} {} {}",
        FAMILY[k % FAMILY.len()],
        MIDDLE[(k / 7) % MIDDLE.len()],
        GIVEN[(k / 13) % GIVEN.len()]
    )
}

/// Registry citizens who can declare a birth as its mother: women born before 2006.
fn mothers() -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for line in REGISTRY.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).context("reading the registry")?;
        if v["sex"] == "female"
            && v["date_of_birth"].as_str().is_some_and(|d| d < "2006")
            && v["date_of_death"].is_null()
            && let Some(id) = v["citizen_id"].as_str()
        {
            out.push(id.to_string());
        }
    }
    anyhow::ensure!(!out.is_empty(), "the sample registry has no adult woman");
    Ok(out)
}

fn receipt_code(i: usize) -> String {
    format!("000.20.61.112-261102-{i:06}")
}

/// One case as a `hoso import` line: 22 fields, 3 notes, received by [`OFFICER`].
fn case_line(i: usize, mother: &str) -> serde_json::Value {
    let address = format!("Thôn Nà Pàn {}, Xã Bình Gia, tỉnh Lạng Sơn", i % 40);
    let sex = if i.is_multiple_of(2) { "Nam" } else { "Nữ" };
    let fields = serde_json::json!({
        "declarant_citizen_id": mother,
        "declarant_full_name": name(i, 1),
        "declarant_relationship": "Mẹ",
        "child_full_name": name(i, 2),
        "child_date_of_birth": "2026-10-28",
        "child_sex": sex,
        "child_ethnicity": "Tày",
        "child_nationality": "Việt Nam",
        "child_place_of_birth": PLACES[i % PLACES.len()],
        "child_hometown": "Xã Bình Gia, tỉnh Lạng Sơn",
        "birth_certificate_number": format!("GCS-{i:08}"),
        "mother_full_name": name(i, 1),
        "mother_date_of_birth": "1994-03-12",
        "mother_ethnicity": "Tày",
        "mother_nationality": "Việt Nam",
        "mother_address": address,
        "father_full_name": name(i, 3),
        "father_date_of_birth": "1991-07-01",
        "father_ethnicity": "Nùng",
        "father_nationality": "Việt Nam",
        "father_address": address,
        "extract_copies": "2",
    });
    let notes: Vec<serde_json::Value> = [
        "Đã kiểm tra giấy chứng sinh bản chính.",
        "Người đi khai là mẹ của trẻ, có CCCD hợp lệ.",
        "Hẹn trả kết quả tại bộ phận một cửa.",
    ]
    .iter()
    .enumerate()
    .map(|(n, text)| {
        serde_json::json!({
            "at": format!("2026-11-02T08:3{n}:00+07:00"),
            "officer": OFFICER,
            "node": "bench",
            "text": text,
        })
    })
    .collect();
    serde_json::json!({
        "receipt_code": receipt_code(i),
        "procedure": "birth_registration",
        "citizen_id": mother,
        "received_at": "2026-11-02T08:30:00+07:00",
        "assigned_officer": OFFICER,
        "fields": fields,
        "notes": notes,
    })
}

/// The `e`-th follow-up edit of case `i` (one field).
fn follow_up(i: usize, e: usize) -> (String, String) {
    match e % 4 {
        0 => (
            "child_hometown".into(),
            "Xã Hoàng Văn Thụ, tỉnh Lạng Sơn".into(),
        ),
        1 => ("birth_certificate_number".into(), format!("GCS-{i:08}-B")),
        2 => ("extract_copies".into(), format!("{}", 3 + e / 4)),
        _ => (
            "child_place_of_birth".into(),
            PLACES[(i + 1 + e / 4) % PLACES.len()].into(),
        ),
    }
}

/// What building the commune's cases produced.
struct Built {
    ids: Vec<CaseId>,
    import_s: f64,
    edits_s: f64,
    setup_entries: u64,
    case_entries: u64,
    import_disk: serde_json::Value,
}

/// Imports `n` cases as [`OFFICER`] and edits each `edits_per_case` times, all through the
/// node's audited write path.
fn build_cases(commune: &Node, n: usize, edits_per_case: usize) -> anyhow::Result<Built> {
    let canbo = commune.authenticate(OFFICER, PASSPHRASE)?;
    let mothers = mothers()?;
    let setup_entries = commune.chain_head().next_seq;
    let empty = crate::disk::before(commune)?;
    let t = Instant::now();
    let mut lines = Vec::new();
    let phase = Phase::start(&format!("importing {n} cases"), n as u64);
    for start in (0..n).step_by(IMPORT_CHUNK) {
        lines.clear();
        for i in start..(start + IMPORT_CHUNK).min(n) {
            serde_json::to_writer(&mut lines, &case_line(i, &mothers[i % mothers.len()]))?;
            lines.push(b'\n');
        }
        commune
            .import_cases(
                "bench-cases.jsonl",
                lines.as_slice(),
                &Author::Officer(canbo.clone()),
            )
            .with_context(|| format!("importing cases {start}.."))?;
        phase.inc(((start + IMPORT_CHUNK).min(n) - start) as u64);
    }
    drop(phase);
    let import_s = t.elapsed().as_secs_f64();
    let import_disk = crate::disk::per_case(commune, &empty, n)?;
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        ids.push(commune.case(&receipt_code(i))?.id);
    }
    let t = Instant::now();
    let phase = Phase::start(
        &format!("editing each case {edits_per_case} times (audited)"),
        (n * edits_per_case) as u64,
    );
    for e in 0..edits_per_case {
        for (i, id) in ids.iter().enumerate() {
            commune.set_fields(&canbo, &id.to_string(), &[follow_up(i, e)])?;
            phase.inc(1);
        }
    }
    drop(phase);
    let edits_s = t.elapsed().as_secs_f64();
    Ok(Built {
        ids,
        import_s,
        edits_s,
        setup_entries,
        case_entries: commune.chain_head().next_seq - setup_entries,
        import_disk,
    })
}

fn peak_rss_mib() -> f64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|k| k.parse::<f64>().ok())
        .map(|k| k / 1024.0)
        .unwrap_or(0.0)
}

fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn median(v: &mut [f64]) -> f64 {
    crate::stats::median(v)
}

fn init(dir: &std::path::Path, commune: Option<&str>) -> anyhow::Result<Node> {
    Ok(Node::init(
        dir,
        InitOptions {
            name: commune.map_or("Hub bench".into(), |c| format!("Xã {c} bench")),
            role: if commune.is_some() {
                NodeRole::Commune
            } else {
                NodeRole::Hub
            },
            province: "20".into(),
            commune: commune.map(str::to_string),
            unit_code: None,
            listen: "127.0.0.1:0".into(),
            realm: None,
        },
    )?)
}

fn link(a: &Node, b: &Node, addr: Option<SocketAddr>) -> anyhow::Result<hoso_node::Peer> {
    let mut peers = Peers::load(a.dir())?;
    let cfg = b.config();
    let p = hoso_node::Peer {
        node_id: b.id(),
        name: cfg.name.clone(),
        role: cfg.role,
        addrs: addr.map(|a| vec![a.to_string()]).unwrap_or_default(),
        scope: vec![cfg.commune.clone().unwrap_or(cfg.province.clone())],
    };
    peers.add(a.config(), &a.id(), p.clone())?;
    peers.save(a.dir())?;
    Ok(p)
}

/// One protocol's figures.
#[derive(Debug, Default, Serialize)]
pub(crate) struct Figures {
    /// Initial sync to an empty hub, seconds.
    pub initial_s: f64,
    /// Bytes both ways.
    pub initial_bytes: u64,
    /// No-op resync, median ms.
    pub noop_ms: f64,
    /// Bytes both ways.
    pub noop_bytes: u64,
    /// After editing 1 % of the cases, ms.
    pub incremental_ms: f64,
    /// Bytes both ways.
    pub incremental_bytes: u64,
    /// One edit reaching a connected peer, median ms (absent for the baseline).
    pub live_push_ms: Option<f64>,
    /// Peak RSS of the process during these phases (MiB).
    pub peak_rss_mib: f64,
}

/// Runs the loopback sync bench.
pub(crate) fn run(a: &LoopbackArgs) -> anyhow::Result<serde_json::Value> {
    crate::warn_if_debug("sync-loopback");
    anyhow::ensure!(a.cases > 0, "--cases must be at least 1");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(run_async(
        a.cases,
        a.edits_per_case,
        !a.no_baseline,
        a.disk_only,
        a.raw_frames,
    ))
}

/// Builds the workload and runs both protocols. Returns the report as JSON.
async fn run_async(
    n: usize,
    edits_per_case: usize,
    with_baseline: bool,
    disk_only: bool,
    raw_frames: bool,
) -> anyhow::Result<serde_json::Value> {
    let tmp = tempfile::tempdir()?;
    let commune = init(&tmp.path().join("commune"), Some("06112"))?;
    let hub = init(&tmp.path().join("hub"), None)?;
    commune.add_officer(
        &Author::Node,
        OFFICER,
        "Hoàng Thị Lan",
        Role::Officer,
        PASSPHRASE,
    )?;
    // The node itself loads the registry at set-up, as `init --sample` does.
    commune.import_registry("registry.jsonl", REGISTRY.as_bytes(), &Author::Node)?;
    let canbo = commune.authenticate(OFFICER, PASSPHRASE)?;

    let commune_empty = crate::disk::before(&commune)?;
    let hub_empty = crate::disk::before(&hub)?;
    let t = Instant::now();
    let built = build_cases(&commune, n, edits_per_case)?;
    let build_s = t.elapsed().as_secs_f64();
    let commune_disk = crate::disk::per_case(&commune, &commune_empty, n)?;
    let ids = built.ids.clone();
    let sample = &ids[..ids.len().min(200)];
    let mut json_total = 0usize;
    let mut doc_total = 0usize;
    for id in sample {
        json_total += serde_json::to_vec(&commune.case(&id.to_string())?)?.len();
        doc_total += commune.doc_bytes(id)?.len();
    }
    let json_avg = json_total / sample.len().max(1);
    let doc_avg = doc_total / sample.len().max(1);
    let entries_per_case = built.case_entries as f64 / n as f64;
    eprintln!(
        "bench sync-loopback: built {n} cases in {build_s:.1} s, {entries_per_case} audit entries per case"
    );

    let (hub_engine, hub_addr) = {
        let e = Engine::start(
            hub.clone(),
            EngineOptions {
                bind: Some(([127, 0, 0, 1], 0).into()),
                relays: false,
                no_dial: true,
            },
        )
        .await?;
        let a = *e
            .local_addrs()
            .first()
            .context("hub endpoint has no address")?;
        (e, a)
    };
    link(&hub, &commune, None)?;
    let hub_peer = link(&commune, &hub, Some(hub_addr))?;
    let ep = net::bind_endpoint(&commune, ([127, 0, 0, 1], 0).into(), false).await?;
    let once = || DriveOptions {
        once: true,
        raw_frames,
        ..DriveOptions::default()
    };
    reset_peak_rss();
    let mut ours = Figures::default();

    let t = Instant::now();
    let r = round_with(&commune, &ep, &hub_peer, once()).await?;
    ours.initial_s = t.elapsed().as_secs_f64();
    ours.initial_bytes = r.stats.bytes_in + r.stats.bytes_out;
    let initial_stats = r.stats;
    let hub_cases = hub.status()?.cases;
    anyhow::ensure!(
        hub_cases == n as u64 && initial_stats.refused_by_peer == 0,
        "the hub holds {hub_cases} of the commune's {n} cases after the initial round and \
         refused {} ({:?})",
        initial_stats.refused_by_peer,
        initial_stats.refusal_reason
    );
    eprintln!("bench sync-loopback: initial done");
    let hub_disk = crate::disk::per_case(&hub, &hub_empty, n)?;
    let mut disk = serde_json::json!({
        "note": "bytes per case added to each store, cases of 1 + edits_per_case changes and as many audit entries: `tables` every table's pages (stored keys and values, redb overhead, page slack: what the store holds), `allocated` the pages redb has allocated (the tables, redb's own tables, pages freed by the last commits not yet reused), `file` the file's growth (the allocated pages and the free space redb adds when it grows the file, by doubling below one region: at 1,000 cases mostly that)",
        "commune_after_import_and_edits": commune_disk,
        "commune_import_only": built.import_disk,
        "hub_after_initial_sync": hub_disk,
    });
    if disk_only {
        // What a long-running node's background repack (`serve`, the console) does once the
        // store has grown: each table with page slack rewritten packed, one short guarded
        // write per MiB, writers going on between steps.
        for (side, node, empty) in [
            ("hub_after_background_repack", &hub, &hub_empty),
            ("commune_after_background_repack", &commune, &commune_empty),
        ] {
            let r = node.repack_tables(hoso_node::REPACK_SLACK_FROM)?;
            disk[side] = serde_json::json!({
                "repack": r,
                "bytes_per_case": crate::disk::per_case(node, empty, n)?,
            });
        }
        eprintln!("bench sync-loopback: background repack done");
        hub_engine.shutdown().await;
        ep.close().await;
        drop((hub, commune, canbo, hub_peer, ep));
        // `hoso store compact` at both sides (the stores closed), then the same figures.
        let mut compacted = serde_json::Map::new();
        for (side, empty) in [("hub", &hub_empty), ("commune", &commune_empty)] {
            let dir = tmp.path().join(side);
            let c = Node::compact_store(&dir).with_context(|| format!("compacting the {side}"))?;
            let node = Node::open(&dir)?;
            compacted.insert(
                side.to_string(),
                serde_json::json!({
                    "compact": c,
                    "bytes_per_case": crate::disk::per_case(&node, empty, n)?,
                }),
            );
        }
        return Ok(serde_json::json!({
            "after_store_compact": compacted,
            "bench": "sync-loopback --disk-only",
            "cases": n,
            "changes_per_case": 1 + edits_per_case,
            "audit_entries_per_case": entries_per_case,
            "case_doc_bytes_avg": doc_avg,
            "build_import_s": built.import_s,
            "build_edits_s": built.edits_s,
            "initial_s": ours.initial_s,
            "initial_bytes": ours.initial_bytes,
            "disk_bytes_per_case": disk,
        }));
    }

    let mut noop = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let r = round_with(&commune, &ep, &hub_peer, once()).await?;
        noop.push(t.elapsed().as_secs_f64() * 1000.0);
        ours.noop_bytes = r.stats.bytes_in + r.stats.bytes_out;
    }
    ours.noop_ms = median(&mut noop);
    eprintln!("bench sync-loopback: noop done");

    let edits = (n / 100).max(1);
    edit(&commune, &ids, 0, edits)?;
    let t = Instant::now();
    let r = round_with(&commune, &ep, &hub_peer, once()).await?;
    ours.incremental_ms = t.elapsed().as_secs_f64() * 1000.0;
    ours.incremental_bytes = r.stats.bytes_in + r.stats.bytes_out;
    let incremental_stats = r.stats;
    anyhow::ensure!(
        incremental_stats.refused_by_peer == 0,
        "the hub refused {} edited cases: {:?}",
        incremental_stats.refused_by_peer,
        incremental_stats.refusal_reason
    );
    eprintln!("bench sync-loopback: incremental done");
    ep.close().await;

    // Live: the commune's engine stays connected to the hub.
    let commune_engine = Engine::start(
        commune.clone(),
        EngineOptions {
            bind: Some(([127, 0, 0, 1], 0).into()),
            relays: false,
            no_dial: false,
        },
    )
    .await?;
    let mut status = commune.sync_status();
    let _ = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            if status.borrow().peers.iter().any(|p| p.online) {
                break;
            }
            if status.changed().await.is_err() {
                break;
            }
        }
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut live = Vec::new();
    let mut changed = hub.subscribe();
    for k in 0..5 {
        let id = ids[(edits + 7 * k + 1) % ids.len()];
        while changed.try_recv().is_ok() {}
        let t = Instant::now();
        commune.set_fields(
            &canbo,
            &id.to_string(),
            &[("child_place_of_birth".into(), format!("Nhà riêng số {k}"))],
        )?;
        let got = tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                match changed.recv().await {
                    Ok(x) if x == id => return true,
                    Ok(_) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                    Err(_) => return false,
                }
            }
        })
        .await
        .unwrap_or(false);
        if got {
            live.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::ensure!(!live.is_empty(), "no live edit reached the hub within 10 s");
    ours.live_push_ms = Some(median(&mut live));
    eprintln!("bench sync-loopback: live done");
    commune_engine.shutdown().await;
    ours.peak_rss_mib = peak_rss_mib();
    hub_engine.shutdown().await;
    let hub_status = hub.status()?;

    let baseline = if with_baseline {
        reset_peak_rss();
        Some(baseline(&commune, &ids, edits, tmp.path()).await?)
    } else {
        None
    };
    let ratio = |a: f64, b: f64| if a > 0.0 { b / a } else { 0.0 };
    let ratios = baseline.as_ref().map(|b| {
        serde_json::json!({
            "initial_s": ratio(ours.initial_s, b.initial_s),
            "initial_bytes": ratio(ours.initial_bytes as f64, b.initial_bytes as f64),
            "noop_ms": ratio(ours.noop_ms, b.noop_ms),
            "noop_bytes": ratio(ours.noop_bytes as f64, b.noop_bytes as f64),
            "incremental_ms": ratio(ours.incremental_ms, b.incremental_ms),
            "incremental_bytes": ratio(ours.incremental_bytes as f64, b.incremental_bytes as f64),
        })
    });
    Ok(serde_json::json!({
        "bench": "sync-loopback",
        "cases": n,
        "case_json_bytes_avg": json_avg,
        "case_doc_bytes_avg": doc_avg,
        "changes_per_case": 1 + edits_per_case,
        "audit_entries_per_case": entries_per_case,
        "audit_entries_setup": built.setup_entries,
        "audit_entries_commune": commune.chain_head().next_seq,
        "build_s": build_s,
        "build_import_s": built.import_s,
        "build_edits_s": built.edits_s,
        "edited_cases": edits,
        "hub_cases_after": hub_status.cases,
        "hub_conflicts_after": hub_status.conflicts,
        "initial_s": ours.initial_s,
        "initial_bytes": ours.initial_bytes,
        "initial_bytes_per_case": ours.initial_bytes as f64 / n.max(1) as f64,
        "frames": if raw_frames { "raw" } else { "zstd above 256 B when negotiated" },
        "noop_ms": ours.noop_ms,
        "noop_bytes": ours.noop_bytes,
        "incremental_ms": ours.incremental_ms,
        "incremental_bytes": ours.incremental_bytes,
        "live_push_ms": ours.live_push_ms,
        "hub_peak_rss_mib": ours.peak_rss_mib,
        "rss_note": "peak RSS of the one bench process, which runs the hub and the commune together: an upper bound for the hub",
        "initial_round": initial_stats,
        "incremental_round": incremental_stats,
        "baseline": baseline,
        "baseline_over_ours": ratios,
        "disk_bytes_per_case": disk,
    }))
}

/// Edits `count` cases from `from` (one field each, audited node writes).
fn edit(node: &Node, ids: &[CaseId], from: usize, count: usize) -> anyhow::Result<()> {
    let canbo = node.authenticate(OFFICER, PASSPHRASE)?;
    for k in 0..count {
        let id = ids[(from + k * 97) % ids.len()];
        node.set_fields(
            &canbo,
            &id.to_string(),
            &[(
                "child_place_of_birth".into(),
                format!("Trạm Y tế thôn {from}-{k}"),
            )],
        )?;
    }
    Ok(())
}

// ----- the naive baseline -----

const BASE_ALPN: &[u8] = b"hoso/bench-naive/1";
const BASE_DOCS: TableDefinition<&[u8; 16], &[u8]> = TableDefinition::new("naive-docs");
const CHUNK: usize = 1000;
const END_CHUNK: [u8; 16] = [0xff; 16];

#[derive(Clone, Debug)]
struct NaiveHub {
    db: std::sync::Arc<redb::Database>,
    states: std::sync::Arc<std::sync::Mutex<HashMap<CaseId, State>>>,
}

fn frame(id: &[u8; 16], payload: &[u8]) -> Vec<u8> {
    let mut p = Vec::with_capacity(16 + payload.len());
    p.extend_from_slice(id);
    p.extend_from_slice(payload);
    encode_frame(&p).unwrap_or_default()
}

async fn read_naive<R: tokio::io::AsyncRead + Unpin>(
    r: &mut R,
) -> anyhow::Result<Option<([u8; 16], Vec<u8>)>> {
    let mut h = [0u8; HEADER_LEN];
    if r.read(&mut h[..1]).await? == 0 {
        return Ok(None);
    }
    r.read_exact(&mut h[1..]).await?;
    let len = parse_header(&h)?;
    let mut b = vec![0u8; len];
    r.read_exact(&mut b).await?;
    if b.len() < 16 {
        anyhow::bail!("short naive frame");
    }
    let mut id = [0u8; 16];
    id.copy_from_slice(&b[..16]);
    Ok(Some((id, b[16..].to_vec())))
}

impl NaiveHub {
    fn load(&self, id: &[u8; 16]) -> AutoCommit {
        let stored = self
            .db
            .begin_read()
            .ok()
            .and_then(|r| r.open_table(BASE_DOCS).ok())
            .and_then(|t| t.get(id).ok().flatten().map(|v| v.value().to_vec()));
        stored
            .and_then(|b| AutoCommit::load(&b).ok())
            .unwrap_or_default()
    }
    fn store(&self, id: &[u8; 16], doc: &mut AutoCommit) -> anyhow::Result<()> {
        let bytes = doc.save();
        let tx = self.db.begin_write()?;
        tx.open_table(BASE_DOCS)?.insert(id, bytes.as_slice())?;
        Ok(tx.commit()?)
    }
    async fn serve(&self, conn: Connection) -> anyhow::Result<()> {
        let (mut send, mut recv) = conn.accept_bi().await?;
        // A new connection starts from the persisted part of each sync state.
        for st in self
            .states
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .values_mut()
        {
            *st = State::decode(&st.encode()).unwrap_or_default();
        }
        let (wtx, mut wrx) = tokio::sync::mpsc::unbounded_channel::<Vec<u8>>();
        let writer = tokio::spawn(async move {
            while let Some(f) = wrx.recv().await {
                if AsyncWriteExt::write_all(&mut send, &f).await.is_err() {
                    return;
                }
            }
            let _ = send.finish();
        });
        let mut docs: HashMap<[u8; 16], AutoCommit> = HashMap::new();
        while let Some((id, payload)) = read_naive(&mut recv).await? {
            if id == END_CHUNK {
                docs.clear();
                let _ = wtx.send(frame(&END_CHUNK, &[]));
                continue;
            }
            let doc = docs.entry(id).or_insert_with(|| self.load(&id));
            let mut state = {
                let mut states = self
                    .states
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                states.remove(&CaseId(id)).unwrap_or_default()
            };
            if !payload.is_empty() {
                let msg = AmMessage::decode(&payload)?;
                let before = doc.get_heads();
                doc.sync().receive_sync_message(&mut state, msg)?;
                if doc.get_heads() != before {
                    self.store(&id, doc)?;
                }
            }
            let reply = doc
                .sync()
                .generate_sync_message(&mut state)
                .map(automerge::sync::Message::encode)
                .unwrap_or_default();
            self.states
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(CaseId(id), state);
            let _ = wtx.send(frame(&id, &reply));
        }
        drop(wtx);
        let _ = writer.await;
        let _ = tokio::time::timeout(Duration::from_secs(5), conn.closed()).await;
        Ok(())
    }
}

impl ProtocolHandler for NaiveHub {
    async fn accept(&self, conn: Connection) -> Result<(), AcceptError> {
        if let Err(e) = self.serve(conn).await {
            tracing::warn!(error = %e, "naive baseline session failed");
        }
        Ok(())
    }
}

/// One naive round: per-case Automerge sync of every case, 1,000 cases pipelined at a time.
async fn naive_round(
    commune: &Node,
    ids: &[CaseId],
    states: &mut HashMap<CaseId, State>,
    ep: &iroh::Endpoint,
    addr: iroh::EndpointAddr,
) -> anyhow::Result<u64> {
    for st in states.values_mut() {
        *st = State::decode(&st.encode()).unwrap_or_default();
    }
    let conn = ep.connect(addr, BASE_ALPN).await?;
    let (mut send, mut recv) = conn.open_bi().await?;
    let mut bytes = 0u64;
    for chunk in ids.chunks(CHUNK) {
        let mut docs: HashMap<[u8; 16], AutoCommit> = HashMap::new();
        let mut out = Vec::new();
        for id in chunk {
            let mut doc = commune.case_doc(id)?.automerge().clone();
            let st = states.entry(*id).or_default();
            let m = doc
                .sync()
                .generate_sync_message(st)
                .map(automerge::sync::Message::encode)
                .unwrap_or_default();
            out.extend(frame(&id.0, &m));
            docs.insert(id.0, doc);
        }
        out.extend(frame(&END_CHUNK, &[]));
        bytes += out.len() as u64;
        AsyncWriteExt::write_all(&mut send, &out).await?;
        let mut open = chunk.len();
        let mut end_seen = false;
        while open > 0 || !end_seen {
            let Some((id, payload)) = read_naive(&mut recv).await? else {
                anyhow::bail!("naive hub closed");
            };
            bytes += (HEADER_LEN + 16 + payload.len()) as u64;
            if id == END_CHUNK {
                end_seen = true;
                continue;
            }
            let Some(doc) = docs.get_mut(&id) else {
                continue;
            };
            let st = states.entry(CaseId(id)).or_default();
            let empty_reply = payload.is_empty();
            if !empty_reply {
                let msg = AmMessage::decode(&payload)?;
                doc.sync().receive_sync_message(st, msg)?;
            }
            match doc.sync().generate_sync_message(st) {
                Some(m) => {
                    let f = frame(&id, &m.encode());
                    bytes += f.len() as u64;
                    AsyncWriteExt::write_all(&mut send, &f).await?;
                }
                None if empty_reply => open -= 1,
                None => {
                    let f = frame(&id, &[]);
                    bytes += f.len() as u64;
                    AsyncWriteExt::write_all(&mut send, &f).await?;
                }
            }
        }
    }
    let _ = send.finish();
    let _ = tokio::time::timeout(Duration::from_secs(5), recv.read_to_end(1 << 20)).await;
    conn.close(0u32.into(), b"done");
    Ok(bytes)
}

async fn baseline(
    commune: &Node,
    ids: &[CaseId],
    edits: usize,
    dir: &std::path::Path,
) -> anyhow::Result<Figures> {
    let db = redb::Database::create(dir.join("naive-hub.redb"))?;
    let hub = NaiveHub {
        db: std::sync::Arc::new(db),
        states: Default::default(),
    };
    let hub_key = iroh::SecretKey::generate();
    let hub_ep = iroh::Endpoint::builder(iroh::endpoint::presets::Minimal)
        .secret_key(hub_key)
        .clear_ip_transports()
        .bind_addr(SocketAddr::from(([127, 0, 0, 1], 0)))?
        .bind()
        .await?;
    let addr = hub_ep
        .bound_sockets()
        .first()
        .copied()
        .context("naive hub has no address")?;
    let hub_addr = iroh::EndpointAddr::new(hub_ep.id()).with_ip_addr(addr);
    let router = Router::builder(hub_ep).accept(BASE_ALPN, hub).spawn();
    let ep = iroh::Endpoint::builder(iroh::endpoint::presets::Minimal)
        .clear_ip_transports()
        .bind_addr(SocketAddr::from(([127, 0, 0, 1], 0)))?
        .bind()
        .await?;
    let mut states: HashMap<CaseId, State> = HashMap::new();
    let mut f = Figures::default();
    let t = Instant::now();
    f.initial_bytes = naive_round(commune, ids, &mut states, &ep, hub_addr.clone()).await?;
    f.initial_s = t.elapsed().as_secs_f64();
    eprintln!("bench sync-loopback: baseline initial done");
    let mut noop = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        f.noop_bytes = naive_round(commune, ids, &mut states, &ep, hub_addr.clone()).await?;
        noop.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    f.noop_ms = median(&mut noop);
    eprintln!("bench sync-loopback: baseline noop done");
    edit(commune, ids, 50_000, edits)?;
    let t = Instant::now();
    f.incremental_bytes = naive_round(commune, ids, &mut states, &ep, hub_addr).await?;
    f.incremental_ms = t.elapsed().as_secs_f64() * 1000.0;
    f.peak_rss_mib = peak_rss_mib();
    ep.close().await;
    let _ = router.shutdown().await;
    Ok(f)
}
