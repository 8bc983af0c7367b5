//! The quarantine: received cases that were not merged, kept with the reason so an operator
//! sees them (`hoso status`) and so a case refused only because its audit entries had not yet
//! arrived is merged once they do ([`Node::retry_quarantined`]).
//!
//! One row per (sending peer, case), in [`QUARANTINE`]; a newer refusal of the same case from
//! the same peer replaces the row and counts up. Bounded: at most [`MAX_ROWS`] rows, and the
//! refused bytes are kept only up to [`MAX_KEPT_BYTES`] per row (a larger refusal keeps its
//! reason but not its bytes). Past the row bound a refusal is still refused and reported to
//! the sender; it is only not kept.
//!
//! Value layout: `version u8 = 1 ‖ at_ms i64 ‖ count u32 ‖ kind u8 ‖ full u8 ‖ reason_len u16
//! ‖ reason ‖ heads_n u16 ‖ heads (32·n) ‖ bytes (the rest)`, integers big-endian.

use redb::{ReadableDatabase, ReadableTable, ReadableTableMetadata, WriteTransaction};
use serde::Serialize;

use super::incoming::IncomingDoc;
pub use crate::error::RefusalKind;
use crate::error::Result;
use crate::ids::{CaseId, NodeId};
use crate::node::handle::Node;
use crate::store::tables::QUARANTINE;

/// Most quarantined rows a node keeps.
pub const MAX_ROWS: u64 = 10_000;
/// Most refused bytes kept per row.
pub const MAX_KEPT_BYTES: usize = 1 << 20;
/// Longest reason kept.
const MAX_REASON: usize = 512;

impl RefusalKind {
    fn code(self) -> u8 {
        match self {
            RefusalKind::Unaccounted => 1,
            RefusalKind::OutOfScope => 2,
            RefusalKind::Invalid => 3,
        }
    }
    fn from_code(c: u8) -> RefusalKind {
        match c {
            1 => RefusalKind::Unaccounted,
            2 => RefusalKind::OutOfScope,
            _ => RefusalKind::Invalid,
        }
    }
    /// True when the same bytes may be accepted later (once audit entries arrive).
    pub fn retryable(self) -> bool {
        self == RefusalKind::Unaccounted
    }
}

/// One quarantined case, as `hoso status` shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Quarantined {
    /// The peer that sent it.
    pub peer: NodeId,
    /// The case.
    pub case_id: CaseId,
    /// Why.
    pub kind: RefusalKind,
    /// Why, in words.
    pub reason: String,
    /// When it was last refused (Unix ms).
    pub at_ms: i64,
    /// How many times it was refused.
    pub count: u32,
    /// Bytes kept for a retry (0 when not kept).
    pub kept_bytes: usize,
}

struct Row {
    at_ms: i64,
    count: u32,
    kind: RefusalKind,
    full: bool,
    reason: String,
    heads: Vec<[u8; 32]>,
    bytes: Vec<u8>,
}

/// `s` cut to at most `max` bytes on a character boundary.
fn truncate_utf8(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn encode(r: &Row) -> Vec<u8> {
    let reason = truncate_utf8(&r.reason, MAX_REASON);
    let mut v = Vec::with_capacity(24 + reason.len() + 32 * r.heads.len() + r.bytes.len());
    v.push(1);
    v.extend_from_slice(&r.at_ms.to_be_bytes());
    v.extend_from_slice(&r.count.to_be_bytes());
    v.push(r.kind.code());
    v.push(u8::from(r.full));
    v.extend_from_slice(&(reason.len() as u16).to_be_bytes());
    v.extend_from_slice(reason.as_bytes());
    let heads = &r.heads[..r.heads.len().min(u16::MAX as usize)];
    v.extend_from_slice(&(heads.len() as u16).to_be_bytes());
    for h in heads {
        v.extend_from_slice(h);
    }
    v.extend_from_slice(&r.bytes);
    v
}

fn decode(b: &[u8]) -> Option<Row> {
    let (mut row, rest) = decode_head(b)?;
    row.bytes = rest.to_vec();
    Some(row)
}

/// The row without its bytes, and the bytes (not copied).
fn decode_head(b: &[u8]) -> Option<(Row, &[u8])> {
    let take = |b: &mut &[u8], n: usize| -> Option<Vec<u8>> {
        if b.len() < n {
            return None;
        }
        let (h, t) = b.split_at(n);
        *b = t;
        Some(h.to_vec())
    };
    let mut b = b;
    if take(&mut b, 1)?[0] != 1 {
        return None;
    }
    let at_ms = i64::from_be_bytes(take(&mut b, 8)?.try_into().ok()?);
    let count = u32::from_be_bytes(take(&mut b, 4)?.try_into().ok()?);
    let kind = RefusalKind::from_code(take(&mut b, 1)?[0]);
    let full = take(&mut b, 1)?[0] == 1;
    let n = u16::from_be_bytes(take(&mut b, 2)?.try_into().ok()?) as usize;
    let reason = String::from_utf8_lossy(&take(&mut b, n)?).into_owned();
    let nh = u16::from_be_bytes(take(&mut b, 2)?.try_into().ok()?) as usize;
    let mut heads = Vec::with_capacity(nh);
    for _ in 0..nh {
        heads.push(take(&mut b, 32)?.try_into().ok()?);
    }
    Some((
        Row {
            at_ms,
            count,
            kind,
            full,
            reason,
            heads,
            bytes: Vec::new(),
        },
        b,
    ))
}

/// Files a refused case in `tx`. Returns false when the quarantine is full (not kept).
pub(super) fn put(
    tx: &WriteTransaction,
    peer: &NodeId,
    d: &IncomingDoc,
    kind: RefusalKind,
    reason: &str,
) -> Result<bool> {
    let mut t = tx.open_table(QUARANTINE)?;
    let old = t
        .get((&peer.0, &d.id.0))?
        .and_then(|g| decode_head(g.value()).map(|(r, _)| r.count));
    if old.is_none() && t.len()? >= MAX_ROWS {
        return Ok(false);
    }
    let keep = d.bytes.len() <= MAX_KEPT_BYTES;
    let row = Row {
        at_ms: chrono::Utc::now().timestamp_millis(),
        count: old.unwrap_or(0).saturating_add(1),
        kind,
        full: d.full,
        reason: reason.to_string(),
        heads: if keep { d.heads.clone() } else { Vec::new() },
        bytes: if keep { d.bytes.clone() } else { Vec::new() },
    };
    t.insert((&peer.0, &d.id.0), encode(&row).as_slice())?;
    Ok(true)
}

/// Drops the row of a case now merged from `peer` (its refusal is resolved).
pub(super) fn clear(tx: &WriteTransaction, peer: &NodeId, id: &CaseId) -> Result<()> {
    tx.open_table(QUARANTINE)?.remove((&peer.0, &id.0))?;
    Ok(())
}

impl Node {
    /// Every quarantined case (at most [`MAX_ROWS`]), oldest key first.
    pub fn quarantined(&self) -> Result<Vec<Quarantined>> {
        let rtx = self.db().begin_read()?;
        let t = match rtx.open_table(QUARANTINE) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        let mut out = Vec::new();
        for row in t.iter()? {
            let (k, v) = row?;
            let (peer, case) = k.value();
            if let Some((r, kept)) = decode_head(v.value()) {
                out.push(Quarantined {
                    peer: NodeId(*peer),
                    case_id: CaseId(*case),
                    kind: r.kind,
                    reason: r.reason,
                    at_ms: r.at_ms,
                    count: r.count,
                    kept_bytes: kept.len(),
                });
            }
        }
        Ok(out)
    }

    /// Retries the quarantined cases from `peer` that were refused only for want of audit
    /// entries (call it after the peer's entries arrived). Each one goes through the same
    /// ingest as a fresh batch; the accepted ones leave the quarantine. Returns how many
    /// were merged.
    pub fn retry_quarantined(
        &self,
        peer: &NodeId,
        allow: &dyn Fn(&str, &str) -> bool,
    ) -> Result<u64> {
        let docs: Vec<IncomingDoc> = {
            let rtx = self.db().begin_read()?;
            let t = match rtx.open_table(QUARANTINE) {
                Ok(t) => t,
                Err(redb::TableError::TableDoesNotExist(_)) => return Ok(0),
                Err(e) => return Err(e.into()),
            };
            let mut v = Vec::new();
            for row in t.range((&peer.0, &[0u8; 16])..=(&peer.0, &[0xffu8; 16]))? {
                let (k, val) = row?;
                if let Some(r) = decode(val.value())
                    && r.kind.retryable()
                    && !r.bytes.is_empty()
                {
                    v.push(IncomingDoc {
                        id: CaseId(*k.value().1),
                        full: r.full,
                        heads: r.heads,
                        bytes: r.bytes,
                    });
                }
            }
            v
        };
        if docs.is_empty() {
            return Ok(0);
        }
        let report = self.ingest(Some(peer), &docs, None, allow)?;
        Ok(report
            .items
            .iter()
            .filter(|i| matches!(i, super::incoming::Ingested::Stored { .. }))
            .count() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_round_trip() {
        let r = Row {
            at_ms: 7,
            count: 2,
            kind: RefusalKind::Unaccounted,
            full: true,
            reason: "lý do".into(),
            heads: vec![[3; 32]],
            bytes: vec![1, 2, 3],
        };
        let d = decode(&encode(&r)).expect("decodes");
        assert_eq!(
            (d.at_ms, d.count, d.kind, d.full, d.reason, d.heads, d.bytes),
            (
                7,
                2,
                RefusalKind::Unaccounted,
                true,
                "lý do".into(),
                vec![[3; 32]],
                vec![1, 2, 3]
            )
        );
        assert!(decode(&[2]).is_none());
        assert!(decode(&encode(&r)[..10]).is_none());
    }
}
