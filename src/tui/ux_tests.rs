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
use super::view::view;
use crate::format::{Dataset, FileKind, parse_item};
use crate::labels::{Decisions, Event, TaskKind};

fn dataset(counts: &[usize]) -> Arc<Dataset> {
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
