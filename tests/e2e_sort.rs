//! End to end: `prefer label --mode sort` in a pseudo-terminal sorts an item of 8 candidates by
//! answering its pair questions, and records the ranking with the questions asked.

mod common;

use common::{Session, log_events};
use prefer::sort::{Answer, Sorter};

/// The true quality of candidates c0..c7 (0 = best).
const MERIT: [usize; 8] = [3, 7, 0, 5, 1, 6, 2, 4];

/// The merits of the candidates shown in `text`, in reading order.
fn merits(text: &str) -> Vec<usize> {
    text.match_indices("MERIT-")
        .filter_map(|(i, _)| text[i + 6..].chars().next()?.to_digit(10))
        .map(|d| d as usize)
        .collect()
}

/// The merits of the two candidates on screen, in reading order (A, then B), from a whole
/// frame drawn after the last key (the header can reach the terminal before the panes).
fn on_screen(s: &Session) -> (usize, usize) {
    let text = s.wait_drawn("both answers", 10, |t| merits(t).len() == 2);
    let found = merits(&text);
    (found[0], found[1])
}

#[test]
fn sorting_eight_candidates_asks_at_most_seventeen_questions_and_records_the_order() {
    let dir = tempfile::tempdir().unwrap();
    let cands: Vec<String> = (0..8)
        .map(|c| {
            format!(
                "{{\"id\":\"c{c}\",\"text\":\"An answer, MERIT-{}.\"}}",
                MERIT[c]
            )
        })
        .collect();
    std::fs::write(
        dir.path().join("set.jsonl"),
        format!(
            "{{\"id\":\"q8\",\"prompt\":\"Which is best?\",\"candidates\":[{}]}}\n",
            cands.join(",")
        ),
    )
    .unwrap();
    // What binary insertion asks for this order (file order: --no-shuffle).
    let mut expect = Sorter::new((0..8).collect());
    while let Some((a, b)) = expect.question() {
        expect.answer(Answer::Better(if MERIT[a] < MERIT[b] { a } else { b }));
    }
    let questions = expect.asked().len();
    assert!(questions <= 17);

    let args = [
        "label",
        "set.jsonl",
        "--mode",
        "sort",
        "--annotator",
        "tess",
        "--no-shuffle",
    ];
    let mut s = Session::spawn(&args, dir.path(), &[], 160, 40);
    s.wait_text("question 1 of at most 17", 10);
    for k in 1..=questions {
        let (a, b) = on_screen(&s);
        s.send(if a < b { "a" } else { "b" });
        if k < questions {
            s.wait_text(&format!("question {} of at most", k + 1), 10);
        }
    }
    let log = dir.path().join("set.labels/tess.jsonl");
    let events = s.wait_for("the ranking saved", 10, |_| {
        log_events(&log).iter().any(|e| e["task"] == "rank")
    });
    let _ = events;
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));
    let out = String::from_utf8_lossy(&s.output()).to_string();
    assert!(out.contains("--mode sort"), "{out}");

    let events = log_events(&log);
    assert_eq!(events.len(), questions + 1, "{events:#?}");
    assert!(
        events[..questions]
            .iter()
            .all(|e| e["task"] == "pair" && e["via"] == "sort")
    );
    let rank = &events[questions];
    assert_eq!(rank["via"], "sort");
    assert_eq!(rank["asked"].as_array().unwrap().len(), questions);
    let mut best_first: Vec<usize> = (0..8).collect();
    best_first.sort_by_key(|&c| MERIT[c]);
    let want: Vec<serde_json::Value> = best_first
        .iter()
        .map(|c| serde_json::json!([format!("c{c}")]))
        .collect();
    assert_eq!(rank["ranking"].as_array().unwrap(), &want);
}
