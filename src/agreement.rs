//! Agreement between annotators, as pure functions over plain values: raw agreement and
//! Cohen's kappa (pair tasks), Kendall's tau-b (rankings), Krippendorff's alpha with the
//! interval metric (ratings), pairwise order agreement of rankings, exact and within-one
//! agreement of ratings. Used by `prefer stats` and by `prefer agreement`.

use std::collections::BTreeMap;

/// Raw agreement and Cohen's kappa of two annotators over the same tasks.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Kappa {
    /// Number of shared tasks.
    pub n: usize,
    /// Share of tasks with the same label (p_o).
    pub raw: f64,
    /// (p_o - p_e) / (1 - p_e); `None` when chance agreement is already 1 (both annotators
    /// always gave one and the same label), where kappa is undefined.
    pub kappa: Option<f64>,
}

/// Cohen's kappa over pairs of labels `(annotator A's, annotator B's)`, one pair per task.
/// `None` for no tasks.
pub fn cohen_kappa<T: Ord>(pairs: &[(T, T)]) -> Option<Kappa> {
    if pairs.is_empty() {
        return None;
    }
    let n = pairs.len() as f64;
    let mut a: BTreeMap<&T, f64> = BTreeMap::new();
    let mut b: BTreeMap<&T, f64> = BTreeMap::new();
    let mut same = 0.0;
    for (x, y) in pairs {
        *a.entry(x).or_default() += 1.0;
        *b.entry(y).or_default() += 1.0;
        if x == y {
            same += 1.0;
        }
    }
    let po = same / n;
    let pe: f64 = a
        .iter()
        .map(|(k, ca)| ca / n * b.get(k).copied().unwrap_or(0.0) / n)
        .sum();
    let kappa = (pe < 1.0 - 1e-12).then(|| (po - pe) / (1.0 - pe));
    Some(Kappa {
        n: pairs.len(),
        raw: po,
        kappa,
    })
}

/// Kappa pooled over several pairs of annotators ("everyone"). Each `(x, y)` also counts as
/// `(y, x)`, so chance agreement comes from the pooled label distribution rather than from
/// whichever annotator happens to sort first in each pair; with two annotators per task this
/// is Fleiss' kappa. `None` for no tasks.
pub fn pooled_kappa<T: Ord>(pairs: &[(T, T)]) -> Option<Kappa> {
    if pairs.is_empty() {
        return None;
    }
    let n = pairs.len() as f64;
    let mut count: BTreeMap<&T, f64> = BTreeMap::new();
    let mut same = 0.0;
    for (x, y) in pairs {
        *count.entry(x).or_default() += 1.0;
        *count.entry(y).or_default() += 1.0;
        if x == y {
            same += 1.0;
        }
    }
    let po = same / n;
    let pe: f64 = count.values().map(|c| (c / (2.0 * n)).powi(2)).sum();
    let kappa = (pe < 1.0 - 1e-12).then(|| (po - pe) / (1.0 - pe));
    Some(Kappa {
        n: pairs.len(),
        raw: po,
        kappa,
    })
}

/// Kendall's tau-b of two rank vectors (equal values are ties; smaller or larger, only the
/// order matters). `None` with fewer than two items or when either side is all ties.
pub fn kendall_tau_b(x: &[f64], y: &[f64]) -> Option<f64> {
    assert_eq!(
        x.len(),
        y.len(),
        "kendall_tau_b needs two vectors of one length"
    );
    let (mut concordant, mut discordant, mut tied_x, mut tied_y, mut n0) =
        (0i64, 0i64, 0i64, 0i64, 0i64);
    for i in 0..x.len() {
        for j in i + 1..x.len() {
            n0 += 1;
            let sign = |a: f64, b: f64| i8::from(a > b) - i8::from(a < b);
            let (dx, dy) = (sign(x[i], x[j]), sign(y[i], y[j]));
            tied_x += i64::from(dx == 0);
            tied_y += i64::from(dy == 0);
            match dx * dy {
                1 => concordant += 1,
                -1 => discordant += 1,
                _ => {}
            }
        }
    }
    let denom = (((n0 - tied_x) * (n0 - tied_y)) as f64).sqrt();
    (denom > 0.0).then(|| (concordant - discordant) as f64 / denom)
}

/// Of the C(K,2) pairs of positions, how many two rank vectors order the same way:
/// `(agreeing, pairs)`. A tie is a verdict of its own: both tying a pair agrees, one tying
/// where the other orders disagrees (so ties are never silently dropped, unlike in tau-b).
pub fn order_agreement(x: &[f64], y: &[f64]) -> (usize, usize) {
    assert_eq!(
        x.len(),
        y.len(),
        "order_agreement needs two vectors of one length"
    );
    let sign = |a: f64, b: f64| i8::from(a > b) - i8::from(a < b);
    let (mut agree, mut pairs) = (0, 0);
    for i in 0..x.len() {
        for j in i + 1..x.len() {
            pairs += 1;
            agree += usize::from(sign(x[i], x[j]) == sign(y[i], y[j]));
        }
    }
    (agree, pairs)
}

/// How often two ratings of one candidate are equal, and at most one point apart.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct RatingMatch {
    /// Number of pairs of ratings compared.
    pub n: usize,
    /// Share of pairs with the same rating.
    pub exact: f64,
    /// Share of pairs at most one point apart.
    pub within_one: f64,
}

/// Exact and within-one agreement over pairs of ratings of the same candidate. `None` for no
/// pairs.
pub fn rating_match(pairs: &[(f64, f64)]) -> Option<RatingMatch> {
    if pairs.is_empty() {
        return None;
    }
    let n = pairs.len() as f64;
    let exact = pairs.iter().filter(|(a, b)| a == b).count() as f64;
    let within = pairs
        .iter()
        .filter(|(a, b)| (a - b).abs() <= 1.0 + 1e-9)
        .count() as f64;
    Some(RatingMatch {
        n: pairs.len(),
        exact: exact / n,
        within_one: within / n,
    })
}

/// Mean of the values, `None` when there are none.
pub fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// Position of each id in a ranking given as tiers (best first): the tier index, so that ids
/// in one tier tie. Ids not in the ranking are absent.
pub fn tier_ranks(tiers: &[Vec<String>]) -> BTreeMap<&str, f64> {
    tiers
        .iter()
        .enumerate()
        .flat_map(|(t, ids)| ids.iter().map(move |id| (id.as_str(), t as f64)))
        .collect()
}

/// Krippendorff's alpha with the interval metric. `units` holds, per unit (say, one candidate
/// of one item), the values the coders gave it; units with fewer than two values carry no
/// pairing information and are ignored. `None` when fewer than two values are pairable or
/// when every value is the same (expected disagreement is 0).
pub fn krippendorff_alpha_interval(units: &[Vec<f64>]) -> Option<f64> {
    let pairable = units.iter().filter(|u| u.len() >= 2);
    let (mut n, mut sum, mut sum_sq, mut observed) = (0.0, 0.0, 0.0, 0.0);
    for u in pairable {
        let m = u.len() as f64;
        let mut within = 0.0;
        for (i, a) in u.iter().enumerate() {
            for b in &u[i + 1..] {
                within += 2.0 * (a - b) * (a - b);
            }
            n += 1.0;
            sum += a;
            sum_sq += a * a;
        }
        observed += within / (m - 1.0);
    }
    if n < 2.0 {
        return None;
    }
    let d_o = observed / n;
    // Sum over ordered pairs i != j of (v_i - v_j)^2 = 2 (n * sum(v^2) - sum(v)^2).
    let d_e = 2.0 * (n * sum_sq - sum * sum) / (n * (n - 1.0));
    (d_e > 1e-12).then(|| 1.0 - d_o / d_e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-9, "{a} != {b}");
    }

    #[test]
    fn kappa_hand_computed() {
        // 10 tasks: (A,A) x4, (A,B) x2, (B,B) x3, (B,A) x1.
        // p_o = 7/10. Marginals: first A 6, B 4; second A 5, B 5.
        // p_e = 0.6*0.5 + 0.4*0.5 = 0.5; kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4.
        let mut pairs = Vec::new();
        pairs.extend(std::iter::repeat_n(("A", "A"), 4));
        pairs.extend(std::iter::repeat_n(("A", "B"), 2));
        pairs.extend(std::iter::repeat_n(("B", "B"), 3));
        pairs.push(("B", "A"));
        let k = cohen_kappa(&pairs).unwrap();
        assert_eq!(k.n, 10);
        close(k.raw, 0.7);
        close(k.kappa.unwrap(), 0.4);
    }

    #[test]
    fn kappa_edge_cases() {
        assert!(cohen_kappa::<&str>(&[]).is_none());
        // Both always say A: p_e = 1, kappa undefined, raw agreement 1.
        let k = cohen_kappa(&[("A", "A"), ("A", "A")]).unwrap();
        assert_eq!((k.raw, k.kappa), (1.0, None));
        // Perfect disagreement on two balanced labels: p_o = 0, p_e = 0.5, kappa = -1.
        let k = cohen_kappa(&[("A", "B"), ("B", "A")]).unwrap();
        close(k.kappa.unwrap(), -1.0);
    }

    #[test]
    fn pooled_kappa_hand_computed() {
        // The 10 tasks of kappa_hand_computed, each counted both ways round: p_o = 7/10.
        // Labels in both positions: A = 4*2 + 2 + 1 = 11, B = 2 + 3*2 + 1 = 9 of 20.
        // p_e = 0.55^2 + 0.45^2 = 0.505; kappa = (0.7 - 0.505) / 0.495 = 0.195 / 0.495 = 13/33.
        let mut pairs = Vec::new();
        pairs.extend(std::iter::repeat_n(("A", "A"), 4));
        pairs.extend(std::iter::repeat_n(("A", "B"), 2));
        pairs.extend(std::iter::repeat_n(("B", "B"), 3));
        pairs.push(("B", "A"));
        let k = pooled_kappa(&pairs).unwrap();
        assert_eq!(k.n, 10);
        close(k.raw, 0.7);
        close(k.kappa.unwrap(), 13.0 / 33.0);
        // Order within a pair does not matter for the pooled figure (it does for Cohen's).
        let flipped: Vec<_> = pairs.iter().map(|&(x, y)| (y, x)).collect();
        close(pooled_kappa(&flipped).unwrap().kappa.unwrap(), 13.0 / 33.0);
        assert!(pooled_kappa::<&str>(&[]).is_none());
        assert_eq!(pooled_kappa(&[("A", "A")]).unwrap().kappa, None);
    }

    #[test]
    fn order_agreement_hand_computed() {
        // [1,2,3,4] vs [1,3,2,4]: of 6 pairs only (2,3) is ordered differently -> 5 of 6.
        assert_eq!(
            order_agreement(&[1., 2., 3., 4.], &[1., 3., 2., 4.]),
            (5, 6)
        );
        // [1,1,2,3] vs [1,2,2,3]: (0,1) tied vs ordered and (1,2) ordered vs tied disagree;
        // the other 4 pairs agree -> 4 of 6.
        assert_eq!(
            order_agreement(&[1., 1., 2., 3.], &[1., 2., 2., 3.]),
            (4, 6)
        );
        // One ties the pair where the other puts the first above the second (and the other
        // way round): a disagreement either way, whichever side the order goes.
        assert_eq!(order_agreement(&[1., 1.], &[2., 1.]), (0, 1));
        assert_eq!(order_agreement(&[2., 1.], &[1., 1.]), (0, 1));
        // Both tie the only pair: 1 of 1 (tau-b is undefined here).
        assert_eq!(order_agreement(&[0., 0.], &[5., 5.]), (1, 1));
        assert_eq!(order_agreement(&[1.], &[1.]), (0, 0));
    }

    #[test]
    fn rating_match_hand_computed() {
        // (5,4) one apart, (3,3) equal, (1,3) two apart, (2,2) equal:
        // exact 2/4, within one 3/4.
        let m = rating_match(&[(5., 4.), (3., 3.), (1., 3.), (2., 2.)]).unwrap();
        assert_eq!(m.n, 4);
        close(m.exact, 0.5);
        close(m.within_one, 0.75);
        // Not half equal, and far apart in ratio but not in points: (5,5) and (4,4) equal,
        // (1,3) two apart -> exact 2/3, within one 2/3.
        let m = rating_match(&[(5., 5.), (4., 4.), (1., 3.)]).unwrap();
        close(m.exact, 2.0 / 3.0);
        close(m.within_one, 2.0 / 3.0);
        assert!(rating_match(&[]).is_none());
        assert_eq!(mean(&[]), None);
        assert_eq!(mean(&[1.0, 0.5]), Some(0.75));
    }

    #[test]
    fn tau_b_hand_computed() {
        // [1,2,3,4] vs [1,3,2,4]: of 6 pairs only (2,3) is discordant -> (5 - 1) / 6.
        close(
            kendall_tau_b(&[1., 2., 3., 4.], &[1., 3., 2., 4.]).unwrap(),
            4.0 / 6.0,
        );
        // [1,1,2,3] vs [1,2,2,3]: 4 concordant, 0 discordant, one pair tied in x only and
        // one in y only: 4 / sqrt((6-1) * (6-1)) = 0.8.
        close(
            kendall_tau_b(&[1., 1., 2., 3.], &[1., 2., 2., 3.]).unwrap(),
            0.8,
        );
        // Reversed: -1.
        close(kendall_tau_b(&[1., 2., 3.], &[3., 2., 1.]).unwrap(), -1.0);
        assert_eq!(kendall_tau_b(&[1., 1.], &[1., 2.]), None);
    }

    #[test]
    fn tiers_become_ranks() {
        let t = vec![vec!["c2".to_string()], vec!["c0".into(), "c3".into()]];
        let r = tier_ranks(&t);
        assert_eq!(r["c2"], 0.0);
        assert_eq!(r["c0"], r["c3"]);
        assert!(!r.contains_key("c1"));
    }

    #[test]
    fn alpha_interval_hand_computed() {
        // Units (1,2), (3,3), (4,5), 6 pairable values.
        // D_o = (2*1 + 0 + 2*1) / 6 = 2/3 (each unit: sum over ordered pairs / (m-1)).
        // Pooled: sum 18, sum of squares 64 -> sum over ordered pairs 2*(6*64 - 18^2) = 120;
        // D_e = 120 / (6*5) = 4. alpha = 1 - (2/3) / 4 = 5/6.
        let units = vec![vec![1., 2.], vec![3., 3.], vec![4., 5.], vec![9.]];
        close(krippendorff_alpha_interval(&units).unwrap(), 5.0 / 6.0);
        // Perfect agreement: 1.
        close(
            krippendorff_alpha_interval(&[vec![1., 1.], vec![4., 4.]]).unwrap(),
            1.0,
        );
        assert_eq!(krippendorff_alpha_interval(&[vec![3., 3.]]), None);
        // A unit of three values: (1,2,3) sums 12 over its ordered pairs, over m - 1 = 2 -> 6;
        // (5,5) 0. D_o = 6 / 5 = 1.2. Pooled 1,2,3,5,5: sum 16, squares 64 -> 2*(5*64 - 256)
        // = 128 over 5*4 -> D_e = 6.4. alpha = 1 - 1.2 / 6.4 = 0.8125.
        close(
            krippendorff_alpha_interval(&[vec![1., 2., 3.], vec![5., 5.]]).unwrap(),
            0.8125,
        );
        // Two values in all, apart: D_o = D_e = 1, alpha 0 (defined: two values pair).
        close(krippendorff_alpha_interval(&[vec![1., 2.]]).unwrap(), 0.0);
    }
}
