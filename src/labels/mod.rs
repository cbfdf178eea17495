//! The labels log: one JSON event per line, append-only, fsynced before a decision is shown as
//! saved; replayed on start to resume. See README.md, "The labels log", for the format.

mod decisions;
mod event;
mod log;
mod replay;

pub(crate) use decisions::FastHash;
pub use decisions::{Decisions, TaskCounts};
pub use event::{Event, TaskKey, TaskKind, Verdict};
pub(crate) use log::read_complete;
pub use log::{
    LabelLog, LogError, Opened, OpenedDecisions, TornTail, default_log_path, labels_dir, log_files,
    now_rfc3339, parse_events, read_decisions, read_log,
};
pub(crate) use replay::check_log;
pub use replay::{ByAnnotator, replay_by_annotator};

/// The cores this process may use, asked once: on Linux the answer reads cgroup files, about
/// 20 us a call, which a caller parsing other logs line by line once paid a million times
/// (24 s to open a folder of 50 logs of 20,000 events).
pub(crate) fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}
