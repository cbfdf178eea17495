//! Where a team's logs are read from: the labels folder (the default), or a shared store that
//! hands over each annotator's log as the bytes a folder would hold (a database, see
//! `crate::store`). Every reader of a team's labels (export, stats, agreement) takes a
//! [`Logs`], so what they compute does not depend on where the logs were kept.

use std::path::PathBuf;

use super::error::LogError;
use super::folder::FolderLogs;

/// One annotator's log as a store holds it: whole lines, each ending in a newline, exactly the
/// bytes the folder's `<name>` file would hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLog {
    /// The log's name as a path (`<stream>.jsonl` under the store's name), for messages.
    pub name: PathBuf,
    pub bytes: Vec<u8>,
}

/// A store of annotators' logs other than a folder.
pub trait LogStore: Send {
    /// The store as shown in messages (a database URL without its password).
    fn describe(&self) -> String;
    /// Every annotator's log, in the order a folder lists its files (by file name).
    fn read_logs(&mut self) -> Result<Vec<StoredLog>, LogError>;
}

/// The logs a command reads.
pub enum Logs {
    /// Files, read from disk (a labels folder's, or named on the command line).
    Folder(FolderLogs),
    /// A shared store.
    Store(Box<dyn LogStore>),
}

impl std::fmt::Debug for Logs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Logs::Folder(l) => f.debug_tuple("Folder").field(l).finish(),
            Logs::Store(s) => f.debug_tuple("Store").field(&s.describe()).finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Described;

    impl LogStore for Described {
        fn describe(&self) -> String {
            "postgres://alice@db.example/labels".into()
        }
        fn read_logs(&mut self) -> Result<Vec<StoredLog>, LogError> {
            Ok(Vec::new())
        }
    }

    /// A store is shown as it describes itself (its URL without a password), not as its
    /// fields, which may hold one.
    #[test]
    fn a_store_is_shown_as_it_describes_itself() {
        let logs = Logs::Store(Box::new(Described));
        assert_eq!(
            format!("{logs:?}"),
            r#"Store("postgres://alice@db.example/labels")"#
        );
    }
}
