//! A labels folder: where a candidate file's logs live (`<file>.labels/`, one `<annotator>.jsonl`
//! each), which logs are in it, and which logs a command reads (those named, else the folder's).

use std::path::{Path, PathBuf};

use super::error::LogError;

/// `<input dir>/<input stem>.labels/<annotator>.jsonl`
pub fn default_log_path(input: &Path, annotator: &str) -> PathBuf {
    labels_dir(input).join(format!("{annotator}.jsonl"))
}

/// `<input dir>/<input stem>.labels/`
pub fn labels_dir(input: &Path) -> PathBuf {
    let stem = input
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "candidates".into());
    input
        .parent()
        .unwrap_or(Path::new("."))
        .join(format!("{stem}.labels"))
}

/// The annotators' logs in a labels folder: every `*.jsonl` file, sorted by name.
pub fn log_files(dir: &Path) -> Result<Vec<PathBuf>, LogError> {
    let entries = std::fs::read_dir(dir).map_err(|source| LogError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    out.sort();
    Ok(out)
}

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
