//! Review mode: the labeling screen over the tasks the team decided, with every annotator's
//! verdict on each candidate, filters, and final decisions recorded as an adjudicator's.
//! Functions over the model, no terminal and no log; [`build_list`] reads each task's item
//! through the model's source, once per filter chosen.

use crate::agreement::{kendall_tau_b, tier_ranks};
use crate::format::Item;
use crate::labels::{Event, TaskKey, TaskKind};

pub use super::filter::{Filter, Review};
use super::model::Model;

/// One annotator's standing verdict on a task.
#[derive(Debug, Clone)]
pub struct Verdict<'a> {
    pub annotator: &'a str,
    pub event: &'a Event,
    pub stale: bool,
}

/// Every other annotator's verdict (decision or skip) on a task, by name.
pub fn verdicts<'a>(m: &'a Model, key: &TaskKey, item: &Item) -> Vec<Verdict<'a>> {
    m.team
        .others()
        .iter()
        .filter_map(|(name, d)| {
            let e = d.get(key)?;
            Some(Verdict {
                annotator: name,
                event: e,
                stale: e.item_hash.as_ref().is_some_and(|h| *h != item.hash),
            })
        })
        .collect()
}

/// How much the decisions on a task differ, from 0 (all the same) to 1, averaged over every
/// two annotators: pair tasks count different choices; rankings 1 - (tau-b + 1) / 2 over the
/// candidates both ranked; ratings the mean absolute difference over the scale's range.
pub fn disagreement(decisions: &[&Event]) -> f64 {
    let mut sum = 0.0;
    let mut n = 0usize;
    for (i, a) in decisions.iter().enumerate() {
        for b in &decisions[i + 1..] {
            if let Some(d) = apart(a, b) {
                sum += d;
                n += 1;
            }
        }
    }
    if n == 0 { 0.0 } else { sum / n as f64 }
}

fn apart(a: &Event, b: &Event) -> Option<f64> {
    match a.task {
        TaskKind::Pair => Some(f64::from(u8::from(a.choice != b.choice))),
        // Edits are not verdicts on the task: they never make a disagreement.
        TaskKind::Edit => None,
        // Apart on the best, on the worst, or both.
        TaskKind::BestWorst => Some(
            (f64::from(u8::from(a.best != b.best)) + f64::from(u8::from(a.worst != b.worst))) / 2.0,
        ),
        TaskKind::Rank => {
            let (ra, rb) = (
                tier_ranks(a.ranking.as_ref()?),
                tier_ranks(b.ranking.as_ref()?),
            );
            let common: Vec<&str> = ra.keys().filter(|k| rb.contains_key(*k)).copied().collect();
            let x: Vec<f64> = common.iter().map(|k| ra[k]).collect();
            let y: Vec<f64> = common.iter().map(|k| rb[k]).collect();
            match kendall_tau_b(&x, &y) {
                Some(t) => Some((1.0 - t) / 2.0),
                // Both all ties, or too few in common: same order or nothing to compare.
                None => Some(f64::from(u8::from(a.ranking != b.ranking))),
            }
        }
        TaskKind::Rate => {
            let (ra, rb) = (a.ratings.as_ref()?, b.ratings.as_ref()?);
            let range = f64::from(a.scale.or(b.scale).unwrap_or(5).max(2) - 1);
            let diffs: Vec<f64> = ra
                .iter()
                .filter_map(|(c, x)| Some((f64::from(*x) - f64::from(*rb.get(c)?)).abs() / range))
                .collect();
            (!diffs.is_empty()).then(|| diffs.iter().sum::<f64>() / diffs.len() as f64)
        }
    }
}

/// The task numbers a filter selects, in review order, among every task known now.
///
/// Only a task whose item some annotator's event named can have a verdict: every other task
/// is passed over by its item's id, without reading the item (a big file has hundreds of
/// thousands of tasks, the team may have decided a few thousand). Only "undecided" looks at
/// every task.
pub fn build_list(m: &Model, filter: &Filter) -> Vec<usize> {
    let mut scored = scan(m, filter, 0..m.tasks.len());
    // Stable: ties keep file order.
    scored.sort_by(|a, b| a.1.total_cmp(&b.1));
    scored.into_iter().map(|(i, _)| i).collect()
}

/// Tasks looked at in one go while the list is built beside the screen (a few milliseconds:
/// keys are answered between two).
pub const SCAN_STEP: usize = 20_000;

/// Takes up to `most` of the tasks known since the review's list was last extended into it (a
/// filter that keeps the file's order; see [`Review`]). True when the list grew.
pub fn extend_list(m: &Model, r: &mut Review, most: usize) -> bool {
    debug_assert!(!r.filter.sorts(), "a sorting filter's list is built whole");
    let to = m.tasks.len().min(r.scanned.saturating_add(most));
    if r.scanned >= to {
        return false;
    }
    let before = r.list.len();
    r.list.extend(
        scan(m, &r.filter, r.scanned..to)
            .into_iter()
            .map(|(i, _)| i),
    );
    r.scanned = to;
    r.list.len() > before
}

/// The tasks in `range` a filter keeps, with the score it orders them by (0 for the filters
/// that keep the file's order).
fn scan(m: &Model, filter: &Filter, range: std::ops::Range<usize>) -> Vec<(usize, f64)> {
    let others = m.team.others();
    let every = matches!(filter, Filter::Undecided);
    // (item position, whether an annotator named it) of the last task's item.
    let mut named: Option<(usize, bool)> = None;
    let mut scored: Vec<(usize, f64)> = Vec::new();
    for i in range {
        if !every {
            let (pos, _) = m.tasks.locate(i);
            let has = match named {
                Some((p, has)) if p == pos => has,
                _ => {
                    let has = m
                        .source
                        .id(pos)
                        .is_some_and(|id| others.values().any(|d| d.has_item(&id)));
                    named = Some((pos, has));
                    has
                }
            };
            if !has {
                continue;
            }
        }
        let Some((task, item)) = m.task_at(i) else {
            continue;
        };
        let key = crate::tasks::task_key(&item, m.mode, &task);
        // Filters that ask only whether someone decided or skipped are answered without
        // building anyone's event (a team of 50 means 50 events a task).
        let pair = key.pair.as_ref().map(|(a, b)| (a.as_str(), b.as_str()));
        let anyone = |f: &dyn Fn(&crate::labels::Decisions) -> bool| others.values().any(f);
        let quick = match filter {
            Filter::All => Some(anyone(&|d| d.has(&key.item, key.kind, pair))),
            Filter::Decided => Some(anyone(&|d| d.is_decided(&key))),
            Filter::Undecided => Some(!anyone(&|d| d.is_decided(&key))),
            Filter::Skipped => Some(anyone(&|d| d.is_skipped(&key))),
            Filter::Annotator(a) => Some(others.get(a).is_some_and(|d| d.is_decided(&key))),
            Filter::Misses(a) => Some(m.gold.get(task.item).is_some_and(|answer| {
                others
                    .get(a)
                    .and_then(|d| d.get(&key))
                    .is_some_and(|e| e.is_decision() && answer.judge(&item, e) == Some(false))
            })),
            _ => None,
        };
        if let Some(keep) = quick {
            if keep {
                scored.push((i, 0.0));
            }
            continue;
        }
        let vs = verdicts(m, &key, &item);
        let decided: Vec<&Event> = vs
            .iter()
            .filter(|v| v.event.is_decision())
            .map(|v| v.event)
            .collect();
        let ms = || decided.iter().filter_map(|e| e.ms);
        let keep = match filter {
            Filter::All
            | Filter::Decided
            | Filter::Undecided
            | Filter::Skipped
            | Filter::Annotator(_)
            | Filter::Misses(_) => unreachable!("answered above"),
            Filter::Disagreements => {
                let d = disagreement(&decided);
                (decided.len() >= 2 && d > 0.0).then_some(-d)
            }
            Filter::Stale => vs.iter().any(|v| v.stale).then_some(0.0),
            Filter::Slowest => ms().max().map(|x| -(x as f64)),
            Filter::Fastest => ms().min().map(|x| x as f64),
        };
        if let Some(score) = keep {
            scored.push((i, score));
        }
    }
    scored
}

/// One line per annotator for a candidate pane: their verdict on this candidate and the time
/// they spent, e.g. `alice  #1 · 41s`, `bob  ✓ better · 8s`, `carol  ★ 2/5 · 5s`.
pub fn pane_verdicts(vs: &[Verdict], candidate: &str) -> Vec<String> {
    vs.iter()
        .map(|v| {
            let e = v.event;
            let what = if e.skip {
                "skipped".to_string()
            } else {
                match e.task {
                    TaskKind::Rank => e
                        .ranking
                        .as_ref()
                        .and_then(|r| {
                            let t = r.iter().position(|t| t.iter().any(|c| c == candidate))?;
                            Some(format!(
                                "#{}{}",
                                t + 1,
                                if r[t].len() > 1 { "=" } else { "" }
                            ))
                        })
                        .unwrap_or_else(|| "unranked".into()),
                    TaskKind::Rate => e
                        .ratings
                        .as_ref()
                        .and_then(|r| r.get(candidate))
                        .map(|x| format!("★ {x}/{}", e.scale.unwrap_or(5)))
                        .unwrap_or_else(|| "unrated".into()),
                    TaskKind::Edit => "edited".into(),
                    TaskKind::BestWorst if e.best.as_deref() == Some(candidate) => "▲ best".into(),
                    TaskKind::BestWorst if e.worst.as_deref() == Some(candidate) => {
                        "▼ worst".into()
                    }
                    TaskKind::BestWorst
                        if e.shown
                            .as_ref()
                            .is_some_and(|s| !s.iter().any(|c| c == candidate)) =>
                    {
                        "not shown".into()
                    }
                    TaskKind::BestWorst => "between".into(),
                    TaskKind::Pair => match e.choice.as_deref() {
                        Some("tie") => "= tie".into(),
                        Some("both_bad") => "✗ both bad".into(),
                        Some(c) if c == candidate => "✓ better".into(),
                        _ => "worse".into(),
                    },
                }
            };
            let secs =
                e.ms.map(|ms| format!(" · {}s", (ms + 500) / 1000))
                    .unwrap_or_default();
            let stale = if v.stale { " · stale" } else { "" };
            format!("{}  {what}{secs}{stale}", v.annotator)
        })
        .collect()
}

/// The summary line: who decided, and whether they agree.
pub fn summary(vs: &[Verdict]) -> String {
    if vs.is_empty() {
        return "no verdicts on this task".into();
    }
    let decided: Vec<&Event> = vs
        .iter()
        .filter(|v| v.event.is_decision())
        .map(|v| v.event)
        .collect();
    let skips = vs.len() - decided.len();
    let mut s = format!("{} verdict{}", vs.len(), crate::text::plural(vs.len()));
    if skips > 0 {
        s.push_str(&format!(" ({skips} skip{})", crate::text::plural(skips)));
    }
    match decided.len() {
        0 | 1 => s.push_str(" · nothing to compare"),
        _ => {
            let d = disagreement(&decided);
            if d == 0.0 {
                s.push_str(" · they agree");
            } else {
                s.push_str(&format!(" · they DISAGREE (score {d:.2})"));
            }
        }
    }
    s
}

/// Items' text for `/`: prompt, conversation and candidates, lowercased once per search.
pub fn matches(item: &Item, needle_lower: &str) -> bool {
    let hit = |s: &str| s.to_lowercase().contains(needle_lower);
    item.id.to_lowercase() == needle_lower
        || item.conversation().iter().any(|m| hit(&m.content))
        || item.candidates.iter().any(|c| hit(&c.text))
}

/// Counts for the header: position in the list and its length.
pub fn position(r: &Review) -> (usize, usize) {
    if r.list.is_empty() {
        (0, 0)
    } else {
        (r.pos + 1, r.list.len())
    }
}

/// True while the review's list may still grow: a big file is still being checked, or tasks
/// it brought have not been looked at yet.
pub fn list_partial(m: &Model, r: &Review) -> bool {
    r.behind(m.tasks.len()) || (!r.filter.sorts() && !m.checking_done())
}

/// Tasks per annotator, for the help overlay's filter list.
pub fn annotator_names(m: &Model) -> Vec<String> {
    let mut v: Vec<String> = m.team.names().map(str::to_string).collect();
    v.sort();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(choice: &str) -> Event {
        let mut e = Event::new("a", "i", None, TaskKind::Pair);
        e.pair = Some(["c0".into(), "c1".into()]);
        e.choice = Some(choice.into());
        e
    }

    fn rank(r: &[&[&str]]) -> Event {
        let mut e = Event::new("a", "i", None, TaskKind::Rank);
        e.ranking = Some(
            r.iter()
                .map(|t| t.iter().map(|s| s.to_string()).collect())
                .collect(),
        );
        e
    }

    #[test]
    fn pair_disagreement_is_the_share_of_differing_pairs() {
        // Three annotators: c0, c0, c1 -> pairs (1,2) agree, (1,3) and (2,3) differ: 2/3.
        let (a, b, c) = (pair("c0"), pair("c0"), pair("c1"));
        assert!((disagreement(&[&a, &b, &c]) - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(disagreement(&[&a, &b]), 0.0);
    }

    #[test]
    fn rank_disagreement_from_tau_b() {
        // Reversed order of three: tau-b = -1, so (1 - -1) / 2 = 1.
        let a = rank(&[&["x"], &["y"], &["z"]]);
        let b = rank(&[&["z"], &["y"], &["x"]]);
        assert!((disagreement(&[&a, &b]) - 1.0).abs() < 1e-9);
        assert_eq!(disagreement(&[&a, &a.clone()]), 0.0);
    }

    #[test]
    fn rate_disagreement_over_the_scale() {
        let mut a = Event::new("a", "i", None, TaskKind::Rate);
        a.ratings = Some([("c0".to_string(), 5), ("c1".to_string(), 1)].into());
        a.scale = Some(5);
        let mut b = a.clone();
        b.ratings = Some([("c0".to_string(), 3), ("c1".to_string(), 1)].into());
        // |5-3|/4 = 0.5 and 0 -> mean 0.25.
        assert!((disagreement(&[&a, &b]) - 0.25).abs() < 1e-9);
    }

    #[test]
    fn filters_parse_and_cycle() {
        assert_eq!(
            Filter::parse("annotator:bob").unwrap(),
            Filter::Annotator("bob".into())
        );
        assert!(
            Filter::parse("nope")
                .unwrap_err()
                .contains("unknown filter")
        );
        let names = vec!["ann".to_string(), "bob".to_string()];
        let mut f = Filter::All;
        let mut seen = Vec::new();
        for _ in 0..11 {
            seen.push(f.name());
            f = f.next(&names);
        }
        assert_eq!(
            seen,
            vec![
                "all",
                "decided",
                "undecided",
                "skipped",
                "disagreements",
                "stale",
                "annotator:ann",
                "annotator:bob",
                "slowest",
                "fastest",
                "all"
            ]
        );
    }
}
