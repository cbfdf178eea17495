//! `prefer export` of edits, end to end: a folder with a candidate file and a log holding a
//! ranking and an edit; every pair format prefers the edited answer over its source and over
//! what the source beat or tied, and `--with-meta` names the source.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

mod common;

const EDITED: &str = "Paris is the capital of France, on the Seine.";

fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let item = r#"{"id":"q1","prompt":"What is the capital of France?","candidates":[{"id":"c0","text":"Paris.","metadata":{"model":"m0"}},{"id":"c1","text":"Lyon.","metadata":{"model":"m1"}},{"id":"c2","text":"Paris, I think.","metadata":{"model":"m2"}}]}"#;
    std::fs::write(dir.path().join("set.jsonl"), format!("{item}\n")).unwrap();
    std::fs::create_dir(dir.path().join("set.labels")).unwrap();
    // alice: c0 = c2 > c1, then an edit of c0; bob: c1 > c0 (says nothing of alice's edit).
    let log = [
        r#"{"v":1,"at":"2026-11-27T10:00:00.000Z","annotator":"alice","item":"q1","task":"rank","shown":["c0","c1","c2"],"ranking":[["c0","c2"],["c1"]]}"#.to_string(),
        format!(
            r#"{{"v":1,"at":"2026-11-27T10:01:00.000Z","annotator":"alice","item":"q1","task":"edit","source":"c0","text":"{EDITED}"}}"#
        ),
    ];
    std::fs::write(
        dir.path().join("set.labels/alice.jsonl"),
        log.join("\n") + "\n",
    )
    .unwrap();
    let bob = r#"{"v":1,"at":"2026-11-27T10:02:00.000Z","annotator":"bob","item":"q1","task":"pair","pair":["c1","c0"],"choice":"c1"}"#;
    std::fs::write(dir.path().join("set.labels/bob.jsonl"), format!("{bob}\n")).unwrap();
    dir
}

fn export(dir: &Path, args: &[&str]) -> (Vec<Value>, String) {
    let (out, err) = common::ok_in(dir, &[&["export", "set.jsonl"], args].concat());
    let rows = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (rows, err)
}

/// The answer in a column: a string (hh's after its last "Assistant: "), or a conversation's
/// last message.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.rsplit("Assistant: ").next().unwrap_or(s).to_string(),
        Value::Array(turns) => turns.last().map_or(String::new(), |t| {
            t.get("content")
                .or_else(|| t.get("value"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        }),
        Value::Object(m) => m
            .get("value")
            .or_else(|| m.get("content"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        _ => String::new(),
    }
}

fn chosen_over(rows: &[Value]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = rows
        .iter()
        .map(|r| (text(&r["chosen"]), text(&r["rejected"])))
        .collect();
    v.sort();
    v
}

#[test]
fn every_pair_format_prefers_the_edit_over_its_source_and_what_it_beat_or_tied() {
    let dir = folder();
    let want = [
        (EDITED.to_string(), "Lyon.".to_string()),
        (EDITED.to_string(), "Paris, I think.".to_string()),
        (EDITED.to_string(), "Paris.".to_string()),
    ];
    for format in ["trl", "trl-chat", "hh", "llamafactory", "h4"] {
        let (rows, err) = export(dir.path(), &["--format", format, "--aggregate", "all"]);
        let pairs = chosen_over(&rows);
        for w in &want {
            assert!(pairs.contains(w), "{format}: {w:?} not in {pairs:?}");
        }
        assert!(
            !pairs.iter().any(|(_, r)| r == EDITED),
            "{format}: the edit is never the worse answer: {pairs:?}"
        );
        assert!(
            err.contains("1 edited answer(s) joined their items"),
            "{format}: {err}"
        );
        assert!(
            err.contains("from 2 decision(s) by 2 annotator(s)"),
            "{format}: {err}"
        );
    }
    // KTO: the edit is a desirable answer.
    let (rows, _) = export(dir.path(), &["--format", "kto"]);
    let edit: Vec<&Value> = rows
        .iter()
        .filter(|r| text(&r["completion"]) == EDITED)
        .collect();
    assert_eq!(edit.len(), 1, "{rows:?}");
    assert_eq!(edit[0]["label"], true);
    // --edit-beats source: only over the answer it was made from.
    let (rows, _) = export(
        dir.path(),
        &["--edit-beats", "source", "--aggregate", "all"],
    );
    let pairs = chosen_over(&rows);
    assert!(pairs.contains(&want[2]), "{pairs:?}");
    assert!(
        !pairs.contains(&want[0]) && !pairs.contains(&want[1]),
        "{pairs:?}"
    );
    // Parquet takes the same rows.
    let out = dir.path().join("pairs.parquet");
    export(dir.path(), &["--out", out.to_str().unwrap()]);
    assert!(std::fs::metadata(&out).unwrap().len() > 0);
    // The candidate file is not changed.
    let file = std::fs::read_to_string(dir.path().join("set.jsonl")).unwrap();
    assert!(!file.contains("Seine"));
}

#[test]
fn with_meta_names_the_edited_candidate_and_its_source() {
    let dir = folder();
    let (rows, _) = export(dir.path(), &["--with-meta", "--aggregate", "all"]);
    let row = rows
        .iter()
        .find(|r| r["chosen"] == EDITED && r["rejected"] == "Paris.")
        .expect("the edit over its source");
    assert_eq!(row["chosen_id"], "c0+edit:alice");
    assert_eq!(row["chosen_edited_from"], "c0");
    assert_eq!(row["rejected_edited_from"], Value::Null);
    assert_eq!(row["annotators"], serde_json::json!(["alice"]));
    let other = rows.iter().find(|r| r["chosen"] == "Lyon.").unwrap();
    assert_eq!(other["chosen_edited_from"], Value::Null);
}

#[test]
fn stats_and_agreement_do_not_count_an_edit_as_a_decision() {
    let dir = folder();
    let run = |cmd: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_prefer"))
            .args([cmd, "set.jsonl"])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let stats = run("stats");
    assert!(
        stats.contains("2 decision(s) by 2 annotator(s), and 1 edited answer(s) (not decisions)"),
        "{stats}"
    );
    assert!(
        stats.contains("left out: 0 skipped, 0 retracted, 0 stale, 0 unknown"),
        "{stats}"
    );
    let agreement = run("agreement");
    assert!(
        agreement.contains("2 annotators (alice, bob)"),
        "{agreement}"
    );
}

/// An annotator left out, by name or for their gold accuracy, is left out with their edits,
/// and the summary counts their decisions (an edit is not one).
#[test]
fn an_annotator_left_out_takes_their_edits_along() {
    let dir = folder();
    // A gold item (its own `gold` field) that alice misses and bob gets right, and one more
    // item for bob: alice has 2 decisions, bob 3.
    let more = r#"{"id":"g1","prompt":"Is 2 + 2 four?","candidates":[{"id":"c0","text":"Yes."},{"id":"c1","text":"No."}],"gold":{"choice":"c0"}}
{"id":"q2","prompt":"Name a colour.","candidates":[{"id":"c0","text":"Blue."},{"id":"c1","text":"Seven."}]}
"#;
    let append = |name: &str, text: &str| {
        let path = dir.path().join(name);
        let old = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, old + text).unwrap();
    };
    append("set.jsonl", more);
    let pair = |who: &str, at: &str, item: &str, choice: &str| {
        format!(
            r#"{{"v":1,"at":"2026-11-27T10:{at}.000Z","annotator":"{who}","item":"{item}","task":"pair","pair":["c0","c1"],"choice":"{choice}"}}"#
        ) + "\n"
    };
    append(
        "set.labels/alice.jsonl",
        &pair("alice", "03:00", "g1", "c1"),
    );
    append(
        "set.labels/bob.jsonl",
        &(pair("bob", "04:00", "g1", "c0") + &pair("bob", "05:00", "q2", "c0")),
    );
    for (args, edit) in [
        (&["--exclude-annotator", "bob"][..], true),
        (&["--exclude-annotator", "alice"][..], false),
        // alice's gold accuracy is 0 and bob's 1: a minimum of 0 leaves out no one.
        (&["--min-gold-accuracy", "0.5"][..], false),
        (&["--min-gold-accuracy", "0"][..], true),
    ] {
        let (rows, err) = export(dir.path(), &[args, &["--aggregate", "all"]].concat());
        let with_edit = rows.iter().any(|r| r["chosen"] == EDITED);
        assert_eq!(with_edit, edit, "{args:?}: {rows:?}\n{err}");
        assert_eq!(
            err.contains("1 edited answer(s) joined"),
            edit,
            "{args:?}: {err}"
        );
        let left_out = match args {
            ["--exclude-annotator", "bob"] => "3 by bob (--exclude-annotator)",
            ["--exclude-annotator", "alice"] => "2 by alice (--exclude-annotator)",
            ["--min-gold-accuracy", "0.5"] => {
                "2 by annotators below --min-gold-accuracy (alice 0/1)"
            }
            _ => "",
        };
        assert_eq!(
            err.contains("left out decisions: "),
            !left_out.is_empty(),
            "{args:?}: {err}"
        );
        assert!(err.contains(left_out), "{args:?}: {err}");
    }
}
