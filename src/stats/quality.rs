//! The quality table of `prefer stats`: per annotator, the figures a team lead decides on
//! (gold accuracy, position bias, cycles, agreement with the rest of the team, time, fitted
//! reliability), each checked against the task file's `[qa]` thresholds. Pure.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use serde::Serialize;

use crate::agreement::cohen_kappa;
use crate::export::pairs::{self, PairOptions, Pref};
use crate::export::standing::Standing;
use crate::format::Item;
use crate::gold::{Accuracy, GoldItems};
use crate::labels::{Event, TaskKey, TaskKind};
use crate::taskfile::Qa;

use super::compute::{MIN_SHARED_PAIRS, Report};

/// One annotator's row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QualityRow {
    pub name: String,
    pub decisions: usize,
    /// Gold decisions answered as expected, with a 95% Wilson interval.
    pub gold: Option<Accuracy>,
    /// The smallest p of the position-bias tests (left wins in pairs, first shown wins in
    /// rankings) that have decisions, and the share that test counts.
    pub position_p: Option<f64>,
    pub position_rate: Option<f64>,
    /// Share of items with three or more strict pair answers that go round in a circle.
    pub cycle_share: Option<f64>,
    /// Cohen's kappa of this annotator's judgements against the majority of the others on
    /// the same pairs, and on how many pairs.
    pub kappa_vs_others: Option<f64>,
    pub kappa_pairs: usize,
    pub median_s: Option<f64>,
    /// Dawid-Skene's fitted chance that a vote is the pair's true judgement.
    pub reliability: Option<f64>,
    /// Hidden repeats: how this annotator answered a task shown a second time, sides or
    /// order swapped (see [`Repeats`]).
    pub repeats: Repeats,
    /// Why this annotator falls short of the thresholds, one entry per figure.
    pub flags: Vec<String>,
}

/// One annotator's hidden repeats, each against the first decision on the same task.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Repeats {
    /// Repeats with a first decision to compare with.
    pub n: usize,
    /// The same answer both times (the same choice, ranking, ratings, or best and worst).
    pub same_answer: usize,
    /// `same_answer / n`.
    pub self_agreement: Option<f64>,
    /// Repeats whose answer has a position to compare: a pair choice of one side (not a tie
    /// or both bad), or a ranking, ratings or best-worst pick with the order shown.
    pub positioned: usize,
    /// Of those, the same side (or the same positions) chosen both times: as the sides were
    /// swapped, the answer changed with the position.
    pub same_position: usize,
    /// `same_position / positioned`.
    pub same_position_share: Option<f64>,
}

/// Whether two decisions on one task give the same answer, wherever the candidates were shown.
fn same_answer(a: &Event, b: &Event) -> bool {
    let tiers = |e: &Event| {
        e.ranking.as_ref().map(|t| {
            t.iter()
                .map(|tier| {
                    let mut tier = tier.clone();
                    tier.sort();
                    tier
                })
                .collect::<Vec<_>>()
        })
    };
    match a.task {
        TaskKind::Pair => a.choice == b.choice,
        TaskKind::Rank => tiers(a) == tiers(b),
        TaskKind::Rate => a.ratings == b.ratings,
        TaskKind::BestWorst => (&a.best, &a.worst) == (&b.best, &b.worst),
        TaskKind::Edit => false,
    }
}

/// A decision's answer by position shown instead of by candidate: the side of a pair choice
/// (none for a tie or both bad), a ranking or the ratings or the best and worst as places in
/// the order shown (none without it).
fn by_position(e: &Event) -> Option<Vec<Vec<usize>>> {
    let place = |shown: &[String], id: &str| shown.iter().position(|s| s == id);
    match e.task {
        TaskKind::Pair => {
            let (pair, c) = (e.pair.as_ref()?, e.choice.as_deref()?);
            Some(vec![vec![place(pair, c)?]])
        }
        TaskKind::Rank => {
            let shown = e.shown.as_ref()?;
            e.ranking
                .as_ref()?
                .iter()
                .map(|tier| {
                    let mut t: Vec<usize> = tier
                        .iter()
                        .map(|id| place(shown, id))
                        .collect::<Option<_>>()?;
                    t.sort_unstable();
                    Some(t)
                })
                .collect()
        }
        TaskKind::Rate => {
            let (shown, r) = (e.shown.as_ref()?, e.ratings.as_ref()?);
            Some(vec![
                shown
                    .iter()
                    .map(|id| r.get(id).map_or(0, |&x| x as usize))
                    .collect(),
            ])
        }
        TaskKind::BestWorst => {
            let shown = e.shown.as_ref()?;
            Some(vec![vec![
                place(shown, e.best.as_deref()?)?,
                place(shown, e.worst.as_deref()?)?,
            ]])
        }
        TaskKind::Edit => None,
    }
}

/// Each annotator's hidden repeats against their first decisions on the same tasks.
pub fn repeats(st: &Standing) -> Vec<Repeats> {
    let mut out = vec![Repeats::default(); st.annotators.len()];
    if st.repeats.is_empty() {
        return out;
    }
    let wanted: HashSet<(u32, TaskKey)> = st
        .repeats
        .iter()
        .map(|d| (d.annotator, d.event.key()))
        .collect();
    let first: HashMap<(u32, TaskKey), &Event> = st
        .decisions
        .iter()
        .filter_map(|d| {
            let k = (d.annotator, d.event.key());
            wanted.contains(&k).then_some((k, &d.event))
        })
        .collect();
    for d in &st.repeats {
        let Some(f) = first.get(&(d.annotator, d.event.key())) else {
            continue;
        };
        let r = &mut out[d.annotator as usize];
        r.n += 1;
        r.same_answer += usize::from(same_answer(f, &d.event));
        if let (Some(a), Some(b)) = (by_position(f), by_position(&d.event)) {
            r.positioned += 1;
            r.same_position += usize::from(a == b);
        }
    }
    for r in &mut out {
        r.self_agreement = (r.n > 0).then(|| r.same_answer as f64 / r.n as f64);
        r.same_position_share =
            (r.positioned > 0).then(|| r.same_position as f64 / r.positioned as f64);
    }
    out
}

/// The table and the thresholds it was checked against.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quality {
    pub thresholds: Qa,
    /// Gold items known (in the task file's gold file and the items' `gold` fields).
    pub gold_items: usize,
    pub rows: Vec<QualityRow>,
}

/// Each annotator's pairs judged against the strict majority of the others who judged the
/// same pair (at least one other): Cohen's kappa over (own, majority) labels.
fn kappa_vs_others(st: &Standing, items: &[Arc<Item>]) -> Vec<(Option<f64>, usize)> {
    let mut votes = Vec::new();
    for (i, d) in st.decisions.iter().enumerate() {
        if let Some(it) = d.item
            && !d.is_adjudicator()
        {
            pairs::votes(d, i as u32, &items[it], &PairOptions::default(), &mut votes);
        }
    }
    // Per pair (item, lo, hi), each annotator's newest vote: (recency, judgement).
    type Newest = BTreeMap<u32, (u32, Pref)>;
    let mut by_pair: BTreeMap<(u32, u32, u32), Newest> = BTreeMap::new();
    for v in &votes {
        let slot = by_pair
            .entry((v.item, v.lo, v.hi))
            .or_default()
            .entry(v.annotator)
            .or_insert((v.recency, v.pref));
        if v.recency >= slot.0 {
            *slot = (v.recency, v.pref);
        }
    }
    let mut labels: Vec<Vec<(Pref, Pref)>> = vec![Vec::new(); st.annotators.len()];
    for who in by_pair.values() {
        if who.len() < 2 {
            continue;
        }
        for (&a, &(_, mine)) in who {
            let mut counts = [0usize; 4];
            for (_, &(_, p)) in who.iter().filter(|(b, _)| **b != a) {
                counts[p as usize] += 1;
            }
            let others = who.len() - 1;
            if let Some(k) = (0..4).find(|&k| counts[k] * 2 > others) {
                let majority = [Pref::Lo, Pref::Hi, Pref::Tie, Pref::BothBad][k];
                labels[a as usize].push((mine, majority));
            }
        }
    }
    labels
        .iter()
        .map(|l| (cohen_kappa(l).and_then(|k| k.kappa), l.len()))
        .collect()
}

/// The table. `items` is the candidate file (gold, agreement on pairs and the fit need it).
pub fn quality(
    st: &Standing,
    items: Option<&[Arc<Item>]>,
    gold: &GoldItems,
    qa: &Qa,
    report: &Report,
) -> Quality {
    let gold_acc = match items {
        Some(items) if !gold.is_empty() => crate::export::gold_accuracy(st, items, gold),
        _ => vec![None; st.annotators.len()],
    };
    let kappas = match items {
        Some(items) => kappa_vs_others(st, items),
        None => vec![(None, 0); st.annotators.len()],
    };
    let reps = repeats(st);
    let mut rows = Vec::new();
    for (a, row) in report.annotators.iter().enumerate() {
        if row.counts.adjudicator {
            continue;
        }
        let tests = [
            row.position.pair_left_wins,
            row.position.rank_first_shown_wins,
        ];
        let position = tests
            .iter()
            .filter(|b| b.n > 0)
            .min_by(|x, y| x.p_value.total_cmp(&y.p_value));
        let cycle_share =
            (row.cycles.items > 0).then(|| row.cycles.with_cycle as f64 / row.cycles.items as f64);
        let (kappa, kappa_pairs) = kappas[a];
        let mut r = QualityRow {
            name: row.name.clone(),
            decisions: row.counts.decisions,
            gold: gold_acc[a],
            position_p: position.map(|b| b.p_value),
            position_rate: position.and_then(|b| b.rate),
            cycle_share,
            kappa_vs_others: kappa,
            kappa_pairs,
            median_s: row.time.map(|t| t.median_s),
            reliability: row.reliability,
            repeats: reps.get(a).copied().unwrap_or_default(),
            flags: Vec::new(),
        };
        r.flags = flags(&r, qa);
        rows.push(r);
    }
    Quality {
        thresholds: *qa,
        gold_items: gold.len(),
        rows,
    }
}

/// The thresholds a row falls short of, in words.
fn flags(r: &QualityRow, qa: &Qa) -> Vec<String> {
    let mut out = Vec::new();
    if let (Some(min), Some(g)) = (qa.min_gold_accuracy, r.gold)
        && g.n >= qa.min_gold_count
        && g.accuracy < min
    {
        out.push(format!(
            "gold accuracy {:.0}% ({} of {}) below {:.0}%",
            g.accuracy * 100.0,
            g.right,
            g.n,
            min * 100.0
        ));
    }
    if let (Some(max), Some(p)) = (qa.max_position_bias_p, r.position_p)
        && p < max
    {
        out.push(format!(
            "position bias: {:.0}% for one side, p = {p:.2e} below {max}",
            r.position_rate.unwrap_or(0.0) * 100.0
        ));
    }
    if let (Some(max), Some(c)) = (qa.max_cycle_share, r.cycle_share)
        && c > max
    {
        out.push(format!(
            "cycles on {:.0}% of items, above {:.0}%",
            c * 100.0,
            max * 100.0
        ));
    }
    if let (Some(min), Some(k)) = (qa.min_kappa, r.kappa_vs_others)
        && r.kappa_pairs >= MIN_SHARED_PAIRS
        && k < min
    {
        out.push(format!(
            "agreement with the others' majority: kappa {k:.2} below {min}"
        ));
    }
    let rep = &r.repeats;
    if let (Some(min), Some(x)) = (qa.min_self_agreement, rep.self_agreement)
        && rep.n >= qa.min_repeat_count
        && x < min
    {
        out.push(format!(
            "self-agreement {:.0}% ({} of {} repeats) below {:.0}%",
            x * 100.0,
            rep.same_answer,
            rep.n,
            min * 100.0
        ));
    }
    if let (Some(max), Some(x)) = (qa.max_same_position, rep.same_position_share)
        && rep.positioned >= qa.min_repeat_count
        && x > max
    {
        out.push(format!(
            "same side on {} of {} repeats with the sides swapped ({:.0}%, above {:.0}%): answers follow the position",
            rep.same_position,
            rep.positioned,
            x * 100.0,
            max * 100.0
        ));
    }
    if let (Some(min), Some(x)) = (qa.min_reliability, r.reliability)
        && x < min
    {
        out.push(format!(
            "reliability {:.0}% below {:.0}%",
            x * 100.0,
            min * 100.0
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> QualityRow {
        QualityRow {
            name: "bob".into(),
            decisions: 40,
            gold: Accuracy::of(3, 5),
            position_p: Some(0.2),
            position_rate: Some(0.6),
            cycle_share: Some(0.1),
            kappa_vs_others: Some(0.5),
            kappa_pairs: 30,
            median_s: Some(4.0),
            reliability: Some(0.9),
            repeats: Repeats::default(),
            flags: Vec::new(),
        }
    }

    #[test]
    fn each_threshold_marks_only_the_figure_that_falls_short() {
        let qa = Qa::default();
        // 3 of 5 gold = 60% < 80%.
        assert_eq!(
            flags(&row(), &qa),
            vec!["gold accuracy 60% (3 of 5) below 80%"]
        );
        // Four gold decisions are fewer than min_gold_count (5): not enough to mark.
        let few = QualityRow {
            gold: Accuracy::of(0, 4),
            ..row()
        };
        assert!(flags(&few, &qa).is_empty());
        let bad = QualityRow {
            gold: Accuracy::of(5, 5),
            position_p: Some(0.001),
            position_rate: Some(0.9),
            cycle_share: Some(0.5),
            kappa_vs_others: Some(0.05),
            reliability: Some(0.4),
            ..row()
        };
        let f = flags(&bad, &qa);
        assert_eq!(f.len(), 4, "{f:?}");
        assert!(f[0].starts_with("position bias: 90% for one side"), "{f:?}");
        // Kappa on fewer than MIN_SHARED_PAIRS pairs is shown, not judged.
        let thin = QualityRow {
            kappa_pairs: 5,
            ..bad
        };
        assert_eq!(flags(&thin, &qa).len(), 3);
        // A threshold left out of [qa] (None) marks nobody.
        let none = Qa {
            min_reliability: None,
            ..qa
        };
        assert_eq!(flags(&thin, &none).len(), 2);
    }
    #[test]
    fn self_agreement_and_position_consistency_from_repeats_by_hand() {
        use crate::export::standing::standing;
        use crate::export::standing::tests::{item, pair};
        // Five pair tasks x0..x4 (shown c0 | c1 the first time, c1 | c0 the repeat).
        //   ann, the same answer every time: x0 c0 then c0, x1 c1 then c1, x2 c0 then c0,
        //     x3 tie then tie, x4 c1 then c0 -> same answer 4 of 5 (80%); positioned (one
        //     side chosen both times) 4: x0, x1, x2, x4; same side only on x4 -> 1 of 4.
        //   lefty, always the left side: c0 then c1 on all five -> same answer 0 of 5,
        //     same side 5 of 5 (100%).
        // cat, one rank repeat: shown [c0, c1, c2] then [c2, c1, c0], ranked c2 > c0 > c1 both
        //   times: the same answer; by place shown [2] > [0] > [1] then [0] > [2] > [1]: not
        //   the same places -> same answer 1 of 1, same places 0 of 1.
        let items: Vec<_> = (0..5).map(|i| item(&format!("x{i}"), 2)).collect();
        let r3 = item("r", 3);
        let mut events = Vec::new();
        let mut rep = |who: &str, i: usize, first: &str, again: &str| {
            events.push(pair(who, &items[i], "c0", "c1", first));
            let mut e = pair(who, &items[i], "c1", "c0", again);
            e.repeat = true;
            events.push(e);
        };
        for (i, (f, a)) in [
            ("c0", "c0"),
            ("c1", "c1"),
            ("c0", "c0"),
            ("tie", "tie"),
            ("c1", "c0"),
        ]
        .into_iter()
        .enumerate()
        {
            rep("ann", i, f, a);
        }
        for i in 0..5 {
            rep("lefty", i, "c0", "c1");
        }
        let rank = |shown: [&str; 3], repeat: bool| {
            let mut e = Event::new("cat", "r", Some(&r3.hash), TaskKind::Rank);
            e.shown = Some(shown.map(String::from).to_vec());
            e.ranking = Some(vec![
                vec!["c2".into()],
                vec!["c0".into()],
                vec!["c1".into()],
            ]);
            e.repeat = repeat;
            e
        };
        events.push(rank(["c0", "c1", "c2"], false));
        events.push(rank(["c2", "c1", "c0"], true));
        let mut all = items.clone();
        all.push(r3);
        let st = standing(events, Some(&all));
        assert_eq!(st.annotators, ["ann", "cat", "lefty"]);
        let r = repeats(&st);
        let want = |n, same, positioned, side| Repeats {
            n,
            same_answer: same,
            self_agreement: Some(same as f64 / n as f64),
            positioned,
            same_position: side,
            same_position_share: Some(side as f64 / positioned as f64),
        };
        assert_eq!(r[0], want(5, 4, 4, 1));
        assert_eq!(r[1], want(1, 1, 1, 0));
        assert_eq!(r[2], want(5, 0, 5, 5));
        // Only lefty is marked: 0% below 70%, and the same side on 5 of 5 above 75%.
        let qa = Qa::default();
        let mark = |rep: Repeats| {
            flags(
                &QualityRow {
                    repeats: rep,
                    gold: None,
                    ..row()
                },
                &qa,
            )
        };
        assert!(mark(r[0]).is_empty(), "{:?}", mark(r[0]));
        assert_eq!(
            mark(r[2]),
            vec![
                "self-agreement 0% (0 of 5 repeats) below 70%",
                "same side on 5 of 5 repeats with the sides swapped (100%, above 75%): answers follow the position"
            ]
        );
        // Fewer repeats than min_repeat_count (5) are shown, not judged.
        assert!(mark(want(4, 0, 4, 4)).is_empty());
    }

    #[test]
    fn kappa_against_the_others_majority_by_hand() {
        use crate::export::standing::standing;
        use crate::export::standing::tests::{item, pair};
        // Four items of one pair each (choice c0: the first is better, c1: the second).
        //   x0: ann c0, bob c0, cat c1     x1: all three c1
        //   x2: ann c0, bob c1, cat c0     x3: ann c1, bob c0
        // bob against the others' strict majority: x0 ann/cat split (none), x1 (c1, c1),
        // x2 (c1 against c0), x3 (c0 against ann's c1, the only other): p_o = 1/3; bob's
        // labels c1 2/3, c0 1/3, the majority's the same: p_e = 4/9 + 1/9 = 5/9;
        // kappa = (1/3 - 5/9) / (1 - 5/9) = -0.5, on 3 pairs. ann: x1 (c1, c1) and x3 (c1
        // against c0): p_o = 1/2, p_e = 1 x 1/2 = 1/2, kappa 0 on 2; cat: x0 (c1 against
        // c0), x1 (c1, c1), x2 split: the same, 0 on 2.
        let items: Vec<_> = (0..4).map(|i| item(&format!("x{i}"), 2)).collect();
        let votes = [
            ("ann", 0, "c0"),
            ("bob", 0, "c0"),
            ("cat", 0, "c1"),
            ("ann", 1, "c1"),
            ("bob", 1, "c1"),
            ("cat", 1, "c1"),
            ("ann", 2, "c0"),
            ("bob", 2, "c1"),
            ("cat", 2, "c0"),
            ("ann", 3, "c1"),
            ("bob", 3, "c0"),
        ];
        let events: Vec<_> = votes
            .iter()
            .map(|&(who, i, c)| pair(who, &items[i], "c0", "c1", c))
            .collect();
        let st = standing(events, Some(&items));
        assert_eq!(st.annotators, ["ann", "bob", "cat"]);
        let k = kappa_vs_others(&st, &items);
        assert_eq!(k[1].1, 3);
        assert!((k[1].0.unwrap() + 0.5).abs() < 1e-12, "{k:?}");
        assert_eq!((k[0].1, k[2].1), (2, 2));
        assert!(
            k[0].0.unwrap().abs() < 1e-12 && k[2].0.unwrap().abs() < 1e-12,
            "{k:?}"
        );
    }
}
