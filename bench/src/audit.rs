//! `hoso-bench audit` (release build): prints one JSON document with
//! - the verification rate of a generated 1,000,000-entry chain (signed entries written with
//!   the entry API into a fresh redb file, verified with the same code as `audit verify`);
//! - the cost of the audit entry on a durable case write: the same transaction with and
//!   without the append (`Node::bench_field_write`), interleaved in one run, medians and ratio;
//! - export and bundle-verify time for a hub-sized store (generated cases through
//!   `Node::import_cases`).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use hoso_node::audit::bundle::verify_bundle;
use hoso_node::audit::entry::{Action, Entry, EntryBody, payload_hash};
use hoso_node::audit::verify::{Policy, verify};
use hoso_node::{Author, CaseId, InitOptions, NewCase, Node, NodeKey, NodeRole, ScratchChain};
use hoso_schemas::{FieldDef, FieldType, Role};

use crate::workload::{PASSPHRASE, REGISTRY};

/// `hoso-bench audit`.
#[derive(Args, Debug)]
pub(crate) struct AuditArgs {
    /// Entries in the generated chain.
    #[arg(long, default_value_t = 1_000_000)]
    pub entries: u64,
    /// Durable field writes timed (half with, half without the audit entry).
    #[arg(long, default_value_t = 400)]
    pub writes: usize,
    /// Cases in the hub-sized store for export and bundle verification.
    #[arg(long, default_value_t = 100_000)]
    pub cases: usize,
}

struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch(name: &str) -> anyhow::Result<Scratch> {
    let p = std::env::temp_dir().join(format!("hoso-bench-audit-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    std::fs::create_dir_all(&p).with_context(|| format!("creating {}", p.display()))?;
    Ok(Scratch(p))
}

fn median(v: &mut [Duration]) -> f64 {
    v.sort();
    v.get(v.len() / 2)
        .map(std::time::Duration::as_secs_f64)
        .unwrap_or(0.0)
}

/// Runs the audit benchmarks.
pub(crate) fn run(a: &AuditArgs) -> anyhow::Result<serde_json::Value> {
    crate::warn_if_debug("audit");
    let chain = chain_rate(a.entries.max(2))?;
    let cost = write_cost(a.writes.max(2))?;
    let hub = hub_export(a.cases)?;
    Ok(serde_json::json!({
        "bench": "audit",
        "threads": std::thread::available_parallelism().map(std::num::NonZero::get).unwrap_or(1),
        "verify_chain": chain,
        "durable_write_cost": cost,
        "hub_export": hub,
    }))
}

fn chain_rate(n: u64) -> anyhow::Result<serde_json::Value> {
    let dir = scratch("chain")?;
    let realm = [1u8; 16];
    let store = ScratchChain::create(&dir.0.join("store.redb"), realm)?;
    let key = NodeKey::generate();
    let t0 = Instant::now();
    let mut prev = [0u8; 32];
    let mut time = chrono::Utc::now().timestamp_millis() - 86_400_000;
    let mut seq = 0u64;
    while seq < n {
        let mut batch = Vec::new();
        {
            let end = (seq + 50_000).min(n);
            while seq < end {
                let action = match seq {
                    0 => Action::Genesis,
                    1 => Action::ActorBind,
                    _ => Action::Note,
                };
                let payload = format!("{{\"note_chars\":{}}}", seq % 500).into_bytes();
                time += 37;
                let e = Entry::sign(
                    EntryBody {
                        realm,
                        origin: key.id(),
                        seq,
                        epoch: 0,
                        prev,
                        time_ms: time,
                        anchor_size: 0,
                        anchor_cosig: [0; 32],
                        officer: "canbo01".into(),
                        action,
                        case_id: CaseId::NONE,
                        actor: [0; 16],
                        heads_before: vec![],
                        changes: vec![],
                        payload_hash: payload_hash(&payload),
                        payload_len: payload.len() as u32,
                    },
                    &key,
                );
                prev = e.hash;
                batch.push((e, payload));
                seq += 1;
            }
        }
        store.append(&batch)?;
    }
    let generate_s = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    let report = verify(&store.source(), &Policy::default())?;
    let verify_s = t1.elapsed().as_secs_f64();
    anyhow::ensure!(
        report.ok,
        "generated chain failed verification: {:?}",
        report.first_bad
    );
    Ok(serde_json::json!({
        "entries": n,
        "generate_s": generate_s,
        "verify_s": verify_s,
        "entries_per_s": n as f64 / verify_s,
    }))
}

/// A valid value of field `f` for a case of `citizen` in `commune`: the catalog's example,
/// with this node's citizen and commune for the fields that name one.
fn example(f: &FieldDef, citizen: &str, commune: &str) -> String {
    match f.ty {
        FieldType::CitizenId => citizen.into(),
        FieldType::CommuneCode => commune.into(),
        _ => f.example(),
    }
}

/// Cases (procedure, citizen, fields) that `create_case` accepts on this node.
fn good_cases(node: &Node, max: usize) -> anyhow::Result<Vec<NewCase>> {
    let mut out = Vec::new();
    for line in REGISTRY.lines().take(400) {
        let v: serde_json::Value = serde_json::from_str(line)?;
        let (Some(cid), Some(commune)) = (v["citizen_id"].as_str(), v["commune_code"].as_str())
        else {
            continue;
        };
        for code in [
            "judicial_record",
            "residence_confirmation",
            "birth_registration",
        ] {
            let Some(p) = node.catalog().get(code) else {
                continue;
            };
            let nc = NewCase {
                procedure: code.into(),
                citizen_id: cid.into(),
                fields: p
                    .fields
                    .iter()
                    .filter(|f| f.required && f.source.is_none())
                    .map(|f| (f.name.clone(), example(f, cid, commune)))
                    .collect(),
                received_at: None,
            };
            if node
                .prefill("canbo01", &nc)
                .is_ok_and(|(pre, _, _)| pre.missing_fields.is_empty())
            {
                out.push(nc);
            }
        }
        if out.len() >= max {
            break;
        }
    }
    anyhow::ensure!(!out.is_empty(), "no sample citizen fits a procedure");
    Ok(out)
}

fn init(dir: &Path, role: NodeRole) -> anyhow::Result<Node> {
    let node = Node::init(
        dir,
        InitOptions {
            name: "bench".into(),
            role,
            province: "20".into(),
            commune: (role == NodeRole::Commune).then(|| "06112".into()),
            unit_code: None,
            listen: "127.0.0.1:0".into(),
            realm: None,
        },
    )?;
    node.add_officer(
        &Author::Node,
        "canbo01",
        "Hoàng Thị Lan",
        Role::Officer,
        PASSPHRASE,
    )?;
    // The node itself loads the registry at set-up, as `init --sample` does.
    node.import_registry("registry.jsonl", REGISTRY.as_bytes(), &Author::Node)?;
    Ok(node)
}

/// Durable field writes on one case, through the write path.
#[cfg(not(feature = "bench-unaudited"))]
fn write_cost(writes: usize) -> anyhow::Result<serde_json::Value> {
    let dir = scratch("cost")?;
    let node = init(&dir.0.join("node"), NodeRole::Commune)?;
    let by = node.authenticate("canbo01", PASSPHRASE)?;
    let nc = good_cases(&node, 1)?.remove(0);
    let field = free_text_field(&node, &nc.procedure)?;
    let case = node.create_case(&by, nc)?;
    let mut with = Vec::new();
    for i in 0..writes {
        let value = format!("Giá trị thử {i}");
        let t = Instant::now();
        node.set_fields(&by, &case.id.to_string(), &[(field.clone(), value)])?;
        with.push(t.elapsed());
    }
    Ok(serde_json::json!({
        "writes_each": with.len(),
        "median_ms_with_audit": median(&mut with) * 1e3,
        "note": "the write without its audit entry is measured only in a build with `cargo build --release -p hoso-bench --features bench-unaudited`",
    }))
}

/// Durable field writes with and without the audit entry, interleaved.
#[cfg(feature = "bench-unaudited")]
fn write_cost(writes: usize) -> anyhow::Result<serde_json::Value> {
    let dir = scratch("cost")?;
    let node = init(&dir.0.join("node"), NodeRole::Commune)?;
    let by = node.authenticate("canbo01", PASSPHRASE)?;
    let nc = good_cases(&node, 1)?.remove(0);
    let field = free_text_field(&node, &nc.procedure)?;
    let case = node.create_case(&by, nc)?;
    let (mut with, mut without) = (Vec::new(), Vec::new());
    for i in 0..writes {
        let audit = i % 2 == 0;
        let value = format!("Giá trị thử {i}");
        let t = Instant::now();
        node.bench_field_write("canbo01", &case.id, &field, &value, audit)?;
        if audit {
            with.push(t.elapsed());
        } else {
            without.push(t.elapsed());
        }
    }
    let (mw, mo) = (median(&mut with), median(&mut without));
    Ok(serde_json::json!({
        "writes_each": with.len(),
        "median_ms_with_audit": mw * 1e3,
        "median_ms_without_audit": mo * 1e3,
        "ratio": if mo > 0.0 { mw / mo } else { 0.0 },
        "note": "same durable redb transaction (doc change, summary, indexes, feed) with and without the signed entry, interleaved",
    }))
}

fn free_text_field(node: &Node, procedure: &str) -> anyhow::Result<String> {
    let p = node.catalog().procedure(procedure)?;
    Ok(p.fields
        .iter()
        .find(|f| f.source.is_none() && f.ty == FieldType::Text)
        .context("the bench procedure has no free-text field")?
        .name
        .clone())
}

fn hub_export(cases: usize) -> anyhow::Result<serde_json::Value> {
    let dir = scratch("hub")?;
    let node = init(&dir.0.join("node"), NodeRole::Hub)?;
    let good = good_cases(&node, 200)?;
    let mut jsonl = String::with_capacity(cases * 300);
    for i in 0..cases {
        let nc = &good[i % good.len()];
        let fields: serde_json::Map<String, serde_json::Value> = nc
            .fields
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect();
        jsonl.push_str(&serde_json::to_string(&serde_json::json!({
            "procedure": nc.procedure,
            "citizen_id": nc.citizen_id,
            "fields": fields,
        }))?);
        jsonl.push('\n');
    }
    let t0 = Instant::now();
    let imported = node.import_cases(
        "bench.jsonl",
        jsonl.as_bytes(),
        &Author::Officer(node.authenticate("canbo01", PASSPHRASE)?),
    )?;
    let import_s = t0.elapsed().as_secs_f64();
    let path = dir.0.join("hub.bundle");
    let t1 = Instant::now();
    let summary = {
        let f = std::fs::File::create(&path)?;
        let mut w = std::io::BufWriter::new(f);
        let s = node.export_audit(&mut w)?;
        std::io::Write::flush(&mut w)?;
        s
    };
    let export_s = t1.elapsed().as_secs_f64();
    drop(node);
    let t2 = Instant::now();
    let bytes = std::fs::read(&path)?;
    let report = verify_bundle(&bytes, &Policy::default())?;
    let verify_s = t2.elapsed().as_secs_f64();
    anyhow::ensure!(
        report.ok,
        "hub bundle failed verification: {:?}",
        report.first_bad
    );
    Ok(serde_json::json!({
        "cases": imported.imported,
        "import_s": import_s,
        "entries": summary.entries,
        "bundle_bytes": summary.bytes,
        "export_s": export_s,
        "bundle_verify_s": verify_s,
        "changes_accounted": report.changes,
    }))
}
