//! Handing out tasks from the database: each labeler takes the next task in one transaction,
//! and no task is ever held or decided by more than its overlap K labelers at once, however
//! many take tasks at the same moment (the folder mode's race, where a few tasks get K+1, does
//! not happen here). A task taken by someone who went away is released when their lease runs
//! out (renewed while they work on it).
//!
//! How: the task's row is locked (`FOR UPDATE SKIP LOCKED`: a labeler never waits for another,
//! they take the next free task), and only while it is locked are its live claims counted, in
//! a statement of its own, so the count sees every claim committed before. Claims are counted
//! only under that lock, so two transactions never both see K-1.

use std::time::Duration;

use postgres::Client;

use super::target::{StoreError, Target};
use crate::labels::TaskKey;

/// The default lease: a task taken and not decided within it goes to someone else.
pub const LEASE: Duration = Duration::from_secs(600);

/// A task handed out: its number in `prefer_tasks` and its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taken {
    pub task_id: i64,
    pub key: TaskKey,
}

fn columns(key: &TaskKey) -> (&str, &str, &str, &str) {
    let (a, b) = key
        .pair
        .as_ref()
        .map_or(("", ""), |(a, b)| (a.as_str(), b.as_str()));
    (&key.item, key.kind.name(), a, b)
}

/// Adds the tasks the database does not have yet (each wanting `overlap` decisions); returns
/// how many were added.
pub fn add_tasks(
    target: &Target,
    client: &mut Client,
    tasks: &[TaskKey],
    overlap: u32,
) -> Result<u64, StoreError> {
    let err = |e| target.error("add the tasks", e);
    let mut tx = client.transaction().map_err(err)?;
    let stmt = tx
        .prepare(
            "INSERT INTO prefer_tasks (item, task, pair_a, pair_b, overlap) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT DO NOTHING",
        )
        .map_err(err)?;
    let mut added = 0;
    for key in tasks {
        let (item, task, a, b) = columns(key);
        added += tx
            .execute(&stmt, &[&item, &task, &a, &b, &(overlap as i32)])
            .map_err(err)?;
    }
    tx.commit().map_err(err)?;
    Ok(added)
}

/// Takes the next task for `annotator`: the first (in the order tasks were added) that they
/// have not taken and that fewer than its overlap hold (a live lease) or have decided. `None`
/// when there is none now (tasks held by others may come free when their leases run out).
pub fn take(
    target: &Target,
    client: &mut Client,
    annotator: &str,
    lease: Duration,
) -> Result<Option<Taken>, StoreError> {
    let err = |e| target.error("take a task", e);
    let lease_ms = lease.as_millis() as f64;
    // Tasks found full under their lock are passed over by the next search.
    let mut full: Vec<i64> = Vec::new();
    loop {
        let mut tx = client.transaction().map_err(err)?;
        let row = tx
            .query_opt(
                "SELECT t.task_id, t.item, t.task, t.pair_a, t.pair_b, t.overlap FROM prefer_tasks t
                 WHERE t.task_id <> ALL($2)
                   AND NOT EXISTS (SELECT 1 FROM prefer_claims c WHERE c.task_id = t.task_id
                       AND c.annotator = $1 AND (c.done OR c.lease_until > now()))
                   AND (SELECT count(*) FROM prefer_claims c WHERE c.task_id = t.task_id
                       AND (c.done OR c.lease_until > now())) < t.overlap
                 ORDER BY t.task_id
                 LIMIT 1
                 FOR UPDATE OF t SKIP LOCKED",
                &[&annotator, &full],
            )
            .map_err(err)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let task_id: i64 = row.get(0);
        let overlap: i32 = row.get(5);
        // Counted again under the lock, in a new statement: it sees every claim committed
        // before the lock was taken (the search above may have looked at an older state).
        let held: i64 = tx
            .query_one(
                "SELECT count(*) FROM prefer_claims WHERE task_id = $1 AND annotator <> $2
                 AND (done OR lease_until > now())",
                &[&task_id, &annotator],
            )
            .map_err(err)?
            .get(0);
        if held >= i64::from(overlap) {
            drop(tx);
            full.push(task_id);
            continue;
        }
        tx.execute(
            "INSERT INTO prefer_claims (task_id, annotator, done, lease_until)
             VALUES ($1, $2, false, now() + $3 * interval '1 millisecond')
             ON CONFLICT (task_id, annotator) DO UPDATE SET done = false,
                 lease_until = excluded.lease_until",
            &[&task_id, &annotator, &lease_ms],
        )
        .map_err(err)?;
        tx.commit().map_err(err)?;
        let kind = match row.get::<_, &str>(2) {
            "pair" => crate::labels::TaskKind::Pair,
            "rank" => crate::labels::TaskKind::Rank,
            _ => crate::labels::TaskKind::Rate,
        };
        let (item, a, b): (&str, &str, &str) = (row.get(1), row.get(3), row.get(4));
        let key = if kind == crate::labels::TaskKind::Pair {
            TaskKey::pair(item, a, b)
        } else {
            TaskKey::new(item, kind)
        };
        return Ok(Some(Taken { task_id, key }));
    }
}

/// Extends `annotator`'s lease on a task they hold; false when they no longer hold it (the
/// lease ran out and someone else took the place).
pub fn renew(
    target: &Target,
    client: &mut Client,
    task_id: i64,
    annotator: &str,
    lease: Duration,
) -> Result<bool, StoreError> {
    let n = client
        .execute(
            "UPDATE prefer_claims SET lease_until = now() + $3 * interval '1 millisecond'
             WHERE task_id = $1 AND annotator = $2 AND NOT done AND lease_until > now()",
            &[&task_id, &annotator, &(lease.as_millis() as f64)],
        )
        .map_err(|e| target.error("renew a lease", e))?;
    Ok(n == 1)
}

/// Records that `annotator` decided the task. True when the decision counts towards the
/// overlap: they held it, or its place is still free though their lease ran out; false when
/// their lease ran out and the task went to others meanwhile (the decision is still in their
/// log, it just does not take a place beyond K).
pub fn finish(
    target: &Target,
    client: &mut Client,
    task_id: i64,
    annotator: &str,
) -> Result<bool, StoreError> {
    let err = |e| target.error("record a decision", e);
    let mut tx = client.transaction().map_err(err)?;
    let overlap: i32 = tx
        .query_one(
            "SELECT overlap FROM prefer_tasks WHERE task_id = $1 FOR UPDATE",
            &[&task_id],
        )
        .map_err(err)?
        .get(0);
    let held: i64 = tx
        .query_one(
            "SELECT count(*) FROM prefer_claims WHERE task_id = $1 AND annotator <> $2
             AND (done OR lease_until > now())",
            &[&task_id, &annotator],
        )
        .map_err(err)?
        .get(0);
    if held >= i64::from(overlap) {
        tx.execute(
            "DELETE FROM prefer_claims WHERE task_id = $1 AND annotator = $2 AND NOT done",
            &[&task_id, &annotator],
        )
        .map_err(err)?;
        tx.commit().map_err(err)?;
        return Ok(false);
    }
    tx.execute(
        "INSERT INTO prefer_claims (task_id, annotator, done, lease_until) VALUES ($1, $2, true, NULL)
         ON CONFLICT (task_id, annotator) DO UPDATE SET done = true, lease_until = NULL",
        &[&task_id, &annotator],
    )
    .map_err(err)?;
    tx.commit().map_err(err)?;
    Ok(true)
}

/// Gives a task back (a skip, or quitting with it on screen): someone else may take it.
pub fn release(
    target: &Target,
    client: &mut Client,
    task_id: i64,
    annotator: &str,
) -> Result<(), StoreError> {
    client
        .execute(
            "DELETE FROM prefer_claims WHERE task_id = $1 AND annotator = $2 AND NOT done",
            &[&task_id, &annotator],
        )
        .map_err(|e| target.error("give a task back", e))?;
    Ok(())
}
