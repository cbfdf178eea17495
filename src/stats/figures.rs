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

/// A small fast generator (SplitMix64) so the bootstrap gives the same intervals on every
/// machine and every run.
#[derive(Debug, Clone)]
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in 0..n (n > 0), by multiply-shift.
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
}

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
}
