//! `prefer agreement` end to end on tests/fixtures/agreement (items.jsonl and the logs in
//! labels/; not items.labels/, which .gitignore keeps out of the repository). What the logs
//! hold, and the figures counted by hand from them (candidate ids c0, c1, c2; a ranking as
//! each candidate's tier in the order c0, c1, c2):
//!
//! Pair tasks (labels are the chosen candidate id, whichever side it was shown on):
//! - alice: p1 c0, p2 c1, p3 tie, p4 c0, p5 c1
//! - bob: p1 c1 then changed to c0 (latest wins), p2 c1, p3 c0, p4 c0, p5 skipped
//! - carol: p1 c1, p2 c1, p3 c1 then retracted, p4 c0 with an old item_hash (stale), p5 both_bad
//! - rev (adjudicator, never compared): p3 c1, p2 c0
//!
//! alice & bob share p1-p4: (c0,c0) (c1,c1) (tie,c0) (c0,c0): raw 3/4. Marginals alice c0 2,
//! c1 1, tie 1; bob c0 3, c1 1: p_e = 2/4*3/4 + 1/4*1/4 = 7/16; kappa = (12/16 - 7/16) / (9/16)
//! = 5/9. alice & carol share p1, p2, p5: (c0,c1) (c1,c1) (c1,both_bad): raw 1/3; p_e = 2/3*2/3
//! = 4/9; kappa = (3/9 - 4/9) / (5/9) = -1/5. bob & carol share p1, p2: 2 < 3, not enough.
//! Everyone: 5 tasks with two or more annotators, 4 + 3 + 2 = 9 comparisons, 5 agree: raw 5/9.
//! Pooled kappa counts each comparison both ways: of 18 labels c0 7, c1 9, tie 1, both_bad 1,
//! p_e = (49 + 81 + 1 + 1) / 324 = 11/27; kappa = (15/27 - 11/27) / (16/27) = 1/4.
//! Without the candidate file carol's stale p4 (c0) counts: bob & carol share p1, p2, p4:
//! (c0,c1) (c1,c1) (c0,c0), raw 2/3, p_e = 2/3*1/3 + 1/3*2/3 = 4/9, kappa = (2/9) / (5/9) = 2/5.
//!
//! Rank tasks: alice r1 (0,1,2) r2 (2,1,0) r3 (0,0,1) r4 (1,0,2); bob r1 (0,1,2) r2 (1,2,0)
//! r3 (0,1,2); carol r1 (2,1,0) r3 (0,2,1) r4 (1,0,2).
//! - alice & bob: r1 same: tau 1, 3/3 pairs. r2: c0-c1 discordant, others concordant: tau 1/3,
//!   2/3. r3: c0-c1 tied by alice only, 2 concordant: tau-b 2 / sqrt(2*3) = 2/sqrt(6), 2/3.
//!   Mean tau-b (4/3 + 2/sqrt(6)) / 3 = 0.716610; pairwise 7/9.
//! - alice & carol: r1 reversed: -1, 0/3. r3: c0-c1 tied by alice, c0-c2 concordant, c1-c2
//!   discordant: 0, 1/3. r4 same: 1, 3/3. Mean 0; pairwise 4/9.
//! - bob & carol: r1 -1, 0/3; r3 1/3, 2/3: 2 shared, not enough.
//! - everyone: 4 items; taus 1, 1/3, 2/sqrt(6), -1, 0, 1, -1, 1/3: mean (2/3 + 2/sqrt(6)) / 8
//!   = 0.185395; pairwise (3+2+2 + 0+1+3 + 0+2) / 24 = 13/24.
//!
//! Rate tasks (c0, c1): alice t1 (5,2) t2 (4,4) t3 (1,3); bob t1 (4,2) t2 (4,3) t3 (2,5);
//! carol t1 (5,1) t2 (3,4).
//! - alice & bob: units (5,4) (2,2) (4,4) (4,3) (1,2) (3,5). Exact 2/6; within one 5/6.
//!   D_o = 2 (1+0+0+1+1+4) / 12 = 7/6; 12 values, sum 39, squares 145:
//!   D_e = 2 (12*145 - 39^2) / (12*11) = 73/22; alpha = 1 - (7/6) / (73/22) = 142/219.
//! - alice & carol, bob & carol: t1, t2 only: not enough.
//! - everyone: units (5,4,5) (2,2,1) (4,4,3) (4,3,4) (1,2) (3,5): D_o = (2+2+2+2+2+8) / 16
//!   = 9/8; 16 values, sum 52, squares 196: D_e = 2 (16*196 - 52^2) / 240 = 3.6;
//!   alpha = 1 - 1.125 / 3.6 = 11/16. Rating pairs 3*4 + 2 = 14: exact 4, within one 13.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

fn fixture(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/agreement")
        .join(p)
}

fn agreement(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_prefer"))
        .arg("agreement")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn json_of(args: &[&str]) -> Value {
    let (ok, out, err) = agreement(args);
    assert!(ok, "{err}");
    serde_json::from_str(&out).unwrap()
}

fn items() -> String {
    fixture("items.jsonl").to_str().unwrap().to_string()
}

fn labels() -> String {
    fixture("labels").to_str().unwrap().to_string()
}

fn close(v: &Value, expected: f64) {
    let x = v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"));
    assert!((x - expected).abs() < 1e-9, "{x} != {expected}");
}

/// The row of `a` and `b` in one kind's list.
fn row<'a>(r: &'a Value, kind: &str, a: &str, b: &str) -> &'a Value {
    r[kind]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["a"] == a && x["b"] == b)
        .unwrap_or_else(|| panic!("no {kind} row for {a} & {b}"))
}

#[test]
fn json_pair_figures_match_the_hand_count() {
    let r = json_of(&[&items(), "--labels-dir", &labels(), "--json"]);
    assert_eq!(r["with_file"], json!(true));
    assert_eq!(r["min_overlap"], json!(3));
    assert_eq!(r["annotators"], json!(["alice", "bob", "carol"]));
    assert_eq!(r["adjudicators"], json!(["rev"]));
    assert_eq!(
        r["left_out"],
        json!({"skipped": 1, "retracted": 1, "stale": 1, "unknown": 0})
    );
    let ab = row(&r, "pair", "alice", "bob");
    assert_eq!((&ab["shared"], &ab["comparisons"]), (&json!(4), &json!(4)));
    close(&ab["raw"], 0.75);
    close(&ab["kappa"], 5.0 / 9.0);
    let ac = row(&r, "pair", "alice", "carol");
    assert_eq!(ac["shared"], json!(3));
    close(&ac["raw"], 1.0 / 3.0);
    close(&ac["kappa"], -0.2);
    let bc = row(&r, "pair", "bob", "carol");
    assert_eq!(
        (&bc["shared"], &bc["enough_overlap"]),
        (&json!(2), &json!(false))
    );
    assert_eq!((&bc["raw"], &bc["kappa"]), (&Value::Null, &Value::Null));
    let all = row(&r, "pair", "all", "all");
    assert_eq!(
        (&all["shared"], &all["comparisons"]),
        (&json!(5), &json!(9))
    );
    close(&all["raw"], 5.0 / 9.0);
    close(&all["kappa"], 0.25);
    // "all" comes last, after the pairs in name order.
    let order: Vec<_> = r["pair"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| format!("{}-{}", x["a"].as_str().unwrap(), x["b"].as_str().unwrap()))
        .collect();
    assert_eq!(order, ["alice-bob", "alice-carol", "bob-carol", "all-all"]);
}

#[test]
fn json_rank_figures_match_the_hand_count() {
    let r = json_of(&[&items(), "--labels-dir", &labels(), "--json"]);
    let ab = row(&r, "rank", "alice", "bob");
    assert_eq!(
        (&ab["shared"], &ab["tau_b_n"], &ab["candidate_pairs"]),
        (&json!(3), &json!(3), &json!(9))
    );
    close(&ab["tau_b"], (4.0 / 3.0 + 2.0 / 6f64.sqrt()) / 3.0);
    close(&ab["pairwise"], 7.0 / 9.0);
    let ac = row(&r, "rank", "alice", "carol");
    close(&ac["tau_b"], 0.0);
    close(&ac["pairwise"], 4.0 / 9.0);
    let bc = row(&r, "rank", "bob", "carol");
    assert_eq!(bc["enough_overlap"], json!(false));
    assert_eq!(bc["tau_b"], Value::Null);
    assert_eq!(bc["candidate_pairs"], json!(6));
    let all = row(&r, "rank", "all", "all");
    assert_eq!(
        (&all["shared"], &all["comparisons"], &all["tau_b_n"]),
        (&json!(4), &json!(8), &json!(8))
    );
    close(&all["tau_b"], (2.0 / 3.0 + 2.0 / 6f64.sqrt()) / 8.0);
    close(&all["pairwise"], 13.0 / 24.0);
    assert_eq!(all["candidate_pairs"], json!(24));
}

#[test]
fn json_rate_figures_match_the_hand_count() {
    let r = json_of(&[&items(), "--labels-dir", &labels(), "--json"]);
    let ab = row(&r, "rate", "alice", "bob");
    assert_eq!(
        (&ab["shared"], &ab["units"], &ab["rating_pairs"]),
        (&json!(3), &json!(6), &json!(6))
    );
    close(&ab["alpha"], 142.0 / 219.0);
    close(&ab["exact"], 2.0 / 6.0);
    close(&ab["within_one"], 5.0 / 6.0);
    for (a, b) in [("alice", "carol"), ("bob", "carol")] {
        let x = row(&r, "rate", a, b);
        assert_eq!(x["shared"], json!(2));
        assert_eq!(x["alpha"], Value::Null);
        assert_eq!(x["exact"], Value::Null);
    }
    let all = row(&r, "rate", "all", "all");
    assert_eq!(
        (&all["shared"], &all["units"], &all["rating_pairs"]),
        (&json!(3), &json!(6), &json!(14))
    );
    close(&all["alpha"], 11.0 / 16.0);
    close(&all["exact"], 4.0 / 14.0);
    close(&all["within_one"], 13.0 / 14.0);
}

#[test]
fn human_report_shows_the_figures_and_says_where_overlap_is_too_small() {
    let (ok, out, err) = agreement(&[&items(), "--labels-dir", &labels()]);
    assert!(ok, "{err}");
    let lines: Vec<&str> = out.lines().map(str::trim_end).collect();
    for expected in [
        "prefer agreement: 3 annotators (alice, bob, carol)",
        "not compared (adjudicators): rev",
        "left out: 1 skipped, 1 retracted, 1 stale, 0 unknown",
        // Pair tasks: raw, kappa.
        "  alice & bob         4  0.75  0.56",
        "  alice & carol       3  0.33  -0.20",
        "  everyone            5  0.56  0.25",
        // Rank tasks: tau-b (items), pairwise (candidate pairs).
        "  alice & bob         3  0.72 (3)        0.78 (9)",
        "  alice & carol       3  0.00 (3)        0.44 (9)",
        "  everyone            4  0.19 (8)        0.54 (24)",
        // Rate tasks: alpha (candidates), exact, within one (rating pairs).
        "  alice & bob         3  0.65 (6)             0.33   0.83 (6)",
        "  everyone            3  0.69 (6)             0.29   0.93 (14)",
    ] {
        assert!(lines.contains(&expected), "missing {expected:?} in:\n{out}");
    }
    // bob & carol: too little overlap in every kind; alice & carol in rate tasks.
    let short = "not enough overlap (2 shared tasks, need 3)";
    let bc: Vec<_> = lines
        .iter()
        .filter(|l| l.trim_start().starts_with("bob & carol"))
        .collect();
    assert_eq!(bc.len(), 3, "{out}");
    assert!(bc.iter().all(|l| l.ends_with(short)), "{out}");
    assert_eq!(lines.iter().filter(|l| l.ends_with(short)).count(), 4);
    assert!(out.contains("at least 3 shared tasks"));
}

#[test]
fn without_the_candidate_file_stale_decisions_count() {
    // Only the logs: carol's stale p4 counts and bob & carol reach 3 shared pair tasks.
    let r = json_of(&["--labels-dir", &labels(), "--json"]);
    assert_eq!(r["with_file"], json!(false));
    assert_eq!(r["left_out"]["stale"], json!(0));
    let bc = row(&r, "pair", "bob", "carol");
    assert_eq!(bc["shared"], json!(3));
    close(&bc["raw"], 2.0 / 3.0);
    close(&bc["kappa"], 0.4);
    let (ok, out, _) = agreement(&["--labels-dir", &labels()]);
    assert!(ok);
    assert!(
        out.contains("stale decisions cannot be told apart"),
        "{out}"
    );
}

#[test]
fn logs_named_on_the_command_line_limit_who_is_compared() {
    let (alice, bob) = (fixture("labels/alice.jsonl"), fixture("labels/bob.jsonl"));
    let r = json_of(&[
        &items(),
        alice.to_str().unwrap(),
        bob.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(r["annotators"], json!(["alice", "bob"]));
    let pairs: Vec<_> = r["pair"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| &x["a"])
        .collect();
    assert_eq!(pairs, [&json!("alice"), &json!("all")]);
    // Everyone is now just alice & bob: raw 3/4 again; the pooled kappa counts each label in
    // both positions: c0 5, c1 2, tie 1 of 8: p_e = (25 + 4 + 1) / 64 = 15/32,
    // kappa = (24/32 - 15/32) / (17/32) = 9/17.
    let all = row(&r, "pair", "all", "all");
    close(&all["raw"], 0.75);
    close(&all["kappa"], 9.0 / 17.0);
}

#[test]
fn bad_input_is_an_error_that_says_what_to_give() {
    let (ok, _, err) = agreement(&[]);
    assert!(!ok);
    assert!(err.contains("give the candidate file"), "{err}");
    let (ok, _, err) = agreement(&[
        fixture("labels/alice.jsonl").to_str().unwrap(),
        "--labels-dir",
        &labels(),
    ]);
    assert!(!ok);
    assert!(err.contains("--labels-dir and LOG files"), "{err}");
}

/// A labeler whose answers on an item went round in a circle (c0 > c1 > c2 > c0) and who, asked
/// the weakest pair once more (`"via": "cycle"`), answered c0 over c2: agreement uses the
/// repaired order (the later answer replaces the earlier), so alice agrees with bob on all
/// three pairs; with the cycle left in she would agree on two.
#[test]
fn agreement_uses_the_order_repaired_by_a_cycle_recheck() {
    let dir = tempfile::tempdir().unwrap();
    let cands = r#"[{"id":"c0","text":"a"},{"id":"c1","text":"b"},{"id":"c2","text":"c"}]"#;
    std::fs::write(
        dir.path().join("set.jsonl"),
        format!("{{\"id\":\"q1\",\"prompt\":\"p\",\"candidates\":{cands}}}\n"),
    )
    .unwrap();
    let labels = dir.path().join("set.labels");
    std::fs::create_dir(&labels).unwrap();
    let line = |who: &str, l: &str, r: &str, c: &str, at: u32, via: &str| {
        format!(
            "{{\"v\":1,\"at\":\"2026-11-28T10:00:0{at}.000Z\",\"annotator\":\"{who}\",\"item\":\"q1\",\"task\":\"pair\",\"pair\":[\"{l}\",\"{r}\"],\"choice\":\"{c}\"{via}}}\n"
        )
    };
    let cycle = [
        line("alice", "c0", "c1", "c0", 1, ""),
        line("alice", "c1", "c2", "c1", 2, ""),
        line("alice", "c0", "c2", "c2", 3, ""),
    ]
    .concat();
    let bob = [
        line("bob", "c0", "c1", "c0", 1, ""),
        line("bob", "c1", "c2", "c1", 2, ""),
        line("bob", "c0", "c2", "c0", 3, ""),
    ]
    .concat();
    std::fs::write(labels.join("bob.jsonl"), &bob).unwrap();
    let raw = |alice: &str| {
        std::fs::write(labels.join("alice.jsonl"), alice).unwrap();
        let r = json_of(&[dir.path().join("set.jsonl").to_str().unwrap(), "--json"]);
        row(&r, "pair", "alice", "bob")["raw"].as_f64().unwrap()
    };
    assert!((raw(&cycle) - 2.0 / 3.0).abs() < 1e-9);
    let repaired = cycle + &line("alice", "c2", "c0", "c0", 4, ",\"via\":\"cycle\"");
    assert!((raw(&repaired) - 1.0).abs() < 1e-9);
}
