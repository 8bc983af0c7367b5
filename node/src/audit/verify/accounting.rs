//! Change accounting (audit.md §3 (d)): every Automerge change of every case document is
//! covered by exactly one signed entry of the node whose actor made it, under the same case,
//! with its deps inside what the entry says the officer saw; every change an entry lists exists
//! in a document or is covered by a Purge entry.

use std::collections::{HashMap, HashSet};

use super::finding::Finding;
use crate::audit::source::AuditSource;
use crate::error::Result;
use crate::ids::{CaseId, NodeId, hex};

/// What accounting needs of one entry that lists changes.
pub(super) struct EntryInfo {
    pub(super) origin: NodeId,
    pub(super) seq: u64,
    pub(super) case: CaseId,
    pub(super) actor: [u8; 16],
    pub(super) heads_before: Vec<[u8; 32]>,
    pub(super) changes: Vec<[u8; 32]>,
}

/// Checks every case document of `src` against the entries; returns (cases, changes).
pub(super) fn account(
    src: &dyn AuditSource,
    infos: &[EntryInfo],
    purged: &HashSet<[u8; 32]>,
    bound: &HashMap<[u8; 16], NodeId>,
    findings: &mut Vec<Finding>,
    progress: &dyn crate::progress::Progress,
) -> Result<(u64, u64)> {
    // change hash → (entry index, position in its list), in (origin, seq) order.
    let mut claims: HashMap<[u8; 32], Vec<(usize, usize)>> = HashMap::new();
    for (i, info) in infos.iter().enumerate() {
        for (k, h) in info.changes.iter().enumerate() {
            claims.entry(*h).or_default().push((i, k));
        }
    }
    let mut seen: HashSet<[u8; 32]> = HashSet::new();
    let mut n_cases = 0;
    let mut n_changes = 0;
    let case_ids = src.case_ids()?;
    progress.stage(
        crate::progress::Stage::VerifyCases,
        Some(case_ids.len() as u64),
    );
    for case in case_ids {
        progress.advance(1);
        let Some(bytes) = src.doc(&case)? else {
            continue;
        };
        n_cases += 1;
        let loaded = crate::case::doc::load_stored(&bytes.saved, &bytes.chunks);
        let mut doc = match loaded {
            Ok(d) => d,
            Err(e) => {
                findings.push(Finding::BadDocument { case, what: e });
                continue;
            }
        };
        for change in doc.get_changes(&[]) {
            n_changes += 1;
            let hash = change.hash().0;
            seen.insert(hash);
            let actor = change.actor_id().to_bytes();
            let Some(list) = claims.get(&hash) else {
                let node = <[u8; 16]>::try_from(actor)
                    .ok()
                    .and_then(|a| bound.get(&a).copied());
                findings.push(Finding::UnaccountedChange {
                    case,
                    hash: hex(&hash),
                    actor: hex(actor),
                    node,
                });
                continue;
            };
            let (ei, k) = list[0];
            let info = &infos[ei];
            if info.case != case {
                findings.push(Finding::CaseMismatch {
                    case,
                    hash: hex(&hash),
                    origin: info.origin,
                    seq: info.seq,
                    listed: info.case,
                });
            } else if info.actor.as_slice() != actor || bound.get(&info.actor) != Some(&info.origin)
            {
                findings.push(Finding::MisattributedChange {
                    case,
                    hash: hex(&hash),
                    origin: info.origin,
                    seq: info.seq,
                });
            } else if !change
                .deps()
                .iter()
                .all(|d| info.heads_before.contains(&d.0) || info.changes[..k].contains(&d.0))
            {
                findings.push(Finding::HeadsMismatch {
                    case,
                    hash: hex(&hash),
                    origin: info.origin,
                    seq: info.seq,
                });
            }
            for &(ej, _) in &list[1..] {
                findings.push(Finding::DuplicateAccounting {
                    case,
                    hash: hex(&hash),
                    origin: infos[ej].origin,
                    seq: infos[ej].seq,
                });
            }
        }
    }
    for info in infos {
        for h in &info.changes {
            if !seen.contains(h) && !purged.contains(h) {
                findings.push(Finding::MissingChange {
                    case: info.case,
                    hash: hex(h),
                    origin: info.origin,
                    seq: info.seq,
                });
            }
        }
    }
    Ok((n_cases, n_changes))
}
