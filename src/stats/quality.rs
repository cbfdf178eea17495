//! The quality table of `prefer stats`: per annotator, the figures a team lead decides on
//! (gold accuracy, position bias, cycles, agreement with the rest of the team, time, fitted
//! reliability), each checked against the task file's `[qa]` thresholds. Pure.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use crate::agreement::cohen_kappa;
use crate::export::pairs::{self, PairOptions, Pref};
use crate::export::standing::Standing;
use crate::format::Item;
use crate::gold::{Accuracy, GoldItems};
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
    /// Why this annotator falls short of the thresholds, one entry per figure.
    pub flags: Vec<String>,
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
