//! How one decision becomes judgements on pairs of an item's candidates: a pair decision gives
//! one, a ranking of K gives C(K,2), ratings give one for every two rated candidates, a
//! best-worst decision the best over every other shown and every other shown over the worst.
//! Export (votes), gold (checking a decision) and stats all read decisions through this one
//! step, so it sits below all of them. Pure.

use crate::format::Item;
use crate::labels::{Event, TaskKind};

/// What a decision says about the pair (`lo`, `hi`), candidate indices with `lo < hi`.
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

/// Settings that shape the judgements.
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
pub const DEFAULT_MARGIN_MAP: [f64; 4] = [0.0, 1.0, 2.0, 3.0];

impl Default for PairOptions {
    fn default() -> Self {
        PairOptions {
            min_gap: 1,
            margin_map: DEFAULT_MARGIN_MAP,
            best_worst_margins: None,
        }
    }
}

/// One judged pair: (`lo`, `hi`) candidate indices with `lo < hi`, the judgement, and its
/// margin (from a pair decision's strength through the margin map, a rating difference, or the
/// best-worst margins).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Judged {
    pub lo: u32,
    pub hi: u32,
    pub pref: Pref,
    pub margin: Option<f64>,
}

/// Calls `out` with every pair of the item's candidates the decision speaks about. Candidate
/// ids the item lacks are skipped; an edit speaks about no pair of its own.
pub fn judged_pairs(item: &Item, e: &Event, opts: &PairOptions, mut out: impl FnMut(Judged)) {
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
        out(Judged {
            lo,
            hi,
            pref,
            margin,
        });
    };
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
        // An edit's judgements need the item's new candidate and the editor's other
        // decisions: see `export::edits`.
        TaskKind::Edit => {}
    }
}
