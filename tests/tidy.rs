//! Tidy checks over the workspace's source tree (in the manner of rust-analyzer's
//! `xtask/src/tidy.rs`), run by plain `cargo test`. They read files only: no build, no network.
//!
//! - Every `.rs` file under a crate's `src/` is a module the crate compiles: the compiler
//!   silently ignores a file no `mod` declaration names, so a file left behind by a move would
//!   otherwise look alive.
//! - Every library crate's `lib.rs` names each of its top-level modules in its crate docs (the
//!   module list a reader starts from). A module listed as an intra-doc link (``[`name`]``) that
//!   no longer exists is a broken link, which `cargo doc` reports.
//! - No module imports one that imports it back, in any crate: the import graph of each crate
//!   (from `use crate::…`, `super::`, `self::` and child-module paths, file by file) has no
//!   cycle. Layers stay layers: a lower module returns values the upper one acts on.

use std::collections::{BTreeMap, BTreeSet};
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
        tables.contains("cases-2") && tables.len() >= 20,
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

/// A crate's modules backed by a file: module path (`["screen", "list"]`) → file, walked from
/// `root` through `mod` declarations (the crate root is the empty path).
fn file_modules(root: &Path) -> BTreeMap<Vec<String>, PathBuf> {
    let mut modules = BTreeMap::new();
    let mut stack = vec![(Vec::new(), root.to_path_buf(), true)];
    while let Some((path, file, is_root)) = stack.pop() {
        let dir = children_dir(&file, is_root);
        for name in declared_modules(&file) {
            let flat = dir.join(format!("{name}.rs"));
            let nested = dir.join(&name).join("mod.rs");
            let child = if flat.is_file() { flat } else { nested };
            if child.is_file() {
                let mut p = path.clone();
                p.push(name);
                stack.push((p, child, false));
            }
        }
        modules.insert(path, file);
    }
    modules
}

/// `text` with comments, string and character literals blanked out (lengths kept), so braces
/// and paths are the code's own.
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = b.to_vec();
    let mut i = 0;
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for c in &mut out[from..to.min(b.len())] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
    };
    while i < b.len() {
        let rest = &b[i..];
        if rest.starts_with(b"//") {
            let end = rest
                .iter()
                .position(|&c| c == b'\n')
                .map_or(b.len(), |e| i + e);
            blank(&mut out, i, end);
            i = end;
        } else if rest.starts_with(b"/*") {
            let end = text[i + 2..].find("*/").map_or(b.len(), |e| i + 2 + e + 2);
            blank(&mut out, i, end);
            i = end;
        } else if rest.starts_with(b"r#") || rest.starts_with(b"r\"") || rest.starts_with(b"br") {
            let start = if rest[0] == b'b' { i + 1 } else { i };
            let hashes = b[start + 1..].iter().take_while(|&&c| c == b'#').count();
            if b.get(start + 1 + hashes) != Some(&b'"')
                || (i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_'))
            {
                i += 1;
                continue;
            }
            let close = format!("\"{}", "#".repeat(hashes));
            let body = start + 2 + hashes;
            let end = text[body..]
                .find(&close)
                .map_or(b.len(), |e| body + e + close.len());
            blank(&mut out, i, end);
            i = end;
        } else if rest[0] == b'"' {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            blank(&mut out, i, j + 1);
            i = j + 1;
        } else if rest[0] == b'\'' {
            // A character literal ('x', '\n', '{'), not a lifetime ('a).
            let len = if rest.get(1) == Some(&b'\\') {
                rest.iter().skip(2).position(|&c| c == b'\'').map(|p| p + 3)
            } else {
                let ch = text[i + 1..].chars().next().map_or(1, char::len_utf8);
                (rest.get(1 + ch) == Some(&b'\'')).then_some(ch + 2)
            };
            match len {
                Some(n) => {
                    blank(&mut out, i, i + n);
                    i += n;
                }
                None => i += 1,
            }
        } else {
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Every path a file's code names (`crate::a::b`, `super::x`, `self::y`, `child::z`), each
/// with the inline modules (`mod tests { … }`) it sits in, use trees expanded
/// (`use crate::{a, b::{c, d}}` names `crate::a`, `crate::b::c`, `crate::b::d`).
fn named_paths(code: &str) -> Vec<(Vec<String>, Vec<String>)> {
    let b = code.as_bytes();
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut out = Vec::new();
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'{' {
            depth += 1;
            i += 1;
            continue;
        }
        if c == b'}' {
            depth = depth.saturating_sub(1);
            if inline.last().is_some_and(|(_, d)| *d == depth) {
                inline.pop();
            }
            i += 1;
            continue;
        }
        if !ident(c) || (i > 0 && (ident(b[i - 1]) || b[i - 1] == b':')) {
            i += 1;
            continue;
        }
        let word_end = i + b[i..].iter().take_while(|&&c| ident(c)).count();
        let word = &code[i..word_end];
        let mods: Vec<String> = inline.iter().map(|(n, _)| n.clone()).collect();
        if word == "mod" {
            let rest = code[word_end..].trim_start();
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if rest[name.len()..].trim_start().starts_with('{') {
                inline.push((name, depth));
            }
            i = word_end;
        } else if word == "use" {
            let end = code[i..].find(';').map_or(code.len(), |e| i + e);
            let tree = code[word_end..end]
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let tree = tree.trim_start_matches("::");
            for p in expand_use(tree) {
                out.push((mods.clone(), p));
            }
            i = end;
        } else {
            // A path in code: `word::seg::seg`.
            let mut segs = vec![word.to_string()];
            let mut j = word_end;
            while code[j..].starts_with("::") {
                let s = j + 2;
                let e = s + b[s..].iter().take_while(|&&c| ident(c)).count();
                if e == s {
                    break;
                }
                segs.push(code[s..e].to_string());
                j = e;
            }
            if segs.len() > 1 {
                out.push((mods, segs));
            }
            i = j;
        }
    }
    out
}

/// The paths a use tree (`a::{b, c::{d, e as f}}`) names.
fn expand_use(tree: &str) -> Vec<Vec<String>> {
    let segments = |path: &str| -> Vec<String> {
        path.split("::")
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()
    };
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        let path = tree.split(" as ").next().unwrap_or(tree);
        return vec![segments(path)];
    };
    let prefix = segments(&tree[..open]);
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut parts = Vec::new();
    let (mut level, mut start) = (0, 0);
    for (k, c) in inner.char_indices() {
        match c {
            '{' => level += 1,
            '}' => level -= 1,
            ',' if level == 0 => {
                parts.push(&inner[start..k]);
                start = k + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    let mut out = Vec::new();
    for part in parts.into_iter().filter(|p| !p.trim().is_empty()) {
        for rest in expand_use(part) {
            let mut p = prefix.clone();
            p.extend(rest.into_iter().filter(|s| s != "self"));
            out.push(p);
        }
    }
    out
}

/// The import graph of one crate: for each file module, the file modules its code names
/// through `crate::`, `super::`, `self::` or a child module's name. The crate root is left out
/// as an importer: it declares the modules and re-exports them, it does not use them.
fn import_graph(root: &Path) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    import_graph_named(root)
        .into_iter()
        .map(|(module, to)| (module, to.into_keys().collect()))
        .collect()
}

/// [`import_graph`] with, for each import, the paths that name it (`crate::a::B`).
fn import_graph_named(
    root: &Path,
) -> BTreeMap<Vec<String>, BTreeMap<Vec<String>, BTreeSet<String>>> {
    let modules = file_modules(root);
    let mut graph: BTreeMap<Vec<String>, BTreeMap<Vec<String>, BTreeSet<String>>> = BTreeMap::new();
    for (module, file) in &modules {
        if module.is_empty() {
            continue;
        }
        let text =
            fs::read_to_string(file).unwrap_or_else(|e| panic!("read {}: {e}", file.display()));
        let children: BTreeSet<String> = declared_modules(file).into_iter().collect();
        let edges = graph.entry(module.clone()).or_default();
        for (inline, path) in named_paths(&code_only(&text)) {
            let mut here: Vec<String> = module.iter().chain(&inline).cloned().collect();
            let mut segs = path.as_slice();
            let absolute: Vec<String> = match segs.first().map(String::as_str) {
                Some("crate") => segs[1..].to_vec(),
                Some("super" | "self") => {
                    while let Some(s) = segs.first() {
                        match s.as_str() {
                            "super" => {
                                here.pop();
                            }
                            "self" => {}
                            _ => break,
                        }
                        segs = &segs[1..];
                    }
                    here.iter().chain(segs).cloned().collect()
                }
                Some(first) if inline.is_empty() && children.contains(first) => {
                    module.iter().chain(segs).cloned().collect()
                }
                _ => continue,
            };
            // The longest prefix that is a file module is the file named.
            let target = (0..=absolute.len())
                .rev()
                .map(|n| absolute[..n].to_vec())
                .find(|p| modules.contains_key(p))
                .unwrap_or_default();
            if &target != module && !target.is_empty() {
                edges.entry(target).or_default().insert(path.join("::"));
            }
        }
    }
    graph
}

/// One import cycle of `graph`, if there is one: the modules along it.
fn find_cycle(graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Option<Vec<String>> {
    // 0 = unseen, 1 = on the current path, 2 = done.
    let mut state: BTreeMap<&Vec<String>, u8> = BTreeMap::new();
    fn visit<'a>(
        node: &'a Vec<String>,
        graph: &'a BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        state: &mut BTreeMap<&'a Vec<String>, u8>,
        path: &mut Vec<&'a Vec<String>>,
    ) -> Option<Vec<String>> {
        state.insert(node, 1);
        path.push(node);
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next).copied().unwrap_or(0) {
                1 => {
                    let at = path.iter().position(|p| *p == next).unwrap_or(0);
                    let mut cycle: Vec<String> = path[at..].iter().map(|m| m.join("::")).collect();
                    cycle.push(next.join("::"));
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(next, graph, state, path) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        path.pop();
        state.insert(node, 2);
        None
    }
    for node in graph.keys() {
        if state.get(node).copied().unwrap_or(0) == 0 {
            let mut path = Vec::new();
            if let Some(c) = visit(node, graph, &mut state, &mut path) {
                return Some(c);
            }
        }
    }
    None
}

/// The modules of `graph` that sit on an import cycle (each reaches itself).
fn on_cycles(graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> BTreeSet<Vec<String>> {
    graph
        .keys()
        .filter(|start| {
            let mut seen = BTreeSet::new();
            let mut stack: Vec<&Vec<String>> = graph[*start].iter().collect();
            while let Some(m) = stack.pop() {
                if m == *start {
                    return true;
                }
                if seen.insert(m) {
                    stack.extend(graph.get(m).into_iter().flatten());
                }
            }
            false
        })
        .cloned()
        .collect()
}

/// Crates whose import cycles were found when this check came and are not cut yet (reported on
/// issue 14): how many of their modules sit on a cycle. The figure may only go down; lower it
/// when a cut lands. Every other crate has none.
const KNOWN_TANGLES: &[(&str, usize)] = &[];

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let mut failures = Vec::new();
    let mut edges = 0;
    for pkg in packages() {
        for root in crate_roots(&pkg.join("src")) {
            let mut graph = import_graph(&root);
            edges += graph.values().map(BTreeSet::len).sum::<usize>();
            let tangled = on_cycles(&graph);
            let allowed = KNOWN_TANGLES
                .iter()
                .find(|(r, _)| root.ends_with(r))
                .map_or(0, |(_, n)| *n);
            if tangled.len() <= allowed {
                continue;
            }
            // Every cycle, not only the first: each found is cut at its last import.
            let mut cycles = Vec::new();
            while let Some(c) = find_cycle(&graph) {
                cycles.push(c.join(" → "));
                let m = |s: &String| s.split("::").map(String::from).collect::<Vec<_>>();
                let (from, to) = (m(&c[c.len() - 2]), m(&c[c.len() - 1]));
                if let Some(e) = graph.get_mut(&from) {
                    e.remove(&to);
                }
            }
            failures.push(format!(
                "{}: {} modules on import cycles (at most {allowed}): {}",
                shown(&root),
                tangled.len(),
                cycles.join("; ")
            ));
        }
    }
    assert!(edges > 100, "the walk is broken: {edges} imports found");
    assert!(
        failures.is_empty(),
        "a module imports one that imports it back, maybe through others: {}; move what both \
         need into a module below them, or have the lower one return a value the upper one acts \
         on",
        failures.join("; ")
    );
}

#[test]
fn the_import_graph_sees_use_trees_super_paths_and_cycles() {
    let code = code_only(concat!(
        "use crate::{a, b::{c, d as e}, has_as};\n",
        "use super::f::G;\n",
        "// use crate::z;\n",
        "let s = \"crate::y::Y\";\n",
        "fn x() { crate::h::i(); child::j(); }\n",
        "mod tests { use super::*; }\n",
    ));
    let paths: Vec<String> = named_paths(&code)
        .into_iter()
        .map(|(inline, p)| format!("{}|{}", inline.join("::"), p.join("::")))
        .collect();
    assert_eq!(
        paths,
        [
            "|crate::a",
            "|crate::b::c",
            "|crate::b::d",
            "|crate::has_as",
            "|super::f::G",
            "|crate::h::i",
            "|child::j",
            "tests|super::*"
        ]
    );
    let m = |s: &str| s.split("::").map(String::from).collect::<Vec<_>>();
    let mut graph = BTreeMap::new();
    graph.insert(m("a"), BTreeSet::from([m("b")]));
    graph.insert(m("b"), BTreeSet::from([m("c")]));
    graph.insert(m("c"), BTreeSet::new());
    assert_eq!(find_cycle(&graph), None);
    assert!(on_cycles(&graph).is_empty());
    graph.insert(m("c"), BTreeSet::from([m("a")]));
    assert_eq!(
        find_cycle(&graph).map(|c| c.join(" → ")),
        Some("a → b → c → a".to_string())
    );
    assert_eq!(on_cycles(&graph).len(), 3);
}

/// Prints the modules on import cycles of each crate:
/// `cargo test --test tidy tangles -- --ignored --nocapture`.
#[test]
#[ignore = "a report, not a check"]
fn tangles() {
    for pkg in packages() {
        for root in crate_roots(&pkg.join("src")) {
            let graph = import_graph(&root);
            let tangled = on_cycles(&graph);
            println!(
                "{} ({}): {}",
                shown(&root),
                tangled.len(),
                tangled
                    .iter()
                    .map(|m| m.join("::"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            // The shortest cycles first: two modules importing each other.
            let mutual: Vec<String> = graph
                .iter()
                .flat_map(|(a, to)| to.iter().map(move |b| (a, b)))
                .filter(|(a, b)| a < b && graph.get(*b).is_some_and(|t| t.contains(*a)))
                .map(|(a, b)| format!("{} ↔ {}", a.join("::"), b.join("::")))
                .collect();
            if !mutual.is_empty() {
                println!("  each other: {}", mutual.join(", "));
            }
            // Every import between two tangled modules, with the paths that name it: the
            // candidates for a cut.
            for (a, to) in import_graph_named(&root) {
                for (b, names) in to {
                    if tangled.contains(&a) && tangled.contains(&b) {
                        let names: Vec<&str> = names.iter().map(String::as_str).collect();
                        println!(
                            "  {} → {}: {}",
                            a.join("::"),
                            b.join("::"),
                            names.join(", ")
                        );
                    }
                }
            }
        }
    }
}
