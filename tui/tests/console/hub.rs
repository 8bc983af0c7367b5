//! The hub's dashboard and the auditor's console over a real hub store: two commune nodes
//! receive cases, their chains and documents go to the hub as sync hands them over (verified
//! chain first, then the documents through the guarded ingest), and the hub's console reads
//! them. Snapshots at 80×24 and 120×40.

use chrono::NaiveDate;
use hoso_node::province::Contact;
use hoso_node::{Node, NodeRole, Peer, Peers};
use hoso_schemas::{Role, Status};
use hoso_testkit::node::Spec;
use hoso_tui::app::{App, AppOptions, Screen};
use hoso_tui::theme::Theme;
use ratatui::crossterm::event::KeyCode;

use super::common::{CITIZENS, Harness, PASS, at, citizen_fields, stable};

/// A node of the province with the test officers, `canbo02` and the console's registry.
fn init(dir: &std::path::Path, name: &str, role: NodeRole, commune: Option<&str>) -> Node {
    let spec = match (role, commune) {
        (NodeRole::Commune, Some(c)) => Spec::commune(c),
        _ => Spec::hub(),
    };
    spec.named(name)
        .citizens(CITIZENS)
        .with_officer("canbo02", "Vi Văn Toàn", Role::Officer)
        .init_at(dir)
}

fn case(node: &Node, officer: &str, citizen: &str, received: &str) -> hoso_node::CaseView {
    let p = node
        .catalog()
        .procedure("judicial_record")
        .expect("procedure");
    node.create_case(
        &node.authenticate(officer, PASS).expect("login"),
        hoso_node::NewCase {
            procedure: "judicial_record".into(),
            citizen_id: citizen.into(),
            fields: citizen_fields(p),
            received_at: Some(at(received)),
        },
    )
    .expect("create")
}

/// What a sync session moves: the commune's chain (verified by the hub), then its documents.
fn hand_over(from: &Node, to: &Node) {
    let id = from.id();
    let have = to.chain_len(&id).expect("len");
    let recs = from.chain_records(&id, have, 100_000).expect("records");
    let r = to.ingest_chain(&id, &recs).expect("ingest chain");
    assert!(r.refused.is_none(), "{r:?}");
    for s in from
        .list(&hoso_node::CaseQuery {
            limit: 10_000,
            ..Default::default()
        })
        .expect("list")
    {
        to.apply_remote(&s.id, &from.doc_bytes(&s.id).expect("bytes"))
            .expect("merge");
    }
}

pub(crate) struct Province {
    pub hub: Node,
    pub a: Node,
    pub b: Node,
    _dir: tempfile::TempDir,
}

/// A hub holding two communes: Bình Gia (06112, 3 cases, one overdue, contact recorded) and
/// Hoa Thám (06115, 2 cases by canbo02, never in contact).
pub(crate) fn province() -> Province {
    let dir = tempfile::tempdir().expect("tempdir");
    let hub = init(
        &dir.path().join("hub"),
        "Trung tâm tỉnh Lạng Sơn",
        NodeRole::Hub,
        None,
    );
    let a = init(
        &dir.path().join("a"),
        "Xã Bình Gia",
        NodeRole::Commune,
        Some("06112"),
    );
    let b = init(
        &dir.path().join("b"),
        "Xã Hoa Thám",
        NodeRole::Commune,
        Some("06115"),
    );
    let late = case(&a, "canbo01", "020190012345", "2026-01-05T09:00:00+07:00");
    case(&a, "canbo01", "020088001111", "2026-11-25T09:00:00+07:00");
    let far = case(&a, "canbo01", "020075000777", "2099-03-03T10:00:00+07:00");
    a.transition(
        &a.authenticate("canbo01", PASS).expect("login"),
        &far.receipt_code,
        Status::InProcess,
        None,
        Some("Đủ giấy tờ"),
    )
    .expect("transition");
    let _ = late;
    case(&b, "canbo02", "020301000123", "2026-11-26T14:00:00+07:00");
    case(&b, "canbo02", "020190012345", "2099-03-04T11:00:00+07:00");
    hand_over(&a, &hub);
    hand_over(&b, &hub);
    let mut peers = Peers::default();
    for (n, code, name) in [(&a, "06112", "Xã Bình Gia"), (&b, "06115", "Xã Hoa Thám")] {
        peers
            .add(
                hub.config(),
                &hub.id(),
                Peer {
                    node_id: n.id(),
                    name: name.into(),
                    role: NodeRole::Commune,
                    addrs: vec![],
                    scope: vec![code.into()],
                },
            )
            .expect("peer");
    }
    peers.save(hub.dir()).expect("save peers");
    let at_ms = at("2026-11-27T08:15:00+07:00").timestamp_millis();
    hub.record_contact(
        &a.id(),
        &Contact {
            at_ms,
            open: false,
            peer_sent_all: true,
            pending_to_peer: 0,
        },
    )
    .expect("contact");
    Province {
        hub,
        a,
        b,
        _dir: dir,
    }
}

fn harness(p: &Province) -> Harness {
    let app = App::new(
        &p.hub,
        AppOptions {
            theme: Some(Theme::mono()),
            today: NaiveDate::from_ymd_opt(2026, 11, 27),
            ..AppOptions::default()
        },
    );
    // The harness owns a node handle; the hub's temp dir stays with `p`.
    Harness {
        node: p.hub.clone(),
        app,
        _dir: tempfile::tempdir().expect("tempdir"),
    }
}

fn snap(name: &str, h: &Harness, w: u16, ht: u16) {
    let screen = h.screen(w, ht);
    stable().bind(|| insta::assert_snapshot!(name, screen));
}

#[test]
fn last_contact_is_durable_and_the_dashboard_counts_by_commune() {
    let p = province();
    let d = p
        .hub
        .province_dashboard(NaiveDate::from_ymd_opt(2026, 11, 27).expect("date"))
        .expect("dashboard");
    let a = d.rows.iter().find(|r| r.commune == "06112").expect("06112");
    let b = d.rows.iter().find(|r| r.commune == "06115").expect("06115");
    assert_eq!((a.open, a.overdue), (3, 1), "{a:?}");
    assert_eq!((b.open, b.overdue), (2, 0), "{b:?}");
    assert!(a.contact.is_some() && b.contact.is_none());
    assert_eq!(a.chain_held, p.a.chain_len(&p.a.id()).expect("len"));
    assert_eq!(d.cases, 5);
    // An older record never replaces a newer one; a restart keeps the newest.
    p.hub
        .record_contact(&p.a.id(), &Contact::default())
        .expect("older");
    let dir = p.hub.dir().to_path_buf();
    let before = p.hub.contacts().expect("contacts");
    drop(p.hub);
    let reopened = Node::open(&dir).expect("reopen");
    assert_eq!(reopened.contacts().expect("contacts"), before);
    assert_eq!(
        before.get(&p.a.id()).map(|c| c.at_ms),
        Some(at("2026-11-27T08:15:00+07:00").timestamp_millis())
    );
}

#[test]
fn hub_opens_on_the_dashboard_refuses_receiving_and_drills_down() {
    let p = province();
    let mut h = harness(&p);
    h.login("lanhdao01");
    assert_eq!(h.app.screen, Screen::Province);
    let s = h.screen(80, 24);
    assert!(
        s.contains("Xã Bình Gia") && s.contains("Xã Hoa Thám"),
        "{s}"
    );
    // Sorted by who is behind: the commune with an overdue case first.
    let first = h.app.province.sorted()[0].commune.clone();
    assert_eq!(first, "06112");
    snap("hub_dashboard_80x24", &h, 80, 24);
    snap("hub_dashboard_120x40", &h, 120, 40);
    // No receiving at a hub, by key or by tab number.
    h.key(KeyCode::Char('2'));
    assert_eq!(h.app.screen, Screen::Province);
    h.key(KeyCode::Char('n'));
    assert_eq!(h.app.screen, Screen::Province);
    assert!(
        h.app
            .toast
            .as_ref()
            .is_some_and(|t| t.text.contains("không tiếp nhận")),
        "{:?}",
        h.app.toast
    );
    h.app.toast = None;
    // Another order: longest without contact first (Hoa Thám never synced).
    h.key(KeyCode::Char('o'));
    assert_eq!(h.app.province.sorted()[0].commune, "06115");
    h.key(KeyCode::Char('o'));
    h.key(KeyCode::Char('o'));
    h.key(KeyCode::Char('o'));
    // Drill down into Bình Gia, open its overdue case.
    h.key(KeyCode::Enter);
    assert_eq!(h.app.screen, Screen::ProvinceCases);
    assert_eq!(h.app.province_cases.total, 3);
    assert!(h.app.province_cases.rows[0].overdue);
    snap("hub_commune_cases_80x24", &h, 80, 24);
    snap("hub_commune_cases_120x40", &h, 120, 40);
    h.key(KeyCode::Enter);
    assert_eq!(h.app.screen, Screen::Detail);
    assert!(h.app.detail.case.is_some());
}

#[test]
fn auditor_reads_every_chain_filters_one_officer_verifies_and_exports() {
    let p = province();
    let mut h = harness(&p);
    let out = tempfile::tempdir().expect("out");
    h.app.auditor.export_dir = out.path().to_path_buf();
    h.login("thanhtra01");
    assert_eq!(
        h.app.screen,
        Screen::Province,
        "a hub opens on the dashboard"
    );
    h.key(KeyCode::Char('4'));
    assert_eq!(h.app.screen, Screen::Auditor);
    let all = h.app.auditor.results.clone().expect("results");
    let held: u64 = [&p.hub, &p.a, &p.b]
        .iter()
        .map(|n| p.hub.chain_len(&n.id()).expect("len"))
        .sum();
    assert_eq!(all.chains, 3, "the hub's own chain and both communes'");
    assert_eq!(all.held, held);
    assert_eq!(all.total as u64, held, "every entry, not the last 200");
    // Filter: one officer's actions.
    h.key(KeyCode::Char('f'));
    h.key(KeyCode::Tab);
    h.type_str("canbo02");
    h.key(KeyCode::Enter);
    let r = h.app.auditor.results.clone().expect("results");
    assert!(r.total >= 2, "{r:?}");
    assert!(r.rows.iter().all(|x| x.line.officer == "canbo02"));
    assert!(r.rows.iter().all(|x| x.commune.as_deref() == Some("06115")));
    let s = h.screen(80, 24);
    assert!(s.contains("Tiếp nhận hồ sơ"), "{s}");
    assert!(!s.contains("case_create") && !s.contains('{'), "{s}");
    snap("auditor_officer_filter_80x24", &h, 80, 24);
    snap("auditor_officer_filter_120x40", &h, 120, 40);
    // Filter by commune name and action; a bad date says what is wrong.
    h.key(KeyCode::Char('c'));
    h.key(KeyCode::Char('f'));
    h.type_str("binh gia");
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    for _ in 0..8 {
        h.key(KeyCode::Right); // Genesis … Transition
    }
    h.key(KeyCode::Enter);
    let r = h.app.auditor.results.clone().expect("results");
    assert_eq!(r.total, 1, "one transition in Bình Gia: {r:?}");
    assert!(r.rows[0].line.sentence.contains("Đủ giấy tờ"), "{r:?}");
    h.key(KeyCode::Char('f'));
    for _ in 0..4 {
        h.key(KeyCode::Tab);
    }
    h.type_str("31/02/2026");
    h.key(KeyCode::Enter);
    assert!(
        h.app
            .auditor
            .error
            .as_deref()
            .is_some_and(|e| e.contains("dd/mm/yyyy")),
        "{:?}",
        h.app.auditor.error
    );
    // Full verification: runs to the end here, and says the store is whole.
    h.key(KeyCode::Char('c'));
    h.key(KeyCode::Char('v'));
    let v = h
        .app
        .auditor
        .report
        .clone()
        .expect("verified")
        .expect("no error");
    assert!(v.ok, "{v:?}");
    assert!(v.verdict.starts_with("TOÀN VẸN"), "{v:?}");
    assert_eq!(v.chains.len(), 3);
    snap("auditor_verify_80x24", &h, 80, 24);
    snap("auditor_verify_120x40", &h, 120, 40);
    h.key(KeyCode::Esc);
    // Evidence bundle for the selected entry's case; it verifies offline.
    h.key(KeyCode::Char('f'));
    h.key(KeyCode::Tab);
    h.type_str("canbo02");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('x'));
    h.key(KeyCode::Char('h'));
    let (text, error) = h.app.auditor.exported.clone().expect("exported");
    assert!(!error, "{text}");
    let file = std::fs::read_dir(out.path())
        .expect("dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "hoso-bundle"))
        .expect("bundle file");
    let bytes = std::fs::read(&file).expect("read");
    let report = hoso_node::audit::bundle::verify_bundle(&bytes, &Default::default())
        .expect("verify bundle");
    assert!(report.ok, "{:?}", report.findings);
    let b = hoso_node::audit::bundle::Bundle::decode(&bytes).expect("decode");
    let info = b.info.expect("info");
    assert_eq!(
        info["scope"]["case"]["receipt_code"]
            .as_str()
            .map(|s| s.contains("06.115")),
        Some(true),
        "{info}"
    );
    assert!(
        info["entries_in_scope"].as_u64().is_some_and(|n| n >= 1),
        "{info}"
    );
}
