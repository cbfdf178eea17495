//! `prefer stats` end to end on the export fixture (see tests/export_cli.rs for what each log
//! holds). Expected figures, counted by hand from the logs:
//! - pair tasks, left wins: alice 0 of 2 (q1 [c0,c1] chose c1; q3 [c1,c0] chose c0), bob 1 of
//!   1, carol 1 of 1, rev 1 of 1 -> 3 of 5;
//! - rank tasks, first shown wins: alice shown c0,c1,c2, ranked c2 first -> 0 of 2 (c0-c1 tie
//!   left out); bob shown c2,c1,c0, ranked in that order -> 3 of 3; all 3 of 5;
//! - tasks by annotators: q1 pair by 3, q2 rank by 2, q3, q5, q6 by 1 each;
//! - pair decisions 6 (alice 2, bob 2, carol 1, rev 1), 1 both_bad, 0 ties.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

fn fixture(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/export")
        .join(p)
}

fn stats(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_prefer"))
        .arg("stats")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn json_report() -> Value {
    let items = fixture("items.jsonl");
    let labels = fixture("labels");
    let (ok, out, err) = stats(&[
        items.to_str().unwrap(),
        "--labels-dir",
        labels.to_str().unwrap(),
        "--json",
    ]);
    assert!(ok, "{err}");
    serde_json::from_str(&out).unwrap()
}

#[test]
fn json_figures_match_the_hand_count() {
    let r = json_report();
    assert_eq!(r["decisions"], json!(9));
    assert_eq!(
        r["left_out"],
        json!({"skipped": 1, "retracted": 1, "stale": 1, "unknown": 0})
    );
    assert_eq!(r["tasks_by_annotators"], json!({"1": 3, "2": 1, "3": 1}));
    let pos = &r["position"];
    assert_eq!(pos["pair_left_wins"]["wins"], json!(3));
    assert_eq!(pos["pair_left_wins"]["n"], json!(5));
    assert_eq!(pos["rank_first_shown_wins"]["wins"], json!(3));
    assert_eq!(pos["rank_first_shown_wins"]["n"], json!(5));
    let alice = &r["annotators"][0];
    assert_eq!(alice["name"], json!("alice"));
    assert_eq!(alice["position"]["pair_left_wins"]["wins"], json!(0));
    // Two-sided binomial, 0 of 2: 2 x (1/4) = 0.5.
    assert_eq!(alice["position"]["pair_left_wins"]["p_value"], json!(0.5));
    assert_eq!(r["annotators"][3]["adjudicator"], json!(true));
    assert_eq!(r["annotators"][2]["retract_events"], json!(1));
    assert_eq!(r["rates"]["pair_decisions"], json!(6));
    assert_eq!(r["rates"]["both_bad"], json!(1));
    // alice's times 12, 30, 9 s (the stale q4 decision does not count): median 12.
    assert_eq!(alice["time"]["median_s"], json!(12.0));
    // Models: m-c won every game it played (q2: c2 beat c0 and c1 for alice and bob).
    assert_eq!(r["models"][0]["model"], json!("m-c"));
    assert_eq!(r["models"][0]["win_rate"], json!(1.0));
    // Pair agreement: only q1 is shared, one task per pair of annotators: not enough.
    assert_eq!(r["agreement"]["pair"][0]["enough_overlap"], json!(false));
    // Fitted reliability: nobody shares 20 pairs with others here, so none is shown.
    for a in 0..4 {
        assert_eq!(r["annotators"][a]["reliability"], json!(null));
    }
}

#[test]
fn report_is_deterministic() {
    assert_eq!(json_report(), json_report());
}

#[test]
fn human_report_has_bars_and_sections() {
    let items = fixture("items.jsonl");
    let labels = fixture("labels");
    let (ok, out, err) = stats(&[
        items.to_str().unwrap(),
        "--labels-dir",
        labels.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    for section in [
        "Annotators",
        "Reliability (Dawid-Skene fit",
        "fewer than 20 pairs shared with others",
        "Tasks decided by N annotators",
        "Position bias",
        "Length bias",
        "Ties and both-bad",
        "Time per decision",
        "Models",
        "Agreement",
        "not enough overlap",
    ] {
        assert!(out.contains(section), "missing {section}:\n{out}");
    }
    assert!(out.contains('█') && out.contains('░'));
}

#[test]
fn logs_alone_without_the_candidate_file() {
    let (ok, out, err) = stats(&[
        fixture("labels/alice.jsonl").to_str().unwrap(),
        fixture("labels/bob.jsonl").to_str().unwrap(),
        "--json",
    ]);
    assert!(ok, "{err}");
    let r: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["with_file"], json!(false));
    // Without the file alice's q4 decision cannot be seen to be stale: 4 + 3 decisions.
    assert_eq!(r["decisions"], json!(7));
    assert_eq!(r["length"], Value::Null);
    assert_eq!(r["models"], json!([]));
}

#[test]
fn nothing_to_read_is_an_error_that_says_what_to_give() {
    let (ok, _, err) = stats(&[]);
    assert!(!ok);
    assert!(err.contains("give the candidate file"), "{err}");
}

/// Fails if a figure of the human report says something else than the counts beside it
/// (an inverted percentage, a bar of the wrong length), or than the hand count at the top.
#[test]
fn human_report_numbers_match_the_hand_count() {
    let items = fixture("items.jsonl");
    let labels = fixture("labels");
    let (ok, out, err) = stats(&[
        items.to_str().unwrap(),
        "--labels-dir",
        labels.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let line = |start: &str| {
        out.lines()
            .find(|l| l.trim_start().starts_with(start))
            .unwrap_or_else(|| panic!("no line {start:?}:\n{out}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    // bar, percentage, count: the shares counted by hand in this file's header.
    let bar = |full: usize| format!("{}{}", "█".repeat(full), "░".repeat(20 - full));
    assert_eq!(
        line("left wins (pair), all"),
        format!("left wins (pair), all {} 60.0% 3 of 5 p = 1.000", bar(12))
    );
    assert_eq!(
        line("first shown wins (rank), all"),
        format!(
            "first shown wins (rank), all {} 60.0% 3 of 5 p = 1.000",
            bar(12)
        )
    );
    assert_eq!(
        line("left wins, alice"),
        format!("left wins, alice {} 0.0% 0 of 2 p = 0.500", bar(0))
    );
    assert_eq!(
        line("first shown wins, bob"),
        format!("first shown wins, bob {} 100.0% 3 of 3 p = 0.250", bar(20))
    );
    assert_eq!(
        line("tie (pair)"),
        format!("tie (pair) {} 0.0% 0 of 6", bar(0))
    );
    assert_eq!(
        line("both bad (pair)"),
        format!("both bad (pair) {} 16.7% 1 of 6", bar(3))
    );
    // m-c won all 4 of its games (q2 for alice and bob); m-b 3 of 7, m-a 2 of 7.
    assert!(
        line("m-c").starts_with(&format!("m-c {} 100.0% won 4 of 4", bar(20))),
        "{out}"
    );
    assert!(
        line("m-b").starts_with(&format!("m-b {} 42.9% won 3 of 7", bar(9))),
        "{out}"
    );
    assert!(
        line("m-a").starts_with(&format!("m-a {} 28.6% won 2 of 7", bar(6))),
        "{out}"
    );
    assert!(line("alice").contains("3 decided 0 skipped 0 retracted (0 undo events) 1 stale"));

    // Every other percentage agrees with the counts printed beside it.
    let mut checked = 0;
    for l in out
        .lines()
        .filter(|l| l.contains('%') && l.contains(" of ") && !l.contains("rushing:"))
    {
        let words: Vec<&str> = l.split_whitespace().collect();
        let p = words.iter().position(|w| w.ends_with('%')).unwrap();
        let pct: f64 = words[p].trim_end_matches('%').parse().unwrap();
        let of = words.iter().position(|&w| w == "of").unwrap();
        let (k, n): (f64, f64) = (
            words[of - 1].parse().unwrap(),
            words[of + 1].parse().unwrap(),
        );
        assert_eq!(format!("{pct:.1}"), format!("{:.1}", 100.0 * k / n), "{l}");
        checked += 1;
    }
    assert_eq!(checked, 15, "lines with a percentage:\n{out}");
}

/// A labeler whose answers on one item go round in a circle (c0 > c1 > c2 > c0) and are
/// consistent on another: stats counts one item of two with a cycle.
#[test]
fn cycles_per_annotator_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("dana.jsonl");
    let line = |item: &str, l: &str, r: &str, c: &str| {
        format!(
            "{{\"v\":1,\"at\":\"2026-11-28T10:00:00.000Z\",\"annotator\":\"dana\",\"item\":\"{item}\",\"task\":\"pair\",\"pair\":[\"{l}\",\"{r}\"],\"choice\":\"{c}\"}}\n"
        )
    };
    let text = [
        line("q1", "c0", "c1", "c0"),
        line("q1", "c1", "c2", "c1"),
        line("q1", "c0", "c2", "c2"),
        line("q2", "c0", "c1", "c0"),
        line("q2", "c1", "c2", "c1"),
        line("q2", "c0", "c2", "c0"),
    ]
    .concat();
    std::fs::write(&log, text).unwrap();
    let (ok, out, err) = stats(&[log.to_str().unwrap(), "--json"]);
    assert!(ok, "{err}");
    let r: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        r["annotators"][0]["cycles"],
        json!({"items": 2, "with_cycle": 1})
    );
    let (_, out, _) = stats(&[log.to_str().unwrap()]);
    assert!(out.contains("Cycles"), "{out}");
    assert!(out.contains("1 of     2 items (50%)"), "{out}");
}

/// Sort checks: one pair checked and confirmed, another answered against the ranking and
/// asked once more: two checks, one contradiction. The checks are not pair answers that make
/// cycles.
#[test]
fn sort_checks_and_contradictions_per_annotator_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("sam.jsonl");
    let line = |l: &str, r: &str, c: &str, via: &str| {
        format!(
            "{{\"v\":1,\"at\":\"2026-11-28T10:00:00.000Z\",\"annotator\":\"sam\",\"item\":\"q1\",\"task\":\"pair\",\"pair\":[\"{l}\",\"{r}\"],\"choice\":\"{c}\",\"via\":\"{via}\"}}\n"
        )
    };
    let text = [
        line("c0", "c1", "c0", "sort"),
        line("c1", "c2", "c1", "sort"),
        line("c2", "c0", "c0", "verify"),
        line("c3", "c0", "c3", "verify"),
        line("c3", "c0", "c0", "verify-again"),
    ]
    .concat();
    std::fs::write(&log, text).unwrap();
    let (ok, out, err) = stats(&[log.to_str().unwrap(), "--json"]);
    assert!(ok, "{err}");
    let r: Value = serde_json::from_str(&out).unwrap();
    let a = &r["annotators"][0];
    assert_eq!(a["checks"], json!({"asked": 2, "contradictions": 1}));
    assert_eq!(a["cycles"]["items"], 0);
    let (_, out, _) = stats(&[log.to_str().unwrap()]);
    assert!(out.contains("Sort checks"), "{out}");
    assert!(
        out.contains("1 contradictions in     2 checks (50%)"),
        "{out}"
    );
}
