//! Officer authentication: passphrase checks with a persisted throttle and a signed audit entry
//! for every failure, and CLI sessions (`hoso login`) bound to the OS user who opened them.
//!
//! A session is two halves that must agree:
//! - the **session file** `<data dir>/session.<uid>` (mode 0600, owned by that uid, never a
//!   link) holds a random 32-byte token and the officer id;
//! - the **session row** in the store (table [`SESSIONS`], keyed by the token's blake3 hash, so
//!   a copy of the store alone opens nothing) holds the officer, the uid and the expiry.
//!
//! A session opens with the officer's passphrase ([`Node::start_session`]), is used by every
//! later CLI write of that OS user on that node ([`Node::resume_session`]), and ends with
//! `hoso logout` ([`Node::end_session`]) or [`SESSION_TTL`] after it was opened.
//!
//! Failed passphrase checks — console or CLI — are counted per officer id in
//! [`LOGIN_FAILURES`] and each is an audit entry ([`Action::LoginFailed`]); after
//! [`FREE_ATTEMPTS`] failures in a row, the next attempt must wait (doubling, at most
//! [`MAX_WAIT_SECS`]) and is refused unchecked until then. A success clears the count.

use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use redb::{ReadableDatabase, ReadableTable};
use serde::{Deserialize, Serialize};

use crate::chain::entry::Action;
use crate::error::{AccountError, EncodeError, NodeError, Result};
use crate::node::handle::Node;
use crate::officer::{self, Officer};
use crate::write::{AuthMethod, AuthenticatedOfficer};

pub(crate) use crate::store::tables::{LOGIN_FAILURES, SESSIONS};

/// How long a session lasts after `hoso login`.
pub const SESSION_TTL_MS: i64 = 8 * 3600 * 1000;
/// [`SESSION_TTL_MS`] as a duration.
pub const SESSION_TTL: std::time::Duration = std::time::Duration::from_secs(8 * 3600);
/// Failed logins in a row that cost nothing; after these each attempt waits.
pub const FREE_ATTEMPTS: u32 = 3;
/// The longest wait between attempts after repeated failures.
pub const MAX_WAIT_SECS: u64 = 300;
/// A session file is a few hundred bytes; anything bigger is not one.
const MAX_SESSION_FILE: u64 = 4096;

/// A session as stored in the node's store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    /// The officer the session acts as.
    pub officer: String,
    /// The OS user (uid) who opened it.
    pub uid: u32,
    /// When it was opened (Unix ms).
    pub opened_ms: i64,
    /// When it stops working (Unix ms).
    pub expires_ms: i64,
}

/// The session file's content.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct SessionFile {
    officer: String,
    uid: u32,
    token: String,
}

/// Consecutive failed logins of one officer id.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failures {
    /// Failures since the last success.
    pub count: u32,
    /// When the last one happened (Unix ms).
    pub last_ms: i64,
}

impl Failures {
    /// How long after the last failure the next attempt is admitted, in milliseconds.
    pub fn wait_ms(&self) -> i64 {
        if self.count < FREE_ATTEMPTS {
            return 0;
        }
        let doublings = (self.count - FREE_ATTEMPTS).min(16);
        let secs = (2u64 << doublings).min(MAX_WAIT_SECS);
        (secs * 1000) as i64
    }
}

/// An open session, as `hoso login` reports it.
#[derive(Clone, Debug, Serialize)]
pub struct Session {
    /// The officer (without the passphrase hash).
    pub officer: Officer,
    /// The OS user bound to it.
    pub uid: u32,
    /// When it stops working (Unix ms).
    pub expires_ms: i64,
    /// The session file.
    pub file: PathBuf,
}

/// The effective uid of this process.
pub fn current_uid() -> u32 {
    rustix::process::geteuid().as_raw()
}

/// The session file of OS user `uid` in `dir`.
pub fn session_path(dir: &Path, uid: u32) -> PathBuf {
    dir.join(format!("session.{uid}"))
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// `dd/mm/yyyy HH:MM` in Vietnam time, for messages.
pub fn vn_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| {
            t.with_timezone(&crate::deadline::vn_offset())
                .format("%d/%m/%Y %H:%M")
                .to_string()
        })
        .unwrap_or_else(|| ms.to_string())
}

fn token_key(token: &str) -> String {
    blake3::hash(token.as_bytes()).to_hex().to_string()
}

fn to_json<T: Serialize>(v: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(v).map_err(EncodeError::json("the session file"))
}

/// The officer id as it may appear in an audit payload: typed input, so bounded and printable.
fn printable_id(id: &str) -> String {
    id.chars()
        .filter(|c| !c.is_control())
        .take(crate::chain::entry::MAX_OFFICER_LEN)
        .collect()
}

impl Node {
    /// Checks an officer's passphrase: the one way an officer proves who they are (console
    /// login, CLI passphrase, `hoso login`). Refused unchecked while the officer id is in its
    /// wait after repeated failures; a failure is counted and audited, a success clears the count.
    pub fn authenticate(&self, id: &str, passphrase: &str) -> Result<AuthenticatedOfficer> {
        let key = printable_id(id);
        let failures = self.login_failures(&key)?;
        let now = now_ms();
        let wait = failures.wait_ms();
        if wait > 0 && now < failures.last_ms.saturating_add(wait) {
            let left = failures.last_ms.saturating_add(wait) - now;
            return Err(NodeError::LoginThrottled {
                officer: key,
                wait_secs: (left as u64).div_ceil(1000).max(1),
            });
        }
        let checked = self
            .officer(id)
            .and_then(|o| officer::verify_passphrase(&o, passphrase).map(|()| o));
        match checked {
            Ok(o) if o.is_disabled() => {
                // The right passphrase of a disabled account: refused, and on the record.
                self.append_event(
                    Action::LoginFailed,
                    serde_json::json!({"officer": key, "reason": "disabled", "failures": failures.count}),
                    |_| Ok(()),
                )?;
                Err(AccountError::Disabled { officer: o.id }.into())
            }
            Ok(o) => {
                if failures.count > 0 {
                    self.with_write(|tx, _| {
                        tx.open_table(LOGIN_FAILURES)?.remove(key.as_str())?;
                        Ok(())
                    })?;
                }
                Ok(AuthenticatedOfficer::new(o, AuthMethod::Passphrase))
            }
            Err(e @ (NodeError::UnknownOfficer(_) | NodeError::WrongPassphrase(_))) => {
                let reason = match e {
                    NodeError::UnknownOfficer(_) => "unknown_officer",
                    _ => "wrong_passphrase",
                };
                let count = failures.count.saturating_add(1);
                let row = Failures {
                    count,
                    last_ms: now,
                };
                let bytes = to_json(&row)?;
                self.append_event(
                    Action::LoginFailed,
                    serde_json::json!({"officer": key, "reason": reason, "failures": count}),
                    |tx| {
                        tx.open_table(LOGIN_FAILURES)?
                            .insert(key.as_str(), bytes.as_slice())?;
                        Ok(())
                    },
                )?;
                Err(e)
            }
            Err(other) => Err(other),
        }
    }

    /// The failed-login count of an officer id.
    pub fn login_failures(&self, id: &str) -> Result<Failures> {
        let rtx = self.db().begin_read()?;
        let t = match rtx.open_table(LOGIN_FAILURES) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Failures::default()),
            Err(e) => return Err(e.into()),
        };
        match t.get(id)? {
            None => Ok(Failures::default()),
            Some(v) => serde_json::from_slice(v.value()).map_err(|e| NodeError::Corrupt {
                what: format!("login failure count of `{id}`"),
                detail: e.to_string(),
            }),
        }
    }

    /// Opens a session for officer `id` (checked with [`Node::authenticate`]) for the OS user
    /// running this process: a new row in the store and the session file, replacing that
    /// user's previous session on this node.
    pub fn start_session(&self, id: &str, passphrase: &str) -> Result<Session> {
        let officer = self.authenticate(id, passphrase)?;
        if officer.must_change {
            return Err(AccountError::MustChangePassphrase {
                officer: officer.id.clone(),
            }
            .into());
        }
        let uid = current_uid();
        let path = session_path(self.dir(), uid);
        let token = blake3::Hash::from_bytes(rand::random::<[u8; 32]>())
            .to_hex()
            .to_string();
        let opened_ms = now_ms();
        let record = SessionRecord {
            officer: officer.id.clone(),
            uid,
            opened_ms,
            expires_ms: opened_ms + SESSION_TTL_MS,
        };
        let previous = read_session_file(&path, uid).ok();
        self.with_write(|tx, _| {
            let mut t = tx.open_table(SESSIONS)?;
            if let Some(p) = &previous {
                t.remove(token_key(&p.token).as_str())?;
            }
            // Sessions nobody logged out of are dropped once expired.
            let mut expired = Vec::new();
            for row in t.iter()? {
                let (k, v) = row?;
                let r: Option<SessionRecord> = serde_json::from_slice(v.value()).ok();
                if r.is_none_or(|r| r.expires_ms <= opened_ms) {
                    expired.push(k.value().to_string());
                }
            }
            for k in expired {
                t.remove(k.as_str())?;
            }
            t.insert(token_key(&token).as_str(), to_json(&record)?.as_slice())?;
            Ok(())
        })?;
        write_session_file(
            &path,
            &SessionFile {
                officer: officer.id.clone(),
                uid,
                token,
            },
        )?;
        Ok(Session {
            officer: officer.officer().clone(),
            uid,
            expires_ms: record.expires_ms,
            file: path,
        })
    }

    /// The officer of this OS user's open session on this node. `expected` (the `--officer`
    /// given) must be that officer. [`NodeError::NoSession`] when there is none; every other
    /// error means a session file is there but may not be used.
    pub fn resume_session(&self, expected: Option<&str>) -> Result<AuthenticatedOfficer> {
        let uid = current_uid();
        let path = session_path(self.dir(), uid);
        let file = read_session_file(&path, uid)?;
        let Some(record) = self.session_record(&file.token)? else {
            // Disabling an account ends its sessions: say so rather than "not open".
            if self.officer(&file.officer).is_ok_and(|o| o.is_disabled()) {
                return Err(AccountError::Disabled {
                    officer: file.officer,
                }
                .into());
            }
            return Err(NodeError::SessionRefused {
                path: path.clone(),
                reason: "it is not open on this node (logged out, or copied from elsewhere)".into(),
            });
        };
        if record.uid != uid || record.officer != file.officer {
            return Err(NodeError::SessionRefused {
                path,
                reason: format!(
                    "it was opened by OS user {} as `{}`, not by this user (uid {uid})",
                    record.uid, record.officer
                ),
            });
        }
        if now_ms() >= record.expires_ms {
            return Err(NodeError::SessionExpired {
                officer: record.officer,
                at: vn_time(record.expires_ms),
            });
        }
        if let Some(given) = expected.filter(|g| !g.is_empty())
            && given != record.officer
        {
            return Err(NodeError::SessionOfficer {
                session: record.officer,
                given: given.to_string(),
            });
        }
        let officer = self.officer(&record.officer)?;
        if officer.is_disabled() {
            return Err(AccountError::Disabled {
                officer: officer.id,
            }
            .into());
        }
        Ok(AuthenticatedOfficer::from_session(officer))
    }

    /// The stored row of a session token, if it is open.
    pub fn session_record(&self, token: &str) -> Result<Option<SessionRecord>> {
        let rtx = self.db().begin_read()?;
        let t = match rtx.open_table(SESSIONS) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let Some(v) = t.get(token_key(token).as_str())? else {
            return Ok(None);
        };
        serde_json::from_slice(v.value())
            .map(Some)
            .map_err(|e| NodeError::Corrupt {
                what: "session row".into(),
                detail: e.to_string(),
            })
    }

    /// Ends this OS user's session on this node (`hoso logout`): the row and the file go.
    /// Returns the officer it was for, or `None` when there was none. A session file that may
    /// not be used (another owner, a link) is left in place and refused.
    pub fn end_session(&self) -> Result<Option<String>> {
        let uid = current_uid();
        let path = session_path(self.dir(), uid);
        let file = match read_session_file(&path, uid) {
            Ok(f) => f,
            Err(NodeError::NoSession) => return Ok(None),
            Err(NodeError::SessionRefused { reason, .. }) if reason == UNREADABLE => {
                // Garbage in our own file: remove it so the user can log in again.
                std::fs::remove_file(&path).map_err(|e| NodeError::io(&path, e))?;
                return Ok(None);
            }
            Err(e) => return Err(e),
        };
        self.with_write(|tx, _| {
            tx.open_table(SESSIONS)?
                .remove(token_key(&file.token).as_str())?;
            Ok(())
        })?;
        std::fs::remove_file(&path).map_err(|e| NodeError::io(&path, e))?;
        Ok(Some(file.officer))
    }
}

const UNREADABLE: &str = "it is not a hoso session file";

/// Reads the session file of `uid`, refusing anything another user could have planted or read.
fn read_session_file(path: &Path, uid: u32) -> Result<SessionFile> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(NodeError::NoSession),
        Err(e) => return Err(NodeError::io(path, e)),
    };
    let refuse = |reason: String| NodeError::SessionRefused {
        path: path.to_path_buf(),
        reason,
    };
    if !meta.file_type().is_file() {
        return Err(refuse("it is not a regular file".into()));
    }
    // Opened without following a link and without blocking (a FIFO swapped in after the
    // check above), then judged by what was opened, not by the name.
    let f = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags((rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK).bits() as i32)
        .open(path)
        .map_err(|e| refuse(format!("it cannot be opened safely ({e})")))?;
    let meta = f.metadata().map_err(|e| NodeError::io(path, e))?;
    if !meta.file_type().is_file() {
        return Err(refuse("it is not a regular file".into()));
    }
    if meta.uid() != uid {
        return Err(refuse(format!(
            "it belongs to OS user {}, not to this user (uid {uid})",
            meta.uid()
        )));
    }
    if meta.mode() & 0o077 != 0 {
        return Err(refuse(format!(
            "other users may read it (mode {:o}, must be 600)",
            meta.mode() & 0o777
        )));
    }
    let mut text = String::new();
    Read::take(f, MAX_SESSION_FILE)
        .read_to_string(&mut text)
        .map_err(|_| refuse(UNREADABLE.into()))?;
    let file: SessionFile = serde_json::from_str(&text).map_err(|_| refuse(UNREADABLE.into()))?;
    if file.uid != uid {
        return Err(refuse(format!(
            "it was written for OS user {}, not for this user (uid {uid})",
            file.uid
        )));
    }
    Ok(file)
}

/// Writes the session file: a new file (mode 0600, created exclusively) renamed over the old.
fn write_session_file(path: &Path, file: &SessionFile) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        blake3::hash(&rand::random::<[u8; 16]>()).to_hex()
    ));
    let io = |e| NodeError::io(&tmp, e);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
        .open(&tmp)
        .map_err(io)?;
    // The umask cannot widen 0600, but make the mode exact whatever created the dir.
    f.set_permissions(std::fs::Permissions::from_mode(0o600))
        .map_err(io)?;
    f.write_all(&to_json(file)?).map_err(io)?;
    f.sync_all().map_err(io)?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        NodeError::io(path, e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_doubles_after_free_attempts_and_is_capped() {
        let w = |count| Failures { count, last_ms: 0 }.wait_ms();
        assert_eq!(w(0), 0);
        assert_eq!(w(FREE_ATTEMPTS - 1), 0);
        assert_eq!(w(FREE_ATTEMPTS), 2000);
        assert_eq!(w(FREE_ATTEMPTS + 1), 4000);
        assert_eq!(w(FREE_ATTEMPTS + 40), MAX_WAIT_SECS as i64 * 1000);
    }

    #[test]
    fn printable_id_drops_control_characters_and_is_bounded() {
        assert_eq!(printable_id("can\u{1b}[2Jbo01"), "can[2Jbo01");
        assert_eq!(printable_id(&"a".repeat(500)).len(), 64);
    }
}
