//! A log's complete bytes, kept while the decisions replayed from it point into them: read into
//! memory; for the labeler's own big log, mapped from the page cache; for a teammate's log
//! whose replay came whole from the cache, read later (see [`LogBytes::deferred`]).
//!
//! Mapping saves what reading costs before the first screen: copying 200 MB of a
//! million-event log out of the page cache into fresh memory (about a quarter of the CPU a
//! resume took), and it lets the replay start on the first piece at once.

use std::fs::File;
use std::io::{Read, Seek};
use std::ops::Deref;
use std::path::PathBuf;
use std::sync::OnceLock;

/// Below this a log is read: a mapping costs more than a copy of a small file.
const MAP_FROM: u64 = 4 << 20;

/// The bytes of a log's complete lines.
pub struct LogBytes(Inner);

enum Inner {
    Read(Vec<u8>),
    Mapped(memmap2::Mmap),
    Deferred(Box<Deferred>),
}

/// Says whether bytes read from a file (open as the first argument) are those expected.
pub(crate) type Check = Box<dyn Fn(&File, &[u8]) -> bool + Send + Sync>;

/// A log's first `len` bytes, not read yet: read by [`LogBytes::fill`] or on first use, and
/// checked then to be the bytes the replay was made of.
struct Deferred {
    path: PathBuf,
    /// Opened when the replay was made: a log replaced since (renamed over) is still read
    /// as it was.
    file: File,
    len: usize,
    /// True when the bytes read are those the replay describes (see [`LogBytes::deferred`]).
    check: Check,
    bytes: OnceLock<Result<Vec<u8>, String>>,
}

impl Deferred {
    fn get(&self) -> &Result<Vec<u8>, String> {
        self.bytes.get_or_init(|| {
            let mut buf = vec![0; self.len];
            // Only ever read here, once (the lock's own initialisation).
            let mut f = &self.file;
            let read = f
                .seek(std::io::SeekFrom::Start(0))
                .and_then(|_| f.read_exact(&mut buf));
            match read {
                Ok(()) if (self.check)(&self.file, &buf) => Ok(buf),
                Ok(()) => Err(format!(
                    "{} was rewritten (not appended to) while prefer was starting; run the same command again to read it as it is now",
                    self.path.display()
                )),
                Err(e) => Err(format!(
                    "cannot read {} again: {e}; run the same command again",
                    self.path.display()
                )),
            }
        })
    }
}

impl LogBytes {
    /// The first `len` bytes of `file`, mapped when the file is big enough to gain by it; `None`
    /// when it is not (or the mapping fails): read it instead.
    ///
    /// Only for the labeler's own log while this process holds its lock: prefer only ever
    /// appends to a locked log (appends past `len` leave the mapping alone), so the mapped
    /// bytes do not change under the replay. Another program cutting the file short meanwhile
    /// would end the process with SIGBUS, as with any mapped file.
    pub(crate) fn map(file: &File, len: u64) -> Option<Self> {
        if len < MAP_FROM {
            return None;
        }
        let len = usize::try_from(len).ok()?;
        // SAFETY: the file is this process's own locked log, only ever appended to (see above);
        // the mapping is read-only and no longer than the file was when measured.
        let map = unsafe { memmap2::MmapOptions::new().len(len).map(file) }.ok()?;
        // Read front to back once by the replay: ask for read-ahead of the whole.
        let _ = map.advise(memmap2::Advice::Sequential);
        Some(Self(Inner::Mapped(map)))
    }

    /// The first `len` bytes of the log at `path` (opened as `file`), read when first needed or
    /// by [`LogBytes::fill`]. For a teammate's log whose replay came whole from the replay
    /// cache: the start needs only the replay's tables, and reading 50 such logs was the
    /// larger part of a team's start. `check` says whether the bytes then read are the ones
    /// the replay was made of; when they are not (the log was rewritten in between), using
    /// them panics with a message that says so ([`LogBytes::fill`] does not).
    pub(crate) fn deferred(path: PathBuf, file: File, len: usize, check: Check) -> Self {
        Self(Inner::Deferred(Box::new(Deferred {
            path,
            file,
            len,
            check,
            bytes: OnceLock::new(),
        })))
    }

    /// Reads deferred bytes now, if they are not read yet; false when they could not be read
    /// as they were (see [`LogBytes::deferred`]). Never panics.
    pub fn fill(&self) -> bool {
        match &self.0 {
            Inner::Deferred(d) => d.get().is_ok(),
            _ => true,
        }
    }

    /// True for deferred bytes not read yet.
    pub fn is_deferred(&self) -> bool {
        matches!(&self.0, Inner::Deferred(d) if d.bytes.get().is_none())
    }

    /// Number of bytes (without reading deferred ones).
    pub fn len(&self) -> usize {
        match &self.0 {
            Inner::Read(v) => v.len(),
            Inner::Mapped(m) => m.len(),
            Inner::Deferred(d) => d.len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl From<Vec<u8>> for LogBytes {
    fn from(bytes: Vec<u8>) -> Self {
        Self(Inner::Read(bytes))
    }
}

impl Deref for LogBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match &self.0 {
            Inner::Read(v) => v,
            Inner::Mapped(m) => m,
            Inner::Deferred(d) => match d.get() {
                Ok(v) => v,
                // The decisions replayed from these bytes point into bytes no longer there:
                // nothing sound can be shown from them.
                Err(why) => panic!("{why}"),
            },
        }
    }
}

impl AsRef<[u8]> for LogBytes {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl std::fmt::Debug for LogBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let how = match &self.0 {
            Inner::Read(_) => "read",
            Inner::Mapped(_) => "mapped",
            Inner::Deferred(d) if d.bytes.get().is_none() => "deferred",
            Inner::Deferred(_) => "deferred, read",
        };
        write!(f, "LogBytes({} bytes, {how})", self.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_big_file_is_mapped_and_reads_as_its_bytes_a_small_one_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.jsonl");
        let line = b"{\"x\":1}\n";
        let mut f = File::create(&path).unwrap();
        let n = (MAP_FROM as usize / line.len()) + 1;
        for _ in 0..n {
            f.write_all(line).unwrap();
        }
        drop(f);
        let f = File::open(&path).unwrap();
        let len = f.metadata().unwrap().len();
        let mapped = LogBytes::map(&f, len).expect("mapped");
        assert!(format!("{mapped:?}").contains("mapped"));
        assert_eq!(&mapped[..], &std::fs::read(&path).unwrap()[..]);
        // Only as far as asked: bytes appended later are not part of it.
        let shorter = LogBytes::map(&f, len - line.len() as u64).unwrap();
        assert_eq!(shorter.len() as u64, len - line.len() as u64);
        assert!(LogBytes::map(&f, MAP_FROM - 1).is_none());
    }

    /// Deferred bytes tell their length without being read, say in `Debug` whether they were
    /// read, and once read are the file's first `len` bytes however they are asked for.
    #[test]
    fn deferred_bytes_are_read_when_first_used_and_say_so() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.jsonl");
        std::fs::write(&path, b"{\"x\":1}\n{\"x\":2}\n").unwrap();
        let file = File::open(&path).unwrap();
        let bytes = LogBytes::deferred(path, file, 8, Box::new(|_, _| true));
        assert_eq!((bytes.len(), bytes.is_empty()), (8, false));
        assert!(
            bytes.is_deferred(),
            "its length is known without reading it"
        );
        assert_eq!(format!("{bytes:?}"), "LogBytes(8 bytes, deferred)");
        let read: &[u8] = bytes.as_ref();
        assert_eq!(read, b"{\"x\":1}\n");
        assert_eq!(format!("{bytes:?}"), "LogBytes(8 bytes, deferred, read)");
        let empty = LogBytes::from(Vec::new());
        assert!(empty.is_empty());
        assert_eq!(format!("{empty:?}"), "LogBytes(0 bytes, read)");
        let one = LogBytes::from(b"{}\n".to_vec());
        assert!(!one.is_empty());
        assert_eq!(one.as_ref(), b"{}\n");
    }
}
