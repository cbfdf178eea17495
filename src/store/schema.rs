//! The database's tables, created and migrated by versioned steps recorded in `prefer_schema`:
//! `prefer store init` applies the steps a database lacks (running it again changes nothing),
//! and every other use checks the version first and refuses a schema newer than this binary.

use postgres::Client;

use super::target::{StoreError, Target};

/// The steps, in order: step `n` (from 1) brings the schema to version `n`. A step is never
/// changed once released; a change is a new step.
const MIGRATIONS: &[&str] = &[
    // 1: streams (one per annotator's log) and their events, one row per line.
    r#"
    CREATE TABLE prefer_streams (
        -- The log's name: `<stream>.jsonl` in a labels folder.
        stream text PRIMARY KEY,
        -- Lines and bytes held, and the BLAKE3 hash of those bytes (lines with their
        -- newlines), so a push or pull checks a whole log against a folder's in one step.
        lines bigint NOT NULL,
        bytes bigint NOT NULL,
        hash bytea NOT NULL
    );
    CREATE TABLE prefer_events (
        stream text NOT NULL REFERENCES prefer_streams (stream),
        -- The line's number in its stream, from 1: (stream, seq) is the event's id, so
        -- sending a line twice stores it once.
        seq bigint NOT NULL,
        -- The line exactly as written, without its newline (a blank line is kept too: a
        -- pull gives back the same bytes).
        line text NOT NULL,
        -- What queries need, from the line (NULL for a blank line).
        annotator text,
        item text,
        task text,
        -- A pair task's candidates, in byte order (the task key), and the event's role.
        pair_a text,
        pair_b text,
        role text,
        -- The event's time as written (RFC 3339).
        at text,
        PRIMARY KEY (stream, seq)
    );
    CREATE INDEX prefer_events_task ON prefer_events (item, task, pair_a, pair_b);
    CREATE INDEX prefer_events_annotator ON prefer_events (annotator);
    "#,
    // 2: tasks to hand out, and who holds or has decided each (see `assign`).
    r#"
    CREATE TABLE prefer_tasks (
        task_id bigserial PRIMARY KEY,
        item text NOT NULL,
        task text NOT NULL,
        pair_a text NOT NULL DEFAULT '',
        pair_b text NOT NULL DEFAULT '',
        -- Decisions wanted: never more are handed out.
        overlap integer NOT NULL CHECK (overlap >= 1),
        UNIQUE (item, task, pair_a, pair_b)
    );
    CREATE TABLE prefer_claims (
        task_id bigint NOT NULL REFERENCES prefer_tasks (task_id),
        annotator text NOT NULL,
        -- A lease runs out at `lease_until` unless renewed; a decided task is `done`.
        done boolean NOT NULL DEFAULT false,
        lease_until timestamptz,
        PRIMARY KEY (task_id, annotator)
    );
    "#,
    // 3: each task's count of decided claims, kept by a trigger on every change of a claim,
    // and an index of the tasks with fewer than their overlap decided: a hand-out looks only
    // at those, not at every task decided before them (a team 800,000 tasks into a file took
    // 3 s a task by walking them).
    r#"
    ALTER TABLE prefer_tasks ADD COLUMN decided integer NOT NULL DEFAULT 0;
    UPDATE prefer_tasks t SET decided = d.n
    FROM (SELECT task_id, count(*) AS n FROM prefer_claims WHERE done GROUP BY task_id) d
    WHERE d.task_id = t.task_id;
    CREATE INDEX prefer_tasks_open ON prefer_tasks (task_id) WHERE decided < overlap;
    -- The tasks a labeler holds (not decided), without a walk of every claim.
    CREATE INDEX prefer_claims_held ON prefer_claims (annotator) WHERE NOT done;
    -- Runs as the tables' owner: a labeler's own role may change its claims, not the tasks.
    -- Once a statement, over the rows it changed (a push's claims for a million decisions
    -- are one update of the tasks, not one each).
    CREATE FUNCTION prefer_count_decided() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER AS $f$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            UPDATE prefer_tasks t SET decided = t.decided + d.n
            FROM (SELECT task_id, count(*) AS n FROM prefer_new WHERE done GROUP BY task_id) d
            WHERE t.task_id = d.task_id;
        ELSIF TG_OP = 'DELETE' THEN
            UPDATE prefer_tasks t SET decided = t.decided - d.n
            FROM (SELECT task_id, count(*) AS n FROM prefer_old WHERE done GROUP BY task_id) d
            WHERE t.task_id = d.task_id;
        ELSE
            UPDATE prefer_tasks t SET decided = t.decided + d.n
            FROM (SELECT task_id, sum(n) AS n
                  FROM (SELECT task_id, 1 AS n FROM prefer_new WHERE done
                        UNION ALL SELECT task_id, -1 FROM prefer_old WHERE done) c
                  GROUP BY task_id) d
            WHERE t.task_id = d.task_id AND d.n <> 0;
        END IF;
        RETURN NULL;
    END
    $f$;
    -- Its tables are found in this schema only (no object of a caller's can stand in).
    DO $d$ BEGIN
        EXECUTE format('ALTER FUNCTION prefer_count_decided() SET search_path = %I, pg_temp',
                       current_schema());
    END $d$;
    CREATE TRIGGER prefer_count_inserted AFTER INSERT ON prefer_claims
        REFERENCING NEW TABLE AS prefer_new
        FOR EACH STATEMENT EXECUTE FUNCTION prefer_count_decided();
    CREATE TRIGGER prefer_count_updated AFTER UPDATE ON prefer_claims
        REFERENCING OLD TABLE AS prefer_old NEW TABLE AS prefer_new
        FOR EACH STATEMENT EXECUTE FUNCTION prefer_count_decided();
    CREATE TRIGGER prefer_count_deleted AFTER DELETE ON prefer_claims
        REFERENCING OLD TABLE AS prefer_old
        FOR EACH STATEMENT EXECUTE FUNCTION prefer_count_decided();
    "#,
    // 4: a candidate file's tasks found to match the table's (see `checked`): by the file's
    // content, how its items became tasks, the prefer that listed them and the table as its
    // last task told it, so a labeler's first start on another machine skips the check
    // (seconds for a big file) when the same file meets the same table.
    r#"
    CREATE TABLE prefer_checks (
        file_hash text NOT NULL,
        tasks text NOT NULL,
        prefer_version text NOT NULL,
        -- The table's tasks as `checked::DbTasks` says them (JSON).
        db text NOT NULL,
        -- Tasks in the table after the check.
        total bigint NOT NULL,
        checked_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (file_hash, tasks, prefer_version, db)
    );
    "#,
];

/// The schema version this binary reads and writes.
pub const VERSION: i32 = MIGRATIONS.len() as i32;

/// What [`init`] found and did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migrated {
    pub from: i32,
    pub to: i32,
}

/// Creates the schema or brings it up to [`VERSION`], in one transaction (two `init`s at once
/// wait for each other). A database at a newer version is refused and left as it is.
pub fn init(target: &Target, client: &mut Client) -> Result<Migrated, StoreError> {
    init_to(target, client, VERSION)
}

/// [`init`] up to version `to` only (what an older prefer made; for tests of migrations).
pub fn init_to(target: &Target, client: &mut Client, to: i32) -> Result<Migrated, StoreError> {
    let err = |doing: &str| {
        let doing = doing.to_string();
        move |e: postgres::Error| target.error(&doing, e)
    };
    let mut tx = client.transaction().map_err(err("begin"))?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS prefer_schema (
            version integer PRIMARY KEY,
            applied_at timestamptz NOT NULL DEFAULT now(),
            prefer_version text NOT NULL
        );
        LOCK TABLE prefer_schema IN EXCLUSIVE MODE;",
    )
    .map_err(err("create prefer_schema"))?;
    let from: i32 = tx
        .query_one("SELECT coalesce(max(version), 0) FROM prefer_schema", &[])
        .map_err(err("read the schema version"))?
        .get(0);
    if from > VERSION {
        return Err(newer(target, from));
    }
    for (n, step) in MIGRATIONS
        .iter()
        .enumerate()
        .take(to as usize)
        .skip(from as usize)
    {
        let version = n as i32 + 1;
        tx.batch_execute(step)
            .map_err(err(&format!("migrate to schema version {version}")))?;
        tx.execute(
            "INSERT INTO prefer_schema (version, prefer_version) VALUES ($1, $2)",
            &[&version, &env!("CARGO_PKG_VERSION")],
        )
        .map_err(err("record the schema version"))?;
    }
    tx.commit().map_err(err("commit"))?;
    Ok(Migrated {
        from,
        to: to.max(from),
    })
}

/// Checks that the database's schema is the one this binary knows.
pub fn check(target: &Target, client: &mut Client) -> Result<(), StoreError> {
    let err = |e| target.error("read the schema version", e);
    let exists: bool = client
        .query_one("SELECT to_regclass('prefer_schema') IS NOT NULL", &[])
        .map_err(err)?
        .get(0);
    let version: i32 = if exists {
        client
            .query_one("SELECT coalesce(max(version), 0) FROM prefer_schema", &[])
            .map_err(err)?
            .get(0)
    } else {
        0
    };
    match version {
        v if v == VERSION => Ok(()),
        v if v > VERSION => Err(newer(target, v)),
        0 => Err(StoreError(format!(
            "{}: no prefer tables in this database - create them with: prefer store init URL",
            target.shown()
        ))),
        v => Err(StoreError(format!(
            "{}: the schema is at version {v}, this prefer needs {VERSION} - bring it up to date with: prefer store init URL",
            target.shown()
        ))),
    }
}

fn newer(target: &Target, v: i32) -> StoreError {
    StoreError(format!(
        "{}: the database's schema is version {v}, newer than this prefer knows ({VERSION}) - use a newer prefer; nothing was changed",
        target.shown()
    ))
}
