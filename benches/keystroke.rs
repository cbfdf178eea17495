//! Keystrokes at 200x60 with four candidates of 65,000 characters each. Targets: one key to a
//! drawn frame under 1 ms at p99 once the candidates are wrapped; the first wrap of a
//! 65,000-character answer at a new width under 5 ms.
//!
//! A key is `update` (which also lays out and wraps what became visible) plus `view` drawn on
//! a TestBackend, as the event loop does. divan reports the median and spread; the p50/p99 of
//! single keystrokes are printed by `keystroke_percentiles` (divan has no percentiles).

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
use prefer::tui::update::{Msg, update};
use prefer::tui::view::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const CHARS: usize = 65_000;

fn main() {
    keystroke_percentiles();
    divan::main();
}

fn item() -> Item {
    let mut r = Rng::new(4);
    let cands: Vec<_> = (0..4)
        .map(|c| serde_json::json!({"id": format!("c{c}"), "text": markdown(&mut r, CHARS)}))
        .collect();
    parse_item(
        serde_json::json!({"id": "long", "prompt": markdown(&mut r, 400), "candidates": cands}),
        1,
    )
    .unwrap()
}

fn model() -> Model {
    let d = Arc::new(Dataset {
        path: PathBuf::from("bench.jsonl"),
        kind: FileKind::JsonLines,
        items: vec![Arc::new(item())],
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

fn keystroke_percentiles() {
    let mut m = model();
    let mut t = Terminal::new(TestBackend::new(200, 60)).unwrap();
    t.draw(|f| view(&m, f)).unwrap();
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
        "keystroke to frame, 4 x {CHARS} chars at 200x60, {} keys: p50 {:.0} us, p99 {:.0} us, max {:.0} us",
        times.len(),
        p(0.5),
        p(0.99),
        p(1.0)
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
