//! Gold items: items whose expected answer the team lead knows, named in a task file's `gold =
//! "gold.jsonl"` or in an item's own `gold` field. A gold answer is the better candidate of a
//! pair (`choice`, also `"tie"` or `"both_bad"`), the best candidate (`best`), or a whole
//! ranking (`ranking`), with an optional `reason`. Any decision on a gold item (pair, ranking or
//! ratings) is checked against it pair by pair: it is right when every pair of candidates both
//! speak about comes out as expected. Pure, but for reading the file.

use std::collections::HashMap;
use std::path::Path;

use serde_json::{Map, Value};

use crate::format::Item;
use crate::judged::{PairOptions, Pref, judged_pairs};
use crate::labels::{Event, TaskKind};

/// What a gold line or field says is the right answer, as written (candidate ids).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// This candidate is better than every other one.
    Best(String),
    /// A two-candidate item's pair is a tie, or both answers are bad.
    Tie,
    BothBad,
    /// Best first, tiers of equally good candidates.
    Ranking(Vec<Vec<String>>),
}

/// A gold answer as written, with where it was written (for messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gold {
    pub expected: Expected,
    pub reason: Option<String>,
    /// `file:line` of the gold line (or of the item with a `gold` field).
    pub place: String,
    /// The field messages name: `best`, `gold.ranking`, ...
    pub field: String,
}

/// A gold answer resolved against its item: the expected outcome of each pair it speaks about.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// (lo, hi, outcome), candidate indices with lo < hi, sorted.
    pub pairs: Vec<(u32, u32, Pref)>,
    pub expected: Expected,
    pub reason: Option<String>,
}

impl Answer {
    /// Whether a decision on the item matches: `None` when it speaks about none of the pairs
    /// the gold answer knows (a pair without the best candidate, say).
    pub fn judge(&self, item: &Item, ev: &Event) -> Option<bool> {
        let said = outcomes(item, ev);
        let mut any = false;
        for (lo, hi, o) in said {
            if let Ok(k) = self.pairs.binary_search_by_key(&(lo, hi), |p| (p.0, p.1)) {
                any = true;
                if self.pairs[k].2 != o {
                    return Some(false);
                }
            }
        }
        any.then_some(true)
    }

    /// The expected answer in words, by candidate id.
    pub fn describe(&self) -> String {
        match &self.expected {
            Expected::Best(b) => format!("{b} is the best answer"),
            Expected::Tie => "the two answers are equally good (tie)".into(),
            Expected::BothBad => "both answers are bad".into(),
            Expected::Ranking(t) => t
                .iter()
                .map(|tier| tier.join(" = "))
                .collect::<Vec<_>>()
                .join(" > "),
        }
    }
}

/// The gold answers of a candidate file, by item position.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GoldItems {
    pub by_item: HashMap<usize, Answer>,
}

impl GoldItems {
    pub fn is_empty(&self) -> bool {
        self.by_item.is_empty()
    }

    pub fn len(&self) -> usize {
        self.by_item.len()
    }

    pub fn get(&self, item: usize) -> Option<&Answer> {
        self.by_item.get(&item)
    }

    pub fn contains(&self, item: usize) -> bool {
        self.by_item.contains_key(&item)
    }
}

/// A problem with a gold answer: where (`file:line`), which field, what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{place}: {message}")]
pub struct GoldError {
    pub place: String,
    pub message: String,
}

fn err(place: &str, message: String) -> GoldError {
    GoldError {
        place: place.to_string(),
        message,
    }
}

/// Reads a gold file (JSON Lines: `{"item": ID, "best" | "choice" | "ranking": ..., "reason":
/// ...}`); candidate ids are checked later, against the items ([`resolve`]).
pub fn read_file(path: &Path) -> Result<Vec<(String, Gold)>, GoldError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        err(
            &name,
            format!("cannot read the gold file: {e} - the path is relative to the task file"),
        )
    })?;
    parse_lines(&text, &name)
}

/// [`read_file`] on text already read; `name` is used in messages.
pub fn parse_lines(text: &str, name: &str) -> Result<Vec<(String, Gold)>, GoldError> {
    let mut out: Vec<(String, Gold)> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, line) in text.trim_start_matches('\u{feff}').lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let place = format!("{name}:{}", i + 1);
        let v: Value = serde_json::from_str(line)
            .map_err(|e| err(&place, format!("not a JSON object: {e}")))?;
        let Value::Object(mut obj) = v else {
            return Err(err(
                &place,
                "a gold line is a JSON object: {\"item\": ID, \"best\": CANDIDATE, \"reason\": ...}"
                    .into(),
            ));
        };
        let item = match obj.remove("item") {
            Some(Value::String(s)) => s,
            Some(Value::Number(n)) => n.to_string(),
            Some(_) => {
                return Err(err(
                    &place,
                    "field \"item\": give the item's id as a string".into(),
                ));
            }
            None => {
                return Err(err(
                    &place,
                    "field \"item\" is missing: name the item's id".into(),
                ));
            }
        };
        if let Some(first) = seen.insert(item.clone(), i + 1) {
            return Err(err(
                &place,
                format!(
                    "field \"item\": \"{item}\" has a gold answer on line {first} already - keep one"
                ),
            ));
        }
        let gold = parse_object(obj, &place, "")?;
        out.push((item, gold));
    }
    Ok(out)
}

/// An item's `gold` field (`{"best": ..., "reason": ...}`), at `place` (the item's line).
pub fn parse_field(v: &Value, place: &str) -> Result<Gold, GoldError> {
    match v {
        Value::Object(o) => parse_object(o.clone(), place, "gold."),
        _ => Err(err(
            place,
            "field \"gold\": give an object such as {\"best\": \"c1\", \"reason\": \"...\"}".into(),
        )),
    }
}

fn parse_object(mut obj: Map<String, Value>, place: &str, prefix: &str) -> Result<Gold, GoldError> {
    let reason = match obj.remove("reason") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(crate::text::sanitize(&s)),
        Some(_) => {
            return Err(err(
                place,
                format!("field \"{prefix}reason\": give the reason as text"),
            ));
        }
    };
    let mut found: Vec<(&str, Value)> = Vec::new();
    for k in ["best", "choice", "ranking"] {
        if let Some(v) = obj.remove(k) {
            found.push((k, v));
        }
    }
    if let Some(k) = obj.keys().next() {
        return Err(err(
            place,
            format!(
                "unknown field \"{prefix}{k}\" - a gold answer has one of best, choice, ranking, and an optional reason"
            ),
        ));
    }
    let (key, v) = match found.len() {
        1 => found.pop().expect("one"),
        0 => {
            return Err(err(
                place,
                format!(
                    "no expected answer - give one of \"{prefix}best\", \"{prefix}choice\" or \"{prefix}ranking\""
                ),
            ));
        }
        _ => {
            return Err(err(
                place,
                format!(
                    "fields \"{prefix}{}\" and \"{prefix}{}\" both given - keep one expected answer",
                    found[0].0, found[1].0
                ),
            ));
        }
    };
    let field = format!("{prefix}{key}");
    let expected = match (key, v) {
        ("choice", Value::String(s)) if s == "tie" => Expected::Tie,
        ("choice", Value::String(s)) if s == "both_bad" => Expected::BothBad,
        ("best" | "choice", Value::String(s)) => Expected::Best(s),
        ("ranking", Value::Array(tiers)) => {
            let mut out = Vec::new();
            for t in tiers {
                let tier: Vec<String> = match t {
                    Value::String(s) => vec![s],
                    Value::Array(ids) => ids
                        .into_iter()
                        .map(|id| match id {
                            Value::String(s) => Ok(s),
                            _ => Err(err(
                                place,
                                format!("field \"{field}\": candidate ids are strings"),
                            )),
                        })
                        .collect::<Result<_, _>>()?,
                    _ => {
                        return Err(err(
                            place,
                            format!(
                                "field \"{field}\": best first, each place a candidate id or a list of ids that tie, as [[\"c1\"], [\"c0\", \"c2\"]]"
                            ),
                        ));
                    }
                };
                if !tier.is_empty() {
                    out.push(tier);
                }
            }
            if out.iter().map(Vec::len).sum::<usize>() < 2 {
                return Err(err(
                    place,
                    format!("field \"{field}\": a ranking orders at least two candidates"),
                ));
            }
            Expected::Ranking(out)
        }
        (_, _) => {
            return Err(err(
                place,
                format!(
                    "field \"{field}\": {}",
                    if key == "ranking" {
                        "give a list of places, best first, as [[\"c1\"], [\"c0\", \"c2\"]]"
                    } else {
                        "give a candidate id (choice also takes \"tie\" or \"both_bad\")"
                    }
                ),
            ));
        }
    };
    Ok(Gold {
        expected,
        reason,
        place: place.to_string(),
        field,
    })
}

/// Gold answers checked against the candidate file: the gold file's lines (`from_file`) and
/// every item's own `gold` field. An unknown item or candidate is an error naming the gold
/// line and field. `file_name` names the candidate file in messages about items' fields.
pub fn resolve(
    items: &[std::sync::Arc<Item>],
    from_file: &[(String, Gold)],
    file_name: &str,
) -> Result<GoldItems, Vec<GoldError>> {
    let at: Vec<(usize, &Item)> = items.iter().map(|it| &**it).enumerate().collect();
    resolve_at(&at, from_file, file_name)
}

/// [`resolve`] on items given with their positions in the file (not necessarily all of them:
/// every item with a `gold` field, and every item a gold file names).
pub fn resolve_at(
    items: &[(usize, &Item)],
    from_file: &[(String, Gold)],
    file_name: &str,
) -> Result<GoldItems, Vec<GoldError>> {
    let mut problems = Vec::new();
    let mut out = GoldItems::default();
    // Only a gold file needs items by id (an export of millions of items without one should
    // not pay for the map).
    let by_id: HashMap<&str, (usize, &Item)> = if from_file.is_empty() {
        HashMap::new()
    } else {
        items
            .iter()
            .map(|&(pos, it)| (it.id.as_str(), (pos, it)))
            .collect()
    };
    for &(pos, item) in items {
        if let Some(v) = item.extra.get("gold") {
            let place = format!("{file_name}:{}", item.line);
            match parse_field(v, &place).and_then(|g| answer(item, &g)) {
                Ok(a) => {
                    out.by_item.insert(pos, a);
                }
                Err(e) => problems.push(e),
            }
        }
    }
    for (id, g) in from_file {
        let Some(&(pos, item)) = by_id.get(id.as_str()) else {
            problems.push(err(
                &g.place,
                format!(
                    "field \"item\": \"{id}\" is not an item of {file_name} - check the id, or remove the line"
                ),
            ));
            continue;
        };
        match answer(item, g) {
            Ok(a) => {
                out.by_item.insert(pos, a);
            }
            Err(e) => problems.push(e),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// [`resolve`], its problems as one error that lists them all (for the commands).
pub fn checked(
    items: &[std::sync::Arc<Item>],
    from_file: &[(String, Gold)],
    file: &Path,
) -> anyhow::Result<GoldItems> {
    let at: Vec<(usize, &Item)> = items.iter().map(|it| &**it).enumerate().collect();
    checked_at(&at, from_file, file)
}

/// [`checked`] on items given with their positions in the file, as [`resolve_at`].
pub fn checked_at(
    items: &[(usize, &Item)],
    from_file: &[(String, Gold)],
    file: &Path,
) -> anyhow::Result<GoldItems> {
    resolve_at(items, from_file, &file.display().to_string()).map_err(|problems| {
        anyhow::anyhow!(
            "{} problem(s) with the gold answers - fix them, or take the gold out:\n{}",
            problems.len(),
            problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    })
}

/// One gold answer against its item: candidate ids checked, the pairs it speaks about.
pub fn answer(item: &Item, g: &Gold) -> Result<Answer, GoldError> {
    let idx = |id: &str| -> Result<u32, GoldError> {
        item.candidate_index(id).map(|i| i as u32).ok_or_else(|| {
            let ids: Vec<&str> = item.candidates.iter().map(|c| c.id.as_str()).collect();
            err(
                &g.place,
                format!(
                    "field \"{}\": \"{id}\" is not a candidate of item \"{}\" ({})",
                    g.field,
                    item.id,
                    ids.join(", ")
                ),
            )
        })
    };
    let mut pairs = Vec::new();
    let mut push = |better: u32, worse: u32, o: Pref| {
        let (lo, hi) = (better.min(worse), better.max(worse));
        let o = match o {
            Pref::Lo | Pref::Hi if better == lo => Pref::Lo,
            Pref::Lo | Pref::Hi => Pref::Hi,
            o => o,
        };
        pairs.push((lo, hi, o));
    };
    match &g.expected {
        Expected::Best(b) => {
            let b = idx(b)?;
            for c in 0..item.candidates.len() as u32 {
                if c != b {
                    push(b, c, Pref::Lo);
                }
            }
        }
        Expected::Tie | Expected::BothBad => {
            if item.candidates.len() != 2 {
                return Err(err(
                    &g.place,
                    format!(
                        "field \"{}\": \"tie\" and \"both_bad\" are answers for an item of two candidates; item \"{}\" has {} - give a ranking",
                        g.field,
                        item.id,
                        item.candidates.len()
                    ),
                ));
            }
            let o = if g.expected == Expected::Tie {
                Pref::Tie
            } else {
                Pref::BothBad
            };
            push(0, 1, o);
        }
        Expected::Ranking(tiers) => {
            let mut seen = std::collections::HashSet::new();
            let mut ix: Vec<Vec<u32>> = Vec::new();
            for t in tiers {
                let mut tier = Vec::new();
                for id in t {
                    let c = idx(id)?;
                    if !seen.insert(c) {
                        return Err(err(
                            &g.place,
                            format!("field \"{}\": \"{id}\" is ranked twice", g.field),
                        ));
                    }
                    tier.push(c);
                }
                ix.push(tier);
            }
            for (i, tier) in ix.iter().enumerate() {
                for (j, &a) in tier.iter().enumerate() {
                    for &b in &tier[j + 1..] {
                        push(a, b, Pref::Tie);
                    }
                    for worse in &ix[i + 1..] {
                        for &b in worse {
                            push(a, b, Pref::Lo);
                        }
                    }
                }
            }
        }
    }
    pairs.sort_unstable();
    Ok(Answer {
        pairs,
        expected: g.expected.clone(),
        reason: g.reason.clone(),
    })
}

/// What a decision says about each pair of the item's candidates it speaks about: (lo, hi,
/// judgement) with candidate indices (ratings one apart or more make an order). A best-worst
/// decision that does not say what was shown speaks about nothing here.
pub fn outcomes(item: &Item, ev: &Event) -> Vec<(u32, u32, Pref)> {
    let mut out = Vec::new();
    if ev.task == TaskKind::BestWorst && ev.shown.is_none() {
        return out;
    }
    judged_pairs(item, ev, &PairOptions::default(), |j| {
        out.push((j.lo, j.hi, j.pref))
    });
    out
}

/// Gold accuracy with its 95% Wilson score interval: `right` of `n` decisions.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Accuracy {
    pub n: usize,
    pub right: usize,
    pub accuracy: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

impl Accuracy {
    /// `None` when there is nothing to count.
    pub fn of(right: usize, n: usize) -> Option<Accuracy> {
        if n == 0 {
            return None;
        }
        let (lo, hi) = wilson(right, n);
        Some(Accuracy {
            n,
            right,
            accuracy: right as f64 / n as f64,
            ci_low: lo,
            ci_high: hi,
        })
    }
}

/// The 95% Wilson score interval of `k` successes in `n` trials (z = 1.96).
pub fn wilson(k: usize, n: usize) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    const Z: f64 = 1.959_963_984_540_054;
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let z2 = Z * Z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn item(id: &str, n: usize, line: usize) -> Arc<Item> {
        let cands: Vec<Value> = (0..n)
            .map(|i| serde_json::json!({"id": format!("c{i}"), "text": format!("answer {i}")}))
            .collect();
        let v = serde_json::json!({"id": id, "prompt": "p", "candidates": cands});
        Arc::new(crate::format::parse_item(v, line).unwrap())
    }

    fn pair_event(l: &str, r: &str, choice: &str) -> Event {
        let mut e = Event::new("a", "x", None, TaskKind::Pair);
        e.pair = Some([l.into(), r.into()]);
        e.choice = Some(choice.into());
        e
    }

    #[test]
    fn a_gold_file_reads_best_choice_and_ranking_and_names_bad_lines() {
        let text = "{\"item\":\"x\",\"best\":\"c2\",\"reason\":\"c2 cites the source\"}\n\n{\"item\":\"y\",\"choice\":\"tie\"}\n{\"item\":\"z\",\"ranking\":[[\"c1\"],[\"c0\",\"c2\"]]}\n";
        let g = parse_lines(text, "gold.jsonl").unwrap();
        assert_eq!(g.len(), 3);
        assert_eq!(g[0].1.expected, Expected::Best("c2".into()));
        assert_eq!(g[0].1.reason.as_deref(), Some("c2 cites the source"));
        assert_eq!(g[1].1.expected, Expected::Tie);
        assert_eq!(g[1].1.place, "gold.jsonl:3");
        let bad = |t: &str| parse_lines(t, "gold.jsonl").unwrap_err().to_string();
        assert_eq!(
            bad("{\"item\":\"x\"}"),
            "gold.jsonl:1: no expected answer - give one of \"best\", \"choice\" or \"ranking\""
        );
        assert!(bad("{\"best\":\"c1\"}").starts_with("gold.jsonl:1: field \"item\" is missing"));
        assert!(
            bad("{\"item\":\"x\",\"best\":\"c1\"}\n{\"item\":\"x\",\"best\":\"c0\"}")
                .starts_with("gold.jsonl:2: field \"item\": \"x\" has a gold answer on line 1")
        );
        assert!(
            bad("{\"item\":\"x\",\"bets\":\"c1\"}")
                .starts_with("gold.jsonl:1: unknown field \"bets\"")
        );
        assert!(bad("{\"item\":\"x\",\"ranking\":\"c1\"}").contains("field \"ranking\""));
        assert!(bad("not json").starts_with("gold.jsonl:1: not a JSON object"));
    }

    #[test]
    fn unknown_items_and_candidates_are_named_with_line_and_field() {
        let items = vec![item("x", 3, 1), item("y", 2, 2)];
        let file = parse_lines(
            "{\"item\":\"x\",\"best\":\"c7\"}\n{\"item\":\"nope\",\"best\":\"c0\"}\n{\"item\":\"x\",\"ranking\":[[\"c0\"]]}\n",
            "gold.jsonl",
        );
        // The third line is a ranking of one candidate: refused when read.
        assert!(file.unwrap_err().to_string().starts_with("gold.jsonl:3:"));
        let file = parse_lines(
            "{\"item\":\"x\",\"best\":\"c7\"}\n{\"item\":\"nope\",\"best\":\"c0\"}\n",
            "gold.jsonl",
        )
        .unwrap();
        let e = resolve(&items, &file, "set.jsonl").unwrap_err();
        let msgs: Vec<String> = e.iter().map(ToString::to_string).collect();
        assert_eq!(
            msgs,
            vec![
                "gold.jsonl:1: field \"best\": \"c7\" is not a candidate of item \"x\" (c0, c1, c2)",
                "gold.jsonl:2: field \"item\": \"nope\" is not an item of set.jsonl - check the id, or remove the line",
            ]
        );
    }

    #[test]
    fn an_items_own_gold_field_counts_and_is_checked() {
        let v = serde_json::json!({"id": "g", "prompt": "p", "candidates": ["a", "b"],
            "gold": {"choice": "c1", "reason": "b is right"}});
        let g = Arc::new(crate::format::parse_item(v, 4).unwrap());
        let v = serde_json::json!({"id": "h", "prompt": "p", "candidates": ["a", "b", "c"],
            "gold": {"choice": "tie"}});
        let h = Arc::new(crate::format::parse_item(v, 5).unwrap());
        let got = resolve(std::slice::from_ref(&g), &[], "set.jsonl").unwrap();
        assert_eq!(got.get(0).unwrap().pairs, vec![(0, 1, Pref::Hi)]);
        let e = resolve(&[g, h], &[], "set.jsonl").unwrap_err();
        assert!(
            e[0].to_string()
                .starts_with("set.jsonl:5: field \"gold.choice\": \"tie\" and \"both_bad\""),
            "{e:?}"
        );
    }

    #[test]
    fn decisions_are_judged_pair_by_pair_in_every_mode() {
        let it = item("x", 3, 1);
        let g = |e: Expected| {
            answer(
                &it,
                &Gold {
                    expected: e,
                    reason: None,
                    place: "g:1".into(),
                    field: "best".into(),
                },
            )
            .unwrap()
        };
        let best = g(Expected::Best("c2".into()));
        // Pairs with c2: right when c2 wins, whichever side it was on.
        assert_eq!(best.judge(&it, &pair_event("c2", "c0", "c2")), Some(true));
        assert_eq!(best.judge(&it, &pair_event("c1", "c2", "c1")), Some(false));
        assert_eq!(best.judge(&it, &pair_event("c1", "c2", "tie")), Some(false));
        // A pair without c2 says nothing about the best answer.
        assert_eq!(best.judge(&it, &pair_event("c0", "c1", "c0")), None);
        // Rankings: c2 alone first is right, whatever the order below it.
        let mut rank = Event::new("a", "x", None, TaskKind::Rank);
        rank.ranking = Some(vec![vec!["c2".into()], vec!["c1".into(), "c0".into()]]);
        assert_eq!(best.judge(&it, &rank), Some(true));
        rank.ranking = Some(vec![vec!["c2".into(), "c1".into()], vec!["c0".into()]]);
        assert_eq!(best.judge(&it, &rank), Some(false));
        // A whole ranking must come out as expected pair by pair.
        let order = g(Expected::Ranking(vec![
            vec!["c1".into()],
            vec!["c0".into(), "c2".into()],
        ]));
        rank.ranking = Some(vec![vec!["c1".into()], vec!["c2".into(), "c0".into()]]);
        assert_eq!(order.judge(&it, &rank), Some(true));
        rank.ranking = Some(vec![
            vec!["c1".into()],
            vec!["c2".into()],
            vec!["c0".into()],
        ]);
        assert_eq!(order.judge(&it, &rank), Some(false));
        assert_eq!(order.judge(&it, &pair_event("c2", "c0", "tie")), Some(true));
        // Ratings: the order they make.
        let mut rate = Event::new("a", "x", None, TaskKind::Rate);
        rate.ratings = Some([("c0".into(), 2), ("c1".into(), 5), ("c2".into(), 2)].into());
        assert_eq!(order.judge(&it, &rate), Some(true));
        assert_eq!(best.judge(&it, &rate), Some(false));
        assert_eq!(order.describe(), "c1 > c0 = c2");
        // Best-worst: the best over the others shown, the others over the worst.
        let mut bw = Event::new("a", "x", None, TaskKind::BestWorst);
        bw.shown = Some(vec!["c0".into(), "c1".into(), "c2".into()]);
        (bw.best, bw.worst) = (Some("c2".into()), Some("c0".into()));
        assert_eq!(best.judge(&it, &bw), Some(true));
        assert_eq!(order.judge(&it, &bw), Some(false));
        (bw.best, bw.worst) = (Some("c1".into()), Some("c2".into()));
        assert_eq!(best.judge(&it, &bw), Some(false));
        // c1 over c0 and c2, c0 over c2: against c0 = c2.
        assert_eq!(order.judge(&it, &bw), Some(false));
        bw.shown = Some(vec!["c1".into(), "c2".into()]);
        assert_eq!(
            order.judge(&it, &bw),
            Some(true),
            "two shown: only c1 over c2"
        );
    }

    #[test]
    fn wilson_interval_by_hand() {
        // 8 of 10: p = .8, z^2 = 3.8415; centre = (.8 + .19207) / 1.38415 = .716733;
        // half = 1.95996 / 1.38415 x sqrt(.016 + .0096037) = 1.41600 x .160012 = .226577
        // -> (.49016, .94331).
        let (lo, hi) = wilson(8, 10);
        assert!(
            (lo - 0.49016).abs() < 1e-4 && (hi - 0.94331).abs() < 1e-4,
            "{lo} {hi}"
        );
        let a = Accuracy::of(0, 4).unwrap();
        assert_eq!((a.accuracy, a.ci_low), (0.0, 0.0));
        assert!(Accuracy::of(0, 0).is_none());
    }
}
