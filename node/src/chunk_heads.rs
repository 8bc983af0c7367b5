//! The heads of a case document before and after each stored change chunk (issue 13, target 1:
//! the incremental rounds), so that what a peer lacks can be sent without loading the document.
//!
//! A write appends one chunk: Automerge's `save_after` of the heads the document had in the
//! store, so the chunks after a saved form are a chain: the heads before chunk *k* are the
//! heads after chunk *k*−1. Each chunk's row here holds its heads before and after, and a
//! check of the chunk's bytes (the first 8 bytes of its BLAKE3 hash). When a peer is known to
//! hold exactly the heads before chunk *k*, what it lacks is exactly the changes of chunks *k*
//! and on (every change a document holds is an ancestor of its heads), and those chunks are sent
//! as they are stored (Automerge loads a run of chunks as one).
//!
//! A row is an optimisation, never the truth: a chunk without a row, a row whose check or
//! chain does not match its chunk, peer heads that are not one chunk's heads before (a merge of
//! two states, heads in flight), or a missing table all answer "cannot tell" and the caller
//! loads the document as before. Rows are written in the transaction that stores their chunk
//! (`write::store_doc`), and dropped with the chunks a fold removes.

use redb::{ReadableTable, TableDefinition, WriteTransaction};

use crate::error::Result;
use crate::ids::CaseId;
use crate::peer_heads::covered;

/// (case, chunk number) → check (8 bytes), count of heads before (1 byte), the heads before,
/// then the heads after (32 bytes each).
pub(crate) const CHUNK_HEADS: TableDefinition<(&[u8; 16], u32), &[u8]> =
    TableDefinition::new("doc-chunk-heads-1");

/// Most heads a row holds on either side (a case's heads are a handful).
const MAX_SIDE: usize = 64;

fn check(chunk: &[u8]) -> [u8; 8] {
    let mut c = [0u8; 8];
    c.copy_from_slice(&blake3::hash(chunk).as_bytes()[..8]);
    c
}

fn sorted(h: &[[u8; 32]]) -> Vec<[u8; 32]> {
    crate::peer_heads::sorted(h.to_vec())
}

/// Records the heads around chunk `n` of case `id`, in the transaction that stores it.
pub(crate) fn note(
    tx: &WriteTransaction,
    id: &CaseId,
    n: u32,
    chunk: &[u8],
    before: &[[u8; 32]],
    after: &[[u8; 32]],
) -> Result<()> {
    let (before, after) = (sorted(before), sorted(after));
    if before.len() > MAX_SIDE || after.len() > MAX_SIDE {
        return Ok(());
    }
    let mut v = Vec::with_capacity(9 + 32 * (before.len() + after.len()));
    v.extend_from_slice(&check(chunk));
    v.push(u8::try_from(before.len()).unwrap_or(u8::MAX));
    for h in before.iter().chain(&after) {
        v.extend_from_slice(h);
    }
    tx.open_table(CHUNK_HEADS)?
        .insert((&id.0, n), v.as_slice())?;
    Ok(())
}

/// Drops the rows of case `id`'s chunks `keys` (`None`: all of them), with the chunks a fold
/// removes.
pub(crate) fn drop_rows(tx: &WriteTransaction, id: &CaseId, keys: Option<&[u32]>) -> Result<()> {
    let mut t = tx.open_table(CHUNK_HEADS)?;
    match keys {
        None => t.retain_in((&id.0, 0)..=(&id.0, u32::MAX), |_, _| false)?,
        Some(keys) => {
            for k in keys {
                t.remove((&id.0, *k))?;
            }
        }
    }
    Ok(())
}

/// A list of change hashes.
type Heads = Vec<[u8; 32]>;

/// A row read back: check, heads before, heads after.
fn decode(v: &[u8]) -> Option<([u8; 8], Heads, Heads)> {
    let (c, rest) = v.split_first_chunk::<8>()?;
    let (&nb, rest) = rest.split_first()?;
    if rest.len() % 32 != 0 || rest.len() / 32 < usize::from(nb) {
        return None;
    }
    let heads: Vec<[u8; 32]> = rest
        .chunks_exact(32)
        .filter_map(|h| h.try_into().ok())
        .collect();
    let (b, a) = heads.split_at(usize::from(nb));
    Some((*c, b.to_vec(), a.to_vec()))
}

/// What a peer that holds `known` lacks of a case, told from the chunk rows alone.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Since {
    /// Nothing: it holds every head of the document.
    Nothing,
    /// The chunks after its heads, as stored, and the document's heads.
    Chunks {
        /// The chunks, one after the other.
        bytes: Vec<u8>,
        /// The document's heads after them (sorted).
        heads: Vec<[u8; 32]>,
    },
}

/// What a peer holding `known` lacks of case `id`, from its chunks and their rows; `None` when
/// the rows cannot tell (see the module docs). `rows` is `None` when the table does not exist.
pub(crate) fn since<C, H>(
    changes: &C,
    rows: Option<&H>,
    id: &CaseId,
    known: &[[u8; 32]],
) -> Result<Option<Since>>
where
    C: ReadableTable<(&'static [u8; 16], u32), &'static [u8]>,
    H: ReadableTable<(&'static [u8; 16], u32), &'static [u8]>,
{
    let Some(rows) = rows else {
        return Ok(None);
    };
    let known = sorted(known);
    // Every chunk with its row, oldest first; the rows must chain (after k = before k+1).
    let mut chain: Vec<(Vec<u8>, Heads, Heads)> = Vec::new();
    for r in changes.range((&id.0, 0)..=(&id.0, u32::MAX))? {
        let (k, v) = r?;
        let chunk = v.value();
        let Some(row) = rows.get(k.value())? else {
            return Ok(None);
        };
        let Some((c, before, after)) = decode(row.value()) else {
            return Ok(None);
        };
        if c != check(chunk) || chain.last().is_some_and(|(_, _, a)| *a != before) {
            return Ok(None);
        }
        chain.push((chunk.to_vec(), before, after));
    }
    let Some((_, _, heads)) = chain.last() else {
        return Ok(None);
    };
    if covered(heads, &known) {
        return Ok(Some(Since::Nothing));
    }
    let heads = heads.clone();
    // The newest state the peer holds whole: the heads before chunk k are all known, and every
    // other head it is known to hold is a head of an earlier state (an ancestor: the states
    // of a chain are prefixes of one another). Known heads from nowhere in the chain (a
    // concurrent change, a state folded away) cannot be told apart here.
    for k in (0..chain.len()).rev() {
        let before = &chain[k].1;
        if !covered(before, &known) {
            continue;
        }
        let earlier = |h: &[u8; 32]| {
            before.contains(h)
                || chain[..k]
                    .iter()
                    .any(|(_, b, a)| b.contains(h) || a.contains(h))
        };
        if !known.iter().all(earlier) {
            return Ok(None);
        }
        let bytes = chain[k..]
            .iter()
            .flat_map(|(c, _, _)| c.iter().copied())
            .collect();
        return Ok(Some(Since::Chunks { bytes, heads }));
    }
    Ok(None)
}
