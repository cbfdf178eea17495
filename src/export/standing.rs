//! From the annotators' logs to the decisions that stand: latest wins per annotator and task,
//! retractions take a decision back, and skipped, stale or unknown decisions are counted and
//! left out. Pure: the caller reads the logs and the candidate file.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use crate::format::Item;
use crate::labels::{Decisions, Event, TaskKey, TaskKind};

/// The `role` an adjudicator's events carry.
pub const ADJUDICATOR: &str = "adjudicator";

/// One decision that stands: the latest of its annotator on its task, not skipped, not
/// retracted, and (when the candidate file is known) not stale.
#[derive(Debug, Clone, PartialEq)]
pub struct Decided {
    /// Index into [`Standing::annotators`].
    pub annotator: u32,
    /// Index of the item in the candidate file, when one was given.
    pub item: Option<usize>,
    pub event: Event,
}

impl Decided {
    pub fn is_adjudicator(&self) -> bool {
        self.event.role.as_deref() == Some(ADJUDICATOR)
    }
}

/// What one annotator's log holds, after replay.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct AnnotatorCounts {
    /// Standing decisions that count (stale and unknown ones not included).
    pub decisions: usize,
    /// Tasks whose standing event is a skip.
    pub skips: usize,
    /// Tasks whose decision was taken back and not decided again.
    pub retracted: usize,
    /// `retract` events in the log (an annotator who undoes often shows up here).
    pub retract_events: usize,
    /// Decisions about an item that changed since it was labeled.
    pub stale: usize,
    /// Decisions about items or candidates the candidate file does not have.
    pub unknown: usize,
    /// True when any of the annotator's events carries `"role": "adjudicator"`.
    pub adjudicator: bool,
}

/// Why decisions were left out, summed over annotators.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct LeftOut {
    pub skipped: usize,
    pub retracted: usize,
    pub stale: usize,
    pub unknown: usize,
}

impl LeftOut {
    pub fn total(&self) -> usize {
        self.skipped + self.retracted + self.stale + self.unknown
    }
}

/// Every standing decision, in a deterministic order: item (file order, or id when there is no
/// file), then annotator name, then task.
#[derive(Debug, Clone, Default)]
pub struct Standing {
    /// Annotator names, sorted.
    pub annotators: Vec<String>,
    /// Per annotator, parallel to `annotators`.
    pub counts: Vec<AnnotatorCounts>,
    pub decisions: Vec<Decided>,
    pub left_out: LeftOut,
}

/// Replays the events of every log (in the order given) per annotator and keeps what stands.
/// With `items`, decisions about changed items (their `item_hash` differs from the item's
/// current hash) are stale, and decisions about unknown items or candidates are left out.
pub fn standing(events: impl IntoIterator<Item = Event>, items: Option<&[Arc<Item>]>) -> Standing {
    // Group by annotator name; a BTreeMap keeps the annotator order stable.
    // Per annotator: replay, the tasks that saw a retraction (only those: a set of every
    // task would cost an allocation per event), retract events, adjudicator role.
    let mut per: BTreeMap<String, (Decisions, HashSet<TaskKey>, usize, bool)> = BTreeMap::new();
    for e in events {
        let entry = match per.get_mut(&e.annotator) {
            Some(entry) => entry,
            None => per.entry(e.annotator.clone()).or_default(),
        };
        if e.retract {
            entry.1.insert(e.key());
            entry.2 += 1;
        }
        if e.role.as_deref() == Some(ADJUDICATOR) {
            entry.3 = true;
        }
        entry.0.apply(e);
    }
    let index: Option<HashMap<&str, usize>> = items.map(|items| {
        items
            .iter()
            .enumerate()
            .map(|(i, it)| (it.id.as_str(), i))
            .collect()
    });

    let mut out = Standing::default();
    for (a, (name, (decisions, retracted, retract_events, adjudicator))) in
        per.into_iter().enumerate()
    {
        let mut counts = AnnotatorCounts {
            retract_events,
            adjudicator,
            ..Default::default()
        };
        // A retracted task counts unless it was decided or skipped again afterwards.
        counts.retracted = retracted
            .iter()
            .filter(|k| decisions.get(k).is_none())
            .count();
        for e in decisions.iter() {
            if e.skip {
                counts.skips += 1;
                continue;
            }
            let item = match (&index, items) {
                (Some(index), Some(items)) => match index.get(e.item.as_str()) {
                    None => {
                        counts.unknown += 1;
                        continue;
                    }
                    Some(&i) => {
                        let it = &items[i];
                        if e.item_hash.as_deref().is_some_and(|h| h != it.hash) {
                            counts.stale += 1;
                            continue;
                        }
                        if !refers_to_known_candidates(e, it) {
                            counts.unknown += 1;
                            continue;
                        }
                        Some(i)
                    }
                },
                _ => None,
            };
            counts.decisions += 1;
            out.decisions.push(Decided {
                annotator: a as u32,
                item,
                event: e.clone(),
            });
        }
        out.left_out.skipped += counts.skips;
        out.left_out.retracted += counts.retracted;
        out.left_out.stale += counts.stale;
        out.left_out.unknown += counts.unknown;
        out.annotators.push(name);
        out.counts.push(counts);
    }
    out.decisions.sort_by(|x, y| {
        x.item
            .cmp(&y.item)
            .then_with(|| x.event.item.cmp(&y.event.item))
            .then(x.annotator.cmp(&y.annotator))
            .then(x.event.task.cmp(&y.event.task))
            .then_with(|| x.event.pair.cmp(&y.event.pair))
    });
    out
}

/// True when every candidate id the decision names is one of the item's.
fn refers_to_known_candidates(e: &Event, item: &Item) -> bool {
    let known = |id: &str| item.candidate_index(id).is_some();
    match e.task {
        TaskKind::Pair => {
            e.pair.as_ref().is_some_and(|[l, r]| known(l) && known(r))
                && e.choice
                    .as_deref()
                    .is_some_and(|c| c == "tie" || c == "both_bad" || known(c))
        }
        TaskKind::Rank => e
            .ranking
            .as_ref()
            .is_some_and(|r| r.iter().flatten().all(|id| known(id))),
        TaskKind::Rate => e
            .ratings
            .as_ref()
            .is_some_and(|r| r.keys().all(|id| known(id))),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::format::parse_item;
    use serde_json::json;

    pub(crate) fn item(id: &str, n: usize) -> Arc<Item> {
        let cands: Vec<_> = (0..n)
            .map(|i| json!({"id": format!("c{i}"), "text": "x".repeat(i + 1)}))
            .collect();
        Arc::new(parse_item(json!({"id": id, "prompt": "p", "candidates": cands}), 1).unwrap())
    }

    pub(crate) fn pair(who: &str, it: &Item, l: &str, r: &str, choice: &str) -> Event {
        let mut e = Event::new(who, &it.id, Some(&it.hash), TaskKind::Pair);
        e.pair = Some([l.into(), r.into()]);
        e.choice = Some(choice.into());
        e
    }

    #[test]
    fn skipped_retracted_stale_and_unknown_are_counted_and_left_out() {
        let x = item("x", 2);
        let y = item("y", 2);
        let items = vec![x.clone(), y.clone()];
        let mut skip = Event::new("bob", "y", Some(&y.hash), TaskKind::Rank);
        skip.skip = true;
        let mut retract = Event::new("alice", "y", None, TaskKind::Pair);
        retract.pair = Some(["c0".into(), "c1".into()]);
        retract.retract = true;
        let mut stale = pair("carol", &x, "c0", "c1", "c0");
        stale.item_hash = Some("old".into());
        let events = vec![
            pair("alice", &x, "c0", "c1", "c1"),
            pair("alice", &y, "c1", "c0", "c0"),
            retract,
            skip,
            stale,
            pair("bob", &x, "c1", "c0", "c9"),
            pair("bob", &item("gone", 2), "c1", "c0", "c0"),
        ];
        let s = standing(events, Some(&items));
        assert_eq!(s.annotators, ["alice", "bob", "carol"]);
        assert_eq!(s.decisions.len(), 1);
        assert_eq!(s.decisions[0].event.choice.as_deref(), Some("c1"));
        assert_eq!(
            s.left_out,
            LeftOut {
                skipped: 1,
                retracted: 1,
                stale: 1,
                unknown: 2
            }
        );
        assert_eq!(s.counts[0].retract_events, 1);
        assert_eq!(s.counts[0].decisions, 1);
    }

    #[test]
    fn without_a_file_nothing_is_stale_and_items_sort_by_id() {
        let x = item("x", 2);
        let mut e = pair("bob", &x, "c0", "c1", "c0");
        e.item = "b".into();
        e.item_hash = Some("whatever".into());
        let mut f = e.clone();
        f.item = "a".into();
        let s = standing(vec![e, f], None);
        assert_eq!(s.decisions.len(), 2);
        assert_eq!(s.decisions[0].event.item, "a");
        assert_eq!(s.decisions[0].item, None);
    }
}
