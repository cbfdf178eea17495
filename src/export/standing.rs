//! From the annotators' logs to the decisions that stand: latest wins per annotator and task,
//! retractions take a decision back, and skipped, stale or unknown decisions are counted and
//! left out. Pure: the caller reads the logs and the candidate file.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use crate::format::Item;
use crate::labels::{Decisions, Event, FastHash, Role, TaskKey, TaskKind, WriterCounts, Writers};

/// One decision that stands: the latest of its annotator on its task, not skipped, not
/// retracted, and (when the candidate file is known) not stale.
#[derive(Debug, Clone, PartialEq)]
pub struct Decided {
    /// Index into [`Standing::annotators`].
    pub annotator: u32,
    /// Index of the item in the candidate file, when one was given.
    pub item: Option<usize>,
    /// `event.at` as a number, when it has the writer's own format (see
    /// [`super::at_key`]): worked out while the event is fresh in the cache.
    pub at: Option<u64>,
    pub event: Event,
}

impl Decided {
    /// A decision of annotator number `annotator`, its item not yet looked up.
    pub fn new(annotator: u32, event: Event) -> Decided {
        Decided {
            annotator,
            item: None,
            at: super::at_key(&event.at),
            event,
        }
    }

    pub fn is_adjudicator(&self) -> bool {
        self.event.role() == Some(Role::Adjudicator)
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
    /// Standing edits (a candidate rewritten), counted apart from the decisions.
    pub edits: usize,
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
    /// Standing edits (events of kind `Edit`), kept apart from the decisions so that no count,
    /// statistic or agreement figure takes one for a judgement; export makes each a candidate
    /// (see `super::edits`). Same order as the decisions.
    pub edits: Vec<Decided>,
    pub left_out: LeftOut,
    /// Who wrote the logs at the OS level, and logs left out as symbolic links.
    pub writers: Writers,
    /// Standing hidden repeats (second decisions on a task, see `Event::repeat`): never among
    /// `decisions` nor counted; read only for self-agreement and position consistency. With
    /// items, those about unknown or changed items are left out.
    pub repeats: Vec<Decided>,
}

/// One annotator's events, replayed: what stands, the tasks that saw a retraction (only those:
/// a set of every task would cost an allocation per event), retract events, and whether any
/// event carried the adjudicator role.
#[derive(Debug, Default)]
struct Replayed {
    decisions: Decisions,
    retracted: HashSet<TaskKey>,
    retract_events: usize,
    adjudicator: bool,
    /// (log number + 1, its number in `decisions`) of the log lines are applied from.
    log: (usize, u32),
}

/// Every annotator's replay, with what stands taken out of them: see [`settle`].
#[derive(Debug, Default)]
pub struct Replays {
    /// By annotator name, with the counts [`settle`] found.
    per: BTreeMap<String, AnnotatorCounts>,
    /// The standing decisions of all annotators (skips left out), by annotator in name order,
    /// otherwise in no particular order; `item` not yet known.
    decided: Vec<Decided>,
    /// Who wrote the logs (see [`Writers`]).
    pub writers: Writers,
    /// The standing hidden repeats, as `decided`.
    repeats: Vec<Decided>,
}

/// Takes the standing decisions out of every replay. The lines they came from are parsed on
/// all cores, each straight into its place in one vector (a million decisions are 400 MB of
/// events: every copy of them costs a tenth of a second), which [`standing_of`] then sorts
/// in place.
fn settle(per: BTreeMap<String, Replayed>) -> Replays {
    use rayon::prelude::*;
    let mut counts = BTreeMap::new();
    let mut taken = Vec::with_capacity(per.len());
    let mut repeats = Vec::new();
    for (name, r) in per {
        // A retracted task counts unless it was decided or skipped again afterwards.
        let retracted = r
            .retracted
            .iter()
            .filter(|k| {
                let pair = k.pair.as_ref().map(|(l, r)| (l.as_str(), r.as_str()));
                !r.decisions.has(&k.item, k.kind, pair)
            })
            .count();
        let mut t = r.decisions.into_standing();
        let a = taken.len() as u32;
        repeats.extend(t.repeats.drain(..).map(|e| Decided::new(a, e)));
        counts.insert(
            name,
            AnnotatorCounts {
                retract_events: r.retract_events,
                adjudicator: r.adjudicator,
                retracted,
                skips: t.skips,
                ..Default::default()
            },
        );
        taken.push(t);
    }
    let total = taken.iter().map(|t| t.events.len() + t.lines().len()).sum();
    let mut decided = Vec::with_capacity(total);
    for (a, t) in taken.iter_mut().enumerate() {
        decided.extend(
            t.events
                .drain(..)
                .map(|event| Decided::new(a as u32, event)),
        );
    }
    let lines: Vec<(u32, &[u8])> = taken
        .iter()
        .enumerate()
        .flat_map(|(a, t)| t.lines().map(move |l| (a as u32, l)))
        .collect();
    // The lines passed the same checks when the logs were read (see `replay_logs`).
    decided.par_extend(
        lines
            .par_iter()
            .map(|&(a, line)| Decided::new(a, crate::labels::parse_line(line))),
    );
    Replays {
        per: counts,
        decided,
        writers: Writers::default(),
        repeats,
    }
}

/// Replays every log (in the order given) per annotator, checking each line as a full read
/// does (the same lines accepted, the same first error) on all cores without building its
/// event; then parses the lines that stand (see [`settle`]). Also returns the warnings for
/// torn last lines (logs are read without locking: labelers may be writing).
pub fn replay_logs(
    paths: &[std::path::PathBuf],
) -> Result<(Replays, Vec<String>), crate::labels::LogError> {
    replay_sources(paths.iter().map(|path| {
        let (bytes, torn) = crate::labels::read_complete(path)?;
        Ok((path.clone(), bytes, torn))
    }))
}

/// [`replay_logs`] of the logs a store holds (whole lines only, so none is unfinished).
pub fn replay_stored(
    logs: Vec<crate::labels::StoredLog>,
) -> Result<(Replays, Vec<String>), crate::labels::LogError> {
    replay_sources(logs.into_iter().map(|l| Ok((l.name, l.bytes, None))))
}

/// [`replay_logs`] of logs given as (name, complete bytes, torn tail left out), read one at a
/// time as the replay reaches them.
fn replay_sources(
    logs: impl Iterator<
        Item = Result<(std::path::PathBuf, Vec<u8>, Option<usize>), crate::labels::LogError>,
    >,
) -> Result<(Replays, Vec<String>), crate::labels::LogError> {
    let mut per: BTreeMap<String, Replayed> = BTreeMap::new();
    let mut warnings = Vec::new();
    let mut writers = Writers::default();
    for (n, log) in logs.enumerate() {
        let (path, bytes, torn) = log?;
        let path = &path;
        if let Some(bytes) = torn {
            warnings.push(format!(
                "{}: left out an unfinished last line ({bytes} bytes; being written, or cut off by a crash)",
                path.display()
            ));
        }
        // Shared, not copied: a million-event log is 200 MB.
        let bytes = Arc::new(crate::labels::LogBytes::from(bytes));
        let mut counts = WriterCounts::default();
        crate::labels::check_log(path, &bytes, |line| {
            counts.note(
                line.uid,
                line.annotator,
                Role::of(line.role) == Some(Role::Adjudicator),
            );
            let entry = match per.get_mut(line.annotator) {
                Some(entry) => entry,
                None => per.entry(line.annotator.to_string()).or_default(),
            };
            if entry.log.0 != n + 1 {
                entry.log = (n + 1, entry.decisions.add_log(Arc::clone(&bytes)));
            }
            let b = &line.brief;
            if b.retract && !b.repeat {
                entry.retracted.insert(match (b.kind, b.pair) {
                    (TaskKind::Pair, Some((l, r))) => TaskKey::pair(b.item, l, r),
                    (TaskKind::Edit, Some((s, _))) => TaskKey::edit(b.item, s),
                    (TaskKind::BestWorst, t) => TaskKey::best_worst(b.item, t.map(|(t, _)| t)),
                    (kind, _) => TaskKey::new(b.item, kind),
                });
                entry.retract_events += 1;
            }
            if Role::of(line.role) == Some(Role::Adjudicator) {
                entry.adjudicator = true;
            }
            entry.decisions.apply_brief(entry.log.1, b);
        })?;
        writers.add(path, counts);
    }
    let mut replays = settle(per);
    replays.writers = writers;
    Ok((replays, warnings))
}

/// Replays the events of every log (in the order given) per annotator and keeps what stands.
/// With `items`, decisions about changed items (their `item_hash` differs from the item's
/// current hash) are stale, and decisions about unknown items or candidates are left out.
pub fn standing(events: impl IntoIterator<Item = Event>, items: Option<&[Arc<Item>]>) -> Standing {
    // Group by annotator name; a BTreeMap keeps the annotator order stable.
    let mut per: BTreeMap<String, Replayed> = BTreeMap::new();
    for e in events {
        let entry = match per.get_mut(&e.annotator) {
            Some(entry) => entry,
            None => per.entry(e.annotator.clone()).or_default(),
        };
        if e.retract && !e.repeat {
            entry.retracted.insert(e.key());
            entry.retract_events += 1;
        }
        if e.role() == Some(Role::Adjudicator) {
            entry.adjudicator = true;
        }
        entry.decisions.apply(e);
    }
    standing_of(settle(per), items)
}

/// [`standing`] from logs already replayed (see [`replay_logs`]).
pub fn standing_of(replays: Replays, items: Option<&[Arc<Item>]>) -> Standing {
    let Replays {
        per,
        mut decided,
        writers,
        mut repeats,
    } = replays;
    let mut out = Standing {
        writers,
        ..Standing::default()
    };
    let (names, mut counts): (Vec<String>, Vec<AnnotatorCounts>) = per.into_iter().unzip();
    let mut edits = take_edits(&mut decided);
    match items {
        Some(items) => {
            let index: HashMap<&str, usize, FastHash> = items
                .iter()
                .enumerate()
                .map(|(i, it)| (it.id.as_str(), i))
                .collect();
            // Where each decision goes, worked out on all cores (item lookups, id checks): its
            // sort key, or why it is left out (stale or not) and whose it is.
            let fates = crate::par::in_chunks(&decided, |start, ds| {
                ds.iter()
                    .zip(start as u32..)
                    .map(|(d, k)| match fate(&d.event, &index, items) {
                        Fate::Known { item: i, l, r } => Ok(SortKey {
                            item_annotator: (i as u64) << 32 | u64::from(d.annotator),
                            kind: d.event.task,
                            l,
                            r,
                            at: k,
                        }),
                        Fate::Stale => Err((true, d.annotator)),
                        Fate::Unknown => Err((false, d.annotator)),
                    })
                    .collect::<Vec<_>>()
            });
            let mut keys: Vec<SortKey> = Vec::with_capacity(decided.len());
            let mut left_out: Vec<u32> = Vec::new();
            for (k, f) in fates.into_iter().flatten().enumerate() {
                match f {
                    Ok(key) => {
                        counts[key.item_annotator as u32 as usize].decisions += 1;
                        keys.push(key);
                    }
                    Err((stale, a)) => {
                        let c = &mut counts[a as usize];
                        if stale {
                            c.stale += 1;
                        } else {
                            c.unknown += 1;
                        }
                        left_out.push(k as u32);
                    }
                }
            }
            // Every decision is about a known item and known candidates: sort on integers.
            // Within one item, a candidate id's rank among the item's ids orders as the id
            // itself does, and one annotator has at most one standing decision per task, so
            // the keys are distinct and give the same order as comparing the strings. Only
            // the keys move while sorting; then each decision moves once, within the vector.
            keys.sort_unstable();
            let order: Vec<u32> = keys.iter().map(|k| k.at).chain(left_out).collect();
            permute(&mut decided, &order);
            decided.truncate(keys.len());
            for (d, k) in decided.iter_mut().zip(&keys) {
                d.item = Some((k.item_annotator >> 32) as usize);
            }
            repeats.retain_mut(|d| match fate(&d.event, &index, items) {
                Fate::Known { item, .. } => {
                    d.item = Some(item);
                    true
                }
                _ => false,
            });
            edits.retain_mut(|d| {
                let c = &mut counts[d.annotator as usize];
                match fate(&d.event, &index, items) {
                    Fate::Known { item, .. } => {
                        d.item = Some(item);
                        c.edits += 1;
                        true
                    }
                    Fate::Stale => {
                        c.stale += 1;
                        false
                    }
                    Fate::Unknown => {
                        c.unknown += 1;
                        false
                    }
                }
            });
        }
        None => {
            for d in &decided {
                counts[d.annotator as usize].decisions += 1;
            }
            for d in &edits {
                counts[d.annotator as usize].edits += 1;
            }
            decided.sort_by(|x, y| {
                x.event
                    .item
                    .cmp(&y.event.item)
                    .then(x.annotator.cmp(&y.annotator))
                    .then(x.event.task.cmp(&y.event.task))
                    .then_with(|| x.event.pair.cmp(&y.event.pair))
            });
        }
    }
    for c in &counts {
        out.left_out.skipped += c.skips;
        out.left_out.retracted += c.retracted;
        out.left_out.stale += c.stale;
        out.left_out.unknown += c.unknown;
    }
    out.annotators = names;
    out.counts = counts;
    out.decisions = decided;
    edits.sort_by(|x, y| {
        (x.item, &x.event.item, x.annotator, &x.event.source).cmp(&(
            y.item,
            &y.event.item,
            y.annotator,
            &y.event.source,
        ))
    });
    out.edits = edits;
    repeats.sort_by(|x, y| {
        (x.item, &x.event.item, x.annotator, &x.event.pair).cmp(&(
            y.item,
            &y.event.item,
            y.annotator,
            &y.event.pair,
        ))
    });
    out.repeats = repeats;
    out
}

/// Takes the edits out of the standing events (most logs have none: then nothing moves).
fn take_edits(decided: &mut Vec<Decided>) -> Vec<Decided> {
    if !decided.iter().any(|d| d.event.task == TaskKind::Edit) {
        return Vec::new();
    }
    let (edits, rest) = std::mem::take(decided)
        .into_iter()
        .partition(|d| d.event.task == TaskKind::Edit);
    *decided = rest;
    edits
}

/// Puts `xs[order[i]]` at `i`, for a permutation `order`, by swaps along its cycles: each
/// element moves once, and no second vector of them is needed.
fn permute<T>(xs: &mut [T], order: &[u32]) {
    assert_eq!(xs.len(), order.len(), "one place per element");
    let mut done = vec![false; xs.len()];
    for start in 0..xs.len() {
        if done[start] {
            continue;
        }
        let mut i = start;
        loop {
            done[i] = true;
            let j = order[i] as usize;
            if j == start {
                break;
            }
            // A repeated index would go round for ever.
            assert!(!done[j], "order is not a permutation");
            xs.swap(i, j);
            i = j;
        }
    }
}

/// What becomes of a standing event when the candidate file is known.
#[derive(Clone, Copy)]
enum Fate {
    /// Its item or one of its candidates is not in the file.
    Unknown,
    /// Made on another version of its item.
    Stale,
    /// Kept: the item's index and the ranks of a pair's ids (0, 0 for other tasks).
    Known { item: usize, l: u32, r: u32 },
}

fn fate(e: &Event, index: &HashMap<&str, usize, FastHash>, items: &[Arc<Item>]) -> Fate {
    let Some(&i) = index.get(e.item.as_str()) else {
        return Fate::Unknown;
    };
    let it = &items[i];
    if e.item_hash.as_deref().is_some_and(|h| h != it.hash) {
        return Fate::Stale;
    }
    // One pass over the item's ids both checks a pair's ids and ranks them for the sort.
    let ranks = match (e.task, &e.pair) {
        (TaskKind::Pair, Some([l, r])) => pair_ranks(it, l, r).filter(|_| {
            e.choice.as_deref().is_some_and(|c| {
                cmp_ids(c, l).is_eq()
                    || cmp_ids(c, r).is_eq()
                    || c == "tie"
                    || c == "both_bad"
                    || it.candidate_index(c).is_some()
            })
        }),
        _ => refers_to_known_candidates(e, it).then_some((0, 0)),
    };
    match ranks {
        Some((l, r)) => Fate::Known { item: i, l, r },
        None => Fate::Unknown,
    }
}

/// Where a decision about a known item goes in [`Standing::decisions`]: item, annotator, task
/// kind, the ranks of a pair's ids; `at` is its position before sorting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct SortKey {
    item_annotator: u64,
    kind: TaskKind,
    l: u32,
    r: u32,
    at: u32,
}

/// The ranks of `l` and `r` among the item's candidate ids in string order (how many ids sort
/// before each), when both are ids of the item.
fn pair_ranks(item: &Item, l: &str, r: &str) -> Option<(u32, u32)> {
    use std::cmp::Ordering::{Equal, Less};
    let (mut rl, mut rr, mut kl, mut kr) = (0, 0, false, false);
    for c in &item.candidates {
        let id = c.id.as_str();
        match cmp_ids(id, l) {
            Less => rl += 1,
            Equal => kl = true,
            _ => {}
        }
        match cmp_ids(id, r) {
            Less => rr += 1,
            Equal => kr = true,
            _ => {}
        }
    }
    (kl && kr).then_some((rl, rr))
}

/// `a.cmp(b)`, inline: candidate ids are a few bytes, and a call to `memcmp` for each
/// comparison cost more than comparing them.
#[inline]
fn cmp_ids(a: &str, b: &str) -> std::cmp::Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return x.cmp(y);
        }
    }
    a.len().cmp(&b.len())
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
        TaskKind::BestWorst => {
            e.best.as_deref().is_some_and(known)
                && e.worst.as_deref().is_some_and(known)
                && e.shown
                    .as_ref()
                    .is_none_or(|s| s.iter().all(|id| known(id)))
        }
        TaskKind::Edit => e.source.as_deref().is_some_and(known),
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
    fn hidden_repeats_stand_apart_from_the_decisions_in_a_log_and_in_events() {
        // alice decides x (c0), then a repeat of x with the sides swapped (c1), then y; a repeat
        // of y is made and taken back. The standing decisions are x and y, once each, and
        // nothing counts as retracted; one repeat stands.
        let (x, y) = (item("x", 2), item("y", 2));
        let items = vec![x.clone(), y.clone()];
        let first = pair("alice", &x, "c0", "c1", "c0");
        let mut again = pair("alice", &x, "c1", "c0", "c1");
        again.repeat = true;
        let mut ry = pair("alice", &y, "c1", "c0", "c0");
        ry.repeat = true;
        let mut back = Event::new("alice", "y", Some(&y.hash), TaskKind::Pair);
        back.pair = Some(["c1".into(), "c0".into()]);
        (back.retract, back.repeat) = (true, true);
        let events = vec![
            first.clone(),
            again.clone(),
            pair("alice", &y, "c0", "c1", "c1"),
            ry,
            back,
        ];
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alice.jsonl");
        let text: String = events
            .iter()
            .map(|e| serde_json::to_string(e).unwrap() + "\n")
            .collect();
        assert!(text.contains("\"repeat\":true"));
        std::fs::write(&path, text).unwrap();
        let (per, _) = replay_logs(std::slice::from_ref(&path)).unwrap();
        for st in [
            standing_of(per, Some(&items)),
            standing(events, Some(&items)),
        ] {
            assert_eq!(st.decisions.len(), 2);
            assert!(st.decisions.iter().all(|d| !d.event.repeat));
            assert_eq!(st.decisions[0].event, first);
            assert_eq!(st.counts[0].decisions, 2);
            assert_eq!((st.left_out.retracted, st.counts[0].retract_events), (0, 0));
            assert_eq!(st.repeats.len(), 1);
            assert_eq!(st.repeats[0].event, again);
            assert_eq!(st.repeats[0].item, Some(0));
        }
        // A line without the field (every log written before repeats) is no repeat.
        let old = crate::labels::parse_line(
            br#"{"v":1,"at":"","annotator":"a","item":"x","task":"pair","pair":["c0","c1"],"choice":"c0"}"#,
        );
        assert!(!old.repeat);
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

    /// The standing step before it sorted on integers and moved events out of the replay.
    fn standing_by_strings(
        events: impl IntoIterator<Item = Event>,
        items: Option<&[Arc<Item>]>,
    ) -> Standing {
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
            if e.role() == Some(Role::Adjudicator) {
                entry.3 = true;
            }
            entry.0.apply(e);
        }
        let index: Option<std::collections::HashMap<&str, usize>> = items.map(|items| {
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
                    item,
                    ..Decided::new(a as u32, e.clone())
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

    use crate::testutil::Rng;

    /// A random multi-annotator log: pair, rank and rate decisions, skips, retractions, stale
    /// hashes, unknown items and candidates, candidate ids whose string order is not their
    /// file order, and times out of order.
    /// Items `q0`, `q1`, ... with `cands(i)` candidates listed from the highest id down
    /// (`c11`, `c10`, ..., `c0`), so file order and id order differ.
    fn items_ids_reversed(n: usize, cands: impl Fn(usize) -> usize) -> Vec<Arc<Item>> {
        (0..n)
            .map(|i| {
                let cs: Vec<_> = (0..cands(i))
                    .rev()
                    .map(|c| json!({"id": format!("c{c}"), "text": format!("t{c}")}))
                    .collect();
                let it = json!({"id": format!("q{i}"), "prompt": "p", "candidates": cs});
                Arc::new(parse_item(it, 1).unwrap())
            })
            .collect()
    }

    fn random_events(r: &mut Rng, items: &[Arc<Item>], n: usize) -> Vec<Event> {
        let who = ["carol", "alice", "bob", "dave"];
        (0..n)
            .map(|i| {
                let it = &items[r.below(items.len() as u64) as usize];
                let k = it.candidates.len() as u64;
                let c = |r: &mut Rng| it.candidates[r.below(k) as usize].id.clone();
                let annotator = who[r.below(4) as usize];
                let kind = [TaskKind::Pair, TaskKind::Rank, TaskKind::Rate][r.below(3) as usize];
                let item = if r.below(40) == 0 { "gone" } else { &it.id };
                let hash = if r.below(30) == 0 { "old" } else { &it.hash };
                let mut e = Event::new(annotator, item, Some(hash), kind);
                e.at = format!("2026-01-01T00:00:{:02}.{:03}Z", r.below(60), r.below(1000));
                match kind {
                    TaskKind::Pair => {
                        let (a, b) = (c(r), c(r));
                        e.choice = Some(match r.below(5) {
                            0 => "tie".into(),
                            1 => "both_bad".into(),
                            2 => b.clone(),
                            _ => a.clone(),
                        });
                        e.pair = Some([a, b]);
                    }
                    TaskKind::Rank => {
                        e.ranking = Some(vec![vec![c(r)], vec![c(r), c(r)]]);
                    }
                    TaskKind::Rate => {
                        e.ratings = Some([(c(r), 3), (c(r), 1)].into());
                    }
                    TaskKind::Edit | TaskKind::BestWorst => {
                        unreachable!("edits and best-worst are added by the tests that want them")
                    }
                }
                if r.below(25) == 0 {
                    e.pair = Some(["c0".into(), "c99".into()]);
                }
                match r.below(20) {
                    0 => e.skip = true,
                    1 => e.retract = true,
                    _ => {}
                }
                if i % 97 == 0 {
                    e.set_role(Role::Adjudicator);
                }
                e
            })
            .collect()
    }

    #[test]
    fn integer_sort_and_moved_events_give_the_same_standing_as_before() {
        let mut r = Rng(11);
        // Ids whose string order differs from file order: c10 < c2 < c9.
        let items: Vec<Arc<Item>> = (0..30)
            .map(|i| {
                let n = 2 + (i % 11);
                let cands: Vec<_> = (0..n)
                    .rev()
                    .map(|c| json!({"id": format!("c{c}"), "text": format!("t{c}")}))
                    .collect();
                Arc::new(
                    parse_item(
                        json!({"id": format!("q{i}"), "prompt": "p", "candidates": cands}),
                        1,
                    )
                    .unwrap(),
                )
            })
            .collect();
        for n in [0, 1, 10, 200, 3000] {
            let events = random_events(&mut r, &items, n);
            for with_items in [true, false] {
                let items = with_items.then_some(&items[..]);
                let new = standing(events.clone(), items);
                let old = standing_by_strings(events.clone(), items);
                assert_eq!(new.annotators, old.annotators);
                assert_eq!(new.counts, old.counts);
                assert_eq!(new.left_out, old.left_out);
                assert_eq!(
                    new.decisions, old.decisions,
                    "{n} events, items {with_items}"
                );
            }
        }
    }

    #[test]
    fn big_standings_checked_on_all_cores_match_the_string_sort() {
        // Enough standing decisions per annotator (over 16,384) that their items are looked
        // up in chunks on all cores.
        let mut r = Rng(5);
        let items = items_ids_reversed(2500, |_| 12);
        let events = random_events(&mut r, &items, 200_000);
        let new = standing(events.clone(), Some(&items));
        let old = standing_by_strings(events, Some(&items));
        assert!(
            new.counts
                .iter()
                .any(|c| c.decisions + c.stale + c.unknown > 1 << 14),
            "{:?}",
            new.counts
        );
        assert_eq!(new.counts, old.counts);
        assert_eq!(new.left_out, old.left_out);
        assert!(new.decisions == old.decisions);
    }

    #[test]
    fn cmp_ids_orders_as_str_does() {
        let ids = [
            "", "a", "ab", "b", "c10", "c2", "c9", "é", "e\u{301}", "zz", "z",
        ];
        for a in ids {
            for b in ids {
                assert_eq!(cmp_ids(a, b), a.cmp(b), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn permute_puts_each_element_where_the_order_says() {
        let mut r = Rng(5);
        for n in [0usize, 1, 2, 3, 10, 1000] {
            for _ in 0..20 {
                // A random permutation (Fisher-Yates), sometimes the identity or a reversal.
                let mut order: Vec<u32> = (0..n as u32).collect();
                match r.below(4) {
                    0 => {}
                    1 => order.reverse(),
                    _ => {
                        for i in (1..n).rev() {
                            order.swap(i, r.below(i as u64 + 1) as usize);
                        }
                    }
                }
                let original: Vec<String> = (0..n).map(|i| format!("x{i}")).collect();
                let mut xs = original.clone();
                permute(&mut xs, &order);
                let want: Vec<String> = order
                    .iter()
                    .map(|&k| original[k as usize].clone())
                    .collect();
                assert_eq!(xs, want, "{n} {order:?}");
            }
        }
        let refused = std::panic::catch_unwind(|| permute(&mut [1, 2, 3], &[1, 1, 0]));
        assert!(
            refused.is_err(),
            "a repeated index is refused, not looped on"
        );
    }

    #[test]
    fn replayed_logs_give_the_same_standing_as_their_events() {
        let mut r = Rng(23);
        let items = items_ids_reversed(40, |i| 2 + i % 9);
        let dir = tempfile::tempdir().unwrap();
        // 30,000 events make several 1 MiB pieces and enough standing lines to parse them on
        // every core; the events are spread over three logs, annotators mixed within each.
        for n in [0, 1, 50, 2000, 30000] {
            // Only events a log read accepts (some random choices are neither of the pair).
            let mut events: Vec<Event> = random_events(&mut r, &items, n)
                .into_iter()
                .filter(|e| e.check().is_ok())
                .collect();
            // Edits among them (some of unknown candidates, some taken back, some redone).
            for i in (0..events.len()).step_by(13) {
                let e = &events[i];
                let source = ["c0", "c1", "c99"][i % 3];
                let mut edit =
                    Event::edit(&e.annotator, &e.item, e.item_hash.as_deref(), source, "new");
                edit.at = e.at.clone();
                edit.retract = i % 39 == 0;
                if edit.retract {
                    edit.text = None;
                }
                events.push(edit);
            }
            let paths: Vec<_> = (0..3)
                .map(|k| dir.path().join(format!("{n}-{k}.jsonl")))
                .collect();
            let mut texts = vec![String::new(); 3];
            for (i, e) in events.iter().enumerate() {
                let k = (i * 7 / 5 + i / 1000) % 3;
                texts[k].push_str(&serde_json::to_string(e).unwrap());
                texts[k].push('\n');
            }
            let mut in_log_order = Vec::new();
            for (path, text) in paths.iter().zip(&texts) {
                std::fs::write(path, text).unwrap();
                in_log_order.extend(crate::labels::read_log(path).unwrap().0);
            }
            for with_items in [true, false] {
                let items = with_items.then_some(&items[..]);
                let (per, warnings) = replay_logs(&paths).unwrap();
                assert!(warnings.is_empty());
                let new = standing_of(per, items);
                let old = standing(in_log_order.clone(), items);
                assert_eq!(new.annotators, old.annotators);
                assert_eq!(new.counts, old.counts);
                assert_eq!(new.left_out, old.left_out);
                assert_eq!(
                    new.decisions, old.decisions,
                    "{n} events, items {with_items}"
                );
                assert_eq!(new.edits, old.edits, "{n} events, items {with_items}");
                assert!(new.decisions.iter().all(|d| d.event.task != TaskKind::Edit));
                if n >= 50 {
                    assert!(!new.edits.is_empty());
                }
            }
        }
    }

    #[test]
    fn a_decision_is_an_adjudicators_only_when_its_event_carries_the_role() {
        // alice labels x; rev reviews it and records a final decision (role adjudicator).
        let x = item("x", 2);
        let mine = pair("alice", &x, "c0", "c1", "c0");
        let mut fin = pair("rev", &x, "c0", "c1", "c1");
        fin.set_role(Role::Adjudicator);
        let st = standing(vec![mine, fin], Some(&[x][..]));
        let who: Vec<(&str, bool)> = st
            .decisions
            .iter()
            .map(|d| {
                (
                    st.annotators[d.annotator as usize].as_str(),
                    d.is_adjudicator(),
                )
            })
            .collect();
        assert_eq!(who, [("alice", false), ("rev", true)]);
        assert_eq!(
            (st.counts[0].adjudicator, st.counts[1].adjudicator),
            (false, true)
        );
    }

    #[test]
    fn a_stores_logs_give_the_standing_their_files_give() {
        // The same two logs, read as files and as a store hands them over (whole lines).
        let mut r = Rng(31);
        let items = items_ids_reversed(6, |i| 2 + i % 3);
        let events: Vec<Event> = random_events(&mut r, &items, 300)
            .into_iter()
            .filter(|e| e.check().is_ok())
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let mut stored = Vec::new();
        let mut paths = Vec::new();
        for (k, half) in events.chunks(events.len() / 2 + 1).enumerate() {
            let text: String = half
                .iter()
                .map(|e| serde_json::to_string(e).unwrap() + "\n")
                .collect();
            let path = dir.path().join(format!("{k}.jsonl"));
            std::fs::write(&path, &text).unwrap();
            paths.push(path.clone());
            stored.push(crate::labels::StoredLog {
                name: path,
                bytes: text.into_bytes(),
            });
        }
        let (files, warnings) = replay_logs(&paths).unwrap();
        assert!(warnings.is_empty());
        let (store, warnings) = replay_stored(stored).unwrap();
        assert!(warnings.is_empty());
        let (files, store) = (
            standing_of(files, Some(&items)),
            standing_of(store, Some(&items)),
        );
        assert!(files.decisions.len() > 50, "{}", files.decisions.len());
        assert_eq!(store.annotators, files.annotators);
        assert_eq!(store.counts, files.counts);
        assert_eq!(store.left_out, files.left_out);
        assert_eq!(store.decisions, files.decisions);
    }

    #[test]
    fn a_uid_writing_as_two_annotators_is_found_but_not_for_its_final_decisions() {
        // uid 4242 labels as alice and as carol: one person under two names. uid 4343 labels
        // as bob and reviews as rev: a reviewer's final decisions are not a second name.
        let x = item("x", 3);
        let by = |uid: u32, who: &str, l: &str, role: bool| {
            let mut e = pair(who, &x, l, "c2", l);
            e.uid = Some(uid);
            if role {
                e.set_role(Role::Adjudicator);
            }
            serde_json::to_string(&e).unwrap() + "\n"
        };
        let text = [
            by(4242, "alice", "c0", false),
            by(4242, "carol", "c0", false),
            by(4242, "carol", "c1", false),
            by(4343, "bob", "c0", false),
            by(4343, "rev", "c0", true),
            by(4343, "rev", "c1", true),
        ]
        .concat();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("team.jsonl");
        std::fs::write(&path, text).unwrap();
        let (per, _) = replay_logs(std::slice::from_ref(&path)).unwrap();
        let st = standing_of(per, Some(&[x.clone()][..]));
        let found: Vec<String> = st
            .writers
            .writer_findings()
            .into_iter()
            .filter(|f| f.starts_with("uid "))
            .collect();
        assert_eq!(
            found,
            [format!(
                "uid {} wrote as 2 annotators: alice (1 event), carol (2 events) - one person under several names makes agreement figures lie; keep one name per person",
                crate::safefs::user_name(4242)
            )]
        );
    }

    #[test]
    fn edits_of_changed_items_or_unknown_candidates_are_left_out_and_counted() {
        // alice rewrites c0 of x (stands), c1 of y after y changed (stale) and c9 of x (no
        // such candidate); bob rewrites c1 of x (stands).
        let (x, y) = (item("x", 2), item("y", 2));
        let events = vec![
            Event::edit("alice", "x", Some(&x.hash), "c0", "new"),
            Event::edit("alice", "y", Some("old"), "c1", "new"),
            Event::edit("alice", "x", Some(&x.hash), "c9", "new"),
            Event::edit("bob", "x", Some(&x.hash), "c1", "new"),
        ];
        // Without the candidate file nothing is stale or unknown: every edit stands.
        let all = standing(events.clone(), None);
        let counts: Vec<(usize, usize, usize)> = all
            .counts
            .iter()
            .map(|c| (c.edits, c.stale, c.unknown))
            .collect();
        assert_eq!(counts, [(3, 0, 0), (1, 0, 0)]);
        assert_eq!(all.edits.len(), 4);
        let st = standing(events, Some(&[x, y][..]));
        let edits: Vec<(u32, Option<&str>)> = st
            .edits
            .iter()
            .map(|d| (d.annotator, d.event.source.as_deref()))
            .collect();
        assert_eq!(edits, [(0, Some("c0")), (1, Some("c1"))]);
        let counts: Vec<(usize, usize, usize)> = st
            .counts
            .iter()
            .map(|c| (c.edits, c.stale, c.unknown))
            .collect();
        assert_eq!(counts, [(1, 1, 1), (1, 0, 0)]);
        assert_eq!((st.left_out.stale, st.left_out.unknown), (1, 1));
    }

    #[test]
    fn a_best_worst_decision_naming_a_candidate_the_item_lacks_is_unknown() {
        // x has c0, c1, c2. alice's decision names only those; bob's best is c9; carol's
        // worst is c9; dave showed c9 among the others.
        let x = item("x", 3);
        let bw = |who: &str, best: &str, worst: &str, shown: Option<[&str; 3]>| {
            let mut e = Event::new(who, "x", Some(&x.hash), TaskKind::BestWorst);
            e.best = Some(best.into());
            e.worst = Some(worst.into());
            e.shown = shown.map(|s| s.map(String::from).to_vec());
            e
        };
        let events = vec![
            bw("alice", "c0", "c1", Some(["c1", "c0", "c2"])),
            bw("bob", "c9", "c1", None),
            bw("carol", "c0", "c9", None),
            bw("dave", "c0", "c1", Some(["c1", "c0", "c9"])),
        ];
        let st = standing(events, Some(&[x.clone()][..]));
        let kept: Vec<&str> = st
            .decisions
            .iter()
            .map(|d| st.annotators[d.annotator as usize].as_str())
            .collect();
        assert_eq!(kept, ["alice"]);
        let unknown: Vec<usize> = st.counts.iter().map(|c| c.unknown).collect();
        assert_eq!(unknown, [0, 1, 1, 1]);
    }
}
