//! The labels log on disk: open with an exclusive lock, repair a torn last line (keeping its
//! bytes aside), replay, and append events with fsync before they count as saved.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::bytes::LogBytes;
use super::codec::parse_events;
use super::decisions::Decisions;
pub use super::error::LogError;
use super::event::Event;
use super::progress::ReadProgress;
use super::replay;
use super::replay_cache::ReplayCache;

/// A log is read this many bytes at a time (the progress shown moves on after each).
const READ_PIECE: u64 = 8 << 20;

/// A log opened and locked, not yet read: see [`LabelLog::lock`].
pub struct LockedLog {
    path: PathBuf,
    file: File,
    /// This process made the file (it did not exist before the open).
    created: bool,
    /// Where the replay's tables are kept between starts, if anywhere.
    cache: Option<ReplayCache>,
    /// Kept while the log is replayed in full, let go at once when the replay starts from a
    /// cache (see [`LockedLog::holding_while_replaying`]).
    held: Option<Box<dyn Send>>,
}

impl std::fmt::Debug for LockedLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LockedLog")
            .field("path", &self.path)
            .field("created", &self.created)
            .field("cache", &self.cache)
            .finish_non_exhaustive()
    }
}

impl LockedLog {
    /// Keeps `held` (a hold on other background work, which then waits) while the log is
    /// replayed in full, and drops it before a replay that starts from the cache: that one is
    /// short and gains nothing from the other work waiting.
    pub fn holding_while_replaying(mut self, held: Box<dyn Send>) -> Self {
        self.held = Some(held);
        self
    }

    /// Keeps the replay's tables in `cache` between starts (see [`ReplayCache`]).
    pub fn with_replay_cache(mut self, cache: Option<ReplayCache>) -> Self {
        self.cache = cache;
        self
    }

    /// This process made the file (it did not exist before the open).
    pub fn created(&self) -> bool {
        self.created
    }

    /// Reads, repairs (a torn tail) and replays the log, counting the bytes read and the log
    /// taken in `progress` (the screen shows it while a big log is read).
    pub fn read_decisions(mut self, progress: &ReadProgress) -> Result<OpenedDecisions, LogError> {
        let path = self.path.clone();
        let cache = self.cache.clone();
        let mut held = self.held.take();
        let (log, bytes, torn) = self.read_bytes(progress)?;
        if cache
            .as_ref()
            .is_some_and(|c| c.may_hold(&path, bytes.len() as u64))
        {
            held = None;
        }
        let (decisions, events, _, lines) =
            replay::replay_own(&path, std::sync::Arc::new(bytes), cache.as_ref())?;
        drop(held);
        progress.log_done(events);
        Ok(OpenedDecisions {
            log,
            decisions,
            events,
            lines,
            torn,
        })
    }

    /// Reads and repairs the log; gives its complete bytes.
    fn read_bytes(
        self,
        progress: &ReadProgress,
    ) -> Result<(LabelLog, LogBytes, Option<TornTail>), LogError> {
        let LockedLog {
            path,
            mut file,
            created,
            cache: _,
            held: _,
        } = self;
        let path = path.as_path();
        let io = |source| LogError::Io {
            path: path.to_path_buf(),
            source,
        };
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        // A big log that ends in a whole line is mapped, not read (see `LogBytes`).
        if ends_in_newline(&mut file, size).map_err(io)?
            && let Some(bytes) = LogBytes::map(&file, size)
        {
            progress.read(size);
            let identity = file_identity(&file.metadata().map_err(io)?);
            let log = LabelLog {
                path: path.to_path_buf(),
                file,
                len: size,
                identity,
                created,
                syncs: 0,
            };
            return Ok((log, bytes, None));
        }
        let mut bytes = Vec::new();
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        // In pieces, so the screen can say how far a big log has come.
        bytes.reserve(size as usize);
        loop {
            let n = (&mut file)
                .take(READ_PIECE)
                .read_to_end(&mut bytes)
                .map_err(io)?;
            progress.read(n as u64);
            if n == 0 {
                break;
            }
        }

        // A torn tail: bytes after the last newline.
        let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let mut torn = None;
        if complete < bytes.len() {
            let tail = bytes[complete..].to_vec();
            let whole = std::str::from_utf8(&tail)
                .ok()
                .and_then(|t| serde_json::from_str::<Event>(t).ok())
                .is_some_and(|e| e.check().is_ok());
            if whole {
                // The line is complete but lost its newline: keep it, finish the line.
                file.write_all(b"\n").map_err(io)?;
                file.sync_data().map_err(io)?;
                bytes.push(b'\n');
                torn = Some(TornTail {
                    kept_at: None,
                    bytes: tail.len(),
                });
            } else {
                let aside = torn_path(path);
                write_aside(&aside, &tail).map_err(|source| LogError::Io {
                    path: aside.clone(),
                    source,
                })?;
                file.set_len(complete as u64).map_err(io)?;
                file.sync_all().map_err(io)?;
                torn = Some(TornTail {
                    kept_at: Some(aside),
                    bytes: tail.len(),
                });
                bytes.truncate(complete);
            }
        }

        let len = bytes.len() as u64;
        let identity = file_identity(&file.metadata().map_err(io)?);
        let log = LabelLog {
            path: path.to_path_buf(),
            file,
            len,
            identity,
            created,
            syncs: 0,
        };
        Ok((log, LogBytes::from(bytes), torn))
    }
}

/// True when the file's last byte (of `size`) is a newline: no torn tail to repair.
fn ends_in_newline(file: &mut File, size: u64) -> std::io::Result<bool> {
    if size == 0 {
        return Ok(false);
    }
    let mut last = [0u8];
    file.seek(SeekFrom::Start(size - 1))?;
    file.read_exact(&mut last)?;
    Ok(last[0] == b'\n')
}

/// A torn last line found (and dealt with) on open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TornTail {
    /// Where its bytes were kept; `None` when the line was complete JSON and was kept in the log.
    pub kept_at: Option<PathBuf>,
    pub bytes: usize,
}

/// An open, locked log.
#[derive(Debug)]
pub struct LabelLog {
    path: PathBuf,
    file: File,
    /// Length of the file after the last complete line: a failed append is cut back to it.
    len: u64,
    /// (device, inode) of the open file: if the path stops naming it (the log was moved or
    /// deleted), appends would go to a file nobody will read, so they are refused.
    identity: (u64, u64),
    /// This process made the file (it did not exist before the open).
    created: bool,
    /// Successful fsyncs of appended events. A crash test cannot see a missing fsync (a
    /// killed process leaves the page cache intact), so tests count them instead.
    syncs: u64,
}

/// What opening a log gives: the log, ready to append to, and what it already held.
#[derive(Debug)]
pub struct Opened {
    pub log: LabelLog,
    pub events: Vec<Event>,
    pub torn: Option<TornTail>,
}

/// What [`LabelLog::open_decisions`] gives: the log, ready to append to, and the decisions
/// its events leave standing.
#[derive(Debug)]
pub struct OpenedDecisions {
    pub log: LabelLog,
    pub decisions: Decisions,
    /// Number of events in the log.
    pub events: usize,
    /// Whole lines in the log (after a torn tail's repair), blank ones too.
    pub lines: u64,
    pub torn: Option<TornTail>,
}

impl LabelLog {
    /// Opens (creating if needed) and locks the log, repairs a torn tail, and replays it.
    /// A damaged line in the middle is an error and nothing is written.
    pub fn open(path: &Path) -> Result<Opened, LogError> {
        let (log, bytes, torn) = Self::open_bytes(path)?;
        let events = parse_events(path, &bytes)?;
        Ok(Opened { log, events, torn })
    }

    /// [`LabelLog::open`] for resuming: the standing decisions instead of every event, built
    /// without parsing each event in full (see [`Decisions`]); also the number of events.
    pub fn open_decisions(path: &Path) -> Result<OpenedDecisions, LogError> {
        Self::lock(path)?.read_decisions(&ReadProgress::default())
    }

    /// Opens (creating if needed) and locks the log without reading it: quick, so a log in use
    /// by another process is refused before anything else happens.
    pub fn lock(path: &Path) -> Result<LockedLog, LogError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| LogError::CreateDir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let (file, created) = Self::open_locked(path)?;
        Ok(LockedLog {
            path: path.to_path_buf(),
            file,
            created,
            cache: None,
            held: None,
        })
    }

    /// Opens, locks and repairs the log; gives its complete bytes.
    fn open_bytes(path: &Path) -> Result<(LabelLog, LogBytes, Option<TornTail>), LogError> {
        Self::lock(path)?.read_bytes(&ReadProgress::default())
    }

    /// Opens (creating if needed) and locks the file at `path`; true when this call created
    /// it. A process that gives up an empty log removes it while holding its lock (see
    /// [`LabelLog::remove_if_empty`]): a file locked after that is no longer at `path`, so it
    /// is let go and the path opened again.
    fn open_locked(path: &Path) -> Result<(File, bool), LogError> {
        let open_err = |source| LogError::Open {
            path: path.to_path_buf(),
            source,
        };
        for _ in 0..100 {
            let existed = path.exists();
            // Never through a symbolic link: in a shared folder another member may have
            // planted one.
            let file = crate::safefs::open_append(path).map_err(|source| {
                if source.kind() == std::io::ErrorKind::InvalidInput {
                    LogError::Refused { source }
                } else {
                    open_err(source)
                }
            })?;
            match file.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(LogError::Locked {
                        path: path.to_path_buf(),
                    });
                }
                Err(std::fs::TryLockError::Error(source)) => return Err(open_err(source)),
            }
            if still_named(path, &file).map_err(open_err)? {
                return Ok((file, !existed));
            }
        }
        Err(open_err(std::io::Error::other(
            "the file kept being removed while it was being opened",
        )))
    }

    /// Removes the log if this process created it and nothing was ever written to it, so a
    /// person who opened prefer and decided nothing leaves no empty log in the team's folder.
    /// Runs while the lock is still held. True when the file was removed.
    pub fn remove_if_empty(self) -> bool {
        let empty = self.len == 0 && self.file.metadata().is_ok_and(|m| m.len() == 0);
        self.created
            && empty
            && self.check_in_place().is_ok()
            && std::fs::remove_file(&self.path).is_ok()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one event as one line and fsyncs it. Fills in `at` and `uid` (see
    /// [`Event::stamp`]). On failure the
    /// file is cut back to its last complete line, so a retry never leaves a torn line behind.
    pub fn append(&mut self, event: &mut Event) -> std::io::Result<()> {
        self.check_in_place()?;
        event.stamp();
        let mut line = serde_json::to_vec(event).map_err(std::io::Error::other)?;
        line.push(b'\n');
        let result = self.file.write_all(&line).and_then(|()| self.sync());
        match result {
            Ok(()) => {
                self.len += line.len() as u64;
                Ok(())
            }
            Err(e) => {
                let _ = self.file.set_len(self.len);
                let _ = self.file.sync_data();
                Err(e)
            }
        }
    }
}

impl LabelLog {
    /// fsyncs the data written so far and counts it.
    fn sync(&mut self) -> std::io::Result<()> {
        self.file.sync_data()?;
        self.syncs += 1;
        Ok(())
    }

    /// How many appended events were fsynced (one per successful [`LabelLog::append`]).
    pub fn syncs(&self) -> u64 {
        self.syncs
    }

    /// Fails when the log's path no longer names the file this process has open: it was moved,
    /// deleted or replaced during the session. Putting it back makes appends work again.
    pub fn check_in_place(&self) -> std::io::Result<()> {
        match std::fs::metadata(&self.path) {
            Ok(m) if file_identity(&m) == self.identity => Ok(()),
            Ok(_) => Err(std::io::Error::other(format!(
                "the labels log {} was replaced by another file during this session; move the original back",
                self.path.display()
            ))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(std::io::Error::other(format!(
                    "the labels log {} was moved or deleted during this session; put it back",
                    self.path.display()
                )))
            }
            Err(e) => Err(e),
        }
    }
}

/// True when `path` still names the open `file`: it was not removed (or replaced) since it
/// was opened.
fn still_named(path: &Path, file: &File) -> std::io::Result<bool> {
    let mine = file_identity(&file.metadata()?);
    Ok(std::fs::metadata(path).is_ok_and(|m| file_identity(&m) == mine))
}

fn file_identity(m: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (m.dev(), m.ino())
}

/// `<log>.torn-<unix millis>`: never overwrites an earlier one.
fn torn_path(log: &Path) -> PathBuf {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    torn_path_at(log, millis)
}

/// `<log>.torn-<millis>`, or with `-1`, `-2`, ... after it when that name is taken.
fn torn_path_at(log: &Path, millis: u128) -> PathBuf {
    let name = log
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "labels.jsonl".into());
    let mut n = 0;
    loop {
        let suffix = if n == 0 {
            format!("{name}.torn-{millis}")
        } else {
            format!("{name}.torn-{millis}-{n}")
        };
        let p = log.with_file_name(suffix);
        if std::fs::symlink_metadata(&p).is_err() {
            return p;
        }
        n += 1;
    }
}

fn write_aside(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = crate::safefs::create_new(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Reads a log without locking or repairing it (for review, export and stats, which only read).
/// A torn last line is left out and reported as the second value (its byte count).
pub fn read_log(path: &Path) -> Result<(Vec<Event>, Option<usize>), LogError> {
    let bytes = std::fs::read(path).map_err(|source| LogError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let tail = bytes.len() - complete;
    // A complete event without its newline still counts.
    let mut events = parse_events(path, &bytes[..complete])?;
    let mut torn = (tail > 0).then_some(tail);
    if tail > 0
        && let Ok(e) = parse_events(path, &bytes[complete..])
    {
        events.extend(e);
        torn = None;
    }
    Ok((events, torn))
}

/// [`read_log`] for replay: the decisions the log leaves standing (events are parsed in full
/// only when asked for, see [`Decisions`]), and the byte count of a torn last line left out.
pub fn read_decisions(path: &Path) -> Result<(Decisions, Option<usize>), LogError> {
    let (bytes, torn) = read_complete(path)?;
    let mut d = Decisions::new();
    replay::replay_into(&mut d, path, std::sync::Arc::new(LogBytes::from(bytes)))?;
    Ok((d, torn))
}

/// A log's bytes without a torn last line (a complete event without its newline is kept), and
/// the byte count of the torn line left out.
pub(crate) fn read_complete(path: &Path) -> Result<(Vec<u8>, Option<usize>), LogError> {
    let mut bytes = std::fs::read(path).map_err(|source| LogError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let tail = bytes.len() - complete;
    // A complete event without its newline still counts.
    let mut torn = (tail > 0).then_some(tail);
    if tail > 0 {
        if parse_events(path, &bytes[complete..]).is_ok() {
            torn = None;
        } else {
            bytes.truncate(complete);
        }
    }
    Ok((bytes, torn))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::{TaskKind, default_log_path};

    fn decision(item: &str) -> Event {
        let mut e = Event::new("alice", item, Some("h"), TaskKind::Rank);
        e.ranking = Some(vec![vec!["c0".into()], vec!["c1".into()]]);
        e.ms = Some(10);
        e
    }

    #[test]
    fn a_log_nobody_wrote_to_is_removed_and_others_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("labels").join("alice.jsonl");
        let opened = LabelLog::open(&path).unwrap();
        assert!(path.exists(), "made at start: the folder is writable");
        assert!(opened.log.remove_if_empty());
        assert!(!path.exists());

        let mut opened = LabelLog::open(&path).unwrap();
        opened.log.append(&mut decision("q1")).unwrap();
        assert!(!opened.log.remove_if_empty());
        assert_eq!(read_log(&path).unwrap().0.len(), 1);

        // An empty file that was there before is not this session's to remove.
        let other = dir.path().join("labels").join("bob.jsonl");
        std::fs::write(&other, "").unwrap();
        assert!(!LabelLog::open(&other).unwrap().log.remove_if_empty());
        assert!(other.exists());
    }

    #[test]
    fn a_log_removed_under_the_lock_is_opened_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alice.jsonl");
        let first = LabelLog::open(&path).unwrap();
        // Another process opened the path before the removal, and locks after it.
        let stale = std::fs::OpenOptions::new().read(true).open(&path).unwrap();
        assert!(first.log.remove_if_empty());
        assert!(file_identity(&stale.metadata().unwrap()) != (0, 0));
        let mut again = LabelLog::open(&path).unwrap();
        again.log.append(&mut decision("q1")).unwrap();
        assert_eq!(read_log(&path).unwrap().0.len(), 1);
    }

    /// The lock is taken after the open: a file removed by another process (giving up its
    /// empty log) in between is no longer the log, and is let go.
    #[test]
    fn a_file_removed_or_replaced_after_it_was_opened_is_not_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alice.jsonl");
        std::fs::write(&path, "").unwrap();
        let f = File::open(&path).unwrap();
        assert!(still_named(&path, &f).unwrap());
        std::fs::remove_file(&path).unwrap();
        assert!(!still_named(&path, &f).unwrap());
        std::fs::write(&path, "").unwrap();
        assert!(!still_named(&path, &f).unwrap());
    }

    #[test]
    fn write_then_replay() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/alice.jsonl");
        {
            let mut o = LabelLog::open(&path).unwrap();
            assert!(o.events.is_empty());
            o.log.append(&mut decision("a")).unwrap();
            o.log.append(&mut decision("b")).unwrap();
        }
        let o = LabelLog::open(&path).unwrap();
        assert_eq!(o.events.len(), 2);
        assert_eq!(o.events[1].item, "b");
        assert!(o.events[0].at.ends_with('Z'));
        assert!(o.torn.is_none());
    }

    /// Fails if an append returns (and the screen says "saved") before its line is fsynced:
    /// a power cut would lose it, and no kill test can see that.
    #[test]
    fn every_append_is_fsynced_before_it_returns() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alice.jsonl");
        let mut o = LabelLog::open(&path).unwrap();
        assert_eq!(o.log.syncs(), 0);
        for (n, item) in ["a", "b", "c"].into_iter().enumerate() {
            o.log.append(&mut decision(item)).unwrap();
            assert_eq!(o.log.syncs(), n as u64 + 1, "append of {item}");
        }
        // A refused append (the log was moved away) writes and syncs nothing.
        let moved = dir.path().join("moved.jsonl");
        std::fs::rename(&path, &moved).unwrap();
        o.log.append(&mut decision("d")).unwrap_err();
        assert_eq!(o.log.syncs(), 3);
    }

    #[test]
    fn torn_tail_is_cut_and_kept_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alice.jsonl");
        {
            let mut o = LabelLog::open(&path).unwrap();
            o.log.append(&mut decision("a")).unwrap();
        }
        let good = std::fs::read(&path).unwrap();
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(b"{\"v\":1,\"annotator\":\"al").unwrap();
        drop(f);
        let o = LabelLog::open(&path).unwrap();
        let torn = o.torn.clone().unwrap();
        let aside = torn.kept_at.unwrap();
        assert_eq!(
            std::fs::read(&aside).unwrap(),
            b"{\"v\":1,\"annotator\":\"al"
        );
        assert_eq!(std::fs::read(&path).unwrap(), good);
        assert_eq!(o.events.len(), 1);
    }

    #[test]
    fn complete_line_without_newline_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alice.jsonl");
        let mut e = decision("a");
        e.at = "2026-01-01T00:00:00.000Z".into();
        std::fs::write(&path, serde_json::to_vec(&e).unwrap()).unwrap();
        let o = LabelLog::open(&path).unwrap();
        assert_eq!(o.events, vec![e]);
        assert_eq!(o.torn.unwrap().kept_at, None);
        assert!(std::fs::read(&path).unwrap().ends_with(b"\n"));
    }

    #[test]
    fn damaged_middle_line_is_an_error_and_nothing_changes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alice.jsonl");
        let line = serde_json::to_string(&decision("a")).unwrap();
        let content = format!("{line}\n{{oops\n{line}\n");
        std::fs::write(&path, &content).unwrap();
        let err = LabelLog::open(&path).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("alice.jsonl:2: damaged labels event"), "{msg}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), content);
    }

    #[test]
    fn second_open_is_refused_while_first_holds_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alice.jsonl");
        let first = LabelLog::open(&path).unwrap();
        let err = LabelLog::open(&path).unwrap_err();
        assert!(matches!(err, LogError::Locked { .. }), "{err}");
        drop(first);
        LabelLog::open(&path).unwrap();
    }

    #[test]
    fn appends_are_refused_while_the_log_is_moved_away() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alice.jsonl");
        let mut o = LabelLog::open(&path).unwrap();
        o.log.append(&mut decision("a")).unwrap();
        let moved = dir.path().join("moved.jsonl");
        std::fs::rename(&path, &moved).unwrap();
        let err = o.log.append(&mut decision("b")).unwrap_err();
        assert!(err.to_string().contains("moved or deleted"), "{err}");
        std::fs::rename(&moved, &path).unwrap();
        o.log.append(&mut decision("b")).unwrap();
        drop(o);
        assert_eq!(LabelLog::open(&path).unwrap().events.len(), 2);
    }

    #[test]
    fn big_logs_parse_in_pieces_in_order_and_name_the_first_bad_line() {
        let mut text = String::new();
        let mut n = 0;
        while text.len() < 20 << 20 {
            n += 1;
            let mut e = decision(&format!("item-{n}"));
            e.at = "2026-01-01T00:00:00.000Z".into();
            text.push_str(&serde_json::to_string(&e).unwrap());
            text.push_str(if n % 1000 == 0 { "\n\n" } else { "\n" });
        }
        let lines = text.lines().count();
        let events = parse_events(Path::new("x.jsonl"), text.as_bytes()).unwrap();
        assert_eq!(events.len(), n);
        assert!(
            events
                .iter()
                .enumerate()
                .all(|(i, e)| e.item == format!("item-{}", i + 1))
        );
        // Two damaged lines far apart: the earlier one is reported, with its line number.
        let mut bad: Vec<&str> = text.split('\n').collect();
        let (early, late) = (lines * 2 / 3, lines - 5);
        bad[early] = "{oops";
        bad[late] = "{oops";
        let err = parse_events(Path::new("x.jsonl"), bad.join("\n").as_bytes()).unwrap_err();
        assert!(
            err.to_string()
                .contains(&format!("x.jsonl:{}: damaged", early + 1)),
            "{err}"
        );
    }

    /// A log of `n` decisions, each line as [`decision`] with a fixed time, and its bytes.
    fn log_of(path: &Path, n: usize) -> Vec<u8> {
        let mut bytes = Vec::new();
        for i in 0..n {
            let mut e = decision(&format!("item-{i}"));
            e.at = "2026-01-01T00:00:00.000Z".into();
            bytes.extend(serde_json::to_vec(&e).unwrap());
            bytes.push(b'\n');
        }
        std::fs::write(path, &bytes).unwrap();
        bytes
    }

    /// A big log is read in pieces (or mapped): a torn tail must be found after the last
    /// piece, not the first, or the repair cuts the log back to where the first piece ended.
    #[test]
    fn a_big_log_is_mapped_and_one_with_a_torn_tail_is_read_whole_and_repaired() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alice.jsonl");
        // More than one piece of READ_PIECE bytes, and past the size that is mapped.
        let line = log_of(&path, 1);
        let good = line.repeat((READ_PIECE as usize + READ_PIECE as usize / 4) / line.len());
        std::fs::write(&path, &good).unwrap();
        assert!(good.len() as u64 > READ_PIECE);
        {
            let (log, bytes, torn) = LabelLog::open_bytes(&path).unwrap();
            assert_eq!(
                format!("{bytes:?}"),
                format!("LogBytes({} bytes, mapped)", good.len())
            );
            assert!(bytes[..] == good[..]);
            assert_eq!((log.len, torn), (good.len() as u64, None));
        }
        let tail = b"{\"v\":1,\"annotator\":\"al";
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(tail).unwrap();
        drop(f);
        let (log, bytes, torn) = LabelLog::open_bytes(&path).unwrap();
        assert_eq!(
            format!("{bytes:?}"),
            format!("LogBytes({} bytes, read)", good.len())
        );
        assert!(bytes[..] == good[..], "every whole line read");
        let torn = torn.unwrap();
        assert_eq!(torn.bytes, tail.len());
        assert_eq!(std::fs::read(torn.kept_at.unwrap()).unwrap(), tail);
        assert_eq!(log.len, good.len() as u64);
        drop(log);
        assert!(
            std::fs::read(&path).unwrap() == good,
            "the log is its whole lines again"
        );
    }

    #[test]
    fn a_small_log_is_read_and_an_empty_one_opens_empty() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alice.jsonl");
        let (log, bytes, torn) = LabelLog::open_bytes(&path).unwrap();
        assert_eq!(format!("{bytes:?}"), "LogBytes(0 bytes, read)");
        assert_eq!((log.len, torn), (0, None));
        drop(log);
        let good = log_of(&path, 3);
        let (log, bytes, torn) = LabelLog::open_bytes(&path).unwrap();
        assert_eq!(
            format!("{bytes:?}"),
            format!("LogBytes({} bytes, read)", good.len())
        );
        assert_eq!(&bytes[..], &good[..]);
        assert_eq!((log.len, torn), (good.len() as u64, None));
    }

    #[test]
    fn torn_tails_are_kept_under_names_that_never_overwrite_one_another() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("alice.jsonl");
        let name = |n: &str| dir.path().join(format!("alice.jsonl.torn-1234{n}"));
        assert_eq!(torn_path_at(&log, 1234), name(""));
        std::fs::write(name(""), "x").unwrap();
        assert_eq!(torn_path_at(&log, 1234), name("-1"));
        std::fs::write(name("-1"), "x").unwrap();
        assert_eq!(torn_path_at(&log, 1234), name("-2"));
        // The time is now's, in milliseconds.
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis();
        let got = torn_path(&log);
        let millis: u128 = got
            .to_string_lossy()
            .rsplit("torn-")
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!((now..now + 60_000).contains(&millis), "{got:?}");
    }

    /// The lock only keeps other prefer processes out: a file another program wrote to is not
    /// this session's empty log, even if this session wrote nothing.
    #[test]
    fn a_log_another_program_wrote_to_is_never_removed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alice.jsonl");
        let opened = LabelLog::open(&path).unwrap();
        std::fs::write(&path, "{}\n").unwrap();
        assert!(!opened.log.remove_if_empty());
        assert_eq!(std::fs::read(&path).unwrap(), b"{}\n");
    }

    #[test]
    fn appends_are_refused_once_another_file_replaces_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alice.jsonl");
        let mut o = LabelLog::open(&path).unwrap();
        o.log.append(&mut decision("a")).unwrap();
        let other = dir.path().join("other.jsonl");
        std::fs::write(&other, "").unwrap();
        std::fs::rename(&other, &path).unwrap();
        let err = o.log.append(&mut decision("b")).unwrap_err();
        assert!(
            err.to_string().contains("was replaced by another file"),
            "{err}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), b"");
        // Nor is a replaced log removed as this session's empty one.
        let dir2 = tempfile::tempdir().unwrap();
        let path2 = dir2.path().join("bob.jsonl");
        let fresh = LabelLog::open(&path2).unwrap();
        std::fs::write(&other, "").unwrap();
        std::fs::rename(&other, &path2).unwrap();
        assert!(!fresh.log.remove_if_empty());
        assert!(path2.exists());
    }

    /// Only a log that is gone is reported as moved or deleted: another failure to look at its
    /// path (here a loop of links where its folder was) is reported as it is.
    #[test]
    fn a_path_that_cannot_be_looked_at_is_not_called_moved() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("alice.jsonl");
        let mut o = LabelLog::open(&path).unwrap();
        std::fs::rename(dir.path().join("sub"), dir.path().join("away")).unwrap();
        std::os::unix::fs::symlink("sub", dir.path().join("sub")).unwrap();
        let err = o.log.append(&mut decision("a")).unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::ELOOP), "{err}");
        assert!(!err.to_string().contains("moved or deleted"), "{err}");
        // Gone for good: that is what "moved or deleted" says.
        std::fs::remove_file(dir.path().join("sub")).unwrap();
        let err = o.log.append(&mut decision("a")).unwrap_err();
        assert!(err.to_string().contains("moved or deleted"), "{err}");
    }

    #[test]
    fn a_locked_log_says_which_file_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alice.jsonl");
        let locked = LabelLog::lock(&path).unwrap();
        assert!(locked.created());
        let shown = format!("{locked:?}");
        assert!(
            shown.contains("alice.jsonl") && shown.contains("created: true"),
            "{shown}"
        );
        drop(locked);
        assert!(!LabelLog::lock(&path).unwrap().created());
    }

    /// Readers that do not lock (review, export, stats) leave a torn last line out and say how
    /// long it was, keep a complete last event that only lost its newline, and change nothing.
    #[test]
    fn readers_leave_a_torn_line_out_keep_a_complete_one_and_write_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alice.jsonl");
        let good = log_of(&path, 3);
        let check = |bytes: &[u8], events: usize, torn: Option<usize>| {
            std::fs::write(&path, bytes).unwrap();
            let (got, t) = read_log(&path).unwrap();
            assert_eq!((got.len(), t), (events, torn), "read_log");
            assert!(
                got.iter()
                    .enumerate()
                    .all(|(i, e)| e.item == format!("item-{i}"))
            );
            let (d, t) = read_decisions(&path).unwrap();
            assert_eq!((d.decided_count(), t), (events, torn), "read_decisions");
            let (b, t) = read_complete(&path).unwrap();
            let kept = bytes.len() - torn.unwrap_or(0);
            assert_eq!((&b[..], t), (&bytes[..kept], torn), "read_complete");
            assert_eq!(std::fs::read(&path).unwrap(), bytes, "nothing written");
        };
        check(b"", 0, None);
        check(&good, 3, None);
        let mut torn = good.clone();
        let tail = b"{\"v\":1,\"annot";
        torn.extend(tail);
        check(&torn, 3, Some(tail.len()));
        // The third event without its newline.
        check(&good[..good.len() - 1], 3, None);
        // Only a torn line.
        check(b"{\"v\":1", 0, Some(6));
    }

    /// A link planted under the log's name is refused with what it is (not "check that the
    /// folder is writable"), and nothing is written through it.
    #[test]
    fn a_link_where_the_log_belongs_is_refused_as_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("bashrc");
        std::fs::write(&target, "keep").unwrap();
        let path = dir.path().join("alice.jsonl");
        std::os::unix::fs::symlink(&target, &path).unwrap();
        let err = LabelLog::open(&path).unwrap_err();
        assert!(matches!(err, LogError::Refused { .. }), "{err:?}");
        assert!(err.to_string().contains("is a symbolic link"), "{err}");
        assert_eq!(std::fs::read(&target).unwrap(), b"keep");
        // A log opened where it belongs says where that is.
        let real = dir.path().join("bob.jsonl");
        assert_eq!(LabelLog::open(&real).unwrap().log.path(), real);
    }

    #[test]
    fn default_path_sits_next_to_the_input() {
        assert_eq!(
            default_log_path(Path::new("data/set.jsonl"), "bob"),
            PathBuf::from("data/set.labels/bob.jsonl")
        );
    }
}
