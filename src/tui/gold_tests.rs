//! Gold items on the labeling screen: mixed into the queue at the task file's rate, never
//! shown twice, and the expected answer shown after a miss when the task file asks for it.

use super::keymap::Action;
use super::model::{Model, Overlay, Setup};
use super::update::{Effect, Msg, update};
use super::update_tests::dataset;
use crate::gold::parse_lines;
use crate::labels::{Event, TaskKind};
use crate::taskfile::TaskSpec;

fn gold_model(n: usize, gold: &[usize], spec: TaskSpec) -> Model {
    let d = dataset(&vec![2; n]);
    let lines: String = gold
        .iter()
        .map(|i| {
            format!(
                "{{\"item\":\"q{i}\",\"best\":\"c1\",\"reason\":\"c1 answers the question\"}}\n"
            )
        })
        .collect();
    let entries = parse_lines(&lines, "gold.jsonl").unwrap();
    let gold = crate::gold::resolve(&d.items, &entries, "t.jsonl").unwrap();
    Model::new(Setup {
        file_label: "t.jsonl".into(),
        size: (120, 40),
        spec,
        gold,
        ..Setup::new(d, "alice", TaskKind::Pair)
    })
    .unwrap()
}

/// Presses `a` until the done screen; the events written, in order.
fn label_all(m: &mut Model) -> Vec<Event> {
    let mut out = Vec::new();
    for _ in 0..1000 {
        if m.overlay == Overlay::Done {
            return out;
        }
        let at = m.now_ms + 1000;
        for fx in update(m, Msg::Key(Action::ChooseLeft), at) {
            if let Effect::Append { seq, event } = fx {
                out.push(*event);
                update(m, Msg::Saved(seq), at);
            }
        }
    }
    panic!("never done: {} decisions", out.len());
}

#[test]
fn gold_items_come_at_the_rate_asked_once_each_and_not_in_file_order() {
    let gold = [5, 15, 25, 35, 45, 55];
    let spec = TaskSpec {
        gold_rate: 0.1,
        ..TaskSpec::default()
    };
    let mut m = gold_model(60, &gold, spec);
    let events = label_all(&mut m);
    let is_gold = |e: &Event| gold.iter().any(|g| e.item == format!("q{g}"));
    let ordinary = events.iter().filter(|e| !is_gold(e)).count();
    let served: Vec<usize> = events
        .iter()
        .enumerate()
        .filter(|(_, e)| is_gold(e))
        .map(|(k, _)| k)
        .collect();
    // Every ordinary task is done; gold makes up about a tenth of what was decided (the
    // k-th gold is due after floor((k + u) / 0.1) decisions, u in [0, 1)): 54 ordinary tasks
    // leave room for 5 or 6.
    assert_eq!(ordinary, 54);
    assert!((5..=6).contains(&served.len()), "{served:?}");
    let mut items: Vec<&str> = events.iter().map(|e| e.item.as_str()).collect();
    items.sort_unstable();
    let before = items.len();
    items.dedup();
    assert_eq!(items.len(), before, "a task was shown twice");
    // Spread out, one per ten decisions or so, not where the file has them (q5 is the sixth).
    for (k, w) in served.windows(2).enumerate() {
        assert!(
            w[1] - w[0] >= 2,
            "gold {k} and {} back to back: {served:?}",
            k + 1
        );
    }
    assert_ne!(
        served,
        vec![5, 15, 25, 35, 45, 55],
        "gold served in file order"
    );
    assert!(served.iter().all(|&k| k < 64));
}

#[test]
fn gold_held_back_is_not_counted_as_done_by_others_and_a_gold_only_file_is_served() {
    // 20 tasks, 10 gold at a rate of 0.1: once the 10 ordinary ones are done, the gold not
    // served (9 or 8) is said to be not needed, not "done by others" (nobody else labels).
    let spec = TaskSpec {
        gold_rate: 0.1,
        ..TaskSpec::default()
    };
    let gold: Vec<usize> = (0..20).filter(|i| i % 2 == 1).collect();
    let mut m = gold_model(20, &gold, spec.clone());
    let events = label_all(&mut m);
    let held = 20 - events.len();
    assert!(held > 0, "every gold task was served: the case is not made");
    assert_eq!((m.done.taken, m.done.gold_held), (0, held));
    let screen = crate::testutil::drawn(&m, 120, 40);
    assert!(
        screen.contains(&format!("{held} check tasks not needed")),
        "{screen}"
    );
    assert!(!screen.contains("done by others"), "{screen}");
    // At a resume nothing is open either: the same summary, not the team's "every task
    // already has its decisions" (nobody else decided anything).
    crate::tui::nothing_left::at_start(&mut m, String::new(), String::new());
    assert_eq!(m.overlay, Overlay::Done);

    // A file of nothing but gold items (a training round) has no ordinary task to mix them
    // into: they are served, each once.
    let mut m = gold_model(3, &[0, 1, 2], spec);
    let events = label_all(&mut m);
    assert_eq!(events.len(), 3);
    assert_eq!((m.done.decided, m.done.taken, m.done.gold_held), (3, 0, 0));
}

#[test]
fn without_a_rate_gold_items_are_ordinary_tasks_in_file_order() {
    let mut m = gold_model(10, &[5], TaskSpec::default());
    let events = label_all(&mut m);
    assert_eq!(events.len(), 10);
    assert_eq!(events[5].item, "q5");
}

#[test]
fn a_miss_shows_the_expected_answer_and_reason_only_with_feedback_on() {
    // Sides in file order (no shuffle): `a` chooses c0, gold says c1.
    let spec = TaskSpec {
        gold_feedback: true,
        ..TaskSpec::default()
    };
    let mut m = gold_model(3, &[0], spec);
    let ev = label_once(&mut m);
    assert_eq!((ev.item.as_str(), ev.choice.as_deref()), ("q0", Some("c0")));
    let status = m.status.clone().unwrap_or_default();
    let said = "✗ that was a check item: \"answer 1 of item 0\" is the better answer - c1 answers the question";
    assert_eq!(status, said);
    // In a box, whole at 80 columns (the status line cuts it), before the next decision.
    assert_eq!(
        m.overlay,
        Overlay::GoldMiss {
            text: said.to_string()
        }
    );
    let screen = crate::testutil::drawn(&m, 60, 24);
    let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let boxed: String = screen
        .lines()
        .filter_map(|l| l.split('│').nth(1))
        .collect::<Vec<_>>()
        .join(" ");
    assert!(words(&boxed).contains(&words(said)), "{screen}");
    // Any key closes it, and is not taken as the next item's decision.
    let at = m.now_ms + 500;
    update(&mut m, Msg::Key(Action::ChooseLeft), at);
    assert_eq!(m.overlay, Overlay::None);
    assert_eq!(m.view.item.id, "q1");
    assert!(!m.view.decided);
    // A right answer, or an ordinary item, says nothing of the kind.
    let ev = label_once(&mut m);
    assert_eq!(ev.item, "q1");
    assert!(!m.status.clone().unwrap_or_default().contains("check item"));
    let mut quiet = gold_model(3, &[0], TaskSpec::default());
    label_once(&mut quiet);
    assert!(
        !quiet
            .status
            .clone()
            .unwrap_or_default()
            .contains("check item")
    );
}

fn label_once(m: &mut Model) -> Event {
    let at = m.now_ms + 1000;
    let mut got = None;
    for fx in update(m, Msg::Key(Action::ChooseLeft), at) {
        if let Effect::Append { seq, event } = fx {
            got = Some(*event);
            update(m, Msg::Saved(seq), at);
        }
    }
    got.expect("a decision")
}

#[test]
fn review_filters_one_annotators_gold_misses() {
    use super::review::{Filter, build_list};
    // Gold on q0 and q2 (c1 best). bob chose c0 on both (two misses), ann c1 on q0 (right);
    // both chose c0 on the ordinary q1.
    let mut m = gold_model(4, &[0, 2], TaskSpec::default());
    let pair = |who: &str, item: &str, choice: &str| {
        let mut e = Event::new(who, item, None, TaskKind::Pair);
        e.pair = Some(["c0".into(), "c1".into()]);
        e.choice = Some(choice.into());
        e
    };
    m.apply_others(vec![
        pair("ann", "q0", "c1"),
        pair("bob", "q0", "c0"),
        pair("ann", "q1", "c0"),
        pair("bob", "q1", "c0"),
        pair("bob", "q2", "c0"),
    ]);
    let items = |f: &Filter| -> Vec<String> {
        build_list(&m, f)
            .into_iter()
            .map(|t| m.task_at(t).unwrap().1.id.clone())
            .collect()
    };
    assert_eq!(
        items(&Filter::parse("misses:bob").unwrap()),
        vec!["q0", "q2"]
    );
    assert!(items(&Filter::Misses("ann".into())).is_empty());
    assert_eq!(Filter::Misses("bob".into()).name(), "misses:bob");
}

#[test]
fn the_overlap_leaves_gold_open_but_not_ordinary_tasks_others_filled() {
    // Overlap 1, gold on q0; bob has decided q0 and q1. q1 is his to fill, not alice's; q0 is
    // a check, open to everyone.
    let spec = TaskSpec {
        gold_rate: 0.5,
        ..TaskSpec::default()
    };
    let mut m = gold_model(4, &[0], spec);
    let pair = |item: &str| {
        let mut e = Event::new("bob", item, None, TaskKind::Pair);
        e.pair = Some(["c0".into(), "c1".into()]);
        e.choice = Some("c0".into());
        e
    };
    m.apply_others(vec![pair("q0"), pair("q1")]);
    assert_eq!(m.open_count(), 3, "q0, q2 and q3");
    assert_eq!(m.first_open_in(1..4), Some(2));
}

/// A review of eight items, gold on the first six (c1 best): ann right on all six, bob wrong
/// on all six; both chose c0 on q6 and q7.
fn quality_review(size: (u16, u16)) -> Model {
    use super::review::Filter;
    use super::update::start_review;
    let mut m = gold_model(8, &[0, 1, 2, 3, 4, 5], TaskSpec::default());
    update(&mut m, Msg::Resize(size.0, size.1), 0);
    let pair = |who: &str, item: usize, choice: &str| {
        let mut e = Event::new(who, &format!("q{item}"), None, TaskKind::Pair);
        e.pair = Some(["c0".into(), "c1".into()]);
        e.choice = Some(choice.into());
        e
    };
    let mut events = Vec::new();
    for i in 0..8 {
        events.push(pair("ann", i, if i < 6 { "c1" } else { "c0" }));
        events.push(pair("bob", i, "c0"));
    }
    m.apply_others(events);
    start_review(&mut m, Filter::All);
    m
}

#[test]
fn review_quality_screen_opens_marks_and_filters_on_enter() {
    let mut m = quality_review((120, 40));
    update(&mut m, Msg::Key(Action::Quality), 0);
    let Overlay::Quality { cursor, table } = m.overlay.clone() else {
        panic!("no quality screen: {:?}", m.overlay);
    };
    assert_eq!(cursor, 0);
    assert_eq!(table.gold_items, 6);
    let names: Vec<&str> = table.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["ann", "bob"]);
    assert!(table.rows[0].figures.starts_with("6/6 100%"), "{table:?}");
    assert!(table.rows[1].figures.starts_with("0/6 0%"), "{table:?}");
    assert!(
        table.rows[1]
            .flags
            .contains(&"gold accuracy 0% (0 of 6) below 80%".to_string()),
        "{table:?}"
    );
    // Down to bob, Enter: review his gold misses, the six gold items.
    update(&mut m, Msg::Key(Action::ScrollDown), 0);
    assert!(matches!(m.overlay, Overlay::Quality { cursor: 1, .. }));
    update(&mut m, Msg::Key(Action::Submit), 0);
    assert_eq!(m.overlay, Overlay::None);
    let r = m.review.as_ref().unwrap();
    assert_eq!(r.filter.name(), "misses:bob");
    assert_eq!(r.list.len(), 6);
    // Esc closes; outside review the key says where it works.
    update(&mut m, Msg::Key(Action::Quality), 0);
    update(&mut m, Msg::Key(Action::Cancel), 0);
    assert_eq!(m.overlay, Overlay::None);
    let mut labeling = gold_model(3, &[0], TaskSpec::default());
    update(&mut labeling, Msg::Key(Action::Quality), 0);
    assert_eq!(labeling.overlay, Overlay::None);
    assert!(
        labeling
            .status
            .clone()
            .unwrap_or_default()
            .contains("review mode")
    );
}

#[test]
fn review_quality_screen_at_80x24_and_wide() {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    for (w, h) in [(80u16, 24u16), (160, 48)] {
        let mut m = quality_review((w, h));
        update(&mut m, Msg::Key(Action::Quality), 0);
        update(&mut m, Msg::Key(Action::ScrollDown), 0);
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| super::view::view(&m, f)).unwrap();
        let b = t.backend().buffer().clone();
        let rows: Vec<String> = (0..h)
            .map(|y| (0..w).map(|x| b[(x, y)].symbol()).collect::<String>())
            .collect();
        let text = rows.join("\n");
        assert!(text.contains("quality per annotator"), "{w}x{h}:\n{text}");
        assert!(text.contains("annotator"), "{w}x{h}:\n{text}");
        let bob = rows
            .iter()
            .find(|r| r.contains("▶ ⚑ bob"))
            .unwrap_or_else(|| panic!("{w}x{h}: bob's row under the cursor:\n{text}"));
        assert!(bob.contains("0/6 0%"), "{w}x{h}:\n{text}");
        assert!(
            rows.iter()
                .any(|r| r.contains("ann") && r.contains("6/6 100%"))
        );
        assert!(
            text.contains("⚑ bob: gold accuracy 0% (0 of 6) below 80%"),
            "{w}x{h}:\n{text}"
        );
        if w >= 160 {
            // Wide enough for every column: the repeats' too.
            assert!(text.contains("same side"), "{w}x{h}:\n{text}");
        }
        // The cursor's row is reversed: a marker beside the colour.
        let y = rows.iter().position(|r| r.contains("▶ ⚑ bob")).unwrap() as u16;
        assert!(
            (0..w).any(|x| b[(x, y)]
                .modifier
                .contains(ratatui::style::Modifier::REVERSED)),
            "{w}x{h}"
        );
    }
}
