//! Correcting fields of a stored case (the console's `e`): typed fields through the catalog's
//! validation, registry fields only with a reason and with their evidence kept.

use hoso_node::NodeError;
use hoso_node::audit::entry::Action;

use hoso_testkit::node::{commune, new_case};

#[test]
fn a_registry_field_is_corrected_with_a_reason_and_keeps_its_evidence() {
    let t = commune("06112");
    let n = &t.node;
    let officer = n.authenticate("canbo01", "test-passphrase").expect("login");
    let v = n
        .create_case(&officer, new_case(n, "birth_registration", "020190012345"))
        .expect("create");
    let code = v.receipt_code.clone();
    let evidence = v
        .evidence
        .get("father_full_name")
        .cloned()
        .expect("evidence");
    let set = |name: &str, value: &str| vec![(name.to_string(), value.to_string())];

    // Without a reason a registry field is refused, and nothing is written.
    let e = n
        .correct_fields(
            &officer,
            &code,
            &set("father_full_name", "Đặng Văn Đức Anh"),
            None,
        )
        .expect_err("no reason");
    assert!(matches!(e, NodeError::CorrectionNeedsReason { .. }), "{e}");
    assert!(e.is_bad_input());
    // The catalog validates the value: a malformed date is refused.
    let e = n
        .correct_fields(
            &officer,
            &code,
            &set("child_date_of_birth", "31/02/2026"),
            None,
        )
        .expect_err("bad date");
    assert!(matches!(e, NodeError::Field(_)), "{e}");
    assert_eq!(n.audit_for_case(&v.id).expect("log").len(), 1);

    // With a reason: the value changes, the evidence stays, the registry value is kept.
    let after = n
        .correct_fields(
            &officer,
            &code,
            &set("father_full_name", "Đặng Văn Đức Anh"),
            Some("Giấy khai sinh mới của người cha"),
        )
        .expect("corrected");
    assert_eq!(
        after.fields.get("father_full_name").map(String::as_str),
        Some("Đặng Văn Đức Anh")
    );
    assert_eq!(after.evidence.get("father_full_name"), Some(&evidence));
    let c = after.corrections.last().expect("a correction record");
    assert_eq!(c.field, "father_full_name");
    assert_eq!(c.from, "Đặng Văn Đức");
    assert_eq!(c.to, "Đặng Văn Đức Anh");
    assert_eq!(c.reason, "Giấy khai sinh mới của người cha");
    assert_eq!(c.record_ref, evidence.record_ref);
    assert_eq!(c.officer, "canbo01");
    // Stored: a fresh read has it.
    assert_eq!(n.case(&code).expect("read").corrections, after.corrections);

    // A typed field needs no reason and is audited as a field edit.
    let typed = v
        .fields
        .keys()
        .find(|k| !v.evidence.contains_key(*k) && k.as_str() == "child_full_name")
        .cloned()
        .expect("a typed field");
    let after = n
        .correct_fields(&officer, &code, &set(&typed, "Đặng Minh Khang"), None)
        .expect("typed");
    assert_eq!(
        after.fields.get(&typed).map(String::as_str),
        Some("Đặng Minh Khang")
    );
    // Unchanged values change nothing.
    let e = n
        .correct_fields(&officer, &code, &set(&typed, "Đặng Minh Khang"), None)
        .expect_err("same");
    assert!(e.is_bad_input(), "{e}");

    let log: Vec<(Action, serde_json::Value)> = n
        .audit_for_case(&v.id)
        .expect("log")
        .into_iter()
        .map(|e| {
            let p = e
                .payload
                .as_deref()
                .and_then(|b| serde_json::from_slice(b).ok())
                .unwrap_or_default();
            (e.entry.body.action, p)
        })
        .collect();
    let kinds: Vec<Action> = log.iter().map(|(a, _)| *a).collect();
    assert_eq!(
        kinds,
        [Action::CaseCreate, Action::FieldCorrect, Action::FieldSet]
    );
    assert_eq!(Action::FieldCorrect.code(), 80);
    let p = &log[1].1;
    assert_eq!(p["reason"], "Giấy khai sinh mới của người cha");
    assert_eq!(p["fields"]["father_full_name"]["from"], "Đặng Văn Đức");
    assert_eq!(p["fields"]["father_full_name"]["registry"], true);
}
