//! Two network namespaces joined by a veth pair, shaped with `tbf`, with random loss and link
//! cuts from nftables rules. Everything lives inside the two namespaces, so deleting them (in
//! `Drop`, also after an error or Ctrl-C) removes the veth pair, the qdiscs and the rules.
//!
//! Per namespace, on egress of its veth end:
//! - `tc qdisc … root tbf rate R burst 4kb latency 500ms`;
//! - nftables table `inet hosobench`: chain `out` (hook output) jumps to chain `cut` (empty,
//!   or one `drop` rule while the link is cut), then drops `numgen random mod 100 < LOSS`, and,
//!   with the delay relay, drops UDP that does not go through the relay port (so QUIC cannot
//!   find a direct path that skips the delay).

use std::process::Command;

use anyhow::{Context, bail};

/// Prefix of every namespace this harness creates.
const PREFIX: &str = "hosob-";

/// The shaped link.
pub(crate) struct Link {
    /// Namespace of the hub.
    pub hub_ns: String,
    /// Namespace of the commune.
    pub commune_ns: String,
    hub_if: String,
    commune_if: String,
    /// The hub side's address.
    pub hub_ip: &'static str,
    /// The commune side's address.
    pub commune_ip: &'static str,
    created: Vec<String>,
}

/// How the link is shaped.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Shape {
    /// tbf rate, kbit/s.
    pub rate_kbit: u32,
    /// Random loss per direction, percent.
    pub loss_pct: u32,
    /// Only UDP to/from this relay port may cross (when a delay relay is used).
    pub relay_port: Option<u16>,
}

fn run(program: &str, args: &[&str], stdin: Option<&str>) -> anyhow::Result<String> {
    use std::io::Write;
    let mut cmd = Command::new(program);
    cmd.args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    if stdin.is_some() {
        cmd.stdin(std::process::Stdio::piped());
    }
    let mut child = cmd
        .spawn()
        .with_context(|| format!("running {program} (is it installed?)"))?;
    if let (Some(text), Some(mut i)) = (stdin, child.stdin.take()) {
        i.write_all(text.as_bytes())?;
    }
    let out = child.wait_with_output()?;
    if !out.status.success() {
        bail!(
            "`{program} {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Fails with a clear message unless this process can create namespaces and shape links.
pub(crate) fn preflight() -> anyhow::Result<()> {
    if !nix::unistd::geteuid().is_root() {
        bail!("the link bench needs root (network namespaces, tc, nftables): run it with sudo");
    }
    run("ip", &["-V"], None).context("`ip` (iproute2) is needed")?;
    run("tc", &["-V"], None).context("`tc` (iproute2) is needed")?;
    run("nft", &["--version"], None).context("`nft` is needed: apt-get install -y nftables")?;
    Ok(())
}

/// Deletes namespaces left by earlier runs whose process is gone.
pub(crate) fn remove_stale() {
    let Ok(list) = run("ip", &["netns", "list"], None) else {
        return;
    };
    for name in list.lines().filter_map(|l| l.split_whitespace().next()) {
        let Some(rest) = name.strip_prefix(PREFIX) else {
            continue;
        };
        let pid = rest.split('-').next().unwrap_or("");
        if !pid.is_empty() && !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            let _ = run("ip", &["netns", "del", name], None);
        }
    }
}

impl Link {
    /// Creates both namespaces, the veth pair, addresses, tbf and the nftables rules.
    pub(crate) fn create(shape: Shape) -> anyhow::Result<Link> {
        let pid = std::process::id();
        let mut link = Link {
            hub_ns: format!("{PREFIX}{pid}-h"),
            commune_ns: format!("{PREFIX}{pid}-c"),
            hub_if: format!("hb{pid}h"),
            commune_if: format!("hb{pid}c"),
            hub_ip: "10.213.0.1",
            commune_ip: "10.213.0.2",
            created: Vec::new(),
        };
        for ns in [link.hub_ns.clone(), link.commune_ns.clone()] {
            run("ip", &["netns", "add", &ns], None)?;
            link.created.push(ns);
        }
        run(
            "ip",
            &[
                "link",
                "add",
                &link.hub_if,
                "type",
                "veth",
                "peer",
                "name",
                &link.commune_if,
            ],
            None,
        )?;
        for (ns, ifname, ip) in [
            (&link.hub_ns, &link.hub_if, link.hub_ip),
            (&link.commune_ns, &link.commune_if, link.commune_ip),
        ] {
            run("ip", &["link", "set", ifname, "netns", ns], None)?;
            run(
                "ip",
                &["-n", ns, "addr", "add", &format!("{ip}/30"), "dev", ifname],
                None,
            )?;
            run("ip", &["-n", ns, "link", "set", ifname, "up"], None)?;
            run("ip", &["-n", ns, "link", "set", "lo", "up"], None)?;
            let rate = format!("{}kbit", shape.rate_kbit);
            run(
                "ip",
                &[
                    "netns", "exec", ns, "tc", "qdisc", "add", "dev", ifname, "root", "tbf",
                    "rate", &rate, "burst", "4kb", "latency", "500ms",
                ],
                None,
            )?;
        }
        for (ns, ifname, port_match) in [
            (&link.hub_ns, &link.hub_if, "sport"),
            (&link.commune_ns, &link.commune_if, "dport"),
        ] {
            let relay_rule = shape
                .relay_port
                .map(|p| format!("oifname \"{ifname}\" udp {port_match} != {p} drop\n"))
                .unwrap_or_default();
            let rules = format!(
                "table inet hosobench {{\n\
                 chain cut {{\n}}\n\
                 chain out {{\n\
                 type filter hook output priority 0; policy accept;\n\
                 oifname \"{ifname}\" jump cut\n\
                 {relay_rule}\
                 oifname \"{ifname}\" numgen random mod 100 < {} drop\n\
                 }}\n\
                 }}\n",
                shape.loss_pct
            );
            run("ip", &["netns", "exec", ns, "nft", "-f", "-"], Some(&rules))?;
        }
        Ok(link)
    }

    /// Cuts the link (both directions drop everything) or restores it.
    pub(crate) fn set_cut(&self, cut: bool) -> anyhow::Result<()> {
        for ns in [&self.hub_ns, &self.commune_ns] {
            if cut {
                run(
                    "ip",
                    &[
                        "netns",
                        "exec",
                        ns,
                        "nft",
                        "add",
                        "rule",
                        "inet",
                        "hosobench",
                        "cut",
                        "drop",
                    ],
                    None,
                )?;
            } else {
                run(
                    "ip",
                    &[
                        "netns",
                        "exec",
                        ns,
                        "nft",
                        "flush",
                        "chain",
                        "inet",
                        "hosobench",
                        "cut",
                    ],
                    None,
                )?;
            }
        }
        Ok(())
    }

    /// Bytes that crossed the wire (both directions, as the commune's veth counts them).
    pub(crate) fn wire_bytes(&self) -> anyhow::Result<u64> {
        let out = run(
            "ip",
            &[
                "-n",
                &self.commune_ns,
                "-s",
                "-j",
                "link",
                "show",
                "dev",
                &self.commune_if,
            ],
            None,
        )?;
        let v: serde_json::Value = serde_json::from_str(&out).context("parsing `ip -j -s link`")?;
        let s = &v[0]["stats64"];
        Ok(s["rx"]["bytes"].as_u64().unwrap_or(0) + s["tx"]["bytes"].as_u64().unwrap_or(0))
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        // Deleting a namespace removes its veth end (and so the pair), qdiscs and rules.
        for ns in self.created.drain(..) {
            let _ = run("ip", &["netns", "del", &ns], None);
        }
        // In case it never left the root namespace.
        let _ = run("ip", &["link", "del", &self.hub_if], None);
    }
}
