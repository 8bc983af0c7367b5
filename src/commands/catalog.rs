//! `hoso procedures …`.

use std::process::ExitCode;

use hoso_schemas::{Catalog, Procedure};

use crate::cli::{Cli, ProceduresCmd};
use crate::data_dir::reference;
use crate::exit::UsageError;
use crate::output;

/// Runs a procedures command. Needs no node: on a node, the catalog version in force (a
/// version published by the hub once one is applied, issue 12); without one, the data dir's
/// catalog override when there is one, else the built-in catalog.
pub(super) fn run(cli: &Cli, cmd: &ProceduresCmd) -> anyhow::Result<ExitCode> {
    // A node that cannot be opened now (held by another process) falls back to the files.
    let in_force = crate::data_dir::data_dir(cli)
        .join(hoso_node::node::paths::CONFIG)
        .is_file()
        .then(|| crate::data_dir::open(cli).ok())
        .flatten()
        .map(|n| n.catalog().clone());
    let catalog = match in_force {
        Some(c) => c,
        None => reference(cli)?.catalog,
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
                            p.short_name.clone(),
                            days(p),
                            p.fee
                                .as_ref()
                                .map(hoso_schemas::Fee::label_vi)
                                .unwrap_or_default(),
                            p.national_code.clone().unwrap_or_else(|| "–".into()),
                            if p.is_bundle() {
                                format!("liên thông: {}", p.tracks.join(" + "))
                            } else {
                                p.agency.clone()
                            },
                        ]
                    })
                    .collect();
                output::table(
                    &[
                        "CODE",
                        "TÊN",
                        "THỜI HẠN",
                        "PHÍ, LỆ PHÍ",
                        "MÃ TTHC",
                        "CƠ QUAN / LIÊN THÔNG",
                    ],
                    &rows,
                );
            }
        }
        ProceduresCmd::Show { code } => {
            let p = catalog
                .procedure(code)
                .map_err(|e| UsageError(e.to_string()))?;
            if cli.json {
                output::json(p)?;
            } else {
                show(&catalog, p);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn days(p: &Procedure) -> String {
    let d = &p.deadline;
    let base = if d.working_days == 0 {
        "trong ngày".to_string()
    } else {
        format!("{} ngày", d.working_days)
    };
    match d.verification_working_days {
        Some(v) => format!("{base} ({v})"),
        None => base,
    }
}

fn show(catalog: &Catalog, p: &Procedure) {
    println!("{}  {} ({})", p.code, p.name_vi, p.name_en);
    println!("  tên ngắn       {}", p.short_name);
    println!(
        "  mã TTHC        {}{}",
        p.national_code.as_deref().unwrap_or("chưa có"),
        p.national_code_source
            .as_deref()
            .map(|s| format!("  [{s}]"))
            .unwrap_or_default()
    );
    println!("  cơ quan        {}", p.agency);
    println!("  căn cứ pháp lý {}", p.legal_basis);
    println!("  thời hạn       {}", p.deadline.label_vi());
    if let Some(s) = p.deadline.supplement_working_days {
        println!("  bổ sung        trong {s} ngày làm việc");
    }
    println!("    nguồn        {}", p.deadline.source);
    match &p.fee {
        Some(f) => {
            println!("  phí, lệ phí    {}", f.label_vi());
            println!("    nguồn        {}", f.source);
            for e in &f.exemptions {
                println!("    miễn, giảm   {e}");
            }
            if let Some(n) = &f.note {
                println!("    ghi chú      {n}");
            }
        }
        None => println!("  phí, lệ phí    (danh mục không ghi)"),
    }
    println!(
        "  thu phí        {}",
        if p.has_payment_step() {
            "có bước chờ thực hiện nghĩa vụ tài chính (awaiting_payment)"
        } else {
            "không có bước thu phí"
        }
    );
    if p.is_bundle() {
        println!("  liên thông:");
        for t in &p.track_specs {
            let name = catalog
                .get(&t.procedure)
                .map_or(t.procedure.as_str(), |q| q.short_name.as_str());
            let from = match &t.after {
                Some(a) => format!(
                    "kể từ khi {} xong",
                    catalog.get(a).map_or(a.as_str(), |q| q.short_name.as_str())
                ),
                None => "kể từ khi tiếp nhận".into(),
            };
            println!(
                "    {:<16} {} — {}, {from}{}",
                name,
                t.agency,
                t.deadline.limit_vi(),
                if t.optional { " (tùy chọn)" } else { "" }
            );
            println!("      nguồn      {}", t.deadline.source);
        }
    }
    if !p.documents.is_empty() {
        println!("  thành phần hồ sơ:");
        for d in &p.documents {
            println!("    - {d}");
        }
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
