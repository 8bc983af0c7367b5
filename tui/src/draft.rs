//! Drafts: what an officer has typed but not yet saved, kept so that nothing typed is lost to a
//! stray `Esc`, a quit or a crash.
//!
//! A draft is the officer's own scratch, not a record: it lives in one small JSON file per
//! officer under `<data dir>/drafts/` (directory mode 0700, file mode 0600), outside the audited
//! store, and is never synced. It holds the new-case form being filled (procedure, citizen id,
//! the values typed so far), the unsaved note of each case and the unsaved form over a case
//! (a correction, a result, a payment, a supplement request, an apology). The console writes it after every
//! change to what was typed (through [`crate::effect::Effect::SaveDraft`], off the input path),
//! atomically (a temp file renamed over the old one), and reads it back at login: reopening the
//! form or the note box brings the text back.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// A new-case form being filled.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCaseDraft {
    /// Procedure code.
    pub procedure: String,
    /// Citizen id typed.
    pub citizen_id: String,
    /// Values typed into the citizen-provided fields, by field name.
    pub fields: BTreeMap<String, String>,
}

impl NewCaseDraft {
    /// Nothing worth keeping was typed.
    pub fn is_empty(&self) -> bool {
        self.citizen_id.trim().is_empty() && self.fields.values().all(|v| v.trim().is_empty())
    }
}

/// Everything one officer has typed and not saved.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// The new-case form, if one is being filled.
    #[serde(default)]
    pub new_case: Option<NewCaseDraft>,
    /// Unsaved notes, by case id.
    #[serde(default)]
    pub notes: BTreeMap<String, String>,
    /// Unsaved forms over a case (a correction, a result, a payment, …), by case id.
    #[serde(default)]
    pub forms: BTreeMap<String, FormDraft>,
}

/// A form over a case, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormDraft {
    /// Which form (`edit:<field>`, `result`, `payment`, `supplement`, `apology`).
    pub kind: String,
    /// Each row's value (a choice row: the chosen value).
    pub values: Vec<String>,
}

impl Draft {
    /// Nothing to keep.
    pub fn is_empty(&self) -> bool {
        self.new_case.is_none() && self.notes.is_empty() && self.forms.is_empty()
    }
}

/// Most bytes read back from a draft file (a bigger one is ignored, not trusted).
const MAX_BYTES: u64 = 1 << 20;

/// The draft file of `officer` under `dir` (the officer id is reduced to safe characters).
pub fn path(dir: &Path, officer: &str) -> PathBuf {
    let safe: String = officer
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    dir.join(format!("{safe}.json"))
}

/// Reads a draft; a missing, unreadable or oversized file is an empty draft (it is scratch).
pub fn load(file: &Path) -> Draft {
    let Ok(meta) = std::fs::metadata(file) else {
        return Draft::default();
    };
    if meta.len() > MAX_BYTES {
        tracing::warn!(file = %file.display(), "draft file too large; ignored");
        return Draft::default();
    }
    std::fs::read(file)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

/// Write order across the process (every console of it), for [`save`].
static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// The next write number.
pub fn next_seq() -> u64 {
    SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// The newest write per file wins even when writes finish out of order.
static LAST: Mutex<BTreeMap<PathBuf, u64>> = Mutex::new(BTreeMap::new());

/// Writes `draft` (or removes the file when it is empty), unless a newer `seq` was written
/// already. Mode 0600, in a 0700 directory, atomically.
pub fn save(file: &Path, seq: u64, draft: &Draft) -> std::io::Result<()> {
    let mut last = LAST
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if last.get(file).is_some_and(|s| *s > seq) {
        return Ok(());
    }
    last.insert(file.to_path_buf(), seq);
    if draft.is_empty() {
        return match std::fs::remove_file(file) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        };
    }
    let dir = file.parent().unwrap_or(Path::new("."));
    create_private_dir(dir)?;
    let tmp = file.with_extension("json.tmp");
    {
        let mut f = open_private(&tmp)?;
        let bytes = serde_json::to_vec(draft).map_err(std::io::Error::other)?;
        f.write_all(&bytes)?;
        f.sync_data()?;
    }
    std::fs::rename(&tmp, file)
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    if !dir.exists() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
    }
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(unix)]
fn open_private(p: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let f = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .mode(0o600)
        .open(p)?;
    f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    Ok(f)
}

#[cfg(not(unix))]
fn open_private(p: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::create(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_private_and_newest_wins() {
        let dir = tempfile::tempdir().expect("dir");
        let file = path(&dir.path().join("drafts"), "canbo/01");
        assert!(file.ends_with("canbo_01.json"));
        let mut d = Draft::default();
        d.notes
            .insert("abc".into(), "Công dân hẹn chiều mai".into());
        let (older, newer) = (next_seq(), next_seq());
        save(&file, newer, &d).expect("save");
        // An older write finishing late is dropped.
        save(&file, older, &Draft::default()).expect("stale");
        assert_eq!(load(&file), d);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        save(&file, next_seq(), &Draft::default()).expect("clear");
        assert!(!file.exists());
        assert_eq!(load(&file), Draft::default());
    }
}
