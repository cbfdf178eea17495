//! Edits in an export: each standing edit joins its item as a new candidate, preferred over the
//! answer it was made from and (with [`EditBeats::AllBelowSource`]) over every answer its
//! editor judged that one better than or as good as. The judgements are added as pair
//! decisions of the editor, so every format built on votes (trl, trl-chat, hh, kto,
//! llamafactory, h4, rankings, Parquet) takes them the same way. Pure; the candidate file is
//! never changed, only the items held in memory for this export.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::json;

use crate::format::{Candidate, Item};
use crate::labels::{Event, TaskKind};
pub use crate::taskfile::EditBeats;

use super::pairs::{PairOptions, Pref, Vote, votes};
use super::standing::{Decided, Standing};

pub use crate::labels::edit_id;

/// The id of the candidate an edited candidate was made from (its `metadata.edited_from`);
/// `None` for the candidate file's own answers.
pub fn edited_from(c: &Candidate) -> Option<&str> {
    c.metadata.as_ref()?.get("edited_from")?.as_str()
}

/// Adds the standing edits of `st` to `items` as candidates, and returns the editors' pair
/// decisions that rank them (the edit chosen), for [`super::judge`]: they stay out of
/// `st.decisions`, which the summary, the card's statistics and the other counts read.
pub fn apply(items: &mut [Arc<Item>], st: &Standing, beats: EditBeats) -> Vec<Decided> {
    let mut added = Vec::new();
    for d in &st.edits {
        let (Some(i), Some(source), Some(text)) = (d.item, &d.event.source, &d.event.text) else {
            continue;
        };
        let name = &st.annotators[d.annotator as usize];
        let id = edit_id(source, name);
        let item = Arc::make_mut(&mut items[i]);
        let Some(src) = item.candidate_index(source) else {
            continue;
        };
        if item.candidate_index(&id).is_some() {
            // The file already has a candidate of that name: the edit cannot join under it.
            continue;
        }
        let below: Vec<String> = match beats {
            EditBeats::Source => Vec::new(),
            EditBeats::AllBelowSource => {
                judged_below(item, src as u32, d.annotator, i, &st.decisions)
                    .into_iter()
                    .map(|c| item.candidates[c as usize].id.clone())
                    .collect()
            }
        };
        item.candidates
            .push(candidate(&item.candidates[src], &id, text, name));
        for worse in std::iter::once(source.clone()).chain(below) {
            let mut e = Event::new(&d.event.annotator, &item.id, None, TaskKind::Pair);
            e.at = d.event.at.clone();
            e.pair = Some([id.clone(), worse]);
            e.choice = Some(id.clone());
            added.push(Decided {
                item: Some(i),
                ..Decided::new(d.annotator, e)
            });
        }
    }
    added
}

/// How many edits `decisions` (what [`apply`] returned) stand for: each edit's first decision
/// is the one over its source.
pub fn count(decisions: &[Decided]) -> usize {
    decisions
        .iter()
        .filter(|d| {
            let (Some([edit, worse]), Some(c)) = (&d.event.pair, &d.event.choice) else {
                return false;
            };
            edit == c && edit.strip_suffix(&format!("+edit:{}", d.event.annotator)) == Some(worse)
        })
        .count()
}

/// The new candidate: the edited text, the source's conversation with its last assistant turn
/// replaced (for candidates that have their own), and metadata that names the source and the
/// editor.
fn candidate(source: &Candidate, id: &str, text: &str, editor: &str) -> Candidate {
    let messages = source.messages.as_ref().map(|turns| {
        let mut turns = turns.clone();
        if let Some(last) = turns.iter_mut().rev().find(|m| m.role == "assistant") {
            last.content = text.to_string();
        }
        turns
    });
    Candidate {
        id: id.to_string(),
        text: text.to_string(),
        messages,
        metadata: Some(json!({"edited_from": source.id, "edited_by": editor})),
    }
}

/// The candidates annotator `who` judged at most as good as `src` on item `i` (better or tied,
/// not both bad), by their latest judgement of each pair.
fn judged_below(item: &Item, src: u32, who: u32, i: usize, decisions: &[Decided]) -> Vec<u32> {
    let mut mine: Vec<&Decided> = decisions
        .iter()
        .filter(|d| d.item == Some(i) && d.annotator == who)
        .collect();
    mine.sort_by(|a, b| a.event.at.cmp(&b.event.at));
    let mut out: Vec<Vote> = Vec::new();
    for (r, d) in mine.iter().enumerate() {
        votes(d, r as u32, item, &PairOptions::default(), &mut out);
    }
    // The latest vote on each pair with the source.
    let mut latest: BTreeMap<u32, Pref> = BTreeMap::new();
    out.sort_by_key(|v| v.recency);
    for v in out {
        if v.lo == src {
            latest.insert(v.hi, v.pref);
        } else if v.hi == src {
            let flipped = match v.pref {
                Pref::Lo => Pref::Hi,
                Pref::Hi => Pref::Lo,
                p => p,
            };
            latest.insert(v.lo, flipped);
        }
    }
    latest
        .into_iter()
        .filter(|(_, p)| matches!(p, Pref::Lo | Pref::Tie))
        .map(|(c, _)| c)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::standing::standing;
    use crate::export::standing::tests::{item, pair};

    fn edit(who: &str, it: &Item, source: &str, text: &str) -> Event {
        Event::edit(who, &it.id, Some(&it.hash), source, text)
    }

    fn chosen_over(added: &[Decided], items: &[Arc<Item>]) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = added
            .iter()
            .filter(|d| {
                d.event
                    .choice
                    .as_deref()
                    .is_some_and(|c| c.contains("+edit:"))
            })
            .map(|d| {
                let [l, r] = d.event.pair.clone().unwrap();
                let c = d.event.choice.clone().unwrap();
                let other = if c == l { r } else { l };
                assert!(items[d.item.unwrap()].candidate_index(&c).is_some());
                (c, other)
            })
            .collect();
        v.sort();
        v
    }

    #[test]
    fn an_edit_beats_its_source_and_what_its_editor_put_at_or_below_it() {
        let x = item("x", 4);
        let mut items = vec![x.clone()];
        let mut rank = Event::new("alice", "x", Some(&x.hash), TaskKind::Rank);
        // c2 > c0 = c3 > c1: c0 was tied with c3 and beat c1; c2 beat c0.
        rank.ranking = Some(vec![
            vec!["c2".into()],
            vec!["c0".into(), "c3".into()],
            vec!["c1".into()],
        ]);
        let events = vec![
            rank,
            edit("alice", &x, "c0", "A better c0."),
            // Bob's judgement says nothing about what alice's edit beats.
            pair("bob", &x, "c0", "c2", "c0"),
        ];
        let st = standing(events.clone(), Some(&items));
        assert_eq!(st.edits.len(), 1);
        assert_eq!(st.counts[0].edits, 1);
        assert_eq!(st.counts[0].decisions, 1, "an edit is not a decision");
        let added = apply(&mut items, &st, EditBeats::AllBelowSource);
        assert_eq!(count(&added), 1);
        assert_eq!(st.decisions.len(), 2, "the decisions are left as they were");
        let c = &items[0].candidates[4];
        assert_eq!(
            (c.id.as_str(), c.text.as_str()),
            ("c0+edit:alice", "A better c0.")
        );
        assert_eq!(edited_from(c), Some("c0"));
        let e = "c0+edit:alice".to_string();
        assert_eq!(
            chosen_over(&added, &items),
            vec![
                (e.clone(), "c0".into()),
                (e.clone(), "c1".into()),
                (e.clone(), "c3".into())
            ]
        );
        assert_eq!(x.candidates.len(), 4, "the file's item is not changed");

        let mut items = vec![x.clone()];
        let st = standing(events, Some(&items));
        let added = apply(&mut items, &st, EditBeats::Source);
        assert_eq!(chosen_over(&added, &items), vec![(e, "c0".into())]);
    }

    #[test]
    fn two_editors_edits_are_counted_each_once_however_many_answers_they_beat() {
        // alice's edit of c0 beats c0 and c1 (she put c1 below c0); bob's of c1 beats c1 only.
        let x = item("x", 3);
        let mut items = vec![x.clone()];
        let events = vec![
            pair("alice", &x, "c0", "c1", "c0"),
            edit("alice", &x, "c0", "A better c0."),
            edit("bob", &x, "c1", "A better c1."),
        ];
        let st = standing(events, Some(&items));
        let added = apply(&mut items, &st, EditBeats::AllBelowSource);
        assert_eq!(added.len(), 3);
        assert_eq!(count(&added), 2);
    }

    #[test]
    fn what_an_edit_beats_is_judged_against_its_source_not_between_the_others() {
        // alice ranks c1 > c0 > c2 and edits c2: the edit beats c2 alone. That c0 lost to c1
        // says nothing about c0 against c2.
        let x = item("x", 3);
        let mut items = vec![x.clone()];
        let mut rank = Event::new("alice", "x", Some(&x.hash), TaskKind::Rank);
        rank.ranking = Some(vec![
            vec!["c1".into()],
            vec!["c0".into()],
            vec!["c2".into()],
        ]);
        let events = vec![rank, edit("alice", &x, "c2", "A better c2.")];
        let st = standing(events, Some(&items));
        let added = apply(&mut items, &st, EditBeats::AllBelowSource);
        let e = "c2+edit:alice".to_string();
        assert_eq!(chosen_over(&added, &items), vec![(e, "c2".into())]);
    }

    #[test]
    fn an_edit_of_a_conversation_replaces_its_last_assistant_turn_only() {
        let mut x = item("x", 2);
        let turn = |role: &str, content: &str| crate::format::Message {
            role: role.into(),
            content: content.into(),
        };
        Arc::make_mut(&mut x).candidates[0].messages = Some(vec![
            turn("user", "Hi"),
            turn("assistant", "Hello"),
            turn("user", "And?"),
            turn("assistant", "x"),
        ]);
        let mut items = vec![x.clone()];
        let st = standing(vec![edit("alice", &x, "c0", "Better.")], Some(&items));
        apply(&mut items, &st, EditBeats::Source);
        let edited = &items[0].candidates[2];
        assert_eq!(
            edited.messages.as_deref(),
            Some(
                &[
                    turn("user", "Hi"),
                    turn("assistant", "Hello"),
                    turn("user", "And?"),
                    turn("assistant", "Better."),
                ][..]
            )
        );
    }

    #[test]
    fn an_undone_edit_and_an_edit_of_an_unknown_candidate_add_nothing() {
        let x = item("x", 2);
        let mut items = vec![x.clone()];
        let mut undo = Event::new("alice", "x", None, TaskKind::Edit);
        undo.source = Some("c1".into());
        undo.retract = true;
        let events = vec![
            edit("alice", &x, "c1", "new"),
            undo,
            edit("bob", &x, "c9", "of nothing"),
        ];
        let st = standing(events, Some(&items));
        assert_eq!(st.edits.len(), 0);
        assert_eq!(st.left_out.retracted, 1);
        assert_eq!(st.left_out.unknown, 1);
        assert!(apply(&mut items, &st, EditBeats::AllBelowSource).is_empty());
        assert_eq!(items[0].candidates.len(), 2);
    }
}
