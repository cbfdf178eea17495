//! Review end to end: disagreements, an adjudicator's final decision that export prefers, and
//! stale decisions after an item's text is edited.

mod common;

use std::path::Path;

use common::{BIN, Session, log_events, pair_file};

/// A pair decision line for `item-i` with the item's current hash.
fn pair_event(who: &str, dir: &Path, i: usize, choice: &str, ms: u64) -> String {
    let d = prefer::format::load(&dir.join("set.jsonl")).unwrap();
    let item = &d.items[i];
    format!(
        "{{\"v\":1,\"at\":\"2026-11-26T10:00:00.000Z\",\"annotator\":\"{who}\",\"item\":\"{}\",\"item_hash\":\"{}\",\"task\":\"pair\",\"pair\":[\"c0\",\"c1\"],\"choice\":\"{choice}\",\"ms\":{ms}}}\n",
        item.id, item.hash
    )
}

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    pair_file(dir.path(), 3);
    let labels = dir.path().join("set.labels");
    std::fs::create_dir_all(&labels).unwrap();
    let p = dir.path();
    // item-0: they agree; item-1: they disagree; item-2: only bob.
    let ann = pair_event("ann", p, 0, "c0", 4000) + &pair_event("ann", p, 1, "c0", 5000);
    let bob = pair_event("bob", p, 0, "c0", 3000)
        + &pair_event("bob", p, 1, "c1", 7000)
        + &pair_event("bob", p, 2, "tie", 1000);
    std::fs::write(labels.join("ann.jsonl"), ann).unwrap();
    std::fs::write(labels.join("bob.jsonl"), bob).unwrap();
    dir
}

#[test]
fn adjudicating_a_disagreement_and_exporting_it() {
    let dir = setup();
    let args = [
        "review",
        "set.jsonl",
        "--annotator",
        "lead",
        "--filter",
        "disagreements",
    ];
    let mut s = Session::spawn(&args, dir.path(), &[], 120, 30);
    let screen = s.wait_for("the review screen", 10, |sc| {
        sc.contains("review disagreements 1/1") && sc.contains("they DISAGREE")
    });
    assert!(screen.contains("item-1"), "{screen}");
    assert!(screen.contains("ann  ✓ better · 5s"), "{screen}");
    assert!(screen.contains("bob  worse · 7s"), "{screen}");
    assert!(screen.contains("they DISAGREE"), "{screen}");
    // The lead decides: right (c1) is better.
    s.send("b");
    s.wait_text("✓ saved", 10);
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));

    let out = String::from_utf8_lossy(&s.output()).to_string();
    assert!(
        out.contains("resume with: prefer review set.jsonl --mode pair --annotator lead --filter disagreements"),
        "{out}"
    );
    assert!(
        !out.contains("team:"),
        "no labeling summary after a review: {out}"
    );
    // The reviewer's log holds final decisions: labeling into it is refused.
    let refused = std::process::Command::new(BIN)
        .args(["label", "set.jsonl", "--annotator", "lead"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("holds lead's final decisions from prefer review"),
        "{err}"
    );

    let lead = log_events(&dir.path().join("set.labels/lead.jsonl"));
    assert_eq!(lead.len(), 1);
    assert_eq!(lead[0]["role"], "adjudicator");
    assert_eq!(lead[0]["item"], "item-1");
    assert_eq!(lead[0]["choice"], "c1");

    let out = std::process::Command::new(BIN)
        .args([
            "export",
            "set.jsonl",
            "--format",
            "trl",
            "--aggregate",
            "adjudicated",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let row = text
        .lines()
        .find(|l| l.contains("Question number 1?"))
        .unwrap_or_else(|| panic!("item-1 exported: {text}"));
    assert!(row.contains("\"chosen\":\"Second answer to 1.\""), "{row}");
}

#[test]
fn reviewing_under_a_name_with_labels_is_refused() {
    let dir = setup();
    let out = std::process::Command::new(BIN)
        .args(["review", "set.jsonl", "--annotator", "ann"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--annotator ann-review"), "{err}");
}

#[test]
fn an_edited_item_makes_its_decisions_stale() {
    let dir = setup();
    let file = dir.path().join("set.jsonl");
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("Second answer to 1.", "Second answer to 1, edited.");
    std::fs::write(&file, text).unwrap();

    let args = [
        "review",
        "set.jsonl",
        "--annotator",
        "lead",
        "--filter",
        "stale",
    ];
    let mut s = Session::spawn(&args, dir.path(), &[], 120, 30);
    let screen = s.wait_for("the stale filter", 10, |sc| {
        sc.contains("review stale 1/1") && sc.contains("· stale") && sc.contains("quit")
    });
    assert!(screen.contains("item-1"), "{screen}");
    assert!(screen.contains("· stale"), "{screen}");
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));

    // Labeling again as ann: the changed item is open again, and she is told.
    let mut s = Session::spawn(
        &["label", "set.jsonl", "--annotator", "ann", "--overlap", "2"],
        dir.path(),
        &[],
        120,
        30,
    );
    let screen = s.wait_for("the reopened task", 10, |sc| {
        sc.contains("item-1") && sc.contains("open again")
    });
    assert!(screen.contains("task 2/3"), "{screen}");
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));
    let out = String::from_utf8_lossy(&s.output()).to_string();
    assert!(
        out.contains("1 logged decision is about an item whose text changed"),
        "{out}"
    );
}

/// A big file opened lazily: the review list starts with what is checked and grows as the
/// checking goes on; a decision on the last item is in the list, and the items nobody named
/// are passed over.
#[test]
fn review_of_a_lazily_read_file_lists_a_decision_on_its_last_item() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = String::new();
    // About 14 MB: far more than the open checks before the first screen.
    for k in 0..200_000 {
        s.push_str(&format!(
            "{{\"id\":\"i{k}\",\"prompt\":\"p{k}\",\"candidates\":[\"a{k}\",\"b{k}\"]}}\n"
        ));
    }
    std::fs::write(dir.path().join("big.jsonl"), &s).unwrap();
    let labels = dir.path().join("big.labels");
    std::fs::create_dir_all(&labels).unwrap();
    let event = |who: &str, item: &str, choice: &str| {
        format!(
            "{{\"v\":1,\"at\":\"2026-11-26T10:00:00.000Z\",\"annotator\":\"{who}\",\"item\":\"{item}\",\"task\":\"pair\",\"pair\":[\"c0\",\"c1\"],\"choice\":\"{choice}\",\"ms\":2000}}\n"
        )
    };
    std::fs::write(
        labels.join("ann.jsonl"),
        event("ann", "i3", "c0") + &event("ann", "i199999", "c0"),
    )
    .unwrap();
    std::fs::write(labels.join("bob.jsonl"), event("bob", "i199999", "c1")).unwrap();
    let env = [("PREFER_LAZY_THRESHOLD", "0")];
    let args = ["review", "big.jsonl", "--annotator", "lead"];
    let mut s = Session::spawn(&args, dir.path(), &env, 120, 30);
    // Once the whole file is checked (the header can be drawn before the panes).
    s.wait_for("the first listed task", 60, |sc| {
        sc.contains("review all 1/2") && sc.contains("│ i3 │") && sc.contains("ann  ✓ better")
    });
    s.send("]");
    s.wait_for("the decision on the last item", 30, |sc| {
        sc.contains("review all 2/2") && sc.contains("│ i199999 │") && sc.contains("they DISAGREE")
    });
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));
}
