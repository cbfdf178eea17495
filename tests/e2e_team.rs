//! Team labeling from one folder: three `prefer label --overlap 2` processes at the same time.

mod common;

use std::collections::HashMap;

use common::{Session, log_events, pair_file};

/// Header progress `D/N`: the labeler's own decided count.
fn own_progress(screen: &str, n: usize) -> Option<usize> {
    let head = screen.lines().next()?;
    head.split(" │ ").find_map(|f| {
        let f = f.trim();
        // The progress bar field: "▕██░░▏ D/N".
        let (d, rest) = f.split_once("▏ ")?.1.split_once('/')?;
        (rest == n.to_string()).then(|| d.parse().ok()).flatten()
    })
}

fn item_on_screen(screen: &str) -> Option<String> {
    screen
        .lines()
        .next()?
        .split(" │ ")
        .find(|f| f.trim().starts_with("item-"))
        .map(|f| f.trim().to_string())
}

#[test]
fn three_labelers_share_the_work_with_overlap_two() {
    let dir = tempfile::tempdir().unwrap();
    let n = 8;
    pair_file(dir.path(), n);
    let names = ["ann", "ben", "cat"];
    let mut sessions: Vec<Session> = names
        .iter()
        .map(|who| {
            Session::spawn(
                &["label", "set.jsonl", "--annotator", who, "--overlap", "2"],
                dir.path(),
                &[],
                140,
                30,
            )
        })
        .collect();
    for s in &sessions {
        s.wait_text("task 1/8", 10);
    }
    let labels = dir.path().join("set.labels");
    let decided_by = || -> HashMap<String, Vec<String>> {
        let mut m: HashMap<String, Vec<String>> = HashMap::new();
        for who in names {
            for e in log_events(&labels.join(format!("{who}.jsonl"))) {
                m.entry(e["item"].as_str().unwrap().to_string())
                    .or_default()
                    .push(who.to_string());
            }
        }
        m
    };

    // Turns of up to three decisions each (people work at different speeds): each labeler
    // decides what is on their screen, until all are done.
    let mut done = [false; 3];
    let mut races = Vec::new();
    let mut own = [0usize; 3];
    for _round in 0..40 {
        for (k, s) in sessions.iter_mut().enumerate() {
            for _turn in 0..3 {
                if done[k] {
                    continue;
                }
                let screen = s.screen();
                if screen.contains("Nothing left for you") {
                    done[k] = true;
                    continue;
                }
                let item = item_on_screen(&screen).expect("item id in the header");
                // A task on screen that two others finished since it was picked is a race.
                let others = decided_by()
                    .get(&item)
                    .map_or(0, |v| v.iter().filter(|w| **w != names[k]).count());
                if others >= 2 {
                    races.push(item.clone());
                }
                s.send("a");
                own[k] += 1;
                let want = own[k];
                let sc = s.wait_for("the decision saved or held back", 10, |sc| {
                    (own_progress(sc, n) == Some(want) && sc.contains("✓ saved"))
                        || sc.contains("already has its 2 decisions")
                });
                if sc.contains("already has its 2 decisions") {
                    // Others finished it after the test looked: a race that prefer caught.
                    // Deciding again adds the extra decision on purpose.
                    races.push(item.clone());
                    s.send("a");
                    s.wait_for("the extra decision saved", 10, |sc| {
                        own_progress(sc, n) == Some(want) && sc.contains("✓ saved")
                    });
                }
            }
        }
        if done.iter().all(|d| *d) {
            break;
        }
    }
    assert!(done.iter().all(|d| *d), "everyone reaches 'nothing left'");
    let by = decided_by();
    for i in 0..n {
        let item = format!("item-{i}");
        let count = by.get(&item).map_or(0, Vec::len);
        assert!(count >= 2, "{item} has {count} decisions: {by:?}");
        if count > 2 {
            assert!(
                races.contains(&item),
                "{item} got a third decision without a race"
            );
        }
    }
    // Nobody did everything: the work was shared.
    let total: usize = own.iter().sum();
    assert!(total < 3 * n, "{own:?}");
    for s in &mut sessions {
        s.send("q");
        s.send("q");
        assert_eq!(s.wait_exit(10), Some(0));
        let out = String::from_utf8_lossy(&s.output()).to_string();
        assert!(out.contains("team: "), "{out}");
    }
}

#[test]
fn the_folder_settings_give_the_overlap() {
    let dir = tempfile::tempdir().unwrap();
    pair_file(dir.path(), 2);
    let labels = dir.path().join("set.labels");
    std::fs::create_dir_all(&labels).unwrap();
    std::fs::write(labels.join("prefer.toml"), "overlap = 3\n").unwrap();
    let mut s = Session::spawn(
        &["label", "set.jsonl", "--annotator", "ann"],
        dir.path(),
        &[],
        140,
        30,
    );
    s.wait_text("team 0/2 ×3", 10);
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));

    std::fs::write(labels.join("prefer.toml"), "overlap = 2\nowner = 1\n").unwrap();
    let out = std::process::Command::new(common::BIN)
        .args(["label", "set.jsonl", "--annotator", "ann"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("prefer.toml:2: unknown field `owner`"),
        "{err}"
    );
}

#[test]
fn the_first_overlap_is_stored_for_the_folder_and_review_uses_it() {
    let dir = tempfile::tempdir().unwrap();
    pair_file(dir.path(), 3);
    let labels = dir.path().join("set.labels");
    let mut s = Session::spawn(
        &["label", "set.jsonl", "--annotator", "ann", "--overlap", "2"],
        dir.path(),
        &[],
        140,
        30,
    );
    s.wait_text("team 0/3 ×2", 10);
    s.send("a");
    s.wait_text("✓ saved", 10);
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));
    assert_eq!(
        std::fs::read_to_string(labels.join("prefer.toml")).unwrap(),
        "overlap = 2\n"
    );

    // The next labeler, without the flag, works to the same K.
    let mut s = Session::spawn(
        &["label", "set.jsonl", "--annotator", "ben"],
        dir.path(),
        &[],
        140,
        30,
    );
    s.wait_text("×2", 10);
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));

    // A different K is refused, naming the current one and the command that changes it.
    let run = |args: &[&str]| {
        std::process::Command::new(common::BIN)
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let out = run(&["label", "set.jsonl", "--annotator", "cat", "--overlap", "3"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("this labels folder's overlap is 2"), "{err}");
    assert!(err.contains("prefer team set overlap 3"), "{err}");
    assert!(!labels.join("cat.jsonl").exists(), "nothing started");

    // Review counts to the folder's K.
    let mut s = Session::spawn(
        &["review", "set.jsonl", "--annotator", "lead"],
        dir.path(),
        &[],
        140,
        30,
    );
    s.wait_text("×2", 10);
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));

    // Changing it is explicit.
    let out = run(&["team", "set", "overlap", "3", "set.jsonl"]);
    assert_eq!(out.status.code(), Some(0));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("2 -> 3"), "{said}");
    // Now --overlap 3 is the folder's: the screen opens (in a terminal of its own, so a run
    // of the suite inside tmux is not taken over).
    let mut s = Session::spawn(
        &["label", "set.jsonl", "--annotator", "cat", "--overlap", "3"],
        dir.path(),
        &[],
        140,
        30,
    );
    s.wait_text("×3", 10);
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));
    let out = String::from_utf8_lossy(&s.output()).to_string();
    assert!(!out.contains("overlap is"), "{out}");
}

#[test]
fn a_labeler_with_nothing_left_is_told_and_adds_nothing_unasked() {
    let dir = tempfile::tempdir().unwrap();
    pair_file(dir.path(), 2);
    let labels = dir.path().join("set.labels");
    std::fs::create_dir_all(&labels).unwrap();
    std::fs::write(labels.join("prefer.toml"), "overlap = 2\n").unwrap();
    for who in ["ann", "ben"] {
        let lines: String = (0..2)
            .map(|i| {
                format!(
                    "{{\"v\":1,\"at\":\"2026-11-28T08:00:00.000Z\",\"annotator\":\"{who}\",\"item\":\"item-{i}\",\"task\":\"pair\",\"pair\":[\"c0\",\"c1\"],\"choice\":\"c0\"}}\n"
                )
            })
            .collect();
        std::fs::write(labels.join(format!("{who}.jsonl")), lines).unwrap();
    }
    let mut s = Session::spawn(
        &["label", "set.jsonl", "--annotator", "cat"],
        dir.path(),
        &[],
        120,
        30,
    );
    s.wait_text("Nothing left for you", 10);
    s.wait_text("prefer team set overlap 3 set.jsonl", 10);
    s.send(" ");
    s.wait_for("the screen closed", 10, |sc| !sc.contains("Nothing left"));
    s.send("a");
    s.wait_text("already has its 2 decisions (ann, ben)", 10);
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));
    let out = String::from_utf8_lossy(&s.output()).to_string();
    assert!(!out.contains("same moment"), "{out}");
    assert!(log_events(&labels.join("cat.jsonl")).is_empty());
}
