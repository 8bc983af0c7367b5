//! `hoso registry …`.

use std::io::BufReader;
use std::process::ExitCode;

use anyhow::Context;

use crate::cli::{Cli, RegistryCmd};
use crate::data_dir::open;
use crate::output;

/// Runs a registry command.
pub(super) fn run(cli: &Cli, cmd: &RegistryCmd) -> anyhow::Result<ExitCode> {
    let node = open(cli)?;
    match cmd {
        RegistryCmd::Import {
            file,
            extract_date,
            extract_version,
        } => {
            let name = file.display().to_string();
            let date = extract_date
                .as_deref()
                .map(|d| {
                    hoso_schemas::parse_date(d).ok_or_else(|| {
                        crate::exit::UsageError(format!("--extract-date `{d}` is not dd/mm/yyyy"))
                    })
                })
                .transpose()?;
            let f = std::fs::File::open(file).with_context(|| format!("opening {name}"))?;
            let acting = crate::auth::acting(cli, &node)?;
            // A supervisor replaces registry records: the write path checks the role. The
            // cases of citizens missing from the old extract are rechecked in the same write.
            let r = node.import_registry_extract(
                &name,
                BufReader::new(f),
                &hoso_node::Author::Officer(acting),
                hoso_node::node::ExtractLabel {
                    date,
                    version: extract_version.clone(),
                },
            )?;
            if cli.json {
                output::json(&r)?;
            } else {
                println!(
                    "imported {} citizens from {name} ({} new, {} replaced); extract {}",
                    r.import.records,
                    r.import.added,
                    r.import.replaced,
                    r.extract.extract.label_vi()
                );
                super::intake::print_recheck(&r.recheck);
            }
        }
        RegistryCmd::Recheck => {
            let acting = crate::auth::acting(cli, &node)?;
            let r = node.recheck_registry(&hoso_node::Author::Officer(acting))?;
            if cli.json {
                output::json(&r)?;
            } else {
                super::intake::print_recheck(&r);
            }
        }
        RegistryCmd::Show { citizen_id } => {
            let r = node.registry_get(citizen_id)?;
            if cli.json {
                let mut v = serde_json::to_value(&r.citizen)?;
                if let Some(o) = v.as_object_mut() {
                    o.insert("digest".into(), r.digest.clone().into());
                }
                output::json(&v)?;
            } else {
                let c = &r.citizen;
                output::safe_println!("{}  {}", c.citizen_id, c.full_name);
                output::safe_println!("  born       {} ({})", c.date_of_birth, c.sex.label_vi());
                for (k, v) in [
                    ("ethnicity", &c.ethnicity),
                    ("address", &c.address),
                    ("household", &c.household_id),
                    ("marital", &c.marital_status),
                    ("father", &c.father_id),
                    ("mother", &c.mother_id),
                    ("spouse", &c.spouse_id),
                    ("died", &c.date_of_death),
                ] {
                    if let Some(v) = v {
                        output::safe_println!("  {k:<10} {v}");
                    }
                }
                output::safe_println!("  commune    {}", c.commune_code);
                output::safe_println!("  digest     {}", r.digest);
            }
        }
        RegistryCmd::List { search, limit } => {
            let rows = node.registry_search(search.as_deref().unwrap_or(""), *limit)?;
            if cli.json {
                let v: Vec<_> = rows.iter().map(|r| &r.citizen).collect();
                output::json(&v)?;
            } else {
                let t: Vec<Vec<String>> = rows
                    .iter()
                    .map(|r| {
                        let c = &r.citizen;
                        vec![
                            c.citizen_id.clone(),
                            c.full_name.clone(),
                            c.date_of_birth.clone(),
                            c.sex.label_vi().to_string(),
                            c.commune_code.clone(),
                        ]
                    })
                    .collect();
                output::table(&["CITIZEN ID", "NAME", "BORN", "SEX", "COMMUNE"], &t);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
