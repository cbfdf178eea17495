//! The state a labels log describes: the latest event for each task ("latest wins"), with
//! retractions making a task undecided again, and the order needed for undo.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use super::event::{Event, TaskKey, TaskKind};

/// Latest decision or skip per task, rebuilt by replaying events in log order.
#[derive(Debug, Default, Clone)]
pub struct Decisions {
    /// Keys are shared with `history` (one allocation per task key, not two).
    latest: HashMap<Arc<TaskKey>, (u64, Event), FastHash>,
    /// (task, sequence number) of every decision or skip, oldest first; entries whose sequence
    /// number is no longer the task's latest are stale and skipped by `last`.
    history: Vec<(Arc<TaskKey>, u64)>,
    seq: u64,
    /// Standing decisions per task kind.
    decided: [usize; 3],
    /// Items that have had any event (to skip work for items nobody touched).
    items: HashSet<String, FastHash>,
}

/// The maps are keyed by ids from the annotators' own logs, which a process reads and forgets:
/// no one gains from flooding them, so a multiply-rotate hash (FxHash's) replaces SipHash,
/// which took a fifth of a million-event replay.
type FastHash = BuildHasherDefault<Fx>;

#[derive(Default)]
struct Fx(u64);

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().unwrap_or([0; 8])));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(b));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

impl Fx {
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

fn slot(kind: TaskKind) -> usize {
    match kind {
        TaskKind::Pair => 0,
        TaskKind::Rank => 1,
        TaskKind::Rate => 2,
    }
}

impl Decisions {
    pub fn new() -> Self {
        Self::default()
    }

    /// Replays events in order.
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a Event>) -> Self {
        let mut d = Self::new();
        for e in events {
            d.apply(e.clone());
        }
        d
    }

    /// Replays events in order, taking them (no copies).
    pub fn from_owned(events: impl IntoIterator<Item = Event>) -> Self {
        let mut d = Self::new();
        for e in events {
            d.apply(e);
        }
        d
    }

    /// Applies one event: a decision or skip replaces whatever the task had; a retraction
    /// removes it.
    pub fn apply(&mut self, event: Event) {
        self.seq += 1;
        if !self.items.contains(&event.item) {
            self.items.insert(event.item.clone());
        }
        let key = event.key();
        // The task's earlier entry goes; its key is reused rather than allocated again.
        let key = match self.latest.remove_entry(&key) {
            Some((k, (_, old))) => {
                if old.is_decision() {
                    self.decided[slot(old.task)] -= 1;
                }
                k
            }
            None => Arc::new(key),
        };
        if event.retract {
            return;
        }
        if event.is_decision() {
            self.decided[slot(event.task)] += 1;
        }
        self.history.push((Arc::clone(&key), self.seq));
        self.latest.insert(key, (self.seq, event));
    }

    /// Drops a task's standing decision from memory (not from the log): used for decisions made
    /// on an earlier version of an item.
    pub fn forget(&mut self, key: &TaskKey) {
        if let Some((_, old)) = self.latest.remove(key)
            && old.is_decision()
        {
            self.decided[slot(old.task)] -= 1;
        }
    }

    /// True when any event ever named this item.
    pub fn has_item(&self, id: &str) -> bool {
        self.items.contains(id)
    }

    /// The latest decision or skip for a task.
    pub fn get(&self, key: &TaskKey) -> Option<&Event> {
        self.latest.get(key).map(|(_, e)| e)
    }

    pub fn is_decided(&self, key: &TaskKey) -> bool {
        self.get(key).is_some_and(Event::is_decision)
    }

    pub fn is_skipped(&self, key: &TaskKey) -> bool {
        self.get(key).is_some_and(|e| e.skip)
    }

    /// Number of tasks with a decision (skips not counted).
    pub fn decided_count(&self) -> usize {
        self.decided.iter().sum()
    }

    /// Number of tasks of one kind with a decision.
    pub fn decided_count_of(&self, kind: TaskKind) -> usize {
        self.decided[slot(kind)]
    }

    /// The most recent decision or skip that still stands: what `undo` takes back.
    pub fn last(&mut self) -> Option<&Event> {
        while let Some((key, seq)) = self.history.last() {
            match self.latest.get(key) {
                Some((s, _)) if s == seq => break,
                _ => {
                    self.history.pop();
                }
            }
        }
        let (key, _) = self.history.last()?;
        self.latest.get(key).map(|(_, e)| e)
    }

    /// Every standing decision or skip.
    pub fn iter(&self) -> impl Iterator<Item = &Event> {
        self.latest.values().map(|(_, e)| e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rank(item: &str, first: &str) -> Event {
        let mut e = Event::new("a", item, None, TaskKind::Rank);
        e.ranking = Some(vec![vec![first.into()], vec!["z".into()]]);
        e
    }

    fn retract(item: &str) -> Event {
        let mut e = Event::new("a", item, None, TaskKind::Rank);
        e.retract = true;
        e
    }

    #[test]
    fn latest_wins_and_retract_clears() {
        let events = vec![
            rank("x", "c0"),
            rank("y", "c0"),
            rank("x", "c1"),
            retract("y"),
        ];
        let mut d = Decisions::from_events(&events);
        let kx = TaskKey::new("x", TaskKind::Rank);
        assert_eq!(d.get(&kx).unwrap().ranking.as_ref().unwrap()[0][0], "c1");
        assert!(!d.is_decided(&TaskKey::new("y", TaskKind::Rank)));
        assert_eq!(d.decided_count(), 1);
        assert_eq!(d.last().unwrap().item, "x");
    }

    #[test]
    fn undo_walks_back_through_history() {
        let mut d = Decisions::from_events(&[rank("x", "c0"), rank("y", "c0"), rank("x", "c1")]);
        assert_eq!(d.last().unwrap().item, "x");
        d.apply(retract("x"));
        assert_eq!(d.last().unwrap().item, "y");
        d.apply(retract("y"));
        assert!(d.last().is_none());
        assert_eq!(d.decided_count(), 0);
    }

    #[test]
    fn skips_are_not_decisions() {
        let mut s = Event::new("a", "x", None, TaskKind::Rank);
        s.skip = true;
        let d = Decisions::from_events(&[s]);
        let k = TaskKey::new("x", TaskKind::Rank);
        assert!(d.is_skipped(&k));
        assert!(!d.is_decided(&k));
        assert_eq!(d.decided_count(), 0);
    }
}
