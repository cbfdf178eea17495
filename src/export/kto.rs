//! Unpaired labels for KTO trainers: each answer marked desirable (`true`) or undesirable
//! (`false`) on its own, as TRL's `KTOTrainer` reads them (`prompt`, `completion`, `label`) and
//! as LLaMA-Factory's KTO data has them (`kto_tag`, written by [`super::sharegpt`]).
//!
//! Labels come from the aggregated pairs (the better answer `true`, the worse `false`; both
//! answers of a kept both-bad pair `false`; ties say nothing), or, with a threshold, from the
//! mean rating of rated answers. The same prompt and completion is one row: when it was both
//! chosen and rejected (the middle of a ranking, or annotators who disagree), it is left out
//! and counted.

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;

use serde::Serialize;

use crate::format::Item;

use super::aggregate::Judged;
use super::formats::{Turn, candidate_turns, model, prompt_len};
use super::pairs::Pref;
use super::standing::Decided;

/// One answer's label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Labeled {
    pub item: u32,
    pub candidate: u32,
    pub label: bool,
}

/// What [`labels`] found.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Labels {
    /// In the order the answers first appear (item, then pair order).
    pub rows: Vec<Labeled>,
    /// Prompt and completion pairs labeled both `true` and `false`: left out.
    pub contradictions: usize,
    /// Labels that repeated a row already there (same prompt and completion, same label).
    pub duplicates: usize,
    /// Rows labeled from ratings (the rest come from pairs).
    pub from_ratings: usize,
}

/// The conversation a candidate answers and the answer, split where TRL splits it: the prompt
/// ends with the last user turn before the answer.
pub fn split<'a>(item: &'a Item, candidate: u32, out: &mut Vec<Turn<'a>>) -> usize {
    candidate_turns(item, &item.candidates[candidate as usize], out);
    prompt_len(out, out)
}

/// Mean ratings by (item, candidate).
pub type Means = HashMap<(u32, u32), f64>;

/// Each candidate's mean rating on its item's largest scale (ratings on smaller scales placed
/// at the same point of it), by (item, candidate), for items with rate decisions.
pub fn rating_means(items: &[Arc<Item>], decisions: &[Decided]) -> Means {
    let mut out = HashMap::new();
    let scale_of = |d: &Decided| crate::rating_scale::of(&d.event);
    for group in decisions.chunk_by(|x, y| x.item == y.item) {
        let Some(i) = group[0].item else { continue };
        let rated: Vec<&Decided> = group.iter().filter(|d| d.event.ratings.is_some()).collect();
        let Some(top) = rated.iter().map(|d| scale_of(d)).max() else {
            continue;
        };
        for (c, cand) in items[i].candidates.iter().enumerate() {
            let (mut sum, mut n) = (0f64, 0u32);
            for d in &rated {
                if let Some(&r) = d.event.ratings.as_ref().and_then(|m| m.get(&cand.id)) {
                    sum += crate::rating_scale::on_scale(r, scale_of(d), top);
                    n += 1;
                }
            }
            if n > 0 {
                out.insert((i as u32, c as u32), sum / f64::from(n));
            }
        }
    }
    out
}

/// Labels from aggregated pairs and, with `threshold`, from ratings: a rated answer is
/// desirable when its mean rating is at least the threshold, and its pairs then say nothing
/// more about it. Pure.
pub fn labels(items: &[Arc<Item>], pairs: &[Judged], rated: Option<(f64, &Means)>) -> Labels {
    // Each candidate's labels in the order they come: ratings first (item order), then pairs.
    let mut found: Vec<(u32, u32, bool, bool)> = Vec::new();
    if let Some((threshold, means)) = rated {
        let mut keys: Vec<_> = means.iter().collect();
        keys.sort_unstable_by_key(|(k, _)| **k);
        for (&(i, c), &m) in keys {
            found.push((i, c, m >= threshold, true));
        }
    }
    let is_rated = |i: u32, c: u32| rated.is_some_and(|(_, m)| m.contains_key(&(i, c)));
    for p in pairs {
        let (better, worse) = match p.pref {
            Pref::Lo | Pref::Hi => (Some(true), false),
            Pref::BothBad => (Some(false), false),
            Pref::Tie => (None, false),
        };
        let Some(better) = better else { continue };
        for (c, label) in [(p.chosen, better), (p.rejected, worse)] {
            if !is_rated(p.item, c) {
                found.push((p.item, c, label, false));
            }
        }
    }
    // Sorted by item so that each item's rows stay together, ratings and pairs alike.
    found.sort_by_key(|&(i, ..)| i);
    let mut out = Labels::default();
    // (prompt, completion) -> (row, seen true, seen false, from ratings)
    let mut seen: HashMap<(Vec<Turn>, Vec<Turn>), usize> = HashMap::new();
    let mut state: Vec<(Labeled, bool, bool, bool)> = Vec::new();
    let mut turns = Vec::new();
    for (i, c, label, from_rating) in found {
        let n = split(&items[i as usize], c, &mut turns);
        let key = (turns[..n].to_vec(), turns[n..].to_vec());
        let at = *seen.entry(key).or_insert_with(|| {
            state.push((
                Labeled {
                    item: i,
                    candidate: c,
                    label,
                },
                false,
                false,
                from_rating,
            ));
            state.len() - 1
        });
        let s = &mut state[at];
        let again = if label { s.1 } else { s.2 };
        if again {
            out.duplicates += 1;
        }
        if label {
            s.1 = true;
        } else {
            s.2 = true;
        }
    }
    for (row, t, f, r) in state {
        if t && f {
            out.contradictions += 1;
        } else {
            out.from_ratings += usize::from(r);
            out.rows.push(row);
        }
    }
    out
}

/// True when some labeled answer's item (or the answer itself) is a conversation: the rows are
/// then written as lists of messages.
pub fn any_conversation(items: &[Arc<Item>], rows: &[Labeled]) -> bool {
    rows.iter().any(|r| {
        let item = &items[r.item as usize];
        item.messages.is_some() || item.candidates[r.candidate as usize].messages.is_some()
    })
}

#[derive(Serialize)]
#[serde(untagged)]
enum Part<'t, 'a> {
    Text(String),
    Turns(&'t [Turn<'a>]),
}

#[derive(Serialize)]
struct Row<'t, 'a> {
    prompt: Part<'t, 'a>,
    completion: Part<'t, 'a>,
    label: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    item: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    completion_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    completion_model: Option<Option<&'a str>>,
}

/// Writes TRL's unpaired preference rows: as lists of `{role, content}` messages when
/// `conversational`, else as text (a conversation flattened to `\n\nHuman:` text, as `trl
/// --flatten` does). Returns the number of rows.
pub fn write<W: Write>(
    w: &mut W,
    items: &[Arc<Item>],
    labels: &Labels,
    conversational: bool,
    meta: bool,
) -> serde_json::Result<usize> {
    let mut turns = Vec::new();
    for r in &labels.rows {
        let item = &items[r.item as usize];
        let cand = &item.candidates[r.candidate as usize];
        let n = split(item, r.candidate, &mut turns);
        let (prompt, completion) = if conversational {
            (Part::Turns(&turns[..n]), Part::Turns(&turns[n..]))
        } else {
            let (p, c) = super::formats::text_pair(&turns[..n], &turns[n..]);
            (Part::Text(p), Part::Text(c))
        };
        let row = Row {
            prompt,
            completion,
            label: r.label,
            item: meta.then_some(item.id.as_str()),
            completion_id: meta.then_some(cand.id.as_str()),
            completion_model: meta.then(|| model(cand)),
        };
        serde_json::to_writer(&mut *w, &row)?;
        w.write_all(b"\n").map_err(serde_json::Error::io)?;
    }
    Ok(labels.rows.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::aggregate::Judged;
    use crate::labels::TaskKind;

    fn items(text: &str) -> Vec<Arc<Item>> {
        crate::format::load_bytes(std::path::Path::new("x.jsonl"), text.as_bytes())
            .unwrap()
            .items
    }

    fn judged(item: u32, chosen: u32, rejected: u32, pref: Pref) -> Judged {
        Judged::one(item, chosen, rejected, pref)
    }

    #[test]
    fn a_ranking_labels_its_ends_and_counts_its_middle_as_a_contradiction() {
        let it = items(r#"{"id":"q","prompt":"p","candidates":["a","b","c"]}"#);
        // a > b > c: b is chosen over c and rejected for a.
        let pairs = [
            judged(0, 0, 1, Pref::Lo),
            judged(0, 0, 2, Pref::Lo),
            judged(0, 1, 2, Pref::Lo),
        ];
        let l = labels(&it, &pairs, None);
        assert_eq!(
            l.rows,
            vec![
                Labeled {
                    item: 0,
                    candidate: 0,
                    label: true
                },
                Labeled {
                    item: 0,
                    candidate: 2,
                    label: false
                },
            ]
        );
        assert_eq!(l.contradictions, 1);
        assert_eq!(l.duplicates, 2, "a chosen twice, c rejected twice");
    }

    #[test]
    fn the_same_prompt_and_answer_in_two_items_is_one_row() {
        let it = items(concat!(
            r#"{"id":"q1","prompt":"p","candidates":["a","b"]}"#,
            "\n",
            r#"{"id":"q2","prompt":"p","candidates":["a","z"]}"#,
        ));
        let pairs = [judged(0, 0, 1, Pref::Lo), judged(1, 0, 1, Pref::Lo)];
        let l = labels(&it, &pairs, None);
        assert_eq!(l.rows.len(), 3, "{l:?}");
        assert_eq!(l.duplicates, 1);
        // Ties say nothing; both-bad says both are bad.
        let l = labels(
            &it,
            &[judged(0, 0, 1, Pref::Tie), judged(1, 0, 1, Pref::BothBad)],
            None,
        );
        assert!(l.rows.iter().all(|r| !r.label && r.item == 1), "{l:?}");
        assert_eq!(l.rows.len(), 2);
    }

    #[test]
    fn rating_means_average_each_rated_answer_over_its_raters_on_the_largest_scale() {
        // q: alice rates a 5, b 2, c 1 on a 5-point scale; bob rates a 3 and b 5 on a 9-point
        // scale (3 and 5 of 9 are 2 and 3 of 5), and not c; nobody rates d. r is not rated.
        let it = items(concat!(
            r#"{"id":"q","prompt":"p","candidates":["a","b","c","d"]}"#,
            "\n",
            r#"{"id":"r","prompt":"p","candidates":["a","b"]}"#,
        ));
        let rate = |who: &str, scale: u32, ratings: &[(&str, u32)]| {
            let mut e = crate::labels::Event::new(who, "q", Some(&it[0].hash), TaskKind::Rate);
            e.ratings = Some(ratings.iter().map(|(c, r)| (c.to_string(), *r)).collect());
            e.scale = Some(scale);
            e
        };
        // The file gives the candidates as strings: their ids are made up on loading.
        let id = |k: usize| it[0].candidates[k].id.as_str();
        let (a, b, c) = (id(0), id(1), id(2));
        let events = vec![
            rate("alice", 5, &[(a, 5), (b, 2), (c, 1)]),
            rate("bob", 9, &[(a, 3), (b, 5)]),
        ];
        let st = crate::export::standing::standing(events, Some(&it));
        let means = rating_means(&it, &st.decisions);
        let mut got: Vec<((u32, u32), f64)> = means.into_iter().collect();
        got.sort_by_key(|(k, _)| *k);
        // On the 9-point scale (the largest): alice's 5, 2, 1 of 5 are 9, 3, 1 of 9.
        assert_eq!(got, vec![((0, 0), 6.0), ((0, 1), 4.0), ((0, 2), 1.0)]);
    }

    #[test]
    fn rows_are_conversations_only_when_an_item_or_an_answer_is_one() {
        let it = items(concat!(
            r#"{"id":"q","prompt":"p","candidates":["a","b"]}"#,
            "\n",
            r#"{"id":"r","messages":[{"role":"user","content":"p"}],"candidates":["a","b"]}"#,
        ));
        let row = |item: u32| Labeled {
            item,
            candidate: 0,
            label: true,
        };
        assert!(!any_conversation(&it, &[row(0)]), "plain text");
        assert!(any_conversation(&it, &[row(0), row(1)]));
        let mut own = it[0].clone();
        Arc::make_mut(&mut own).candidates[0].messages = Some(vec![crate::format::Message {
            role: "assistant".into(),
            content: "a".into(),
        }]);
        assert!(
            any_conversation(&[own], &[row(0)]),
            "an answer of its own turns"
        );
    }

    #[test]
    fn ratings_over_the_threshold_are_desirable_and_override_pairs() {
        let it = items(r#"{"id":"q","prompt":"p","candidates":["a","b","c"]}"#);
        let means: Means = [((0, 0), 4.5), ((0, 1), 3.0)].into_iter().collect();
        // The pair says b beats c; b's rating (3 < 4) says it is not desirable.
        let l = labels(&it, &[judged(0, 1, 2, Pref::Lo)], Some((4.0, &means)));
        let got: Vec<(u32, bool)> = l.rows.iter().map(|r| (r.candidate, r.label)).collect();
        assert_eq!(got, vec![(0, true), (1, false), (2, false)]);
        assert_eq!(l.from_ratings, 2);
        assert_eq!(l.contradictions, 0);
    }
}
