//! Editing a candidate (`e`, `E`): `update` tests (keys in, model and effects out) and view
//! tests on a TestBackend.

use crossterm::event::KeyCode;

use super::keymap::Action::{self, *};
use super::model::{Focus, Model, Setup};
use super::update::{Effect, Msg, update};
use super::update_tests::dataset;
use crate::key::Key;
use crate::labels::{Decisions, Event, TaskKey, TaskKind};

fn model(mode: TaskKind, size: (u16, u16), events: &[Event]) -> Model {
    let mut m = Model::new(Setup {
        file_label: "t.jsonl".into(),
        size,
        decisions: Decisions::from_events(events),
        ..Setup::new(dataset(&[2, 2, 3]), "alice", mode)
    })
    .unwrap();
    update(&mut m, Msg::Resize(size.0, size.1), 0);
    m
}

/// Sends one message a second after the last; returns the events for the writer (confirmed as
/// saved) and any other effects.
fn send(m: &mut Model, msg: Msg) -> (Vec<Event>, Vec<Effect>) {
    let at = m.now_ms + 1000;
    let (mut evs, mut other) = (Vec::new(), Vec::new());
    for fx in update(m, msg, at) {
        match fx {
            Effect::Append { seq, event } => {
                evs.push(*event);
                update(m, Msg::Saved(seq), at);
            }
            fx => other.push(fx),
        }
    }
    (evs, other)
}

fn act(m: &mut Model, a: Action) -> Vec<Event> {
    send(m, Msg::Key(a)).0
}

fn key(m: &mut Model, k: Key) -> Vec<Event> {
    send(m, Msg::Edit(k)).0
}

fn typed(m: &mut Model, s: &str) {
    for c in s.chars() {
        key(m, Key::ch(c));
    }
}

fn screen(m: &Model) -> String {
    crate::testutil::drawn(m, m.size.0, m.size.1)
}

#[test]
fn e_edits_the_focused_answer_and_saving_records_an_edit_event_without_moving_on() {
    let mut m = model(TaskKind::Pair, (120, 40), &[]);
    act(&mut m, FocusRight);
    assert!(act(&mut m, EditCandidate).is_empty());
    let ce = m.candidate_edit.as_ref().expect("the editor is open");
    assert_eq!(ce.source, "c1");
    assert_eq!(ce.original, "answer 1 of item 0");
    typed(&mut m, ", with sources");
    let saved = key(&mut m, Key::plain(KeyCode::Esc));
    assert_eq!(saved.len(), 1, "{:?}", m.status);
    let e = &saved[0];
    assert_eq!(e.task, TaskKind::Edit);
    assert_eq!((e.item.as_str(), e.source.as_deref()), ("q0", Some("c1")));
    assert_eq!(e.text.as_deref(), Some("answer 1 of item 0, with sources"));
    assert_eq!(e.annotator, "alice");
    assert!(e.item_hash.is_some() && e.ms.is_some());
    assert!(m.candidate_edit.is_none());
    assert_eq!(
        m.current, 0,
        "an edit does not move on: the task is still to decide"
    );
    assert_eq!(m.decided_count(), 0, "an edit is not a decision");
    assert_eq!(m.session_decisions, 0);
    assert!(m.status.as_deref().unwrap().contains("c1+edit:alice"));
    // Opened again, the editor starts from the edit; the original stays the file's.
    act(&mut m, EditCandidate);
    let ce = m.candidate_edit.as_ref().unwrap();
    assert_eq!(ce.start, "answer 1 of item 0, with sources");
    assert_eq!(ce.original, "answer 1 of item 0");
    assert_eq!(m.view.item.candidates[1].text, "answer 1 of item 0");
}

#[test]
fn an_unchanged_text_saves_nothing_an_empty_one_is_refused_and_ctrl_c_cancels() {
    let mut m = model(TaskKind::Pair, (120, 40), &[]);
    act(&mut m, EditCandidate);
    assert!(key(&mut m, Key::ctrl('s')).is_empty());
    assert!(m.candidate_edit.is_none());
    assert!(m.status.as_deref().unwrap().contains("nothing changed"));

    act(&mut m, EditCandidate);
    for _ in 0.."answer 0 of item 0".len() {
        key(&mut m, Key::plain(KeyCode::Backspace));
    }
    typed(&mut m, "   ");
    assert!(key(&mut m, Key::plain(KeyCode::Esc)).is_empty());
    assert!(m.candidate_edit.is_some(), "the editor stays open");
    assert!(m.status.as_deref().unwrap().contains("empty answer"));

    typed(&mut m, "new");
    assert!(key(&mut m, Key::ctrl('c')).is_empty());
    assert!(m.candidate_edit.is_none());
    assert!(m.status.as_deref().unwrap().contains("cancelled"));
    assert!(m.decisions.get(&TaskKey::edit("q0", "c0")).is_none());
}

#[test]
fn e_on_the_prompt_pane_says_what_to_focus() {
    let mut m = model(TaskKind::Rank, (120, 40), &[]);
    act(&mut m, FocusPrompt);
    assert_eq!(m.view.focus, Focus::Prompt);
    act(&mut m, EditCandidate);
    assert!(m.candidate_edit.is_none());
    assert!(m.status.as_deref().unwrap().contains("focus an answer"));
}

#[test]
fn capital_e_hands_the_text_to_the_external_editor_and_takes_its_answer() {
    let mut m = model(TaskKind::Pair, (120, 40), &[]);
    let (evs, fx) = send(&mut m, Msg::Key(EditExternal));
    assert!(evs.is_empty());
    assert_eq!(
        fx,
        vec![Effect::ExternalEdit {
            source: "c0".into(),
            text: "answer 0 of item 0".into()
        }]
    );
    let back = |result| Msg::EditedExternally {
        source: "c0".into(),
        start: "answer 0 of item 0".into(),
        result,
    };
    let (evs, _) = send(
        &mut m,
        back(Err("the editor \"false\" exited with status 1".into())),
    );
    assert!(evs.is_empty());
    assert!(m.status.as_deref().unwrap().starts_with("edit cancelled"));
    // An editor leaves a final newline: that alone is no change.
    let (evs, _) = send(&mut m, back(Ok("answer 0 of item 0\n".into())));
    assert!(evs.is_empty());
    let (evs, _) = send(&mut m, back(Ok("\n  \n".into())));
    assert!(evs.is_empty());
    assert!(m.status.as_deref().unwrap().contains("empty answer"));
    let (evs, _) = send(&mut m, back(Ok("A rewritten answer.\n".into())));
    assert_eq!(evs.len(), 1);
    assert_eq!(evs[0].text.as_deref(), Some("A rewritten answer."));
    assert_eq!(evs[0].source.as_deref(), Some("c0"));
}

#[test]
fn undo_takes_an_edit_back_with_a_retraction() {
    let mut m = model(TaskKind::Pair, (120, 40), &[]);
    act(&mut m, ChooseLeft);
    act(&mut m, EditCandidate);
    typed(&mut m, "!");
    let saved = key(&mut m, Key::plain(KeyCode::Esc));
    assert_eq!(saved[0].item, "q1");
    let undone = act(&mut m, Undo);
    assert_eq!(undone.len(), 1);
    let u = &undone[0];
    assert!(u.retract);
    assert_eq!(u.task, TaskKind::Edit);
    assert_eq!(u.source.as_deref(), Some("c0"));
    assert_eq!(u.key(), TaskKey::edit("q1", "c0"));
    assert!(m.my_edit_of("c0").is_none());
    assert!(
        m.status
            .as_deref()
            .unwrap()
            .contains("edit of \"c0\" is taken back")
    );
    // The next undo takes back the decision before it.
    let undone = act(&mut m, Undo);
    assert_eq!(undone[0].task, TaskKind::Pair);
    assert_eq!(m.current, 0);
}

#[test]
fn a_session_resumes_on_the_item_of_a_last_edit() {
    let mut decide = Event::new("alice", "q0", None, TaskKind::Pair);
    decide.pair = Some(["c0".into(), "c1".into()]);
    decide.choice = Some("c0".into());
    let edit = Event::edit("alice", "q2", None, "c1", "better");
    // Edited q2 (its first pair) and quit before deciding it: back on q2's first pair.
    let m = model(TaskKind::Pair, (120, 40), &[decide.clone(), edit]);
    assert_eq!(m.view.item.id, "q2");
    assert_eq!(m.current, 2);
    assert!(m.my_edit_of("c1").is_some());
    assert_eq!(m.decided_count(), 1);
    // Without the edit, the session resumes after the last decision.
    let m = model(TaskKind::Pair, (120, 40), &[decide]);
    assert_eq!(m.view.item.id, "q1");
}

#[test]
fn the_editor_shows_the_original_beside_it_when_wide_and_on_tab_when_narrow() {
    let mut m = model(TaskKind::Pair, (120, 30), &[]);
    act(&mut m, FocusRight);
    act(&mut m, EditCandidate);
    typed(&mut m, " EDITED");
    let s = screen(&m);
    assert!(s.contains("✎ edit of [2] B (c1)"), "{s}");
    assert!(s.contains("answer 1 of item 0 EDITED"), "{s}");
    assert!(s.contains("original [2] B (c1)"), "{s}");
    assert!(s.contains("Ctrl-C cancel"), "{s}");

    let mut m = model(TaskKind::Pair, (80, 24), &[]);
    act(&mut m, EditCandidate);
    typed(&mut m, " EDITED");
    let s = screen(&m);
    assert!(s.contains("answer 0 of item 0 EDITED"), "{s}");
    assert!(!s.contains("original [1] A"), "{s}");
    assert!(s.contains("Tab original"), "{s}");
    key(&mut m, Key::plain(KeyCode::Tab));
    let s = screen(&m);
    assert!(s.contains("original [1] A (c0)"), "{s}");
    assert!(!s.contains("EDITED"), "{s}");
    // Keys other than Tab and Esc do not edit what is not shown.
    key(&mut m, Key::ch('x'));
    key(&mut m, Key::plain(KeyCode::Tab));
    assert_eq!(
        m.candidate_edit.as_ref().unwrap().editor.text(),
        "answer 0 of item 0 EDITED"
    );
}

#[test]
fn an_edited_answer_is_marked_in_its_pane_title_unless_the_item_changed_since() {
    let mut stale = Event::edit("alice", "q0", Some("an older version"), "c0", "old edit");
    stale.at = "2026-01-01T00:00:00.000Z".into();
    let edit = Event::edit("alice", "q0", None, "c1", "better");
    let m = model(TaskKind::Pair, (120, 30), &[stale, edit]);
    assert!(m.my_edit_of("c0").is_none());
    let s = screen(&m);
    let titles = s.lines().find(|l| l.contains("[2] B")).unwrap();
    let (a, b) = titles.split_once("[2] B").unwrap();
    assert!(b.contains("✎ edited"), "{titles}");
    assert!(!a.contains("✎"), "{titles}");
}

#[test]
fn footer_and_help_name_the_edit_keys() {
    // Tall enough for the whole help.
    let mut m = model(TaskKind::Rank, (160, 50), &[]);
    let s = screen(&m);
    let footer = s.lines().rev().find(|l| !l.trim().is_empty()).unwrap();
    assert!(footer.contains("e edit"), "{footer}");
    act(&mut m, Help);
    let s = screen(&m);
    assert!(
        s.contains("edit the focused answer into a better one"),
        "{s}"
    );
    assert!(
        s.contains("edit the focused answer in $VISUAL / $EDITOR"),
        "{s}"
    );
}

#[test]
fn review_shows_a_teammates_edit_under_its_source_as_a_word_diff() {
    use super::review::Filter;
    use super::update::start_review;
    let mut m = model(TaskKind::Rank, (140, 40), &[]);
    let mut rank = Event::new("ann", "q0", None, TaskKind::Rank);
    rank.ranking = Some(vec![vec!["c1".into()], vec!["c0".into()]]);
    m.apply_others(vec![
        rank,
        Event::edit("ann", "q0", None, "c1", "answer one of item 0, corrected"),
    ]);
    assert_eq!(
        m.team.others_on(&TaskKey::new("q0", TaskKind::Rank)),
        1,
        "the edit is not counted as a decision"
    );
    assert!(
        m.team.others()["ann"]
            .get(&TaskKey::edit("q0", "c1"))
            .is_some()
    );
    start_review(&mut m, Filter::All);
    assert_eq!(m.view.item.id, "q0");
    let s = screen(&m);
    assert!(s.contains("ann's edit, as a word diff"), "{s}");
    assert!(
        s.contains("answer [-1-]{+one+} of item 0{+, corrected+}"),
        "{s}"
    );
    // The candidate's own text is still there above it; c0 has no edit.
    assert!(s.contains("answer 1 of item 0"), "{s}");
    assert_eq!(s.matches("'s edit").count(), 1, "{s}");
    // Editing in review starts from the file's text, not the text with the diff under it.
    act(&mut m, FocusRight);
    act(&mut m, EditCandidate);
    let ce = m.candidate_edit.as_ref().unwrap();
    assert_eq!(
        (ce.source.as_str(), ce.start.as_str()),
        ("c1", "answer 1 of item 0")
    );
    key(&mut m, Key::ctrl('c'));
    // A final decision in review is still about the candidates the file has.
    let ev = act(&mut m, Number(2));
    let ev = if ev.is_empty() {
        act(&mut m, Submit)
    } else {
        ev
    };
    assert_eq!(ev[0].ranking.clone().unwrap()[0], vec!["c1".to_string()]);
}
