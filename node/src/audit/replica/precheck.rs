//! The checks of a received audit entry that need nothing but the entry: it decodes, it belongs
//! to the chain it came for and to this deployment, the origin's signature verifies (strictly,
//! as everywhere else) and the payload matches its hash. They run before the writer lock is
//! taken, on every core for a large batch, so the hub's serialised write transactions only do
//! what needs the store (duplicates, forks, the hash link, the seq) while other sessions'
//! batches are checked beside them.

use crate::chain::entry::{Entry, SIGNATURE_CONTEXT, payload_hash};
use crate::identity::Verifier;
use crate::ids::NodeId;

/// A stored audit record (`body ‖ signature`) with its payload, unless purged.
pub type RawRecord = (Vec<u8>, Option<Vec<u8>>);

/// Entries per batch below which checking runs on the caller's thread alone.
const PARALLEL_FROM: usize = 64;

/// The leading entries of a batch that passed, decoded, and why the next one failed (none when
/// every entry passed). The caller stores the passed entries after its own checks and then
/// reports the refusal, which keeps "stops at the first bad entry, the ones before it are kept".
pub(crate) struct Prechecked {
    pub(crate) passed: Vec<Entry>,
    pub(crate) refused: Option<String>,
}

/// Checks `entries` of `origin`'s chain for a node of `realm`, on every core for a large batch.
pub(crate) fn precheck(origin: &NodeId, realm: [u8; 16], entries: &[RawRecord]) -> Prechecked {
    precheck_on(origin, realm, entries, true)
}

/// [`precheck`] on the caller's thread alone: for a caller that is already one of several
/// workers (the grouped ingest), where more threads per unit only add spawns and switches.
pub(crate) fn precheck_here(origin: &NodeId, realm: [u8; 16], entries: &[RawRecord]) -> Prechecked {
    precheck_on(origin, realm, entries, false)
}

fn precheck_on(
    origin: &NodeId,
    realm: [u8; 16],
    entries: &[RawRecord],
    parallel: bool,
) -> Prechecked {
    // One origin per batch: its key is decompressed once.
    let verifier = Verifier::new(origin);
    let one = |(rec, payload): &RawRecord| -> Result<Entry, String> {
        let e = Entry::from_record(rec).map_err(|err| format!("undecodable entry: {err}"))?;
        let refuse = |why: &str| {
            format!(
                "entry {} #{} refused: {why}",
                e.body.origin.short(),
                e.body.seq
            )
        };
        if e.body.origin != *origin {
            return Err(refuse("it belongs to another chain"));
        }
        if e.body.realm != realm {
            return Err(refuse("it is from another deployment (realm)"));
        }
        let sig_ok = verifier
            .as_ref()
            .is_some_and(|v| v.verify(SIGNATURE_CONTEXT, &e.hash, &e.signature));
        if !sig_ok {
            return Err(refuse("bad signature"));
        }
        if let Some(p) = payload
            && (payload_hash(p) != e.body.payload_hash || p.len() != e.body.payload_len as usize)
        {
            return Err(refuse("payload does not match its hash"));
        }
        Ok(e)
    };
    let threads = std::thread::available_parallelism()
        .map(std::num::NonZero::get)
        .unwrap_or(1)
        .min(8);
    let checked = if !parallel || threads < 2 || entries.len() < PARALLEL_FROM {
        entries.iter().map(one).collect()
    } else {
        crate::audit::verify::par_map(entries, threads, one)
            .unwrap_or_else(|why| vec![Err(format!("checking the entries failed: {why}"))])
    };
    let mut out = Prechecked {
        passed: Vec::with_capacity(entries.len()),
        refused: None,
    };
    for c in checked {
        match c {
            Ok(e) => out.passed.push(e),
            Err(why) => {
                out.refused = Some(why);
                break;
            }
        }
    }
    out
}
