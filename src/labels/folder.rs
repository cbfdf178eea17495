//! A labels folder: where a candidate file's logs live (`<file>.labels/`, one `<annotator>.jsonl`
//! each), its settings for the whole team (`prefer.toml`), which logs are in it (symbolic links
//! apart), which logs a command reads (those named, else the folder's), and whether its mode
//! lets one member delete another's log.

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

/// The folder's settings file.
pub const SETTINGS_FILE: &str = "prefer.toml";

/// `<labels dir>/prefer.toml`: the team's settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FolderSettings {
    /// Decisions wanted per task across the team.
    pub overlap: Option<usize>,
    /// Read annotators' logs that are symbolic links (never written through, whatever this
    /// says). Off unless the folder asks for it.
    #[serde(default)]
    pub follow_links: bool,
    /// The team's labels are kept in this database (a `postgresql://` URL, best without its
    /// password: PGPASSWORD or ~/.pgpass give it) instead of this folder's logs.
    pub store: Option<String>,
}

impl FolderSettings {
    /// Reads `<dir>/prefer.toml`; a missing file is the defaults. The file itself is never read
    /// through a symbolic link.
    pub fn load(dir: &Path) -> anyhow::Result<FolderSettings> {
        let path = dir.join(SETTINGS_FILE);
        let bytes = match crate::safefs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(FolderSettings::default());
            }
            Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => return Err(e.into()),
            Err(e) => anyhow::bail!("cannot read {}: {e}", path.display()),
        };
        let text = String::from_utf8_lossy(&bytes);
        let s: FolderSettings = toml::from_str(&text).map_err(|e| {
            let line = e
                .span()
                .map(|r| 1 + text[..r.start.min(text.len())].matches('\n').count())
                .unwrap_or(1);
            anyhow::anyhow!(
                "{}:{line}: {} - the folder settings take `overlap = K` (K >= 1), `follow_links = true|false` and `store = \"postgresql://...\"`",
                path.display(),
                e.message()
            )
        })?;
        if s.overlap == Some(0) {
            anyhow::bail!("{}: overlap must be 1 or more", path.display());
        }
        Ok(s)
    }
}

/// The `*.jsonl` files of a labels folder, sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FolderLogs {
    /// The logs to read.
    pub logs: Vec<PathBuf>,
    /// `*.jsonl` entries that are symbolic links and were left out (dangling, to a file, to a
    /// folder): reading them is refused unless `follow_links` allows it.
    pub links: Vec<PathBuf>,
}

/// The annotators' logs of `dir`: its plain `*.jsonl` files, and those that are symbolic links
/// to a file when `follow_links` (else they are listed in [`FolderLogs::links`]).
pub fn folder_logs(dir: &Path, follow_links: bool) -> Result<FolderLogs, LogError> {
    let entries = std::fs::read_dir(dir).map_err(|source| LogError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut out = FolderLogs::default();
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "jsonl") {
            continue;
        }
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_symlink() {
            if follow_links && path.is_file() {
                out.logs.push(path);
            } else {
                out.links.push(path);
            }
        } else if kind.is_file() {
            out.logs.push(path);
        }
    }
    out.logs.sort();
    out.links.sort();
    Ok(out)
}

/// The annotators' logs in a labels folder: every `*.jsonl` file, sorted by name; symbolic
/// links are left out (see [`folder_logs`] for them and for `follow_links`).
pub fn log_files(dir: &Path) -> Result<Vec<PathBuf>, LogError> {
    folder_logs(dir, false).map(|f| f.logs)
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

/// A warning when `dir` is writable by every user of the machine and lacks the sticky bit:
/// then anyone can delete or replace anyone's log. `None` when the folder is fine or missing.
pub fn mode_warning(dir: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir).ok()?.permissions().mode();
        (mode & 0o002 != 0 && mode & 0o1000 == 0).then(|| {
            format!(
                "the labels folder {} is writable by every user and has no sticky bit: anyone can delete or replace anyone's log; set it up for a team with: prefer team init {}",
                dir.display(),
                crate::text::shell_quote(&dir.to_string_lossy())
            )
        })
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        None
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::{PermissionsExt, symlink};

    #[test]
    fn links_are_listed_apart_unless_the_folder_follows_them() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("alice.jsonl"), "").unwrap();
        std::fs::write(d.join("notes.txt"), "").unwrap();
        symlink(d.join("alice.jsonl"), d.join("bob.jsonl")).unwrap();
        symlink(d.join("nowhere"), d.join("carol.jsonl")).unwrap();
        let f = folder_logs(d, false).unwrap();
        assert_eq!(f.logs, [d.join("alice.jsonl")]);
        assert_eq!(f.links, [d.join("bob.jsonl"), d.join("carol.jsonl")]);
        let f = folder_logs(d, true).unwrap();
        assert_eq!(f.logs, [d.join("alice.jsonl"), d.join("bob.jsonl")]);
        assert_eq!(f.links, [d.join("carol.jsonl")]);
    }

    #[test]
    fn settings_take_follow_links_and_refuse_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        assert_eq!(FolderSettings::load(d).unwrap(), FolderSettings::default());
        std::fs::write(d.join("real.toml"), "overlap = 2\nfollow_links = true\n").unwrap();
        symlink(d.join("real.toml"), d.join(SETTINGS_FILE)).unwrap();
        let e = FolderSettings::load(d).unwrap_err().to_string();
        let link = format!("{} is a symbolic link", d.join(SETTINGS_FILE).display());
        assert!(e.starts_with(&link), "said as it is: {e}");
        std::fs::remove_file(d.join(SETTINGS_FILE)).unwrap();
        std::fs::rename(d.join("real.toml"), d.join(SETTINGS_FILE)).unwrap();
        let s = FolderSettings::load(d).unwrap();
        assert_eq!((s.overlap, s.follow_links), (Some(2), true));
    }

    /// A settings file that cannot be read or parsed is named, with the line at fault.
    #[test]
    fn bad_settings_are_named_with_their_line() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        // A file where the folder should be: the settings cannot be read.
        let not_a_folder = d.join("set.labels");
        std::fs::write(&not_a_folder, "").unwrap();
        let e = FolderSettings::load(&not_a_folder).unwrap_err().to_string();
        let path = not_a_folder.join(SETTINGS_FILE);
        assert!(
            e.starts_with(&format!("cannot read {}: ", path.display())),
            "{e}"
        );
        let path = d.join(SETTINGS_FILE);
        std::fs::write(&path, "overlap = 2\n\nfollow_links = 3\n").unwrap();
        let e = FolderSettings::load(d).unwrap_err().to_string();
        assert!(e.starts_with(&format!("{}:3: ", path.display())), "{e}");
    }

    /// The logs a command reads: those named as named; else the folder's, which must exist
    /// and hold a log or a link to one.
    #[test]
    fn the_logs_read_are_those_named_else_the_folders() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("set.labels");
        let file = dir.path().join("set.jsonl");
        let named = [dir.path().join("elsewhere.jsonl")];
        let got = log_paths(Some(&file), None, &named).unwrap();
        assert_eq!((got.logs, got.links), (named.to_vec(), vec![]));
        let err = |r: Result<FolderLogs, InputError>| r.unwrap_err().to_string();
        assert!(err(log_paths(Some(&file), None, &[])).starts_with("no labels folder at"));
        std::fs::create_dir(&d).unwrap();
        assert!(err(log_paths(Some(&file), None, &[])).contains("holds no labels logs"));
        symlink(d.join("nowhere"), d.join("eve.jsonl")).unwrap();
        let got = log_paths(None, Some(&d), &[]).unwrap();
        assert_eq!((got.logs, got.links), (vec![], vec![d.join("eve.jsonl")]));
        std::fs::write(d.join("ann.jsonl"), "").unwrap();
        let got = log_paths(Some(&file), None, &[]).unwrap();
        assert_eq!(got.logs, [d.join("ann.jsonl")]);
        assert_eq!(log_files(&d).unwrap(), [d.join("ann.jsonl")]);
    }

    #[test]
    fn a_world_writable_folder_without_the_sticky_bit_is_warned_about() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let set = |m| std::fs::set_permissions(d, std::fs::Permissions::from_mode(m)).unwrap();
        set(0o777);
        assert!(mode_warning(d).unwrap().contains("prefer team init"));
        set(0o1777);
        assert_eq!(mode_warning(d), None);
        set(0o2770);
        assert_eq!(mode_warning(d), None);
    }
}
