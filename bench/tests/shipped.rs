//! The benches stay out of what ships (issue 14): no shipped crate depends on `hoso-bench`, the
//! sync library no longer pulls the bench's storage and temp-dir crates, only this crate turns on
//! the node's `bench-unaudited` feature, and the `hoso` binary has no `bench` command.

use std::process::Command;

use serde_json::Value;

/// The crates that ship: the libraries and the `hoso` binary.
const SHIPPED: [&str; 6] = [
    "hoso",
    "hoso-node",
    "hoso-sync",
    "hoso-tui",
    "hoso-schemas",
    "hoso-forms",
];

/// The workspace manifests, as `cargo metadata --no-deps` reads them (no network, no resolve).
fn workspace() -> Vec<Value> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(&cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo metadata");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON");
    v["packages"].as_array().expect("packages").clone()
}

/// `(name, kind, features)` of each dependency of `pkg` (kind: null for normal).
fn deps(pkg: &Value) -> Vec<(String, Value, Vec<String>)> {
    pkg["dependencies"]
        .as_array()
        .expect("dependencies")
        .iter()
        .map(|d| {
            let features = d["features"]
                .as_array()
                .map(|f| {
                    f.iter()
                        .filter_map(|x| x.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            (
                d["name"].as_str().unwrap_or_default().to_string(),
                d["kind"].clone(),
                features,
            )
        })
        .collect()
}

#[test]
fn no_shipped_crate_carries_bench_code() {
    let packages = workspace();
    for name in SHIPPED {
        let pkg = packages
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name} is in the workspace"));
        for (dep, kind, features) in deps(pkg) {
            assert_ne!(dep, "hoso-bench", "{name} depends on the benches");
            assert!(
                !features.iter().any(|f| f == "bench-unaudited"),
                "{name} turns on {dep}'s bench-unaudited feature"
            );
            if name == "hoso-sync" && kind.is_null() {
                assert!(
                    !["redb", "tempfile", "automerge"].contains(&dep.as_str()),
                    "hoso-sync depends on {dep} outside its tests"
                );
            }
        }
        let features = pkg["features"].as_object().expect("features");
        for (feature, enables) in features {
            assert!(
                !enables.to_string().contains("bench-unaudited"),
                "{name}'s feature `{feature}` turns on bench-unaudited"
            );
        }
    }
}

#[test]
fn the_hoso_binary_has_no_bench_command() {
    let hoso = std::path::PathBuf::from(env!("CARGO_BIN_EXE_hoso-bench")).with_file_name("hoso");
    if !hoso.is_file() {
        panic!(
            "{} is missing: build it with `cargo build -p hoso` (`cargo test --workspace` does)",
            hoso.display()
        );
    }
    let out = Command::new(&hoso)
        .args(["bench", "sync"])
        .output()
        .expect("run hoso");
    assert_eq!(out.status.code(), Some(2), "`hoso bench` still exists");
    let help = Command::new(&hoso)
        .arg("--help")
        .output()
        .expect("run hoso --help");
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        !help.lines().any(|l| l.trim_start().starts_with("bench")),
        "{help}"
    );
}
