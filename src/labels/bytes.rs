//! A log's complete bytes, kept while the decisions replayed from it point into them: read into
//! memory, or, for the labeler's own big log, mapped from the page cache.
//!
//! Mapping saves what reading costs before the first screen: copying 200 MB of a
//! million-event log out of the page cache into fresh memory (about a quarter of the CPU a
//! resume took), and it lets the replay start on the first piece at once.

use std::fs::File;
use std::ops::Deref;

/// Below this a log is read: a mapping costs more than a copy of a small file.
const MAP_FROM: u64 = 4 << 20;

/// The bytes of a log's complete lines.
pub struct LogBytes(Inner);

enum Inner {
    Read(Vec<u8>),
    Mapped(memmap2::Mmap),
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
}
