//! `hoso bench sync`: a commune and a hub on loopback in fresh temp dirs, both persisting to
//! redb, and a naive baseline run on the same documents in the same process.
//!
//! Workload: each case is a birth registration with 22 fields (declarant, child, mother,
//! father), 3 notes and a history entry, Vietnamese names; created with one Automerge change
//! and edited 4 times (5 changes of history). The documents are built directly with the
//! node's `CaseDoc` API under the commune's actor and stored at the commune through the same
//! batch ingest sync uses (building 100k cases through `create_case` would be 100k officer
//! actions; they carry no per-case audit entries). The 1 % edits are real, audited
//! `Node::set_fields` calls, so their audit entries travel with them.
//!
//! Phases, each timed on the commune side as one `--once` round (connect included):
//! initial (empty hub), no-op (nothing changed; median of 5), incremental (1 % of cases edited,
//! one field each), live push (an engine stays connected; one edit until the hub has merged
//! it; median of 5). The baseline is plain per-case Automerge sync (`generate_sync_message` /
//! `receive_sync_message`) of every case over one iroh stream, pipelined 1,000 cases at a
//! time, with no feed and no bulk path: the receiver commits each changed case in its own
//! redb transaction. Sync states are kept in memory across the baseline's rounds (the
//! kindest choice for it).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use automerge::AutoCommit;
use automerge::sync::{Message as AmMessage, State, SyncDoc};
use hoso_node::case::{CaseDoc, CaseInit, HistoryEntry, Note};
use hoso_node::replica::IncomingDoc;
use hoso_node::{CaseId, InitOptions, Node, NodeId, NodeRole, Peers};
use hoso_schemas::Status;
use iroh::endpoint::Connection;
use iroh::protocol::{AcceptError, ProtocolHandler, Router};
use redb::{ReadableDatabase, TableDefinition};
use serde::Serialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::engine::{Engine, EngineOptions, round_with};
use crate::error::SyncError;
use crate::net::{self, DriveOptions};
use crate::protocol::frame::{HEADER_LEN, encode_frame, parse_header};

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

fn name(i: usize, salt: usize) -> String {
    let k = i.wrapping_mul(2654435761).wrapping_add(salt * 97);
    format!(
        "{} {} {}",
        FAMILY[k % FAMILY.len()],
        MIDDLE[(k / 7) % MIDDLE.len()],
        GIVEN[(k / 13) % GIVEN.len()]
    )
}

/// Builds one case document: one creation change and 4 edits.
fn build_case(actor: [u8; 16], i: usize) -> Result<(CaseId, Vec<u8>, usize), hoso_node::NodeError> {
    let mut seed = [0u8; 16];
    seed[..8].copy_from_slice(&(i as u64).to_be_bytes());
    seed[8..].copy_from_slice(b"hosobnch");
    let id = CaseId(blake3_16(&seed));
    let mut doc = CaseDoc::new(actor);
    let received = "2026-11-02T08:30:00+07:00".to_string();
    doc.init(&CaseInit {
        id,
        receipt_code: format!("000.20.61.112-261102-{i:06}"),
        procedure: "birth_registration".into(),
        tracks: vec![],
        citizen_id: format!("0201900{:05}", i % 100_000),
        applicant_name: name(i, 1),
        province: "20".into(),
        commune: "06112".into(),
        received_at: received.clone(),
        due_date: "2026-11-05".into(),
        status: Status::Received,
        assigned_officer: "canbo01".into(),
        fields: Default::default(),
        evidence: Default::default(),
        history: vec![],
        notes: vec![],
    })?;
    let address = format!("Thôn Nà Pàn {}, Xã Bình Gia, tỉnh Lạng Sơn", i % 40);
    let fields: Vec<(&str, String)> = vec![
        ("declarant_citizen_id", format!("0201900{:05}", i % 100_000)),
        ("declarant_full_name", name(i, 1)),
        ("declarant_relationship", "Mẹ".into()),
        ("child_full_name", name(i, 2)),
        ("child_date_of_birth", "2026-10-28".into()),
        (
            "child_sex",
            if i.is_multiple_of(2) {
                "Nam".into()
            } else {
                "Nữ".into()
            },
        ),
        ("child_ethnicity", "Tày".into()),
        ("child_nationality", "Việt Nam".into()),
        ("child_place_of_birth", PLACES[i % PLACES.len()].into()),
        ("child_hometown", "Xã Bình Gia, tỉnh Lạng Sơn".into()),
        ("birth_certificate_number", format!("GCS-{i:08}")),
        ("mother_full_name", name(i, 1)),
        ("mother_date_of_birth", "1994-03-12".into()),
        ("mother_ethnicity", "Tày".into()),
        ("mother_nationality", "Việt Nam".into()),
        ("mother_address", address.clone()),
        ("father_full_name", name(i, 3)),
        ("father_date_of_birth", "1991-07-01".into()),
        ("father_ethnicity", "Nùng".into()),
        ("father_nationality", "Việt Nam".into()),
        ("father_address", address),
        ("extract_copies", "2".into()),
    ];
    for (k, v) in &fields {
        doc.set_field(k, v)?;
    }
    doc.push_history(&HistoryEntry {
        at: received.clone(),
        officer: "canbo01".into(),
        node: "bench".into(),
        from: None,
        to: Status::Received,
        track: None,
        note: None,
    })?;
    for (n, text) in [
        "Đã kiểm tra giấy chứng sinh bản chính.",
        "Người đi khai là mẹ của trẻ, có CCCD hợp lệ.",
        "Hẹn trả kết quả tại bộ phận một cửa.",
    ]
    .iter()
    .enumerate()
    {
        doc.push_note(&Note {
            at: format!("2026-11-02T08:3{n}:00+07:00"),
            officer: "canbo01".into(),
            node: "bench".into(),
            text: (*text).into(),
        })?;
    }
    let t = 1_793_000_000_000i64;
    doc.commit("case_create", t);
    for (e, (k, v)) in [
        (
            "child_hometown",
            "Xã Hoàng Văn Thụ, tỉnh Lạng Sơn".to_string(),
        ),
        ("birth_certificate_number", format!("GCS-{i:08}-B")),
        ("extract_copies", "3".into()),
        (
            "child_place_of_birth",
            PLACES[(i + 1) % PLACES.len()].into(),
        ),
    ]
    .into_iter()
    .enumerate()
    {
        doc.set_field(k, &v)?;
        doc.commit("field_set", t + 60_000 * (e as i64 + 1));
    }
    let json = serde_json::to_vec(&doc.view()?)
        .map(|v| v.len())
        .unwrap_or(0);
    Ok((id, doc.save(), json))
}

fn blake3_16(b: &[u8]) -> [u8; 16] {
    let h = blake3::hash(b);
    let mut o = [0u8; 16];
    o.copy_from_slice(&h.as_bytes()[..16]);
    o
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
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn init(dir: &std::path::Path, commune: Option<&str>) -> Result<Node, SyncError> {
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

fn link(a: &Node, b: &Node, addr: Option<SocketAddr>) -> Result<hoso_node::Peer, SyncError> {
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

/// Our protocol's figures.
#[derive(Debug, Default, Serialize)]
pub struct Figures {
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

/// Builds the workload and runs both protocols. Returns the report as JSON.
pub async fn run(n: usize, with_baseline: bool) -> Result<serde_json::Value, SyncError> {
    let tmp = tempfile::tempdir().map_err(SyncError::net)?;
    let commune = init(&tmp.path().join("commune"), Some("06112"))?;
    let hub = init(&tmp.path().join("hub"), None)?;
    commune.add_officer(
        &hoso_node::Author::Node,
        "canbo01",
        "Hoàng Thị Lan",
        hoso_schemas::Role::Officer,
        "bench-passphrase",
    )?;
    let canbo = commune.authenticate("canbo01", "bench-passphrase")?;

    // Build the cases on both cores and store them at the commune, 1,000 per transaction.
    let t = Instant::now();
    let actor = commune.actor();
    let threads = 2;
    let built: Vec<Vec<(CaseId, Vec<u8>, usize)>> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..threads)
            .map(|k| {
                s.spawn(move || {
                    (0..n)
                        .filter(|i| i % threads == k)
                        .filter_map(|i| build_case(actor, i).ok())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        hs.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    let mut all: Vec<(CaseId, Vec<u8>, usize)> = built.into_iter().flatten().collect();
    all.sort_by_key(|c| c.0);
    let json_avg = all.iter().map(|c| c.2).sum::<usize>() / all.len().max(1);
    let doc_avg = all.iter().map(|c| c.1.len()).sum::<usize>() / all.len().max(1);
    let ids: Vec<CaseId> = all.iter().map(|c| c.0).collect();
    let generator = NodeId([0; 32]);
    for chunk in all.chunks(1000) {
        let docs: Vec<IncomingDoc> = chunk
            .iter()
            .map(|(id, bytes, _)| IncomingDoc {
                id: *id,
                full: true,
                heads: vec![],
                bytes: bytes.clone(),
            })
            .collect();
        commune.ingest_batch(&generator, &docs, 0, &|_, _| true)?;
    }
    drop(all);
    let build_s = t.elapsed().as_secs_f64();
    eprintln!("bench sync: built done");

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
            .ok_or_else(|| SyncError::Net("hub endpoint has no address".into()))?;
        (e, a)
    };
    link(&hub, &commune, None)?;
    let hub_peer = link(&commune, &hub, Some(hub_addr))?;
    let ep = net::bind_endpoint(&commune, ([127, 0, 0, 1], 0).into(), false).await?;
    let once = || DriveOptions {
        once: true,
        ..DriveOptions::default()
    };
    reset_peak_rss();
    let mut ours = Figures::default();

    let t = Instant::now();
    let r = round_with(&commune, &ep, &hub_peer, once()).await?;
    ours.initial_s = t.elapsed().as_secs_f64();
    ours.initial_bytes = r.stats.bytes_in + r.stats.bytes_out;
    let initial_stats = r.stats;
    eprintln!("bench sync: initial done");

    let mut noop = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let r = round_with(&commune, &ep, &hub_peer, once()).await?;
        noop.push(t.elapsed().as_secs_f64() * 1000.0);
        ours.noop_bytes = r.stats.bytes_in + r.stats.bytes_out;
    }
    ours.noop_ms = median(&mut noop);
    eprintln!("bench sync: noop done");

    let edits = (n / 100).max(1);
    edit(&commune, &ids, 0, edits)?;
    let t = Instant::now();
    let r = round_with(&commune, &ep, &hub_peer, once()).await?;
    ours.incremental_ms = t.elapsed().as_secs_f64() * 1000.0;
    ours.incremental_bytes = r.stats.bytes_in + r.stats.bytes_out;
    let incremental_stats = r.stats;
    eprintln!("bench sync: incremental done");
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
    ours.live_push_ms = Some(median(&mut live));
    eprintln!("bench sync: live done");
    commune_engine.shutdown().await;
    ours.peak_rss_mib = peak_rss_mib();
    hub_engine.shutdown().await;
    let hub_cases = hoso_node::store::count_cases(hub.db())?;

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
        "cases": n,
        "case_json_bytes_avg": json_avg,
        "case_doc_bytes_avg": doc_avg,
        "build_s": build_s,
        "edited_cases": edits,
        "hub_cases_after": hub_cases,
        "initial_s": ours.initial_s,
        "initial_bytes": ours.initial_bytes,
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
    }))
}

/// Edits `count` cases from `from` (one field each, audited node writes).
fn edit(node: &Node, ids: &[CaseId], from: usize, count: usize) -> Result<(), SyncError> {
    let canbo = node.authenticate("canbo01", "bench-passphrase")?;
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
) -> Result<Option<([u8; 16], Vec<u8>)>, SyncError> {
    let mut h = [0u8; HEADER_LEN];
    if r.read(&mut h[..1]).await.map_err(SyncError::net)? == 0 {
        return Ok(None);
    }
    r.read_exact(&mut h[1..]).await.map_err(SyncError::net)?;
    let len = parse_header(&h)?;
    let mut b = vec![0u8; len];
    r.read_exact(&mut b).await.map_err(SyncError::net)?;
    if b.len() < 16 {
        return Err(SyncError::Protocol("short naive frame".into()));
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
    fn store(&self, id: &[u8; 16], doc: &mut AutoCommit) -> Result<(), SyncError> {
        let bytes = doc.save();
        let tx = self.db.begin_write().map_err(SyncError::net)?;
        tx.open_table(BASE_DOCS)
            .map_err(SyncError::net)?
            .insert(id, bytes.as_slice())
            .map_err(SyncError::net)?;
        tx.commit().map_err(SyncError::net)
    }
    async fn serve(&self, conn: Connection) -> Result<(), SyncError> {
        let (mut send, mut recv) = conn.accept_bi().await.map_err(SyncError::net)?;
        // A new connection starts from the persisted part of each sync state.
        for st in self
            .states
            .lock()
            .unwrap_or_else(|p| p.into_inner())
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
                let mut states = self.states.lock().unwrap_or_else(|p| p.into_inner());
                states.remove(&CaseId(id)).unwrap_or_default()
            };
            if !payload.is_empty() {
                let msg = AmMessage::decode(&payload).map_err(SyncError::net)?;
                let before = doc.get_heads();
                doc.sync()
                    .receive_sync_message(&mut state, msg)
                    .map_err(SyncError::net)?;
                if doc.get_heads() != before {
                    self.store(&id, doc)?;
                }
            }
            let reply = doc
                .sync()
                .generate_sync_message(&mut state)
                .map(|m| m.encode())
                .unwrap_or_default();
            self.states
                .lock()
                .unwrap_or_else(|p| p.into_inner())
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
) -> Result<u64, SyncError> {
    for st in states.values_mut() {
        *st = State::decode(&st.encode()).unwrap_or_default();
    }
    let conn = ep.connect(addr, BASE_ALPN).await.map_err(SyncError::net)?;
    let (mut send, mut recv) = conn.open_bi().await.map_err(SyncError::net)?;
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
                .map(|m| m.encode())
                .unwrap_or_default();
            out.extend(frame(&id.0, &m));
            docs.insert(id.0, doc);
        }
        out.extend(frame(&END_CHUNK, &[]));
        bytes += out.len() as u64;
        AsyncWriteExt::write_all(&mut send, &out)
            .await
            .map_err(SyncError::net)?;
        let mut open = chunk.len();
        let mut end_seen = false;
        while open > 0 || !end_seen {
            let Some((id, payload)) = read_naive(&mut recv).await? else {
                return Err(SyncError::Net("naive hub closed".into()));
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
                let msg = AmMessage::decode(&payload).map_err(SyncError::net)?;
                doc.sync()
                    .receive_sync_message(st, msg)
                    .map_err(SyncError::net)?;
            }
            match doc.sync().generate_sync_message(st) {
                Some(m) => {
                    let f = frame(&id, &m.encode());
                    bytes += f.len() as u64;
                    AsyncWriteExt::write_all(&mut send, &f)
                        .await
                        .map_err(SyncError::net)?;
                }
                None if empty_reply => open -= 1,
                None => {
                    let f = frame(&id, &[]);
                    bytes += f.len() as u64;
                    AsyncWriteExt::write_all(&mut send, &f)
                        .await
                        .map_err(SyncError::net)?;
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
) -> Result<Figures, SyncError> {
    let db = redb::Database::create(dir.join("naive-hub.redb")).map_err(SyncError::net)?;
    let hub = NaiveHub {
        db: std::sync::Arc::new(db),
        states: Default::default(),
    };
    let hub_key = iroh::SecretKey::generate();
    let hub_ep = iroh::Endpoint::builder(iroh::endpoint::presets::Minimal)
        .secret_key(hub_key)
        .clear_ip_transports()
        .bind_addr(SocketAddr::from(([127, 0, 0, 1], 0)))
        .map_err(SyncError::net)?
        .bind()
        .await
        .map_err(SyncError::net)?;
    let addr = hub_ep
        .bound_sockets()
        .first()
        .copied()
        .ok_or_else(|| SyncError::Net("naive hub has no address".into()))?;
    let hub_addr = iroh::EndpointAddr::new(hub_ep.id()).with_ip_addr(addr);
    let router = Router::builder(hub_ep).accept(BASE_ALPN, hub).spawn();
    let ep = iroh::Endpoint::builder(iroh::endpoint::presets::Minimal)
        .clear_ip_transports()
        .bind_addr(SocketAddr::from(([127, 0, 0, 1], 0)))
        .map_err(SyncError::net)?
        .bind()
        .await
        .map_err(SyncError::net)?;
    let mut states: HashMap<CaseId, State> = HashMap::new();
    let mut f = Figures::default();
    let t = Instant::now();
    f.initial_bytes = naive_round(commune, ids, &mut states, &ep, hub_addr.clone()).await?;
    f.initial_s = t.elapsed().as_secs_f64();
    eprintln!("bench sync: baseline initial done");
    let mut noop = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        f.noop_bytes = naive_round(commune, ids, &mut states, &ep, hub_addr.clone()).await?;
        noop.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    f.noop_ms = median(&mut noop);
    eprintln!("bench sync: baseline noop done");
    edit(commune, ids, 50_000, edits)?;
    let t = Instant::now();
    f.incremental_bytes = naive_round(commune, ids, &mut states, &ep, hub_addr).await?;
    f.incremental_ms = t.elapsed().as_secs_f64() * 1000.0;
    f.peak_rss_mib = peak_rss_mib();
    ep.close().await;
    let _ = router.shutdown().await;
    Ok(f)
}
