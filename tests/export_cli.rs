//! `prefer export` end to end: the real binary on the fixture candidate set and four
//! annotators' logs in tests/fixtures/export/ (alice, bob, carol, and rev the adjudicator).
//!
//! What the fixture logs hold, and so where the expected figures come from:
//! - q1 (pair): alice c1 (strength 3), bob c1 (strength 4), carol c0, rev (adjudicator) c0;
//! - q2 (rank): alice [[c2],[c0,c1]], bob [[c2],[c1],[c0]];
//! - q3 (pair, a conversation): alice c0, bob skipped, carol decided then retracted;
//! - q4 (pair): alice, with an item_hash that is not q4's: stale;
//! - q5 (rate): carol c0=5, c1=3, c2=3;
//! - q6 (pair): bob both_bad.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

mod common;

fn fixture(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/export")
        .join(p)
}

fn export(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_prefer"))
        .arg("export")
        .arg(fixture("items.jsonl"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn with_labels(args: &[&str]) -> Vec<String> {
    let dir = fixture("labels");
    let mut v = vec!["--labels-dir".to_string(), dir.display().to_string()];
    v.extend(args.iter().map(|s| s.to_string()));
    v
}

fn ok(args: &[&str]) -> (Vec<Value>, String) {
    let args = with_labels(args);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out, err) = export(&refs);
    assert_eq!(code, 0, "stderr: {err}");
    let lines = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (lines, err)
}

/// (item, chosen id, rejected id) of every line, from --with-meta columns.
fn ids(lines: &[Value]) -> Vec<(String, String, String)> {
    lines
        .iter()
        .map(|l| {
            (
                l["item"].as_str().unwrap().into(),
                l["chosen_id"].as_str().unwrap().into(),
                l["rejected_id"].as_str().unwrap().into(),
            )
        })
        .collect()
}

fn t(i: &str, c: &str, r: &str) -> (String, String, String) {
    (i.into(), c.into(), r.into())
}

#[test]
fn plain_trl_refuses_a_conversation_and_writes_nothing() {
    let args = with_labels(&[]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out, err) = export(&refs);
    assert_ne!(code, 0);
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("\"q3\"") && err.contains("trl-chat") && err.contains("--flatten"),
        "{err}"
    );
}

#[test]
fn majority_pairs_with_margins_and_the_reasons_for_what_was_left_out() {
    let (lines, err) = ok(&["--flatten", "--with-meta"]);
    // q1: 2 of 3 annotators say c1 (rev adjudicates but does not vote); q2: c2 beats both,
    // c0-c1 splits 1-1 (alice tie, bob c1); q3: alice alone; q5: ratings 5 > 3, 3.
    assert_eq!(
        ids(&lines),
        vec![
            t("q1", "c1", "c0"),
            t("q2", "c2", "c0"),
            t("q2", "c2", "c1"),
            t("q3", "c0", "c1"),
            t("q5", "c0", "c1"),
            t("q5", "c0", "c2"),
        ]
    );
    let margins: Vec<f64> = lines
        .iter()
        .map(|l| l["margin"].as_f64().unwrap())
        .collect();
    // q1: strengths 3 and 4 -> margins 2 and 3, mean 2.5; rankings give 0; q5: 5 - 3 = 2.
    assert_eq!(margins, vec![2.5, 0.0, 0.0, 0.0, 2.0, 2.0]);
    assert_eq!(lines[0]["agreement"].as_f64().unwrap(), 2.0 / 3.0);
    assert_eq!(lines[0]["chosen_model"], json!("m-b"));
    assert_eq!(
        lines[0]["annotators"],
        json!(["alice", "bob", "carol", "rev"])
    );
    assert_eq!(
        lines[0]["prompt"],
        json!("\n\nHuman: Name a prime number.\n\nAssistant:")
    );
    assert_eq!(
        lines[3]["prompt"],
        json!(
            "\n\nHuman: Be brief.\n\nSay hello in French.\n\nAssistant: Bonjour !\n\nHuman: And in German?\n\nAssistant:"
        )
    );
    assert_eq!(lines[3]["chosen"], json!(" Hallo!"));
    assert!(
        err.contains("wrote 6 pairs (trl) from 9 decision(s) by 4 annotator(s)"),
        "{err}"
    );
    assert!(err.contains("1 skipped, 1 retracted, 1 stale"), "{err}");
    assert!(err.contains("1 tie pair(s)"), "{err}");
    assert!(err.contains("1 both-bad pair(s)"), "{err}");
    assert!(
        err.contains("1 pair(s) where the annotators split"),
        "{err}"
    );
}

#[test]
fn trl_chat_keeps_the_conversation_as_messages() {
    let (lines, _) = ok(&["--format", "trl-chat"]);
    assert_eq!(lines.len(), 6);
    let q3 = &lines[3];
    assert_eq!(q3["prompt"].as_array().unwrap().len(), 4);
    assert_eq!(
        q3["prompt"][3],
        json!({"role": "user", "content": "And in German?"})
    );
    assert_eq!(
        q3["chosen"],
        json!([{"role": "assistant", "content": "Hallo!"}])
    );
    assert_eq!(
        q3["rejected"],
        json!([{"role": "assistant", "content": "Ciao!"}])
    );
}

#[test]
fn hh_is_human_assistant_text() {
    let (lines, _) = ok(&["--format", "hh"]);
    assert_eq!(
        lines[0],
        json!({"chosen": "\n\nHuman: Name a prime number.\n\nAssistant: Seven is prime: its only divisors are 1 and 7.",
               "rejected": "\n\nHuman: Name a prime number.\n\nAssistant: 7.",
               "margin": 2.5})
    );
}

#[test]
fn adjudicated_takes_the_adjudicators_word() {
    let (lines, _) = ok(&["--flatten", "--with-meta", "--aggregate", "adjudicated"]);
    assert_eq!(ids(&lines)[0], t("q1", "c0", "c1"));
    // carol alone of the three annotators agrees with rev.
    assert_eq!(lines[0]["agreement"].as_f64().unwrap(), 1.0 / 3.0);
    // Neither rev nor carol gave a strength: no margin to carry.
    assert_eq!(lines[0]["margin"].as_f64().unwrap(), 0.0);
}

#[test]
fn all_gives_every_annotators_pairs_with_their_name() {
    let (lines, _) = ok(&["--flatten", "--aggregate", "all", "--with-meta"]);
    let got: Vec<(String, String, String, String)> = ids(&lines)
        .into_iter()
        .zip(&lines)
        .map(|((i, c, r), l)| (i, c, r, l["annotator"].as_str().unwrap().into()))
        .collect();
    let w = |i: &str, c: &str, r: &str, a: &str| (i.into(), c.into(), r.into(), a.into());
    assert_eq!(
        got,
        vec![
            w("q1", "c1", "c0", "alice"),
            w("q1", "c1", "c0", "bob"),
            w("q1", "c0", "c1", "carol"),
            w("q1", "c0", "c1", "rev"),
            w("q2", "c1", "c0", "bob"),
            w("q2", "c2", "c0", "alice"),
            w("q2", "c2", "c0", "bob"),
            w("q2", "c2", "c1", "alice"),
            w("q2", "c2", "c1", "bob"),
            w("q3", "c0", "c1", "alice"),
            w("q5", "c0", "c1", "carol"),
            w("q5", "c0", "c2", "carol"),
        ]
    );
}

#[test]
fn ties_and_both_bad_come_out_when_asked_for() {
    let (lines, _) = ok(&[
        "--flatten",
        "--with-meta",
        "--ties",
        "keep",
        "--both-bad",
        "keep",
    ]);
    let flagged: Vec<_> = lines
        .iter()
        .filter(|l| l["tie"] == json!(true))
        .map(|l| {
            (
                l["item"].as_str().unwrap(),
                l["both_bad"].as_bool().unwrap(),
                l["margin"].as_f64().unwrap(),
            )
        })
        .collect();
    // q5: c1 and c2 both rated 3; q6: bob's both_bad. q2's c0-c1 still has no majority.
    assert_eq!(flagged, vec![("q5", false, 0.0), ("q6", true, 0.0)]);
    assert_eq!(lines.len(), 8);
    assert!(
        lines
            .iter()
            .all(|l| l["tie"].is_boolean() && l["both_bad"].is_boolean())
    );
    // Either alone: a both-bad pair is a tie too, so both bring the "tie" column; only
    // --both-bad brings "both_bad".
    for (flag, items, both_bad_column) in [("--both-bad", ["q6"], true), ("--ties", ["q5"], false)]
    {
        let (lines, _) = ok(&["--flatten", "--with-meta", flag, "keep"]);
        let tied: Vec<&str> = lines
            .iter()
            .filter(|l| l["tie"] == json!(true))
            .map(|l| l["item"].as_str().unwrap())
            .collect();
        assert_eq!(tied, items, "{flag}");
        assert_eq!(lines.len(), 7, "{flag}");
        for l in &lines {
            assert!(l["tie"].is_boolean(), "{flag}: {l}");
            assert_eq!(l.get("both_bad").is_some(), both_bad_column, "{flag}: {l}");
        }
    }
}

#[test]
fn margin_map_and_min_gap_change_margins_and_rating_pairs() {
    // Strength 3 -> 1.0 and 4 -> 1.0: mean 1.0. With --min-gap 3, q5's gap of 2 is a tie.
    let (lines, _) = ok(&[
        "--flatten",
        "--with-meta",
        "--margin-map",
        "0, 0.5,1,1",
        "--min-gap",
        "3",
    ]);
    assert_eq!(lines[0]["margin"].as_f64().unwrap(), 1.0);
    assert!(lines.iter().all(|l| l["item"] != json!("q5")));
    let args = with_labels(&["--margin-map", "1,2"]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, _, err) = export(&refs);
    assert_eq!(code, 2);
    assert!(err.contains("expected 4 comma-separated numbers"), "{err}");
}

#[test]
fn named_logs_instead_of_the_folder() {
    let (code, out, err) = export(&[
        "--flatten",
        fixture("labels/bob.jsonl").to_str().unwrap(),
        fixture("labels/alice.jsonl").to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let first: Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(first["margin"].as_f64().unwrap(), 2.5);
    assert!(err.contains("by 2 annotator(s)"), "{err}");
}

#[test]
fn output_is_deterministic_whatever_the_order_of_the_logs() {
    let logs = ["alice", "bob", "carol", "rev"].map(|n| fixture(&format!("labels/{n}.jsonl")));
    let run = |order: &[usize]| {
        let mut args = vec![
            "--format".to_string(),
            "trl-chat".into(),
            "--aggregate".into(),
            "all".into(),
        ];
        args.extend(order.iter().map(|&i| logs[i].display().to_string()));
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        export(&refs).1
    };
    let a = run(&[0, 1, 2, 3]);
    assert!(!a.is_empty());
    assert_eq!(a, run(&[3, 2, 1, 0]));
    assert_eq!(a, run(&[0, 1, 2, 3]));
}

#[test]
fn out_writes_the_file_whole_and_leaves_no_temporary_behind() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pairs.jsonl");
    std::fs::write(&path, "old content\n").unwrap();
    let args = with_labels(&["--format", "trl-chat", "--out", path.to_str().unwrap()]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out, err) = export(&refs);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty());
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 6);
    assert!(!text.contains("old content"));
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    assert!(err.contains(&format!("to {}", path.display())), "{err}");
}

#[test]
fn editing_an_item_makes_its_labels_stale() {
    let dir = tempfile::tempdir().unwrap();
    let items = std::fs::read_to_string(fixture("items.jsonl")).unwrap();
    let edited = items.replace("Seven is prime", "Seven is a prime");
    assert_ne!(items, edited);
    let file = dir.path().join("items.jsonl");
    std::fs::write(&file, edited).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_prefer"))
        .args([
            "export",
            file.to_str().unwrap(),
            "--flatten",
            "--labels-dir",
        ])
        .arg(fixture("labels"))
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{err}");
    // q1's four decisions and q4's one.
    assert!(err.contains("5 stale"), "{err}");
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 5);
}

#[test]
fn rankings_and_ratings_lines_per_item() {
    let (lines, _) = ok(&["--format", "rankings"]);
    let items: Vec<&str> = lines.iter().map(|l| l["item"].as_str().unwrap()).collect();
    assert_eq!(items, ["q1", "q2", "q3", "q5", "q6"]);
    assert_eq!(lines[1]["ranking"], json!([["c2"], ["c0", "c1"]]));
    assert_eq!(lines[1]["decisions"].as_array().unwrap().len(), 2);
    // q5 by ratings: c0 beats both, c1 = c2.
    assert_eq!(lines[3]["ranking"], json!([["c0"], ["c1", "c2"]]));
    let (lines, _) = ok(&["--format", "ratings"]);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["candidates"][0]["mean"], json!(5.0));
    assert_eq!(
        lines[0]["candidates"][1]["ratings"],
        json!([{"annotator": "carol", "rating": 3, "scale": 5}])
    );
}

#[test]
fn a_consensus_ranking_keeps_ties_as_a_tier_and_says_what_it_wrote() {
    let (lines, err) = ok(&["--format", "rankings"]);
    // q6: bob found both bad; that is one tier, not an empty ranking.
    assert_eq!(lines[4]["item"], "q6");
    assert_eq!(lines[4]["ranking"], json!([["c0", "c1"]]));
    assert!(lines.iter().all(|l| l["ranking"] != json!([])), "{lines:?}");
    assert!(err.contains("wrote 5 item lines (rankings)"), "{err}");
    assert!(!err.contains("tie pair"), "ties are not left out: {err}");
}

#[test]
fn ratings_say_what_they_leave_out_and_no_pairs() {
    let (lines, err) = ok(&["--format", "ratings"]);
    assert_eq!(lines.len(), 1);
    assert!(
        !err.contains("left out pairs"),
        "ratings form no pairs: {err}"
    );
    // Of the 9 standing decisions, carol's on q5 alone is a rating.
    assert!(
        err.contains("left out decisions: 1 skipped, 1 retracted, 1 stale (the item changed since it was labeled; label it again), 8 not ratings"),
        "{err}"
    );
}

#[test]
fn an_export_that_writes_nothing_says_why_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let labels = dir.path().join("labels");
    std::fs::create_dir(&labels).unwrap();
    std::fs::copy(fixture("labels/bob.jsonl"), labels.join("bob.jsonl")).unwrap();
    let out_file = dir.path().join("out.jsonl");
    std::fs::write(&out_file, "keep me\n").unwrap();
    let (code, out, err) = export(&[
        "--labels-dir",
        labels.to_str().unwrap(),
        "--format",
        "ratings",
        "--out",
        out_file.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty());
    assert!(err.contains("wrote nothing"), "{err}");
    assert!(
        err.contains("2 pair, 1 rank and 0 rate decision(s)"),
        "{err}"
    );
    assert!(err.contains("--format rankings"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&out_file).unwrap(),
        "keep me\n",
        "an old output is not replaced by an empty one"
    );
    assert!(err.contains("as it was"), "{err}");
    // Where there was no old output, none is made, and nothing claims one was kept.
    let new_file = dir.path().join("new.jsonl");
    let (code, _, err) = export(&[
        "--labels-dir",
        labels.to_str().unwrap(),
        "--format",
        "ratings",
        "--out",
        new_file.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(!new_file.exists());
    assert!(err.contains("(no ") && !err.contains("as it was"), "{err}");
}

#[test]
fn a_missing_labels_folder_says_what_to_do() {
    let (code, _, err) = export(&["--labels-dir", "/nonexistent/labels"]);
    assert_ne!(code, 0);
    assert!(
        err.contains("no labels folder at /nonexistent/labels"),
        "{err}"
    );
}

#[test]
fn dawid_skene_gives_each_pair_a_confidence_and_says_what_it_fitted() {
    let (lines, err) = ok(&["--flatten", "--with-meta", "--aggregate", "dawid-skene"]);
    assert!(!lines.is_empty());
    for l in &lines {
        let c = l["confidence"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&c), "{l}");
    }
    // q1: alice and bob say c1, carol c0 (rev adjudicates: not in the fit). Most of the crowd
    // agrees elsewhere, so c1 stays the more probable.
    assert_eq!(ids(&lines)[0], t("q1", "c1", "c0"));
    assert!(err.contains("dawid-skene: fitted accuracy"), "{err}");
    assert!(err.contains("alice ") && err.contains("bob "), "{err}");
    // A bar no pair reaches leaves them all out, and says so.
    let args = with_labels(&[
        "--flatten",
        "--aggregate",
        "dawid-skene",
        "--min-confidence",
        "1",
    ]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, _, err) = export(&refs);
    assert_ne!(code, 0, "{err}");
    assert!(err.contains("less probable than --min-confidence"), "{err}");
}

#[test]
fn min_confidence_needs_dawid_skene_and_a_probability() {
    for (args, says) in [
        (
            vec!["--flatten", "--min-confidence", "0.5"],
            "needs --aggregate dawid-skene",
        ),
        (
            vec![
                "--flatten",
                "--aggregate",
                "dawid-skene",
                "--min-confidence",
                "2",
            ],
            "not a probability",
        ),
    ] {
        let args = with_labels(&args);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, out, err) = export(&refs);
        assert_ne!(code, 0);
        assert!(out.is_empty());
        assert!(err.contains(says), "{err}");
    }
}

#[test]
fn an_excluded_annotator_leaves_no_vote_and_is_counted() {
    let (lines, err) = ok(&["--flatten", "--with-meta", "--exclude-annotator", "carol"]);
    // Without carol: q1 is alice's and bob's c1, q5 (only carol rated it) is gone.
    assert_eq!(
        ids(&lines),
        vec![
            t("q1", "c1", "c0"),
            t("q2", "c2", "c0"),
            t("q2", "c2", "c1"),
            t("q3", "c0", "c1"),
        ]
    );
    assert_eq!(lines[0]["agreement"].as_f64().unwrap(), 1.0);
    assert!(lines.iter().all(|l| {
        !l["annotators"]
            .as_array()
            .unwrap()
            .contains(&json!("carol"))
    }));
    assert!(err.contains("2 by carol (--exclude-annotator)"), "{err}");
    // A name no log has is refused, with the names there are.
    let args = with_labels(&["--flatten", "--exclude-annotator", "zed"]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out, err) = export(&refs);
    assert_ne!(code, 0);
    assert!(out.is_empty());
    assert!(
        err.contains("\"zed\"") && err.contains("alice, bob, carol"),
        "{err}"
    );
}

/// (item, completion id, label) of every kto line, from --with-meta columns.
fn kto_rows(lines: &[Value]) -> Vec<(String, String, bool)> {
    lines
        .iter()
        .map(|l| {
            (
                l["item"].as_str().unwrap().into(),
                l["completion_id"].as_str().unwrap().into(),
                l["label"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[test]
fn kto_labels_each_answer_once_and_reports_contradictions() {
    let k = |i: &str, c: &str, l: bool| (i.to_string(), c.to_string(), l);
    // Majority: q1 c1 over c0; q2 c2 over both (c0-c1 split); q3 c0 over c1; q5 c0 over both.
    let (lines, err) = ok(&["--format", "kto", "--with-meta"]);
    assert_eq!(
        kto_rows(&lines),
        vec![
            k("q1", "c1", true),
            k("q1", "c0", false),
            k("q2", "c2", true),
            k("q2", "c0", false),
            k("q2", "c1", false),
            k("q3", "c0", true),
            k("q3", "c1", false),
            k("q5", "c0", true),
            k("q5", "c1", false),
            k("q5", "c2", false),
        ]
    );
    // TRL's columns, in its conversational form (q3 is a conversation): the prompt ends with
    // the user's turn, the completion is the answer.
    for l in &lines {
        let prompt = l["prompt"].as_array().unwrap();
        assert_eq!(prompt.last().unwrap()["role"], json!("user"), "{l}");
        assert_eq!(l["completion"][0]["role"], json!("assistant"), "{l}");
        assert!(l["label"].is_boolean());
    }
    assert_eq!(
        lines[5]["prompt"][0],
        json!({"role": "system", "content": "Be brief."})
    );
    assert!(err.contains("wrote 10 rows (kto)"), "{err}");
    assert!(err.contains("2 label(s) repeated"), "{err}");
    assert!(!err.contains("both chosen and rejected"), "{err}");

    // Every annotator's pairs: on q1 alice and bob chose c1, carol c0 (and the adjudicator):
    // both answers were chosen and rejected, so neither is written, and the summary says so.
    let (lines, err) = ok(&["--format", "kto", "--with-meta", "--aggregate", "all"]);
    assert!(kto_rows(&lines).iter().all(|r| r.0 != "q1"), "{lines:?}");
    assert!(
        err.contains("left out answers: 3 both chosen and rejected"),
        "{err}"
    );

    // Text when asked to flatten: the plain item is as it is, the conversation as HH text.
    let (lines, _) = ok(&["--format", "kto", "--flatten"]);
    assert_eq!(lines[0]["prompt"], json!("Name a prime number."));
    assert_eq!(lines[5]["completion"], json!(" Hallo!"));
}

#[test]
fn kto_threshold_labels_rated_answers_by_their_mean() {
    let k = |i: &str, c: &str, l: bool| (i.to_string(), c.to_string(), l);
    // carol rated q5 c0=5, c1=3, c2=3: with a threshold of 3, all three are desirable.
    let (lines, err) = ok(&["--format", "kto", "--with-meta", "--kto-threshold", "3"]);
    let q5: Vec<_> = kto_rows(&lines)
        .into_iter()
        .filter(|r| r.0 == "q5")
        .collect();
    assert_eq!(
        q5,
        vec![
            k("q5", "c0", true),
            k("q5", "c1", true),
            k("q5", "c2", true)
        ]
    );
    assert!(err.contains("wrote 10 rows (kto)"), "{err}");
    // Only for kto.
    let args = with_labels(&["--format", "trl-chat", "--kto-threshold", "3"]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out, err) = export(&refs);
    assert_ne!(code, 0);
    assert!(out.is_empty());
    assert!(
        err.contains("--format kto and llamafactory-kto only"),
        "{err}"
    );
}

#[test]
fn llamafactory_rows_and_their_dataset_info_entry_beside_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let info = dir.path().join("dataset_info.json");
    std::fs::write(
        &info,
        r#"{"alpaca_en_demo": {"file_name": "alpaca_en_demo.json"}}"#,
    )
    .unwrap();
    let out = dir.path().join("prefs.jsonl");
    let out_s = out.display().to_string();
    let (_, err) = ok(&["--format", "llamafactory", "--out", &out_s]);
    assert!(err.contains("wrote 6 pairs (llamafactory)"), "{err}");
    assert!(err.contains("dataset name \"prefs\""), "{err}");
    let lines: Vec<Value> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // q3: the system message first, then human and gpt taking turns, ending with the human.
    assert_eq!(
        lines[3],
        json!({
            "conversations": [
                {"from": "system", "value": "Be brief."},
                {"from": "human", "value": "Say hello in French."},
                {"from": "gpt", "value": "Bonjour !"},
                {"from": "human", "value": "And in German?"}
            ],
            "chosen": {"from": "gpt", "value": "Hallo!"},
            "rejected": {"from": "gpt", "value": "Ciao!"}
        })
    );
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&info).unwrap()).unwrap();
    assert_eq!(
        v["alpaca_en_demo"]["file_name"],
        json!("alpaca_en_demo.json")
    );
    assert_eq!(v["prefs"]["file_name"], json!("prefs.jsonl"));
    assert_eq!(v["prefs"]["ranking"], json!(true));
    assert_eq!(
        v["prefs"]["columns"],
        json!({"messages": "conversations", "chosen": "chosen", "rejected": "rejected"})
    );

    // The KTO form: the answer closes the conversation, its label in kto_tag.
    let kto = dir.path().join("kto.jsonl");
    let kto_s = kto.display().to_string();
    ok(&["--format", "llamafactory-kto", "--out", &kto_s]);
    let first: Value = serde_json::from_str(
        std::fs::read_to_string(&kto)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(first["kto_tag"], json!(true));
    assert_eq!(first["conversations"][1]["from"], json!("gpt"));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&info).unwrap()).unwrap();
    assert_eq!(v.as_object().unwrap().len(), 3);
    assert_eq!(v["kto"]["columns"]["kto_tag"], json!("kto_tag"));

    // A dataset_info.json that is not JSON is refused before anything is written.
    std::fs::write(&info, "{ broken").unwrap();
    let again = dir.path().join("again.jsonl");
    let args = with_labels(&[
        "--format",
        "llamafactory",
        "--out",
        &again.display().to_string(),
    ]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, _, err) = export(&refs);
    assert_ne!(code, 0);
    assert!(
        err.contains("dataset_info.json") && err.contains("left as it was"),
        "{err}"
    );
    assert!(!again.exists());
    assert_eq!(std::fs::read_to_string(&info).unwrap(), "{ broken");
}

#[test]
fn h4_rows_have_whole_conversations_and_scores_from_ratings_or_ranking() {
    let (lines, err) = ok(&["--format", "h4"]);
    assert_eq!(lines.len(), 6);
    let keys: Vec<&String> = lines[0].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "prompt",
            "prompt_id",
            "chosen",
            "rejected",
            "messages",
            "score_chosen",
            "score_rejected"
        ]
    );
    // sha256("Name a prime number.")
    assert_eq!(
        lines[0]["prompt_id"],
        json!("9b0214cd50f9e02ed4ca213ad418a9eee6059353b69bf033f8eaa644c4bc3915")
    );
    assert_eq!(
        lines[0]["chosen"],
        json!([
            {"role": "user", "content": "Name a prime number."},
            {"role": "assistant", "content": "Seven is prime: its only divisors are 1 and 7."}
        ])
    );
    assert_eq!(lines[0]["messages"], lines[0]["chosen"]);
    // q1 is one pair: 2 tiers. q2: c2 beats both, c0-c1 split, so [[c2], [c0, c1]].
    let scores = |l: &Value| (l["score_chosen"].as_f64(), l["score_rejected"].as_f64());
    assert_eq!(scores(&lines[0]), (Some(2.0), Some(1.0)));
    assert_eq!(scores(&lines[1]), (Some(2.0), Some(1.0)));
    // q3 keeps its conversation, system message first; its prompt is the last user turn.
    assert_eq!(lines[3]["prompt"], json!("And in German?"));
    assert_eq!(lines[3]["chosen"][0]["role"], json!("system"));
    // q5 was rated: c0 = 5 over c1 = 3 and c2 = 3.
    assert_eq!(scores(&lines[4]), (Some(5.0), Some(3.0)));
    assert!(
        err.contains("scores: 2 pair(s) from mean ratings, 4 from the consensus ranking"),
        "{err}"
    );
}

#[test]
fn parquet_by_flag_or_by_file_name() {
    let dir = tempfile::tempdir().unwrap();
    // With --card the rows are made in memory for the card too: still Parquet in the file.
    for (file, flags) in [
        ("a.parquet", &[][..]),
        ("b.bin", &["--parquet"][..]),
        ("c.parquet", &["--card"][..]),
    ] {
        let out = dir.path().join(file);
        let out_s = out.display().to_string();
        let mut args = vec!["--format", "trl-chat", "--out", &out_s];
        args.extend(flags);
        let (_, err) = ok(&args);
        assert!(err.contains("wrote 6 pairs (trl-chat)"), "{err}");
        let bytes = std::fs::read(&out).unwrap();
        assert!(
            bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1"),
            "{file}"
        );
    }
}

#[test]
fn the_dataset_card_takes_its_figures_from_prefer_stats() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("prefs.jsonl");
    let out_s = out.display().to_string();
    let (_, err) = ok(&["--format", "trl-chat", "--card", "--out", &out_s]);
    assert!(err.contains("wrote the dataset card"), "{err}");
    let card = std::fs::read_to_string(dir.path().join("README.md")).unwrap();
    let stats = Command::new(env!("CARGO_BIN_EXE_prefer"))
        .arg("stats")
        .arg(fixture("items.jsonl"))
        .arg("--labels-dir")
        .arg(fixture("labels"))
        .arg("--json")
        .output()
        .unwrap();
    let s: Value = serde_json::from_slice(&stats.stdout).unwrap();
    // The front matter: the file, its columns, its size.
    let (front, body) = card
        .strip_prefix("---\n")
        .and_then(|c| c.split_once("\n---\n"))
        .unwrap();
    assert!(front.contains("    path: \"prefs.jsonl\""), "{front}");
    assert!(front.contains("    num_examples: 6"), "{front}");
    assert!(
        front.contains("- name: \"margin\"\n    dtype: float64"),
        "{front}"
    );
    assert!(front.contains("size_categories:\n- n<1K"), "{front}");
    // The body: every figure as `prefer stats --json` has it.
    let has = |text: String| assert!(body.contains(&text), "no \"{text}\" in:\n{body}");
    has(format!(
        "- {} standing decision(s) by {} annotator(s).",
        s["decisions"],
        s["annotators"].as_array().unwrap().len()
    ));
    for a in s["annotators"].as_array().unwrap() {
        has(format!(
            ": {} decision(s), {} skipped, {} retracted, {} stale",
            a["decisions"], a["skips"], a["retracted"], a["stale"]
        ));
    }
    for (k, n) in s["tasks_by_annotators"].as_object().unwrap() {
        has(format!("| {k} | {n} |"));
    }
    let len = &s["length"];
    has(format!(
        "- longer answer wins: {} of {} ({:.1}%), binomial p = {:.3}",
        len["wins"],
        len["n"],
        len["rate"].as_f64().unwrap() * 100.0,
        len["p_value"].as_f64().unwrap()
    ));
    let left = &s["position"]["pair_left_wins"];
    has(format!(
        "- left answer wins (pairs): {} of {}",
        left["wins"], left["n"]
    ));
    let all = s["agreement"]["pair"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["a"] == "all")
        .unwrap();
    has(format!(
        "- pairs, everyone: {} shared, not enough overlap",
        all["shared"]
    ));
    has("`--aggregate majority`".into());
    // What was left out, as the export said it, naming the file but not where it was.
    has("1 tie pair(s) (--ties keep to keep them)".into());
    has("wrote 6 pairs (trl-chat) from 9 decision(s) by 4 annotator(s) to prefs.jsonl\n".into());
    assert!(!body.contains(&out_s), "{body}");

    // A card goes beside a file.
    let args = with_labels(&["--format", "trl-chat", "--card"]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, _, err) = export(&refs);
    assert_ne!(code, 0);
    assert!(err.contains("--out"), "{err}");
}

/// `--aggregate consensus` orders items by Tideman's ranked pairs: on q2 alice and bob agree
/// that c2 is best and split on c0 against c1, which then share a place. Pair formats write that
/// order as pairs (c2 over c0, c2 over c1; none between the two that share a place); ratings
/// refuse it.
#[test]
fn consensus_ranks_by_ranked_pairs_and_pair_formats_write_its_pairs() {
    let (lines, _) = ok(&["--format", "rankings", "--aggregate", "consensus"]);
    assert_eq!(lines[1]["item"], "q2");
    assert_eq!(lines[1]["ranking"], json!([["c2"], ["c0", "c1"]]));
    assert_eq!(lines[4]["ranking"], json!([["c0", "c1"]]));
    let (pairs, err) = ok(&[
        "--format",
        "trl-chat",
        "--aggregate",
        "consensus",
        "--with-meta",
    ]);
    assert!(err.contains("wrote"), "{err}");
    let q2: Vec<_> = ids(&pairs).into_iter().filter(|p| p.0 == "q2").collect();
    assert_eq!(q2, [t("q2", "c2", "c0"), t("q2", "c2", "c1")]);
    // Every pair of the output follows its item's consensus order: none goes against it.
    let (rankings, _) = ok(&["--format", "rankings", "--aggregate", "consensus"]);
    for (item, chosen, rejected) in ids(&pairs) {
        let row = rankings
            .iter()
            .find(|r| r["item"] == item.as_str())
            .unwrap();
        let tier = |id: &str| {
            row["ranking"]
                .as_array()
                .unwrap()
                .iter()
                .position(|t| t.as_array().unwrap().iter().any(|x| x == id))
                .unwrap()
        };
        assert!(
            tier(&chosen) < tier(&rejected),
            "{item}: {chosen} over {rejected}"
        );
    }
    let args = with_labels(&["--format", "ratings", "--aggregate", "consensus"]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, _, err) = export(&refs);
    assert_ne!(code, 0);
    assert!(
        err.contains("for --format rankings and the pair formats"),
        "{err}"
    );
}

/// Without --out, llamafactory says what dataset_info.json needs and where it would go.
#[test]
fn llamafactory_to_stdout_shows_the_dataset_info_entry_to_add() {
    for (format, kto) in [("llamafactory", false), ("llamafactory-kto", true)] {
        let (_, err) = ok(&["--format", format]);
        assert!(
            err.contains(
                "prefer export: note: LLaMA-Factory finds data through dataset_info.json; with --out FILE this entry is written beside FILE:\n{\n  \"file_name\": \"FILE\","
            ),
            "{format}: {err}"
        );
        assert_eq!(err.contains("\"kto_tag\""), kto, "{format}: {err}");
    }
}

/// A Condorcet cycle on one item: 3 annotators rank c0 > c1 > c2, 2 rank c1 > c2 > c0 and 2
/// rank c2 > c0 > c1. The majorities go round (c0 over c1 5-2, c1 over c2 5-2, c2 over c0
/// 4-3), so by wins and losses the three share one place; ranked pairs lock the two 5-2
/// majorities first and skip the 4-3 that would close the cycle: c0 > c1 > c2.
#[test]
fn a_cycle_is_one_tier_by_majority_and_an_order_by_consensus() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("set.jsonl"),
        r#"{"id":"q1","prompt":"Pick one.","candidates":[{"id":"c0","text":"A"},{"id":"c1","text":"B"},{"id":"c2","text":"C"}]}"#
            .to_string()
            + "\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("set.labels")).unwrap();
    let orders = [
        ["c0", "c1", "c2"],
        ["c0", "c1", "c2"],
        ["c0", "c1", "c2"],
        ["c1", "c2", "c0"],
        ["c1", "c2", "c0"],
        ["c2", "c0", "c1"],
        ["c2", "c0", "c1"],
    ];
    for (i, [a, b, c]) in orders.iter().enumerate() {
        let line = format!(
            r#"{{"v":1,"at":"2026-11-27T10:0{i}:00.000Z","annotator":"a{i}","item":"q1","task":"rank","shown":["c0","c1","c2"],"ranking":[["{a}"],["{b}"],["{c}"]]}}"#
        );
        std::fs::write(
            dir.path().join(format!("set.labels/a{i}.jsonl")),
            line + "\n",
        )
        .unwrap();
    }
    let ranking = |aggregate: &str| {
        let args = [
            "export",
            "set.jsonl",
            "--format",
            "rankings",
            "--aggregate",
            aggregate,
        ];
        common::json_of(dir.path(), &args)["ranking"].clone()
    };
    assert_eq!(ranking("majority"), json!([["c0", "c1", "c2"]]));
    assert_eq!(ranking("consensus"), json!([["c0"], ["c1"], ["c2"]]));
}

/// Rows LLaMA-Factory would skip (here a conversation whose user speaks twice in a row) are
/// left out, and the summary counts them under their own words.
#[test]
fn llamafactory_counts_the_rows_it_leaves_out() {
    let dir = tempfile::tempdir().unwrap();
    let items = [
        r#"{"id":"twice","prompt":"Are you there?","messages":[{"role":"user","content":"Hello?"},{"role":"user","content":"Are you there?"}],"candidates":[{"id":"c0","text":"Yes."},{"id":"c1","text":"No."}]}"#,
        r#"{"id":"once","prompt":"Hello?","candidates":[{"id":"c0","text":"Hi."},{"id":"c1","text":"Go away."}]}"#,
    ];
    std::fs::write(dir.path().join("set.jsonl"), items.join("\n") + "\n").unwrap();
    std::fs::create_dir(dir.path().join("set.labels")).unwrap();
    let log: String = ["twice", "once"]
        .iter()
        .enumerate()
        .map(|(i, item)| {
            format!(
                r#"{{"v":1,"at":"2026-11-27T10:0{i}:00.000Z","annotator":"alice","item":"{item}","task":"pair","pair":["c0","c1"],"choice":"c0"}}"#
            ) + "\n"
        })
        .collect();
    std::fs::write(dir.path().join("set.labels/alice.jsonl"), log).unwrap();
    for (format, wrote, left) in [
        ("llamafactory", "wrote 1 pairs", 1),
        ("llamafactory-kto", "wrote 2 rows", 2),
    ] {
        let (_, err) = common::ok_in(dir.path(), &["export", "set.jsonl", "--format", format]);
        assert!(err.contains(wrote), "{format}: {err}");
        assert!(
            err.contains(&format!(
                "left out rows: {left} whose conversation LLaMA-Factory would skip"
            )),
            "{format}: {err}"
        );
        assert!(!err.contains("more than one scale"), "{format}: {err}");
    }
}
