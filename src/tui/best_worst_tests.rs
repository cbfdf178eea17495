//! Best-worst mode on the labeling screen: the best, then the worst, recorded as one event;
//! undo steps back one press; tuples of a task file's `tuple = K`; items too small for it.

use super::keymap::Action::{self, *};
use super::model::{Model, Setup};
use super::update::{Effect, Msg, update};
use super::update_tests::dataset;
use crate::labels::{Decisions, Event, TaskKind};
use crate::taskfile::TaskSpec;

fn bw_model(counts: &[usize], tuple: Option<usize>, events: &[Event]) -> Model {
    Model::new(Setup {
        file_label: "t.jsonl".into(),
        decisions: Decisions::from_events(events),
        size: (160, 40),
        spec: TaskSpec {
            mode: Some(TaskKind::BestWorst),
            tuple,
            ..TaskSpec::default()
        },
        shuffle: false,
        ..Setup::new(dataset(counts), "alice", TaskKind::BestWorst)
    })
    .unwrap()
}

/// Sends keys a second apart; returns the events handed to the writer, each confirmed saved.
fn keys(m: &mut Model, actions: &[Action]) -> Vec<Event> {
    let mut out = Vec::new();
    for &a in actions {
        let at = m.now_ms + 1000;
        let mut fx = update(m, Msg::Key(a), at);
        while let Some(Effect::Append { seq, event }) = fx.pop() {
            out.push(*event);
            fx = update(m, Msg::Saved(seq), at);
        }
    }
    out
}

fn shown(m: &Model) -> Vec<String> {
    let item = &m.view.item;
    m.view
        .order
        .iter()
        .map(|&c| item.candidates[c].id.clone())
        .collect()
}

#[test]
fn the_first_number_picks_the_best_and_the_second_the_worst_which_records() {
    let mut m = bw_model(&[4, 4], None, &[]);
    assert_eq!(shown(&m), ["c0", "c1", "c2", "c3"]);
    assert!(
        keys(&mut m, &[Number(3)]).is_empty(),
        "the best alone records nothing"
    );
    // The same number again cannot be the worst too.
    assert!(keys(&mut m, &[Number(3)]).is_empty());
    assert!(
        m.status
            .as_deref()
            .unwrap_or("")
            .contains("already the best")
    );
    let evs = keys(&mut m, &[Number(2)]);
    assert_eq!(evs.len(), 1);
    let e = &evs[0];
    assert_eq!(e.task, TaskKind::BestWorst);
    assert_eq!(
        (e.best.as_deref(), e.worst.as_deref()),
        (Some("c2"), Some("c1"))
    );
    assert_eq!(e.shown.as_deref().unwrap(), ["c0", "c1", "c2", "c3"]);
    // All candidates in one tuple: no tuple name, one task per item.
    assert_eq!(e.tuple, None);
    assert_eq!(m.tasks.len(), 2);
    assert_eq!(m.view.item.id, "q1");
    e.check().unwrap();
}

#[test]
fn undo_steps_back_one_press_and_backspace_another() {
    let mut m = bw_model(&[3, 3], None, &[]);
    keys(&mut m, &[Number(1), Number(3)]);
    assert_eq!(m.view.item.id, "q1");
    let undo = keys(&mut m, &[Undo]);
    assert_eq!(undo.len(), 1);
    assert!(undo[0].retract);
    assert_eq!(undo[0].task, TaskKind::BestWorst);
    // Back on the item, the best still picked, the worst asked again.
    assert_eq!(m.view.item.id, "q0");
    assert_eq!(m.view.draft.rank().unwrap().tiers, vec![vec![0]]);
    // Bksp takes back the best as well; then a new pick of both records.
    keys(&mut m, &[RemovePick]);
    assert!(m.view.draft.rank().unwrap().tiers.is_empty());
    let evs = keys(&mut m, &[Number(2), Number(1)]);
    assert_eq!(
        (evs[0].best.as_deref(), evs[0].worst.as_deref()),
        (Some("c1"), Some("c0"))
    );
}

#[test]
fn tuples_are_tasks_of_their_own_named_in_the_log_and_resume_skips_the_decided() {
    // 5 candidates, 3 at a time: 4 tuples.
    let mut m = bw_model(&[5], Some(3), &[]);
    assert_eq!(m.tasks.len(), 4);
    assert_eq!(m.view.order.len(), 3);
    let first = shown(&m);
    let evs = keys(&mut m, &[Number(1), Number(2)]);
    let mut sorted = first.clone();
    sorted.sort();
    assert_eq!(evs[0].tuple.as_deref(), Some(sorted.join(",").as_str()));
    assert_eq!(evs[0].shown.as_deref(), Some(first.as_slice()));
    assert_ne!(shown(&m), first, "the next tuple");
    // A new session over the same log starts at the second tuple.
    let mut again = bw_model(&[5], Some(3), &evs);
    let at = again.resume_point().unwrap();
    assert_eq!(at, 1);
    again.go_to(at);
    assert_eq!(again.decided_count(), 1);
}

#[test]
fn a_resume_goes_on_after_the_last_tuple_decided_not_from_the_first() {
    // 5 candidates, 3 at a time: 4 tuples. The first is passed over, the second decided: a new
    // session opens at the third, after the last decision, not at the open first one.
    let mut m = bw_model(&[5], Some(3), &[]);
    let mut evs = keys(&mut m, &[NextTask]);
    assert_eq!(m.current, 1);
    evs.extend(keys(&mut m, &[Number(1), Number(2)]));
    assert_eq!(evs.len(), 1);
    let again = bw_model(&[5], Some(3), &evs);
    assert_eq!(again.current, 2);
}

#[test]
fn items_of_fewer_than_three_candidates_are_left_out_with_a_reason() {
    let m = bw_model(&[2, 3], None, &[]);
    assert_eq!(m.tasks.len(), 1);
    assert_eq!(m.too_many, 1);
    let why = m.first_left_out.as_deref().unwrap();
    assert!(
        why.contains("needs 3 or more") && why.contains("--mode pair"),
        "{why}"
    );
}
