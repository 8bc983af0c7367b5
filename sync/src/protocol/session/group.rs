//! Messages that arrived together, taken together ([`Session::on_messages`]): the driver hands
//! the session every message its reader already holds, and
//! - a run of `Docs` and `Audit` messages is ingested as one group (`hoso_node`'s
//!   `ingest::group`: decoding on every core beside the one writer, one durable commit), then
//!   each `Docs` batch of it is acknowledged: an `Ack` still follows the commit of what it
//!   acknowledges;
//! - a run of `Ack`s is recorded in one transaction, then the window is refilled once;
//! - anything else is handled alone, in order ([`Session::on_message`]).
//!
//! A hub taking a backlog from one commune so commits once per group instead of once per
//! message, and a commune once per run of acknowledgements instead of once per batch.

use hoso_node::ingest::IncomingDoc;
use hoso_node::ingest::group::{GroupItem, GroupOutcome};
use hoso_node::peers::own_scope_holds;

use super::Session;
use crate::error::SyncError;
use crate::protocol::message::Message;

/// True for the messages ingested as a group.
fn ingested(m: &Message) -> bool {
    matches!(m, Message::Docs { .. } | Message::Audit { .. })
}

impl Session {
    /// Handles `msgs`, received in this order, and returns the replies (see the module docs).
    /// The same as [`Session::on_message`] on each in turn, with fewer commits.
    pub fn on_messages(&mut self, msgs: Vec<Message>) -> Result<Vec<Message>, SyncError> {
        let mut out = Vec::new();
        let mut it = msgs.into_iter().peekable();
        while let Some(m) = it.next() {
            if !self.got_hello {
                out.extend(self.on_message(m)?);
                continue;
            }
            if ingested(&m) {
                let mut run = vec![m];
                while let Some(n) = it.next_if(ingested) {
                    run.push(n);
                }
                out.extend(self.on_group(run)?);
            } else if matches!(m, Message::Ack { .. }) {
                let mut run = vec![m];
                while let Some(n) = it.next_if(|n| matches!(n, Message::Ack { .. })) {
                    run.push(n);
                }
                out.extend(self.on_acks(run)?);
            } else {
                out.extend(self.on_message(m)?);
            }
        }
        Ok(out)
    }

    /// A run of `Ack`s: each takes its batch out of the window, then one transaction records
    /// what the peer now holds, then the window is refilled.
    fn on_acks(&mut self, acks: Vec<Message>) -> Result<Vec<Message>, SyncError> {
        let mut rows = Vec::new();
        let mut out = Vec::new();
        for m in acks {
            match m {
                Message::Ack {
                    upto,
                    refused,
                    acked,
                    reason,
                } => rows.extend(self.take_ack(upto, refused, acked, reason)?),
                other => out.extend(self.on_message(other)?),
            }
        }
        self.node.record_acked(&self.peer.node_id, &rows)?;
        out.extend(self.pump()?);
        Ok(out)
    }

    /// A run of `Docs` and `Audit` messages, ingested in one group; the `Ack`s of its batches.
    fn on_group(&mut self, msgs: Vec<Message>) -> Result<Vec<Message>, SyncError> {
        let mut items = Vec::with_capacity(msgs.len());
        let mut out = Vec::new();
        for m in msgs {
            match m {
                Message::Audit { origin, entries } => {
                    if self.audit_admitted(&origin, &entries)? {
                        items.push(GroupItem::Audit {
                            origin,
                            entries: entries.into_iter().map(|e| (e.record, e.payload)).collect(),
                        });
                    }
                }
                Message::Docs { upto, docs } => items.push(GroupItem::Docs {
                    upto,
                    docs: docs
                        .into_iter()
                        .map(|d| IncomingDoc {
                            id: d.id,
                            full: d.full,
                            heads: d.heads,
                            bytes: d.bytes,
                        })
                        .collect(),
                }),
                other => out.extend(self.on_message(other)?),
            }
        }
        if items.is_empty() {
            return Ok(out);
        }
        let cfg = self.node.config().clone();
        let outcomes = {
            let allow = |p: &str, c: &str| self.peer_may_hold(p, c) && own_scope_holds(&cfg, p, c);
            self.node.ingest_group(&self.peer.node_id, &items, &allow)?
        };
        let mut stored = 0;
        for (item, outcome) in items.iter().zip(outcomes) {
            match (item, outcome) {
                (GroupItem::Audit { entries, .. }, GroupOutcome::Audit(r)) => {
                    self.count_audit(entries.len(), &r);
                    stored += r.stored;
                }
                (GroupItem::Docs { docs, upto }, GroupOutcome::Docs(report)) => {
                    out.push(self.ack_of(*upto, docs, report));
                }
                _ => {
                    return Err(SyncError::Task(
                        "a group's outcomes do not match its messages".into(),
                    ));
                }
            }
        }
        if stored > 0 {
            self.after_audit_stored()?;
        }
        Ok(out)
    }
}
