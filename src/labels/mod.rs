//! The labels log: one JSON event per line, append-only, fsynced before a decision is shown as
//! saved; replayed on start to resume. See README.md, "The labels log", for the format.

mod bytes;
mod codec;
mod decisions;
mod error;
mod event;
mod folder;
pub mod follow;
mod log;
mod progress;
mod replay;
mod replay_cache;
mod store;
mod writers;

pub use bytes::LogBytes;
pub(crate) use codec::{Checked, check_log};
pub use codec::{parse_events, parse_line, starts_like_log};
pub(crate) use decisions::FastHash;
pub use decisions::{Decisions, Taken, TaskCounts};
pub use error::LogError;
pub use event::{
    Event, Mode, Role, TaskKey, TaskKind, VIA_CYCLE, VIA_SORT, VIA_VERIFY, VIA_VERIFY_AGAIN,
    Verdict, edit_id, now_rfc3339,
};
pub use folder::{
    FolderLogs, FolderSettings, InputError, SETTINGS_FILE, default_log_path, folder_logs,
    labels_dir, log_files, log_paths, mode_warning,
};
pub use follow::{LogFeed, OthersAtStart, OthersReader};
pub(crate) use log::read_complete;
pub use log::{LabelLog, LockedLog, Opened, OpenedDecisions, TornTail, read_decisions, read_log};
pub use progress::{ReadCounts, ReadProgress};
pub use replay::{ByAnnotator, replay_by_annotator};
pub use replay_cache::{ReplayCache, file_identity};
pub use store::{LogStore, Logs, StoredLog};
pub use writers::{WriterCounts, Writers};
