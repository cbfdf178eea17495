//! The tables a replay of the labeler's own log built, kept between starts so the next start
//! replays only the lines added since: a million-event log otherwise costs about a second of
//! CPU on every start, spent checking and replaying lines that have not changed.
//!
//! A cache, never a source of truth: the labels log stays the only record. A cache file says
//! which first bytes of the log it covers and holds their BLAKE3 hash; it is used only when the
//! log still begins with exactly those bytes (so a log cut back, repaired or edited by hand is
//! replayed in full), and only when its own contents hash to what it recorded. The hash of the
//! log is skipped when the log is exactly as it was when the cache was written, as the file
//! system tells it: the same file (device and inode), length, modification and change times,
//! recorded only for a log last changed well before it was read (as git trusts its index: a
//! change in the same clock tick as the read could not be told apart). Anything else
//! (no file, a damaged or foreign one, another version of prefer's format) means a full replay,
//! as if there were no cache. The files live in the user's cache folder
//! (`~/.cache/prefer/replay/` on Linux), one per log, named by a hash of the log's path.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::bytes::LogBytes;
use super::decisions::Decisions;

/// What a cache file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The labeler's own log, replayed.
    Own,
    /// A teammate's log, replayed per annotator ([`super::ByAnnotator`]).
    Team,
}

impl Kind {
    /// The first bytes of a cache file: the format, its version and the kind.
    fn magic(self) -> &'static [u8; 16] {
        match self {
            Kind::Own => b"prefer-replay-3\n",
            Kind::Team => b"prefer-rteam-3\n\n",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Own => "own",
            Kind::Team => "team",
        }
    }
}

/// Cache files being written on threads of their own.
static WRITING: std::sync::Mutex<Vec<(PathBuf, std::thread::JoinHandle<()>)>> =
    std::sync::Mutex::new(Vec::new());

/// See [`Identity::of`]: far more than a file system's clock tick.
const SETTLE: std::time::Duration = std::time::Duration::from_secs(2);

/// The header after the magic: bytes covered, lines, events, the log's [`Identity`] and the
/// hash of the bytes covered.
const HEAD: usize = 8 * 3 + 8 * Identity::WORDS + 32;

/// What the file system says of a log: the same identity twice means the same bytes, as long
/// as the log had last changed well before the first was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Identity([u64; Identity::WORDS]);

impl Identity {
    /// Device, inode, length, modification and change times (seconds and nanoseconds).
    const WORDS: usize = 7;

    /// The identity of `log` when it is `len` bytes long; with `settled`, only when its last
    /// change is at least that old (a later change then always moves its times; one in the
    /// same clock tick as this look might not).
    fn of(log: &Path, len: u64, settled: Option<std::time::Duration>) -> Option<Self> {
        Self::of_meta(&fs::metadata(log).ok()?, len, settled)
    }

    /// [`Identity::of`] the file opened as `file`.
    fn of_file(file: &fs::File, len: u64) -> Option<Self> {
        Self::of_meta(&file.metadata().ok()?, len, None)
    }

    #[cfg(unix)]
    fn of_meta(m: &fs::Metadata, len: u64, settled: Option<std::time::Duration>) -> Option<Self> {
        use std::os::unix::fs::MetadataExt;
        if m.len() != len {
            return None;
        }
        if let Some(settle) = settled {
            let changed = m.modified().ok()?.max(
                std::time::UNIX_EPOCH
                    + std::time::Duration::new(
                        u64::try_from(m.ctime()).ok()?,
                        u32::try_from(m.ctime_nsec()).ok()?,
                    ),
            );
            let age = std::time::SystemTime::now().duration_since(changed).ok()?;
            if age < settle {
                return None;
            }
        }
        Some(Self([
            m.dev(),
            m.ino(),
            m.len(),
            m.mtime() as u64,
            m.mtime_nsec() as u64,
            m.ctime() as u64,
            m.ctime_nsec() as u64,
        ]))
    }

    #[cfg(not(unix))]
    fn of_meta(
        _m: &fs::Metadata,
        _len: u64,
        _settled: Option<std::time::Duration>,
    ) -> Option<Self> {
        None
    }

    /// Zeros when there is none (the log had changed too lately).
    fn write(identity: Option<&Self>, out: &mut Vec<u8>) {
        for w in identity.map_or([0; Self::WORDS], |i| i.0) {
            out.extend_from_slice(&w.to_le_bytes());
        }
    }

    fn from_words(bytes: &[u8]) -> Option<Self> {
        let mut w = [0u64; Self::WORDS];
        for (i, x) in w.iter_mut().enumerate() {
            *x = u64::from_le_bytes(bytes.get(i * 8..i * 8 + 8)?.try_into().ok()?);
        }
        (w != [0; Self::WORDS]).then_some(Self(w))
    }
}

/// A log shorter than this is replayed from its start every time (about 80,000 events: a
/// tenth of a second), and a cache is written only when it saves at least this much reading.
const WORTH: u64 = 16 << 20;

/// What the file system says of `path` (device, inode, length, modification and change times):
/// the same twice means the same bytes, as long as the file had last changed well before the
/// first look. With `settled`, `None` unless its last change is at least that old.
pub fn file_identity(
    path: &Path,
    settled: Option<std::time::Duration>,
) -> Option<[u64; Identity::WORDS]> {
    let len = fs::metadata(path).ok()?.len();
    Identity::of(path, len, settled).map(|i| i.0)
}

/// Where cache files are kept.
#[derive(Debug, Clone)]
pub struct ReplayCache {
    dir: PathBuf,
    /// Logs shorter than this are not cached ([`WORTH`]; less in tests).
    worth: u64,
    /// The labeler's own log's cache is written on a thread of its own, beside the start
    /// (tests write it at once, to read it back).
    aside: bool,
    /// How long ago a log must have last changed for its [`Identity`] to be recorded (see
    /// [`Identity::of`]; none in tests, which cannot wait).
    settle: std::time::Duration,
}

/// A replay read from a cache file.
pub struct Cached {
    pub decisions: Decisions,
    /// Bytes of the log the tables cover (whole lines).
    pub covered: u64,
    /// Lines in those bytes, blank ones included.
    pub lines: u64,
    /// Events in those bytes.
    pub events: u64,
}

impl ReplayCache {
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            worth: WORTH,
            aside: true,
            settle: SETTLE,
        }
    }

    /// A cache for logs (and growth) of at least `bytes`, written at once: small logs in
    /// tests.
    #[cfg(test)]
    pub(crate) fn worth(mut self, bytes: u64) -> Self {
        self.worth = bytes;
        self.aside = false;
        self
    }

    /// The labeler's own log's cache written on a thread of its own, as in a session (tests).
    #[cfg(test)]
    pub(crate) fn written_aside(mut self) -> Self {
        self.aside = true;
        self
    }

    /// Records a log's identity however recently it changed (tests).
    #[cfg(test)]
    pub(crate) fn settled_at_once(mut self) -> Self {
        self.settle = std::time::Duration::ZERO;
        self
    }

    /// Logs shorter than this are replayed from their start, and a cache is only written when
    /// it saves at least this much. A teammate's log is one of many read at once (50 of 4 MB
    /// each take as long as one of 200 MB): a sixteenth of the labeler's own.
    pub(crate) fn min_bytes_of(&self, kind: Kind) -> u64 {
        match kind {
            Kind::Own => self.worth,
            Kind::Team => (self.worth / 16).max(1),
        }
    }

    /// The user's cache folder, `replay/` in it; `None` when the system names none.
    pub fn default_place() -> Option<Self> {
        directories::ProjectDirs::from("", "", "prefer")
            .map(|d| Self::new(d.cache_dir().join("replay")))
    }

    /// The cache file of a log's tables of one kind: named by a hash of the log's full path,
    /// so two folders' logs of the same name do not share one.
    fn file_for(&self, kind: Kind, log: &Path) -> PathBuf {
        let full = fs::canonicalize(log).unwrap_or_else(|_| log.to_path_buf());
        let hash = blake3::hash(full.as_os_str().as_encoded_bytes());
        self.dir
            .join(format!("{}.{}.bin", &hash.to_hex()[..32], kind.name()))
    }

    /// True when a cache file for `log` exists and `log_len` bytes are enough for a replay to
    /// start from it (only [`ReplayCache::load`] says whether it still holds).
    pub fn may_hold(&self, log: &Path, log_len: u64) -> bool {
        log_len >= self.min_bytes_of(Kind::Own)
            && fs::metadata(self.file_for(Kind::Own, log)).is_ok()
    }

    /// The tables cached for the labeler's own `log` when they still describe the first bytes
    /// of `bytes`.
    pub fn load(&self, log: &Path, bytes: &Arc<LogBytes>) -> Option<Cached> {
        let (decisions, covered, lines, events) =
            self.load_body(Kind::Own, log, bytes, |body, covered| {
                Decisions::decode(body, Arc::clone(bytes), covered)
            })?;
        Some(Cached {
            decisions,
            covered,
            lines,
            events,
        })
    }

    /// Writes the tables of a replay of the first `covered` bytes of the labeler's own `log`
    /// (`lines` lines, `events` events). Only the tables are copied out here; hashing the log
    /// and writing the file (about a third of a second for a million events) go on on a thread
    /// of their own, so the first start of a long log does not wait for them. False when these
    /// tables cannot be cached (see [`Decisions::encode`]).
    pub fn save(
        &self,
        log: &Path,
        bytes: &Arc<LogBytes>,
        decisions: &Decisions,
        counts: (u64, u64, u64),
    ) -> io::Result<bool> {
        let mut body = Vec::new();
        if !decisions.encode(&mut body) {
            return Ok(false);
        }
        if !self.aside {
            self.save_body(Kind::Own, log, bytes, &body, counts)?;
            return Ok(true);
        }
        let (cache, log, bytes) = (self.clone(), log.to_path_buf(), Arc::clone(bytes));
        let writing = std::thread::Builder::new()
            .name("prefer-cache".into())
            .spawn(move || {
                // A failed write only costs the next start its shortcut; one cut short by the
                // process ending leaves a `.tmp-PID` file that is never read.
                let _ = cache.save_body(Kind::Own, &log, &bytes, &body, counts);
            })?;
        WRITING
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((self.dir.clone(), writing));
        Ok(true)
    }

    /// Waits for the cache files being written on threads of their own (see
    /// [`ReplayCache::save`]): at the end of a session, so that one quit soon after its start
    /// still leaves its cache for the next.
    pub fn finish_writes() {
        let writing = std::mem::take(&mut *WRITING.lock().unwrap_or_else(|e| e.into_inner()));
        for (_, w) in writing {
            let _ = w.join();
        }
    }

    /// Writes of this cache's files started on threads of their own and not yet waited for
    /// by [`ReplayCache::finish_writes`] (tests).
    #[cfg(test)]
    pub(crate) fn writes_pending(&self) -> usize {
        let writing = WRITING.lock().unwrap_or_else(|e| e.into_inner());
        writing.iter().filter(|(dir, _)| *dir == self.dir).count()
    }

    /// A teammate's `log` untouched since its replay was cached (the same file, length and
    /// times as then: see [`Identity`]): its bytes deferred ([`LogBytes::deferred`]), for a
    /// replay that needs only the cached tables. `None` when the log changed since (or has no
    /// cache, or one too small to be used): read it then.
    pub(crate) fn untouched_team_log(&self, log: &Path) -> Option<LogBytes> {
        let mut cache = fs::File::open(self.file_for(Kind::Team, log)).ok()?;
        let mut head = [0u8; 16 + HEAD];
        io::Read::read_exact(&mut cache, &mut head).ok()?;
        let head = head.strip_prefix(Kind::Team.magic().as_slice())?;
        let covered = u64::from_le_bytes(head[..8].try_into().ok()?);
        let recorded = Identity::from_words(&head[24..24 + 8 * Identity::WORDS])?;
        let log_hash: [u8; 32] = head[HEAD - 32..].try_into().ok()?;
        if covered < self.min_bytes_of(Kind::Team) {
            return None;
        }
        let file = fs::File::open(log).ok()?;
        // The file opened is the one read later: a log renamed over since is not.
        if Identity::of_file(&file, covered)? != recorded {
            return None;
        }
        let len = usize::try_from(covered).ok()?;
        // Read later: still untouched then, or at least beginning with the same bytes (a
        // log appended to since).
        let check = move |f: &fs::File, bytes: &[u8]| {
            Identity::of_file(f, covered) == Some(recorded)
                || blake3::hash(bytes).as_bytes() == &log_hash
        };
        Some(LogBytes::deferred(
            log.to_path_buf(),
            file,
            len,
            Box::new(check),
        ))
    }

    /// What `decode` makes of the body of `log`'s cache file of this kind, with the bytes,
    /// lines and events of the log it covers, when the log still begins with those bytes and
    /// the file is whole.
    pub(crate) fn load_body<T>(
        &self,
        kind: Kind,
        log: &Path,
        bytes: &LogBytes,
        decode: impl FnOnce(&[u8], u64) -> Option<T>,
    ) -> Option<(T, u64, u64, u64)> {
        let file = fs::File::open(self.file_for(kind, log)).ok()?;
        // SAFETY: cache files are only ever written aside and renamed into place, never
        // changed where they are, so the mapped bytes stay as they are while read (copying
        // tens of megabytes out of the page cache was a fifth of the load).
        let file = unsafe { memmap2::Mmap::map(&file) }.ok()?;
        let rest = file.strip_prefix(kind.magic().as_slice())?;
        let (head, rest) = rest.split_at_checked(HEAD)?;
        let word =
            |i: usize| u64::from_le_bytes(head[i * 8..i * 8 + 8].try_into().unwrap_or_default());
        let (covered, lines, events) = (word(0), word(1), word(2));
        let recorded = Identity::from_words(&head[24..24 + 8 * Identity::WORDS]);
        let log_hash = &head[HEAD - 32..];
        let (body, body_hash) = rest.split_at_checked(rest.len().checked_sub(32)?)?;
        let covered_len = usize::try_from(covered).ok()?;
        // A log untouched since the cache was written is known to hold those bytes.
        let untouched = recorded.is_some() && recorded == Identity::of(log, covered, None);
        if bytes.is_deferred() {
            // Deferred only when untouched (see `untouched_team_log`): still so, or read now.
            if !untouched || covered_len != bytes.len() {
                return None;
            }
        } else if covered_len > bytes.len() || (covered_len > 0 && bytes[covered_len - 1] != b'\n')
        {
            return None;
        }
        // The log's hash (the larger job) beside the cache file's own check and decoding.
        let (same_log, tables) = std::thread::scope(|s| {
            let same =
                s.spawn(|| untouched || blake3::hash(&bytes[..covered_len]).as_bytes() == log_hash);
            let tables = (blake3::hash(body).as_bytes() == body_hash)
                .then(|| decode(body, covered))
                .flatten();
            (same.join().unwrap_or(false), tables)
        });
        if !same_log {
            return None;
        }
        Some((tables?, covered, lines, events))
    }

    /// Writes `body` as the cache of this kind for the first `covered` bytes of `log`. Written
    /// aside and renamed into place: a reader sees a whole file or none.
    pub(crate) fn save_body(
        &self,
        kind: Kind,
        log: &Path,
        bytes: &[u8],
        body: &[u8],
        (covered, lines, events): (u64, u64, u64),
    ) -> io::Result<()> {
        let covered_len = usize::try_from(covered).map_err(io::Error::other)?;
        // Taken before the hash: a change while it runs then shows as another identity.
        let identity = Identity::of(log, covered, Some(self.settle));
        let mut out = Vec::with_capacity(16 + HEAD + body.len() + 32);
        out.extend_from_slice(kind.magic());
        for w in [covered, lines, events] {
            out.extend_from_slice(&w.to_le_bytes());
        }
        Identity::write(identity.as_ref(), &mut out);
        out.extend_from_slice(blake3::hash(&bytes[..covered_len]).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(blake3::hash(body).as_bytes());
        // The tables name items and candidates: readable by the user alone, like the folder.
        let mut dir = fs::DirBuilder::new();
        dir.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut dir, 0o700);
        dir.create(&self.dir)?;
        let path = self.file_for(kind, log);
        let aside = path.with_extension(format!("tmp-{}", std::process::id()));
        // Files of writes cut short by a process ending (see `save`) go now.
        if let (Some(stem), Ok(entries)) = (path.file_stem(), fs::read_dir(&self.dir)) {
            let prefix = format!("{}.tmp-", stem.to_string_lossy());
            for e in entries.flatten() {
                if e.file_name().to_string_lossy().starts_with(&prefix) {
                    let _ = fs::remove_file(e.path());
                }
            }
        }
        let mut open = fs::OpenOptions::new();
        open.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
        let written = open.open(&aside).and_then(|mut f| f.write_all(&out));
        if let Err(e) = written.and_then(|()| fs::rename(&aside, &path)) {
            let _ = fs::remove_file(&aside);
            return Err(e);
        }
        Ok(())
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// A file's identity vouches for its bytes only once its last change, of its contents or
    /// of its inode (the change time, which a program cannot set back), is older than the
    /// settling time: a log whose modification time was set back just now is not settled.
    #[test]
    fn a_file_changed_just_now_has_no_settled_identity() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.jsonl");
        std::fs::write(&path, "{}\n").unwrap();
        let minute = std::time::Duration::from_secs(60);
        assert!(file_identity(&path, None).is_some());
        assert!(file_identity(&path, Some(std::time::Duration::ZERO)).is_some());
        assert_eq!(file_identity(&path, Some(minute)), None, "written just now");
        let f = fs::File::options().write(true).open(&path).unwrap();
        f.set_modified(std::time::SystemTime::now() - 60 * minute)
            .unwrap();
        drop(f);
        assert_eq!(
            file_identity(&path, Some(minute)),
            None,
            "its modification time set back just now"
        );
    }
}
