//! End to end: `prefer label --mode best-worst` in a pseudo-terminal picks the best and the
//! worst of one item, and `prefer export` turns the pick into pairs and scores.

mod common;

use std::process::Command;

use common::{Session, log_events};

#[test]
fn one_best_worst_item_is_labeled_by_two_keys_and_exported_as_pairs() {
    let dir = tempfile::tempdir().unwrap();
    let cands: Vec<String> = (0..4)
        .map(|c| format!("{{\"id\":\"c{c}\",\"text\":\"Answer number {c}.\"}}"))
        .collect();
    std::fs::write(
        dir.path().join("set.jsonl"),
        format!(
            "{{\"id\":\"q4\",\"prompt\":\"Which is best?\",\"candidates\":[{}]}}\n",
            cands.join(",")
        ),
    )
    .unwrap();
    let args = [
        "label",
        "set.jsonl",
        "--mode",
        "best-worst",
        "--annotator",
        "tess",
        "--no-shuffle",
    ];
    let mut s = Session::spawn(&args, dir.path(), &[], 160, 40);
    s.wait_text("press the number of the BEST", 10);
    s.send("3");
    s.wait_text("press the number of the WORST", 10);
    s.send("1");
    let log = dir.path().join("set.labels/tess.jsonl");
    s.wait_for("the pick saved", 10, |_| !log_events(&log).is_empty());
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));
    let out = String::from_utf8_lossy(&s.output()).to_string();
    assert!(out.contains("--mode best-worst"), "{out}");
    let events = log_events(&log);
    assert_eq!(events.len(), 1, "{events:#?}");
    let e = &events[0];
    assert_eq!(e["task"], "best-worst");
    assert_eq!(
        (e["best"].as_str(), e["worst"].as_str()),
        (Some("c2"), Some("c0"))
    );
    assert_eq!(e["shown"], serde_json::json!(["c0", "c1", "c2", "c3"]));

    // Export: c2 over c0, c1, c3; c1 and c3 over c0: five pairs.
    let run = |format: &str, out: &str| {
        let o = Command::new(env!("CARGO_BIN_EXE_prefer"))
            .args(["export", "set.jsonl", "--format", format, "-o", out])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        std::fs::read_to_string(dir.path().join(out)).unwrap()
    };
    let pairs: Vec<(String, String)> = run("trl", "pairs.jsonl")
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["chosen"].to_string().replace("\\\"", ""),
                v["rejected"].to_string().replace("\\\"", ""),
            )
        })
        .collect();
    assert_eq!(pairs.len(), 5, "{pairs:?}");
    let number = |t: &str| t.split("Answer number ").nth(1).unwrap()[..1].to_string();
    let mut got: Vec<(String, String)> =
        pairs.iter().map(|(c, r)| (number(c), number(r))).collect();
    got.sort();
    let want = [("1", "0"), ("2", "0"), ("2", "1"), ("2", "3"), ("3", "0")];
    assert_eq!(got, want.map(|(a, b)| (a.to_string(), b.to_string())));
    // Rankings: each candidate's best-worst score.
    let row: serde_json::Value =
        serde_json::from_str(run("rankings", "rankings.jsonl").trim()).unwrap();
    let scores: Vec<(String, f64)> = row["best_worst"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap().to_string(),
                s["score"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        scores,
        [("c0", -1.0), ("c1", 0.0), ("c2", 1.0), ("c3", 0.0)].map(|(a, b)| (a.to_string(), b))
    );
}
