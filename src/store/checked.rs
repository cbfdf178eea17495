//! A note, beside the labeler's outbox, that a candidate file's tasks were checked against the
//! database's: the next start skips the check while neither has changed.
//!
//! The check itself ([`super::assign::load`]) reads every item of the file to list its tasks
//! and every task row of the database to compare them: seconds for a file of a million tasks,
//! on every start, for an answer that only changes when the file or the database's tasks do.
//! The note holds what the answer depended on: the file as the file system tells it (device,
//! inode, length, modification and change times, recorded only for a file last changed well
//! before, as the replay cache does), the mode and task settings that turn items into tasks,
//! this prefer's version, and the database's tasks as one row tells them (tasks are only ever
//! added, numbered in order: the last task's number and key, the overlap, and when the
//! database's tables were made, so a database made again is another). Anything else, and
//! anything unreadable, means the full check, as if there were no note.

use std::path::{Path, PathBuf};
use std::time::Duration;

use postgres::Client;
use serde::{Deserialize, Serialize};

use super::assign::Loaded;
use super::target::{StoreError, Target};

/// How long ago the candidate file must have last changed for its identity to be recorded (a
/// change in the same clock tick as the look could not be told apart).
pub const SETTLE: Duration = Duration::from_secs(2);

/// The database's tasks as its last row tells them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DbTasks {
    /// When the database's first schema version was applied: another database (or the same
    /// one made again) has another.
    made: String,
    last_id: i64,
    /// The last task's item, kind and pair.
    last: [String; 4],
    overlap: i32,
}

/// What a full check found, and what it depended on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    prefer: String,
    file: PathBuf,
    file_id: Vec<u64>,
    tasks: String,
    db: DbTasks,
    total: u64,
}

/// The database's tasks now; `None` when it has none.
pub fn db_tasks(target: &Target, client: &mut Client) -> Result<Option<DbTasks>, StoreError> {
    let row = client
        .query_opt(
            "SELECT (SELECT applied_at::text FROM prefer_schema WHERE version = 1),
                    task_id, item, task, pair_a, pair_b, overlap
             FROM prefer_tasks ORDER BY task_id DESC LIMIT 1",
            &[],
        )
        .map_err(|e| target.error("look up the tasks", e))?;
    Ok(row.map(|r| DbTasks {
        made: r.get::<_, Option<String>>(0).unwrap_or_default(),
        last_id: r.get(1),
        last: [r.get(2), r.get(3), r.get(4), r.get(5)],
        overlap: r.get(6),
    }))
}

/// How a file's items become tasks: the mode and the task file's settings that
/// [`super::handout::file_tasks`] reads.
pub fn tasks_key(mode: crate::labels::TaskKind, spec: &crate::taskfile::TaskSpec) -> String {
    format!("{} {:?} {:?}", mode.name(), spec.pairs, spec.tuple)
}

fn path(outbox: &Path) -> PathBuf {
    outbox.with_extension("tasks")
}

fn file_id(file: &Path, settle: Option<Duration>) -> Option<Vec<u64>> {
    crate::labels::file_identity(file, settle).map(|w| w.to_vec())
}

impl Stamp {
    /// The note beside `outbox`, when it is about `file` as it is now and the database's tasks
    /// are still those it saw.
    pub fn read(
        target: &Target,
        client: &mut Client,
        outbox: &Path,
        file: &Path,
    ) -> Result<Option<Stamp>, StoreError> {
        let Some(stamp) = std::fs::read(path(outbox))
            .ok()
            .and_then(|b| serde_json::from_slice::<Stamp>(&b).ok())
        else {
            return Ok(None);
        };
        let same_file = stamp.prefer == env!("CARGO_PKG_VERSION")
            && std::path::absolute(file).is_ok_and(|f| f == stamp.file)
            && file_id(file, None).is_some_and(|id| id == stamp.file_id);
        if !same_file {
            return Ok(None);
        }
        Ok((db_tasks(target, client)?.as_ref() == Some(&stamp.db)).then_some(stamp))
    }

    /// What the check would find again, when it is for tasks made as `tasks` says and the
    /// overlap asked (if any) is the database's.
    pub fn fits(&self, tasks: &str, overlap: Option<u32>) -> Option<Loaded> {
        let overlap_ok = overlap.is_none_or(|k| i64::from(k) == i64::from(self.db.overlap));
        (self.tasks == tasks && overlap_ok).then_some(Loaded {
            added: 0,
            total: self.total,
            overlap: self.db.overlap as u32,
        })
    }
}

/// A full check under way: what the note will say it depended on, taken before the file's tasks
/// are listed.
pub struct Checking {
    file: PathBuf,
    before: Option<Vec<u64>>,
    tasks: String,
}

impl Checking {
    pub fn begin(file: &Path, tasks: String) -> Checking {
        Checking {
            file: file.to_path_buf(),
            before: file_id(file, None),
            tasks,
        }
    }

    /// Records the check's answer (`loaded`) in the database, by the file's bytes, for the
    /// first start of a labeler on another machine (see [`recorded`]), when the file is still
    /// as it was at [`Checking::begin`]. A record that cannot be written only means a check
    /// on the next new machine.
    pub fn remember(&self, target: &Target, client: &mut Client, loaded: &Loaded) {
        let Some(before) = &self.before else {
            return;
        };
        let Some(hash) = content_hash(&self.file) else {
            return;
        };
        if file_id(&self.file, None).as_ref() == Some(before) {
            insert_record(target, client, &hash, &self.tasks, loaded);
        }
    }

    /// Records the check's answer (`loaded`) beside `outbox`, when the file last changed at
    /// least `settle` ago and is still as it was at [`Checking::begin`]. A note that cannot be
    /// written only means a full check next time.
    pub fn record(
        self,
        target: &Target,
        client: &mut Client,
        outbox: &Path,
        loaded: &Loaded,
        settle: Duration,
    ) {
        let note = path(outbox);
        let _ = std::fs::remove_file(&note);
        let (Some(before), Ok(abs)) = (self.before, std::path::absolute(&self.file)) else {
            return;
        };
        if file_id(&self.file, Some(settle)).as_ref() != Some(&before) {
            return;
        }
        let Ok(Some(db)) = db_tasks(target, client) else {
            return;
        };
        let stamp = Stamp {
            prefer: env!("CARGO_PKG_VERSION").to_string(),
            file: abs,
            file_id: before,
            tasks: self.tasks,
            db,
            total: loaded.total,
        };
        let tmp = note.with_extension("tasks.tmp");
        if let Ok(json) = serde_json::to_vec(&stamp)
            && std::fs::write(&tmp, json).is_ok()
        {
            let _ = std::fs::rename(&tmp, &note);
        }
    }
}

/// The BLAKE3 hash of a file's bytes, in hex: what the database's record of a check names
/// the file by (another machine has another path and inode, the same bytes).
pub fn content_hash(file: &Path) -> Option<String> {
    let mut h = blake3::Hasher::new();
    let f = std::fs::File::open(file).ok()?;
    h.update_reader(std::io::BufReader::with_capacity(1 << 20, f))
        .ok()?;
    Some(h.finalize().to_hex().to_string())
}

/// The database's record of a check of a file with these bytes (`hash`), its items made into
/// tasks as `tasks` says, by this prefer, against the table as it is now: what the check would
/// find again, when the overlap asked (if any) is the table's. Any doubt is `None` (a check).
pub fn recorded(
    target: &Target,
    client: &mut Client,
    hash: &str,
    tasks: &str,
    overlap: Option<u32>,
) -> Result<Option<Loaded>, StoreError> {
    let Some(db) = db_tasks(target, client)? else {
        return Ok(None);
    };
    let Ok(db_json) = serde_json::to_string(&db) else {
        return Ok(None);
    };
    let row = client
        .query_opt(
            "SELECT total FROM prefer_checks
             WHERE file_hash = $1 AND tasks = $2 AND prefer_version = $3 AND db = $4",
            &[&hash, &tasks, &env!("CARGO_PKG_VERSION"), &db_json],
        )
        .map_err(|e| target.error("look up the record of the tasks' checks", e))?;
    let overlap_ok = overlap.is_none_or(|k| i64::from(k) == i64::from(db.overlap));
    Ok(row.filter(|_| overlap_ok).map(|r| Loaded {
        added: 0,
        total: r.get::<_, i64>(0) as u64,
        overlap: db.overlap as u32,
    }))
}

/// Records in the database that the file with these bytes (`hash`) was checked against the
/// table as it is now. Only a role that may (the lead's, or everyone's without per-user
/// roles): a labeler's own check stays in their note.
fn insert_record(target: &Target, client: &mut Client, hash: &str, tasks: &str, loaded: &Loaded) {
    let may = client
        .query_one("SELECT has_table_privilege('prefer_checks', 'INSERT')", &[])
        .is_ok_and(|r| r.get::<_, bool>(0));
    let Ok(Some(db)) = db_tasks(target, client) else {
        return;
    };
    let Ok(db_json) = serde_json::to_string(&db) else {
        return;
    };
    if may && db.overlap as u32 == loaded.overlap {
        let _ = client.execute(
            "INSERT INTO prefer_checks (file_hash, tasks, prefer_version, db, total)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            &[
                &hash,
                &tasks,
                &env!("CARGO_PKG_VERSION"),
                &db_json,
                &(loaded.total as i64),
            ],
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_fits_only_the_same_tasks_and_the_databases_overlap() {
        let note = Stamp {
            prefer: env!("CARGO_PKG_VERSION").into(),
            file: "/f.jsonl".into(),
            file_id: vec![1; 7],
            tasks: "pair All None".into(),
            db: DbTasks {
                made: "2026-11-29 02:30:45+00".into(),
                last_id: 9,
                last: ["q".into(), "pair".into(), "a".into(), "b".into()],
                overlap: 2,
            },
            total: 9,
        };
        let found = Loaded {
            added: 0,
            total: 9,
            overlap: 2,
        };
        assert_eq!(note.fits("pair All None", None), Some(found.clone()));
        assert_eq!(note.fits("pair All None", Some(2)), Some(found));
        // Another overlap asked: the full check says why it is refused.
        assert_eq!(note.fits("pair All None", Some(3)), None);
        assert_eq!(note.fits("rank All None", None), None);
        assert_eq!(note.fits("pair Sample(2) None", None), None);
    }

    #[test]
    fn the_task_settings_that_make_tasks_are_in_the_key() {
        let spec = crate::taskfile::TaskSpec::default();
        let pair = tasks_key(crate::labels::TaskKind::Pair, &spec);
        assert_ne!(pair, tasks_key(crate::labels::TaskKind::Rank, &spec));
        let sampled = crate::taskfile::TaskSpec {
            pairs: crate::taskfile::PairSelection::Sample(2),
            ..Default::default()
        };
        assert_ne!(pair, tasks_key(crate::labels::TaskKind::Pair, &sampled));
    }
}
