//! How far reading the labels logs at a session's start has come: written by the thread that
//! reads them, read by the screen that shows a progress line meanwhile.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};

/// Counters of a history being read; all of them only grow.
#[derive(Debug, Default)]
pub struct ReadProgress {
    logs_total: AtomicUsize,
    logs_done: AtomicUsize,
    bytes_total: AtomicU64,
    bytes_read: AtomicU64,
    events: AtomicUsize,
}

/// The counters at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadCounts {
    pub logs_total: usize,
    pub logs_done: usize,
    pub bytes_total: u64,
    pub bytes_read: u64,
    /// Events taken in from the logs done.
    pub events: usize,
}

impl ReadProgress {
    /// `logs` more logs of `bytes` bytes in all are to be read.
    pub fn expect(&self, logs: usize, bytes: u64) {
        self.logs_total.fetch_add(logs, Relaxed);
        self.bytes_total.fetch_add(bytes, Relaxed);
    }

    /// `bytes` more bytes were read.
    pub fn read(&self, bytes: u64) {
        self.bytes_read.fetch_add(bytes, Relaxed);
    }

    /// One log is taken in, with its `events`.
    pub fn log_done(&self, events: usize) {
        self.logs_done.fetch_add(1, Relaxed);
        self.events.fetch_add(events, Relaxed);
    }

    pub fn counts(&self) -> ReadCounts {
        ReadCounts {
            logs_total: self.logs_total.load(Relaxed),
            logs_done: self.logs_done.load(Relaxed),
            bytes_total: self.bytes_total.load(Relaxed),
            bytes_read: self.bytes_read.load(Relaxed),
            events: self.events.load(Relaxed),
        }
    }
}

/// Size of the file at `path` (0 when it cannot be read: it is then not counted).
pub fn file_size(path: &std::path::Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each counter adds up what the reader told it, apart from the others.
    #[test]
    fn the_counts_add_up_what_the_reader_told_them() {
        let p = ReadProgress::default();
        p.expect(2, 300);
        p.expect(1, 50);
        p.read(120);
        p.read(30);
        p.log_done(7);
        p.log_done(0);
        assert_eq!(
            p.counts(),
            ReadCounts {
                logs_total: 3,
                logs_done: 2,
                bytes_total: 350,
                bytes_read: 150,
                events: 7,
            }
        );
    }

    /// A file's size is its length in bytes; a file that cannot be looked at counts 0.
    #[test]
    fn a_files_size_is_its_length_or_0() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jsonl");
        std::fs::write(&path, b"12345").unwrap();
        assert_eq!(file_size(&path), 5);
        assert_eq!(file_size(&dir.path().join("gone.jsonl")), 0);
    }
}
