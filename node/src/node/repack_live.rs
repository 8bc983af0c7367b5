//! Packing the store's tables while the node runs (issue 13, target 2): the page slack of
//! random-order inserts given back without `hoso store compact` and without stopping writers.
//!
//! Rows keyed by case id (documents, summaries, peer heads, the indexes behind them) arrive
//! in random key order, wherever the case was made. redb splits a full leaf in two halves, so
//! such a table settles at about two thirds full, and a run of keys that grows in the middle of
//! a table (one peer's rows among others') at one half. `hoso store compact` rewrites every
//! table in key order but needs the file to itself; this does the same rewrite one step at a
//! time instead: each step is one short guarded write ([`Author::Node`], the writer lock
//! for the time it takes to move [`REPACK_STEP_BYTES`]) that reads the next rows of one table in key
//! order, removes them and stores them again through one redb cursor, whose insert run is
//! spliced in as packed leaves. Keys and values are copied byte for byte, so no reader and no
//! writer between two steps sees anything change but the pages; a step that fails is aborted
//! and leaves the table as it was.
//!
//! Only tables whose slack is at least [`REPACK_SLACK_FROM`] of their pages are rewritten.
//! [`Node::repack_tables`] runs it now (benches, tests, a node that has just taken a backlog);
//! [`Node::repack_in_background`] runs it on a thread of a long-running node (`serve`) when the
//! store has grown by a quarter since the last pass. The pages given back are reused by the
//! next writes; the file itself shrinks only with `hoso store compact`.

use std::ops::Bound;
use std::sync::Arc;
use std::time::{Duration, Instant};

use redb::{ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition, TableHandle};
use serde::Serialize;

use super::handle::Node;
use crate::backup::{TableVisitor, for_each_table};
use crate::error::{NodeError, Result};
use crate::write::{Author, Permission};

/// Bytes of rows one step moves (one short write transaction).
pub const REPACK_STEP_BYTES: usize = 1 << 20;
/// The share of a table's pages its slack must reach before the table is rewritten.
pub const REPACK_SLACK_FROM: f64 = 0.15;
/// Tables smaller than this are left alone (a few pages of slack).
const SMALL_TABLE: u64 = 64 << 10;
/// How often the background thread looks at the store's size.
const LOOK_EVERY: Duration = Duration::from_secs(60);

/// What one pass did.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Repacked {
    /// Tables rewritten.
    pub tables: usize,
    /// Rows moved.
    pub rows: u64,
    /// Write transactions (steps) it took.
    pub steps: u64,
    /// Bytes of the rewritten tables' pages before.
    pub bytes_before: u64,
    /// And after.
    pub bytes_after: u64,
    /// The longest step, milliseconds (how long a writer may have waited for one).
    pub longest_step_ms: f64,
    /// Seconds the pass took.
    pub seconds: f64,
}

fn table_bytes<K: redb::Key + 'static, V: redb::Value + 'static>(
    node: &Node,
    def: TableDefinition<K, V>,
) -> Result<Option<(u64, u64)>> {
    let rtx = node.db().begin_read()?;
    let t = match rtx.open_table(def) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
        Err(e) => return Err(NodeError::Store(Box::new(e.into()))),
    };
    let s = t.stats()?;
    let total = s.stored_bytes() + s.metadata_bytes() + s.fragmented_bytes();
    Ok(Some((total, s.fragmented_bytes())))
}

struct Live<'a> {
    node: &'a Node,
    min_share: f64,
    step_bytes: usize,
    out: Repacked,
}

impl Live<'_> {
    /// One step: the rows after `after` (all from the start when `None`), up to
    /// `step_bytes`, removed and stored again through one cursor. Returns the last key moved,
    /// or `None` at the end of the table.
    fn step<K: redb::Key + 'static, V: redb::Value + 'static>(
        &mut self,
        def: TableDefinition<K, V>,
        after: Option<&[u8]>,
    ) -> Result<Option<Vec<u8>>> {
        let t = Instant::now();
        let ctx = self.node.begin_write(&Author::Node, Permission::Maintain)?;
        let mut rows: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
        {
            let mut table = ctx.tx().open_table(def)?;
            let lower = match after {
                Some(k) => Bound::Excluded(K::from_bytes(k)),
                None => Bound::Unbounded,
            };
            let mut bytes = 0usize;
            for row in table.range::<K::SelfType<'_>>((lower, Bound::Unbounded))? {
                let (k, v) = row?;
                let (k, v) = (
                    K::as_bytes(&k.value()).as_ref().to_vec(),
                    V::as_bytes(&v.value()).as_ref().to_vec(),
                );
                bytes += k.len() + v.len();
                rows.push((k, v));
                if bytes >= self.step_bytes {
                    break;
                }
            }
            let (Some((first, _)), Some((last, _))) = (rows.first(), rows.last()) else {
                return Ok(None);
            };
            let (first, last) = (first.clone(), last.clone());
            table.retain_in::<K::SelfType<'_>, _>(
                K::from_bytes(&first)..=K::from_bytes(&last),
                |_, _| false,
            )?;
            let mut cursor = table.lower_bound_mut(Bound::Included(K::from_bytes(&first)))?;
            for (k, v) in &rows {
                cursor
                    .insert_before(K::from_bytes(k), V::from_bytes(v))
                    .map_err(|e| NodeError::Store(Box::new(redb::Error::from(e))))?;
            }
            cursor.close()?;
        }
        ctx.commit()?;
        self.out.rows += rows.len() as u64;
        self.out.steps += 1;
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        self.out.longest_step_ms = self.out.longest_step_ms.max(ms);
        Ok(rows.pop().map(|(k, _)| k))
    }
}

impl TableVisitor for Live<'_> {
    fn visit<K: redb::Key + 'static, V: redb::Value + 'static>(
        &mut self,
        def: TableDefinition<K, V>,
    ) -> Result<()> {
        let Some((total, slack)) = table_bytes(self.node, def)? else {
            return Ok(());
        };
        if total < SMALL_TABLE || (slack as f64) < self.min_share * total as f64 {
            return Ok(());
        }
        tracing::debug!(table = def.name(), total, slack, "repacking a table");
        let mut after: Option<Vec<u8>> = None;
        while let Some(last) = self.step(def, after.as_deref())? {
            after = Some(last);
        }
        let (now, _) = table_bytes(self.node, def)?.unwrap_or((total, slack));
        self.out.tables += 1;
        self.out.bytes_before += total;
        self.out.bytes_after += now;
        Ok(())
    }
}

impl Node {
    /// Rewrites, in key order and packed, every table whose page slack is at least
    /// `min_share` of its pages ([`REPACK_SLACK_FROM`] in the background), one short guarded write
    /// per [`REPACK_STEP_BYTES`] (see `node/repack_live.rs`). Writers wait at most one step.
    pub fn repack_tables(&self, min_share: f64) -> Result<Repacked> {
        self.repack_tables_in_steps(min_share, REPACK_STEP_BYTES)
    }

    /// [`Node::repack_tables`] in steps of `step_bytes` (tests take small steps).
    pub fn repack_tables_in_steps(&self, min_share: f64, step_bytes: usize) -> Result<Repacked> {
        let t = Instant::now();
        let mut live = Live {
            node: self,
            min_share,
            step_bytes: step_bytes.max(1),
            out: Repacked::default(),
        };
        for_each_table(&mut live)?;
        let mut out = live.out;
        out.seconds = t.elapsed().as_secs_f64();
        Ok(out)
    }

    /// Repacks the tables on a thread of this process ([`Node::repack_tables`] with
    /// [`REPACK_SLACK_FROM`]) whenever the store file has grown by a quarter since the last pass
    /// (looked at every minute). For a long-running node (`serve`); the thread ends with the
    /// node.
    pub fn repack_in_background(&self) {
        let weak = Arc::downgrade(&self.inner);
        let path = self.dir().join(super::paths::STORE);
        let size = move || std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let mut last = size();
        let spawned = std::thread::Builder::new()
            .name("hoso-repack".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(LOOK_EVERY);
                    let Some(inner) = weak.upgrade() else {
                        break;
                    };
                    let now = size();
                    if now < last + last / 4 {
                        continue;
                    }
                    let node = Node { inner };
                    match node.repack_tables(REPACK_SLACK_FROM) {
                        Ok(r) => tracing::info!(
                            tables = r.tables,
                            before = r.bytes_before,
                            after = r.bytes_after,
                            longest_step_ms = r.longest_step_ms,
                            "repacked the store's tables"
                        ),
                        Err(e) => {
                            tracing::warn!(error = %e, "repacking the store's tables failed");
                        }
                    }
                    last = size();
                }
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "no repacking thread; `hoso store compact` packs the store");
        }
    }
}
