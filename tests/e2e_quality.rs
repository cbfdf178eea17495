//! Gold items end to end: two labelers in a pseudo-terminal label a file with gold items mixed
//! in (`gold_rate`), one choosing the good answer and one the bad answer every time; then
//! `prefer stats --task` marks the second one in the quality table, and `prefer export` leaves
//! the gold pairs out.

mod common;

use std::path::Path;

use common::Session;

const ORDINARY: usize = 8;
const GOLD: usize = 4;

fn write_files(dir: &Path) {
    let mut s = String::new();
    let ids = (0..ORDINARY)
        .map(|i| format!("q{i}"))
        .chain((0..GOLD).map(|i| format!("g{i}")));
    for id in ids {
        s.push_str(&format!(
            "{{\"id\":\"{id}\",\"prompt\":\"Question {id}?\",\"candidates\":[{{\"id\":\"c0\",\"text\":\"GOOD answer to {id}.\"}},{{\"id\":\"c1\",\"text\":\"BAD answer to {id}.\"}}]}}\n"
        ));
    }
    std::fs::write(dir.join("set.jsonl"), s).unwrap();
    let gold: String = (0..GOLD)
        .map(|i| format!("{{\"item\":\"g{i}\",\"best\":\"c0\",\"reason\":\"the good one\"}}\n"))
        .collect();
    std::fs::write(dir.join("gold.jsonl"), gold).unwrap();
    std::fs::write(
        dir.join("task.toml"),
        "mode = \"pair\"\noverlap = 2\ngold = \"gold.jsonl\"\ngold_rate = 0.3\n\n[qa]\nmin_gold_count = 2\n",
    )
    .unwrap();
}

/// The item id in the header (`set.jsonl │ task 3/12 │ q2 │ pair │ ...`).
fn item_on(screen: &str) -> Option<String> {
    let header = screen.lines().next()?;
    let id = header.split('│').nth(2)?.trim().to_string();
    (!id.is_empty()).then_some(id)
}

/// Labels until nothing is left, choosing the answer whose text starts with `want` (`GOOD` or
/// `BAD`) by where it is on screen; returns the items decided, in order.
fn label(dir: &Path, who: &str, want: &str) -> Vec<String> {
    label_with(dir, who, want, &[])
}

/// [`label`] with more environment for the process.
fn label_with(dir: &Path, who: &str, want: &str, env: &[(&str, &str)]) -> Vec<String> {
    let settings = common::no_guard_settings();
    let mut env = env.to_vec();
    env.push(("PREFER_CONFIG", settings.to_str().unwrap()));
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
        &env,
        140,
        30,
    );
    let mut seen = Vec::new();
    for _ in 0..ORDINARY + GOLD + 1 {
        let screen = s.wait_drawn("a task or the end", 10, |sc| {
            sc.contains("Nothing left for you")
                || (item_on(sc).is_some_and(|id| !seen.contains(&id))
                    && sc.contains("GOOD answer")
                    && sc.contains("BAD answer"))
        });
        if screen.contains("Nothing left for you") {
            s.send("q");
            assert_eq!(s.wait_exit(10), Some(0));
            // Gold not served once the ordinary tasks ran out is said to be not needed, on
            // the screen and in the summary printed after.
            let held = GOLD - seen.iter().filter(|i| i.starts_with('g')).count();
            if held > 0 {
                let out = String::from_utf8_lossy(&s.output()).into_owned();
                let want = format!(
                    "tasks decided, {held} check task{} not needed.",
                    if held == 1 { "" } else { "s" }
                );
                assert!(out.contains(&want), "{want:?} in:\n{out}");
            }
            return seen;
        }
        let id = item_on(&screen).unwrap();
        let row = screen
            .lines()
            .find(|l| l.contains("GOOD answer") && l.contains("BAD answer"))
            .unwrap_or_else(|| panic!("both answers on one row:\n{screen}"));
        let good_left = row.find("GOOD").unwrap() < row.find("BAD").unwrap();
        let left = good_left == (want == "GOOD");
        s.send(if left { "a" } else { "b" });
        seen.push(id);
    }
    panic!("{who} was never done: {seen:?}");
}

/// A candidate file read lazily (as every file over 64 MiB is) serves its gold items too: the
/// start waits for the file to be checked whole when the task has gold.
#[test]
fn gold_items_are_mixed_in_from_a_file_read_lazily() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path());
    let items = label_with(
        dir.path(),
        "alice",
        "GOOD",
        &[("PREFER_LAZY_THRESHOLD", "0")],
    );
    assert!(
        items[..ORDINARY].iter().any(|i| i.starts_with('g')),
        "gold mixed in: {items:?}"
    );
}

#[test]
fn a_labeler_who_misses_the_gold_items_is_flagged_by_stats() {
    let dir = tempfile::tempdir().unwrap();
    write_files(dir.path());
    let alice = label(dir.path(), "alice", "GOOD");
    let bob = label(dir.path(), "bob", "BAD");
    for (who, items) in [("alice", &alice), ("bob", &bob)] {
        let gold = items.iter().filter(|i| i.starts_with('g')).count();
        let ordinary = items.len() - gold;
        // Every ordinary item, and gold at about 30% of what was decided (no item twice).
        assert_eq!(ordinary, ORDINARY, "{who}: {items:?}");
        assert!((2..=GOLD).contains(&gold), "{who}: {items:?}");
        let mut sorted = items.to_vec();
        sorted.sort();
        sorted.dedup();
        assert_eq!(
            sorted.len(),
            items.len(),
            "{who} saw an item twice: {items:?}"
        );
        // Mixed in, not where the file has them (all at the end).
        assert!(
            items[..ORDINARY].iter().any(|i| i.starts_with('g')),
            "{who}: {items:?}"
        );
    }

    let r = common::json_of(
        dir.path(),
        &["stats", "set.jsonl", "--task", "task.toml", "--json"],
    );
    let rows = r["quality"]["rows"].as_array().unwrap();
    let row = |name: &str| rows.iter().find(|x| x["name"] == name).unwrap().clone();
    let (a, b) = (row("alice"), row("bob"));
    assert_eq!(a["gold"]["accuracy"], 1.0, "{a}");
    assert_eq!(b["gold"]["accuracy"], 0.0, "{b}");
    assert_eq!(a["flags"].as_array().unwrap().len(), 0, "{a}");
    let flags = b["flags"].as_array().unwrap();
    assert!(
        flags[0].as_str().unwrap().starts_with("gold accuracy 0% ("),
        "{b}"
    );

    let out = std::process::Command::new(common::BIN)
        .args(["stats", "set.jsonl", "--task", "task.toml"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Quality per annotator"), "{text}");
    assert!(text.contains("⚑ bob: gold accuracy 0%"), "{text}");
    assert!(!text.contains("⚑ alice"), "{text}");

    // Export: the gold items' pairs are checks, not training data, unless asked.
    let export = |extra: &[&str]| {
        let args = [
            "export",
            "set.jsonl",
            "--task",
            "task.toml",
            "--aggregate",
            "all",
        ];
        common::ok_in(dir.path(), &[&args[..], extra].concat())
    };
    let (rows, summary) = export(&[]);
    assert_eq!(rows.lines().count(), 2 * ORDINARY, "{summary}");
    assert!(summary.contains("pair(s) of gold items"), "{summary}");
    let (rows, _) = export(&["--include-gold"]);
    assert_eq!(rows.lines().count(), alice.len() + bob.len());
    // --min-gold-accuracy leaves bob out: alice's pairs alone.
    let (rows, summary) = export(&["--min-gold-accuracy", "0.8"]);
    assert_eq!(rows.lines().count(), ORDINARY, "{summary}");
    assert!(
        summary.contains("by annotators below --min-gold-accuracy (bob 0/"),
        "{summary}"
    );
}
