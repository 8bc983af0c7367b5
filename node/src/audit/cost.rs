//! Bench-only path for `hoso-bench audit` (crate `bench/`): one durable field write performed
//! exactly as `Node::set_fields` does it (load, change, persist, summary and indexes, feed, commit),
//! with or without the audit append, so the cost of the entry can be measured in one run.
//! Not used by any command that changes real data, and compiled only with the
//! `bench-unaudited` feature: the write without its audit entry goes around the write path's
//! last step on purpose.

use crate::audit::append::{NewEntry, append};
use crate::chain::entry::Action;
use crate::error::{NodeError, Refusal, Result};
use crate::ids::CaseId;
use crate::node::handle::Node;
use crate::store::tables::{DOC_CHANGES, DOCS};

impl Node {
    /// Sets one field of case `id` in one durable transaction; appends the audit entry when
    /// `with_audit`. For benchmarks only: it skips catalog validation (the caller passes a
    /// valid value) and is otherwise the transaction of `set_fields`.
    pub fn bench_field_write(
        &self,
        officer: &str,
        id: &CaseId,
        field: &str,
        value: &str,
        with_audit: bool,
    ) -> Result<()> {
        self.with_write(|tx, head| {
            let (mut doc, chunks) = {
                let docs = tx.open_table(DOCS)?;
                let changes = tx.open_table(DOC_CHANGES)?;
                self.load_doc_from_tables(&docs, &changes, id)?
            };
            let heads_before: Vec<[u8; 32]> = doc.heads().iter().map(|h| h.0).collect();
            let before = doc.view()?;
            doc.set_field(field, value)?;
            let now = chrono::Utc::now().timestamp_millis();
            let change = doc
                .commit(Action::FieldSet.as_str(), now)
                .ok_or(Refusal::NothingToChange)?;
            self.persist_doc(tx, id, &mut doc, chunks)?;
            let view = doc.view()?;
            self.store_summary(tx, &view)?;
            if with_audit {
                let p = serde_json::to_vec(&serde_json::json!({"fields": {field: {"from": before.fields.get(field), "to": value}}}))
                    .unwrap_or_default();
                let (_, new_head) = append(
                    tx,
                    self.key(),
                    self.realm(),
                    head,
                    NewEntry {
                        officer,
                        action: Action::FieldSet,
                        case_id: *id,
                        actor: self.actor(),
                        heads_before,
                        changes: vec![change.0],
                        payload: &p,
                        now_ms: now,
                    },
                )?;
                *head = new_head;
            }
            Ok(())
        })
    }
}
