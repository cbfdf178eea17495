//! A simulated crowd with a known truth, through the real `prefer export`: the share of pairs
//! exported with their true judgement, `--aggregate majority` against `dawid-skene`. Five
//! annotators' logs are written, each of 4,000 two-candidate items is judged by three of them
//! picked at random, annotator k says the truth with the chance given. The figures are printed
//! (`cargo test --test crowd -- --nocapture`) and go into BENCHMARKS.md.

mod common;

use std::path::Path;
use std::process::Command;

/// The same generator as the library's tests (a 64-bit LCG), so a seed gives the same crowd.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

const PAIRS: usize = 4000;

/// Writes the candidate file and the five logs into `dir`; returns the true better candidate
/// per item (`c0` or `c1`).
fn crowd(dir: &Path, seed: u64, right: &[f64]) -> Vec<&'static str> {
    let items = common::pair_file(dir, PAIRS);
    assert!(items.exists());
    let labels = dir.join("set.labels");
    std::fs::create_dir_all(&labels).unwrap();
    let mut r = Rng(seed);
    let n = right.len() as u64;
    let mut logs = vec![String::new(); right.len()];
    let mut truth = Vec::new();
    for item in 0..PAIRS {
        let t = if r.below(2) == 0 { "c0" } else { "c1" };
        truth.push(t);
        let mut who: Vec<usize> = (0..right.len()).collect();
        for k in 0..3 {
            let j = k + r.below(n - k as u64) as usize;
            who.swap(k, j);
        }
        for &a in &who[..3] {
            let says_truth = (r.below(1_000_000) as f64) < right[a] * 1e6;
            let other = if t == "c0" { "c1" } else { "c0" };
            let choice = if says_truth { t } else { other };
            logs[a].push_str(&format!(
                "{{\"v\":1,\"at\":\"2026-11-28T10:00:00.000Z\",\"annotator\":\"a{a}\",\"item\":\"item-{item}\",\"task\":\"pair\",\"pair\":[\"c0\",\"c1\"],\"choice\":\"{choice}\",\"ms\":4000}}\n"
            ));
        }
    }
    for (a, log) in logs.iter().enumerate() {
        std::fs::write(labels.join(format!("a{a}.jsonl")), log).unwrap();
    }
    truth
}

/// Share of all pairs that `prefer export --aggregate <how>` writes with the true winner.
fn exported_right(dir: &Path, how: &str, truth: &[&str]) -> f64 {
    let out = Command::new(env!("CARGO_BIN_EXE_prefer"))
        .args(["export", "set.jsonl", "--with-meta", "--aggregate", how])
        .current_dir(dir)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let mut right = 0;
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let row: serde_json::Value = serde_json::from_str(line).unwrap();
        let item: usize = row["item"].as_str().unwrap()["item-".len()..]
            .parse()
            .unwrap();
        if row["chosen_id"] == truth[item] {
            right += 1;
        }
    }
    right as f64 / truth.len() as f64
}

#[test]
fn dawid_skene_beats_the_majority_on_a_mixed_crowd_and_matches_it_on_a_good_one() {
    let seed = common::seed("PREFER_CROWD_SEED").max(1);
    // The figures in BENCHMARKS.md are for seed 17, the library test's.
    let seed = if seed == common::DEFAULT_SEED {
        17
    } else {
        seed
    };
    for (name, right, lead) in [
        // Two annotators right 85% of the time, one 75%, one at random, one mostly wrong:
        // Dawid-Skene must be clearly ahead.
        ("mixed", vec![0.85, 0.85, 0.75, 0.5, 0.2], 0.05),
        // Five annotators equally good: it must not do worse.
        ("equal", vec![0.8; 5], -0.005),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let truth = crowd(dir.path(), seed, &right);
        let maj = exported_right(dir.path(), "majority", &truth);
        let ds = exported_right(dir.path(), "dawid-skene", &truth);
        println!(
            "seed {seed}, {name} crowd {right:?}: share of {PAIRS} pairs exported with the true judgement: majority {maj:.3}, dawid-skene {ds:.3}"
        );
        assert!(
            ds >= maj + lead,
            "seed {seed}, {name} crowd: majority {maj}, dawid-skene {ds}"
        );
    }
}
