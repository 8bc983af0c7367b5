//! The console driven as an officer sees it: one command in a tmux server of its own, keys sent
//! with `send-keys`, the screen read with `capture-pane` and polled for text.
//!
//! Each [`Tmux`] runs its own server (`-L`, named after the test process and `name`), so tests
//! run in parallel and inside someone's tmux session; the server is killed on drop. tmux is
//! required: [`Tmux::start`] fails and says so when it is not installed (CI installs it).

use std::process::Command;
use std::time::{Duration, Instant};

/// How long [`Tmux::wait_for`] polls unless [`Tmux::waiting`] says otherwise.
pub const WAIT: Duration = Duration::from_secs(30);

/// A tmux server of its own running one command in a session `e2e`.
pub struct Tmux {
    socket: String,
    wait: Duration,
}

impl Tmux {
    /// Starts `cmd` in a 100×30 pane.
    pub fn start(name: &str, cmd: &str) -> Tmux {
        Tmux::start_sized(name, cmd, 100, 30)
    }

    /// Starts `cmd` in a `w`×`h` pane; the pane stays after the command exits.
    pub fn start_sized(name: &str, cmd: &str, w: u16, h: u16) -> Tmux {
        let ok = Command::new("tmux").arg("-V").output();
        assert!(
            ok.as_ref().is_ok_and(|o| o.status.success()),
            "tmux is not installed: the console end-to-end test needs it (apt-get install tmux)"
        );
        let t = Tmux {
            socket: format!("hoso-tmux-{}-{name}", std::process::id()),
            wait: WAIT,
        };
        t.run(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-x",
            &w.to_string(),
            "-y",
            &h.to_string(),
            "-s",
            "e2e",
            cmd,
        ]);
        t.run(&["set-option", "-t", "e2e", "remain-on-exit", "on"]);
        t
    }

    /// Polls up to `wait` (instead of [`WAIT`]) before a wait fails.
    pub fn waiting(mut self, wait: Duration) -> Tmux {
        self.wait = wait;
        self
    }

    /// Runs a tmux command against this server; its stdout. Fails the test if tmux does.
    pub fn run(&self, args: &[&str]) -> String {
        // Our own server (`-L`), even when the tests run inside someone's tmux session.
        let out = Command::new("tmux")
            .env_remove("TMUX")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("run tmux");
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The screen's text.
    pub fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "e2e"])
    }

    /// Sends keys (tmux key names: `Enter`, `C-c`, `F2`, or letters).
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    /// Types text literally.
    pub fn text(&self, s: &str) {
        self.run(&["send-keys", "-t", "e2e", "-l", s]);
    }

    /// A pane variable (`#{alternate_on}`, `#{pane_pid}`).
    pub fn pane(&self, format: &str) -> String {
        self.run(&["display-message", "-p", "-t", "e2e", format])
            .trim()
            .to_string()
    }

    /// Polls the screen until `ok` holds for it; returns that screen. `what` names it in the
    /// failure, with the last screen.
    pub fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if ok(&s) {
                return s;
            }
            assert!(
                start.elapsed() < self.wait,
                "{what} did not show within {:?}; the screen:\n{s}",
                self.wait
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Polls the screen until `want` shows; returns it.
    pub fn wait_for(&self, want: &str) -> String {
        self.wait_until(&format!("`{want}`"), |s| s.contains(want))
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .env_remove("TMUX")
            .arg("-L")
            .arg(&self.socket)
            .arg("kill-server")
            .output();
    }
}
