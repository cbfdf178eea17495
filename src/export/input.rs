//! Reading the labels: which logs (a labels folder, or log files named on the command line),
//! and their events, with warnings for unfinished last lines. Shared by export and stats.

use std::path::{Path, PathBuf};

use crate::labels::{Event, LogError, labels_dir, log_files, read_log};

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

/// The events of every log, in log order, and warnings to print.
#[derive(Debug, Default)]
pub struct Labels {
    pub logs: Vec<PathBuf>,
    pub events: Vec<Event>,
    pub warnings: Vec<String>,
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

/// Reads every log without locking it (labelers may be writing at this moment).
pub fn read_labels(paths: Vec<PathBuf>) -> Result<Labels, InputError> {
    let mut out = Labels::default();
    for path in &paths {
        let (events, torn) = read_log(path)?;
        if let Some(bytes) = torn {
            out.warnings.push(format!(
                "{}: left out an unfinished last line ({bytes} bytes; being written, or cut off by a crash)",
                path.display()
            ));
        }
        out.events.extend(events);
    }
    out.logs = paths;
    Ok(out)
}
