//! `<data dir>/forms/forms.toml`: paper sizes per form.
//!
//! ```toml
//! [paper]
//! receipt = "a4"     # receipt, supplement, refusal, apology, tracking: "a4" or "a5"
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::FormError;
use crate::kind::{FormKind, Paper};

/// The settings file name inside the forms dir.
pub const SETTINGS_FILE: &str = "forms.toml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    paper: BTreeMap<String, String>,
}

/// The paper sizes a settings file sets.
pub(crate) fn parse(path: &str, text: &str) -> Result<Vec<(FormKind, Paper)>, FormError> {
    let bad = |message: String| FormError::Settings {
        path: path.to_string(),
        message,
    };
    let raw: Raw = toml::from_str(text).map_err(|e| bad(e.message().to_string()))?;
    let mut out = Vec::new();
    for (form, paper) in raw.paper {
        let kind: FormKind = form
            .parse()
            .map_err(|e: crate::UnknownForm| bad(e.to_string()))?;
        let paper: Paper = paper
            .parse()
            .map_err(|e: crate::UnknownPaper| bad(format!("[paper] {form}: {e}")))?;
        out.push((kind, paper));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn papers_and_errors() {
        let got = parse("f.toml", "[paper]\nreceipt = \"A4\"\ntracking = \"a5\"\n").expect("ok");
        assert_eq!(
            got,
            [
                (FormKind::Receipt, Paper::A4),
                (FormKind::Tracking, Paper::A5)
            ]
        );
        let e = parse("f.toml", "[paper]\nreceit = \"a4\"\n").expect_err("form");
        assert!(e.to_string().contains("unknown form `receit`"), "{e}");
        let e = parse("f.toml", "[paper]\nreceipt = \"letter\"\n").expect_err("paper");
        assert!(e.to_string().contains("expected a4 or a5"), "{e}");
        let e = parse("f.toml", "[papers]\n").expect_err("key");
        assert!(e.to_string().starts_with("f.toml: "), "{e}");
    }
}
