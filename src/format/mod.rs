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
pub trait ItemSource: Send + Sync {
    /// Number of items.
    fn len(&self) -> usize;
    /// True when there are no items (a valid file never has none).
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Item `i` (0-based, file order).
    fn item(&self, i: usize) -> Arc<Item>;
}
