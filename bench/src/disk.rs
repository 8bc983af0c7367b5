//! Disk per case, by table: the growth of a node's store between two
//! [`Node::storage_breakdown`]s, divided by the cases added in between.

use std::collections::BTreeMap;

use hoso_node::{Node, StorageBreakdown, TableUsage};
use serde_json::json;

use crate::stats::r3;

/// A store's breakdown taken before a phase, to subtract from the one after.
pub(crate) struct Before(StorageBreakdown);

/// Takes the breakdown before a phase.
pub(crate) fn before(node: &Node) -> anyhow::Result<Before> {
    Ok(Before(node.storage_breakdown()?))
}

/// Bytes per case added since `before`: the file, every table's pages (keys and values,
/// redb's overhead, slack inside pages), and what no table holds (free pages).
pub(crate) fn per_case(
    node: &Node,
    before: &Before,
    cases: usize,
) -> anyhow::Result<serde_json::Value> {
    let after = node.storage_breakdown()?;
    let n = cases.max(1) as f64;
    let delta = |a: u64, b: u64| (a as f64 - b as f64) / n;
    let mut tables = BTreeMap::new();
    for t in &after.tables {
        let old = before.0.table(&t.table);
        let get = |f: fn(&TableUsage) -> u64| old.map(f).unwrap_or(0);
        let total = delta(t.total_bytes(), get(hoso_node::TableUsage::total_bytes));
        if total.abs() < 0.5 {
            continue;
        }
        tables.insert(
            t.table.clone(),
            json!({
                "total": r3(total),
                "stored": r3(delta(t.stored_bytes, get(|u| u.stored_bytes))),
                "redb_overhead": r3(delta(t.metadata_bytes, get(|u| u.metadata_bytes))),
                "page_slack": r3(delta(t.fragmented_bytes, get(|u| u.fragmented_bytes))),
                "rows_per_case": r3(delta(t.rows, get(|u| u.rows))),
            }),
        );
    }
    Ok(json!({
        "file": r3(delta(after.file_bytes, before.0.file_bytes)),
        "tables": r3(delta(after.tables_bytes(), before.0.tables_bytes())),
        "allocated": r3(delta(after.allocated_bytes, before.0.allocated_bytes)),
        "untabled": r3(delta(after.untabled_bytes(), before.0.untabled_bytes())),
        "file_bytes_total": after.file_bytes,
        "by_table": tables,
    }))
}
