//! Votes: one annotator's judgement on one pair of an item's candidates, with who and when.
//! How a decision becomes judged pairs is `crate::judged`'s. Pure.

use crate::format::Item;

use super::standing::Decided;

pub use crate::judged::{DEFAULT_MARGIN_MAP, PairOptions, Pref};

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
    crate::judged::judged_pairs(item, &d.event, opts, |j| {
        out.push(Vote {
            lo: j.lo,
            hi: j.hi,
            pref: j.pref,
            margin: j.margin,
            ..base
        });
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::standing::tests::{item, pair};
    use crate::labels::{Event, TaskKind};

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
