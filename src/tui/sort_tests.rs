//! Sort mode on the labeling screen: pair questions chosen by binary insertion, the ranking
//! recorded when the order is complete, undo and resume in the middle of an item.

use super::keymap::Action::{self, *};
use super::model::{Model, Overlay, Setup};
use super::update::{Effect, Msg, update};
use super::update_tests::dataset;
use crate::labels::{Decisions, Event, TaskKind};
use crate::taskfile::TaskSpec;

fn sort_model(counts: &[usize], events: &[Event]) -> Model {
    Model::new(Setup {
        file_label: "t.jsonl".into(),
        decisions: Decisions::from_events(events),
        size: (120, 40),
        spec: TaskSpec {
            mode: Some(TaskKind::Rank),
            sort: true,
            ..TaskSpec::default()
        },
        ..Setup::new(dataset(counts), "alice", TaskKind::Rank)
    })
    .unwrap()
}

/// Sends keys a second apart; returns the events handed to the writer, each confirmed saved.
fn keys(m: &mut Model, actions: &[Action]) -> Vec<Event> {
    let mut out = Vec::new();
    for &a in actions {
        let at = m.now_ms + 1000;
        // One write at a time: each confirmation hands the writer the next event.
        let mut fx = update(m, Msg::Key(a), at);
        while let Some(Effect::Append { seq, event }) = fx.pop() {
            out.push(*event);
            fx = update(m, Msg::Saved(seq), at);
        }
    }
    out
}

/// The candidates of the question on screen, as ids (left, right).
fn question(m: &Model) -> (String, String) {
    let id = |p: usize| m.view.item.candidates[m.view.order[p]].id.clone();
    (id(0), id(1))
}

/// Answers questions by a true order (ids best first) until the item is done.
fn answer_by(m: &mut Model, best_first: &[&str]) -> Vec<Event> {
    let item = m.view.item.id.clone();
    let mut out = Vec::new();
    while m.view.item.id == item && m.overlay == Overlay::None {
        let (l, r) = question(m);
        let rank = |id: &str| best_first.iter().position(|c| *c == id).unwrap();
        let key = if rank(&l) < rank(&r) {
            ChooseLeft
        } else {
            ChooseRight
        };
        out.extend(keys(m, &[key]));
    }
    out
}

fn ids(tiers: &[&[&str]]) -> Vec<Vec<String>> {
    tiers
        .iter()
        .map(|t| t.iter().map(|s| s.to_string()).collect())
        .collect()
}

#[test]
fn questions_follow_binary_insertion_and_the_ranking_is_recorded_beside_them() {
    let mut m = sort_model(&[4, 2], &[]);
    assert_eq!(m.tasks.len(), 2, "one task per item");
    let head = super::view::header::line(&m, 200).to_string();
    assert!(
        head.contains("sort") && head.contains("question 1 of at most 5"),
        "{head}"
    );
    // True order c2 > c0 > c3 > c1: the questions worked by hand in `sort::tests`.
    let ev = answer_by(&mut m, &["c2", "c0", "c3", "c1"]);
    assert_eq!(ev.len(), 6, "{ev:#?}");
    let asked: Vec<[String; 2]> = ev[..5].iter().map(|e| e.pair.clone().unwrap()).collect();
    let want: Vec<[String; 2]> = [
        ("c0", "c1"),
        ("c1", "c2"),
        ("c0", "c2"),
        ("c0", "c3"),
        ("c1", "c3"),
    ]
    .iter()
    .map(|(a, b)| [a.to_string(), b.to_string()])
    .collect();
    assert_eq!(asked, want);
    assert!(
        ev[..5]
            .iter()
            .all(|e| e.task == TaskKind::Pair && e.via_sort())
    );
    let r = &ev[5];
    assert_eq!(r.task, TaskKind::Rank);
    assert!(r.via_sort());
    assert_eq!(r.ranking, Some(ids(&[&["c2"], &["c0"], &["c3"], &["c1"]])));
    assert_eq!(r.asked, Some(want));
    assert_eq!(r.ms, Some(5000), "the questions' times added up");
    assert_eq!(m.view.item.id, "q1", "moved on to the next item");
    assert_eq!(m.decided_count(), 1);
}

#[test]
fn a_tie_shares_a_place_and_ends_the_search() {
    let mut m = sort_model(&[3], &[]);
    let mut ev = keys(&mut m, &[ChooseLeft]); // c0 > c1
    assert_eq!(question(&m), ("c1".into(), "c2".into()));
    ev.extend(keys(&mut m, &[Tie]));
    assert_eq!(ev.len(), 3);
    assert_eq!(ev[1].choice.as_deref(), Some("tie"));
    assert_eq!(ev[2].ranking, Some(ids(&[&["c0"], &["c1", "c2"]])));
    assert_eq!(m.overlay, Overlay::Done);
}

#[test]
fn both_bad_puts_both_below_every_other_in_one_tier() {
    let mut m = sort_model(&[4], &[]);
    let mut ev = keys(&mut m, &[BothBad]); // c0, c1 both bad: c2 placed without a question
    assert_eq!(question(&m), ("c2".into(), "c3".into()));
    ev.extend(keys(&mut m, &[ChooseRight]));
    assert_eq!(ev.len(), 3);
    assert_eq!(ev[2].ranking, Some(ids(&[&["c3"], &["c2"], &["c0", "c1"]])));
}

#[test]
fn undo_mid_sort_takes_back_the_last_question_only() {
    let mut m = sort_model(&[4], &[]);
    keys(&mut m, &[ChooseLeft, ChooseRight]); // c0 > c1, then c2 vs c1: c2 better
    assert_eq!(question(&m), ("c0".into(), "c2".into()));
    let ev = keys(&mut m, &[Undo]);
    assert_eq!(ev.len(), 1);
    assert!(ev[0].retract);
    assert_eq!(ev[0].pair, Some(["c1".into(), "c2".into()]));
    // The question is on screen again with the answer given, to change.
    assert_eq!(question(&m), ("c1".into(), "c2".into()));
    assert_eq!(m.view.draft.pair().unwrap().choice.as_deref(), Some("c2"));
    let head = super::view::header::line(&m, 200).to_string();
    assert!(head.contains("question 2 of at most 5"), "{head}");
    // Answered the other way, c2 goes last without another question about it.
    keys(&mut m, &[ChooseLeft]);
    assert_eq!(question(&m), ("c1".into(), "c3".into()));
}

#[test]
fn undo_of_a_complete_sort_takes_back_the_ranking_and_its_last_question() {
    let mut m = sort_model(&[3, 2], &[]);
    answer_by(&mut m, &["c0", "c1", "c2"]);
    assert_eq!(m.view.item.id, "q1");
    let ev = keys(&mut m, &[Undo]);
    assert_eq!(ev.len(), 2, "{ev:#?}");
    assert!(ev.iter().all(|e| e.retract));
    assert_eq!(ev[0].task, TaskKind::Rank);
    assert_eq!(ev[1].task, TaskKind::Pair);
    assert_eq!(m.view.item.id, "q0");
    assert!(!m.view.sort.as_ref().unwrap().sorter.is_complete());
    assert_eq!(m.decided_count(), 0);
    // Answering it again records the ranking again.
    let again = answer_by(&mut m, &["c0", "c1", "c2"]);
    assert_eq!(
        again.last().unwrap().ranking,
        Some(ids(&[&["c0"], &["c1"], &["c2"]]))
    );
}

#[test]
fn resume_goes_on_with_the_item_left_mid_sort() {
    let mut first = sort_model(&[4, 3], &[]);
    let ev = keys(&mut first, &[ChooseLeft, ChooseRight]);
    assert_eq!(ev.len(), 2);
    let mut m = sort_model(&[4, 3], &ev);
    assert_eq!(m.view.item.id, "q0", "not the next item");
    assert_eq!(question(&m), ("c0".into(), "c2".into()));
    let head = super::view::header::line(&m, 200).to_string();
    assert!(head.contains("question 3 of at most"), "{head}");
    // Finishing it gives the same ranking as without the break.
    let rest = answer_by(&mut m, &["c2", "c0", "c3", "c1"]);
    assert_eq!(
        rest.last().unwrap().ranking,
        Some(ids(&[&["c2"], &["c0"], &["c3"], &["c1"]]))
    );
    assert_eq!(rest.last().unwrap().asked.as_ref().unwrap().len(), 5);
}

#[test]
fn resume_goes_on_with_an_item_left_mid_sort_past_an_open_one() {
    // q0 passed over, q1 left after one question: a new session goes on with q1, not q0.
    let mut first = sort_model(&[3, 3], &[]);
    let mut ev = keys(&mut first, &[NextTask]);
    assert_eq!(first.view.item.id, "q1");
    ev.extend(keys(&mut first, &[ChooseLeft]));
    assert_eq!(ev.len(), 1);
    let m = sort_model(&[3, 3], &ev);
    assert_eq!(m.view.item.id, "q1", "not the open q0 before it");
}

#[test]
fn rank_keys_are_not_sort_keys() {
    let mut m = sort_model(&[3], &[]);
    assert!(keys(&mut m, &[Number(3)]).is_empty());
    assert!(
        m.status.as_deref().unwrap_or("").contains("1 or a"),
        "{:?}",
        m.status
    );
    assert!(keys(&mut m, &[Submit, TieNext, RemovePick]).is_empty());
    let ev = keys(&mut m, &[Skip]);
    assert_eq!((ev[0].task, ev[0].skip), (TaskKind::Rank, true));
}

/// A pair-mode model of one item with three candidates, tasks (c0,c1), (c0,c2), (c1,c2) in
/// file order; `check` is the task file's `check_cycles`.
fn pair_model(check: bool) -> Model {
    Model::new(Setup {
        file_label: "t.jsonl".into(),
        size: (120, 40),
        spec: TaskSpec {
            check_cycles: check,
            ..TaskSpec::default()
        },
        ..Setup::new(dataset(&[3]), "alice", TaskKind::Pair)
    })
    .unwrap()
}

/// One key after `ms` milliseconds on the task; the events written.
fn key_after(m: &mut Model, a: Action, ms: u64) -> Vec<Event> {
    let mut out = Vec::new();
    let at = m.now_ms + ms;
    let mut fx = update(m, Msg::Key(a), at);
    while let Some(Effect::Append { seq, event }) = fx.pop() {
        out.push(*event);
        fx = update(m, Msg::Saved(seq), at);
    }
    out
}

/// c0 > c1 (5 s), c2 > c0 (1 s), c1 > c2 (3 s) go round in a circle; the quickest answer of the
/// three, c0 against c2, is asked once more, and answered the other way the circle is gone.
#[test]
fn a_three_cycle_in_pair_mode_is_found_and_its_weakest_pair_asked_again() {
    let mut m = pair_model(true);
    key_after(&mut m, ChooseLeft, 5000);
    key_after(&mut m, ChooseRight, 1000);
    key_after(&mut m, ChooseLeft, 3000);
    assert_ne!(m.overlay, Overlay::Done);
    assert_eq!(question(&m).0.as_str().min(question(&m).1.as_str()), "c0");
    assert_eq!(question(&m).0.as_str().max(question(&m).1.as_str()), "c2");
    // Told by its size: the candidate ids are not on screen, and letters would clash with
    // the panes' A and B.
    assert!(
        m.status
            .as_deref()
            .unwrap_or("")
            .contains("go round in a circle of 3:"),
        "{:?}",
        m.status
    );
    let left_is_c0 = question(&m).0 == "c0";
    let ev = key_after(
        &mut m,
        if left_is_c0 { ChooseLeft } else { ChooseRight },
        2000,
    );
    assert_eq!(ev[0].via.as_deref(), Some("cycle"));
    assert_eq!(ev[0].choice.as_deref(), Some("c0"));
    assert_eq!(m.overlay, Overlay::Done);
}

#[test]
fn a_cycle_is_asked_about_once_and_not_with_check_cycles_off() {
    let mut m = pair_model(true);
    key_after(&mut m, ChooseLeft, 5000);
    key_after(&mut m, ChooseRight, 1000);
    key_after(&mut m, ChooseLeft, 3000);
    // The same answer again: the circle stays, and is not asked about a second time.
    let same = if question(&m).0 == "c2" {
        ChooseLeft
    } else {
        ChooseRight
    };
    key_after(&mut m, same, 1000);
    assert_eq!(m.overlay, Overlay::Done);

    let mut m = pair_model(false);
    key_after(&mut m, ChooseLeft, 5000);
    key_after(&mut m, ChooseRight, 1000);
    key_after(&mut m, ChooseLeft, 3000);
    assert_eq!(m.overlay, Overlay::Done);
}

/// With `verify = 1`, every pair the sort inferred is asked again once the ranking is recorded,
/// the other way round; an answer against the ranking is asked once more.
#[test]
fn verify_asks_the_inferred_pairs_again_swapped_and_a_contradiction_once_more() {
    let mut m = Model::new(Setup {
        file_label: "t.jsonl".into(),
        decisions: Decisions::default(),
        size: (120, 40),
        spec: TaskSpec {
            mode: Some(TaskKind::Rank),
            sort: true,
            verify: 1.0,
            ..TaskSpec::default()
        },
        ..Setup::new(dataset(&[4, 2]), "alice", TaskKind::Rank)
    })
    .unwrap();
    // c2 > c0 > c3 > c1 asks 5 of the 6 pairs (the test above): c2 > c3 is inferred.
    let ev = answer_by_until_ranked(&mut m, &["c2", "c0", "c3", "c1"]);
    assert_eq!(ev.last().unwrap().task, TaskKind::Rank);
    assert_eq!(m.view.item.id, "q0", "the item stays for its check");
    let head = super::view::header::line(&m, 200).to_string();
    assert!(head.contains("check 1 of 1"), "{head}");
    let (l, r) = question(&m);
    let mut pair = [l.clone(), r.clone()];
    pair.sort();
    assert_eq!(pair, ["c2", "c3"]);
    // Sides swapped from how a question about the pair is shown.
    let item = m.view.item.clone();
    let (ql, _) = crate::tasks::sides(&item, "alice", 2, 3, m.shuffle);
    assert_ne!(item.candidates[ql].id, l);
    // Against the ranking: c3 over c2. Logged, and asked once more.
    let against = if l == "c3" { ChooseLeft } else { ChooseRight };
    let ev = keys(&mut m, &[against]);
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0].via.as_deref(), Some("verify"));
    assert_eq!(ev[0].choice.as_deref(), Some("c3"));
    assert_eq!(m.view.item.id, "q0");
    let head = super::view::header::line(&m, 200).to_string();
    assert!(head.contains("check 1 of 1, once more"), "{head}");
    assert!(
        m.status
            .as_deref()
            .unwrap_or("")
            .contains("against your ranking")
    );
    // This time with the ranking: recorded as asked again, and on to the next item.
    let with = if l == "c2" { ChooseLeft } else { ChooseRight };
    let ev = keys(&mut m, &[with]);
    assert_eq!(ev[0].via.as_deref(), Some("verify-again"));
    assert_eq!(ev[0].choice.as_deref(), Some("c2"));
    assert_eq!(m.view.item.id, "q1");
    // Without verify the same answers move straight on.
    let mut plain = sort_model(&[4, 2], &[]);
    answer_by_until_ranked(&mut plain, &["c2", "c0", "c3", "c1"]);
    assert_eq!(plain.view.item.id, "q1");
}

/// Answers questions by a true order until the item's ranking is recorded.
fn answer_by_until_ranked(m: &mut Model, best_first: &[&str]) -> Vec<Event> {
    let mut out = Vec::new();
    while !out.iter().any(|e: &Event| e.task == TaskKind::Rank) {
        let (l, r) = question(m);
        let rank = |id: &str| best_first.iter().position(|c| *c == id).unwrap();
        let key = if rank(&l) < rank(&r) {
            ChooseLeft
        } else {
            ChooseRight
        };
        out.extend(keys(m, &[key]));
    }
    out
}
