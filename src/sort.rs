//! Sort mode's question order: binary insertion of an item's candidates into a ranking, one
//! pair question at a time, with ties (the two share a place) and "both bad" (both go below
//! every other candidate, in one last tier).
//!
//! Binary insertion asks at most sum over k = 1..K-1 of ceil(log2(k+1)) questions: 5 for 4
//! candidates, 17 for 8, 21 for 9 (against K(K-1)/2 = 6, 28, 36 for every pair). Ford-Johnson
//! merge-insertion saves one or two more for K >= 5 (16 for 8, 19 for 9), but its questions
//! depend on pairings made up front, which makes ties, both-bad answers, undo and resume far
//! harder to follow; binary insertion keeps the state a plain list of tiers, rebuilt at any
//! time by replaying the answers (see [`Sorter::replay`]).
//!
//! Pure: candidates are plain indices; the caller maps them to ids and to the screen.

/// What the labeler said about a question's two candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// This candidate (one of the two) is better.
    Better(usize),
    /// Equally good: the two share a place.
    Tie,
    /// Both bad: both go below every other candidate, in one tier.
    BothBad,
}

/// The ranking being built by binary insertion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sorter {
    /// The candidates in the order they are inserted.
    order: Vec<usize>,
    /// How many of `order` are placed (the next to insert is `order[next]`).
    next: usize,
    /// The good tiers, best first; each a group of equals.
    tiers: Vec<Vec<usize>>,
    /// Candidates judged "both bad": one tier below every good one.
    bad: Vec<usize>,
    /// The binary search's window over `tiers` for `order[next]`: it belongs in `lo..=hi`
    /// (at `hi`, a new tier below the ones before).
    lo: usize,
    hi: usize,
    /// The questions answered, in order: (new candidate, the one it was compared with, answer).
    asked: Vec<(usize, usize, Answer)>,
}

/// ceil(log2(n)) for n >= 1: the questions a binary search over n places needs at most.
fn ceil_log2(n: usize) -> usize {
    if n <= 1 {
        0
    } else {
        (usize::BITS - (n - 1).leading_zeros()) as usize
    }
}

impl Sorter {
    /// A sort of the candidates in `order` (inserted in that order).
    pub fn new(order: Vec<usize>) -> Self {
        let mut s = Sorter {
            order,
            next: 0,
            tiers: Vec::new(),
            bad: Vec::new(),
            lo: 0,
            hi: 0,
            asked: Vec::new(),
        };
        s.settle();
        s
    }

    /// Replays answers given earlier: `known(a, b)` is the recorded answer about the pair, if
    /// there is one. Stops at the first question without an answer (the one to ask now).
    pub fn replay(
        order: Vec<usize>,
        mut known: impl FnMut(usize, usize) -> Option<Answer>,
    ) -> Self {
        let mut s = Sorter::new(order);
        while let Some((a, b)) = s.question() {
            match known(a, b) {
                Some(ans) => s.answer(ans),
                None => break,
            }
        }
        s
    }

    /// Places candidates that need no question: the first one, or one that comes when every
    /// candidate placed so far is "both bad".
    fn settle(&mut self) {
        while self.next < self.order.len() && self.tiers.is_empty() {
            self.tiers.push(vec![self.order[self.next]]);
            self.next += 1;
        }
        self.lo = 0;
        self.hi = self.tiers.len();
    }

    /// The question to ask now: (the candidate being inserted, the one it is compared with),
    /// or `None` when the ranking is complete.
    pub fn question(&self) -> Option<(usize, usize)> {
        if self.next >= self.order.len() {
            return None;
        }
        let mid = (self.lo + self.hi) / 2;
        Some((self.order[self.next], self.tiers[mid][0]))
    }

    /// Takes the answer to [`Sorter::question`]. An answer naming neither candidate is
    /// ignored.
    pub fn answer(&mut self, ans: Answer) {
        let Some((x, y)) = self.question() else {
            return;
        };
        let mid = (self.lo + self.hi) / 2;
        match ans {
            Answer::Better(w) if w == x => self.hi = mid,
            Answer::Better(w) if w == y => self.lo = mid + 1,
            Answer::Better(_) => return,
            Answer::Tie => {
                self.tiers[mid].push(x);
                self.lo = mid;
                self.hi = mid;
                self.asked.push((x, y, ans));
                self.done_with(None);
                return;
            }
            Answer::BothBad => {
                // The compared one's tier are its equals: they go down with it.
                let tier = self.tiers.remove(mid);
                self.bad.extend(tier);
                self.bad.push(x);
                self.asked.push((x, y, ans));
                self.done_with(None);
                return;
            }
        }
        self.asked.push((x, y, ans));
        if self.lo >= self.hi {
            let at = self.lo;
            self.done_with(Some(at));
        }
    }

    /// The candidate being inserted has its place: a new tier at `at`, or (None) it is already
    /// in a tier.
    fn done_with(&mut self, at: Option<usize>) {
        if let Some(at) = at {
            self.tiers.insert(at, vec![self.order[self.next]]);
        }
        self.next += 1;
        self.settle();
    }

    pub fn is_complete(&self) -> bool {
        self.next >= self.order.len()
    }

    /// The questions answered so far, in order.
    pub fn asked(&self) -> &[(usize, usize, Answer)] {
        &self.asked
    }

    /// The ranking, best first (a tier of several is a tie), once complete.
    pub fn ranking(&self) -> Option<Vec<Vec<usize>>> {
        self.is_complete().then(|| self.tiers_now())
    }

    /// The tiers as they stand (candidates not yet inserted left out).
    pub fn tiers_now(&self) -> Vec<Vec<usize>> {
        let mut r = self.tiers.clone();
        if !self.bad.is_empty() {
            r.push(self.bad.clone());
        }
        r
    }

    /// The most questions the whole sort can take from here, counting those answered: the
    /// figure in "question 3 of at most 17".
    pub fn at_most(&self) -> usize {
        if self.is_complete() {
            return self.asked.len();
        }
        let now = ceil_log2(self.hi - self.lo + 1);
        let placed = self.tiers.len();
        let later: usize = (1..self.order.len() - self.next)
            .map(|k| ceil_log2(placed + k + 1))
            .sum();
        self.asked.len() + now + later
    }

    /// The most questions a sort of `k` candidates takes (no ties, no both-bad).
    pub fn worst_case(k: usize) -> usize {
        (1..k).map(|i| ceil_log2(i + 1)).sum()
    }
}

/// The inferred pairs of a complete sort to ask again (`verify = share` in a task file), as
/// (better by the ranking, worse): of the pairs in different tiers that were not asked,
/// `share` of them (rounded to the nearest whole number), those with the smallest `seed` (a
/// stable hash of the pair, so the choice is the same every time the sort is replayed),
/// in that order.
pub fn verify_pairs(
    ranking: &[Vec<usize>],
    asked: &[(usize, usize, Answer)],
    share: f64,
    seed: impl Fn(usize, usize) -> u64,
) -> Vec<(usize, usize)> {
    let was_asked = |a: usize, b: usize| {
        asked
            .iter()
            .any(|&(x, y, _)| (x, y) == (a, b) || (x, y) == (b, a))
    };
    let mut inferred: Vec<(u64, usize, usize)> = Vec::new();
    for (i, tier) in ranking.iter().enumerate() {
        for &better in tier {
            for &worse in ranking[i + 1..].iter().flatten() {
                if !was_asked(better, worse) {
                    inferred.push((seed(better.min(worse), better.max(worse)), better, worse));
                }
            }
        }
    }
    let count = (share.clamp(0.0, 1.0) * inferred.len() as f64).round() as usize;
    inferred.sort_unstable();
    inferred
        .into_iter()
        .take(count)
        .map(|(_, b, w)| (b, w))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_picks_a_share_of_the_inferred_pairs_by_their_seed() {
        // Four candidates sorted 2 > 0 > 3 > 1 by the questions (0,1), (2,0), (3,0), (3,1):
        // inferred are 2 > 3 and 2 > 1 (and nothing else of the C(4,2) = 6 pairs).
        let ranking = vec![vec![2], vec![0], vec![3], vec![1]];
        let asked = [
            (0, 1, Answer::Better(0)),
            (2, 0, Answer::Better(2)),
            (3, 0, Answer::Better(0)),
            (3, 1, Answer::Better(3)),
        ];
        // Seeds: the pair (1, 2) is smaller than (2, 3).
        let seed = |a: usize, b: usize| (10 * a + b) as u64;
        assert_eq!(verify_pairs(&ranking, &asked, 1.0, seed), [(2, 1), (2, 3)]);
        // Half of 2: one, the smaller seed; 0.2 of 2 rounds to none.
        assert_eq!(verify_pairs(&ranking, &asked, 0.5, seed), [(2, 1)]);
        assert!(verify_pairs(&ranking, &asked, 0.2, seed).is_empty());
        // Another seed picks the other pair: the choice follows the seed, not the order.
        let flipped = |a: usize, b: usize| 100 - (10 * a + b) as u64;
        assert_eq!(verify_pairs(&ranking, &asked, 0.5, flipped), [(2, 3)]);
        // Tied candidates (one tier) are never a pair to check.
        let tied = vec![vec![0, 1], vec![2]];
        let asked = [(1, 0, Answer::Tie), (2, 0, Answer::Better(0))];
        assert_eq!(verify_pairs(&tied, &asked, 1.0, seed), [(1, 2)]);
    }

    /// Answers by a true order (smaller value = better).
    fn by_rank(rank: &[usize]) -> impl Fn(usize, usize) -> Answer + '_ {
        move |a, b| Answer::Better(if rank[a] < rank[b] { a } else { b })
    }

    fn run(order: Vec<usize>, judge: impl Fn(usize, usize) -> Answer) -> Sorter {
        let mut s = Sorter::new(order);
        while let Some((a, b)) = s.question() {
            s.answer(judge(a, b));
        }
        s
    }

    #[test]
    fn insertion_asks_against_the_middle_and_finds_the_order() {
        // True order: 2 > 0 > 3 > 1. Worked by hand:
        // insert 1 into [0]: 1 vs 0 -> 0 better -> [0],[1]
        // insert 2 into [0],[1]: window 0..=2, mid 1: 2 vs 1 -> 2; window 0..=1, mid 0: 2 vs 0
        //   -> 2 -> [2],[0],[1]
        // insert 3: window 0..=3, mid 1: 3 vs 0 -> 0; window 2..=3, mid 2: 3 vs 1 -> 3
        //   -> [2],[0],[3],[1]
        let rank = [1, 3, 0, 2];
        let s = run(vec![0, 1, 2, 3], by_rank(&rank));
        let asked: Vec<(usize, usize)> = s.asked().iter().map(|&(a, b, _)| (a, b)).collect();
        assert_eq!(asked, vec![(1, 0), (2, 1), (2, 0), (3, 0), (3, 1)]);
        assert_eq!(s.ranking(), Some(vec![vec![2], vec![0], vec![3], vec![1]]));
        assert_eq!(s.at_most(), 5);
    }

    #[test]
    fn the_bound_is_known_before_the_first_question() {
        assert_eq!(Sorter::new((0..8).collect()).at_most(), 17);
        assert_eq!(Sorter::new((0..4).collect()).at_most(), 5);
        assert_eq!(Sorter::new((0..9).collect()).at_most(), 21);
        assert_eq!(Sorter::new(vec![0]).at_most(), 0);
        assert_eq!(Sorter::new(vec![0]).ranking(), Some(vec![vec![0]]));
        for k in 1..10 {
            assert_eq!(
                Sorter::new((0..k).collect()).at_most(),
                Sorter::worst_case(k)
            );
        }
    }

    #[test]
    fn a_tie_puts_the_new_candidate_in_the_tier_and_ends_its_search() {
        // [0],[1] placed (0 better); 2 vs 1 -> tie: 2 joins 1's tier at once.
        let mut s = Sorter::new(vec![0, 1, 2]);
        s.answer(Answer::Better(0));
        assert_eq!(s.question(), Some((2, 1)));
        s.answer(Answer::Tie);
        assert_eq!(s.ranking(), Some(vec![vec![0], vec![1, 2]]));
        assert_eq!(s.asked().len(), 2);
    }

    #[test]
    fn both_bad_sends_both_below_every_other_in_one_tier() {
        // 0 vs 1: both bad -> no good tier left, so 2 is placed without a question; then 3 is
        // compared with 2 only, and the bad ones stay last.
        let mut s = Sorter::new(vec![0, 1, 2, 3]);
        assert_eq!(s.question(), Some((1, 0)));
        s.answer(Answer::BothBad);
        assert_eq!(s.question(), Some((3, 2)));
        s.answer(Answer::Better(3));
        assert_eq!(s.ranking(), Some(vec![vec![3], vec![2], vec![0, 1]]));
        // A second both-bad joins the same last tier.
        let mut s = Sorter::new(vec![0, 1, 2]);
        s.answer(Answer::Better(0));
        s.answer(Answer::BothBad); // 2 vs 1
        assert_eq!(s.ranking(), Some(vec![vec![0], vec![1, 2]]));
    }

    #[test]
    fn replay_stops_at_the_first_unanswered_question() {
        let rank = [1, 3, 0, 2];
        let full = run(vec![0, 1, 2, 3], by_rank(&rank));
        let known: Vec<(usize, usize, Answer)> = full.asked()[..3].to_vec();
        let s = Sorter::replay(vec![0, 1, 2, 3], |a, b| {
            known
                .iter()
                .find(|&&(x, y, _)| (x, y) == (a, b) || (x, y) == (b, a))
                .map(|&(_, _, ans)| ans)
        });
        assert_eq!(s.asked().len(), 3);
        assert_eq!(s.question(), Some((3, 0)));
        assert!(!s.is_complete());
    }

    #[test]
    fn every_order_of_up_to_seven_is_sorted_within_the_bound() {
        fn perms(k: usize) -> Vec<Vec<usize>> {
            if k == 0 {
                return vec![vec![]];
            }
            let mut out = Vec::new();
            for p in perms(k - 1) {
                for i in 0..=p.len() {
                    let mut q = p.clone();
                    q.insert(i, k - 1);
                    out.push(q);
                }
            }
            out
        }
        for k in 1..=7 {
            for rank in perms(k) {
                let s = run((0..k).collect(), by_rank(&rank));
                assert!(s.asked().len() <= Sorter::worst_case(k));
                let got: Vec<usize> = s.ranking().unwrap().into_iter().flatten().collect();
                let mut want: Vec<usize> = (0..k).collect();
                want.sort_by_key(|&c| rank[c]);
                assert_eq!(got, want);
            }
        }
    }
}
