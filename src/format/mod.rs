//! Candidate-set files: the item model, parsing one record with precise problems, and loading
//! whole files (JSON Lines, or a `.json` array) behind the [`ItemSource`] interface.
//!
//! The UI only ever asks an [`ItemSource`] for item `i`; today the source holds every item in
//! memory, and a lazy source (an index of byte offsets, records parsed on demand) can take its
//! place without the UI changing.

mod item;
mod load;

pub use item::{Candidate, Item, Message, parse_item};
pub use load::{Dataset, FileKind, LoadError, Problem, load, load_bytes};

use std::sync::Arc;

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
    /// Background work still going on; `None` when everything is known.
    fn progress(&self) -> Option<Progress> {
        None
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
