//! `hoso registry …`.

use std::io::BufReader;
use std::process::ExitCode;

use anyhow::Context;

use super::open;
use crate::cli::{Cli, RegistryCmd};
use crate::output;

/// Runs a registry command.
pub fn run(cli: &Cli, cmd: &RegistryCmd) -> anyhow::Result<ExitCode> {
    let node = open(cli)?;
    match cmd {
        RegistryCmd::Import { file } => {
            let name = file.display().to_string();
            let f = std::fs::File::open(file).with_context(|| format!("opening {name}"))?;
            let acting = crate::auth::acting(cli, &node)?;
            let r = node.import_registry(&name, BufReader::new(f), Some(&acting.id))?;
            if cli.json {
                output::json(&r)?;
            } else {
                println!(
                    "imported {} citizens from {name} ({} new, {} replaced)",
                    r.records, r.added, r.replaced
                );
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
                println!("{}  {}", c.citizen_id, c.full_name);
                println!("  born       {} ({})", c.date_of_birth, c.sex.label_vi());
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
                        println!("  {k:<10} {v}");
                    }
                }
                println!("  commune    {}", c.commune_code);
                println!("  digest     {}", r.digest);
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
