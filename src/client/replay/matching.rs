//! Pairing live messages with recorded ones: by content with ids masked, so
//! that events that race each other may arrive in any order, and pairing
//! their ids, so that later requests can name what the live adapter handed out.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use crate::client::normalize::{IdKind, Normalizer, canonical};

/// Recorded ids and the live ids they turned out to be, both ways.
#[derive(Debug, Default, Clone)]
pub struct IdPairs {
    live_of: HashMap<(IdKind, String), String>,
    recorded_of: HashMap<(IdKind, String), String>,
}

impl IdPairs {
    /// The live id a recorded one turned out to be.
    pub fn live(&self, kind: IdKind, recorded: &str) -> Option<&str> {
        self.live_of
            .get(&(kind, recorded.to_owned()))
            .map(String::as_str)
    }

    /// Whether pairing `recorded` with `live` contradicts nothing known.
    fn consistent(&self, recorded: &[(IdKind, String)], live: &[(IdKind, String)]) -> bool {
        recorded.iter().zip(live).all(|((k, r), (_, l))| {
            self.live_of.get(&(*k, r.clone())).is_none_or(|x| x == l)
                && self
                    .recorded_of
                    .get(&(*k, l.clone()))
                    .is_none_or(|x| x == r)
        })
    }

    fn learn(&mut self, recorded: &[(IdKind, String)], live: &[(IdKind, String)]) {
        for ((k, r), (_, l)) in recorded.iter().zip(live) {
            let known = self.live_of.contains_key(&(*k, r.clone()))
                || self.recorded_of.contains_key(&(*k, l.clone()));
            if !known {
                self.live_of.insert((*k, r.clone()), l.clone());
                self.recorded_of.insert((*k, l.clone()), r.clone());
            }
        }
    }
}

/// A message the adapter sent in the recording.
#[derive(Debug)]
struct Slot {
    ids: Vec<(IdKind, String)>,
    matched: Option<usize>,
}

/// Which recorded server message each live one stands for.
#[derive(Debug)]
pub struct Matcher {
    normalizer: Arc<Normalizer>,
    slots: Vec<Slot>,
    /// Unmatched slots by connection and masked content, oldest first.
    waiting: HashMap<(u32, String), Vec<usize>>,
    /// Live message index → slot.
    of_live: HashMap<usize, usize>,
    /// The ids learnt so far.
    pub pairs: IdPairs,
}

impl Matcher {
    /// A matcher for the recorded server messages `(conn, msg)`, in order;
    /// slot `i` is the `i`th of them.
    pub fn new(normalizer: Arc<Normalizer>, recorded: &[(u32, &Value)]) -> Matcher {
        let mut waiting: HashMap<(u32, String), Vec<usize>> = HashMap::new();
        let slots = recorded
            .iter()
            .enumerate()
            .map(|(i, (conn, msg))| {
                let key = canonical(&normalizer.masked(msg));
                waiting.entry((*conn, key)).or_default().push(i);
                Slot {
                    ids: normalizer.ids_of(msg),
                    matched: None,
                }
            })
            .collect();
        Matcher {
            normalizer,
            slots,
            waiting,
            of_live: HashMap::new(),
            pairs: IdPairs::default(),
        }
    }

    /// Matches live message `index` on `conn` with the first recorded one
    /// that says the same, preferring one whose ids agree with those already
    /// paired. Returns the slot, or None for a message the recording lacks.
    pub fn add_live(&mut self, index: usize, conn: u32, msg: &Value) -> Option<usize> {
        let key = canonical(&self.normalizer.masked(msg));
        let candidates = self.waiting.get_mut(&(conn, key))?;
        let ids = self.normalizer.ids_of(msg);
        let at = candidates
            .iter()
            .position(|&s| self.pairs.consistent(&self.slots[s].ids, &ids))
            .unwrap_or(0);
        let slot = candidates.remove(at);
        self.pairs.learn(&self.slots[slot].ids, &ids);
        self.slots[slot].matched = Some(index);
        self.of_live.insert(index, slot);
        Some(slot)
    }

    /// The slot live message `index` matched.
    pub fn slot_of(&self, index: usize) -> Option<usize> {
        self.of_live.get(&index).copied()
    }

    /// Whether every slot before `end` has its live message.
    pub fn all_matched_before(&self, end: usize) -> bool {
        self.slots[..end.min(self.slots.len())]
            .iter()
            .all(|s| s.matched.is_some())
    }

    /// Slots still without a live message.
    pub fn unmatched(&self) -> usize {
        self.slots.iter().filter(|s| s.matched.is_none()).count()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn racing_events_match_in_any_order_and_pair_their_ids() {
        let n = Arc::new(Normalizer::new(std::path::Path::new("/nowhere")));
        let a = json!({"seq": 5, "event": "thread", "body": {"reason": "started", "threadId": 4}});
        let b = json!({"seq": 6, "event": "output", "body": {"output": "x"}});
        let mut m = Matcher::new(n, &[(1, &a), (1, &b)]);
        let live_b = json!({"seq": 9, "event": "output", "body": {"output": "x"}});
        let live_a =
            json!({"seq": 10, "event": "thread", "body": {"reason": "started", "threadId": 7}});
        assert_eq!(m.add_live(0, 1, &live_b), Some(1));
        assert!(!m.all_matched_before(2));
        assert_eq!(m.add_live(1, 1, &live_a), Some(0));
        assert!(m.all_matched_before(2));
        assert_eq!(m.pairs.live(IdKind::Thread, "4"), Some("7"));
        let other = json!({"event": "output", "body": {"output": "y"}});
        assert_eq!(m.add_live(2, 1, &other), None);
        assert_eq!(m.unmatched(), 0);
    }

    #[test]
    fn equal_looking_messages_go_where_their_ids_agree() {
        let n = Arc::new(Normalizer::new(std::path::Path::new("/nowhere")));
        let started4 = json!({"event": "thread", "body": {"threadId": 4}});
        let started6 = json!({"event": "thread", "body": {"threadId": 6}});
        let stop4 = json!({"event": "stopped", "body": {"threadId": 4}});
        let stop6 = json!({"event": "stopped", "body": {"threadId": 6}});
        let recorded = [(1, &started4), (1, &started6), (1, &stop4), (1, &stop6)];
        let mut m = Matcher::new(n, &recorded);
        m.add_live(0, 1, &json!({"event": "thread", "body": {"threadId": 14}}));
        m.add_live(1, 1, &json!({"event": "thread", "body": {"threadId": 16}}));
        // Thread 16 stops first: it stands for recorded thread 6.
        assert_eq!(
            m.add_live(2, 1, &json!({"event": "stopped", "body": {"threadId": 16}})),
            Some(3)
        );
        assert_eq!(
            m.add_live(3, 1, &json!({"event": "stopped", "body": {"threadId": 14}})),
            Some(2)
        );
    }
}
