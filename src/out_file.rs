//! Safe file output: every file the CLI writes on request (`export --out`, `audit export`,
//! `case print --out`) goes through [`write`].
//!
//! - The data is written to a **new** file with a random name in the target's directory,
//!   created exclusively (`O_CREAT|O_EXCL`, which never follows a link), synced, then renamed
//!   over the target: a planted `F.tmp` link is never touched and a reader never sees half a file.
//! - The target must be a regular file or absent: a device (`/dev/full`), FIFO, socket,
//!   directory or symbolic link is refused, never replaced.
//! - A target inside the node's data dir is refused, whatever path leads there (`..`, links in
//!   the directory part): an export must never overwrite the live store or the node key.

use std::io::Write;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};

use crate::exit::UsageError;

/// Why a target was refused (exit code 2: the caller's input).
fn refuse(msg: String) -> anyhow::Error {
    UsageError(msg).into()
}

/// Checks `path` as an output target next to the node in `data_dir`; returns the target with
/// its directory resolved (no links left in the directory part).
pub(crate) fn check_target(path: &Path, data_dir: &Path) -> anyhow::Result<PathBuf> {
    let name = path.file_name().ok_or_else(|| {
        refuse(format!(
            "{} is not a file name: give the file to write, e.g. --out export.jsonl",
            path.display()
        ))
    })?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let dir = parent.canonicalize().map_err(|e| {
        refuse(format!(
            "cannot write in {}: {e}; create the directory first",
            parent.display()
        ))
    })?;
    let target = dir.join(name);
    if let Ok(data) = data_dir.canonicalize()
        && target.starts_with(&data)
    {
        return Err(refuse(format!(
            "{} is inside the node's data dir {}: write exports elsewhere (the data dir holds the live store and the node key)",
            path.display(),
            data.display()
        )));
    }
    match std::fs::symlink_metadata(&target) {
        Ok(m) => {
            let t = m.file_type();
            let what = if t.is_symlink() {
                Some("a symbolic link")
            } else if t.is_char_device() || t.is_block_device() {
                Some("a device file")
            } else if t.is_fifo() {
                Some("a FIFO")
            } else if t.is_socket() {
                Some("a socket")
            } else if t.is_dir() {
                Some("a directory")
            } else {
                None
            };
            if let Some(what) = what {
                return Err(refuse(format!(
                    "{} is {what}: give the path of a regular file to write",
                    path.display()
                )));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(refuse(format!("cannot write {}: {e}", path.display()))),
    }
    Ok(target)
}

/// Writes `path` with what `fill` writes, as described in the module docs. The file is created
/// with mode 0600 (exports hold citizen data). Returns what `fill` returns.
pub(crate) fn write<T>(
    path: &Path,
    data_dir: &Path,
    fill: impl FnOnce(&mut dyn Write) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let target = check_target(path, data_dir)?;
    let dir = target.parent().unwrap_or(Path::new("."));
    let prefix = format!(
        ".{}.",
        target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    );
    let tmp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".partial")
        .tempfile_in(dir)
        .map_err(|e| anyhow::anyhow!("cannot write in {}: {e}", dir.display()))?;
    let mut w = std::io::BufWriter::new(tmp);
    let value = fill(&mut w)?;
    let tmp = w
        .into_inner()
        .map_err(|e| anyhow::anyhow!("cannot write {}: {}", path.display(), e.error()))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    // Checked again just before the rename: the target must still be replaceable.
    check_target(path, data_dir)?;
    tmp.persist(&target)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {}", path.display(), e.error))?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_devices_links_dirs_and_the_data_dir() {
        let tmp = tempfile::tempdir().expect("tmp");
        let data = tmp.path().join("node");
        std::fs::create_dir(&data).expect("mkdir");
        assert!(check_target(Path::new("/dev/null"), &data).is_err());
        assert!(check_target(tmp.path(), &data).is_err());
        assert!(check_target(&data.join("store.redb"), &data).is_err());
        assert!(check_target(&data.join("../node/x"), &data).is_err());
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(data.join("store.redb"), &link).expect("symlink");
        assert!(check_target(&link, &data).is_err());
        assert!(check_target(&tmp.path().join("ok.jsonl"), &data).is_ok());
    }

    #[test]
    fn writes_through_a_new_file_and_leaves_a_planted_tmp_alone() {
        let tmp = tempfile::tempdir().expect("tmp");
        let victim = tmp.path().join("victim");
        std::fs::write(&victim, "keep").expect("write");
        let out = tmp.path().join("out.jsonl");
        std::os::unix::fs::symlink(&victim, tmp.path().join("out.jsonl.tmp")).expect("symlink");
        write(&out, Path::new("/nonexistent-data-dir"), |w| {
            w.write_all(b"data\n")?;
            Ok(())
        })
        .expect("write");
        assert_eq!(std::fs::read_to_string(&out).expect("read"), "data\n");
        assert_eq!(std::fs::read_to_string(&victim).expect("read"), "keep");
    }
}
