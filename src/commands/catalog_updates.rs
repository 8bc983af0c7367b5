//! `hoso catalog publish | show` and `hoso case recatalog`: one catalog for the province
//! (issue 12; `hoso_node::catalog_bundle`).

use std::process::ExitCode;

use hoso_node::Node;
use hoso_node::catalog_bundle::CatalogBundle;

use crate::cli::{CatalogCmd, Cli};
use crate::exit::UsageError;
use crate::output;

/// Runs a catalog command.
pub(super) fn run(cli: &Cli, cmd: &CatalogCmd) -> anyhow::Result<ExitCode> {
    let node = crate::data_dir::open(cli)?;
    match cmd {
        CatalogCmd::Publish { dir } => publish(cli, &node, dir),
        CatalogCmd::Show => show(cli, &node),
    }
}

fn publish(cli: &Cli, node: &Node, dir: &std::path::Path) -> anyhow::Result<ExitCode> {
    if !dir.is_dir() {
        return Err(UsageError(format!("{} is not a directory", dir.display())).into());
    }
    let files = CatalogBundle::read_dir(dir)?;
    // The form templates must load as the forms crate reads them, before anything is signed.
    let forms: Vec<(String, String)> = files
        .iter()
        .filter_map(|f| {
            f.path
                .strip_prefix("forms/")
                .map(|n| (n.to_string(), f.text.clone()))
        })
        .collect();
    hoso_forms::Forms::builtin()
        .with_overrides(&forms, "the bundle")
        .map_err(|e| UsageError(format!("{}: {e}", dir.display())))?;
    let by = crate::auth::acting(cli, node)?;
    let signed = node.publish_catalog(&by, files)?;
    let b = &signed.bundle;
    if cli.json {
        output::json(&serde_json::json!({
            "version": b.version,
            "hash": signed.hash_hex(),
            "files": b.files.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(),
            "bytes": signed.bytes.len(),
        }))?;
    } else {
        println!(
            "catalog version {} published ({} files, {} bytes, blake3 {}); communes take it at their next sync",
            b.version,
            b.files.len(),
            signed.bytes.len(),
            signed.hash_hex()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn show(cli: &Cli, node: &Node) -> anyhow::Result<ExitCode> {
    let rules = node.refresh_rules()?;
    let versions = node.catalog_versions()?;
    if cli.json {
        output::json(&serde_json::json!({
            "in_force": rules.version,
            "hash": rules.hash_hex(),
            "procedures": rules.catalog.len(),
            "versions": versions,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    if rules.version == 0 {
        println!(
            "catalog in force: version 0 (this node's own catalog, {} procedures); no version published by the hub is held",
            rules.catalog.len()
        );
    } else {
        println!(
            "catalog in force: version {} ({} procedures, blake3 {})",
            rules.version,
            rules.catalog.len(),
            rules.hash_hex()
        );
    }
    if !versions.is_empty() {
        let rows: Vec<Vec<String>> = versions
            .iter()
            .map(|v| {
                vec![
                    v.version.to_string(),
                    v.published_at.clone(),
                    v.procedures.to_string(),
                    v.files.to_string(),
                    v.hash.chars().take(16).collect(),
                ]
            })
            .collect();
        output::table(
            &["VERSION", "PUBLISHED", "PROCEDURES", "FILES", "BLAKE3"],
            &rows,
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `hoso case recatalog CASE --reason TEXT`.
pub(super) fn recatalog(
    cli: &Cli,
    node: &Node,
    case: &str,
    reason: &str,
) -> anyhow::Result<ExitCode> {
    let by = crate::auth::acting(cli, node)?;
    let before = node.case(case)?.catalog_version.unwrap_or(0);
    let v = node.recatalog_case(&by, case, reason)?;
    let to = v.catalog_version.unwrap_or(0);
    if cli.json {
        output::json(&serde_json::json!({"case": v.receipt_code, "from": before, "to": to}))?;
    } else {
        println!(
            "case {} moved from catalog version {before} to version {to}",
            v.receipt_code
        );
    }
    Ok(ExitCode::SUCCESS)
}
