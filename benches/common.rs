//! Inputs for the benchmarks, made once with `prefer::synth` under `target/bench-data/` (never
//! committed) and reused by later runs.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use prefer::synth::{CandidatesArgs, write_candidates, write_log_for};

pub const MIB: u64 = 1 << 20;

/// True when the gigabyte sizes should run too (`PREFER_BENCH_LARGE=1`).
pub fn large() -> bool {
    std::env::var("PREFER_BENCH_LARGE").is_ok_and(|v| v != "0" && !v.is_empty())
}

pub fn data_dir() -> PathBuf {
    let dir = std::env::var_os("PREFER_BENCH_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data"));
    std::fs::create_dir_all(&dir).expect("cannot create the benchmark data folder");
    dir
}

/// A realistic candidate set of about `bytes` bytes.
pub fn candidates(bytes: u64) -> PathBuf {
    let path = data_dir().join(format!("candidates-{}M.jsonl", bytes / MIB));
    if !path.exists() {
        let tmp = path.with_extension("tmp");
        write_candidates(&CandidatesArgs {
            out: tmp.clone(),
            bytes,
            items: None,
            scale: 1.0,
            fixed_chars: None,
            candidates: None,
            seed: 1,
        })
        .expect("cannot write benchmark candidates");
        std::fs::rename(&tmp, &path).unwrap();
    }
    path
}

/// 60,000 items with short answers: what the logs below are about (1M pair events cover
/// about 50,000 items of 2 to 9 candidates).
pub fn log_candidates() -> PathBuf {
    let path = data_dir().join("log-candidates-60k.jsonl");
    if !path.exists() {
        let tmp = path.with_extension("tmp");
        write_candidates(&CandidatesArgs {
            out: tmp.clone(),
            bytes: u64::MAX,
            items: Some(60_000),
            scale: 0.1,
            fixed_chars: None,
            candidates: None,
            seed: 1,
        })
        .expect("cannot write benchmark candidates");
        std::fs::rename(&tmp, &path).unwrap();
    }
    path
}

/// `annotators` logs of `events` pair events each (one file when `annotators` is 1), about
/// the items of [`log_candidates`]; returns the log files.
pub fn logs(annotators: u32, events: u64) -> Vec<PathBuf> {
    let dir = data_dir().join(format!("logs-{annotators}x{events}"));
    if !dir.exists() {
        let tmp = dir.with_extension("tmp");
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp).unwrap();
        write_log_for(&log_candidates(), &tmp, annotators, events, 2, 1)
            .expect("cannot write benchmark logs");
        std::fs::rename(&tmp, &dir).unwrap();
    }
    prefer::labels::log_files(&dir).unwrap()
}
