//! The shipped catalog loads, and broken catalog files give errors naming file, line and field.

use hoso_schemas::{
    BUILTIN_FILES, Catalog, CatalogError, FieldType, Role, Status, intake_fields, parse_source,
};

const CODES: [&str; 14] = [
    "birth_registration",
    "bundle_birth",
    "bundle_death",
    "death_registration",
    "funeral_allowance",
    "health_insurance_child",
    "judicial_record",
    "marriage_registration",
    "old_id_confirmation",
    "permanent_residence",
    "residence_removal",
    "survivor_benefit",
    "temporary_absence",
    "temporary_residence",
];

fn builtin() -> Catalog {
    match Catalog::builtin() {
        Ok(c) => c,
        Err(e) => panic!("builtin catalog: {e}"),
    }
}

#[test]
fn builtin_has_every_procedure_in_code_order() {
    let c = builtin();
    assert_eq!(c.len(), CODES.len());
    assert!(!c.is_empty());
    let codes: Vec<&str> = c.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(codes, CODES);
    assert_eq!(c.codes().collect::<Vec<_>>(), CODES);
    for code in CODES {
        assert_eq!(c.get(code).map(|p| p.code.as_str()), Some(code));
    }
    let e = c.procedure("khai_sinh").expect_err("expected an error");
    assert!(
        e.to_string().starts_with(
            "unknown procedure `khai_sinh` (expected one of: birth_registration, bundle_birth"
        ),
        "{e}"
    );
}

#[test]
fn load_dir_matches_builtin() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("catalog");
    let from_dir = Catalog::load_dir(&dir).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(from_dir, builtin());
    // Every shipped file is embedded.
    let on_disk = std::fs::read_dir(&dir).expect("catalog dir").count();
    assert_eq!(on_disk, BUILTIN_FILES.len());
}

#[test]
fn shipped_procedures_are_sane() {
    let c = builtin();
    for p in &c {
        assert!(!p.name_vi.is_empty() && !p.name_en.is_empty() && !p.agency.is_empty());
        assert!(hoso_schemas::is_nfc(&p.name_vi));
        assert_eq!(p.workflow.initial, Status::Received, "{}", p.code);
        let n = p.fields.len();
        let range = if p.is_bundle() { 20..=70 } else { 8..=24 };
        assert!(range.contains(&n), "{}: {n} fields", p.code);
        assert!(p.required_fields().count() >= 3, "{}", p.code);
        for f in &p.fields {
            if let Some(s) = &f.source {
                assert!(parse_source(s).is_ok(), "{}.{}", p.code, f.name);
                assert!(f.is_from_registry());
            }
            if f.ty == FieldType::Enum {
                assert!(!f.options.is_empty());
            }
        }
        // Every case can be received, processed, decided and returned.
        let reach = p.workflow.reachable();
        for s in [
            Status::InProcess,
            Status::Decided,
            Status::Returned,
            Status::Stopped,
            Status::RejectedAtIntake,
        ] {
            assert!(reach.contains(&s), "{} cannot reach {s}", p.code);
        }
        assert_eq!(
            p.check_transition(Status::Decided, Status::Returned, Role::Officer),
            Ok(())
        );
        assert!(
            p.next_statuses(Status::Received, Role::Auditor).is_empty(),
            "{}",
            p.code
        );
        assert!(
            p.check_transition(Status::InProcess, Status::Stopped, Role::Officer)
                .is_err()
        );
        assert_eq!(
            p.check_transition(
                Status::WithdrawalRequested,
                Status::Stopped,
                Role::Supervisor
            ),
            Ok(())
        );
    }
    assert_eq!(
        c.get("birth_registration").map(|p| p.deadline.working_days),
        Some(0)
    );
    assert_eq!(
        c.get("permanent_residence")
            .map(|p| p.deadline.working_days),
        Some(7)
    );
    assert_eq!(
        c.get("judicial_record").map(|p| p.deadline.working_days),
        Some(10)
    );
}

#[test]
fn birth_workflow_and_sources() {
    let c = builtin();
    let birth = c.procedure("birth_registration").expect("birth");
    // Same-day civil status: the officer may decide.
    assert_eq!(
        birth.check_transition(Status::InProcess, Status::Decided, Role::Officer),
        Ok(())
    );
    assert_eq!(
        birth
            .check_transition(Status::Received, Status::Decided, Role::Supervisor)
            .expect_err("expected an error")
            .to_string(),
        "procedure `birth_registration` does not allow `received` -> `decided`; from `received` it allows: in_process, rejected_at_intake, withdrawal_requested"
    );
    assert_eq!(
        birth.next_statuses(Status::Received, Role::Supervisor),
        [Status::InProcess, Status::RejectedAtIntake]
    );
    let src = |n: &str| birth.field(n).and_then(|f| f.source.clone());
    assert_eq!(
        src("mother_full_name").as_deref(),
        Some("population:full_name")
    );
    assert_eq!(
        src("father_full_name").as_deref(),
        Some("population:spouse.full_name")
    );
    assert_eq!(src("child_full_name"), None);
    assert_eq!(
        birth.field("child_sex").map(|f| f.options.clone()),
        Some(vec!["Nam".into(), "Nữ".into()])
    );
    // Residence needs a supervisor to decide; judicial record has a fee step.
    let res = c.procedure("permanent_residence").expect("residence");
    assert_eq!(
        res.check_transition(Status::InProcess, Status::Decided, Role::Officer)
            .expect_err("expected an error")
            .to_string(),
        "role `officer` may not move a case `in_process` -> `decided` (needs: supervisor)"
    );
    let jr = c.procedure("judicial_record").expect("jr");
    assert_eq!(
        jr.check_transition(Status::InProcess, Status::AwaitingPayment, Role::Officer),
        Ok(())
    );
    assert!(
        res.check_transition(Status::InProcess, Status::AwaitingPayment, Role::Officer)
            .is_err()
    );
}

#[test]
fn bundles_merge_track_fields() {
    let c = builtin();
    for (code, tracks) in [
        (
            "bundle_birth",
            &[
                "birth_registration",
                "permanent_residence",
                "health_insurance_child",
            ][..],
        ),
        (
            "bundle_death",
            &[
                "death_registration",
                "residence_removal",
                "funeral_allowance",
                "survivor_benefit",
            ][..],
        ),
    ] {
        let b = c.procedure(code).expect("bundle");
        assert!(b.is_bundle());
        assert_eq!(b.tracks, tracks);
        assert_eq!(c.tracks_of(b).len(), tracks.len());
        let names: Vec<&str> = b.fields.iter().map(|f| f.name.as_str()).collect();
        let mut dedup = names.clone();
        dedup.sort_unstable();
        dedup.dedup();
        assert_eq!(dedup.len(), names.len(), "{code}: duplicate names");
        // The bundle's own fields come first, then each track's new fields, in track order.
        let own = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("catalog/{code}.toml")),
        )
        .expect("bundle file")
        .matches("[[fields]]")
        .count();
        let mut expected: Vec<String> = b.fields[..own].iter().map(|f| f.name.clone()).collect();
        for t in tracks {
            let tp = c.procedure(t).expect("track");
            assert!(!tp.is_bundle());
            // A field the bundle already holds under another name is asked once.
            let spec = b.track_spec(t).expect("spec");
            for f in tp
                .fields
                .iter()
                .filter(|f| f.section != "intake" && !spec.same_as.contains_key(&f.name))
            {
                if !expected.contains(&f.name) {
                    expected.push(f.name.clone());
                }
            }
        }
        // Then the intake fields every case carries.
        expected.extend(intake_fields().into_iter().map(|f| f.name));
        assert_eq!(names, expected, "{code}");
    }
    let bb = c.procedure("bundle_birth").expect("bb");
    assert_eq!(
        bb.field("declarant_full_name").map(|f| f.label_vi.as_str()),
        Some("Họ, chữ đệm, tên người yêu cầu")
    );
    assert!(bb.field("child_full_name").is_some());
    assert!(bb.field("initial_care_facility").is_some());
    assert!(bb.field("legal_residence_basis").is_some());
    assert!(!c.procedure("birth_registration").expect("b").is_bundle());
}

#[test]
fn field_validation_through_the_catalog() {
    let c = builtin();
    let death = c.procedure("death_registration").expect("death");
    let sex = death.field("deceased_sex").expect("sex");
    // Registry words are accepted for a Nam/Nữ field.
    assert_eq!(sex.validate("female").as_deref(), Ok("Nữ"));
    let res = c.procedure("permanent_residence").expect("res");
    let commune = res.field("residence_commune_code").expect("commune");
    assert_eq!(commune.validate("06184").as_deref(), Ok("06184"));
    assert!(commune.validate("00001").is_err());
}

// ------------------------------------------------------------------ broken files

const GOOD: &str = r#"code = "demo"
name_vi = "Thủ tục mẫu"
name_en = "Demo"
agency = "UBND cấp xã"
legal_basis = "none"
processing_days = 3

[[fields]]
name = "full_name"
label_vi = "Họ tên"
label_en = "Full name"
type = "text"
required = true
source = "population:full_name"

[[fields]]
name = "sex"
label_vi = "Giới tính"
label_en = "Sex"
type = "enum"
options = ["Nam", "Nữ"]

[[workflow]]
from = "received"
to = "in_process"
roles = ["officer", "supervisor"]

[[workflow]]
from = "in_process"
to = "decided"
roles = ["supervisor"]

[[workflow]]
from = "decided"
to = "returned"
roles = ["officer"]
"#;

fn line_of(text: &str, needle: &str) -> usize {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("needle {needle:?}"));
    text[..at].matches('\n').count() + 1
}

/// Replaces `from` with `to` in GOOD (exactly once) and loads it as `demo.toml`.
fn broken(from: &str, to: &str) -> (String, CatalogError) {
    assert_eq!(GOOD.matches(from).count(), 1, "{from:?} must occur once");
    let text = GOOD.replacen(from, to, 1);
    match Catalog::from_sources(&[("catalog/demo.toml", &text)]) {
        Ok(_) => panic!("expected an error for {to:?}"),
        Err(e) => (text, e),
    }
}

fn assert_at(e: &CatalogError, line: usize, path: &str, needle: &str) {
    let msg = e.to_string();
    assert_eq!(e.file(), "catalog/demo.toml", "{msg}");
    assert_eq!(e.line(), Some(line), "{msg}");
    assert_eq!(e.field_path(), Some(path), "{msg}");
    assert!(
        msg.starts_with(&format!("catalog/demo.toml:{line}: field `{path}`: ")),
        "{msg}"
    );
    assert!(msg.contains(needle), "{msg}");
    assert!(!msg.contains('\n'), "one line: {msg}");
}

#[test]
fn good_template_loads() {
    let c = Catalog::from_sources(&[("catalog/demo.toml", GOOD)]).unwrap_or_else(|e| panic!("{e}"));
    let p = c.procedure("demo").expect("demo");
    // The file's two fields, then the intake fields every case carries.
    assert_eq!(p.fields.len(), 4);
    assert_eq!(p.fields[0].section, "form");
    assert_eq!(p.fields[2].name, "submission_channel");
    assert_eq!(p.fields[3].name, "portal_case_code");
}

#[test]
fn toml_syntax_error() {
    let (text, e) = broken("to = \"decided\"", "to = \"decided");
    assert!(matches!(e, CatalogError::Parse { .. }), "{e}");
    assert_at(&e, line_of(&text, "to = \"decided"), "workflow[1].to", "");
    let (_, e) = broken("[[fields]]\nname = \"sex\"", "[[fields]\nname = \"sex\"");
    assert!(matches!(e, CatalogError::Parse { .. }), "{e}");
    assert_eq!(e.line(), Some(16), "{e}");
}

#[test]
fn unknown_status_word() {
    let (text, e) = broken("to = \"decided\"", "to = \"done\"");
    assert_at(
        &e,
        line_of(&text, "to = \"done\""),
        "workflow[1].to",
        "unknown status `done` (expected one of: submitted, received, rejected_at_intake, in_process",
    );
    let (text, e) = broken("from = \"received\"", "from = \"recieved\"");
    assert_at(
        &e,
        line_of(&text, "recieved"),
        "workflow[0].from",
        "unknown status `recieved`",
    );
}

#[test]
fn unknown_role() {
    let (text, e) = broken(
        "roles = [\"supervisor\"]",
        "roles = [\"supervisor\", \"clerk\"]",
    );
    assert_at(
        &e,
        line_of(&text, "clerk"),
        "workflow[1].roles[1]",
        "unknown role `clerk` (expected one of: officer, supervisor, auditor)",
    );
    let (text, e) = broken("roles = [\"supervisor\"]", "roles = []");
    assert_at(
        &e,
        line_of(&text, "roles = []"),
        "workflow[1].roles",
        "no role may make this transition",
    );
}

#[test]
fn unknown_key() {
    let (text, e) = broken("type = \"enum\"", "type = \"enum\"\ncolour = \"red\"");
    assert!(matches!(e, CatalogError::Parse { .. }), "{e}");
    assert_at(
        &e,
        line_of(&text, "colour"),
        "fields[1].colour",
        "unknown field `colour`",
    );
    let (text, e) = broken("processing_days = 3", "processing_days = 3\ndeadlines = 3");
    assert_at(
        &e,
        line_of(&text, "deadlines"),
        "deadlines",
        "unknown field `deadlines`",
    );
}

#[test]
fn wrong_value_type() {
    let (text, e) = broken("processing_days = 3", "processing_days = \"three\"");
    assert_at(&e, line_of(&text, "\"three\""), "processing_days", "");
}

#[test]
fn duplicate_field() {
    let (text, e) = broken("name = \"sex\"", "name = \"full_name\"");
    let line = text
        .match_indices("name = \"full_name\"")
        .nth(1)
        .map(|(i, _)| text[..i].matches('\n').count() + 1);
    assert_at(
        &e,
        line.expect("second"),
        "fields[1].name",
        "duplicate field name `full_name` (already defined as fields[0] at line 9)",
    );
}

#[test]
fn enum_without_options() {
    let (text, e) = broken("options = [\"Nam\", \"Nữ\"]\n", "");
    assert_at(
        &e,
        line_of(&text, "[[fields]]\nname = \"sex\""),
        "fields[1].options",
        "enum field `sex` needs",
    );
    let (text, e) = broken("options = [\"Nam\", \"Nữ\"]", "options = []");
    assert_at(
        &e,
        line_of(&text, "options = []"),
        "fields[1].options",
        "at least one option",
    );
    let (text, e) = broken("options = [\"Nam\", \"Nữ\"]", "options = [\"Nữ\", \"nu\"]");
    assert_at(
        &e,
        line_of(&text, "options = ["),
        "fields[1].options",
        "are the same",
    );
    let (text, e) = broken("type = \"text\"", "type = \"text\"\noptions = [\"a\"]");
    assert_at(
        &e,
        line_of(&text, "options = [\"a\"]"),
        "fields[0].options",
        "only for enum",
    );
}

#[test]
fn unknown_field_type() {
    let (text, e) = broken("type = \"text\"", "type = \"string\"");
    assert_at(
        &e,
        line_of(&text, "\"string\""),
        "fields[0].type",
        "unknown field type `string` (expected one of: text, date, citizen_id, enum, commune_code, number, bool)",
    );
}

#[test]
fn unknown_source_path() {
    let (text, e) = broken("population:full_name", "population:shoe_size");
    assert_at(
        &e,
        line_of(&text, "shoe_size"),
        "fields[0].source",
        "unknown registry attribute `shoe_size`",
    );
    let (text, e) = broken("population:full_name", "population:uncle.full_name");
    assert_at(
        &e,
        line_of(&text, "uncle"),
        "fields[0].source",
        "unknown registry relation `uncle`",
    );
    let (text, e) = broken("population:full_name", "registry:full_name");
    assert_at(
        &e,
        line_of(&text, "registry:"),
        "fields[0].source",
        "unknown source",
    );
}

#[test]
fn workflow_rules() {
    // initial without an outgoing transition
    let (text, e) = broken(
        "processing_days = 3",
        "processing_days = 3\ninitial = \"submitted\"",
    );
    assert_at(
        &e,
        line_of(&text, "initial"),
        "initial",
        "no transition leaves the initial status `submitted`",
    );
    // bad initial word
    let (text, e) = broken(
        "processing_days = 3",
        "processing_days = 3\ninitial = \"new\"",
    );
    assert_at(
        &e,
        line_of(&text, "initial"),
        "initial",
        "unknown status `new`",
    );
    // empty workflow
    let cut = GOOD.find("[[workflow]]").expect("workflow");
    let text = &GOOD[..cut];
    let e = Catalog::from_sources(&[("catalog/demo.toml", text)]).expect_err("expected an error");
    assert_at(&e, 1, "workflow", "the workflow is empty");
    // self loop and duplicate
    let (text, e) = broken("to = \"returned\"", "to = \"decided\"");
    assert_at(
        &e,
        line_of(&text, "from = \"decided\"\nto = \"decided\"") + 1,
        "workflow[2].to",
        "must change the status",
    );
    let (_, e) = broken(
        "[[workflow]]\nfrom = \"decided\"",
        "[[workflow]]\nfrom = \"in_process\"\nto = \"decided\"\nroles = [\"officer\"]\n\n[[workflow]]\nfrom = \"decided\"",
    );
    assert!(
        e.to_string()
            .contains("duplicate transition `in_process` -> `decided`"),
        "{e}"
    );
    assert_eq!(e.field_path(), Some("workflow[2]"));
}

#[test]
fn bad_codes_and_missing_keys() {
    let (text, e) = broken("code = \"demo\"", "code = \"Demo Code\"");
    assert_at(&e, line_of(&text, "code ="), "code", "must be snake_case");
    let (_, e) = broken("name_en = \"Demo\"\n", "");
    assert!(matches!(e, CatalogError::Parse { .. }));
    assert!(e.to_string().contains("name_en"), "{e}");
}

const BUNDLE: &str = r#"code = "demo_bundle"
name_vi = "Liên thông mẫu"
name_en = "Demo bundle"
agency = "UBND cấp xã"
legal_basis = "none"
processing_days = 15
tracks = ["demo", "missing"]

[[fields]]
name = "phone"
label_vi = "Điện thoại"
label_en = "Phone"
type = "text"

[[workflow]]
from = "received"
to = "in_process"
roles = ["officer"]
"#;

#[test]
fn bundle_with_unknown_track() {
    let e = Catalog::from_sources(&[
        ("catalog/demo.toml", GOOD),
        ("catalog/demo_bundle.toml", BUNDLE),
    ])
    .expect_err("expected an error");
    let msg = e.to_string();
    assert_eq!(e.file(), "catalog/demo_bundle.toml");
    assert_eq!(e.line(), Some(7));
    assert_eq!(e.field_path(), Some("tracks[1]"));
    assert_eq!(
        msg,
        "catalog/demo_bundle.toml:7: field `tracks[1]`: unknown track procedure `missing` (expected one of: demo)"
    );
}

#[test]
fn bundle_rules() {
    let ok = BUNDLE.replace(", \"missing\"", "");
    let c = Catalog::from_sources(&[("b.toml", &ok), ("a.toml", GOOD)])
        .unwrap_or_else(|e| panic!("{e}"));
    let b = c.procedure("demo_bundle").expect("bundle");
    let names: Vec<&str> = b.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "phone",
            "full_name",
            "sex",
            "submission_channel",
            "portal_case_code"
        ]
    );
    assert_eq!(
        c.iter().map(|p| p.code.as_str()).collect::<Vec<_>>(),
        ["demo", "demo_bundle"]
    );

    // A bundle inside a bundle.
    let outer = ok
        .replace("demo_bundle", "outer")
        .replace("[\"demo\"]", "[\"demo\", \"demo_bundle\"]");
    let e = Catalog::from_sources(&[("a.toml", GOOD), ("b.toml", &ok), ("c.toml", &outer)])
        .expect_err("expected an error");
    assert_eq!(e.file(), "c.toml");
    assert_eq!(e.field_path(), Some("tracks[1]"));
    assert!(
        e.to_string().contains("`demo_bundle` is itself a bundle"),
        "{e}"
    );

    // A bundle tracking itself, or a track twice.
    let selfish = ok.replace("[\"demo\"]", "[\"demo\", \"demo_bundle\"]");
    let e = Catalog::from_sources(&[("a.toml", GOOD), ("b.toml", &selfish)])
        .expect_err("expected an error");
    assert!(e.to_string().contains("cannot track itself"), "{e}");
    let twice = ok.replace("[\"demo\"]", "[\"demo\", \"demo\"]");
    let e = Catalog::from_sources(&[("a.toml", GOOD), ("b.toml", &twice)])
        .expect_err("expected an error");
    assert!(e.to_string().contains("listed twice"), "{e}");
}

#[test]
fn duplicate_procedure_code() {
    let e = Catalog::from_sources(&[("a.toml", GOOD), ("b.toml", GOOD)])
        .expect_err("expected an error");
    assert_eq!(
        e.to_string(),
        "b.toml:1: field `code`: duplicate procedure code `demo` (also defined in a.toml)"
    );
}

#[test]
fn load_dir_names_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("a_demo.toml"), GOOD).expect("write");
    std::fs::write(dir.path().join("notes.txt"), "ignored").expect("write");
    let c = Catalog::load_dir(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.len(), 1);

    let bad = GOOD.replace("to = \"decided\"", "to = \"done\"");
    std::fs::write(dir.path().join("b_bad.toml"), &bad).expect("write");
    let e = Catalog::load_dir(dir.path()).expect_err("expected an error");
    let path = dir.path().join("b_bad.toml").display().to_string();
    assert_eq!(e.file(), path);
    assert!(
        e.to_string().starts_with(&format!(
            "{path}:{}: field `workflow[1].to`: unknown status `done`",
            line_of(&bad, "\"done\"")
        )),
        "{e}"
    );

    let empty = tempfile::tempdir().expect("tempdir");
    assert!(matches!(
        Catalog::load_dir(empty.path()),
        Err(CatalogError::NoFiles { .. })
    ));
    assert!(matches!(
        Catalog::load_dir(&empty.path().join("nope")),
        Err(CatalogError::Io { .. })
    ));
}

#[test]
fn a_lookup_names_a_citizen_id_field_of_the_procedure() {
    // `sex` is an enum field, not a citizen id: refused, at the lookup.
    let (text, e) = broken(
        "options = [\"Nam\", \"Nữ\"]",
        "options = [\"Nam\", \"Nữ\"]\nlookup = \"full_name.sex\"",
    );
    assert_at(
        &e,
        line_of(&text, "lookup ="),
        "fields[1].lookup",
        "must be a citizen_id field",
    );
    let (text, e) = broken(
        "options = [\"Nam\", \"Nữ\"]",
        "options = [\"Nam\", \"Nữ\"]\nlookup = \"full_name.shoe_size\"",
    );
    assert_at(
        &e,
        line_of(&text, "lookup ="),
        "fields[1].lookup",
        "unknown attribute `shoe_size`",
    );
    // The shipped catalog reads the declarant and the household head by their id fields.
    let c = builtin();
    let head = c
        .procedure("permanent_residence")
        .expect("procedure")
        .field("household_head_full_name")
        .cloned()
        .expect("field");
    assert_eq!(
        head.lookup,
        Some(hoso_schemas::FieldLookup {
            by: "household_head_citizen_id".into(),
            attr: "full_name".into(),
        })
    );
}
