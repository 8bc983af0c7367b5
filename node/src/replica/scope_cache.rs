//! Each case's jurisdiction (province, commune), remembered in memory so that sending the feed
//! to a peer does not decode the summary of every case outside the peer's scope.
//!
//! A hub's feed holds the cases of every commune, and each commune's session walks all of it
//! (from its checkpoint, and again for what arrived meanwhile) to find the few cases of its own
//! commune: with N communes that is N walks over every case, and decoding each summary's JSON
//! for its jurisdiction was most of the walk. A case's jurisdiction never changes once it is
//! stored (it is set when the case is created, and a received change that would alter it is
//! refused, `ingest.rs`), so what a committed summary said stays true; the cache only learns
//! from summaries read in committed read transactions. Places are interned: a case costs its
//! id and an index. Past [`MAX_CASES`] the cache starts over (a bound, not a correctness need).

use std::collections::HashMap;
use std::sync::Mutex;

/// Cases remembered before the cache is emptied.
pub(super) const MAX_CASES: usize = 2_000_000;

#[derive(Default)]
struct Inner {
    places: Vec<(String, String)>,
    place_ix: HashMap<(String, String), u32>,
    by_case: HashMap<[u8; 16], u32>,
}

/// The jurisdiction of cases seen, by case id.
#[derive(Default)]
pub(crate) struct ScopeCache {
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for ScopeCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ScopeCache")
    }
}

impl ScopeCache {
    /// The place index of a case, if known.
    pub(crate) fn place_of(&self, case: &[u8; 16]) -> Option<u32> {
        let g = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        g.by_case.get(case).copied()
    }

    /// Whether `verdict` holds for place `ix` (false for an unknown index).
    pub(crate) fn judge(&self, ix: u32, verdict: &dyn Fn(&str, &str) -> bool) -> bool {
        let g = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        g.places
            .get(ix as usize)
            .is_some_and(|(p, c)| verdict(p, c))
    }

    /// Remembers a case's jurisdiction (from a committed summary) and returns its place index.
    pub(crate) fn learn(&self, case: &[u8; 16], province: &str, commune: &str) -> u32 {
        let mut g = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if g.by_case.len() >= MAX_CASES {
            g.by_case.clear();
        }
        let key = (province.to_string(), commune.to_string());
        let ix = match g.place_ix.get(&key) {
            Some(ix) => *ix,
            None => {
                let ix = u32::try_from(g.places.len()).unwrap_or(u32::MAX);
                g.places.push(key.clone());
                g.place_ix.insert(key, ix);
                ix
            }
        };
        g.by_case.insert(*case, ix);
        ix
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_places_and_judges_them() {
        let c = ScopeCache::default();
        assert_eq!(c.place_of(&[1; 16]), None);
        let a = c.learn(&[1; 16], "20", "06211");
        let b = c.learn(&[2; 16], "20", "06214");
        assert_ne!(a, b);
        assert_eq!(c.learn(&[3; 16], "20", "06211"), a);
        assert_eq!(c.place_of(&[3; 16]), Some(a));
        let only = |p: &str, c: &str| p == "20" && c == "06211";
        assert!(c.judge(a, &only));
        assert!(!c.judge(b, &only));
        assert!(!c.judge(99, &only));
    }
}
