//! Name search as a join of sorted ranges, stopping at a page (issue 13: search at a hub of a
//! million cases).
//!
//! The name index holds `N ‖ token ‖ 0 ‖ due ‖ id` per token of each applicant name, so the
//! entries of one token are sorted by (due date, id). A query token (`th`, a prefix) matches the
//! tokens that start with it: its stream is the merge of those tokens' ranges, still in (due,
//! id) order. The cases matching every query token are then the intersection of sorted streams,
//! found by a leapfrog join: the stream that is behind seeks to the one ahead (a few steps
//! forward, else a new range from the target key). Its cost follows the rarest stream — a rare
//! token drives the seeks in the common ones whatever order the tokens were typed in, so no
//! per-token count is kept — and the matches come out soonest due first, so the search stops
//! when it has the matches it was asked for: `nguyen thi` at a million cases reads a few
//! thousand keys for its first page instead of both whole ranges.
//!
//! Every search also has a work bound ([`MAX_WORK`] keys read and ranges opened): two common
//! tokens that seldom meet stop there, said so ([`Stop::Work`]), and the caller asks for more
//! letters. The same tokens (`hoso_schemas::tokens`) and the same token-prefix rule as the index
//! module's whole-range search decide a match, so the matches are the same (a test compares).

use std::cmp::Ordering;

use redb::{Range, ReadableTable};

use crate::error::Result;
use crate::ids::CaseId;
use crate::index::{DueDate, Prefix};

/// Keys read plus ranges opened after which a search stops ([`Stop::Work`]).
pub const MAX_WORK: usize = 400_000;
/// Forward steps a stream takes towards a target before it opens a new range at it.
const STEPS_BEFORE_SEEK: usize = 8;

/// A position in a token's range: due date ‖ id.
type Pos = [u8; 26];

/// Why a search stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// Every match was found.
    Exhausted,
    /// The matches asked for were found; there may be more.
    Enough,
    /// The work bound was reached first: there may be more matches.
    Work,
}

/// The first matches of a name search, soonest due first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameMatches {
    /// (case, due date), in (due date, id) order.
    pub found: Vec<(CaseId, DueDate)>,
    /// Why the search stopped.
    pub stop: Stop,
}

/// One token's range (`N ‖ token ‖ 0 …`), read forward.
struct Sub<'t> {
    base: Vec<u8>,
    end: Vec<u8>,
    range: Range<'t, &'static [u8], ()>,
    head: Option<Pos>,
}

fn pos_of(key: &[u8], base_len: usize) -> Option<Pos> {
    key.get(base_len..)?.try_into().ok()
}

impl<'t> Sub<'t> {
    fn open<T: ReadableTable<&'static [u8], ()>>(
        table: &'t T,
        base: Vec<u8>,
        end: Vec<u8>,
        from: Option<&Pos>,
        work: &mut usize,
    ) -> Result<Self> {
        let mut lo = base.clone();
        if let Some(p) = from {
            lo.extend_from_slice(p);
        }
        let range = table.range(lo.as_slice()..end.as_slice())?;
        *work += 1;
        let mut s = Sub {
            base,
            end,
            range,
            head: None,
        };
        s.advance(work)?;
        Ok(s)
    }

    fn advance(&mut self, work: &mut usize) -> Result<()> {
        self.head = None;
        for row in self.range.by_ref() {
            let (k, _) = row?;
            *work += 1;
            // A key of another length is not a name entry: skipped.
            if let Some(p) = pos_of(k.value(), self.base.len()) {
                self.head = Some(p);
                break;
            }
        }
        Ok(())
    }

    fn seek<T: ReadableTable<&'static [u8], ()>>(
        &mut self,
        table: &'t T,
        target: &Pos,
        work: &mut usize,
    ) -> Result<()> {
        let mut steps = 0;
        while self.head.is_some_and(|h| h < *target) {
            if steps == STEPS_BEFORE_SEEK {
                let base = std::mem::take(&mut self.base);
                let end = std::mem::take(&mut self.end);
                *self = Sub::open(table, base, end, Some(target), work)?;
                return Ok(());
            }
            self.advance(work)?;
            steps += 1;
        }
        Ok(())
    }
}

/// One query token's stream: the merge of the ranges of every token it starts.
struct Stream<'t> {
    subs: Vec<Sub<'t>>,
}

impl<'t> Stream<'t> {
    /// The ranges of every indexed token starting with `q`.
    fn open<T: ReadableTable<&'static [u8], ()>>(
        table: &'t T,
        q: &str,
        work: &mut usize,
    ) -> Result<Self> {
        let prefix = Prefix::NameToken(q).bytes();
        let mut from = prefix.clone();
        let mut subs = Vec::new();
        loop {
            let next = table.range(from.as_slice()..)?.next().transpose()?;
            *work += 1;
            let Some((k, _)) = next else { break };
            let k = k.value();
            if !k.starts_with(&prefix) {
                break;
            }
            let Some(zero) = k.iter().position(|b| *b == 0) else {
                break;
            };
            let mut base = k[..zero].to_vec();
            let mut end = base.clone();
            base.push(0);
            end.push(1);
            from.clone_from(&end);
            subs.push(Sub::open(table, base, end, None, work)?);
        }
        Ok(Stream { subs })
    }

    fn head(&self) -> Option<Pos> {
        self.subs.iter().filter_map(|s| s.head).min()
    }

    fn seek<T: ReadableTable<&'static [u8], ()>>(
        &mut self,
        table: &'t T,
        target: &Pos,
        work: &mut usize,
    ) -> Result<()> {
        for s in &mut self.subs {
            s.seek(table, target, work)?;
        }
        Ok(())
    }

    /// Moves past `at` (a name with two tokens under the prefix is in two ranges: once here).
    fn skip(&mut self, at: &Pos, work: &mut usize) -> Result<()> {
        for s in &mut self.subs {
            if s.head.as_ref() == Some(at) {
                s.advance(work)?;
            }
        }
        Ok(())
    }
}

/// The cases whose applicant name has a token starting with each query token, soonest due
/// first, stopping after `max` matches or [`MAX_WORK`]; `None` when the query has no token.
pub(crate) fn first_matches<T: ReadableTable<&'static [u8], ()>>(
    table: &T,
    query: &str,
    max: usize,
) -> Result<Option<NameMatches>> {
    first_matches_within(table, query, max, MAX_WORK)
}

/// [`first_matches`] with the work bound given (tests).
pub(crate) fn first_matches_within<T: ReadableTable<&'static [u8], ()>>(
    table: &T,
    query: &str,
    max: usize,
    max_work: usize,
) -> Result<Option<NameMatches>> {
    let tokens = hoso_schemas::tokens(query);
    if tokens.is_empty() {
        return Ok(None);
    }
    let mut work = 0;
    let mut streams = Vec::with_capacity(tokens.len());
    for t in &tokens {
        streams.push(Stream::open(table, t, &mut work)?);
    }
    let mut found = Vec::new();
    let done = |found: Vec<(CaseId, DueDate)>, stop| Ok(Some(NameMatches { found, stop }));
    if max == 0 {
        return done(found, Stop::Enough);
    }
    // The target: the largest head; every stream seeks to it until all agree.
    let Some(mut target) = streams.iter().map(Stream::head).max().flatten() else {
        return done(found, Stop::Exhausted);
    };
    if streams.iter().any(|s| s.head().is_none()) {
        return done(found, Stop::Exhausted);
    }
    loop {
        if work >= max_work {
            return done(found, Stop::Work);
        }
        let mut agreed = true;
        for s in &mut streams {
            s.seek(table, &target, &mut work)?;
            match s.head() {
                None => return done(found, Stop::Exhausted),
                Some(h) => {
                    if h.cmp(&target) == Ordering::Greater {
                        target = h;
                        agreed = false;
                        break;
                    }
                }
            }
        }
        if !agreed {
            continue;
        }
        let mut due = [0u8; 10];
        due.copy_from_slice(&target[..10]);
        let mut id = [0u8; 16];
        id.copy_from_slice(&target[10..]);
        found.push((CaseId(id), due));
        if found.len() >= max {
            return done(found, Stop::Enough);
        }
        for s in &mut streams {
            s.skip(&target, &mut work)?;
        }
        match streams.iter().map(Stream::head).max().flatten() {
            Some(h) if streams.iter().all(|s| s.head().is_some()) => target = h,
            _ => return done(found, Stop::Exhausted),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::{date_bytes, search_names};
    use redb::{ReadableDatabase, TableDefinition};

    const T: TableDefinition<&[u8], ()> = TableDefinition::new("name-search-test");

    fn name(i: u32) -> String {
        const FAMILY: [&str; 5] = ["Nguyễn", "Nông", "Hoàng", "Triệu", "Thân"];
        const MIDDLE: [&str; 4] = ["Thị", "Văn", "Thịnh", "Minh"];
        const GIVEN: [&str; 7] = ["Hoa", "Nguyệt", "Thu", "Thuỷ", "An", "Hùng", "Thi"];
        format!(
            "{} {} {}",
            FAMILY[(i % 5) as usize],
            MIDDLE[(i / 5 % 4) as usize],
            GIVEN[(i / 20 % 7) as usize]
        )
    }

    #[test]
    fn the_join_finds_what_the_whole_ranges_find_in_the_same_order() {
        let db = redb::Database::builder()
            .create_with_backend(redb::backends::InMemoryBackend::new())
            .expect("db");
        let tx = db.begin_write().expect("tx");
        {
            let mut t = tx.open_table(T).expect("table");
            for i in 0..3000u32 {
                let mut id = [0u8; 16];
                id[12..].copy_from_slice(&(i.wrapping_mul(2_654_435_761)).to_be_bytes());
                let id = CaseId(id);
                let due = date_bytes(&format!("2026-{:02}-{:02}", 1 + i % 12, 1 + i % 28));
                for tok in hoso_schemas::tokens(&name(i)) {
                    let mut k = Prefix::NameToken(&tok).bytes();
                    k.push(0);
                    k.extend_from_slice(&due);
                    k.extend_from_slice(&id.0);
                    t.insert(k.as_slice(), ()).expect("insert");
                }
            }
        }
        tx.commit().expect("commit");
        let rtx = db.begin_read().expect("read");
        let t = rtx.open_table(T).expect("table");
        for q in [
            "nguyen thi",
            "thi",
            "th",
            "th th",
            "t",
            "nong thi nguyet",
            "ng th thu",
            "hoang minh an",
            "van thi",
            "thinh thi",
            "xyz",
            "thi xyz",
            "n",
        ] {
            let all = search_names(&t, q).expect("ranges").expect("tokens");
            let joined = first_matches(&t, q, usize::MAX)
                .expect("join")
                .expect("tokens");
            assert_eq!(joined.found, all, "{q}");
            assert_eq!(joined.stop, Stop::Exhausted, "{q}");
            // The first ten are the first ten, and the search says there may be more.
            let ten = first_matches(&t, q, 10).expect("join").expect("tokens");
            assert_eq!(ten.found, all.iter().take(10).copied().collect::<Vec<_>>());
            assert_eq!(ten.stop == Stop::Enough, all.len() >= 10, "{q}");
        }
        assert!(first_matches(&t, " - ", 10).expect("join").is_none());
        // The work bound stops a search and says so.
        let cut = first_matches_within(&t, "nguyen thi", usize::MAX, 50)
            .expect("join")
            .expect("tokens");
        assert_eq!(cut.stop, Stop::Work);
    }
}
