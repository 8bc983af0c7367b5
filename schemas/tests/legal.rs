//! The legal values of the shipped catalog: every time limit and fee has its source, bundle
//! tracks have their agencies and own limits, short names stay distinct, fees have a payment
//! step, and the values the law fixes are the ones the law gives (procedures.md, corrections
//! of 2026-11-30).

use chrono::DateTime;
use hoso_schemas::{Catalog, Channel, HolidayCalendar, Status, fold};

fn builtin() -> Catalog {
    Catalog::builtin().unwrap_or_else(|e| panic!("builtin catalog: {e}"))
}

#[test]
fn every_limit_and_fee_names_its_source() {
    for p in &builtin() {
        assert!(
            !p.deadline.source.trim().is_empty(),
            "{}: deadline source",
            p.code
        );
        let fee = p
            .fee
            .as_ref()
            .unwrap_or_else(|| panic!("{}: no [fee]", p.code));
        assert!(!fee.source.trim().is_empty(), "{}: fee source", p.code);
        assert!(
            p.national_code.is_some() || p.national_code_source.is_some(),
            "{}: neither a national code nor a note on why it is missing",
            p.code
        );
        for t in &p.track_specs {
            assert!(!t.agency.is_empty(), "{}/{}: agency", p.code, t.procedure);
            assert!(
                !t.deadline.source.is_empty(),
                "{}/{}: deadline source",
                p.code,
                t.procedure
            );
        }
        assert_eq!(p.track_specs.len(), p.tracks.len(), "{}", p.code);
    }
}

#[test]
fn short_names_are_distinct_and_fit_a_column() {
    let c = builtin();
    let mut seen: Vec<(String, &str)> = Vec::new();
    for p in &c {
        let n = p.short_name.chars().count();
        assert!(
            (2..=14).contains(&n),
            "{}: short name `{}` ({n} chars; the 80-column list shows 14)",
            p.code,
            p.short_name
        );
        let key = fold(&p.short_name);
        if let Some((_, other)) = seen.iter().find(|(k, _)| *k == key) {
            panic!(
                "{} and {other} share the short name `{}`",
                p.code, p.short_name
            );
        }
        seen.push((key, &p.code));
    }
    let short = |code: &str| c.procedure(code).map(|p| p.short_name.clone()).ok();
    assert_eq!(short("birth_registration").as_deref(), Some("Khai sinh"));
    assert_eq!(short("death_registration").as_deref(), Some("Khai tử"));
    assert_eq!(short("bundle_birth").as_deref(), Some("LT khai sinh"));
    assert_eq!(short("bundle_death").as_deref(), Some("LT khai tử"));
}

#[test]
fn a_fee_means_a_payment_step() {
    for p in &builtin() {
        let charged = p.fee.as_ref().is_some_and(|f| !f.is_free());
        let copies = p.fee.as_ref().is_some_and(|f| f.per_copy > 0);
        assert!(
            !charged || p.has_payment_step(),
            "{}: fee {:?} but no payment step",
            p.code,
            p.fee.as_ref().map(hoso_schemas::Fee::label_vi),
        );
        assert!(
            charged || copies || !p.has_payment_step(),
            "{}: a payment step but nothing to pay",
            p.code
        );
        if charged {
            // Paid: processing goes on; not paid: a supervisor stops the case.
            let t = &p.workflow;
            assert!(
                t.targets(Status::AwaitingPayment)
                    .contains(&Status::InProcess),
                "{}",
                p.code
            );
            assert!(
                t.targets(Status::AwaitingPayment)
                    .contains(&Status::Stopped),
                "{}",
                p.code
            );
        }
    }
}

#[test]
fn residence_fees_follow_circular_75_2022() {
    let c = builtin();
    let fee = |code: &str| {
        c.procedure(code)
            .ok()
            .and_then(|p| p.fee.clone())
            .expect("fee")
    };
    let perm = fee("permanent_residence");
    assert_eq!(
        (perm.amount(Channel::InPerson), perm.amount(Channel::Online)),
        (20_000, 10_000)
    );
    assert!(perm.source.contains("75/2022/TT-BTC"));
    assert!(perm.exemptions.iter().any(|e| e.contains("Trẻ em")));
    let temp = fee("temporary_residence");
    assert_eq!(
        (temp.amount(Channel::InPerson), temp.amount(Channel::Online)),
        (15_000, 7_000)
    );
    assert_eq!(temp.amount(Channel::Post), 15_000);
    let jr = fee("judicial_record");
    assert_eq!(jr.in_person, 200_000);
    assert!(fee("temporary_absence").is_free());
    assert!(fee("birth_registration").is_free());
    assert!(
        fee("bundle_birth").is_free(),
        "children are exempt; the card is state-paid"
    );
}

#[test]
fn decree_63_birth_bundle_limits() {
    let c = builtin();
    let b = c.procedure("bundle_birth").expect("bundle_birth");
    assert_eq!(b.deadline.working_days, 3);
    assert_eq!(b.deadline.verification_working_days, Some(5));
    assert_eq!(b.deadline.supplement_working_days, Some(7));
    let birth = b.track_spec("birth_registration").expect("birth track");
    assert_eq!(birth.deadline.working_days, 0);
    assert_eq!(birth.after, None);
    for code in ["permanent_residence", "health_insurance_child"] {
        let t = b.track_spec(code).expect("track");
        assert_eq!(t.deadline.working_days, 2, "{code}");
        assert_eq!(t.after.as_deref(), Some("birth_registration"), "{code}");
        assert!(t.deadline.source.contains("63/2024"), "{code}");
        assert!(!t.optional);
    }
    assert_eq!(
        b.track_spec("permanent_residence")
            .map(|t| t.agency.as_str()),
        Some("Công an cấp xã")
    );
    assert!(
        b.track_spec("health_insurance_child")
            .is_some_and(|t| t.agency.contains("Bảo hiểm xã hội"))
    );
    // The stand-alone residence limit is not the track's.
    assert_eq!(
        c.procedure("permanent_residence")
            .map(|p| p.deadline.working_days),
        Ok(7)
    );

    let cal = HolidayCalendar::builtin().expect("calendar");
    let at = |s: &str| DateTime::parse_from_rfc3339(s).expect("time");
    // Monday 23/11/2026 morning: due Thursday; after 15:00: Friday; with verification: 5 days.
    assert_eq!(
        b.deadline
            .due_date(&cal, at("2026-11-23T09:00:00+07:00"))
            .to_string(),
        "2026-11-26"
    );
    assert_eq!(
        b.deadline
            .due_date(&cal, at("2026-11-23T15:30:00+07:00"))
            .to_string(),
        "2026-11-27"
    );
    assert_eq!(
        b.deadline
            .due_date_with(&cal, at("2026-11-23T09:00:00+07:00"), true)
            .to_string(),
        "2026-11-30"
    );
}

#[test]
fn death_bundle_has_the_survivor_benefit_option() {
    let c = builtin();
    let b = c.procedure("bundle_death").expect("bundle_death");
    assert_eq!(b.national_code.as_deref(), Some("1.011537"));
    assert_eq!(
        b.tracks,
        [
            "death_registration",
            "residence_removal",
            "funeral_allowance",
            "survivor_benefit"
        ]
    );
    let optional: Vec<&str> = b
        .track_specs
        .iter()
        .filter(|t| t.optional)
        .map(|t| t.procedure.as_str())
        .collect();
    assert_eq!(optional, ["funeral_allowance", "survivor_benefit"]);
    assert!(b.field("survivor_benefit_kind").is_some());
    // The deceased is asked for once although three tracks name them.
    assert_eq!(
        b.fields
            .iter()
            .filter(|f| f.name == "deceased_full_name")
            .count(),
        1
    );
}

#[test]
fn new_commune_procedures_have_real_fields() {
    let c = builtin();
    for (code, days, needs) in [
        (
            "temporary_residence",
            3,
            &["temporary_address", "stay_months", "legal_residence_basis"][..],
        ),
        (
            "temporary_absence",
            1,
            &[
                "absence_case",
                "absence_from",
                "absence_to",
                "destination_address",
            ][..],
        ),
        (
            "old_id_confirmation",
            3,
            &["old_id_number", "holder_full_name"][..],
        ),
    ] {
        let p = c.procedure(code).expect(code);
        assert_eq!(p.deadline.working_days, days, "{code}");
        assert!(
            p.legal_basis.contains("20") && !p.legal_basis.is_empty(),
            "{code}"
        );
        for f in needs {
            assert!(p.field(f).is_some_and(|f| f.required), "{code}.{f}");
        }
        assert!(
            p.registry_fields().count() >= 2,
            "{code}: registry-filled fields"
        );
    }
}

#[test]
fn every_case_can_carry_its_channel_and_portal_code() {
    for p in &builtin() {
        let ch = p.field("submission_channel").expect("channel field");
        assert_eq!(ch.validate("truc tuyen").as_deref(), Ok("Trực tuyến"));
        assert!(p.field("portal_case_code").is_some(), "{}", p.code);
    }
}

#[test]
fn legacy_processing_days_still_loads() {
    let text = r#"
code = "old"
name_vi = "Thủ tục cũ"
name_en = "Old"
agency = "UBND cấp xã"
legal_basis = "x"
processing_days = 0

[[fields]]
name = "a"
label_vi = "A"
label_en = "A"
type = "text"

[[workflow]]
from = "received"
to = "in_process"
roles = ["officer"]
"#;
    let c = Catalog::from_sources(&[("old.toml", text)]).unwrap_or_else(|e| panic!("{e}"));
    let p = c.procedure("old").expect("old");
    assert_eq!(p.deadline.working_days, 0);
    assert!(
        p.deadline.received_after.is_some(),
        "same-day limits keep the 15:00 cut-off"
    );
    assert_eq!(p.short_name, "Thủ tục cũ");
    assert!(p.fee.is_none());

    let both = text.replace(
        "processing_days = 0",
        "processing_days = 0\n[deadline]\nworking_days = 1\nsource = \"x\"",
    );
    let e = Catalog::from_sources(&[("old.toml", &both)]).expect_err("both");
    assert!(e.to_string().contains("give the limit once"), "{e}");
    let bad_time = text.replace(
        "processing_days = 0",
        "[deadline]\nworking_days = 1\nreceived_after = \"3pm\"\nsource = \"x\"",
    );
    let e = Catalog::from_sources(&[("old.toml", &bad_time)]).expect_err("time");
    assert_eq!(e.field_path(), Some("deadline.received_after"), "{e}");
    let no_source = text.replace(
        "processing_days = 0",
        "[deadline]\nworking_days = 1\nsource = \" \"",
    );
    let e = Catalog::from_sources(&[("old.toml", &no_source)]).expect_err("source");
    assert!(
        e.to_string().contains("legal source must not be empty"),
        "{e}"
    );
    let none = text.replace("processing_days = 0\n", "");
    let e = Catalog::from_sources(&[("old.toml", &none)]).expect_err("no limit");
    assert!(e.to_string().contains("no time limit"), "{e}");
}

#[test]
fn the_birth_bundle_asks_for_the_newborn_once() {
    let c = builtin();
    let b = c.procedure("bundle_birth").expect("bundle_birth");
    for gone in [
        "resident_full_name",
        "resident_date_of_birth",
        "resident_sex",
        "guardian_full_name",
        "child_address",
    ] {
        assert!(b.field(gone).is_none(), "{gone} is asked again");
    }
    let residence = b.track_spec("permanent_residence").expect("track");
    assert_eq!(
        residence.bundle_field("resident_full_name"),
        "child_full_name"
    );
    assert_eq!(
        residence.bundle_field("residence_address"),
        "residence_address"
    );
    let names = |p: &hoso_schemas::Procedure| {
        p.fields
            .iter()
            .filter(|f| f.name.contains("full_name"))
            .count()
    };
    assert!(names(b) < 8, "{} name fields", names(b));

    let bad = |same_as: &str| {
        let text = format!(
            "code = \"b\"\nname_vi = \"B\"\nname_en = \"B\"\nagency = \"x\"\nlegal_basis = \"x\"\nprocessing_days = 1\n\n[[track]]\nprocedure = \"a\"\nsame_as = {{ {same_as} }}\n\n[[fields]]\nname = \"own\"\nlabel_vi = \"x\"\nlabel_en = \"x\"\ntype = \"date\"\n\n[[workflow]]\nfrom = \"received\"\nto = \"in_process\"\nroles = [\"officer\"]\n"
        );
        let a = "code = \"a\"\nname_vi = \"A\"\nname_en = \"A\"\nagency = \"x\"\nlegal_basis = \"x\"\nprocessing_days = 1\n\n[[fields]]\nname = \"t\"\nlabel_vi = \"x\"\nlabel_en = \"x\"\ntype = \"text\"\n\n[[workflow]]\nfrom = \"received\"\nto = \"in_process\"\nroles = [\"officer\"]\n";
        Catalog::from_sources(&[("b.toml", &text), ("a.toml", a)])
            .map(|_| ())
            .map_err(|e| e.to_string())
    };
    let e = bad("nope = \"own\"").expect_err("unknown track field");
    assert!(e.contains("`a` has no field `nope`"), "{e}");
    let e = bad("t = \"missing\"").expect_err("unknown bundle field");
    assert!(e.contains("`missing` is not a field of the bundle"), "{e}");
    let e = bad("t = \"own\"").expect_err("type mismatch");
    assert!(e.contains("cannot hold the same value"), "{e}");
}
