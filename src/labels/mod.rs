//! The labels log: one JSON event per line, append-only, fsynced before a decision is shown as
//! saved; replayed on start to resume. See README.md, "The labels log", for the format.

mod decisions;
mod event;
mod folder;
mod log;
mod replay;
mod writers;

pub(crate) use decisions::FastHash;
pub use decisions::{Decisions, Taken, TaskCounts, parse_line};
pub use event::{Event, TaskKey, TaskKind, Verdict};
pub use folder::{FolderLogs, FolderSettings, SETTINGS_FILE, folder_logs, mode_warning};
pub(crate) use log::read_complete;
pub use log::{
    LabelLog, LogError, Opened, OpenedDecisions, TornTail, default_log_path, labels_dir, log_files,
    now_rfc3339, parse_events, read_decisions, read_log,
};
pub(crate) use replay::check_log;
pub use replay::{ByAnnotator, replay_by_annotator};
pub use writers::{WriterCounts, Writers};
