//! `hoso backup --out FILE` and `hoso backup verify FILE` (issue 12; format in
//! `hoso_node::backup`).

use std::path::Path;
use std::process::ExitCode;

use crate::cli::{BackupArgs, BackupCmd, Cli};
use crate::data_dir::{data_dir, open};
use crate::exit::UsageError;
use crate::{out_file, output};

/// The first 16 characters of a node id as recorded in a backup (read from the file: never
/// sliced by bytes).
pub(super) fn short(id: &str) -> String {
    id.chars().take(16).collect()
}

/// The directory a file lives in (scratch space for the store copy).
fn dir_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Runs `hoso backup`.
pub(super) fn run(cli: &Cli, args: &BackupArgs) -> anyhow::Result<ExitCode> {
    match (&args.cmd, &args.out) {
        (Some(BackupCmd::Verify { file }), _) => verify(cli, file),
        (None, Some(out)) => {
            let node = open(cli)?;
            let target = out_file::check_target(out, &data_dir(cli))?;
            let scratch = dir_of(&target).to_path_buf();
            let info = out_file::write(out, &data_dir(cli), |w| Ok(node.backup(w, &scratch)?))?;
            if cli.json {
                output::json(&info)?;
            } else {
                println!(
                    "backup of {} ({}) written to {}: {} cases, chain of {} entries, {} tables, {} rows, store {} bytes, files {}",
                    info.name,
                    short(&info.node_id),
                    out.display(),
                    info.cases,
                    info.chain_length,
                    info.tables,
                    info.rows,
                    info.store_bytes,
                    info.files.join(", ")
                );
                println!("it holds the node key: keep it as safe as the node");
            }
            Ok(ExitCode::SUCCESS)
        }
        (None, None) => Err(UsageError(
            "say where: `hoso backup --out FILE`, or `hoso backup verify FILE`".into(),
        )
        .into()),
    }
}

fn verify(cli: &Cli, file: &Path) -> anyhow::Result<ExitCode> {
    let v = hoso_node::backup::verify(file, dir_of(file))?;
    let ok = v.check.ok && v.cases == v.info.cases && v.chain_length == v.info.chain_length;
    if cli.json {
        output::json(&serde_json::json!({"ok": ok, "backup": v}))?;
    } else {
        crate::output::safe_println!(
            "backup of {} ({}) taken {}: {} cases, chain of {} entries, store check {}",
            v.info.name,
            short(&v.info.node_id),
            taken_vn(&v.info.taken_at),
            v.cases,
            v.chain_length,
            if v.check.ok {
                "ok".to_string()
            } else {
                format!("found {} problem(s)", v.check.problem_count)
            }
        );
    }
    if ok {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(crate::exit::TamperingFound(format!(
            "backup {} does not check: {} problem(s) in its store, {} of {} cases, {} of {} chain entries",
            file.display(),
            v.check.problem_count,
            v.cases,
            v.info.cases,
            v.chain_length,
            v.info.chain_length
        ))
        .into())
    }
}

/// A backup's RFC 3339 time as the CLI shows times: dd/mm/yyyy HH:MM, Vietnam time (the text as
/// stored when it does not parse).
pub(crate) fn taken_vn(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| {
            t.with_timezone(&hoso_node::deadline::vn_offset())
                .format("%d/%m/%Y %H:%M (Vietnam time)")
                .to_string()
        })
        .unwrap_or_else(|_| rfc3339.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_backup_time_is_shown_in_vietnam_time() {
        assert_eq!(
            super::taken_vn("2026-12-01T11:56:03.12+00:00"),
            "01/12/2026 18:56 (Vietnam time)"
        );
        assert_eq!(super::taken_vn("yesterday"), "yesterday");
    }
}
