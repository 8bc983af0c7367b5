//! Receiving cases: the prefilled form, the new case document, its receipt code.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use hoso_schemas::{CitizenId, Procedure};
use redb::{ReadableTable, WriteTransaction};

use crate::case::{CaseDoc, CaseInit, CaseView, Evidence, HistoryEntry};
use crate::chain::entry::Action;
use crate::deadline;
use crate::error::{NodeError, Refusal, Result};
use crate::ids::CaseId;
use crate::registry::{self};
use crate::store::{self, tables::*};
use crate::write::{AuthenticatedOfficer, Author, Permission, WriteCtx};

use super::fields::{check_field_input, field_def};
use super::handle::Node;
use super::new_case::{ImportedPast, NewCase, Prefill};

impl Node {
    /// Validates the given fields and fills the registry ones: the form as the officer sees it
    /// before receiving the case.
    pub fn prefill(
        &self,
        officer_id: &str,
        new: &NewCase,
    ) -> Result<(Prefill, &Procedure, registry::Record)> {
        let procedure = self.catalog().procedure(&new.procedure)?;
        let cid = CitizenId::parse(&new.citizen_id)?;
        let subject = registry::get(&self.inner.db, cid.as_str())?
            .ok_or_else(|| NodeError::UnknownCitizen(cid.as_str().to_string()))?;
        let at = deadline::now().to_rfc3339();
        let extract = self.extract_ref()?;
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
                                extract_date: extract.date.clone(),
                                extract_version: extract.version.clone(),
                            },
                        );
                    }
                    Err(e) => {
                        tracing::warn!(field = %f.name, error = %e, "registry value does not fit the catalog");
                    }
                }
            }
        }
        for (name, raw) in &new.fields {
            let def = field_def(procedure, name)?;
            check_field_input(name, raw)?;
            if evidence.contains_key(name) {
                return Err(NodeError::RegistryField {
                    field: name.clone(),
                });
            }
            fields.insert(name.clone(), def.validate(raw)?);
        }
        // Typed once: people the case names by id (declarant, household head) from the registry.
        super::intake::fill_lookups(
            &self.inner.db,
            procedure,
            &mut fields,
            &mut evidence,
            officer_id,
            &at,
            &extract,
        )?;
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
                declared: None,
            },
            procedure,
            subject,
        ))
    }

    /// Receives a case: validates, fills from the registry, assigns the receipt code and due
    /// date, and stores it durably with its audit entry, through the write path.
    pub fn create_case(&self, by: &AuthenticatedOfficer, new: NewCase) -> Result<CaseView> {
        // A catalog version stored by another process (sync, publish) is taken first.
        self.refresh_rules()?;
        let mut ctx = self.begin_write(&Author::from(by), Permission::ChangeCases)?;
        let (pre, procedure, _) = self.prefill(by.id(), &new)?;
        if !pre.missing_fields.is_empty() {
            return Err(NodeError::MissingFields {
                procedure: procedure.code.clone(),
                fields: pre.missing_fields,
            });
        }
        let received = new.received_at.unwrap_or_else(deadline::now);
        let view =
            self.insert_case(&mut ctx, procedure, pre, received, Action::CaseCreate, None)?;
        ctx.commit()?;
        Ok(self.finish_view(view))
    }

    /// Writes a new case in `ctx`. `imported` carries the past of a bulk-imported case (its
    /// receipt code, status, history, notes), already checked by the importer.
    pub(crate) fn insert_case(
        &self,
        ctx: &mut WriteCtx<'_>,
        procedure: &Procedure,
        pre: Prefill,
        received: DateTime<FixedOffset>,
        action: Action,
        imported: Option<ImportedPast<'_>>,
    ) -> Result<CaseView> {
        let cfg = &self.inner.config;
        let officer_id = ctx.audit_name().to_string();
        let id = CaseId::random();
        let receipt_code = match imported
            .as_ref()
            .map(|i| i.receipt_code)
            .filter(|c| !c.is_empty())
        {
            Some(code) => {
                if ctx.tx().open_table(RECEIPTS)?.get(code)?.is_some() {
                    return Err(Refusal::ReceiptCodeExists(code.to_string()).into());
                }
                code.to_string()
            }
            None => next_receipt_code(ctx.tx(), &cfg.unit_code, received)?,
        };
        let due = procedure.deadline.due_date(self.calendar(), received);
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
                .unwrap_or(&officer_id)
                .to_string(),
            fields: pre.fields.clone(),
            evidence: pre.evidence.clone(),
            history: match imported {
                None => vec![HistoryEntry {
                    at: received.to_rfc3339(),
                    officer: officer_id.clone(),
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
        // The catalog version the case is received and checked under, from now on.
        let catalog_version = self.catalog_version();
        doc.set_catalog_version(catalog_version)?;
        super::intake::write_intake(&mut doc, &pre, &officer_id, &init.received_at)?;
        super::tracks::init_tracks(&mut doc, procedure, self.calendar(), received)?;
        let payload = serde_json::json!({
            "citizen_commune": pre.commune,
            "unverified": pre.declared.as_ref().map(|d| &d.extract),
            "procedure": procedure.code,
            "receipt_code": init.receipt_code,
            "citizen_id": init.citizen_id,
            "fields": pre.fields.keys().collect::<Vec<_>>(),
            "registry_records": pre.evidence.values().map(|e| (e.record_ref.clone(), e.digest.clone())).collect::<BTreeMap<_, _>>(),
            "status": status,
            "catalog_version": catalog_version,
        });
        ctx.store_new_case(id, &init.receipt_code, doc, action, &payload)
    }
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
