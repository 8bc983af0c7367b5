//! # The one write path
//!
//! Every change to a node's store — a case typed in the console or the CLI, `import`,
//! `registry import`, officer administration, sync ingest, the node's own maintenance — goes
//! through a [`WriteCtx`]: one redb write transaction under the node's writer lock that applies,
//! in this order,
//!
//! 1. **authentication**: who acts, as an [`Author`]: an [`AuthenticatedOfficer`] (obtainable
//!    only from a passphrase check, [`Node::authenticate`], or a valid session), the node itself
//!    ([`Author::Node`]: `init`, the sample data, maintenance), or a verified peer
//!    ([`Author::Peer`], sync ingest). An officer's account is re-read inside the transaction,
//!    so a removed account or a changed role takes effect at once;
//! 2. **role**: what the author's role may do ([`Permission`]);
//! 3. **workflow**: the procedure's transitions for that role (in the edit the caller passes);
//! 4. **content limits**: text safety ([`crate::text`]) and byte bounds ([`crate::limits`]) on
//!    what is written, and the document's size and change count after the change;
//! 5. **the Automerge change** on the case document, stored as a chunk or compacted;
//! 6. **the summary row, indexes and change feed**;
//! 7. **the signed audit entry** that names the change;
//!
//! then one durable commit. Nothing is written when any step fails. The public write
//! functions of [`Node`] (`create_case`, `set_fields`, `transition`, `add_note`, `add_officer`,
//! `import_registry`, `import_cases`) each open one `WriteCtx`; the crate's other writers (sync
//! ingest, audit replicas and checkpoints) use it through [`Node::with_write`] as
//! [`Author::Node`] / [`Author::Peer`].
//!
//! ```text
//! let by = node.authenticate("canbo01", passphrase)?;   // Author::Officer
//! node.add_note(&by, "BG-261001-0001", "Đã gọi điện cho công dân")?;
//! ```

mod author;

use std::sync::MutexGuard;

use hoso_schemas::{Procedure, Role};
use redb::{ReadableTable, WriteTransaction};

use crate::audit::append::{NewEntry, append};
use crate::audit::head::ChainHead;
use crate::case::{CaseDoc, CaseView};
use crate::chain::entry::Action;
use crate::doc_store::Stored;
use crate::error::{AccountError, Limited, NodeError, Refusal, Result};
use crate::ids::CaseId;
use crate::limits;
use crate::node::handle::{Node, Writer};
use crate::officer::Officer;
use crate::store::tables::{DOC_CHANGES, DOCS, DocBuf, OFFICERS};

pub use author::{AuthMethod, AuthenticatedOfficer, Author};

/// What a write needs its author to be allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Permission {
    /// Receive and change cases (officers and supervisors).
    ChangeCases,
    /// Import cases from a file (officers and supervisors; the node for its sample data).
    ImportCases,
    /// Create officer accounts (supervisors; the node for the first account).
    AdminOfficers,
    /// Replace population registry records (supervisors; the node at set-up).
    ImportRegistry,
    /// Add or remove sync peers (supervisors).
    AdminPeers,
    /// Rebuild summaries, indexes and receipts from the documents (supervisors; the node).
    RepairStore,
    /// Store what a peer sent (the node, verified peers).
    Ingest,
    /// The node's own bookkeeping: audit replicas, checkpoints (the node, verified peers).
    Maintain,
    /// Change one's own account (`officer passwd`): every role, including an account holding
    /// a one-time passphrase (issue 12).
    OwnAccount,
    /// Publish the province's catalog, or move a case to another catalog version
    /// (supervisors; issue 12).
    AdminCatalog,
}

impl Permission {
    fn action(self) -> &'static str {
        match self {
            Permission::ChangeCases => "change cases",
            Permission::ImportCases => "import cases",
            Permission::AdminOfficers => "manage officer accounts",
            Permission::ImportRegistry => "import the population registry",
            Permission::AdminPeers => "add or remove sync peers",
            Permission::RepairStore => "rebuild the store's summaries and indexes",
            Permission::Ingest => "store changes received by sync",
            Permission::Maintain => "maintain the node's records",
            Permission::OwnAccount => "change their own passphrase",
            Permission::AdminCatalog => {
                "publish the catalog or move a case to another catalog version"
            }
        }
    }

    fn allows_role(self, role: Role) -> bool {
        match self {
            Permission::ChangeCases | Permission::ImportCases => {
                matches!(role, Role::Officer | Role::Supervisor)
            }
            Permission::AdminOfficers
            | Permission::ImportRegistry
            | Permission::AdminPeers
            | Permission::RepairStore
            | Permission::AdminCatalog => role == Role::Supervisor,
            Permission::Ingest | Permission::Maintain => false,
            Permission::OwnAccount => true,
        }
    }

    fn allows_node(self) -> bool {
        !matches!(
            self,
            Permission::ChangeCases
                | Permission::AdminPeers
                | Permission::OwnAccount
                | Permission::AdminCatalog
        )
    }

    fn allows_peer(self) -> bool {
        matches!(self, Permission::Ingest | Permission::Maintain)
    }
}

/// One guarded write: the writer lock, the redb write transaction, the chain head, and the
/// checked author. Dropped without [`WriteCtx::commit`], nothing is written.
pub struct WriteCtx<'n> {
    node: &'n Node,
    writer: MutexGuard<'n, Writer>,
    tx: WriteTransaction,
    head: ChainHead,
    author: Author,
    /// The author's account as stored now (officers only).
    officer: Option<Officer>,
    changed: Vec<CaseId>,
    /// Documents written in this transaction, for the document cache once it commits.
    written: Vec<(CaseId, Option<u64>, Loaded)>,
}

/// A case document loaded for writing, with what its stored form costs.
pub(crate) struct Loaded {
    pub(crate) doc: CaseDoc,
    /// How it is stored (`node/fold.rs`).
    pub(crate) stored: Stored,
    /// The document's view, when the cache held it (reading a long history costs).
    pub(crate) view: Option<CaseView>,
    /// Its number of changes, when known (counting walks the whole history).
    pub(crate) changes: Option<usize>,
}

impl Node {
    /// Opens the write path for `author`: takes the writer lock, begins the transaction,
    /// authenticates the author against the store and checks that its role allows `need`.
    pub(crate) fn begin_write(&self, author: &Author, need: Permission) -> Result<WriteCtx<'_>> {
        let (writer, tx) = self.write_txn()?;
        let head = writer.head.clone();
        let refused = || {
            NodeError::from(Refusal::AuthorMayNot {
                author: author.describe(),
                action: need.action().into(),
            })
        };
        let officer = match author {
            Author::Officer(_) if crate::restore::mark::restoring_in(&tx)? => {
                // A restored node writes nothing until it has heard its hub (issue 12).
                return Err(crate::error::RestoreError::Pending.into());
            }
            Author::Officer(a) => {
                // Authentication holds only while the account does: re-read it here.
                let stored: Officer = {
                    let t = tx.open_table(OFFICERS)?;
                    let v = t
                        .get(a.id())?
                        .ok_or_else(|| NodeError::UnknownOfficer(a.id().to_string()))?;
                    serde_json::from_slice(v.value()).map_err(|e| NodeError::Corrupt {
                        what: format!("officer `{}`", a.id()),
                        detail: e.to_string(),
                    })?
                };
                // A disabled account stops at once, whatever session or check admitted it; a
                // one-time passphrase admits only setting one's own (issue 12).
                if stored.is_disabled() {
                    return Err(AccountError::Disabled { officer: stored.id }.into());
                }
                if stored.must_change && need != Permission::OwnAccount {
                    return Err(AccountError::MustChangePassphrase { officer: stored.id }.into());
                }
                if !need.allows_role(stored.role) {
                    return Err(NodeError::NotPermitted {
                        officer: stored.id,
                        role: stored.role.to_string(),
                        action: need.action().into(),
                    });
                }
                Some(stored.public())
            }
            Author::Node if need.allows_node() => None,
            Author::Peer(_) if need.allows_peer() => None,
            Author::Node | Author::Peer(_) => return Err(refused()),
        };
        Ok(WriteCtx {
            node: self,
            writer,
            tx,
            head,
            author: author.clone(),
            officer,
            changed: Vec::new(),
            written: Vec::new(),
        })
    }

    /// Runs `f` inside a [`WriteCtx`] authored by the node itself ([`Permission::Maintain`]):
    /// the path of the crate's bookkeeping writers (audit replicas, checkpoints, sync ingest
    /// until it opens its own context as [`Author::Peer`]).
    pub(crate) fn with_write<T>(
        &self,
        f: impl FnOnce(&WriteTransaction, &mut ChainHead) -> Result<T>,
    ) -> Result<T> {
        let mut ctx = self.begin_write(&Author::Node, Permission::Maintain)?;
        let out = f(&ctx.tx, &mut ctx.head)?;
        ctx.commit()?;
        Ok(out)
    }
}

impl<'n> WriteCtx<'n> {
    /// The transaction (for table writes the context has no helper for).
    pub(crate) fn tx(&self) -> &WriteTransaction {
        &self.tx
    }
    /// The transaction and the chain head together (a received chain moves the head while the
    /// node restores its own).
    pub(crate) fn tx_and_head(&mut self) -> (&WriteTransaction, &mut ChainHead) {
        (&self.tx, &mut self.head)
    }
    /// The author.
    pub fn author(&self) -> &Author {
        &self.author
    }
    /// The acting officer's account as stored now (officers only).
    pub fn officer(&self) -> Option<&Officer> {
        self.officer.as_ref()
    }
    /// The officer id recorded in audit entries and history.
    pub fn audit_name(&self) -> &str {
        self.author.audit_name()
    }
    /// The acting officer's role, when an officer acts.
    pub fn role(&self) -> Option<Role> {
        self.officer.as_ref().map(|o| o.role)
    }

    /// Appends the signed audit entry of an action (step 7). The arguments are the fields of
    /// the entry, in its order.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn audit(
        &mut self,
        action: Action,
        case_id: CaseId,
        actor: [u8; 16],
        heads_before: Vec<[u8; 32]>,
        changes: Vec<[u8; 32]>,
        payload: &serde_json::Value,
        now_ms: i64,
    ) -> Result<()> {
        let payload = serde_json::to_vec(payload).unwrap_or_default();
        let (_, head) = append(
            &self.tx,
            self.node.key(),
            self.node.realm(),
            &self.head,
            NewEntry {
                officer: self.author.audit_name(),
                action,
                case_id,
                actor,
                heads_before,
                changes,
                payload: &payload,
                now_ms,
            },
        )?;
        self.head = head;
        Ok(())
    }

    /// Loads a stored case document inside the transaction: from the node's document cache
    /// when it holds the stored version (`doc_cache.rs`), else from the tables.
    pub(crate) fn load_case(&self, id: &CaseId) -> Result<Loaded> {
        let stamp = crate::doc_cache::stamp_in(&self.tx, id)?;
        if let Some(c) = self.node.doc_cache().take(id, stamp) {
            return Ok(Loaded {
                doc: c.doc,
                stored: c.stored,
                view: c.view,
                changes: c.changes,
            });
        }
        let docs = self.tx.open_table(DOCS)?;
        let changes = self.tx.open_table(DOC_CHANGES)?;
        // A stored change that does not load fails closed, naming the case
        // (`StoreError::DamagedCase`): never a silent drop that the next fold would make
        // permanent.
        let (doc, stored) = self.node.load_doc_from_tables(&docs, &changes, id)?;
        Ok(Loaded {
            doc,
            stored,
            view: None,
            changes: None,
        })
    }

    /// Applies an edit to a stored case (steps 3 to 7): `f` checks the workflow and changes the
    /// document, returning the audit payload; then the document's bounds are checked, the
    /// change is stored, the summary and indexes rewritten, and the audit entry appended.
    pub(crate) fn edit_case<F>(&mut self, id: CaseId, action: Action, f: F) -> Result<CaseView>
    where
        F: FnOnce(&mut CaseDoc, &CaseView, &Procedure, &WriteCtx<'n>) -> Result<serde_json::Value>,
    {
        let Loaded {
            mut doc,
            stored,
            view,
            changes,
        } = self.load_case(&id)?;
        let before = match view {
            Some(v) => v,
            None => doc.view()?,
        };
        // The view after the change is updated from this one and the change's patches
        // (`case/view_update.rs`), not read from the whole document again.
        doc.track_changes();
        // The case's own catalog version: a case keeps the rules it was received under.
        let procedure = self
            .node
            .case_rules(&before)
            .catalog
            .procedure(&before.procedure)?;
        let heads_before: Vec<[u8; 32]> = doc.heads().iter().map(|h| h.0).collect();
        let payload = f(&mut doc, &before, procedure, self)?;
        let now = chrono::Utc::now().timestamp_millis();
        let change = doc
            .commit(action.as_str(), now)
            .ok_or(Refusal::NothingToChange)?;
        let stored = store_doc(&self.tx, &id, &mut doc, stored)?;
        let (stored, changes) = check_doc_bounds(&self.tx, &id, &mut doc, stored, changes)?;
        let view = doc.view_after(before)?;
        store_summary(&self.tx, &view)?;
        let stamp = crate::doc_cache::stamp_in(&self.tx, &id)?;
        self.written.push((
            id,
            stamp,
            Loaded {
                doc,
                stored,
                view: Some(view.clone()),
                changes,
            },
        ));
        self.audit(
            action,
            id,
            self.node.actor(),
            heads_before,
            vec![change.0],
            &payload,
            now,
        )?;
        self.changed.push(id);
        Ok(view)
    }

    /// Stores a new case document (steps 5 to 7 of a creation): the document, its receipt
    /// code, summary, indexes and audit entry.
    pub(crate) fn store_new_case(
        &mut self,
        id: CaseId,
        receipt_code: &str,
        mut doc: CaseDoc,
        action: Action,
        payload: &serde_json::Value,
    ) -> Result<CaseView> {
        let now = chrono::Utc::now().timestamp_millis();
        let change = doc
            .commit(action.as_str(), now)
            .ok_or(Refusal::NothingToChange)?;
        let bytes = doc.save_stored();
        limits::check(Limited::DocBytes, bytes.len(), limits::MAX_DOC_BYTES)?;
        self.tx
            .open_table(DOCS)?
            .insert(&id.0, DocBuf::pack(&bytes).row())?;
        self.tx
            .open_table(crate::store::tables::RECEIPTS)?
            .insert(receipt_code, &id.0)?;
        let view = doc.view()?;
        store_summary(&self.tx, &view)?;
        self.audit(
            action,
            id,
            self.node.actor(),
            vec![],
            vec![change.0],
            payload,
            now,
        )?;
        self.changed.push(id);
        Ok(view)
    }

    /// Commits durably, advances the writer's chain head, then tells subscribers which cases
    /// changed.
    pub fn commit(self) -> Result<()> {
        let WriteCtx {
            node,
            mut writer,
            tx,
            head,
            changed,
            written,
            ..
        } = self;
        tx.commit()?;
        writer.head = head;
        drop(writer);
        if !written.is_empty() {
            let mut later = Vec::new();
            {
                let mut cache = node.doc_cache();
                for (id, stamp, l) in written {
                    if l.stored.fold_later() {
                        later.push(id);
                    }
                    cache.put(
                        id,
                        stamp,
                        crate::doc_cache::Cached {
                            doc: l.doc,
                            stored: l.stored,
                            view: l.view,
                            changes: l.changes,
                        },
                    );
                }
            }
            // Long change logs are folded off the write path, where a thread does it
            // (`node/fold.rs`).
            for id in later {
                node.folder().request(id);
            }
        }
        for id in changed {
            let _ = node.subscribe_sender().send(id);
        }
        Ok(())
    }
}

/// Stores a document's new changes: appended as a change chunk, or folded with the stored ones
/// into one saved form when [`Stored::fold_inline`] says so (`node/fold.rs`). Returns how the
/// document is stored afterwards.
pub(crate) fn store_doc(
    tx: &WriteTransaction,
    id: &CaseId,
    doc: &mut CaseDoc,
    stored: Stored,
) -> Result<Stored> {
    if stored.fold_inline() {
        return fold_doc(tx, id, doc);
    }
    let before = doc.saved_heads();
    let inc = doc.save_incremental();
    if inc.is_empty() {
        return Ok(stored);
    }
    tx.open_table(DOC_CHANGES)?
        .insert((&id.0, stored.next), inc.as_slice())?;
    // The heads around the chunk, so sync sends it without loading the document.
    let after = crate::peer_heads::raw_heads(doc.automerge());
    crate::chunk_heads::note(tx, id, stored.next, &inc, &before, &after)?;
    Ok(Stored {
        chunks: stored.chunks + 1,
        next: stored.next + 1,
        bytes: stored.bytes + inc.len(),
    })
}

/// What [`store_doc`] stores for a document, worked out before the writer lock (a received
/// change merged into a held case, `ingest/held.rs`): the same bytes `store_doc` would compute
/// from the same stored form.
pub(crate) enum PreparedStore {
    /// Nothing changed.
    Nothing,
    /// One change chunk and the heads around it.
    Chunk {
        bytes: Vec<u8>,
        before: Vec<[u8; 32]>,
        after: Vec<[u8; 32]>,
    },
    /// The whole document saved in the stored form (a fold), and its length unpacked.
    Fold(DocBuf, usize),
}

impl PreparedStore {
    /// What [`store_doc`] would store for `doc` stored as `stored`; advances `doc`'s saved heads
    /// as `store_doc` does.
    pub(crate) fn of(doc: &mut CaseDoc, stored: Stored) -> PreparedStore {
        if stored.fold_inline() {
            let bytes = doc.save_stored();
            return PreparedStore::Fold(DocBuf::pack(&bytes), bytes.len());
        }
        let before = doc.saved_heads();
        let bytes = doc.save_incremental();
        if bytes.is_empty() {
            return PreparedStore::Nothing;
        }
        let after = crate::peer_heads::raw_heads(doc.automerge());
        PreparedStore::Chunk {
            bytes,
            before,
            after,
        }
    }
}

/// [`store_doc`] of what was prepared before the lock from the stored form `stored` (the caller
/// has checked it is still the stored form).
pub(crate) fn store_prepared(
    tx: &WriteTransaction,
    id: &CaseId,
    p: &PreparedStore,
    stored: Stored,
) -> Result<Stored> {
    match p {
        PreparedStore::Nothing => Ok(stored),
        PreparedStore::Fold(row, len) => {
            tx.open_table(DOCS)?.insert(&id.0, row.row())?;
            tx.open_table(DOC_CHANGES)?
                .retain_in((&id.0, 0)..=(&id.0, u32::MAX), |_, _| false)?;
            crate::chunk_heads::drop_rows(tx, id, None)?;
            Ok(Stored::saved(*len))
        }
        PreparedStore::Chunk {
            bytes,
            before,
            after,
        } => {
            tx.open_table(DOC_CHANGES)?
                .insert((&id.0, stored.next), bytes.as_slice())?;
            crate::chunk_heads::note(tx, id, stored.next, bytes, before, after)?;
            Ok(Stored {
                chunks: stored.chunks + 1,
                next: stored.next + 1,
                bytes: stored.bytes + bytes.len(),
            })
        }
    }
}

/// Saves the whole document and drops its stored change chunks.
fn fold_doc(tx: &WriteTransaction, id: &CaseId, doc: &mut CaseDoc) -> Result<Stored> {
    let bytes = doc.save_stored();
    tx.open_table(DOCS)?
        .insert(&id.0, DocBuf::pack(&bytes).row())?;
    tx.open_table(DOC_CHANGES)?
        .retain_in((&id.0, 0)..=(&id.0, u32::MAX), |_, _| false)?;
    crate::chunk_heads::drop_rows(tx, id, None)?;
    Ok(Stored::saved(bytes.len()))
}

/// Checks the document's bounds after a change: its stored bytes (folded first when the change
/// chunks are what put it over) and its number of changes. Returns how it is stored and its
/// change count, when known.
fn check_doc_bounds(
    tx: &WriteTransaction,
    id: &CaseId,
    doc: &mut CaseDoc,
    stored: Stored,
    changes_before: Option<usize>,
) -> Result<(Stored, Option<usize>)> {
    let stored = if stored.bytes > limits::MAX_DOC_BYTES && stored.chunks > 0 {
        fold_doc(tx, id, doc)?
    } else {
        stored
    };
    limits::check(Limited::DocBytes, stored.bytes, limits::MAX_DOC_BYTES)?;
    let changes = count_changes(doc, stored.bytes, changes_before.map(|n| n + 1))?;
    Ok((stored, changes))
}

/// Checks the change bound. Counting changes walks the change graph, so a known count (the
/// cached one plus the change just made) is used when there is one. Every change of a case
/// document carries at least one op with its value plus its own metadata (well over 8 bytes
/// stored), so a document under `MAX_DOC_CHANGES` × 8 bytes cannot reach the change bound: it is
/// not counted and the common write (2–5 KB documents) does not pay for it.
fn count_changes(doc: &mut CaseDoc, size: usize, known: Option<usize>) -> Result<Option<usize>> {
    if known.is_none() && size <= limits::MAX_DOC_CHANGES * 8 {
        return Ok(None);
    }
    let changes = match known {
        Some(n) => n,
        None => doc.automerge().get_changes_meta(&[]).len(),
    };
    limits::check(Limited::DocChanges, changes, limits::MAX_DOC_CHANGES)?;
    Ok(Some(changes))
}

/// Writes the summary row, indexes and change feed of a case whose document changed (step 6).
pub(crate) fn store_summary(tx: &WriteTransaction, view: &CaseView) -> Result<()> {
    use crate::store::tables::{CASES, INDEX, REVIEW};
    let new = view.summary();
    let bytes = crate::summaries::encode(&new)?;
    let old = {
        let mut cases = tx.open_table(CASES)?;
        let old = cases
            .insert(&view.id.0, crate::store::tables::SummaryRow(&bytes))?
            .map(|g| g.value().0.to_vec());
        // A row that does not decode would leave its index rows behind: fail closed.
        old.map(|b| crate::summaries::decode_bytes(&view.id, &b))
            .transpose()?
    };
    {
        let mut idx = tx.open_table(INDEX)?;
        crate::index::update(&mut idx, old.as_ref(), Some(&new))?;
    }
    crate::commune_counts::summary_written(tx, old.as_ref(), &new)?;
    if !new.conflict {
        // A resolved (or never conflicting) case leaves the review queue.
        tx.open_table(REVIEW)?.remove(&view.id.0)?;
    }
    if let Some(o) = &old {
        crate::commune_counts::before_feed_moves(tx, &o.commune, &view.id)?;
    }
    crate::node::feed_bump::bump_feed(tx, &view.id)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> CaseDoc {
        CaseDoc::new([7; 16])
    }

    #[test]
    fn a_document_past_its_change_bound_is_refused() {
        let max = limits::MAX_DOC_CHANGES;
        assert_eq!(count_changes(&mut doc(), 10, None).expect("small"), None);
        assert_eq!(
            count_changes(&mut doc(), 10, Some(max)).expect("at the bound"),
            Some(max)
        );
        let e = count_changes(&mut doc(), 10, Some(max + 1)).expect_err("over the bound");
        assert!(
            matches!(&e, NodeError::TooLarge(l) if l.what == Limited::DocChanges && l.limit == max),
            "{e}"
        );
        assert!(e.is_bad_input());
        assert_eq!(
            count_changes(&mut doc(), max * 8 + 1, None).expect("counted"),
            Some(0)
        );
    }
}
