//! `hoso check`: the store verified offline against itself. Every case document must load
//! whole (strictly, see [`crate::case::doc::load_stored`]); every summary row, index row and
//! receipt row must equal a rebuild from its document; every officer row must decode. The
//! chain head and the node binding are checked on every open ([`super::check_binding`]).
//! `audit verify` runs this too, so an edited summary row is found next to the chain checks.
//!
//! Summaries, indexes and receipts are derived data: [`Node::repair_derived`] rebuilds them
//! from the documents (it refuses while a document is damaged, which only a backup or the hub
//! can restore).

use std::collections::{BTreeMap, BTreeSet};

use redb::{ReadableDatabase, ReadableTable, ReadableTableMetadata};
use serde::Serialize;

use crate::case::CaseSummary;
use crate::error::{NodeError, Result};
use crate::ids::CaseId;
use crate::index;
use crate::node::handle::Node;
use crate::store::error::StoreError;
use crate::store::tables::{CASES, DOC_CHANGES, DOCS, INDEX, OFFICERS, RECEIPTS, SummaryRow};

/// Problems listed in a report at most (the count is always exact).
pub(crate) const MAX_LISTED: usize = 1000;

/// One thing `hoso check` found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The case, when the problem is one case's.
    pub case: Option<CaseId>,
    /// Its receipt code, when known.
    pub receipt_code: Option<String>,
    /// Kind: `damaged-document`, `summary-differs`, `summary-corrupt`, `summary-missing`,
    /// `summary-orphan`, `index-missing`, `index-extra`, `receipt`, `officer-corrupt`.
    pub kind: &'static str,
    /// One line.
    pub what: String,
}

/// The result of [`Node::check_store`].
#[derive(Clone, Debug, Default, Serialize)]
pub struct CheckReport {
    /// Nothing found.
    pub ok: bool,
    /// Case documents checked.
    pub documents: u64,
    /// Index rows compared.
    pub index_rows: u64,
    /// Officer rows checked.
    pub officers: u64,
    /// Problems found (exact count).
    pub problem_count: u64,
    /// The first [`MAX_LISTED`] problems.
    pub problems: Vec<Problem>,
}

impl CheckReport {
    fn push(&mut self, p: Problem) {
        self.problem_count += 1;
        if self.problems.len() < MAX_LISTED {
            self.problems.push(p);
        }
    }

    /// The cases named by a problem, each once.
    pub fn cases(&self) -> Vec<CaseId> {
        let mut out: Vec<CaseId> = Vec::new();
        for c in self.problems.iter().filter_map(|p| p.case) {
            if !out.contains(&c) {
                out.push(c);
            }
        }
        out
    }
}

/// Field names where two summaries differ.
fn differing(stored: &CaseSummary, rebuilt: &CaseSummary) -> Vec<&'static str> {
    let (a, b) = (stored, rebuilt);
    let mut out = Vec::new();
    let mut cmp = |name: &'static str, same: bool| {
        if !same {
            out.push(name);
        }
    };
    cmp("id", a.id == b.id);
    cmp("receipt_code", a.receipt_code == b.receipt_code);
    cmp("procedure", a.procedure == b.procedure);
    cmp("status", a.status == b.status);
    cmp("citizen_id", a.citizen_id == b.citizen_id);
    cmp("applicant_name", a.applicant_name == b.applicant_name);
    cmp("province", a.province == b.province);
    cmp("commune", a.commune == b.commune);
    cmp("received_at", a.received_at == b.received_at);
    cmp("due_date", a.due_date == b.due_date);
    cmp("assigned_officer", a.assigned_officer == b.assigned_officer);
    cmp("conflict", a.conflict == b.conflict);
    cmp(
        "supplement_requests",
        a.supplement_requests == b.supplement_requests,
    );
    cmp("ended_on", a.ended_on == b.ended_on);
    cmp("overdue", a.overdue == b.overdue);
    out
}

fn id_of_index_key(k: &[u8]) -> Option<CaseId> {
    let tail = k.get(k.len().checked_sub(16)?..)?;
    <[u8; 16]>::try_from(tail).ok().map(CaseId)
}

impl Node {
    /// Verifies the store offline (see the module docs). Reads in one read transaction.
    pub fn check_store(&self) -> Result<CheckReport> {
        self.check_store_with(&crate::progress::Silent)
    }

    /// [`Node::check_store`], reporting each document checked to `progress`.
    pub fn check_store_with(
        &self,
        progress: &dyn crate::progress::Progress,
    ) -> Result<CheckReport> {
        let rtx = self.db().begin_read()?;
        let docs = rtx.open_table(DOCS)?;
        progress.stage(crate::progress::Stage::CheckStore, Some(docs.len()?));
        let changes = rtx.open_table(DOC_CHANGES)?;
        let cases = rtx.open_table(CASES)?;
        let idx = rtx.open_table(INDEX)?;
        let receipts = rtx.open_table(RECEIPTS)?;
        let mut r = CheckReport::default();
        let mut expected: BTreeSet<Vec<u8>> = BTreeSet::new();
        // Cases whose expected index keys are unknown (damaged document): their rows are
        // neither missing nor extra, the damage is the problem reported.
        let mut unknown: BTreeSet<CaseId> = BTreeSet::new();
        let mut with_doc: BTreeSet<CaseId> = BTreeSet::new();
        for row in docs.iter()? {
            progress.advance(1);
            let id = CaseId(*row?.0.value());
            r.documents += 1;
            with_doc.insert(id);
            let stored_row = cases.get(&id.0)?.map(|v| v.value().0.to_vec());
            let stored: Option<std::result::Result<CaseSummary, String>> =
                stored_row.as_deref().map(|b| {
                    crate::summaries::decode_bytes(&id, b).map_err(|e| match e {
                        NodeError::Integrity(StoreError::CorruptSummary { detail, .. }) => detail,
                        other => other.to_string(),
                    })
                });
            let receipt = stored
                .as_ref()
                .and_then(|s| s.as_ref().ok())
                .map(|s| s.receipt_code.clone());
            let rebuilt = match self.load_doc_from_tables(&docs, &changes, &id) {
                Ok((doc, _)) => doc.view().map(|v| v.summary()),
                Err(e) => Err(e),
            };
            let rebuilt = match rebuilt {
                Ok(s) => s,
                Err(e) => {
                    let what = match e {
                        NodeError::Integrity(StoreError::DamagedCase { detail, .. }) => detail,
                        other => other.to_string(),
                    };
                    r.push(Problem {
                        case: Some(id),
                        receipt_code: receipt,
                        kind: "damaged-document",
                        what: format!("the document does not load whole: {what}"),
                    });
                    unknown.insert(id);
                    continue;
                }
            };
            let receipt = Some(rebuilt.receipt_code.clone());
            match stored {
                None => r.push(Problem {
                    case: Some(id),
                    receipt_code: receipt.clone(),
                    kind: "summary-missing",
                    what: "no summary row: the case is missing from lists and searches".into(),
                }),
                Some(Err(e)) => r.push(Problem {
                    case: Some(id),
                    receipt_code: receipt.clone(),
                    kind: "summary-corrupt",
                    what: format!("the summary row does not decode: {e}"),
                }),
                Some(Ok(s)) if s != rebuilt => r.push(Problem {
                    case: Some(id),
                    receipt_code: receipt.clone(),
                    kind: "summary-differs",
                    what: format!(
                        "the summary row differs from the document in: {}",
                        differing(&s, &rebuilt).join(", ")
                    ),
                }),
                Some(Ok(_)) => {}
            }
            match receipts.get(rebuilt.receipt_code.as_str())? {
                Some(v) if *v.value() == id.0 => {}
                other => r.push(Problem {
                    case: Some(id),
                    receipt_code: receipt.clone(),
                    kind: "receipt",
                    what: match other {
                        None => "its receipt code is not in the receipt table".into(),
                        Some(v) => {
                            format!("its receipt code points at case {}", CaseId(*v.value()))
                        }
                    },
                }),
            }
            expected.extend(index::keys(&rebuilt));
        }
        for row in cases.iter()? {
            let id = CaseId(*row?.0.value());
            if !with_doc.contains(&id) {
                r.push(Problem {
                    case: Some(id),
                    receipt_code: None,
                    kind: "summary-orphan",
                    what: "a summary row with no document".into(),
                });
            }
        }
        let mut index_problems: BTreeMap<(CaseId, &'static str), u64> = BTreeMap::new();
        let mut actual: BTreeSet<Vec<u8>> = BTreeSet::new();
        for row in idx.iter()? {
            let k = row?.0.value().to_vec();
            r.index_rows += 1;
            actual.insert(k);
        }
        for (kind, keys) in [
            ("index-missing", expected.difference(&actual)),
            ("index-extra", actual.difference(&expected)),
        ] {
            for k in keys {
                let Some(id) = id_of_index_key(k) else {
                    continue;
                };
                if !unknown.contains(&id) {
                    *index_problems.entry((id, kind)).or_default() += 1;
                }
            }
        }
        for ((id, kind), n) in index_problems {
            r.push(Problem {
                case: Some(id),
                receipt_code: None,
                kind,
                what: if kind == "index-missing" {
                    format!("{n} index row(s) missing: lists and searches miss the case")
                } else {
                    format!("{n} index row(s) that no document explains")
                },
            });
        }
        let officers = rtx.open_table(OFFICERS)?;
        r.officers = officers.len()?;
        for row in officers.iter()? {
            let (k, v) = row?;
            if let Err(e) = serde_json::from_slice::<crate::officer::Officer>(v.value()) {
                r.push(Problem {
                    case: None,
                    receipt_code: None,
                    kind: "officer-corrupt",
                    what: format!("officer `{}`: the account does not decode: {e}", k.value()),
                });
            }
        }
        r.ok = r.problem_count == 0;
        Ok(r)
    }

    /// Rebuilds every summary and index row from the documents, in one transaction, by a
    /// supervisor (or the node itself), with a signed `store_repair` audit entry that names
    /// what the check found. Refuses while any document is damaged (a rebuild would drop that
    /// case from lists). A store with nothing to repair is left alone (`Ok(None)`, no entry);
    /// otherwise returns the number of cases rebuilt.
    pub fn repair_derived(&self, by: &crate::write::Author) -> Result<Option<u64>> {
        let report = self.check_store()?;
        if let Some(p) = report
            .problems
            .iter()
            .find(|p| p.kind == "damaged-document")
        {
            return Err(StoreError::DamagedCase {
                case: p.case.unwrap_or(CaseId::NONE),
                detail: p.what.clone(),
            }
            .into());
        }
        if report.ok {
            return Ok(None);
        }
        let mut ctx = self.begin_write(by, crate::write::Permission::RepairStore)?;
        let n = {
            let tx = ctx.tx();
            let mut rebuilt = Vec::new();
            {
                let docs = tx.open_table(DOCS)?;
                let changes = tx.open_table(DOC_CHANGES)?;
                for row in docs.iter()? {
                    let id = CaseId(*row?.0.value());
                    let (doc, _) = self.load_doc_from_tables(&docs, &changes, &id)?;
                    rebuilt.push(doc.view()?.summary());
                }
            }
            let mut cases = tx.open_table(CASES)?;
            let mut idx = tx.open_table(INDEX)?;
            let mut receipts = tx.open_table(RECEIPTS)?;
            cases.retain(|_, _| false)?;
            idx.retain(|_, _| false)?;
            for s in &rebuilt {
                let bytes = crate::summaries::encode(s)?;
                cases.insert(&s.id.0, SummaryRow(&bytes))?;
                for k in index::keys(s) {
                    idx.insert(k.as_slice(), ())?;
                }
                receipts.insert(s.receipt_code.as_str(), &s.id.0)?;
            }
            drop((cases, idx, receipts));
            crate::commune_counts::rebuild_in(tx)?;
            rebuilt.len() as u64
        };
        let mut kinds: std::collections::BTreeMap<&str, u64> = Default::default();
        for p in &report.problems {
            *kinds.entry(p.kind).or_default() += 1;
        }
        let named: Vec<String> = report
            .problems
            .iter()
            .filter_map(|p| p.case.map(|c| c.to_string()))
            .take(20)
            .collect();
        ctx.audit(
            crate::chain::entry::Action::StoreRepair,
            CaseId::NONE,
            [0; 16],
            vec![],
            vec![],
            &serde_json::json!({
                "cases": n,
                "problems": report.problem_count,
                "kinds": kinds,
                "first_cases": named,
            }),
            chrono::Utc::now().timestamp_millis(),
        )?;
        ctx.commit()?;
        Ok(Some(n))
    }
}
