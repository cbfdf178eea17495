//! A labels folder's settings for the whole team, `<labels dir>/prefer.toml`: the overlap
//! (decisions wanted per task). The first `--overlap` given for a folder is written here, so
//! everyone who labels or reviews it later works to the same K; a different `--overlap` is
//! refused, and `prefer team set overlap K` changes it on purpose.
//!
//! The file is small and shared: it is replaced whole (write a temporary file, fsync, rename),
//! and lines other than `overlap` (comments) are kept as they were.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::bail;

use crate::labels::FolderSettings;
use crate::outfile::AtomicFile;

/// The settings file of a labels folder.
pub fn path(dir: &Path) -> PathBuf {
    dir.join("prefer.toml")
}

/// `overlap` from `<labels dir>/prefer.toml`; `None` when the file or the key is absent.
/// Read through [`FolderSettings::load`], the one reader of the folder's settings.
pub fn overlap(dir: &Path) -> anyhow::Result<Option<usize>> {
    Ok(FolderSettings::load(dir)?.overlap)
}

/// Writes `overlap = k` into the folder's settings (creating the folder and the file if need
/// be), keeping every other line.
pub fn set_overlap(dir: &Path, k: usize) -> anyhow::Result<()> {
    assert!(k >= 1, "the overlap is 1 or more");
    let path = path(dir);
    // A file that does not parse (or is a link) is not overwritten: the person who broke it
    // should see why.
    FolderSettings::load(dir)?;
    let old = match crate::safefs::read(&path) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
        Err(e) => bail!("cannot read {}: {e}", path.display()),
    };
    let text = with_overlap(&old, k);
    std::fs::create_dir_all(dir)
        .map_err(|e| anyhow::anyhow!("cannot create the labels folder {}: {e}", dir.display()))?;
    let write = || -> io::Result<()> {
        let mut f = AtomicFile::create(&path)?;
        f.write_all(text.as_bytes())?;
        f.commit()
    };
    write().map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))
}

/// `text` with its `overlap = ...` line replaced by `overlap = k`, or the line added.
fn with_overlap(text: &str, k: usize) -> String {
    let line = format!("overlap = {k}");
    let is_overlap = |l: &str| {
        l.trim_start()
            .strip_prefix("overlap")
            .is_some_and(|rest| rest.trim_start().starts_with('='))
    };
    let mut out = String::with_capacity(text.len() + line.len() + 1);
    let mut done = false;
    for l in text.split_inclusive('\n') {
        if !done && is_overlap(l) {
            out.push_str(&line);
            out.push('\n');
            done = true;
        } else {
            out.push_str(l);
        }
    }
    if !done {
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// What `prefer label --overlap` does with the folder's setting: the overlap to work to, and
/// whether to write it (the folder has none yet).
#[derive(Debug, PartialEq, Eq)]
pub enum OverlapChoice {
    /// Work to this overlap; nothing to write.
    Use(usize),
    /// The first `--overlap` for this folder: work to it and store it.
    Store(usize),
}

/// Decides the overlap from `--overlap`, the folder's setting and the task file's. A given
/// `--overlap` that differs from the folder's is refused, naming the current value and how to
/// change it for everyone.
pub fn resolve_overlap(
    given: Option<usize>,
    folder: Option<usize>,
    task_file: usize,
    dir: &Path,
) -> anyhow::Result<OverlapChoice> {
    Ok(match (given, folder) {
        (None, Some(f)) => OverlapChoice::Use(f),
        (None, None) => OverlapChoice::Use(task_file.max(1)),
        (Some(k), None) => OverlapChoice::Store(k),
        (Some(k), Some(f)) if k == f => OverlapChoice::Use(f),
        (Some(k), Some(f)) => bail!(
            "this labels folder's overlap is {f} ({}); --overlap {k} would have you work to another K than the rest of the team. Leave --overlap out to work to {f}, or change it for everyone: prefer team set overlap {k} --labels-dir {}",
            path(dir).display(),
            crate::text::shell_quote(&dir.to_string_lossy())
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_overlap_line_is_replaced_or_added_and_the_rest_kept() {
        assert_eq!(with_overlap("", 2), "overlap = 2\n");
        assert_eq!(
            with_overlap("# team of four\noverlap = 3\n", 2),
            "# team of four\noverlap = 2\n"
        );
        assert_eq!(with_overlap("# note", 2), "# note\noverlap = 2\n");
        assert_eq!(with_overlap("  overlap=1\n# x\n", 4), "overlap = 4\n# x\n");
    }

    #[test]
    fn the_first_overlap_is_stored_and_a_different_one_refused() {
        let d = Path::new("/tmp/x.labels");
        assert_eq!(
            resolve_overlap(Some(2), None, 1, d).unwrap(),
            OverlapChoice::Store(2)
        );
        assert_eq!(
            resolve_overlap(Some(2), Some(2), 1, d).unwrap(),
            OverlapChoice::Use(2)
        );
        assert_eq!(
            resolve_overlap(None, Some(2), 3, d).unwrap(),
            OverlapChoice::Use(2)
        );
        assert_eq!(
            resolve_overlap(None, None, 3, d).unwrap(),
            OverlapChoice::Use(3)
        );
        let e = resolve_overlap(Some(3), Some(2), 1, d)
            .unwrap_err()
            .to_string();
        assert!(e.contains("overlap is 2"), "{e}");
        assert!(e.contains("prefer team set overlap 3"), "{e}");
    }

    #[test]
    fn set_overlap_writes_the_file_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let labels = dir.path().join("set.labels");
        assert_eq!(overlap(&labels).unwrap(), None);
        set_overlap(&labels, 2).unwrap();
        assert_eq!(overlap(&labels).unwrap(), Some(2));
        set_overlap(&labels, 3).unwrap();
        assert_eq!(overlap(&labels).unwrap(), Some(3));
        // No temporary file is left beside it.
        let names: Vec<_> = std::fs::read_dir(&labels)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("prefer.toml")]);
    }

    #[test]
    fn a_broken_file_is_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(path(dir.path()), "overlap = 2\nowner = 1\n").unwrap();
        let e = set_overlap(dir.path(), 3).unwrap_err().to_string();
        assert!(e.contains("prefer.toml:2: unknown field `owner`"), "{e}");
        assert_eq!(
            std::fs::read_to_string(path(dir.path())).unwrap(),
            "overlap = 2\nowner = 1\n"
        );
    }
}
