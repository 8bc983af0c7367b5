//! Bulk generation of `hoso-bench province`'s hub: a million cases in minutes, still written
//! the real way.
//!
//! Each commune is a real node made in this process ([`Node::init_with_officer`], as `hoso init
//! --officer` does; the sample registry imported by the node itself; the hub added as a peer by
//! its supervisor) whose cases are imported with [`Node::import_cases`] (the guarded write path
//! of `hoso import`: every case checked, one signed `CaseImport` entry each on the commune's
//! chain), [`CHUNK`] cases per transaction. Communes are built on `jobs` worker threads while
//! the main thread feeds each finished one into the hub: the commune is added to the hub's peers
//! by the hub's supervisor, then a real sync round runs between two sans-IO
//! [`Session`]s (commune initiator, hub responder) with every message encoded and decoded as on
//! the wire but passed in memory, not over iroh. So the hub ingests exactly as `hoso serve`
//! does (audit entries verified and linked, documents scope- and trust-checked, merged,
//! summarised, indexed, acknowledged, the commune's checkpoint cosigned), in batches of up to
//! [`MAX_DOCS`] cases per transaction.
//!
//! Commune 0 is kept beside the hub (`c000`), the others are deleted once synced.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Instant;

use anyhow::{Context, bail};
use hoso_node::{Author, FirstOfficer, InitOptions, Node, NodeRole, Peer};
use hoso_schemas::Role;
use hoso_sync::protocol::message::MAX_DOCS;
use hoso_sync::protocol::{Message, Session};

use crate::hoso::{OFFICER, PASSPHRASE};
use crate::proc::check_stop;
use crate::setup::PROVINCE;
use crate::stats::r3;
use crate::workload;

/// Cases per import transaction at a commune.
pub(crate) const CHUNK: usize = 10_000;

/// What generation did.
pub(crate) struct Generated {
    /// The hub's node id.
    pub hub_id: String,
    /// Commune 0's node id.
    pub commune0_id: String,
    /// Per commune: import seconds (in its worker thread).
    pub import_s: Vec<f64>,
    /// Per commune: the in-memory sync round into the hub (seconds).
    pub sync_s: Vec<f64>,
    /// Cases the hub received.
    pub cases: u64,
    /// Audit entries the hub received.
    pub audit_received: u64,
    /// Cosignatures the hub made.
    pub cosigned: u64,
}

fn init(dir: &Path, name: &str, commune: Option<&str>) -> anyhow::Result<Node> {
    let first = FirstOfficer {
        id: OFFICER.into(),
        name: "Cán bộ đo hiệu năng".into(),
        role: Role::Supervisor,
        passphrase: PASSPHRASE.into(),
    };
    Node::init_with_officer(
        dir,
        InitOptions {
            name: name.into(),
            role: if commune.is_some() {
                NodeRole::Commune
            } else {
                NodeRole::Hub
            },
            province: PROVINCE.into(),
            commune: commune.map(str::to_string),
            unit_code: None,
            listen: "127.0.0.1:0".into(),
            realm: None,
        },
        Some(&first),
    )
    .with_context(|| format!("creating the node in {}", dir.display()))
}

fn peer_entry(of: &Node, scope: &str) -> Peer {
    let cfg = of.config();
    Peer {
        node_id: of.id(),
        name: cfg.name.clone(),
        role: cfg.role,
        addrs: Vec::new(),
        scope: vec![scope.to_string()],
    }
}

/// Builds commune `index` with `cases` imported cases, peered with `hub`.
fn commune(root: &Path, index: usize, cases: usize, hub: &Peer) -> anyhow::Result<(Node, f64)> {
    check_stop()?;
    let code = workload::commune_code(index);
    let node = init(
        &root.join(format!("c{index:03}")),
        &format!("Xã đo hiệu năng {index}"),
        Some(&code),
    )?;
    node.import_registry(
        "registry.jsonl",
        workload::REGISTRY.as_bytes(),
        &Author::Node,
    )?;
    let by = Author::Officer(node.authenticate(OFFICER, PASSPHRASE)?);
    node.add_peer(&by, hub.clone())?;
    let t = Instant::now();
    let mut done = 0;
    let mut chunk = 0u64;
    while done < cases {
        check_stop()?;
        let n = CHUNK.min(cases - done);
        let text = workload::cases_jsonl(n, 1000 + index as u64 * 1000 + chunk)?;
        node.import_cases(&format!("c{index:03}-{chunk}.jsonl"), text.as_bytes(), &by)
            .with_context(|| format!("importing chunk {chunk} at commune {code}"))?;
        done += n;
        chunk += 1;
    }
    Ok((node, t.elapsed().as_secs_f64()))
}

/// One message as the peer reads it: encoded and decoded as on the wire.
fn wire(m: Message) -> anyhow::Result<Message> {
    Message::decode(&m.encode()).map_err(|e| anyhow::anyhow!("a message did not decode: {e}"))
}

/// A sync round between `commune` (initiator, one round) and `hub` (responder, as `serve`),
/// in memory. Returns the hub side's stats.
pub(crate) fn round(
    commune: &Node,
    hub: &Node,
    hub_seen_by_commune: Peer,
    commune_seen_by_hub: Peer,
) -> anyhow::Result<hoso_sync::RoundStats> {
    let mut c = Session::new(commune.clone(), hub_seen_by_commune, true, true);
    let mut h = Session::new(hub.clone(), commune_seen_by_hub, false, false);
    c.batch_entries = MAX_DOCS;
    h.batch_entries = MAX_DOCS;
    let mut to_hub = VecDeque::from([c.hello()?]);
    let mut to_commune = VecDeque::from([h.hello()?]);
    let mut idle_pumps = 0;
    while !(c.finished() && to_hub.is_empty()) {
        if let Some(m) = to_hub.pop_front() {
            to_commune.extend(h.on_message(wire(m)?)?);
        } else if let Some(m) = to_commune.pop_front() {
            to_hub.extend(c.on_message(wire(m)?)?);
        } else {
            // Nothing in flight: what a driver's tick does.
            idle_pumps += 1;
            if idle_pumps > 100 {
                bail!("the in-memory round stalled before the commune's Done");
            }
            to_hub.extend(c.pump()?);
            to_commune.extend(h.pump()?);
        }
    }
    if c.stats.refused_by_peer > 0 || h.stats.refused_here > 0 {
        bail!(
            "the hub refused {} cases: {:?}",
            c.stats.refused_by_peer.max(h.stats.refused_here),
            c.stats.refusal_reason
        );
    }
    Ok(h.stats.clone())
}

/// Generates the hub in `dir/hub` with `communes × per` cases (`jobs` communes built at once).
pub(crate) fn generate(
    dir: &Path,
    communes: usize,
    per: usize,
    jobs: usize,
) -> anyhow::Result<Generated> {
    let hub = init(&dir.join("hub"), "Hub tỉnh đo hiệu năng", None)?;
    let hub_by = Author::Officer(hub.authenticate(OFFICER, PASSPHRASE)?);
    let hub_peer = peer_entry(&hub, PROVINCE);
    eprintln!(
        "generating: {communes} communes × {per} cases, imported in this process ({jobs} at a time, {CHUNK} per transaction), each synced into the hub by an in-memory session"
    );
    let t = Instant::now();
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::sync_channel::<anyhow::Result<(usize, Node, f64)>>(1);
    let mut out = Generated {
        hub_id: hub.id().to_string(),
        commune0_id: String::new(),
        import_s: vec![0.0; communes],
        sync_s: vec![0.0; communes],
        cases: 0,
        audit_received: 0,
        cosigned: 0,
    };
    std::thread::scope(|sc| -> anyhow::Result<()> {
        for _ in 0..jobs.max(1) {
            let tx = tx.clone();
            let (next, hub_peer) = (&next, &hub_peer);
            sc.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= communes || crate::proc::stop_requested() {
                        break;
                    }
                    let r = commune(dir, i, per, hub_peer).map(|(n, s)| (i, n, s));
                    let failed = r.is_err();
                    if tx.send(r).is_err() || failed {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for (k, r) in rx.into_iter().enumerate() {
            let (i, node, import_s) = r?;
            let code = workload::commune_code(i);
            let seen = peer_entry(&node, &code);
            hub.add_peer(&hub_by, seen.clone())?;
            let ts = Instant::now();
            let st = round(&node, &hub, hub_peer.clone(), seen)
                .with_context(|| format!("syncing commune {code} into the hub"))?;
            let sync_s = ts.elapsed().as_secs_f64();
            out.import_s[i] = r3(import_s);
            out.sync_s[i] = r3(sync_s);
            out.cases += st.docs_received + st.changes_received;
            out.audit_received += st.audit_received;
            out.cosigned += st.checkpoints_witnessed;
            if i == 0 {
                out.commune0_id = node.id().to_string();
            }
            let dir_i: PathBuf = node.dir().to_path_buf();
            drop(node);
            if i != 0 {
                std::fs::remove_dir_all(&dir_i).ok();
            }
            let el = t.elapsed().as_secs_f64();
            eprintln!(
                "  commune {code} ({}/{communes}): imported in {import_s:.1} s, synced in {sync_s:.1} s; {} cases at the hub, {:.0} cases/s so far ({el:.0} s)",
                k + 1,
                out.cases,
                out.cases as f64 / el.max(1e-9)
            );
        }
        Ok(())
    })?;
    check_stop()?;
    Ok(out)
}
