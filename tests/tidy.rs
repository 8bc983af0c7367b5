//! Tidy checks over the workspace's source tree (in the manner of rust-analyzer's
//! `xtask/src/tidy.rs`), run by plain `cargo test`. They read files only: no build, no network.
//!
//! - Every `.rs` file under a crate's `src/` is a module the crate compiles: the compiler
//!   silently ignores a file no `mod` declaration names, so a file left behind by a move would
//!   otherwise look alive.
//! - Every library crate's `lib.rs` names each of its top-level modules in its crate docs (the
//!   module list a reader starts from). A module listed as an intra-doc link (``[`name`]``) that
//!   no longer exists is a broken link, which `cargo doc` reports.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The workspace root (this test belongs to the root package).
fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The directories of the workspace's packages: the root package and every `members` entry of
/// the root `Cargo.toml`.
fn packages() -> Vec<PathBuf> {
    let manifest = fs::read_to_string(root().join("Cargo.toml")).expect("read Cargo.toml");
    let start = manifest
        .find("members = [")
        .expect("the root Cargo.toml has `members = [`");
    let list = &manifest[start + "members = [".len()..];
    let list = &list[..list.find(']').expect("`members` list closes")];
    let mut dirs = vec![root().to_path_buf()];
    for member in list.split(',') {
        let member = member.trim().trim_matches('"');
        if !member.is_empty() {
            dirs.push(root().join(member));
        }
    }
    dirs
}

/// The modules a source file declares with `mod name;` (any visibility, any attributes on the
/// line before). Inline modules (`mod name { … }`) are not files and are skipped.
fn declared_modules(file: &Path) -> Vec<String> {
    let text = fs::read_to_string(file).unwrap_or_else(|e| panic!("read {}: {e}", file.display()));
    text.lines()
        .filter_map(|line| {
            let mut rest = line.trim();
            for vis in ["pub(crate) ", "pub(super) ", "pub "] {
                if let Some(r) = rest.strip_prefix(vis) {
                    rest = r;
                }
            }
            let name = rest.strip_prefix("mod ")?.strip_suffix(';')?.trim();
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
                .then(|| name.to_string())
        })
        .collect()
}

/// The directory that holds the child modules of `file`: its own directory for a crate root or
/// a `mod.rs`, else the directory named after it (`foo.rs` → `foo/`).
fn children_dir(file: &Path, is_root: bool) -> PathBuf {
    let dir = file.parent().expect("a source file has a directory");
    if is_root || file.file_name().is_some_and(|n| n == "mod.rs") {
        dir.to_path_buf()
    } else {
        dir.join(file.file_stem().expect("a source file has a name"))
    }
}

/// Crate roots under `src/`: `lib.rs`, `main.rs` and `bin/*.rs` / `bin/*/main.rs`.
fn crate_roots(src: &Path) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = ["lib.rs", "main.rs"]
        .iter()
        .map(|f| src.join(f))
        .filter(|p| p.is_file())
        .collect();
    if let Ok(bins) = fs::read_dir(src.join("bin")) {
        for entry in bins.flatten() {
            let p = entry.path();
            if p.extension().is_some_and(|e| e == "rs") {
                roots.push(p);
            } else if p.join("main.rs").is_file() {
                roots.push(p.join("main.rs"));
            }
        }
    }
    roots
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut BTreeSet<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let p = entry.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.insert(p);
        }
    }
}

/// The files reached from the crate roots through `mod` declarations.
fn reached_files(src: &Path) -> BTreeSet<PathBuf> {
    let mut reached = BTreeSet::new();
    let mut stack: Vec<(PathBuf, bool)> = crate_roots(src).into_iter().map(|r| (r, true)).collect();
    while let Some((file, is_root)) = stack.pop() {
        if !reached.insert(file.clone()) {
            continue;
        }
        let dir = children_dir(&file, is_root);
        for name in declared_modules(&file) {
            let flat = dir.join(format!("{name}.rs"));
            let nested = dir.join(&name).join("mod.rs");
            if flat.is_file() {
                stack.push((flat, false));
            } else if nested.is_file() {
                stack.push((nested, false));
            }
        }
    }
    reached
}

fn shown(p: &Path) -> String {
    p.strip_prefix(root()).unwrap_or(p).display().to_string()
}

#[test]
fn every_source_file_is_a_module_its_crate_declares() {
    let mut orphans = Vec::new();
    let mut checked = 0;
    for pkg in packages() {
        let src = pkg.join("src");
        let mut on_disk = BTreeSet::new();
        rust_files(&src, &mut on_disk);
        let reached = reached_files(&src);
        checked += reached.len();
        orphans.extend(on_disk.difference(&reached).map(|p| shown(p)));
    }
    assert!(checked > 100, "the walk is broken: {checked} files reached");
    assert!(
        orphans.is_empty(),
        "files no `mod` declaration reaches (the compiler ignores them): {}; declare each in its \
         parent module or delete it",
        orphans.join(", ")
    );
}

#[test]
fn every_library_names_each_of_its_modules_in_its_crate_docs() {
    let mut missing = Vec::new();
    let mut libraries = 0;
    for pkg in packages() {
        let lib = pkg.join("src/lib.rs");
        if !lib.is_file() {
            continue;
        }
        libraries += 1;
        let text = fs::read_to_string(&lib).expect("read lib.rs");
        let docs: String = text
            .lines()
            .filter_map(|l| l.trim_start().strip_prefix("//!"))
            .collect::<Vec<_>>()
            .join("\n");
        for module in declared_modules(&lib) {
            let named = [
                format!("`{module}`"),
                format!("`{module}.rs`"),
                format!("`{module}/`"),
            ]
            .iter()
            .any(|form| docs.contains(form.as_str()));
            if !named {
                missing.push(format!("{}: `{module}`", shown(&lib)));
            }
        }
    }
    assert!(libraries >= 5, "the walk is broken: {libraries} libraries");
    assert!(
        missing.is_empty(),
        "modules a crate's docs do not name (add each to the module list at the top of its \
         lib.rs, as [`name`] for a public module): {}",
        missing.join(", ")
    );
}

/// Files outside `node/` that may use redb itself: benchmark baselines that time bare redb on
/// their own scratch files (a 1 KB commit, a naive hub), never a node's store. They may still
/// not name a node table (`tables::`, or a node table's name).
const REDB_BASELINES: [&str; 3] = [
    "bench/src/env.rs",
    "bench/src/loopback.rs",
    "bench/src/node.rs",
];

/// The names of the node's redb tables (`TableDefinition::new("…")` anywhere under `node/src`).
fn node_table_names() -> BTreeSet<String> {
    let mut files = BTreeSet::new();
    rust_files(&root().join("node/src"), &mut files);
    let mut names = BTreeSet::new();
    for f in files {
        let text = fs::read_to_string(&f).expect("read");
        for part in text.split("TableDefinition::new(\"").skip(1) {
            if let Some(end) = part.find('"') {
                names.insert(part[..end].to_string());
            }
        }
    }
    names
}

/// Issue 14 item 1: storage is private to the node. No file of another crate (its sources,
/// tests, benches) names a redb table, opens one or uses redb: they read through node methods
/// (`CaseIndex`, `Node::audit_*`, `Node::store_sizes`), and tests that tamper with a store
/// do it through `hoso_node::tamper` (the `tamper` feature only `hoso-testkit` enables).
#[test]
fn no_crate_outside_node_names_a_redb_table() {
    let tables = node_table_names();
    assert!(
        tables.contains("cases-1") && tables.len() >= 20,
        "the table walk is broken: {tables:?}"
    );
    let mut files = BTreeSet::new();
    for pkg in packages() {
        if pkg == root().join("node") {
            continue;
        }
        for sub in ["src", "tests", "benches", "examples"] {
            rust_files(&pkg.join(sub), &mut files);
        }
    }
    assert!(
        files.len() > 50,
        "the walk is broken: {} files",
        files.len()
    );
    let this = root().join("tests/tidy.rs");
    let mut found = Vec::new();
    for f in files.iter().filter(|f| **f != this) {
        let text = fs::read_to_string(f).expect("read");
        let rel = shown(f);
        let baseline = REDB_BASELINES.iter().any(|b| rel.ends_with(b));
        let mut forbidden = vec!["tables::"];
        if !baseline {
            forbidden.extend(["open_table", "redb::"]);
        }
        for word in forbidden {
            if text.contains(word) {
                found.push(format!("{rel}: `{word}`"));
            }
        }
        for t in &tables {
            if text.contains(&format!("\"{t}\"")) {
                found.push(format!("{rel}: table \"{t}\""));
            }
        }
    }
    assert!(
        found.is_empty(),
        "storage is private to hoso-node: read through a node method instead (see \
         ARCHITECTURE.md, storage): {}",
        found.join(", ")
    );
}

/// `hoso_node::tamper` (writes behind the write path) is compiled only for tests: only
/// `hoso-testkit` turns on the node's `tamper` feature, and every package takes the test kit as a
/// dev-dependency only.
#[test]
fn the_tamper_feature_is_enabled_only_by_the_test_kit() {
    let mut found = Vec::new();
    for pkg in packages() {
        let manifest = pkg.join("Cargo.toml");
        let text = fs::read_to_string(&manifest).expect("read Cargo.toml");
        let testkit = pkg == root().join("testkit");
        let mut section = String::new();
        for line in text.lines().map(str::trim) {
            if line.starts_with('[') {
                section = line.to_string();
                continue;
            }
            if !testkit && line.contains("\"tamper\"") {
                found.push(format!("{}: turns on `tamper`", shown(&manifest)));
            }
            let takes_testkit = line.starts_with("hoso-testkit");
            let allowed = ["[dev-dependencies]", "[workspace.dependencies]"];
            if takes_testkit && !allowed.contains(&section.as_str()) {
                found.push(format!("{}: hoso-testkit in {section}", shown(&manifest)));
            }
        }
    }
    let kit = fs::read_to_string(root().join("testkit/Cargo.toml")).expect("read");
    assert!(
        kit.contains("features = [\"tamper\"]"),
        "the walk is broken"
    );
    assert!(found.is_empty(), "{}", found.join(", "));
}
