//! A database as a store of logs for the commands that read a team's labels (export, stats,
//! agreement): each stream comes back as the bytes its folder log would hold, so every reader
//! computes from a database exactly what it computes from the folder.

use std::path::PathBuf;

use super::target::Target;
use crate::labels::{LogError, LogStore, StoredLog};

/// The logs in a PostgreSQL database.
#[derive(Debug)]
pub struct PgLogs {
    pub target: Target,
}

impl LogStore for PgLogs {
    fn describe(&self) -> String {
        self.target.shown().to_string()
    }

    fn read_logs(&mut self) -> Result<Vec<StoredLog>, LogError> {
        let t = &self.target;
        let store = |e: super::StoreError| LogError::Store(e.0);
        let mut client = t.connect().map_err(store)?;
        super::schema::check(t, &mut client).map_err(store)?;
        let mut heads = super::sync::heads(t, &mut client).map_err(store)?;
        // In the order a folder lists its files: by file name, `.jsonl` included.
        heads.sort_by_cached_key(|h| format!("{}.jsonl", h.stream));
        let mut out = Vec::with_capacity(heads.len());
        for h in heads {
            let bytes = super::sync::read_stream(t, &mut client, &h.stream, h.bytes as usize)
                .map_err(store)?;
            out.push(StoredLog {
                name: PathBuf::from(format!("{}#{}.jsonl", t.shown(), h.stream)),
                bytes,
            });
        }
        Ok(out)
    }
}
