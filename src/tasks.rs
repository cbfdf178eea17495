//! The tasks a labeling session walks through, and the stable per-labeler display order.
//!
//! Rank and rate modes have one task per item. Pair mode has one task per unordered pair of
//! candidates (C(N,2) for an item with N), with the sides chosen by a stable coin flip. Tasks are
//! not stored one by one (200,000 items of 9 candidates would be 7 million of them): [`Tasks`]
//! keeps where each item's tasks start, and a task is worked out from its number.
//!
//! Display order is shuffled per (annotator, item) from a seed derived with blake3, so the same
//! labeler sees the same order after resuming and no candidate is always first.

use crate::format::Item;
use crate::labels::{TaskKey, TaskKind};
use crate::rng::SplitMix64;

/// The most candidates an item can have in rank mode: one number key each.
pub const RANK_MAX: usize = 9;

/// One task: an item (by position in the file), for pair tasks the two candidates as shown
/// (left, right), as indices into the item's candidates, and for best-worst tasks which of
/// the item's tuples ([`tuples`]) as (its number within the item, the task file's
/// `tuple = K`, 0 without).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Task {
    pub item: usize,
    pub pair: Option<(u16, u16)>,
    pub tuple: Option<(u16, u16)>,
}

/// The task list: grows as items become known (a large file is checked in the background).
#[derive(Debug, Clone)]
pub struct Tasks {
    kind: TaskKind,
    /// (item position, number of its first task), for every usable item in file order.
    entries: Vec<(u32, u64)>,
    total: u64,
    /// Items looked at so far (valid or not): the next `push` is for this position.
    scanned: usize,
    /// Pair mode with `pairs = K` in the task file: K pairs per item instead of all.
    sample: Option<usize>,
    /// Best-worst mode with `tuple = K` in the task file: K candidates shown at a time.
    tuple: Option<usize>,
}

impl Tasks {
    pub fn new(kind: TaskKind) -> Self {
        Tasks {
            kind,
            entries: Vec::new(),
            total: 0,
            scanned: 0,
            sample: None,
            tuple: None,
        }
    }

    /// Best-worst mode: K candidates shown at a time (see [`tuples`]) instead of all.
    pub fn with_tuple(mut self, k: Option<usize>) -> Self {
        self.tuple = k;
        self
    }

    pub fn tuple(&self) -> Option<usize> {
        self.tuple
    }

    /// Pair mode: K pairs per item (the same K for every labeler, see
    /// [`sample_pairs`]) instead of all C(N,2).
    pub fn with_sample(mut self, k: Option<usize>) -> Self {
        self.sample = k;
        self
    }

    pub fn sample(&self) -> Option<usize> {
        self.sample
    }

    pub fn kind(&self) -> TaskKind {
        self.kind
    }

    /// Number of tasks.
    pub fn len(&self) -> usize {
        self.total as usize
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Items looked at (the next item to add is at this position).
    pub fn scanned(&self) -> usize {
        self.scanned
    }

    /// Adds the item at position `scanned()`: `Some(n)` with its candidate count, or `None` for
    /// an unusable record (no tasks).
    pub fn push(&mut self, candidates: Option<usize>) {
        let pos = self.scanned;
        self.scanned += 1;
        let Some(n) = candidates else { return };
        let count = match self.kind {
            TaskKind::Pair => {
                let all = n * n.saturating_sub(1) / 2;
                self.sample.map_or(all, |k| k.min(all)) as u64
            }
            TaskKind::BestWorst => tuple_count(n, self.tuple) as u64,
            _ => 1,
        };
        if count > 0 {
            self.entries.push((pos as u32, self.total));
            self.total += count;
        }
    }

    /// Item position and the task's number within that item.
    pub fn locate(&self, task: usize) -> (usize, usize) {
        let t = task as u64;
        let k = self.entries.partition_point(|&(_, start)| start <= t) - 1;
        let (item, start) = self.entries[k];
        (item as usize, (t - start) as usize)
    }

    /// The first task of the item at position `item`, if it has tasks.
    pub fn first_of(&self, item: usize) -> Option<usize> {
        let k = self
            .entries
            .binary_search_by_key(&(item as u32), |&(p, _)| p)
            .ok()?;
        Some(self.entries[k].1 as usize)
    }

    /// The unordered pair of a pair task (indices into the item's candidates), without working
    /// out which side each is shown on: all a task key needs.
    pub fn pair_of(&self, task: usize, item: &Item) -> (usize, usize) {
        let (_, k) = self.locate(task);
        match self.sample {
            Some(s) => sample_pairs(&item.id, item.candidates.len(), s)
                .get(k)
                .copied()
                .unwrap_or((0, 1)),
            None => nth_pair(k, item.candidates.len()),
        }
    }

    /// Task number `task`, given its item (as returned for `locate(task).0`).
    pub fn task(&self, task: usize, item: &Item, annotator: &str, shuffle: bool) -> Task {
        let (pos, _) = self.locate(task);
        match self.kind {
            TaskKind::Pair => {
                let (a, b) = self.pair_of(task, item);
                let (l, r) = sides(item, annotator, a, b, shuffle);
                Task {
                    item: pos,
                    pair: Some((l as u16, r as u16)),
                    tuple: None,
                }
            }
            TaskKind::BestWorst => Task {
                item: pos,
                pair: None,
                tuple: Some((self.locate(task).1 as u16, self.tuple.unwrap_or(0) as u16)),
            },
            _ => Task {
                item: pos,
                pair: None,
                tuple: None,
            },
        }
    }
}

impl Task {
    /// A best-worst task's candidates (indices, sorted): all of them for other tasks.
    pub fn tuple_of(&self, item: &Item) -> Vec<usize> {
        let (i, k) = self.tuple.unwrap_or((0, 0));
        let k = (k > 0).then_some(usize::from(k));
        let all = tuples(&item.id, item.candidates.len(), k);
        all.get(usize::from(i))
            .cloned()
            .unwrap_or_else(|| (0..item.candidates.len()).collect())
    }
}

/// The sides candidates `a` and `b` (indices, `a < b`) are shown on, as (left, right): a
/// stable coin flip per labeler and pair (with `shuffle`), so no candidate is always left.
pub fn sides(item: &Item, annotator: &str, a: usize, b: usize, shuffle: bool) -> (usize, usize) {
    let (a, b) = (a.min(b), a.max(b));
    let flip = shuffle
        && seed(&[
            annotator,
            &item.id,
            &item.candidates[a].id,
            &item.candidates[b].id,
        ]) & 1
            == 1;
    if flip { (b, a) } else { (a, b) }
}

/// The pairs of candidates (indices, `lo < hi`, sorted) that make an item's pair tasks when
/// the task asks for `k` pairs per item: a pseudo-random choice seeded by the item id, so
/// every labeler and every session gets the same pairs (and overlap works). `k >= C(n,2)`
/// gives every pair.
pub fn sample_pairs(item_id: &str, n: usize, k: usize) -> Vec<(usize, usize)> {
    let mut all: Vec<(usize, usize)> = (0..n)
        .flat_map(|a| (a + 1..n).map(move |b| (a, b)))
        .collect();
    if k >= all.len() {
        return all;
    }
    // Partial Fisher-Yates over a keyed hash stream.
    let mut rng = blake3::Hasher::new_derive_key("prefer sample_pairs v1");
    rng.update(item_id.as_bytes());
    let mut stream = rng.finalize_xof();
    let mut next = || {
        let mut b = [0u8; 8];
        stream.fill(&mut b);
        u64::from_le_bytes(b)
    };
    for i in 0..k {
        let j = i + (next() % (all.len() - i) as u64) as usize;
        all.swap(i, j);
    }
    all.truncate(k);
    all.sort_unstable();
    all
}

/// The k-th pair of n in the order (0,1), (0,2), ..., (0,n-1), (1,2), ...
pub fn nth_pair(mut k: usize, n: usize) -> (usize, usize) {
    for a in 0..n {
        let row = n - a - 1;
        if k < row {
            return (a, a + 1 + k);
        }
        k -= row;
    }
    (0, 1)
}

/// Best-worst mode: how many tuples an item of `n` candidates is shown in, `k` at a time
/// (`None`, or `k >= n`: one tuple of all). Enough that every candidate is shown at least
/// twice: ceil(2n / k).
pub fn tuple_count(n: usize, k: Option<usize>) -> usize {
    match k {
        Some(k) if k >= 2 && k < n => (2 * n).div_ceil(k),
        _ => 1,
    }
}

/// Best-worst mode: the item's tuples of `k` candidates (indices, each tuple sorted), the same
/// for every labeler (seeded by the item id). The candidates are laid out in rounds, each a
/// shuffle of all of them, and cut into tuples of `k`; a candidate that would appear twice
/// in one tuple (where one round meets the next) is swapped with a later one. So the numbers
/// of times any two candidates are shown differ by at most one.
pub fn tuples(item_id: &str, n: usize, k: Option<usize>) -> Vec<Vec<usize>> {
    let count = tuple_count(n, k);
    let k = match k {
        Some(k) if count > 1 => k,
        _ => return vec![(0..n).collect()],
    };
    let slots = count * k;
    let mut stream = Vec::with_capacity(slots + n);
    let mut round = 0u64;
    while stream.len() < slots + n {
        let mut rng = SplitMix64(seed(&[item_id, "best-worst tuples", &round.to_string()]));
        let mut order: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = (rng.next_u64() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        stream.extend(order);
        round += 1;
    }
    let mut out = Vec::with_capacity(count);
    for t in 0..count {
        let start = t * k;
        for i in start..start + k {
            if stream[start..i].contains(&stream[i]) {
                // A later one not yet in this tuple: there is one, as k < n.
                if let Some(j) =
                    (i + 1..stream.len()).find(|&j| !stream[start..i].contains(&stream[j]))
                {
                    stream.swap(i, j);
                }
            }
        }
        let mut tuple = stream[start..start + k].to_vec();
        tuple.sort_unstable();
        out.push(tuple);
    }
    out
}

/// A best-worst tuple's name in the log (`tuple`): its candidate ids sorted and joined with
/// `,`; `None` for a tuple of all the item's candidates.
pub fn tuple_name(item: &Item, tuple: &[usize]) -> Option<String> {
    if tuple.len() >= item.candidates.len() {
        return None;
    }
    let mut ids: Vec<&str> = tuple
        .iter()
        .map(|&c| item.candidates[c].id.as_str())
        .collect();
    ids.sort_unstable();
    Some(ids.join(","))
}

/// The key under which a task's decisions are logged.
pub fn task_key(item: &Item, kind: TaskKind, task: &Task) -> TaskKey {
    if kind == TaskKind::BestWorst {
        return TaskKey::best_worst(&item.id, tuple_name(item, &task.tuple_of(item)).as_deref());
    }
    match task.pair {
        Some((l, r)) => TaskKey::pair(
            &item.id,
            &item.candidates[l as usize].id,
            &item.candidates[r as usize].id,
        ),
        None => TaskKey::new(&item.id, kind),
    }
}

/// Every task key of an item in a mode (with `sample`, only the sampled pairs; with `tuple`,
/// one per best-worst tuple).
pub fn item_keys(
    item: &Item,
    kind: TaskKind,
    sample: Option<usize>,
    tuple: Option<usize>,
) -> Vec<TaskKey> {
    match kind {
        TaskKind::Pair => {
            let n = item.candidates.len();
            let pairs: Vec<(usize, usize)> = match sample {
                Some(k) => sample_pairs(&item.id, n, k),
                None => (0..n)
                    .flat_map(|a| (a + 1..n).map(move |b| (a, b)))
                    .collect(),
            };
            pairs
                .into_iter()
                .map(|(a, b)| {
                    TaskKey::pair(&item.id, &item.candidates[a].id, &item.candidates[b].id)
                })
                .collect()
        }
        TaskKind::BestWorst => tuples(&item.id, item.candidates.len(), tuple)
            .iter()
            .map(|t| TaskKey::best_worst(&item.id, tuple_name(item, t).as_deref()))
            .collect(),
        k => vec![TaskKey::new(&item.id, k)],
    }
}

/// The order in which an item's candidates are shown to `annotator` (indices into
/// `item.candidates`), stable across sessions.
pub fn display_order(item: &Item, annotator: &str, shuffle: bool) -> Vec<usize> {
    let mut order: Vec<usize> = (0..item.candidates.len()).collect();
    if shuffle {
        let mut rng = SplitMix64(seed(&[annotator, &item.id]));
        for i in (1..order.len()).rev() {
            let j = (rng.next_u64() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
    }
    order
}

/// A stable hash of a pair of an item's candidates (ids in either order): which inferred
/// pairs sort mode's `verify` asks again.
pub fn pair_seed(item: &str, a: &str, b: &str) -> u64 {
    let (a, b) = if a <= b { (a, b) } else { (b, a) };
    seed(&["verify", item, a, b])
}

/// A 64-bit seed from strings (separated, so ("ab","c") and ("a","bc") differ).
fn seed(parts: &[&str]) -> u64 {
    let mut h = blake3::Hasher::new();
    for p in parts {
        h.update(&(p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    let bytes = h.finalize();
    u64::from_le_bytes(bytes.as_bytes()[..8].try_into().unwrap_or([0; 8]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sampled_pairs_are_stable_per_item_and_differ_between_items() {
        let a = sample_pairs("q-1", 6, 4);
        assert_eq!(a.len(), 4);
        assert_eq!(a, sample_pairs("q-1", 6, 4));
        assert!(a.iter().all(|&(l, h)| l < h && h < 6));
        let mut u = a.clone();
        u.dedup();
        assert_eq!(u, a);
        let others: Vec<_> = (0..20)
            .map(|i| sample_pairs(&format!("q-{i}"), 6, 4))
            .collect();
        assert!(others.iter().any(|o| *o != a));
        assert_eq!(sample_pairs("q", 3, 10), vec![(0, 1), (0, 2), (1, 2)]);
    }
    use crate::format::parse_item;
    use serde_json::json;
    use std::sync::Arc;

    fn items(counts: &[usize]) -> Vec<Arc<Item>> {
        counts
            .iter()
            .enumerate()
            .map(|(i, &n)| {
                let cands: Vec<String> = (0..n).map(|k| format!("answer {k}")).collect();
                Arc::new(
                    parse_item(
                        json!({"id": format!("i{i}"), "prompt": "p", "candidates": cands}),
                        i + 1,
                    )
                    .unwrap(),
                )
            })
            .collect()
    }

    fn tasks(items: &[Arc<Item>], kind: TaskKind) -> Tasks {
        let mut t = Tasks::new(kind);
        for it in items {
            t.push(Some(it.candidates.len()));
        }
        t
    }

    fn all(t: &Tasks, items: &[Arc<Item>], shuffle: bool) -> Vec<Task> {
        (0..t.len())
            .map(|i| t.task(i, &items[t.locate(i).0], "alice", shuffle))
            .collect()
    }

    #[test]
    fn nth_pair_enumerates_every_pair_once() {
        for n in 2..10 {
            let pairs: Vec<_> = (0..n * (n - 1) / 2).map(|k| nth_pair(k, n)).collect();
            let mut expect = Vec::new();
            for a in 0..n {
                for b in a + 1..n {
                    expect.push((a, b));
                }
            }
            assert_eq!(pairs, expect);
        }
    }

    #[test]
    fn best_worst_tuples_show_every_candidate_about_equally_often() {
        // 5 candidates, 3 at a time: ceil(2*5/3) = 4 tuples, 12 places, so two candidates are
        // shown 3 times and three are shown twice; 9 candidates, 4 at a time: ceil(18/4) = 5
        // tuples, 20 places: two shown 3 times, seven twice.
        for (n, k, want_tuples, want_thrice) in [(5, 3, 4, 2), (9, 4, 5, 2), (6, 3, 4, 0)] {
            for id in ["q0", "q1", "a much longer item id", "李"] {
                let t = tuples(id, n, Some(k));
                assert_eq!(t.len(), want_tuples, "{id} {n}/{k}");
                let mut shown = vec![0; n];
                for tuple in &t {
                    assert_eq!(tuple.len(), k, "{tuple:?}");
                    let mut distinct = tuple.clone();
                    distinct.dedup();
                    assert_eq!(&distinct, tuple, "a candidate twice in {tuple:?}");
                    for &c in tuple {
                        shown[c] += 1;
                    }
                }
                assert_eq!(shown.iter().filter(|&&x| x == 3).count(), want_thrice);
                assert!(shown.iter().all(|&x| x == 2 || x == 3), "{shown:?}");
                // The same for every labeler and session: seeded by the item id alone.
                assert_eq!(tuples(id, n, Some(k)), t);
            }
        }
        // Without `tuple`, or with one as large as the item: one tuple of all, and no name.
        assert_eq!(tuples("q", 4, None), vec![vec![0, 1, 2, 3]]);
        assert_eq!(tuples("q", 4, Some(4)), vec![vec![0, 1, 2, 3]]);
        assert_ne!(tuples("q0", 5, Some(3)), tuples("q1", 5, Some(3)));
        let it = items(&[5]);
        assert_eq!(tuple_name(&it[0], &[0, 1, 2, 3, 4]), None);
        assert_eq!(tuple_name(&it[0], &[3, 0, 1]).as_deref(), Some("c0,c1,c3"));
        // A session's tasks: one per tuple, each keyed by its tuple's name.
        let t = Tasks::new(TaskKind::BestWorst).with_tuple(Some(3));
        let mut t = t;
        t.push(Some(5));
        assert_eq!(t.len(), 4);
        let keys = item_keys(&it[0], TaskKind::BestWorst, None, Some(3));
        let from_tasks: Vec<TaskKey> = (0..4)
            .map(|i| task_key(&it[0], TaskKind::BestWorst, &t.task(i, &it[0], "ann", true)))
            .collect();
        assert_eq!(keys, from_tasks);
    }

    #[test]
    fn pair_tasks_cover_every_pair_once() {
        let it = items(&[2, 4]);
        let t = tasks(&it, TaskKind::Pair);
        assert_eq!(t.len(), 1 + 6);
        let mut keys: Vec<_> = all(&t, &it, true)
            .iter()
            .map(|task| task_key(&it[task.item], TaskKind::Pair, task))
            .collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), 7);
        let mut by_item = item_keys(&it[1], TaskKind::Pair, None, None);
        by_item.sort();
        assert_eq!(by_item, keys[1..].to_vec());
    }

    #[test]
    fn sampled_pairs_are_k_per_item_and_match_their_keys() {
        let it = items(&[5, 2]);
        let mut t = Tasks::new(TaskKind::Pair).with_sample(Some(3));
        for i in &it {
            t.push(Some(i.candidates.len()));
        }
        assert_eq!(t.len(), 3 + 1);
        let mut keys: Vec<TaskKey> = all(&t, &it, true)[..3]
            .iter()
            .map(|task| task_key(&it[0], TaskKind::Pair, task))
            .collect();
        keys.sort();
        let mut expect = item_keys(&it[0], TaskKind::Pair, Some(3), None);
        expect.sort();
        assert_eq!(keys, expect);
    }

    #[test]
    fn unusable_items_have_no_tasks() {
        let mut t = Tasks::new(TaskKind::Rank);
        t.push(Some(3));
        t.push(None);
        t.push(Some(2));
        assert_eq!(t.len(), 2);
        assert_eq!(t.locate(1), (2, 0));
        assert_eq!(t.first_of(1), None);
        assert_eq!(t.first_of(2), Some(1));
        assert_eq!(t.scanned(), 3);
    }

    #[test]
    fn sides_are_mixed_and_stable() {
        let it = items(&[9]);
        let t = tasks(&it, TaskKind::Pair);
        let a = all(&t, &it, true);
        assert_eq!(a, all(&t, &it, true));
        let flipped = a
            .iter()
            .filter(|t| t.pair.unwrap().0 > t.pair.unwrap().1)
            .count();
        assert!(flipped > 0 && flipped < a.len(), "{flipped} of {}", a.len());
        let plain = all(&t, &it, false);
        assert!(plain.iter().all(|t| t.pair.unwrap().0 < t.pair.unwrap().1));
    }

    #[test]
    fn display_order_is_a_stable_permutation_per_annotator() {
        let it = items(&[6]);
        let item = &it[0];
        let a = display_order(item, "alice", true);
        assert_eq!(a, display_order(item, "alice", true));
        let mut sorted = a.clone();
        sorted.sort();
        assert_eq!(sorted, vec![0, 1, 2, 3, 4, 5]);
        assert_eq!(display_order(item, "alice", false), vec![0, 1, 2, 3, 4, 5]);
        let firsts: std::collections::HashSet<usize> = (0..50)
            .map(|k| display_order(item, &format!("a{k}"), true)[0])
            .collect();
        assert!(firsts.len() >= 4);
    }

    /// Fails if the order depends on the labeler alone: every item would then show the same
    /// candidate first, and a position bias would pile up on one candidate slot.
    #[test]
    fn display_order_differs_between_items_of_one_labeler() {
        let it = items(&[5; 40]);
        let orders: std::collections::HashSet<Vec<usize>> = it
            .iter()
            .map(|item| display_order(item, "alice", true))
            .collect();
        assert!(orders.len() > 20, "{} orders for 40 items", orders.len());
        let mut first = [0usize; 5];
        for item in &it {
            first[display_order(item, "alice", true)[0]] += 1;
        }
        assert!(first.iter().all(|&n| n > 0), "first shown: {first:?}");
        // The same holds for the sides of pair tasks.
        let t = tasks(&it, TaskKind::Pair);
        let firsts: std::collections::HashSet<(u16, u16)> = (0..it.len())
            .map(|k| {
                t.task(t.first_of(k).unwrap(), &it[k], "alice", true)
                    .pair
                    .unwrap()
            })
            .collect();
        assert_eq!(firsts.len(), 2, "{firsts:?}");
    }

    #[test]
    fn an_item_without_a_task_gets_no_entry() {
        // One candidate makes no pair: the item is skipped, and the next item's tasks are
        // found from it and from its task numbers.
        let mut t = Tasks::new(TaskKind::Pair);
        t.push(Some(3));
        t.push(Some(1));
        t.push(Some(2));
        assert_eq!(t.len(), 3 + 1);
        assert_eq!(t.first_of(1), None);
        assert_eq!(t.first_of(2), Some(3));
        assert_eq!(t.locate(3), (2, 0));
    }

    #[test]
    fn a_list_is_empty_until_an_item_has_a_task() {
        // A session with no task says so instead of opening an empty screen.
        let mut t = Tasks::new(TaskKind::Pair);
        assert!(t.is_empty());
        t.push(None);
        t.push(Some(1));
        assert!(t.is_empty(), "no item with a pair");
        t.push(Some(2));
        assert!(!t.is_empty());
    }

    #[test]
    fn the_task_files_tuple_and_pairs_are_kept() {
        // The session asks for them to find an item's tasks again (stale decisions, a task
        // by its key): a wrong K names tasks the log does not have.
        let t = Tasks::new(TaskKind::BestWorst);
        assert_eq!((t.tuple(), t.sample()), (None, None));
        let t = t.with_tuple(Some(4));
        assert_eq!(t.tuple(), Some(4));
        let t = Tasks::new(TaskKind::Pair).with_sample(Some(3));
        assert_eq!(t.sample(), Some(3));
    }

    #[test]
    fn best_worst_pairs_make_tuples_of_two() {
        // ceil(2 * 4 / 2) = 4 tuples of two; with two candidates, one tuple of both.
        assert_eq!(tuple_count(4, Some(2)), 4);
        assert_eq!(tuple_count(2, Some(2)), 1);
        assert_eq!(tuple_count(4, Some(1)), 1);
        let t = tuples("q0", 4, Some(2));
        assert_eq!(t.len(), 4);
        assert!(t.iter().all(|x| x.len() == 2 && x[0] < x[1]), "{t:?}");
    }

    #[test]
    fn a_tuple_as_large_as_the_item_or_larger_is_one_tuple_of_every_candidate() {
        // A task file's tuple of 4 over an item of 3 candidates: one tuple of all three, not
        // four slots filled from the shuffled rounds (a candidate twice).
        for (n, k) in [(3, 4), (3, 3), (2, 5), (5, 9)] {
            assert_eq!(tuples("q0", n, Some(k)), vec![(0..n).collect::<Vec<_>>()]);
        }
        assert_eq!(tuples("q0", 3, None), vec![vec![0, 1, 2]]);
    }

    #[test]
    fn draws_are_those_of_every_earlier_session() {
        assert_eq!(seed(&["a", "bc"]), 0xbecd_9424_3e18_5e40);
        assert_eq!(seed(&["ab", "c"]), 0xbdc7_3f4f_018c_96a0);
        assert_eq!(pair_seed("q", "x", "y"), 0x44fb_2360_a91c_414e);
        assert_eq!(pair_seed("q", "y", "x"), 0x44fb_2360_a91c_414e);
        assert_eq!(sample_pairs("q-1", 6, 4), [(0, 2), (0, 3), (0, 5), (3, 4)]);
        assert_eq!(
            tuples("q0", 5, Some(3)),
            [[0, 2, 4], [1, 2, 3], [0, 1, 4], [0, 2, 3]]
        );
        assert_eq!(tuples("q0", 4, Some(2)), [[1, 2], [0, 3], [0, 3], [1, 2]]);
        let it = items(&[6]);
        assert_eq!(display_order(&it[0], "alice", true), [0, 1, 4, 3, 5, 2]);
        let mut shown = Vec::new();
        for a in 0..6 {
            for b in a + 1..6 {
                shown.push(sides(&it[0], "alice", a, b, true));
            }
        }
        assert_eq!(
            shown,
            [
                (1, 0),
                (0, 2),
                (0, 3),
                (0, 4),
                (5, 0),
                (1, 2),
                (3, 1),
                (4, 1),
                (5, 1),
                (2, 3),
                (2, 4),
                (5, 2),
                (4, 3),
                (3, 5),
                (4, 5)
            ]
        );
    }
}
