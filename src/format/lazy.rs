//! A candidate set too big to hold in memory: an index of where each record starts, records
//! parsed when asked for, and the whole file checked in the background.
//!
//! Opening reads only as far as the first valid item, so the first screen does not wait for
//! the file. Two threads then go through it: the indexer finds line starts with `memchr` (the
//! cost of `wc -l`), and the checker parses every record in order, keeping per record only its
//! candidate count and id (or its problems) and finding duplicate ids. Memory grows with the
//! number of records (an offset, an id and a count each), never with the file's bytes.
//!
//! Records are read with positioned reads (`FileExt::read_at`) rather than a memory map: a map
//! would need `unsafe`, and a file cut short by another program while mapped kills the
//! process with SIGBUS, where a read just comes back short and becomes a problem on screen.
//! The page cache makes repeated reads as cheap as a map for what is on screen.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fs::File;
use std::hash::{BuildHasher, RandomState};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::thread::JoinHandle;

use super::load::{
    Dataset, FileKind, LoadError, Problem, duplicate_problem, no_items_problem, parse_record,
};
use super::{CheckingHeld, Item, ItemSource, Progress};

/// Bytes the indexer reads at a time.
const INDEX_CHUNK: usize = 1 << 20;
/// Bytes the checker reads at a time (at least one record, however long).
const CHECK_SPAN: u64 = 4 << 20;
/// Records the checker parses before it publishes them (so `len` grows smoothly).
const PUBLISH_EVERY: usize = 256;
/// Parsed items kept for `item` (the task on screen, its neighbours, undo).
const CACHE_ITEMS: usize = 16;

/// A JSON Lines candidate set read on demand. See the module documentation.
pub struct LazySource {
    shared: Arc<Shared>,
    cache: Mutex<VecDeque<(usize, Arc<Item>)>>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl std::fmt::Debug for LazySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LazySource")
            .field("path", &self.shared.path)
            .field("checked", &self.len())
            .finish()
    }
}

struct Shared {
    path: PathBuf,
    file: File,
    /// File size when opened: the last record ends here.
    file_len: u64,
    index: Mutex<Index>,
    /// Signalled when the index grows or is finished.
    index_grew: Condvar,
    checked: RwLock<Checked>,
    /// Records checked and published (`checked` holds at least this many).
    checked_len: AtomicUsize,
    stop: AtomicBool,
    /// Holds on the checker (see `ItemSource::hold_checking`); it waits while any is held.
    holds: Mutex<usize>,
    /// Signalled when the last hold is let go, on stop, and when records are published.
    checker_moved: Condvar,
}

/// Where records start. Record `i` is the `i`-th line that is not blank.
#[derive(Default)]
struct Index {
    starts: Vec<u64>,
    /// (record, its 1-based line) wherever blank lines shift lines against records: line of
    /// record `i` is `line + (i - record)` for the last entry at or before `i`, else `i + 1`.
    line_fix: Vec<(usize, usize)>,
    bytes_indexed: u64,
    done: bool,
    /// A read error that stopped indexing.
    error: Option<String>,
}

impl Index {
    fn line_of(&self, record: usize) -> usize {
        let k = self.line_fix.partition_point(|&(r, _)| r <= record);
        match k {
            0 => record + 1,
            _ => {
                let (r, line) = self.line_fix[k - 1];
                line + (record - r)
            }
        }
    }

    /// Byte range holding record `i` (it ends at the first `\n` inside), once known.
    fn span(&self, i: usize, file_len: u64) -> Option<(u64, u64)> {
        let start = *self.starts.get(i)?;
        match self.starts.get(i + 1) {
            Some(&end) => Some((start, end)),
            None if self.done => Some((start, file_len)),
            None => None,
        }
    }
}

/// What the checker found, per record.
#[derive(Default)]
struct Checked {
    /// Candidate count of a valid record (saturating; `u16::MAX` means "ask the item"), 0 for
    /// an invalid one.
    counts: Vec<u16>,
    /// Ids of all records back to back; record `i`'s id ends at `id_ends[i]`.
    id_bytes: String,
    id_ends: Vec<usize>,
    /// Item hash of each record (empty for an invalid one): asked for every item a log has
    /// decisions about when a session resumes, which must not parse the item again.
    hashes: Vec<Box<str>>,
    /// Problems of invalid records, by record.
    problems: BTreeMap<usize, Vec<Problem>>,
    /// Valid records with a `gold` field of their own, in order: a session reads only these
    /// for its gold answers, not every item again.
    gold: Vec<usize>,
    done: bool,
}

impl Checked {
    fn id(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.id_ends[i - 1] };
        &self.id_bytes[start..self.id_ends[i]]
    }
}

/// The indexer's place in the file, so that indexing can start on the caller's thread (to
/// reach the first item) and carry on in the background.
struct Indexer {
    /// Next byte to read.
    pos: u64,
    /// 1-based line number of the line being read.
    line: usize,
    line_start: u64,
    /// Whether the line being read is known to hold a record.
    line_is_record: bool,
    /// Records found so far.
    records: usize,
    /// `line - (records' index + 1)` of the last record found: changes when blank lines occur.
    shift: usize,
    buf: Vec<u8>,
}

impl Indexer {
    fn new(start: u64) -> Self {
        Indexer {
            pos: start,
            line: 1,
            line_start: start,
            line_is_record: false,
            records: 0,
            shift: 0,
            buf: vec![0; INDEX_CHUNK],
        }
    }

    /// Reads and indexes the next chunk; false at the end of the file (or on an error).
    fn step(&mut self, shared: &Shared) -> bool {
        let want = (shared.file_len - self.pos).min(self.buf.len() as u64) as usize;
        let mut starts = Vec::new();
        let mut fixes = Vec::new();
        let mut buf = std::mem::take(&mut self.buf);
        let result = if want == 0 {
            Ok(0)
        } else {
            read_full_at(&shared.file, &mut buf[..want], self.pos)
        };
        let n = match result {
            Ok(n) => n,
            Err(e) => {
                let mut ix = lock(&shared.index);
                ix.error = Some(format!("cannot read {}: {e}", shared.path.display()));
                ix.done = true;
                drop(ix);
                shared.index_grew.notify_all();
                return false;
            }
        };
        let chunk = &buf[..n];
        let mut i = 0;
        loop {
            if !self.line_is_record {
                // Only lines that begin with whitespace get here byte by byte; JSON Lines
                // records begin with `{`, found by the fast path below.
                while i < n && chunk[i] != b'\n' {
                    if !chunk[i].is_ascii_whitespace() {
                        self.found_record(&mut starts, &mut fixes);
                        break;
                    }
                    i += 1;
                }
            }
            match memchr::memchr(b'\n', &chunk[i..]) {
                None => break,
                Some(k) => i += k + 1,
            }
            self.line += 1;
            self.line_start = self.pos + i as u64;
            self.line_is_record = false;
            if i < n && !chunk[i].is_ascii_whitespace() {
                self.found_record(&mut starts, &mut fixes);
            }
        }
        self.buf = buf;
        self.pos += n as u64;
        let end = n == 0 || self.pos >= shared.file_len;
        let mut ix = lock(&shared.index);
        ix.starts.extend_from_slice(&starts);
        ix.line_fix.extend_from_slice(&fixes);
        ix.bytes_indexed = self.pos;
        ix.done = end;
        drop(ix);
        shared.index_grew.notify_all();
        !end
    }

    fn found_record(&mut self, starts: &mut Vec<u64>, fixes: &mut Vec<(usize, usize)>) {
        self.line_is_record = true;
        let shift = self.line - (self.records + 1);
        if shift != self.shift {
            fixes.push((self.records, self.line));
            self.shift = shift;
        }
        starts.push(self.line_start);
        self.records += 1;
    }
}

/// The checker's own state: where it is and the ids seen (for duplicates).
struct Checker {
    next: usize,
    /// First record of each id, by a hash of the id; the id itself is compared through
    /// `Checked::id`, and ids whose hash collides with another id's go to `collided`.
    first: HashMap<u64, usize>,
    collided: HashMap<String, usize>,
    hasher: RandomState,
    buf: Vec<u8>,
    /// Parsed since the last publish.
    pending: Checked,
}

impl Checker {
    fn new() -> Self {
        Checker {
            next: 0,
            first: HashMap::new(),
            collided: HashMap::new(),
            hasher: RandomState::new(),
            buf: Vec::new(),
            pending: Checked::default(),
        }
    }

    /// Checks the records whose bytes are indexed, up to `max` of them and a few MiB;
    /// `Some(true)` when it found a valid item, `None` when nothing is left to check at all.
    /// Without `wait`, returns `Some(false)` at once when the next record is not indexed yet.
    fn step(&mut self, shared: &Shared, wait: bool, max: usize) -> Option<bool> {
        let (first, spans, lines) = {
            let mut ix = lock(&shared.index);
            loop {
                if ix.span(self.next, shared.file_len).is_some() {
                    break;
                }
                if ix.done || shared.stop.load(Ordering::Relaxed) {
                    return None;
                }
                if !wait {
                    return Some(false);
                }
                ix = shared
                    .index_grew
                    .wait(ix)
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
            }
            let mut spans = Vec::new();
            let mut lines = Vec::new();
            let first = ix.starts[self.next];
            while let Some(span) = ix.span(self.next + spans.len(), shared.file_len) {
                if !spans.is_empty() && (span.1 - first > CHECK_SPAN || spans.len() == max) {
                    break;
                }
                lines.push(ix.line_of(self.next + spans.len()));
                spans.push(span);
            }
            (first, spans, lines)
        };
        let end = spans.last().map_or(first, |s| s.1);
        self.buf.resize((end - first) as usize, 0);
        let read = read_full_at(&shared.file, &mut self.buf, first);
        let mut found = false;
        for (&(start, stop), &line) in spans.iter().zip(&lines) {
            let result = match &read {
                Ok(n) if (stop - first) as usize <= *n => {
                    let raw = &self.buf[(start - first) as usize..(stop - first) as usize];
                    let raw = memchr::memchr(b'\n', raw).map_or(raw, |k| &raw[..k]);
                    parse_record(&shared.path, line, raw)
                }
                Ok(_) => Err(vec![changed_problem(&shared.path, line, "it is shorter")]),
                Err(e) => Err(vec![changed_problem(&shared.path, line, &e.to_string())]),
            };
            found |= self.record(shared, result);
        }
        Some(found)
    }

    /// Notes one record's outcome; true when it is a valid item.
    fn record(&mut self, shared: &Shared, result: Result<Item, Vec<Problem>>) -> bool {
        let i = self.next;
        self.next += 1;
        let problems = match result {
            Ok(item) => match self.duplicate_of(shared, &item, i) {
                Some(first_line) => vec![duplicate_problem(&shared.path, &item, first_line)],
                None => {
                    let p = &mut self.pending;
                    p.counts
                        .push(item.candidates.len().min(u16::MAX as usize) as u16);
                    p.id_bytes.push_str(&item.id);
                    p.id_ends.push(p.id_bytes.len());
                    p.hashes.push(item.hash.as_str().into());
                    if item.extra.contains_key("gold") {
                        p.gold.push(i);
                    }
                    return true;
                }
            },
            Err(problems) => problems,
        };
        let p = &mut self.pending;
        p.counts.push(0);
        p.id_ends.push(p.id_bytes.len());
        p.hashes.push(Box::default());
        p.problems.insert(i, problems);
        false
    }

    /// The line of the earlier item with this item's id, if any; remembers the id otherwise.
    fn duplicate_of(&mut self, shared: &Shared, item: &Item, i: usize) -> Option<usize> {
        let h = self.hasher.hash_one(item.id.as_str());
        let Some(&other) = self.first.get(&h) else {
            self.first.insert(h, i);
            return None;
        };
        let same = self.with_id(shared, other, |id| id == item.id);
        if same {
            return Some(self.line_of(shared, other));
        }
        match self.collided.get(&item.id) {
            Some(&r) => Some(self.line_of(shared, r)),
            None => {
                self.collided.insert(item.id.clone(), i);
                None
            }
        }
    }

    /// Runs `f` on the id of checked record `r` (published or still pending).
    fn with_id<T>(&self, shared: &Shared, r: usize, f: impl FnOnce(&str) -> T) -> T {
        let published = shared.checked_len.load(Ordering::Acquire);
        if r < published {
            f(read(&shared.checked).id(r))
        } else {
            f(self.pending.id(r - published))
        }
    }

    fn line_of(&self, shared: &Shared, r: usize) -> usize {
        lock(&shared.index).line_of(r)
    }

    /// Makes what was checked since the last publish visible to `len` and `item`.
    fn publish(&mut self, shared: &Shared, done: bool) {
        let p = std::mem::take(&mut self.pending);
        let mut c = write(&shared.checked);
        let id_base = c.id_bytes.len();
        c.counts.extend_from_slice(&p.counts);
        c.id_bytes.push_str(&p.id_bytes);
        c.id_ends.extend(p.id_ends.iter().map(|e| e + id_base));
        c.hashes.extend(p.hashes);
        // Problems are keyed by record number already.
        c.problems.extend(p.problems);
        c.gold.extend(p.gold);
        c.done = done;
        shared.checked_len.store(c.counts.len(), Ordering::Release);
        drop(c);
        // Under the lock a waiter checks its condition with: it cannot miss this.
        let _holds = lock(&shared.holds);
        shared.checker_moved.notify_all();
    }
}

fn changed_problem(path: &Path, line: usize, what: &str) -> Problem {
    Problem {
        path: path.to_path_buf(),
        line,
        field: None,
        what: format!("cannot read this record: the file changed while open ({what})"),
        fix: "leave the candidate file alone while labeling, then start again".into(),
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn read<T>(m: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    m.read().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write<T>(m: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    m.write().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Reads as much of `buf` as the file has from `offset`; the count read.
fn read_full_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        match file.read_at(&mut buf[done..], offset + done as u64) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

impl LazySource {
    /// Opens a JSON Lines file: indexes and checks it only as far as its first valid item,
    /// then goes on in the background. Fails, as [`super::load`] does, when the file cannot
    /// be read or has no valid item at all (then with every problem in it).
    pub fn open(path: &Path) -> Result<LazySource, LoadError> {
        let meta = super::load::regular_file(path)?;
        let io = |source| LoadError::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = File::open(path).map_err(io)?;
        let mut bom = [0u8; 3];
        let n = read_full_at(&file, &mut bom, 0).map_err(io)?;
        let start = if n == 3 && bom == *b"\xEF\xBB\xBF" {
            3
        } else {
            0
        };
        let shared = Arc::new(Shared {
            path: path.to_path_buf(),
            file,
            file_len: meta.len(),
            index: Mutex::new(Index::default()),
            index_grew: Condvar::new(),
            checked: RwLock::new(Checked::default()),
            checked_len: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
            holds: Mutex::new(0),
            checker_moved: Condvar::new(),
        });
        let mut indexer = Indexer::new(start);
        let mut checker = Checker::new();
        // On the caller's thread: just far enough for the first screen.
        let mut more = true;
        loop {
            match checker.step(&shared, false, 1) {
                Some(true) => break,
                Some(false) if more => more = indexer.step(&shared),
                Some(false) => {}
                None => break,
            }
        }
        if let Some(e) = lock(&shared.index).error.take() {
            return Err(io(std::io::Error::other(e)));
        }
        let found_item = checker.pending.counts.iter().any(|&c| c > 0);
        let all_checked = {
            let ix = lock(&shared.index);
            ix.done && checker.next == ix.starts.len()
        };
        checker.publish(&shared, all_checked);
        if !found_item {
            let mut problems: Vec<Problem> = read(&shared.checked)
                .problems
                .values()
                .flatten()
                .cloned()
                .collect();
            if problems.is_empty() {
                problems.push(no_items_problem(path));
            }
            return Err(LoadError::Invalid(problems));
        }
        let mut threads = Vec::new();
        if !lock(&shared.index).done {
            let s = Arc::clone(&shared);
            threads.push(spawn("prefer-index", move || {
                loop {
                    if s.stop.load(Ordering::Relaxed) || !indexer.step(&s) {
                        break;
                    }
                }
                // Stopped early: let the checker see the end.
                lock(&s.index).done = true;
                s.index_grew.notify_all();
            }));
        }
        if !all_checked {
            let s = Arc::clone(&shared);
            threads.push(spawn("prefer-check", move || {
                let mut since = 0;
                loop {
                    let mut holds = lock(&s.holds);
                    while *holds > 0 && !s.stop.load(Ordering::Relaxed) {
                        holds = s
                            .checker_moved
                            .wait(holds)
                            .unwrap_or_else(std::sync::PoisonError::into_inner);
                    }
                    drop(holds);
                    if s.stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let before = checker.next;
                    if checker.step(&s, true, usize::MAX).is_none() {
                        break;
                    }
                    since += checker.next - before;
                    if since >= PUBLISH_EVERY {
                        checker.publish(&s, false);
                        since = 0;
                    }
                }
                checker.publish(&s, true);
            }));
        }
        Ok(LazySource {
            shared,
            cache: Mutex::new(VecDeque::with_capacity(CACHE_ITEMS)),
            threads: Mutex::new(threads),
        })
    }

    /// Only the indexing pass, on this thread: the number of records (non-blank lines). What
    /// the background indexer costs, for benchmarks to set beside `wc -l`.
    pub fn index_file(path: &Path) -> Result<usize, LoadError> {
        let meta = super::load::regular_file(path)?;
        let file = File::open(path).map_err(|source| LoadError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let shared = Shared {
            path: path.to_path_buf(),
            file,
            file_len: meta.len(),
            index: Mutex::new(Index::default()),
            index_grew: Condvar::new(),
            checked: RwLock::new(Checked::default()),
            checked_len: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
            holds: Mutex::new(0),
            checker_moved: Condvar::new(),
        };
        let mut indexer = Indexer::new(0);
        while indexer.step(&shared) {}
        let ix = lock(&shared.index);
        match &ix.error {
            Some(e) => Err(LoadError::Io {
                path: path.to_path_buf(),
                source: std::io::Error::other(e.clone()),
            }),
            None => Ok(ix.starts.len()),
        }
    }

    pub fn path(&self) -> &Path {
        &self.shared.path
    }

    /// True once every record has been checked.
    pub fn checking_done(&self) -> bool {
        read(&self.shared.checked).done
    }

    /// Waits until every record is checked (for tests, `validate` and benchmarks).
    pub fn wait(&self) {
        let threads = std::mem::take(&mut *lock(&self.threads));
        for t in threads {
            let _ = t.join();
        }
    }

    /// Every problem found so far, in file order, worded as [`super::load`] words them.
    pub fn problems(&self) -> Vec<Problem> {
        let mut out: Vec<Problem> = read(&self.shared.checked)
            .problems
            .values()
            .flatten()
            .cloned()
            .collect();
        if let Some(e) = &lock(&self.shared.index).error {
            out.push(Problem {
                path: self.shared.path.clone(),
                line: 0,
                field: None,
                what: e.clone(),
                fix: "check the file and its permissions, then start again".into(),
            });
        }
        out
    }

    /// Drains the source: waits for the background work, then reads every item, giving
    /// exactly what [`super::load`] gives for the same file (a dataset, or every problem).
    pub fn to_dataset(&self) -> Result<Dataset, LoadError> {
        self.wait();
        let problems = self.problems();
        if !problems.is_empty() {
            return Err(LoadError::Invalid(problems));
        }
        let mut items = Vec::with_capacity(self.len());
        for i in 0..self.len() {
            items.push(self.item(i).map_err(|p| LoadError::Invalid(vec![p]))?);
        }
        Ok(Dataset {
            path: self.shared.path.clone(),
            kind: FileKind::JsonLines,
            items,
        })
    }

    fn read_item(&self, i: usize) -> Result<Item, Problem> {
        let (span, line) = {
            let ix = lock(&self.shared.index);
            (ix.span(i, self.shared.file_len), ix.line_of(i))
        };
        let Some((start, end)) = span else {
            return Err(missing(&self.shared.path, i));
        };
        let mut buf = vec![0; (end - start) as usize];
        let n = read_full_at(&self.shared.file, &mut buf, start)
            .map_err(|e| changed_problem(&self.shared.path, line, &e.to_string()))?;
        if n < buf.len() {
            return Err(changed_problem(&self.shared.path, line, "it is shorter"));
        }
        let raw = memchr::memchr(b'\n', &buf).map_or(&buf[..], |k| &buf[..k]);
        parse_record(&self.shared.path, line, raw).map_err(|mut ps| ps.swap_remove(0))
    }
}

fn spawn(name: &str, f: impl FnOnce() + Send + 'static) -> JoinHandle<()> {
    std::thread::Builder::new()
        .name(name.into())
        .spawn(f)
        .expect("cannot start a thread")
}

fn missing(path: &Path, i: usize) -> Problem {
    Problem {
        path: path.to_path_buf(),
        line: 0,
        field: None,
        what: format!("there is no item {i}"),
        fix: "this is a bug in prefer".into(),
    }
}

impl Drop for LazySource {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        self.shared.index_grew.notify_all();
        drop(lock(&self.shared.holds));
        self.shared.checker_moved.notify_all();
        self.wait();
    }
}

impl ItemSource for LazySource {
    fn len(&self) -> usize {
        self.shared.checked_len.load(Ordering::Acquire)
    }

    fn hold_checking(&self) -> CheckingHeld {
        *lock(&self.shared.holds) += 1;
        let s = Arc::clone(&self.shared);
        CheckingHeld(Some(Box::new(move || {
            let mut holds = lock(&s.holds);
            *holds -= 1;
            if *holds == 0 {
                s.checker_moved.notify_all();
            }
        })))
    }

    fn wait_checked(&self, i: usize) {
        let mut holds = lock(&self.shared.holds);
        // While held, nothing would come: never wait then.
        while *holds == 0
            && self.len() <= i
            && !read(&self.shared.checked).done
            && !self.shared.stop.load(Ordering::Relaxed)
        {
            holds = self
                .shared
                .checker_moved
                .wait(holds)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }

    fn problems(&self) -> Vec<Problem> {
        LazySource::problems(self)
    }

    fn item(&self, i: usize) -> Result<Arc<Item>, Problem> {
        if i >= self.len() {
            return Err(missing(&self.shared.path, i));
        }
        {
            let c = read(&self.shared.checked);
            if let Some(p) = c.problems.get(&i) {
                return Err(p[0].clone());
            }
        }
        if let Some(item) = lock(&self.cache)
            .iter()
            .find(|(k, _)| *k == i)
            .map(|(_, it)| Arc::clone(it))
        {
            return Ok(item);
        }
        let item = Arc::new(self.read_item(i)?);
        let mut cache = lock(&self.cache);
        if cache.len() == CACHE_ITEMS {
            cache.pop_back();
        }
        cache.push_front((i, Arc::clone(&item)));
        Ok(item)
    }

    fn candidate_count(&self, i: usize) -> Option<usize> {
        if i >= self.len() {
            return None;
        }
        match read(&self.shared.checked).counts[i] {
            0 => None,
            u16::MAX => self.item(i).ok().map(|it| it.candidates.len()),
            n => Some(n as usize),
        }
    }

    fn id(&self, i: usize) -> Option<String> {
        if i >= self.len() {
            return None;
        }
        let c = read(&self.shared.checked);
        (c.counts[i] > 0).then(|| c.id(i).to_string())
    }

    fn hash(&self, i: usize) -> Option<String> {
        if i >= self.len() {
            return None;
        }
        let c = read(&self.shared.checked);
        (c.counts[i] > 0).then(|| c.hashes[i].to_string())
    }

    fn gold_records(&self) -> Option<Vec<usize>> {
        let c = read(&self.shared.checked);
        c.done.then(|| c.gold.clone())
    }

    fn progress(&self) -> Option<Progress> {
        let (bytes_indexed, records, indexing_done) = {
            let ix = lock(&self.shared.index);
            (ix.bytes_indexed, ix.starts.len(), ix.done)
        };
        let c = read(&self.shared.checked);
        if c.done && indexing_done {
            return None;
        }
        Some(Progress {
            bytes_total: self.shared.file_len,
            bytes_indexed,
            records,
            checked: c.counts.len(),
            problems: c.problems.len(),
            indexing_done,
            checking_done: c.done,
        })
    }
}
