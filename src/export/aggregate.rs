//! Several annotators' votes on one pair become what export writes: every vote (`all`), the
//! majority's (`majority`), or an adjudicator's where there is one (`adjudicated`). Pure.

use std::ops::Range;

use super::pairs::{Pref, Vote};

/// How several annotators' judgements on one pair are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Aggregate {
    /// Every annotator's pairs, each with its `annotator`.
    All,
    /// A pair is kept when more than half of the annotators who judged it agree.
    Majority,
    /// An adjudicator's decision wins; where there is none, the majority's.
    Adjudicated,
}

/// One aggregated judgement on a pair.
#[derive(Debug, Clone, PartialEq)]
pub struct Judged {
    pub item: u32,
    /// The better candidate (for a tie or both-bad: the one first in the file).
    pub chosen: u32,
    pub rejected: u32,
    pub pref: Pref,
    /// Mean margin of the votes behind the outcome that carry one.
    pub margin: Option<f64>,
    /// Positions in [`Aggregated::voters`] of everyone who judged the pair.
    pub voters: Range<u32>,
    /// How many annotators (adjudicators not counted, unless nobody else judged the pair)
    /// judged the pair, and how many of them agree with `pref`.
    pub judged_by: u32,
    pub agree: u32,
}

impl Judged {
    /// Share of the annotators who judged the pair that agree with the outcome.
    pub fn agreement(&self) -> f64 {
        f64::from(self.agree) / f64::from(self.judged_by.max(1))
    }
}

/// The outcome of aggregation, in a deterministic order: item, then pair (`lo`, `hi`), then
/// annotator (for `all`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Aggregated {
    pub pairs: Vec<Judged>,
    /// Annotator indices; each pair's `voters` is a range in here (one shared buffer instead
    /// of a small vector per pair).
    pub voters: Vec<u32>,
    /// Pairs where the annotators split with no majority (dropped).
    pub no_majority: usize,
    /// Votes superseded by the same annotator's newer judgement on the same pair.
    pub superseded: usize,
}

/// Combines votes. Sorts `votes` in place. An annotator who judged a pair twice (e.g. in pair
/// and rank mode) counts once, with the newer judgement.
pub fn aggregate(votes: &mut [Vote], mode: Aggregate) -> Aggregated {
    // Votes that come grouped by item (as judge makes them, from decisions sorted by item) are
    // sorted and combined in pieces on all cores, no item split between two pieces: the item
    // is the first thing they are sorted by, so the pieces put together are the whole.
    let threads = crate::par::cores();
    if threads == 1 || votes.len() < 1 << 16 || !votes.is_sorted_by_key(|v| v.item) {
        return aggregate_sorted(votes, mode);
    }
    let mut pieces = Vec::with_capacity(threads);
    let mut rest = votes;
    let size = rest.len().div_ceil(threads);
    while !rest.is_empty() {
        let mut cut = size.min(rest.len());
        while cut < rest.len() && rest[cut].item == rest[cut - 1].item {
            cut += 1;
        }
        let (piece, after) = rest.split_at_mut(cut);
        pieces.push(piece);
        rest = after;
    }
    let parts: Vec<Aggregated> = std::thread::scope(|s| {
        let handles: Vec<_> = pieces
            .into_iter()
            .map(|p| s.spawn(move || aggregate_sorted(p, mode)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    let mut parts = parts.into_iter();
    let mut out = parts.next().unwrap_or_default();
    for p in parts {
        let shift = out.voters.len() as u32;
        out.pairs.extend(p.pairs.into_iter().map(|mut j| {
            j.voters = j.voters.start + shift..j.voters.end + shift;
            j
        }));
        out.voters.extend(p.voters);
        out.no_majority += p.no_majority;
        out.superseded += p.superseded;
    }
    out
}

/// [`aggregate`] on one thread.
fn aggregate_sorted(votes: &mut [Vote], mode: Aggregate) -> Aggregated {
    votes.sort_unstable_by_key(|v| (v.item, v.lo, v.hi, v.annotator, v.recency));
    let mut out = Aggregated::default();
    let mut group: Vec<Vote> = Vec::new();
    let mut i = 0;
    while i < votes.len() {
        let first = votes[i];
        let mut j = i;
        group.clear();
        while j < votes.len()
            && (votes[j].item, votes[j].lo, votes[j].hi) == (first.item, first.lo, first.hi)
        {
            // Newest per annotator: the last of a run with equal annotator.
            if j + 1 < votes.len()
                && (
                    votes[j + 1].item,
                    votes[j + 1].lo,
                    votes[j + 1].hi,
                    votes[j + 1].annotator,
                ) == (votes[j].item, votes[j].lo, votes[j].hi, votes[j].annotator)
            {
                out.superseded += 1;
            } else {
                group.push(votes[j]);
            }
            j += 1;
        }
        i = j;
        combine(&group, mode, &mut out);
    }
    out
}

fn combine(group: &[Vote], mode: Aggregate, out: &mut Aggregated) {
    let first = group[0];
    let start = out.voters.len() as u32;
    out.voters.extend(group.iter().map(|v| v.annotator));
    let all = start..out.voters.len() as u32;
    if mode == Aggregate::All {
        for (k, v) in group.iter().enumerate() {
            let one = start + k as u32..start + k as u32 + 1;
            out.pairs.push(judged(v, v.pref, v.margin, one, 1, 1));
        }
        return;
    }
    // An adjudicator reviews the annotators rather than being one of them: the majority is
    // taken among annotators (among adjudicators only where nobody else judged the pair).
    let adjudicators: Vec<Vote> = group.iter().filter(|v| v.adjudicator).copied().collect();
    let annotators: Vec<Vote> = group.iter().filter(|v| !v.adjudicator).copied().collect();
    let electorate = if annotators.is_empty() {
        &adjudicators
    } else {
        &annotators
    };
    let pref = if mode == Aggregate::Adjudicated && !adjudicators.is_empty() {
        // Several adjudicators on one pair: their majority, else the newest one's word.
        majority(&adjudicators).unwrap_or_else(|| {
            adjudicators
                .iter()
                .max_by_key(|v| v.recency)
                .map_or(Pref::Tie, |v| v.pref)
        })
    } else {
        match majority(electorate) {
            Some(p) => p,
            None => {
                out.no_majority += 1;
                out.voters.truncate(start as usize);
                return;
            }
        }
    };
    let agree = electorate.iter().filter(|v| v.pref == pref).count() as u32;
    let margins: Vec<f64> = group
        .iter()
        .filter(|v| v.pref == pref)
        .filter_map(|v| v.margin)
        .collect();
    let margin = (!margins.is_empty()).then(|| margins.iter().sum::<f64>() / margins.len() as f64);
    let judged_by = electorate.len() as u32;
    out.pairs
        .push(judged(&first, pref, margin, all, agree, judged_by));
}

/// The judgement more than half of the votes share.
fn majority(votes: &[Vote]) -> Option<Pref> {
    let mut counts = [0usize; 4];
    for v in votes {
        counts[v.pref as usize] += 1;
    }
    let (best, &n) = counts.iter().enumerate().max_by_key(|(_, n)| **n)?;
    (n * 2 > votes.len()).then_some([Pref::Lo, Pref::Hi, Pref::Tie, Pref::BothBad][best])
}

fn judged(
    v: &Vote,
    pref: Pref,
    margin: Option<f64>,
    voters: Range<u32>,
    agree: u32,
    judged_by: u32,
) -> Judged {
    let (chosen, rejected) = if pref == Pref::Hi {
        (v.hi, v.lo)
    } else {
        (v.lo, v.hi)
    };
    let margin = if pref.is_strict() { margin } else { Some(0.0) };
    Judged {
        item: v.item,
        chosen,
        rejected,
        pref,
        margin,
        voters,
        agree,
        judged_by,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vote(annotator: u32, pref: Pref, recency: u32) -> Vote {
        Vote {
            item: 0,
            lo: 0,
            hi: 1,
            annotator,
            adjudicator: false,
            pref,
            margin: None,
            recency,
        }
    }

    #[test]
    fn votes_combined_in_pieces_give_what_one_thread_gives() {
        let mut r = crate::testutil::Rng(11);
        let prefs = [Pref::Lo, Pref::Hi, Pref::Tie, Pref::BothBad];
        // 200,000 votes over 3,000 items (some with one vote, some with hundreds), each
        // item's votes in random order, the items in order as judge gives them.
        let mut votes = Vec::new();
        let mut item = 0;
        while votes.len() < 200_000 {
            for _ in 0..r.below(if item % 50 == 0 { 400 } else { 130 }) {
                let (a, b) = (r.below(6) as u32, r.below(6) as u32);
                votes.push(Vote {
                    item,
                    lo: a.min(b),
                    hi: a.max(b) + u32::from(a == b),
                    annotator: r.below(5) as u32,
                    adjudicator: r.below(10) == 0,
                    pref: prefs[r.below(4) as usize],
                    margin: (r.below(2) == 0).then(|| r.below(4) as f64),
                    recency: r.below(1 << 20) as u32,
                });
            }
            item += 1;
        }
        for mode in [Aggregate::All, Aggregate::Majority, Aggregate::Adjudicated] {
            let mut whole = votes.clone();
            let one = aggregate_sorted(&mut whole, mode);
            let mut pieces = votes.clone();
            let all = aggregate(&mut pieces, mode);
            assert_eq!(all, one, "{mode:?}");
            assert!(one.pairs.len() > 10_000 && one.superseded > 0 && one.voters.len() > 1000);
        }
    }

    #[test]
    fn majority_keeps_two_of_three_and_drops_a_split() {
        // Pair (0,1): alice Lo, bob Lo, carol Hi -> Lo with agreement 2/3.
        // Pair (0,2): alice Lo, bob Hi -> 1-1, no majority, dropped.
        let mut votes = vec![
            vote(0, Pref::Lo, 0),
            vote(2, Pref::Hi, 2),
            vote(1, Pref::Lo, 1),
            Vote {
                hi: 2,
                ..vote(0, Pref::Lo, 0)
            },
            Vote {
                hi: 2,
                ..vote(1, Pref::Hi, 1)
            },
        ];
        let a = aggregate(&mut votes, Aggregate::Majority);
        assert_eq!(a.pairs.len(), 1);
        assert_eq!(a.no_majority, 1);
        let p = &a.pairs[0];
        assert_eq!((p.chosen, p.rejected, p.agree), (0, 1, 2));
        assert!((p.agreement() - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(
            &a.voters[p.voters.start as usize..p.voters.end as usize],
            &[0, 1, 2]
        );
    }

    #[test]
    fn strict_majority_not_plurality() {
        // 4 voters: 2 Lo, 1 Hi, 1 Tie. Lo is the plurality but not more than half: dropped.
        let mut votes = vec![
            vote(0, Pref::Lo, 0),
            vote(1, Pref::Lo, 1),
            vote(2, Pref::Hi, 2),
            vote(3, Pref::Tie, 3),
        ];
        let a = aggregate(&mut votes, Aggregate::Majority);
        assert!(a.pairs.is_empty());
        assert_eq!(a.no_majority, 1);
    }

    #[test]
    fn margin_is_the_mean_of_agreeing_votes_and_ties_get_zero() {
        let mut votes = vec![
            Vote {
                margin: Some(1.0),
                ..vote(0, Pref::Hi, 0)
            },
            Vote {
                margin: Some(2.0),
                ..vote(1, Pref::Hi, 1)
            },
            Vote {
                margin: Some(3.0),
                ..vote(2, Pref::Lo, 2)
            },
        ];
        let a = aggregate(&mut votes, Aggregate::Majority);
        assert_eq!(a.pairs[0].margin, Some(1.5));
        assert_eq!((a.pairs[0].chosen, a.pairs[0].rejected), (1, 0));
        let mut ties = vec![vote(0, Pref::Tie, 0)];
        assert_eq!(
            aggregate(&mut ties, Aggregate::Majority).pairs[0].margin,
            Some(0.0)
        );
    }

    #[test]
    fn adjudicator_wins_over_a_majority_only_in_adjudicated_mode() {
        let votes = vec![
            vote(0, Pref::Lo, 0),
            vote(1, Pref::Lo, 1),
            Vote {
                adjudicator: true,
                ..vote(2, Pref::Hi, 2)
            },
        ];
        let adj = aggregate(&mut votes.clone(), Aggregate::Adjudicated);
        assert_eq!(adj.pairs[0].pref, Pref::Hi);
        // Neither of the two annotators agrees with the adjudicator.
        assert_eq!((adj.pairs[0].agree, adj.pairs[0].judged_by), (0, 2));
        // The majority is the annotators': the adjudicator does not vote.
        let maj = aggregate(&mut votes.clone(), Aggregate::Majority);
        assert_eq!(maj.pairs[0].pref, Pref::Lo);
        assert_eq!(maj.pairs[0].agreement(), 1.0);
        // A pair only an adjudicator judged keeps the adjudicator's word.
        let mut only = vec![Vote {
            adjudicator: true,
            ..vote(2, Pref::Hi, 2)
        }];
        assert_eq!(
            aggregate(&mut only, Aggregate::Majority).pairs[0].pref,
            Pref::Hi
        );
        // No adjudicator on a pair: adjudicated falls back to the majority.
        let mut plain = vec![vote(0, Pref::Hi, 0)];
        assert_eq!(
            aggregate(&mut plain, Aggregate::Adjudicated).pairs[0].pref,
            Pref::Hi
        );
    }

    #[test]
    fn all_keeps_every_vote_and_an_annotator_counts_once_with_the_newer_vote() {
        // alice judged the pair in pair mode (recency 0) and later in rank mode (recency 5).
        let mut votes = vec![
            vote(0, Pref::Hi, 5),
            vote(0, Pref::Lo, 0),
            vote(1, Pref::Lo, 1),
        ];
        let a = aggregate(&mut votes, Aggregate::All);
        assert_eq!(a.superseded, 1);
        let got: Vec<_> = a
            .pairs
            .iter()
            .map(|p| (a.voters[p.voters.start as usize], p.pref))
            .collect();
        assert_eq!(got, vec![(0, Pref::Hi), (1, Pref::Lo)]);
    }
}
