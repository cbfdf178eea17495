//! Intransitive answers within one labeler's pair decisions on an item (A > B, B > C, C > A):
//! finding a cycle among the strict preferences. Pure; the labeling screen asks the weakest
//! pair of a cycle once more, stats counts items with one.

/// A cycle among `edges` (winner, loser) over candidates `0..n`, as the candidates in order
/// (each beats the next, the last beats the first); `None` when the preferences are acyclic.
pub fn find_cycle(n: usize, edges: &[(usize, usize)]) -> Option<Vec<usize>> {
    let mut next = vec![Vec::new(); n];
    for &(w, l) in edges {
        if w < n && l < n {
            next[w].push(l);
        }
    }
    // Depth-first search with colours: 0 unseen, 1 on the path, 2 done.
    let mut colour = vec![0u8; n];
    let mut path: Vec<usize> = Vec::new();
    fn visit(
        v: usize,
        next: &[Vec<usize>],
        colour: &mut [u8],
        path: &mut Vec<usize>,
    ) -> Option<Vec<usize>> {
        colour[v] = 1;
        path.push(v);
        for &u in &next[v] {
            if colour[u] == 1 {
                let at = path.iter().position(|&p| p == u).unwrap_or(0);
                return Some(path[at..].to_vec());
            }
            if colour[u] == 0
                && let Some(c) = visit(u, next, colour, path)
            {
                return Some(c);
            }
        }
        path.pop();
        colour[v] = 2;
        None
    }
    (0..n).find_map(|v| {
        if colour[v] == 0 {
            visit(v, &next, &mut colour, &mut path)
        } else {
            None
        }
    })
}

/// The pairs (winner, loser) along a cycle found by [`find_cycle`].
pub fn cycle_edges(cycle: &[usize]) -> Vec<(usize, usize)> {
    (0..cycle.len())
        .map(|i| (cycle[i], cycle[(i + 1) % cycle.len()]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_three_cycle_is_found_and_a_chain_is_not() {
        // 0 > 1, 1 > 2, 2 > 0.
        let c = find_cycle(3, &[(0, 1), (1, 2), (2, 0)]).unwrap();
        let mut sorted = c.clone();
        sorted.sort();
        assert_eq!(sorted, vec![0, 1, 2]);
        assert_eq!(cycle_edges(&c).len(), 3);
        assert!(cycle_edges(&c).contains(&(2, 0)));
        assert_eq!(find_cycle(3, &[(0, 1), (1, 2), (0, 2)]), None);
        // A cycle among four, beside a candidate outside it.
        let c = find_cycle(5, &[(4, 0), (0, 1), (1, 2), (2, 3), (3, 1)]).unwrap();
        let mut sorted = c.clone();
        sorted.sort();
        assert_eq!(sorted, vec![1, 2, 3]);
        assert_eq!(find_cycle(2, &[]), None);
    }
}
