//! Console benchmark at scale (release): `cargo bench -p hoso-tui --bench console -- --cases 100000`.
//!
//! 1. Builds (once, then reuses) a node with `--cases` cases in `target/bench-console-<N>/`
//!    through the bulk import path, from the sample registry.
//! 2. Starts itself again as a child process (`--measure`) so memory counts the console only, and
//!    times from spawning the child to its first full frame: the case list of an officer with the
//!    per-status counts (the store opened, one page read from the indexes, drawn).
//! 3. In the child: types searches one key at a time (names from the registry, without accents)
//!    and times each keystroke to its redrawn frame with the results (effects run inline, as the
//!    loop runs them on the blocking pool); then reports peak RSS.
//!
//! Frames are drawn to ratatui's `TestBackend` (120×40), not a real terminal: the figures are the
//! console's own work (store reads, layout, diff into a buffer), without terminal I/O.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hoso_node::{InitOptions, Node, NodeRole};
use hoso_schemas::Role;
use hoso_tui::app::{App, AppOptions, Screen};
use hoso_tui::effect::{Effect, execute};
use hoso_tui::event::Event;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{
    Event as TermEvent, KeyCode, KeyEvent, KeyEventKind, KeyModifiers,
};

const REGISTRY: &str = include_str!("../../fixtures/sample/registry.jsonl");
const CHUNK: usize = 10_000;

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn flag(name: &str) -> bool {
    std::env::args().any(|a| a == name)
}

fn main() {
    if flag("--measure") {
        let dir = PathBuf::from(arg("--dir").expect("--dir"));
        measure(&dir);
        return;
    }
    if std::env::args().any(|a| a == "--bench") && arg("--cases").is_none() && !flag("--run") {
        // `cargo bench` without arguments (e.g. in CI smoke runs): say how to run it.
        println!("console bench: pass `-- --cases 100000` to run (builds a 100k-case store once)");
        return;
    }
    let cases: usize = arg("--cases")
        .and_then(|c| c.parse().ok())
        .unwrap_or(100_000);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../target")
        .join(format!("bench-console-{cases}"));
    prepare(&dir, cases);

    let start = Instant::now();
    let mut child = Command::new(std::env::current_exe().expect("exe"))
        .arg("--measure")
        .arg("--dir")
        .arg(&dir)
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let out = child.stdout.take().expect("stdout");
    let mut first_frame = None;
    let mut report = String::new();
    for line in BufReader::new(out).lines() {
        let line = line.expect("line");
        if line == "first-frame" && first_frame.is_none() {
            first_frame = Some(start.elapsed());
        } else {
            report.push_str(&line);
            report.push('\n');
        }
    }
    let st = child.wait().expect("wait");
    assert!(st.success(), "measuring child failed");
    let first_frame = first_frame.expect("no first frame");
    println!("cases in store              {cases}");
    println!(
        "launch → first full frame   {:.1} ms (process spawn, open store, list page + counts, draw; target ≤ 300 ms)",
        ms(first_frame)
    );
    print!("{report}");
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn prepare(dir: &Path, cases: usize) {
    if dir.join("node.toml").exists() {
        let node = Node::open(dir).expect("open");
        let have: u64 = node.counts_by_status().expect("counts").values().sum();
        if usize::try_from(have).ok() == Some(cases) {
            println!("reusing {} ({have} cases)", dir.display());
            return;
        }
        drop(node);
        std::fs::remove_dir_all(dir).expect("remove old bench store");
    }
    println!(
        "building {} with {cases} cases (bulk import, once)…",
        dir.display()
    );
    let t = Instant::now();
    let node = Node::init(
        dir,
        InitOptions {
            name: "Xã Bình Gia".into(),
            role: NodeRole::Commune,
            province: "20".into(),
            commune: Some("06112".into()),
            unit_code: None,
            listen: "127.0.0.1:0".into(),
            realm: None,
        },
    )
    .expect("init");
    node.add_officer(
        &hoso_node::Author::Node,
        "canbo01",
        "Hoàng Thị Lan",
        Role::Officer,
        "bench-pass",
    )
    .expect("officer");
    node.import_registry(
        "registry.jsonl",
        REGISTRY.as_bytes(),
        &hoso_node::Author::Node,
    )
    .expect("registry");
    let citizens: Vec<String> = REGISTRY
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["citizen_id"].as_str().map(str::to_string))
        .collect();
    let procedures = [
        "judicial_record",
        "permanent_residence",
        "residence_removal",
    ];
    let fields: Vec<serde_json::Map<String, serde_json::Value>> = procedures
        .iter()
        .map(|p| {
            let p = node.catalog().procedure(p).expect("procedure");
            p.fields
                .iter()
                .filter(|f| f.required && f.source.is_none())
                .map(|f| (f.name.clone(), f.example().into()))
                .collect()
        })
        .collect();
    let mut done = 0;
    while done < cases {
        let n = CHUNK.min(cases - done);
        let mut jsonl = String::new();
        for i in done..done + n {
            let k = i % procedures.len();
            let day = i % 700;
            let received = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).expect("date")
                + chrono::Days::new(u64::try_from(day).unwrap_or(0));
            let line = serde_json::json!({
                "procedure": procedures[k],
                "citizen_id": citizens[i % citizens.len()],
                "received_at": format!("{received}T09:00:00+07:00"),
                "fields": fields[k],
            });
            jsonl.push_str(&line.to_string());
            jsonl.push('\n');
        }
        if let Err(e) = node.import_cases(
            "bench.jsonl",
            jsonl.as_bytes(),
            &hoso_node::Author::Officer(node.authenticate("canbo01", "bench-pass").expect("login")),
        ) {
            // Some procedures may refuse some citizens; fall back to the first procedure only.
            panic!("import failed: {e}");
        }
        done += n;
        print!("\r  {done}/{cases} in {:.0} s", t.elapsed().as_secs_f64());
        std::io::stdout().flush().ok();
    }
    println!();
}

fn run(app: &mut App, node: &Node, effects: Vec<Effect>) {
    let mut queue = std::collections::VecDeque::from(effects);
    while let Some(e) = queue.pop_front() {
        if let Some(o) = execute(node, e) {
            queue.extend(app.handle_event(Event::Done(o)));
        }
    }
}

fn key(app: &mut App, node: &Node, code: KeyCode) {
    let ev = Event::Term(TermEvent::Key(KeyEvent::new_with_kind(
        code,
        KeyModifiers::NONE,
        KeyEventKind::Press,
    )));
    let effects = app.handle_event(ev);
    run(app, node, effects);
}

fn rss_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn measure(dir: &Path) {
    let mut term = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    let node = Node::open(dir).expect("open");
    let mut app = App::new(&node, AppOptions::default());
    // Straight to the officer's home screen (login is argon2, timed apart below).
    app.officer = Some(node.authenticate("canbo01", "bench-pass").expect("login"));
    app.screen = Screen::List;
    let effects = app.run(hoso_tui::app::Command::GoList);
    run(&mut app, &node, effects);
    hoso_tui::terminal::draw(&mut term, &app).expect("draw");
    println!("first-frame");
    std::io::stdout().flush().ok();
    assert!(!app.list.rows.is_empty(), "the list is empty");

    let t = Instant::now();
    node.login("canbo01", "bench-pass").expect("login");
    let login = t.elapsed();

    // Searches typed one key at a time, names folded (no accents), from the registry.
    let names: Vec<String> = REGISTRY
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["full_name"].as_str().map(hoso_schemas::fold))
        .step_by(97)
        .take(8)
        .collect();
    let mut per_key: Vec<(usize, Duration)> = vec![];
    let mut results_seen = 0usize;
    for name in &names {
        key(&mut app, &node, KeyCode::Char('/'));
        for (i, c) in name.chars().enumerate() {
            let t = Instant::now();
            key(&mut app, &node, KeyCode::Char(c));
            hoso_tui::terminal::draw(&mut term, &app).expect("draw");
            per_key.push((i + 1, t.elapsed()));
        }
        results_seen += app.list.rows.len();
        key(&mut app, &node, KeyCode::Esc);
    }
    let mut all: Vec<Duration> = per_key.iter().map(|(_, d)| *d).collect();
    all.sort();
    let pct =
        |v: &[Duration], p: f64| -> f64 { ms(v[((v.len() - 1) as f64 * p).round() as usize]) };
    let mut first: Vec<Duration> = per_key
        .iter()
        .filter(|(i, _)| *i == 1)
        .map(|(_, d)| *d)
        .collect();
    first.sort();
    let mut later: Vec<Duration> = per_key
        .iter()
        .filter(|(i, _)| *i >= 3)
        .map(|(_, d)| *d)
        .collect();
    later.sort();
    println!(
        "keystroke → redrawn frame   median {:.2} ms, p90 {:.2} ms, max {:.2} ms over {} keys (target median ≤ 50 ms)",
        pct(&all, 0.5),
        pct(&all, 0.9),
        pct(&all, 1.0),
        all.len()
    );
    println!(
        "  first letter only          median {:.2} ms, max {:.2} ms (broadest match: one letter)",
        pct(&first, 0.5),
        pct(&first, 1.0)
    );
    println!(
        "  third letter onwards       median {:.2} ms, max {:.2} ms",
        pct(&later, 0.5),
        pct(&later, 1.0)
    );
    println!("  rows shown after full names {results_seen} (sanity)");
    println!("login (argon2 check)        {:.1} ms", ms(login));

    // The auditor's view: every chain held, newest first (a scan of every entry), then one
    // officer's actions; and the province dashboard (a scan of every case summary).
    let t = Instant::now();
    let effects = app.run(hoso_tui::app::Command::GoAudit);
    run(&mut app, &node, effects);
    hoso_tui::terminal::draw(&mut term, &app).expect("draw");
    let audit_open = t.elapsed();
    let held = app.auditor.results.as_ref().map_or(0, |r| r.held);
    key(&mut app, &node, KeyCode::Char('f'));
    key(&mut app, &node, KeyCode::Tab);
    for c in "canbo01".chars() {
        key(&mut app, &node, KeyCode::Char(c));
    }
    let t = Instant::now();
    key(&mut app, &node, KeyCode::Enter);
    hoso_tui::terminal::draw(&mut term, &app).expect("draw");
    let audit_filter = t.elapsed();
    let matched = app.auditor.results.as_ref().map_or(0, |r| r.total);
    println!(
        "auditor: open, every chain  {:.1} ms first ({held} entries held); filter by officer {:.1} ms ({matched} match)",
        ms(audit_open),
        ms(audit_filter)
    );
    // First read (the case table cold in redb's cache), then again warm.
    let mut times = vec![];
    let mut d = None;
    for _ in 0..2 {
        let t = Instant::now();
        d = Some(
            node.province_dashboard(hoso_node::deadline::now().date_naive())
                .expect("dashboard"),
        );
        times.push(ms(t.elapsed()));
    }
    let d = d.expect("dashboard");
    println!(
        "province dashboard read     {:.1} ms first, {:.1} ms again ({} cases, {} communes)",
        times[0],
        times[1],
        d.cases,
        d.rows.len()
    );
    let t = Instant::now();
    let effects = vec![hoso_tui::screen::auditor::search(&mut app.auditor, 0)];
    run(&mut app, &node, effects);
    println!(
        "auditor: same filter again  {:.1} ms (warm)",
        ms(t.elapsed())
    );
    println!(
        "memory                      RSS {:.1} MiB now, peak {:.1} MiB (target ≤ 200 MiB)",
        rss_kib("VmRSS:") as f64 / 1024.0,
        rss_kib("VmHWM:") as f64 / 1024.0
    );
}
