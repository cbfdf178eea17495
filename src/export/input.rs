//! Reading the labels: which logs (a labels folder, or log files named on the command line),
//! and the standing decisions with the candidate file beside them. Shared by export, stats and
//! agreement.

use std::path::{Path, PathBuf};

use crate::labels::{FolderLogs, FolderSettings, LogError, folder_logs, labels_dir};

/// Why the labels could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error(
        "no labels folder at {path} - label the file first (prefer label), or name the folder with --labels-dir or the logs themselves"
    )]
    NoFolder { path: PathBuf },
    #[error(
        "{path} holds no labels logs (*.jsonl) - label the file first, or name another folder with --labels-dir"
    )]
    EmptyFolder { path: PathBuf },
    #[error("{0}")]
    Settings(String),
    #[error(transparent)]
    Log(#[from] LogError),
}

/// The logs to read: those named, else every `*.jsonl` in `dir`, else in the default folder
/// next to `file`. A folder's logs that are symbolic links are left out (and listed) unless
/// its `prefer.toml` says `follow_links = true`; logs named on the command line are read as
/// named.
pub fn log_paths(
    file: Option<&Path>,
    dir: Option<&Path>,
    logs: &[PathBuf],
) -> Result<FolderLogs, InputError> {
    if !logs.is_empty() {
        return Ok(FolderLogs {
            logs: logs.to_vec(),
            links: Vec::new(),
        });
    }
    let dir = match (dir, file) {
        (Some(d), _) => d.to_path_buf(),
        (None, Some(f)) => labels_dir(f),
        (None, None) => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(InputError::NoFolder { path: dir });
    }
    let follow = FolderSettings::load(&dir)
        .map_err(|e| InputError::Settings(e.to_string()))?
        .follow_links;
    let found = folder_logs(&dir, follow)?;
    if found.logs.is_empty() && found.links.is_empty() {
        return Err(InputError::EmptyFolder { path: dir });
    }
    Ok(found)
}

/// The candidate file, when there is one, and the standing decisions of the logs `paths`
/// names, read side by side (at a million decisions each is a few hundred MB): what export,
/// stats and agreement start from. A problem with the file is reported before one with the
/// logs; also returns the warnings for unfinished last lines.
pub fn read_standing(
    file: Option<&Path>,
    paths: impl FnOnce() -> Result<FolderLogs, InputError> + Send,
) -> anyhow::Result<(
    Option<crate::format::Dataset>,
    super::standing::Standing,
    Vec<String>,
)> {
    let (dataset, labels) = std::thread::scope(|s| {
        let labels = s.spawn(|| {
            let found = paths()?;
            let mut r = super::standing::replay_logs(&found.logs).map_err(InputError::from)?;
            r.0.writers.links = found.links;
            Ok::<_, InputError>(r)
        });
        let dataset = file.map(crate::format::load).transpose();
        let labels = labels
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (dataset, labels)
    });
    let dataset = dataset?;
    let (replayed, warnings) = labels?;
    let items = dataset.as_ref().map(|d| d.items.as_slice());
    let st = super::standing::standing_of(replayed, items);
    Ok((dataset, st, warnings))
}
