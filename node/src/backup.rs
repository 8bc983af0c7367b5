//! # Backup of a running node (issue 12)
//!
//! `hoso backup --out FILE` copies a node while `serve` or the console keeps working on it:
//! every table of the store is copied inside **one redb read transaction** (an MVCC snapshot:
//! writers go on, the copy sees one committed state) into a scratch store, which is then
//! streamed into the backup file with the node's key, settings, peers and reference overrides.
//!
//! The tables copied are [`for_each_table`]: the one list. A backup refuses a store holding a
//! table that is not on it (a newer table nobody added here) rather than write a copy that
//! silently lacks it; `tests` check the list against a store's tables.
//!
//! ## File format (version 1)
//!
//! ```text
//! "HOSO-BACKUP\n" ‖ u16 version
//! record*: tag u8 ‖ u16 name length ‖ name ‖ u64 data length ‖ data
//!     tag 1 = a file of the data dir (node.toml, node.key, peers.toml, holidays.toml,
//!             catalog/NAME), tag 2 = the store (name "store.redb"), tag 3 = info (JSON, name
//!             "info.json": node, time, counts)
//! end: tag 0xFF ‖ u32 record count ‖ blake3 of every byte up to and including the tag (32)
//! ```
//!
//! Integers are big-endian. Every length is bounded before anything is allocated; names are
//! checked against the allowed set (no path leaves the data dir). The checksum is keyed by
//! nothing: it detects damage, not an attacker. The key inside makes a backup as secret as
//! the node: the file is written with mode 0600.

use std::io::{Read, Write};
use std::path::Path;

use redb::{MultimapTableHandle, ReadableDatabase, ReadableTable, TableDefinition, TableHandle};
use serde::{Deserialize, Serialize};

pub use crate::error::BackupError;
use crate::error::{NodeError, Result};
use crate::node::handle::Node;
use crate::node::paths;
use crate::store::tables::*;

/// The first bytes of a backup file.
pub const MAGIC: &[u8; 12] = b"HOSO-BACKUP\n";
/// The format version written.
pub const VERSION: u16 = 1;
const TAG_FILE: u8 = 1;
const TAG_STORE: u8 = 2;
const TAG_INFO: u8 = 3;
const TAG_END: u8 = 0xFF;
/// Largest settings or reference file carried.
pub const MAX_FILE: u64 = 16 << 20;
/// Largest info record.
pub const MAX_INFO: u64 = 64 << 10;
/// Most records in one backup.
pub const MAX_RECORDS: u32 = 4096;
/// Largest store carried (1 TiB: a bound on a length field, not a promise).
pub const MAX_STORE: u64 = 1 << 40;
/// The store's name inside a backup.
pub const STORE_NAME: &str = "store.redb";

/// Visits typed table definitions (see [`for_each_table`]).
pub(crate) trait TableVisitor {
    /// One table.
    fn visit<K: redb::Key + 'static, V: redb::Value + 'static>(
        &mut self,
        def: TableDefinition<K, V>,
    ) -> Result<()>;
}

/// Every table of a node's store, in one list: what a backup copies.
pub(crate) fn for_each_table(v: &mut impl TableVisitor) -> Result<()> {
    v.visit(META)?;
    v.visit(DOCS)?;
    v.visit(DOC_CHANGES)?;
    v.visit(CASES)?;
    v.visit(INDEX)?;
    v.visit(RECEIPTS)?;
    v.visit(FEED)?;
    v.visit(FEED_BY_DOC)?;
    v.visit(OFFICERS)?;
    v.visit(REGISTRY)?;
    v.visit(REGISTRY_NAMES)?;
    v.visit(AUDIT)?;
    v.visit(AUDIT_ORIGINS)?;
    v.visit(AUDIT_ANCHORS)?;
    v.visit(AUDIT_BY_CASE)?;
    v.visit(REVIEW)?;
    v.visit(AUDIT_FORKS)?;
    v.visit(SYNC_CHECKPOINTS)?;
    v.visit(PEER_HEADS)?;
    v.visit(AUDIT_CHECKPOINTS)?;
    v.visit(AUDIT_COSIGS)?;
    v.visit(AUDIT_WITNESS)?;
    v.visit(AUDIT_EVIDENCE)?;
    v.visit(QUARANTINE)?;
    v.visit(SESSIONS)?;
    v.visit(LOGIN_FAILURES)?;
    v.visit(crate::commune_counts::COMMUNE_COUNTS)?;
    Ok(())
}

/// The names of [`for_each_table`]'s tables.
pub fn table_names() -> Vec<String> {
    struct Names(Vec<String>);
    impl TableVisitor for Names {
        fn visit<K: redb::Key + 'static, V: redb::Value + 'static>(
            &mut self,
            def: TableDefinition<K, V>,
        ) -> Result<()> {
            self.0.push(def.name().to_string());
            Ok(())
        }
    }
    let mut n = Names(Vec::new());
    // Collecting names cannot fail.
    let _ = for_each_table(&mut n);
    n.0
}

/// What a backup holds, as recorded in it and reported by `backup` and `backup verify`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct BackupInfo {
    /// The node id (hex).
    pub node_id: String,
    /// The node's name.
    pub name: String,
    /// commune or hub.
    pub role: String,
    /// The node's incarnation when backed up.
    pub incarnation: u32,
    /// When the copy was taken (RFC 3339).
    pub taken_at: String,
    /// The files of the data dir carried.
    pub files: Vec<String>,
    /// Tables copied.
    pub tables: u32,
    /// Rows copied, all tables.
    pub rows: u64,
    /// Cases in the copy.
    pub cases: u64,
    /// Length of the node's own chain in the copy.
    pub chain_length: u64,
    /// Size of the copied store in bytes.
    pub store_bytes: u64,
}

struct Copier<'a> {
    src: &'a redb::ReadTransaction,
    dst: &'a redb::WriteTransaction,
    rows: u64,
    tables: u32,
}

impl TableVisitor for Copier<'_> {
    fn visit<K: redb::Key + 'static, V: redb::Value + 'static>(
        &mut self,
        def: TableDefinition<K, V>,
    ) -> Result<()> {
        let src = match self.src.open_table(def) {
            Ok(t) => t,
            Err(redb::TableError::TableDoesNotExist(_)) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        let mut dst = self.dst.open_table(def)?;
        for row in src.iter()? {
            let (k, v) = row?;
            dst.insert(k.value(), v.value())?;
            self.rows += 1;
        }
        self.tables += 1;
        Ok(())
    }
}

/// Copies every table of `db`, as of one read transaction, into a new store at `dest`.
/// Returns (tables, rows).
pub fn copy_store(db: &redb::Database, dest: &Path) -> Result<(u32, u64)> {
    let rtx = db.begin_read()?;
    let known = table_names();
    for t in rtx.list_tables()? {
        if !known.iter().any(|k| k == t.name()) {
            return Err(BackupError::UnknownTable(t.name().to_string()).into());
        }
    }
    if let Some(t) = rtx.list_multimap_tables()?.next() {
        return Err(BackupError::UnknownTable(t.name().to_string()).into());
    }
    let out = redb::Database::create(dest).map_err(|e| NodeError::Corrupt {
        what: format!("scratch store {}", dest.display()),
        detail: e.to_string(),
    })?;
    let wtx = out.begin_write()?;
    let mut c = Copier {
        src: &rtx,
        dst: &wtx,
        rows: 0,
        tables: 0,
    };
    for_each_table(&mut c)?;
    let (tables, rows) = (c.tables, c.rows);
    wtx.commit()?;
    Ok((tables, rows))
}

/// The data-dir files a backup carries besides the store, that exist in `dir`.
fn carried_files(dir: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for name in [
        paths::CONFIG,
        paths::KEY,
        crate::peers::PEERS_FILE,
        paths::HOLIDAYS,
    ] {
        if dir.join(name).is_file() {
            out.push(name.to_string());
        }
    }
    let cat = dir.join(paths::CATALOG_DIR);
    if cat.is_dir() {
        let mut names = Vec::new();
        for e in std::fs::read_dir(&cat).map_err(|e| NodeError::io(&cat, e))? {
            let e = e.map_err(|e| NodeError::io(&cat, e))?;
            if e.file_type().is_ok_and(|t| t.is_file())
                && let Some(n) = e.file_name().to_str()
                && valid_leaf(n)
            {
                names.push(format!("{}/{n}", paths::CATALOG_DIR));
            }
        }
        names.sort();
        out.extend(names);
    }
    Ok(out)
}

fn valid_leaf(n: &str) -> bool {
    !n.is_empty()
        && n.len() <= 200
        && !n.starts_with('.')
        && n.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// True for a name a backup may carry (and a restore may write).
pub fn allowed_name(n: &str) -> bool {
    match n.split_once('/') {
        None => [
            paths::CONFIG,
            paths::KEY,
            crate::peers::PEERS_FILE,
            paths::HOLIDAYS,
        ]
        .contains(&n),
        Some((d, leaf)) => d == paths::CATALOG_DIR && valid_leaf(leaf),
    }
}

/// A writer that hashes what passes through it.
struct Hashing<'a> {
    out: &'a mut dyn Write,
    hash: blake3::Hasher,
}

impl Write for Hashing<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

fn io_err(what: &str) -> impl Fn(std::io::Error) -> NodeError + '_ {
    move |e| NodeError::io(Path::new(what), e)
}

fn record_header(w: &mut impl Write, tag: u8, name: &str, len: u64) -> std::io::Result<()> {
    w.write_all(&[tag])?;
    w.write_all(&(name.len() as u16).to_be_bytes())?;
    w.write_all(name.as_bytes())?;
    w.write_all(&len.to_be_bytes())
}

impl Node {
    /// Writes a backup of this node to `out` (see the module docs), copying the store through a
    /// scratch file in `scratch` (a directory on a disk with room for one more store).
    pub fn backup(&self, out: &mut dyn Write, scratch: &Path) -> Result<BackupInfo> {
        let tmp = tempfile::Builder::new()
            .prefix(".hoso-backup.")
            .tempdir_in(scratch)
            .map_err(|e| NodeError::io(scratch, e))?;
        let store_copy = tmp.path().join(STORE_NAME);
        let (tables, rows) = copy_store(self.db(), &store_copy)?;
        let files = carried_files(self.dir())?;
        let (cases, chain_length) = {
            let db = redb::Database::open(&store_copy).map_err(|e| NodeError::Corrupt {
                what: format!("scratch store {}", store_copy.display()),
                detail: e.to_string(),
            })?;
            (
                crate::store::count_cases(&db)?,
                crate::audit::head::ChainHead::load(&db)?.next_seq,
            )
        };
        // Measured after the counting open is closed: redb may trim the file on close.
        let store_bytes = std::fs::metadata(&store_copy)
            .map_err(|e| NodeError::io(&store_copy, e))?
            .len();
        let info = BackupInfo {
            node_id: self.id().to_string(),
            name: self.config().name.clone(),
            role: self.config().role.as_str().to_string(),
            incarnation: self.config().incarnation,
            taken_at: crate::deadline::now().to_rfc3339(),
            files: files.clone(),
            tables,
            rows,
            cases,
            chain_length,
            store_bytes,
        };
        let mut w = Hashing {
            out,
            hash: blake3::Hasher::new(),
        };
        let e = io_err("backup output");
        w.write_all(MAGIC).map_err(&e)?;
        w.write_all(&VERSION.to_be_bytes()).map_err(&e)?;
        let info_json =
            serde_json::to_vec(&info).map_err(crate::error::EncodeError::json("backup info"))?;
        record_header(&mut w, TAG_INFO, "info.json", info_json.len() as u64).map_err(&e)?;
        w.write_all(&info_json).map_err(&e)?;
        let mut count: u32 = 1;
        for name in &files {
            let path = self.dir().join(name);
            let data = std::fs::read(&path).map_err(|x| NodeError::io(&path, x))?;
            if data.len() as u64 > MAX_FILE {
                return Err(BackupError::Malformed {
                    path: path.clone(),
                    what: format!(
                        "it is over {} MiB: not a settings file a backup carries",
                        MAX_FILE >> 20
                    ),
                }
                .into());
            }
            record_header(&mut w, TAG_FILE, name, data.len() as u64).map_err(&e)?;
            w.write_all(&data).map_err(&e)?;
            count += 1;
        }
        record_header(&mut w, TAG_STORE, STORE_NAME, store_bytes).map_err(&e)?;
        let mut f = std::fs::File::open(&store_copy).map_err(|x| NodeError::io(&store_copy, x))?;
        let copied = std::io::copy(&mut (&mut f).take(store_bytes), &mut w).map_err(&e)?;
        if copied != store_bytes {
            return Err(NodeError::io(
                &store_copy,
                std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "scratch store shrank"),
            ));
        }
        count += 1;
        w.write_all(&[TAG_END]).map_err(&e)?;
        let digest = w.hash.finalize();
        let out = w.out;
        out.write_all(&count.to_be_bytes()).map_err(&e)?;
        out.write_all(digest.as_bytes()).map_err(&e)?;
        out.flush().map_err(&e)?;
        Ok(info)
    }
}

/// A reader that hashes what passes through it.
struct HashRead<R> {
    inner: R,
    hash: blake3::Hasher,
}

impl<R: Read> Read for HashRead<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
}

/// Unpacks the backup at `file` into the empty directory `into` (files with their data-dir
/// names, the store as `store.redb`, the key with mode 0600), checking the format, every
/// bound and the checksum. Returns the recorded info. On any error `into` may hold partial
/// files: unpack into a scratch directory.
pub fn unpack(file: &Path, into: &Path) -> Result<BackupInfo> {
    let bad = |what: String| -> NodeError {
        BackupError::Malformed {
            path: file.to_path_buf(),
            what,
        }
        .into()
    };
    let f = std::fs::File::open(file).map_err(|e| NodeError::io(file, e))?;
    let total = f.metadata().map_err(|e| NodeError::io(file, e))?.len();
    let mut r = HashRead {
        inner: std::io::BufReader::new(f),
        hash: blake3::Hasher::new(),
    };
    let short = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => bad("it ends early (a truncated copy)".into()),
        _ => NodeError::io(file, e),
    };
    let mut magic = [0u8; 12];
    r.read_exact(&mut magic).map_err(&short)?;
    if &magic != MAGIC {
        return Err(bad("it does not start with HOSO-BACKUP".into()));
    }
    let mut v = [0u8; 2];
    r.read_exact(&mut v).map_err(&short)?;
    let version = u16::from_be_bytes(v);
    if version != VERSION {
        return Err(bad(format!(
            "format version {version}, this hoso reads {VERSION} (upgrade hoso)"
        )));
    }
    let mut info: Option<BackupInfo> = None;
    let mut names: Vec<String> = Vec::new();
    let mut count: u32 = 0;
    loop {
        let mut tag = [0u8; 1];
        r.read_exact(&mut tag).map_err(&short)?;
        if tag[0] == TAG_END {
            let digest = r.hash.finalize();
            let mut rest = [0u8; 36];
            r.inner.read_exact(&mut rest).map_err(&short)?;
            let mut extra = [0u8; 1];
            if r.inner
                .read(&mut extra)
                .map_err(|e| NodeError::io(file, e))?
                != 0
            {
                return Err(bad("bytes follow the end record".into()));
            }
            let n = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]);
            if rest[4..] != *digest.as_bytes() {
                return Err(BackupError::Checksum {
                    path: file.to_path_buf(),
                }
                .into());
            }
            if n != count {
                return Err(bad(format!(
                    "the end record counts {n} records, {count} were read"
                )));
            }
            break;
        }
        count += 1;
        if count > MAX_RECORDS {
            return Err(bad(format!("more than {MAX_RECORDS} records")));
        }
        let mut nl = [0u8; 2];
        r.read_exact(&mut nl).map_err(&short)?;
        let nl = u16::from_be_bytes(nl) as usize;
        if nl == 0 || nl > 256 {
            return Err(bad(format!("a record name of {nl} bytes")));
        }
        let mut name = vec![0u8; nl];
        r.read_exact(&mut name).map_err(&short)?;
        let name = String::from_utf8(name).map_err(|_| bad("a record name is not UTF-8".into()))?;
        let mut l = [0u8; 8];
        r.read_exact(&mut l).map_err(&short)?;
        let len = u64::from_be_bytes(l);
        if len > total {
            return Err(bad(format!(
                "record `{name}` claims {len} bytes, more than the whole file (a truncated copy?)"
            )));
        }
        if names.contains(&name) {
            return Err(bad(format!("record `{name}` appears twice")));
        }
        match tag[0] {
            TAG_INFO => {
                if name != "info.json" || len > MAX_INFO {
                    return Err(bad(format!("an info record `{name}` of {len} bytes")));
                }
                let mut buf = vec![0u8; len as usize];
                r.read_exact(&mut buf).map_err(&short)?;
                info = Some(
                    serde_json::from_slice(&buf)
                        .map_err(|e| bad(format!("the info record does not parse: {e}")))?,
                );
            }
            TAG_FILE => {
                if !allowed_name(&name) || len > MAX_FILE {
                    return Err(bad(format!(
                        "a file record `{}` of {len} bytes",
                        crate::text::escape_line(&name)
                    )));
                }
                let mut buf = vec![0u8; len as usize];
                r.read_exact(&mut buf).map_err(&short)?;
                write_new_file(&into.join(&name), &buf, name == paths::KEY)?;
            }
            TAG_STORE => {
                if name != STORE_NAME || len > MAX_STORE {
                    return Err(bad(format!("a store record `{name}` of {len} bytes")));
                }
                let path = into.join(STORE_NAME);
                let mut out = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&path)
                    .map_err(|e| NodeError::io(&path, e))?;
                let n = std::io::copy(&mut (&mut r).take(len), &mut out)
                    .map_err(|e| NodeError::io(&path, e))?;
                if n != len {
                    return Err(bad("it ends inside the store (a truncated copy)".into()));
                }
                out.sync_all().map_err(|e| NodeError::io(&path, e))?;
            }
            other => return Err(bad(format!("unknown record tag {other}"))),
        }
        names.push(name);
    }
    for need in [paths::CONFIG, paths::KEY, STORE_NAME] {
        if !names.iter().any(|n| n == need) {
            return Err(bad(format!("it lacks {need}")));
        }
    }
    info.ok_or_else(|| bad("it lacks its info record".into()))
}

fn write_new_file(path: &Path, data: &[u8], secret: bool) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| NodeError::io(dir, e))?;
    }
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(if secret { 0o600 } else { 0o644 })
        .open(path)
        .map_err(|e| NodeError::io(path, e))?;
    f.write_all(data)
        .and_then(|()| f.sync_all())
        .map_err(|e| NodeError::io(path, e))
}

/// What `backup verify` found.
#[derive(Clone, Debug, Serialize)]
pub struct Verified {
    /// What the backup says it holds.
    pub info: BackupInfo,
    /// The store check of the unpacked copy (`hoso check`).
    pub check: crate::store::check::CheckReport,
    /// Cases actually in the copy.
    pub cases: u64,
    /// Own chain length actually in the copy.
    pub chain_length: u64,
}

/// Checks a backup: format, bounds and checksum; then unpacks it into a scratch dir next to
/// nothing else (`scratch`), opens it as a node (the store belongs to the key, the chain head
/// is its last entry) and runs the store check on it.
pub fn verify(file: &Path, scratch: &Path) -> Result<Verified> {
    let tmp = tempfile::Builder::new()
        .prefix(".hoso-verify.")
        .tempdir_in(scratch)
        .map_err(|e| NodeError::io(scratch, e))?;
    let dir = tmp.path().join("node");
    std::fs::create_dir(&dir).map_err(|e| NodeError::io(&dir, e))?;
    let info = unpack(file, &dir)?;
    let node = Node::open(&dir)?;
    if node.id().to_string() != info.node_id {
        return Err(BackupError::Malformed {
            path: file.to_path_buf(),
            what: format!(
                "its info names node {}, its key is node {}",
                info.node_id,
                node.id()
            ),
        }
        .into());
    }
    let check = node.check_store()?;
    let cases = crate::store::count_cases(node.db())?;
    let chain_length = node.chain_head().next_seq;
    Ok(Verified {
        info,
        check,
        cases,
        chain_length,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_allowed_names_stay_in_the_data_dir() {
        let names = table_names();
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len());
        for ok in ["node.toml", "node.key", "peers.toml", "catalog/birth.toml"] {
            assert!(allowed_name(ok), "{ok}");
        }
        for bad in [
            "../x",
            "catalog/../node.key",
            "/etc/passwd",
            "store.redb",
            "catalog/.x",
            "a/b/c",
        ] {
            assert!(!allowed_name(bad), "{bad}");
        }
    }
}
