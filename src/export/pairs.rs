//! How one decision becomes judgements on pairs of candidates ("votes"): a pair decision gives
//! one, a ranking of K gives C(K,2), ratings give one for every two rated candidates. Pure.

use crate::format::Item;
use crate::labels::{Event, TaskKind};

use super::standing::Decided;

/// What a vote says about the pair (`lo`, `hi`), candidate indices with `lo < hi`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Pref {
    /// The candidate `lo` is better.
    Lo,
    /// The candidate `hi` is better.
    Hi,
    /// Equally good: one ranking tier, a `tie` choice, or ratings closer than `--min-gap`.
    Tie,
    /// A pair decision of `both_bad`.
    BothBad,
}

impl Pref {
    pub fn is_strict(self) -> bool {
        matches!(self, Pref::Lo | Pref::Hi)
    }
}

/// One annotator's judgement on one pair of an item's candidates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Vote {
    /// Index of the item in the candidate file.
    pub item: u32,
    pub lo: u32,
    pub hi: u32,
    pub annotator: u32,
    pub adjudicator: bool,
    pub pref: Pref,
    /// From a pair decision's strength (through the margin map) or a rating difference.
    pub margin: Option<f64>,
    /// Rank of the decision's time (`at`) among all decisions, larger is newer: which one
    /// counts when an annotator judged the same pair twice (say, in pair and in rank mode).
    pub recency: u32,
}

/// Settings that shape the votes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairOptions {
    /// Ratings closer than this are a tie.
    pub min_gap: u32,
    /// `margin` for strength 1, 2, 3, 4.
    pub margin_map: [f64; 4],
    /// Best-worst pairs' `margin`: [best over worst, best or worst against one between]
    /// (a task file's `[best-worst] margins`); none without.
    pub best_worst_margins: Option<[f64; 2]>,
}

/// The default strength -> margin map (Llama 2: negligibly 0, slightly 1, better 2,
/// significantly 3).
pub const DEFAULT_MARGIN_MAP: [f64; 4] = crate::taskfile::MARGINS;

impl Default for PairOptions {
    fn default() -> Self {
        PairOptions {
            min_gap: 1,
            margin_map: DEFAULT_MARGIN_MAP,
            best_worst_margins: None,
        }
    }
}

/// Appends the votes one decision gives. Candidate ids the item lacks are skipped (the standing
/// step has already left such decisions out).
pub fn votes(d: &Decided, recency: u32, item: &Item, opts: &PairOptions, out: &mut Vec<Vote>) {
    let Some(item_idx) = d.item else { return };
    let base = Vote {
        item: item_idx as u32,
        lo: 0,
        hi: 0,
        annotator: d.annotator,
        adjudicator: d.is_adjudicator(),
        pref: Pref::Tie,
        margin: None,
        recency,
    };
    let idx = |id: &str| item.candidate_index(id).map(|i| i as u32);
    let mut push = |better: u32, worse: u32, pref: Pref, margin: Option<f64>| {
        if better == worse {
            return;
        }
        let (lo, hi) = (better.min(worse), better.max(worse));
        let pref = match pref {
            Pref::Lo | Pref::Hi if better == lo => Pref::Lo,
            Pref::Lo | Pref::Hi => Pref::Hi,
            p => p,
        };
        out.push(Vote {
            lo,
            hi,
            pref,
            margin,
            ..base
        });
    };
    let e: &Event = &d.event;
    match e.task {
        TaskKind::Pair => {
            let (Some([l, r]), Some(choice)) = (&e.pair, &e.choice) else {
                return;
            };
            let (Some(l), Some(r)) = (idx(l), idx(r)) else {
                return;
            };
            let margin = e
                .strength
                .filter(|s| (1..=4).contains(s))
                .map(|s| opts.margin_map[usize::from(s) - 1]);
            match choice.as_str() {
                "tie" => push(l, r, Pref::Tie, None),
                "both_bad" => push(l, r, Pref::BothBad, None),
                c => match idx(c) {
                    Some(w) if w == l => push(l, r, Pref::Lo, margin),
                    Some(w) if w == r => push(r, l, Pref::Lo, margin),
                    _ => {}
                },
            }
        }
        TaskKind::Rank => {
            let Some(tiers) = &e.ranking else { return };
            let tiers: Vec<Vec<u32>> = tiers
                .iter()
                .map(|t| t.iter().filter_map(|id| idx(id)).collect())
                .collect();
            for (i, tier) in tiers.iter().enumerate() {
                for (j, &a) in tier.iter().enumerate() {
                    for &b in &tier[j + 1..] {
                        push(a, b, Pref::Tie, None);
                    }
                    for worse in &tiers[i + 1..] {
                        for &b in worse {
                            push(a, b, Pref::Lo, None);
                        }
                    }
                }
            }
        }
        TaskKind::Rate => {
            let Some(ratings) = &e.ratings else { return };
            let rated: Vec<(u32, u32)> = ratings
                .iter()
                .filter_map(|(id, &r)| Some((idx(id)?, r)))
                .collect();
            for (i, &(a, ra)) in rated.iter().enumerate() {
                for &(b, rb) in &rated[i + 1..] {
                    let gap = ra.abs_diff(rb);
                    if gap < opts.min_gap.max(1) {
                        push(a, b, Pref::Tie, None);
                    } else if ra > rb {
                        push(a, b, Pref::Lo, Some(f64::from(gap)));
                    } else {
                        push(b, a, Pref::Lo, Some(f64::from(gap)));
                    }
                }
            }
        }
        // The best over every other shown, every other shown over the worst.
        TaskKind::BestWorst => {
            let (Some(best), Some(worst)) = (
                e.best.as_deref().and_then(idx),
                e.worst.as_deref().and_then(idx),
            ) else {
                return;
            };
            let shown: Vec<u32> = match &e.shown {
                Some(s) => s.iter().filter_map(|id| idx(id)).collect(),
                None => vec![best, worst],
            };
            let m = opts.best_worst_margins;
            push(best, worst, Pref::Lo, m.map(|m| m[0]));
            for &c in shown.iter().filter(|&&c| c != best && c != worst) {
                push(best, c, Pref::Lo, m.map(|m| m[1]));
                push(c, worst, Pref::Lo, m.map(|m| m[1]));
            }
        }
        // An edit's votes need the item's new candidate and the editor's other judgements:
        // see `super::edits`.
        TaskKind::Edit => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::standing::tests::{item, pair};

    fn decided(e: Event) -> Decided {
        Decided {
            item: Some(0),
            ..Decided::new(0, e)
        }
    }

    fn prefs(v: &[Vote]) -> Vec<(u32, u32, Pref, Option<f64>)> {
        v.iter().map(|v| (v.lo, v.hi, v.pref, v.margin)).collect()
    }

    #[test]
    fn ranking_of_four_with_a_tier_gives_five_strict_pairs_and_one_tie() {
        // [[c2], [c0, c3], [c1]]: c2 beats 3, c0 and c3 each beat c1 -> 3 + 2 = 5 strict
        // pairs; c0 = c3 is the C(4,2) - 5 = 1 remaining pair, a tie.
        let it = item("x", 4);
        let mut e = Event::new("a", "x", None, TaskKind::Rank);
        e.ranking = Some(vec![
            vec!["c2".into()],
            vec!["c0".into(), "c3".into()],
            vec!["c1".into()],
        ]);
        let mut out = Vec::new();
        votes(&decided(e), 7, &it, &PairOptions::default(), &mut out);
        assert_eq!(
            prefs(&out),
            vec![
                (0, 2, Pref::Hi, None),
                (2, 3, Pref::Lo, None),
                (1, 2, Pref::Hi, None),
                (0, 3, Pref::Tie, None),
                (0, 1, Pref::Lo, None),
                (1, 3, Pref::Hi, None),
            ]
        );
        assert!(out.iter().all(|v| v.recency == 7));
    }

    #[test]
    fn pair_choice_strength_becomes_margin_through_the_map() {
        let it = item("x", 2);
        let mut e = pair("a", &it, "c1", "c0", "c1");
        e.strength = Some(4);
        let mut out = Vec::new();
        let opts = PairOptions {
            margin_map: [0.0, 0.5, 1.0, 2.5],
            ..Default::default()
        };
        votes(&decided(e.clone()), 0, &it, &opts, &mut out);
        e.choice = Some("tie".into());
        votes(&decided(e.clone()), 0, &it, &opts, &mut out);
        e.choice = Some("both_bad".into());
        e.strength = None;
        votes(&decided(e), 0, &it, &opts, &mut out);
        assert_eq!(
            prefs(&out),
            vec![
                (0, 1, Pref::Hi, Some(2.5)),
                (0, 1, Pref::Tie, None),
                (0, 1, Pref::BothBad, None)
            ]
        );
    }

    #[test]
    fn best_worst_gives_best_over_the_others_and_the_others_over_worst() {
        // Shown c3, c0, c2, c1 (c4 not shown): best c2, worst c0.
        let it = item("x", 5);
        let mut e = Event::new("a", "x", None, TaskKind::BestWorst);
        e.shown = Some(["c3", "c0", "c2", "c1"].map(String::from).to_vec());
        e.best = Some("c2".into());
        e.worst = Some("c0".into());
        let mut out = Vec::new();
        votes(
            &decided(e.clone()),
            0,
            &it,
            &PairOptions::default(),
            &mut out,
        );
        let mut got = prefs(&out);
        got.sort_by_key(|v| (v.0, v.1));
        // (lo, hi, which is better): c2 > c0, c2 > c3, c3 > c0, c2 > c1, c1 > c0.
        assert_eq!(
            got,
            vec![
                (0, 1, Pref::Hi, None),
                (0, 2, Pref::Hi, None),
                (0, 3, Pref::Hi, None),
                (1, 2, Pref::Hi, None),
                (2, 3, Pref::Lo, None),
            ]
        );
        let opts = PairOptions {
            best_worst_margins: Some([2.0, 1.0]),
            ..Default::default()
        };
        out.clear();
        votes(&decided(e), 0, &it, &opts, &mut out);
        let m: Vec<Option<f64>> = prefs(&out).iter().map(|v| v.3).collect();
        assert_eq!(
            m,
            vec![Some(2.0), Some(1.0), Some(1.0), Some(1.0), Some(1.0)]
        );
    }

    #[test]
    fn ratings_give_pairs_at_least_min_gap_apart_with_the_difference_as_margin() {
        // c0=5, c1=4, c2=2 with --min-gap 2: c0-c1 gap 1 (tie), c0-c2 gap 3, c1-c2 gap 2.
        let it = item("x", 3);
        let mut e = Event::new("a", "x", None, TaskKind::Rate);
        e.ratings = Some(
            [("c0", 5), ("c1", 4), ("c2", 2)]
                .map(|(k, v)| (k.into(), v))
                .into(),
        );
        let mut out = Vec::new();
        let opts = PairOptions {
            min_gap: 2,
            ..Default::default()
        };
        votes(&decided(e), 0, &it, &opts, &mut out);
        assert_eq!(
            prefs(&out),
            vec![
                (0, 1, Pref::Tie, None),
                (0, 2, Pref::Lo, Some(3.0)),
                (1, 2, Pref::Lo, Some(2.0)),
            ]
        );
    }
}
