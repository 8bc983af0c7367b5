//! Batch pacing: sizes `Docs` batches (and `Audit` messages) to what the link and the peer
//! actually carry, about [`PACE_TARGET`] of transfer each.
//!
//! A batch is acknowledged only once the peer made all of it durable, so a link cut loses the
//! batches in flight: on a 256 kbit/s link a fixed 2 MiB batch was a minute of work thrown
//! away and sent again. The pacer measures the rate at which acknowledged document bytes come
//! back (from the later of the previous ack and the batch's send) and sets the next batch to
//! that rate times [`PACE_TARGET`], between [`PACE_MIN`] and the session's maximum. It starts
//! at [`PACE_START`], grows at most fourfold per ack, and shrinks at once. On loopback it
//! reaches the maximum after the first ack; on a slow link a cut costs a few seconds of the
//! window ([`super::session::WINDOW`] batches), not minutes.

use std::time::{Duration, Instant};

/// Smallest batch budget (document bytes).
pub const PACE_MIN: usize = 8 << 10;
/// The first batch's budget.
pub const PACE_START: usize = 64 << 10;
/// Transfer time a batch aims at: long enough that a batch compresses about as well as a big
/// one (zstd finds the repeats between cases within a frame), short enough that a cut costs
/// at most this much of the link.
pub const PACE_TARGET: Duration = Duration::from_secs(3);

/// The batch budget of one session.
#[derive(Clone, Debug)]
pub struct Pacer {
    budget: usize,
    max: usize,
    last_ack: Option<Instant>,
}

impl Pacer {
    /// A pacer whose budget never exceeds `max`.
    pub fn new(max: usize) -> Pacer {
        Pacer {
            budget: PACE_START.min(max).max(1),
            max: max.max(1),
            last_ack: None,
        }
    }

    /// Document bytes for the next batch.
    pub fn budget(&self) -> usize {
        self.budget
    }

    /// Audit bytes for the next `Audit` message: the batch budget once a rate was measured,
    /// `max` before (a session's first burst of entries is not cut into small messages, which
    /// would cost the peer a transaction each).
    pub fn audit_budget(&self) -> usize {
        if self.last_ack.is_some() {
            self.budget
        } else {
            self.max
        }
    }

    /// A batch of `bytes` sent at `sent` was acknowledged at `now`.
    pub fn acked(&mut self, bytes: usize, sent: Instant, now: Instant) {
        let from = self.last_ack.map_or(sent, |a| a.max(sent));
        self.last_ack = Some(now);
        let secs = now.saturating_duration_since(from).as_secs_f64().max(1e-3);
        let rate = bytes as f64 / secs;
        let want = (rate * PACE_TARGET.as_secs_f64()) as usize;
        let grown = self.budget.saturating_mul(4);
        self.budget = want.min(grown).clamp(PACE_MIN.min(self.max), self.max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_on_a_fast_link_and_shrinks_on_a_slow_one() {
        let max = 2 << 20;
        let mut p = Pacer::new(max);
        assert_eq!(p.budget(), PACE_START);
        assert_eq!(p.audit_budget(), max);
        let t0 = Instant::now();
        // 64 KiB acked 10 ms after it was sent: fourfold, then the maximum.
        p.acked(PACE_START, t0, t0 + Duration::from_millis(10));
        assert_eq!(p.budget(), 4 * PACE_START);
        p.acked(p.budget(), t0, t0 + Duration::from_millis(20));
        p.acked(p.budget(), t0, t0 + Duration::from_millis(30));
        assert_eq!(p.budget(), max);
        // 32 KiB/s: the budget drops to PACE_TARGET of it.
        let per_target = (32 << 10) * PACE_TARGET.as_secs() as usize;
        let mut slow = Pacer::new(max);
        slow.acked(PACE_START, t0, t0 + Duration::from_secs(2));
        assert_eq!(slow.budget(), per_target);
        assert_eq!(slow.audit_budget(), per_target);
        // Pipelined acks are timed from the previous ack, not from the (earlier) send.
        slow.acked(64 << 10, t0, t0 + Duration::from_secs(4));
        assert_eq!(slow.budget(), per_target);
        // Never below the floor, never above a small maximum.
        slow.acked(1, t0, t0 + Duration::from_secs(60));
        assert_eq!(slow.budget(), PACE_MIN);
        let mut tiny = Pacer::new(1000);
        tiny.acked(1000, t0, t0 + Duration::from_millis(1));
        assert_eq!(tiny.budget(), 1000);
    }
}
