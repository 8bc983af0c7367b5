//! Store formats and the steps between them.
//!
//! The format is the meta key `format`, `hoso-store-N`. Every table name carries its own
//! version (`cases-1`, see [`super::tables`]): a change to a table's layout gets a new name and
//! a step here that converts the old table's rows into the new one and deletes the old table.
//! Opening a store runs every step from its format up to [`CURRENT`] in the same write
//! transaction that opens it, so a store is either migrated whole or left as it was. A store of
//! a format above [`CURRENT`] was made by a newer hoso and is refused as such (never called
//! corrupt, never touched).
//!
//! | format | made by | step |
//! |---|---|---|
//! | 1 | hoso before issue 9 | — |
//! | 2 | hoso of issue 9–12 | records the node the store belongs to (`meta/origin`), derived from the chain; the session and login-failure tables are created empty |
//! | 3 | hoso of issue 13 until its documents were packed | audit records move from `audit-1` (`body ‖ signature`) and `audit-payloads-1` into compact rows with their payloads in `audit-2`, with the per-origin dictionary `audit-origins-1` and `audit-anchors-1` (issue 13: disk per case); both old tables are deleted |
//! | 4 | this build | documents move from `docs-1` into packed rows (saved without column deflate, deflated with a preset dictionary) in `docs-2`; summaries from JSON in `cases-1` into compact binary rows in `cases-2`; the audit-by-case keys from 56 bytes in `audit-by-case-1` to 32 in `audit-by-case-2`; audit payloads in `audit-2` deflated again with the preset payload dictionary (issue 13: disk per case); the three old tables are deleted |

use std::path::Path;

use redb::{ReadableTable, TableDefinition, WriteTransaction};

use crate::audit::head::ChainHead;
use crate::chain::entry::Entry;
use crate::error::{NodeError, Result};
use crate::ids::{NodeId, hex};
use crate::store::error::StoreError;
use crate::store::tables::META;

/// The format this build writes.
pub(crate) const CURRENT: u32 = 4;

/// Format 1–2 audit records: key (origin, seq), value `body ‖ signature`.
pub(crate) const AUDIT_V1: TableDefinition<(&[u8; 32], u64), &[u8]> =
    TableDefinition::new("audit-1");
/// Format 1–2 audit payloads: key entry hash, value the payload.
pub(crate) const AUDIT_PAYLOADS_V1: TableDefinition<&[u8; 32], &[u8]> =
    TableDefinition::new("audit-payloads-1");
/// Format 1–3 documents: the saved bytes as they are.
pub(crate) const DOCS_V1: TableDefinition<&[u8; 16], &[u8]> = TableDefinition::new("docs-1");
/// Format 1–3 case summaries: JSON.
pub(crate) const CASES_V1: TableDefinition<&[u8; 16], &[u8]> = TableDefinition::new("cases-1");
/// Format 1–3 audit-by-case index: case id ‖ origin ‖ seq (56 bytes).
pub(crate) const AUDIT_BY_CASE_V1: TableDefinition<&[u8], ()> =
    TableDefinition::new("audit-by-case-1");
/// Prefix of the format value.
pub(crate) const FORMAT_PREFIX: &str = "hoso-store-";
/// Meta key: the 32-byte id of the node whose chain this store holds (format 2 on).
pub(crate) const META_ORIGIN: &str = "origin";

/// The meta value of format `n`.
pub(crate) fn format_value(n: u32) -> Vec<u8> {
    format!("{FORMAT_PREFIX}{n}").into_bytes()
}

/// Parses a meta `format` value; `None` when it is not one hoso writes.
pub(crate) fn parse_format(v: &[u8]) -> Option<u32> {
    let s = std::str::from_utf8(v).ok()?;
    let n = s.strip_prefix(FORMAT_PREFIX)?;
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) || n.starts_with('0') {
        return None;
    }
    n.parse().ok()
}

/// One migration step: brings a store of format `to - 1` to format `to`.
struct Step {
    to: u32,
    run: fn(&WriteTransaction) -> Result<()>,
}

const STEPS: &[Step] = &[
    Step {
        to: 2,
        run: record_origin,
    },
    Step {
        to: 3,
        run: compact_audit,
    },
    Step {
        to: 4,
        run: pack_cases,
    },
];

/// Runs every step from `from` up to [`CURRENT`] inside `tx` and writes the new format.
/// Returns the formats stepped through (empty when already current).
pub(crate) fn migrate(tx: &WriteTransaction, path: &Path, from: u32) -> Result<Vec<u32>> {
    let mut done = Vec::new();
    for step in STEPS.iter().filter(|s| s.to > from && s.to <= CURRENT) {
        (step.run)(tx).map_err(|e| StoreError::Migration {
            path: path.to_path_buf(),
            from,
            to: step.to,
            detail: e.to_string(),
        })?;
        done.push(step.to);
    }
    if !done.is_empty() {
        tx.open_table(META)?.insert(
            crate::store::meta::META_FORMAT,
            format_value(CURRENT).as_slice(),
        )?;
        tracing::info!(path = %path.display(), from, to = CURRENT, "store migrated");
    }
    Ok(done)
}

/// Format 1 → 2: the store names the node it belongs to. The own chain is the one whose entry
/// at `head.next_seq - 1` hashes to the stored head; a store with no chain yet (an `init` that
/// did not finish) gets no origin and is refused on open.
fn record_origin(tx: &WriteTransaction) -> Result<()> {
    if let Some(origin) = own_origin(tx)? {
        tx.open_table(META)?
            .insert(META_ORIGIN, origin.0.as_slice())?;
    }
    Ok(())
}

/// Format 2 → 3: every audit record and its payload into one compact row (see
/// [`crate::chain::compact`]); the old tables are deleted. A record that does not decode is
/// refused as corruption: nothing is dropped silently.
fn compact_audit(tx: &WriteTransaction) -> Result<()> {
    {
        let old = tx.open_table(AUDIT_V1)?;
        let payloads = tx.open_table(AUDIT_PAYLOADS_V1)?;
        let mut rows = crate::audit::stored::read_in(tx)?;
        for row in old.iter()? {
            let (k, v) = row?;
            let (origin, seq) = k.value();
            let e = Entry::from_record(v.value()).map_err(|e| NodeError::Corrupt {
                what: format!("audit entry {} #{seq}", NodeId(*origin).short()),
                detail: e.to_string(),
            })?;
            let payload = payloads.get(&e.hash)?.map(|p| p.value().to_vec());
            rows.insert(&e, payload.as_deref())?;
        }
    }
    tx.delete_table(AUDIT_V1)?;
    tx.delete_table(AUDIT_PAYLOADS_V1)?;
    Ok(())
}

/// Format 3 → 4: every document saved without column deflate and packed ([`super::doc_row`]:
/// the same document, which loads with the same changes and heads),
/// every summary that decodes re-encoded in the binary row of [`crate::summaries`] (one that
/// does not, or names another case, is kept as it was, so `hoso check` still names it), and
/// every audit-by-case key shortened to 32 bytes ([`crate::audit::by_case`]); the old tables
/// are deleted.
fn pack_cases(tx: &WriteTransaction) -> Result<()> {
    use crate::store::tables::{AUDIT_BY_CASE, CASES, DOCS, DocBuf, SummaryRow};
    {
        let old = tx.open_table(DOCS_V1)?;
        let mut new = tx.open_table(DOCS)?;
        for row in old.iter()? {
            let (k, v) = row?;
            // Saved again without column deflate (the same document, the same heads), so the
            // row deflates; one that does not load is kept byte for byte (`hoso check` names
            // it as before).
            let stored = automerge::AutoCommit::load(v.value())
                .ok()
                .map(|mut d| d.save_nocompress());
            let row = DocBuf::pack(stored.as_deref().unwrap_or(v.value()));
            new.insert(k.value(), row.row())?;
        }
    }
    {
        let old = tx.open_table(CASES_V1)?;
        let mut new = tx.open_table(CASES)?;
        for row in old.iter()? {
            let (k, v) = row?;
            let id = crate::ids::CaseId(*k.value());
            let json = v.value();
            let binary = serde_json::from_slice::<crate::case::CaseSummary>(json)
                .ok()
                .filter(|s| s.id == id && json.first() == Some(&b'{'))
                .map(|s| crate::summaries::encode(&s))
                .transpose()?;
            new.insert(&id.0, SummaryRow(binary.as_deref().unwrap_or(json)))?;
        }
    }
    {
        let old = tx.open_table(AUDIT_BY_CASE_V1)?;
        let mut new = tx.open_table(AUDIT_BY_CASE)?;
        for row in old.iter()? {
            let (k, _) = row?;
            let k = k.value();
            // Readers of format 3 skipped a key of another length: so does the step.
            let (Ok(case), Ok(origin), Ok(seq)) = (
                <[u8; 16]>::try_from(k.get(..16).unwrap_or_default()),
                <[u8; 32]>::try_from(k.get(16..48).unwrap_or_default()),
                <[u8; 8]>::try_from(k.get(48..).unwrap_or_default()),
            ) else {
                continue;
            };
            let key = crate::audit::stored::case_key(
                &crate::ids::CaseId(case),
                &origin,
                u64::from_be_bytes(seq),
            );
            new.insert(&key, ())?;
        }
    }
    recompact_payloads(tx)?;
    tx.delete_table(DOCS_V1)?;
    tx.delete_table(CASES_V1)?;
    tx.delete_table(AUDIT_BY_CASE_V1)?;
    Ok(())
}

/// Format 3 → 4, audit rows: every record held with its payload is rebuilt and stored again,
/// so its payload is deflated with the preset dictionary when that is shorter
/// ([`crate::chain::compact`]); the signed bytes and the payload read back the same. A row that
/// does not rebuild is left as it is (verification reports it as before).
fn recompact_payloads(tx: &WriteTransaction) -> Result<()> {
    const BATCH: usize = 4096;
    let mut rows = crate::audit::stored::read_in(tx)?;
    for origin in rows.origins_held()? {
        let mut from = 0u64;
        loop {
            let mut batch = Vec::new();
            let mut seen = false;
            rows.each_or_raw(&origin, from, u64::MAX, |seq, x| {
                seen = true;
                from = seq.saturating_add(1);
                if let Ok(x) = x
                    && x.payload.is_some()
                {
                    batch.push((seq, x));
                }
                Ok(batch.len() < BATCH)
            })?;
            for (seq, x) in &batch {
                rows.insert_record(&origin, *seq, &x.record, x.payload.as_deref())?;
            }
            if !seen || from == u64::MAX {
                break;
            }
        }
    }
    Ok(())
}

/// The origin whose chain ends at the stored chain head, found by skipping from origin to
/// origin (a hub holds many chains). Reads the format 1–2 table (it runs in step 2).
pub(crate) fn own_origin(tx: &WriteTransaction) -> Result<Option<NodeId>> {
    let head = ChainHead::load_in(tx)?;
    let Some(last) = head.next_seq.checked_sub(1) else {
        return Ok(None);
    };
    let audit = tx.open_table(AUDIT_V1)?;
    let mut next: Option<[u8; 32]> = Some([0; 32]);
    while let Some(from) = next {
        let Some(row) = audit.range((&from, 0)..)?.next() else {
            break;
        };
        let o = *row?.0.value().0;
        if let Some(rec) = audit.get((&o, last))?
            && let Ok(e) = Entry::from_record(rec.value())
            && hex(&e.hash) == head.prev
        {
            return Ok(Some(NodeId(o)));
        }
        next = succ(&o);
    }
    Err(NodeError::Corrupt {
        what: "audit chain head".into(),
        detail: format!(
            "no chain in the store ends at the head (entry #{last}, hash {})",
            head.prev
        ),
    })
}

fn succ(o: &[u8; 32]) -> Option<[u8; 32]> {
    let mut n = *o;
    for b in n.iter_mut().rev() {
        if *b == 0xff {
            *b = 0;
        } else {
            *b += 1;
            return Some(n);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_strictly() {
        assert_eq!(parse_format(b"hoso-store-1"), Some(1));
        assert_eq!(parse_format(&format_value(CURRENT)), Some(CURRENT));
        assert_eq!(parse_format(b"hoso-store-17"), Some(17));
        for bad in [
            &b"hoso-store-"[..],
            b"hoso-store-01",
            b"hoso-store-x",
            b"other-1",
            b"\xff",
        ] {
            assert_eq!(parse_format(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn steps_are_in_order_and_reach_current() {
        let tos: Vec<u32> = STEPS.iter().map(|s| s.to).collect();
        assert!(tos.windows(2).all(|w| w[0] + 1 == w[1]));
        assert_eq!(tos.last().copied(), Some(CURRENT));
    }
}
