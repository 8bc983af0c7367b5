//! `hoso node restore --from FILE | --resume` (issue 12; `hoso_node::restore`): unpack the
//! backup into an empty data dir, ask the hub for everything the node did since the backup
//! before anything is written, then start a new chain incarnation with receipt sequences past
//! every code held.

use std::process::ExitCode;

use hoso_node::{Node, NodeRole, Peers};

use crate::cli::{Cli, NodeCmd};
use crate::data_dir::data_dir;
use crate::exit::UsageError;
use crate::output;

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

/// Runs `hoso node …`.
pub(super) fn run(cli: &Cli, cmd: &NodeCmd) -> anyhow::Result<ExitCode> {
    let (from, resume, offline, from_hub, predecessor) = match cmd {
        NodeCmd::Restore {
            from,
            resume,
            offline,
            from_hub,
            predecessor,
        } => (from, resume, offline, *from_hub, predecessor),
        NodeCmd::Retire { node_id, successor } => return retire(cli, node_id, successor),
    };
    let dir = data_dir(cli);
    let node = if from_hub {
        let node = Node::open(&dir)?;
        let old = parse_id(predecessor.as_deref().unwrap_or(""))?;
        if !Peers::load(&dir)?
            .peer
            .iter()
            .any(|p| p.role == NodeRole::Hub)
        {
            return Err(UsageError(
                "--from-hub needs the hub in peers.toml: `hoso peer add HUB_ID --addr IP:PORT --role hub`".into(),
            )
            .into());
        }
        if *offline {
            return Err(
                UsageError("--from-hub cannot be --offline: the hub is the source".into()).into(),
            );
        }
        if !node.is_restoring()? {
            node.begin_restore_from_hub(&old)?;
        }
        if !cli.json {
            println!(
                "node {} takes the place of {}: asking the hub for its commune's cases and chains",
                node.id().short(),
                old.short()
            );
        }
        node
    } else if *resume {
        let node = Node::open(&dir)?;
        if !node.is_restoring()? {
            return Err(hoso_node::restore::RestoreError::NotRestoring.into());
        }
        node
    } else {
        let Some(from) = from else {
            return Err(UsageError("give the backup: --from FILE".into()).into());
        };
        let (node, info) = Node::restore_from_backup(from, &dir)?;
        if !cli.json {
            crate::output::safe_println!(
                "restored {} ({}) from the backup taken {}: {} cases, chain of {} entries",
                info.name,
                super::backup::short(&info.node_id),
                super::backup::taken_vn(&info.taken_at),
                info.cases,
                info.chain_length
            );
        }
        node
    };
    let hubs: Vec<String> = Peers::load(&dir)?
        .peer
        .iter()
        .filter(|p| p.role == NodeRole::Hub)
        .map(|p| p.name.clone())
        .collect();
    let mut asked = Vec::new();
    if hubs.is_empty() || *offline {
        if !cli.json {
            if hubs.is_empty() {
                println!("no hub in peers.toml: nothing to ask before writing");
            } else {
                println!(
                    "--offline: not asking {} first; writes made after the backup and not in it may be lost",
                    hubs.join(", ")
                );
            }
        }
    } else {
        let rt = runtime()?;
        let rounds = rt.block_on(hoso_sync::sync_once(&node, None, false))?;
        for r in &rounds {
            match (&r.stats, &r.error) {
                (Some(s), _) => asked.push(serde_json::json!({
                    "peer": r.name,
                    "audit_entries_received": s.audit_received,
                    "docs_received": s.docs_received,
                    "changes_received": s.changes_received,
                })),
                (None, e) => {
                    return Err(anyhow::anyhow!(
                        "could not reach {} ({}): the node stays in restore and officers cannot write; run `hoso node restore --resume` when the hub is reachable (or `--resume --offline` to go on without it)",
                        r.name,
                        e.as_deref().unwrap_or("no answer")
                    ));
                }
            }
        }
        if !cli.json {
            for a in &asked {
                println!(
                    "asked {}: {} audit entries, {} documents, {} changes this node lacked",
                    a["peer"].as_str().unwrap_or(""),
                    a["audit_entries_received"],
                    a["docs_received"],
                    a["changes_received"]
                );
            }
        }
    }
    let report = node.finish_restore()?;
    drop(node);
    // The new incarnation's actor: reopen, then tell the hub (best effort: `serve` will).
    let node = Node::open(&dir)?;
    let mut sent = false;
    if !hubs.is_empty() && !*offline {
        let rt = runtime()?;
        sent = rt
            .block_on(hoso_sync::sync_once(&node, None, false))
            .is_ok_and(|r| r.iter().all(|r| r.error.is_none()));
    }
    if cli.json {
        output::json(&serde_json::json!({
            "restore": report,
            "asked": asked,
            "synced_after": sent,
            "node_id": node.id().to_string(),
        }))?;
    } else {
        println!(
            "new chain incarnation {} (chain: {} entries in the backup, {} held before the new incarnation); {} day(s) of receipt codes moved past codes the backup lacked; {} cases",
            report.incarnation,
            report.restored_chain,
            report.chain_from_hub,
            report.receipt_days_moved,
            report.cases
        );
        if !report.officers_carried.is_empty() {
            println!(
                "officer accounts of the old node, created again here (hand each officer their one-time passphrase; they must set their own with `hoso officer passwd` first):"
            );
            for o in &report.officers_carried {
                match (&o.one_time_passphrase, o.disabled) {
                    (_, true) => println!(
                        "  {} ({}, {}): disabled, as on the old node",
                        o.id,
                        o.name,
                        o.role.as_str()
                    ),
                    (Some(p), false) => println!(
                        "  {} ({}, {}): one-time passphrase {p}",
                        o.id,
                        o.name,
                        o.role.as_str()
                    ),
                    (None, false) => println!(
                        "  {} ({}, {}): no passphrase: run `hoso officer reset {}`",
                        o.id,
                        o.name,
                        o.role.as_str(),
                        o.id
                    ),
                }
            }
        }
        println!("the node may write again: start `hoso serve` (or the console)");
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_id(s: &str) -> anyhow::Result<hoso_node::NodeId> {
    s.parse().map_err(|_| {
        UsageError(format!(
            "`{s}` is not a node id (64 hex characters; `hoso id` prints it)"
        ))
        .into()
    })
}

/// `hoso node retire OLD --successor NEW` (hub).
fn retire(cli: &Cli, old: &str, successor: &str) -> anyhow::Result<ExitCode> {
    let node = crate::data_dir::open(cli)?;
    let old = parse_id(old)?;
    let new = parse_id(successor)?;
    let peers = Peers::load(node.dir())?;
    if peers.get(&new).is_none() {
        return Err(UsageError(format!(
            "the successor {} is not in peers.toml: enroll it first (`hoso peer add {new} --role commune --scope CODE --addr IP:PORT`)",
            new.short()
        ))
        .into());
    }
    // Retiring a node, like enrolling one, is a supervisor's decision, on the chain.
    let by = hoso_node::Author::Officer(crate::auth::acting(cli, &node)?);
    node.retire_node(&by, &old, &new)?;
    let removed = peers.get(&old).is_some() && node.remove_peer(&by, &old)?;
    if cli.json {
        output::json(
            &serde_json::json!({"retired": old.to_string(), "successor": new.to_string(), "removed_from_peers": removed}),
        )?;
    } else {
        println!(
            "node {} retired in favour of {}{}: it is refused from now on",
            old.short(),
            new.short(),
            if removed {
                ", removed from peers.toml"
            } else {
                ""
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}
