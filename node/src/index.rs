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
//! | `R` | the receipt's short-code digits, last first ‖ 0 ‖ id | "the code ends with these digits" as one range (`0001`, `261130-0001`) |
//! | `M` | commune ‖ 0 ‖ due date ‖ status code ‖ id (open cases only) | one commune's open cases, soonest due first |
//!
//! `R` and `M` came after the first stores were written: `index_build` adds them to a store that
//! lacks them when the node opens (a marker in `meta`), as the per-commune counters are.
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
    /// `R ‖ digits`: receipt codes whose short code's digits end with the digits, given last
    /// first (no terminator: a prefix of the reversed digits).
    ReceiptTail(&'a str),
    /// `M ‖ commune ‖ 0`: one commune's open cases, soonest due first.
    CommuneOpen(&'a str),
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
            Prefix::ReceiptTail(d) => {
                let mut k = vec![b'R'];
                k.extend_from_slice(d.as_bytes());
                k
            }
            Prefix::CommuneOpen(c) => terminated(b'M', c),
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
    out.extend(late_keys(s));
    out
}

/// The receipt code's digits as the list's short code shows them (`06112-261201-0001` →
/// `261201-0001`, a code of another shape whole), last digit first: the `R` key's text, so "the
/// code ends with `0001`" is the range under `R1000`.
pub fn receipt_tail(code: &str) -> String {
    let short = code
        .split_once('-')
        .filter(|(_, rest)| rest.contains('-'))
        .map_or(code, |(_, rest)| rest);
    short
        .bytes()
        .rev()
        .filter(u8::is_ascii_digit)
        .map(char::from)
        .collect()
}

/// The keys added after the first stores (`R`, `M`; see the module docs): the ones
/// `index_build` adds to a store that lacks them.
pub(crate) fn late_keys(s: &CaseSummary) -> Vec<Vec<u8>> {
    let mut r = Prefix::ReceiptTail(&receipt_tail(&s.receipt_code)).bytes();
    r.push(0);
    let mut out = vec![with_id(r, &s.id)];
    if !s.status.ends_processing() {
        let mut k = Prefix::CommuneOpen(&s.commune).bytes();
        k.extend_from_slice(&date_bytes(&s.due_date));
        k.push(s.status.code());
        out.push(with_id(k, &s.id));
    }
    out
}

/// The prefixes of [`late_keys`] (what `index_build` clears before adding them).
pub(crate) const LATE_TAGS: [u8; 2] = [b'M', b'R'];

/// One key under [`Prefix::CommuneOpen`], decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CommuneOpenKey {
    /// Due date bytes.
    pub due: DueDate,
    /// Status.
    pub status: Status,
    /// The case.
    pub id: CaseId,
}

/// One commune's open cases from the `M` keys, in key order (soonest due first).
pub(crate) fn commune_open<T: ReadableTable<&'static [u8], ()>>(
    table: &T,
    commune: &str,
) -> Result<Vec<CommuneOpenKey>> {
    let prefix = Prefix::CommuneOpen(commune).bytes();
    let mut out = Vec::new();
    for row in table.range(prefix.as_slice()..)? {
        let (k, _) = row?;
        let k = k.value();
        if !k.starts_with(&prefix) {
            break;
        }
        let rest = &k[prefix.len()..];
        if rest.len() != 10 + 1 + 16 {
            continue;
        }
        let (Some(status), Some(id)) = (Status::from_code(rest[10]), id_of(k)) else {
            continue;
        };
        let mut due = [0u8; 10];
        due.copy_from_slice(&rest[..10]);
        out.push(CommuneOpenKey { due, status, id });
    }
    Ok(out)
}

/// Ids whose receipt's short-code digits end with `digits` (ASCII digits, in reading order),
/// in key order, at most `limit`.
pub(crate) fn receipt_tail_ids<T: ReadableTable<&'static [u8], ()>>(
    table: &T,
    digits: &str,
    limit: usize,
) -> Result<Vec<CaseId>> {
    let reversed: String = digits.chars().rev().collect();
    scan_prefix(table, Prefix::ReceiptTail(&reversed), limit)
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
/// index keys, so no summary is loaded), soonest due first. Every token's range is read whole
/// (the tests' reference for [`search_names_with`]).
#[cfg(test)]
pub(crate) fn search_names<T: ReadableTable<&'static [u8], ()>>(
    table: &T,
    query: &str,
) -> Result<Option<Vec<(CaseId, DueDate)>>> {
    search_names_with(table, query, None::<&fn(&CaseId) -> Result<Option<String>>>)
}

/// Per candidate left, index entries of a later token read before the candidates are checked on
/// their names instead: a short token such as `thi` matches half the names of a province, and
/// its range is not read whole when a rarer token already narrowed the search.
const RANGE_PER_CANDIDATE: usize = 8;
/// A token's range is always read up to this many entries before switching to names.
const RANGE_FLOOR: usize = 4096;

/// [`search_names`], with `name_of` (a case's applicant name, from its summary) to check the
/// candidates left on the remaining tokens when a later token's range would be much larger
/// than they are (a hub of a million cases: `nong thi nguyet` reads the few `nong` entries and
/// checks them, not the half million `thi` ones). The same tokens (`hoso_schemas::tokens`) decide
/// both ways, so the result is the same.
pub(crate) fn search_names_with<T: ReadableTable<&'static [u8], ()>>(
    table: &T,
    query: &str,
    name_of: Option<&impl Fn(&CaseId) -> Result<Option<String>>>,
) -> Result<Option<Vec<(CaseId, DueDate)>>> {
    let tokens = hoso_schemas::tokens(query);
    if tokens.is_empty() {
        return Ok(None);
    }
    let mut result: Option<std::collections::HashMap<CaseId, [u8; 10]>> = None;
    // Longest tokens first: they are the most selective.
    let mut sorted = tokens;
    sorted.sort_by_key(|t| std::cmp::Reverse(t.len()));
    let mut rest = sorted.into_iter();
    while let Some(t) = rest.next() {
        let prefix = Prefix::NameToken(&t).bytes();
        let budget = match (&result, name_of) {
            (Some(r), Some(_)) => Some(RANGE_FLOOR.max(r.len() * RANGE_PER_CANDIDATE)),
            _ => None,
        };
        let mut ids = std::collections::HashMap::new();
        let mut cut = false;
        for (read, row) in table.range(prefix.as_slice()..)?.enumerate() {
            let (k, _) = row?;
            let k = k.value();
            if !k.starts_with(&prefix) {
                break;
            }
            if budget.is_some_and(|b| read >= b) {
                cut = true;
                break;
            }
            let (Some(id), Some(due)) = (id_of(k), due_of(k)) else {
                continue;
            };
            if result.as_ref().is_none_or(|r| r.contains_key(&id)) {
                ids.insert(id, due);
            }
        }
        if cut && let (Some(r), Some(name_of)) = (result.take(), name_of) {
            // Check what is left on its name, for this token and every later one.
            let mut wanted = vec![t];
            wanted.extend(rest.by_ref());
            let mut kept = std::collections::HashMap::new();
            for (id, due) in r {
                let Some(name) = name_of(&id)? else {
                    continue;
                };
                let have = hoso_schemas::tokens(&name);
                if wanted
                    .iter()
                    .all(|w| have.iter().any(|h| h.starts_with(w.as_str())))
                {
                    kept.insert(id, due);
                }
            }
            result = Some(kept);
            break;
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

#[cfg(test)]
mod tests {
    use super::*;
    use redb::{ReadableDatabase, TableDefinition};

    const T: TableDefinition<&[u8], ()> = TableDefinition::new("index-test");

    #[test]
    fn a_rare_token_first_then_names_checked_gives_the_same_matches_as_the_ranges() {
        let db = redb::Database::builder()
            .create_with_backend(redb::backends::InMemoryBackend::new())
            .expect("db");
        let mut names = std::collections::HashMap::new();
        let tx = db.begin_write().expect("tx");
        {
            let mut t = tx.open_table(T).expect("table");
            // Many `thi`, few `nong`: the `thi` range is over the budget for the `nong` ones.
            for i in 0..6000u32 {
                let name = match i % 1000 {
                    0 => "Nông Thị Nguyệt".to_string(),
                    1 => "Nông Văn Nguyên".to_string(),
                    2 => "Nông Thịnh Nguyệt".to_string(),
                    _ => format!("Nguyễn Thị Hoa {i}"),
                };
                let mut id = [0u8; 16];
                id[..4].copy_from_slice(&i.to_be_bytes());
                let id = CaseId(id);
                let due = date_bytes("2026-12-01");
                for tok in hoso_schemas::tokens(&name) {
                    let mut k = Prefix::NameToken(&tok).bytes();
                    k.push(0);
                    t.insert(with_due(k, &due, &id).as_slice(), ())
                        .expect("insert");
                }
                names.insert(id, name);
            }
        }
        tx.commit().expect("commit");
        let rtx = db.begin_read().expect("read");
        let t = rtx.open_table(T).expect("table");
        let name_of = |id: &CaseId| -> Result<Option<String>> { Ok(names.get(id).cloned()) };
        for q in ["nong thi nguyet", "nong th", "nguyen thi hoa", "thi"] {
            let by_ranges = search_names(&t, q).expect("ranges");
            let checked = search_names_with(&t, q, Some(&name_of)).expect("checked");
            assert_eq!(by_ranges, checked, "{q}");
        }
        // `nong thi nguyet` is Nông Thị Nguyệt and Nông Thịnh Nguyệt (token prefixes), 6 each.
        assert_eq!(
            search_names_with(&t, "nong thi nguyet", Some(&name_of))
                .expect("checked")
                .map(|v| v.len()),
            Some(12)
        );
    }
}
