//! Hidden repeats on the labeling screen: a share of the labeler's decided tasks comes back at
//! least twenty decisions later, sides swapped, logged as a repeat beside the first decision.

use super::keymap::Action;
use super::model::{Model, Overlay, REPEAT_MIN_GAP, Setup, repeat_draw};
use super::update::{Effect, Msg, update};
use super::update_tests::dataset;
use crate::labels::{Decisions, Event, TaskKind};
use crate::taskfile::TaskSpec;

const RATE: f64 = 0.2;

fn model(n: usize, decisions: Decisions) -> Model {
    let spec = TaskSpec {
        repeat: RATE,
        ..TaskSpec::default()
    };
    Model::new(Setup {
        file_label: "t.jsonl".into(),
        size: (120, 40),
        spec,
        decisions,
        ..Setup::new(dataset(&vec![2; n]), "alice", TaskKind::Pair)
    })
    .unwrap()
}

/// Presses `action` once; the events written.
fn press(m: &mut Model, action: Action) -> Vec<Event> {
    let at = m.now_ms + 1000;
    let mut out = Vec::new();
    for fx in update(m, Msg::Key(action), at) {
        if let Effect::Append { seq, event } = fx {
            out.push(*event);
            update(m, Msg::Saved(seq), at);
        }
    }
    out
}

fn label_all(m: &mut Model) -> Vec<Event> {
    let mut out = Vec::new();
    for _ in 0..1000 {
        if m.overlay == Overlay::Done {
            return out;
        }
        out.extend(press(m, Action::ChooseLeft));
    }
    panic!("never done: {} decisions", out.len());
}

#[test]
fn drawn_tasks_come_back_once_later_with_the_sides_swapped_and_count_once() {
    let n = 80;
    let mut m = model(n, Decisions::new());
    let events = label_all(&mut m);
    let first: Vec<&Event> = events.iter().filter(|e| !e.repeat).collect();
    let repeats: Vec<(usize, &Event)> = events
        .iter()
        .enumerate()
        .filter(|(_, e)| e.repeat)
        .collect();
    // Every task decided once as itself; the ones drawn and due before the end came back.
    assert_eq!(first.len(), n);
    let drawn: Vec<(usize, usize)> = first
        .iter()
        .enumerate()
        .filter_map(|(p, e)| repeat_draw("alice", &e.key(), RATE).map(|d| (p, d)))
        .collect();
    let due = drawn.iter().filter(|&&(p, d)| n - 1 - p >= d).count();
    assert!(due >= 5, "seed gives too few: {drawn:?}");
    assert_eq!(repeats.len(), due, "{drawn:?}");
    let mut keys: Vec<_> = repeats.iter().map(|(_, e)| e.key()).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), repeats.len(), "a task repeated twice");
    for &(at, r) in &repeats {
        let (orig_at, orig) = events
            .iter()
            .enumerate()
            .find(|(_, e)| !e.repeat && e.key() == r.key())
            .unwrap();
        let between = events[orig_at + 1..at].iter().filter(|e| !e.repeat).count();
        assert!(between >= REPEAT_MIN_GAP, "{} back: {between}", r.item);
        let (a, b) = (orig.pair.clone().unwrap(), r.pair.clone().unwrap());
        assert_eq!([a[1].clone(), a[0].clone()], b, "sides not swapped");
        // The labeler always pressed "left": the repeat chose the other candidate.
        assert_ne!(orig.choice, r.choice);
    }
    // Counted once: the decided count, the session's count (the end screen says it) and the
    // standing decisions are the first ones.
    assert_eq!(m.decided_count(), n);
    assert_eq!(m.session_decisions, n);
    for (_, r) in &repeats {
        let standing = m.decisions.get(&r.key()).unwrap();
        assert!(!standing.repeat, "a repeat replaced the first decision");
        assert_eq!(m.decisions.repeat_of(&r.key()), Some(*r));
    }
}

#[test]
fn undo_takes_back_the_repeat_only_and_a_resume_serves_the_same_repeats() {
    let n = 80;
    let mut m = model(n, Decisions::new());
    let mut events = Vec::new();
    // Up to the first repeat.
    while !events.last().is_some_and(|e: &Event| e.repeat) {
        assert!(events.len() < 200, "no repeat served");
        events.extend(press(&mut m, Action::ChooseLeft));
    }
    let r = events.last().unwrap().clone();
    let undo = press(&mut m, Action::Undo);
    assert_eq!(undo.len(), 1);
    assert!(undo[0].retract && undo[0].repeat, "{:?}", undo[0]);
    assert!(m.decisions.repeat_of(&r.key()).is_none());
    assert!(m.decisions.get(&r.key()).is_some_and(|e| !e.repeat));
    assert_eq!(m.decided_count(), events.len() - 1);
    assert_eq!(m.session_decisions, events.len() - 1);
    // Back on screen as the repeat it was: sides swapped, still logged as a repeat.
    assert!(m.repeat_on_screen);
    let again = press(&mut m, Action::ChooseRight);
    assert!(again[0].repeat && again[0].pair == r.pair, "{:?}", again[0]);
    events.extend(undo);
    events.extend(again);
    // A resumed session (the log replayed) serves the repeats the first one would have.
    let mut rest = Vec::new();
    let mut resumed = model(n, Decisions::from_events(&events));
    let start = resumed.resume_point().unwrap();
    resumed.go_to(start);
    for _ in 0..30 {
        rest.push(m.repeat_due().map(|i| m.key_of(i)));
        assert_eq!(resumed.repeat_due(), m.repeat_due());
        press(&mut m, Action::ChooseLeft);
        press(&mut resumed, Action::ChooseLeft);
    }
    assert!(
        rest.iter().any(Option::is_some),
        "no repeat due in 30 decisions"
    );
}
