//! What `hoso doctor` reads from a node (issue 12): the key file's mode, the newest
//! cosignature of the own chain, free disk space. Read-only.

use std::os::unix::fs::PermissionsExt;

use redb::ReadableDatabase;
use serde::Serialize;

use crate::chain::checkpoint::Cosignature;
use crate::error::{NodeError, Result};
use crate::ids::NodeId;
use crate::node::{Node, paths};
use crate::store::tables::AUDIT_COSIGS;

/// The own chain against its witnesses.
#[derive(Clone, Debug, Serialize)]
pub struct CosignState {
    /// Entries in the own chain.
    pub chain_length: u64,
    /// Largest size a witness cosigned (0: never).
    pub cosigned_size: u64,
    /// When that newest cosignature was made (Unix seconds, the witness's clock).
    pub cosigned_at: Option<u64>,
}

/// Free space where the data dir lives.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct DiskSpace {
    /// Bytes an unprivileged user may still write.
    pub free_bytes: u64,
    /// Size of the file system.
    pub total_bytes: u64,
}

impl Node {
    /// The permission bits of `node.key` (must be 0600 or stricter).
    pub fn key_mode(&self) -> Result<u32> {
        let p = self.dir().join(paths::KEY);
        let m = std::fs::metadata(&p).map_err(|e| NodeError::io(&p, e))?;
        Ok(m.permissions().mode() & 0o777)
    }

    /// The own chain's length and its newest cosignature.
    pub fn cosign_state(&self) -> Result<CosignState> {
        let me = self.id();
        let rtx = self.db().begin_read()?;
        let t = rtx.open_table(AUDIT_COSIGS)?;
        let mut size = 0;
        let mut at = None;
        for row in t.range((&me.0, 0, &[0u8; 32])..=(&me.0, u64::MAX, &[0xFFu8; 32]))? {
            let (k, v) = row?;
            let (_, s, w) = k.value();
            if let Some(cs) = Cosignature::decode_value(NodeId(*w), v.value())
                && s >= size
            {
                size = s;
                at = Some(at.map_or(cs.time, |a: u64| a.max(cs.time)));
            }
        }
        Ok(CosignState {
            chain_length: self.chain_head().next_seq,
            cosigned_size: size,
            cosigned_at: at,
        })
    }

    /// Free and total space of the file system holding the data dir.
    pub fn disk_space(&self) -> Result<DiskSpace> {
        let s = rustix::fs::statvfs(self.dir())
            .map_err(|e| NodeError::io(self.dir(), std::io::Error::from(e)))?;
        Ok(DiskSpace {
            free_bytes: s.f_bavail.saturating_mul(s.f_frsize),
            total_bytes: s.f_blocks.saturating_mul(s.f_frsize),
        })
    }
}
