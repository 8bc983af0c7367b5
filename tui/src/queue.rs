//! The work queue: which cases a list tab holds, in what order, and how many there are.
//!
//! An officer's day starts from the open cases: cases in the review queue (two offices disagree)
//! first, then overdue (most late first), then the soonest due, then the cases paused while the
//! citizen supplements. Ended cases (refused at intake,
//! stopped, decided, returned) have their own tab, newest first. Every tab has a real total.
//!
//! Everything here is a read over one snapshot of the node's case indexes
//! ([`hoso_node::CaseIndex`]): a status key ([`StatusKey`]: status, due date, id) already holds
//! what ordering and counting need, so a tab is sorted and counted from keys alone and only the
//! shown page of summaries is read.
//! A search narrows the keys to a candidate set first (see [`candidates`]): the full receipt
//! code, the short code as the list shows it (`261130-0001`), its last digits, a citizen id, or a
//! name without accents. Nothing here writes.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use hoso_node::{
    CaseId, CaseIndex, CaseSummary, IndexVersion, Node, NodeError, StatusKey, StoreError,
};
use hoso_schemas::{Clock, Status};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// A list tab.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tab {
    /// Open cases (processing not ended): the work queue, the default.
    Open,
    /// Open cases past their due date and not paused.
    Overdue,
    /// Waiting for the citizen's supplement (the clock is stopped).
    Paused,
    /// Processing ended: refused at intake, stopped, decided, returned.
    Ended,
    /// Every case.
    All,
    /// One status.
    Status(Status),
    /// In the review queue (semantic conflicts).
    Conflicts,
}

impl Tab {
    /// The tabs, in order: the work queue first.
    pub fn all() -> Vec<Tab> {
        let mut v = vec![Tab::Open, Tab::Overdue, Tab::Paused, Tab::Ended, Tab::All];
        v.extend(Status::ALL.into_iter().map(Tab::Status));
        v.push(Tab::Conflicts);
        v
    }

    /// The tab label.
    pub fn label(self) -> &'static str {
        match self {
            Tab::Open => "Cần xử lý",
            Tab::Overdue => "Quá hạn",
            Tab::Paused => "Tạm dừng",
            Tab::Ended => "Đã kết thúc",
            Tab::All => "Tất cả",
            Tab::Status(s) => crate::format::status_short(s),
            Tab::Conflicts => "Xung đột",
        }
    }

    /// The statuses whose index the tab reads.
    fn statuses(self) -> Vec<Status> {
        let all = Status::ALL.into_iter();
        match self {
            // Open also reads the ended statuses: a case in the review queue needs work
            // whatever status won the merge.
            Tab::Open => all.collect(),
            Tab::Overdue => all.filter(|s| !s.ends_processing()).collect(),
            Tab::Paused => vec![Status::SupplementRequested],
            Tab::Ended => all.filter(|s| s.ends_processing()).collect(),
            Tab::All | Tab::Conflicts => all.collect(),
            Tab::Status(s) => vec![s],
        }
    }
}

/// What one list page asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueQuery {
    /// The tab.
    pub tab: Tab,
    /// Only cases assigned to this officer ("my cases").
    pub mine: Option<String>,
    /// Search text (code, citizen id or name), if any.
    pub search: Option<String>,
    /// Matching rows to skip.
    pub offset: usize,
    /// Most rows returned.
    pub limit: usize,
    /// Today, for overdue and the clocks.
    pub today: NaiveDate,
}

/// One row of the list: the case and its clock (days left, days late, paused since, ended).
#[derive(Clone, Debug, PartialEq)]
pub struct QueueRow {
    /// The case.
    pub case: CaseSummary,
    /// Where it stands against its due date, as of the query's day.
    pub clock: Clock,
}

impl std::ops::Deref for QueueRow {
    type Target = CaseSummary;
    fn deref(&self) -> &CaseSummary {
        &self.case
    }
}

/// One page and the tab's total.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QueuePage {
    /// The rows.
    pub rows: Vec<QueueRow>,
    /// Every match in the tab (with the search and "my cases" applied); with a search that
    /// stopped early ([`QueuePage::bound`]), the matches among the ones it kept.
    pub total: usize,
    /// Whether the search behind the page found every match.
    pub bound: SearchBound,
}

/// Cases per tab, for the filter bar and the status bar.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Per tab (with "my cases" applied when asked).
    pub tabs: HashMap<Tab, usize>,
}

impl Counts {
    /// The count of a tab (0 when unknown).
    pub fn of(&self, tab: Tab) -> usize {
        self.tabs.get(&tab).copied().unwrap_or(0)
    }
}

/// A read failed (the store is unreadable): said in Vietnamese; the engine's English detail
/// goes to the log only.
fn store_error(e: impl std::fmt::Display) -> String {
    tracing::warn!(error = %e, "reading the store for the work queue failed");
    "Không đọc được kho dữ liệu của máy. Thử tải lại (r); nếu vẫn lỗi, báo quản trị (chi tiết trong nhật ký).".to_string()
}

/// An entry of the status index: enough to order and count without reading the case.
type Key = StatusKey;

/// 0 late, 1 running, 2 paused, 3 ended: the work-queue order.
fn group(key: &Key, today: &[u8; 10]) -> u8 {
    if key.status.ends_processing() {
        3
    } else if key.status.pauses_clock() {
        2
    } else if key.due < *today {
        0
    } else {
        1
    }
}

fn date_key(d: NaiveDate) -> [u8; 10] {
    hoso_node::date_bytes(&d.format("%Y-%m-%d").to_string())
}

/// The status index of one store as of one change: (data dir, latest change-feed seq, index
/// entries) → every status key. Every write moves the change feed, so a cached scan is reused
/// only while nothing changed; a keystroke then filters keys in memory instead of re-reading.
type KeyCache = Vec<(PathBuf, IndexVersion, Arc<Vec<Key>>)>;
static KEYS: Mutex<KeyCache> = Mutex::new(Vec::new());
/// Stores whose keys are kept (tests open many).
const CACHED_STORES: usize = 4;

fn all_keys(node: &Node, index: &CaseIndex) -> Result<Arc<Vec<Key>>, String> {
    let version = index.version();
    let dir = node.dir().to_path_buf();
    let mut cache = KEYS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, _, keys)) = cache.iter().find(|(d, v, _)| *d == dir && *v == version) {
        return Ok(Arc::clone(keys));
    }
    let keys = Arc::new(index.status_keys(&Status::ALL).map_err(store_error)?);
    cache.retain(|(d, ..)| *d != dir);
    if cache.len() >= CACHED_STORES {
        cache.remove(0);
    }
    cache.push((dir, version, Arc::clone(&keys)));
    Ok(keys)
}

/// The text looks like a receipt code or a number (digits, dots and dashes only).
pub fn is_code_like(text: &str) -> bool {
    !text.is_empty()
        && text.chars().any(|c| c.is_ascii_digit())
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || c == '-' || c == '.')
}

/// Most cases a search takes: a broader search stops there and the list says "more than 200
/// matches, type more" (a common name at a hub of a million cases matches tens of thousands,
/// and no officer pages through them; at 1,000 a rare name's join at a million cases read five
/// times the keys for rows nobody scrolls to).
pub const SEARCH_CAP: usize = 200;

/// How complete a search's matches are.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SearchBound {
    /// Every match (or no search).
    #[default]
    Exact,
    /// More than [`SEARCH_CAP`] cases match: the first ones are kept.
    MoreThan,
    /// The search stopped at its work bound (two common name parts that seldom meet): at
    /// least the matches kept, maybe more.
    Unfinished,
}

/// What a search text matched.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Found {
    /// The cases (at most [`SEARCH_CAP`]).
    pub ids: HashSet<CaseId>,
    /// Whether that is every match.
    pub bound: SearchBound,
}

/// The cases a search text can mean: a full receipt code; the short code as the list shows it
/// (`261130-0001`) or its last digits (`0001`, at least 3 of them); a citizen id (12 digits);
/// otherwise a name, accents optional (`nguyen thi huong`, `ng th huong`). At most
/// [`SEARCH_CAP`] of them (see [`search`]).
pub fn candidates(node: &Node, text: &str) -> Result<HashSet<CaseId>, String> {
    Ok(search(node, text)?.ids)
}

/// [`candidates`], and whether they are every match. Each kind reads an index range about
/// as long as what it returns: the receipt codes by their last digits (`R` keys), names by a
/// join of their tokens' sorted ranges that stops after [`SEARCH_CAP`] matches.
pub fn search(node: &Node, text: &str) -> Result<Found, String> {
    let text = text.trim();
    let index = node.case_index().map_err(store_error)?;
    let mut out = Found::default();
    if let Some(id) = index.receipt(text).map_err(store_error)? {
        out.ids.insert(id);
        return Ok(out);
    }
    if !is_code_like(text) {
        if let Some(m) = index
            .search_names_first(text, SEARCH_CAP + 1)
            .map_err(store_error)?
        {
            out.bound = match m.stop {
                _ if m.found.len() > SEARCH_CAP => SearchBound::MoreThan,
                hoso_node::name_search::Stop::Work => SearchBound::Unfinished,
                _ => SearchBound::Exact,
            };
            out.ids
                .extend(m.found.into_iter().take(SEARCH_CAP).map(|(id, _)| id));
        }
        return Ok(out);
    }
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    if digits.len() == 12 && !text.contains('-') {
        out.ids
            .extend(index.of_citizen(&digits).map_err(store_error)?);
    }
    // A citizen id that names cases is taken as one: a 12-digit tail of a short receipt code
    // (6 date digits and the day's sequence) would need a million receipts in one day.
    let citizen_found = digits.len() == 12 && !text.contains('-') && !out.ids.is_empty();
    if digits.len() >= 3 && !citizen_found {
        // The end of a receipt code, as shown or typed: `261130-0001`, `1130-0001`, `0001`,
        // `2611300001`. Compared on digits alone so the dash is optional; only the parts after
        // the unit code count (`20` must not match every code). One range of the index of
        // short codes' digits, last first.
        let room = SEARCH_CAP + 1 - out.ids.len().min(SEARCH_CAP);
        let matching = index
            .receipts_ending_with(&digits, room)
            .map_err(store_error)?;
        out.ids.extend(matching);
        if out.ids.len() > SEARCH_CAP {
            out.bound = SearchBound::MoreThan;
            let keep: HashSet<CaseId> = out.ids.iter().copied().take(SEARCH_CAP).collect();
            out.ids = keep;
        }
    }
    Ok(out)
}

/// The ASCII digits of `text`, in order, end with `digits`.
#[cfg(test)]
fn digits_end_with(text: &str, digits: &[u8]) -> bool {
    let mut have = text.bytes().rev().filter(u8::is_ascii_digit);
    digits.iter().rev().all(|d| have.next() == Some(*d))
}

fn keep(key: &Key, tab: Tab, today: &[u8; 10], review: &HashSet<CaseId>) -> bool {
    match tab {
        Tab::Open => !key.status.ends_processing() || review.contains(&key.id),
        Tab::Overdue => group(key, today) == 0,
        Tab::Conflicts => review.contains(&key.id),
        _ => true,
    }
}

fn sort(keys: &mut [Key], tab: Tab, today: &[u8; 10], review: &HashSet<CaseId>) {
    if tab == Tab::Ended {
        keys.sort_by_key(|k| std::cmp::Reverse((k.due, k.id)));
    } else {
        // Cases in the review queue first: two offices disagree on them.
        keys.sort_by_key(|k| (!review.contains(&k.id), group(k, today), k.due, k.id));
    }
}

/// One page of a tab, sorted as the work queue is, with the tab's total.
pub fn page(node: &Node, q: &QueueQuery) -> Result<QueuePage, String> {
    let today = date_key(q.today);
    let text = q.search.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let (found, bound) = match text {
        Some(text) => {
            let f = self::search(node, text)?;
            (Some(f.ids), f.bound)
        }
        None => (None, SearchBound::Exact),
    };
    let index = node.case_index().map_err(store_error)?;
    let mine = match &q.mine {
        Some(o) => Some(index.assigned_to(o).map_err(store_error)?),
        None => None,
    };
    let review = index.in_review().map_err(store_error)?;
    let statuses = q.tab.statuses();
    let mut keys: Vec<Key> = if let Some(f) = &found
        && f.is_empty()
    {
        vec![]
    } else if let Some(f) = &found
        && f.len() <= FEW_CANDIDATES
    {
        // A narrow search: the candidates' own status keys (point reads), not a pass over
        // every case's key.
        candidate_keys(&index, f)?
            .into_iter()
            .filter(|k| statuses.contains(&k.status))
            .collect()
    } else {
        all_keys(node, &index)?
            .iter()
            .filter(|k| statuses.contains(&k.status))
            .copied()
            .collect()
    };
    keys.retain(|k| {
        keep(k, q.tab, &today, &review)
            && found.as_ref().is_none_or(|f| f.contains(&k.id))
            && mine.as_ref().is_none_or(|m| m.contains(&k.id))
    });
    sort(&mut keys, q.tab, &today, &review);
    let total = keys.len();
    let mut rows = Vec::new();
    for k in keys.iter().skip(q.offset).take(q.limit) {
        let mut s = match index.summary(&k.id) {
            Ok(Some(s)) => s,
            // A summary that does not read is skipped (`hoso check` names it).
            Ok(None) | Err(NodeError::Integrity(StoreError::CorruptSummary { .. })) => continue,
            Err(e) => return Err(store_error(e)),
        };
        s.overdue = hoso_node::deadline::is_overdue(&s, q.today);
        let clock = clock_of(node, &s, q.today);
        rows.push(QueueRow { case: s, clock });
    }
    drop(index);
    // "Paused since": the day of the pending supplement request, read from the case's history
    // for the paused rows of this page only.
    for r in rows
        .iter_mut()
        .filter(|r| matches!(r.clock, Clock::Paused { since: None }))
        .take(PAUSED_LOOKUPS)
    {
        if let Ok(v) = node.case(&r.case.id.to_string()) {
            let since = v
                .history
                .iter()
                .rev()
                .find(|h| h.to == Status::SupplementRequested && h.track.is_none())
                .and_then(|h| hoso_node::deadline::parse_date(&h.at));
            r.clock = Clock::Paused { since };
        }
    }
    Ok(QueuePage { rows, total, bound })
}

/// Up to this many search candidates, a page reads their status keys one by one instead of
/// filtering every case's key: a search stays O(matches) on a hub of a million cases.
const FEW_CANDIDATES: usize = 2_000;

/// The status index keys of `ids`, derived from their summaries as the index derives them.
fn candidate_keys(index: &CaseIndex, ids: &HashSet<CaseId>) -> Result<Vec<Key>, String> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        match index.summary(id) {
            Ok(Some(s)) => out.push(StatusKey::of(&s)),
            // A summary that does not read is skipped (`hoso check` names it).
            Ok(None) | Err(NodeError::Integrity(StoreError::CorruptSummary { .. })) => {}
            Err(e) => return Err(store_error(e)),
        }
    }
    Ok(out)
}

/// Most paused rows per page whose "since" date is read from the case history.
const PAUSED_LOOKUPS: usize = 40;

/// The clock of a case as of `today`.
pub fn clock_of(node: &Node, s: &CaseSummary, today: NaiveDate) -> Clock {
    let due = hoso_node::deadline::parse_date(&s.due_date).unwrap_or(today);
    Clock::of(
        node.calendar(),
        s.status,
        due,
        s.ended_on
            .as_deref()
            .and_then(hoso_node::deadline::parse_date),
        None,
        today,
    )
}

/// Cases per tab, from one pass over the status index (keys only).
pub fn counts(node: &Node, mine: Option<&str>, today: NaiveDate) -> Result<Counts, String> {
    let today = date_key(today);
    let index = node.case_index().map_err(store_error)?;
    let mine = match mine {
        Some(o) => Some(index.assigned_to(o).map_err(store_error)?),
        None => None,
    };
    let conflicts = index.in_review().map_err(store_error)?;
    let mut tabs: HashMap<Tab, usize> = HashMap::new();
    let mut per_status: BTreeMap<Status, usize> = BTreeMap::new();
    for k in all_keys(node, &index)?.iter() {
        if mine.as_ref().is_some_and(|m| !m.contains(&k.id)) {
            continue;
        }
        *per_status.entry(k.status).or_default() += 1;
        *tabs.entry(Tab::All).or_default() += 1;
        let in_review = conflicts.contains(&k.id);
        match group(k, &today) {
            0 => *tabs.entry(Tab::Overdue).or_default() += 1,
            2 => *tabs.entry(Tab::Paused).or_default() += 1,
            3 => *tabs.entry(Tab::Ended).or_default() += 1,
            _ => {}
        }
        if !k.status.ends_processing() || in_review {
            *tabs.entry(Tab::Open).or_default() += 1;
        }
        if in_review {
            *tabs.entry(Tab::Conflicts).or_default() += 1;
        }
    }
    for (s, n) in per_status {
        tabs.insert(Tab::Status(s), n);
    }
    Ok(Counts { tabs })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_compared_from_the_end() {
        assert!(digits_end_with("261130-0001", b"0001"));
        assert!(digits_end_with("261130-0001", b"11300001"));
        assert!(digits_end_with("261130-0001", b"001"));
        assert!(!digits_end_with("261130-0001", b"0002"));
        assert!(!digits_end_with("0001", b"100001"));
    }

    #[test]
    fn code_like_text() {
        assert!(is_code_like("261130-0001"));
        assert!(is_code_like("0001"));
        assert!(is_code_like("000.20.06.112-261130-0001"));
        assert!(!is_code_like("nguyen"));
        assert!(!is_code_like("-"));
    }

    #[test]
    fn keys_group_late_running_paused_ended() {
        let today = date_key(NaiveDate::from_ymd_opt(2026, 11, 27).expect("date"));
        let k = |status, due: &str| {
            let mut d = [0u8; 10];
            d.copy_from_slice(due.as_bytes());
            Key {
                status,
                due: d,
                id: CaseId::default(),
            }
        };
        assert_eq!(group(&k(Status::InProcess, "2026-11-26"), &today), 0);
        assert_eq!(group(&k(Status::InProcess, "2026-11-27"), &today), 1);
        assert_eq!(
            group(&k(Status::SupplementRequested, "2026-11-01"), &today),
            2
        );
        assert_eq!(group(&k(Status::Returned, "2026-11-01"), &today), 3);
    }
}
