//! `hoso procedures …`.

use std::process::ExitCode;

use super::open;
use crate::cli::{Cli, ProceduresCmd};
use crate::output;

/// Runs a procedures command. Works without a node: then the built-in catalog is shown.
pub fn run(cli: &Cli, cmd: &ProceduresCmd) -> anyhow::Result<ExitCode> {
    let catalog = match open(cli) {
        Ok(node) => node.catalog().clone(),
        Err(_) => hoso_schemas::Catalog::builtin()?,
    };
    match cmd {
        ProceduresCmd::List => {
            let list: Vec<_> = catalog.iter().collect();
            if cli.json {
                output::json(&list)?;
            } else {
                let rows: Vec<Vec<String>> = list
                    .iter()
                    .map(|p| {
                        vec![
                            p.code.clone(),
                            p.name_vi.clone(),
                            format!("{} d", p.processing_days),
                            if p.is_bundle() {
                                format!("bundle: {}", p.tracks.join(" + "))
                            } else {
                                p.agency.clone()
                            },
                        ]
                    })
                    .collect();
                output::table(&["CODE", "NAME", "DAYS", "AGENCY / TRACKS"], &rows);
            }
        }
        ProceduresCmd::Show { code } => {
            let p = catalog.procedure(code)?;
            if cli.json {
                output::json(p)?;
            } else {
                println!("{}  {} ({})", p.code, p.name_vi, p.name_en);
                println!("  agency       {}", p.agency);
                println!("  legal basis  {}", p.legal_basis);
                println!("  deadline     {} working day(s)", p.processing_days);
                if p.is_bundle() {
                    println!("  tracks       {}", p.tracks.join(", "));
                }
                println!("  fields:");
                for f in &p.fields {
                    println!(
                        "    {:<28} {:<12} {:<9} {}{}",
                        f.name,
                        f.ty.to_string(),
                        if f.required { "required" } else { "" },
                        f.source
                            .as_deref()
                            .map(|s| format!("from {s}"))
                            .unwrap_or_else(|| "citizen provides".into()),
                        if f.options.is_empty() {
                            String::new()
                        } else {
                            format!("  [{}]", f.options.join(" | "))
                        }
                    );
                }
                println!("  workflow (from {}):", p.workflow.initial);
                for t in &p.workflow.transitions {
                    let roles: Vec<&str> = t.roles.iter().map(|r| r.as_str()).collect();
                    println!(
                        "    {:<22} -> {:<22} {}",
                        t.from.as_str(),
                        t.to.as_str(),
                        roles.join(", ")
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
