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

use hoso_schemas::Status;

use crate::case::CaseSummary;
use crate::error::Result;
use crate::ids::CaseId;

/// A key prefix of the index: the one place each prefix byte is written. A scan under a prefix
/// yields the ids of every key that starts with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Prefix<'a> {
    /// `S ‖ status`: cases in one status, soonest due first.
    Status(Status),
    /// `P ‖ procedure ‖ 0`: cases of one procedure.
    Procedure(&'a str),
    /// `D`: every case by due date.
    Due,
    /// `C ‖ citizen id ‖ 0`: cases of one citizen.
    Citizen(&'a str),
    /// `N ‖ token`: names with a token starting with `token` (no terminator: a token prefix).
    NameToken(&'a str),
    /// `O ‖ officer ‖ 0`: cases assigned to an officer.
    Officer(&'a str),
    /// `X`: the review queue.
    Review,
}

impl Prefix<'_> {
    /// The prefix bytes.
    pub(crate) fn bytes(&self) -> Vec<u8> {
        match *self {
            Prefix::Status(s) => vec![b'S', s.code()],
            Prefix::Procedure(p) => terminated(b'P', p),
            Prefix::Due => vec![b'D'],
            Prefix::Citizen(c) => terminated(b'C', c),
            Prefix::NameToken(t) => {
                let mut k = vec![b'N'];
                k.extend_from_slice(t.as_bytes());
                k
            }
            Prefix::Officer(o) => terminated(b'O', o),
            Prefix::Review => vec![b'X'],
        }
    }
}

fn terminated(tag: u8, text: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(text.len() + 2);
    k.push(tag);
    k.extend_from_slice(text.as_bytes());
    k.push(0);
    k
}

fn with_id(mut k: Vec<u8>, id: &CaseId) -> Vec<u8> {
    k.extend_from_slice(&id.0);
    k
}

fn with_due(mut k: Vec<u8>, due: &DueDate, id: &CaseId) -> Vec<u8> {
    k.extend_from_slice(due);
    with_id(k, id)
}

/// A due date as index keys hold it: `YYYY-MM-DD`, padded with `9` (an unparsable date sorts
/// last).
pub fn date_bytes(d: &str) -> DueDate {
    let mut out = [b'9'; 10];
    for (o, b) in out.iter_mut().zip(d.bytes()) {
        *o = b;
    }
    out
}

/// One key of the status index, decoded: enough to order and count cases without reading a
/// summary (the console's work queue sorts and counts from these alone).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StatusKey {
    /// The case's status.
    pub status: Status,
    /// Its due date, `YYYY-MM-DD` bytes (see [`date_bytes`]).
    pub due: DueDate,
    /// The case.
    pub id: CaseId,
}

impl StatusKey {
    /// The status key the index holds for a case with summary `s`.
    pub fn of(s: &CaseSummary) -> StatusKey {
        StatusKey {
            status: s.status,
            due: date_bytes(&s.due_date),
            id: s.id,
        }
    }

    /// The index key bytes.
    fn encode(&self) -> Vec<u8> {
        with_due(Prefix::Status(self.status).bytes(), &self.due, &self.id)
    }

    /// Decodes a status index key (`S ‖ status ‖ due (10) ‖ id (16)`); `None` for any other key.
    fn decode(k: &[u8]) -> Option<StatusKey> {
        if k.len() != 2 + 10 + 16 || k.first() != Some(&b'S') {
            return None;
        }
        let status = Status::from_code(*k.get(1)?)?;
        Some(StatusKey {
            status,
            due: due_of(k)?,
            id: id_of(k)?,
        })
    }
}

/// The index keys of one case.
pub fn keys(s: &CaseSummary) -> BTreeSet<Vec<u8>> {
    let due = date_bytes(&s.due_date);
    let mut out = BTreeSet::new();
    out.insert(StatusKey::of(s).encode());
    out.insert(with_due(
        Prefix::Procedure(&s.procedure).bytes(),
        &due,
        &s.id,
    ));
    out.insert(with_due(Prefix::Due.bytes(), &due, &s.id));
    out.insert(with_id(Prefix::Citizen(&s.citizen_id).bytes(), &s.id));
    for t in hoso_schemas::tokens(&s.applicant_name) {
        let mut k = Prefix::NameToken(&t).bytes();
        k.push(0);
        out.insert(with_due(k, &due, &s.id));
    }
    if let Some(o) = &s.assigned_officer {
        out.insert(with_id(Prefix::Officer(o).bytes(), &s.id));
    }
    if s.conflict {
        out.insert(with_id(Prefix::Review.bytes(), &s.id));
    }
    out
}

/// Replaces the index entries of a case (`old` → `new`), touching only keys that differ.
pub(crate) fn update(
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
pub(crate) fn scan_prefix<T: ReadableTable<&'static [u8], ()>>(
    table: &T,
    prefix: Prefix<'_>,
    limit: usize,
) -> Result<Vec<CaseId>> {
    let prefix = prefix.bytes();
    let prefix = prefix.as_slice();
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

/// Ids under a key prefix, in key order, read lazily (a list stops when its page is full).
pub(crate) fn ids_under<'t, T: ReadableTable<&'static [u8], ()>>(
    table: &'t T,
    prefix: Prefix<'_>,
) -> Result<impl Iterator<Item = Result<CaseId>> + 't> {
    let prefix = prefix.bytes();
    let range = table.range(prefix.as_slice()..)?;
    Ok(range
        .map(|row| row.map(|(k, _)| k.value().to_vec()))
        .take_while(move |k| k.as_ref().map_or(true, |k| k.starts_with(&prefix)))
        .filter_map(|k| match k {
            Ok(k) => id_of(&k).map(Ok),
            Err(e) => Some(Err(e.into())),
        }))
}

/// A due date as stored in index keys (`YYYY-MM-DD`).
pub type DueDate = [u8; 10];

/// The status keys of the given statuses, in key order (status, then soonest due).
pub(crate) fn status_keys<T: ReadableTable<&'static [u8], ()>>(
    table: &T,
    statuses: &[Status],
) -> Result<Vec<StatusKey>> {
    let mut out = Vec::new();
    for st in statuses {
        let prefix = Prefix::Status(*st).bytes();
        for row in table.range(prefix.as_slice()..)? {
            let (k, _) = row?;
            let k = k.value();
            if !k.starts_with(&prefix) {
                break;
            }
            if let Some(key) = StatusKey::decode(k) {
                out.push(key);
            }
        }
    }
    Ok(out)
}

/// How many keys lie under a prefix (keys only, nothing decoded).
pub(crate) fn count_prefix<T: ReadableTable<&'static [u8], ()>>(
    table: &T,
    prefix: Prefix<'_>,
) -> Result<u64> {
    let prefix = prefix.bytes();
    let mut n = 0u64;
    for row in table.range(prefix.as_slice()..)? {
        let (k, _) = row?;
        if !k.value().starts_with(&prefix) {
            break;
        }
        n += 1;
    }
    Ok(n)
}

/// Cases whose applicant name has a token starting with each query token
/// (`nguyen thi huong`, `ng th huong`, `dang` for `Đặng`), with their due dates (read from the
/// index keys, so no summary is loaded), soonest due first.
pub(crate) fn search_names<T: ReadableTable<&'static [u8], ()>>(
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
        let prefix = Prefix::NameToken(&t).bytes();
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

fn due_of(key: &[u8]) -> Option<DueDate> {
    let end = key.len().checked_sub(16)?;
    let d = key.get(end.checked_sub(10)?..end)?;
    let mut out = [0u8; 10];
    out.copy_from_slice(d);
    Some(out)
}
