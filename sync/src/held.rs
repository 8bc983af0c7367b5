//! One bound on the received messages every session of a process holds at once (issue 13).
//!
//! A session's reader decodes frames ahead of the session and hands them over through a queue;
//! the session then takes what the queue holds as one group (up to [`crate::net::GROUP_MESSAGES`]
//! messages) and ingests it in one commit. That keeps a hub's writer busy, but each session may
//! so hold a few dozen decoded messages, and a hub taking 100 communes' backlogs at once held
//! them all: its peak RSS rose from 401 to 571 MiB with grouping.
//!
//! So every decoded message takes its size from one budget shared by the process's sessions
//! ([`shared`], [`DEFAULT_MIB`] MiB unless `HOSO_HELD_MIB` says otherwise) before its reader
//! queues it, and gives it back when the session has handled it (after the group's commit).
//! When the budget is spent, readers wait (the peer's sending waits with them, through the
//! stream's flow control), and a session takes as its group only what its queue already holds
//! (it commits early, with fewer messages). A message larger than the whole budget takes all
//! of it. The frame a reader is decoding is not counted: at most one per session, each bounded
//! by the frame limit.

use std::sync::{Arc, OnceLock};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::protocol::message::Message;

/// The shared budget's size when `HOSO_HELD_MIB` is not set.
pub const DEFAULT_MIB: usize = 64;
/// Budget units: permits are counted in KiB (a `u32` of bytes would cap the budget at 4 GiB).
const UNIT: usize = 1024;
/// What a decoded message costs beside its bytes (vectors, the enum).
const OVERHEAD: usize = 64;

/// A budget of bytes held at once.
#[derive(Debug)]
pub struct HeldBudget {
    sem: Arc<Semaphore>,
    units: u32,
}

/// A message's share of a budget, given back when dropped.
#[derive(Debug)]
pub struct Held {
    _permit: Option<OwnedSemaphorePermit>,
    units: u32,
}

impl Held {
    /// A share of no budget (a message that holds nothing: the end of the stream, an error).
    pub fn none() -> Held {
        Held {
            _permit: None,
            units: 0,
        }
    }

    /// The bytes this share stands for (rounded up to KiB).
    pub fn bytes(&self) -> usize {
        self.units as usize * UNIT
    }
}

impl HeldBudget {
    /// A budget of `bytes` (at least 1 KiB).
    pub fn new(bytes: usize) -> HeldBudget {
        let units = u32::try_from(bytes.div_ceil(UNIT).max(1)).unwrap_or(u32::MAX);
        HeldBudget {
            sem: Arc::new(Semaphore::new(units as usize)),
            units,
        }
    }

    fn units_for(&self, bytes: usize) -> u32 {
        u32::try_from(bytes.div_ceil(UNIT).max(1))
            .unwrap_or(u32::MAX)
            .min(self.units)
    }

    /// Takes `bytes` from the budget, waiting while it is spent.
    pub async fn take(&self, bytes: usize) -> Held {
        let units = self.units_for(bytes);
        // The semaphore is never closed, so acquiring only waits.
        let permit = self.sem.clone().acquire_many_owned(units).await.ok();
        Held {
            _permit: permit,
            units,
        }
    }

    /// Takes `bytes` if the budget has them now.
    pub fn try_take(&self, bytes: usize) -> Option<Held> {
        let units = self.units_for(bytes);
        self.sem
            .clone()
            .try_acquire_many_owned(units)
            .ok()
            .map(|p| Held {
                _permit: Some(p),
                units,
            })
    }

    /// Bytes not taken now.
    pub fn available(&self) -> usize {
        self.sem.available_permits() * UNIT
    }

    /// The budget's size in bytes.
    pub fn size(&self) -> usize {
        self.units as usize * UNIT
    }
}

static BUDGET: OnceLock<HeldBudget> = OnceLock::new();

/// Sets the size of the budget every session of this process shares, before any session has
/// used it; false (and nothing changed) after.
pub fn init_shared(bytes: usize) -> bool {
    BUDGET.set(HeldBudget::new(bytes)).is_ok()
}

/// The budget every session of this process shares: as [`init_shared`] set it, else
/// `HOSO_HELD_MIB` MiB (at least 1), else [`DEFAULT_MIB`].
pub fn shared() -> &'static HeldBudget {
    BUDGET.get_or_init(|| {
        let mib = std::env::var("HOSO_HELD_MIB")
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .unwrap_or(DEFAULT_MIB)
            .max(1);
        HeldBudget::new(mib << 20)
    })
}

/// The bytes a decoded message holds in memory (its documents, entries and payloads).
pub fn message_bytes(m: &Message) -> usize {
    OVERHEAD
        + match m {
            Message::Docs { docs, .. } => docs
                .iter()
                .map(|d| OVERHEAD + 17 + 32 * d.heads.len() + d.bytes.len())
                .sum(),
            Message::Audit { entries, .. } => entries
                .iter()
                .map(|e| OVERHEAD + e.record.len() + e.payload.as_ref().map_or(0, Vec::len))
                .sum(),
            _ => 0,
        }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::message::AuditRecord;

    #[tokio::test]
    async fn a_spent_budget_makes_a_taker_wait_until_a_share_comes_back() {
        let b = Arc::new(HeldBudget::new(64 * 1024));
        let first = b.take(40 * 1024).await;
        assert_eq!(first.bytes(), 40 * 1024);
        assert!(b.try_take(30 * 1024).is_none(), "only 24 KiB are left");
        let second = b.try_take(24 * 1024).expect("24 KiB fit");
        let waiting = tokio::spawn({
            let b = b.clone();
            async move { b.take(30 * 1024).await.bytes() }
        });
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(
            !waiting.is_finished(),
            "the taker waits while the budget is spent"
        );
        drop(first);
        let got = tokio::time::timeout(std::time::Duration::from_secs(5), waiting)
            .await
            .expect("the taker goes on once a share is given back")
            .expect("task");
        assert_eq!(got, 30 * 1024);
        drop(second);
    }

    #[tokio::test]
    async fn a_message_larger_than_the_budget_takes_all_of_it() {
        let b = HeldBudget::new(8 * 1024);
        let all = b.take(1 << 20).await;
        assert_eq!(all.bytes(), 8 * 1024);
        assert_eq!(b.available(), 0);
        drop(all);
        assert_eq!(b.available(), 8 * 1024);
    }

    #[test]
    fn a_message_counts_its_entries_and_payloads() {
        let m = Message::Audit {
            origin: hoso_node::NodeId([1; 32]),
            entries: vec![
                AuditRecord {
                    record: vec![0; 300],
                    payload: Some(vec![0; 1000]),
                };
                10
            ],
        };
        assert!(message_bytes(&m) >= 13_000);
        assert!(message_bytes(&Message::Done) <= OVERHEAD);
    }
}
