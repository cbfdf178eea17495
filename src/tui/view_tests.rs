//! View tests on ratatui's TestBackend: what a labeler sees at 80x24, 160x48 and too small.

use std::path::PathBuf;
use std::sync::Arc;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use serde_json::{Value, json};

use super::keymap::Action;
use super::model::{Model, Setup};
use super::update::{Msg, update};
use super::view::view;
use crate::format::{Dataset, FileKind, parse_item};
use crate::labels::TaskKind;
use crate::text::char_width;

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

fn draw(m: &Model) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(m.size.0, m.size.1)).unwrap();
    t.draw(|f| view(m, f)).unwrap();
    t.backend().buffer().clone()
}

/// The screen as text rows; a wide character's second cell is left out, so rows read naturally.
fn rows(b: &Buffer) -> Vec<String> {
    let a = b.area;
    (0..a.height)
        .map(|y| {
            let mut s = String::new();
            let mut skip = 0;
            for x in 0..a.width {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                let sym = b[(x, y)].symbol();
                s.push_str(sym);
                skip = sym.chars().map(char_width).sum::<usize>().saturating_sub(1);
            }
            s
        })
        .collect()
}

fn screen(b: &Buffer) -> String {
    rows(b).join("\n")
}

fn cjk_and_escapes() -> Vec<Value> {
    vec![json!({
        "id": "q-cjk",
        "prompt": "日本語で説明してください。",
        "candidates": [
            {"id": "c0", "text": "再帰とは、関数が自分自身を呼び出すことです。"},
            {"id": "c1", "text": "red \u{1b}[31mALERT\u{1b}[0m title \u{1b}]0;pwned\u{7} bidi \u{202e}txt.exe"}
        ]
    })]
}

#[test]
fn pair_screen_at_80x24() {
    let m = model(cjk_and_escapes(), TaskKind::Pair, (80, 24));
    let b = draw(&m);
    let s = screen(&b);
    let r = rows(&b);
    assert!(r[0].contains("task 1/1"), "{}", r[0]);
    assert!(r[0].contains("0/1"), "{}", r[0]);
    assert!(s.contains("[1] A"), "{s}");
    assert!(s.contains("[2] B"), "{s}");
    assert!(s.contains("再帰とは"), "{s}");
    assert!(r[23].contains("a/1 left"), "{}", r[23]);
    assert!(r[23].contains("quit"), "{}", r[23]);
}

#[test]
fn wide_characters_take_two_cells() {
    let m = model(cjk_and_escapes(), TaskKind::Pair, (80, 24));
    let b = draw(&m);
    let (x, y) = (0..b.area.height)
        .flat_map(|y| (0..b.area.width).map(move |x| (x, y)))
        .find(|&(x, y)| b[(x, y)].symbol() == "再")
        .expect("CJK text on screen");
    assert_eq!(b[(x + 2, y)].symbol(), "帰");
}

#[test]
fn escape_sequences_are_shown_as_symbols_never_sent() {
    let m = model(cjk_and_escapes(), TaskKind::Pair, (80, 24));
    let b = draw(&m);
    for cell in b.content() {
        assert!(
            !cell
                .symbol()
                .chars()
                .any(|c| c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)),
            "raw control in a cell: {:?}",
            cell.symbol()
        );
    }
    let s = screen(&b);
    assert!(s.contains("␛[31mALERT␛[0m"), "{s}");
    assert!(s.contains("␛]0;pwned␇"), "{s}");
    assert!(s.contains("⟨U+202E⟩"), "{s}");
}

fn four_candidates() -> Vec<Value> {
    vec![json!({
        "id": "q4",
        "prompt": "Write a haiku.",
        "candidates": ["one", "two", "three", "four"]
    })]
}

#[test]
fn all_four_panes_at_160x48() {
    let m = model(four_candidates(), TaskKind::Rank, (160, 48));
    let s = screen(&draw(&m));
    for k in 1..=4 {
        assert!(s.contains(&format!("[{k}] ·")), "pane {k} missing:\n{s}");
    }
    assert!(!s.contains("more ▶"), "{s}");
}

#[test]
fn panes_that_do_not_fit_are_marked_at_80x24() {
    let mut m = model(four_candidates(), TaskKind::Rank, (80, 24));
    let s = screen(&draw(&m));
    assert!(s.contains("[1] ·") && s.contains("[2] ·"), "{s}");
    assert!(!s.contains("[3] ·"), "{s}");
    assert!(s.contains("2 more ▶"), "{s}");
    // Moving focus to the last pane scrolls it into view.
    for _ in 0..3 {
        update(&mut m, Msg::Key(Action::FocusRight), 0);
    }
    let s = screen(&draw(&m));
    assert!(s.contains("▶ [4]"), "{s}");
    assert!(s.contains("◀ 2 more"), "{s}");
}

#[test]
fn rank_badges_and_focus_marker() {
    let mut m = model(four_candidates(), TaskKind::Rank, (160, 48));
    update(&mut m, Msg::Key(Action::Number(3)), 0);
    update(&mut m, Msg::Key(Action::TieNext), 0);
    update(&mut m, Msg::Key(Action::Number(1)), 0);
    let s = screen(&draw(&m));
    assert!(s.contains("[3] · 5 ch · #1="), "{s}");
    assert!(s.contains("▶ [1] · 3 ch · #1="), "{s}");
    assert!(
        s.contains("next pick ties") || s.contains("rank next"),
        "{s}"
    );
}

#[test]
fn too_small_says_so_and_never_panics() {
    let m = model(four_candidates(), TaskKind::Rank, (30, 8));
    let s = screen(&draw(&m));
    assert!(s.contains("terminal too small"), "{s}");
    assert!(s.contains("need 40x10"), "{s}");
    for (w, h) in [
        (1, 1),
        (2, 1),
        (1, 30),
        (39, 9),
        (40, 10),
        (41, 11),
        (400, 120),
    ] {
        let m = model(four_candidates(), TaskKind::Rank, (w, h));
        draw(&m);
    }
}

#[test]
fn help_overlay_lists_the_keys_of_the_mode() {
    let mut m = model(cjk_and_escapes(), TaskKind::Pair, (100, 40));
    update(&mut m, Msg::Key(Action::Help), 0);
    let s = screen(&draw(&m));
    assert!(s.contains("help: pair mode"), "{s}");
    assert!(s.contains("left (A) is better"), "{s}");
    assert!(s.contains("undo the last decision"), "{s}");
}

#[test]
fn metadata_is_hidden_until_asked() {
    let items = vec![json!({"id": "a", "prompt": "p",
        "candidates": [{"text": "x", "metadata": {"model": "secret-7b"}}, {"text": "y", "metadata": {"model": "other-70b"}}]})];
    let mut m = model(items, TaskKind::Pair, (80, 24));
    assert!(!screen(&draw(&m)).contains("secret-7b"));
    update(&mut m, Msg::Key(Action::ToggleMeta), 0);
    assert!(screen(&draw(&m)).contains("model: secret-7b"));
}

#[test]
fn saved_state_in_the_header() {
    let mut m = model(
        vec![
            json!({"id": "a", "prompt": "p", "candidates": ["x", "y"]}),
            json!({"id": "b", "prompt": "p", "candidates": ["x", "y"]}),
        ],
        TaskKind::Pair,
        (100, 24),
    );
    update(&mut m, Msg::Key(Action::ChooseLeft), 0);
    let head = rows(&draw(&m))[0].clone();
    assert!(head.contains("… saving 1"), "{head}");
    update(&mut m, Msg::Saved(1), 0);
    let head = rows(&draw(&m))[0].clone();
    assert!(head.contains("✓ saved"), "{head}");
    assert!(head.contains("1/2"), "{head}");
}

#[test]
fn task_counts_say_more_may_come_while_the_file_is_checked() {
    let mut m = model(
        vec![
            json!({"id": "a", "prompt": "p", "candidates": ["x", "y"]}),
            json!({"id": "b", "prompt": "p", "candidates": ["x", "y"]}),
        ],
        TaskKind::Pair,
        (160, 24),
    );
    update(&mut m, Msg::Key(Action::ChooseLeft), 0);
    m.progress = Some(crate::format::Progress {
        checking_done: false,
        ..Default::default()
    });
    let head = rows(&draw(&m))[0].clone();
    // A resumed labeler can have decided more tasks than are known yet: "+" on every count.
    assert!(head.contains("task 2/2+"), "{head}");
    assert!(head.contains(" 1/2+"), "{head}");
    m.progress = None;
    let head = rows(&draw(&m))[0].clone();
    assert!(
        head.contains("task 2/2 ") && head.contains(" 1/2 "),
        "{head}"
    );
    assert!(!head.contains('+'), "{head}");
}

#[test]
fn collapsed_prompt_and_zoom() {
    let mut m = model(four_candidates(), TaskKind::Rank, (80, 24));
    update(&mut m, Msg::Key(Action::TogglePrompt), 0);
    let s = screen(&draw(&m));
    assert!(s.contains("collapsed"), "{s}");
    update(&mut m, Msg::Key(Action::Zoom), 0);
    let s = screen(&draw(&m));
    assert!(s.contains("▶ [1]"), "{s}");
    assert!(!s.contains("[2] ·"), "{s}");
    assert!(!s.contains("prompt"), "{s}");
}

fn with_spec(items: Vec<Value>, mode: TaskKind, toml: &str, size: (u16, u16)) -> Model {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("guide.md"),
        "# Guidelines\n\n- prefer **correct** answers\n- then `short` ones\n",
    )
    .unwrap();
    let spec = crate::taskfile::TaskSpec::parse(toml, "task.toml", dir.path()).unwrap();
    let keymap = super::keymap::KeyMap::default()
        .with_flags(&spec.flags)
        .unwrap();
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
        scale: spec.rate.scale,
        size,
        spec,
        keymap,
        ..Setup::new(d, "alice", mode)
    })
    .unwrap();
    update(&mut m, Msg::Resize(size.0, size.1), 0);
    m
}

#[test]
fn guidelines_flags_and_aspects_on_screen() {
    let toml = "mode = \"rate\"\nguidelines = \"guide.md\"\n[rate]\naspects = [\"helpfulness\", \"honesty\"]\n[[flags]]\nname = \"unsafe\"\nkey = \"!\"\n";
    let mut m = with_spec(four_candidates(), TaskKind::Rate, toml, (160, 40));
    update(&mut m, Msg::Key(Action::Guidelines), 0);
    let s = screen(&draw(&m));
    assert!(s.contains("guidelines ·"), "{s}");
    assert!(s.contains("correct"), "{s}");
    update(&mut m, Msg::Key(Action::Cancel), 0);
    update(&mut m, Msg::Key(Action::Flag(0)), 0);
    update(&mut m, Msg::Key(Action::Number(4)), 0);
    let s = screen(&draw(&m));
    assert!(s.contains("⚑ unsafe"), "{s}");
    assert!(s.contains("helpfulness  4/5"), "{s}");
    assert!(
        s.contains("▶ helpfulness  –/5"),
        "focus moved to the next cell:\n{s}"
    );
}

#[test]
fn the_rationale_editor_opens_over_the_screen() {
    let mut m = with_spec(
        cjk_and_escapes(),
        TaskKind::Pair,
        "rationale = \"optional\"\n",
        (100, 30),
    );
    update(&mut m, Msg::Key(Action::Rationale), 0);
    for c in "理由です".chars() {
        update(&mut m, Msg::Edit(super::keymap::Key::ch(c)), 0);
    }
    let s = screen(&draw(&m));
    assert!(s.contains("rationale (optional)"), "{s}");
    assert!(s.contains("理由です"), "{s}");
}

#[test]
fn monochrome_draws_no_colour_and_default_only_decorates() {
    use ratatui::style::Color;
    let mut m = model(cjk_and_escapes(), TaskKind::Pair, (80, 24));
    let coloured = |b: &Buffer| {
        b.content()
            .iter()
            .any(|c| c.fg != Color::Reset || c.bg != Color::Reset)
    };
    assert!(
        coloured(&draw(&m)),
        "the focused pane is coloured by default"
    );
    m.theme = crate::config::Theme::Monochrome;
    assert!(!coloured(&draw(&m)), "monochrome uses no colour at all");
}

/// Highlighted code on the labeling screen: coloured by default, and the frame, the language's
/// name and the text are the same in monochrome (`NO_COLOR`), with no colour at all.
#[test]
fn code_blocks_are_coloured_by_default_and_monochrome_keeps_their_frame() {
    use ratatui::style::Color;
    let items = vec![json!({
        "id": "code", "prompt": "p",
        "candidates": [
            "```rust\nfn main() {\n    let s = \"hi\"; // greet\n}\n```\n",
            "```python\ndef f(x):\n    return 42  # answer\n```\n",
        ]
    })];
    let mut m = model(items, TaskKind::Pair, (100, 24));
    let coloured_cells = |b: &Buffer, word: &str| -> Vec<Color> {
        let rs = rows(b);
        let (y, row) = rs
            .iter()
            .enumerate()
            .find(|(_, r)| r.contains(word))
            .unwrap();
        let x = crate::text::str_width(&row[..row.find(word).unwrap()]);
        (0..word.len())
            .map(|k| b[(u16::try_from(x + k).unwrap(), u16::try_from(y).unwrap())].fg)
            .collect()
    };
    let b = draw(&m);
    let s = screen(&b);
    assert!(s.contains("┌─ rust ─") && s.contains("┌─ python ─"), "{s}");
    assert!(
        coloured_cells(&b, "fn main")
            .iter()
            .any(|c| *c != Color::Reset),
        "{s}"
    );
    assert!(
        coloured_cells(&b, "\"hi\"")
            .iter()
            .all(|c| *c != Color::Reset),
        "{s}"
    );
    assert!(
        coloured_cells(&b, "def f")
            .iter()
            .any(|c| *c != Color::Reset),
        "{s}"
    );
    m.theme = crate::config::Theme::Monochrome;
    let mono = draw(&m);
    assert_eq!(
        screen(&mono),
        s,
        "monochrome shows the same text and frames"
    );
    assert!(
        mono.content()
            .iter()
            .all(|c| c.fg == Color::Reset && c.bg == Color::Reset),
        "monochrome uses no colour at all"
    );
    // Structure without colour: the language's name bold, comments italic.
    let rs = rows(&mono);
    let (y, row) = rs
        .iter()
        .enumerate()
        .find(|(_, r)| r.contains("greet"))
        .unwrap();
    let x = crate::text::str_width(&row[..row.find("greet").unwrap()]);
    assert!(
        mono[(u16::try_from(x).unwrap(), u16::try_from(y).unwrap())]
            .modifier
            .contains(ratatui::style::Modifier::ITALIC)
    );
}

#[test]
fn a_long_item_id_is_shortened_before_other_header_fields_go() {
    let items = vec![
        json!({"id": "arena-hard-328c149ed45a41c0b9d6f14659e63599", "prompt": "p",
        "candidates": ["x", "y", "z"]}),
    ];
    let m = model(items, TaskKind::Rank, (100, 24));
    let head = rows(&draw(&m))[0].clone();
    assert!(head.contains("│ rank │"), "{head}");
    assert!(head.contains("arena-hard-"), "{head}");
    assert!(head.contains('…'), "{head}");
    assert!(crate::text::str_width(head.trim_end()) <= 100);
}

#[test]
fn help_overlay_at_80x24_is_a_closed_box() {
    for mode in [TaskKind::Pair, TaskKind::Rank, TaskKind::Rate] {
        let mut m = model(four_candidates(), mode, (80, 24));
        update(&mut m, Msg::Key(Action::Help), 0);
        let rows = rows(&draw(&m));
        let top = rows.iter().position(|r| r.contains("┌ help")).unwrap();
        let bottom = top + rows[top..].iter().position(|r| r.contains('└')).unwrap();
        let left = rows[top].chars().position(|c| c == '┌').unwrap();
        let right = rows[top].chars().position(|c| c == '┐').unwrap();
        for r in &rows[top + 1..bottom] {
            let chars: Vec<char> = r.chars().collect();
            assert_eq!(chars[left], '│', "{mode:?}:\n{}", rows.join("\n"));
            assert_eq!(chars[right], '│', "{mode:?}:\n{}", rows.join("\n"));
        }
        // Beside the box, no border of the panes under it reads as a second edge.
        for r in &rows[top..=bottom] {
            let beside: String = r
                .chars()
                .enumerate()
                .filter(|&(x, _)| x < left || x > right)
                .map(|(_, c)| c)
                .collect();
            assert!(
                beside.chars().all(|c| c == ' '),
                "{mode:?}: {beside:?} beside the help:\n{}",
                rows.join("\n")
            );
        }
        // Long descriptions are wrapped under themselves, never cut with "…", on every page.
        for _ in 0..4 {
            let s = screen(&draw(&m));
            assert!(!s.contains('…'), "{mode:?}: a help line is cut:\n{s}");
            for _ in 0..18 {
                update(&mut m, Msg::Key(Action::ScrollDown), 0);
            }
        }
    }
}

/// MT-bench style: the item's messages hold turn 1, its prompt the turn-2 question, and each
/// candidate its own turn-1 answer (30 lines) and the turn-2 answer being judged.
fn two_turn_items() -> Vec<Value> {
    include_str!("../../tests/fixtures/multiturn/mt_bench_ja.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn two_turn_item_shows_the_question_and_opens_at_the_answer_judged() {
    let mut m = model(two_turn_items(), TaskKind::Rank, (120, 40));
    let s = screen(&draw(&m));
    // The prompt pane ends with the question answered (the item's prompt, turn 2).
    assert!(
        s.contains("では、雨の日の代わりの予定も加えてください。"),
        "{s}"
    );
    assert!(s.contains("京都で三日間の旅行を計画してください。"), "{s}");
    // Every candidate pane shown opens at its last turn, marked, with turn 1 above it.
    let judged = s.matches("▍assistant · judged").count();
    assert!(judged >= 2, "{s}");
    assert_eq!(s.matches("判定される答えです").count(), judged, "{s}");
    assert!(!s.contains("、1行目で"), "panes open at turn 1:\n{s}");
    // Scrolled up: the earlier turn is there, marked.
    update(&mut m, Msg::Key(Action::Top), 0);
    let s = screen(&draw(&m));
    assert!(s.contains("earlier turn"), "{s}");
    assert!(s.contains("、1行目で"), "{s}");
    // Collapsing the prompt folds every candidate's earlier turns into one line.
    update(&mut m, Msg::Key(Action::TogglePrompt), 0);
    let s = screen(&draw(&m));
    assert!(s.contains("▸ 1 earlier turn folded"), "{s}");
    assert!(s.contains("▸ 3 earlier turns folded"), "{s}");
    assert!(!s.contains("行目です"), "{s}");
    assert!(s.contains("判定される答えです"), "{s}");
}

/// Every action of the action table is in the `?` help of each mode it does something in:
/// the ones listed always, and what a task file turns on (rationale, guidelines, aspects) when
/// it does. The help is built from the table, so an action with help text cannot go missing.
#[test]
fn help_lists_every_action_of_its_modes() {
    use crate::action::ACTIONS;
    let common = "guidelines = \"guide.md\"\nrationale = \"optional\"\n";
    for mode in TaskKind::MODES {
        let (items, toml) = match mode {
            TaskKind::BestWorst => (
                four_candidates(),
                format!("mode = \"best-worst\"\n{common}"),
            ),
            TaskKind::Pair => (cjk_and_escapes(), common.to_string()),
            TaskKind::Rank => (four_candidates(), common.to_string()),
            TaskKind::Rate => (
                four_candidates(),
                format!(
                    "mode = \"rate\"\n{common}[rate]\naspects = [\"helpfulness\", \"honesty\"]\n"
                ),
            ),
            TaskKind::Edit => unreachable!("not a mode"),
        };
        let mut m = with_spec(items, mode, &toml, (200, 120));
        update(&mut m, Msg::Key(Action::Help), 0);
        let s = screen(&draw(&m));
        for d in ACTIONS {
            let Some(text) = d.action.long_help(mode) else {
                continue;
            };
            if d.action.review_only() {
                // Left out of the labeling screen's help (it acts only in review).
                assert!(!s.contains(text), "{} in the labeling help:\n{s}", d.name);
                continue;
            }
            let label = m.keymap.label(d.action, mode, m.scale);
            assert!(
                s.lines().any(|l| l.contains(&label) && l.contains(text)),
                "{} ({label}: {text}) is not in the {} mode help:\n{s}",
                d.name,
                mode.name()
            );
        }
    }
}

/// An item source that counts the records it is asked for.
#[derive(Debug)]
struct Counting {
    inner: Arc<Dataset>,
    reads: std::sync::atomic::AtomicUsize,
}

impl crate::format::ItemSource for Counting {
    fn len(&self) -> usize {
        self.inner.len()
    }
    fn item(&self, i: usize) -> Result<Arc<crate::format::Item>, crate::format::Problem> {
        self.reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.inner.item(i)
    }
}

/// The "done" overlay is drawn from counts kept in the model: drawing it reads no item (in
/// pair mode, counting the open tasks would read every item of a lazy source, every frame).
#[test]
fn the_done_overlay_reads_nothing_to_draw() {
    use crate::format::ItemSource;
    use std::sync::atomic::Ordering;
    let items = four_candidates();
    let inner = Arc::new(Dataset {
        path: PathBuf::from("t.jsonl"),
        kind: FileKind::JsonLines,
        items: items
            .into_iter()
            .enumerate()
            .map(|(i, v)| Arc::new(parse_item(v, i + 1).unwrap()))
            .collect(),
    });
    let src = Arc::new(Counting {
        inner,
        reads: Default::default(),
    });
    let mut m = Model::new(Setup {
        size: (100, 30),
        ..Setup::new(src.clone() as Arc<dyn ItemSource>, "alice", TaskKind::Pair)
    })
    .unwrap();
    update(&mut m, Msg::Resize(100, 30), 0);
    // Four candidates: six pairs; decide five, skip one.
    for t in 0..6 {
        let a = if t == 5 {
            Action::Skip
        } else {
            Action::ChooseLeft
        };
        update(&mut m, Msg::Key(a), 10_000 * (t + 1));
    }
    assert_eq!(m.overlay, super::model::Overlay::Done);
    let before = src.reads.load(Ordering::SeqCst);
    let s = screen(&draw(&m));
    let s2 = screen(&draw(&m));
    assert_eq!(
        src.reads.load(Ordering::SeqCst),
        before,
        "drawing read items"
    );
    assert_eq!(s, s2);
    assert!(
        s.contains("Nothing left for you: 5 decided, 1 skipped of 6 tasks."),
        "{s}"
    );
}

/// A box as wide as the screen (the overview) sits on the panes without a blank row above and
/// below it: that row would cut every pane's side borders. A narrower one (the help at 160
/// columns and 70 rows) keeps its blank cell all round.
#[test]
fn a_box_as_wide_as_the_screen_leaves_the_panes_borders_whole() {
    let long = |w: &str| format!("{w} ").repeat(60);
    let items = vec![serde_json::json!({
        "id": "q", "prompt": "Explain.",
        "candidates": [
            {"id": "a", "text": long("alpha")},
            {"id": "b", "text": long("beta")},
            {"id": "c", "text": long("gamma")},
        ]
    })];
    for (size, full, key, title) in [
        ((80, 24), true, Action::Overview, "┌ overview"),
        ((160, 40), true, Action::Overview, "┌ overview"),
        ((160, 70), false, Action::Help, "┌ help"),
    ] {
        let mut m = model(items.clone(), TaskKind::Rank, size);
        update(&mut m, Msg::Key(key), 0);
        let rows = rows(&draw(&m));
        let top = rows.iter().position(|r| r.contains(title)).unwrap();
        let bottom = top + rows[top..].iter().position(|r| r.contains('└')).unwrap();
        let left = rows[top].chars().position(|c| c == '┌').unwrap();
        let right = rows[top].chars().position(|c| c == '┐').unwrap();
        let (above, below) = (&rows[top - 1], &rows[bottom + 1]);
        if full {
            assert_eq!(
                (left, right),
                (0, usize::from(size.0) - 1),
                "{}",
                rows.join("\n")
            );
            for r in [above, below] {
                assert!(
                    r.trim() != "",
                    "a blank row by the box:\n{}",
                    rows.join("\n")
                );
                assert!(r.starts_with(['│', '┃']), "{}", rows.join("\n"));
            }
        } else {
            for r in [above, below] {
                let over: String = r.chars().skip(left).take(right - left + 1).collect();
                assert!(over.trim().is_empty(), "{over:?}\n{}", rows.join("\n"));
            }
        }
    }
}

/// At 80 columns a long message (the circle of answers, a task left) is cut before the keys
/// that decide are dropped: a pair keeps `a/1` and `b/2` with help and quit.
#[test]
fn a_long_message_leaves_the_keys_that_decide() {
    let mut m = model(four_candidates(), TaskKind::Pair, (80, 24));
    m.status = Some(
        "your answers here go round in a circle of 3: look at this pair again, and think".into(),
    );
    let rows = rows(&draw(&m));
    let footer = rows.last().unwrap();
    assert!(footer.contains("● your answers"), "{footer}");
    for key in ["a/1", "b/2", "?", "q"] {
        assert!(footer.contains(key), "{key} missing: {footer}");
    }
}
