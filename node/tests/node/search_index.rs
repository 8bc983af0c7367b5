//! The index keys for search at a hub of a million cases (issue 13): a receipt code's last
//! digits (`R`) and a commune's open cases (`M`). They stay equal to a rebuild after local
//! writes, an import, received cases and a case that ends; a store without them gains them when
//! the node opens; `commune_cases` returns what a pass over every summary returned; the CLI's
//! name search (`Node::list`) pages through the same matches as before.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use hoso_node::{Author, CaseId, CaseQuery, CaseSummary, Node};
use hoso_schemas::Status;
use hoso_testkit::node::{TestNode, add_peer, commune, hub, login, receive};

use super::commune_counts::hand_over;

/// `n` cases of the test registry's adults imported at `node`, received over several days.
fn import(node: &Node, n: usize, seed: usize) {
    let p = node
        .catalog()
        .procedure("judicial_record")
        .expect("procedure")
        .clone();
    let fields: serde_json::Map<String, serde_json::Value> = hoso_testkit::node::citizen_fields(&p)
        .into_iter()
        .map(|(k, v)| (k, v.into()))
        .collect();
    let citizens = ["020190012345", "020088001111", "020075000777"];
    let mut jsonl = String::new();
    for i in 0..n {
        let line = serde_json::json!({
            "procedure": "judicial_record",
            "citizen_id": citizens[(i + seed) % citizens.len()],
            "received_at": format!("2026-{:02}-{:02}T09:00:00+07:00", 1 + i % 11, 1 + (i / 11) % 28),
            "fields": fields,
        });
        jsonl.push_str(&line.to_string());
        jsonl.push('\n');
    }
    node.import_cases(
        &format!("t{seed}.jsonl"),
        jsonl.as_bytes(),
        &Author::Officer(login(node, "canbo01")),
    )
    .expect("import");
}

fn every_case(node: &Node) -> Vec<CaseSummary> {
    node.list(&CaseQuery {
        limit: usize::MAX,
        ..CaseQuery::default()
    })
    .expect("list")
}

/// What `commune_cases` returned when it read every summary (the reference).
fn commune_cases_by_scan(
    node: &Node,
    commune: &str,
    today: NaiveDate,
    max: usize,
) -> (Vec<CaseId>, usize) {
    let today_s = today.format("%Y-%m-%d").to_string();
    let mut out: Vec<CaseSummary> = every_case(node)
        .into_iter()
        .filter(|s| s.commune == commune && !s.status.ends_processing())
        .map(|mut s| {
            s.overdue = !s.status.pauses_clock() && s.due_date.as_str() < today_s.as_str();
            s
        })
        .collect();
    out.sort_by(|a, b| {
        (!a.overdue, &a.due_date, &a.receipt_code).cmp(&(!b.overdue, &b.due_date, &b.receipt_code))
    });
    let total = out.len();
    (out.into_iter().take(max).map(|s| s.id).collect(), total)
}

fn same_commune_cases(node: &Node, commune: &str) {
    for today in [
        NaiveDate::from_ymd_opt(2026, 1, 1).expect("day"),
        NaiveDate::from_ymd_opt(2026, 6, 15).expect("day"),
        NaiveDate::from_ymd_opt(2027, 12, 31).expect("day"),
    ] {
        let (cases, total) = node.commune_cases(commune, today).expect("commune cases");
        let ids: Vec<CaseId> = cases.iter().map(|s| s.id).collect();
        assert_eq!(
            (ids.clone(), total),
            commune_cases_by_scan(node, commune, today, hoso_node::province::MAX_COMMUNE_CASES),
            "{commune} as of {today}"
        );
        let (old, old_total) = node.commune_cases_by_scan(commune, today).expect("scan");
        assert_eq!(
            (ids, total),
            (old.iter().map(|s| s.id).collect(), old_total)
        );
        assert_eq!(cases, old);
        assert!(cases.iter().all(|s| s.overdue
            == (!s.status.pauses_clock() && s.due_date < today.format("%Y-%m-%d").to_string())));
    }
}

/// The cases whose short code's digits end with `digits`, by reading every receipt code.
fn tail_by_scan(node: &Node, digits: &str) -> BTreeSet<CaseId> {
    every_case(node)
        .into_iter()
        .filter(|s| hoso_node::receipt_tail(&s.receipt_code).starts_with(&rev(digits)))
        .map(|s| s.id)
        .collect()
}

fn rev(s: &str) -> String {
    s.chars().rev().collect()
}

fn tail_by_index(node: &Node, digits: &str) -> BTreeSet<CaseId> {
    node.case_index()
        .expect("index")
        .receipts_ending_with(digits, usize::MAX)
        .expect("range")
        .into_iter()
        .collect()
}

#[test]
fn receipt_tail_is_the_short_codes_digits_last_first() {
    assert_eq!(hoso_node::receipt_tail("06112-261201-0001"), "1000102162");
    assert_eq!(
        hoso_node::receipt_tail("000.20.06.112-261130-0042"),
        "2400031162"
    );
    // A code of another shape: its digits whole.
    assert_eq!(hoso_node::receipt_tail("A12-3"), "321");
}

#[test]
fn the_keys_follow_edits_imports_and_received_cases() {
    let c = commune("06112");
    let h = hub();
    add_peer(&c, &h, None);
    add_peer(&h, &c, None);
    import(&c, 40, 0);
    let a = receive(&c, "judicial_record", "020075000777");
    let b = receive(&c, "judicial_record", "020190012345");
    let lead = login(&c, "lanhdao01");
    // A case that ends leaves the commune's open cases; one paused stays in them.
    c.transition(
        &lead,
        &a.receipt_code,
        Status::RejectedAtIntake,
        None,
        Some("Không đủ điều kiện"),
    )
    .expect("rejected");
    c.transition(&lead, &b.receipt_code, Status::InProcess, None, None)
        .expect("in process");
    c.transition(
        &lead,
        &b.receipt_code,
        Status::SupplementRequested,
        None,
        Some("Thiếu giấy tờ"),
    )
    .expect("paused");
    c.add_note(&login(&c, "canbo01"), &b.receipt_code, "Ghi chú")
        .expect("note");
    assert!(c.check_indexes().expect("check").is_empty());
    same_commune_cases(&c, "06112");
    hand_over(&c, &h);
    assert!(h.check_indexes().expect("check").is_empty());
    same_commune_cases(&h, "06112");
    assert_eq!(
        h.commune_cases("06112", NaiveDate::from_ymd_opt(2026, 1, 1).expect("day"))
            .expect("cases")
            .1,
        41
    );
    // Received again after an edit: still equal to a rebuild.
    c.transition(
        &lead,
        &b.receipt_code,
        Status::InProcess,
        None,
        Some("Đã bổ sung"),
    )
    .expect("resumed");
    import(&c, 10, 1);
    hand_over(&c, &h);
    assert!(h.check_indexes().expect("check").is_empty());
    same_commune_cases(&h, "06112");
    for node in [&c.node, &h.node] {
        let codes: Vec<String> = every_case(node)
            .into_iter()
            .map(|s| s.receipt_code)
            .collect();
        let last = codes.first().expect("a case");
        let short_digits: String = last
            .rsplitn(3, '-')
            .take(2)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<String>();
        for digits in [
            "0001",
            "001",
            "0010",
            "0100",
            "9999",
            &short_digits,
            &short_digits[2..],
        ] {
            assert_eq!(
                tail_by_index(node, digits),
                tail_by_scan(node, digits),
                "{digits}"
            );
        }
        assert!(!tail_by_index(node, "0001").is_empty());
    }
}

#[test]
fn a_store_without_the_keys_gains_them_when_it_opens() {
    let TestNode { node, dir } = commune("06112");
    import(&node, 30, 0);
    let expected_tail = tail_by_index(&node, "0001");
    assert!(!expected_tail.is_empty());
    drop(node);
    // As the 1,000,000-case hub an earlier build wrote: no `R` or `M` keys, no marker.
    {
        use hoso_node::tamper::tables::{INDEX, META};
        let db = hoso_node::tamper::open_store(dir.path()).expect("store");
        let tx = db.begin_write().expect("tx");
        {
            let mut idx = tx.open_table(INDEX).expect("index");
            for tag in [b'M', b'R'] {
                idx.retain_in([tag].as_slice()..[tag + 1].as_slice(), |_, _| false)
                    .expect("clear");
            }
            tx.open_table(META)
                .expect("meta")
                .remove(hoso_node::tamper::META_LATE_KEYS)
                .expect("marker");
        }
        tx.commit().expect("commit");
    }
    let node = Node::open(dir.path()).expect("open");
    assert!(node.check_indexes().expect("check").is_empty());
    assert_eq!(tail_by_index(&node, "0001"), expected_tail);
    same_commune_cases(&node, "06112");
    // The marker holds: the next open builds nothing, a rebuild gives the same keys.
    drop(node);
    let node = Node::open(dir.path()).expect("open");
    let again = node.rebuild_late_index_keys().expect("rebuild");
    assert_eq!(again.cases, 30);
    assert!(node.check_indexes().expect("check").is_empty());
}

#[test]
fn the_cli_name_search_pages_as_before() {
    let c = commune("06112");
    import(&c, 60, 0);
    for q in [
        "nguyen thi",
        "van",
        "hoang hung",
        "ng th",
        "dang van duc",
        "xyz",
    ] {
        let all = c
            .list(&CaseQuery {
                search: Some(q.into()),
                limit: usize::MAX,
                ..CaseQuery::default()
            })
            .expect("all");
        for (offset, limit) in [(0, 5), (3, 7), (50, 50)] {
            let page = c
                .list(&CaseQuery {
                    search: Some(q.into()),
                    offset,
                    limit,
                    ..CaseQuery::default()
                })
                .expect("page");
            let want: Vec<CaseId> = all.iter().skip(offset).take(limit).map(|s| s.id).collect();
            assert_eq!(page.iter().map(|s| s.id).collect::<Vec<_>>(), want, "{q}");
        }
        // Every case whose name has the tokens, none other.
        let tokens = hoso_schemas::tokens(q);
        let by_name: BTreeSet<CaseId> = every_case(&c)
            .into_iter()
            .filter(|s| {
                let have = hoso_schemas::tokens(&s.applicant_name);
                tokens
                    .iter()
                    .all(|t| have.iter().any(|h| h.starts_with(t.as_str())))
            })
            .map(|s| s.id)
            .collect();
        assert_eq!(
            all.iter().map(|s| s.id).collect::<BTreeSet<_>>(),
            by_name,
            "{q}"
        );
    }
}
