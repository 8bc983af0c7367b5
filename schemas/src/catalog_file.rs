//! The on-disk format of one catalog file and its per-file checks.
//!
//! ```toml
//! code = "birth_registration"
//! name_vi = "Đăng ký khai sinh"
//! name_en = "Birth registration"
//! agency = "UBND cấp xã (Tư pháp – Hộ tịch)"
//! legal_basis = "Luật Hộ tịch 2014"
//! national_code = "1.001193"      # optional
//! processing_days = 0
//! initial = "received"            # optional, default received
//! tracks = []                     # bundles only: codes of the tracked procedures
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

use crate::catalog_error::CatalogError;
use crate::field::{FieldDef, FieldType, parse_source};
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
    national_code: Option<String>,
    processing_days: u32,
    #[serde(default)]
    initial: Option<Spanned<String>>,
    #[serde(default)]
    tracks: Vec<Spanned<String>>,
    #[serde(default)]
    fields: Vec<Spanned<RawField>>,
    #[serde(default)]
    workflow: Vec<Spanned<RawTransition>>,
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
    /// Each track code with its byte offset.
    pub(crate) tracks: Vec<(String, usize)>,
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

    let mut tracks = Vec::new();
    for (i, t) in raw.tracks.iter().enumerate() {
        let c = t.get_ref();
        if c == &code {
            return Err(bad(
                t.span().start,
                format!("tracks[{i}]"),
                format!("bundle `{code}` cannot track itself"),
            ));
        }
        if tracks.iter().any(|(p, _)| p == c) {
            return Err(bad(
                t.span().start,
                format!("tracks[{i}]"),
                format!("track `{c}` is listed twice"),
            ));
        }
        tracks.push((c.clone(), t.span().start));
    }

    let procedure = Procedure {
        code,
        name_vi: nfc(raw.name_vi.get_ref().trim()),
        name_en: raw.name_en.trim().to_string(),
        agency: nfc(raw.agency.trim()),
        legal_basis: nfc(raw.legal_basis.trim()),
        national_code: raw
            .national_code
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
        processing_days: raw.processing_days,
        fields,
        workflow: Workflow {
            initial,
            transitions,
        },
        tracks: tracks.iter().map(|(c, _)| c.clone()).collect(),
    };
    Ok(ParsedFile {
        file: file.to_string(),
        text: text.to_string(),
        procedure,
        code_offset,
        tracks,
    })
}
