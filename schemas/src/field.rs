//! Field definitions of a procedure form and validation of the values officers type.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::citizen_id::{CitizenId, Sex};
use crate::commune::commune;
pub use crate::registry_source::{
    POPULATION_PREFIX, REGISTRY_ATTRS, REGISTRY_RELATIONS, RegistrySource, parse_source,
};
use crate::text::{fold, nfc};

/// The maximum length in characters of a `text` value when the field sets no `max_len`.
pub const DEFAULT_MAX_LEN: usize = 200;

/// The type of a form field; decides how [`FieldDef::validate`] checks and canonicalises a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    /// Free text on one line.
    Text,
    /// A calendar date, stored as `YYYY-MM-DD`.
    Date,
    /// A 12-digit personal ID number.
    CitizenId,
    /// One of the field's `options`.
    Enum,
    /// A 5-digit Lạng Sơn commune code.
    CommuneCode,
    /// An integer or decimal number.
    Number,
    /// Yes or no, stored as `true`/`false`.
    Bool,
}

impl FieldType {
    /// Every field type.
    pub const ALL: [FieldType; 7] = [
        FieldType::Text,
        FieldType::Date,
        FieldType::CitizenId,
        FieldType::Enum,
        FieldType::CommuneCode,
        FieldType::Number,
        FieldType::Bool,
    ];

    /// The `snake_case` word used in catalog files, e.g. `"commune_code"`.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::Date => "date",
            FieldType::CitizenId => "citizen_id",
            FieldType::Enum => "enum",
            FieldType::CommuneCode => "commune_code",
            FieldType::Number => "number",
            FieldType::Bool => "bool",
        }
    }

    /// Parses a field type word (exact, lower case).
    pub fn from_word(word: &str) -> Option<FieldType> {
        FieldType::ALL.into_iter().find(|t| t.as_str() == word)
    }
}

impl fmt::Display for FieldType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn default_section() -> String {
    "form".to_string()
}

/// One field of a procedure's form.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct FieldDef {
    /// The stable key, `snake_case` ASCII, unique within a procedure.
    pub name: String,
    /// The Vietnamese label shown to officers.
    pub label_vi: String,
    /// The English label.
    pub label_en: String,
    /// The value type.
    #[serde(rename = "type")]
    pub ty: FieldType,
    /// Whether the case needs a value before it can be decided.
    #[serde(default)]
    pub required: bool,
    /// Where the value is pre-filled from, e.g. `population:spouse.full_name`.
    #[serde(default)]
    pub source: Option<String>,
    /// The allowed values of an `enum` field, in display order.
    #[serde(default)]
    pub options: Vec<String>,
    /// The form section the field belongs to, e.g. `"child"` (default `"form"`).
    #[serde(default = "default_section")]
    pub section: String,
    /// The maximum length of a `text` value in characters (default [`DEFAULT_MAX_LEN`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_len: Option<usize>,
    /// Filled from the population record of another person the case names:
    /// `lookup = "declarant_citizen_id.full_name"` reads `full_name` from the record whose id
    /// is in the case's `declarant_citizen_id` field (the data is held, so it is not typed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lookup: Option<FieldLookup>,
}

/// A field filled from the record of the citizen whose id another field of the case holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldLookup {
    /// The case field holding the citizen id (a `citizen_id` field of the same procedure).
    pub by: String,
    /// The registry attribute read (one of [`REGISTRY_ATTRS`]).
    pub attr: String,
}

impl FieldLookup {
    /// Parses `field.attr`; the error says what is expected.
    pub fn parse(s: &str) -> Result<FieldLookup, String> {
        let (by, attr) = s.trim().split_once('.').ok_or_else(|| {
            format!("lookup `{s}` must be `<citizen id field>.<attribute>`, e.g. `declarant_citizen_id.full_name`")
        })?;
        if !REGISTRY_ATTRS.contains(&attr) {
            return Err(format!(
                "lookup `{s}`: unknown attribute `{attr}` (expected one of: {})",
                REGISTRY_ATTRS.join(", ")
            ));
        }
        Ok(FieldLookup {
            by: by.to_string(),
            attr: attr.to_string(),
        })
    }
}

/// A value that does not fit its field.
///
/// Displays as ``field `NAME`: MESSAGE``, where the message shows the offending value and
/// says what is expected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("field `{field}`: {message}")]
pub struct FieldError {
    /// The field name.
    pub field: String,
    /// The offending value as given (after NFC and trimming).
    pub value: String,
    /// What is wrong and what is expected.
    pub message: String,
}

/// Shows a value inside a message: control characters escaped, long values shortened.
fn show(v: &str) -> String {
    let mut out: String = v.chars().take(60).flat_map(char::escape_debug).collect();
    if v.chars().count() > 60 {
        out.push('…');
    }
    out
}

const BOOL_WORDS: &str = "true, false, yes, no, có, không, 1, 0";

impl FieldDef {
    /// A field with the given name, labels and type and every other attribute at its default.
    pub fn new(name: &str, label_vi: &str, label_en: &str, ty: FieldType) -> FieldDef {
        FieldDef {
            name: name.to_string(),
            label_vi: label_vi.to_string(),
            label_en: label_en.to_string(),
            ty,
            required: false,
            source: None,
            options: Vec::new(),
            section: default_section(),
            max_len: None,
            lookup: None,
        }
    }

    /// True if the field is pre-filled from the population registry (`source = "population:…"`).
    pub fn is_from_registry(&self) -> bool {
        self.source
            .as_deref()
            .is_some_and(|s| s.starts_with(POPULATION_PREFIX))
    }

    /// The parsed registry source, if the field has a valid one.
    pub fn registry_source(&self) -> Option<RegistrySource> {
        self.source.as_deref().and_then(|s| parse_source(s).ok())
    }

    /// The effective maximum length of a text value.
    pub fn max_len(&self) -> usize {
        self.max_len.unwrap_or(DEFAULT_MAX_LEN)
    }

    /// What a valid value looks like, in a few words (used in error messages and hints).
    pub fn expected(&self) -> String {
        match self.ty {
            FieldType::Text => format!("text of at most {} characters", self.max_len()),
            FieldType::Date => "a date as YYYY-MM-DD or DD/MM/YYYY".to_string(),
            FieldType::CitizenId => "a 12-digit citizen id".to_string(),
            FieldType::Enum => format!("one of: {}", self.options.join(", ")),
            FieldType::CommuneCode => "a 5-digit Lạng Sơn commune code, e.g. 06184".to_string(),
            FieldType::Number => "an integer or a decimal such as 12 or 3.5".to_string(),
            FieldType::Bool => format!("one of: {BOOL_WORDS}"),
        }
    }

    /// A valid example value, for form placeholders and generated workloads: the first
    /// option of an enum, a plausible Vietnamese text, a date, a Lạng Sơn id or commune.
    pub fn example(&self) -> String {
        match self.ty {
            FieldType::Text => "Xã Bình Gia, tỉnh Lạng Sơn"
                .chars()
                .take(self.max_len())
                .collect(),
            FieldType::Date => "2026-11-20".to_string(),
            FieldType::CitizenId => "020190012345".to_string(),
            FieldType::Enum => self.options.first().cloned().unwrap_or_default(),
            FieldType::CommuneCode => "06112".to_string(),
            FieldType::Number => "1".to_string(),
            FieldType::Bool => "true".to_string(),
        }
    }

    fn err(&self, value: &str, message: String) -> FieldError {
        FieldError {
            field: self.name.clone(),
            value: value.to_string(),
            message,
        }
    }

    /// Validates a raw value and returns the canonical string to store.
    ///
    /// The input is NFC-normalised and trimmed first; an empty value is an error (leave an
    /// optional field unset instead). Per type: `text` has at most `max_len` characters and no
    /// control characters; `date` accepts `YYYY-MM-DD` or `DD/MM/YYYY` and stores `YYYY-MM-DD`;
    /// `citizen_id` must parse as a [`CitizenId`]; `enum` matches an option accent- and
    /// case-insensitively and stores the option's own spelling; `commune_code` must be a known
    /// commune; `number` stores a canonical decimal; `bool` stores `true` or `false`.
    ///
    /// ```
    /// use hoso_schemas::{FieldDef, FieldType};
    /// let mut f = FieldDef::new("child_sex", "Giới tính", "Sex", FieldType::Enum);
    /// f.options = vec!["Nam".into(), "Nữ".into()];
    /// assert_eq!(f.validate(" nu ").unwrap(), "Nữ");
    /// assert_eq!(
    ///     f.validate("boy").expect_err("expected an error").to_string(),
    ///     "field `child_sex`: `boy` is not an option (expected one of: Nam, Nữ)"
    /// );
    /// ```
    pub fn validate(&self, raw: &str) -> Result<String, FieldError> {
        let normalized = nfc(raw);
        let v = normalized.trim();
        if v.is_empty() {
            return Err(self.err(v, format!("value is empty (expected {})", self.expected())));
        }
        match self.ty {
            FieldType::Text => self.validate_text(v),
            FieldType::Date => parse_date(v)
                .map(|d| d.format("%Y-%m-%d").to_string())
                .ok_or_else(|| {
                    self.err(
                        v,
                        format!(
                            "`{}` is not a valid date (expected {})",
                            show(v),
                            self.expected()
                        ),
                    )
                }),
            FieldType::CitizenId => CitizenId::parse(v)
                .map(|id| id.as_str().to_string())
                .map_err(|e| self.err(v, e.to_string())),
            FieldType::Enum => self.validate_enum(v),
            FieldType::CommuneCode => {
                if v.len() != 5 || !v.bytes().all(|b| b.is_ascii_digit()) {
                    Err(self.err(
                        v,
                        format!(
                            "`{}` is not a commune code (expected {})",
                            show(v),
                            self.expected()
                        ),
                    ))
                } else if commune(v).is_none() {
                    Err(self.err(
                        v,
                        format!("`{v}` is not a known Lạng Sơn commune code (expected one of the 65 codes, e.g. 06184 for Xã Đồng Đăng)"),
                    ))
                } else {
                    Ok(v.to_string())
                }
            }
            FieldType::Number => canonical_number(v).ok_or_else(|| {
                self.err(
                    v,
                    format!(
                        "`{}` is not a number (expected {}, with `.` as the decimal point and no separators)",
                        show(v),
                        self.expected()
                    ),
                )
            }),
            FieldType::Bool => match fold(v).as_str() {
                "true" | "yes" | "co" | "1" => Ok("true".to_string()),
                "false" | "no" | "khong" | "0" => Ok("false".to_string()),
                _ => Err(self.err(
                    v,
                    format!("`{}` is not yes or no (expected {})", show(v), self.expected()),
                )),
            },
        }
    }

    fn validate_text(&self, v: &str) -> Result<String, FieldError> {
        if let Some(c) = v.chars().find(|c| c.is_control()) {
            return Err(self.err(
                v,
                format!(
                    "`{}` contains the control character U+{:04X} (expected plain text on one line)",
                    show(v),
                    u32::from(c)
                ),
            ));
        }
        let len = v.chars().count();
        if len > self.max_len() {
            return Err(self.err(
                v,
                format!(
                    "`{}` is {len} characters long (expected at most {})",
                    show(v),
                    self.max_len()
                ),
            ));
        }
        Ok(v.to_string())
    }

    fn validate_enum(&self, v: &str) -> Result<String, FieldError> {
        let key = fold(v);
        if let Some(o) = self.options.iter().find(|o| fold(o) == key) {
            return Ok(o.clone());
        }
        // A sex field with the Vietnamese options also takes the registry's words (male/female).
        if let Ok(sex) = v.parse::<Sex>() {
            let label = fold(sex.label_vi());
            if let Some(o) = self.options.iter().find(|o| fold(o) == label) {
                return Ok(o.clone());
            }
        }
        Err(self.err(
            v,
            format!(
                "`{}` is not an option (expected {})",
                show(v),
                self.expected()
            ),
        ))
    }
}

/// Parses `YYYY-MM-DD`, or `DD/MM/YYYY` (also with `-` or `.` between the parts).
pub fn parse_date(v: &str) -> Option<NaiveDate> {
    let digits =
        |s: &str, lens: &[usize]| lens.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    let sep = ['-', '/', '.'].into_iter().find(|c| v.contains(*c))?;
    let parts: Vec<&str> = v.split(sep).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let (y, m, d) = if sep == '-' && digits(a, &[4]) && digits(b, &[2]) && digits(c, &[2]) {
        (*a, *b, *c)
    } else if digits(a, &[1, 2]) && digits(b, &[1, 2]) && digits(c, &[4]) {
        (*c, *b, *a)
    } else {
        return None;
    };
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// Canonical form of an integer or decimal: optional sign, digits, optional `.` and digits;
/// leading zeros and trailing fractional zeros are dropped, `+` and `-0` become plain.
pub fn canonical_number(v: &str) -> Option<String> {
    let (neg, body) = match v.as_bytes().first() {
        Some(b'-') => (true, &v[1..]),
        Some(b'+') => (false, &v[1..]),
        _ => (false, v),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    let mut out = String::new();
    if neg && !(int.is_empty() && frac.is_empty()) {
        out.push('-');
    }
    out.push_str(if int.is_empty() { "0" } else { int });
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    Some(out)
}

#[cfg(test)]
mod example_tests {
    #[test]
    fn every_shipped_field_example_validates() -> Result<(), Box<dyn std::error::Error>> {
        let catalog = crate::Catalog::builtin()?;
        for p in &catalog {
            for f in &p.fields {
                f.validate(&f.example())?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    fn field(ty: FieldType) -> FieldDef {
        FieldDef::new("f", "Trường", "Field", ty)
    }

    fn ok(f: &FieldDef, input: &str, want: &str) {
        assert_eq!(
            f.validate(input).as_deref(),
            Ok(want),
            "{:?} {input:?}",
            f.ty
        );
    }

    fn bad(f: &FieldDef, input: &str, needle: &str) {
        let e = f.validate(input).expect_err("expected an error");
        let msg = e.to_string();
        assert!(msg.starts_with("field `f`: "), "{msg}");
        assert!(msg.contains(needle), "{input:?}: {msg}");
    }

    #[test]
    fn text() {
        let f = field(FieldType::Text);
        ok(&f, "  Nguyễn Thị Hương ", "Nguyễn Thị Hương");
        let nfd: String = "Nguyễn Thị Hương".nfd().collect();
        ok(&f, &nfd, "Nguyễn Thị Hương");
        bad(&f, "   ", "value is empty");
        bad(&f, "a\nb", "control character U+000A");
        bad(
            &f,
            &"x".repeat(201),
            "201 characters long (expected at most 200)",
        );
        ok(&f, &"ư".repeat(200), &"ư".repeat(200));
        let mut short = field(FieldType::Text);
        short.max_len = Some(5);
        bad(&short, "abcdef", "expected at most 5");
        // NFD input is counted after NFC: 5 letters, not 7 code points.
        ok(&short, &"Hương".nfd().collect::<String>(), "Hương");
    }

    #[test]
    fn date() {
        let f = field(FieldType::Date);
        ok(&f, "2025-03-12", "2025-03-12");
        ok(&f, "12/03/2025", "2025-03-12");
        ok(&f, "1/3/2025", "2025-03-01");
        ok(&f, "12.03.2025", "2025-03-12");
        ok(&f, "12-03-2025", "2025-03-12");
        ok(&f, "2024-02-29", "2024-02-29");
        for b in [
            "2025-02-29",
            "2025-13-01",
            "2025/03/12",
            "12/03/25",
            "2025-3-1",
            "hôm qua",
            "20250312",
        ] {
            bad(
                &f,
                b,
                "is not a valid date (expected a date as YYYY-MM-DD or DD/MM/YYYY)",
            );
        }
    }

    #[test]
    fn citizen_id() {
        let f = field(FieldType::CitizenId);
        ok(&f, " 020325001234 ", "020325001234");
        bad(
            &f,
            "12345",
            "field `f`: citizen id `12345` must be exactly 12 digits (got 5)",
        );
        bad(&f, "02032500123x", "position 12");
    }

    #[test]
    fn enumeration() {
        let mut f = FieldDef::new("child_sex", "Giới tính", "Sex", FieldType::Enum);
        f.options = vec!["Nam".into(), "Nữ".into()];
        ok(&f, "Nữ", "Nữ");
        ok(&f, "NỮ", "Nữ");
        ok(&f, "nu", "Nữ");
        ok(&f, &"Nữ".nfd().collect::<String>(), "Nữ");
        ok(&f, "female", "Nữ");
        ok(&f, "male", "Nam");
        assert_eq!(
            f.validate("boy").expect_err("expected an error"),
            FieldError {
                field: "child_sex".into(),
                value: "boy".into(),
                message: "`boy` is not an option (expected one of: Nam, Nữ)".into(),
            }
        );
        let mut rel = field(FieldType::Enum);
        rel.options = vec!["Mẹ".into(), "Cha".into(), "Ông/Bà".into()];
        ok(&rel, "me", "Mẹ");
        ok(&rel, "ong/ba", "Ông/Bà");
        bad(&rel, "female", "is not an option");
    }

    #[test]
    fn commune_code() {
        let f = field(FieldType::CommuneCode);
        ok(&f, "06184", "06184");
        ok(&f, " 05977 ", "05977");
        bad(&f, "6184", "is not a commune code");
        bad(&f, "0618a", "is not a commune code");
        bad(&f, "05923", "not a known Lạng Sơn commune code");
    }

    #[test]
    fn number() {
        let f = field(FieldType::Number);
        for (i, w) in [
            ("42", "42"),
            ("007", "7"),
            ("+3", "3"),
            ("-12", "-12"),
            ("3.50", "3.5"),
            ("0.0", "0"),
            ("-0", "0"),
            (".5", "0.5"),
            ("5.", "5"),
            ("1500000", "1500000"),
        ] {
            ok(&f, i, w);
        }
        for b in ["12a", "1,5", "1.000.000", "--1", "-", ".", "1e5", "½"] {
            bad(&f, b, "is not a number");
        }
    }

    #[test]
    fn boolean() {
        let f = field(FieldType::Bool);
        for t in ["true", "TRUE", "yes", "có", "Có", "co", "1"] {
            ok(&f, t, "true");
        }
        for t in ["false", "no", "không", "KHÔNG", "khong", "0"] {
            ok(&f, t, "false");
        }
        ok(&f, &"không".nfd().collect::<String>(), "false");
        bad(&f, "maybe", "is not yes or no");
    }

    #[test]
    fn registry_flag_and_serde() {
        let mut f = field(FieldType::Text);
        assert!(!f.is_from_registry());
        f.source = Some("population:spouse.full_name".into());
        assert!(f.is_from_registry());
        assert_eq!(
            f.registry_source().and_then(|s| s.relation),
            Some("spouse".into())
        );
        let json = serde_json::to_value(&f).expect("json");
        assert_eq!(json["type"], "text");
        let back: FieldDef = serde_json::from_value(json).expect("json");
        assert_eq!(back, f);
        let minimal: FieldDef = serde_json::from_str(
            r#"{"name":"x","label_vi":"X","label_en":"X","type":"commune_code"}"#,
        )
        .expect("json");
        assert_eq!(minimal.section, "form");
        assert!(!minimal.required);
        assert_eq!(minimal.ty.to_string(), "commune_code");
    }
}
