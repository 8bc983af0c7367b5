//! `hoso-bench link`: a hub and a commune in two network namespaces over a shaped veth link
//! (root only; see [`crate::netns`]): `--rate-kbit` with tbf, `--loss-pct` random drops each
//! way, `--rtt-ms` from a delay relay in the hub's namespace, and link cuts from nft rules.
//!
//! Two fresh hub/commune pairs with the same `--cases` generated cases:
//! 1. clean: commune `hoso serve` until the hub holds every case and entry: time and wire bytes
//!    (veth counters, both directions) per case; then the live push median (`hoso case note` at
//!    the commune until `hoso case show` at the hub has it), then a permanent cut and the time
//!    until each side's `serve` prints that the peer is offline (dead peer noticed);
//! 2. cut: the same transfer with a `--cut-s` cut `--cut-at-s` in and every `--cut-every-s`
//!    after: time, wire bytes, the bytes beyond the clean run, and the cases the hub received
//!    again although it already held them (its `hoso_sync::resent` log lines: a batch whose
//!    ack the cut lost; a case the hub acknowledged is never sent again, since the commune
//!    skips every case whose acknowledged feed position is its latest).
//!
//! Both nodes bind to their veth address (the hub to loopback behind the delay relay when
//! `--rtt-ms` is set), with relays, address lookup and port mapping off (`hoso serve`'s
//! default), and dial each other by direct address. The JSON ends with each of issue 13's
//! targets for the link and whether it was met.

use std::time::{Duration, Instant};

use anyhow::bail;
use clap::Args;
use serde_json::json;

use crate::hoso::{Hoso, NodeDir};
use crate::netns::{self, Link, Shape};
use crate::proc::{Proc, Spec, check_stop};
use crate::setup::{self, CommuneSpec};
use crate::stats::{median, r3};
use crate::{env, workload};

/// `hoso-bench link` options.
#[derive(Args, Debug)]
pub(crate) struct LinkArgs {
    /// Cases at the commune.
    #[arg(long, default_value_t = 1000)]
    pub cases: usize,
    /// Link rate, kbit/s (tbf, each direction).
    #[arg(long, default_value_t = 256)]
    pub rate_kbit: u32,
    /// Random loss, percent, each direction.
    #[arg(long, default_value_t = 5)]
    pub loss_pct: u32,
    /// Round-trip delay added by the relay, ms (0: no relay).
    #[arg(long, default_value_t = 300)]
    pub rtt_ms: u64,
    /// Length of a cut, s.
    #[arg(long, default_value_t = 30)]
    pub cut_s: u64,
    /// First cut this many seconds after the commune starts (cut run).
    #[arg(long, default_value_t = 20)]
    pub cut_at_s: u64,
    /// Then a cut every this many seconds.
    #[arg(long, default_value_t = 120)]
    pub cut_every_s: u64,
    /// Live pushes timed (median).
    #[arg(long, default_value_t = 5)]
    pub live: usize,
    /// Give up a transfer after this many seconds.
    #[arg(long, default_value_t = 900)]
    pub timeout_s: u64,
    #[command(flatten)]
    pub common: crate::Common,
}

struct Pair {
    hub: NodeDir,
    commune: NodeDir,
    cases: u64,
    entries: u64,
}

const RELAY_PORT: u16 = 7600;
const HUB_PORT: u16 = 7521;

fn pair(
    h: &Hoso,
    root: &std::path::Path,
    registry: &std::path::Path,
    link: &Link,
    tag: &str,
    args: &LinkArgs,
) -> anyhow::Result<Pair> {
    let dir = root.join(tag);
    std::fs::create_dir_all(&dir)?;
    let (listen, dial) = if args.rtt_ms > 0 {
        (
            format!("127.0.0.1:{HUB_PORT}"),
            format!("{}:{RELAY_PORT}", link.hub_ip),
        )
    } else {
        (
            format!("{}:{HUB_PORT}", link.hub_ip),
            format!("{}:{HUB_PORT}", link.hub_ip),
        )
    };
    let mut hub = setup::hub(h, &dir, "hub", &listen)?;
    hub.node.netns = Some(link.hub_ns.clone());
    let mut c = setup::commune(
        h,
        &dir,
        registry,
        &CommuneSpec {
            index: 0,
            cases: args.cases,
            hub: Some((hub.id.clone(), dial)),
            listen: format!("{}:0", link.commune_ip),
        },
    )?;
    c.node.netns = Some(link.commune_ns.clone());
    setup::peer_hub_with(h, &hub, std::slice::from_ref(&c))?;
    let hub_entries = h.status(&hub.node)?.audit_entries;
    Ok(Pair {
        hub: hub.node,
        commune: c.node,
        cases: c.status.cases,
        entries: hub_entries + c.status.chain_length,
    })
}

/// Transfer result.
struct Transfer {
    s: f64,
    wire_bytes: u64,
    cuts: usize,
}

/// Runs commune `serve` until the hub holds every case and entry, cutting the link on schedule.
fn transfer(
    h: &Hoso,
    link: &Link,
    p: &Pair,
    cuts: Option<(u64, u64, u64)>,
    timeout: Duration,
) -> anyhow::Result<(Transfer, Proc)> {
    let bytes0 = link.wire_bytes()?;
    let listen = format!("{}:0", link.commune_ip);
    let mut serve = h.spawn(&p.commune, "serve", &["serve", "--listen", &listen])?;
    let t0 = Instant::now();
    let mut cut = false;
    let mut n_cuts = 0;
    let mut next_poll = Instant::now();
    loop {
        check_stop()?;
        let e = t0.elapsed().as_secs();
        let want_cut =
            cuts.is_some_and(|(at, len, every)| e >= at && (e - at) % every.max(1) < len);
        if want_cut != cut {
            link.set_cut(want_cut)?;
            cut = want_cut;
            n_cuts += usize::from(cut);
        }
        if Instant::now() >= next_poll {
            let s = h.status(&p.hub)?;
            if s.cases >= p.cases && s.audit_entries >= p.entries {
                let secs = t0.elapsed().as_secs_f64();
                if cut {
                    link.set_cut(false)?;
                }
                return Ok((
                    Transfer {
                        s: secs,
                        wire_bytes: link.wire_bytes()? - bytes0,
                        cuts: n_cuts,
                    },
                    serve,
                ));
            }
            next_poll = Instant::now() + Duration::from_millis(500);
        }
        if serve.poll()? {
            bail!("the commune's serve exited: {}", serve.stderr_tail());
        }
        if t0.elapsed() > timeout {
            if cut {
                let _ = link.set_cut(false);
            }
            bail!(
                "the hub did not hold all {} cases within {:.0} s",
                p.cases,
                timeout.as_secs_f64()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Runs the link bench and returns its JSON report.
pub(crate) fn run(args: &LinkArgs) -> anyhow::Result<serde_json::Value> {
    netns::preflight()?;
    netns::remove_stale();
    let work = setup::WorkDir::new(
        args.common.work.as_deref(),
        "hoso-bench-link-",
        args.common.keep,
    )?;
    let h = Hoso::new(args.common.hoso_bin()?, work.path().join("logs"))?;
    let mut cond = env::measure(work.path())?;
    let registry = workload::write_registry(work.path())?;
    // Declared before the processes, so it is dropped (namespaces deleted) after they are killed.
    let link = Link::create(Shape {
        rate_kbit: args.rate_kbit,
        loss_pct: args.loss_pct,
        relay_port: (args.rtt_ms > 0).then_some(RELAY_PORT),
    })?;
    let clean = pair(&h, work.path(), &registry, &link, "clean", args)?;
    let cutp = pair(&h, work.path(), &registry, &link, "cut", args)?;
    let _relay = if args.rtt_ms > 0 {
        let me = crate::proc::harness_exe()?;
        let mut p = Proc::spawn(
            &Spec {
                name: "relay".into(),
                program: me,
                args: vec![
                    "__relay".into(),
                    "--listen".into(),
                    format!("{}:{RELAY_PORT}", link.hub_ip).into(),
                    "--to".into(),
                    format!("127.0.0.1:{HUB_PORT}").into(),
                    "--delay-ms".into(),
                    (args.rtt_ms / 2).to_string().into(),
                ],
                env: vec![],
                netns: Some(link.hub_ns.clone()),
                stdin: None,
            },
            &h.logs,
        )?;
        p.wait_line("relay ready", Duration::from_secs(10), |l| {
            l.starts_with("relay ready")
        })?;
        Some(p)
    } else {
        None
    };
    let timeout = Duration::from_secs(args.timeout_s);

    // 1. Clean transfer, live push, dead peer.
    eprintln!("clean transfer of {} cases", clean.cases);
    let mut hub_a = h.spawn(&clean.hub, "serve", &["serve"])?;
    hub_a.wait_line("the serving line", Duration::from_secs(60), |l| {
        l.starts_with("serving")
    })?;
    let (a, mut serve_a) = transfer(&h, &link, &clean, None, timeout)?;
    eprintln!("  {:.1} s; live push", a.s);
    serve_a.wait_line("the hub online", Duration::from_secs(60), |l| {
        l.contains(" online")
    })?;
    let ids = h.case_ids(&clean.commune, args.live)?;
    let mut live_ms = Vec::new();
    for (k, id) in ids.iter().enumerate() {
        let before = h.note_count(&clean.hub, id)?;
        h.note(&clean.commune, id, &format!("Đẩy qua đường truyền yếu {k}"))?;
        let written = Instant::now();
        loop {
            check_stop()?;
            if h.note_count(&clean.hub, id)? > before {
                live_ms.push(written.elapsed().as_secs_f64() * 1000.0);
                break;
            }
            if written.elapsed() > Duration::from_secs(120) {
                bail!("a live note did not reach the hub within 120 s");
            }
            crate::proc::sleep(Duration::from_millis(50))?;
        }
    }
    eprintln!("  dead peer");
    let t_cut = Instant::now();
    link.set_cut(true)?;
    // The first " offline" line printed after the cut (earlier ones are from start-up).
    let offline = |p: &mut Proc| -> anyhow::Result<Option<f64>> {
        loop {
            check_stop()?;
            if let Some((at, _)) = p
                .lines()
                .into_iter()
                .find(|(at, l)| *at >= t_cut && l.contains(" offline"))
            {
                return Ok(Some(at.saturating_duration_since(t_cut).as_secs_f64()));
            }
            if t_cut.elapsed() > Duration::from_secs(120) || p.poll()? {
                return Ok(None);
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    };
    let commune_notice = offline(&mut serve_a)?;
    let hub_notice = offline(&mut hub_a)?;
    link.set_cut(false)?;
    serve_a.stop(Duration::from_secs(20))?;
    hub_a.stop(Duration::from_secs(20))?;

    // 2. The same with cuts.
    eprintln!(
        "transfer with a {} s cut {} s in",
        args.cut_s, args.cut_at_s
    );
    let mut hub_b = h.spawn_env(
        &cutp.hub,
        "serve",
        &["serve"],
        &[("RUST_LOG", "warn,automerge=off,hoso_sync::resent=info")],
    )?;
    hub_b.wait_line("the serving line", Duration::from_secs(60), |l| {
        l.starts_with("serving")
    })?;
    let (b, mut serve_b) = transfer(
        &h,
        &link,
        &cutp,
        Some((args.cut_at_s, args.cut_s, args.cut_every_s)),
        timeout,
    )?;
    serve_b.stop(Duration::from_secs(20))?;
    hub_b.stop(Duration::from_secs(20))?;
    let already_held = already_held(&hub_b.stderr_text());
    cond.load_at_end = env::loadavg();
    let per_case = |bytes: u64| r3(bytes as f64 / clean.cases.max(1) as f64);
    let live_median = median(&mut live_ms.clone());
    let dead = match (commune_notice, hub_notice) {
        (Some(c), Some(h)) => Some(c.max(h)),
        _ => None,
    };
    let targets = json!({
        "wire_bytes_per_case_le_1500": per_case(a.wire_bytes) <= 1500.0,
        "clean_s_le_50": a.s <= 50.0,
        "with_cut_s_le_85": b.s <= 85.0,
        "nothing_acknowledged_resent": already_held.is_some_and(|n| n == 0),
        "live_push_median_le_2000_ms": live_median <= 2000.0,
        "dead_peer_le_5_s": dead.is_some_and(|d| d <= 5.0),
    });
    eprintln!(
        "link: {} cases, clean {:.1} s ({:.0} B/case on the wire), with a {} s cut {} s in {:.1} s, \
         re-received {:?} cases, live push median {:.0} ms, dead peer {:?} s",
        clean.cases,
        a.s,
        per_case(a.wire_bytes),
        args.cut_s,
        args.cut_at_s,
        b.s,
        already_held,
        live_median,
        dead
    );
    Ok(json!({
        "bench": "link",
        "link": {"rate_kbit": args.rate_kbit, "loss_pct_each_way": args.loss_pct, "rtt_ms_added": args.rtt_ms, "cut_s": args.cut_s, "cut_at_s": args.cut_at_s, "cut_every_s": args.cut_every_s},
        "cases": clean.cases,
        "audit_entries_per_case": workload::ENTRIES_PER_IMPORTED_CASE,
        "commune_chain_length": clean.entries,
        "clean": {"s": r3(a.s), "wire_bytes": a.wire_bytes, "wire_bytes_per_case": per_case(a.wire_bytes),
                  "link_utilisation": r3(a.wire_bytes as f64 * 8.0 / (a.s * args.rate_kbit as f64 * 1000.0)) },
        "with_cuts": {"s": r3(b.s), "cuts": b.cuts, "wire_bytes": b.wire_bytes, "wire_bytes_per_case": per_case(b.wire_bytes),
                      "bytes_beyond_clean_run": b.wire_bytes as i64 - a.wire_bytes as i64,
                      "hub_received_already_held": already_held,
                      "already_held_note": "cases the hub received again that it already held (null: its log could not be read); a batch whose ack a cut lost lands here, a case acknowledged before the cut cannot (the commune skips it)"},
        "live_push_ms": {"median": r3(live_median), "samples": live_ms.iter().map(|x| r3(*x)).collect::<Vec<_>>()},
        "dead_peer_noticed_s": {"commune": commune_notice.map(r3), "hub": hub_notice.map(r3), "note": "from the cut until `hoso serve` prints the peer offline; null = not within 120 s"},
        "targets_met": targets,
        "conditions": cond,
    }))
}

/// Sum of `already_held=N` over the hub's `hoso_sync::resent` log lines (`None` if a line
/// cannot be read).
fn already_held(stderr: &str) -> Option<u64> {
    // The log may carry ANSI colours (`ESC [ … m`) around field names.
    let mut plain = String::with_capacity(stderr.len());
    let mut chars = stderr.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            plain.push(c);
        }
    }
    let mut n = 0u64;
    for line in plain.lines().filter(|l| l.contains("hoso_sync::resent")) {
        let v = line
            .split_whitespace()
            .find_map(|w| w.strip_prefix("already_held="))?;
        n += v
            .trim_end_matches(|c: char| !c.is_ascii_digit())
            .parse::<u64>()
            .ok()?;
    }
    Some(n)
}

#[cfg(test)]
mod tests {
    #[test]
    fn already_held_sums_the_resent_lines_with_or_without_colours() {
        let log = "2026-12-01T13:00:00Z  INFO hoso_sync::resent: received cases already held here peer=c upto=40 already_held=3\n\
                   WARN other: x\n\
                   \u{1b}[2m2026\u{1b}[0m \u{1b}[32m INFO\u{1b}[0m \u{1b}[2mhoso_sync::resent\u{1b}[0m\u{1b}[2m:\u{1b}[0m received \u{1b}[3malready_held\u{1b}[0m\u{1b}[2m=\u{1b}[0m4\n";
        assert_eq!(super::already_held(log), Some(7));
        assert_eq!(super::already_held("nothing\n"), Some(0));
    }
}
