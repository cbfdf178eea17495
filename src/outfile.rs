//! Writing the whole output file so that a crash or an error never leaves a half-written file
//! under the real name: write a temporary file next to it, fsync, then rename over. An output
//! that is not a file (`/dev/null`, `/dev/stdout`, a pipe such as `>(gzip > out.gz)`) is
//! written straight into: renaming over it would replace the device or pipe with a file
//! (as root, `-o /dev/null` once turned the machine's /dev/null into a plain file).

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// A file being written under a temporary name; [`AtomicFile::commit`] puts it in place.
/// Dropped without commit, the temporary file is removed.
pub struct AtomicFile {
    target: PathBuf,
    /// `None` when writing straight into a device or pipe.
    temp: Option<PathBuf>,
    writer: Option<BufWriter<File>>,
}

/// True for a target written into directly: one that exists and is not a file or folder (a
/// device, a pipe), and anything under `/dev` or `/proc` (`/dev/stdout` is a link to
/// `/proc/self/fd/1`, which may be a plain file when stdout is redirected: renaming over the
/// link would put a file in `/dev`).
pub fn writes_through(target: &Path) -> bool {
    if target.starts_with("/dev") || target.starts_with("/proc") {
        return true;
    }
    std::fs::metadata(target).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

impl AtomicFile {
    /// Creates the temporary file in the target's folder (a rename across file systems is not
    /// atomic, so it must be the same folder).
    pub fn create(target: &Path) -> std::io::Result<AtomicFile> {
        if writes_through(target) {
            // Appending: a device or pipe does not care, and `/dev/stdout` redirected to a
            // file (`> out` or `>> out`) goes on where the shell left it.
            let f = OpenOptions::new().append(true).open(target)?;
            return Ok(AtomicFile {
                target: target.to_path_buf(),
                temp: None,
                writer: Some(BufWriter::with_capacity(1 << 16, f)),
            });
        }
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        let mut attempt = 0u32;
        loop {
            let temp = dir.join(format!(".{name}.tmp-{}-{attempt}", std::process::id()));
            match OpenOptions::new().write(true).create_new(true).open(&temp) {
                Ok(f) => {
                    return Ok(AtomicFile {
                        target: target.to_path_buf(),
                        temp: Some(temp),
                        writer: Some(BufWriter::with_capacity(1 << 16, f)),
                    });
                }
                // A leftover from an earlier crashed run with the same pid: pick another name.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => {
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Flushes, fsyncs and renames the temporary file over the target, then fsyncs the folder
    /// so the rename itself survives a power cut.
    pub fn commit(mut self) -> std::io::Result<()> {
        let writer = self.writer.take().expect("commit is called once");
        let file = writer.into_inner().map_err(|e| e.into_error())?;
        let Some(temp) = &self.temp else {
            // A device or pipe: written, nothing to put in place (and a pipe cannot be synced).
            return Ok(());
        };
        file.sync_all()?;
        drop(file);
        std::fs::rename(temp, &self.target)?;
        #[cfg(unix)]
        if let Some(dir) = self.target.parent() {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.writer.as_mut().expect("not yet committed").write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.writer.as_mut().expect("not yet committed").flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.writer.take().is_some()
            && let Some(temp) = &self.temp
        {
            let _ = std::fs::remove_file(temp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropped_without_commit_leaves_nothing() {
        let dir = std::env::temp_dir().join(format!("prefer-atomic-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let target = dir.join("out.jsonl");
        {
            let mut f = AtomicFile::create(&target).unwrap();
            f.write_all(b"partial").unwrap();
        }
        assert!(!target.exists());
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
        let mut f = AtomicFile::create(&target).unwrap();
        f.write_all(b"whole\n").unwrap();
        f.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "whole\n");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_device_or_pipe_is_written_into_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let null = Path::new("/dev/null");
        let mut f = AtomicFile::create(null).unwrap();
        f.write_all(b"gone\n").unwrap();
        f.commit().unwrap();
        assert!(
            std::fs::metadata(null)
                .unwrap()
                .file_type()
                .is_char_device()
        );
        // A named pipe, read on another thread.
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
        };
        let mut f = AtomicFile::create(&fifo).unwrap();
        f.write_all(b"through\n").unwrap();
        f.commit().unwrap();
        assert_eq!(reader.join().unwrap(), "through\n");
        assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn paths_under_dev_and_proc_are_written_through_and_files_are_not() {
        assert!(writes_through(Path::new("/dev/stdout")));
        assert!(writes_through(Path::new("/proc/self/fd/1")));
        assert!(writes_through(Path::new("/dev/null")));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("out.jsonl");
        assert!(!writes_through(&file));
        std::fs::write(&file, "").unwrap();
        assert!(!writes_through(&file));
        assert!(!writes_through(dir.path()));
    }
}
