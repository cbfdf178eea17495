//! Nothing in a data file acts on the terminal: the real binary in a pseudo-terminal over a
//! candidate file full of escape sequences, C1 controls, bidi overrides and bells. Every byte
//! the program wrote is scanned for them, and the screen must show them as visible symbols.

mod common;

use common::{Session, log_events};
use serde_json::json;

/// (payload as it is in the data, what the screen must show instead)
const PAYLOADS: &[(&str, &str)] = &[
    ("\u{1b}]0;PWNED\u{7}", "␛]0;PWNED␇"),
    ("\u{1b}]2;EVILTITLE\u{1b}\\", "␛]2;EVILTITLE␛\\"),
    ("\u{1b}[2J\u{1b}[HCLEARMARK", "␛[2J␛[HCLEARMARK"),
    ("\u{1b}[5;5HMOVEMARK", "␛[5;5HMOVEMARK"),
    ("\u{1b}[201~PASTEMARK", "␛[201~PASTEMARK"),
    ("\u{202e}BIDIMARK\u{2066}", "⟨U+202E⟩BIDIMARK⟨U+2066⟩"),
    ("\u{9b}31mC1CSIMARK", "⟨U+009B⟩31mC1CSIMARK"),
    (
        "\u{85}NELMARK\u{9d}0;C1OSC",
        "⟨U+0085⟩NELMARK⟨U+009D⟩0;C1OSC",
    ),
    ("\u{7}BELLMARK", "␇BELLMARK"),
];

/// Byte sequences that must never be in the output. The program's own output is ratatui's
/// (CSI cursor moves, SGR colours, alternate screen, cursor show/hide), none of which are
/// these: no OSC at all, no BEL, no C1 control or bidi control in UTF-8, and none of the
/// data's payloads verbatim.
fn forbidden() -> Vec<(&'static str, Vec<u8>)> {
    let mut v: Vec<(&'static str, Vec<u8>)> = vec![
        ("an OSC (title change)", b"\x1b]".to_vec()),
        ("a BEL", b"\x07".to_vec()),
        ("C1 CSI U+009B", "\u{9b}".as_bytes().to_vec()),
        ("C1 NEL U+0085", "\u{85}".as_bytes().to_vec()),
        ("C1 OSC U+009D", "\u{9d}".as_bytes().to_vec()),
        ("bidi override U+202E", "\u{202e}".as_bytes().to_vec()),
        ("bidi isolate U+2066", "\u{2066}".as_bytes().to_vec()),
        ("a bracketed-paste end", b"\x1b[201~".to_vec()),
        ("the data's cursor move", b"\x1b[5;5HMOVEMARK".to_vec()),
        ("the data's clear screen", b"\x1b[HCLEARMARK".to_vec()),
    ];
    for (p, _) in PAYLOADS {
        v.push(("a payload verbatim", p.as_bytes().to_vec()));
    }
    v
}

fn all_payloads() -> String {
    PAYLOADS
        .iter()
        .map(|(p, _)| *p)
        .collect::<Vec<_>>()
        .join("\n")
}

fn hostile_file(dir: &std::path::Path) {
    let payloads = all_payloads();
    // Long enough to scroll, with payloads at the top and the bottom.
    let filler = (0..40)
        .map(|i| format!("filler line {i}"))
        .collect::<Vec<_>>()
        .join("\n");
    let long = format!("{payloads}\n{filler}\n{payloads}");
    let mut lines = String::new();
    for n in 0..2 {
        let item = json!({
            "id": format!("\u{1b}]0;PWNED\u{7}\u{202e}id{n}"),
            "messages": [
                {"role": "system\u{1b}[2J", "content": payloads},
                {"role": "user", "content": long},
            ],
            "candidates": [
                {"id": "c0\u{1b}]0;PWNED\u{7}", "text": long, "metadata": {"model": payloads}},
                {"id": "c1", "text": payloads},
                // In code blocks too: the syntax highlighter must add styles, never bytes.
                {"id": "c2", "text": format!(
                    "{filler}\n{payloads}\n```rust\nlet s = \"{payloads}\"; // {payloads}\n```\n```python\n{payloads}\n```\n"
                )},
            ],
            "metadata": {"source": payloads},
        });
        lines.push_str(&item.to_string());
        lines.push('\n');
    }
    std::fs::write(dir.join("evil.jsonl"), lines).unwrap();
}

/// Fails if any escape, C1 control, bidi override or bell from the data reaches the terminal
/// as itself (it would retitle the window, clear or rewrite the screen, end a paste early,
/// reorder text), or if the screen hides them instead of showing them as symbols.
#[test]
fn nothing_in_the_data_acts_on_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    hostile_file(dir.path());
    let args = [
        "label",
        "evil.jsonl",
        "--mode",
        "rank",
        "--annotator",
        "tess",
        "--no-shuffle",
    ];
    let mut s = Session::spawn(&args, dir.path(), &[], 250, 70);
    s.wait_text("task 1/2", 10);
    let mut seen = String::new();
    let mut look = |s: &Session| seen.push_str(&s.screen());
    // Every region: header (item id), prompt (roles and turns, scrolled both ways), each
    // candidate pane top and bottom, metadata shown, a zoomed pane, the diff, the overview,
    // the help, the next task.
    look(&s);
    for keys in [
        "p", "g", "G", "p", "G", "\t", "G", "\t", "G", "g", "m", "z", "G", "z", "m", "]", "G",
        "\t", "G", // the word diff of two panes, as written too, and the overview
        "d", "g", "G", "\t", "g", "M", "G", "M", "o", "\x1b", "d", "?",
    ] {
        let before = s.output().len();
        s.send(keys);
        // Wait for the frame the key causes (or a moment, if it changes nothing).
        let t = std::time::Instant::now();
        while s.output().len() == before && t.elapsed().as_millis() < 300 {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        std::thread::sleep(std::time::Duration::from_millis(30));
        look(&s);
    }
    // Rank it, so a decision (with the hostile ids) goes through the log too.
    // (x closes the help without acting; q there would quit.)
    s.send("x");
    s.send("[");
    s.send("12\r");
    s.wait_text("✓ saved", 10);
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));

    let out = s.output();
    for (what, bytes) in forbidden() {
        if let Some(at) = out.windows(bytes.len()).position(|w| w == bytes.as_slice()) {
            let from = at.saturating_sub(40);
            panic!(
                "{what} reached the terminal at byte {at}: {:?}",
                String::from_utf8_lossy(&out[from..(at + 40).min(out.len())])
            );
        }
    }
    for (_, visible) in PAYLOADS {
        assert!(
            seen.contains(visible),
            "the screen never showed {visible:?} as visible symbols"
        );
    }
    assert!(seen.contains("▍system␛[2J"), "role shown as symbols");
    assert!(
        seen.contains("␛]0;PWNED␇⟨U+202E⟩id0"),
        "item id shown as symbols"
    );
    // The log keeps the data's ids exactly (JSON-escaped), not the symbols shown.
    let events = log_events(&dir.path().join("evil.labels/tess.jsonl"));
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["item"], "\u{1b}]0;PWNED\u{7}\u{202e}id0");
}
