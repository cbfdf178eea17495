//! Candidate-set files: the item model, parsing one record with precise problems, and loading
//! whole files (JSON Lines, or a `.json` array) behind the [`ItemSource`] interface.
//!
//! The UI only ever asks an [`ItemSource`] for item `i`: [`open`] gives an in-memory
//! [`Dataset`] for files of ordinary size and a [`LazySource`] (an index of byte offsets,
//! records parsed on demand, checking in the background) for big ones.

mod fast;
mod item;
mod lazy;
mod load;

pub use item::{Candidate, Item, Message, parse_item, type_name};
pub use lazy::LazySource;
pub use load::{Dataset, FileKind, LoadError, PROBLEMS_SHOWN, Problem, load, load_bytes};

use std::path::Path;
use std::sync::Arc;

/// Files from this size on are read lazily by [`open`] (unless `PREFER_LAZY_THRESHOLD` says
/// otherwise): below it, reading and checking everything takes well under a second.
pub const LAZY_THRESHOLD: u64 = 64 << 20;

/// Opens a candidate set for labeling: all in memory below [`LAZY_THRESHOLD`] bytes (or the
/// number of bytes in the environment variable `PREFER_LAZY_THRESHOLD`), else a
/// [`LazySource`] that shows the first item at once and checks the rest in the background.
/// A `.json` array is always read whole: it has no line boundaries to index.
pub fn open(path: &Path) -> Result<Arc<dyn ItemSource>, LoadError> {
    let threshold = std::env::var("PREFER_LAZY_THRESHOLD")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(LAZY_THRESHOLD);
    open_with_threshold(path, threshold)
}

/// [`open`] with the size threshold given.
pub fn open_with_threshold(path: &Path, threshold: u64) -> Result<Arc<dyn ItemSource>, LoadError> {
    let meta = load::regular_file(path)?;
    if meta.len() < threshold {
        return Ok(Arc::new(load(path)?));
    }
    let head = head(path)?;
    if load::is_array(path, &head) {
        return Ok(Arc::new(load(path)?));
    }
    if load::is_labels_log(&head) {
        // Found now rather than after checking every line in vain.
        return Err(LoadError::Invalid(vec![load::labels_log_problem(path)]));
    }
    if let Some(p) = load::import_problem(path, &head) {
        // The same for a dataset `prefer import` reads: no record of it is an item.
        return Err(LoadError::Invalid(vec![p]));
    }
    Ok(Arc::new(LazySource::open(path)?))
}

/// The file's first 64 KiB, a BOM left out: enough to judge what kind of file it is.
fn head(path: &Path) -> Result<Vec<u8>, LoadError> {
    use std::io::Read;
    let io = |source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut head = Vec::with_capacity(1 << 16);
    std::fs::File::open(path)
        .map_err(io)?
        .take(1 << 16)
        .read_to_end(&mut head)
        .map_err(io)?;
    if head.starts_with(b"\xEF\xBB\xBF") {
        head.drain(..3);
    }
    Ok(head)
}

/// Where the labeling screen gets its items from.
///
/// A source may still be reading its file in the background: `len` is then the number of
/// records checked so far (a prefix of the file, in order), and grows; `progress` says how far
/// the background work is.
pub trait ItemSource: Send + Sync {
    /// Records checked so far (all of them for an in-memory source).
    fn len(&self) -> usize;
    /// True when there are no records (yet).
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Record `i` (0-based, file order), or the problem that makes it unusable.
    fn item(&self, i: usize) -> Result<Arc<Item>, Problem>;
    /// Number of candidates of record `i` when it is valid, without parsing it again.
    fn candidate_count(&self, i: usize) -> Option<usize> {
        self.item(i).ok().map(|it| it.candidates.len())
    }
    /// The id of record `i` when it is valid, without parsing it again.
    fn id(&self, i: usize) -> Option<String> {
        self.item(i).ok().map(|it| it.id.clone())
    }
    /// The item hash of record `i` when it is valid, without parsing it again.
    fn hash(&self, i: usize) -> Option<String> {
        self.item(i).ok().map(|it| it.hash.clone())
    }
    /// The valid records with a `gold` field of their own, once every record is checked;
    /// `None` when the source does not keep them (look at every item).
    fn gold_records(&self) -> Option<Vec<usize>> {
        None
    }
    /// Background work still going on; `None` when everything is known.
    fn progress(&self) -> Option<Progress> {
        None
    }
    /// Problems found so far in records checked in the background (an in-memory source
    /// refuses an invalid file instead, so it has none).
    fn problems(&self) -> Vec<Problem> {
        Vec::new()
    }
    /// Pauses the background checking until the guard is dropped, so that other work before
    /// the first screen (replaying a big labels log) has the cores to itself. A source with no
    /// background work ignores it.
    fn hold_checking(&self) -> CheckingHeld {
        CheckingHeld(None)
    }
    /// Waits until record `i` is checked or checking is over (`len` can then be below `i`).
    fn wait_checked(&self, _i: usize) {}
}

/// Waits until `source` has checked the item with this id, or all it will check; gives its
/// position if it has one.
pub fn wait_for_item(source: &dyn ItemSource, id: &str) -> Option<usize> {
    let mut pos = 0;
    loop {
        let checked = source.len();
        while pos < checked {
            if source.id(pos).is_some_and(|i| i == id) {
                return Some(pos);
            }
            pos += 1;
        }
        if source.progress().is_none_or(|p| p.checking_done) {
            return None;
        }
        source.wait_checked(checked);
    }
}

/// While this lives, a source's background checking waits (see [`ItemSource::hold_checking`]).
pub struct CheckingHeld(pub(crate) Option<Box<dyn FnOnce() + Send>>);

impl Drop for CheckingHeld {
    fn drop(&mut self) {
        if let Some(release) = self.0.take() {
            release();
        }
    }
}

/// How far a source that reads in the background has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    pub bytes_total: u64,
    /// Bytes whose line starts are indexed.
    pub bytes_indexed: u64,
    /// Records found so far (lines that are not blank).
    pub records: usize,
    /// Records parsed and checked (the prefix `len` counts).
    pub checked: usize,
    /// Invalid records found so far.
    pub problems: usize,
    pub indexing_done: bool,
    pub checking_done: bool,
}
