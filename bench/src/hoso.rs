//! Driving the real `hoso` binary: one node = one data dir, every step a `hoso` command.
//!
//! [`Hoso::login`] is the one place the harness authenticates before writes: it runs
//! `hoso login ID --passphrase-stdin`, and the following write commands of that node act under
//! the session it opened (bound to this OS user, 8 hours) with `HOSO_OFFICER` naming the same
//! officer.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context, bail};
use serde_json::Value;

use crate::proc::{Exit, Proc, Spec, describe};

/// Timeout for short administrative commands (init, peer add, status…).
pub(crate) const SHORT: Duration = Duration::from_secs(120);
/// Timeout for bulk commands (import of 100k cases, a sync round over a slow link).
pub(crate) const LONG: Duration = Duration::from_secs(3600);

/// The passphrase of every officer the harness creates.
pub(crate) const PASSPHRASE: &str = "bench-pass";
/// The officer the harness writes as (the fixtures' desk officer).
pub(crate) const OFFICER: &str = hoso_fixtures::cases::OFFICER;

/// The `hoso` binary and where child logs go.
pub(crate) struct Hoso {
    /// Path of the `hoso` binary.
    pub bin: PathBuf,
    /// Child logs (stderr, rusage reports).
    pub logs: PathBuf,
    seq: AtomicU64,
}

/// An authenticated officer session: what write commands carry.
#[derive(Clone, Debug, Default)]
pub(crate) struct Session {
    env: Vec<(String, String)>,
}

/// One node's data dir, and the network namespace its network commands run in.
#[derive(Clone, Debug)]
pub(crate) struct NodeDir {
    /// The data dir.
    pub dir: PathBuf,
    /// Network namespace for `serve`/`sync` (link bench), none on loopback.
    pub netns: Option<String>,
    /// The logged-in officer, for writes.
    pub session: Option<Session>,
    /// A short label for logs.
    pub label: String,
}

impl NodeDir {
    /// A node in `dir`, labelled `label`.
    pub(crate) fn new(dir: PathBuf, label: &str) -> NodeDir {
        NodeDir {
            dir,
            netns: None,
            session: None,
            label: label.into(),
        }
    }
}

/// What `hoso --json status` says, as far as the benches need it.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub(crate) struct Status {
    /// Cases held.
    pub cases: u64,
    /// Size of the store file.
    pub store_bytes: u64,
    /// Length of this node's own audit chain.
    pub chain_length: u64,
    /// Audit entries held, every chain.
    pub audit_entries: u64,
    /// Cosignatures held.
    pub cosignatures: u64,
    /// Checkpoints this node refused to cosign (evidence kept).
    pub refused_checkpoints: u64,
}

impl Hoso {
    /// The binary at `bin`, logs in `logs` (created).
    pub(crate) fn new(bin: PathBuf, logs: PathBuf) -> anyhow::Result<Hoso> {
        if !bin.is_file() {
            bail!(
                "no hoso binary at {}: build it with `cargo build --release -p hoso` or pass --hoso PATH",
                bin.display()
            );
        }
        std::fs::create_dir_all(&logs).with_context(|| format!("creating {}", logs.display()))?;
        Ok(Hoso {
            bin,
            logs,
            seq: AtomicU64::new(0),
        })
    }

    /// The spec of `hoso --data-dir DIR args…` for `node` (`write`: with its session).
    pub(crate) fn spec(&self, node: &NodeDir, what: &str, args: &[&str], write: bool) -> Spec {
        let n = self.seq.fetch_add(1, Ordering::Relaxed);
        let mut a: Vec<OsString> = vec!["--data-dir".into(), node.dir.clone().into_os_string()];
        a.extend(args.iter().map(OsString::from));
        let mut env = vec![("RUST_LOG".to_string(), "warn".to_string())];
        if write && let Some(s) = &node.session {
            env.extend(s.env.iter().cloned());
        }
        Spec {
            name: format!("{n:05}-{}-{what}", node.label),
            program: self.bin.clone(),
            args: a,
            env,
            netns: None,
            stdin: None,
        }
    }

    /// Starts a long-running command (`serve`) in the node's namespace.
    pub(crate) fn spawn(&self, node: &NodeDir, what: &str, args: &[&str]) -> anyhow::Result<Proc> {
        let mut spec = self.spec(node, what, args, true);
        spec.netns = node.netns.clone();
        Proc::spawn(&spec, &self.logs)
    }

    /// [`Hoso::spawn`] with extra environment (e.g. a `RUST_LOG` filter).
    pub(crate) fn spawn_env(
        &self,
        node: &NodeDir,
        what: &str,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> anyhow::Result<Proc> {
        let mut spec = self.spec(node, what, args, true);
        spec.netns = node.netns.clone();
        for (k, v) in env {
            spec.env.retain(|(key, _)| key != k);
            spec.env.push(((*k).to_string(), (*v).to_string()));
        }
        Proc::spawn(&spec, &self.logs)
    }

    /// Runs a command to completion; a non-zero exit is an error with its stderr.
    pub(crate) fn run_spec(&self, spec: &Spec, timeout: Duration) -> anyhow::Result<Exit> {
        let mut p = Proc::spawn(spec, &self.logs)?;
        let exit = p.wait(timeout)?;
        if !exit.status.success() {
            bail!(
                "`hoso {}` failed ({}): {}",
                spec.args
                    .iter()
                    .skip(2)
                    .map(|a| a.to_string_lossy())
                    .collect::<Vec<_>>()
                    .join(" "),
                describe(&exit.status),
                exit.stderr_tail
            );
        }
        Ok(exit)
    }

    /// Runs `hoso args…` on `node` (with its session) to completion.
    pub(crate) fn run(
        &self,
        node: &NodeDir,
        what: &str,
        args: &[&str],
        timeout: Duration,
    ) -> anyhow::Result<Exit> {
        self.run_spec(&self.spec(node, what, args, true), timeout)
    }

    /// Runs `hoso --json args…` and parses what it prints.
    pub(crate) fn json(
        &self,
        node: &NodeDir,
        what: &str,
        args: &[&str],
        timeout: Duration,
    ) -> anyhow::Result<(Value, Exit)> {
        let mut a = vec!["--json"];
        a.extend_from_slice(args);
        let exit = self.run(node, what, &a, timeout)?;
        let v: Value = serde_json::from_str(&exit.stdout)
            .with_context(|| format!("`hoso {}` did not print JSON", args.join(" ")))?;
        Ok((v, exit))
    }

    /// `hoso --officer ID init … --officer-name NAME --passphrase-stdin`: a node with its first
    /// officer (a supervisor, who may also receive and import cases); returns the node id.
    pub(crate) fn init_with_officer(
        &self,
        node: &NodeDir,
        args: &[&str],
        officer: &str,
    ) -> anyhow::Result<String> {
        let mut a = vec!["--json", "--officer", officer, "init"];
        a.extend_from_slice(args);
        a.extend_from_slice(&[
            "--officer-name",
            "Cán bộ đo hiệu năng",
            "--passphrase-stdin",
        ]);
        let mut spec = self.spec(node, "init", &a, true);
        spec.stdin = Some(format!("{PASSPHRASE}\n").into_bytes());
        let exit = self.run_spec(&spec, SHORT)?;
        let v: Value =
            serde_json::from_str(&exit.stdout).context("`hoso init` did not print JSON")?;
        v["node_id"]
            .as_str()
            .map(str::to_string)
            .context("`hoso init` printed no node_id")
    }

    /// Logs `officer` in on `node`: the one place that authenticates writes.
    /// `hoso login ID --passphrase-stdin` with [`PASSPHRASE`] opens the session the following
    /// write commands use; `HOSO_OFFICER` names the same officer (the CLI checks they agree).
    pub(crate) fn login(&self, node: &mut NodeDir, officer: &str) -> anyhow::Result<()> {
        let mut spec = self.spec(
            node,
            "login",
            &["login", officer, "--passphrase-stdin"],
            false,
        );
        spec.stdin = Some(format!("{PASSPHRASE}\n").into_bytes());
        self.run_spec(&spec, SHORT)?;
        node.session = Some(Session {
            env: vec![("HOSO_OFFICER".into(), officer.into())],
        });
        Ok(())
    }

    /// `hoso registry import FILE`.
    pub(crate) fn registry_import(&self, node: &NodeDir, file: &Path) -> anyhow::Result<()> {
        let f = file.to_string_lossy();
        self.run(node, "registry-import", &["registry", "import", &f], SHORT)?;
        Ok(())
    }

    /// `hoso import FILE` (needs a session); returns the process figures.
    pub(crate) fn import(&self, node: &NodeDir, file: &Path) -> anyhow::Result<Exit> {
        let f = file.to_string_lossy();
        self.run(node, "import", &["import", &f], LONG)
    }

    /// `hoso peer add ID --addr … --role … --scope …`.
    pub(crate) fn peer_add(
        &self,
        node: &NodeDir,
        id: &str,
        addr: Option<&str>,
        role: &str,
        scope: &str,
        name: &str,
    ) -> anyhow::Result<()> {
        let mut a = vec![
            "peer", "add", id, "--role", role, "--scope", scope, "--name", name,
        ];
        if let Some(addr) = addr {
            a.extend_from_slice(&["--addr", addr]);
        }
        self.run(node, "peer-add", &a, SHORT)?;
        Ok(())
    }

    /// `hoso --json status --brief` (without the per-peer pending counts, which scan the
    /// change feed once per peer: over a minute on a hub with 100 communes of 1,000 cases).
    pub(crate) fn status(&self, node: &NodeDir) -> anyhow::Result<Status> {
        let (v, _) = self.json(node, "status", &["status", "--brief"], SHORT)?;
        let n = |v: &Value| v.as_u64().unwrap_or(0);
        Ok(Status {
            cases: n(&v["cases"]),
            store_bytes: n(&v["store_bytes"]),
            chain_length: n(&v["chain_length"]),
            audit_entries: n(&v["audit_held"]["entries"]),
            cosignatures: n(&v["audit_held"]["cosignatures"]),
            refused_checkpoints: n(&v["audit_held"]["refused_checkpoints"]),
        })
    }

    /// `hoso --json case list --limit N`: case ids, soonest due first.
    pub(crate) fn case_ids(&self, node: &NodeDir, limit: usize) -> anyhow::Result<Vec<String>> {
        let l = limit.to_string();
        let (v, _) = self.json(node, "case-list", &["case", "list", "--limit", &l], SHORT)?;
        Ok(v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|c| c["id"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// `hoso case note CASE TEXT`: one audited officer action (one change, one entry).
    pub(crate) fn note(&self, node: &NodeDir, case: &str, text: &str) -> anyhow::Result<Exit> {
        self.run(node, "note", &["case", "note", case, text], SHORT)
    }

    /// Number of notes on a case (`hoso --json case show`).
    pub(crate) fn note_count(&self, node: &NodeDir, case: &str) -> anyhow::Result<usize> {
        let (v, _) = self.json(node, "show", &["case", "show", case], SHORT)?;
        Ok(v["notes"].as_array().map(Vec::len).unwrap_or(0))
    }
}

/// One `hoso sync --once --json` round as reported.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub(crate) struct Round {
    /// Round time as the commune measured it (connect included), ms.
    pub ms: f64,
    /// Application bytes out + in.
    pub bytes: u64,
    /// Cases sent (documents + changes).
    pub cases_sent: u64,
    /// Audit entries sent.
    pub audit_sent: u64,
    /// Cosignatures stored / refused this round.
    pub cosigned: u64,
    /// Refused by the witness.
    pub witness_refused: u64,
    /// The error, when the round failed.
    pub error: Option<String>,
    /// Connections tried (more than one when the hub answered busy).
    pub attempts: u64,
}

/// Parses the JSON of `hoso sync --once` (one element per peer; the first is taken).
pub(crate) fn parse_round(v: &Value) -> Round {
    let r = &v[0];
    let s = &r["stats"];
    let n = |v: &Value| v.as_u64().unwrap_or(0);
    Round {
        // Microseconds when `hoso` reports them (a no-op round is about a millisecond).
        ms: r["us"]
            .as_f64()
            .map(|us| us / 1000.0)
            .or_else(|| r["ms"].as_f64())
            .unwrap_or(0.0),
        bytes: n(&s["bytes_out"]) + n(&s["bytes_in"]),
        cases_sent: n(&s["docs_sent"]) + n(&s["changes_sent"]),
        audit_sent: n(&s["audit_sent"]),
        cosigned: n(&s["cosignatures_stored"]),
        witness_refused: n(&s["witness_refused"]),
        attempts: n(&r["attempts"]).max(1),
        error: r["error"].as_str().map(str::to_string).or_else(|| {
            if r.is_null() {
                Some("no round reported".into())
            } else {
                None
            }
        }),
    }
}

impl Hoso {
    /// One `hoso --json sync --once` round on `node` (its namespace); a failed round (exit 1) is
    /// reported in [`Round::error`], not as an `Err`.
    pub(crate) fn sync_once(
        &self,
        node: &NodeDir,
        timeout: Duration,
    ) -> anyhow::Result<(Round, Exit)> {
        let mut spec = self.spec(node, "sync", &["--json", "sync", "--once"], true);
        spec.netns = node.netns.clone();
        let mut p = Proc::spawn(&spec, &self.logs)?;
        let exit = p.wait(timeout)?;
        let round = match serde_json::from_str::<Value>(&exit.stdout) {
            Ok(v) => parse_round(&v),
            Err(_) => Round {
                error: Some(format!("{}: {}", describe(&exit.status), exit.stderr_tail)),
                ..Round::default()
            },
        };
        Ok((round, exit))
    }
}
