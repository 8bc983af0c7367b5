//! Secondary indexes over case summaries, all in one redb table of byte keys:
//!
//! | prefix | key | answers |
//! |---|---|---|
//! | `S` | status code ‖ due date ‖ id | cases by status, soonest due first |
//! | `P` | procedure ‖ 0 ‖ due date ‖ id | cases by procedure |
//! | `D` | due date ‖ id | every case by due date |
//! | `C` | citizen id ‖ 0 ‖ id | cases of one citizen |
//! | `N` | folded name token ‖ 0 ‖ due date ‖ id | accent-insensitive name search (token prefixes) |
//! | `O` | officer ‖ 0 ‖ id | cases assigned to an officer |
//! | `X` | id | the review queue (semantic conflicts) |
//!
//! Keys are derived from the summary alone, so the indexes always equal a rebuild from the
//! documents (a property test checks it).

use std::collections::BTreeSet;

use redb::{ReadableTable, Table};

use crate::case::CaseSummary;
use crate::error::Result;
use crate::ids::CaseId;

fn with_id(mut k: Vec<u8>, id: &CaseId) -> Vec<u8> {
    k.extend_from_slice(&id.0);
    k
}

fn date_bytes(d: &str) -> [u8; 10] {
    let mut out = [b'9'; 10];
    for (o, b) in out.iter_mut().zip(d.bytes()) {
        *o = b;
    }
    out
}

/// The index keys of one case.
pub fn keys(s: &CaseSummary) -> BTreeSet<Vec<u8>> {
    let due = date_bytes(&s.due_date);
    let mut out = BTreeSet::new();
    let mut k = vec![b'S', s.status.code()];
    k.extend_from_slice(&due);
    out.insert(with_id(k, &s.id));
    let mut k = vec![b'P'];
    k.extend_from_slice(s.procedure.as_bytes());
    k.push(0);
    k.extend_from_slice(&due);
    out.insert(with_id(k, &s.id));
    let mut k = vec![b'D'];
    k.extend_from_slice(&due);
    out.insert(with_id(k, &s.id));
    let mut k = vec![b'C'];
    k.extend_from_slice(s.citizen_id.as_bytes());
    k.push(0);
    out.insert(with_id(k, &s.id));
    for t in hoso_schemas::tokens(&s.applicant_name) {
        let mut k = vec![b'N'];
        k.extend_from_slice(t.as_bytes());
        k.push(0);
        k.extend_from_slice(&due);
        out.insert(with_id(k, &s.id));
    }
    if let Some(o) = &s.assigned_officer {
        let mut k = vec![b'O'];
        k.extend_from_slice(o.as_bytes());
        k.push(0);
        out.insert(with_id(k, &s.id));
    }
    if s.conflict {
        out.insert(with_id(vec![b'X'], &s.id));
    }
    out
}

/// Replaces the index entries of a case (`old` → `new`), touching only keys that differ.
pub fn update(
    table: &mut Table<'_, &'static [u8], ()>,
    old: Option<&CaseSummary>,
    new: Option<&CaseSummary>,
) -> Result<()> {
    let old_keys = old.map(keys).unwrap_or_default();
    let new_keys = new.map(keys).unwrap_or_default();
    for k in old_keys.difference(&new_keys) {
        table.remove(k.as_slice())?;
    }
    for k in new_keys.difference(&old_keys) {
        table.insert(k.as_slice(), ())?;
    }
    Ok(())
}

fn id_of(key: &[u8]) -> Option<CaseId> {
    let tail = key.get(key.len().checked_sub(16)?..)?;
    let mut id = [0u8; 16];
    id.copy_from_slice(tail);
    Some(CaseId(id))
}

/// Ids under a key prefix, in key order, at most `limit`.
pub fn scan_prefix<T: ReadableTable<&'static [u8], ()>>(
    table: &T,
    prefix: &[u8],
    limit: usize,
) -> Result<Vec<CaseId>> {
    let mut out = Vec::new();
    for row in table.range(prefix..)? {
        let (k, _) = row?;
        let k = k.value();
        if !k.starts_with(prefix) || out.len() >= limit {
            break;
        }
        if let Some(id) = id_of(k) {
            out.push(id);
        }
    }
    Ok(out)
}

/// A due date as stored in index keys (`YYYY-MM-DD`).
pub type DueDate = [u8; 10];

/// Cases whose applicant name has a token starting with each query token
/// (`nguyen thi huong`, `ng th huong`, `dang` for `Đặng`), with their due dates (read from the
/// index keys, so no summary is loaded), soonest due first.
pub fn search_names<T: ReadableTable<&'static [u8], ()>>(
    table: &T,
    query: &str,
) -> Result<Option<Vec<(CaseId, DueDate)>>> {
    let tokens = hoso_schemas::tokens(query);
    if tokens.is_empty() {
        return Ok(None);
    }
    let mut result: Option<std::collections::BTreeMap<CaseId, [u8; 10]>> = None;
    // Longest tokens first: they are the most selective.
    let mut sorted = tokens;
    sorted.sort_by_key(|t| std::cmp::Reverse(t.len()));
    for t in sorted {
        let mut prefix = vec![b'N'];
        prefix.extend_from_slice(t.as_bytes());
        let mut ids = std::collections::BTreeMap::new();
        for row in table.range(prefix.as_slice()..)? {
            let (k, _) = row?;
            let k = k.value();
            if !k.starts_with(&prefix) {
                break;
            }
            let (Some(id), Some(due)) = (id_of(k), due_of(k)) else {
                continue;
            };
            if result.as_ref().is_none_or(|r| r.contains_key(&id)) {
                ids.insert(id, due);
            }
        }
        let empty = ids.is_empty();
        result = Some(ids);
        if empty {
            break;
        }
    }
    Ok(result.map(|m| {
        let mut v: Vec<(CaseId, DueDate)> = m.into_iter().collect();
        v.sort_by_key(|&(id, due)| (due, id));
        v
    }))
}

fn due_of(key: &[u8]) -> Option<[u8; 10]> {
    let end = key.len().checked_sub(16)?;
    let d = key.get(end.checked_sub(10)?..end)?;
    let mut out = [0u8; 10];
    out.copy_from_slice(d);
    Some(out)
}
