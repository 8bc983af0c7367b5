//! Child processes the harness starts, and what they cost.
//!
//! Every child runs under this binary's own `__measure` wrapper (see [`measure_main`]): the
//! wrapper starts the real program, waits for it, and writes the child's `getrusage
//! (RUSAGE_CHILDREN)` figures (peak RSS = `ru_maxrss`, user and system CPU) to a small JSON file.
//! That gives exact per-process peaks even for processes that exit on their own.
//!
//! Robustness:
//! - each child is the leader of its own process group (`process_group(0)`), and [`Proc`]'s
//!   `Drop` kills the whole group (wrapper and program) unless it has already exited, so every
//!   early return, `?` and panic unwinding kills what it started;
//! - the wrapper asks the kernel for `SIGUSR1` when the harness dies (`PR_SET_PDEATHSIG`) and
//!   then kills its program, so even a `kill -9` of the harness leaves nothing running;
//! - every wait has a timeout and checks the Ctrl-C flag ([`stop_requested`]).

use std::ffi::OsString;
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use serde::{Deserialize, Serialize};

static STOP: OnceLock<Arc<AtomicBool>> = OnceLock::new();

/// Makes SIGINT and SIGTERM set a flag that every wait checks, so Ctrl-C unwinds normally and
/// the `Drop`s clean up (children, namespaces, temp dirs).
pub(crate) fn install_stop_handler() -> anyhow::Result<()> {
    let flag = STOP
        .get_or_init(|| Arc::new(AtomicBool::new(false)))
        .clone();
    signal_hook::flag::register(signal_hook::consts::SIGINT, flag.clone())?;
    signal_hook::flag::register(signal_hook::consts::SIGTERM, flag)?;
    Ok(())
}

/// Whether Ctrl-C (or SIGTERM) was received.
pub(crate) fn stop_requested() -> bool {
    STOP.get().is_some_and(|f| f.load(Ordering::Relaxed))
}

/// Fails when Ctrl-C was received.
pub(crate) fn check_stop() -> anyhow::Result<()> {
    if stop_requested() {
        bail!("interrupted: stopping children and cleaning up");
    }
    Ok(())
}

/// Sleeps in small steps, failing early on Ctrl-C.
pub(crate) fn sleep(d: Duration) -> anyhow::Result<()> {
    let end = Instant::now() + d;
    loop {
        check_stop()?;
        let now = Instant::now();
        if now >= end {
            return Ok(());
        }
        std::thread::sleep((end - now).min(Duration::from_millis(50)));
    }
}

/// This binary's path, for the wrapper. A rebuild while a bench runs replaces the file, and
/// Linux then reports the old path with " (deleted)" appended: the path itself (now the new
/// build, which speaks the same `__measure`) is what to run.
pub(crate) fn harness_exe() -> anyhow::Result<PathBuf> {
    let me = std::env::current_exe().context("finding the harness binary")?;
    let s = me.to_string_lossy();
    Ok(match s.strip_suffix(" (deleted)") {
        Some(p) => PathBuf::from(p),
        None => me,
    })
}

/// Resource use of one finished child, from the wrapper.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Usage {
    /// Peak resident set, KiB (`ru_maxrss`).
    pub max_rss_kib: u64,
    /// User CPU seconds.
    pub user_s: f64,
    /// System CPU seconds.
    pub sys_s: f64,
}

impl Usage {
    /// Peak RSS in MiB.
    pub(crate) fn rss_mib(&self) -> f64 {
        self.max_rss_kib as f64 / 1024.0
    }
    /// User + system CPU seconds.
    pub(crate) fn cpu_s(&self) -> f64 {
        self.user_s + self.sys_s
    }
}

/// What to start.
#[derive(Clone, Debug)]
pub(crate) struct Spec {
    /// A short name for logs and errors (unique per harness run).
    pub name: String,
    /// The program.
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<OsString>,
    /// Extra environment.
    pub env: Vec<(String, String)>,
    /// Run inside this network namespace (`ip netns exec`).
    pub netns: Option<String>,
    /// Bytes written to its stdin (then closed); stdin is empty otherwise.
    pub stdin: Option<Vec<u8>>,
}

/// A finished child.
#[derive(Debug)]
pub(crate) struct Exit {
    /// Exit status (of the wrapper, which exits like its program).
    pub status: ExitStatus,
    /// From spawn to exit as seen by the harness.
    pub wall: Duration,
    /// Resource use of the program (absent if the wrapper was killed).
    pub usage: Option<Usage>,
    /// Everything it printed on stdout.
    pub stdout: String,
    /// The tail of its stderr.
    pub stderr_tail: String,
}

/// A running (or finished) child under the measuring wrapper.
pub(crate) struct Proc {
    name: String,
    child: Child,
    pgid: Pid,
    started: Instant,
    report: PathBuf,
    stderr_log: PathBuf,
    lines: Arc<Mutex<Vec<(Instant, String)>>>,
    reader: Option<JoinHandle<()>>,
    exited: Option<(ExitStatus, Instant)>,
}

/// Where the harness keeps child logs.
fn log_path(dir: &Path, name: &str, ext: &str) -> PathBuf {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    dir.join(format!("{safe}.{ext}"))
}

impl Proc {
    /// Starts `spec` under the wrapper; logs go to `log_dir`.
    pub(crate) fn spawn(spec: &Spec, log_dir: &Path) -> anyhow::Result<Proc> {
        check_stop()?;
        let me = harness_exe()?;
        let report = log_path(log_dir, &spec.name, "usage.json");
        let stderr_log = log_path(log_dir, &spec.name, "stderr");
        let _ = std::fs::remove_file(&report);
        let mut cmd = match &spec.netns {
            Some(ns) => {
                let mut c = Command::new("ip");
                c.args(["netns", "exec", ns]).arg(&me);
                c
            }
            None => Command::new(&me),
        };
        cmd.arg("__measure")
            .arg("--report")
            .arg(&report)
            .arg("--")
            .arg(&spec.program)
            .args(&spec.args)
            .envs(spec.env.iter().map(|(k, v)| (k, v)))
            .process_group(0)
            .stdout(Stdio::piped())
            .stderr(Stdio::from(File::create(&stderr_log).with_context(
                || format!("creating {}", stderr_log.display()),
            )?))
            .stdin(if spec.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            });
        let started = Instant::now();
        let mut child = cmd
            .spawn()
            .with_context(|| format!("starting {} ({})", spec.name, spec.program.display()))?;
        let pgid = Pid::from_raw(i32::try_from(child.id()).context("pid out of range")?);
        if let (Some(data), Some(mut stdin)) = (&spec.stdin, child.stdin.take()) {
            // Small inputs (a passphrase): written at once, then closed.
            stdin.write_all(data).ok();
        }
        let lines = Arc::new(Mutex::new(Vec::new()));
        let out = child.stdout.take().context("child stdout")?;
        let sink = lines.clone();
        // Stdout lines are also kept in `<name>.stdout` (with `--keep`, to read a run after).
        let mut copy = File::create(log_path(log_dir, &spec.name, "stdout")).ok();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if let Some(f) = copy.as_mut() {
                    let _ = writeln!(f, "{line}");
                }
                if let Ok(mut v) = sink.lock() {
                    v.push((Instant::now(), line));
                }
            }
        });
        Ok(Proc {
            name: spec.name.clone(),
            child,
            pgid,
            started,
            report,
            stderr_log,
            lines,
            reader: Some(reader),
            exited: None,
        })
    }

    /// When it was started.
    pub(crate) fn started(&self) -> Instant {
        self.started
    }

    /// Whether it has exited (reaps it if so).
    pub(crate) fn poll(&mut self) -> anyhow::Result<bool> {
        if self.exited.is_some() {
            return Ok(true);
        }
        if let Some(st) = self.child.try_wait()? {
            self.exited = Some((st, Instant::now()));
            return Ok(true);
        }
        Ok(false)
    }

    /// Waits for it to exit on its own, at most `timeout` (then kills it and fails).
    pub(crate) fn wait(&mut self, timeout: Duration) -> anyhow::Result<Exit> {
        let end = Instant::now() + timeout;
        while !self.poll()? {
            if stop_requested() {
                self.kill();
                bail!("interrupted while waiting for {}", self.name);
            }
            if Instant::now() >= end {
                self.kill();
                bail!(
                    "{} did not finish within {:.0} s (killed); its stderr: {}",
                    self.name,
                    timeout.as_secs_f64(),
                    self.stderr_tail()
                );
            }
            std::thread::sleep(Duration::from_millis(3));
        }
        self.collect()
    }

    /// Peak RSS and CPU of the program under the wrapper, read from /proc while it runs
    /// (`VmHWM`, utime + stime): the figures when it must be killed and the wrapper cannot
    /// report.
    pub(crate) fn sample_usage(&self) -> Option<Usage> {
        let w = self.pgid.as_raw();
        let kids = std::fs::read_to_string(format!("/proc/{w}/task/{w}/children")).ok()?;
        let pid: i32 = kids.split_whitespace().next()?.parse().ok()?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        let hwm = status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()?;
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // Fields after the command (which may contain spaces): state is field 3; utime 14, stime 15.
        let rest = &stat[stat.rfind(')')? + 2..];
        let f: Vec<&str> = rest.split_whitespace().collect();
        let tick = nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)
            .ok()
            .flatten()
            .unwrap_or(100) as f64;
        Some(Usage {
            max_rss_kib: hwm,
            user_s: f.get(11)?.parse::<f64>().ok()? / tick,
            sys_s: f.get(12)?.parse::<f64>().ok()? / tick,
        })
    }

    /// Asks it to stop (SIGTERM to its group), waits up to `grace`, then kills it. If it had to
    /// be killed, the usage is what /proc showed just before.
    pub(crate) fn stop(&mut self, grace: Duration) -> anyhow::Result<Exit> {
        let sampled = self.sample_usage();
        if !self.poll()? {
            let _ = killpg(self.pgid, Signal::SIGTERM);
            let end = Instant::now() + grace;
            while !self.poll()? {
                if Instant::now() >= end {
                    eprintln!(
                        "  {} did not stop within {:.0} s of SIGTERM: killed",
                        self.name,
                        grace.as_secs_f64()
                    );
                    self.kill();
                    break;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        let mut exit = self.collect()?;
        if exit.usage.is_none() {
            exit.usage = sampled;
        }
        Ok(exit)
    }

    /// Kills its whole process group now and reaps it.
    pub(crate) fn kill(&mut self) {
        if self.exited.is_none() {
            let _ = killpg(self.pgid, Signal::SIGKILL);
            if let Ok(st) = self.child.wait() {
                self.exited = Some((st, Instant::now()));
            }
        }
    }

    fn collect(&mut self) -> anyhow::Result<Exit> {
        let Some((status, at)) = self.exited else {
            bail!("{} has not exited", self.name);
        };
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
        let usage = std::fs::read(&self.report)
            .ok()
            .and_then(|b| serde_json::from_slice::<Usage>(&b).ok());
        Ok(Exit {
            status,
            wall: at - self.started,
            usage,
            stdout: self.stdout(),
            stderr_tail: self.stderr_tail(),
        })
    }

    /// Everything printed on stdout so far.
    pub(crate) fn stdout(&self) -> String {
        self.lines
            .lock()
            .map(|v| {
                v.iter()
                    .map(|(_, l)| l.as_str())
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default()
    }

    /// Stdout lines with the instant each was read.
    pub(crate) fn lines(&self) -> Vec<(Instant, String)> {
        self.lines.lock().map(|v| v.clone()).unwrap_or_default()
    }

    /// Waits for a stdout line matching `pred`, at most `timeout`; fails if the child exits first.
    pub(crate) fn wait_line(
        &mut self,
        what: &str,
        timeout: Duration,
        pred: impl Fn(&str) -> bool,
    ) -> anyhow::Result<(Instant, String)> {
        let end = Instant::now() + timeout;
        loop {
            if let Some(hit) = self.lines().into_iter().find(|(_, l)| pred(l)) {
                return Ok(hit);
            }
            check_stop()?;
            if self.poll()? {
                bail!(
                    "{} exited before {what}; stderr: {}",
                    self.name,
                    self.stderr_tail()
                );
            }
            if Instant::now() >= end {
                bail!(
                    "{}: no {what} within {:.0} s; stderr: {}",
                    self.name,
                    timeout.as_secs_f64(),
                    self.stderr_tail()
                );
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Its whole stderr log so far.
    pub(crate) fn stderr_text(&self) -> String {
        std::fs::read_to_string(&self.stderr_log).unwrap_or_default()
    }

    /// The last lines of its stderr log.
    pub(crate) fn stderr_tail(&self) -> String {
        let s = std::fs::read_to_string(&self.stderr_log).unwrap_or_default();
        let lines: Vec<&str> = s.lines().collect();
        let tail = lines[lines.len().saturating_sub(3)..].join(" | ");
        if tail.is_empty() {
            "(empty)".into()
        } else {
            tail
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill();
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
    }
}

/// Exit code of a finished child as text (code or signal).
pub(crate) fn describe(status: &ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(c), _) => format!("exit {c}"),
        (None, Some(s)) => format!("signal {s}"),
        _ => "unknown".into(),
    }
}

/// The `__measure` wrapper: runs `program args…`, then writes its rusage to `report`, and exits
/// like it. Ignores SIGINT/SIGTERM itself (the program, in the same process group, gets them),
/// and kills the program if the harness dies.
pub(crate) fn measure_main(
    report: &Path,
    program: &OsString,
    args: &[OsString],
) -> anyhow::Result<i32> {
    use nix::sys::resource::{UsageWho, getrusage};
    let ignored = Arc::new(AtomicBool::new(false));
    signal_hook::flag::register(signal_hook::consts::SIGINT, ignored.clone())?;
    signal_hook::flag::register(signal_hook::consts::SIGTERM, ignored)?;
    let orphaned = Arc::new(AtomicBool::new(false));
    signal_hook::flag::register(signal_hook::consts::SIGUSR1, orphaned.clone())?;
    nix::sys::prctl::set_pdeathsig(Signal::SIGUSR1)?;
    if nix::unistd::getppid() == Pid::from_raw(1) {
        orphaned.store(true, Ordering::Relaxed);
    }
    let mut child = Command::new(program)
        .args(args)
        .spawn()
        .with_context(|| format!("starting {}", Path::new(program).display()))?;
    let pid = Pid::from_raw(i32::try_from(child.id()).context("pid out of range")?);
    // A blocking wait on a helper thread: no polling cost while hundreds of children run.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    let status = loop {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(st) => break st?,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                if orphaned.load(Ordering::Relaxed) {
                    let _ = nix::sys::signal::kill(pid, Signal::SIGKILL);
                    return Ok(137);
                }
            }
            Err(e) => bail!("waiting for {}: {e}", Path::new(program).display()),
        }
    };
    let ru = getrusage(UsageWho::RUSAGE_CHILDREN)?;
    let tv = |t: nix::sys::time::TimeVal| t.tv_sec() as f64 + t.tv_usec() as f64 / 1e6;
    let usage = Usage {
        max_rss_kib: u64::try_from(ru.max_rss()).unwrap_or(0),
        user_s: tv(ru.user_time()),
        sys_s: tv(ru.system_time()),
    };
    std::fs::write(report, serde_json::to_vec(&usage)?)
        .with_context(|| format!("writing {}", report.display()))?;
    Ok(match (status.code(), status.signal()) {
        (Some(c), _) => c,
        (None, Some(s)) => 128 + s,
        _ => 1,
    })
}
