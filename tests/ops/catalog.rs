//! One catalog for the province: the hub publishes a new fee as a signed catalog version, the
//! commune takes it by sync, its next receipt shows the new fee and a case received before
//! keeps the old one until a supervisor moves it.

use std::path::Path;

use hoso_testkit::cli::pdf_text;

use super::support::*;

/// Writes the built-in catalog into `dir/catalog` with the judicial record's fee at `fee`.
fn province_catalog(dir: &Path, fee: u64) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/catalog");
    std::fs::create_dir_all(dir.join("catalog")).expect("mkdir");
    for e in std::fs::read_dir(&src).expect("catalog dir") {
        let p = e.expect("entry").path();
        let mut text = std::fs::read_to_string(&p).expect("read");
        let name = p.file_name().expect("name").to_string_lossy().into_owned();
        if name == "judicial_record.toml" {
            assert!(
                text.contains("in_person = 200000"),
                "the built-in fee moved"
            );
            text = text.replace("in_person = 200000", &format!("in_person = {fee}"));
        }
        std::fs::write(dir.join("catalog").join(name), text).expect("write");
    }
}

fn receipt_text(h: &hoso_testkit::cli::Hoso, code: &str, out: &Path) -> String {
    let f = out.display().to_string();
    h.ok(&["case", "print", code, "--form", "receipt", "--out", &f]);
    pdf_text(out)
}

#[test]
fn a_fee_published_at_the_hub_reaches_the_communes_next_receipt() {
    let tmp = tempfile::tempdir().expect("tmp");
    let Pair { hub, commune } = pair(tmp.path());
    let serving = Serve::start(&hub);
    let old = new_case(&commune);
    let show = commune.ok(&["case", "show", &old]).stdout;
    assert!(show.contains("200.000 đồng"), "{show}");
    assert!(show.contains("catalog       version 0"), "{show}");

    let dir = tmp.path().join("province-catalog");
    province_catalog(&dir, 250_000);
    let d = dir.display().to_string();
    // Only a hub publishes, and only a supervisor there.
    commune
        .as_officer("lanhdao01")
        .run(&["catalog", "publish", "--dir", &d])
        .code(2)
        .stderr_has("only a hub publishes");
    hub.as_officer("canbo01")
        .run(&["catalog", "publish", "--dir", &d])
        .code(2);
    let out = hub
        .as_officer("lanhdao01")
        .ok(&["catalog", "publish", "--dir", &d])
        .stdout;
    assert!(out.contains("catalog version 1 published"), "{out}");
    let shown = hub.ok(&["catalog", "show"]).stdout;
    assert!(shown.contains("catalog in force: version 1"), "{shown}");

    // The commune is behind until it syncs.
    let shown = commune.ok(&["catalog", "show"]).stdout;
    assert!(shown.contains("version 0"), "{shown}");
    let out = commune.ok(&["sync", "--once"]).stdout;
    assert!(out.contains("catalog version 1 applied"), "{out}");
    let shown = commune.ok(&["--json", "catalog", "show"]).json();
    assert_eq!(shown["in_force"], 1, "{shown}");
    let listed = commune.ok(&["procedures", "list"]).stdout;
    assert!(listed.contains("250.000 đồng"), "{listed}");
    // A second round has nothing new to apply.
    let out = commune.ok(&["sync", "--once"]).stdout;
    assert!(!out.contains("applied"), "{out}");

    // The next receipt shows the new fee; the case received before keeps the old one.
    let new = new_case(&commune);
    let show = commune.ok(&["case", "show", &new]).stdout;
    assert!(show.contains("250.000 đồng"), "{show}");
    assert!(show.contains("catalog       version 1"), "{show}");
    let text = receipt_text(&commune, &new, &tmp.path().join("new.pdf"));
    assert!(text.contains("250.000"), "{text}");
    assert!(!text.contains("200.000 đồng"), "{text}");
    let text = receipt_text(&commune, &old, &tmp.path().join("old.pdf"));
    assert!(text.contains("200.000"), "{text}");
    let show = commune.ok(&["case", "show", &old]).stdout;
    assert!(show.contains("200.000 đồng"), "{show}");

    // A supervisor moves the old case, with a reason: audited, and its fee follows.
    commune
        .run(&["case", "recatalog", &old, "--reason", "Theo quyết định mới"])
        .code(2);
    commune.as_officer("lanhdao01").ok(&[
        "case",
        "recatalog",
        &old,
        "--reason",
        "Theo quyết định mới",
    ]);
    let show = commune.ok(&["case", "show", &old]).stdout;
    assert!(show.contains("250.000 đồng"), "{show}");

    let actions: Vec<String> = audit_actions(&commune, None)
        .into_iter()
        .map(|(a, _)| a)
        .collect();
    for a in ["catalog_apply", "case_recatalog"] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
    let actions: Vec<String> = audit_actions(&hub, None)
        .into_iter()
        .map(|(a, _)| a)
        .collect();
    assert!(
        actions.iter().any(|x| x == "catalog_publish"),
        "{actions:?}"
    );
    commune.ok(&["audit", "verify"]);

    // With the commune serving too, a newer version reaches it while both run: its `serve`
    // applies it within the session (the hub offers in its next pump), no restart.
    let commune_serving = Serve::start(&commune);
    province_catalog(&dir, 300_000);
    let out = hub
        .as_officer("lanhdao01")
        .ok(&["catalog", "publish", "--dir", &d])
        .stdout;
    assert!(out.contains("catalog version 2 published"), "{out}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let shown = commune.ok(&["--json", "catalog", "show"]).json();
        if shown["in_force"] == 2 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the serving commune did not take version 2: {shown}"
        );
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    let newest = new_case(&commune);
    let show = commune.ok(&["case", "show", &newest]).stdout;
    assert!(show.contains("300.000 đồng"), "{show}");
    let show = commune.ok(&["case", "show", &new]).stdout;
    assert!(show.contains("250.000 đồng"), "{show}");
    commune_serving.stop();
    serving.stop();
}
