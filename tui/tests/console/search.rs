//! The list's search at any size (issue 13: search at a hub of a million cases): each kind of
//! query (a name, a citizen id, a full receipt code, the short code, its last digits) finds the
//! same cases as the passes over every receipt code and whole name ranges it replaced, and a
//! search broader than [`SEARCH_CAP`] stops there and says so in the list.

use std::collections::HashSet;

use hoso_node::{CaseId, Node};
use hoso_tui::queue::{self, SEARCH_CAP, SearchBound};
use ratatui::crossterm::event::KeyCode;

use super::common::{Harness, PASS, citizen_fields};

/// `n` cases imported for the console's adult citizens, received over many days.
fn import(node: &Node, n: usize) {
    let p = node
        .catalog()
        .procedure("judicial_record")
        .expect("p")
        .clone();
    let fields: serde_json::Map<String, serde_json::Value> = citizen_fields(&p)
        .into_iter()
        .map(|(k, v)| (k, v.into()))
        .collect();
    let citizens = [
        "020190012345",
        "020088001111",
        "020075000777",
        "020301000123",
    ];
    let mut jsonl = String::new();
    for i in 0..n {
        let line = serde_json::json!({
            "procedure": "judicial_record",
            "citizen_id": citizens[i % citizens.len()],
            "received_at": format!("2026-{:02}-{:02}T09:00:00+07:00", 1 + i % 11, 1 + (i / 11) % 28),
            "fields": fields,
        });
        jsonl.push_str(&line.to_string());
        jsonl.push('\n');
    }
    let by = node.authenticate("canbo01", PASS).expect("login");
    node.import_cases("t.jsonl", jsonl.as_bytes(), &hoso_node::Author::Officer(by))
        .expect("import");
}

/// What the list's search found before: every receipt code read for the last digits, every
/// name token's range read whole.
fn by_full_scans(node: &Node, text: &str) -> HashSet<CaseId> {
    let text = text.trim();
    let index = node.case_index().expect("index");
    let mut out = HashSet::new();
    if let Some(id) = index.receipt(text).expect("receipt") {
        out.insert(id);
        return out;
    }
    if !queue::is_code_like(text) {
        if let Some(found) = index.search_names(text).expect("names") {
            out.extend(found.into_iter().map(|(id, _)| id));
        }
        return out;
    }
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    if digits.len() == 12 && !text.contains('-') {
        out.extend(index.of_citizen(&digits).expect("citizen"));
    }
    let citizen_found = digits.len() == 12 && !text.contains('-') && !out.is_empty();
    if digits.len() >= 3 && !citizen_found {
        let ends = |code: &str| {
            let mut have = hoso_tui::format::short_receipt(code)
                .bytes()
                .rev()
                .filter(u8::is_ascii_digit);
            digits.bytes().rev().all(|d| have.next() == Some(d))
        };
        out.extend(index.receipts_where(ends).expect("receipts"));
    }
    out
}

#[test]
fn each_kind_of_search_finds_what_the_full_scans_found() {
    let h = Harness::new();
    import(&h.node, 150);
    let codes: Vec<String> = h
        .node
        .list(&hoso_node::CaseQuery {
            limit: 1000,
            ..hoso_node::CaseQuery::default()
        })
        .expect("list")
        .into_iter()
        .map(|s| s.receipt_code)
        .collect();
    let code = codes[codes.len() / 2].clone();
    let short = hoso_tui::format::short_receipt(&code).to_string();
    let seq = short.rsplit('-').next().expect("sequence").to_string();
    let mut queries: Vec<String> = [
        "nguyen thi",
        "ng th huong",
        "Nguyễn Thị Hương",
        "hoang",
        "ton nu hoang",
        "van",
        "dang van duc",
        "xyz",
        "thi xyz",
        "020190012345",
        "020075000777",
        "020000000000",
        "0001",
        "001",
        "0003",
        "9999",
        "12",
    ]
    .into_iter()
    .map(str::to_string)
    .collect();
    queries.extend([
        code.clone(),
        short.clone(),
        short.replace('-', ""),
        seq.clone(),
    ]);
    queries.push(format!(
        "{}-{seq}",
        &short[2..short.find('-').expect("dash")]
    ));
    for q in &queries {
        let found = queue::search(&h.node, q).expect("search");
        assert_eq!(found.ids, by_full_scans(&h.node, q), "{q}");
        assert_eq!(found.bound, SearchBound::Exact, "{q}");
    }
    assert_eq!(queue::search(&h.node, &code).expect("code").ids.len(), 1);
    assert!(queue::search(&h.node, &seq).expect("seq").ids.len() > 1);
}

#[test]
fn a_search_broader_than_the_cap_stops_there_and_says_so() {
    let mut h = Harness::new();
    // Every fourth case is Nguyễn Thị Hương's: just over the cap match `nguyen thi`.
    import(&h.node, 4 * (SEARCH_CAP + 20));
    let found = queue::search(&h.node, "nguyen thi").expect("search");
    assert_eq!(found.bound, SearchBound::MoreThan);
    assert_eq!(found.ids.len(), SEARCH_CAP);
    assert!(found.ids.is_subset(&by_full_scans(&h.node, "nguyen thi")));
    // Each day's first receipt (about 300): the cap too.
    let firsts = queue::search(&h.node, "0001").expect("search");
    assert_eq!(
        (firsts.bound, firsts.ids.len()),
        (SearchBound::MoreThan, SEARCH_CAP)
    );
    assert!(firsts.ids.is_subset(&by_full_scans(&h.node, "0001")));
    // Narrower (one day's first receipt): every match again.
    let codes = h
        .node
        .list(&hoso_node::CaseQuery {
            limit: 10,
            ..hoso_node::CaseQuery::default()
        })
        .expect("list");
    let short = hoso_tui::format::short_receipt(&codes[0].receipt_code).to_string();
    let one = queue::search(&h.node, &short).expect("search");
    assert_eq!(one.bound, SearchBound::Exact);
    assert_eq!(one.ids, by_full_scans(&h.node, &short));
    // The list says it, in Vietnamese.
    h.login("canbo01");
    h.key(KeyCode::Char('/'));
    h.type_str("nguyen thi");
    assert_eq!(h.app.list.bound, SearchBound::MoreThan);
    assert_eq!(h.app.list.total(), Some(SEARCH_CAP));
    let screen = h.screen(120, 40);
    assert!(
        screen.contains("hơn 200 khớp trong «Cần xử lý» · gõ thêm để thu hẹp"),
        "{screen}"
    );
}
