//! # hoso-forms
//!
//! The printed one-stop forms of Circular 01/2018/TT-VPCP as PDF: receipt and appointment
//! (Mẫu 01), supplement request (Mẫu 02), refusal (Mẫu 03), apology with a new appointment
//! date (Mẫu 04) and the case tracking sheet (Mẫu 05). A5, the tracking sheet A4; the size is a
//! setting.
//!
//! Forms are typeset by [typst](https://typst.app) used as a library, offline. Each form is a
//! `.typ` template (built in from `forms/templates/`, overridable by a province: a file of the
//! same name in `<data dir>/forms/` replaces the built-in one, no rebuild needed) that reads the
//! case from `/data.json` ([`FormData`]). The Liberation Serif fonts (SIL OFL 1.1,
//! metric-compatible with Times New Roman, which Decree 30/2020/NĐ-CP prescribes; every
//! Vietnamese letter covered) are embedded in the binary and in every PDF.
//!
//! This crate depends on `hoso-schemas` only: the caller turns a case into a [`FormCase`]. It
//! is the only crate that compiles typst, so nothing else pays its build time.
//!
//! ```no_run
//! # fn case() -> hoso_forms::FormCase { unimplemented!() }
//! # fn office() -> hoso_forms::Office { unimplemented!() }
//! use hoso_forms::{FormInput, Forms};
//! let forms = Forms::builtin();
//! let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
//! let pdf: Vec<u8> = forms.render(&FormInput::Receipt, &case(), &office(), today)?;
//! # Ok::<(), hoso_forms::FormError>(())
//! ```
//!
//! Modules (private; the API is re-exported here): `kind` (the five forms and their paper
//! sizes), `data` (what a form prints), `settings` (`forms.toml`), `world` (the typst `World`
//! of one form), `error`.

#![cfg_attr(not(test), deny(clippy::unwrap_used))]

mod data;
mod error;
mod kind;
mod settings;
mod world;

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use typst::layout::PagedDocument;
use typst::{World, WorldExt};

pub use data::{
    Apology, FeeDue, FormCase, FormData, FormInput, Office, Payment, Refusal, Step,
    SupplementRequest, TrackLine, date_words, dmy, time_words,
};
pub use error::FormError;
pub use kind::{FormKind, Paper, UnknownForm, UnknownPaper};
pub use settings::SETTINGS_FILE;
pub use world::{FONT_FAMILY, FormWorld, font_count};

/// The built-in templates: (file name, text). `common.typ` holds the letterhead and helpers
/// the forms import.
pub const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    ("common.typ", include_str!("../templates/common.typ")),
    ("receipt.typ", include_str!("../templates/receipt.typ")),
    (
        "supplement.typ",
        include_str!("../templates/supplement.typ"),
    ),
    ("refusal.typ", include_str!("../templates/refusal.typ")),
    ("apology.typ", include_str!("../templates/apology.typ")),
    ("tracking.typ", include_str!("../templates/tracking.typ")),
];

impl FormInput {
    /// Which form this input prints.
    pub fn kind(&self) -> FormKind {
        match self {
            FormInput::Receipt => FormKind::Receipt,
            FormInput::Supplement(_) => FormKind::Supplement,
            FormInput::Refusal(_) => FormKind::Refusal,
            FormInput::Apology(_) => FormKind::Apology,
            FormInput::Tracking => FormKind::Tracking,
        }
    }
}

/// The templates and settings forms are printed with.
#[derive(Clone, Debug)]
pub struct Forms {
    /// File name → (text, where it came from: `built-in` or a path).
    templates: BTreeMap<String, (String, String)>,
    papers: BTreeMap<FormKind, Paper>,
}

impl Forms {
    /// The built-in templates, each form on its circular size.
    pub fn builtin() -> Forms {
        Forms {
            templates: BUILTIN_TEMPLATES
                .iter()
                .map(|(n, t)| ((*n).to_string(), ((*t).to_string(), "built-in".to_string())))
                .collect(),
            papers: FormKind::ALL
                .iter()
                .map(|k| (*k, k.default_paper()))
                .collect(),
        }
    }

    /// The built-in templates with a province's overrides from `dir` (normally
    /// `<data dir>/forms/`): every `*.typ` file there replaces (or adds) the template of the
    /// same name, and [`SETTINGS_FILE`] sets paper sizes. A missing dir means no overrides.
    pub fn load(dir: &Path) -> Result<Forms, FormError> {
        let mut forms = Forms::builtin();
        if !dir.is_dir() {
            return Ok(forms);
        }
        let io = |p: &Path, e: std::io::Error| FormError::Io {
            path: p.display().to_string(),
            message: e.to_string(),
        };
        let mut paths = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(|e| io(dir, e))? {
            let path = entry.map_err(|e| io(dir, e))?.path();
            if path.extension().is_some_and(|x| x == "typ") && path.is_file() {
                paths.push(path);
            }
        }
        paths.sort();
        for p in paths {
            let text = std::fs::read_to_string(&p).map_err(|e| io(&p, e))?;
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            forms
                .templates
                .insert(name, (text, p.display().to_string()));
        }
        let settings = dir.join(SETTINGS_FILE);
        if settings.is_file() {
            let text = std::fs::read_to_string(&settings).map_err(|e| io(&settings, e))?;
            for (kind, paper) in settings::parse(&settings.display().to_string(), &text)? {
                forms.papers.insert(kind, paper);
            }
        }
        Ok(forms)
    }

    /// These forms with overrides given as `(file name, text)` pairs, as a published catalog
    /// bundle carries them (issue 12): a `*.typ` file replaces (or adds) the template of that
    /// name, [`SETTINGS_FILE`] sets paper sizes (checked as [`Forms::load`] checks it); other
    /// names are ignored. `origin` names where they came from.
    pub fn with_overrides(
        mut self,
        files: &[(String, String)],
        origin: &str,
    ) -> Result<Forms, FormError> {
        for (name, text) in files {
            if name == SETTINGS_FILE {
                for (kind, paper) in settings::parse(&format!("{origin}: {name}"), text)? {
                    self.papers.insert(kind, paper);
                }
            } else if name.ends_with(".typ") {
                self.templates
                    .insert(name.clone(), (text.clone(), format!("{origin}: {name}")));
            }
        }
        Ok(self)
    }

    /// The paper size a form prints on.
    pub fn paper(&self, kind: FormKind) -> Paper {
        self.papers
            .get(&kind)
            .copied()
            .unwrap_or(kind.default_paper())
    }

    /// Prints a form on another paper size from now on.
    pub fn set_paper(&mut self, kind: FormKind, paper: Paper) {
        self.papers.insert(kind, paper);
    }

    /// Where a template comes from: `built-in` or the override's path.
    pub fn origin(&self, name: &str) -> Option<&str> {
        self.templates.get(name).map(|(_, o)| o.as_str())
    }

    /// Typesets one form and returns the PDF bytes. `issued_on` is the date printed on it.
    pub fn render(
        &self,
        input: &FormInput,
        case: &FormCase,
        office: &Office,
        issued_on: NaiveDate,
    ) -> Result<Vec<u8>, FormError> {
        let kind = input.kind();
        let main_name = format!("{}.typ", kind.as_str());
        let (main_text, _) = self
            .templates
            .get(&main_name)
            .ok_or_else(|| FormError::MissingTemplate(main_name.clone()))?;
        let data = FormData::new(case, office, input, self.paper(kind).as_str(), issued_on);
        let json = serde_json::to_vec(&data).map_err(|e| FormError::Pdf(e.to_string()))?;
        let others: Vec<(&str, &str)> = self
            .templates
            .iter()
            .filter(|(n, _)| **n != main_name)
            .map(|(n, (t, _))| (n.as_str(), t.as_str()))
            .collect();
        let world = FormWorld::new(main_text, &others, json, issued_on);
        let doc: PagedDocument = typst::compile(&world)
            .output
            .map_err(|errors| self.template_error(&world, &main_name, &errors))?;
        typst_pdf::pdf(&doc, &typst_pdf::PdfOptions::default())
            .map_err(|errors| self.template_error(&world, &main_name, &errors))
    }

    /// The first typst error, with the template file and line it points at.
    fn template_error(
        &self,
        world: &FormWorld,
        main_name: &str,
        errors: &[typst::diag::SourceDiagnostic],
    ) -> FormError {
        let Some(first) = errors.first() else {
            return FormError::Pdf("typst reported an error without a message".into());
        };
        let (file, line) = match first.span.id() {
            Some(id) => {
                let name = world.name_of(id);
                let name = if name == "main.typ" {
                    main_name.to_string()
                } else {
                    name
                };
                let line = world
                    .range(first.span)
                    .and_then(|r| world.source(id).ok()?.lines().byte_to_line(r.start))
                    .map(|l| l + 1);
                (name, line)
            }
            None => (main_name.to_string(), None),
        };
        let origin = self.origin(&file).unwrap_or("built-in").to_string();
        FormError::Template {
            template: file,
            origin,
            line,
            message: first.message.to_string(),
            hint: first.hints.first().map(std::string::ToString::to_string),
        }
    }
}
