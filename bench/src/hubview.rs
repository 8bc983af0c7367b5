//! What a hub's operator feels, measured in this process on the hub's store (no `hoso`
//! process may hold it meanwhile): opening the node, the console's first frames drawn into
//! ratatui's `TestBackend` (120×40) by the tui crate's own `App` and `terminal::draw`, and
//! the console's search (`hoso_tui::queue::page` with a search text: a name without accents,
//! a citizen id, a receipt code, as the list's search box runs it), both as one query and as
//! the last keystroke typed into the list's search box until its frame is redrawn.

use std::collections::VecDeque;
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use hoso_node::Node;
use hoso_tui::app::{App, AppOptions, Command, Screen};
use hoso_tui::effect::{Effect, execute};
use hoso_tui::event::Event;
use hoso_tui::queue::{QueueQuery, Tab, page};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{
    Event as TermEvent, KeyCode, KeyEvent, KeyEventKind, KeyModifiers,
};
use serde_json::json;

use crate::hoso::{OFFICER, PASSPHRASE};
use crate::stats::{median, r3};

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

/// Runs effects inline, as the console's loop runs them on its blocking pool.
fn run(app: &mut App, node: &Node, effects: Vec<Effect>) {
    let mut queue = VecDeque::from(effects);
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

/// What the hub view measured.
pub(crate) struct HubView {
    /// `Node::open` of the hub's dir, each try (ms).
    pub open_ms: Vec<f64>,
    /// Node open → the console's first frame (its login screen) drawn (ms).
    pub first_frame_ms: f64,
    /// After login: the officer's home drawn (a hub's province dashboard; ms, argon2 apart).
    pub list_frame_ms: f64,
    /// Search medians, worst kind (ms).
    pub search_worst_ms: f64,
    /// The report.
    pub json: serde_json::Value,
}

/// Measures on the hub in `dir`; `queries` are `(kind, text)` searches.
pub(crate) fn measure(dir: &Path, queries: &[(&str, String)]) -> anyhow::Result<HubView> {
    let mut open_ms = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let n = Node::open(dir).with_context(|| format!("opening {}", dir.display()))?;
        open_ms.push(ms(t));
        drop(n);
    }

    // The console: open, the login screen's frame; then, logged in, the case list's frame.
    let mut term = Terminal::new(TestBackend::new(120, 40))?;
    let t = Instant::now();
    let node = Node::open(dir)?;
    let mut app = App::new(
        &node,
        AppOptions {
            officer: Some(OFFICER.into()),
            ..AppOptions::default()
        },
    );
    hoso_tui::terminal::draw(&mut term, &app)?;
    let first_frame_ms = ms(t);
    let tl = Instant::now();
    app.officer = Some(node.authenticate(OFFICER, PASSPHRASE)?);
    let login_ms = ms(tl);
    // The officer's home after login: at a hub the province dashboard, at a commune the list.
    let t = Instant::now();
    let effects = app.run(Command::GoList);
    run(&mut app, &node, effects);
    hoso_tui::terminal::draw(&mut term, &app)?;
    let list_frame_ms = ms(t);
    let home = format!("{:?}", app.screen);
    let communes_shown = app.province.dashboard.as_ref().map_or(0, |d| d.rows.len());
    // One commune's case list, as the dashboard opens it: through the `M` index keys, and by a
    // pass over every summary (how it was read before them), which must give the same list.
    let commune_cases = match app
        .province
        .dashboard
        .as_ref()
        .and_then(|d| d.rows.iter().max_by_key(|r| r.open))
        .map(|r| r.commune.clone())
    {
        Some(commune) => {
            let today = chrono::Utc::now().date_naive();
            let mut v = Vec::new();
            let mut got = (Vec::new(), 0);
            for _ in 0..5 {
                let t = Instant::now();
                got = node.commune_cases(&commune, today)?;
                v.push(ms(t));
            }
            let mut scan = Vec::new();
            let mut by_scan = (Vec::new(), 0);
            for _ in 0..2 {
                let t = Instant::now();
                by_scan = node.commune_cases_by_scan(&commune, today)?;
                scan.push(ms(t));
            }
            json!({
                "commune": commune, "open_cases": got.1, "rows": got.0.len(),
                "ms_median": r3(median(&mut v)),
                "by_scan_of_every_summary_ms_median": r3(median(&mut scan)),
                "same_as_scan": got == by_scan,
            })
        }
        None => serde_json::Value::Null,
    };
    // The searches below are typed into the case list's search box.
    app.screen = Screen::List;
    let rows_shown = app.list.rows.len();

    let today = chrono::Utc::now().date_naive();
    let mut searches = Vec::new();
    let mut worst: f64 = 0.0;
    for (kind, text) in queries {
        let q = QueueQuery {
            tab: Tab::All,
            mine: None,
            search: Some(text.clone()),
            offset: 0,
            limit: 50,
            today,
        };
        let mut v = Vec::new();
        let mut total = 0;
        let mut bound = hoso_tui::queue::SearchBound::Exact;
        for _ in 0..5 {
            let t = Instant::now();
            let p = page(&node, &q).map_err(|e| anyhow::anyhow!("search {text:?}: {e}"))?;
            v.push(ms(t));
            total = p.total;
            bound = p.bound;
        }
        // Typed into the list's search box: the last keystroke until its frame is redrawn.
        key(&mut app, &node, KeyCode::Char('/'));
        let mut chars: Vec<char> = text.chars().collect();
        let last = chars.pop();
        for c in chars {
            key(&mut app, &node, KeyCode::Char(c));
        }
        let mut keystroke_ms = None;
        if let Some(c) = last {
            let t = Instant::now();
            key(&mut app, &node, KeyCode::Char(c));
            hoso_tui::terminal::draw(&mut term, &app)?;
            keystroke_ms = Some(r3(ms(t)));
        }
        let shown = app.list.rows.len();
        key(&mut app, &node, KeyCode::Esc);
        let m = median(&mut v);
        worst = worst.max(m).max(keystroke_ms.unwrap_or(0.0));
        searches.push(json!({
            "kind": kind, "query": text, "matches": total, "bound": format!("{bound:?}"),
            "rows_shown_in_console": shown,
            "queue_page_ms_median": r3(m), "last_keystroke_to_frame_ms": keystroke_ms,
        }));
    }
    let json = json!({
        "node_open_ms": open_ms.iter().map(|x| r3(*x)).collect::<Vec<_>>(),
        "console_first_frame_ms": r3(first_frame_ms),
        "console_first_frame_what": "Node::open + App::new + the login screen drawn into a 120×40 TestBackend",
        "console_login_ms": r3(login_ms),
        "console_home_frame_ms": r3(list_frame_ms),
        "console_home_screen": home,
        "console_home_what": "after login (argon2 apart): the officer's home read and drawn (a hub's is the province dashboard, a commune's the case list with per-tab counts)",
        "console_home_communes_shown": communes_shown,
        "console_list_rows_shown": rows_shown,
        "search": searches,
        "commune_cases": commune_cases,
    });
    Ok(HubView {
        open_ms,
        first_frame_ms,
        list_frame_ms,
        search_worst_ms: worst,
        json,
    })
}
