//! `prefer export` with what a task file adds: `--task` takes the margin map from the task file,
//! and `--with-meta` carries each pair's flags and rationales.

use std::process::Command;

use serde_json::{Value, json};

fn export(dir: &std::path::Path, extra: &[&str]) -> (i32, Vec<Value>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_prefer"))
        .arg("export")
        .arg(dir.join("items.jsonl"))
        .args(["--labels-dir", dir.join("labels").to_str().unwrap()])
        .args(extra)
        .output()
        .unwrap();
    let lines = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (
        out.status.code().unwrap_or(-1),
        lines,
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(
        p.join("items.jsonl"),
        r#"{"id": "q1", "prompt": "Name a prime.", "candidates": [{"id": "c0", "text": "9"}, {"id": "c1", "text": "7"}]}
{"id": "q2", "prompt": "Say hi.", "candidates": [{"id": "c0", "text": "hi"}, {"id": "c1", "text": "Hello!"}, {"id": "c2", "text": "go away"}]}
"#,
    )
    .unwrap();
    std::fs::create_dir(p.join("labels")).unwrap();
    std::fs::write(
        p.join("labels/alice.jsonl"),
        r#"{"v":1,"at":"2026-11-26T10:00:00.000Z","annotator":"alice","item":"q1","task":"pair","pair":["c0","c1"],"choice":"c1","strength":4,"flags":{"c0":["factually wrong"]},"rationale":"9 is not prime"}
{"v":1,"at":"2026-11-26T10:01:00.000Z","annotator":"alice","item":"q2","task":"rank","ranking":[["c1"],["c0"],["c2"]],"flags":{"c2":["unsafe","refuses"]}}
"#,
    )
    .unwrap();
    std::fs::write(
        p.join("task.toml"),
        "mode = \"pair\"\n[pair]\nstrength = true\nmargins = [0, 0.5, 1, 5]\n",
    )
    .unwrap();
    dir
}

#[test]
fn the_task_files_margins_set_the_margin() {
    let dir = setup();
    let (code, lines, err) = export(dir.path(), &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(lines[0]["margin"], json!(3.0));
    let task = dir.path().join("task.toml");
    let (code, lines, err) = export(dir.path(), &["--task", task.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(lines[0]["margin"], json!(5.0));
    // --task and --margin-map say the same thing twice: refused.
    let (code, _, err) = export(
        dir.path(),
        &["--task", task.to_str().unwrap(), "--margin-map", "0,1,2,3"],
    );
    assert_ne!(code, 0);
    assert!(err.contains("--margin-map"), "{err}");
}

#[test]
fn a_broken_task_file_stops_the_export_with_its_line() {
    let dir = setup();
    let task = dir.path().join("task.toml");
    std::fs::write(&task, "mode = \"pair\"\n[pair]\nmargins = [1, 2, 3, 4]\n").unwrap();
    let (code, lines, err) = export(dir.path(), &["--task", task.to_str().unwrap()]);
    assert_ne!(code, 0);
    assert!(lines.is_empty());
    assert!(
        err.contains("task.toml:3: `margins` needs `strength = true`"),
        "{err}"
    );
}

#[test]
fn with_meta_carries_flags_and_rationales() {
    let dir = setup();
    let (code, lines, err) = export(dir.path(), &["--with-meta"]);
    assert_eq!(code, 0, "{err}");
    let q1 = &lines[0];
    assert_eq!(
        (q1["item"].as_str(), q1["chosen_id"].as_str()),
        (Some("q1"), Some("c1"))
    );
    assert_eq!(q1["chosen_flags"], json!([]));
    assert_eq!(q1["rejected_flags"], json!(["factually wrong"]));
    assert_eq!(q1["rationales"], json!(["9 is not prime"]));
    let c2_rejected: Vec<&Value> = lines
        .iter()
        .filter(|l| l["item"] == "q2" && l["rejected_id"] == "c2")
        .collect();
    assert_eq!(c2_rejected.len(), 2);
    for l in c2_rejected {
        assert_eq!(l["rejected_flags"], json!(["refuses", "unsafe"]));
        assert_eq!(l["rationales"], json!([]));
    }
    // Without --with-meta the columns are not there.
    let (_, lines, _) = export(dir.path(), &[]);
    assert!(lines[0].get("chosen_flags").is_none());
}

/// A sort mode ranking exports as a ranking (every pair of it, once), and `--with-meta` says
/// which pairs were asked and which inferred; the questions' own pair events do not add votes.
#[test]
fn a_sorted_ranking_exports_its_pairs_marked_asked_or_inferred() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(
        p.join("items.jsonl"),
        r#"{"id": "q", "prompt": "Say hi.", "candidates": [{"id": "c0", "text": "hi"}, {"id": "c1", "text": "Hello!"}, {"id": "c2", "text": "go away"}]}
"#,
    )
    .unwrap();
    std::fs::create_dir(p.join("labels")).unwrap();
    std::fs::write(
        p.join("labels/alice.jsonl"),
        r#"{"v":1,"at":"2026-11-28T10:00:00.000Z","annotator":"alice","item":"q","task":"pair","pair":["c0","c1"],"choice":"c1","ms":1000,"via":"sort"}
{"v":1,"at":"2026-11-28T10:00:01.000Z","annotator":"alice","item":"q","task":"pair","pair":["c1","c2"],"choice":"c1","ms":1000,"via":"sort"}
{"v":1,"at":"2026-11-28T10:00:02.000Z","annotator":"alice","item":"q","task":"pair","pair":["c0","c2"],"choice":"c0","ms":1000,"via":"sort"}
{"v":1,"at":"2026-11-28T10:00:02.001Z","annotator":"alice","item":"q","task":"rank","shown":["c0","c1","c2"],"ranking":[["c1"],["c0"],["c2"]],"ms":3000,"via":"sort","asked":[["c0","c1"],["c1","c2"],["c0","c2"]]}
"#,
    )
    .unwrap();
    let (code, lines, err) = export(p, &["--with-meta"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(lines.len(), 3, "{lines:#?}");
    assert!(lines.iter().all(|l| l["sort"] == "asked"), "{lines:#?}");
    // Take the last question out of `asked`: that pair is now inferred from the order.
    let log = std::fs::read_to_string(p.join("labels/alice.jsonl")).unwrap();
    std::fs::write(
        p.join("labels/alice.jsonl"),
        log.replace(r#",["c0","c2"]]"#, "]"),
    )
    .unwrap();
    let (_, lines, _) = export(p, &["--with-meta"]);
    let of = |a: &str, b: &str| {
        lines
            .iter()
            .find(|l| l["chosen_id"] == a && l["rejected_id"] == b)
            .unwrap()["sort"]
            .clone()
    };
    assert_eq!(of("c1", "c0"), "asked");
    assert_eq!(of("c0", "c2"), "inferred");
    // The rankings format sees one ranking.
    let (code, lines, err) = export(p, &["--format", "rankings"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(lines.len(), 1, "{lines:#?}");
}
