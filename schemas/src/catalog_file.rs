//! The on-disk format of one catalog file and its per-file checks.
//!
//! ```toml
//! code = "birth_registration"
//! name_vi = "Đăng ký khai sinh"
//! name_en = "Birth registration"
//! agency = "UBND cấp xã (Tư pháp – Hộ tịch)"
//! legal_basis = "Luật Hộ tịch 2014"
//! short_name = "Khai sinh"        # optional, default name_vi; for narrow columns
//! documents = ["Tờ khai …"]       # optional: the dossier's components, for the receipt
//! national_code = "1.001193"      # optional
//! national_code_source = "…"      # optional: where the code comes from
//! initial = "received"            # optional, default received
//!
//! [deadline]                      # or, legacy: processing_days = 0 (no source)
//! working_days = 0                # 0 = the same working day
//! verification_working_days = 3   # optional: the limit when verification is needed
//! received_after = "15:00"        # optional: from then on, counted from the next working day
//! supplement_working_days = 7     # optional: the citizen's time to supplement
//! source = "Luật Hộ tịch 2014, Điều 16"
//!
//! [fee]                           # optional
//! in_person = 0                   # đồng
//! online = 0                      # optional, default in_person
//! per_copy = 8000                 # optional: charge per copy of the result
//! exemptions = ["…"]              # optional
//! source = "Luật Hộ tịch 2014, Điều 11"
//! note = "…"                      # optional
//!
//! [[track]]                       # bundles only (legacy: tracks = ["code", …])
//! procedure = "permanent_residence"
//! agency = "Công an cấp xã"       # optional, default the procedure's agency
//! after = "birth_registration"    # optional: handed off when that track ends
//! optional = false                # optional: the applicant may leave it out
//! same_as = { resident_full_name = "child_full_name" }  # optional: asked once, in the bundle
//! [track.deadline]                # optional, default the procedure's own deadline
//! working_days = 2
//! source = "…"
//!
//! [[fields]]
//! name = "child_full_name"
//! label_vi = "Họ, chữ đệm, tên"
//! label_en = "Full name"
//! type = "text"                   # text date citizen_id enum commune_code number bool
//! required = true                 # default false
//! section = "child"               # default "form"
//! source = "population:full_name" # optional
//! options = ["Nam", "Nữ"]         # enum only
//! max_len = 100                   # text only
//!
//! [[workflow]]
//! from = "received"
//! to = "in_process"
//! roles = ["officer", "supervisor"]
//! ```

use serde::Deserialize;
use toml::Spanned;

use std::collections::BTreeMap;

use chrono::NaiveTime;

use crate::catalog_error::CatalogError;
use crate::deadline::{Deadline, default_same_day_cutoff};
use crate::fee::Fee;
use crate::field::{FieldDef, FieldLookup, FieldType, parse_source};
use crate::procedure::Procedure;
use crate::role::{Role, valid_role_words};
use crate::status::{Status, valid_status_words};
use crate::text::{fold, nfc};
use crate::workflow::{Transition, Workflow};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProcedure {
    code: Spanned<String>,
    name_vi: Spanned<String>,
    name_en: String,
    agency: String,
    legal_basis: String,
    #[serde(default)]
    short_name: Option<Spanned<String>>,
    #[serde(default)]
    documents: Vec<String>,
    #[serde(default)]
    national_code: Option<String>,
    #[serde(default)]
    national_code_source: Option<String>,
    #[serde(default)]
    processing_days: Option<Spanned<u32>>,
    #[serde(default)]
    deadline: Option<Spanned<RawDeadline>>,
    #[serde(default)]
    fee: Option<Spanned<RawFee>>,
    #[serde(default)]
    initial: Option<Spanned<String>>,
    #[serde(default)]
    tracks: Vec<Spanned<String>>,
    #[serde(default)]
    track: Vec<Spanned<RawTrack>>,
    #[serde(default)]
    fields: Vec<Spanned<RawField>>,
    #[serde(default)]
    workflow: Vec<Spanned<RawTransition>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeadline {
    working_days: Spanned<u32>,
    #[serde(default)]
    verification_working_days: Option<Spanned<u32>>,
    #[serde(default)]
    received_after: Option<Spanned<String>>,
    #[serde(default)]
    supplement_working_days: Option<u32>,
    source: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFee {
    in_person: u64,
    #[serde(default)]
    online: Option<u64>,
    #[serde(default)]
    per_copy: u64,
    #[serde(default)]
    exemptions: Vec<String>,
    source: Spanned<String>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTrack {
    procedure: Spanned<String>,
    #[serde(default)]
    agency: Option<String>,
    #[serde(default)]
    after: Option<Spanned<String>>,
    #[serde(default)]
    optional: bool,
    #[serde(default)]
    deadline: Option<Spanned<RawDeadline>>,
    #[serde(default)]
    same_as: Option<Spanned<BTreeMap<String, String>>>,
}

/// A track as written in a bundle's file; what it leaves out comes from the tracked procedure.
pub(crate) struct ParsedTrack {
    pub(crate) procedure: String,
    pub(crate) offset: usize,
    pub(crate) agency: Option<String>,
    pub(crate) after: Option<String>,
    pub(crate) optional: bool,
    pub(crate) deadline: Option<Deadline>,
    /// Track field → the bundle field holding the same value (asked once).
    pub(crate) same_as: BTreeMap<String, String>,
    pub(crate) same_as_offset: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawField {
    name: Spanned<String>,
    label_vi: String,
    label_en: String,
    #[serde(rename = "type")]
    ty: Spanned<String>,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    source: Option<Spanned<String>>,
    #[serde(default)]
    options: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    section: Option<String>,
    #[serde(default)]
    max_len: Option<Spanned<usize>>,
    #[serde(default)]
    lookup: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTransition {
    from: Spanned<String>,
    to: Spanned<String>,
    roles: Spanned<Vec<Spanned<String>>>,
}

/// A procedure parsed from one file, with what the cross-file checks need.
pub(crate) struct ParsedFile {
    pub(crate) file: String,
    pub(crate) text: String,
    pub(crate) procedure: Procedure,
    pub(crate) code_offset: usize,
    /// Each track as written, in order.
    pub(crate) tracks: Vec<ParsedTrack>,
}

/// Checks and converts a `[deadline]` table; `path` is its place in the file.
fn deadline_of(
    raw: Spanned<RawDeadline>,
    path: &str,
    bad: &dyn Fn(usize, String, String) -> CatalogError,
) -> Result<Deadline, CatalogError> {
    let d = raw.into_inner();
    let source = nfc(d.source.get_ref().trim());
    if source.is_empty() {
        return Err(bad(
            d.source.span().start,
            format!("{path}.source"),
            "the legal source must not be empty (name the document and article)".into(),
        ));
    }
    let received_after = match &d.received_after {
        Some(s) => Some(
            NaiveTime::parse_from_str(s.get_ref().trim(), "%H:%M").map_err(|_| {
                bad(
                    s.span().start,
                    format!("{path}.received_after"),
                    format!(
                        "`{}` is not a time of day (expected \"HH:MM\", e.g. \"15:00\")",
                        s.get_ref()
                    ),
                )
            })?,
        ),
        None => None,
    };
    let working_days = *d.working_days.get_ref();
    let verification_working_days = match d.verification_working_days {
        Some(v) if *v.get_ref() < working_days => {
            return Err(bad(
                v.span().start,
                format!("{path}.verification_working_days"),
                format!(
                    "the limit with verification ({}) is shorter than without ({working_days})",
                    v.get_ref()
                ),
            ));
        }
        Some(v) => Some(v.into_inner()),
        None => None,
    };
    Ok(Deadline {
        working_days,
        verification_working_days,
        received_after,
        supplement_working_days: d.supplement_working_days,
        source,
    })
}

fn is_identifier(s: &str) -> bool {
    s.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Parses and checks one catalog file on its own.
pub(crate) fn parse_file(file: &str, text: &str) -> Result<ParsedFile, CatalogError> {
    let raw: RawProcedure =
        toml::from_str(text).map_err(|e| CatalogError::from_toml(file, text, &e))?;
    let bad = |offset: usize, path: String, message: String| {
        CatalogError::invalid(file, text, offset, path, message)
    };

    let code_offset = raw.code.span().start;
    let code = raw.code.into_inner();
    if !is_identifier(&code) {
        return Err(bad(
            code_offset,
            "code".into(),
            format!(
                "procedure code `{code}` must be snake_case ASCII (a-z, 0-9, _), starting with a letter"
            ),
        ));
    }
    if raw.name_vi.get_ref().trim().is_empty() {
        return Err(bad(
            raw.name_vi.span().start,
            "name_vi".into(),
            "the Vietnamese name must not be empty".into(),
        ));
    }

    let mut fields: Vec<FieldDef> = Vec::with_capacity(raw.fields.len());
    let mut first_line: Vec<usize> = Vec::new();
    // Each field's name and type word, for `lookup` (which names another field).
    let declared_types: Vec<(String, String)> = raw
        .fields
        .iter()
        .map(|sf| {
            let f = sf.get_ref();
            (
                f.name.get_ref().trim().to_string(),
                f.ty.get_ref().trim().to_string(),
            )
        })
        .collect();
    for (i, sf) in raw.fields.into_iter().enumerate() {
        let table_offset = sf.span().start;
        let f = sf.into_inner();
        let at = |k: &str| format!("fields[{i}].{k}");
        let name_offset = f.name.span().start;
        let name = f.name.into_inner();
        if !is_identifier(&name) {
            return Err(bad(
                name_offset,
                at("name"),
                format!(
                    "field name `{name}` must be snake_case ASCII (a-z, 0-9, _), starting with a letter"
                ),
            ));
        }
        if let Some(j) = fields.iter().position(|g| g.name == name) {
            return Err(bad(
                name_offset,
                at("name"),
                format!(
                    "duplicate field name `{name}` (already defined as fields[{j}] at line {})",
                    first_line[j]
                ),
            ));
        }
        let ty = FieldType::from_word(f.ty.get_ref()).ok_or_else(|| {
            bad(
                f.ty.span().start,
                at("type"),
                format!(
                    "unknown field type `{}` (expected one of: {})",
                    f.ty.get_ref(),
                    FieldType::ALL.map(FieldType::as_str).join(", ")
                ),
            )
        })?;
        let mut options = Vec::new();
        match (&f.options, ty) {
            (None, FieldType::Enum) => {
                return Err(bad(
                    table_offset,
                    at("options"),
                    format!(
                        "enum field `{name}` needs `options = [\"…\", …]` (at least one option)"
                    ),
                ));
            }
            (Some(o), FieldType::Enum) if o.get_ref().is_empty() => {
                return Err(bad(
                    o.span().start,
                    at("options"),
                    format!("enum field `{name}` needs at least one option"),
                ));
            }
            (Some(o), FieldType::Enum) => {
                for opt in o.get_ref() {
                    let opt = nfc(opt.trim());
                    if opt.is_empty() {
                        return Err(bad(
                            o.span().start,
                            at("options"),
                            "an option must not be empty".into(),
                        ));
                    }
                    if let Some(prev) = options.iter().find(|p: &&String| fold(p) == fold(&opt)) {
                        return Err(bad(
                            o.span().start,
                            at("options"),
                            format!(
                                "options `{prev}` and `{opt}` are the same once accents and case are ignored"
                            ),
                        ));
                    }
                    options.push(opt);
                }
            }
            (Some(o), _) => {
                return Err(bad(
                    o.span().start,
                    at("options"),
                    format!("`options` is only for enum fields (this field is `{ty}`)"),
                ));
            }
            (None, _) => {}
        }
        let source = match f.source {
            Some(s) => {
                parse_source(s.get_ref()).map_err(|m| bad(s.span().start, at("source"), m))?;
                Some(s.into_inner())
            }
            None => None,
        };
        let max_len = match f.max_len {
            Some(m) if ty != FieldType::Text => {
                return Err(bad(
                    m.span().start,
                    at("max_len"),
                    format!("`max_len` is only for text fields (this field is `{ty}`)"),
                ));
            }
            Some(m) if *m.get_ref() == 0 => {
                return Err(bad(
                    m.span().start,
                    at("max_len"),
                    "`max_len` must be at least 1".into(),
                ));
            }
            Some(m) => Some(m.into_inner()),
            None => None,
        };
        let lookup = match f.lookup {
            Some(l) => {
                let parsed = FieldLookup::parse(l.get_ref())
                    .map_err(|m| bad(l.span().start, at("lookup"), m))?;
                let by = declared_types.iter().find(|(n, _)| *n == parsed.by);
                if by.is_none_or(|(_, ty)| ty != "citizen_id") {
                    return Err(bad(
                        l.span().start,
                        at("lookup"),
                        format!(
                            "lookup `{}`: `{}` must be a citizen_id field of this procedure",
                            l.get_ref(),
                            parsed.by
                        ),
                    ));
                }
                Some(parsed)
            }
            None => None,
        };
        first_line.push(crate::catalog_error::line_of(text, name_offset));
        fields.push(FieldDef {
            name,
            label_vi: nfc(f.label_vi.trim()),
            label_en: f.label_en.trim().to_string(),
            ty,
            required: f.required,
            source,
            options,
            section: f
                .section
                .map(|s| s.trim().to_string())
                .unwrap_or_else(|| "form".into()),
            max_len,
            lookup,
        });
    }

    let status_at = |s: &Spanned<String>, path: String| -> Result<Status, CatalogError> {
        s.get_ref().parse::<Status>().map_err(|_| {
            bad(
                s.span().start,
                path,
                format!(
                    "unknown status `{}` (expected one of: {})",
                    s.get_ref(),
                    valid_status_words()
                ),
            )
        })
    };
    let initial = match &raw.initial {
        Some(s) => status_at(s, "initial".into())?,
        None => Status::Received,
    };
    if raw.workflow.is_empty() {
        return Err(bad(
            code_offset,
            "workflow".into(),
            "the workflow is empty (expected [[workflow]] tables with from, to and roles)".into(),
        ));
    }
    let mut transitions: Vec<Transition> = Vec::new();
    for (i, st) in raw.workflow.iter().enumerate() {
        let t = st.get_ref();
        let from = status_at(&t.from, format!("workflow[{i}].from"))?;
        let to = status_at(&t.to, format!("workflow[{i}].to"))?;
        if from == to {
            return Err(bad(
                t.to.span().start,
                format!("workflow[{i}].to"),
                format!("a transition must change the status (`{from}` -> `{to}`)"),
            ));
        }
        if t.roles.get_ref().is_empty() {
            return Err(bad(
                t.roles.span().start,
                format!("workflow[{i}].roles"),
                format!(
                    "no role may make this transition (expected one or more of: {})",
                    valid_role_words()
                ),
            ));
        }
        let mut roles = Vec::new();
        for (j, r) in t.roles.get_ref().iter().enumerate() {
            let role = r.get_ref().parse::<Role>().map_err(|e| {
                bad(
                    r.span().start,
                    format!("workflow[{i}].roles[{j}]"),
                    e.to_string(),
                )
            })?;
            if !roles.contains(&role) {
                roles.push(role);
            }
        }
        if let Some(k) = transitions
            .iter()
            .position(|p| p.from == from && p.to == to)
        {
            return Err(bad(
                st.span().start,
                format!("workflow[{i}]"),
                format!(
                    "duplicate transition `{from}` -> `{to}` (already workflow[{k}]; list all its roles there)"
                ),
            ));
        }
        transitions.push(Transition { from, to, roles });
    }
    if !transitions.iter().any(|t| t.from == initial) {
        let offset = raw.initial.as_ref().map_or(code_offset, |s| s.span().start);
        return Err(bad(
            offset,
            "initial".into(),
            format!(
                "no transition leaves the initial status `{initial}` (add a [[workflow]] with from = \"{initial}\")"
            ),
        ));
    }

    if !raw.tracks.is_empty() && !raw.track.is_empty() {
        return Err(bad(
            raw.track[0].span().start,
            "track".into(),
            "use either `tracks = [...]` or `[[track]]` tables, not both".into(),
        ));
    }
    let mut tracks: Vec<ParsedTrack> = Vec::new();
    let legacy = raw.tracks.into_iter().map(|t| {
        let offset = t.span().start;
        (t.into_inner(), offset, None, None, false, None, None)
    });
    let tables = raw.track.into_iter().map(|t| {
        let t = t.into_inner();
        let offset = t.procedure.span().start;
        (
            t.procedure.into_inner(),
            offset,
            t.agency,
            t.after,
            t.optional,
            t.deadline,
            t.same_as,
        )
    });
    for (i, (c, offset, agency, after, optional, deadline, same_as)) in
        legacy.chain(tables).enumerate()
    {
        let path = format!("tracks[{i}]");
        if c == code {
            return Err(bad(
                offset,
                path,
                format!("bundle `{code}` cannot track itself"),
            ));
        }
        if tracks.iter().any(|p| p.procedure == c) {
            return Err(bad(offset, path, format!("track `{c}` is listed twice")));
        }
        let after = match after {
            Some(a) if !tracks.iter().any(|p| &p.procedure == a.get_ref()) => {
                return Err(bad(
                    a.span().start,
                    format!("{path}.after"),
                    format!(
                        "`after = \"{}\"` must name an earlier track of this bundle (earlier: {})",
                        a.get_ref(),
                        if tracks.is_empty() {
                            "none".to_string()
                        } else {
                            tracks
                                .iter()
                                .map(|p| p.procedure.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        }
                    ),
                ));
            }
            Some(a) => Some(a.into_inner()),
            None => None,
        };
        let deadline = match deadline {
            Some(d) => Some(deadline_of(d, &format!("{path}.deadline"), &bad)?),
            None => None,
        };
        let same_as_offset = same_as.as_ref().map_or(offset, |s| s.span().start);
        tracks.push(ParsedTrack {
            procedure: c,
            offset,
            agency: agency.map(|a| nfc(a.trim())).filter(|a| !a.is_empty()),
            after,
            optional,
            deadline,
            same_as: same_as.map(Spanned::into_inner).unwrap_or_default(),
            same_as_offset,
        });
    }

    let deadline = match (raw.processing_days, raw.deadline) {
        (Some(p), Some(_)) => {
            return Err(bad(
                p.span().start,
                "processing_days".into(),
                "give the limit once: `[deadline]` (with its source) replaces `processing_days`"
                    .into(),
            ));
        }
        (Some(p), None) => {
            let days = p.into_inner();
            Deadline {
                working_days: days,
                verification_working_days: None,
                received_after: (days == 0).then(default_same_day_cutoff),
                supplement_working_days: None,
                source: String::new(),
            }
        }
        (None, Some(d)) => deadline_of(d, "deadline", &bad)?,
        (None, None) => {
            return Err(bad(
                code_offset,
                "deadline".into(),
                "no time limit: add a `[deadline]` table with `working_days` and `source`".into(),
            ));
        }
    };
    let fee = match raw.fee {
        Some(f) => {
            let f = f.into_inner();
            let source = nfc(f.source.get_ref().trim());
            if source.is_empty() {
                return Err(bad(
                    f.source.span().start,
                    "fee.source".into(),
                    "the legal source must not be empty (name the document and article)".into(),
                ));
            }
            Some(Fee {
                in_person: f.in_person,
                online: f.online.unwrap_or(f.in_person),
                per_copy: f.per_copy,
                exemptions: f
                    .exemptions
                    .iter()
                    .map(|e| nfc(e.trim()))
                    .filter(|e| !e.is_empty())
                    .collect(),
                source,
                note: f.note.map(|n| nfc(n.trim())).filter(|n| !n.is_empty()),
            })
        }
        None => None,
    };
    let name_vi = nfc(raw.name_vi.get_ref().trim());
    let short_name = match raw.short_name {
        Some(s) if s.get_ref().trim().is_empty() => {
            return Err(bad(
                s.span().start,
                "short_name".into(),
                "the short name must not be empty (leave it out to use name_vi)".into(),
            ));
        }
        Some(s) => nfc(s.get_ref().trim()),
        None => name_vi.clone(),
    };

    let procedure = Procedure {
        code,
        name_vi,
        short_name,
        documents: raw
            .documents
            .iter()
            .map(|d| nfc(d.trim()))
            .filter(|d| !d.is_empty())
            .collect(),
        name_en: raw.name_en.trim().to_string(),
        agency: nfc(raw.agency.trim()),
        legal_basis: nfc(raw.legal_basis.trim()),
        national_code: raw
            .national_code
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
        national_code_source: raw
            .national_code_source
            .map(|s| nfc(s.trim()))
            .filter(|s| !s.is_empty()),
        deadline,
        fee,
        fields,
        workflow: Workflow {
            initial,
            transitions,
        },
        tracks: tracks.iter().map(|t| t.procedure.clone()).collect(),
        track_specs: Vec::new(),
    };
    Ok(ParsedFile {
        file: file.to_string(),
        text: text.to_string(),
        procedure,
        code_offset,
        tracks,
    })
}
