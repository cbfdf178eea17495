//! Sizes: random resizes between 1x1 and 400x120 while labeling in a pseudo-terminal. No
//! panic, and after the last resize the screen is exactly what a fresh process draws at that
//! size in the same state (nothing left over from earlier sizes, nothing missing).

mod common;

use std::time::{Duration, Instant};

use common::{Session, log_events};
use prefer::synth::Rng;
use serde_json::json;

/// Items whose text wraps differently at every width: long lines, CJK, short answers.
fn write_set(dir: &std::path::Path, n: usize) {
    let mut s = String::new();
    for i in 0..n {
        let item = json!({
            "id": format!("item-{i}"),
            "prompt": format!("Question {i}: explain compound interest, then give an example.\n请解释一下复利是什么，并举一个简单的例子。"),
            "candidates": [
                {"id": "c0", "text": format!("Answer {i}: ").repeat(1 + i % 7) + "复利是指利息也计算利息。"},
                {"id": "c1", "text": format!("Short {i}.")},
            ],
        });
        s.push_str(&item.to_string());
        s.push('\n');
    }
    std::fs::write(dir.join("set.jsonl"), s).unwrap();
}

/// The screen as text and attributes, with the clock (`m:ss`) in the header masked.
fn snapshot(s: &Session) -> Vec<String> {
    s.with_screen(|sc| {
        let (rows, cols) = sc.size();
        let mut out = Vec::new();
        for r in 0..rows {
            let mut text = String::new();
            let mut attrs = String::new();
            for c in 0..cols {
                let cell = sc.cell(r, c).unwrap();
                text.push_str(if cell.has_contents() {
                    cell.contents()
                } else {
                    " "
                });
                attrs.push_str(&format!(
                    "{}{}{}{:?}{:?};",
                    u8::from(cell.bold()),
                    u8::from(cell.inverse()),
                    u8::from(cell.underline()),
                    cell.fgcolor(),
                    cell.bgcolor()
                ));
            }
            if r == 0 {
                text = mask_clock(&text);
            }
            out.push(text);
            out.push(attrs);
        }
        out
    })
}

fn mask_clock(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = chars.clone();
    for i in 0..chars.len() {
        if chars[i] == ':'
            && i > 0
            && chars[i - 1].is_ascii_digit()
            && chars.get(i + 1).is_some_and(char::is_ascii_digit)
            && chars.get(i + 2).is_some_and(char::is_ascii_digit)
        {
            out[i - 1] = '#';
            out[i + 1] = '#';
            out[i + 2] = '#';
        }
    }
    out.into_iter().collect()
}

/// The screen once everything sent so far is handled and drawn (two frames later; see
/// `Session::wait_drawn`) and `pred` holds, as text and attributes with the clock masked.
fn settled(s: &Session, what: &str, pred: impl Fn(&str) -> bool) -> Vec<String> {
    s.wait_drawn(what, 60, pred);
    snapshot(s)
}

fn wait_log_len(s: &Session, log: &std::path::Path, n: usize) {
    let end = Instant::now() + Duration::from_secs(10);
    while log_events(log).len() != n {
        assert!(
            Instant::now() < end,
            "log never reached {n} events (it has {}); screen:\n{}",
            log_events(log).len(),
            s.screen()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Fails if a size makes prefer panic (index outside of buffer), or if after the last resize
/// the screen differs from a fresh draw: cells left over from an earlier size, a region not
/// redrawn, a layout computed for a stale size.
#[test]
fn random_resizes_leave_the_screen_a_fresh_draw_would_show() {
    let seed: u64 = common::seed("PREFER_SIZES_SEED");
    let ctx = format!("PREFER_SIZES_SEED={seed}");
    let mut rng = Rng::new(seed);
    let dir = tempfile::tempdir().unwrap();
    write_set(dir.path(), 200);
    let log = dir.path().join("set.labels/tess.jsonl");
    let args = ["label", "set.jsonl", "--annotator", "tess"];

    let mut s = Session::spawn(&args, dir.path(), &[], 100, 30);
    s.wait_text("task 1/200", 10);
    for _ in 0..60 {
        let (w, h) = (rng.range(1, 400) as u16, rng.range(1, 120) as u16);
        s.resize(w, h);
        for _ in 0..rng.range(0, 2) {
            s.send(["a", "b", "t", "x", "1", "2"][rng.range(0, 5) as usize]);
        }
        std::thread::sleep(Duration::from_millis(rng.range(0, 30)));
        assert!(
            s.running(),
            "{ctx}: prefer died at {w}x{h}:\n{}",
            s.screen()
        );
    }
    // One last decision at a usable size, then the final size. First make sure every key
    // sent so far was handled: help (asked for after them) opens only once they are.
    s.resize(100, 30);
    // An overlay opened by a random key may take the first `?`: send it again until help
    // shows, each time only after the key was handled and drawn (a second `?` sent before
    // that would close the help the first one opened).
    let end = Instant::now() + Duration::from_secs(60);
    loop {
        s.send("?");
        if s.wait_drawn("the ? key handled", 60, |_| true)
            .contains("help: pair mode")
        {
            break;
        }
        assert!(
            Instant::now() < end,
            "{ctx}: help never opened:\n{}",
            s.screen()
        );
    }
    s.send("x"); // closes the help without acting
    s.wait_for("help closed", 10, |sc| !sc.contains("help: pair mode"));
    // Every decision the random keys made is on disk before the log is counted.
    settled(&s, "the help closed and every decision saved", |sc| {
        sc.contains("✓ saved") || sc.contains("· no changes")
    });
    let n = log_events(&log).len();
    s.send("a");
    wait_log_len(&s, &log, n + 1);
    let (w, h) = (rng.range(40, 400) as u16, rng.range(10, 120) as u16);
    s.resize(w, h);
    let after_resizes = settled(&s, "the decision saved, at the last size", |sc| {
        sc.contains("✓ saved")
    });
    assert!(s.running(), "{ctx}");
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0), "{ctx}");
    assert!(!String::from_utf8_lossy(&s.output()).contains("panicked"));

    // A fresh process in the same state at that size: take the last decision out of the log,
    // start at w x h, make it again.
    let bytes = std::fs::read(&log).unwrap();
    let cut = bytes[..bytes.len() - 1]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    std::fs::write(&log, &bytes[..cut]).unwrap();
    let mut fresh = Session::spawn(&args, dir.path(), &[], w, h);
    fresh.wait_text("task ", 10);
    fresh.send("a");
    wait_log_len(&fresh, &log, n + 1);
    let fresh_screen = settled(&fresh, "the decision saved", |sc| sc.contains("✓ saved"));
    fresh.send("q");
    assert_eq!(fresh.wait_exit(10), Some(0));

    for (i, (a, b)) in after_resizes.iter().zip(&fresh_screen).enumerate() {
        assert_eq!(
            a,
            b,
            "{ctx}: at {w}x{h}, screen {} {} differs from a fresh draw",
            if i % 2 == 0 {
                "text of row"
            } else {
                "attributes of row"
            },
            i / 2
        );
    }
    assert_eq!(after_resizes.len(), fresh_screen.len());
}
