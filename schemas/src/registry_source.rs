//! Field sources: `population:<path>` names an attribute of the population registry record.

use std::fmt;

use serde::Serialize;

/// Attributes of a population registry record a field can be filled from.
pub const REGISTRY_ATTRS: &[&str] = &[
    "citizen_id",
    "full_name",
    "date_of_birth",
    "sex",
    "ethnicity",
    "nationality",
    "hometown",
    "commune_code",
    "address",
    "household_id",
    "marital_status",
    "date_of_death",
];

/// Relations of the case's citizen that a source may go through (one step only).
pub const REGISTRY_RELATIONS: &[&str] = &["spouse", "father", "mother"];

/// The prefix of every registry source.
pub const POPULATION_PREFIX: &str = "population:";

/// A parsed `population:[relation.]attr` source.
///
/// ```
/// let s = hoso_schemas::parse_source("population:spouse.full_name").unwrap();
/// assert_eq!(s.relation.as_deref(), Some("spouse"));
/// assert_eq!(s.attr, "full_name");
/// assert_eq!(s.to_string(), "population:spouse.full_name");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct RegistrySource {
    /// `None` for the case's own citizen, or one of [`REGISTRY_RELATIONS`].
    pub relation: Option<String>,
    /// One of [`REGISTRY_ATTRS`].
    pub attr: String,
}

impl fmt::Display for RegistrySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.relation {
            Some(r) => write!(f, "{POPULATION_PREFIX}{r}.{}", self.attr),
            None => write!(f, "{POPULATION_PREFIX}{}", self.attr),
        }
    }
}

/// Parses a `population:<path>` source. The error is a one-line message saying what is
/// expected (it does not repeat the source text's location; the catalog adds that).
pub fn parse_source(s: &str) -> Result<RegistrySource, String> {
    let Some(path) = s.strip_prefix(POPULATION_PREFIX) else {
        return Err(format!(
            "unknown source `{s}` (expected `population:<attr>` or `population:<relation>.<attr>`)"
        ));
    };
    let (relation, attr) = match path.split_once('.') {
        Some((r, a)) => (Some(r), a),
        None => (None, path),
    };
    if let Some(r) = relation
        && !REGISTRY_RELATIONS.contains(&r)
    {
        return Err(format!(
            "unknown registry relation `{r}` in source `{s}` (expected one of: {})",
            REGISTRY_RELATIONS.join(", ")
        ));
    }
    if !REGISTRY_ATTRS.contains(&attr) {
        return Err(format!(
            "unknown registry attribute `{attr}` in source `{s}` (expected one of: {})",
            REGISTRY_ATTRS.join(", ")
        ));
    }
    Ok(RegistrySource {
        relation: relation.map(str::to_string),
        attr: attr.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_sources() {
        for a in REGISTRY_ATTRS {
            let s = format!("population:{a}");
            let p = parse_source(&s).expect("valid");
            assert_eq!(p.relation, None);
            assert_eq!(p.to_string(), s);
            for r in REGISTRY_RELATIONS {
                let s = format!("population:{r}.{a}");
                assert_eq!(parse_source(&s).expect("valid").to_string(), s);
            }
        }
    }

    #[test]
    fn bad_sources() {
        let e = parse_source("population:shoe_size").expect_err("expected an error");
        assert!(e.contains("unknown registry attribute `shoe_size`"), "{e}");
        let e = parse_source("population:uncle.full_name").expect_err("expected an error");
        assert!(e.contains("unknown registry relation `uncle`"), "{e}");
        assert!(parse_source("population:spouse.father.full_name").is_err());
        assert!(parse_source("registry:full_name").is_err());
        assert!(parse_source("population:").is_err());
    }
}
