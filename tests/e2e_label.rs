//! End to end: the real binary in a pseudo-terminal. Label, SIGKILL, resume; lock; panic.

mod common;

use common::{BIN, Session, log_events, pair_file};

#[test]
fn label_kill_and_resume_at_the_right_task() {
    let dir = tempfile::tempdir().unwrap();
    pair_file(dir.path(), 6);
    let args = ["label", "set.jsonl", "--annotator", "tess", "--no-shuffle"];
    let mut s = Session::spawn(&args, dir.path(), &[], 100, 30);
    s.wait_text("task 1/6", 10);

    // Decide three tasks; after each, wait until the screen says it is saved.
    let mut saved = Vec::new();
    for (k, key) in ["a", "b", "t"].iter().enumerate() {
        s.send(key);
        // The progress field ("▕██░░▏ D/N"), not "task k/N".
        let progress = format!("▏ {}/6", k + 1);
        s.wait_for("saved decision", 10, |sc| {
            sc.contains(&progress) && sc.contains("✓ saved")
        });
        saved.push((format!("item-{k}"), *key));
    }
    s.kill9();

    let log = dir.path().join("set.labels/tess.jsonl");
    let events = log_events(&log);
    for (item, key) in &saved {
        let choice = match *key {
            "a" => "c0",
            "b" => "c1",
            _ => "tie",
        };
        assert!(
            events
                .iter()
                .any(|e| e["item"] == item.as_str() && e["choice"] == choice),
            "{item} {choice} missing from {events:?}"
        );
    }
    assert_eq!(events.len(), 3);

    // Start again: it opens at task 4 with 3 decided.
    let mut s = Session::spawn(&args, dir.path(), &[], 100, 30);
    let screen = s.wait_for("task 4/6", 10, |sc| {
        sc.contains("task 4/6") && sc.contains("▏ 3/6")
    });
    assert!(screen.contains("▏ 3/6"), "{screen}");
    assert!(screen.contains("item-3"), "{screen}");
    // Previous task shows its recorded decision (a tie).
    s.send("[");
    s.wait_text("= tie", 10);
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));
    let out = String::from_utf8_lossy(&s.output()).to_string();
    assert!(
        out.contains("0 decisions this session; 3 of 6 tasks decided"),
        "{out}"
    );
    assert!(
        out.contains(
            "resume with: prefer label set.jsonl --mode pair --annotator tess --no-shuffle"
        ),
        "{out}"
    );
    assert!(!s.alternate_screen());
}

#[test]
fn a_second_process_on_the_same_log_is_refused_until_the_first_ends() {
    let dir = tempfile::tempdir().unwrap();
    pair_file(dir.path(), 3);
    let args = ["label", "set.jsonl", "--annotator", "tess"];
    let mut first = Session::spawn(&args, dir.path(), &[], 100, 30);
    first.wait_text("task 1/3", 10);

    let second = std::process::Command::new(BIN)
        .args(args)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(second.status.code(), Some(1));
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(err.contains("in use by another prefer process"), "{err}");

    first.kill9();
    let mut third = Session::spawn(&args, dir.path(), &[], 100, 30);
    third.wait_text("task 1/3", 10);
    third.send("q");
    assert_eq!(third.wait_exit(10), Some(0));
}

#[test]
fn a_panic_restores_the_terminal_and_says_where_the_log_is() {
    let dir = tempfile::tempdir().unwrap();
    pair_file(dir.path(), 3);
    let args = ["label", "set.jsonl", "--annotator", "tess"];
    let mut s = Session::spawn(&args, dir.path(), &[("PREFER_TEST_PANIC", "key")], 100, 30);
    s.wait_text("task 1/3", 10);
    assert!(s.alternate_screen());
    s.send("j");
    assert_ne!(s.wait_exit(10), Some(0));
    let out = String::from_utf8_lossy(&s.output()).to_string();
    assert!(out.contains("prefer crashed"), "{out}");
    assert!(out.contains("set.labels/tess.jsonl"), "{out}");
    assert!(!s.alternate_screen(), "still in the alternate screen");
}

#[test]
fn an_invalid_file_is_refused_with_the_validate_messages() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.jsonl"),
        "{\"id\":\"a\",\"prompt\":\"p\",\"candidates\":[\"only\"]}\n",
    )
    .unwrap();
    let out = std::process::Command::new(BIN)
        .args(["label", "bad.jsonl", "--annotator", "tess"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.jsonl:1: has 1 candidate(s), need at least 2 (candidates)"),
        "{err}"
    );
    assert!(
        !dir.path().join("bad.labels").exists(),
        "nothing is created for an invalid file"
    );
}

/// The same label-kill-resume cycle with the file opened lazily (as files over 64 MiB are):
/// fails if the lazy path loses the resume point or shows tasks it has not checked.
#[test]
fn a_lazily_opened_file_resumes_at_the_right_task() {
    let dir = tempfile::tempdir().unwrap();
    pair_file(dir.path(), 40);
    let env = [("PREFER_LAZY_THRESHOLD", "0")];
    let args = ["label", "set.jsonl", "--annotator", "lazy", "--no-shuffle"];
    let mut s = Session::spawn(&args, dir.path(), &env, 120, 30);
    s.wait_text("task 1/", 10);
    for k in 1..=5 {
        s.send("a");
        let progress = format!("▏ {k}/");
        s.wait_for("saved decision", 10, |sc| {
            sc.contains(&progress) && sc.contains("✓ saved")
        });
    }
    s.kill9();
    assert_eq!(
        log_events(&dir.path().join("set.labels/lazy.jsonl")).len(),
        5
    );
    let mut s = Session::spawn(&args, dir.path(), &env, 120, 30);
    let screen = s.wait_for("resume at task 6 of 40", 10, |sc| {
        sc.contains("task 6/40 ") && sc.contains("item-5")
    });
    assert!(screen.contains("▏ 5/40"), "{screen}");
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));
}

#[test]
fn the_first_frame_shows_the_labels_being_read_then_the_resumed_task() {
    let dir = tempfile::tempdir().unwrap();
    pair_file(dir.path(), 6);
    let args = ["label", "set.jsonl", "--annotator", "tess", "--no-shuffle"];
    let mut s = Session::spawn(&args, dir.path(), &[], 100, 30);
    s.wait_text("task 1/6", 10);
    for k in 1..=2 {
        s.send("a");
        let progress = format!("▏ {k}/6");
        s.wait_for("saved decision", 10, |sc| {
            sc.contains(&progress) && sc.contains("✓ saved")
        });
    }
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));

    // The history is held back until the gate file exists: the first frame must not wait.
    let gate = dir.path().join("gate");
    let env = [("PREFER_TEST_HISTORY_GATE", gate.to_str().unwrap())];
    let mut s = Session::spawn(&args, dir.path(), &env, 100, 30);
    let screen = s.wait_for("reading labels: 0 events", 10, |sc| {
        sc.contains("reading labels: 0 events") && sc.contains("set.jsonl │ label │ tess")
    });
    assert!(screen.contains("set.jsonl │ label │ tess"), "{screen}");
    assert!(!screen.contains("task "), "{screen}");
    // A key that needs the history waits and says so; help works at once.
    s.send("n");
    s.wait_text("still reading the labels", 10);
    s.send("?");
    s.wait_text("help · any key closes", 10);
    std::fs::write(&gate, "").unwrap();
    let screen = s.wait_for("task 3/6", 10, |sc| {
        sc.contains("task 3/6") && sc.contains("▏ 2/6")
    });
    assert!(screen.contains("▏ 2/6"), "{screen}");
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));
}

#[test]
fn quit_while_the_labels_are_read_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    pair_file(dir.path(), 3);
    let gate = dir.path().join("gate");
    let env = [("PREFER_TEST_HISTORY_GATE", gate.to_str().unwrap())];
    let args = ["label", "set.jsonl", "--annotator", "tess"];
    let mut s = Session::spawn(&args, dir.path(), &env, 100, 30);
    s.wait_text("reading labels:", 10);
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));
    assert!(!s.alternate_screen());
    assert!(String::from_utf8_lossy(&s.output()).contains("quit while the labels were being read"));
    assert!(
        !dir.path().join("set.labels/tess.jsonl").exists(),
        "no empty log left behind"
    );
}

#[test]
fn quitting_without_a_decision_leaves_no_empty_log() {
    let dir = tempfile::tempdir().unwrap();
    common::pair_file(dir.path(), 2);
    let log = dir.path().join("set.labels").join("ann.jsonl");
    let mut s = common::Session::spawn(
        &["label", "set.jsonl", "--annotator", "ann"],
        dir.path(),
        &[],
        100,
        30,
    );
    s.wait_text("task 1/", 10);
    assert!(log.exists(), "opened and locked at start");
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));
    assert!(!log.exists(), "nobody needs an empty log");

    let mut s = common::Session::spawn(
        &["label", "set.jsonl", "--annotator", "ann"],
        dir.path(),
        &[],
        100,
        30,
    );
    s.wait_text("task 1/", 10);
    s.send("a");
    s.wait_text("✓ saved", 10);
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));
    assert_eq!(common::log_events(&log).len(), 1);
}
