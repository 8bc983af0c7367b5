//! The messages of `hoso/sync/1` and their binary encoding: a type byte, then fixed-width
//! big-endian integers and `u32`-length-prefixed byte strings. Every count and length read from
//! a peer is checked against a bound before anything is allocated, and decoding never panics.

use hoso_node::{CaseId, NodeId, NodeRole};

/// Most cases in one `Docs` message.
pub const MAX_DOCS: usize = 4096;
/// Most heads per case: the node's bound on what it ingests, so a message that decodes is
/// never refused for its heads.
pub const MAX_HEADS: usize = hoso_node::ingest::MAX_HEADS;
/// Most audit entries in one `Audit` message.
pub const MAX_ENTRIES: usize = 4096;
/// Largest audit payload carried (the witness's bound, so every stored payload fits).
pub const MAX_PAYLOAD: usize = hoso_node::audit::witness::MAX_PAYLOAD;
/// Longest province or commune code in a hello.
pub const MAX_CODE: usize = 16;
/// Most chains listed in a hello: between two hubs, one per commune of the province and the
/// nodes they replaced (a peers file holds at most `hoso_node::peers::MAX_PEERS`), 40 bytes each.
pub const MAX_CHAINS: usize = 2 * hoso_node::peers::MAX_PEERS;
/// Longest error reason.
pub const MAX_REASON: usize = 1024;
/// Longest checkpoint note carried.
pub const MAX_NOTE: usize = 4 << 10;
/// Longest cosignature line carried.
pub const MAX_COSIG_LINE: usize = 512;
/// The protocol revision inside frame version 1 (2: the hello declares the sender's
/// jurisdiction and the ack says why cases were refused).
pub const PROTOCOL: u16 = 2;

/// What a node declares it is in its hello: the peers file of the other side must agree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Jurisdiction {
    /// Hub or commune.
    pub role: NodeRole,
    /// Its province code.
    pub province: String,
    /// Its commune code (a commune only).
    pub commune: Option<String>,
}

/// One case in a `Docs` message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocMsg {
    /// The case.
    pub id: CaseId,
    /// Whole compacted document (`true`) or the changes after the receiver's known heads.
    pub full: bool,
    /// The sender's heads (empty for a whole document).
    pub heads: Vec<[u8; 32]>,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// One audit record with its payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRecord {
    /// `body ‖ signature`.
    pub record: Vec<u8>,
    /// The detail payload, unless purged.
    pub payload: Option<Vec<u8>>,
}

/// The hub's answer to a [`Message::Checkpoint`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WitnessMsg {
    /// The checkpoint was verified and cosigned.
    Cosigned {
        /// The note that was cosigned.
        note: String,
        /// The cosignature (`Cosignature::line`).
        cosignature: String,
    },
    /// `old_size` is not what the hub has cosigned: ask again from `latest`.
    Conflict {
        /// Largest size the hub has cosigned.
        latest: u64,
    },
    /// Not cosigned.
    Refused {
        /// Why.
        reason: String,
        /// The hub kept evidence.
        evidence: bool,
    },
}

/// A protocol message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// First message each way.
    Hello {
        /// [`PROTOCOL`].
        protocol: u16,
        /// The receiver's feed seq up to which its cases are durable at the sender (send after it).
        feed_after: u64,
        /// Chain lengths held by the sender, per origin (the two nodes' chains).
        chains: Vec<(NodeId, u64)>,
        /// The sender's role and jurisdiction.
        juris: Jurisdiction,
    },
    /// A batch of the sender's feed.
    Docs {
        /// Every feed entry of the sender up to this seq was considered.
        upto: u64,
        /// The cases.
        docs: Vec<DocMsg>,
    },
    /// The receiver made a `Docs` batch durable.
    Ack {
        /// The batch's `upto`.
        upto: u64,
        /// Cases refused (outside scope, invalid).
        refused: u32,
        /// Stored cases and the sender heads now held.
        acked: Vec<(CaseId, Vec<[u8; 32]>)>,
        /// Why the first refused case was refused (empty when none was).
        reason: String,
    },
    /// Entries of one audit chain, in seq order.
    Audit {
        /// The chain's origin.
        origin: NodeId,
        /// The entries.
        entries: Vec<AuditRecord>,
    },
    /// The sender has sent its whole feed up to `upto`.
    Idle {
        /// Feed seq.
        upto: u64,
    },
    /// The round is complete; the sender closes after this.
    Done,
    /// Commune to hub: cosign this checkpoint of my chain (its entries already travelled in
    /// `Audit` messages).
    Checkpoint {
        /// The size the commune believes the hub last cosigned.
        old_size: u64,
        /// The commune-signed checkpoint note.
        note: String,
    },
    /// Hub to commune: the answer to a `Checkpoint`. Also, `Cosigned` only, to a hub that asked
    /// nothing: a cosignature relayed with the entries that cite it (two hubs, issue 13), or
    /// replayed to a restored node.
    Witness {
        /// The answer.
        reply: WitnessMsg,
    },
    /// Catalog updates (issue 12): the hub offers its newest catalog version, a commune that
    /// is behind asks for it, the hub sends the signed bundle. See [`super::catalog`].
    Catalog {
        /// Which step.
        step: CatalogMsg,
    },
    /// A fatal error; the sender closes after this.
    Error {
        /// For the operator.
        reason: String,
    },
}

/// One step of a catalog update (message tag [`CATALOG_TAG`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CatalogMsg {
    /// Hub to commune: the newest catalog version the hub holds.
    Offer {
        /// The version.
        version: u64,
    },
    /// Commune to hub: the answer to an offer: the version wanted, or 0 for none.
    Want {
        /// The version, or 0.
        version: u64,
    },
    /// Hub to commune: the signed bundle asked for (empty when the hub no longer holds it).
    Bundle {
        /// The bundle's bytes, at most `hoso_node::catalog_bundle::MAX_BUNDLE_BYTES`.
        bytes: Vec<u8>,
    },
}

/// Tag 10 carries catalog updates ([`Message::Catalog`]).
pub const CATALOG_TAG: u8 = 10;

/// Tags 8 and 9 carry the witness cosigning of audit checkpoints (issue 5):
/// [`Message::Checkpoint`] and [`Message::Witness`]. See `session::witness_hook`.
pub const WITNESS_TAGS: [u8; 2] = [8, 9];

/// Why a message failed to decode.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Unknown type byte.
    #[error("unknown message type {0}")]
    UnknownType(u8),
    /// The payload ended early.
    #[error("message truncated in {0}")]
    Truncated(&'static str),
    /// A count or length over its bound.
    #[error("{0} over its limit")]
    TooLarge(&'static str),
    /// Bytes left after the message.
    #[error("{0} trailing bytes after the message")]
    Trailing(usize),
    /// A text field that is not UTF-8.
    #[error("{field} is not UTF-8 text: {source}")]
    NotUtf8 {
        /// The field.
        field: &'static str,
        /// Where the bytes stop being UTF-8.
        #[source]
        source: std::str::Utf8Error,
    },
    /// A flag byte other than 0 or 1.
    #[error("{field} is {value}, not 0 or 1")]
    BadFlag {
        /// The field.
        field: &'static str,
        /// The byte found.
        value: u8,
    },
    /// A node role byte that is neither hub (1) nor commune (2).
    #[error("unknown node role {0} (expected 1 hub or 2 commune)")]
    UnknownRole(u8),
    /// A witness reply kind other than cosigned (0), conflict (1) or refused (2).
    #[error("unknown witness reply kind {0}")]
    UnknownWitnessReply(u8),
    /// A catalog step kind other than offer (0), want (1) or bundle (2).
    #[error("unknown catalog step {0}")]
    UnknownCatalogStep(u8),
}

struct Reader<'a> {
    b: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], DecodeError> {
        if self.b.len() < n {
            return Err(DecodeError::Truncated(what));
        }
        let (h, t) = self.b.split_at(n);
        self.b = t;
        Ok(h)
    }
    fn u8(&mut self, what: &'static str) -> Result<u8, DecodeError> {
        Ok(self.take(1, what)?[0])
    }
    fn u16(&mut self, what: &'static str) -> Result<u16, DecodeError> {
        let s = self.take(2, what)?;
        Ok(u16::from_be_bytes([s[0], s[1]]))
    }
    fn u32(&mut self, what: &'static str) -> Result<u32, DecodeError> {
        let s = self.take(4, what)?;
        Ok(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
    }
    fn u64(&mut self, what: &'static str) -> Result<u64, DecodeError> {
        let mut a = [0u8; 8];
        a.copy_from_slice(self.take(8, what)?);
        Ok(u64::from_be_bytes(a))
    }
    fn arr<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], DecodeError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N, what)?);
        Ok(a)
    }
    fn count(&mut self, max: usize, what: &'static str) -> Result<usize, DecodeError> {
        let n = self.u32(what)? as usize;
        if n > max {
            return Err(DecodeError::TooLarge(what));
        }
        Ok(n)
    }
    fn bytes(&mut self, max: usize, what: &'static str) -> Result<Vec<u8>, DecodeError> {
        let n = self.count(max, what)?;
        Ok(self.take(n, what)?.to_vec())
    }
    fn bool(&mut self, what: &'static str) -> Result<bool, DecodeError> {
        match self.u8(what)? {
            0 => Ok(false),
            1 => Ok(true),
            value => Err(DecodeError::BadFlag { field: what, value }),
        }
    }
    fn text(&mut self, max: usize, what: &'static str) -> Result<String, DecodeError> {
        String::from_utf8(self.bytes(max, what)?).map_err(|e| DecodeError::NotUtf8 {
            field: what,
            source: e.utf8_error(),
        })
    }
    fn heads(&mut self) -> Result<Vec<[u8; 32]>, DecodeError> {
        let n = self.count(MAX_HEADS, "heads")?;
        (0..n).map(|_| self.arr::<32>("head")).collect()
    }
}

/// `s` cut to at most `max` bytes on a character boundary.
fn truncate_utf8(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn put_u32(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_be_bytes());
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_u32(out, b.len());
    out.extend_from_slice(b);
}

fn put_heads(out: &mut Vec<u8>, h: &[[u8; 32]]) {
    put_u32(out, h.len());
    for x in h {
        out.extend_from_slice(x);
    }
}

impl Message {
    /// A short name for logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Message::Hello { .. } => "hello",
            Message::Docs { .. } => "docs",
            Message::Ack { .. } => "ack",
            Message::Audit { .. } => "audit",
            Message::Idle { .. } => "idle",
            Message::Done => "done",
            Message::Error { .. } => "error",
            Message::Checkpoint { .. } => "checkpoint",
            Message::Witness { .. } => "witness",
            Message::Catalog { .. } => "catalog",
        }
    }

    /// Encodes the message (the frame payload).
    pub fn encode(&self) -> Vec<u8> {
        let mut o = Vec::new();
        match self {
            Message::Hello {
                protocol,
                feed_after,
                chains,
                juris,
            } => {
                o.push(1);
                o.extend_from_slice(&protocol.to_be_bytes());
                o.extend_from_slice(&feed_after.to_be_bytes());
                put_u32(&mut o, chains.len());
                for (id, n) in chains {
                    o.extend_from_slice(&id.0);
                    o.extend_from_slice(&n.to_be_bytes());
                }
                o.push(match juris.role {
                    NodeRole::Hub => 1,
                    NodeRole::Commune => 2,
                });
                put_bytes(&mut o, truncate_utf8(&juris.province, MAX_CODE).as_bytes());
                put_bytes(
                    &mut o,
                    truncate_utf8(juris.commune.as_deref().unwrap_or(""), MAX_CODE).as_bytes(),
                );
            }
            Message::Docs { upto, docs } => {
                o.push(2);
                o.extend_from_slice(&upto.to_be_bytes());
                put_u32(&mut o, docs.len());
                for d in docs {
                    o.extend_from_slice(&d.id.0);
                    o.push(u8::from(d.full));
                    put_heads(&mut o, &d.heads);
                    put_bytes(&mut o, &d.bytes);
                }
            }
            Message::Ack {
                upto,
                refused,
                acked,
                reason,
            } => {
                o.push(3);
                o.extend_from_slice(&upto.to_be_bytes());
                o.extend_from_slice(&refused.to_be_bytes());
                put_u32(&mut o, acked.len());
                for (id, h) in acked {
                    o.extend_from_slice(&id.0);
                    put_heads(&mut o, h);
                }
                put_bytes(&mut o, truncate_utf8(reason, MAX_REASON).as_bytes());
            }
            Message::Audit { origin, entries } => {
                o.push(4);
                o.extend_from_slice(&origin.0);
                put_u32(&mut o, entries.len());
                for e in entries {
                    put_bytes(&mut o, &e.record);
                    match &e.payload {
                        None => o.push(0),
                        Some(p) => {
                            o.push(1);
                            put_bytes(&mut o, p);
                        }
                    }
                }
            }
            Message::Idle { upto } => {
                o.push(5);
                o.extend_from_slice(&upto.to_be_bytes());
            }
            Message::Done => o.push(6),
            Message::Error { reason } => {
                o.push(7);
                let r = reason.as_bytes();
                put_bytes(&mut o, &r[..r.len().min(MAX_REASON)]);
            }
            Message::Checkpoint { old_size, note } => {
                o.push(8);
                o.extend_from_slice(&old_size.to_be_bytes());
                put_bytes(&mut o, note.as_bytes());
            }
            Message::Witness { reply } => {
                o.push(9);
                match reply {
                    WitnessMsg::Cosigned { note, cosignature } => {
                        o.push(0);
                        put_bytes(&mut o, note.as_bytes());
                        put_bytes(&mut o, cosignature.as_bytes());
                    }
                    WitnessMsg::Conflict { latest } => {
                        o.push(1);
                        o.extend_from_slice(&latest.to_be_bytes());
                    }
                    WitnessMsg::Refused { reason, evidence } => {
                        o.push(2);
                        put_bytes(&mut o, truncate_utf8(reason, MAX_REASON).as_bytes());
                        o.push(u8::from(*evidence));
                    }
                }
            }
            Message::Catalog { step } => {
                o.push(CATALOG_TAG);
                match step {
                    CatalogMsg::Offer { version } => {
                        o.push(0);
                        o.extend_from_slice(&version.to_be_bytes());
                    }
                    CatalogMsg::Want { version } => {
                        o.push(1);
                        o.extend_from_slice(&version.to_be_bytes());
                    }
                    CatalogMsg::Bundle { bytes } => {
                        o.push(2);
                        put_bytes(&mut o, bytes);
                    }
                }
            }
        }
        o
    }

    /// Decodes a frame payload; every bound is checked before allocation.
    pub fn decode(b: &[u8]) -> Result<Message, DecodeError> {
        let mut r = Reader { b };
        let m = match r.u8("type")? {
            1 => {
                let protocol = r.u16("protocol")?;
                let feed_after = r.u64("feed_after")?;
                let n = r.count(MAX_CHAINS, "chains")?;
                let mut chains = Vec::with_capacity(n);
                for _ in 0..n {
                    chains.push((NodeId(r.arr("origin")?), r.u64("chain length")?));
                }
                let role = match r.u8("role")? {
                    1 => NodeRole::Hub,
                    2 => NodeRole::Commune,
                    other => return Err(DecodeError::UnknownRole(other)),
                };
                let province = r.text(MAX_CODE, "province")?;
                let commune = Some(r.text(MAX_CODE, "commune")?).filter(|c| !c.is_empty());
                Message::Hello {
                    protocol,
                    feed_after,
                    chains,
                    juris: Jurisdiction {
                        role,
                        province,
                        commune,
                    },
                }
            }
            2 => {
                let upto = r.u64("upto")?;
                let n = r.count(MAX_DOCS, "docs")?;
                let mut docs = Vec::with_capacity(n);
                for _ in 0..n {
                    let id = CaseId(r.arr("case id")?);
                    let full = r.bool("full flag")?;
                    let heads = r.heads()?;
                    let bytes = r.bytes(super::frame::MAX_FRAME, "document bytes")?;
                    docs.push(DocMsg {
                        id,
                        full,
                        heads,
                        bytes,
                    });
                }
                Message::Docs { upto, docs }
            }
            3 => {
                let upto = r.u64("upto")?;
                let refused = r.u32("refused")?;
                let n = r.count(MAX_DOCS, "acked")?;
                let mut acked = Vec::with_capacity(n);
                for _ in 0..n {
                    acked.push((CaseId(r.arr("case id")?), r.heads()?));
                }
                Message::Ack {
                    upto,
                    refused,
                    acked,
                    reason: r.text(MAX_REASON, "reason")?,
                }
            }
            4 => {
                let origin = NodeId(r.arr("origin")?);
                let n = r.count(MAX_ENTRIES, "entries")?;
                let mut entries = Vec::with_capacity(n);
                for _ in 0..n {
                    let record = r.bytes(hoso_node::audit::entry::MAX_RECORD_LEN, "record")?;
                    let payload = if r.bool("payload flag")? {
                        Some(r.bytes(MAX_PAYLOAD, "payload")?)
                    } else {
                        None
                    };
                    entries.push(AuditRecord { record, payload });
                }
                Message::Audit { origin, entries }
            }
            5 => Message::Idle {
                upto: r.u64("upto")?,
            },
            6 => Message::Done,
            7 => {
                let b = r.bytes(MAX_REASON, "reason")?;
                Message::Error {
                    reason: String::from_utf8(b).map_err(|e| DecodeError::NotUtf8 {
                        field: "reason",
                        source: e.utf8_error(),
                    })?,
                }
            }
            8 => Message::Checkpoint {
                old_size: r.u64("old_size")?,
                note: r.text(MAX_NOTE, "note")?,
            },
            9 => Message::Witness {
                reply: match r.u8("witness reply kind")? {
                    0 => WitnessMsg::Cosigned {
                        note: r.text(MAX_NOTE, "note")?,
                        cosignature: r.text(MAX_COSIG_LINE, "cosignature")?,
                    },
                    1 => WitnessMsg::Conflict {
                        latest: r.u64("latest")?,
                    },
                    2 => WitnessMsg::Refused {
                        reason: r.text(MAX_REASON, "reason")?,
                        evidence: r.bool("evidence flag")?,
                    },
                    other => return Err(DecodeError::UnknownWitnessReply(other)),
                },
            },
            CATALOG_TAG => Message::Catalog {
                step: match r.u8("catalog step kind")? {
                    0 => CatalogMsg::Offer {
                        version: r.u64("version")?,
                    },
                    1 => CatalogMsg::Want {
                        version: r.u64("version")?,
                    },
                    2 => CatalogMsg::Bundle {
                        bytes: r.bytes(
                            hoso_node::catalog_bundle::MAX_BUNDLE_BYTES,
                            "catalog bundle",
                        )?,
                    },
                    other => return Err(DecodeError::UnknownCatalogStep(other)),
                },
            },
            t => return Err(DecodeError::UnknownType(t)),
        };
        if !r.b.is_empty() {
            return Err(DecodeError::Trailing(r.b.len()));
        }
        Ok(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples() -> Vec<Message> {
        vec![
            Message::Hello {
                protocol: PROTOCOL,
                feed_after: 7,
                chains: vec![(NodeId([3; 32]), 9)],
                juris: Jurisdiction {
                    role: NodeRole::Commune,
                    province: "20".into(),
                    commune: Some("06112".into()),
                },
            },
            Message::Docs {
                upto: 5,
                docs: vec![DocMsg {
                    id: CaseId([1; 16]),
                    full: false,
                    heads: vec![[2; 32]],
                    bytes: vec![1, 2, 3],
                }],
            },
            Message::Ack {
                upto: 5,
                refused: 1,
                acked: vec![(CaseId([1; 16]), vec![[4; 32]])],
                reason: "ngoài phạm vi".into(),
            },
            Message::Audit {
                origin: NodeId([5; 32]),
                entries: vec![
                    AuditRecord {
                        record: vec![9; 10],
                        payload: Some(b"{}".to_vec()),
                    },
                    AuditRecord {
                        record: vec![8; 3],
                        payload: None,
                    },
                ],
            },
            Message::Idle { upto: 3 },
            Message::Catalog {
                step: CatalogMsg::Offer { version: 4 },
            },
            Message::Catalog {
                step: CatalogMsg::Want { version: 0 },
            },
            Message::Catalog {
                step: CatalogMsg::Bundle {
                    bytes: b"HOSOCAT1".to_vec(),
                },
            },
            Message::Done,
            Message::Error {
                reason: "nope".into(),
            },
            Message::Checkpoint {
                old_size: 4,
                note: "hoso/audit\n9\n".into(),
            },
            Message::Witness {
                reply: WitnessMsg::Cosigned {
                    note: "hoso/audit\n9\n".into(),
                    cosignature: "— hub:x AAAA\n".into(),
                },
            },
            Message::Witness {
                reply: WitnessMsg::Conflict { latest: 7 },
            },
            Message::Witness {
                reply: WitnessMsg::Refused {
                    reason: "rewrite".into(),
                    evidence: true,
                },
            },
        ]
    }

    #[test]
    fn every_message_round_trips() {
        for m in samples() {
            assert_eq!(Message::decode(&m.encode()), Ok(m));
        }
    }

    #[test]
    fn every_truncation_is_a_typed_error() {
        for m in samples() {
            let b = m.encode();
            for cut in 0..b.len() {
                assert!(
                    Message::decode(&b[..cut]).is_err(),
                    "{} cut at {cut}",
                    m.kind()
                );
            }
        }
    }

    #[test]
    fn huge_counts_are_refused_before_allocation() {
        let mut b = vec![2u8];
        b.extend_from_slice(&0u64.to_be_bytes());
        b.extend_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(Message::decode(&b), Err(DecodeError::TooLarge("docs")));
        assert_eq!(Message::decode(&[42]), Err(DecodeError::UnknownType(42)));
        let mut t = Message::Done.encode();
        t.push(0);
        assert_eq!(Message::decode(&t), Err(DecodeError::Trailing(1)));
    }

    #[test]
    fn witness_messages_are_bounded_and_typed() {
        let mut b = vec![8u8];
        b.extend_from_slice(&0u64.to_be_bytes());
        b.extend_from_slice(&u32::try_from(MAX_NOTE + 1).unwrap_or(0).to_be_bytes());
        assert_eq!(Message::decode(&b), Err(DecodeError::TooLarge("note")));
        let mut b = vec![8u8];
        b.extend_from_slice(&0u64.to_be_bytes());
        b.extend_from_slice(&2u32.to_be_bytes());
        b.extend_from_slice(&[0xff, 0xfe]);
        assert!(matches!(
            Message::decode(&b),
            Err(DecodeError::NotUtf8 { field: "note", .. })
        ));
        assert_eq!(
            Message::decode(&[9, 3]),
            Err(DecodeError::UnknownWitnessReply(3))
        );
        let mut b = vec![9u8, 0];
        put_bytes(&mut b, b"n");
        b.extend_from_slice(&u32::try_from(MAX_COSIG_LINE + 1).unwrap_or(0).to_be_bytes());
        assert_eq!(
            Message::decode(&b),
            Err(DecodeError::TooLarge("cosignature"))
        );
        let mut b = vec![9u8, 2];
        put_bytes(&mut b, b"r");
        b.push(2);
        assert_eq!(
            Message::decode(&b),
            Err(DecodeError::BadFlag {
                field: "evidence flag",
                value: 2
            })
        );
        // A long reason is cut on a character boundary when encoded, so it still decodes.
        let long = Message::Witness {
            reply: WitnessMsg::Refused {
                reason: "ư".repeat(MAX_REASON),
                evidence: false,
            },
        };
        assert!(Message::decode(&long.encode()).is_ok());
    }
}
