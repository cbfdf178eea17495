//! Reading the labels: which logs (a labels folder, or log files named on the command line),
//! and the standing decisions with the candidate file beside them. Shared by export, stats and
//! agreement.

use std::path::{Path, PathBuf};

use crate::labels::{LogError, labels_dir, log_files};

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
    #[error(transparent)]
    Log(#[from] LogError),
}

/// The logs to read: those named, else every `*.jsonl` in `dir`, else in the default folder
/// next to `file`.
pub fn log_paths(
    file: Option<&Path>,
    dir: Option<&Path>,
    logs: &[PathBuf],
) -> Result<Vec<PathBuf>, InputError> {
    if !logs.is_empty() {
        return Ok(logs.to_vec());
    }
    let dir = match (dir, file) {
        (Some(d), _) => d.to_path_buf(),
        (None, Some(f)) => labels_dir(f),
        (None, None) => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(InputError::NoFolder { path: dir });
    }
    let found = log_files(&dir)?;
    if found.is_empty() {
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
    paths: impl FnOnce() -> Result<Vec<PathBuf>, InputError> + Send,
) -> anyhow::Result<(
    Option<crate::format::Dataset>,
    super::standing::Standing,
    Vec<String>,
)> {
    let (dataset, labels) = std::thread::scope(|s| {
        let labels = s.spawn(|| {
            let paths = paths()?;
            super::standing::replay_logs(&paths).map_err(InputError::from)
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
