//! Several annotators' votes on one pair become what export writes: every vote (`all`), the
//! majority's (`majority`), an adjudicator's where there is one (`adjudicated`), or the most
//! probable judgement once each annotator's reliability is fitted (`dawid-skene`). Pure.

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
    /// Each annotator's reliability (how often they say which, given the truth) fitted over
    /// all pairs by expectation-maximisation (Dawid and Skene, 1979); every pair keeps its most
    /// probable judgement, with that probability as its `confidence`.
    #[value(name = "dawid-skene")]
    DawidSkene,
    /// `--format rankings`: each item's order by Tideman's ranked pairs over the majorities of
    /// all annotators (OpenAssistant's method): the strongest majorities are locked in first, one
    /// that would close a cycle is passed over; candidates no locked majority separates share a
    /// place. Pairs are combined as with `majority`.
    Consensus,
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
    /// `dawid-skene`: the probability of `pref` given every vote on the pair and the fitted
    /// reliabilities.
    pub confidence: Option<f64>,
}

impl Judged {
    /// Share of the annotators who judged the pair that agree with the outcome.
    pub fn agreement(&self) -> f64 {
        f64::from(self.agree) / f64::from(self.judged_by.max(1))
    }
}

#[cfg(test)]
impl Judged {
    /// One annotator's judgement of a pair (the first voter in `voters`), as the format
    /// modules' tests take it.
    pub(crate) fn one(item: u32, chosen: u32, rejected: u32, pref: Pref) -> Judged {
        Judged {
            item,
            chosen,
            rejected,
            pref,
            margin: None,
            voters: 0..1,
            judged_by: 1,
            agree: 1,
            confidence: None,
        }
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
    /// `dawid-skene`: each annotator's fitted accuracy (the chance their vote is the true
    /// judgement), by annotator index; `None` for annotators with no vote in the fit.
    pub reliability: Vec<Option<f64>>,
}

/// Combines votes. Sorts `votes` in place. An annotator who judged a pair twice (e.g. in pair
/// and rank mode) counts once, with the newer judgement.
pub fn aggregate(votes: &mut [Vote], mode: Aggregate) -> Aggregated {
    if mode == Aggregate::DawidSkene {
        // One fit over every pair: not split by item.
        return dawid_skene(votes);
    }
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
    let mut out = Aggregated::default();
    out.superseded = each_pair(votes, |group| combine(group, mode, &mut out));
    out
}

/// Sorts the votes and calls `f` with each pair's, an annotator's newest vote only; returns
/// how many older votes were passed over.
fn each_pair(votes: &mut [Vote], mut f: impl FnMut(&[Vote])) -> usize {
    votes.sort_unstable_by_key(|v| (v.item, v.lo, v.hi, v.annotator, v.recency));
    let mut superseded = 0;
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
                superseded += 1;
            } else {
                group.push(votes[j]);
            }
            j += 1;
        }
        i = j;
        f(&group);
    }
    superseded
}

/// Who decides a pair: its annotators; its adjudicators only where nobody else judged it.
fn electorate(group: &[Vote]) -> Vec<Vote> {
    let annotators: Vec<Vote> = group.iter().filter(|v| !v.adjudicator).copied().collect();
    if annotators.is_empty() {
        group.to_vec()
    } else {
        annotators
    }
}

const PREFS: [Pref; 4] = [Pref::Lo, Pref::Hi, Pref::Tie, Pref::BothBad];

/// Dawid and Skene's model, over the four judgements a vote can make: each pair has a true
/// judgement, drawn from a shared prior; each annotator says `l` when the truth is `k` with
/// probability `conf[a][k][l]`. Expectation-maximisation from the votes' shares (majority
/// voting, softly), with a small pseudo-count on every cell so a judgement never seen is not
/// impossible. Deterministic: the same votes give the same fit.
pub fn dawid_skene(votes: &mut [Vote]) -> Aggregated {
    fit(votes, 200, &Known::new())
}

/// Pairs whose true judgement is known (gold items), by (item, lo, hi).
pub type Known = std::collections::HashMap<(u32, u32, u32), Pref>;

/// [`dawid_skene`] with the pairs in `known` held at their known judgement: they are not
/// estimated, and they teach the fit how often each annotator is right.
pub fn dawid_skene_anchored(votes: &mut [Vote], known: &Known) -> Aggregated {
    fit(votes, 200, known)
}

/// [`dawid_skene`] with at most `rounds` rounds of EM.
fn fit(votes: &mut [Vote], rounds: usize, known: &Known) -> Aggregated {
    const SMOOTH: f64 = 0.01;
    // Far below any difference a confidence column or a fitted accuracy shows; a tighter
    // bound only buys rounds on noisy crowds, where EM converges slowly.
    const TOLERANCE: f64 = 1e-6;
    let mut pairs: Vec<(Vote, std::ops::Range<usize>)> = Vec::new();
    let mut ballots: Vec<Vote> = Vec::new();
    let superseded = each_pair(votes, |group| {
        let e = electorate(group);
        let start = ballots.len();
        ballots.extend(e);
        pairs.push((group[0], start..ballots.len()));
    });
    let annotators = ballots
        .iter()
        .map(|v| v.annotator as usize + 1)
        .max()
        .unwrap_or(0);
    // A known pair's truth is certain, from the start and in every round.
    let anchor: Vec<Option<[f64; 4]>> = pairs
        .iter()
        .map(|(v, _)| {
            known.get(&(v.item, v.lo, v.hi)).map(|&p| {
                let mut t = [0.0; 4];
                t[p as usize] = 1.0;
                t
            })
        })
        .collect();
    // Initial truth: the shares of each pair's votes.
    let mut truth: Vec<[f64; 4]> = pairs
        .iter()
        .zip(&anchor)
        .map(|((_, r), a)| {
            if let Some(a) = a {
                return *a;
            }
            let mut t = [0.0; 4];
            for v in &ballots[r.clone()] {
                t[v.pref as usize] += 1.0;
            }
            t.map(|x| x / r.len() as f64)
        })
        .collect();
    let mut conf = vec![[[0.0f64; 4]; 4]; annotators];
    let mut prior = [0.25; 4];
    for _ in 0..rounds {
        // M step: prior and confusion matrices from the current truth.
        let mut counts = vec![[[SMOOTH; 4]; 4]; annotators];
        let mut p = [SMOOTH; 4];
        for ((_, r), t) in pairs.iter().zip(&truth) {
            for k in 0..4 {
                p[k] += t[k];
                for v in &ballots[r.clone()] {
                    counts[v.annotator as usize][k][v.pref as usize] += t[k];
                }
            }
        }
        let total: f64 = p.iter().sum();
        prior = p.map(|x| x / total);
        for (c, n) in conf.iter_mut().zip(&counts) {
            for k in 0..4 {
                let row: f64 = n[k].iter().sum();
                c[k] = n[k].map(|x| x / row);
            }
        }
        // E step: each pair's truth given its votes. The logarithms are taken once a round,
        // per annotator and vote: for what they said, one term per possible truth.
        let log_said: Vec<[[f64; 4]; 4]> = conf
            .iter()
            .map(|c| std::array::from_fn(|l| std::array::from_fn(|k| c[k][l].ln())))
            .collect();
        let log_prior = prior.map(f64::ln);
        let mut change = 0.0f64;
        for (((_, r), t), a) in pairs.iter().zip(truth.iter_mut()).zip(&anchor) {
            if a.is_some() {
                continue;
            }
            let mut log = log_prior;
            for v in &ballots[r.clone()] {
                let said = &log_said[v.annotator as usize][v.pref as usize];
                for (l, s) in log.iter_mut().zip(said) {
                    *l += s;
                }
            }
            let top = log.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let w = log.map(|l| (l - top).exp());
            let sum: f64 = w.iter().sum();
            let new = w.map(|x| x / sum);
            for k in 0..4 {
                change = change.max((new[k] - t[k]).abs());
            }
            *t = new;
        }
        if change < TOLERANCE {
            break;
        }
    }
    let mut out = Aggregated {
        superseded,
        ..Aggregated::default()
    };
    let mut voted = vec![false; annotators];
    for v in &ballots {
        voted[v.annotator as usize] = true;
    }
    out.reliability = conf
        .iter()
        .zip(&voted)
        .map(|(c, &voted)| voted.then(|| (0..4).map(|k| prior[k] * c[k][k]).sum()))
        .collect();
    for ((first, r), t) in pairs.iter().zip(&truth) {
        // The most probable judgement; an exact tie goes to the first in PREFS' order.
        let best = (0..4).fold(0, |b, k| if t[k] > t[b] { k } else { b });
        let pref = PREFS[best];
        let e = &ballots[r.clone()];
        let start = out.voters.len() as u32;
        out.voters.extend(e.iter().map(|v| v.annotator));
        let agree = e.iter().filter(|v| v.pref == pref).count() as u32;
        let margins: Vec<f64> = e
            .iter()
            .filter(|v| v.pref == pref)
            .filter_map(|v| v.margin)
            .collect();
        let margin =
            (!margins.is_empty()).then(|| margins.iter().sum::<f64>() / margins.len() as f64);
        let mut j = judged(
            first,
            pref,
            margin,
            start..out.voters.len() as u32,
            agree,
            e.len() as u32,
        );
        j.confidence = Some(t[best]);
        out.pairs.push(j);
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
        confidence: None,
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

    fn pair_vote(item: u32, annotator: u32, pref: Pref) -> Vote {
        Vote {
            item,
            ..vote(annotator, pref, 0)
        }
    }

    #[test]
    fn one_round_of_dawid_skene_by_hand() {
        // Pair 0: both annotators say Lo. Pair 1: annotator 0 says Lo, annotator 1 says Hi.
        // Start: the votes' shares, t0 = (1, 0, 0, 0), t1 = (.5, .5, 0, 0) over (Lo, Hi, Tie,
        // BothBad). M step, 0.01 added to every count:
        //   prior = (1.51, .51, .01, .01) / 2.04 = (.740196, .25, .004902, .004902)
        //   annotator 0, truth Lo: (1.51, .01, .01, .01) / 1.54 -> says Lo .980519
        //                truth Hi: (.51, .01, .01, .01) / .54   -> says Hi .018519
        //   annotator 1, truth Lo: (1.01, .51, .01, .01) / 1.54 -> Lo .655844, Hi .331169
        //                truth Hi: (.01, .51, .01, .01) / .54   -> Lo .018519, Hi .944444
        //   Tie and BothBad rows: nothing seen, .25 each.
        // E step, pair 0: Lo .740196 x .980519 x .655844 = .475996
        //                 Hi .25 x .944444 x .018519      = .004372
        //                 Tie = BothBad = .004902 x .25 x .25 = .000306
        //   -> Lo .475996 / .480981 = .98964
        // pair 1: Lo .740196 x .980519 x .331169 = .240356, Hi .25 x .944444 x .944444 =
        //   .222994 -> Lo .240356 / .463963 = .51805
        let mut votes = vec![
            pair_vote(0, 0, Pref::Lo),
            pair_vote(0, 1, Pref::Lo),
            pair_vote(1, 0, Pref::Lo),
            pair_vote(1, 1, Pref::Hi),
        ];
        let a = fit(&mut votes, 1, &Known::new());
        let got: Vec<(Pref, f64)> = a
            .pairs
            .iter()
            .map(|p| (p.pref, p.confidence.unwrap()))
            .collect();
        assert_eq!(got[0].0, Pref::Lo);
        assert!((got[0].1 - 0.98964).abs() < 1e-4, "{got:?}");
        assert_eq!(got[1].0, Pref::Lo);
        assert!((got[1].1 - 0.51805).abs() < 1e-4, "{got:?}");
        // Fitted accuracy, the chance a vote is the truth, from the M step: the sum over the
        // truths of prior x the chance of saying it. Annotator 0: .740196 x .980519 + .25 x
        // .018519 + 2 x .004902 x .25 = .732857; annotator 1: .740196 x .655844 + .25 x
        // .944444 + .002451 = .724015.
        let r: Vec<f64> = a.reliability.iter().map(|r| r.unwrap()).collect();
        assert!((r[0] - 0.732857).abs() < 1e-5, "{r:?}");
        assert!((r[1] - 0.724015).abs() < 1e-5, "{r:?}");
    }

    #[test]
    fn an_annotator_who_is_always_wrong_is_read_backwards() {
        // Annotators 0 and 1 always agree; 2 always says the opposite. A pair only 2 judged
        // goes against 2's vote, and 2's fitted accuracy is near zero.
        let mut votes = Vec::new();
        for item in 0..6 {
            let (right, wrong) = if item % 2 == 0 {
                (Pref::Lo, Pref::Hi)
            } else {
                (Pref::Hi, Pref::Lo)
            };
            votes.extend([
                pair_vote(item, 0, right),
                pair_vote(item, 1, right),
                pair_vote(item, 2, wrong),
            ]);
        }
        votes.push(pair_vote(6, 2, Pref::Hi));
        let a = aggregate(&mut votes, Aggregate::DawidSkene);
        let last = a.pairs.last().unwrap();
        assert_eq!((last.item, last.pref), (6, Pref::Lo));
        assert!(last.confidence.unwrap() > 0.9, "{last:?}");
        assert_eq!((last.agree, last.judged_by), (0, 1));
        assert!(a.reliability[2].unwrap() < 0.05, "{:?}", a.reliability);
        assert!(a.reliability[0].unwrap() > 0.95, "{:?}", a.reliability);
        // The majority keeps 2's word on the pair only 2 judged.
        let m = aggregate(&mut votes, Aggregate::Majority);
        assert_eq!(m.pairs.last().unwrap().pref, Pref::Hi);
    }

    #[test]
    fn gold_pairs_anchor_the_fit() {
        // Annotator 0 always says Hi, annotator 1 always Lo, on four pairs: nothing tells
        // them apart, every pair is an even split (an exact tie goes to Lo, first). Gold says
        // pairs 0 and 1 are Hi: annotator 0 is then the one to trust, on pairs 2 and 3 too.
        let mut votes = Vec::new();
        for item in 0..4 {
            votes.extend([pair_vote(item, 0, Pref::Hi), pair_vote(item, 1, Pref::Lo)]);
        }
        let free = aggregate(&mut votes.clone(), Aggregate::DawidSkene);
        assert!(free.pairs.iter().all(|p| p.pref == Pref::Lo), "{free:?}");
        let known: Known = [((0, 0, 1), Pref::Hi), ((1, 0, 1), Pref::Hi)].into();
        let a = dawid_skene_anchored(&mut votes, &known);
        let got: Vec<Pref> = a.pairs.iter().map(|p| p.pref).collect();
        assert_eq!(got, vec![Pref::Hi; 4]);
        assert_eq!(a.pairs[0].confidence, Some(1.0));
        assert!(a.pairs[3].confidence.unwrap() > 0.9, "{:?}", a.pairs[3]);
        assert!(a.reliability[0].unwrap() > 0.9 && a.reliability[1].unwrap() < 0.1);
    }

    #[test]
    fn dawid_skene_counts_the_annotators_and_their_margins_as_the_majority_does() {
        // Pair of item 0: annotators 0 and 1 say Lo with margins 1 and 3, annotator 0 having
        // said Hi before (superseded); an adjudicator, 2, says Hi with margin 5. Pair of item 1:
        // only the adjudicator judged it, Hi. The fit, like the majority, hears the
        // annotators where there are any and the adjudicator only where nobody else judged.
        let adjudicator = |item, pref, margin| Vote {
            item,
            adjudicator: true,
            margin: Some(margin),
            ..vote(2, pref, 3)
        };
        let mut votes = vec![
            Vote {
                margin: Some(1.0),
                ..vote(0, Pref::Lo, 1)
            },
            Vote {
                margin: Some(3.0),
                ..vote(1, Pref::Lo, 2)
            },
            Vote {
                margin: Some(4.0),
                ..vote(0, Pref::Hi, 0)
            },
            adjudicator(0, Pref::Hi, 5.0),
            adjudicator(1, Pref::Hi, 2.0),
        ];
        let a = aggregate(&mut votes, Aggregate::DawidSkene);
        assert_eq!(a.superseded, 1);
        let voters = |p: &Judged| &a.voters[p.voters.start as usize..p.voters.end as usize];
        let p = &a.pairs[0];
        // The mean margin of the two annotators who agree with the outcome.
        assert_eq!(
            (p.item, p.pref, p.margin, voters(p), p.agree, p.judged_by),
            (0, Pref::Lo, Some(2.0), &[0, 1][..], 2, 2)
        );
        // One vote says nothing of its voter's reliability: the fit's prior, Lo from the
        // other pair, outweighs it. Only who was heard is asserted.
        let p = &a.pairs[1];
        assert_eq!((p.item, voters(p), p.judged_by), (1, &[2][..], 1));
    }

    #[test]
    fn dawid_skene_stays_finite_on_a_pair_hundreds_disagree_on() {
        // 400 annotators each judge the pairs of items 0 to 3 and spread their four votes
        // over the four judgements; every pair gets 100 of each. By symmetry every fitted
        // chance is 1/4, so each pair's four judgements are equally probable (the first, Lo,
        // is taken). A pair's likelihood is then about (1/4)^400, 1e-241: it is computed
        // relative to the most probable judgement, not from the logarithms as they are, whose
        // exponentials underflow to zero (and the confidence to 0 / 0).
        let mut votes = Vec::new();
        for a in 0..400u32 {
            for item in 0..4 {
                votes.push(pair_vote(item, a, PREFS[((a + item) % 4) as usize]));
            }
        }
        let fit = aggregate(&mut votes, Aggregate::DawidSkene);
        assert_eq!(fit.pairs.len(), 4);
        for p in &fit.pairs {
            assert_eq!(p.pref, Pref::Lo, "{p:?}");
            assert!((p.confidence.unwrap() - 0.25).abs() < 1e-9, "{p:?}");
            assert_eq!((p.agree, p.judged_by), (100, 400));
        }
    }

    /// Share of `truth` (one true judgement per item, pair (0, 1)) that the aggregation exports
    /// as it is.
    fn accuracy(votes: &[Vote], truth: &[Pref], mode: Aggregate) -> f64 {
        let a = aggregate(&mut votes.to_vec(), mode);
        let right = a
            .pairs
            .iter()
            .filter(|p| p.pref == truth[p.item as usize])
            .count();
        right as f64 / truth.len() as f64
    }

    /// A simulated crowd: `pairs` pairs with a random true side, each judged by three of the
    /// annotators picked at random, annotator `a` saying the truth with chance `right[a]`.
    fn crowd(seed: u64, pairs: u32, right: &[f64]) -> (Vec<Vote>, Vec<Pref>) {
        let mut r = crate::testutil::Rng(seed);
        let mut votes = Vec::new();
        let mut truth = Vec::new();
        let n = right.len() as u64;
        for item in 0..pairs {
            let t = if r.below(2) == 0 { Pref::Lo } else { Pref::Hi };
            truth.push(t);
            let mut who: Vec<u32> = (0..n as u32).collect();
            for k in 0..3 {
                let j = k + r.below(n - k as u64) as usize;
                who.swap(k, j);
            }
            for &a in &who[..3] {
                let says_truth = (r.below(1_000_000) as f64) < right[a as usize] * 1e6;
                let other = if t == Pref::Lo { Pref::Hi } else { Pref::Lo };
                votes.push(pair_vote(item, a, if says_truth { t } else { other }));
            }
        }
        (votes, truth)
    }

    #[test]
    fn dawid_skene_beats_the_majority_on_a_mixed_crowd_and_matches_it_on_a_good_one() {
        const SEED: u64 = 17;
        // Two annotators right 85% of the time, one 75%, one at random, one mostly wrong.
        let (votes, truth) = crowd(SEED, 4000, &[0.85, 0.85, 0.75, 0.5, 0.2]);
        let (maj, ds) = (
            accuracy(&votes, &truth, Aggregate::Majority),
            accuracy(&votes, &truth, Aggregate::DawidSkene),
        );
        println!("seed {SEED}, mixed crowd: majority {maj:.3}, dawid-skene {ds:.3}");
        assert!(ds > maj + 0.05, "majority {maj}, dawid-skene {ds}");
        // Five annotators equally good.
        let (votes, truth) = crowd(SEED, 4000, &[0.8; 5]);
        let (maj, ds) = (
            accuracy(&votes, &truth, Aggregate::Majority),
            accuracy(&votes, &truth, Aggregate::DawidSkene),
        );
        println!("seed {SEED}, equal crowd: majority {maj:.3}, dawid-skene {ds:.3}");
        assert!(ds >= maj - 0.005, "majority {maj}, dawid-skene {ds}");
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
    fn many_votes_are_combined_in_pieces_only_when_no_item_is_split() {
        // Over 1 << 16 votes, but not grouped by item (an item's votes far apart): cutting
        // them into pieces would split items, so they are combined on one thread.
        let mut r = crate::testutil::Rng(7);
        let prefs = [Pref::Lo, Pref::Hi, Pref::Tie, Pref::BothBad];
        let mut votes: Vec<Vote> = (0..70_000u32)
            .map(|k| Vote {
                item: k % 1000,
                lo: 0,
                hi: 1 + (k / 1000) % 3,
                annotator: (k / 3000) % 7,
                adjudicator: false,
                pref: prefs[r.below(4) as usize],
                margin: None,
                recency: k,
            })
            .collect();
        assert!(!votes.is_sorted_by_key(|v| v.item));
        let one = aggregate_sorted(&mut votes.clone(), Aggregate::All);
        let all = aggregate(&mut votes, Aggregate::All);
        assert_eq!(all, one);
        // Every annotator's newest vote on each pair, in item order.
        assert_eq!(all.pairs.len(), 70_000 - all.superseded);
        assert!(all.pairs.is_sorted_by_key(|p| p.item));
        // Grouped by item, the first item holding more votes than a piece: the cut moves on
        // to the end of that item, never back before it.
        votes.sort_by_key(|v| (v.item != 0, v.item));
        for v in votes.iter_mut().take(50_000) {
            v.item = 0;
        }
        let one = aggregate_sorted(&mut votes.clone(), Aggregate::All);
        assert_eq!(aggregate(&mut votes, Aggregate::All), one);
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
    fn an_annotators_votes_on_other_pairs_supersede_nothing() {
        // One annotator, once on each pair: the same sides on the next item (item 0 then 1),
        // another lower side (item 2), another higher side (item 3). Neighbours once sorted,
        // each differs from the one before in one field only, and none is newer news of it.
        let pair = |item, lo, hi| Vote {
            item,
            lo,
            hi,
            ..vote(0, Pref::Lo, 0)
        };
        let mut votes = vec![
            pair(0, 0, 1),
            pair(1, 0, 1),
            pair(2, 0, 2),
            pair(2, 1, 2),
            pair(3, 0, 1),
            pair(3, 0, 2),
        ];
        let a = aggregate(&mut votes, Aggregate::All);
        assert_eq!(a.superseded, 0);
        let got: Vec<_> = a
            .pairs
            .iter()
            .map(|p| (p.item, p.chosen, p.rejected))
            .collect();
        assert_eq!(
            got,
            vec![
                (0, 0, 1),
                (1, 0, 1),
                (2, 0, 2),
                (2, 1, 2),
                (3, 0, 1),
                (3, 0, 2)
            ]
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
            .map(|p| {
                (
                    &a.voters[p.voters.start as usize..p.voters.end as usize],
                    p.pref,
                )
            })
            .collect();
        // Each row's voters are its one annotator (the annotator column is its name).
        assert_eq!(got, vec![(&[0][..], Pref::Hi), (&[1][..], Pref::Lo)]);
    }
}
