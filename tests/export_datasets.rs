//! The real-trainer check: every export format, loaded by Hugging Face `datasets` exactly as a
//! training script would (`load_dataset("json", data_files=...)`), and checked against what
//! TRL's reward and DPO trainers read (tests/python/check_trl.py).
//!
//! Python comes from `PREFER_PYTHON` (scripts/test points it at a virtual environment with
//! `datasets`), else `python3`. The check runs wherever Python is: a Python without `datasets`
//! is a failure that says how to get it, not a skip. Only a machine with no `python3` at all
//! skips (with a note), and not in CI (`CI=true`), where a missing Python is a failure too.

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/export")
        .join(p)
}

/// The Python to use, or `None` (with a note printed) when there is no Python to run here.
fn python() -> Option<String> {
    let explicit = std::env::var("PREFER_PYTHON")
        .ok()
        .filter(|s| !s.is_empty());
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    let py = explicit.clone().unwrap_or_else(|| "python3".into());
    let how = "run ./scripts/test (it installs `datasets` in a virtual environment), or pip install 'datasets>=2.14' and set PREFER_PYTHON";
    match Command::new(&py).args(["-c", "import datasets"]).output() {
        Err(e) => {
            assert!(
                explicit.is_none() && !ci,
                "{py} cannot be run ({e}): the trainer-format check needs Python with `datasets`; {how}"
            );
            eprintln!("note: skipping the datasets check: no {py} on this machine ({e})");
            None
        }
        Ok(o) if !o.status.success() => panic!(
            "{py} has no `datasets` module, so the trainer-format check cannot run: {how}\n{}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Ok(_) => Some(py),
    }
}

fn export_to(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    export_as(dir, &format!("{name}.jsonl"), args)
}

fn export_as(dir: &Path, file: &str, args: &[&str]) -> PathBuf {
    let out = dir.join(file);
    let status = Command::new(env!("CARGO_BIN_EXE_prefer"))
        .arg("export")
        .arg(fixture("items.jsonl"))
        .arg("--labels-dir")
        .arg(fixture("labels"))
        .args(args)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    out
}

#[test]
fn every_format_loads_with_datasets_as_trl_reads_it() {
    let Some(py) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/check_trl.py");
    let cases: &[(&str, &str, &[&str], usize)] = &[
        ("trl", "trl-flat", &["--format", "trl", "--flatten"], 6),
        (
            "trl",
            "trl-meta-ties",
            &[
                "--format",
                "trl",
                "--flatten",
                "--with-meta",
                "--ties",
                "keep",
                "--both-bad",
                "keep",
            ],
            8,
        ),
        ("trl-chat", "chat", &["--format", "trl-chat"], 6),
        (
            "trl-chat",
            "chat-all-meta",
            &["--format", "trl-chat", "--aggregate", "all", "--with-meta"],
            12,
        ),
        ("hh", "hh", &["--format", "hh"], 6),
        ("rankings", "rankings", &["--format", "rankings"], 5),
        ("ratings", "ratings", &["--format", "ratings"], 1),
        ("kto", "kto", &["--format", "kto"], 10),
        ("kto", "kto-flat", &["--format", "kto", "--flatten"], 10),
        (
            "kto",
            "kto-all-rated",
            &[
                "--format",
                "kto",
                "--aggregate",
                "all",
                "--kto-threshold",
                "4",
                "--with-meta",
            ],
            7,
        ),
        ("llamafactory", "lf-pairs", &["--format", "llamafactory"], 6),
        (
            "llamafactory-kto",
            "lf-kto",
            &["--format", "llamafactory-kto"],
            10,
        ),
        ("h4", "h4", &["--format", "h4"], 6),
    ];
    // Every file is written first and then checked by one Python process: starting Python
    // and importing `datasets` takes seconds each time.
    let mut check = Command::new(&py);
    check.arg(&script);
    for (fmt, name, args, rows) in cases {
        let path = export_to(dir.path(), name, args);
        check.arg(fmt).arg(&path).arg(rows.to_string());
        // The same rows as Parquet, which the check compares with the JSON Lines file.
        let parquet = export_as(dir.path(), &format!("{name}.parquet"), args);
        check.arg(fmt).arg(&parquet).arg(rows.to_string());
    }
    // Dataset cards, each in a folder of its own with its one data file: the check loads the
    // folder as the Hub does (the card's `configs` name the file) and compares the card's
    // features with the columns `datasets` finds.
    for (fmt, file, args, rows) in [
        (
            "h4",
            "card-json/h4.jsonl",
            &["--format", "h4", "--card"][..],
            6,
        ),
        (
            "trl-chat",
            "card-parquet/chat.parquet",
            &["--format", "trl-chat", "--card"][..],
            6,
        ),
        (
            "kto",
            "card-kto/kto.jsonl",
            &["--format", "kto", "--card"][..],
            10,
        ),
    ] {
        std::fs::create_dir_all(dir.path().join(file).parent().unwrap()).unwrap();
        let path = export_as(dir.path(), file, args);
        check.arg(fmt).arg(&path).arg(rows.to_string());
    }
    let out = check
        // Keep the datasets cache out of the user's home, and never reach the network.
        .env("HF_DATASETS_CACHE", dir.path().join("hf-cache"))
        .env("HF_HOME", dir.path().join("hf-home"))
        .env("HF_DATASETS_OFFLINE", "1")
        .env("HF_HUB_OFFLINE", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("{}", String::from_utf8_lossy(&out.stdout).trim());
}
