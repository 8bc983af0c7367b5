//! `hoso check [--repair]`: the store verified offline against itself (see
//! `hoso_node::CheckReport`). Exit 0 when consistent, 3 when something is wrong. `--repair`
//! needs a supervisor (`--officer`, a session or the passphrase) and is an audit entry.

use std::process::ExitCode;

use hoso_node::CheckReport;

use crate::cli::Cli;
use crate::data_dir::open;
use crate::exit::TamperingFound;
use crate::output;

/// The one-line summary of a report that found problems.
pub(super) fn summary(r: &CheckReport) -> String {
    format!(
        "store check: {} problem(s) in {} case document(s); first: {}",
        r.problem_count,
        r.documents,
        r.problems
            .first()
            .map(|p| match p.case {
                Some(c) => format!(
                    "case {}{}: {}",
                    c,
                    p.receipt_code
                        .as_deref()
                        .map(|r| format!(" ({r})"))
                        .unwrap_or_default(),
                    p.what
                ),
                None => p.what.clone(),
            })
            .unwrap_or_default()
    )
}

/// Prints a report as text.
pub(super) fn print(r: &CheckReport) {
    if r.ok {
        println!(
            "store ok: {} case document(s) load whole, their summaries, {} index row(s) and receipts equal a rebuild; {} officer account(s)",
            r.documents, r.index_rows, r.officers
        );
        return;
    }
    println!(
        "STORE DAMAGED: {} problem(s) over {} case document(s)",
        r.problem_count, r.documents
    );
    for p in r.problems.iter().take(50) {
        let case = p
            .case
            .map(|c| {
                format!(
                    "case {c}{} ",
                    p.receipt_code
                        .as_deref()
                        .map(|r| format!(" ({r})"))
                        .unwrap_or_default()
                )
            })
            .unwrap_or_default();
        println!("  {}: {case}{}", p.kind, p.what);
    }
    if r.problem_count > 50 {
        println!(
            "  … {} more (use --json for the first 1000)",
            r.problem_count - 50
        );
    }
    if r.problems.iter().any(|p| p.kind == "damaged-document") {
        println!(
            "A damaged document cannot be rebuilt here: {}.",
            hoso_node::RECOVER
        );
    } else {
        println!(
            "Summaries and indexes are rebuilt from the documents by a supervisor: `hoso --officer SUPERVISOR check --repair`."
        );
    }
}

/// Runs `hoso check`.
pub(super) fn run(cli: &Cli, repair: bool) -> anyhow::Result<ExitCode> {
    let node = open(cli)?;
    if repair {
        // A rebuild rewrites what every list and search shows: a supervisor's act, audited.
        let by = hoso_node::Author::Officer(crate::auth::acting(cli, &node)?);
        let done = node.repair_derived(&by)?;
        if !cli.json {
            match done {
                Some(n) => println!(
                    "rebuilt the summary, index and receipt rows of {n} case(s) (audited as store_repair)"
                ),
                None => println!("nothing to repair"),
            }
        }
    }
    let bars = crate::progress::Bars::new(cli);
    let report = node.check_store_with(&bars)?;
    bars.clear();
    if cli.json {
        output::json(&report)?;
    } else {
        print(&report);
    }
    if report.ok {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(TamperingFound(summary(&report)).into())
    }
}
