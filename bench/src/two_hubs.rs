//! `hoso-bench two-hubs`: two hubs for one province (issue 13, target 8), as separate `hoso
//! serve` processes on loopback. A commune peers with both hubs and the hubs with each other;
//! once both hubs hold the commune's cases, one hub is killed with SIGKILL and the commune's
//! officer writes notes (`hoso case note`, each its own process, as at the desk). Reported:
//! the time from the kill until the first new note is at the surviving hub, the time from each
//! later note's write until it is there, and, after the killed hub restarts with the commune
//! stopped, how long it takes to catch up from the other hub alone; then `hoso audit verify`
//! on all three stores.
//!
//! The hub is polled with `hoso --json case show` (a process each), so every figure includes
//! up to one poll of delay and a process start.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Args;
use serde::Serialize;

use crate::hoso::{Hoso, NodeDir, SHORT};
use crate::node::Latency;
use crate::setup::{self, CommuneSpec};
use crate::{env, workload};

/// `hoso-bench two-hubs`.
#[derive(Args, Debug)]
pub(crate) struct TwoHubsArgs {
    /// Cases imported at the commune before the hubs start.
    #[arg(long, default_value_t = 200)]
    pub cases: usize,
    /// Notes written after the kill.
    #[arg(long, default_value_t = 10)]
    pub notes: usize,
    /// Give up waiting for any one step after this many seconds.
    #[arg(long, default_value_t = 120)]
    pub timeout_s: u64,
    #[command(flatten)]
    pub common: crate::Common,
}

#[derive(Debug, Serialize)]
struct TwoHubs {
    conditions: env::Conditions,
    cases: usize,
    initial_both_hubs_s: f64,
    kill_to_first_write_at_surviving_hub_ms: f64,
    write_to_surviving_hub: Latency,
    /// The `hoso case note` process alone (start, authenticate, durable write, exit): the rest
    /// of `write_to_surviving_hub` is the commune's `serve` noticing a write made by another
    /// process (its 500 ms pump tick), the push, and the poll.
    note_process: Latency,
    killed_hub_restart_to_caught_up_s: f64,
    audit_verify_ok: Vec<(String, bool)>,
}

fn wait(
    what: &str,
    timeout: Duration,
    mut f: impl FnMut() -> anyhow::Result<bool>,
) -> anyhow::Result<Duration> {
    let t = Instant::now();
    while !f()? {
        if t.elapsed() > timeout {
            bail!("{what}: not within {} s", timeout.as_secs());
        }
        crate::proc::sleep(Duration::from_millis(20))?;
    }
    Ok(t.elapsed())
}

/// Runs the two-hub bench and returns its JSON report.
pub(crate) fn run(args: &TwoHubsArgs) -> anyhow::Result<serde_json::Value> {
    crate::warn_if_debug("two-hubs");
    let work = setup::WorkDir::new(
        args.common.work.as_deref(),
        "hoso-bench-two-hubs-",
        args.common.keep,
    )?;
    let h = Hoso::new(args.common.hoso_bin()?, work.path().join("logs"))?;
    let cond = env::measure(work.path())?;
    let registry = workload::write_registry(work.path())?;
    let timeout = Duration::from_secs(args.timeout_s);

    let (pa, pb) = (
        setup::free_port("127.0.0.1")?,
        setup::free_port("127.0.0.1")?,
    );
    let a = setup::hub(&h, work.path(), "hub-a", &format!("127.0.0.1:{pa}"))?;
    let b = setup::hub(&h, work.path(), "hub-b", &format!("127.0.0.1:{pb}"))?;
    let c = setup::commune(
        &h,
        work.path(),
        &registry,
        &CommuneSpec {
            index: 0,
            cases: args.cases,
            hub: Some((a.id.clone(), a.listen.clone())),
            listen: "127.0.0.1:0".into(),
        },
    )?;
    let province = setup::PROVINCE;
    h.peer_add(&c.node, &b.id, Some(&b.listen), "hub", province, "Hub B")?;
    for (hub, other, name) in [(&a, &b, "Hub B"), (&b, &a, "Hub A")] {
        h.peer_add(&hub.node, &c.id, None, "commune", &c.code, "Xã đo")?;
        h.peer_add(
            &hub.node,
            &other.id,
            Some(&other.listen),
            "hub",
            province,
            name,
        )?;
    }
    let case = h
        .case_ids(&c.node, 1)?
        .into_iter()
        .next()
        .context("the commune holds no case")?;
    let notes = |n: &NodeDir| h.note_count(n, &case).unwrap_or(0);

    let serving = |p: &mut crate::proc::Proc| {
        p.wait_line("the serving line", Duration::from_secs(60), |l| {
            l.starts_with("serving")
        })
        .map(|_| ())
    };
    let mut pa_proc = h.spawn(&a.node, "serve", &["serve"])?;
    serving(&mut pa_proc)?;
    let mut pb_proc = h.spawn(&b.node, "serve", &["serve"])?;
    serving(&mut pb_proc)?;
    let t0 = Instant::now();
    let mut pc_proc = h.spawn(&c.node, "serve", &["serve", "--listen", "127.0.0.1:0"])?;
    serving(&mut pc_proc)?;
    let want = c.status.cases;
    wait("both hubs hold the commune's cases", timeout, || {
        Ok(h.status(&a.node)?.cases >= want && h.status(&b.node)?.cases >= want)
    })?;
    let initial_both_hubs_s = t0.elapsed().as_secs_f64();

    eprintln!("killing hub B (SIGKILL); writing {} notes", args.notes);
    pb_proc.kill();
    let killed = Instant::now();
    let mut first = None;
    let mut samples = Vec::new();
    let mut note_walls = Vec::new();
    for i in 0..args.notes.max(1) {
        let before = notes(&a.node);
        let t = Instant::now();
        let e = h.note(&c.node, &case, &format!("Ghi chú {i} khi hub B ngừng"))?;
        note_walls.push(e.wall);
        wait("the note reaches hub A", timeout, || {
            Ok(notes(&a.node) > before)
        })?;
        if first.is_none() {
            first = Some(killed.elapsed());
        } else {
            samples.push(t.elapsed());
        }
    }
    let want_notes = notes(&a.node);
    pc_proc.stop(Duration::from_secs(10))?;

    eprintln!("restarting hub B with the commune stopped");
    let t = Instant::now();
    let mut pb_proc = h.spawn(&b.node, "serve", &["serve"])?;
    serving(&mut pb_proc)?;
    wait("hub B catches up from hub A", timeout, || {
        Ok(notes(&b.node) >= want_notes)
    })?;
    let caught_up = t.elapsed();
    pb_proc.stop(Duration::from_secs(10))?;
    pa_proc.stop(Duration::from_secs(10))?;

    let mut audit_verify_ok = Vec::new();
    for (label, n) in [("hub-a", &a.node), ("hub-b", &b.node), ("commune", &c.node)] {
        let ok = h.run(n, "verify", &["audit", "verify"], SHORT).is_ok();
        audit_verify_ok.push((label.to_string(), ok));
    }
    let r = TwoHubs {
        conditions: cond,
        cases: args.cases,
        initial_both_hubs_s,
        kill_to_first_write_at_surviving_hub_ms: first.unwrap_or_default().as_secs_f64() * 1e3,
        write_to_surviving_hub: Latency::of(samples),
        note_process: Latency::of(note_walls),
        killed_hub_restart_to_caught_up_s: caught_up.as_secs_f64(),
        audit_verify_ok,
    };
    Ok(serde_json::to_value(r)?)
}
