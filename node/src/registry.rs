//! The population registry: a read-only reference table imported from a JSON-lines file, and
//! the lookups that fill case fields from it ("data instead of paper").
//!
//! Each record is stored exactly as imported (NFC-normalised), so its blake3 digest, recorded as
//! evidence on every case field filled from it, can be checked later against the same bytes.

use std::collections::BTreeSet;
use std::io::BufRead;

use hoso_schemas::RegistrySource;
use redb::{Database, ReadableDatabase, ReadableTable, WriteTransaction};
use serde::Serialize;

use crate::error::{NodeError, Result};
use crate::store::tables::{REGISTRY, REGISTRY_NAMES};

/// Longest accepted registry line (see [`crate::limits`]).
pub const MAX_LINE: usize = crate::limits::MAX_REGISTRY_LINE_BYTES;

/// One citizen record of the population registry (defined in `hoso_schemas::records`, the
/// format the fixtures write).
pub use hoso_schemas::records::Citizen;

/// Refuses control characters in every text attribute of a registry record and a name over
/// [`MAX_NAME_BYTES`](crate::limits::MAX_NAME_BYTES).
pub fn check_citizen_text(citizen: &Citizen) -> Result<()> {
    let texts = [
        ("full_name", Some(&citizen.full_name)),
        ("ethnicity", citizen.ethnicity.as_ref()),
        ("nationality", citizen.nationality.as_ref()),
        ("hometown", citizen.hometown.as_ref()),
        ("address", citizen.address.as_ref()),
        ("household_id", citizen.household_id.as_ref()),
        ("marital_status", citizen.marital_status.as_ref()),
        ("date_of_death", citizen.date_of_death.as_ref()),
    ];
    for (what, v) in texts {
        if let Some(v) = v {
            crate::text::check(what, v)?;
        }
    }
    crate::limits::check(
        crate::error::Limited::Name,
        citizen.full_name.len(),
        crate::limits::MAX_NAME_BYTES,
    )
}

/// A record as stored: parsed, plus its exact bytes and digest.
#[derive(Clone, Debug)]
pub struct Record {
    /// The parsed record.
    pub citizen: Citizen,
    /// blake3 of the stored bytes, hex.
    pub digest: String,
}

/// What a registry import did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RegistryImportReport {
    /// Records read.
    pub records: usize,
    /// New citizens.
    pub added: usize,
    /// Citizens whose record was replaced.
    pub replaced: usize,
    /// blake3 of the whole file, hex.
    pub file_digest: String,
}

/// Parsed records with their stored bytes, and the file digest (hex).
pub type ParsedFile = (Vec<(Citizen, Vec<u8>)>, String);

/// Parses a whole JSON-lines file. All or nothing: the first bad line is an error naming it,
/// and nothing is imported.
pub fn parse_file(name: &str, mut reader: impl BufRead) -> Result<ParsedFile> {
    use crate::limits::{self, Line, LineError};
    let mut out = Vec::new();
    let mut hasher = blake3::Hasher::new();
    let mut seen = BTreeSet::new();
    let mut lineno = 0usize;
    loop {
        lineno += 1;
        let err = |message: String| NodeError::ImportLine {
            file: name.to_string(),
            line: lineno,
            message: format!(
                "{message}; nothing was imported, fix the line and run the import again"
            ),
        };
        let line = match limits::read_line(&mut reader, MAX_LINE) {
            Ok(Line::End) => break,
            Ok(Line::Text(t)) => t,
            Err(LineError::TooLong) => {
                return Err(err(crate::error::LimitExceeded {
                    what: crate::error::Limited::RegistryLine,
                    limit: MAX_LINE,
                    actual: MAX_LINE + 1,
                }
                .to_string()));
            }
            Err(LineError::NotUtf8) => return Err(err("the line is not UTF-8 text".into())),
            Err(LineError::Io(e)) => return Err(err(format!("cannot read: {e}"))),
        };
        if line.trim().is_empty() {
            continue;
        }
        let line = hoso_schemas::nfc(line.trim());
        hasher.update(line.as_bytes());
        hasher.update(b"\n");
        let citizen: Citizen =
            serde_json::from_str(&line).map_err(|e| err(format!("not a registry record: {e}")))?;
        citizen.validate().map_err(err)?;
        check_citizen_text(&citizen).map_err(|e| err(e.to_string()))?;
        if !seen.insert(citizen.citizen_id.clone()) {
            return Err(err(format!(
                "citizen id {} appears twice in the file",
                citizen.citizen_id
            )));
        }
        out.push((citizen, line.into_bytes()));
    }
    Ok((out, hasher.finalize().to_hex().to_string()))
}

fn name_key(token: &str, id: &str) -> Vec<u8> {
    let mut k = token.as_bytes().to_vec();
    k.push(0);
    k.extend_from_slice(id.as_bytes());
    k
}

/// Stores parsed records in one transaction.
pub fn store(
    tx: &WriteTransaction,
    records: &[(Citizen, Vec<u8>)],
    report: &mut RegistryImportReport,
) -> Result<()> {
    let mut table = tx.open_table(REGISTRY)?;
    let mut names = tx.open_table(REGISTRY_NAMES)?;
    for (c, bytes) in records {
        let old = table
            .insert(c.citizen_id.as_str(), bytes.as_slice())?
            .map(|g| g.value().to_vec());
        if let Some(old) = old {
            report.replaced += 1;
            if let Ok(old) = serde_json::from_slice::<Citizen>(&old) {
                for t in hoso_schemas::tokens(&old.full_name) {
                    names.remove(name_key(&t, &old.citizen_id).as_slice())?;
                }
            }
        } else {
            report.added += 1;
        }
        for t in hoso_schemas::tokens(&c.full_name) {
            names.insert(name_key(&t, &c.citizen_id).as_slice(), ())?;
        }
        report.records += 1;
    }
    Ok(())
}

fn decode(bytes: &[u8]) -> Result<Record> {
    let citizen = serde_json::from_slice(bytes).map_err(|e| NodeError::Corrupt {
        what: "registry record".into(),
        detail: e.to_string(),
    })?;
    Ok(Record {
        citizen,
        digest: blake3::hash(bytes).to_hex().to_string(),
    })
}

/// Looks up one citizen.
pub fn get(db: &Database, citizen_id: &str) -> Result<Option<Record>> {
    let rtx = db.begin_read()?;
    let t = rtx.open_table(REGISTRY)?;
    t.get(citizen_id)?.map(|v| decode(v.value())).transpose()
}

/// Citizens whose names match every query token as a prefix (accent-insensitive), or all
/// citizens in id order when the query is empty.
pub fn search(db: &Database, query: &str, limit: usize) -> Result<Vec<Record>> {
    let rtx = db.begin_read()?;
    let table = rtx.open_table(REGISTRY)?;
    let tokens = hoso_schemas::tokens(query);
    if tokens.is_empty() {
        let mut out = Vec::new();
        for row in table.iter()? {
            if out.len() >= limit {
                break;
            }
            out.push(decode(row?.1.value())?);
        }
        return Ok(out);
    }
    let names = rtx.open_table(REGISTRY_NAMES)?;
    let mut result: Option<BTreeSet<String>> = None;
    for t in &tokens {
        let mut ids = BTreeSet::new();
        for row in names.range(t.as_bytes()..)? {
            let (k, _) = row?;
            let k = k.value();
            if !k.starts_with(t.as_bytes()) {
                break;
            }
            if let Some(pos) = k.iter().position(|b| *b == 0) {
                let id = String::from_utf8_lossy(&k[pos + 1..]).into_owned();
                if result.as_ref().is_none_or(|r| r.contains(&id)) {
                    ids.insert(id);
                }
            }
        }
        result = Some(ids);
    }
    let mut out = Vec::new();
    for id in result.unwrap_or_default().into_iter().take(limit) {
        if let Some(v) = table.get(id.as_str())? {
            out.push(decode(v.value())?);
        }
    }
    Ok(out)
}

/// A value found in the registry for a catalog source, with the record it came from.
#[derive(Clone, Debug)]
pub struct Found {
    /// The value.
    pub value: String,
    /// Citizen id of the record used.
    pub record_ref: String,
    /// Digest of that record.
    pub digest: String,
}

/// Resolves a catalog source against the subject's record (following one relation if needed).
pub fn resolve(db: &Database, subject: &Record, source: &RegistrySource) -> Result<Option<Found>> {
    let record = match &source.relation {
        None => subject.clone(),
        Some(rel) => match subject.citizen.relation(rel) {
            Some(id) => match get(db, id)? {
                Some(r) => r,
                None => return Ok(None),
            },
            None => return Ok(None),
        },
    };
    Ok(record.citizen.attr(&source.attr).map(|value| Found {
        value,
        record_ref: record.citizen.citizen_id.clone(),
        digest: record.digest.clone(),
    }))
}
