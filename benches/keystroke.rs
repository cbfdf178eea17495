//! Keystrokes at 200x60 with four candidates of 65,000 characters each. Targets: one key to a
//! drawn frame under 1 ms at p99 once the candidates are wrapped; the first wrap of a
//! 65,000-character answer at a new width under 10 ms, code highlighting included.
//!
//! A key is `update` (which also lays out and wraps what became visible) plus `view` drawn on
//! a TestBackend, as the event loop does. divan reports the median and spread; the p50/p99 of
//! single keystrokes are printed by `keystroke_percentiles` (divan has no percentiles).
//!
//! Two kinds of key, printed apart: reading keys (scroll, page, focus) on one item, whose
//! answers are wrapped once and then only drawn; and the Enter that submits a ranking and moves
//! to the next item, another 4 x 65,000 characters to lay out and wrap (`decision_percentiles`).
//! Neither includes the terminal's own output, the writer thread's append and fsync (the key
//! only hands the event over), or the loop's look at the other annotators' logs before each key
//! (`prefer label --labels-dir` with other logs).

#[path = "common.rs"]
mod common;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use divan::Bencher;
use prefer::format::{Dataset, FileKind, Item, parse_item};
use prefer::labels::TaskKind;
use prefer::synth::{Rng, markdown};
use prefer::tui::content::{PaneId, wrapped_lines};
use prefer::tui::keymap::Action;
use prefer::tui::model::{Model, Setup};
use prefer::tui::update::{Effect, Msg, update};
use prefer::tui::view::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const CHARS: usize = 65_000;

fn main() {
    // A name given to divan (`cargo bench --bench keystroke first_wrap`) picks what runs; the
    // percentile runs, which are not divan's, run when their name contains it.
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let wanted = |name: &str| filter.as_deref().is_none_or(|f| name.contains(f));
    if wanted("keystroke_percentiles") {
        keystroke_percentiles();
    }
    if wanted("decision_percentiles") {
        decision_percentiles();
    }
    if wanted("highlight_first_use") {
        highlight_first_use();
    }
    divan::main();
}

fn item() -> Item {
    item_from(4, "long")
}

/// An item of four 65,000-character answers made from `seed`.
fn item_from(seed: u64, id: &str) -> Item {
    let mut r = Rng::new(seed);
    let cands: Vec<_> = (0..4)
        .map(|c| serde_json::json!({"id": format!("c{c}"), "text": markdown(&mut r, CHARS)}))
        .collect();
    parse_item(
        serde_json::json!({"id": id, "prompt": markdown(&mut r, 400), "candidates": cands}),
        1,
    )
    .unwrap()
}

fn model() -> Model {
    model_of(vec![Arc::new(item())])
}

fn model_of(items: Vec<Arc<Item>>) -> Model {
    let d = Arc::new(Dataset {
        path: PathBuf::from("bench.jsonl"),
        kind: FileKind::JsonLines,
        items,
    });
    let mut m = Model::new(Setup {
        file_label: "bench.jsonl".into(),
        size: (200, 60),
        ..Setup::new(d, "bench", TaskKind::Rank)
    })
    .unwrap();
    update(&mut m, Msg::Resize(200, 60), 0);
    m
}

/// The keys a labeler presses while reading: scroll, page, focus, and back.
const KEYS: [Action; 8] = [
    Action::ScrollDown,
    Action::ScrollDown,
    Action::PageDown,
    Action::FocusNext,
    Action::ScrollDown,
    Action::PageUp,
    Action::FocusPrev,
    Action::ScrollUp,
];

/// Reading keys with the word diff off, then on (`d`: the focused pane against the next, so
/// focus keys move the pair). The first `d` (the diff of two answers as drawn, computed once
/// per pair and width) is timed on its own; each pair's first diff after that falls inside
/// the first keys, and is cached from then on.
fn keystroke_percentiles() {
    for diff in [false, true] {
        keystrokes(diff);
    }
}

fn keystrokes(diff: bool) {
    let mut m = model();
    let mut t = Terminal::new(TestBackend::new(200, 60)).unwrap();
    t.draw(|f| view(&m, f)).unwrap();
    if diff {
        let start = Instant::now();
        update(&mut m, Msg::Key(Action::ToggleDiff), 0);
        t.draw(|f| view(&m, f)).unwrap();
        let summary = m.pair_shown.as_ref().map(|(_, _, d)| d.summary.clone());
        println!(
            "the first d (word diff of two {CHARS}-char answers as drawn, and its frame): {:.1} ms; {}",
            start.elapsed().as_secs_f64() * 1e3,
            summary.unwrap_or_default()
        );
    }
    let mut times = Vec::with_capacity(20_000);
    for k in 0..20_000 {
        let start = Instant::now();
        update(&mut m, Msg::Key(KEYS[k % KEYS.len()]), k as u64);
        t.draw(|f| view(&m, f)).unwrap();
        times.push(start.elapsed().as_secs_f64() * 1e6);
    }
    times.sort_by(f64::total_cmp);
    let p = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
    println!(
        "keystroke to frame, 4 x {CHARS} chars at 200x60, diff {}, {} keys: p50 {:.0} us, p99 {:.0} us, max {:.0} us",
        if diff { "on" } else { "off" },
        times.len(),
        p(0.5),
        p(0.99),
        p(1.0)
    );
}

/// The Enter that submits a ranking of four and moves to the next item: `update` (the event
/// handed to the writer, the next task found and laid out, its answers wrapped) and the frame.
/// The three keys that build the ranking are not timed; the writer's confirmation comes after
/// the frame, as it does in the loop.
fn decision_percentiles() {
    const ITEMS: usize = 100;
    // Eight different sets of answers: no item's text is wrapped before it is shown.
    let items: Vec<Arc<Item>> = (0..ITEMS)
        .map(|i| Arc::new(item_from(100 + i as u64 % 8, &format!("item-{i}"))))
        .collect();
    let mut m = model_of(items);
    let mut t = Terminal::new(TestBackend::new(200, 60)).unwrap();
    t.draw(|f| view(&m, f)).unwrap();
    let mut times = Vec::with_capacity(ITEMS);
    for k in 0..ITEMS - 1 {
        // Ten seconds a task, as a person takes: keys within the type-ahead guard of a new
        // task would be ignored.
        let now = k as u64 * 10_000;
        for n in [3, 1, 4] {
            update(&mut m, Msg::Key(Action::Number(n)), now);
        }
        t.draw(|f| view(&m, f)).unwrap();
        let before = m.current;
        let start = Instant::now();
        let fx = update(&mut m, Msg::Key(Action::Submit), now);
        t.draw(|f| view(&m, f)).unwrap();
        times.push(start.elapsed().as_secs_f64() * 1e6);
        assert_eq!(m.current, before + 1, "the decision moved to the next item");
        for e in fx {
            if let Effect::Append { seq, .. } = e {
                update(&mut m, Msg::Saved(seq), now);
            }
        }
    }
    times.sort_by(f64::total_cmp);
    let p = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
    println!(
        "decision to the next item's frame, 4 x {CHARS} chars at 200x60, {} decisions: p50 {:.0} us, p99 {:.0} us, max {:.0} us",
        times.len(),
        p(0.5),
        p(0.99),
        p(1.0)
    );
}

/// What syntax highlighting costs the first time: loading the grammars (once per process, the
/// first time a code block with a language is shown); the first layout of a 65,000-character
/// answer never shown before (it highlights blocks for at most `syntax::BUDGET`, then leaves
/// the rest plain for the highlighting thread); how long that thread takes over the rest;
/// and a layout at a new width once all is highlighted (the blocks are cached by text, so
/// it only wraps). Medians of 20 runs after one untimed run, with min and max.
fn highlight_first_use() {
    let start = Instant::now();
    prefer::syntax::load();
    println!(
        "grammars loaded on first use: {:.1} ms",
        start.elapsed().as_secs_f64() * 1e3
    );
    let it = item();
    let (mut cold, mut thread, mut warm) = (Vec::new(), Vec::new(), Vec::new());
    for w in 0..21u16 {
        prefer::syntax::clear_cache();
        let g = prefer::syntax::generation();
        let start = Instant::now();
        let first = wrapped_lines(&it, PaneId::Cand(0), 48 + w, false);
        cold.push(start.elapsed().as_secs_f64() * 1e3);
        let start = Instant::now();
        if first.deferred {
            while prefer::syntax::generation() == g {
                std::thread::sleep(std::time::Duration::from_micros(200));
            }
        }
        thread.push(start.elapsed().as_secs_f64() * 1e3);
        let start = Instant::now();
        let again = wrapped_lines(&it, PaneId::Cand(0), 100 + w, false);
        warm.push(start.elapsed().as_secs_f64() * 1e3);
        assert!(!again.deferred);
    }
    for v in [&mut cold, &mut thread, &mut warm] {
        v.remove(0);
        v.sort_by(f64::total_cmp);
    }
    let say = |v: &[f64]| format!("{:.1} ms (min {:.1}, max {:.1})", v[10], v[0], v[19]);
    println!(
        "first layout of a {CHARS}-char Markdown answer never shown: {}; the highlighting thread's rest: {}; at a new width once highlighted: {}",
        say(&cold),
        say(&thread),
        say(&warm)
    );
}

#[divan::bench(sample_count = 200)]
fn keystroke_to_frame(b: Bencher) {
    let mut m = model();
    let mut t = Terminal::new(TestBackend::new(200, 60)).unwrap();
    t.draw(|f| view(&m, f)).unwrap();
    let mut k = 0usize;
    b.bench_local(|| {
        k += 1;
        update(&mut m, Msg::Key(KEYS[k % KEYS.len()]), k as u64);
        t.draw(|f| view(&m, f)).unwrap();
    });
}

/// First wrap of one 65,000-character answer at a width not seen before (a pane of a
/// 200-column screen with four candidates is about 48 cells wide).
#[divan::bench(args = [48, 97, 198], sample_count = 30)]
fn first_wrap_65k(b: Bencher, width: u16) {
    let it = item();
    b.bench(|| wrapped_lines(&it, PaneId::Cand(0), width, false));
}

/// The same with the code blocks never highlighted before (the answer's first showing:
/// highlighting within the layout's budget, the rest left to the highlighting thread).
#[divan::bench(args = [48], sample_count = 30)]
fn first_wrap_65k_unhighlighted(b: Bencher, width: u16) {
    let it = item();
    prefer::syntax::load();
    b.bench(|| {
        prefer::syntax::clear_cache();
        wrapped_lines(&it, PaneId::Cand(0), width, false)
    });
}
