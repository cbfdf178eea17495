//! The tasks a labeling session walks through, and the stable per-labeler display order.
//!
//! Rank and rate modes have one task per item. Pair mode has one task per unordered pair of
//! candidates (C(N,2) for an item with N), with the sides chosen by a stable coin flip. Display
//! order is shuffled per (annotator, item) from a seed derived with blake3, so the same labeler
//! sees the same order after resuming and no candidate is always first.

use crate::format::{Item, ItemSource};
use crate::labels::{TaskKey, TaskKind};

/// One task: an item, and for pair tasks the two candidates as shown (left, right), as
/// indices into the item's candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Task {
    pub item: usize,
    pub pair: Option<(u16, u16)>,
}

/// Builds the task list in file order.
pub fn build_tasks(
    source: &dyn ItemSource,
    kind: TaskKind,
    annotator: &str,
    shuffle: bool,
) -> Vec<Task> {
    let mut tasks = Vec::with_capacity(source.len());
    for i in 0..source.len() {
        if kind != TaskKind::Pair {
            tasks.push(Task {
                item: i,
                pair: None,
            });
            continue;
        }
        let item = source.item(i);
        let n = item.candidates.len();
        for a in 0..n {
            for b in a + 1..n {
                let flip = shuffle
                    && seed(&[
                        annotator,
                        &item.id,
                        &item.candidates[a].id,
                        &item.candidates[b].id,
                    ]) & 1
                        == 1;
                let (l, r) = if flip { (b, a) } else { (a, b) };
                tasks.push(Task {
                    item: i,
                    pair: Some((l as u16, r as u16)),
                });
            }
        }
    }
    tasks
}

/// The key under which a task's decisions are logged.
pub fn task_key(item: &Item, kind: TaskKind, task: &Task) -> TaskKey {
    match task.pair {
        Some((l, r)) => TaskKey::pair(
            &item.id,
            &item.candidates[l as usize].id,
            &item.candidates[r as usize].id,
        ),
        None => TaskKey::new(&item.id, kind),
    }
}

/// The order in which an item's candidates are shown to `annotator` (indices into
/// `item.candidates`), stable across sessions.
pub fn display_order(item: &Item, annotator: &str, shuffle: bool) -> Vec<usize> {
    let mut order: Vec<usize> = (0..item.candidates.len()).collect();
    if shuffle {
        let mut rng = SplitMix64(seed(&[annotator, &item.id]));
        for i in (1..order.len()).rev() {
            let j = (rng.next() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
    }
    order
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

/// SplitMix64: tiny, well-known, and enough for a shuffle that only has to be stable.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::{Dataset, FileKind, parse_item};
    use serde_json::json;
    use std::path::PathBuf;
    use std::sync::Arc;

    fn dataset(counts: &[usize]) -> Dataset {
        let items = counts
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
            .collect();
        Dataset {
            path: PathBuf::from("t.jsonl"),
            kind: FileKind::JsonLines,
            items,
        }
    }

    #[test]
    fn pair_tasks_cover_every_pair_once() {
        let d = dataset(&[2, 4]);
        let tasks = build_tasks(&d, TaskKind::Pair, "alice", true);
        assert_eq!(tasks.len(), 1 + 6);
        let mut keys: Vec<_> = tasks
            .iter()
            .map(|t| task_key(&d.items[t.item], TaskKind::Pair, t))
            .collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), 7);
    }

    #[test]
    fn sides_are_mixed_and_stable() {
        let d = dataset(&[9]);
        let a = build_tasks(&d, TaskKind::Pair, "alice", true);
        assert_eq!(a, build_tasks(&d, TaskKind::Pair, "alice", true));
        let flipped = a
            .iter()
            .filter(|t| t.pair.unwrap().0 > t.pair.unwrap().1)
            .count();
        assert!(flipped > 0 && flipped < a.len(), "{flipped} of {}", a.len());
        let plain = build_tasks(&d, TaskKind::Pair, "alice", false);
        assert!(plain.iter().all(|t| t.pair.unwrap().0 < t.pair.unwrap().1));
    }

    #[test]
    fn display_order_is_a_stable_permutation_per_annotator() {
        let d = dataset(&[6]);
        let item = &d.items[0];
        let a = display_order(item, "alice", true);
        assert_eq!(a, display_order(item, "alice", true));
        let mut sorted = a.clone();
        sorted.sort();
        assert_eq!(sorted, vec![0, 1, 2, 3, 4, 5]);
        assert_eq!(display_order(item, "alice", false), vec![0, 1, 2, 3, 4, 5]);
        // Over many annotators, the first shown candidate varies.
        let firsts: std::collections::HashSet<usize> = (0..50)
            .map(|k| display_order(item, &format!("a{k}"), true)[0])
            .collect();
        assert!(firsts.len() >= 4);
    }
}
