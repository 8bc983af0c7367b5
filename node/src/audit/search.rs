//! The auditor's reading of every chain this node holds (its own and every peer's it received):
//! filtered by commune, officer, case, action and time, newest first, one page at a time; and
//! evidence bundles scoped to a case or a period.
//!
//! A search reads every record of every chain (decoding, not signature-checking: that is
//! [`crate::audit::verify`]'s job) and keeps only the positions that match, so memory is a few
//! dozen bytes per match; only the page shown is read again with its payload and its case.

use std::collections::HashMap;

use redb::ReadableDatabase;
use serde::Serialize;

use crate::audit::bundle::ExportSummary;
use crate::audit::read::StoredEntry;
use crate::audit::source::{AuditSource, DbSource};
use crate::chain::entry::{Action, DecodeError, Entry, EntryBody};
use crate::config::NodeRole;
use crate::error::{NodeError, Result};
use crate::ids::{CaseId, NodeId};
use crate::node::handle::Node;
use crate::peers::Peers;
use crate::store::tables::{AUDIT_BY_CASE, CASES};

/// Most entries one page returns.
pub const MAX_PAGE: usize = 1_000;

/// What to look for. Every field that is set must match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Commune code: entries of that commune's node, or about that commune's cases.
    pub commune: Option<String>,
    /// Officer id, exactly.
    pub officer: Option<String>,
    /// One case (resolve a receipt code with [`Node::case`] first).
    pub case: Option<CaseId>,
    /// One action.
    pub action: Option<Action>,
    /// From this time, Unix ms (inclusive).
    pub from_ms: Option<i64>,
    /// Before this time, Unix ms (exclusive).
    pub to_ms: Option<i64>,
}

/// One entry found, with what the auditor reads next to it.
#[derive(Clone, Debug)]
pub struct AuditHit {
    /// The entry and its payload.
    pub stored: StoredEntry,
    /// The commune of the chain's node, when known.
    pub node_commune: Option<String>,
    /// The display name of the chain's node.
    pub node_name: String,
    /// The case's receipt code and commune, when the entry names a case held here.
    pub case: Option<(String, String)>,
}

/// One page of a search.
#[derive(Clone, Debug, Default)]
pub struct AuditPage {
    /// Every match.
    pub total: usize,
    /// Chains held.
    pub chains: usize,
    /// Entries held in every chain.
    pub held: u64,
    /// The page, newest first.
    pub hits: Vec<AuditHit>,
}

/// What an evidence bundle is for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportScope {
    /// Everything.
    All,
    /// One case, by receipt code.
    Case {
        /// The receipt code.
        receipt_code: String,
    },
    /// A period, Unix ms `[from, to)`.
    Period {
        /// Start.
        from_ms: i64,
        /// End.
        to_ms: i64,
    },
}

struct Names {
    own: NodeId,
    own_commune: Option<String>,
    own_name: String,
    peers: HashMap<NodeId, (String, Option<String>)>,
}

impl Names {
    fn load(node: &Node) -> Result<Names> {
        let cfg = node.config();
        let peers = Peers::load(node.dir())?
            .peer
            .into_iter()
            .map(|p| {
                let commune = (p.role == NodeRole::Commune)
                    .then(|| p.scope.first().cloned())
                    .flatten();
                (p.node_id, (p.name, commune))
            })
            .collect();
        Ok(Names {
            own: node.id(),
            own_commune: match cfg.role {
                NodeRole::Commune => cfg.commune.clone(),
                NodeRole::Hub => None,
            },
            own_name: cfg.name.clone(),
            peers,
        })
    }

    fn commune(&self, origin: &NodeId) -> Option<&str> {
        if *origin == self.own {
            return self.own_commune.as_deref();
        }
        self.peers.get(origin).and_then(|p| p.1.as_deref())
    }

    fn name(&self, origin: &NodeId) -> String {
        if *origin == self.own {
            return self.own_name.clone();
        }
        self.peers
            .get(origin)
            .map_or_else(|| origin.short(), |p| p.0.clone())
    }
}

/// Receipt code and commune of cases, read once each.
struct CaseInfo<'t> {
    cases: &'t redb::ReadOnlyTable<&'static [u8; 16], crate::store::tables::SummaryRecord>,
    seen: HashMap<CaseId, Option<(String, String)>>,
}

impl CaseInfo<'_> {
    fn get(&mut self, id: &CaseId) -> Result<Option<(String, String)>> {
        if *id == CaseId::NONE {
            return Ok(None);
        }
        if let Some(v) = self.seen.get(id) {
            return Ok(v.clone());
        }
        let v = self
            .cases
            .get(&id.0)?
            .and_then(|g| crate::summaries::decode(id, g.value()).ok())
            .map(|s| (s.receipt_code, s.commune));
        self.seen.insert(*id, v.clone());
        Ok(v)
    }
}

/// The body of a stored record (`body ‖ signature`), without hashing it: filtering needs the
/// fields only; the page shown is decoded whole.
fn body_of(record: &[u8]) -> std::result::Result<EntryBody, DecodeError> {
    let split = record
        .len()
        .checked_sub(64)
        .ok_or(DecodeError::Truncated("signature"))?;
    EntryBody::decode(&record[..split])
}

fn corrupt(origin: &NodeId, seq: u64, e: impl std::fmt::Display) -> NodeError {
    NodeError::Corrupt {
        what: format!("audit entry {} #{seq}", origin.short()),
        detail: e.to_string(),
    }
}

impl Node {
    /// Entries of every chain held that match `f`, newest first: `limit` (at most
    /// [`MAX_PAGE`]) from `offset`, with the total.
    pub fn audit_search(&self, f: &AuditFilter, offset: usize, limit: usize) -> Result<AuditPage> {
        let names = Names::load(self)?;
        let src = DbSource {
            db: self.db(),
            realm: self.realm(),
        };
        let origins = src.origins()?;
        let rtx = self.db().begin_read()?;
        let audit = crate::audit::stored::read(&rtx)?;
        let cases = rtx.open_table(CASES)?;
        let mut info = CaseInfo {
            cases: &cases,
            seen: HashMap::new(),
        };
        let mut held = 0u64;
        // (time, origin, seq) of every match.
        let mut found: Vec<(i64, NodeId, u64)> = Vec::new();
        let mut consider = |b: &EntryBody, info: &mut CaseInfo<'_>| -> Result<()> {
            if f.officer.as_deref().is_some_and(|o| o != b.officer)
                || f.action.is_some_and(|a| a != b.action)
                || f.case.is_some_and(|c| c != b.case_id)
                || f.from_ms.is_some_and(|t| b.time_ms < t)
                || f.to_ms.is_some_and(|t| b.time_ms >= t)
            {
                return Ok(());
            }
            if let Some(c) = &f.commune
                && names.commune(&b.origin) != Some(c.as_str())
                && info.get(&b.case_id)?.is_none_or(|(_, cc)| cc != *c)
            {
                return Ok(());
            }
            found.push((b.time_ms, b.origin, b.seq));
            Ok(())
        };
        for o in &origins {
            held += self.chain_len(o)?;
        }
        if let Some(case) = &f.case {
            // The case index names exactly the entries of that case.
            let idx = rtx.open_table(AUDIT_BY_CASE)?;
            for x in crate::audit::stored::case_entries(&idx, &audit, case)? {
                let b =
                    body_of(&x.held.record).map_err(|e| corrupt(&NodeId(x.origin), x.seq, e))?;
                consider(&b, &mut info)?;
            }
        } else {
            for o in &origins {
                audit.each(&o.0, 0, u64::MAX, |seq, x| {
                    let b = body_of(&x.record).map_err(|e| corrupt(o, seq, e))?;
                    consider(&b, &mut info)?;
                    Ok(true)
                })?;
            }
        }
        found.sort_unstable_by_key(|x| std::cmp::Reverse(*x));
        let total = found.len();
        let mut hits = Vec::new();
        for (_, origin, seq) in found.into_iter().skip(offset).take(limit.min(MAX_PAGE)) {
            let Some(v) = audit.get(&origin.0, seq)? else {
                continue;
            };
            let entry = Entry::from_record(&v.record).map_err(|e| corrupt(&origin, seq, e))?;
            let payload = v.payload;
            let case = info.get(&entry.body.case_id)?;
            hits.push(AuditHit {
                node_commune: names.commune(&origin).map(str::to_string),
                node_name: names.name(&origin),
                case,
                stored: StoredEntry { entry, payload },
            });
        }
        Ok(AuditPage {
            total,
            chains: origins.len(),
            held,
            hits,
        })
    }

    /// Writes an evidence bundle for `scope` and returns what it wrote and how many entries
    /// fall in the scope. The bundle always carries every chain whole, every checkpoint and
    /// every case document (verification needs unbroken chains and documents that account for
    /// every change); the scope and its entry count are recorded in the bundle's export info.
    pub fn export_audit_scope(
        &self,
        scope: &ExportScope,
        out: impl std::io::Write,
    ) -> Result<(ExportSummary, usize)> {
        let filter = match scope {
            ExportScope::All => AuditFilter::default(),
            ExportScope::Case { receipt_code } => AuditFilter {
                case: Some(self.case(receipt_code)?.id),
                ..AuditFilter::default()
            },
            ExportScope::Period { from_ms, to_ms } => AuditFilter {
                from_ms: Some(*from_ms),
                to_ms: Some(*to_ms),
                ..AuditFilter::default()
            },
        };
        let in_scope = self.audit_search(&filter, 0, 0)?.total;
        let extra = serde_json::json!({ "scope": scope, "entries_in_scope": in_scope });
        let summary = crate::audit::bundle::export_with_info(
            self.db(),
            self.realm(),
            &self.id(),
            Some(extra),
            out,
        )?;
        Ok((summary, in_scope))
    }
}
