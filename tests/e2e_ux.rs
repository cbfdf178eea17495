//! End to end, the labeling screen's finer points that need the real binary: keys typed ahead
//! in one burst, resume in pair mode, the summary at the end.

mod common;

use common::{Session, log_events, pair_file};

#[test]
fn a_key_typed_ahead_onto_the_next_task_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    pair_file(dir.path(), 3);
    // The default guard: a settings file that sets nothing.
    let settings = dir.path().join("empty.toml");
    std::fs::write(&settings, "").unwrap();
    let env = [("PREFER_CONFIG", settings.to_str().unwrap())];
    let args = ["label", "set.jsonl", "--annotator", "tess", "--no-shuffle"];
    let mut s = Session::spawn(&args, dir.path(), &env, 100, 30);
    s.wait_text("task 1/3", 10);
    // Two keys in one write: the second arrives microseconds after task 2 appeared.
    s.send("ab");
    s.wait_for("the ignored key", 10, |sc| {
        sc.contains("key ignored") && sc.contains("✓ saved") && sc.contains("task 2/3")
    });
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));
    let events = log_events(&dir.path().join("set.labels/tess.jsonl"));
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["item"], "item-0");
}

#[test]
fn the_last_decision_brings_a_summary_with_the_next_commands() {
    let dir = tempfile::tempdir().unwrap();
    pair_file(dir.path(), 3);
    let args = ["label", "set.jsonl", "--annotator", "tess", "--no-shuffle"];
    let mut s = Session::spawn(&args, dir.path(), &[], 110, 30);
    s.wait_text("task 1/3", 10);
    for (k, key) in ["a", "s", "b"].iter().enumerate() {
        s.send(key);
        s.wait_for("the next task or the end", 10, |sc| {
            sc.contains(&format!("task {}/3", k + 2)) || sc.contains("next (printed")
        });
    }
    let screen = s.wait_text("next (printed in full when you quit", 10);
    for text in [
        "2 decided, 1 skipped",
        "labeling this session",
        "review:  prefer review set.jsonl --mode pair",
        "export:  prefer export set.jsonl --format trl --out set.trl.jsonl",
        "stopped",
    ] {
        assert!(screen.contains(text), "{text} missing:\n{screen}");
    }
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));
    // Printed whole after the quit, to copy (the box cuts them at 80 columns).
    let out = String::from_utf8_lossy(&s.output()).into_owned();
    assert!(
        out.contains("export with: prefer export set.jsonl --format trl --out set.trl.jsonl"),
        "{out}"
    );
    // The export line works as shown.
    let out = std::process::Command::new(common::BIN)
        .args([
            "export",
            "set.jsonl",
            "--format",
            "trl",
            "--out",
            "set.trl.jsonl",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.path().join("set.trl.jsonl").exists());
}

#[test]
fn answers_are_rendered_as_markdown_and_m_shows_one_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let item = serde_json::json!({
        "id": "md-1",
        "prompt": "Compare the two.",
        "candidates": [
            {"id": "c0", "text": "## Watering\n\n**Every three days** is too often.\n\n```python\nprint('dry')\n```\n"},
            {"id": "c1", "text": "- one\n- two\n"}
        ]
    });
    std::fs::write(dir.path().join("set.jsonl"), format!("{item}\n")).unwrap();
    let args = ["label", "set.jsonl", "--annotator", "tess", "--no-shuffle"];
    let mut s = Session::spawn(&args, dir.path(), &[], 100, 30);
    let screen = s.wait_for("▶ Watering", 10, |sc| {
        sc.contains("▶ Watering") && sc.contains("┌─ python")
    });
    assert!(screen.contains("┌─ python"), "{screen}");
    assert!(!screen.contains("**Every"), "{screen}");
    assert!(screen.contains("• one"), "{screen}");
    // M: the focused pane (the first) as written; the other stays rendered.
    s.send("M");
    let screen = s.wait_for("## Watering", 10, |sc| {
        sc.contains("## Watering") && sc.contains("**Every three days**")
    });
    assert!(screen.contains("**Every three days**"), "{screen}");
    assert!(screen.contains("```python"), "{screen}");
    assert!(screen.contains("• one"), "{screen}");
    // And back.
    s.send("M");
    s.wait_text("▶ Watering", 10);
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));
}

#[test]
fn d_s_m_and_o_compare_two_long_answers() {
    let dir = tempfile::tempdir().unwrap();
    let answer = |change: usize| {
        (0..40)
            .map(|i| {
                let w = if i == change { "seven" } else { "three" };
                format!("Paragraph {i}: water **every {w} days** and no more than that.")
            })
            .collect::<Vec<_>>()
            .join("\n\n")
    };
    let item = serde_json::json!({
        "id": "long-1",
        "prompt": "How often?",
        "candidates": [{"id": "c0", "text": answer(usize::MAX)}, {"id": "c1", "text": answer(30)}]
    });
    std::fs::write(dir.path().join("set.jsonl"), format!("{item}\n")).unwrap();
    let args = ["label", "set.jsonl", "--annotator", "tess", "--no-shuffle"];
    let mut s = Session::spawn(&args, dir.path(), &[], 120, 30);
    s.wait_text("Paragraph 0", 10);
    // Locked by default: three lines down in the left pane, the right follows.
    s.send("jjj");
    s.wait_for("both panes at line 4", 10, |sc| {
        sc.matches(" 4-").count() == 2
    });
    s.send("S");
    s.wait_text("scrolling apart", 10);
    s.send("j");
    s.wait_for("only the left pane moved", 10, |sc| {
        sc.matches(" 5-").count() == 1 && sc.matches(" 4-").count() == 1
    });
    s.send("Sg");
    // The diff: the summary in the footer (its numbers and folds are the unit tests': a
    // loaded machine can stop the search at its deadline, and the diff is then approximate).
    s.send("d");
    let screen = s.wait_for("the diff", 10, |sc| {
        sc.contains("diff: ") && sc.contains("words differ") && sc.contains("seven")
    });
    assert!(screen.contains("· diff"), "{screen}");
    // M with the diff on: the focused pane as written, diffed as written.
    s.send("M");
    s.wait_for("raw diff", 10, |sc| {
        sc.contains("**every") && sc.contains("words differ")
    });
    s.send("M");
    s.wait_for("rendered again", 10, |sc| {
        !sc.contains("**every") && sc.contains("words differ")
    });
    // o: the overview, Esc closes it.
    s.send("o");
    s.wait_text("overview: 2 candidates", 10);
    s.send("\x1b");
    s.wait_for("overview closed", 10, |sc| {
        !sc.contains("overview: 2") && sc.contains("words differ")
    });
    s.send("d");
    s.wait_for("diff off", 10, |sc| !sc.contains("words differ"));
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));
}
