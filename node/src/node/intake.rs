//! Receiving citizens the local population extract cannot confirm, and checking them again
//! when a newer extract arrives (Decree 118/2025: a centre receives a dossier whatever the
//! citizen's commune within the province).
//!
//! - A citizen of another commune who is in the extract is received like any other: the case
//!   belongs to the receiving commune (its jurisdiction for sync) and records the citizen's own
//!   commune (`citizen_commune`).
//! - A citizen missing from the extract is received on a declared identity
//!   ([`Node::create_case_declared`]); the case is flagged unverified and every typed value
//!   carries "declared, not in the extract dated …" evidence.
//! - [`Node::recheck_registry`] (run by `hoso registry recheck`, and by every registry import in
//!   the same transaction) checks the flagged cases against the extract now held: a match clears
//!   the flag, a difference flags a mismatch, an absence is recorded against the newer extract;
//!   each change is one audited action.
//!
//! The extract's date and version are node metadata written by the import and copied into every
//! evidence record.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use hoso_schemas::{CitizenId, Procedure};
use redb::{ReadableDatabase, ReadableTable};
use serde::{Deserialize, Serialize};

use crate::case::{CaseView, DeclaredCitizen, ExtractRef, Verification, VerificationState};
use crate::chain::entry::Action;
use crate::deadline;
use crate::error::{EncodeError, IntakeError, NodeError, Result};
use crate::ids::CaseId;
use crate::registry::{self, RegistryImportReport};
use crate::store::tables::{CASES, META};
use crate::write::{AuthenticatedOfficer, Author, Permission, WriteCtx};

use super::fields::{check_field_input, field_def};
use super::handle::{Node, now_ms};
use super::new_case::{DeclaredIntake, NewCase, Prefill};

/// The META key of the population extract in force.
const META_EXTRACT: &str = "registry-extract";

/// The population extract a node holds: what `registry import` records.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtractMeta {
    /// Date and version of the extract.
    #[serde(flatten)]
    pub extract: ExtractRef,
    /// blake3 of the imported file, hex.
    pub file_digest: String,
    /// When it was imported (RFC 3339).
    pub imported_at: String,
    /// How many imports this node has had (1 for the first).
    pub import_no: u64,
}

/// The label an import gives its extract; what is left out is derived.
#[derive(Clone, Debug, Default)]
pub struct ExtractLabel {
    /// The extract's date (default: the import's date, Vietnam time).
    pub date: Option<NaiveDate>,
    /// The extract's version (default: `<import number>-<first 8 hex of the file digest>`).
    pub version: Option<String>,
}

/// What a registry import did, with the recheck of unverified cases it ran.
#[derive(Clone, Debug, Serialize)]
pub struct ExtractImportReport {
    /// The import itself.
    #[serde(flatten)]
    pub import: RegistryImportReport,
    /// The extract now in force.
    pub extract: ExtractMeta,
    /// The recheck of unverified cases against it.
    pub recheck: RecheckReport,
}

/// What a recheck of unverified cases did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RecheckReport {
    /// The extract checked against.
    pub extract: ExtractRef,
    /// Unverified cases looked at.
    pub checked: usize,
    /// Found in the extract and matching: the flag was cleared.
    pub cleared: Vec<String>,
    /// Found in the extract but different: flagged as a mismatch.
    pub mismatched: Vec<String>,
    /// Still missing: recorded against this extract.
    pub still_missing: Vec<String>,
    /// Already checked against this extract with the same outcome: nothing written.
    pub unchanged: usize,
}

/// What a citizen missing from the extract declares at the desk (raw, validated on receipt).
#[derive(Clone, Debug, Default)]
pub struct DeclaredInput {
    /// Full name.
    pub full_name: String,
    /// Date of birth (dd/mm/yyyy or YYYY-MM-DD).
    pub date_of_birth: String,
    /// Nam / Nữ (or male / female).
    pub sex: String,
    /// The citizen's commune of residence (5 digits).
    pub commune_code: String,
}

impl Node {
    /// The population extract in force, if a registry was ever imported.
    pub fn registry_extract(&self) -> Result<Option<ExtractMeta>> {
        let rtx = self.inner.db.begin_read()?;
        let meta = rtx.open_table(META)?;
        meta.get(META_EXTRACT)?
            .map(|v| {
                serde_json::from_slice(v.value()).map_err(|e| NodeError::Corrupt {
                    what: "registry extract metadata".into(),
                    detail: e.to_string(),
                })
            })
            .transpose()
    }

    /// The extract reference copied into evidence records (empty when none was imported).
    pub(crate) fn extract_ref(&self) -> Result<ExtractRef> {
        Ok(self
            .registry_extract()?
            .map(|m| m.extract)
            .unwrap_or_default())
    }

    /// Imports a population extract (all or nothing) labelled with its date and version, then
    /// rechecks every unverified case against it, in one transaction authored by `by`.
    pub fn import_registry_extract(
        &self,
        name: &str,
        reader: impl std::io::BufRead,
        by: &Author,
        label: ExtractLabel,
    ) -> Result<ExtractImportReport> {
        let mut ctx = self.begin_write(by, Permission::ImportRegistry)?;
        let (records, file_digest) = registry::parse_file(name, reader)?;
        if let Some(v) = &label.version {
            crate::text::check("the extract version", v)?;
            crate::limits::check(
                crate::error::Limited::Field,
                v.len(),
                crate::limits::MAX_FIELD_BYTES,
            )?;
        }
        let mut import = RegistryImportReport {
            file_digest,
            ..Default::default()
        };
        registry::store(ctx.tx(), &records, &mut import)?;
        let previous: Option<ExtractMeta> = {
            let meta = ctx.tx().open_table(META)?;
            let v = meta.get(META_EXTRACT)?;
            v.and_then(|v| serde_json::from_slice(v.value()).ok())
        };
        let import_no = previous.map_or(1, |p| p.import_no + 1);
        let now = deadline::now();
        let extract = ExtractMeta {
            extract: ExtractRef {
                date: label.date.unwrap_or(now.date_naive()).to_string(),
                version: label.version.clone().unwrap_or_else(|| {
                    format!(
                        "{import_no}-{}",
                        import.file_digest.get(..8).unwrap_or_default()
                    )
                }),
            },
            file_digest: import.file_digest.clone(),
            imported_at: now.to_rfc3339(),
            import_no,
        };
        let bytes =
            serde_json::to_vec(&extract).map_err(EncodeError::json("the registry extract"))?;
        ctx.tx()
            .open_table(META)?
            .insert(META_EXTRACT, bytes.as_slice())?;
        let mut payload = serde_json::to_value(&import).unwrap_or_default();
        if let Some(o) = payload.as_object_mut() {
            o.insert(
                "extract".into(),
                serde_json::to_value(&extract.extract).unwrap_or_default(),
            );
        }
        ctx.audit(
            Action::RegistryImport,
            CaseId::NONE,
            [0; 16],
            vec![],
            vec![],
            &payload,
            now_ms(),
        )?;
        let recheck = self.recheck_in(&mut ctx, &extract.extract)?;
        ctx.commit()?;
        Ok(ExtractImportReport {
            import,
            extract,
            recheck,
        })
    }

    /// Checks every unverified case against the extract now held (`hoso registry recheck`):
    /// a supervisor's action, each case's change audited.
    pub fn recheck_registry(&self, by: &Author) -> Result<RecheckReport> {
        let mut ctx = self.begin_write(by, Permission::ImportRegistry)?;
        let extract = self.extract_ref()?;
        let report = self.recheck_in(&mut ctx, &extract)?;
        ctx.commit()?;
        Ok(report)
    }

    fn recheck_in(&self, ctx: &mut WriteCtx<'_>, extract: &ExtractRef) -> Result<RecheckReport> {
        let mut report = RecheckReport {
            extract: extract.clone(),
            ..Default::default()
        };
        let ids: Vec<CaseId> = {
            let cases = ctx.tx().open_table(CASES)?;
            let mut ids = Vec::new();
            for row in cases.iter()? {
                let (k, v) = row?;
                // A summary written before this field existed has no flag: not unverified.
                if let Ok(s) = crate::summaries::decode(&CaseId(*k.value()), v.value())
                    && s.unverified
                {
                    ids.push(s.id);
                }
            }
            ids
        };
        let checker = ctx.audit_name().to_string();
        for id in ids {
            let before = ctx.load_case(&id)?.doc.view()?;
            let Some(old) = before.verification.clone() else {
                continue;
            };
            if before.status.ends_processing() {
                continue;
            }
            report.checked += 1;
            // Read through the write transaction's own view of the registry: an import in
            // this transaction is already visible.
            let record = {
                let t = ctx.tx().open_table(crate::store::tables::REGISTRY)?;
                let v = t.get(before.citizen_id.as_str())?;
                v.and_then(|v| serde_json::from_slice::<registry::Citizen>(v.value()).ok())
            };
            let (state, note) = match &record {
                None => (VerificationState::Unverified, None),
                Some(c) => match differences(&old.declared, c) {
                    d if d.is_empty() => (VerificationState::Verified, None),
                    d => (VerificationState::Mismatch, Some(d.join("; "))),
                },
            };
            if old.state == state && old.extract == *extract && old.note == note {
                report.unchanged += 1;
                continue;
            }
            let next = Verification {
                state,
                extract: extract.clone(),
                checked_at: deadline::now().to_rfc3339(),
                checked_by: checker.clone(),
                note: note.clone(),
                ..old.clone()
            };
            let list = match state {
                VerificationState::Verified => &mut report.cleared,
                VerificationState::Mismatch => &mut report.mismatched,
                VerificationState::Unverified => &mut report.still_missing,
            };
            list.push(before.receipt_code.clone());
            ctx.edit_case(id, Action::RegistryRecheck, |doc, _before, _p, _ctx| {
                doc.set_verification(&next)?;
                Ok(serde_json::json!({
                    "citizen_id": before.citizen_id,
                    "from": old.state.as_str(),
                    "to": state.as_str(),
                    "extract": extract,
                    "note": note,
                }))
            })?;
        }
        Ok(report)
    }

    /// Validates a declared identity and the given fields of a citizen missing from the
    /// extract: the form as it will be received.
    pub fn prefill_declared(
        &self,
        new: &NewCase,
        declared: &DeclaredInput,
    ) -> Result<(Prefill, &Procedure)> {
        let procedure = self.catalog().procedure(&new.procedure)?;
        let cid = CitizenId::parse(&new.citizen_id)?;
        if registry::get(&self.inner.db, cid.as_str())?.is_some() {
            return Err(IntakeError::CitizenInExtract {
                citizen_id: cid.as_str().to_string(),
            }
            .into());
        }
        let citizen = self.check_declared(&cid, declared)?;
        let extract = self.extract_ref()?;
        // Typed once: the fields the registry would have filled about the citizen themself
        // come from the declared identity (and carry the same "declared" evidence).
        let mut fields = BTreeMap::new();
        for f in &procedure.fields {
            let Some(src) = f
                .source
                .as_deref()
                .and_then(|s| hoso_schemas::parse_source(s).ok())
            else {
                continue;
            };
            let value = match (src.relation.as_deref(), src.attr.as_str()) {
                (None, "citizen_id") => cid.as_str().to_string(),
                (None, "full_name") => citizen.full_name.clone(),
                (None, "date_of_birth") => citizen.date_of_birth.clone(),
                (None, "sex") => citizen.sex.clone(),
                (None, "commune_code") => citizen.commune_code.clone(),
                _ => continue,
            };
            if let Ok(v) = f.validate(&value) {
                fields.insert(f.name.clone(), v);
            }
        }
        for (name, raw) in &new.fields {
            let def = field_def(procedure, name)?;
            check_field_input(name, raw)?;
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
                applicant_name: citizen.full_name.clone(),
                fields,
                evidence: BTreeMap::new(),
                missing_fields,
                commune: citizen.commune_code.clone(),
                declared: Some(DeclaredIntake { citizen, extract }),
            },
            procedure,
        ))
    }

    /// Receives a case for a citizen missing from the population extract, on the identity
    /// they declare: flagged unverified, every typed value with "declared, not in the extract
    /// dated …" evidence. Through the write path, audited like any receipt.
    pub fn create_case_declared(
        &self,
        by: &AuthenticatedOfficer,
        new: NewCase,
        declared: &DeclaredInput,
    ) -> Result<CaseView> {
        let mut ctx = self.begin_write(&Author::from(by), Permission::ChangeCases)?;
        let (pre, procedure) = self.prefill_declared(&new, declared)?;
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

    fn check_declared(&self, cid: &CitizenId, d: &DeclaredInput) -> Result<DeclaredCitizen> {
        let bad = |what: &str, hint: &str| -> NodeError {
            IntakeError::BadDeclaration {
                what: what.into(),
                hint: hint.into(),
            }
            .into()
        };
        let full_name = hoso_schemas::nfc(d.full_name.trim());
        if full_name.is_empty() {
            return Err(bad("full name", "pass --declared-name \"Họ và tên\""));
        }
        crate::text::check("the declared name", &full_name)?;
        crate::limits::check(
            crate::error::Limited::Name,
            full_name.len(),
            crate::limits::MAX_NAME_BYTES,
        )?;
        let dob = hoso_schemas::parse_date(d.date_of_birth.trim())
            .ok_or_else(|| bad("date of birth", "pass --declared-dob dd/mm/yyyy"))?;
        let sex = d
            .sex
            .trim()
            .parse::<hoso_schemas::Sex>()
            .map_err(|_| bad("sex", "pass --declared-sex Nam or Nữ"))?;
        cid.check_birth(dob, Some(sex))?;
        let code = d.commune_code.trim();
        if code.len() != 5 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(
                "commune",
                "pass --declared-commune with the 5-digit code of the citizen's commune",
            ));
        }
        let province = &self.inner.config.province;
        if province == hoso_schemas::PROVINCE_LANG_SON && hoso_schemas::commune(code).is_none() {
            return Err(IntakeError::CommuneOutsideProvince {
                code: code.to_string(),
                province: province.clone(),
            }
            .into());
        }
        Ok(DeclaredCitizen {
            full_name,
            date_of_birth: dob.to_string(),
            sex: sex.label_vi().to_string(),
            commune_code: code.to_string(),
        })
    }
}

/// Writes what a new case records about its citizen's origin (in the creation change): the
/// citizen's commune, and for a declared citizen the verification flag and declared evidence.
pub(crate) fn write_intake(
    doc: &mut crate::case::CaseDoc,
    pre: &Prefill,
    officer: &str,
    at: &str,
) -> Result<()> {
    doc.set_citizen_commune(&pre.commune)?;
    if let Some(d) = &pre.declared {
        doc.set_verification(&Verification {
            state: VerificationState::Unverified,
            declared: d.citizen.clone(),
            received_extract: d.extract.clone(),
            extract: d.extract.clone(),
            checked_at: at.to_string(),
            checked_by: officer.to_string(),
            note: None,
        })?;
        // How the dossier came in is the desk's record, not the citizen's data.
        let intake = [hoso_schemas::CHANNEL_FIELD, hoso_schemas::PORTAL_CODE_FIELD];
        for field in pre.fields.keys().filter(|f| !intake.contains(&f.as_str())) {
            doc.set_declared(field, &d.extract)?;
        }
    }
    Ok(())
}

/// Fills the fields with a catalog `lookup` (e.g. `declarant_citizen_id.full_name`) from the
/// record of the citizen whose id the case holds in the named field, with registry evidence.
/// A value the officer typed is kept; a person not in the extract fills nothing (typed then).
pub(crate) fn fill_lookups(
    db: &redb::Database,
    procedure: &Procedure,
    fields: &mut BTreeMap<String, String>,
    evidence: &mut BTreeMap<String, crate::case::Evidence>,
    officer: &str,
    at: &str,
    extract: &ExtractRef,
) -> Result<()> {
    for f in &procedure.fields {
        let Some(l) = &f.lookup else {
            continue;
        };
        if fields.contains_key(&f.name) {
            continue;
        }
        let Some(id) = fields.get(&l.by) else {
            continue;
        };
        let Some(record) = registry::get(db, id)? else {
            continue;
        };
        let Some(value) = record.citizen.attr(&l.attr) else {
            continue;
        };
        if let Ok(v) = f.validate(&value) {
            fields.insert(f.name.clone(), v);
            evidence.insert(
                f.name.clone(),
                crate::case::Evidence {
                    source: format!("population:{}.{}", l.by, l.attr),
                    record_ref: record.citizen.citizen_id.clone(),
                    digest: record.digest.clone(),
                    verified_by: officer.to_string(),
                    at: at.to_string(),
                    extract_date: extract.date.clone(),
                    extract_version: extract.version.clone(),
                },
            );
        }
    }
    Ok(())
}

/// What differs between a declared identity and the extract's record, in Vietnamese.
fn differences(d: &DeclaredCitizen, c: &registry::Citizen) -> Vec<String> {
    let mut out = Vec::new();
    let mut cmp = |what: &str, declared: &str, extract: &str| {
        if declared != extract {
            out.push(format!("{what}: khai «{declared}», CSDL «{extract}»"));
        }
    };
    cmp("họ tên", &d.full_name, &c.full_name);
    cmp("ngày sinh", &d.date_of_birth, &c.date_of_birth);
    cmp("giới tính", &d.sex, c.sex.label_vi());
    cmp("xã cư trú", &d.commune_code, &c.commune_code);
    out
}
