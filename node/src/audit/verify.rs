//! Verification of every chain held (audit.md §3 "Auditor"): a pure, deterministic function
//! over stored data ([`AuditSource`]: a redb store or an evidence bundle).
//!
//! Checks, in report order: (a) per origin, sorted: strict decode, realm, origin, seq with no
//! gaps, prev links, signatures (`verify_strict`), time, genesis rules, anchors, payloads;
//! (b) checkpoints and witness cosignatures, truncation below a cosigned size, rewrites;
//! (c) equivocation evidence and refused checkpoints; (d) change accounting in both
//! directions over every case document.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::Serialize;

use crate::audit::source::AuditSource;
use crate::chain::checkpoint::{Cosignature, SignedCheckpoint};
use crate::chain::entry::{Action, DecodeError, Entry, MAX_RECORD_LEN, payload_hash};
use crate::chain::merkle::CompactRange;
use crate::error::Result;
use crate::ids::{NodeId, hex};

mod accounting;
mod finding;

use accounting::{EntryInfo, account};
pub use finding::{Finding, Notice};

/// Entry times may run this far past the witness time that covers them (clock skew).
pub const TIME_TOLERANCE_MS: i64 = 10 * 60 * 1000;
/// Records decoded and signature-checked per parallel window.
const WINDOW: usize = 16_384;

/// One chain as verified.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChainSummary {
    /// Chain owner.
    pub origin: NodeId,
    /// Entries held (last seq + 1).
    pub length: u64,
    /// Hash of the last entry, hex.
    pub head: String,
    /// Merkle root over the held entries, hex.
    pub root: String,
    /// Largest size a witness cosigned.
    pub cosigned_size: u64,
    /// Witnesses that cosigned.
    pub witnesses: Vec<NodeId>,
}

/// The first bad entry: what `audit verify` names on exit 3.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FirstBad {
    /// Chain, when the finding names an entry.
    pub origin: Option<NodeId>,
    /// Position.
    pub seq: Option<u64>,
    /// The check that failed.
    pub check: String,
    /// One line.
    pub what: String,
}

/// The result of a verification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    /// No findings.
    pub ok: bool,
    /// Realm checked against, hex.
    pub realm: String,
    /// Chains, by origin.
    pub chains: Vec<ChainSummary>,
    /// Entries checked.
    pub entries: u64,
    /// Case documents checked.
    pub cases: u64,
    /// Automerge changes accounted.
    pub changes: u64,
    /// Checkpoints checked.
    pub checkpoints: u64,
    /// Valid cosignatures.
    pub cosignatures: u64,
    /// Everything wrong, in check order.
    pub findings: Vec<Finding>,
    /// Everything worth knowing.
    pub notices: Vec<Notice>,
    /// The first finding that names an entry (or the first finding).
    pub first_bad: Option<FirstBad>,
}

impl Report {
    /// The report restricted to one node's chain: its chain summary and the findings that
    /// name its entries or its changes.
    pub fn only(mut self, node: &NodeId) -> Report {
        self.chains.retain(|c| c.origin == *node);
        self.findings.retain(|f| match f {
            Finding::UnaccountedChange { node: n, .. } => n.as_ref() == Some(node),
            Finding::UnknownOrigin { origin } | Finding::CheckpointEquivocation { origin, .. } => {
                origin == node
            }
            other => other.position().is_some_and(|(o, _)| o == *node),
        });
        self.ok = self.findings.is_empty();
        self.first_bad = first_bad(&self.findings);
        self
    }
}

fn first_bad(findings: &[Finding]) -> Option<FirstBad> {
    findings
        .iter()
        .find(|f| f.position().is_some())
        .or(findings.first())
        .map(|f| {
            let pos = f.position();
            FirstBad {
                origin: pos.map(|p| p.0),
                seq: pos.map(|p| p.1),
                check: f.check(),
                what: f.to_string(),
            }
        })
}

/// Who may cosign: `None` accepts any witness key other than the origin's own.
#[derive(Clone, Debug, Default)]
pub struct Policy {
    /// Trusted witness keys.
    pub witnesses: Option<BTreeSet<NodeId>>,
}

struct Decoded {
    key: u64,
    payload: Option<Vec<u8>>,
    entry: std::result::Result<Entry, DecodeError>,
    sig_ok: bool,
}

type Raw = (u64, Vec<u8>, Option<Vec<u8>>);

fn decode_window(window: Vec<Raw>, origin: &NodeId) -> std::result::Result<Vec<Decoded>, String> {
    let verifier = crate::identity::Verifier::new(origin);
    let one = |(key, rec, payload): &Raw| {
        let entry = Entry::from_record(rec);
        // The signature is checked against the chain's key, not the origin field.
        let sig_ok = entry.as_ref().is_ok_and(|e| {
            verifier.as_ref().is_some_and(|v| {
                v.verify(
                    crate::chain::entry::SIGNATURE_CONTEXT,
                    &e.hash,
                    &e.signature,
                )
            })
        });
        Decoded {
            key: *key,
            payload: payload.clone(),
            entry,
            sig_ok,
        }
    };
    let threads = std::thread::available_parallelism()
        .map(std::num::NonZero::get)
        .unwrap_or(1)
        .min(8);
    if threads < 2 || window.len() < 256 {
        return Ok(window.iter().map(one).collect());
    }
    par_map(&window, threads, one)
}

/// Maps `f` over `items` on `threads` scoped threads, in order. A worker that panics fails the
/// whole map (with the panic's message) instead of leaving its share out of the result.
pub(crate) fn par_map<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
) -> std::result::Result<Vec<R>, String> {
    let per = items.len().div_ceil(threads.max(1)).max(1);
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(per)
            .map(|c| s.spawn(move || c.iter().map(f).collect::<Vec<_>>()))
            .collect();
        // Join every worker (an unjoined panicked one would panic the scope), then judge.
        let joined: Vec<_> = handles
            .into_iter()
            .map(std::thread::ScopedJoinHandle::join)
            .collect();
        let mut out = Vec::with_capacity(items.len());
        for j in joined {
            match j {
                Ok(part) => out.extend(part),
                Err(p) => {
                    let msg = p
                        .downcast_ref::<String>()
                        .map(String::as_str)
                        .or_else(|| p.downcast_ref::<&str>().copied())
                        .unwrap_or("panic");
                    return Err(format!("worker panicked: {msg}"));
                }
            }
        }
        Ok(out)
    })
}

struct CheckpointState {
    size: u64,
    root: [u8; 32],
    head: [u8; 32],
    cosigned: bool,
    /// Earliest witness time, Unix ms.
    cosign_ms: Option<i64>,
}

struct ChainWalk<'a> {
    origin: NodeId,
    realm: [u8; 16],
    findings: Vec<Finding>,
    notices: Vec<Notice>,
    expected: u64,
    prev: Option<([u8; 32], i64, u64)>,
    range: CompactRange,
    roots: BTreeMap<u64, [u8; 32]>,
    hashes: Vec<[u8; 32]>,
    times: Vec<i64>,
    anchors: &'a HashSet<(u64, [u8; 32])>,
    want_roots: &'a BTreeSet<u64>,
    infos: Vec<EntryInfo>,
    purged: Vec<[u8; 32]>,
    bound: Vec<([u8; 16], NodeId)>,
    saw_actor_bind_at_1: bool,
    key1_seen: bool,
    entries: u64,
}

impl ChainWalk<'_> {
    fn step(&mut self, d: Decoded) {
        let origin = self.origin;
        let key = d.key;
        self.entries += 1;
        if key != self.expected {
            if self.expected == 0 {
                self.findings.push(Finding::BadGenesis {
                    origin,
                    seq: key,
                    what: "chain does not start with a genesis entry".into(),
                });
            }
            self.findings.push(Finding::SeqGap {
                origin,
                expected: self.expected,
                got: key,
            });
        }
        self.expected = key + 1;
        let e = match d.entry {
            Ok(e) => e,
            Err(err) => {
                self.findings.push(match err {
                    DecodeError::TooLarge(w) => Finding::TooLarge {
                        origin,
                        seq: key,
                        what: w.into(),
                    },
                    other => Finding::NonCanonical {
                        origin,
                        seq: key,
                        what: other.to_string(),
                    },
                });
                // Unknown hash: the successor's link cannot be checked.
                self.prev = None;
                self.range.push(&[0; 32]);
                self.hashes.push([0; 32]);
                self.times.push(0);
                return;
            }
        };
        let b = &e.body;
        if b.origin != origin {
            self.findings.push(Finding::WrongOrigin {
                origin,
                seq: key,
                claimed: b.origin,
            });
        } else if !d.sig_ok {
            self.findings
                .push(Finding::BadSignature { origin, seq: key });
        }
        if b.realm != self.realm {
            self.findings.push(Finding::WrongRealm { origin, seq: key });
        }
        if b.seq != key {
            self.findings.push(Finding::SeqMismatch {
                origin,
                seq: key,
                claimed: b.seq,
            });
        }
        if b.epoch != 0 {
            self.findings.push(Finding::NonCanonical {
                origin,
                seq: key,
                what: format!("epoch {} (declared forks are not supported in v1)", b.epoch),
            });
        }
        if key == 0 {
            if b.action != Action::Genesis || b.prev != [0; 32] {
                self.findings.push(Finding::BadGenesis {
                    origin,
                    seq: 0,
                    what: "seq 0 must be a Genesis entry with a zero prev".into(),
                });
            }
        } else {
            if b.action == Action::Genesis {
                self.findings.push(Finding::BadGenesis {
                    origin,
                    seq: key,
                    what: "second genesis entry".into(),
                });
            }
            if key == 1 {
                self.key1_seen = true;
                self.saw_actor_bind_at_1 = b.action == Action::ActorBind;
                if !self.saw_actor_bind_at_1 {
                    self.findings.push(Finding::BadGenesis {
                        origin,
                        seq: 1,
                        what: "seq 1 must be the ActorBind entry".into(),
                    });
                }
            }
            match self.prev {
                Some((h, _, _)) if h == b.prev => {}
                Some(_) => self.findings.push(Finding::BrokenLink { origin, seq: key }),
                None => {}
            }
        }
        if let Some((_, t, anchor)) = self.prev {
            if b.time_ms < t {
                if b.action == Action::ClockJump {
                    self.notices.push(Notice::ClockJump { origin, seq: key });
                } else {
                    self.findings
                        .push(Finding::ClockRollback { origin, seq: key });
                }
            }
            if b.anchor_size < anchor {
                self.findings
                    .push(Finding::AnchorRegression { origin, seq: key });
            }
        }
        if b.anchor_size > 0 && !self.anchors.contains(&(b.anchor_size, b.anchor_cosig)) {
            self.findings
                .push(Finding::UnknownAnchor { origin, seq: key });
        }
        match &d.payload {
            None => self
                .notices
                .push(Notice::PayloadPurged { origin, seq: key }),
            Some(p) => {
                if payload_hash(p) != b.payload_hash || p.len() as u64 != u64::from(b.payload_len) {
                    self.findings
                        .push(Finding::PayloadMismatch { origin, seq: key });
                }
            }
        }
        match b.action {
            Action::ActorBind if d.sig_ok => self.bound.push((b.actor, origin)),
            Action::Purge => self.purged.extend(b.changes.iter().copied()),
            _ => {}
        }
        if !b.changes.is_empty() && b.action != Action::Purge {
            self.infos.push(EntryInfo {
                origin,
                seq: key,
                case: b.case_id,
                actor: b.actor,
                heads_before: b.heads_before.clone(),
                changes: b.changes.clone(),
            });
        }
        self.range.push(&e.hash);
        if self.want_roots.contains(&self.range.size()) {
            self.roots.insert(self.range.size(), self.range.root());
        }
        self.hashes.push(e.hash);
        self.times.push(b.time_ms);
        self.prev = Some((e.hash, b.time_ms, b.anchor_size));
    }
}

/// Verifies everything `src` holds. Deterministic: same data, same report.
pub fn verify(src: &dyn AuditSource, policy: &Policy) -> Result<Report> {
    verify_with(src, policy, &crate::progress::Silent)
}

/// [`verify`], reporting the chains walked and the cases accounted to `progress`.
pub fn verify_with(
    src: &dyn AuditSource,
    policy: &Policy,
    progress: &dyn crate::progress::Progress,
) -> Result<Report> {
    let realm = src.realm();
    let roster = src.roster();
    let mut findings = Vec::new();
    let mut notices = Vec::new();
    let mut chains = Vec::new();
    let mut infos: Vec<EntryInfo> = Vec::new();
    let mut purged: HashSet<[u8; 32]> = HashSet::new();
    let mut bound: HashMap<[u8; 16], NodeId> = HashMap::new();
    let mut held: HashMap<NodeId, Vec<[u8; 32]>> = HashMap::new();
    let mut entries = 0u64;
    let mut n_checkpoints = 0u64;
    let mut n_cosigs = 0u64;

    let origins = src.origins()?;
    progress.stage(
        crate::progress::Stage::VerifyChains,
        Some(origins.len() as u64),
    );
    for origin in origins {
        if let Some(r) = &roster
            && !r.contains(&origin)
        {
            findings.push(Finding::UnknownOrigin { origin });
        }
        // (b, first half) checkpoints and cosignatures of this origin.
        let mut cps: Vec<CheckpointState> = Vec::new();
        let mut anchors = HashSet::new();
        let mut cp_findings = Vec::new();
        let mut witnesses = BTreeSet::new();
        for (size, note) in src.checkpoints(&origin)? {
            n_checkpoints += 1;
            let bad = |what: &str| Finding::BadCheckpoint {
                origin,
                size,
                what: what.to_string(),
            };
            let Ok(text) = std::str::from_utf8(&note) else {
                cp_findings.push(bad("note is not UTF-8"));
                continue;
            };
            let sc = match SignedCheckpoint::parse_note(text) {
                Ok(sc) => sc,
                Err(e) => {
                    cp_findings.push(bad(&e.to_string()));
                    continue;
                }
            };
            let cp = &sc.checkpoint;
            if cp.origin != origin || cp.size != size {
                cp_findings.push(bad("note is filed under another origin or size"));
                continue;
            }
            if cp.realm != realm {
                cp_findings.push(bad("note belongs to another realm"));
                continue;
            }
            if !sc.signature_ok() {
                cp_findings.push(bad("node signature does not verify"));
                continue;
            }
            let mut state = CheckpointState {
                size,
                root: cp.root,
                head: cp.head,
                cosigned: false,
                cosign_ms: None,
            };
            for (witness, value) in src.cosignatures(&origin, size)? {
                let cs = Cosignature::decode_value(witness, &value);
                match cs {
                    Some(cs) if cs.verify(cp) => {
                        anchors.insert((size, cs.hash(cp)));
                        let trusted = witness != origin
                            && policy
                                .witnesses
                                .as_ref()
                                .is_none_or(|w| w.contains(&witness));
                        if trusted {
                            n_cosigs += 1;
                            state.cosigned = true;
                            witnesses.insert(witness);
                            let ms = i64::try_from(cs.time)
                                .unwrap_or(i64::MAX / 2000)
                                .saturating_mul(1000);
                            state.cosign_ms = Some(state.cosign_ms.map_or(ms, |m| m.min(ms)));
                        }
                    }
                    _ => cp_findings.push(Finding::BadCosignature {
                        origin,
                        size,
                        witness,
                    }),
                }
            }
            cps.push(state);
        }
        let want_roots: BTreeSet<u64> = cps.iter().map(|c| c.size).collect();

        // (a) the chain.
        let mut walk = ChainWalk {
            origin,
            realm,
            findings: Vec::new(),
            notices: Vec::new(),
            expected: 0,
            prev: None,
            range: CompactRange::new(),
            roots: BTreeMap::new(),
            hashes: Vec::new(),
            times: Vec::new(),
            anchors: &anchors,
            want_roots: &want_roots,
            infos: Vec::new(),
            purged: Vec::new(),
            bound: Vec::new(),
            saw_actor_bind_at_1: false,
            key1_seen: false,
            entries: 0,
        };
        let mut window: Vec<Raw> = Vec::new();
        let mut failed: Option<String> = None;
        let flush =
            |window: &mut Vec<Raw>, walk: &mut ChainWalk<'_>, failed: &mut Option<String>| {
                match decode_window(std::mem::take(window), &origin) {
                    Ok(decoded) => decoded.into_iter().for_each(|d| walk.step(d)),
                    Err(e) => *failed = failed.take().or(Some(e)),
                }
            };
        src.records(&origin, &mut |key, rec, payload| {
            // Over the bound: keep one byte too many so decoding reports TooLarge.
            let rec = &rec[..rec.len().min(MAX_RECORD_LEN + 1)];
            window.push((key, rec.to_vec(), payload.map(<[u8]>::to_vec)));
            if window.len() >= WINDOW {
                flush(&mut window, &mut walk, &mut failed);
            }
        })?;
        flush(&mut window, &mut walk, &mut failed);
        if let Some(e) = failed {
            return Err(crate::store::error::StoreError::WorkerPanicked(e).into());
        }
        if walk.entries > 0 && !walk.key1_seen {
            walk.findings.push(Finding::BadGenesis {
                origin,
                seq: 1,
                what: "the ActorBind entry at seq 1 is missing".into(),
            });
        }
        let length = walk.expected;
        entries += walk.entries;
        findings.append(&mut walk.findings);
        notices.append(&mut walk.notices);

        // (b, second half) the chain against its checkpoints.
        let mut cosigned_size = 0;
        for cp in &cps {
            if cp.cosigned {
                cosigned_size = cosigned_size.max(cp.size);
            }
            if cp.size > length {
                cp_findings.push(Finding::TruncatedBelowCheckpoint {
                    origin,
                    have: length,
                    cosigned: cp.size,
                });
                continue;
            }
            let idx = usize::try_from(cp.size).unwrap_or(usize::MAX);
            let head = if cp.size == 0 {
                Some([0u8; 32])
            } else {
                walk.hashes.get(idx - 1).copied()
            };
            let root = if cp.size == 0 {
                Some(crate::chain::merkle::empty_root())
            } else {
                walk.roots.get(&cp.size).copied()
            };
            if head != Some(cp.head) || root != Some(cp.root) {
                cp_findings.push(Finding::InconsistentWithCheckpoint {
                    origin,
                    size: cp.size,
                });
                continue;
            }
            if let Some(ms) = cp.cosign_ms
                && idx > 0
            {
                let limit = ms.saturating_add(TIME_TOLERANCE_MS);
                let times = &walk.times[..idx];
                if times.last().is_some_and(|&t| t > limit) {
                    let first = times.partition_point(|&t| t <= limit);
                    cp_findings.push(Finding::FutureTimestamp {
                        origin,
                        seq: first as u64,
                    });
                }
            }
        }
        findings.append(&mut cp_findings);
        let head = walk.hashes.last().map(|h| hex(h)).unwrap_or_default();
        chains.push(ChainSummary {
            origin,
            length,
            head,
            root: hex(&walk.range.root()),
            cosigned_size,
            witnesses: witnesses.into_iter().collect(),
        });
        infos.append(&mut walk.infos);
        purged.extend(walk.purged);
        for (actor, o) in walk.bound {
            bound.entry(actor).or_insert(o);
        }
        held.insert(origin, walk.hashes);
        progress.advance(1);
    }

    // (c) equivocation evidence and refused checkpoints.
    for f in src.forks()? {
        let valid = Entry::from_record(&f.record)
            .ok()
            .filter(|e| e.body.origin == f.origin && e.body.seq == f.seq && e.signature_ok());
        match valid {
            Some(e) => {
                let h1 = held
                    .get(&f.origin)
                    .and_then(|h| h.get(usize::try_from(f.seq).ok()?))
                    .copied();
                if h1 != Some(e.hash) {
                    findings.push(Finding::Equivocation {
                        origin: f.origin,
                        seq: f.seq,
                        h1: h1.map(|h| hex(&h)).unwrap_or_default(),
                        h2: hex(&e.hash),
                    });
                }
            }
            None => notices.push(Notice::UnsignedForkRecord {
                origin: f.origin,
                seq: f.seq,
            }),
        }
    }
    for (origin, ev) in src.evidence()? {
        let reason = serde_json::from_slice::<serde_json::Value>(&ev)
            .ok()
            .and_then(|v| v.get("reason").and_then(|r| r.as_str().map(str::to_string)))
            .unwrap_or_else(|| "unreadable evidence".into());
        findings.push(Finding::CheckpointEquivocation { origin, reason });
    }

    // (d) change accounting.
    let (n_cases, n_changes) = account(src, &infos, &purged, &bound, &mut findings, progress)?;

    let first_bad = first_bad(&findings);
    Ok(Report {
        ok: findings.is_empty(),
        realm: hex(&realm),
        chains,
        entries,
        cases: n_cases,
        changes: n_changes,
        checkpoints: n_checkpoints,
        cosignatures: n_cosigs,
        findings,
        notices,
        first_bad,
    })
}

#[cfg(test)]
mod tests {
    use super::par_map;

    #[test]
    fn a_panicked_worker_fails_the_map_instead_of_dropping_its_share() {
        let items: Vec<u32> = (0..1000).collect();
        let ok = par_map(&items, 4, |x| x * 2).expect("no panic");
        assert_eq!(ok.len(), 1000);
        assert_eq!(ok[999], 1998);
        let err = par_map(&items, 4, |x| {
            assert!(*x != 700, "bad record {x}");
            *x
        });
        assert!(
            err.as_ref().is_err_and(|e| e.contains("bad record 700")),
            "{err:?}"
        );
    }
}
