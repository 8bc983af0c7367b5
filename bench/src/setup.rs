//! Building nodes with real `hoso` commands: a hub, and communes holding generated cases.

use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Context;

use crate::hoso::{Hoso, NodeDir, OFFICER, Status};
use crate::proc::{Usage, check_stop};
use crate::workload;

/// The province every bench node is in.
pub(crate) const PROVINCE: &str = "20";

/// A free UDP port on `ip` (bound, read, released).
pub(crate) fn free_port(ip: &str) -> anyhow::Result<u16> {
    Ok(UdpSocket::bind((ip, 0))?.local_addr()?.port())
}

/// A hub node.
pub(crate) struct Hub {
    /// Its data dir.
    pub node: NodeDir,
    /// Its node id.
    pub id: String,
    /// Where it listens.
    pub listen: String,
}

/// `hoso init --role hub` in `root/hub`, listening on `listen`.
pub(crate) fn hub(h: &Hoso, root: &Path, name: &str, listen: &str) -> anyhow::Result<Hub> {
    let mut node = NodeDir::new(root.join(name), name);
    let id = h.init_with_officer(
        &node,
        &[
            "--role",
            "hub",
            "--province",
            PROVINCE,
            "--listen",
            listen,
            "--name",
            "Hub tỉnh đo hiệu năng",
        ],
        OFFICER,
    )?;
    // An officer (created by `init`), so the console bench can log in on the hub.
    h.login(&mut node, OFFICER)?;
    Ok(Hub {
        node,
        id,
        listen: listen.into(),
    })
}

/// A commune node with its imported cases.
pub(crate) struct Commune {
    /// Its data dir.
    pub node: NodeDir,
    /// Its node id.
    pub id: String,
    /// Its commune code.
    pub code: String,
    /// Status after the import.
    pub status: Status,
    /// The import process (bulk import time and peak RSS).
    pub import_s: f64,
    /// Its rusage.
    pub import_usage: Option<Usage>,
}

/// What a commune is built with.
#[derive(Clone)]
pub(crate) struct CommuneSpec {
    /// Index (commune code, seed, dir name).
    pub index: usize,
    /// Cases to import.
    pub cases: usize,
    /// The hub to peer with (id, address).
    pub hub: Option<(String, String)>,
    /// Listen address written to node.toml.
    pub listen: String,
}

/// `hoso init`, first officer, login, registry import, generated cases, `hoso import`, and the
/// hub as a peer: a commune as an operator would set it up.
pub(crate) fn commune(
    h: &Hoso,
    root: &Path,
    registry: &Path,
    spec: &CommuneSpec,
) -> anyhow::Result<Commune> {
    check_stop()?;
    let code = workload::commune_code(spec.index);
    let label = format!("c{:03}", spec.index);
    let mut node = NodeDir::new(root.join(&label), &label);
    let name = format!("Xã đo hiệu năng {}", spec.index);
    let id = h.init_with_officer(
        &node,
        &[
            "--commune",
            &code,
            "--province",
            PROVINCE,
            "--listen",
            &spec.listen,
            "--name",
            &name,
        ],
        OFFICER,
    )?;
    h.login(&mut node, OFFICER)?;
    h.registry_import(&node, registry)?;
    let (mut import_s, mut import_usage) = (0.0, None);
    if spec.cases > 0 {
        let file = root.join(format!("{label}.cases.jsonl"));
        workload::write_cases(&file, spec.cases, 1000 + spec.index as u64)?;
        let exit = h.import(&node, &file)?;
        import_s = exit.wall.as_secs_f64();
        import_usage = exit.usage;
        let _ = std::fs::remove_file(&file);
    }
    if let Some((hub_id, hub_addr)) = &spec.hub {
        h.peer_add(
            &node,
            hub_id,
            Some(hub_addr),
            "hub",
            PROVINCE,
            "Hub tỉnh đo hiệu năng",
        )?;
    }
    let status = h.status(&node)?;
    Ok(Commune {
        node,
        id,
        code,
        status,
        import_s,
        import_usage,
    })
}

/// Builds communes `specs` with `jobs` in parallel; returns them in index order.
pub(crate) fn communes(
    h: &Hoso,
    root: &Path,
    registry: &Path,
    specs: &[CommuneSpec],
    jobs: usize,
) -> anyhow::Result<Vec<Commune>> {
    let next = AtomicUsize::new(0);
    let out: Mutex<Vec<Option<Commune>>> = Mutex::new((0..specs.len()).map(|_| None).collect());
    let err: Mutex<Option<anyhow::Error>> = Mutex::new(None);
    let phase = crate::progress::Phase::start(
        &format!("setting up {} communes", specs.len()),
        specs.len() as u64,
    );
    std::thread::scope(|s| {
        for _ in 0..jobs.max(1) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= specs.len() || err.lock().map(|e| e.is_some()).unwrap_or(true) {
                        break;
                    }
                    match commune(h, root, registry, &specs[i]) {
                        Ok(c) => {
                            if let Ok(mut o) = out.lock() {
                                o[i] = Some(c);
                            }
                            phase.inc(1);
                            if !phase.drawing()
                                && ((i + 1).is_multiple_of(10) || i + 1 == specs.len())
                            {
                                eprintln!("  communes set up: {}/{}", i + 1, specs.len());
                            }
                        }
                        Err(e) => {
                            if let Ok(mut slot) = err.lock() {
                                slot.get_or_insert(e.context(format!("setting up commune {i}")));
                            }
                        }
                    }
                }
            });
        }
    });
    if let Some(e) = err.into_inner().ok().flatten() {
        return Err(e);
    }
    out.into_inner()
        .map_err(|_| anyhow::anyhow!("a setup thread panicked"))?
        .into_iter()
        .enumerate()
        .map(|(i, c)| c.with_context(|| format!("commune {i} was not set up")))
        .collect()
}

/// Adds every commune as a peer of the hub (one `hoso peer add` each).
pub(crate) fn peer_hub_with(h: &Hoso, hub: &Hub, communes: &[Commune]) -> anyhow::Result<()> {
    for c in communes {
        check_stop()?;
        h.peer_add(
            &hub.node,
            &c.id,
            None,
            "commune",
            &c.code,
            &format!("Xã {}", c.code),
        )?;
    }
    Ok(())
}

/// A work dir: a temp dir removed on drop unless kept.
pub(crate) struct WorkDir {
    tmp: Option<tempfile::TempDir>,
    path: PathBuf,
}

impl WorkDir {
    /// A fresh temp dir under `base` (default: the system temp dir); `keep` leaves it on disk.
    pub(crate) fn new(base: Option<&Path>, prefix: &str, keep: bool) -> anyhow::Result<WorkDir> {
        let mut b = tempfile::Builder::new();
        b.prefix(prefix);
        let tmp = match base {
            Some(d) => {
                std::fs::create_dir_all(d)?;
                b.tempdir_in(d)
            }
            None => b.tempdir(),
        }
        .context("creating the work dir")?;
        let path = tmp.path().to_path_buf();
        Ok(if keep {
            WorkDir {
                path: tmp.keep(),
                tmp: None,
            }
        } else {
            WorkDir {
                tmp: Some(tmp),
                path,
            }
        })
    }

    /// Its path.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Whether it is removed on drop.
    pub(crate) fn is_temporary(&self) -> bool {
        self.tmp.is_some()
    }
}
