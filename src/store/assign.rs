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
    let rows: Vec<_> = tasks.iter().map(columns).collect();
    let added = insert_tasks(&mut tx, &rows, overlap).map_err(err)?;
    tx.commit().map_err(err)?;
    Ok(added)
}

/// Inserts the tasks `rows` (their columns, in the order they are to be handed out) that the
/// table lacks; how many were inserted. Many rows a statement: a statement a task was a round
/// trip a task, minutes for a file of 100,000 tasks.
fn insert_tasks(
    tx: &mut postgres::Transaction<'_>,
    rows: &[(&str, &str, &str, &str)],
    overlap: u32,
) -> Result<u64, postgres::Error> {
    let stmt = tx.prepare(
        "INSERT INTO prefer_tasks (item, task, pair_a, pair_b, overlap)
         SELECT i, t, a, b, $5 FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
             WITH ORDINALITY AS r (i, t, a, b, n)
         ORDER BY n
         ON CONFLICT DO NOTHING",
    )?;
    let mut added = 0;
    for batch in rows.chunks(10_000) {
        let (mut items, mut kinds, mut pair_a, mut pair_b) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for &(i, t, a, b) in batch {
            items.push(i);
            kinds.push(t);
            pair_a.push(a);
            pair_b.push(b);
        }
        added += tx.execute(
            &stmt,
            &[&items, &kinds, &pair_a, &pair_b, &(overlap as i32)],
        )?;
    }
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
    take_except(target, client, annotator, lease, &[])
}

/// [`take`], passing over the tasks `except` (those the labeler skipped this session).
pub fn take_except(
    target: &Target,
    client: &mut Client,
    annotator: &str,
    lease: Duration,
    except: &[i64],
) -> Result<Option<Taken>, StoreError> {
    let err = |e| target.error("take a task", e);
    let lease_ms = lease.as_millis() as f64;
    // Tasks found full under their lock are passed over by the next search. The search walks
    // the index of tasks with fewer than their overlap decided, in order, and looks each one's
    // claims up by its key (a labeler's own claim as one probe, not a join with all of their
    // claims, which the planner would walk whole: half a second for 800,000).
    let mut full: Vec<i64> = except.to_vec();
    loop {
        let mut tx = client.transaction().map_err(err)?;
        let row = tx
            .query_opt(
                "SELECT t.task_id, t.item, t.task, t.pair_a, t.pair_b, t.overlap FROM prefer_tasks t
                 WHERE t.decided < t.overlap AND t.task_id <> ALL($2)
                   AND NOT coalesce((SELECT c.done OR c.lease_until > now() FROM prefer_claims c
                       WHERE c.task_id = t.task_id AND c.annotator = $1), false)
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
        let key = key_of(row.get(1), row.get(2), row.get(3), row.get(4));
        return Ok(Some(Taken { task_id, key }));
    }
}

/// What `claim_decided` changed in the hand-out.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Claimed {
    /// Standing decisions that now hold a place (claims added, or marked decided).
    pub counted: u64,
    /// Decided claims given back: their labeler's latest event on the task is now a skip or
    /// a retraction (a decision taken back in a labels folder after it was pushed).
    pub released: u64,
}

/// Gives every standing decision in the database's logs that no claim records (pushed from a
/// labels folder with `prefer store push`, or made before the tasks were loaded) a decided
/// claim, so it counts towards its task's overlap and the task is not handed to its labeler
/// again; and gives back the decided claim of a labeler whose latest event on the task is a
/// skip or a retraction, so the place is free again. A standing decision is an annotator's
/// latest event on a task that is neither a skip nor a retraction; reviewers' final
/// decisions and hidden repeats (a task asked again to measure consistency) do not count (as
/// in the folder's team counts). A claim held under a lease (a labeler at work on the task,
/// after an undo too) is left alone.
///
/// `sent`: only the lines just appended, the last `n` of each stream `(stream, n)` (a push's:
/// each annotator's latest events are in their own log, so the lines before cannot be newer).
/// `None`: every line, a scan of the whole table (on a million events, about half a minute).
pub fn claim_decided(
    target: &Target,
    client: &mut impl postgres::GenericClient,
    sent: Option<&[(String, i64)]>,
) -> Result<Claimed, StoreError> {
    let events = match sent {
        None => "prefer_events",
        Some(_) => {
            "(SELECT ev.* FROM prefer_events ev
              JOIN (SELECT n.stream, s.lines - n.sent AS after
                    FROM unnest($1::text[], $2::bigint[]) AS n (stream, sent)
                    JOIN prefer_streams s ON s.stream = n.stream) w
                ON ev.stream = w.stream AND ev.seq > w.after) AS ev"
        }
    };
    // `repeat` is looked for in the text first: the JSON is parsed only for the few lines
    // that mention it.
    let sql = format!(
        "WITH latest AS (
           SELECT t.task_id, e.annotator,
                  NOT coalesce((e.line::jsonb ->> 'skip')::boolean, false)
                  AND NOT coalesce((e.line::jsonb ->> 'retract')::boolean, false) AS stands
           FROM (SELECT DISTINCT ON (annotator, item, task, pair_a, pair_b)
                        annotator, item, task, coalesce(pair_a, '') AS pair_a,
                        coalesce(pair_b, '') AS pair_b, line
                 FROM {events}
                 WHERE item IS NOT NULL AND annotator IS NOT NULL
                   AND role IS DISTINCT FROM 'adjudicator'
                   AND (position('repeat' in line) = 0
                        OR NOT coalesce((line::jsonb ->> 'repeat')::boolean, false))
                 ORDER BY annotator, item, task, pair_a, pair_b, seq DESC) e
           JOIN prefer_tasks t ON t.item = e.item AND t.task = e.task
                AND t.pair_a = e.pair_a AND t.pair_b = e.pair_b),
         counted AS (
           INSERT INTO prefer_claims (task_id, annotator, done, lease_until)
           SELECT task_id, annotator, true, NULL FROM latest WHERE stands
           ON CONFLICT (task_id, annotator) DO UPDATE SET done = true, lease_until = NULL
               WHERE NOT prefer_claims.done
           RETURNING 1),
         released AS (
           DELETE FROM prefer_claims c USING latest l
           WHERE NOT l.stands AND c.task_id = l.task_id AND c.annotator = l.annotator
             AND c.done
           RETURNING 1)
         SELECT (SELECT count(*) FROM counted), (SELECT count(*) FROM released)"
    );
    let err = |e| target.error("count the decisions pushed", e);
    let row = match sent {
        None => client.query_one(&sql, &[]).map_err(err)?,
        Some(sent) => {
            let (streams, counts): (Vec<&str>, Vec<i64>) =
                sent.iter().map(|(s, n)| (s.as_str(), *n)).unzip();
            client.query_one(&sql, &[&streams, &counts]).map_err(err)?
        }
    };
    Ok(Claimed {
        counted: row.get::<_, i64>(0) as u64,
        released: row.get::<_, i64>(1) as u64,
    })
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

fn key_of(item: &str, task: &str, a: &str, b: &str) -> TaskKey {
    use crate::labels::TaskKind;
    let kind = TaskKind::MODES
        .into_iter()
        .find(|k| k.name() == task)
        .unwrap_or(TaskKind::Rank);
    let mut k = TaskKey::new(item, kind);
    if !a.is_empty() || !b.is_empty() {
        k.pair = Some((a.to_string(), b.to_string()));
    }
    k
}

/// The tasks `annotator` holds now (a live lease, not decided): what a session that ended
/// without giving them back (killed, or offline at its end) left.
pub fn held_by(
    target: &Target,
    client: &mut Client,
    annotator: &str,
) -> Result<Vec<Taken>, StoreError> {
    let rows = client
        .query(
            "SELECT t.task_id, t.item, t.task, t.pair_a, t.pair_b FROM prefer_claims c
             JOIN prefer_tasks t USING (task_id)
             WHERE c.annotator = $1 AND NOT c.done AND c.lease_until > now()
             ORDER BY t.task_id",
            &[&annotator],
        )
        .map_err(|e| target.error("read the tasks you hold", e))?;
    Ok(rows
        .iter()
        .map(|r| Taken {
            task_id: r.get(0),
            key: key_of(r.get(1), r.get(2), r.get(3), r.get(4)),
        })
        .collect())
}

/// The number of `key`'s task in the table, if it is there.
pub fn task_id(
    target: &Target,
    client: &mut Client,
    key: &TaskKey,
) -> Result<Option<i64>, StoreError> {
    let (item, task, a, b) = columns(key);
    Ok(client
        .query_opt(
            "SELECT task_id FROM prefer_tasks WHERE item = $1 AND task = $2 AND pair_a = $3 AND pair_b = $4",
            &[&item, &task, &a, &b],
        )
        .map_err(|e| target.error("look a task up", e))?
        .map(|r| r.get(0)))
}

/// After an undo: the decided task is held again under a lease (its place stays the
/// labeler's while they decide it again). False when they had no place on it.
pub fn reopen(
    target: &Target,
    client: &mut Client,
    task_id: i64,
    annotator: &str,
    lease: Duration,
) -> Result<bool, StoreError> {
    let n = client
        .execute(
            "UPDATE prefer_claims SET done = false, lease_until = now() + $3 * interval '1 millisecond'
             WHERE task_id = $1 AND annotator = $2",
            &[&task_id, &annotator, &(lease.as_millis() as f64)],
        )
        .map_err(|e| target.error("hold a task again", e))?;
    Ok(n == 1)
}

/// The overlap the table hands tasks out with; `None` while it holds no task.
pub fn table_overlap(target: &Target, client: &mut Client) -> Result<Option<u32>, StoreError> {
    let row = client
        .query_opt("SELECT overlap FROM prefer_tasks LIMIT 1", &[])
        .map_err(|e| target.error("read the tasks' overlap", e))?;
    Ok(row.map(|r| r.get::<_, i32>(0).max(1) as u32))
}

/// Sets every task's overlap to `k`: the overlap before and the number of tasks; `None` when
/// the table holds no task. The lead's: a labeler's role (per-user roles) may not.
pub fn set_overlap(
    target: &Target,
    client: &mut Client,
    k: u32,
) -> Result<Option<(u32, u64)>, StoreError> {
    let err = |e| target.error("change the overlap", e);
    let mut tx = client.transaction().map_err(err)?;
    let may: bool = tx
        .query_one("SELECT has_table_privilege('prefer_tasks', 'UPDATE')", &[])
        .map_err(err)?
        .get(0);
    if !may {
        return Err(StoreError(format!(
            "{}: changing the overlap is the lead's: your role `{}` may not - ask the lead to run it",
            target.shown(),
            target.user().unwrap_or("yours")
        )));
    }
    let Some(before) = tx
        .query_opt("SELECT overlap FROM prefer_tasks LIMIT 1", &[])
        .map_err(err)?
        .map(|r| r.get::<_, i32>(0))
    else {
        return Ok(None);
    };
    tx.execute(
        "UPDATE prefer_tasks SET overlap = $1 WHERE overlap <> $1",
        &[&(k as i32)],
    )
    .map_err(err)?;
    let total: i64 = tx
        .query_one("SELECT count(*) FROM prefer_tasks", &[])
        .map_err(err)?
        .get(0);
    tx.commit().map_err(err)?;
    Ok(Some((before.max(1) as u32, total as u64)))
}

/// Whether any task may still come to `annotator`: one with fewer than its overlap decided
/// that they have not decided (held by others now, perhaps, until their leases run out).
pub fn any_left(target: &Target, client: &mut Client, annotator: &str) -> Result<bool, StoreError> {
    Ok(client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM prefer_tasks t
                WHERE t.decided < t.overlap
                  AND NOT coalesce((SELECT c.done FROM prefer_claims c
                      WHERE c.task_id = t.task_id AND c.annotator = $1), false))",
            &[&annotator],
        )
        .map_err(|e| target.error("look for tasks left", e))?
        .get(0))
}

/// A task row's item, kind and pair, as [`columns`] gives a key's.
fn row_columns(r: &postgres::Row) -> (&str, &str, &str, &str) {
    (r.get(0), r.get(1), r.get(2), r.get(3))
}

/// What [`load`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    /// Tasks added now (the table was empty, or the file gained tasks).
    pub added: u64,
    /// Tasks in the table after the load.
    pub total: u64,
    /// The overlap the table hands tasks out with.
    pub overlap: u32,
}

/// Loads a file's tasks into the table, in the file's order: all of them into an empty
/// table; into a table that holds this file's tasks already, only those it lacks (the file
/// grew). A table that holds a task the file does not have (another file, another mode), or
/// hands tasks out with another overlap than `overlap` asks for, is refused, nothing
/// changed. `overlap` `None`: the table's (or 1 for an empty table).
pub fn load(
    target: &Target,
    client: &mut Client,
    what: &str,
    tasks: &[TaskKey],
    overlap: Option<u32>,
) -> Result<Loaded, StoreError> {
    let err = |e| target.error("load the tasks", e);
    let mut tx = client.transaction().map_err(err)?;
    // A labeler's own role (per-user roles) may not load tasks: it checks the file against
    // the tasks loaded, and asks the lead for those missing.
    let may_load: bool = tx
        .query_one("SELECT has_table_privilege('prefer_tasks', 'INSERT')", &[])
        .map_err(err)?
        .get(0);
    // Two first labelers at once: the second waits, then sees the first's load.
    if may_load {
        tx.batch_execute("LOCK TABLE prefer_tasks IN SHARE ROW EXCLUSIVE MODE")
            .map_err(err)?;
    }
    let rows = tx
        .query(
            "SELECT item, task, pair_a, pair_b, overlap FROM prefer_tasks ORDER BY task_id",
            &[],
        )
        .map_err(err)?;
    let file: Vec<(&str, &str, &str, &str)> = tasks.iter().map(columns).collect();
    let table_overlap: Option<i32> = rows.first().map(|r| r.get(4));
    // The usual case: the table holds the file's first tasks in its order (it was loaded
    // from it), compared in step; only otherwise task by task, as sets.
    let in_step =
        rows.len() <= file.len() && rows.iter().zip(&file).all(|(r, f)| row_columns(r) == *f);
    let missing: Vec<(&str, &str, &str, &str)> = if in_step {
        file[rows.len()..].to_vec()
    } else {
        let wanted: std::collections::HashSet<_> = file.iter().copied().collect();
        let mut have = std::collections::HashSet::new();
        for r in &rows {
            let (item, task, a, b) = row_columns(r);
            if !wanted.contains(&(item, task, a, b)) {
                let pair = if a.is_empty() {
                    String::new()
                } else {
                    format!(" ({a} vs {b})")
                };
                return Err(StoreError(format!(
                    "{}: the database hands out {} tasks, and its {task} task on item {item}{pair} is not among {what}'s - this database holds another file's tasks (or another mode's); use a database of its own for {what}, nothing was changed",
                    target.shown(),
                    rows.len()
                )));
            }
            have.insert((item, task, a, b));
        }
        file.iter().copied().filter(|t| !have.contains(t)).collect()
    };
    let overlap = match (table_overlap, overlap) {
        (Some(t), Some(asked)) if t as u32 != asked => {
            return Err(StoreError(format!(
                "{}: the database hands {what}'s tasks out with overlap {t}, not {asked} - leave out --overlap (the database's is used), or change the team's with `prefer store set-overlap URL {asked}`; nothing was changed",
                target.shown()
            )));
        }
        (Some(t), _) => t as u32,
        (None, k) => k.unwrap_or(1).max(1),
    };
    if !may_load {
        if !missing.is_empty() {
            let role = target.user().unwrap_or("yours");
            return Err(StoreError(format!(
                "{}: the database lacks {} of {what}'s tasks, and loading tasks is the lead's: your role `{role}` may only take them - ask the lead to run: prefer store tasks {} URL",
                target.shown(),
                missing.len(),
                crate::text::shell_quote(what)
            )));
        }
        return Ok(Loaded {
            added: 0,
            total: rows.len() as u64,
            overlap,
        });
    }
    let added = insert_tasks(&mut tx, &missing, overlap).map_err(err)?;
    // Decisions pushed before these tasks were loaded take their places now.
    if added > 0 {
        claim_decided(target, &mut tx, None)?;
    }
    tx.commit().map_err(err)?;
    Ok(Loaded {
        added,
        total: rows.len() as u64 + added,
        overlap,
    })
}
