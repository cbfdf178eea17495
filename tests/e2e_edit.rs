//! End to end: editing an answer in the real binary in a pseudo-terminal, with the built-in
//! editor (`e`) and with `$EDITOR` (`E`, a small shell script); then undo, resume and export.

mod common;

use std::path::Path;
use std::process::Command;

use common::{BIN, Session, log_events, pair_file};

const ARGS: [&str; 5] = ["label", "set.jsonl", "--annotator", "tess", "--no-shuffle"];

/// The pairs `prefer export` writes for the folder's labels, as (chosen, rejected).
fn exported(dir: &Path, extra: &[&str]) -> Vec<(String, String)> {
    let out = Command::new(BIN)
        .args(["export", "set.jsonl", "--with-meta"])
        .args(extra)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["chosen"].as_str().unwrap().to_string(),
                v["rejected"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn script(dir: &Path, name: &str, body: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    p.display().to_string()
}

#[test]
fn the_built_in_editor_saves_an_edit_that_undo_takes_back_resume_shows_and_export_prefers() {
    let dir = tempfile::tempdir().unwrap();
    pair_file(dir.path(), 3);
    let log = dir.path().join("set.labels/tess.jsonl");
    let mut s = Session::spawn(&ARGS, dir.path(), &[], 130, 30);
    s.wait_text("task 1/3", 10);
    // The right answer, into the editor: the original beside it (130 columns).
    s.send("l");
    s.send("e");
    // Waited for whole: a screen can be read half drawn.
    s.wait_for("the editor beside the original", 10, |sc| {
        sc.contains("✎ edit of [2] B (c1)") && sc.contains("original [2] B (c1)")
    });
    s.send(" It cites a source.");
    s.wait_text("Second answer to 0. It cites a source.", 10);
    s.send("\x13"); // Ctrl-S
    s.wait_for("edit saved", 10, |sc| {
        sc.contains("edit saved") && sc.contains("✓ saved")
    });
    let events = log_events(&log);
    assert_eq!(events.len(), 1, "{events:?}");
    let e = &events[0];
    assert_eq!(e["task"], "edit");
    assert_eq!(e["item"], "item-0");
    assert_eq!(e["source"], "c1");
    assert_eq!(e["text"], "Second answer to 0. It cites a source.");
    assert!(e["at"].as_str().is_some_and(|t| !t.is_empty()));
    // Still on the task, not decided; the pane says it was edited.
    s.wait_for("the edited pane", 10, |sc| {
        sc.contains("✎ edited") && sc.contains("task 1/3")
    });

    // Undo takes the edit back.
    s.send("u");
    s.wait_for("edit undone", 10, |sc| {
        sc.contains("taken back") && sc.contains("✓ saved")
    });
    let events = log_events(&log);
    assert_eq!(events.len(), 2);
    assert_eq!(events[1]["task"], "edit");
    assert_eq!(events[1]["retract"], true);
    assert_eq!(events[1]["source"], "c1");

    // Edit again, decide (the edited side is still "b"), then quit.
    s.send("e");
    s.wait_text("✎ edit of [2] B (c1)", 10);
    s.send(" Better.");
    s.send("\x13");
    s.wait_for("edit saved", 10, |sc| {
        sc.contains("edit saved") && sc.contains("✓ saved")
    });
    s.send("b");
    s.wait_for("decided", 10, |sc| {
        sc.contains("task 2/3") && sc.contains("✓ saved")
    });
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));
    assert!(!s.alternate_screen());

    // Resume: the edit stands (marked on the first task), the session goes on at task 2.
    let mut s = Session::spawn(&ARGS, dir.path(), &[], 130, 30);
    s.wait_text("task 2/3", 10);
    s.send("[");
    s.wait_for("the first task, edited", 10, |sc| {
        sc.contains("task 1/3") && sc.contains("✎ edited")
    });
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));

    // Export: the edited answer is chosen over its source, and over what the source beat.
    let edited = "Second answer to 0. Better.".to_string();
    let pairs = exported(dir.path(), &[]);
    assert!(
        pairs.contains(&(edited.clone(), "Second answer to 0.".into())),
        "{pairs:?}"
    );
    assert!(
        pairs.contains(&(edited.clone(), "First answer to 0.".into())),
        "{pairs:?}"
    );
    assert!(pairs.contains(&("Second answer to 0.".into(), "First answer to 0.".into())));
    let pairs = exported(dir.path(), &["--edit-beats", "source"]);
    assert!(
        pairs.contains(&(edited.clone(), "Second answer to 0.".into())),
        "{pairs:?}"
    );
    assert!(
        !pairs.contains(&(edited, "First answer to 0.".into())),
        "{pairs:?}"
    );
    // The candidate file is not changed.
    let file = std::fs::read_to_string(dir.path().join("set.jsonl")).unwrap();
    assert!(!file.contains("Better."));
}

#[test]
fn editor_set_to_a_script_rewrites_the_answer_and_a_failing_editor_cancels() {
    let dir = tempfile::tempdir().unwrap();
    pair_file(dir.path(), 2);
    let log = dir.path().join("set.labels/tess.jsonl");
    // The script sees the answer in the file it is given, and rewrites it.
    let good = script(
        dir.path(),
        "ed.sh",
        "grep -q 'First answer to 0.' \"$1\" || exit 3\nprintf 'Rewritten by the editor.\\n' > \"$1\"",
    );
    let bad = script(dir.path(), "bad.sh", "exit 1");
    let env = [("EDITOR", good.as_str()), ("VISUAL", "")];
    let mut s = Session::spawn(&ARGS, dir.path(), &env, 100, 30);
    s.wait_text("task 1/2", 10);
    s.send("E");
    s.wait_for("edit saved", 10, |sc| {
        sc.contains("edit saved") && sc.contains("✓ saved")
    });
    assert!(s.alternate_screen(), "the screen is back after the editor");
    let events = log_events(&log);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["task"], "edit");
    assert_eq!(events[0]["source"], "c0");
    assert_eq!(events[0]["text"], "Rewritten by the editor.");
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));

    let env = [("EDITOR", bad.as_str()), ("VISUAL", "")];
    // Wide enough for the message with the editor's temporary path whole beside the keys
    // that decide (the footer keeps those and cuts the message).
    let mut s = Session::spawn(&ARGS, dir.path(), &env, 140, 30);
    s.wait_text("task 1/2", 10);
    s.send("l");
    s.send("E");
    s.wait_for("the cancelled edit", 10, |sc| {
        sc.contains("edit cancelled") && sc.contains("exited with status 1")
    });
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));
    assert_eq!(log_events(&log).len(), 1, "nothing more was logged");
}
