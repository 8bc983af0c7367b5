//! Merging remote case documents: the ingest path of sync. A merged case keeps every edit
//! (CRDT); concurrent status writes show up as conflicting values and put the case in the
//! review queue. Jurisdiction is immutable: a remote change that alters it is refused whole.

use automerge::AutoCommit;
use redb::ReadableTable;
use serde::Serialize;

use crate::case::CaseDoc;
use crate::error::{NodeError, Result};
use crate::ids::CaseId;
use crate::node::Node;
use crate::store::tables::{DOC_CHANGES, DOCS, RECEIPTS};

/// What merging one remote document did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MergeOutcome {
    /// The case.
    pub id: CaseId,
    /// The case was new here.
    pub created: bool,
    /// The merge added changes.
    pub changed: bool,
    /// The case has conflicting statuses after the merge.
    pub conflict: bool,
}

fn jurisdiction(doc: &CaseDoc) -> Result<(Vec<String>, Vec<String>)> {
    Ok((doc.all_strings("province")?, doc.all_strings("commune")?))
}

impl Node {
    /// Merges a remote document (`save()` bytes or change chunks) of case `id` into the store,
    /// in one durable transaction. Refuses bytes that are not a valid case document of that id,
    /// and any change to the case's jurisdiction.
    pub fn apply_remote(&self, id: &CaseId, bytes: &[u8]) -> Result<MergeOutcome> {
        let out = self.with_write(|tx, _head| self.apply_remote_in(tx, id, bytes))?;
        if out.changed {
            let _ = self.subscribe_sender().send(out.id);
        }
        Ok(out)
    }

    /// [`Node::apply_remote`] inside a caller's transaction (sync batches many cases per commit).
    pub fn apply_remote_in(
        &self,
        tx: &redb::WriteTransaction,
        id: &CaseId,
        bytes: &[u8],
    ) -> Result<MergeOutcome> {
        let existing = {
            let docs = tx.open_table(DOCS)?;
            let changes = tx.open_table(DOC_CHANGES)?;
            if docs.get(&id.0)?.is_some() {
                Some(self.load_doc_pub(&docs, &changes, id)?)
            } else {
                None
            }
        };
        match existing {
            Some((mut doc, chunks)) => {
                let before_heads = doc.heads();
                let before_j = jurisdiction(&doc)?;
                doc.load_incremental(bytes)?;
                let after_heads = doc.heads();
                if after_heads == before_heads {
                    let conflict = doc.view()?.has_conflict();
                    return Ok(MergeOutcome {
                        id: *id,
                        created: false,
                        changed: false,
                        conflict,
                    });
                }
                if jurisdiction(&doc)? != before_j {
                    return Err(NodeError::Invalid(format!(
                        "remote change to case {id} alters its jurisdiction; refused"
                    )));
                }
                let view = doc.view()?;
                if view.id != *id {
                    return Err(NodeError::Invalid(format!(
                        "remote document claims id {} instead of {id}",
                        view.id
                    )));
                }
                self.persist_doc(tx, id, &mut doc, chunks)?;
                self.store_summary(tx, &view, None)?;
                Ok(MergeOutcome {
                    id: *id,
                    created: false,
                    changed: true,
                    conflict: view.has_conflict(),
                })
            }
            None => {
                let am = AutoCommit::load(bytes)
                    .map_err(|e| NodeError::Invalid(format!("not a valid case document: {e}")))?;
                let mut doc = CaseDoc::from_automerge(am);
                let view = doc.view()?;
                if view.id != *id {
                    return Err(NodeError::Invalid(format!(
                        "remote document claims id {} instead of {id}",
                        view.id
                    )));
                }
                let (p, c) = jurisdiction(&doc)?;
                if p.len() != 1 || c.len() != 1 {
                    return Err(NodeError::Invalid(format!(
                        "case {id} has an ambiguous jurisdiction; refused"
                    )));
                }
                let saved = doc.save();
                tx.open_table(DOCS)?.insert(&id.0, saved.as_slice())?;
                tx.open_table(RECEIPTS)?
                    .insert(view.receipt_code.as_str(), &id.0)?;
                self.store_summary(tx, &view, None)?;
                Ok(MergeOutcome {
                    id: *id,
                    created: true,
                    changed: true,
                    conflict: view.has_conflict(),
                })
            }
        }
    }

    /// The whole document of a case (`save()` bytes), for sending.
    pub fn doc_bytes(&self, id: &CaseId) -> Result<Vec<u8>> {
        Ok(self.case_doc(id)?.save())
    }
}
