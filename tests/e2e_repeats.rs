//! Hidden repeats end to end: two labelers in a pseudo-terminal label a file with `repeat` in
//! the task file, one choosing the same answer every time and one pressing `a` (the left side)
//! every time; repeats come back with the sides swapped, are logged as repeats, and `prefer
//! stats --task` marks the second one by position consistency and self-agreement.

mod common;

use std::path::Path;

use common::{Session, log_events};

const ITEMS: usize = 40;

/// Labels until nothing is left: `a` every time, or (`want` given) the side whose answer
/// starts with `want`. Returns the number of decisions.
fn label(dir: &Path, who: &str, want: Option<&str>) -> usize {
    let settings = common::no_guard_settings();
    let mut s = Session::spawn(
        &[
            "label",
            "set.jsonl",
            "--task",
            "task.toml",
            "--annotator",
            who,
        ],
        dir,
        &[("PREFER_CONFIG", settings.to_str().unwrap())],
        140,
        30,
    );
    let log = dir.join(format!("set.labels/{who}.jsonl"));
    for k in 0..3 * ITEMS {
        let screen = s.wait_drawn("a task or the end", 10, |sc| {
            sc.contains("Nothing left for you")
                || sc
                    .lines()
                    .any(|l| l.contains("First answer") && l.contains("Second answer"))
        });
        if screen.contains("Nothing left for you") {
            s.send("q");
            assert_eq!(s.wait_exit(10), Some(0));
            return k;
        }
        let key = match want {
            None => "a",
            Some(w) => {
                let row = screen
                    .lines()
                    .find(|l| l.contains("First answer") && l.contains("Second answer"))
                    .unwrap();
                let other = if w == "First" { "Second" } else { "First" };
                if row.find(w).unwrap() < row.find(other).unwrap() {
                    "a"
                } else {
                    "b"
                }
            }
        };
        s.send(key);
        s.wait_for("the decision saved", 10, |_| {
            log_events(&log).len() == k + 1
        });
    }
    panic!("{who} was never done");
}

#[test]
fn a_labeler_who_always_picks_the_left_side_is_flagged_by_position_consistency() {
    let dir = tempfile::tempdir().unwrap();
    common::pair_file(dir.path(), ITEMS);
    std::fs::write(
        dir.path().join("task.toml"),
        "mode = \"pair\"\noverlap = 2\nshuffle = true\nrepeat = 0.5\n\n[qa]\nmin_repeat_count = 3\n",
    )
    .unwrap();
    let carol = label(dir.path(), "carol", Some("First"));
    let lefty = label(dir.path(), "lefty", None);
    for (who, n) in [("carol", carol), ("lefty", lefty)] {
        let events = log_events(&dir.path().join(format!("set.labels/{who}.jsonl")));
        assert_eq!(events.len(), n);
        let (repeats, first): (Vec<_>, Vec<_>) = events.iter().partition(|e| e["repeat"] == true);
        assert_eq!(first.len(), ITEMS, "{who}: every task once as itself");
        assert!(repeats.len() >= 3, "{who}: {} repeats", repeats.len());
        for r in &repeats {
            let f = first.iter().find(|e| e["item"] == r["item"]).unwrap();
            assert_eq!(f["pair"][0], r["pair"][1], "{who}: sides not swapped: {r}");
        }
    }

    let r = common::json_of(
        dir.path(),
        &["stats", "set.jsonl", "--task", "task.toml", "--json"],
    );
    // Repeats are not decisions: each labeler has one per task.
    let rows = r["quality"]["rows"].as_array().unwrap();
    let row = |name: &str| rows.iter().find(|x| x["name"] == name).unwrap().clone();
    let (c, l) = (row("carol"), row("lefty"));
    assert_eq!(c["decisions"], ITEMS, "{c}");
    assert_eq!(l["decisions"], ITEMS, "{l}");
    let rc = &c["repeats"];
    assert_eq!(rc["self_agreement"], 1.0, "{c}");
    assert_eq!(rc["same_position"], 0, "{c}");
    let rl = &l["repeats"];
    assert_eq!(rl["self_agreement"], 0.0, "{l}");
    assert_eq!(rl["same_position"], rl["positioned"], "{l}");
    let flags = |x: &serde_json::Value| -> Vec<String> {
        x["flags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap().to_string())
            .collect()
    };
    let fl = flags(&l);
    assert!(fl.iter().any(|f| f.starts_with("same side on ")), "{fl:?}");
    assert!(
        fl.iter().any(|f| f.starts_with("self-agreement 0% (")),
        "{fl:?}"
    );
    let fc = flags(&c);
    assert!(
        !fc.iter()
            .any(|f| f.contains("same side") || f.contains("self-agreement")),
        "{fc:?}"
    );

    let out = std::process::Command::new(common::BIN)
        .args(["stats", "set.jsonl", "--task", "task.toml"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("self (repeat)"), "{text}");
    assert!(text.contains("⚑ lefty:"), "{text}");
    assert!(text.contains("same side on "), "{text}");
}
