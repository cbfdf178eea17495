//! Resume: replaying labels logs to the first undecided task. Targets: 1,000,000 events in one
//! log, and 50 annotators' logs of 20,000 events each, under 500 ms.
//!
//! `read_and_replay` is what `prefer label` does before its first frame (read the log, parse
//! every event, rebuild the standing decisions); `to_first_open_task` adds building the
//! labeling model and finding the first undecided task, with the candidate file already open.

#[path = "common.rs"]
mod common;

use std::path::PathBuf;
use std::sync::Arc;

use divan::Bencher;
use prefer::format::{self, ItemSource};
use prefer::labels::{Decisions, TaskKind, read_decisions};
use prefer::tui::model::{Model, Setup};

fn main() {
    divan::main();
}

fn replay(paths: &[PathBuf]) -> Vec<Decisions> {
    paths
        .iter()
        .map(|p| {
            let (decisions, _) = read_decisions(p).unwrap();
            decisions
        })
        .collect()
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn read_and_replay_1m(b: Bencher) {
    let logs = common::logs(1, 1_000_000);
    b.bench(|| replay(&logs));
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn read_and_replay_50x20k(b: Bencher) {
    let logs = common::logs(50, 20_000);
    b.bench(|| replay(&logs));
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn to_first_open_task_1m(b: Bencher) {
    let logs = common::logs(1, 1_000_000);
    let source: Arc<dyn ItemSource> = Arc::new(format::load(&common::log_candidates()).unwrap());
    b.bench(|| {
        let decisions = replay(&logs).pop().unwrap();
        let m = Model::new(Setup {
            file_label: "bench".into(),
            shuffle: true,
            decisions,
            size: (200, 60),
            ..Setup::new(Arc::clone(&source), "annotator00", TaskKind::Pair)
        })
        .unwrap();
        m.current
    });
}
