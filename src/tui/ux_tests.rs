//! Behaviour tests of the labeling screen's finer points: the clock, typed-ahead keys, resume,
//! undo, jump, search, the ranking in the footer, the footer and header at small sizes, the
//! summary at the end. Pure `update` tests, and view tests on a `TestBackend`.

use std::path::PathBuf;
use std::sync::Arc;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;

use super::keymap::Action::{self, *};
use super::model::{Model, Overlay, Setup};
use super::update::{Effect, Msg, update};
use super::update_tests::dataset;
use super::view::view;
use crate::format::{Dataset, FileKind, parse_item};
use crate::labels::{Decisions, Event, TaskKind};

fn setup(d: Arc<Dataset>, mode: TaskKind, events: &[Event]) -> Setup {
    Setup {
        file_label: "t.jsonl".into(),
        decisions: Decisions::from_events(events),
        size: (120, 40),
        ..Setup::new(d, "alice", mode)
    }
}

fn model_with(counts: &[usize], mode: TaskKind, events: &[Event]) -> Model {
    Model::new(setup(dataset(counts), mode, events)).unwrap()
}

fn model(counts: &[usize], mode: TaskKind) -> Model {
    model_with(counts, mode, &[])
}

/// Sends one message at `at` ms; returns the events handed to the writer, confirming each.
fn send(m: &mut Model, msg: Msg, at: u64) -> Vec<Event> {
    let mut out = Vec::new();
    for fx in update(m, msg, at) {
        if let Effect::Append { seq, event } = fx {
            out.push(*event);
            update(m, Msg::Saved(seq), at);
        }
    }
    out
}

/// Sends keys a second apart (a labeler reading each task), after the model's last time.
fn keys(m: &mut Model, actions: &[Action]) -> Vec<Event> {
    let mut out = Vec::new();
    for &a in actions {
        let at = m.now_ms + 1000;
        out.extend(send(m, Msg::Key(a), at));
    }
    out
}

fn screen(m: &Model) -> Vec<String> {
    let mut t = Terminal::new(TestBackend::new(m.size.0, m.size.1)).unwrap();
    t.draw(|f| view(m, f)).unwrap();
    let b = t.backend().buffer().clone();
    (0..b.area.height)
        .map(|y| {
            let mut s = String::new();
            let mut skip = 0;
            for x in 0..b.area.width {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                let sym = b[(x, y)].symbol();
                s.push_str(sym);
                skip = sym
                    .chars()
                    .map(crate::text::char_width)
                    .sum::<usize>()
                    .saturating_sub(1);
            }
            s
        })
        .collect()
}

// --- the clock: idle time is not time spent ---------------------------------------------------

#[test]
fn the_task_clock_pauses_after_a_minute_without_a_key_and_logs_wall_time_apart() {
    let mut m = model(&[2, 2], TaskKind::Pair);
    send(&mut m, Msg::Tick, 0);
    send(&mut m, Msg::Key(ScrollDown), 20_000);
    // Five minutes away from the keyboard: the clock shows a minute, and says it stands.
    send(&mut m, Msg::Tick, 320_000);
    assert_eq!(m.task_ms(), 80_000);
    assert!(screen(&m)[0].contains("1:20 paused"), "{}", screen(&m)[0]);
    let ev = send(&mut m, Msg::Key(ChooseLeft), 325_000);
    assert_eq!(
        ev[0].ms,
        Some(80_000),
        "active time: the idle gap counts a minute"
    );
    assert_eq!(ev[0].wall_ms, Some(325_000), "wall time, idle included");
    let line = serde_json::to_string(&ev[0]).unwrap();
    assert!(line.contains(r#""ms":80000,"wall_ms":325000"#), "{line}");
    // A log written before wall_ms existed still reads.
    let old: Event = serde_json::from_str(
        r#"{"v":1,"at":"x","annotator":"a","item":"q0","task":"pair","pair":["c0","c1"],"choice":"c0","ms":5}"#,
    )
    .unwrap();
    assert_eq!((old.ms, old.wall_ms), (Some(5), None));
}

// --- keys typed ahead onto a task not yet seen -----------------------------------------------

#[test]
fn decision_keys_right_after_a_new_task_are_ignored_and_the_footer_says_so() {
    let mut m = model(&[2, 2, 2], TaskKind::Pair);
    // `a a` in one burst: the first decides q0, the second lands 40 ms after q1 appeared.
    let ev = send(&mut m, Msg::Key(ChooseLeft), 5_000);
    assert_eq!(ev.len(), 1);
    assert_eq!(m.view.item.id, "q1");
    let ev = send(&mut m, Msg::Key(ChooseLeft), 5_040);
    assert!(ev.is_empty(), "typed ahead: {ev:?}");
    assert_eq!(m.view.item.id, "q1");
    m.size = (80, 24);
    let footer = screen(&m)[23].clone();
    assert!(footer.contains("key ignored"), "{footer}");
    // Reading keys still work at once; the same key a moment later decides.
    send(&mut m, Msg::Key(ScrollDown), 5_050);
    let ev = send(&mut m, Msg::Key(ChooseLeft), 5_200);
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0].item, "q1");
    assert_eq!(ev[0].ms, Some(200));
}

#[test]
fn the_guard_can_be_turned_off_and_does_not_hold_the_first_task() {
    let mut m = model(&[2, 2], TaskKind::Pair);
    assert_eq!(send(&mut m, Msg::Key(ChooseLeft), 10).len(), 1);
    let mut off = Model::new(Setup {
        typeahead_guard_ms: 0,
        ..setup(dataset(&[2, 2]), TaskKind::Pair, &[])
    })
    .unwrap();
    send(&mut off, Msg::Key(ChooseLeft), 10);
    assert_eq!(send(&mut off, Msg::Key(ChooseLeft), 10).len(), 1);
}

// --- resume where this labeler stopped ---------------------------------------------------------

fn pair_event(item: &str, l: &str, r: &str, choice: &str) -> Event {
    let mut e = Event::new("alice", item, None, TaskKind::Pair);
    e.pair = Some([l.into(), r.into()]);
    e.choice = Some(choice.into());
    e
}

#[test]
fn pair_mode_resumes_after_the_last_decision_not_at_the_first_open_task() {
    // Four items of three candidates: 12 pair tasks, 3 per item (q2's are tasks 6, 7, 8).
    let d = dataset(&[3, 3, 3, 3]);
    let mut stale = pair_event("q0", "c0", "c1", "c0");
    stale.item_hash = Some("0000".into());
    let mut retract = Event::new("alice", "q2", None, TaskKind::Pair);
    retract.pair = Some(["c1".into(), "c0".into()]);
    retract.retract = true;
    let events = [
        pair_event("q1", "c0", "c1", "c1"),
        stale,
        pair_event("q1", "c2", "c0", "tie"),
        pair_event("q2", "c0", "c1", "c0"),
        pair_event("q1", "c1", "c2", "c2"),
        retract,
        // The last decision: q2's (c0, c2), task 7.
        pair_event("q2", "c2", "c0", "c2"),
    ];
    let m = Model::new(Setup {
        shuffle: true,
        ..setup(d, TaskKind::Pair, &events)
    })
    .unwrap();
    assert_eq!(m.stale, 1);
    assert_eq!(m.decided_count(), 4);
    // Not task 0 (the first open one), not task 4 (as many as decided), not task 6 (reopened
    // by the retraction, before the last decision): the one after the last decision.
    assert_eq!(m.current, 8, "{:?}", m.view.key);
    assert_eq!(m.view.key, crate::labels::TaskKey::pair("q2", "c1", "c2"));
}

#[test]
fn resume_wraps_to_the_first_open_task_after_a_decision_on_the_last() {
    let events = [
        pair_event("q1", "c0", "c1", "c0"),
        pair_event("q3", "c0", "c1", "c0"),
    ];
    let mut m = model_with(&[2, 2, 2, 2], TaskKind::Pair, &events);
    assert_eq!(m.current, 0);
    keys(&mut m, &[ChooseLeft]);
    assert_eq!(m.current, 2, "then on past the decided q1");
}

#[test]
fn pair_mode_resumes_after_a_last_decision_on_the_last_pair_of_an_item() {
    // Two items of four candidates: q0's six pairs are tasks 0 to 5. The last decision is on
    // its sixth, (c2, c3), with the first five open: the resume goes on to q1, not back to q0.
    let events = [pair_event("q0", "c2", "c3", "c2")];
    let m = model_with(&[4, 4], TaskKind::Pair, &events);
    assert_eq!(m.current, 6, "{:?}", m.view.key);
    assert_eq!(m.view.key, crate::labels::TaskKey::pair("q1", "c0", "c1"));
}

// --- undo reopens the decision with its values -------------------------------------------------

#[test]
fn undo_of_ratings_reopens_them_filled_in_ready_to_change_one() {
    let mut m = model(&[3, 3], TaskKind::Rate);
    keys(&mut m, &[Number(4), Number(2), Number(5), Submit]);
    assert_eq!(m.view.item.id, "q1");
    let ev = keys(&mut m, &[Undo]);
    assert!(ev[0].retract);
    assert_eq!(m.view.item.id, "q0");
    assert_eq!(
        m.view.draft.rate().unwrap().ratings,
        vec![Some(4), Some(2), Some(5)]
    );
    assert!(!m.view.decided);
    assert!(m.status.as_deref().unwrap().contains("ratings filled in"));
    // Change one, submit: the others are kept.
    let ev = keys(&mut m, &[FocusNext, Number(1), Submit]);
    let r = ev[0].ratings.clone().unwrap();
    assert_eq!(
        r.into_iter().collect::<Vec<_>>(),
        vec![("c0".into(), 4), ("c1".into(), 1), ("c2".into(), 5)]
    );
}

#[test]
fn undo_of_a_ranking_reopens_it_filled_in() {
    let mut m = model(&[3, 3], TaskKind::Rank);
    keys(&mut m, &[Number(2), TieNext, Number(3), Submit]);
    keys(&mut m, &[Undo]);
    assert_eq!(m.view.item.id, "q0");
    assert_eq!(
        m.view.draft.rank().unwrap().tiers,
        vec![vec![1, 2], vec![0]]
    );
    // Take back the last pick, place it differently, submit.
    let ev = keys(&mut m, &[RemovePick, Number(1), Submit]);
    assert_eq!(
        ev[0].ranking.clone().unwrap(),
        vec![vec!["c1", "c2"], vec!["c0"]]
    );
}

#[test]
fn undo_of_a_pair_choice_shows_the_choice_strength_and_rationale() {
    let spec = crate::taskfile::TaskSpec::parse(
        "mode = \"pair\"\nrationale = \"optional\"\n[pair]\nstrength = true\n",
        "task.toml",
        std::path::Path::new("."),
    )
    .unwrap();
    let mut m = Model::new(Setup {
        spec,
        ..setup(dataset(&[2, 2]), TaskKind::Pair, &[])
    })
    .unwrap();
    m.view.rationale = "B invents a date".into();
    keys(&mut m, &[ChooseLeft, Number(3)]);
    assert_eq!(m.view.item.id, "q1");
    keys(&mut m, &[Undo]);
    assert_eq!(m.view.draft.pair().unwrap().choice.as_deref(), Some("c0"));
    assert_eq!(m.view.draft.pair().unwrap().strength, Some(3));
    assert_eq!(m.view.rationale, "B invents a date");
    assert!(!m.view.decided);
    assert!(screen(&m).iter().any(|r| r.contains("✓ better (3/4)")));
}

#[test]
fn undo_into_an_earlier_session_says_what_and_when_and_asks_once() {
    let mut a = pair_event("q0", "c0", "c1", "c0");
    a.at = "2026-11-26T15:09:00.123Z".into();
    let mut b = pair_event("q1", "c0", "c1", "c1");
    b.at = "2026-11-26T15:10:30.000Z".into();
    let mut m = model_with(&[2, 2, 2], TaskKind::Pair, &[a, b]);
    assert!(keys(&mut m, &[Undo]).is_empty(), "asked first");
    assert_eq!(
        m.overlay,
        Overlay::ConfirmUndo {
            item: "q1".into(),
            when: "2026-11-26 15:10 UTC".into()
        }
    );
    let shown = screen(&m).join("\n");
    assert!(
        shown.contains("item q1") && shown.contains("2026-11-26 15:10 UTC"),
        "{shown}"
    );
    // No: nothing happens.
    assert!(send(&mut m, Msg::Answer(false), 9_000).is_empty());
    assert_eq!(m.overlay, Overlay::None);
    assert_eq!(m.decided_count(), 2);
    // Yes: taken back, and the next one from that session is not asked about again.
    keys(&mut m, &[Undo]);
    let ev = send(&mut m, Msg::Answer(true), 20_000);
    assert!(ev[0].retract && ev[0].item == "q1");
    let ev = keys(&mut m, &[Undo]);
    assert!(ev[0].retract && ev[0].item == "q0", "{ev:?}");
    assert_eq!(m.overlay, Overlay::None);
    assert_eq!(m.session_decisions, 0);
}

#[test]
fn undo_in_one_mode_never_takes_back_the_labelers_decisions_in_another() {
    // The same file labeled in rate and rank mode before: a pair session's undo reaches its
    // own mode's last decision only, not the later ones it does not show.
    let mut a = pair_event("q0", "c0", "c1", "c0");
    a.at = "2026-11-26T15:09:00.123Z".into();
    let mut rate = Event::new("tess", "q1", None, TaskKind::Rate);
    rate.ratings = Some([("c0".to_string(), 4), ("c1".to_string(), 2)].into());
    rate.at = "2026-11-26T15:10:00.000Z".into();
    let mut rank = Event::new("tess", "q2", None, TaskKind::Rank);
    rank.ranking = Some(vec![vec!["c1".into()], vec!["c0".into()]]);
    rank.at = "2026-11-26T15:11:00.000Z".into();
    let mut m = model_with(&[2, 2, 2], TaskKind::Pair, &[a, rate, rank]);
    keys(&mut m, &[Undo]);
    assert!(
        matches!(&m.overlay, Overlay::ConfirmUndo { item, .. } if item == "q0"),
        "{:?}",
        m.overlay
    );
    let ev = send(&mut m, Msg::Answer(true), 20_000);
    assert_eq!(ev.len(), 1, "{ev:?}");
    assert!(ev[0].retract && ev[0].item == "q0" && ev[0].task == TaskKind::Pair);
    // Nothing of this mode left: the rate and rank decisions stand.
    assert!(keys(&mut m, &[Undo]).is_empty());
    assert_eq!(m.status.as_deref(), Some("nothing to undo"));
}

#[test]
fn undo_of_this_sessions_decision_is_not_asked_about() {
    let mut old = pair_event("q0", "c0", "c1", "c0");
    old.at = "2026-11-26T15:09:00.123Z".into();
    let mut m = model_with(&[2, 2, 2], TaskKind::Pair, &[old]);
    keys(&mut m, &[ChooseRight]);
    let ev = keys(&mut m, &[Undo]);
    assert!(ev[0].retract && ev[0].item == "q1");
    assert_eq!(m.overlay, Overlay::None);
}

// --- the footer and header: what the state needs stays ------------------------------------------

#[test]
fn a_complete_ranking_stays_in_the_footer_until_enter() {
    let mut m = model(&[6, 2], TaskKind::Rank);
    send(&mut m, Msg::Resize(80, 24), 0);
    keys(
        &mut m,
        &[
            Number(3),
            Number(1),
            Number(5),
            TieNext,
            Number(2),
            Number(6),
        ],
    );
    assert!(m.view.draft.rank().unwrap().auto_last);
    // At 80 columns the ranking and the key that submits it both stay; Tab keeps its key.
    let footer = screen(&m)[23].clone();
    assert!(
        footer.contains("ranking 3 > 1 > 5 = 2 > 6 > 4 (complete) │ Enter submit  Tab  ? help"),
        "{footer}"
    );
    send(&mut m, Msg::Resize(100, 24), 0);
    let footer = screen(&m)[23].clone();
    assert!(
        footer.contains("ranking 3 > 1 > 5 = 2 > 6 > 4 (complete) │")
            && footer.contains("Enter submit"),
        "{footer}"
    );
    send(&mut m, Msg::Resize(80, 24), 0);
    // A message on top of it does not hide it.
    keys(&mut m, &[Number(9)]);
    let footer = screen(&m)[23].clone();
    assert!(footer.contains("ranking 3 > 1 > 5 = 2 > 6 > 4"), "{footer}");
    let ev = keys(&mut m, &[Cancel, Submit]);
    assert_eq!(ev.len(), 1);
    assert!(!screen(&m)[23].contains("ranking"), "{}", screen(&m)[23]);
}

#[test]
fn the_footer_at_80_columns_keeps_undo_and_the_key_to_hidden_panes() {
    // Four candidates at 80 columns: two panes on screen, two reached with Tab.
    let mut m = model(&[4, 4], TaskKind::Rank);
    send(&mut m, Msg::Resize(80, 24), 0);
    let footer = screen(&m)[23].clone();
    for hint in ["1-9 rank next", "u undo", "Tab focus", "? help", "q quit"] {
        assert!(footer.contains(hint), "{hint} missing: {footer}");
    }
    // With a pick made, taking it back comes before skipping.
    keys(&mut m, &[Number(2)]);
    let footer = screen(&m)[23].clone();
    for hint in ["ranking 2", "Bksp unpick", "Tab focus", "u undo", "q quit"] {
        assert!(footer.contains(hint), "{hint} missing: {footer}");
    }
    // Complete: the ranking says how to submit it.
    keys(&mut m, &[Number(1), Number(4)]);
    let footer = screen(&m)[23].clone();
    for hint in ["(complete) │ Enter submit", "Tab focus", "? help", "q quit"] {
        assert!(footer.contains(hint), "{hint} missing: {footer}");
    }
}

#[test]
fn a_narrow_footer_keeps_the_key_to_hidden_panes_before_undo() {
    // Nine candidates at 40 columns: "1-9 rank next", "Tab focus", "? help" and "q quit" do
    // not all fit whole; Tab stays (as its key alone if need be) and undo does not take its
    // place.
    let mut m = model(&[9], TaskKind::Rank);
    send(&mut m, Msg::Resize(40, 10), 0);
    let footer = screen(&m)[9].clone();
    for hint in ["1-9 rank next", "Tab ", "? help", "q quit"] {
        assert!(footer.contains(hint), "{hint} missing: {footer}");
    }
    assert!(!footer.contains("u undo"), "{footer}");
}

#[test]
fn the_header_at_60x15_keeps_the_progress() {
    let mut m = model(&[50, 4, 4], TaskKind::Pair);
    m.team = super::team::Team::new(2, TaskKind::Pair);
    m.save = super::model::SaveState::Failed {
        pending: 3,
        error: "disk full".into(),
        failures: 1,
    };
    send(&mut m, Msg::Resize(60, 15), 0);
    let s = screen(&m);
    assert!(s[0].contains("task 1/1237"), "{}", s[0]);
    assert!(s[0].contains("0/1237"), "progress missing: {}", s[0]);
    assert!(s[0].contains("NOT SAVED (3)"), "{}", s[0]);
    assert!(s[14].contains("q quit"), "{}", s[14]);
}

// --- `:` jump: what a number means, and the start of an id --------------------------------------

fn type_line(m: &mut Model, start: Action, text: &str) {
    use super::update::InputKey;
    keys(m, &[start]);
    let now = m.now_ms;
    for c in text.chars() {
        send(m, Msg::Input(InputKey::Char(c)), now);
    }
    send(m, Msg::Input(InputKey::Enter), now);
}

fn named(ids: &[&str], n: usize) -> Arc<Dataset> {
    let items = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let cands: Vec<String> = (0..n).map(|k| format!("answer {k} of {id}")).collect();
            Arc::new(
                parse_item(json!({"id": id, "prompt": "p", "candidates": cands}), i + 1).unwrap(),
            )
        })
        .collect();
    Arc::new(Dataset {
        path: PathBuf::from("t.jsonl"),
        kind: FileKind::JsonLines,
        items,
    })
}

#[test]
fn jump_says_a_number_is_a_task_and_takes_the_unique_start_of_an_id() {
    let ids = ["arena-0042", "arena-0107", "hh-17", "oasst-9f3c"];
    let mut m = Model::new(setup(named(&ids, 3), TaskKind::Pair, &[])).unwrap();
    send(&mut m, Msg::Resize(100, 24), 0);
    keys(&mut m, &[Jump]);
    let footer = screen(&m)[23].clone();
    assert!(
        footer.contains("task number (1-12, one per pair), or item id or its start"),
        "{footer}"
    );
    let now = m.now_ms;
    send(&mut m, Msg::Input(super::update::InputKey::Esc), now);
    // A number is a task: task 4 is the second item's first pair.
    type_line(&mut m, Jump, "4");
    assert_eq!((m.current, m.view.item.id.as_str()), (3, "arena-0107"));
    // The start of one id is enough; the start of several says which.
    type_line(&mut m, Jump, "oasst");
    assert_eq!(m.view.item.id, "oasst-9f3c");
    type_line(&mut m, Jump, "hh-");
    assert_eq!(m.view.item.id, "hh-17");
    type_line(&mut m, Jump, "arena");
    assert_eq!(m.view.item.id, "hh-17", "ambiguous: stays");
    let status = m.status.clone().unwrap();
    assert!(status.contains("arena-0042, arena-0107"), "{status}");
    type_line(&mut m, Jump, "zz");
    assert!(m.status.as_deref().unwrap().contains("no item id"));
}

// --- search: every match on screen in reverse video, and "no match" plainly ---------------------

/// The cells of row `y` that are in reverse video, as text.
fn reversed_on_row(m: &Model, y: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(m.size.0, m.size.1)).unwrap();
    t.draw(|f| view(m, f)).unwrap();
    let b = t.backend().buffer().clone();
    (0..b.area.width)
        .map(|x| &b[(x, y)])
        .filter(|c| c.modifier.contains(ratatui::style::Modifier::REVERSED))
        .map(|c| c.symbol().to_string())
        .collect()
}

#[test]
fn search_marks_every_match_on_screen_and_says_no_match_plainly() {
    let mut m = model(&[2, 2], TaskKind::Pair);
    send(&mut m, Msg::Resize(80, 24), 0);
    type_line(&mut m, Search, "ANSWER");
    let rows = screen(&m);
    let row_of = |text: &str| rows.iter().position(|r| r.contains(text)).unwrap() as u16;
    // Both panes' matches on that row are marked, not only the one focused.
    let y = row_of("answer 0 of item 0");
    assert_eq!(reversed_on_row(&m, y), "answeranswer");
    // The prompt has no match: nothing in it is marked.
    assert_eq!(reversed_on_row(&m, row_of("question 0")), "");
    // Esc hides the marks; n shows them again.
    keys(&mut m, &[Cancel]);
    assert_eq!(reversed_on_row(&m, y), "");
    keys(&mut m, &[SearchNext]);
    assert!(reversed_on_row(&m, row_of("answer 1 of item")).contains("answer"));
    type_line(&mut m, Search, "zebra");
    assert_eq!(m.status.as_deref(), Some("no match for \"zebra\""));
    assert!(screen(&m)[23].contains("no match for \"zebra\""));
}

#[test]
fn a_search_for_an_emoji_finds_it_as_drawn_and_skin_is_not_a_word_of_the_data() {
    let item = parse_item(
        json!({"id": "e", "prompt": "p", "candidates": [
            "from 🇯🇵 with love👍\u{1F3FD}, a medium rare steak", "plain words"]}),
        1,
    )
    .unwrap();
    let d = Arc::new(Dataset {
        path: PathBuf::from("t.jsonl"),
        kind: FileKind::JsonLines,
        items: vec![Arc::new(item)],
    });
    let mut m = Model::new(Setup {
        shuffle: false,
        ..setup(d, TaskKind::Pair, &[])
    })
    .unwrap();
    send(&mut m, Msg::Resize(120, 24), 0);
    type_line(&mut m, Search, "🇯🇵");
    // Said as drawn: no raw regional indicators reach the terminal through the footer.
    assert_eq!(
        m.status.as_deref(),
        Some("\"⟨flag JP⟩\": match 1 of 1 here (n: next)")
    );
    let rows = screen(&m);
    let y = rows
        .iter()
        .position(|r| r.contains("from ⟨flag JP⟩"))
        .unwrap() as u16;
    assert_eq!(reversed_on_row(&m, y), "⟨flag JP⟩");
    // "skin" is prefer's name for the tone, not the data's; "medium" is both.
    type_line(&mut m, Search, "skin");
    assert_eq!(m.status.as_deref(), Some("no match for \"skin\""));
    type_line(&mut m, Search, "medium");
    assert_eq!(reversed_on_row(&m, y), "medium");
}

// --- the end: a summary, and the clock stops ------------------------------------------------------

#[test]
fn after_the_last_task_a_summary_says_what_was_done_and_what_next_and_the_clock_stops() {
    let mut m = model(&[2, 2, 2], TaskKind::Pair);
    m.next_steps = vec![
        ("review".into(), "prefer review t.jsonl --mode pair".into()),
        (
            "export".into(),
            "prefer export t.jsonl --format trl --out t.trl.jsonl".into(),
        ),
    ];
    send(&mut m, Msg::Resize(100, 30), 0);
    send(&mut m, Msg::Key(ChooseLeft), 30_000);
    send(&mut m, Msg::Key(Skip), 50_000);
    send(&mut m, Msg::Key(ChooseRight), 95_000);
    assert_eq!(m.overlay, Overlay::Done);
    // Ten minutes later nothing has moved: the clock stopped at the last decision.
    send(&mut m, Msg::Tick, 695_000);
    let shown = screen(&m).join("\n");
    for text in [
        "2 decided, 1 skipped",
        "time: 1:35 labeling this session (1:35 on the clock)",
        "review:  prefer review t.jsonl --mode pair",
        "export:  prefer export t.jsonl --format trl --out t.trl.jsonl",
        "0:00 stopped",
    ] {
        assert!(shown.contains(text), "{text} missing:\n{shown}");
    }
    // Closing it goes on browsing; the session clock counts again from then.
    send(&mut m, Msg::Key(PrevTask), 700_000);
    assert_eq!(m.overlay, Overlay::None);
    assert_eq!(m.session_clock.active_ms(701_000), 96_000);
}
