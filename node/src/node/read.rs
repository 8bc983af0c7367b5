//! Reading cases: resolving references, loading documents, lists, counts and status.

use std::collections::BTreeMap;

use hoso_schemas::Status;
use redb::{ReadableDatabase, ReadableTable};
use serde::Serialize;

use crate::case::{CaseDoc, CaseSummary, CaseView};
use crate::config::NodeRole;
use crate::deadline;
use crate::error::{NodeError, Result};
use crate::ids::{CaseId, NodeId};
use crate::index::{self, Prefix};
use crate::store::error::StoreError;
use crate::store::tables::*;

use super::handle::Node;
use super::paths;

/// Search results up to this size are read whole and ranked exact-diacritic first.
pub const EXACT_RANK_MAX: usize = 2000;

/// A list query.
#[derive(Clone, Debug, Default)]
pub struct CaseQuery {
    /// Only this status.
    pub status: Option<Status>,
    /// Only this procedure.
    pub procedure: Option<String>,
    /// Accent-insensitive name search, or a citizen id, or a receipt code.
    pub search: Option<String>,
    /// Only overdue cases.
    pub overdue: bool,
    /// Only cases in the review queue.
    pub conflicts: bool,
    /// Only cases assigned to this officer.
    pub officer: Option<String>,
    /// Most rows returned (0 = 50).
    pub limit: usize,
    /// Matching rows to skip first (paging: the console reads one window at a time).
    pub offset: usize,
}

/// Counts and sizes for `hoso status`.
#[derive(Clone, Debug, Serialize)]
pub struct NodeStatus {
    /// Node id.
    pub node_id: NodeId,
    /// Name.
    pub name: String,
    /// Role.
    pub role: NodeRole,
    /// Province.
    pub province: String,
    /// Commune.
    pub commune: Option<String>,
    /// Cases stored.
    pub cases: u64,
    /// Cases per status word.
    pub by_status: BTreeMap<String, u64>,
    /// Cases in the review queue.
    pub conflicts: u64,
    /// Citizens in the registry.
    pub registry_citizens: u64,
    /// Officers.
    pub officers: u64,
    /// Store file size in bytes.
    pub store_bytes: u64,
    /// Own chain length.
    pub chain_length: u64,
    /// Own chain head hash, hex.
    pub chain_head: String,
    /// Latest change-feed seq.
    pub feed_seq: u64,
}

impl Node {
    pub(super) fn resolve(&self, reference: &str) -> Result<CaseId> {
        let reference = reference.trim();
        let rtx = self.inner.db.begin_read()?;
        if let Ok(id) = reference.parse::<CaseId>()
            && rtx.open_table(CASES)?.get(&id.0)?.is_some()
        {
            return Ok(id);
        }
        if let Some(v) = rtx.open_table(RECEIPTS)?.get(reference)? {
            return Ok(CaseId(*v.value()));
        }
        Err(NodeError::CaseNotFound(reference.to_string()))
    }

    /// Loads case `id`'s document from the `docs` and `doc_changes` tables of a transaction the
    /// caller holds, with the number of change chunks stored after its snapshot. A document that
    /// does not load is [`StoreError::DamagedCase`].
    pub(crate) fn load_doc_from_tables<
        T: ReadableTable<&'static [u8; 16], PackedDoc>,
        C: ReadableTable<(&'static [u8; 16], u32), &'static [u8]>,
    >(
        &self,
        docs: &T,
        changes: &C,
        id: &CaseId,
    ) -> Result<(CaseDoc, crate::doc_store::Stored)> {
        let row = docs
            .get(&id.0)?
            .ok_or_else(|| NodeError::CaseNotFound(id.to_string()))?;
        let saved = row.value().unpack(id)?;
        let mut chunks = Vec::new();
        let mut next = 0u32;
        for row in changes.range((&id.0, 0)..=(&id.0, u32::MAX))? {
            let (k, v) = row?;
            next = k.value().1.saturating_add(1);
            chunks.push(v.value().to_vec());
        }
        let stored = crate::doc_store::Stored {
            chunks: u32::try_from(chunks.len()).unwrap_or(u32::MAX),
            next,
            bytes: saved.len() + chunks.iter().map(Vec::len).sum::<usize>(),
        };
        let doc = CaseDoc::load(&saved, &chunks, self.inner.actor).map_err(|e| match e {
            NodeError::Corrupt { detail, .. } => {
                StoreError::DamagedCase { case: *id, detail }.into()
            }
            other => other,
        })?;
        Ok((doc, stored))
    }

    /// Loads a case document read-only (for sync and audit).
    pub fn case_doc(&self, id: &CaseId) -> Result<CaseDoc> {
        let rtx = self.inner.db.begin_read()?;
        let docs = rtx.open_table(DOCS)?;
        let changes = rtx.open_table(DOC_CHANGES)?;
        Ok(self.load_doc_from_tables(&docs, &changes, id)?.0)
    }

    pub(super) fn finish_view(&self, mut v: CaseView) -> CaseView {
        let today = deadline::now().date_naive();
        v.overdue = deadline::is_overdue(&v.summary(), today);
        v.stop_proposed = v.stop_proposed_on(today);
        // The case's own catalog version (issue 12).
        let rules = self.case_rules(&v);
        if let Some(p) = rules.catalog.get(&v.procedure) {
            for (field, e) in &mut v.evidence {
                if let Some(src) = p.field(field).and_then(|f| {
                    f.source.clone().or_else(|| {
                        f.lookup
                            .as_ref()
                            .map(|l| format!("population:{}.{}", l.by, l.attr))
                    })
                }) {
                    e.source = src;
                }
            }
            v.missing_fields = p
                .required_fields()
                .filter(|f| {
                    v.fields
                        .get(&f.name)
                        .is_none_or(std::string::String::is_empty)
                })
                .map(|f| f.name.clone())
                .collect();
        }
        v
    }

    /// One case, by id or receipt code.
    pub fn case(&self, reference: &str) -> Result<CaseView> {
        let id = self.resolve(reference)?;
        let rtx = self.inner.db.begin_read()?;
        let stamp = crate::doc_cache::stamp(&rtx.open_table(FEED_BY_DOC)?, &id)?;
        if let Some(c) = self.doc_cache().get(&id, stamp) {
            let view = match &c.view {
                Some(v) => v.clone(),
                None => {
                    let v = c.doc.view()?;
                    c.view = Some(v.clone());
                    v
                }
            };
            return Ok(self.finish_view(view));
        }
        let docs = rtx.open_table(DOCS)?;
        let changes = rtx.open_table(DOC_CHANGES)?;
        let (doc, stored) = self.load_doc_from_tables(&docs, &changes, &id)?;
        let view = doc.view()?;
        self.doc_cache().put(
            id,
            stamp,
            crate::doc_cache::Cached {
                doc,
                stored,
                view: Some(view.clone()),
                changes: None,
            },
        );
        Ok(self.finish_view(view))
    }

    /// Cases matching a query, soonest due first.
    pub fn list(&self, q: &CaseQuery) -> Result<Vec<CaseSummary>> {
        let limit = if q.limit == 0 { 50 } else { q.limit };
        let today = deadline::now().date_naive();
        let rtx = self.inner.db.begin_read()?;
        let idx = rtx.open_table(INDEX)?;
        let cases = rtx.open_table(CASES)?;
        let load = |id: &CaseId| -> Result<Option<CaseSummary>> {
            match cases.get(&id.0)? {
                None => Ok(None),
                Some(v) => {
                    let mut s = crate::summaries::decode(id, v.value())?;
                    s.overdue = deadline::is_overdue(&s, today);
                    Ok(Some(s))
                }
            }
        };
        let keep = |s: &CaseSummary| {
            q.status.is_none_or(|st| s.status == st)
                && q.procedure.as_ref().is_none_or(|p| &s.procedure == p)
                && (!q.overdue || s.overdue)
                && (!q.conflicts || s.conflict)
                && q.officer
                    .as_ref()
                    .is_none_or(|o| s.assigned_officer.as_ref() == Some(o))
        };
        let search = q.search.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let mut out = Vec::new();
        let mut skip = q.offset;
        if let Some(text) = search {
            // Exact receipt code or citizen id first, then names (soonest due first).
            let ids: Vec<CaseId> = if let Some(v) = rtx.open_table(RECEIPTS)?.get(text)? {
                vec![CaseId(*v.value())]
            } else if text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) {
                index::scan_prefix(&idx, Prefix::Citizen(text), usize::MAX)?
            } else {
                // Soonest due first, as many as the page may need: the first
                // `EXACT_RANK_MAX + 1` tell a set small enough to rank from a broad one, which
                // is read on (further each time) only until the page is full.
                let mut want = EXACT_RANK_MAX + 1;
                loop {
                    let Some(m) = crate::name_search::first_matches(&idx, text, want)? else {
                        break Vec::new();
                    };
                    let ids: Vec<CaseId> = m.found.into_iter().map(|(id, _)| id).collect();
                    if m.stop != crate::name_search::Stop::Enough
                        || ids.len() <= EXACT_RANK_MAX
                        || enough_for_page(&ids, &load, &keep, q.offset + limit)?
                    {
                        break ids;
                    }
                    want = want.saturating_mul(4);
                }
            };
            // Rank exact-diacritic matches first when the set is small enough to read whole;
            // otherwise read summaries only until the page is full.
            if ids.len() <= EXACT_RANK_MAX {
                for id in &ids {
                    if let Some(s) = load(id)?
                        && keep(&s)
                    {
                        out.push(s);
                    }
                }
                let needle = hoso_schemas::nfc(text).to_lowercase();
                let mut ranked: Vec<(bool, CaseSummary)> = out
                    .into_iter()
                    .map(|s| (!s.applicant_name.to_lowercase().contains(&needle), s))
                    .collect();
                ranked.sort_by(|a, b| {
                    (a.0, &a.1.due_date, &a.1.receipt_code).cmp(&(
                        b.0,
                        &b.1.due_date,
                        &b.1.receipt_code,
                    ))
                });
                out = ranked
                    .into_iter()
                    .map(|(_, s)| s)
                    .skip(q.offset)
                    .take(limit)
                    .collect();
            } else {
                for id in &ids {
                    if out.len() >= limit {
                        break;
                    }
                    if let Some(s) = load(id)?
                        && keep(&s)
                    {
                        if skip > 0 {
                            skip -= 1;
                        } else {
                            out.push(s);
                        }
                    }
                }
            }
            return Ok(out);
        }
        let prefix = if q.conflicts {
            Prefix::Review
        } else if let Some(st) = q.status {
            Prefix::Status(st)
        } else if let Some(p) = &q.procedure {
            Prefix::Procedure(p)
        } else {
            Prefix::Due
        };
        for id in index::ids_under(&idx, prefix)? {
            if out.len() >= limit {
                break;
            }
            if let Some(s) = load(&id?)?
                && keep(&s)
            {
                if skip > 0 {
                    skip -= 1;
                } else {
                    out.push(s);
                }
            }
        }
        Ok(out)
    }

    /// Number of cases per status word.
    pub fn counts_by_status(&self) -> Result<BTreeMap<Status, u64>> {
        let rtx = self.inner.db.begin_read()?;
        let idx = rtx.open_table(INDEX)?;
        let mut out = BTreeMap::new();
        for st in Status::ALL {
            out.insert(st, index::count_prefix(&idx, Prefix::Status(st))?);
        }
        Ok(out)
    }

    /// Node status for `hoso status`.
    pub fn status(&self) -> Result<NodeStatus> {
        use redb::ReadableTableMetadata;
        let by_status = self.counts_by_status()?;
        let rtx = self.inner.db.begin_read()?;
        let idx = rtx.open_table(INDEX)?;
        let conflicts = index::scan_prefix(&idx, Prefix::Review, usize::MAX)?.len() as u64;
        let head = self.chain_head();
        let feed_seq = rtx
            .open_table(FEED)?
            .last()?
            .map(|(k, _)| k.value())
            .unwrap_or(0);
        Ok(NodeStatus {
            node_id: self.id(),
            name: self.inner.config.name.clone(),
            role: self.inner.config.role,
            province: self.inner.config.province.clone(),
            commune: self.inner.config.commune.clone(),
            cases: rtx.open_table(CASES)?.len()?,
            by_status: by_status
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            conflicts,
            registry_citizens: rtx.open_table(REGISTRY)?.len()?,
            officers: rtx.open_table(OFFICERS)?.len()?,
            store_bytes: std::fs::metadata(self.inner.dir.join(paths::STORE))
                .map(|m| m.len())
                .unwrap_or(0),
            chain_length: head.next_seq,
            chain_head: head.prev,
            feed_seq,
        })
    }

    /// Recomputes every summary and index entry from the documents and compares them with what
    /// is stored. Returns the case ids with a problem (empty when consistent); see
    /// [`Node::check_store`] for the full report.
    pub fn check_indexes(&self) -> Result<Vec<CaseId>> {
        Ok(self.check_store()?.cases())
    }
}

/// Whether `ids` hold at least `rows` cases that `keep` accepts (a broad name search reads
/// further only when they do not).
fn enough_for_page(
    ids: &[CaseId],
    load: &impl Fn(&CaseId) -> Result<Option<CaseSummary>>,
    keep: &impl Fn(&CaseSummary) -> bool,
    rows: usize,
) -> Result<bool> {
    let mut n = 0;
    for id in ids {
        if n >= rows {
            break;
        }
        if let Some(s) = load(id)?
            && keep(&s)
        {
            n += 1;
        }
    }
    Ok(n >= rows)
}
