//! peer, serve, sync, and the sync part of status.

use std::process::ExitCode;

use hoso_node::{Node, NodeId, NodeRole, Peer, Peers};
use serde::Serialize;

use crate::cli::{Cli, PeerCmd, ServeArgs, SyncArgs};
use crate::data_dir::open;
use crate::exit::UsageError;
use crate::output;

fn node_id(s: &str) -> anyhow::Result<NodeId> {
    s.trim().parse::<NodeId>().map_err(|e| {
        UsageError(format!(
            "{e}; copy the id that `hoso id` prints on that node"
        ))
        .into()
    })
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

/// `hoso peer …`.
pub(super) fn peer(cli: &Cli, cmd: &PeerCmd) -> anyhow::Result<ExitCode> {
    let node = open(cli)?;
    let peers = Peers::load(node.dir())?;
    match cmd {
        PeerCmd::Add {
            node_id: id,
            addrs,
            role,
            name,
            scope,
        } => {
            let role: NodeRole = role.parse()?;
            let p = Peer {
                node_id: node_id(id)?,
                name: name.clone().unwrap_or_default(),
                role,
                addrs: addrs.clone(),
                scope: scope.clone(),
            };
            if node.is_retired(&p.node_id)? {
                return Err(UsageError(format!(
                    "node {} was retired (replaced by another node): it may not be a peer again",
                    p.node_id.short()
                ))
                .into());
            }
            // Whom the node syncs with is a supervisor's decision, on the chain.
            let by = hoso_node::Author::Officer(crate::auth::acting(cli, &node)?);
            let saved = node.add_peer(&by, p)?;
            if cli.json {
                output::json(&saved)?;
            } else {
                println!(
                    "peer {} ({}, {}) scope {} at {}",
                    saved.name,
                    saved.role.as_str(),
                    saved.node_id.short(),
                    saved.scope.join(","),
                    if saved.addrs.is_empty() {
                        "(it dials this node)".to_string()
                    } else {
                        saved.addrs.join(", ")
                    }
                );
            }
        }
        PeerCmd::List => {
            if cli.json {
                output::json(&peers.peer)?;
            } else if peers.peer.is_empty() {
                println!(
                    "no peers: add one with `hoso peer add NODE_ID --addr IP:PORT --role hub|commune`"
                );
            } else {
                let rows: Vec<Vec<String>> = peers
                    .peer
                    .iter()
                    .map(|p| {
                        vec![
                            p.node_id.to_string(),
                            p.name.clone(),
                            p.role.as_str().to_string(),
                            p.scope.join(","),
                            p.addrs.join(","),
                        ]
                    })
                    .collect();
                output::table(&["node id", "name", "role", "scope", "addresses"], &rows);
            }
        }
        PeerCmd::Remove { node_id: id } => {
            let id = node_id(id)?;
            if peers.get(&id).is_none() {
                return Err(UsageError(format!(
                    "no peer {id} in the peers file; see `hoso peer list`"
                ))
                .into());
            }
            let by = hoso_node::Author::Officer(crate::auth::acting(cli, &node)?);
            if !node.remove_peer(&by, &id)? {
                return Err(UsageError(format!(
                    "no peer {id} in the peers file; see `hoso peer list`"
                ))
                .into());
            }
            println!("removed peer {}", id.short());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `hoso serve`: runs the sync engine until SIGINT or SIGTERM.
pub(super) fn serve(cli: &Cli, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let node = open(cli)?;
    // A long-running node folds long case histories off the write path (issue 13).
    node.fold_in_background();
    // And packs the page slack of random-order inserts back, a short step at a time (issue 13).
    node.repack_in_background();
    let bind = match &args.listen {
        Some(l) => Some(
            l.parse()
                .map_err(|_| UsageError(format!("--listen `{l}` is not IP:PORT")))?,
        ),
        None => None,
    };
    let rt = runtime()?;
    rt.block_on(async move {
        let engine = hoso_sync::Engine::start(
            node.clone(),
            hoso_sync::EngineOptions {
                bind,
                relays: args.relays,
                no_dial: false,
            },
        )
        .await?;
        let addrs: Vec<String> = engine.local_addrs().iter().map(std::string::ToString::to_string).collect();
        println!(
            "serving {} ({}) node id {} on {}",
            node.config().name,
            node.config().role.as_str(),
            node.id(),
            addrs.join(", ")
        );
        let peers = Peers::load(node.dir())?;
        if peers.peer.is_empty() {
            println!("no peers yet: add one with `hoso peer add` (takes effect for incoming connections at once, for dialing at the next start)");
        }
        let mut status = node.sync_status();
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        let mut last_online: Vec<(NodeId, bool)> = Vec::new();
        loop {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => break,
                _ = term.recv() => break,
                r = status.changed() => {
                    if r.is_err() { break; }
                    let s = status.borrow().clone();
                    for p in &s.peers {
                        let prev = last_online.iter().find(|(id, _)| *id == p.node_id).map(|x| x.1);
                        if prev != Some(p.online) {
                            println!(
                                "peer {} {}{}",
                                p.name,
                                if p.online { "online" } else { "offline" },
                                p.last_error.as_deref().map(|e| format!(" ({e})")).unwrap_or_default()
                            );
                        }
                    }
                    last_online = s.peers.iter().map(|p| (p.node_id, p.online)).collect();
                }
            }
        }
        println!("shutting down");
        engine.shutdown().await;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// `hoso sync [--peer ID] [--once]`.
pub(super) fn sync(cli: &Cli, args: &SyncArgs) -> anyhow::Result<ExitCode> {
    let node = open(cli)?;
    let only = args.peer.as_deref().map(node_id).transpose()?;
    let rt = runtime()?;
    let observer_for = |p: &hoso_node::Peer| crate::progress::sync_observer(&p.name);
    let observer_for: Option<&(dyn Fn(&hoso_node::Peer) -> hoso_sync::net::Observer + Sync)> =
        crate::progress::draws(cli).then_some(&observer_for);
    let rounds = rt.block_on(hoso_sync::sync_once_observed(
        &node,
        only,
        args.relays,
        observer_for,
    ))?;
    let failed = rounds.iter().any(|r| r.error.is_some());
    // A round whose data the peer refused did not succeed, whatever else moved.
    let refused: Vec<_> = rounds
        .iter()
        .filter_map(|r| r.stats.as_ref().map(|s| (r, s)))
        .filter(|(_, s)| s.refused_by_peer > 0 || s.too_large > 0)
        .collect();
    if cli.json {
        output::json(&rounds)?;
    } else {
        for r in &rounds {
            match (&r.stats, &r.error) {
                (Some(s), _) => println!(
                    "{}: sent {} docs + {} changes, received {} docs + {} changes, audit {} out / {} in, {} conflicts, {} refused by peer, {} refused here, {} B out / {} B in, {} ms",
                    r.name,
                    s.docs_sent,
                    s.changes_sent,
                    s.docs_received,
                    s.changes_received,
                    s.audit_sent,
                    s.audit_received,
                    s.conflicts,
                    s.refused_by_peer,
                    s.refused_here,
                    s.bytes_out,
                    s.bytes_in,
                    r.ms
                ),
                // A failed round is an error: on stderr, like every error of the CLI.
                (None, Some(e)) => eprintln!("error: {}: sync failed: {e}", r.name),
                (None, None) => {}
            }
        }
    }
    for r in &rounds {
        if let Some(s) = &r.stats {
            if let Some(v) = s.catalog_applied
                && !cli.json
            {
                println!("{}: catalog version {v} applied", r.name);
            }
            if s.catalog_refused > 0 {
                eprintln!(
                    "error: {}: a catalog bundle was refused (see the log); the catalog in force did not change",
                    r.name
                );
            }
        }
    }
    for (r, s) in &refused {
        if s.refused_by_peer > 0 {
            eprintln!(
                "error: {} refused {} case(s) sent by this node and quarantined them ({}); they are not on that node: ask its operator to look at `hoso status` there",
                r.name,
                s.refused_by_peer,
                s.refusal_reason.as_deref().unwrap_or("no reason given")
            );
        }
        if s.too_large > 0 {
            eprintln!(
                "error: {} case(s) were not sent to {} because one of their changes is over the {} MiB sync part limit",
                s.too_large,
                r.name,
                hoso_sync::protocol::session::PART_BYTES >> 20
            );
        }
    }
    Ok(if failed || !refused.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// One peer in `hoso status`.
#[derive(Debug, Serialize)]
pub(super) struct PeerSummary {
    /// The peer.
    #[serde(flatten)]
    pub peer: Peer,
    /// Its feed seq up to which its cases are durable here.
    pub received_through: u64,
    /// Cases in its scope it is not known to hold in their current version.
    pub pending_cases: u64,
}

/// The sync part of `hoso status`: peers with checkpoints and pending cases, equivocations,
/// audit rows held. `brief` leaves the peers out.
pub(super) fn status_extra(node: &Node, brief: bool) -> anyhow::Result<serde_json::Value> {
    let mut out = serde_json::json!({
        "equivocations": node.equivocations()?,
        "audit_held": audit_held(node)?,
        "quarantined": node.quarantined()?,
        "review": node.review_queue()?.len(),
    });
    if !brief {
        let mut list = Vec::new();
        for p in Peers::load(node.dir())?.peer {
            list.push(PeerSummary {
                received_through: node.sync_checkpoint(&p.node_id)?,
                pending_cases: node.pending_for(&p)?,
                peer: p,
            });
        }
        out["peers"] = serde_json::to_value(list)?;
    }
    Ok(out)
}

/// Row counts of the audit tables (read-only): every chain's entries held here, cosignatures
/// held, checkpoints refused with evidence. `hoso-bench` reads them to tell when a hub holds
/// every entry of its communes and whether it cosigned their checkpoints.
fn audit_held(node: &Node) -> anyhow::Result<serde_json::Value> {
    Ok(serde_json::to_value(node.audit_held()?)?)
}

/// Prints the sync part of `hoso status` as text.
pub(super) fn print_status_extra(v: &serde_json::Value) {
    if let Some(peers) = v["peers"].as_array() {
        if peers.is_empty() {
            println!("peers      none (`hoso peer add`)");
        }
        for p in peers {
            println!(
                "peer       {} ({}) {}: {} cases pending, received through feed seq {}",
                p["name"].as_str().unwrap_or(""),
                p["role"].as_str().unwrap_or(""),
                p["addrs"]
                    .as_array()
                    .map(|a| a
                        .iter()
                        .filter_map(|x| x.as_str())
                        .collect::<Vec<_>>()
                        .join(","))
                    .unwrap_or_default(),
                p["pending_cases"],
                p["received_through"]
            );
        }
    }
    let held = &v["audit_held"];
    if held.is_object() {
        println!(
            "held       {} audit entries (all chains), {} cosignatures, {} refused checkpoints",
            held["entries"], held["cosignatures"], held["refused_checkpoints"]
        );
    }
    if let Some(q) = v["quarantined"].as_array()
        && !q.is_empty()
    {
        println!(
            "QUARANTINE {} received case(s) not merged (a change no audit entry accounts for, out of scope, or invalid):",
            q.len()
        );
        for e in q.iter().take(20) {
            println!(
                "  case {} from {} ({}, {}×): {}",
                e["case_id"].as_str().unwrap_or(""),
                e["peer"]
                    .as_str()
                    .map(|p| &p[..p.len().min(12)])
                    .unwrap_or(""),
                e["kind"].as_str().unwrap_or(""),
                e["count"],
                e["reason"].as_str().unwrap_or("")
            );
        }
        if q.len() > 20 {
            println!("  … and {} more (`hoso status --json`)", q.len() - 20);
        }
    }
    if let Some(n) = v["review"].as_u64()
        && n > 0
    {
        println!("review     {n} case(s) flagged for review: `hoso case conflicts`");
    }
    if let Some(eq) = v["equivocations"].as_array()
        && !eq.is_empty()
    {
        println!(
            "EQUIVOCATION {} forked audit entries held as evidence (a node signed two different entries at one seq):",
            eq.len()
        );
        for e in eq {
            println!(
                "  node {} seq {}: kept {} other {}",
                e["origin"].as_str().unwrap_or(""),
                e["seq"],
                e["kept"].as_str().unwrap_or(""),
                e["other"].as_str().unwrap_or("")
            );
        }
    }
}
