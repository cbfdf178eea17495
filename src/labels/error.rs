//! Why a labels log could not be opened, read or written.

use std::path::{Path, PathBuf};

/// Why the log could not be opened or written.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error(
        "cannot create the labels folder {path}: {source} - choose a writable place with --out"
    )]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "cannot open the labels log {path} for writing: {source} - check that the folder is writable, or choose another place with --out"
    )]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path} is in use by another prefer process - finish there first (the lock goes away by itself when that process ends)"
    )]
    Locked { path: PathBuf },
    #[error(
        "{path}:{line}: damaged labels event: {what} - nothing was written; fix or remove that line (keep a copy of the file), then start again"
    )]
    Damaged {
        path: PathBuf,
        line: usize,
        what: String,
    },
    /// A symbolic link, a directory or a device where the log belongs.
    #[error("{source}")]
    Refused { source: std::io::Error },
    /// A store of logs other than a folder could not be read (the message names it, without
    /// its password).
    #[error("{0}")]
    Store(String),
    #[error("labels log {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// A damaged line of the log at `path`: its line number and what is wrong with it.
pub(crate) fn damaged(path: &Path, line: usize, what: String) -> LogError {
    LogError::Damaged {
        path: path.to_path_buf(),
        line,
        what,
    }
}
