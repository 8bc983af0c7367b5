//! Receiving cases: the prefilled form, the new case document, its receipt code.

use chrono::{DateTime, FixedOffset};
use hoso_schemas::{CitizenId, FieldDef, Procedure};
use redb::{ReadableTable, WriteTransaction};

use crate::audit::entry::Action;
use crate::audit::{self, ChainHead, NewEntry};
use crate::case::{CaseDoc, CaseInit, CaseView, Evidence, HistoryEntry};
use crate::deadline;
use crate::error::{NodeError, Result};
use crate::ids::CaseId;
use crate::registry::{self};
use crate::store::{self, tables::*};

use super::*;

impl Node {
    /// Validates the given fields and fills the registry ones: the form as the officer sees it
    /// before receiving the case.
    pub fn prefill(
        &self,
        officer_id: &str,
        new: &NewCase,
    ) -> Result<(Prefill, &Procedure, registry::Record)> {
        let procedure = self.inner.catalog.procedure(&new.procedure)?;
        let cid = CitizenId::parse(&new.citizen_id)?;
        let subject = registry::get(&self.inner.db, cid.as_str())?
            .ok_or_else(|| NodeError::UnknownCitizen(cid.as_str().to_string()))?;
        let at = deadline::now().to_rfc3339();
        let mut fields = BTreeMap::new();
        let mut evidence = BTreeMap::new();
        for f in &procedure.fields {
            let Some(src) = f.source.as_deref() else {
                continue;
            };
            let Some(path) = src.strip_prefix("population:") else {
                continue;
            };
            let Ok(source) = hoso_schemas::parse_source(src) else {
                tracing::warn!(field = %f.name, source = %path, "unknown registry source");
                continue;
            };
            if let Some(found) = registry::resolve(&self.inner.db, &subject, &source)? {
                match f.validate(&found.value) {
                    Ok(v) => {
                        fields.insert(f.name.clone(), v);
                        evidence.insert(
                            f.name.clone(),
                            Evidence {
                                source: src.to_string(),
                                record_ref: found.record_ref,
                                digest: found.digest,
                                verified_by: officer_id.to_string(),
                                at: at.clone(),
                            },
                        );
                    }
                    Err(e) => {
                        tracing::warn!(field = %f.name, error = %e, "registry value does not fit the catalog")
                    }
                }
            }
        }
        for (name, raw) in &new.fields {
            let def = field_def(procedure, name)?;
            if evidence.contains_key(name) {
                return Err(NodeError::RegistryField {
                    field: name.clone(),
                });
            }
            fields.insert(name.clone(), def.validate(raw)?);
        }
        let missing_fields = procedure
            .required_fields()
            .filter(|f| !fields.contains_key(&f.name))
            .map(|f| f.name.clone())
            .collect();
        Ok((
            Prefill {
                procedure: procedure.code.clone(),
                citizen_id: cid.as_str().to_string(),
                applicant_name: subject.citizen.full_name.clone(),
                fields,
                evidence,
                missing_fields,
                commune: subject.citizen.commune_code.clone(),
            },
            procedure,
            subject,
        ))
    }

    /// Receives a case: validates, fills from the registry, assigns the receipt code and due
    /// date, and stores it durably with its audit entry.
    pub fn create_case(&self, officer_id: &str, new: NewCase) -> Result<CaseView> {
        let off = self.writing_officer(officer_id)?;
        let (pre, procedure, _) = self.prefill(&off.id, &new)?;
        if !pre.missing_fields.is_empty() {
            return Err(NodeError::MissingFields {
                procedure: procedure.code.clone(),
                fields: pre.missing_fields,
            });
        }
        let received = new.received_at.unwrap_or_else(deadline::now);
        let (mut w, tx) = self.write_txn()?;
        let view = self.insert_case(
            &tx,
            &off.id,
            procedure,
            pre,
            received,
            Action::CaseCreate,
            &mut w.head,
            None,
        )?;
        tx.commit()?;
        drop(w);
        let _ = self.inner.changed.send(view.id);
        Ok(self.finish_view(view))
    }

    /// Writes a new case inside `tx`, advancing `head`. `history` replaces the single
    /// "received" history entry (bulk import of a case with its past).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn insert_case(
        &self,
        tx: &WriteTransaction,
        officer_id: &str,
        procedure: &Procedure,
        pre: Prefill,
        received: DateTime<FixedOffset>,
        action: Action,
        head: &mut ChainHead,
        imported: Option<ImportedPast<'_>>,
    ) -> Result<CaseView> {
        let cfg = &self.inner.config;
        let id = CaseId::random();
        let receipt_code = match imported
            .as_ref()
            .map(|i| i.receipt_code)
            .filter(|c| !c.is_empty())
        {
            Some(code) => {
                if tx.open_table(RECEIPTS)?.get(code)?.is_some() {
                    return Err(NodeError::Invalid(format!(
                        "receipt code {code} already exists"
                    )));
                }
                code.to_string()
            }
            None => next_receipt_code(tx, &cfg.unit_code, received)?,
        };
        let due = procedure.deadline.due_date(&self.inner.calendar, received);
        let status = imported
            .as_ref()
            .map(|i| i.status)
            .unwrap_or(procedure.workflow.initial);
        let commune = cfg.commune.clone().unwrap_or(pre.commune.clone());
        let init = CaseInit {
            id,
            receipt_code,
            procedure: procedure.code.clone(),
            tracks: procedure.tracks.clone(),
            citizen_id: pre.citizen_id.clone(),
            applicant_name: pre.applicant_name.clone(),
            province: cfg.province.clone(),
            commune,
            received_at: received.to_rfc3339(),
            due_date: due.to_string(),
            status,
            assigned_officer: imported
                .as_ref()
                .and_then(|i| i.assigned_officer)
                .unwrap_or(officer_id)
                .to_string(),
            fields: pre.fields.clone(),
            evidence: pre.evidence.clone(),
            history: match imported {
                None => vec![HistoryEntry {
                    at: received.to_rfc3339(),
                    officer: officer_id.to_string(),
                    node: self.id().short(),
                    from: None,
                    to: status,
                    track: None,
                    note: None,
                }],
                Some(past) => past.history.to_vec(),
            },
            notes: imported.map(|p| p.notes.to_vec()).unwrap_or_default(),
        };
        let mut doc = CaseDoc::new(self.inner.actor);
        doc.init(&init)?;
        let now = now_ms();
        let change = doc
            .commit(action.as_str(), now)
            .ok_or_else(|| NodeError::Document("empty creation change".into()))?;
        let bytes = doc.save();
        tx.open_table(DOCS)?.insert(&id.0, bytes.as_slice())?;
        tx.open_table(RECEIPTS)?
            .insert(init.receipt_code.as_str(), &id.0)?;
        let view = doc.view()?;
        self.store_summary(tx, &view, None)?;
        let p = payload(serde_json::json!({
            "procedure": procedure.code,
            "receipt_code": view.receipt_code,
            "citizen_id": view.citizen_id,
            "fields": pre.fields.keys().collect::<Vec<_>>(),
            "registry_records": pre.evidence.values().map(|e| (e.record_ref.clone(), e.digest.clone())).collect::<BTreeMap<_, _>>(),
            "status": status,
        }));
        let (_, new_head) = audit::append(
            tx,
            &self.inner.key,
            self.inner.realm,
            head,
            NewEntry {
                officer: officer_id,
                action,
                case_id: id,
                actor: self.inner.actor,
                heads_before: vec![],
                changes: vec![change.0],
                payload: &p,
                now_ms: now,
            },
        )?;
        *head = new_head;
        Ok(view)
    }
}

pub(super) fn field_def<'p>(procedure: &'p Procedure, name: &str) -> Result<&'p FieldDef> {
    procedure
        .field(name)
        .ok_or_else(|| NodeError::UnknownField {
            procedure: procedure.code.clone(),
            field: name.to_string(),
        })
}

/// The next receipt code of the day: `<unit>-YYMMDD-NNNN` (wider past 9,999 a day).
fn next_receipt_code(
    tx: &WriteTransaction,
    unit: &str,
    received: DateTime<FixedOffset>,
) -> Result<String> {
    let day = received
        .with_timezone(&deadline::vn_offset())
        .format("%y%m%d")
        .to_string();
    let key = format!("{}{day}", store::META_RECEIPT_SEQ);
    let mut meta = tx.open_table(META)?;
    let n = meta
        .get(key.as_str())?
        .and_then(|v| <[u8; 4]>::try_from(v.value()).ok())
        .map(u32::from_be_bytes)
        .unwrap_or(0)
        + 1;
    meta.insert(key.as_str(), n.to_be_bytes().as_slice())?;
    Ok(format!("{unit}-{day}-{n:04}"))
}
