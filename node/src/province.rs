//! The province view of a hub: per commune, the cases it holds (open, overdue, due this week),
//! the last contact with the commune's node, what waits to move each way, and how far the
//! commune's audit chain is cosigned.
//!
//! Last contact is durable: the sync layer calls [`Node::record_contact`] while a session runs
//! (at most every [`CONTACT_EVERY_MS`]) and when it ends, and the record lives in the store's
//! `meta` table under `contact:<peer hex>`, written through the guarded write path as node
//! bookkeeping. A restarted hub shows when it last heard from each commune.
//!
//! The case counts and what waits to go to each commune are read from the per-commune counters
//! the write path keeps (`commune_counts.rs`: O(communes × due dates) rows, never a pass over
//! the summaries or the change feed); the chain and cosignatures from their tables.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use redb::{ReadableDatabase, ReadableTable};
use serde::{Deserialize, Serialize};

use crate::case::CaseSummary;
use crate::config::NodeRole;
use crate::error::Result;
use crate::ids::NodeId;
use crate::node::handle::Node;
use crate::peers::Peers;
use crate::store::tables::{AUDIT_COSIGS, CASES, INDEX, META};

/// Meta key prefix of a contact record.
pub const META_CONTACT: &str = "contact:";
/// While a session stays open, its contact is written at most this often.
pub const CONTACT_EVERY_MS: i64 = 30_000;
/// Most cases [`Node::commune_cases`] returns.
pub const MAX_COMMUNE_CASES: usize = 5_000;

/// The last contact with a peer, as the sync layer recorded it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    /// When, Unix ms.
    pub at_ms: i64,
    /// The session was still open at that time (a later end is recorded again).
    pub open: bool,
    /// The peer had sent everything it had for this node (its whole feed) by then.
    pub peer_sent_all: bool,
    /// Feed entries of this node not yet sent to the peer at that time.
    pub pending_to_peer: u64,
}

/// One commune as the hub sees it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CommuneRow {
    /// Commune code.
    pub commune: String,
    /// Display name (the peers file, else the official name, else the code).
    pub name: String,
    /// The commune's node, when it is a peer.
    pub node: Option<NodeId>,
    /// Cases whose processing has not ended.
    pub open: u64,
    /// Open cases past their due date, clock running.
    pub overdue: u64,
    /// Open cases due from today to today + 6, not overdue.
    pub due_week: u64,
    /// Cases waiting for the citizen's supplement.
    pub paused: u64,
    /// The last contact recorded with the commune's node.
    pub contact: Option<Contact>,
    /// Cases whose current version here the commune has not acknowledged.
    pub pending_to: u64,
    /// Audit entries of the commune's chain held here.
    pub chain_held: u64,
    /// Largest size of the commune's chain a witness cosigned (held here).
    pub cosigned: u64,
}

/// The dashboard: one row per commune (peers first, then communes seen only in cases).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ProvinceDashboard {
    /// Rows, by commune code.
    pub rows: Vec<CommuneRow>,
    /// Every case held.
    pub cases: u64,
}

fn contact_key(peer: &NodeId) -> String {
    format!("{META_CONTACT}{peer}")
}

fn overdue(s: &CaseSummary, today: &str) -> bool {
    !s.status.ends_processing() && !s.status.pauses_clock() && s.due_date.as_str() < today
}

impl Node {
    /// Records the last contact with `peer` (the sync layer calls this; see the module doc).
    /// A record older than the one held is ignored.
    pub fn record_contact(&self, peer: &NodeId, contact: &Contact) -> Result<()> {
        let bytes = serde_json::to_vec(contact)
            .map_err(crate::error::EncodeError::json("a last-contact record"))?;
        let key = contact_key(peer);
        self.with_write(|tx, _| {
            let mut meta = tx.open_table(META)?;
            let older = meta
                .get(key.as_str())?
                .and_then(|v| serde_json::from_slice::<Contact>(v.value()).ok())
                .is_some_and(|old| old.at_ms > contact.at_ms);
            if !older {
                meta.insert(key.as_str(), bytes.as_slice())?;
            }
            Ok(())
        })
    }

    /// The last contact recorded with every peer.
    pub fn contacts(&self) -> Result<BTreeMap<NodeId, Contact>> {
        let rtx = self.db().begin_read()?;
        let meta = rtx.open_table(META)?;
        let mut out = BTreeMap::new();
        for row in meta.range(META_CONTACT..)? {
            let (k, v) = row?;
            let Some(hex) = k.value().strip_prefix(META_CONTACT) else {
                break;
            };
            if let (Ok(id), Ok(c)) = (
                hex.parse::<NodeId>(),
                serde_json::from_slice::<Contact>(v.value()),
            ) {
                out.insert(id, c);
            }
        }
        Ok(out)
    }

    /// The province dashboard as of `today` (one row per commune).
    pub fn province_dashboard(&self, today: NaiveDate) -> Result<ProvinceDashboard> {
        let today_s = today.format("%Y-%m-%d").to_string();
        let week_end = (today + chrono::Days::new(6))
            .format("%Y-%m-%d")
            .to_string();
        let peers = Peers::load(self.dir())?;
        let contacts = self.contacts()?;
        let mut rows: BTreeMap<String, CommuneRow> = BTreeMap::new();
        for p in peers.peer.iter().filter(|p| p.role == NodeRole::Commune) {
            for code in &p.scope {
                let row = rows.entry(code.clone()).or_default();
                row.commune = code.clone();
                row.name = p.name.clone();
                row.node = Some(p.node_id);
                row.contact = contacts.get(&p.node_id).cloned();
            }
        }
        // Per commune, the counters the write path keeps (`commune_counts.rs`): O(communes ×
        // due dates) rows, never the summaries or the feed.
        let rtx = self.db().begin_read()?;
        let counts = crate::commune_counts::read(&rtx)?;
        let mut pending: HashMap<String, u64> = HashMap::new();
        let mut total = 0;
        for (code, c) in &counts {
            if c.total == 0 {
                continue;
            }
            total += c.total;
            let r = rows.entry(code.clone()).or_default();
            if r.commune.is_empty() {
                r.commune = code.clone();
            }
            r.open = c.open;
            r.paused = c.paused;
            for (due, n) in &c.due {
                if due.as_str() < today_s.as_str() {
                    r.overdue += n;
                } else if *due <= week_end {
                    r.due_week += n;
                }
            }
            // Hub → commune: the commune's cases whose current version here its node has not
            // acknowledged.
            if let Some(node) = r.node {
                let acked = c.acked.get(&node).copied().unwrap_or(0);
                pending.insert(code.clone(), c.total.saturating_sub(acked));
            }
        }
        // The commune's chain: held here, and the largest cosigned size.
        let cosigs = rtx.open_table(AUDIT_COSIGS)?;
        let mut out = Vec::with_capacity(rows.len());
        for (code, mut r) in rows {
            r.pending_to = pending.get(&code).copied().unwrap_or(0);
            if r.name.is_empty() {
                r.name = hoso_schemas::commune(&code)
                    .map_or_else(|| code.clone(), |c| c.name.to_string());
            }
            if let Some(node) = r.node {
                r.chain_held = self.chain_len(&node)?;
                r.cosigned = cosigs
                    .range((&node.0, 0, &[0u8; 32])..=(&node.0, u64::MAX, &[0xffu8; 32]))?
                    .filter_map(std::result::Result::ok)
                    .map(|(k, _)| k.value().1)
                    .max()
                    .unwrap_or(0);
            }
            out.push(r);
        }
        Ok(ProvinceDashboard {
            rows: out,
            cases: total,
        })
    }

    /// The open cases of one commune, overdue first then soonest due (at most
    /// [`MAX_COMMUNE_CASES`]), and how many there are. Reads the commune's `M` index keys
    /// (due date and status of each open case, no summary) to order and count, then only the
    /// summaries of the cases returned, never the other communes' rows.
    pub fn commune_cases(
        &self,
        commune: &str,
        today: NaiveDate,
    ) -> Result<(Vec<CaseSummary>, usize)> {
        let today_s = today.format("%Y-%m-%d").to_string();
        let today_key = crate::index::date_bytes(&today_s);
        let rtx = self.db().begin_read()?;
        let idx = rtx.open_table(INDEX)?;
        let cases = rtx.open_table(CASES)?;
        let mut keys = crate::index::commune_open(&idx, commune)?;
        let late = |k: &crate::index::CommuneOpenKey| !k.status.pauses_clock() && k.due < today_key;
        // Overdue first, then by due date: the order below, up to the receipt code (which only
        // the summary has) among cases of one due date.
        keys.sort_by_key(|k| (!late(k), k.due));
        let total = keys.len();
        // Every case up to the last place returned, and the rest of its (group, due) tie.
        let mut take = total.min(MAX_COMMUNE_CASES);
        if let Some(last) = take.checked_sub(1).and_then(|i| keys.get(i)) {
            let edge = (!late(last), last.due);
            while keys.get(take).is_some_and(|k| (!late(k), k.due) == edge) {
                take += 1;
            }
        }
        let mut out = Vec::with_capacity(take);
        for k in keys.iter().take(take) {
            let Some(row) = cases.get(&k.id.0)? else {
                continue;
            };
            let Ok(mut s) = crate::summaries::decode(&k.id, row.value()) else {
                continue; // `hoso check` names a summary that does not read
            };
            if s.commune != commune || s.status.ends_processing() {
                continue;
            }
            s.overdue = overdue(&s, &today_s);
            out.push(s);
        }
        out.sort_by(|a, b| {
            (!a.overdue, &a.due_date, &a.receipt_code).cmp(&(
                !b.overdue,
                &b.due_date,
                &b.receipt_code,
            ))
        });
        out.truncate(MAX_COMMUNE_CASES);
        Ok((out, total))
    }
}

impl Node {
    /// [`Node::commune_cases`] by a pass over every summary, as it was read before the `M`
    /// index keys: kept as the reference its tests and the province bench compare with.
    #[doc(hidden)]
    pub fn commune_cases_by_scan(
        &self,
        commune: &str,
        today: NaiveDate,
    ) -> Result<(Vec<CaseSummary>, usize)> {
        let today_s = today.format("%Y-%m-%d").to_string();
        let rtx = self.db().begin_read()?;
        let cases = rtx.open_table(CASES)?;
        let mut out = Vec::new();
        for row in cases.iter()? {
            let (k, v) = row?;
            let Ok(mut s) = crate::summaries::decode(&crate::ids::CaseId(*k.value()), v.value())
            else {
                continue;
            };
            if s.commune != commune || s.status.ends_processing() {
                continue;
            }
            s.overdue = overdue(&s, &today_s);
            out.push(s);
        }
        out.sort_by(|a, b| {
            (!a.overdue, &a.due_date, &a.receipt_code).cmp(&(
                !b.overdue,
                &b.due_date,
                &b.receipt_code,
            ))
        });
        let total = out.len();
        out.truncate(MAX_COMMUNE_CASES);
        Ok((out, total))
    }
}

/// Rebuilds the per-commune counters when they are missing or were built under another store
/// format or counter version (node bookkeeping through the guarded write path; `Node::open`
/// calls it). Returns the cases counted when it rebuilt.
pub(crate) fn ensure_counts(node: &Node) -> Result<Option<u64>> {
    let marker = crate::commune_counts::marker();
    if crate::store::meta_get(node.db(), crate::commune_counts::META_COUNTS)?.as_deref()
        == Some(marker.as_slice())
    {
        return Ok(None);
    }
    let t = std::time::Instant::now();
    let n = node.with_write(|tx, _| crate::commune_counts::rebuild_in(tx))?;
    tracing::info!(
        cases = n,
        ms = t.elapsed().as_millis() as u64,
        "rebuilt the per-commune counters"
    );
    Ok(Some(n))
}

impl Node {
    /// Rebuilds the per-commune counters from the store (what `Node::open` does when they are
    /// missing). Returns the cases counted.
    pub fn rebuild_commune_counts(&self) -> Result<u64> {
        self.with_write(|tx, _| crate::commune_counts::rebuild_in(tx))
    }

    /// Every commune's counters (`commune_counts.rs`).
    pub fn commune_counts(&self) -> Result<BTreeMap<String, crate::commune_counts::CommuneCounts>> {
        crate::commune_counts::read(&self.db().begin_read()?)
    }
}
