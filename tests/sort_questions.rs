//! The figures of BENCHMARKS.md's "Fewer, better questions" section: questions per complete
//! ranking in sort mode against every pair and the information bound, and how close the
//! result is to the truth when the labeler errs on 10% of questions, sort against every pair
//! (Copeland). `cargo test --test sort_questions -- --nocapture --test-threads=1` prints the tables; the seed is
//! fixed and printed, so the figures are the same on every run.

use prefer::sort::{Answer, Sorter};

const SEED: u64 = 0x5EED_0016;
const TRIALS: usize = 10_000;
const ERROR: f64 = 0.10;

/// SplitMix64: small, known, and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn shuffle(&mut self, v: &mut [usize]) {
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

/// Every permutation of 0..k (Heap's algorithm).
fn each_permutation(k: usize, mut f: impl FnMut(&[usize])) {
    let mut a: Vec<usize> = (0..k).collect();
    let mut c = vec![0; k];
    f(&a);
    let mut i = 0;
    while i < k {
        if c[i] < i {
            if i % 2 == 0 {
                a.swap(0, i);
            } else {
                a.swap(c[i], i);
            }
            f(&a);
            c[i] += 1;
            i = 0;
        } else {
            c[i] = 0;
            i += 1;
        }
    }
}

/// Sorts candidates 0..k whose true rank is `rank[c]` (0 = best); `wrong()` says whether this
/// answer is a mistake. Returns (questions, ranking).
fn sort(rank: &[usize], mut wrong: impl FnMut() -> bool) -> (usize, Vec<Vec<usize>>) {
    let mut s = Sorter::new((0..rank.len()).collect());
    while let Some((a, b)) = s.question() {
        let better = if rank[a] < rank[b] { a } else { b };
        let worse = a + b - better;
        s.answer(Answer::Better(if wrong() { worse } else { better }));
    }
    (s.asked().len(), s.ranking().unwrap())
}

/// Every pair asked once, ranked by wins (Copeland; equal wins share a tier).
fn all_pairs(rank: &[usize], mut wrong: impl FnMut() -> bool) -> Vec<Vec<usize>> {
    let k = rank.len();
    let mut wins = vec![0usize; k];
    for a in 0..k {
        for b in a + 1..k {
            let better = if rank[a] < rank[b] { a } else { b };
            let w = if wrong() { a + b - better } else { better };
            wins[w] += 1;
        }
    }
    let mut by: Vec<usize> = (0..k).collect();
    by.sort_by_key(|&c| std::cmp::Reverse(wins[c]));
    let mut tiers: Vec<Vec<usize>> = Vec::new();
    for c in by {
        match tiers.last_mut() {
            Some(t) if wins[t[0]] == wins[c] => t.push(c),
            _ => tiers.push(vec![c]),
        }
    }
    tiers
}

/// Kendall's tau-b between the true order (no ties) and a ranking in tiers.
fn tau_b(rank: &[usize], tiers: &[Vec<usize>]) -> f64 {
    let k = rank.len();
    let mut place = vec![0usize; k];
    for (i, t) in tiers.iter().enumerate() {
        for &c in t {
            place[c] = i;
        }
    }
    let (mut conc, mut disc, mut tied) = (0i64, 0i64, 0i64);
    for a in 0..k {
        for b in a + 1..k {
            let truth = (rank[a] as i64 - rank[b] as i64).signum();
            let got = (place[a] as i64 - place[b] as i64).signum();
            match got {
                0 => tied += 1,
                g if g == truth => conc += 1,
                _ => disc += 1,
            }
        }
    }
    let n = (k * (k - 1) / 2) as f64;
    if tied as f64 == n {
        // Everything in one tier (a Copeland cycle): says nothing about the order.
        return 0.0;
    }
    (conc - disc) as f64 / (n * (n - tied as f64)).sqrt()
}

fn ceil_log2_factorial(k: usize) -> usize {
    let bits: f64 = (2..=k).map(|i| (i as f64).log2()).sum();
    bits.ceil() as usize
}

#[test]
fn questions_per_ranking_over_every_order() {
    println!("sort mode: questions per complete ranking, over all K! orders (exact)");
    println!("| K | orders | sort worst | sort mean | every pair K(K-1)/2 | ceil(log2 K!) |");
    println!("|---|---|---|---|---|---|");
    for k in 2..=9usize {
        let (mut worst, mut sum, mut n) = (0usize, 0usize, 0usize);
        each_permutation(k, |rank| {
            let (q, ranking) = sort(rank, || false);
            let got: Vec<usize> = ranking.into_iter().flatten().collect();
            assert!(got.windows(2).all(|w| rank[w[0]] < rank[w[1]]), "{rank:?}");
            worst = worst.max(q);
            sum += q;
            n += 1;
        });
        assert_eq!(worst, Sorter::worst_case(k));
        assert!(worst <= ceil_log2_factorial(k) + 2);
        println!(
            "| {k} | {n} | {worst} | {:.2} | {} | {} |",
            sum as f64 / n as f64,
            k * (k - 1) / 2,
            ceil_log2_factorial(k)
        );
    }
}

#[test]
fn accuracy_with_a_labeler_who_errs_on_one_question_in_ten() {
    println!(
        "a labeler wrong on {:.0}% of questions, {TRIALS} random true orders per K, seed {SEED:#x}",
        ERROR * 100.0
    );
    println!(
        "| K | sort: questions (mean) | sort: tau-b | every pair: questions | every pair (Copeland): tau-b |"
    );
    println!("|---|---|---|---|---|");
    let mut rng = Rng(SEED);
    for k in 2..=9usize {
        let (mut q_sort, mut t_sort, mut t_all) = (0usize, 0.0, 0.0);
        for _ in 0..TRIALS {
            let mut rank: Vec<usize> = (0..k).collect();
            rng.shuffle(&mut rank);
            let (q, r) = sort(&rank, || rng.unit() < ERROR);
            q_sort += q;
            t_sort += tau_b(&rank, &r);
            t_all += tau_b(&rank, &all_pairs(&rank, || rng.unit() < ERROR));
        }
        let n = TRIALS as f64;
        println!(
            "| {k} | {:.2} | {:.3} | {} | {:.3} |",
            q_sort as f64 / n,
            t_sort / n,
            k * (k - 1) / 2,
            t_all / n
        );
        // Both stay well above chance; neither is perfect with mistakes.
        assert!(t_sort / n > 0.5 && t_all / n > 0.5);
    }
}
