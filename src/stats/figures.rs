//! The numerical pieces of the stats report, pure and deterministic: an exact binomial test,
//! percentiles, and Bradley-Terry strengths with bootstrap intervals from a fixed seed.

/// Two-sided exact binomial test of `k` successes in `n` trials against p = 1/2: the
/// probability of an outcome at least as far from n/2 as `k`. 1.0 for `n` = 0.
pub fn binomial_two_sided(k: u64, n: u64) -> f64 {
    // With k = n/2 both tails meet in the middle term: nothing is more central, p is 1.
    if n == 0 || 2 * k == n {
        return 1.0;
    }
    let tail = k.min(n - k);
    // Sum of C(n, i) / 2^n for i <= tail, in log space so that n can be in the millions.
    let mut log_pmf = -(n as f64) * std::f64::consts::LN_2;
    let mut terms = Vec::with_capacity(tail as usize + 1);
    for i in 0..=tail {
        terms.push(log_pmf);
        log_pmf += ((n - i) as f64).ln() - ((i + 1) as f64).ln();
    }
    let max = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let sum: f64 = terms.iter().map(|t| (t - max).exp()).sum();
    let one_tail = max.exp() * sum;
    (2.0 * one_tail).min(1.0)
}

/// The `q` quantile (0..=1) of sorted values, interpolating linearly between order
/// statistics (R's type 7, numpy's default). `None` for no values.
pub fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let h = (sorted.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

pub use crate::rng::SplitMix64;

/// Seed of the bootstrap: results are reproducible.
pub const BOOTSTRAP_SEED: u64 = 0x5EED_0FB7;
/// Resamples per bootstrap.
pub const BOOTSTRAP_ROUNDS: usize = 200;
/// Virtual wins given each way to every two models that met, so that a model that won every
/// game has a finite strength.
pub const BT_PRIOR: f64 = 0.5;

/// Bradley-Terry strengths (natural log scale, mean 0) of `models` models from games
/// `(winner, loser)`, fitted with Hunter's MM algorithm.
pub fn bradley_terry(models: usize, games: &[(usize, usize)]) -> Vec<f64> {
    let mut wins = vec![vec![0.0f64; models]; models];
    for &(w, l) in games {
        wins[w][l] += 1.0;
    }
    let raw = wins.clone();
    for (i, row) in wins.iter_mut().enumerate() {
        for (j, w) in row.iter_mut().enumerate() {
            if i != j && raw[i][j] + raw[j][i] > 0.0 {
                *w += BT_PRIOR;
            }
        }
    }
    let mut p = vec![1.0f64; models];
    for _ in 0..10_000 {
        let mut next = p.clone();
        let mut change = 0.0f64;
        for i in 0..models {
            let w: f64 = wins[i].iter().sum();
            let denom: f64 = (0..models)
                .filter(|&j| j != i)
                .map(|j| (wins[i][j] + wins[j][i]) / (p[i] + p[j]))
                .sum();
            if denom > 0.0 && w > 0.0 {
                next[i] = w / denom;
            }
        }
        // Fix the scale: geometric mean 1.
        let mean_log = next.iter().map(|x| x.ln()).sum::<f64>() / models as f64;
        for (x, old) in next.iter_mut().zip(&p) {
            *x /= mean_log.exp();
            change = change.max((*x - old).abs());
        }
        p = next;
        if change < 1e-10 {
            break;
        }
    }
    p.iter().map(|x| x.ln()).collect()
}

/// 95% bootstrap intervals (2.5th and 97.5th percentiles) of the Bradley-Terry strengths,
/// resampling games with replacement.
pub fn bootstrap_bt(models: usize, games: &[(usize, usize)]) -> Vec<(f64, f64)> {
    let mut rng = SplitMix64(BOOTSTRAP_SEED);
    let mut samples = vec![Vec::with_capacity(BOOTSTRAP_ROUNDS); models];
    let mut resample = Vec::with_capacity(games.len());
    for _ in 0..BOOTSTRAP_ROUNDS {
        resample.clear();
        resample.extend((0..games.len()).map(|_| games[rng.below(games.len())]));
        for (m, s) in bradley_terry(models, &resample).into_iter().enumerate() {
            samples[m].push(s);
        }
    }
    samples
        .into_iter()
        .map(|mut s| {
            s.sort_by(f64::total_cmp);
            (
                quantile(&s, 0.025).unwrap_or(0.0),
                quantile(&s, 0.975).unwrap_or(0.0),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, eps: f64) {
        assert!((a - b).abs() < eps, "{a} != {b}");
    }

    #[test]
    fn binomial_hand_computed() {
        // n = 10, k = 9: P(X <= 1) = (1 + 10) / 1024, two-sided 22 / 1024.
        close(binomial_two_sided(9, 10), 22.0 / 1024.0, 1e-12);
        close(binomial_two_sided(1, 10), 22.0 / 1024.0, 1e-12);
        // n = 20, k = 17: P(X <= 3) = (1 + 20 + 190 + 1140) / 2^20, doubled.
        close(binomial_two_sided(17, 20), 2702.0 / 1_048_576.0, 1e-12);
        // k = n - 2 and k = 0: P(X <= 2) = (1 + 10 + 45) / 1024, P(X <= 0) = 1 / 1024, doubled.
        close(binomial_two_sided(8, 10), 112.0 / 1024.0, 1e-12);
        close(binomial_two_sided(0, 10), 2.0 / 1024.0, 1e-12);
        assert_eq!(binomial_two_sided(5, 10), 1.0);
        assert_eq!(binomial_two_sided(0, 0), 1.0);
        // n = 1: either outcome has p = 1.
        assert_eq!(binomial_two_sided(1, 1), 1.0);
        // Large n stays finite: 600,000 of 1,000,000 is overwhelming evidence.
        assert!(binomial_two_sided(600_000, 1_000_000) < 1e-100);
    }

    #[test]
    fn quantiles_interpolate() {
        // [1,2,3,4]: median at h = 1.5 -> 2.5; p10 at h = 0.3 -> 1.3; p90 at h = 2.7 -> 3.7.
        let v = [1.0, 2.0, 3.0, 4.0];
        close(quantile(&v, 0.5).unwrap(), 2.5, 1e-12);
        close(quantile(&v, 0.1).unwrap(), 1.3, 1e-12);
        close(quantile(&v, 0.9).unwrap(), 3.7, 1e-12);
        assert_eq!(quantile(&[], 0.5), None);
    }

    #[test]
    fn bradley_terry_two_models_hand_computed() {
        // A beat B 3 times, B beat A once; with 0.5 virtual wins each way: 3.5 vs 1.5.
        // For two models the MLE has p_A / p_B = 3.5 / 1.5, so on a log scale centred at 0:
        // A = ln(7/3) / 2 = 0.42365, B = -0.42365.
        let games = [(0, 1), (0, 1), (0, 1), (1, 0)];
        let s = bradley_terry(2, &games);
        close(s[0], (7.0f64 / 3.0).ln() / 2.0, 1e-6);
        close(s[1], -(7.0f64 / 3.0).ln() / 2.0, 1e-6);
    }

    #[test]
    fn bootstrap_is_deterministic_and_brackets_the_estimate() {
        // 90 games, A wins 60: a resample where A wins half or fewer has probability ~0.1%,
        // so the whole 95% interval is above 0.
        let games: Vec<(usize, usize)> = (0..90)
            .map(|i| if i % 3 == 0 { (1, 0) } else { (0, 1) })
            .collect();
        let a = bootstrap_bt(2, &games);
        assert_eq!(a, bootstrap_bt(2, &games));
        let s = bradley_terry(2, &games);
        assert!(a[0].0 <= s[0] && s[0] <= a[0].1, "{a:?} {s:?}");
        assert!(
            a[0].0 > 0.0,
            "A won 2 of 3 games: its interval is above 0, {a:?}"
        );
    }

    /// An independent fit: Newton's method on the log-likelihood of the strengths θ (the
    /// first held at 0), with the prior's virtual wins counted both ways for every pair that
    /// met, then centred to mean 0.
    fn newton_fit(models: usize, games: &[(usize, usize)]) -> Vec<f64> {
        let mut w = vec![vec![0.0f64; models]; models];
        for &(a, b) in games {
            w[a][b] += 1.0;
        }
        let met: Vec<Vec<bool>> = (0..models)
            .map(|i| (0..models).map(|j| w[i][j] + w[j][i] > 0.0).collect())
            .collect();
        for i in 0..models {
            for j in 0..models {
                if met[i][j] {
                    w[i][j] += BT_PRIOR;
                }
            }
        }
        let mut th = vec![0.0f64; models];
        for _ in 0..100 {
            // Gradient and Hessian of sum w_ij ln σ(θi - θj), over θ1.. (θ0 = 0).
            let m = models - 1;
            let mut g = vec![0.0f64; m];
            let mut h = vec![vec![0.0f64; m]; m];
            for i in 0..models {
                for j in 0..models {
                    if i == j || !met[i][j] {
                        continue;
                    }
                    let p = 1.0 / (1.0 + (th[j] - th[i]).exp());
                    let n = w[i][j] + w[j][i];
                    if i > 0 {
                        // d/dθi: w_ij - n_ij p_ij; second derivatives from p' = p(1 - p).
                        g[i - 1] += w[i][j] - n * p;
                        h[i - 1][i - 1] -= n * p * (1.0 - p);
                        if j > 0 {
                            h[i - 1][j - 1] += n * p * (1.0 - p);
                        }
                    }
                }
            }
            // Solve h · step = -g by Gaussian elimination.
            let mut a: Vec<Vec<f64>> = h
                .iter()
                .zip(&g)
                .map(|(row, gi)| row.iter().copied().chain([-gi]).collect())
                .collect();
            for c in 0..m {
                let piv = (c..m)
                    .max_by(|&x, &y| a[x][c].abs().total_cmp(&a[y][c].abs()))
                    .unwrap();
                a.swap(c, piv);
                let pivot = a[c].clone();
                for (r, row) in a.iter_mut().enumerate() {
                    if r != c {
                        let f = row[c] / pivot[c];
                        for (x, p) in row.iter_mut().zip(&pivot).skip(c) {
                            *x -= f * p;
                        }
                    }
                }
            }
            let mut biggest = 0.0f64;
            for i in 0..m {
                let step = a[i][m] / a[i][i];
                th[i + 1] += step;
                biggest = biggest.max(step.abs());
            }
            if biggest < 1e-13 {
                break;
            }
        }
        let mean = th.iter().sum::<f64>() / models as f64;
        th.iter().map(|t| t - mean).collect()
    }

    /// Four models; m3 lost every game it played against m0 and m1, and m0 beat m2 every time:
    /// one-sided pairs are where the prior matters (on the loser's side it keeps a strength
    /// finite). m1 and m2 never met.
    fn four_models() -> Vec<(usize, usize)> {
        let mut g = Vec::new();
        let mut add = |w: usize, l: usize, n: usize| g.extend(std::iter::repeat_n((w, l), n));
        add(0, 1, 6);
        add(1, 0, 4);
        add(0, 2, 5);
        add(2, 3, 3);
        add(3, 2, 2);
        add(0, 3, 4);
        add(1, 3, 7);
        g
    }

    #[test]
    fn bradley_terry_three_or_more_models_match_an_independent_fit() {
        let games = four_models();
        let got = bradley_terry(4, &games);
        let want = newton_fit(4, &games);
        for (g, w) in got.iter().zip(&want) {
            close(*g, *w, 1e-6);
        }
        // Three models in a cycle with unequal records.
        let mut games = Vec::new();
        games.extend(std::iter::repeat_n((0, 1), 3));
        games.extend(std::iter::repeat_n((1, 2), 5));
        games.extend(std::iter::repeat_n((2, 0), 2));
        games.push((1, 0));
        let got = bradley_terry(3, &games);
        let want = newton_fit(3, &games);
        for (g, w) in got.iter().zip(&want) {
            close(*g, *w, 1e-6);
        }
    }

    #[test]
    fn bootstrap_intervals_of_several_models_match_an_independent_fit() {
        // The same resamples (the documented seed and draw), each fitted by Newton's method,
        // the 2.5% and 97.5% points taken by hand (type 7: linear between order statistics).
        let games = four_models();
        let got = bootstrap_bt(4, &games);
        let mut rng = SplitMix64(BOOTSTRAP_SEED);
        let mut fits: Vec<Vec<f64>> = vec![Vec::new(); 4];
        for _ in 0..BOOTSTRAP_ROUNDS {
            let sample: Vec<_> = (0..games.len())
                .map(|_| games[rng.below(games.len())])
                .collect();
            for (m, s) in newton_fit(4, &sample).into_iter().enumerate() {
                fits[m].push(s);
            }
        }
        for (m, mut f) in fits.into_iter().enumerate() {
            f.sort_by(f64::total_cmp);
            let at = |q: f64| {
                let h = (f.len() - 1) as f64 * q;
                let lo = h.floor() as usize;
                f[lo] + (h - lo as f64) * (f[(lo + 1).min(f.len() - 1)] - f[lo])
            };
            close(got[m].0, at(0.025), 1e-6);
            close(got[m].1, at(0.975), 1e-6);
            assert!(got[m].0 < got[m].1, "model {m}: {:?}", got[m]);
        }
        // m0 won 15 of its 19 games, m3 2 of 16: their intervals do not overlap.
        assert!(got[0].0 > got[3].1, "{got:?}");
    }
}
