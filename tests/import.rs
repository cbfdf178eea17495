//! `prefer import`: every format on small fixtures of our own (always), on the shared real
//! data when it is present, and the CLI's behaviour: errors with FILE:LINE, --skip-invalid,
//! --force, and files that always validate.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use prefer::format::{self, Dataset};
use prefer::import::{self, ImportArgs, SourceFormat};
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

fn shared_data() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    p.is_dir().then_some(p)
}

fn prefer(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_prefer"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// Runs `prefer import --from FROM INPUT --out OUT EXTRA...`.
fn import_cli(from: &str, input: &Path, out: &Path, extra: &[&str]) -> Output {
    let (input, out) = (input.to_str().unwrap(), out.to_str().unwrap());
    let mut args = vec!["import", "--from", from, input, "--out", out];
    args.extend_from_slice(extra);
    prefer(&args)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Imports `input` in `from` into a fresh temp dir and loads the result with the real loader.
fn import_ok(input: &Path, from: SourceFormat) -> (import::Summary, Dataset, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let args = ImportArgs {
        from,
        file: input.to_path_buf(),
        out: dir.path().join("out.jsonl"),
        force: false,
        skip_invalid: false,
    };
    let summary = import::import(&args).unwrap_or_else(|e| panic!("{}: {e}", input.display()));
    let d = format::load(&args.out).unwrap_or_else(|e| panic!("output must validate: {e}"));
    assert_eq!(d.items.len(), summary.items);
    (summary, d, dir)
}

fn meta<'a>(v: &'a Option<Value>, key: &str) -> &'a Value {
    v.as_ref()
        .and_then(|m| m.get(key))
        .unwrap_or_else(|| panic!("metadata has {key}: {v:?}"))
}

#[test]
fn hh_fixture() {
    let (s, d, _dir) = import_ok(&fixture("hh.jsonl"), SourceFormat::Hh);
    assert_eq!(s.records, 5);
    assert_eq!(s.items, 3);
    assert_eq!(s.too_few, 1, "chosen == rejected has nothing to compare");
    assert_eq!(s.duplicate_items, 1, "the repeated record");
    let first = &d.items[0];
    assert_eq!(first.prompt.as_deref(), Some("How do I boil an egg?"));
    assert_eq!(
        meta(&first.candidates[0].metadata, "original_label"),
        "chosen"
    );
    let multi = &d.items[1];
    assert_eq!(multi.messages.as_ref().unwrap().len(), 3);
    assert_eq!(multi.candidates[1].text, "", "an empty reply is kept");
    assert!(d.items.iter().all(|i| i.id.starts_with("hh-")));
}

#[test]
fn ids_are_stable_across_runs() {
    let (_, a, _d1) = import_ok(&fixture("hh.jsonl"), SourceFormat::Hh);
    let (_, b, _d2) = import_ok(&fixture("hh.jsonl"), SourceFormat::Auto);
    let ids = |d: &Dataset| d.items.iter().map(|i| i.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&a), ids(&b));
}

#[test]
fn arena_fixture() {
    let (s, d, _dir) = import_ok(&fixture("arena.jsonl"), SourceFormat::Arena);
    assert_eq!(s.items, 3);
    let c = &d.items[0].candidates;
    assert_eq!(meta(&c[0].metadata, "model"), "vicuna-13b");
    assert_eq!(meta(&c[0].metadata, "original_label"), "chosen");
    assert_eq!(meta(&c[1].metadata, "original_label"), "rejected");
    assert_eq!(meta(&d.items[0].metadata, "question_id"), "q1");
    // A two-turn battle: each side saw its own first answer, so each candidate keeps its
    // conversation and the item keeps the shared first user turn.
    let two = &d.items[1];
    assert_eq!(two.messages.as_ref().unwrap().len(), 1);
    assert_eq!(two.candidates[0].messages.as_ref().unwrap().len(), 4);
    assert_eq!(two.candidates[1].text, "Yellow");
    assert_eq!(
        meta(&two.candidates[1].metadata, "original_label"),
        "tie (bothbad)"
    );
    assert_eq!(
        meta(&d.items[2].candidates[1].metadata, "original_label"),
        "chosen"
    );
}

#[test]
fn ultrafeedback_fixture() {
    let (s, d, _dir) = import_ok(&fixture("ultrafeedback.jsonl"), SourceFormat::Ultrafeedback);
    assert_eq!(s.items, 2);
    assert_eq!(s.duplicate_candidates, 1, "two models gave the same text");
    let c = &d.items[0].candidates;
    assert_eq!(c.len(), 2);
    assert_eq!(meta(&c[0].metadata, "model"), "gpt-4");
    assert_eq!(meta(&c[0].metadata, "ratings")["helpfulness"], 5);
    assert!(meta(&c[1].metadata, "ratings")["honesty"].is_null());
    assert_eq!(meta(&c[0].metadata, "overall_score"), 8.5);
}

#[test]
fn sharegpt_fixture_as_json_array() {
    let (s, d, _dir) = import_ok(&fixture("sharegpt.json"), SourceFormat::Sharegpt);
    assert_eq!(s.items, 2);
    let second = &d.items[1];
    let m = second.messages.as_ref().unwrap();
    assert_eq!(m[0].role, "system");
    assert_eq!(m.last().unwrap().content, "Translate 'cat' to German");
    assert_eq!(second.candidates[0].text, "Katze");
    // The array's records start on their own lines: line numbers point into the file.
    assert_eq!(second.metadata.as_ref().unwrap()["source_line"], 18);
}

#[test]
fn oasst_fixture() {
    let (s, d, _dir) = import_ok(&fixture("oasst.jsonl"), SourceFormat::Oasst);
    assert_eq!(s.records, 2);
    assert_eq!(
        s.items, 2,
        "the root set and the follow-up set; t2 has one reply"
    );
    assert_eq!(d.items[0].id, "oasst-t1");
    assert_eq!(
        d.items[0].candidates.len(),
        2,
        "the deleted reply is left out"
    );
    assert_eq!(meta(&d.items[0].candidates[1].metadata, "rank"), 0);
    let follow = &d.items[1];
    assert_eq!(follow.messages.as_ref().unwrap().len(), 3);
    assert_eq!(follow.prompt.as_deref(), Some("Is 1 prime?"));
}

#[test]
fn trl_fixtures() {
    let (_, d, _dir) = import_ok(&fixture("trl_standard.jsonl"), SourceFormat::Trl);
    assert_eq!(d.items.len(), 2);
    assert_eq!(d.items[0].prompt.as_deref(), Some("The sky is"));
    assert_eq!(meta(&d.items[0].metadata, "margin"), 1.0);
    assert_eq!(
        d.items[1].prompt.as_deref(),
        Some("The capital of France is")
    );
    assert_eq!(d.items[1].candidates[1].text, " Berlin.");

    let (_, d, _dir) = import_ok(&fixture("trl_conversational.jsonl"), SourceFormat::Trl);
    assert_eq!(d.items.len(), 3);
    let scored = &d.items[2];
    assert_eq!(
        scored.messages.as_ref().unwrap().len(),
        1,
        "prompt not repeated"
    );
    assert_eq!(meta(&scored.candidates[0].metadata, "original_score"), 8.0);
    assert_eq!(meta(&scored.metadata, "prompt_id"), "p9");

    let (s, d, _dir) = import_ok(&fixture("trl_ranking_pairs.jsonl"), SourceFormat::Trl);
    assert_eq!(s.records, 6);
    assert_eq!(
        d.items.len(),
        1,
        "C(4,2) pairs of one prompt become one item"
    );
    let item = &d.items[0];
    assert_eq!(item.candidates.len(), 4);
    assert_eq!(meta(&item.candidates[0].metadata, "original_wins"), 3);
    assert_eq!(meta(&item.candidates[3].metadata, "original_losses"), 3);
    assert_eq!(
        meta(&item.metadata, "original_pairs")
            .as_array()
            .unwrap()
            .len(),
        6
    );
}

#[test]
fn auto_detects_every_fixture() {
    for (file, want) in [
        ("hh.jsonl", "hh"),
        ("arena.jsonl", "arena"),
        ("ultrafeedback.jsonl", "ultrafeedback"),
        ("sharegpt.json", "sharegpt"),
        ("oasst.jsonl", "oasst"),
        ("trl_standard.jsonl", "trl"),
        ("trl_conversational.jsonl", "trl"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("o.jsonl");
        let o = import_cli("auto", &fixture(file), &out, &[]);
        let report = text(&o.stderr);
        assert!(o.status.success(), "{file}: {report}");
        assert!(
            report.contains(&format!("detected format: {want}")),
            "{file}: {report}"
        );
        assert!(report.contains("wrote "), "{report}");
        assert!(o.stdout.is_empty(), "{file}: the report goes to stderr");
        format::load(&out).unwrap();
    }
}

#[test]
fn malformed_record_stops_with_file_line_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o.jsonl");
    let input = fixture("hh_malformed.jsonl");
    let o = import_cli("hh", &input, &out, &[]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(
        err.contains(&format!("{}:2: malformed JSON", input.display())),
        "{err}"
    );
    assert!(err.contains("--skip-invalid"), "says how to go on: {err}");
    assert!(!out.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no temp file left"
    );
}

#[test]
fn skip_invalid_counts_and_shows_the_problems() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o.jsonl");
    let input = fixture("hh_malformed.jsonl");
    let o = import_cli("hh", &input, &out, &["--skip-invalid"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    let p = input.display();
    assert!(err.contains(&format!("{p}:2: malformed JSON")), "{err}");
    assert!(
        err.contains(&format!("{p}:3: is missing (rejected)")),
        "{err}"
    );
    assert!(
        err.contains(&format!("{p}:4: does not start with \"Human:\"")),
        "{err}"
    );
    assert!(err.contains("wrote 2 items"), "{err}");
    assert!(err.contains("3 malformed"), "{err}");
    assert_eq!(format::load(&out).unwrap().items.len(), 2);
}

#[test]
fn wrong_format_names_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o.jsonl");
    let input = fixture("arena.jsonl");
    let o = import_cli("hh", &input, &out, &[]);
    assert!(!o.status.success());
    let err = text(&o.stderr);
    assert!(
        err.contains(&format!("{}:1: is missing (chosen)", input.display())),
        "{err}"
    );
    let input = fixture("arena_malformed.jsonl");
    let o = import_cli("arena", &input, &out, &[]);
    let err = text(&o.stderr);
    assert!(
        err.contains("\"model_c\" is not a verdict (winner) - use model_a, model_b"),
        "{err}"
    );
}

#[test]
fn undetectable_format_lists_the_fields() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o.jsonl");
    let input = fixture("unknown.jsonl");
    let o = import_cli("auto", &input, &out, &[]);
    assert!(!o.status.success());
    let err = text(&o.stderr);
    assert!(err.contains(":1: cannot tell the format"), "{err}");
    assert!(err.contains("(text, label)"), "{err}");
    assert!(err.contains("pass --from"), "{err}");
}

#[test]
fn refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o.jsonl");
    std::fs::write(&out, "keep me\n").unwrap();
    let input = fixture("hh.jsonl");
    let o = import_cli("hh", &input, &out, &[]);
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("already exists - pass --force"));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me\n");
    let o = import_cli("hh", &input, &out, &["--force"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(format::load(&out).unwrap().items.len(), 3);
}

#[test]
fn refuses_to_write_over_its_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("hh.jsonl");
    std::fs::copy(fixture("hh.jsonl"), &input).unwrap();
    let p = input.to_str().unwrap();
    let o = prefer(&["import", "--from", "hh", p, "--out", p, "--force"]);
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("is the input file"));
}

#[test]
fn nothing_to_write_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("same.jsonl");
    std::fs::write(
        &input,
        "{\"chosen\": \"\\n\\nHuman: a\\n\\nAssistant: b\", \"rejected\": \"\\n\\nHuman: a\\n\\nAssistant: b\"}\n",
    )
    .unwrap();
    let out = dir.path().join("o.jsonl");
    let o = import_cli("hh", &input, &out, &[]);
    assert!(!o.status.success());
    assert!(
        text(&o.stderr).contains("1 with fewer than 2 distinct candidates"),
        "{}",
        text(&o.stderr)
    );
    assert!(!out.exists());
}

#[test]
fn shared_raw_and_format_files_import_and_validate() {
    let Some(data) = shared_data() else {
        println!("skipped: shared data absent");
        return;
    };
    let mut seen = 0;
    for sub in ["raw", "formats"] {
        let Ok(entries) = std::fs::read_dir(data.join(sub)) else {
            continue;
        };
        for e in entries {
            let path = e.unwrap().path();
            if path.extension().is_none_or(|x| x != "jsonl") {
                continue;
            }
            let (s, d, _dir) = import_ok(&path, SourceFormat::Auto);
            assert!(s.items > 0, "{}", path.display());
            assert_eq!(s.invalid, 0, "{}", path.display());
            assert!(d.items.iter().all(|i| i.candidates.len() >= 2));
            seen += 1;
        }
    }
    assert!(seen > 0, "shared data has files to import");
}

#[test]
fn shared_hh_and_oasst_match_the_reference_candidate_sets() {
    let Some(data) = shared_data() else {
        println!("skipped: shared data absent");
        return;
    };
    for (raw, reference, key) in [
        (
            "raw/hh_rlhf_harmless_base_test_first200.jsonl",
            "candidates/hh_rlhf_harmless_base_test_first200.candidates.jsonl",
            "hh",
        ),
        (
            "raw/oasst_en_100_tree.jsonl",
            "candidates/oasst_en100_ranked_siblings.jsonl",
            "oasst",
        ),
    ] {
        let (raw, reference) = (data.join(raw), data.join(reference));
        if !raw.exists() || !reference.exists() {
            println!("skipped: {} absent", raw.display());
            continue;
        }
        let (_, mine, _dir) = import_ok(&raw, SourceFormat::Auto);
        let theirs = format::load(&reference).unwrap();
        assert_eq!(mine.items.len(), theirs.items.len(), "{key}");
        // The reference sets are keyed by source line (hh, 0-based) or parent message (oasst).
        let key_of = |i: &prefer::format::Item, mine: bool| -> String {
            let m = i.metadata.as_ref().unwrap();
            match (key, mine) {
                ("hh", true) => (m["source_line"].as_u64().unwrap() - 1).to_string(),
                ("hh", false) => m["line"].to_string(),
                _ => m["parent_message_id"].to_string(),
            }
        };
        let by_key: std::collections::HashMap<String, _> = theirs
            .items
            .iter()
            .map(|i| (key_of(i, false), i.clone()))
            .collect();
        for item in &mine.items {
            let other = &by_key[&key_of(item, true)];
            assert_eq!(item.conversation(), other.conversation(), "{}", item.id);
            let texts = |i: &prefer::format::Item| {
                let mut t: Vec<_> = i.candidates.iter().map(|c| c.text.clone()).collect();
                t.sort();
                t
            };
            assert_eq!(texts(item), texts(other), "{}", item.id);
        }
    }
}

/// `--out /dev/stdout` writes the data to stdout (here a pipe), alone: the report is on stderr,
/// and /dev/stdout is written into, not refused as existing or replaced.
#[test]
fn out_dev_stdout_gives_the_data_alone_on_stdout() {
    let o = import_cli("hh", &fixture("hh.jsonl"), Path::new("/dev/stdout"), &[]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("wrote "), "{}", text(&o.stderr));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.jsonl");
    std::fs::write(&out, &o.stdout).unwrap();
    assert!(!format::load(&out).unwrap().items.is_empty());
}
