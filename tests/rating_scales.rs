//! Ratings keep the scale they were made on, end to end: a labeler's log is not mixed, export
//! writes each rating with its scale, stats says when scales mix; and the stats report keeps its
//! columns with long model names and leaves out sections with nothing in them.

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_prefer");

/// Two items of two candidates, from models with long names; alice rated both on 1-5, bob on
/// 1-7.
fn setup(dir: &Path) {
    let mut items = String::new();
    for i in 0..2 {
        items.push_str(&format!(
            "{{\"id\":\"q{i}\",\"prompt\":\"p{i}\",\"candidates\":[{{\"id\":\"c0\",\"text\":\"a{i}\",\"metadata\":{{\"model\":\"a-very-long-model-name-from-a-hub-org/model-70b-instruct-v2\"}}}},{{\"id\":\"c1\",\"text\":\"b{i}\",\"metadata\":{{\"model\":\"m-7b\"}}}}]}}\n"
        ));
    }
    std::fs::write(dir.join("set.jsonl"), items).unwrap();
    let labels = dir.join("set.labels");
    std::fs::create_dir_all(&labels).unwrap();
    for (who, scale, top) in [("alice", 5, 5), ("bob", 7, 7)] {
        let lines: String = (0..2)
            .map(|i| {
                format!(
                    "{{\"v\":1,\"at\":\"2026-11-28T08:00:0{i}.000Z\",\"annotator\":\"{who}\",\"item\":\"q{i}\",\"task\":\"rate\",\"shown\":[\"c0\",\"c1\"],\"ratings\":{{\"c0\":{top},\"c1\":1}},\"scale\":{scale},\"ms\":1000}}\n"
                )
            })
            .collect();
        std::fs::write(labels.join(format!("{who}.jsonl")), lines).unwrap();
    }
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_log_on_one_scale_refuses_another() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let (code, _, err) = run(
        dir.path(),
        &[
            "label",
            "set.jsonl",
            "--annotator",
            "alice",
            "--mode",
            "rate",
            "--scale",
            "7",
        ],
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("holds ratings 2 on 1-5"), "{err}");
    assert!(err.contains("--scale 5"), "{err}");
}

#[test]
fn export_writes_each_rating_with_its_scale_and_says_the_scales_mix() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let (code, out, err) = run(dir.path(), &["export", "set.jsonl", "--format", "ratings"]);
    assert_eq!(code, 0, "{err}");
    let first: Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(first["scale"], json!(7));
    let c0 = &first["candidates"][0];
    assert_eq!(
        c0["ratings"],
        json!([
            {"annotator": "alice", "rating": 5, "scale": 5},
            {"annotator": "bob", "rating": 7, "scale": 7}
        ])
    );
    // 5 of 5 and 7 of 7 are both the top: the mean on 1-7 is 7, not 6.
    assert_eq!(c0["mean"], json!(7.0));
    assert!(
        err.contains("2 item(s) were rated on more than one scale"),
        "{err}"
    );
}

#[test]
fn stats_on_ratings_line_up_and_leave_out_empty_sections() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let (code, out, err) = run(dir.path(), &["stats", "set.jsonl"]);
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains("Ties and both-bad"), "{out}");
    assert!(
        out.contains("ratings on more than one scale (2 on 1-5, 2 on 1-7)"),
        "{out}"
    );
    // Every leaderboard row's bar starts in the same column, the long name cut with "…".
    let rows: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.starts_with("Models"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .collect();
    assert_eq!(rows.len(), 2, "{out}");
    let bar_at = |l: &str| l.chars().position(|c| c == '█' || c == '░').unwrap();
    assert_eq!(bar_at(rows[0]), bar_at(rows[1]), "{out}");
    assert!(out.contains('…'), "{out}");
}
