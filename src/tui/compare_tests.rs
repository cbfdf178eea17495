//! Comparing long answers: the word diff of two panes (`d`), locked scrolling (`S`), the
//! overview of all candidates (`o`), jumps between headings (`(` `)`) and the header's pace,
//! as `update` changes the model and as TestBackend draws it.

use std::path::PathBuf;
use std::sync::Arc;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Modifier;
use serde_json::{Value, json};

use super::keymap::Action;
use super::model::{Focus, Model, Setup};
use super::update::{Msg, update};
use super::view::view;
use crate::format::{Dataset, FileKind, parse_item};
use crate::labels::TaskKind;

fn model(items: Vec<Value>, mode: TaskKind, size: (u16, u16)) -> Model {
    let d = Arc::new(Dataset {
        path: PathBuf::from("t.jsonl"),
        kind: FileKind::JsonLines,
        items: items
            .into_iter()
            .enumerate()
            .map(|(i, v)| Arc::new(parse_item(v, i + 1).unwrap()))
            .collect(),
    });
    let mut m = Model::new(Setup {
        file_label: "set.jsonl".into(),
        size,
        ..Setup::new(d, "alice", mode)
    })
    .unwrap();
    update(&mut m, Msg::Resize(size.0, size.1), 0);
    m
}

fn key(m: &mut Model, a: Action) {
    // Keys well after the task appeared: none is taken for typed ahead.
    update(m, Msg::Key(a), 10_000);
}

fn draw(m: &Model) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(m.size.0, m.size.1)).unwrap();
    t.draw(|f| view(m, f)).unwrap();
    t.backend().buffer().clone()
}

fn rows(b: &Buffer) -> Vec<String> {
    (0..b.area.height)
        .map(|y| {
            (0..b.area.width)
                .map(|x| b[(x, y)].symbol())
                .collect::<String>()
        })
        .collect()
}

/// Where `text` starts on screen (row, column in cells), if it is there (ASCII rows only).
fn find(b: &Buffer, text: &str) -> Option<(u16, u16)> {
    rows(b).iter().enumerate().find_map(|(y, r)| {
        r.find(text)
            .map(|x| (y as u16, r[..x].chars().count() as u16))
    })
}

/// A long answer: `n` numbered paragraphs, one word of paragraph `change` swapped.
fn long_answer(n: usize, change: Option<usize>) -> String {
    (0..n)
        .map(|i| {
            let w = if Some(i) == change { "seven" } else { "three" };
            format!("Paragraph {i} says water the plant every {w} days and no more.")
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn pair_item(a: &str, b: &str) -> Vec<Value> {
    vec![json!({"id": "q1", "prompt": "How often should I water?",
                "candidates": [{"id": "c0", "text": a}, {"id": "c1", "text": b}]})]
}

#[test]
fn d_marks_the_words_only_one_answer_has() {
    for width in [80, 160] {
        let mut m = model(
            pair_item(
                "Water it every three days in summer.",
                "Water it every seven days in summer.",
            ),
            TaskKind::Pair,
            (width, 24),
        );
        assert!(m.pair_shown.is_none());
        key(&mut m, Action::ToggleDiff);
        let b = draw(&m);
        let screen = rows(&b).join("\n");
        assert!(screen.contains("diff: 2 of 8 words differ"), "{screen}");
        for word in ["three", "seven"] {
            let (y, x) = find(&b, word).unwrap_or_else(|| panic!("{word}:\n{screen}"));
            let cell = &b[(x, y)];
            assert!(cell.modifier.contains(Modifier::REVERSED), "{word}");
            assert!(cell.modifier.contains(Modifier::UNDERLINED), "{word}");
            // Not colour alone: the margin says the line holds a change.
            let margin = rows(&b)[usize::from(y)]
                .chars()
                .nth(usize::from(x) - "Water it every ".len() - 1)
                .unwrap();
            assert_eq!(margin, '+', "{word} at {width}:\n{screen}");
        }
        let (y, x) = find(&b, "Water").unwrap();
        assert!(!b[(x, y)].modifier.contains(Modifier::REVERSED));
        assert!(
            screen.contains("· diff"),
            "titles say which panes: {screen}"
        );
        key(&mut m, Action::ToggleDiff);
        let screen = rows(&draw(&m)).join("\n");
        assert!(!screen.contains("words differ"), "{screen}");
        assert!(m.pair_shown.is_none());
    }
}

#[test]
fn equal_stretches_fold_to_one_line_on_both_sides() {
    let mut m = model(
        pair_item(&long_answer(30, None), &long_answer(30, Some(25))),
        TaskKind::Pair,
        (120, 30),
    );
    key(&mut m, Action::ToggleDiff);
    let b = draw(&m);
    let screen = rows(&b).join("\n");
    let fold = rows(&b)
        .iter()
        .find(|r| r.contains(" equal words …"))
        .cloned()
        .unwrap_or_else(|| panic!("{screen}"));
    assert_eq!(fold.matches(" equal words …").count(), 2, "{fold}");
    assert!(screen.contains("diff: 2 of 361 words differ"), "{screen}");
}

#[test]
fn the_diff_is_computed_once_per_pair_and_width() {
    let mut m = model(
        pair_item(&long_answer(30, None), &long_answer(30, Some(3))),
        TaskKind::Pair,
        (100, 30),
    );
    key(&mut m, Action::ToggleDiff);
    let first = m.pair_shown.as_ref().unwrap().2.clone();
    key(&mut m, Action::ScrollDown);
    key(&mut m, Action::FocusNext);
    assert!(Arc::ptr_eq(&first, &m.pair_shown.as_ref().unwrap().2));
    update(&mut m, Msg::Resize(140, 30), 10_000);
    assert!(!Arc::ptr_eq(&first, &m.pair_shown.as_ref().unwrap().2));
}

#[test]
fn rank_mode_compares_the_focused_pane_with_the_next() {
    let item = vec![json!({"id": "q", "prompt": "p", "candidates": ["one a", "two b", "three c"]})];
    let mut m = model(item, TaskKind::Rank, (120, 24));
    key(&mut m, Action::ToggleDiff);
    let pair = |m: &Model| m.pair_shown.as_ref().map(|(a, b, _)| (*a, *b));
    assert_eq!(pair(&m), Some((0, 1)));
    key(&mut m, Action::FocusNext);
    assert_eq!(pair(&m), Some((1, 2)));
    key(&mut m, Action::FocusNext);
    assert_eq!(
        pair(&m),
        Some((1, 2)),
        "the last pane: against the one before"
    );
    assert_eq!(m.view.focus, Focus::Pane(2));
}

/// The first text row of the left and the right pane (pair mode, two panes side by side).
fn top_rows(m: &Model) -> (String, String) {
    let b = draw(m);
    let r = rows(&b);
    let y = r
        .iter()
        .position(|l| l.starts_with('┏') || l.starts_with('┌') && l.contains("[1]"))
        .unwrap()
        + 1;
    let line = &r[y];
    let half: Vec<char> = line.chars().collect();
    let mid = half.len() / 2;
    let left: String = half[2..mid - 2].iter().collect();
    let right: String = half[mid + 2..half.len() - 2].iter().collect();
    (left.trim().to_string(), right.trim().to_string())
}

#[test]
fn s_locks_the_two_panes_scrolling_together_by_default() {
    let mut m = model(
        pair_item(&long_answer(30, None), &long_answer(30, Some(3))),
        TaskKind::Pair,
        (100, 24),
    );
    assert!(m.lock_scroll);
    for _ in 0..3 {
        key(&mut m, Action::ScrollDown);
    }
    assert_eq!(m.view.scroll, [3, 3]);
    key(&mut m, Action::PageDown);
    assert_eq!(m.view.scroll[0], m.view.scroll[1]);
    key(&mut m, Action::LockScroll);
    let before = m.view.scroll[1];
    key(&mut m, Action::ScrollDown);
    assert_eq!(
        m.view.scroll[1], before,
        "apart: only the focused pane moves"
    );
    key(&mut m, Action::LockScroll);
    key(&mut m, Action::Top);
    assert_eq!(m.view.scroll, [0, m.view.scroll[1]]);
    assert_eq!(m.view.scroll[1], 0);
}

#[test]
fn with_the_diff_locked_panes_stay_aligned_at_equal_words() {
    // The right answer has two extra paragraphs near the top: line for line the panes
    // drift apart, aligned on the words they stay together.
    let left = long_answer(30, None);
    let extra = "An extra paragraph that only the right answer has, long enough to wrap over \
                 more than one line of the pane.";
    let mut right = left.replacen(
        "\n\nParagraph 2 ",
        &format!("\n\n{extra}\n\n{extra}\n\nParagraph 2 "),
        1,
    );
    // More changes further down, so that not everything folds away.
    for k in [6, 10, 14, 18, 22, 26] {
        right = right.replacen(
            &format!("Paragraph {k} says"),
            &format!("Paragraph {k} claims"),
            1,
        );
    }
    let mut m = model(pair_item(&left, &right), TaskKind::Pair, (100, 24));
    key(&mut m, Action::ToggleDiff);
    for steps in 1..30 {
        key(&mut m, Action::ScrollDown);
        let (l, r) = top_rows(&m);
        // Where a paragraph starts on the left (lines inside one can wrap differently).
        if !l.starts_with("Paragraph") {
            continue;
        }
        // The same paragraph at the top of both (its words may differ: "says", "claims").
        let start = |t: &str| t.split(' ').take(2).collect::<Vec<_>>().join(" ");
        assert_eq!(
            start(&l),
            start(&r),
            "after {steps} lines: {:?}",
            m.view.scroll
        );
    }
    assert_ne!(
        m.view.scroll[0], m.view.scroll[1],
        "the right pane is further down"
    );
}

fn five() -> Vec<Value> {
    vec![
        json!({"id": "q", "prompt": "Name a colour.", "candidates": [
            "Red is the colour of **blood** and fire.",
            "Blue, like the sky.",
            "Green: the colour of grass, leaves and most of what grows in a garden in spring.",
            "",
            "Yellow."
        ]}),
    ]
}

#[test]
fn o_lists_every_candidate_and_enter_focuses_one() {
    for width in [80, 160] {
        let mut m = model(five(), TaskKind::Rank, (width, 24));
        key(&mut m, Action::Number(3));
        key(&mut m, Action::Overview);
        let screen = rows(&draw(&m)).join("\n");
        assert!(screen.contains("overview: 5 candidates"), "{screen}");
        for (k, start) in [
            (1, "Red is the colour of **blood**"),
            (2, "Blue, like the sky."),
            (4, "(empty answer)"),
            (5, "Yellow."),
        ] {
            assert!(screen.contains(&format!("[{k}] ·")), "{k}: {screen}");
            assert!(screen.contains(start), "{start}: {screen}");
        }
        let row3 = rows(&draw(&m))
            .into_iter()
            .find(|r| r.contains("Green: the colour") && r.contains("[3] ·"))
            .unwrap();
        assert!(row3.contains("#1"), "{row3}");
        assert!(rows(&draw(&m)).iter().any(|r| r.contains("▶ [1] ·")));
        // Down to the fifth and Enter: it is focused and on screen.
        for _ in 0..4 {
            key(&mut m, Action::ScrollDown);
        }
        key(&mut m, Action::ScrollDown);
        key(&mut m, Action::Submit);
        assert_eq!(m.overlay, super::model::Overlay::None);
        assert_eq!(m.view.focus, Focus::Pane(4));
        let screen = rows(&draw(&m)).join("\n");
        assert!(screen.contains("▶ [5]"), "{screen}");
        // Esc closes it and leaves the focus where it was; a number focuses directly.
        key(&mut m, Action::Overview);
        key(&mut m, Action::Cancel);
        assert_eq!(m.overlay, super::model::Overlay::None);
        assert_eq!(m.view.focus, Focus::Pane(4));
        key(&mut m, Action::Overview);
        key(&mut m, Action::Number(2));
        assert_eq!(m.view.focus, Focus::Pane(1));
        assert_eq!(
            m.view.draft.rank().map(|r| r.tiers.len()),
            Some(1),
            "no pick made"
        );
    }
}

#[test]
fn parens_jump_between_headings_and_turns() {
    let body = |k: usize| {
        (0..12)
            .map(|i| format!("Line {i} of part {k}."))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let answer = format!(
        "# Care guide\n\n{}\n\n## Watering\n\n{}\n\n- a list\n  ### Light inside a list\n\n{}",
        body(1),
        body(2),
        body(3)
    );
    for width in [40, 80, 160] {
        let mut m = model(pair_item(&answer, "short"), TaskKind::Pair, (width, 20));
        let top = |m: &Model| {
            let b = draw(m);
            let r = rows(&b);
            let y = r.iter().position(|l| l.contains("[1]")).unwrap() + 1;
            r[y].clone()
        };
        key(&mut m, Action::NextSection);
        assert!(top(&m).contains("▶ Watering"), "{width}: {}", top(&m));
        key(&mut m, Action::NextSection);
        assert!(
            top(&m).contains("▸ Light inside a list"),
            "{width}: {}",
            top(&m)
        );
        key(&mut m, Action::NextSection);
        assert!(m.status.as_deref().unwrap_or("").contains("no heading"));
        key(&mut m, Action::PrevSection);
        assert!(top(&m).contains("▶ Watering"), "{width}: {}", top(&m));
        key(&mut m, Action::PrevSection);
        assert!(top(&m).contains("■ Care guide"), "{width}: {}", top(&m));
    }
    // The prompt pane: a conversation's turns.
    let item = vec![json!({"id": "q", "messages": [
        {"role": "system", "content": (0..8).map(|i| format!("rule {i}")).collect::<Vec<_>>().join("\n")},
        {"role": "user", "content": (0..8).map(|i| format!("ask {i}")).collect::<Vec<_>>().join("\n")},
        {"role": "assistant", "content": "reply"},
        {"role": "user", "content": "and then?"}],
        "candidates": ["x", "y"]})];
    let mut m = model(item, TaskKind::Pair, (80, 24));
    key(&mut m, Action::FocusPrompt);
    key(&mut m, Action::Top);
    key(&mut m, Action::NextSection);
    let lines = m.wrap.ensure(
        &m.view.item,
        super::content::PaneId::Prompt,
        76,
        m.show_of(super::content::PaneId::Prompt),
    );
    assert_eq!(lines[m.view.prompt_scroll].to_string(), "▍user");
}

#[test]
fn the_header_shows_the_pace_once_there_is_enough_to_go_on() {
    let items: Vec<Value> = (0..20)
        .map(|i| json!({"id": format!("q{i}"), "prompt": "p", "candidates": ["a", "b"]}))
        .collect();
    let mut m = model(items, TaskKind::Pair, (160, 24));
    let header = |m: &Model| rows(&draw(m))[0].clone();
    // A decision every 30 seconds of active time.
    for k in 1..=6u64 {
        assert!(!header(&m).contains("left at"), "{k}: {}", header(&m));
        update(&mut m, Msg::Key(Action::ChooseLeft), k * 30_000);
    }
    // 6 decisions in 3 minutes: 120 an hour; 14 tasks left take 7 minutes.
    assert_eq!(m.pace().as_deref(), Some("~7m left at 120/h"));
    assert!(
        header(&m).contains("│ ~7m left at 120/h │"),
        "{}",
        header(&m)
    );
    // Undo takes its decision out of the pace: 5 in 181 seconds, 15 left.
    update(&mut m, Msg::Key(Action::Undo), 181_000);
    assert_eq!(m.pace().as_deref(), Some("~10m left at 99/h"));
    update(&mut m, Msg::Key(Action::Undo), 182_000);
    assert_eq!(m.pace(), None, "4 decisions are too few");
}

#[test]
fn the_pace_counts_the_last_half_hour_of_active_time_and_hours_read_as_such() {
    let items: Vec<Value> = (0..400)
        .map(|i| json!({"id": format!("q{i}"), "prompt": "p", "candidates": ["a", "b"]}))
        .collect();
    let mut m = model(items, TaskKind::Pair, (160, 24));
    // An hour at one a minute, then half an hour at two a minute: the pace is the last
    // half hour's.
    let mut t = 0;
    for _ in 0..60 {
        t += 60_000;
        update(&mut m, Msg::Key(Action::ChooseLeft), t);
    }
    for _ in 0..60 {
        t += 30_000;
        update(&mut m, Msg::Key(Action::ChooseLeft), t);
    }
    // 280 left at 120/h: 2h20m.
    assert_eq!(m.pace().as_deref(), Some("~2h20m left at 120/h"));
}

/// `>` / `<` move the focused pane's too-wide table along its columns (the other pane's
/// stays), the marker says where, and a pane without such a table says so.
#[test]
fn wide_tables_scroll_sideways_in_the_focused_pane() {
    let heads: Vec<String> = (0..9).map(|i| format!("h{i}ead")).collect();
    let table = format!(
        "| {} |\n|{}\n| {} |\n",
        heads.join(" | "),
        "---|".repeat(9),
        (0..9)
            .map(|i| format!("値{i}"))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    let items = vec![json!({"id": "t", "prompt": "p", "candidates": [table, "no table here"]})];
    let mut m = model(items, TaskKind::Pair, (80, 24));
    let left_of = |m: &Model| -> String {
        rows(&draw(m))
            .iter()
            .map(|r| r.chars().take(40).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let s = left_of(&m);
    assert!(s.contains("columns 1-"), "{s}");
    assert!(s.contains("h0ead") && !s.contains("h8ead"), "{s}");
    for _ in 0..12 {
        key(&mut m, Action::TableRight);
    }
    let s = left_of(&m);
    assert!(
        s.contains("◀ ") && s.contains("h8ead") && s.contains("値"),
        "{s}"
    );
    assert!(!s.contains("h0ead"), "{s}");
    assert!(
        m.status.as_deref().unwrap_or("").contains("last columns"),
        "{:?}",
        m.status
    );
    key(&mut m, Action::TableLeft);
    assert!(left_of(&m).contains("columns "), "{}", left_of(&m));
    key(&mut m, Action::FocusNext);
    key(&mut m, Action::TableRight);
    assert_eq!(
        m.status.as_deref(),
        Some("no table in this pane is too wide for it")
    );
}

fn search_for(m: &mut Model, text: &str) {
    use super::update::InputKey;
    key(m, Action::Search);
    for c in text.chars() {
        update(m, Msg::Input(InputKey::Char(c)), 10_000);
    }
    update(m, Msg::Input(InputKey::Enter), 10_000);
}

/// With the diff on and equal stretches folded, `/` lands on the match as drawn: the folded
/// pane's line that holds it (or the fold that stands for it), not the line number it has
/// unfolded, which lies far below in the folded pane.
#[test]
fn search_lands_on_the_match_in_the_folded_diff() {
    let para = |i: usize, w: &str| {
        let n = if i == 6 { "needle " } else { "" };
        format!("Paragraph {i} {n}says water the plant every {w} days and no more.")
    };
    let a: Vec<String> = (0..60).map(|i| para(i, "three")).collect();
    let b: Vec<String> = (0..60)
        .map(|i| {
            para(
                i,
                if [5, 20, 35, 50].contains(&i) {
                    "seven"
                } else {
                    "three"
                },
            )
        })
        .collect();
    let mut m = model(
        pair_item(&a.join("\n\n"), &b.join("\n\n")),
        TaskKind::Pair,
        (100, 30),
    );
    key(&mut m, Action::ToggleDiff);
    search_for(&mut m, "needle");
    let s = rows(&draw(&m)).join("\n");
    // The focused pane (the left one, the first match) shows it.
    let left: String = rows(&draw(&m))
        .iter()
        .map(|r| r.chars().take(50).collect::<String>() + "\n")
        .collect();
    assert!(
        left.contains("Paragraph 6 needle"),
        "the match is in the focused pane:\n{s}"
    );
    // In a folded stretch: the screen shows the fold that holds it, and says so.
    let b: Vec<String> = (0..60)
        .map(|i| {
            para(
                i,
                if [1, 58].contains(&i) {
                    "seven"
                } else {
                    "three"
                },
            )
        })
        .collect();
    let needle = |v: &[String]| {
        v.join("\n\n")
            .replace("Paragraph 6 needle", "Paragraph 6")
            .replace("Paragraph 30 ", "Paragraph 30 needle ")
    };
    let mut m = model(
        pair_item(&needle(&a), &needle(&b)),
        TaskKind::Pair,
        (100, 30),
    );
    key(&mut m, Action::ToggleDiff);
    search_for(&mut m, "needle");
    let s = rows(&draw(&m)).join("\n");
    assert!(s.contains("equal words …"), "{s}");
    assert!(
        m.status.as_deref().unwrap_or("").contains("folded"),
        "{:?}",
        m.status
    );
}

/// The overview of more candidates than the screen has rows keeps its cursor in view.
#[test]
fn the_overview_cursor_stays_on_screen() {
    let cands: Vec<String> = (0..9).map(|i| format!("answer number {i}")).collect();
    let items = vec![json!({"id": "many", "prompt": "p", "candidates": cands})];
    // Ten rows: the box holds seven of the nine.
    let mut m = model(items, TaskKind::Rank, (80, 10));
    key(&mut m, Action::Overview);
    let cursor_row = |m: &Model| {
        rows(&draw(m))
            .into_iter()
            .find(|r| r.contains("│▶ ["))
            .unwrap_or_default()
    };
    assert!(cursor_row(&m).contains("[1]"), "{}", cursor_row(&m));
    for k in 2..=9 {
        key(&mut m, Action::ScrollDown);
        let row = cursor_row(&m);
        assert!(
            row.contains(&format!("[{k}]")),
            "{k}: {}",
            rows(&draw(&m)).join("\n")
        );
    }
    for _ in 0..8 {
        key(&mut m, Action::ScrollUp);
    }
    assert!(
        cursor_row(&m).contains("[1]"),
        "{}",
        rows(&draw(&m)).join("\n")
    );
}

/// `M` flips the focused pane between rendered and as written; Ctrl-R flips every pane to
/// the focused pane's other state (a count before `M` cannot be had: digits decide).
#[test]
fn ctrl_r_shows_every_pane_as_written_and_m_only_the_focused_one() {
    use super::content::PaneId;
    let items = pair_item("**bold one**", "**bold two**");
    let mut m = model(items, TaskKind::Pair, (100, 24));
    let screen = |m: &Model| rows(&draw(m)).join("\n");
    assert!(!screen(&m).contains("**bold"), "{}", screen(&m));
    key(&mut m, Action::ToggleRaw);
    let s = screen(&m);
    assert!(
        s.contains("**bold one**") && !s.contains("**bold two**"),
        "{s}"
    );
    key(&mut m, Action::ToggleRawAll);
    let s = screen(&m);
    assert!(
        !s.contains("**bold"),
        "the focused pane was raw: all rendered\n{s}"
    );
    key(&mut m, Action::ToggleRawAll);
    let s = screen(&m);
    assert!(
        s.contains("**bold one**") && s.contains("**bold two**"),
        "{s}"
    );
    assert!(m.raw_panes.contains(&PaneId::Prompt));
    assert_eq!(
        super::keymap::KeyMap::default().action(crate::key::Key::ctrl('r')),
        Some(Action::ToggleRawAll)
    );
}
