//! Behaviour tests of `update`: keys in, model and effects out. No terminal, no files.

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::json;

use super::keymap::Action;
use super::model::{Focus, Model, Overlay, SaveState, Setup};
use super::update::{Effect, Msg, update};
use crate::format::{Dataset, FileKind, parse_item};
use crate::labels::{Decisions, Event, TaskKey, TaskKind};

/// A dataset of items with the given numbers of candidates (`q0`, `q1`, ... with `c0`, `c1`, ...).
pub(super) fn dataset(counts: &[usize]) -> Arc<Dataset> {
    let items = counts
        .iter()
        .enumerate()
        .map(|(i, &n)| {
            let cands: Vec<serde_json::Value> = (0..n)
                .map(|k| json!({"id": format!("c{k}"), "text": format!("answer {k} of item {i}")}))
                .collect();
            Arc::new(
                parse_item(
                    json!({"id": format!("q{i}"), "prompt": format!("question {i}"), "candidates": cands}),
                    i + 1,
                )
                .unwrap(),
            )
        })
        .collect();
    Arc::new(Dataset {
        path: PathBuf::from("t.jsonl"),
        kind: FileKind::JsonLines,
        items,
    })
}

fn team_model(counts: &[usize], mode: TaskKind, overlap: usize) -> Model {
    let d = dataset(counts);
    Model::new(Setup {
        file_label: "t.jsonl".into(),
        overlap,
        size: (120, 40),
        ..Setup::new(d, "alice", mode)
    })
    .unwrap()
}

fn rank_by(who: &str, item: &str) -> Event {
    let mut e = Event::new(who, item, None, TaskKind::Rank);
    e.ranking = Some(vec![vec!["c0".into()], vec!["c1".into()]]);
    e
}

fn model_with(counts: &[usize], mode: TaskKind, events: &[Event]) -> Model {
    let d = dataset(counts);
    Model::new(Setup {
        file_label: "t.jsonl".into(),
        decisions: Decisions::from_events(events),
        size: (120, 40),
        ..Setup::new(d, "alice", mode)
    })
    .unwrap()
}

fn model(counts: &[usize], mode: TaskKind) -> Model {
    model_with(counts, mode, &[])
}

/// Sends keys a second apart (slower than the typeahead guard); returns the events handed to
/// the writer, confirming each as saved.
fn keys(m: &mut Model, actions: &[Action]) -> Vec<Event> {
    let mut out = Vec::new();
    for &a in actions {
        let at = m.now_ms + 1000;
        for fx in update(m, Msg::Key(a), at) {
            if let Effect::Append { seq, event } = fx {
                out.push(*event);
                update(m, Msg::Saved(seq), at);
            }
        }
    }
    out
}

use Action::*;

#[test]
fn pair_keys_decide_and_move_on() {
    let mut m = model(&[2, 2, 2, 2], TaskKind::Pair);
    let ev = keys(&mut m, &[ChooseLeft, Number(2), Tie, BothBad]);
    assert_eq!(ev.len(), 4);
    assert_eq!(ev[0].choice.as_deref(), Some("c0"));
    assert_eq!(ev[0].pair, Some(["c0".into(), "c1".into()]));
    assert_eq!(ev[1].choice.as_deref(), Some("c1"));
    assert_eq!(ev[1].item, "q1");
    assert_eq!(ev[2].choice.as_deref(), Some("tie"));
    assert_eq!(ev[3].choice.as_deref(), Some("both_bad"));
    assert!(
        ev.iter()
            .all(|e| e.task == TaskKind::Pair && e.item_hash.is_some())
    );
    assert_eq!(m.decided_count(), 4);
    assert_eq!(m.overlay, Overlay::Done);
    assert_eq!(m.save, SaveState::Saved);
}

#[test]
fn an_item_with_n_candidates_gives_every_pair_in_turn() {
    let mut m = model(&[3], TaskKind::Pair);
    assert_eq!(m.tasks.len(), 3);
    let ev = keys(&mut m, &[ChooseLeft, ChooseLeft, ChooseRight]);
    let keys: Vec<TaskKey> = ev.iter().map(Event::key).collect();
    assert_eq!(
        keys,
        vec![
            TaskKey::pair("q0", "c0", "c1"),
            TaskKey::pair("q0", "c0", "c2"),
            TaskKey::pair("q0", "c1", "c2"),
        ]
    );
}

#[test]
fn rank_places_the_last_candidate_automatically() {
    let mut m = model(&[4, 3], TaskKind::Rank);
    let ev = keys(&mut m, &[Number(3), Number(1), Number(4)]);
    assert!(ev.is_empty(), "Enter is needed to submit");
    assert_eq!(
        m.view.draft.rank().unwrap().tiers,
        vec![vec![2], vec![0], vec![3], vec![1]]
    );
    assert!(m.view.draft.rank().unwrap().auto_last);
    let ev = keys(&mut m, &[Submit]);
    assert_eq!(ev.len(), 1);
    let ranking = ev[0].ranking.clone().unwrap();
    assert_eq!(
        ranking,
        vec![vec!["c2"], vec!["c0"], vec!["c3"], vec!["c1"]]
    );
    assert_eq!(ev[0].shown.clone().unwrap(), vec!["c0", "c1", "c2", "c3"]);
    assert_eq!(m.view.item.id, "q1");
}

/// Typing every number, the last included, keeps the ranking: the last is placed for you, and
/// a number on a complete ranking not yet submitted is refused (it used to start a new one:
/// on two candidates `1` then `2` recorded 2 > 1). A recorded ranking shown again is
/// replaced by a new one as before.
#[test]
fn a_number_on_a_complete_ranking_not_submitted_is_refused() {
    let mut m = model(&[2, 4], TaskKind::Rank);
    let ev = keys(&mut m, &[Number(1), Number(2)]);
    assert!(ev.is_empty());
    assert_eq!(m.view.draft.rank().unwrap().tiers, vec![vec![0], vec![1]]);
    assert!(
        m.status
            .as_deref()
            .unwrap_or("")
            .contains("[2] was placed last for you"),
        "{:?}",
        m.status
    );
    let ev = keys(&mut m, &[Submit]);
    assert_eq!(ev[0].ranking.clone().unwrap(), vec![vec!["c0"], vec!["c1"]]);
    // Four: 1 2 3 places the fourth; 2 again is refused too.
    let ev = keys(&mut m, &[Number(1), Number(2), Number(3), Number(2)]);
    assert!(ev.is_empty());
    assert_eq!(
        m.view.draft.rank().unwrap().tiers,
        vec![vec![0], vec![1], vec![2], vec![3]]
    );
    assert!(
        m.status
            .as_deref()
            .unwrap_or("")
            .contains("the ranking is complete"),
        "{:?}",
        m.status
    );
    // Back on the first, recorded: a number starts a new ranking there.
    keys(&mut m, &[PrevTask]);
    assert_eq!(m.current, 0);
    keys(&mut m, &[Number(2)]);
    assert_eq!(m.view.draft.rank().unwrap().tiers, vec![vec![1], vec![0]]);
}

#[test]
fn rank_ties_with_equals() {
    let mut m = model(&[4], TaskKind::Rank);
    keys(&mut m, &[Number(2), TieNext, Number(4), Number(1)]);
    assert_eq!(
        m.view.draft.rank().unwrap().tiers,
        vec![vec![1, 3], vec![0], vec![2]]
    );
    let ev = keys(&mut m, &[Submit]);
    assert_eq!(
        ev[0].ranking.clone().unwrap(),
        vec![vec!["c1", "c3"], vec!["c0"], vec!["c2"]]
    );
}

#[test]
fn equals_then_the_auto_placed_candidate_ties_it_with_the_rank_above() {
    let mut m = model(&[3], TaskKind::Rank);
    keys(&mut m, &[Number(1), Number(2)]);
    assert_eq!(
        m.view.draft.rank().unwrap().tiers,
        vec![vec![0], vec![1], vec![2]]
    );
    keys(&mut m, &[TieNext, Number(3)]);
    assert_eq!(
        m.view.draft.rank().unwrap().tiers,
        vec![vec![0], vec![1, 2]]
    );
}

#[test]
fn backspace_takes_back_picks_including_the_automatic_one() {
    let mut m = model(&[3], TaskKind::Rank);
    keys(&mut m, &[Number(2), Number(1)]);
    assert_eq!(m.ranked_count(), 3);
    keys(&mut m, &[RemovePick]);
    assert_eq!(m.view.draft.rank().unwrap().tiers, vec![vec![1]]);
    keys(&mut m, &[RemovePick, RemovePick]);
    assert!(m.view.draft.rank().unwrap().tiers.is_empty());
}

#[test]
fn incomplete_ranking_is_not_submitted() {
    let mut m = model(&[4], TaskKind::Rank);
    let ev = keys(&mut m, &[Number(1), Submit]);
    assert!(ev.is_empty());
    assert!(m.status.as_deref().unwrap().contains("1 of 4 placed"));
    let ev = keys(&mut m, &[Number(1)]);
    assert!(ev.is_empty());
    assert!(m.status.as_deref().unwrap().contains("already ranked #1"));
    keys(&mut m, &[Number(9)]);
    assert!(m.status.as_deref().unwrap().contains("only 4 candidates"));
}

#[test]
fn rate_moves_focus_to_the_next_unrated_and_submits_when_all_rated() {
    let mut m = model(&[3, 2], TaskKind::Rate);
    keys(&mut m, &[Number(4)]);
    assert_eq!(m.view.focus, Focus::Pane(1));
    keys(&mut m, &[FocusNext, Number(2)]);
    assert_eq!(m.view.focus, Focus::Pane(1));
    let ev = keys(&mut m, &[Submit]);
    assert!(ev.is_empty(), "one is unrated");
    assert_eq!(m.view.focus, Focus::Pane(1));
    keys(&mut m, &[Number(9)]);
    assert!(m.status.as_deref().unwrap().contains("1 to 5"));
    keys(&mut m, &[Number(5)]);
    let ev = keys(&mut m, &[Submit]);
    assert_eq!(ev.len(), 1);
    let r = ev[0].ratings.clone().unwrap();
    assert_eq!(r.get("c0"), Some(&4));
    assert_eq!(r.get("c1"), Some(&5));
    assert_eq!(r.get("c2"), Some(&2));
    assert_eq!(ev[0].scale, Some(5));
}

#[test]
fn skip_is_recorded_and_not_counted_as_decided() {
    let mut m = model(&[2, 2], TaskKind::Pair);
    let ev = keys(&mut m, &[Skip]);
    assert!(ev[0].skip);
    assert_eq!(ev[0].pair, Some(["c0".into(), "c1".into()]));
    assert_eq!(m.decided_count(), 0);
    assert_eq!(m.current, 1);
    keys(&mut m, &[ChooseLeft]);
    // Only the skipped task is left: not offered as "undecided" first, but reachable with }.
    assert_eq!(m.overlay, Overlay::Done);
    keys(&mut m, &[Cancel, NextUndecided]);
    assert_eq!(m.current, 0);
    assert!(m.view.skipped);
}

#[test]
fn with_nothing_open_the_next_skipped_task_is_the_one_after_this_wrapping() {
    // q0 and q3 skipped, q1 and q2 decided: } from q0 goes on to q3, then round to q0.
    let mut m = model(&[2, 2, 2, 2], TaskKind::Pair);
    keys(&mut m, &[Skip, ChooseLeft, ChooseLeft, Skip]);
    assert_eq!(m.overlay, Overlay::Done);
    keys(&mut m, &[Cancel]);
    m.go_to(0);
    keys(&mut m, &[NextUndecided]);
    assert_eq!(m.current, 3);
    assert!(m.view.skipped);
    keys(&mut m, &[NextUndecided]);
    assert_eq!(m.current, 0);
}

#[test]
fn undo_retracts_and_goes_back() {
    let mut m = model(&[2, 2, 2], TaskKind::Pair);
    keys(&mut m, &[ChooseLeft, ChooseRight]);
    assert_eq!(m.current, 2);
    let ev = keys(&mut m, &[Undo]);
    assert!(ev[0].retract);
    assert_eq!(ev[0].key(), TaskKey::pair("q1", "c0", "c1"));
    assert_eq!(m.current, 1);
    assert!(!m.view.decided);
    assert_eq!(m.decided_count(), 1);
    assert_eq!(m.session_decisions, 1);
    keys(&mut m, &[Undo]);
    assert_eq!(m.current, 0);
    keys(&mut m, &[Undo]);
    assert_eq!(m.status.as_deref(), Some("nothing to undo"));
}

#[test]
fn resume_opens_at_the_first_undecided_task_and_shows_recorded_decisions() {
    let mut first = Event::new("alice", "q0", None, TaskKind::Rank);
    first.ranking = Some(vec![vec!["c1".into()], vec!["c0".into(), "c2".into()]]);
    let mut m = model_with(&[3, 3, 3], TaskKind::Rank, &[first]);
    assert_eq!(m.current, 1);
    keys(&mut m, &[PrevTask]);
    assert_eq!(m.current, 0);
    assert!(m.view.decided);
    assert_eq!(
        m.view.draft.rank().unwrap().tiers,
        vec![vec![1], vec![0, 2]]
    );
    // Deciding again replaces it (by appending).
    keys(&mut m, &[Number(1), Number(2)]);
    let ev = keys(&mut m, &[Submit]);
    assert_eq!(ev[0].item, "q0");
    assert_eq!(m.decided_count(), 1);
}

#[test]
fn navigation_stays_in_bounds() {
    let mut m = model(&[2, 2], TaskKind::Pair);
    keys(&mut m, &[PrevTask]);
    assert_eq!(m.current, 0);
    assert!(m.status.as_deref().unwrap().contains("first"));
    keys(&mut m, &[NextTask, NextTask]);
    assert_eq!(m.current, 1);
    assert!(m.status.as_deref().unwrap().contains("last"));
}

#[test]
fn focus_moves_and_panes_scroll_into_view() {
    let mut m = model(&[6], TaskKind::Rank);
    update(&mut m, Msg::Resize(80, 24), 0);
    keys(&mut m, &[FocusNext, FocusNext, FocusNext]);
    assert_eq!(m.view.focus, Focus::Pane(3));
    // 80 columns show two panes: the focused one must be one of them.
    assert_eq!(m.view.first_pane, 2);
    keys(&mut m, &[FocusLeft, FocusLeft, FocusLeft, FocusLeft]);
    assert_eq!(m.view.focus, Focus::Pane(0));
    assert_eq!(m.view.first_pane, 0);
    keys(&mut m, &[FocusPrev]);
    assert_eq!(m.view.focus, Focus::Pane(5));
    keys(&mut m, &[FocusPrompt]);
    assert_eq!(m.view.focus, Focus::Prompt);
    keys(&mut m, &[FocusPrompt]);
    assert_eq!(m.view.focus, Focus::Pane(5));
}

#[test]
fn scrolling_is_clamped_to_the_content() {
    let long: String = (0..200).map(|i| format!("line {i}\n")).collect();
    let d = Arc::new(Dataset {
        path: PathBuf::from("t.jsonl"),
        kind: FileKind::JsonLines,
        items: vec![Arc::new(
            parse_item(
                json!({"id": "a", "prompt": "p", "candidates": [long, "short"]}),
                1,
            )
            .unwrap(),
        )],
    });
    let mut m = Model::new(Setup {
        file_label: "t".into(),
        ..Setup::new(d, "alice", TaskKind::Pair)
    })
    .unwrap();
    update(&mut m, Msg::Tick, 0);
    keys(&mut m, &[ScrollDown, ScrollDown]);
    assert_eq!(m.view.scroll[0], 2);
    keys(&mut m, &[Bottom]);
    let max = m.view.scroll[0];
    assert!(max > 150, "{max}");
    keys(&mut m, &[ScrollDown, PageDown]);
    assert_eq!(m.view.scroll[0], max);
    keys(&mut m, &[Top, ScrollUp]);
    assert_eq!(m.view.scroll[0], 0);
    // The short one cannot scroll.
    keys(&mut m, &[FocusNext, PageDown]);
    assert_eq!(m.view.scroll[1], 0);
}

#[test]
fn zoom_meta_help_toggle() {
    let mut m = model(&[2], TaskKind::Pair);
    keys(&mut m, &[Zoom]);
    assert!(m.zoom);
    keys(&mut m, &[Zoom, ToggleMeta]);
    assert!(!m.zoom);
    assert!(m.show_meta);
    keys(&mut m, &[Help]);
    assert_eq!(m.overlay, Overlay::Help);
    // A key while help is open only closes it.
    let ev = keys(&mut m, &[ChooseLeft]);
    assert!(ev.is_empty());
    assert_eq!(m.overlay, Overlay::None);
}

#[test]
fn nothing_is_shown_as_saved_before_the_writer_confirms() {
    let mut m = model(&[2, 2], TaskKind::Pair);
    let fx = update(&mut m, Msg::Key(ChooseLeft), 0);
    let seq = match &fx[0] {
        Effect::Append { seq, .. } => *seq,
        other => panic!("{other:?}"),
    };
    assert_eq!(m.save, SaveState::Saving(1));
    update(
        &mut m,
        Msg::SaveFailed(seq, "No space left on device".into()),
        0,
    );
    assert!(matches!(m.save, SaveState::Failed { pending: 1, .. }));
    // Quitting now asks first.
    let fx = update(&mut m, Msg::Key(Quit), 0);
    assert!(fx.is_empty());
    assert_eq!(m.overlay, Overlay::ConfirmQuit);
    update(&mut m, Msg::Key(Cancel), 0);
    // The next tick retries the same event; each failure is counted.
    let fx = update(&mut m, Msg::Tick, 1000);
    assert!(matches!(&fx[0], Effect::Append { seq: s, .. } if *s == seq));
    update(&mut m, Msg::SaveFailed(seq, "still full".into()), 1000);
    assert!(matches!(m.save, SaveState::Failed { failures: 2, .. }));
    let fx = update(&mut m, Msg::Tick, 2000);
    assert!(matches!(&fx[0], Effect::Append { seq: s, .. } if *s == seq));
    update(&mut m, Msg::Saved(seq), 1000);
    assert_eq!(m.save, SaveState::Saved);
    let fx = update(&mut m, Msg::Key(Quit), 0);
    assert_eq!(fx, vec![Effect::Quit]);
}

#[test]
fn time_on_task_is_logged() {
    let mut m = model(&[2, 2], TaskKind::Pair);
    update(&mut m, Msg::Tick, 500);
    let fx = update(&mut m, Msg::Key(ChooseLeft), 4500);
    let Effect::Append { event, seq } = &fx[0] else {
        panic!()
    };
    assert_eq!(event.ms, Some(4500));
    update(&mut m, Msg::Saved(*seq), 4600);
    // The next task starts its clock when it is shown.
    let fx = update(&mut m, Msg::Key(ChooseLeft), 6000);
    let Effect::Append { event, .. } = &fx[0] else {
        panic!()
    };
    assert_eq!(event.ms, Some(1500));
}

#[test]
fn one_write_at_a_time_in_the_order_decided() {
    // The writer works on its own thread: a decision made while the previous one is being
    // written waits, and goes out when that one is reported saved.
    let mut m = model(&[2, 2, 2], TaskKind::Pair);
    let fx = update(&mut m, Msg::Key(ChooseLeft), 0);
    let [Effect::Append { seq: first, .. }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    let first = *first;
    let fx = update(&mut m, Msg::Key(ChooseRight), 500);
    assert!(fx.is_empty(), "held while the first is on its way: {fx:?}");
    assert_eq!(m.save, SaveState::Saving(2));
    let fx = update(&mut m, Msg::Saved(first), 0);
    let [Effect::Append { event, seq }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!(event.item, "q1");
    assert_eq!(m.save, SaveState::Saving(1));
    update(&mut m, Msg::Saved(*seq), 0);
    assert_eq!(m.save, SaveState::Saved);
}

#[test]
fn keys_for_other_modes_say_so() {
    let mut m = model(&[3], TaskKind::Rank);
    let ev = keys(&mut m, &[ChooseLeft]);
    assert!(ev.is_empty());
    assert!(m.status.as_deref().unwrap().contains("pair mode"));
}

#[test]
fn too_small_ignores_keys_but_quits() {
    let mut m = model(&[2], TaskKind::Pair);
    update(&mut m, Msg::Resize(10, 5), 0);
    assert!(keys(&mut m, &[ChooseLeft]).is_empty());
    let fx = update(&mut m, Msg::Key(Quit), 0);
    assert_eq!(fx, vec![Effect::Quit]);
}

#[test]
fn decisions_on_a_changed_item_are_stale_and_reopen_the_task() {
    let d = dataset(&[2, 2]);
    let mut old = Event::new("alice", "q0", Some("0000"), TaskKind::Pair);
    old.pair = Some(["c0".into(), "c1".into()]);
    old.choice = Some("c0".into());
    let mut same = Event::new("alice", "q1", Some(&d.items[1].hash), TaskKind::Pair);
    same.pair = Some(["c1".into(), "c0".into()]);
    same.choice = Some("tie".into());
    let m = model_with(&[2, 2], TaskKind::Pair, &[old, same]);
    assert_eq!(m.stale, 1);
    assert_eq!(m.current, 0, "the changed item is open again");
    assert_eq!(m.decided_count(), 1);
}

#[test]
fn rank_mode_leaves_out_items_it_cannot_key() {
    let m = model(&[3, 12, 4], TaskKind::Rank);
    assert_eq!(m.tasks.len(), 2);
    assert_eq!(m.too_many, 1);
}

#[test]
fn tasks_others_decided_often_enough_are_not_served() {
    let mut m = team_model(&[2, 2, 2, 2], TaskKind::Rank, 2);
    m.apply_others(vec![
        rank_by("bob", "q1"),
        rank_by("carol", "q1"),
        rank_by("bob", "q2"),
    ]);
    keys(&mut m, &[Number(1), Submit]);
    // q1 has two decisions already; q2 only one.
    assert_eq!(m.view.item.id, "q2");
    keys(&mut m, &[Number(1), Submit]);
    assert_eq!(m.view.item.id, "q3");
    assert_eq!(m.team.full(), 2, "q1 (bob, carol) and q2 (bob, alice)");
    keys(&mut m, &[Number(2), Submit]);
    assert_eq!(m.overlay, Overlay::Done);
    // The labeler can still visit and decide q1 on purpose, by deciding it twice: it then
    // has three.
    keys(&mut m, &[Cancel, PrevTask, PrevTask]);
    assert_eq!(m.view.item.id, "q1");
    assert!(keys(&mut m, &[Number(1), Submit]).is_empty());
    assert_eq!(keys(&mut m, &[Submit]).len(), 1);
    assert_eq!(m.team.over(), 1);
}

#[test]
fn work_given_back_by_others_is_served_again_after_done() {
    let mut m = team_model(&[2, 2], TaskKind::Rank, 1);
    m.apply_others(vec![rank_by("bob", "q1")]);
    keys(&mut m, &[Number(1), Submit]);
    assert_eq!(m.overlay, Overlay::Done);
    let mut undo = Event::new("bob", "q1", None, TaskKind::Rank);
    undo.retract = true;
    update(&mut m, Msg::Others(vec![undo]), 0);
    assert_eq!(m.overlay, Overlay::None);
    assert_eq!(m.view.item.id, "q1");
}

#[test]
fn the_labeler_is_told_when_others_finish_the_task_on_screen() {
    let mut m = team_model(&[2, 2], TaskKind::Rank, 1);
    assert_eq!(m.view.item.id, "q0");
    update(&mut m, Msg::Others(vec![rank_by("bob", "q0")]), 0);
    assert!(
        m.status
            .as_deref()
            .unwrap()
            .contains("others have now decided")
    );
    // It stays on screen: nothing moves under the labeler's fingers.
    assert_eq!(m.view.item.id, "q0");
}

#[test]
fn done_stays_when_others_finish_their_work() {
    let mut m = team_model(&[2, 2], TaskKind::Pair, 2);
    keys(&mut m, &[ChooseLeft, ChooseLeft]);
    assert_eq!(m.overlay, Overlay::Done);
    let mut e = Event::new("bob", "q0", None, TaskKind::Pair);
    e.pair = Some(["c0".into(), "c1".into()]);
    e.choice = Some("c0".into());
    update(&mut m, Msg::Others(vec![e]), 0);
    update(&mut m, Msg::Tick, 0);
    assert_eq!(m.overlay, Overlay::Done);
}

fn ranked(who: &str, item: &str, order: &[&str], ms: u64) -> Event {
    let mut e = Event::new(who, item, None, TaskKind::Rank);
    e.ranking = Some(order.iter().map(|c| vec![c.to_string()]).collect());
    e.ms = Some(ms);
    e
}

#[test]
fn the_team_read_at_the_start_fills_tasks_under_the_overlap() {
    // bob's log in the folder has q0 and q2; with overlap 1 they are not alice's to label,
    // whether the team is counted as the logs are read (the session's kind known) or not.
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for item in ["q0", "q2"] {
        let mut e = Event::new("bob", item, None, TaskKind::Pair);
        e.pair = Some(["c0".into(), "c1".into()]);
        e.choice = Some("c0".into());
        text.push_str(&serde_json::to_string(&e).unwrap());
        text.push('\n');
    }
    std::fs::write(dir.path().join("bob.jsonl"), text).unwrap();
    for counted in [Some(TaskKind::Pair), None] {
        let mut m = team_model(&[2, 2, 2, 2], TaskKind::Pair, 1);
        assert_eq!(m.open_count(), 4);
        let start = crate::labels::OthersReader::new(dir.path(), &dir.path().join("alice.jsonl"))
            .read_all_counted(&crate::labels::ReadProgress::default(), counted);
        assert_eq!(start.counted.is_some(), counted.is_some());
        m.add_others(start);
        assert_eq!(m.open_count(), 2, "counted: {counted:?}");
        assert_eq!(m.first_open_from(0), Some(1));
        assert_eq!(m.first_open_from(2), Some(3));
    }
}

fn review_model() -> Model {
    let mut m = team_model(&[2, 2, 2, 2], TaskKind::Rank, 1);
    let mut skip = Event::new("bob", "q3", None, TaskKind::Rank);
    skip.skip = true;
    m.apply_others(vec![
        ranked("ann", "q0", &["c0", "c1"], 4000),
        ranked("bob", "q0", &["c1", "c0"], 9000),
        ranked("ann", "q1", &["c0", "c1"], 1000),
        ranked("bob", "q1", &["c0", "c1"], 2000),
        ranked("ann", "q2", &["c1", "c0"], 30000),
        skip,
    ]);
    m
}

#[test]
fn review_filters_select_and_order_tasks() {
    use super::review::{Filter, build_list};
    let m = review_model();
    let items = |f: &Filter| -> Vec<String> {
        build_list(&m, f)
            .into_iter()
            .map(|t| m.task_at(t).unwrap().1.id.clone())
            .collect()
    };
    assert_eq!(items(&Filter::All), vec!["q0", "q1", "q2", "q3"]);
    assert_eq!(items(&Filter::Decided), vec!["q0", "q1", "q2"]);
    assert_eq!(items(&Filter::Undecided), vec!["q3"]);
    assert_eq!(items(&Filter::Skipped), vec!["q3"]);
    assert_eq!(items(&Filter::Disagreements), vec!["q0"]);
    assert_eq!(
        items(&Filter::Annotator("ann".into())),
        vec!["q0", "q1", "q2"]
    );
    assert_eq!(items(&Filter::Slowest), vec!["q2", "q0", "q1"]);
    assert_eq!(items(&Filter::Fastest), vec!["q1", "q0", "q2"]);
    assert!(items(&Filter::Stale).is_empty());
}

#[test]
fn review_walks_its_list_and_logs_final_decisions_as_adjudicator() {
    use super::review::Filter;
    use super::update::start_review;
    let mut m = review_model();
    start_review(&mut m, Filter::Decided);
    assert_eq!(m.view.item.id, "q0");
    keys(&mut m, &[NextTask]);
    assert_eq!(m.view.item.id, "q1");
    keys(&mut m, &[PrevTask, PrevTask]);
    assert_eq!(m.view.item.id, "q0");
    assert!(
        m.status
            .as_deref()
            .unwrap()
            .contains("first task of this filter")
    );
    let ev = keys(&mut m, &[Number(2), Submit]);
    assert_eq!(ev[0].role.as_deref(), Some("adjudicator"));
    assert_eq!(ev[0].ranking.clone().unwrap(), vec![vec!["c1"], vec!["c0"]]);
    // Moves on within the list.
    assert_eq!(m.view.item.id, "q1");
    keys(&mut m, &[CycleFilter]);
    assert_eq!(m.review.as_ref().unwrap().filter, Filter::Undecided);
    assert_eq!(m.view.item.id, "q3");
}

#[test]
fn review_summary_says_whether_they_agree() {
    use super::review::{Filter, summary, verdicts};
    use super::update::start_review;
    let mut m = review_model();
    start_review(&mut m, Filter::All);
    let vs = verdicts(&m, &m.view.key, &m.view.item);
    assert!(summary(&vs).contains("DISAGREE"), "{}", summary(&vs));
    keys(&mut m, &[NextTask]);
    let vs = verdicts(&m, &m.view.key, &m.view.item);
    assert!(summary(&vs).contains("they agree"), "{}", summary(&vs));
}

fn type_line(m: &mut Model, start: Action, text: &str) {
    use super::update::InputKey;
    keys(m, &[start]);
    for c in text.chars() {
        update(m, Msg::Input(InputKey::Char(c)), 0);
    }
    update(m, Msg::Input(InputKey::Enter), 0);
}

#[test]
fn jump_by_id_or_number_and_search_text() {
    let mut m = model(&[2, 2, 2, 2], TaskKind::Rank);
    type_line(&mut m, Jump, "q2");
    assert_eq!(m.view.item.id, "q2");
    type_line(&mut m, Jump, "2");
    assert_eq!(m.view.item.id, "q1");
    type_line(&mut m, Jump, "nope");
    assert!(
        m.status
            .as_deref()
            .unwrap()
            .contains("no item id is or starts with")
    );
    type_line(&mut m, Search, "ANSWER 1 OF ITEM 3");
    assert_eq!(m.view.item.id, "q3");
    // The match is focused and in view: candidate c1 is the second pane.
    assert_eq!(m.view.focus, Focus::Pane(1));
    assert!(m.status.as_deref().unwrap().contains("match 1 of 1 here"));
    // A new search looks at the task on screen first, then onwards, wrapping around.
    type_line(&mut m, Search, "question");
    assert_eq!(m.view.item.id, "q3");
    assert_eq!(m.view.focus, Focus::Prompt);
    keys(&mut m, &[SearchNext]);
    assert_eq!(m.view.item.id, "q0", "wraps around to the next match");
    keys(&mut m, &[SearchNext]);
    assert_eq!(m.view.item.id, "q1");
    // Several matches in one task: n walks through them before moving on.
    type_line(&mut m, Search, "answer");
    assert_eq!(
        (m.view.item.id.as_str(), m.view.focus),
        ("q1", Focus::Pane(0))
    );
    keys(&mut m, &[SearchNext]);
    assert_eq!(
        (m.view.item.id.as_str(), m.view.focus),
        ("q1", Focus::Pane(1))
    );
    keys(&mut m, &[SearchNext]);
    assert_eq!(m.view.item.id, "q2");
    // Keys typed while the line is open are text, and Esc leaves it.
    keys(&mut m, &[Jump]);
    assert!(m.input.is_some());
    let ev = keys(&mut m, &[Number(1), Submit]);
    assert!(ev.is_empty());
    update(&mut m, Msg::Input(super::update::InputKey::Esc), 0);
    assert!(m.input.is_none());
}

#[test]
fn after_a_failed_write_later_events_wait_behind_it_and_go_out_in_order() {
    // A decision fails to save; the labeler goes back and decides the same task differently.
    // Had the second decision been written at once and the first retried after it, the log
    // would replay to the first decision, which the labeler replaced.
    let mut m = model(&[2, 2], TaskKind::Pair);
    let fx = update(&mut m, Msg::Key(ChooseLeft), 0);
    let [Effect::Append { seq: first, .. }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    let first = *first;
    update(
        &mut m,
        Msg::SaveFailed(first, "No space left on device".into()),
        0,
    );
    update(&mut m, Msg::Key(PrevTask), 0);
    let fx = update(&mut m, Msg::Key(ChooseRight), 500);
    assert!(fx.is_empty(), "written before the failed one: {fx:?}");
    assert!(matches!(m.save, SaveState::Failed { pending: 2, .. }));
    // The retry writes the oldest; its success writes the next.
    let fx = update(&mut m, Msg::Tick, 1000);
    let [Effect::Append { seq, .. }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!(*seq, first);
    let fx = update(&mut m, Msg::Saved(first), 1000);
    let [Effect::Append { seq: second, event }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!(event.choice.as_deref(), Some("c1"));
    let second = *second;
    update(&mut m, Msg::Saved(second), 1000);
    assert_eq!(m.save, SaveState::Saved);
}

fn model_spec(counts: &[usize], mode: TaskKind, spec: crate::taskfile::TaskSpec) -> Model {
    let keymap = super::keymap::KeyMap::default()
        .with_flags(&spec.flags)
        .unwrap();
    Model::new(Setup {
        file_label: "t.jsonl".into(),
        scale: spec.rate.scale,
        size: (120, 40),
        spec,
        keymap,
        ..Setup::new(dataset(counts), "alice", mode)
    })
    .unwrap()
}

fn spec(toml: &str) -> crate::taskfile::TaskSpec {
    crate::taskfile::TaskSpec::parse(toml, "task.toml", std::path::Path::new(".")).unwrap()
}

#[test]
fn strength_is_asked_after_a_side_and_logged() {
    let mut m = model_spec(
        &[2, 2],
        TaskKind::Pair,
        spec("mode = \"pair\"\n[pair]\nstrength = true\n"),
    );
    let ev = keys(&mut m, &[ChooseRight]);
    assert!(ev.is_empty(), "waits for the strength");
    assert!(
        m.status
            .as_deref()
            .unwrap()
            .contains("how much better is B")
    );
    keys(&mut m, &[Number(7)]);
    assert!(m.status.as_deref().unwrap().contains("1, 2, 3 or 4"));
    let ev = keys(&mut m, &[Number(3)]);
    assert_eq!(ev[0].choice.as_deref(), Some("c1"));
    assert_eq!(ev[0].strength, Some(3));
    // Esc cancels a chosen side; tie needs no strength.
    keys(&mut m, &[ChooseLeft, Cancel]);
    assert!(m.view.draft.pair().unwrap().pending.is_none());
    let ev = keys(&mut m, &[Tie]);
    assert_eq!(ev[0].strength, None);
}

#[test]
fn flags_toggle_on_the_focused_candidate_and_go_into_the_log() {
    let t = spec(
        "mode = \"rank\"\n[[flags]]\nname = \"unsafe\"\nkey = \"!\"\n[[flags]]\nname = \"refuses\"\nkey = \"R\"\n",
    );
    let mut m = model_spec(&[3], TaskKind::Rank, t);
    keys(
        &mut m,
        &[FocusNext, Flag(0), Flag(1), Flag(1), FocusNext, Flag(1)],
    );
    let ev = keys(&mut m, &[Number(1), Number(2), Submit]);
    let flags = ev[0].flags.clone().unwrap();
    assert_eq!(flags.get("c1"), Some(&vec!["unsafe".to_string()]));
    assert_eq!(flags.get("c2"), Some(&vec!["refuses".to_string()]));
    assert_eq!(flags.len(), 2);
}

#[test]
fn a_required_rationale_holds_the_decision_until_written() {
    use super::keymap::Key;
    let mut m = model_spec(
        &[2, 2],
        TaskKind::Pair,
        spec("mode = \"pair\"\nrationale = \"required\"\n"),
    );
    let ev = keys(&mut m, &[ChooseLeft]);
    assert!(ev.is_empty());
    assert!(m.editor.is_some());
    for c in "A cites sources".chars() {
        update(&mut m, Msg::Edit(Key::ch(c)), 0);
    }
    let fx = update(
        &mut m,
        Msg::Edit(Key::plain(crossterm::event::KeyCode::Esc)),
        0,
    );
    let Some(Effect::Append { event, .. }) = fx.first() else {
        panic!("{fx:?}")
    };
    assert_eq!(event.rationale.as_deref(), Some("A cites sources"));
    assert_eq!(event.choice.as_deref(), Some("c0"));
    assert_eq!(m.view.item.id, "q1");
    // Closing the editor empty records nothing.
    keys(&mut m, &[ChooseLeft]);
    let fx = update(
        &mut m,
        Msg::Edit(Key::plain(crossterm::event::KeyCode::Esc)),
        0,
    );
    assert!(fx.is_empty());
    assert!(m.status.as_deref().unwrap().contains("not recorded"));
}

#[test]
fn pick_the_best_two_ranks_the_rest_last_and_ties_can_be_off() {
    let mut m = model_spec(
        &[5],
        TaskKind::Rank,
        spec("mode = \"rank\"\n[rank]\ntop = 2\nties = false\n"),
    );
    keys(&mut m, &[Number(4), TieNext]);
    assert!(m.status.as_deref().unwrap().contains("does not allow ties"));
    let ev = keys(&mut m, &[Number(2), Submit]);
    assert_eq!(
        ev[0].ranking.clone().unwrap(),
        vec![vec!["c3"], vec!["c1"], vec!["c0", "c2", "c4"]]
    );
}

#[test]
fn aspects_fill_a_grid_across_candidates_then_aspects() {
    let t = spec("mode = \"rate\"\n[rate]\nscale = 5\naspects = [\"helpfulness\", \"honesty\"]\n");
    let mut m = model_spec(&[2], TaskKind::Rate, t);
    keys(&mut m, &[Number(5)]);
    assert_eq!(
        (m.view.focus, m.view.draft.rate().unwrap().aspect),
        (Focus::Pane(1), 0)
    );
    keys(&mut m, &[Number(2)]);
    assert_eq!(
        (m.view.focus, m.view.draft.rate().unwrap().aspect),
        (Focus::Pane(0), 1)
    );
    assert!(keys(&mut m, &[Submit]).is_empty(), "two cells to go");
    keys(&mut m, &[Number(4), Number(3)]);
    let ev = keys(&mut m, &[Submit]);
    let aspects = ev[0].aspects.clone().unwrap();
    assert_eq!(aspects["helpfulness"]["c0"], 5);
    assert_eq!(aspects["helpfulness"]["c1"], 2);
    assert_eq!(aspects["honesty"]["c0"], 4);
    assert_eq!(aspects["honesty"]["c1"], 3);
    // ratings: the mean over aspects, rounded (4.5 -> 5, 2.5 -> 3).
    let r = ev[0].ratings.clone().unwrap();
    assert_eq!((r["c0"], r["c1"]), (5, 3));
}

#[test]
fn sampled_pairs_and_quick_decisions() {
    let mut m = model_spec(
        &[5, 2],
        TaskKind::Pair,
        spec("mode = \"pair\"\npairs = 2\nmin_seconds = 3\n"),
    );
    assert_eq!(m.tasks.len(), 3);
    update(&mut m, Msg::Key(ChooseLeft), 1000);
    assert!(m.status.as_deref().unwrap().contains("at least 3 s"));
    assert_eq!(m.rushed, 1);
}

/// A source that reveals its items a few at a time, like a big file checked in the background
/// (with `brought_when_waited`, every one when the checking is waited for).
struct Growing {
    all: Arc<Dataset>,
    shown: std::sync::atomic::AtomicUsize,
    brought_when_waited: bool,
}

impl crate::format::ItemSource for Growing {
    fn len(&self) -> usize {
        self.shown.load(std::sync::atomic::Ordering::SeqCst)
    }
    fn item(&self, i: usize) -> Result<Arc<crate::format::Item>, crate::format::Problem> {
        self.all.item(i)
    }
    fn progress(&self) -> Option<crate::format::Progress> {
        let done = self.len() == self.all.items.len();
        Some(crate::format::Progress {
            checked: self.len(),
            records: self.all.items.len(),
            indexing_done: true,
            checking_done: done,
            ..Default::default()
        })
    }
    fn wait_checked(&self, _i: usize) {
        if self.brought_when_waited {
            self.shown
                .store(self.all.items.len(), std::sync::atomic::Ordering::SeqCst);
        }
    }
}

/// A source whose background reading ends the moment it is asked how far it has come: the
/// race of a small file checked while the labeling screen starts.
struct FinishesWhenAsked {
    all: Arc<Dataset>,
    done: std::sync::atomic::AtomicBool,
}

impl crate::format::ItemSource for FinishesWhenAsked {
    fn len(&self) -> usize {
        if self.done.load(std::sync::atomic::Ordering::SeqCst) {
            self.all.items.len()
        } else {
            1
        }
    }
    fn item(&self, i: usize) -> Result<Arc<crate::format::Item>, crate::format::Problem> {
        self.all.item(i)
    }
    fn progress(&self) -> Option<crate::format::Progress> {
        self.done.store(true, std::sync::atomic::Ordering::SeqCst);
        None
    }
}

#[test]
fn a_file_finished_while_the_screen_starts_is_taken_in_whole() {
    // Seen in CI: the first record counted, then the check finished and said "done", and the
    // screen stayed at one task of 40 for good.
    let src = Arc::new(FinishesWhenAsked {
        all: dataset(&[2, 2, 2]),
        done: false.into(),
    });
    let m = Model::new(Setup::new(src, "alice", TaskKind::Pair)).unwrap();
    assert_eq!(m.tasks.len(), 3);
    assert_eq!(m.progress, None);
}

#[test]
fn deciding_faster_than_the_file_is_read_waits_for_the_next_task_instead_of_done() {
    let g = Arc::new(Growing {
        all: dataset(&[2, 2, 2]),
        shown: 1.into(),
        brought_when_waited: false,
    });
    let mut m = Model::new(Setup::new(g.clone(), "alice", TaskKind::Pair)).unwrap();
    assert_eq!(m.tasks.len(), 1);
    keys(&mut m, &[ChooseLeft]);
    assert_eq!(
        m.overlay,
        Overlay::None,
        "not done: the file is still being read"
    );
    assert!(m.awaiting);
    g.shown.store(3, std::sync::atomic::Ordering::SeqCst);
    update(&mut m, Msg::Tick, 0);
    assert_eq!(m.view.item.id, "q1");
    assert!(!m.awaiting);
    keys(&mut m, &[ChooseLeft, ChooseLeft]);
    assert_eq!(m.overlay, Overlay::Done, "everything read and decided");
}

#[test]
fn with_a_store_the_resume_waits_for_no_checking_of_the_file() {
    // Without a store, no open task among those checked waits for more of the file; with one,
    // the server's hand-out places the labeler, so the start waits for nothing.
    let src = Arc::new(Growing {
        all: dataset(&[2, 2, 2]),
        shown: 1.into(),
        brought_when_waited: true,
    });
    let mut m = Model::new(Setup::new(src.clone(), "alice", TaskKind::Pair)).unwrap();
    m.handed = Some(crate::tui::model::HandedTasks::new(600_000));
    assert_eq!(crate::tui::session::resume_task(&mut m), 0);
    assert_eq!(
        src.shown.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "the start waited for the file's checking"
    );
}

#[test]
fn a_resume_with_every_known_task_decided_waits_for_the_checking_and_opens_at_what_it_brings() {
    // A big file is still being checked; the two items known are decided: the resume waits
    // for more of the file rather than open on a decided task.
    let src = Arc::new(Growing {
        all: dataset(&[2, 2, 2, 2]),
        shown: 2.into(),
        brought_when_waited: true,
    });
    let mine = |item: &str| {
        let mut e = Event::new("alice", item, None, TaskKind::Pair);
        e.pair = Some(["c0".into(), "c1".into()]);
        e.choice = Some("c0".into());
        e
    };
    let mut m = Model::new(Setup {
        decisions: Decisions::from_events(&[mine("q0"), mine("q1")]),
        ..Setup::new(src.clone(), "alice", TaskKind::Pair)
    })
    .unwrap();
    assert_eq!(crate::tui::session::resume_task(&mut m), 2);
    assert_eq!(m.tasks.len(), 4, "the checking brought the rest");
}

#[test]
fn with_a_store_only_the_tasks_handed_over_and_not_decided_are_open_wrapping_round() {
    // Four pair tasks, q0..q3: the server holds q0, q1 and q2 for alice, and q1 she has decided.
    let mut m = model(&[2, 2, 2, 2], TaskKind::Pair);
    let pair = |item: &str| TaskKey::pair(item, "c0", "c1");
    m.handed = Some(crate::tui::model::HandedTasks {
        tasks: vec![pair("q0"), pair("q1"), pair("q2")],
        ..crate::tui::model::HandedTasks::new(600_000)
    });
    let mut decided = Event::new("alice", "q1", None, TaskKind::Pair);
    decided.pair = Some(["c0".into(), "c1".into()]);
    decided.choice = Some("c1".into());
    m.apply_mine(decided);
    assert_eq!(
        m.open_count(),
        2,
        "q0 and q2: not q1 (decided), not q3 (not hers)"
    );
    assert_eq!(m.first_open_from(0), Some(0));
    assert_eq!(
        m.first_open_from(1),
        Some(2),
        "the next one on, not the first"
    );
    assert_eq!(m.first_open_from(3), Some(0), "round past the end");
}

#[test]
fn with_a_store_a_task_handed_out_beyond_the_checked_part_of_the_file_is_served_once_checked() {
    // A resumed start with a store does not wait for a big file's whole checking: the server
    // may hand out a task whose item the checking has not reached yet.
    let g = Arc::new(Growing {
        all: dataset(&[2, 2, 2]),
        shown: 1.into(),
        brought_when_waited: false,
    });
    let mut m = Model::new(Setup::new(g.clone(), "alice", TaskKind::Pair)).unwrap();
    m.handed = Some(crate::tui::model::HandedTasks::new(600_000));
    super::update::handed::begin(&mut m);
    assert_eq!(m.overlay, Overlay::WaitingForTasks);
    // No task at hand yet: the header names none (not q0, where the model stands).
    let head = |m: &Model| {
        crate::testutil::drawn(m, 100, 24)
            .lines()
            .next()
            .unwrap_or_default()
            .to_string()
    };
    let h = head(&m);
    assert!(
        h.contains("task –/") && !h.contains("q0") && !h.contains("│  │"),
        "{h}"
    );
    let q2 = TaskKey::pair("q2", "c0", "c1");
    update(
        &mut m,
        Msg::Handed(crate::store::handout::Handed {
            tasks: vec![q2.clone()],
            ..Default::default()
        }),
        100,
    );
    assert_eq!(m.overlay, Overlay::WaitingForTasks, "q2 is not read yet");
    update(&mut m, Msg::Tick, 200);
    assert_eq!(m.overlay, Overlay::WaitingForTasks);
    g.shown.store(3, std::sync::atomic::Ordering::SeqCst);
    update(&mut m, Msg::Tick, 300);
    assert_eq!(m.overlay, Overlay::None);
    assert_eq!(m.view.key, q2);
    let h = head(&m);
    assert!(h.contains("task 3/") && h.contains("q2"), "{h}");
    let ev = keys(&mut m, &[ChooseLeft]);
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0].item, "q2");
}

/// A paste is text: into the rationale editor or the line being typed; anywhere else it is
/// ignored with a message, never taken as keys.
#[test]
fn a_paste_goes_into_the_editor_or_the_line_and_is_otherwise_ignored() {
    let mut m = model_spec(
        &[2, 2],
        TaskKind::Pair,
        spec("mode = \"pair\"\nrationale = \"optional\"\n"),
    );
    update(&mut m, Msg::Paste("as".into()), 1000);
    assert!(m.unsaved.is_empty() && m.current == 0, "nothing decided");
    assert!(
        m.status
            .as_deref()
            .unwrap()
            .starts_with("pasted text ignored"),
        "{:?}",
        m.status
    );
    update(&mut m, Msg::Key(Search), 1000);
    update(&mut m, Msg::Paste("item\n1".into()), 1000);
    assert_eq!(
        m.input.as_ref().unwrap().text,
        "item1",
        "line breaks left out"
    );
    update(&mut m, Msg::Input(super::update::InputKey::Esc), 1000);
    update(&mut m, Msg::Key(Rationale), 1000);
    update(&mut m, Msg::Paste("A cites\nsources".into()), 1000);
    assert_eq!(m.editor.as_ref().unwrap().text(), "A cites\nsources");
    assert!(m.unsaved.is_empty());
}

/// What a key means depends on what is open: the editor takes every key, undo's question an
/// answer, a line being typed text; otherwise the key map names the action.
#[test]
fn keys_are_routed_by_what_is_open() {
    use super::keymap::Key;
    use super::route;
    use super::update::InputKey;
    let mut m = model_spec(
        &[2, 2],
        TaskKind::Pair,
        spec("mode = \"pair\"\nrationale = \"optional\"\n"),
    );
    assert_eq!(route::key(&m, Key::ch('a')), Some(Msg::Key(ChooseLeft)));
    assert_eq!(route::key(&m, Key::ch('y')), None, "y is no action");
    update(&mut m, Msg::Key(Search), 0);
    assert_eq!(
        route::key(&m, Key::ch('a')),
        Some(Msg::Input(InputKey::Char('a')))
    );
    assert_eq!(
        route::key(&m, Key::ctrl('c')),
        Some(Msg::Input(InputKey::Esc))
    );
    update(&mut m, Msg::Input(InputKey::Esc), 0);
    update(&mut m, Msg::Key(Rationale), 0);
    assert_eq!(route::key(&m, Key::ch('q')), Some(Msg::Edit(Key::ch('q'))));
    m.editor = None;
    m.overlay = Overlay::ConfirmUndo {
        item: "x".into(),
        when: "yesterday".into(),
    };
    assert_eq!(route::key(&m, Key::ch('y')), Some(Msg::Answer(true)));
    assert_eq!(route::key(&m, Key::ch('a')), Some(Msg::Answer(false)));
}

/// With a store, "saved" waits for the database's commit: each decision fsynced to the outbox
/// counts as waiting until the sending thread reports it committed; while the server cannot
/// be reached the header says how many wait, and decisions go on.
#[test]
fn with_a_store_saved_means_committed() {
    use super::model::ServerState;
    use super::view::header;
    let head = |m: &Model| header::line(m, 200).to_string();
    let saved = |h: &str| h.contains("✓ saved") && !h.contains("waiting") && !h.contains("sending");
    let mut m = model(&[2, 2, 2, 2], TaskKind::Pair);
    m.server = Some(ServerState::default());
    keys(&mut m, &[ChooseLeft]);
    assert_eq!(m.server.as_ref().unwrap().waiting(), 1);
    assert!(head(&m).contains("… sending 1"), "{}", head(&m));
    assert!(!head(&m).contains("✓ saved"), "{}", head(&m));
    let now = m.now_ms;
    update(
        &mut m,
        Msg::Server {
            committed: 1,
            error: None,
        },
        now,
    );
    assert!(saved(&head(&m)), "{}", head(&m));
    // The server goes away: two more, saved here.
    keys(&mut m, &[ChooseLeft, ChooseRight]);
    let now = m.now_ms;
    update(
        &mut m,
        Msg::Server {
            committed: 1,
            error: Some("cannot connect".into()),
        },
        now,
    );
    assert!(
        head(&m).contains("✓ saved here, 2 waiting for the server"),
        "{}",
        head(&m)
    );
    // Back: all committed.
    let now = m.now_ms;
    update(
        &mut m,
        Msg::Server {
            committed: 3,
            error: None,
        },
        now,
    );
    assert!(saved(&head(&m)), "{}", head(&m));
    // Without a store nothing changes.
    let mut f = model(&[2, 2], TaskKind::Pair);
    keys(&mut f, &[ChooseLeft]);
    assert!(saved(&head(&f)), "{}", head(&f));
}

/// A write the server refused (per-user roles) is no outage: the header says so and the
/// refusal stays in the footer until a commit goes through; the decision is kept here.
#[test]
fn with_a_store_a_refused_write_is_said_and_kept() {
    use super::model::ServerState;
    use super::view::header;
    let head = |m: &Model| header::line(m, 200).to_string();
    let mut m = model(&[2, 2, 2], TaskKind::Pair);
    m.server = Some(ServerState::default());
    keys(&mut m, &[ChooseLeft]);
    let refusal = "postgresql://alice@db/labels: send the lines: new row violates row-level security policy - refused by the server: role `alice` may not send the lines here";
    let now = m.now_ms;
    update(
        &mut m,
        Msg::Server {
            committed: 0,
            error: Some(refusal.into()),
        },
        now,
    );
    assert!(
        head(&m).contains("✓ saved here, 1 REFUSED by the server"),
        "{}",
        head(&m)
    );
    let said =
        "not sent, kept here: refused by the server: role `alice` may not send the lines here";
    assert_eq!(m.warning.as_deref(), Some(said));
    assert_eq!(m.status.as_deref(), Some(said), "said over any status");
    assert_eq!(m.server.as_ref().unwrap().waiting(), 1);
    // An outage afterwards is said as an outage; the refusal's warning goes.
    let now = m.now_ms;
    update(
        &mut m,
        Msg::Server {
            committed: 0,
            error: Some("cannot connect".into()),
        },
        now,
    );
    assert!(
        head(&m).contains("1 waiting for the server"),
        "{}",
        head(&m)
    );
    assert_eq!(m.warning, None);
}

/// Review's list is built beside the screen: the first task shows at once, the rest of the
/// tasks are looked at a step at a time while no key comes (`Msg::Idle`), and a key that needs
/// the list's end does not wait for those steps.
#[test]
fn review_builds_its_list_a_step_at_a_time_beside_the_screen() {
    use super::review::{Filter, SCAN_STEP};
    use super::update::start_review;
    let n = SCAN_STEP * 2 + 5;
    let mut m = team_model(&vec![2; n], TaskKind::Rank, 1);
    let far = format!("q{}", SCAN_STEP * 2 + 2);
    m.apply_others(vec![
        ranked("ann", "q0", &["c0", "c1"], 4000),
        ranked("ann", &far, &["c1", "c0"], 4000),
    ]);
    start_review(&mut m, Filter::All);
    assert_eq!(m.view.item.id, "q0");
    assert_eq!(m.review.as_ref().unwrap().list.len(), 1);
    assert!(m.background_work(), "tasks left to look at");
    update(&mut m, Msg::Idle, 0);
    assert_eq!(m.review.as_ref().unwrap().list.len(), 1, "one step further");
    assert!(m.background_work());
    update(&mut m, Msg::Idle, 0);
    assert_eq!(m.review.as_ref().unwrap().list.len(), 2);
    assert!(!m.background_work(), "every task looked at");
    update(&mut m, Msg::Idle, 0);
    assert_eq!(m.review.as_ref().unwrap().list.len(), 2);

    // Stepping past the end of what is known looks at the rest at once.
    let mut m = team_model(&vec![2; n], TaskKind::Rank, 1);
    m.apply_others(vec![
        ranked("ann", "q0", &["c0", "c1"], 4000),
        ranked("ann", &far, &["c1", "c0"], 4000),
    ]);
    start_review(&mut m, Filter::All);
    keys(&mut m, &[NextTask]);
    assert_eq!(m.view.item.id, far);
    assert!(!m.background_work());
}

#[test]
fn quitting_with_ratings_not_submitted_asks_first_and_leaving_says_so() {
    // One item: once submitted, its ratings stay on screen under "all done".
    let mut m = model(&[3], TaskKind::Rate);
    keys(&mut m, &[Number(4), Number(2)]);
    // Two of three rated: q asks, on screen, instead of dropping them without a word.
    let fx = update(&mut m, Msg::Key(Quit), 0);
    assert!(fx.is_empty());
    assert_eq!(m.overlay, Overlay::ConfirmQuit);
    let screen = crate::testutil::drawn(&m, 80, 24);
    assert!(screen.contains("2 of 3 ratings given"), "{screen}");
    assert!(!screen.contains("not on disk"), "{screen}");
    // Any other key stays, with the ratings kept.
    update(&mut m, Msg::Key(Cancel), 0);
    assert_eq!(m.overlay, Overlay::None);
    assert!(!m.quit);
    // Once submitted, nothing is left to lose: q quits at once.
    let ev = keys(&mut m, &[Number(5), Submit]);
    assert_eq!(ev.len(), 1);
    let fx = update(&mut m, Msg::Key(Quit), 0);
    assert_eq!(fx, vec![Effect::Quit]);
}

#[test]
fn a_recorded_decision_shown_again_is_not_taken_for_one_entered() {
    let mut m = model(&[3, 3], TaskKind::Rate);
    let ev = keys(&mut m, &[Number(4), Number(2), Number(5), Submit]);
    assert_eq!(ev.len(), 1);
    // Enter recorded them and moved on: nothing was left behind.
    assert_eq!(m.current, 1);
    assert!(
        !m.status.as_deref().unwrap_or("").contains("not recorded"),
        "{:?}",
        m.status
    );
    // Back on the decided task: its ratings are shown, and nothing is unrecorded.
    keys(&mut m, &[PrevTask]);
    assert_eq!(m.current, 0);
    assert!(m.view.decided);
    assert_eq!(m.view.unrecorded(), None);
    // One changed and not submitted: leaving says so, quitting asks.
    keys(&mut m, &[Number(1)]);
    assert_eq!(m.view.unrecorded().as_deref(), Some("3 of 3 ratings given"));
    keys(&mut m, &[NextTask]);
    assert_eq!(m.current, 1);
    let status = m.status.clone().unwrap_or_default();
    assert!(
        status.contains("left task 1 with 3 of 3 ratings given: discarded"),
        "{status}"
    );
    // Back on it: the recorded ratings, not the ones discarded.
    keys(&mut m, &[PrevTask]);
    assert_eq!(m.view.unrecorded(), None);
}

#[test]
fn quitting_with_a_ranking_or_a_best_half_entered_asks_first() {
    let mut m = model(&[4], TaskKind::Rank);
    keys(&mut m, &[Number(2)]);
    assert_eq!(
        m.view.unrecorded().as_deref(),
        Some("1 of 4 candidates ranked")
    );
    update(&mut m, Msg::Key(Quit), 0);
    assert_eq!(m.overlay, Overlay::ConfirmQuit);
    // q again quits without them.
    let fx = update(&mut m, Msg::Key(Quit), 0);
    assert_eq!(fx, vec![Effect::Quit]);

    let mut m = model(&[4], TaskKind::BestWorst);
    keys(&mut m, &[Number(1)]);
    assert_eq!(
        m.view.unrecorded().as_deref(),
        Some("the best is picked and the worst not yet")
    );
}
