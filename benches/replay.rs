//! Resume: replaying labels logs to the first undecided task. Targets: 1,000,000 events in one
//! log, and 50 annotators' logs of 20,000 events each, under 500 ms.
//!
//! `read_and_replay` is what `prefer label` does with a log before its first frame (read it,
//! check every line, rebuild the standing decisions); `to_first_open_task` is resuming with
//! the candidate file loaded in full before the clock starts (a real start opens it lazily and
//! checks it in the background, competing with the replay for the cores; BENCHMARKS.md gives
//! the whole-process figures beside these): for 1M, one labeler's log, the labeling model and the
//! walk to the first undecided task; for 50 x 20k, a team folder as `prefer label
//! --labels-dir` opens it as annotator00 with `--overlap 2` (its own log, the other 49 read
//! and counted as the start does: from their replay caches, kept in a folder beside the logs
//! and warm after the first sample, logs untouched since left unread and counted while read;
//! the first task fewer than 2 others decided). Not in it: the reading of those logs after
//! the first screen, the candidate file's background check, the terminal. The model is returned, so it is
//! freed after the clock stops (a session frees it on quit).

#[path = "common.rs"]
mod common;

use std::path::PathBuf;
use std::sync::Arc;

use divan::Bencher;
use prefer::format::{self, ItemSource};
use prefer::labels::{Decisions, LabelLog, ReadProgress, ReplayCache, TaskKind, read_decisions};
use prefer::tui::model::{Model, Setup};
use prefer::tui::others::OthersReader;

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

/// What a start with the replay cache does (the labeler's log mapped, the cached tables
/// checked against it and loaded, nothing after them to replay); the cache is written once
/// before the clock starts.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn read_and_replay_1m_from_cache(b: Bencher) {
    let logs = common::logs(1, 1_000_000);
    let cache = tempfile::tempdir().unwrap();
    let open = || {
        LabelLog::lock(&logs[0])
            .unwrap()
            .with_replay_cache(Some(ReplayCache::new(cache.path().to_path_buf())))
            .read_decisions(&ReadProgress::default())
            .unwrap()
    };
    let first = open();
    drop(first);
    b.bench(|| open().decisions);
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
        assert!(m.first_open_from(0).is_some());
        m
    });
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn to_first_open_task_50x20k(b: Bencher) {
    let logs = common::logs(50, 20_000);
    let source: Arc<dyn ItemSource> = Arc::new(format::load(&common::log_candidates()).unwrap());
    let dir = logs[0].parent().unwrap().to_path_buf();
    let cache = dir.with_extension("replay-cache");
    b.bench(|| {
        let mine = &logs[0];
        // As the start does: the teammates' replay caches (warm after the first sample), logs
        // untouched since left unread, the team counted while it is read.
        let others = OthersReader::new(&dir, mine)
            .with_replay_cache(Some(ReplayCache::new(cache.clone())))
            .defer_untouched(true)
            .read_all_counted(&ReadProgress::default(), Some(TaskKind::Pair));
        let (decisions, _) = read_decisions(mine).unwrap();
        let mut m = Model::new(Setup {
            file_label: "bench".into(),
            shuffle: true,
            decisions,
            overlap: 2,
            size: (200, 60),
            ..Setup::new(Arc::clone(&source), "annotator00", TaskKind::Pair)
        })
        .unwrap();
        m.add_others(others);
        let start = m.first_open_from(m.current).unwrap();
        m.go_to(start);
        m
    });
}
