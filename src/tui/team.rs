//! What the other annotators of a labels folder have decided, for sharing the work: how many
//! annotators decided each task, and how many tasks have reached the overlap the team wants.
//! Pure data; the loop feeds it the events it reads from the other logs.

use std::collections::BTreeMap;

use crate::labels::{Decisions, Event, Role, TaskCounts, TaskKey, TaskKind};

/// The team's decisions as seen from one labeler.
#[derive(Debug, Clone)]
pub struct Team {
    /// Decisions wanted per task (`--overlap`); a labeler is served tasks with fewer.
    pub overlap: usize,
    /// Only tasks of this kind count (the session's mode).
    pub kind: TaskKind,
    /// Replay per other annotator.
    others: BTreeMap<String, Decisions>,
    /// Number of other annotators with a standing decision, per task.
    counts: TaskCounts,
    /// Tasks with at least `overlap` decisions, counting this labeler's.
    full: usize,
    /// Tasks with more than `overlap` decisions.
    over: usize,
}

impl Team {
    pub fn new(overlap: usize, kind: TaskKind) -> Self {
        Team {
            overlap: overlap.max(1),
            kind,
            others: BTreeMap::new(),
            counts: TaskCounts::default(),
            full: 0,
            over: 0,
        }
    }

    /// Makes room for about `tasks` more counted tasks at once (a team of 50 brings a million
    /// at the start: grown step by step, the table is moved again and again).
    pub fn reserve(&mut self, tasks: usize) {
        self.counts.reserve(tasks);
    }

    /// Number of other annotators who decided this task.
    pub fn others_on(&self, key: &TaskKey) -> usize {
        self.counts.get(key) as usize
    }

    /// Names of the other annotators seen so far.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.others.keys().map(String::as_str)
    }

    /// The other annotators' decisions, by name.
    pub fn others(&self) -> &BTreeMap<String, Decisions> {
        &self.others
    }

    /// Tasks with at least `overlap` decisions.
    pub fn full(&self) -> usize {
        self.full
    }

    /// Tasks with more decisions than `overlap` (two labelers took them at the same moment).
    pub fn over(&self) -> usize {
        self.over
    }

    /// True when no other annotator has decided anything yet: every task is wanted.
    pub fn nobody_else(&self) -> bool {
        self.counts.is_empty()
    }

    /// True when this labeler should be served the task: fewer than `overlap` others decided it.
    pub fn wants(&self, key: &TaskKey) -> bool {
        self.others_on(key) < self.overlap
    }

    /// Applies another annotator's event. Adjudicators' events are reviews, not labels: they do
    /// not count towards the overlap. `mine` says whether this labeler has decided the task.
    pub fn apply_other(&mut self, event: Event, mine: bool) {
        if event.task == TaskKind::Edit && event.role() != Some(Role::Adjudicator) {
            // Kept for review to show, never counted: an edit is not a decision.
            if let Some(d) = self.others.get_mut(&event.annotator) {
                d.apply(event);
            }
            return;
        }
        if event.role() == Some(Role::Adjudicator) || event.task != self.kind {
            return;
        }
        let key = event.key();
        let d = self.others.entry(event.annotator.clone()).or_default();
        let before = d.is_decided(&key);
        d.apply(event);
        let after = d.is_decided(&key);
        if before != after {
            let pair = key.pair.as_ref().map(|(a, b)| (a.as_str(), b.as_str()));
            self.count(&key.item, pair, after, mine);
        }
    }

    /// One more (`up`) or one fewer other annotator decided the task.
    fn count(&mut self, item: &str, pair: Option<(&str, &str)>, up: bool, mine: bool) {
        let before = self.counts.bump(item, self.kind, pair, up) as usize;
        let after = if up {
            before + 1
        } else {
            before.saturating_sub(1)
        };
        let mine = usize::from(mine);
        self.moved(before + mine, after + mine);
    }

    /// Takes in another annotator's whole log at once, replayed (adjudicators' lines left
    /// out, see [`crate::labels::ByAnnotator`]): what [`Team::apply_other`] does for each of
    /// its events, without building them. `mine` is this labeler's replay.
    ///
    /// For a name not seen yet (the reader of the other logs sends a log whose annotators it
    /// has already seen as events instead); should one come again, its standing decisions
    /// are applied on top of what was known.
    pub fn add_replayed(&mut self, name: String, theirs: Decisions, mine: &Decisions) {
        if self.others.contains_key(&name) {
            for e in theirs.into_events() {
                let decided = mine.is_decided(&e.key());
                self.apply_other(e, decided);
            }
            return;
        }
        let kind = self.kind;
        if !theirs.has_events_of(kind) && !theirs.has_events_of(TaskKind::Edit) {
            // Nothing of this session's kind (nor an edit, which review shows on any screen):
            // not one of this team's annotators.
            return;
        }
        let (k, mut full, mut over) = (self.overlap, self.full, self.over);
        self.counts
            .add_decided(&theirs, kind, mine, |before, decided| {
                let mine = usize::from(decided);
                moved(
                    k,
                    &mut full,
                    &mut over,
                    before as usize + mine,
                    before as usize + 1 + mine,
                );
            });
        (self.full, self.over) = (full, over);
        self.others.insert(name, theirs);
    }

    /// Takes in the other annotators' whole logs already counted (`counts`, of this team's
    /// kind, counted by [`TaskCounts::add_decided_alone`] while they were read): the same
    /// team as [`Team::add_replayed`] of each of `others` in turn gives, without counting them
    /// here. Only for a team that holds nothing yet but this labeler's own decisions (`mine`,
    /// taken in by [`Team::mine_at_start`]).
    pub fn add_counted(
        &mut self,
        others: BTreeMap<String, Decisions>,
        counts: TaskCounts,
        mine: &Decisions,
    ) {
        assert!(
            self.counts.is_empty() && self.others.is_empty(),
            "add_counted comes first"
        );
        let kind = self.kind;
        self.others = others
            .into_iter()
            .filter(|(_, d)| d.has_events_of(kind) || d.has_events_of(TaskKind::Edit))
            .collect();
        let k = self.overlap;
        // Every task at its count from the others alone, then this labeler's own on top.
        let (mut full, mut over) = (0, 0);
        for c in counts.each_count() {
            moved(k, &mut full, &mut over, 0, c as usize);
        }
        counts.each_of_mine(mine, kind, |c| {
            moved(k, &mut full, &mut over, c as usize, c as usize + 1);
        });
        (self.full, self.over, self.counts) = (full, over, counts);
    }

    /// This labeler's `decided` standing decisions of the team's kind, read from the log before
    /// any other annotator's: the same as [`Team::mine_changed`] from undecided to decided for
    /// each, without naming the tasks.
    pub fn mine_at_start(&mut self, decided: usize) {
        assert!(
            self.counts.is_empty(),
            "mine_at_start comes before the others' decisions"
        );
        for _ in 0..decided {
            self.moved(0, 1);
        }
    }

    /// This labeler's own decision on a task changed (decided or undecided).
    pub fn mine_changed(&mut self, key: &TaskKey, before: bool, after: bool) {
        if before == after || key.kind != self.kind {
            return;
        }
        let others = self.others_on(key);
        self.moved(others + usize::from(before), others + usize::from(after));
    }

    fn moved(&mut self, old: usize, new: usize) {
        moved(self.overlap, &mut self.full, &mut self.over, old, new);
    }
}

/// A task's decisions went from `old` to `new`: the counts of tasks with at least `k` (`full`)
/// and more than `k` (`over`) follow.
fn moved(k: usize, full: &mut usize, over: &mut usize, old: usize, new: usize) {
    match (old >= k, new >= k) {
        (false, true) => *full += 1,
        (true, false) => *full -= 1,
        _ => {}
    }
    match (old > k, new > k) {
        (false, true) => *over += 1,
        (true, false) => *over -= 1,
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rank(who: &str, item: &str) -> Event {
        let mut e = Event::new(who, item, None, TaskKind::Rank);
        e.ranking = Some(vec![vec!["c0".into()], vec!["c1".into()]]);
        e
    }

    #[test]
    fn counts_decisions_per_task_and_frees_on_retract() {
        let mut t = Team::new(2, TaskKind::Rank);
        let k = TaskKey::new("x", TaskKind::Rank);
        t.apply_other(rank("bob", "x"), false);
        assert_eq!(t.others_on(&k), 1);
        assert!(t.wants(&k));
        t.apply_other(rank("bob", "x"), false); // deciding again is still one annotator
        t.apply_other(rank("carol", "x"), false);
        assert!(!t.wants(&k));
        assert_eq!(t.full(), 1);
        let mut undo = Event::new("carol", "x", None, TaskKind::Rank);
        undo.retract = true;
        t.apply_other(undo, false);
        assert!(t.wants(&k));
        assert_eq!(t.full(), 0);
    }

    #[test]
    fn skips_and_adjudications_do_not_count() {
        let mut t = Team::new(1, TaskKind::Rank);
        let k = TaskKey::new("x", TaskKind::Rank);
        let mut s = rank("bob", "x");
        s.skip = true;
        t.apply_other(s, false);
        let mut adj = rank("rev", "x");
        adj.role = Some("adjudicator".into());
        t.apply_other(adj, false);
        assert!(t.wants(&k));
    }

    #[test]
    fn over_overlap_is_counted() {
        let mut t = Team::new(1, TaskKind::Rank);
        let k = TaskKey::new("x", TaskKind::Rank);
        t.mine_changed(&k, false, true);
        assert_eq!((t.full(), t.over()), (1, 0));
        t.apply_other(rank("bob", "x"), true);
        assert_eq!((t.full(), t.over()), (1, 1));
    }
}
