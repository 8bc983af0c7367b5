//! A read snapshot of the case indexes, for a console's work queue: the status keys that order
//! and count a tab without reading a summary, the id sets a filter narrows to (assigned officer,
//! review queue, citizen, name, receipt code), and the summaries of the one page shown. Every
//! read of one [`CaseIndex`] sees the same committed state. Nothing here writes.

use std::collections::HashSet;

use hoso_schemas::Status;
use redb::{ReadOnlyTable, ReadableDatabase, ReadableTable, ReadableTableMetadata};

use crate::case::CaseSummary;
use crate::error::Result;
use crate::ids::CaseId;
use crate::index::{self, DueDate, Prefix, StatusKey};
use crate::node::handle::Node;
use crate::store::tables::{CASES, FEED, INDEX, RECEIPTS};

/// What a cached scan of a [`CaseIndex`] is valid for: every write moves the change feed, so a
/// scan is reusable while the version is unchanged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IndexVersion {
    /// The latest change-feed seq (0 when the feed is empty).
    pub feed_seq: u64,
    /// Index entries.
    pub entries: u64,
}

/// A read snapshot of the case indexes (see the module docs).
pub struct CaseIndex {
    idx: ReadOnlyTable<&'static [u8], ()>,
    cases: ReadOnlyTable<&'static [u8; 16], crate::store::tables::SummaryRecord>,
    receipts: ReadOnlyTable<&'static str, &'static [u8; 16]>,
    version: IndexVersion,
}

impl Node {
    /// A read snapshot of the case indexes.
    pub fn case_index(&self) -> Result<CaseIndex> {
        let rtx = self.db().begin_read()?;
        let idx = rtx.open_table(INDEX)?;
        let feed_seq = rtx.open_table(FEED)?.last()?.map_or(0, |(k, _)| k.value());
        let version = IndexVersion {
            feed_seq,
            entries: idx.len()?,
        };
        Ok(CaseIndex {
            idx,
            cases: rtx.open_table(CASES)?,
            receipts: rtx.open_table(RECEIPTS)?,
            version,
        })
    }
}

impl CaseIndex {
    /// The state this snapshot reads.
    pub fn version(&self) -> IndexVersion {
        self.version
    }

    /// The status keys of the given statuses, in key order (status, then soonest due).
    pub fn status_keys(&self, statuses: &[Status]) -> Result<Vec<StatusKey>> {
        index::status_keys(&self.idx, statuses)
    }

    /// Cases assigned to an officer.
    pub fn assigned_to(&self, officer: &str) -> Result<HashSet<CaseId>> {
        self.set(Prefix::Officer(officer))
    }

    /// Cases in the review queue (semantic conflicts).
    pub fn in_review(&self) -> Result<HashSet<CaseId>> {
        self.set(Prefix::Review)
    }

    /// Cases of one citizen (by citizen id).
    pub fn of_citizen(&self, citizen_id: &str) -> Result<HashSet<CaseId>> {
        self.set(Prefix::Citizen(citizen_id))
    }

    fn set(&self, prefix: Prefix<'_>) -> Result<HashSet<CaseId>> {
        Ok(index::scan_prefix(&self.idx, prefix, usize::MAX)?
            .into_iter()
            .collect())
    }

    /// Cases whose applicant name has a token starting with each query token, with their due
    /// dates, soonest due first; `None` when the query has no token.
    pub fn search_names(&self, query: &str) -> Result<Option<Vec<(CaseId, DueDate)>>> {
        let name_of = |id: &CaseId| -> Result<Option<String>> {
            Ok(self.summary(id).ok().flatten().map(|s| s.applicant_name))
        };
        index::search_names_with(&self.idx, query, Some(&name_of))
    }

    /// The first `max` cases whose applicant name has a token starting with each query token,
    /// soonest due first, and why the search stopped ([`crate::name_search`]: a join of the
    /// tokens' sorted ranges that reads about what it returns); `None` when the query has no
    /// token.
    pub fn search_names_first(
        &self,
        query: &str,
        max: usize,
    ) -> Result<Option<crate::name_search::NameMatches>> {
        crate::name_search::first_matches(&self.idx, query, max)
    }

    /// Up to `limit` cases whose receipt code, as the list's short code shows it, ends with
    /// `digits` (ASCII digits in reading order: `0001`, `2611300001`): one range of the `R`
    /// index, never a pass over every receipt code.
    pub fn receipts_ending_with(&self, digits: &str, limit: usize) -> Result<Vec<CaseId>> {
        index::receipt_tail_ids(&self.idx, digits, limit)
    }

    /// The case with this exact receipt code.
    pub fn receipt(&self, code: &str) -> Result<Option<CaseId>> {
        Ok(self.receipts.get(code)?.map(|v| CaseId(*v.value())))
    }

    /// The cases whose receipt code `keep` accepts (every receipt code is read).
    pub fn receipts_where(&self, mut keep: impl FnMut(&str) -> bool) -> Result<Vec<CaseId>> {
        let mut out = Vec::new();
        for row in self.receipts.iter()? {
            let (code, id) = row?;
            if keep(code.value()) {
                out.push(CaseId(*id.value()));
            }
        }
        Ok(out)
    }

    /// The stored summary of a case (`None` when there is none). A row that does not decode is
    /// [`crate::StoreError::CorruptSummary`].
    pub fn summary(&self, id: &CaseId) -> Result<Option<CaseSummary>> {
        self.cases
            .get(&id.0)?
            .map(|v| crate::summaries::decode(id, v.value()))
            .transpose()
    }
}
