//! `hoso store compact` and `hoso store usage`: the store file as an operator sees it.

use std::process::ExitCode;

use hoso_node::Node;

use crate::cli::{Cli, StoreCmd};
use crate::output;

/// Runs `hoso store …`.
pub(super) fn run(cli: &Cli, cmd: &StoreCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        StoreCmd::Compact => compact(cli),
        StoreCmd::Usage => usage(cli),
    }
}

fn compact(cli: &Cli) -> anyhow::Result<ExitCode> {
    let dir = crate::data_dir::data_dir(cli);
    let c = Node::compact_store(&dir)?;
    // On the chain afterwards: the compaction needed the store to itself.
    crate::data_dir::open(cli)?.record_compaction(&c)?;
    if cli.json {
        output::json(&serde_json::to_value(&c)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "store compacted: {} → {} bytes ({} tables, {} rows rewritten in {:.1} s)",
        c.bytes_before, c.bytes_after, c.tables_rewritten, c.rows, c.seconds
    );
    Ok(ExitCode::SUCCESS)
}

fn usage(cli: &Cli) -> anyhow::Result<ExitCode> {
    let node = crate::data_dir::open(cli)?;
    let b = node.storage_breakdown()?;
    if cli.json {
        output::json(&serde_json::to_value(&b)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "file {} bytes: tables {} bytes, free pages and redb's own {} bytes",
        b.file_bytes,
        b.tables_bytes(),
        b.untabled_bytes()
    );
    println!(
        "{:<24} {:>9} {:>12} {:>10} {:>10}",
        "table", "rows", "stored", "overhead", "slack"
    );
    for t in b.tables.iter().filter(|t| t.rows > 0) {
        println!(
            "{:<24} {:>9} {:>12} {:>10} {:>10}",
            t.table, t.rows, t.stored_bytes, t.metadata_bytes, t.fragmented_bytes
        );
    }
    Ok(ExitCode::SUCCESS)
}
