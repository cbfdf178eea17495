//! Per-user roles against a real PostgreSQL (PREFER_TEST_PG, as in tests/store.rs: without
//! it these tests print a note and pass, except under CI=true): `prefer store init
//! --per-user-roles`, `add-labeler`, and what a labeler's own role may and may not do, by SQL
//! straight to the server and through prefer (push, tasks, label and review in a
//! pseudo-terminal).
//!
//! Roles belong to the whole server: each test names its roles after itself and drops them
//! (and the database) before it starts.

mod common;

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::{Session, pair_file};

/// A database set up with per-user roles, and the names of the test's roles.
struct Team {
    /// The lead's URL (the server's superuser, who owns the tables).
    lead: String,
    /// `scheme://` and `host:port/database`, to make a role's URL.
    scheme: String,
    rest: String,
    tag: String,
}

impl Team {
    /// A role's URL, password and all (for SQL straight to the server).
    fn url_of(&self, role: &str, password: &str) -> String {
        format!("{}{role}:{password}@{}", self.scheme, self.rest)
    }

    /// A role's URL without its password (prefer takes it from PGPASSWORD).
    fn bare_url(&self, role: &str) -> String {
        format!("{}{role}@{}", self.scheme, self.rest)
    }

    /// The test's name for a labeler.
    fn name(&self, who: &str) -> String {
        format!("{}_{who}", self.tag)
    }
}

fn server() -> Option<String> {
    let Ok(url) = std::env::var("PREFER_TEST_PG") else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!(
                "CI=true and PREFER_TEST_PG is not set: these tests need a server (scripts/pg start)"
            );
        }
        eprintln!("skipped: set PREFER_TEST_PG to a PostgreSQL URL (scripts/pg start prints one)");
        return None;
    };
    Some(url)
}

/// A fresh database `prefer_test_<tag>` and no roles of the test's left from a run before;
/// the schema made and per-user roles set up, as the lead does.
fn team(tag: &str) -> Option<Team> {
    let url = server()?;
    let db = format!("prefer_test_{tag}");
    let mut c = postgres::Client::connect(&url, postgres::NoTls)
        .unwrap_or_else(|e| panic!("PREFER_TEST_PG: cannot connect: {e}"));
    c.batch_execute(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"))
        .unwrap();
    for who in ["alice", "bob", "rev"] {
        c.batch_execute(&format!("DROP ROLE IF EXISTS {tag}_{who}"))
            .unwrap();
    }
    for group in ["labeler", "reviewer"] {
        c.batch_execute(&format!("DROP ROLE IF EXISTS {db}_{group}"))
            .unwrap();
    }
    c.batch_execute(&format!("CREATE DATABASE {db}")).unwrap();
    let (scheme, after) = url.split_once("://").unwrap();
    let (_, hostpath) = after.rsplit_once('@').unwrap();
    let hostport = &hostpath[..hostpath.find('/').unwrap()];
    let lead = format!("{}/{db}", url.rsplit_once('/').unwrap().0);
    let t = Team {
        lead,
        scheme: format!("{scheme}://"),
        rest: format!("{hostport}/{db}"),
        tag: tag.to_string(),
    };
    let out = ok(&["store", "init", &t.lead, "--per-user-roles"]);
    assert!(out.contains("per-user roles set up:"), "{out}");
    Some(t)
}

fn prefer(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(common::BIN);
    c.args(args)
        .env_remove("PREFER_STORE")
        .env_remove("PGPASSWORD");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn ok(args: &[&str]) -> String {
    let out = prefer(args, &[]);
    assert!(
        out.status.success(),
        "prefer {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn fails(args: &[&str], env: &[(&str, &str)]) -> String {
    let out = prefer(args, env);
    assert!(!out.status.success(), "prefer {args:?} should fail");
    String::from_utf8(out.stderr).unwrap()
}

/// `prefer store add-labeler`: the password it printed.
fn add(t: &Team, name: &str, reviewer: bool) -> String {
    let mut args = vec!["store", "add-labeler", &t.lead, name];
    if reviewer {
        args.push("--reviewer");
    }
    let out = ok(&args);
    let line = out
        .lines()
        .find(|l| l.starts_with("its password"))
        .unwrap_or_else(|| panic!("no password printed: {out}"));
    line.rsplit_once(": ").unwrap().1.to_string()
}

fn connect(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls).unwrap()
}

/// Runs `sql` as the connection's role; the server's message when it refused.
fn refused(c: &mut postgres::Client, sql: &str) -> String {
    match c.batch_execute(sql) {
        Ok(()) => panic!("the server let it through: {sql}"),
        Err(e) => {
            let msg = e
                .as_db_error()
                .map_or(e.to_string(), |d| d.message().to_string());
            assert!(
                msg.contains("row-level security") || msg.contains("permission denied"),
                "{sql}: {msg}"
            );
            msg
        }
    }
}

/// An event line of `who` on `item` (a pair task).
fn event(who: &str, item: &str, role: Option<&str>) -> String {
    let role = role.map_or(String::new(), |r| format!(",\"role\":\"{r}\""));
    format!(
        "{{\"v\":1,\"at\":\"2026-11-26T10:00:00.000Z\",\"annotator\":\"{who}\"{role},\"item\":\"{item}\",\"item_hash\":\"h\",\"task\":\"pair\",\"pair\":[\"c0\",\"c1\"],\"choice\":\"c0\",\"ms\":4000}}"
    )
}

/// An INSERT of one event row.
fn insert_event(stream: &str, seq: i64, line: &str, annotator: &str, role: Option<&str>) -> String {
    let q = |s: &str| format!("'{}'", s.replace('\'', "''"));
    format!(
        "INSERT INTO prefer_events (stream, seq, line, annotator, item, task, role)
         VALUES ({}, {seq}, {}, {}, 'item-0', 'pair', {})",
        q(stream),
        q(line),
        q(annotator),
        role.map_or("NULL".to_string(), q)
    )
}

#[test]
fn init_with_per_user_roles_twice_changes_nothing_and_without_it_keeps_them() {
    let Some(t) = team("roles_init") else {
        return;
    };
    let again = ok(&["store", "init", &t.lead, "--per-user-roles"]);
    assert!(again.contains("schema at version 4 already"), "{again}");
    assert!(again.contains("per-user roles set up already"), "{again}");
    let plain = ok(&["store", "init", &t.lead]);
    assert!(!plain.contains("per-user roles"), "{plain}");
    let mut c = connect(&t.lead);
    let on: Vec<(String, bool)> = c
        .query(
            "SELECT relname::text, relrowsecurity FROM pg_class WHERE relname IN
             ('prefer_streams', 'prefer_events', 'prefer_tasks', 'prefer_claims') ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(on.len(), 4);
    assert!(on.iter().all(|(_, rls)| *rls), "{on:?}");
    let policies: i64 = c
        .query_one("SELECT count(*) FROM pg_policy", &[])
        .unwrap()
        .get(0);
    assert_eq!(policies, 12);
    // A labeler: made with a password printed once; again, it only joins.
    let alice = t.name("alice");
    let pw = add(&t, &alice, false);
    assert_eq!(pw.len(), 24);
    let out = ok(&["store", "add-labeler", &t.lead, &alice]);
    assert!(out.contains("existed already"), "{out}");
    assert!(
        !out.contains(&pw) && !out.contains("its password ("),
        "{out}"
    );
    // The password works, and the old one still does (it was not changed).
    connect(&t.url_of(&alice, &pw));
    // A name that cannot be an annotator's is refused before anything is done.
    let e = fails(&["store", "add-labeler", &t.lead, "a b"], &[]);
    assert!(e.contains("cannot be a labeler's role"), "{e}");
    // Taken out of the groups: it may no longer read the team's labels.
    let out = ok(&["store", "remove-labeler", &t.lead, &alice]);
    assert!(out.contains("no longer a labeler"), "{out}");
    let mut a = connect(&t.url_of(&alice, &pw));
    refused(&mut a, "SELECT 1 FROM prefer_events");
}

/// A labeler's role, by SQL straight to the server: what it may do, and everything it may
/// not (each a policy or a privilege of its own: with that one dropped, this test fails).
#[test]
fn a_labelers_role_writes_only_its_own_events_and_claims() {
    let Some(t) = team("roles_sql") else {
        return;
    };
    let (alice, bob, rev) = (t.name("alice"), t.name("bob"), t.name("rev"));
    let pa = add(&t, &alice, false);
    let pb = add(&t, &bob, false);
    let pr = add(&t, &rev, true);
    let mut lead = connect(&t.lead);
    lead.batch_execute(
        "INSERT INTO prefer_tasks (item, task, pair_a, pair_b, overlap) VALUES
         ('item-0', 'pair', 'c0', 'c1', 2), ('item-1', 'pair', 'c0', 'c1', 2)",
    )
    .unwrap();
    let mut a = connect(&t.url_of(&alice, &pa));
    let mut b = connect(&t.url_of(&bob, &pb));
    // Her own: a stream, events, a blank line, claims.
    a.batch_execute(&format!(
        "INSERT INTO prefer_streams VALUES ('{alice}', 0, 0, ''::bytea);
         UPDATE prefer_streams SET lines = 2 WHERE stream = '{alice}';
         {};
         INSERT INTO prefer_events (stream, seq, line) VALUES ('{alice}', 2, '');
         INSERT INTO prefer_claims VALUES (1, '{alice}', false, now());
         UPDATE prefer_claims SET done = true WHERE annotator = '{alice}';",
        insert_event(&alice, 1, &event(&alice, "item-0", None), &alice, None)
    ))
    .unwrap();
    b.batch_execute(&format!(
        "INSERT INTO prefer_streams VALUES ('{bob}', 0, 0, ''::bytea);
         INSERT INTO prefer_claims VALUES (2, '{bob}', false, now());"
    ))
    .unwrap();
    // Not as bob: the column, the line, bob's stream, bob's stream's head.
    refused(
        &mut a,
        &insert_event(&alice, 3, &event(&bob, "item-0", None), &bob, None),
    );
    refused(
        &mut a,
        &insert_event(&alice, 3, &event(&bob, "item-0", None), &alice, None),
    );
    refused(
        &mut a,
        &insert_event(&bob, 1, &event(&alice, "item-0", None), &alice, None),
    );
    refused(
        &mut a,
        &format!("INSERT INTO prefer_streams VALUES ('{alice}x', 0, 0, ''::bytea)"),
    );
    let n = a
        .execute(
            "UPDATE prefer_streams SET lines = 9 WHERE stream = $1",
            &[&bob],
        )
        .unwrap();
    assert_eq!(n, 0, "alice changed bob's stream");
    // A blank line with an annotator, a reviewer's final decision: not a labeler's.
    refused(
        &mut a,
        &format!(
            "INSERT INTO prefer_events (stream, seq, line, annotator) VALUES ('{alice}', 3, '', '{alice}')"
        ),
    );
    refused(
        &mut a,
        &insert_event(
            &alice,
            3,
            &event(&alice, "item-0", Some("adjudicator")),
            &alice,
            Some("adjudicator"),
        ),
    );
    // Claims as bob: taken, changed, given back.
    refused(
        &mut a,
        &format!("INSERT INTO prefer_claims VALUES (1, '{bob}', true, NULL)"),
    );
    let changed = a
        .execute(
            "UPDATE prefer_claims SET done = true WHERE annotator = $1",
            &[&bob],
        )
        .unwrap();
    let deleted = a
        .execute("DELETE FROM prefer_claims WHERE annotator = $1", &[&bob])
        .unwrap();
    assert_eq!((changed, deleted), (0, 0), "alice changed bob's claims");
    refused(
        &mut a,
        &format!("UPDATE prefer_claims SET annotator = '{bob}' WHERE annotator = '{alice}'"),
    );
    // Tasks: read and locked, never loaded or changed; events never changed or deleted.
    refused(
        &mut a,
        "INSERT INTO prefer_tasks (item, task, overlap) VALUES ('item-9', 'pair', 1)",
    );
    refused(&mut a, "UPDATE prefer_tasks SET overlap = 9");
    refused(&mut a, "DELETE FROM prefer_tasks");
    refused(&mut a, "UPDATE prefer_events SET line = ''");
    refused(&mut a, "DELETE FROM prefer_events");
    refused(&mut a, "TRUNCATE prefer_claims");
    let mut tx = a.transaction().unwrap();
    let locked = tx
        .query(
            "SELECT task_id FROM prefer_tasks ORDER BY task_id FOR UPDATE SKIP LOCKED",
            &[],
        )
        .unwrap();
    assert_eq!(locked.len(), 2);
    tx.rollback().unwrap();
    // Everyone's labels are read.
    let streams: i64 = b
        .query_one("SELECT count(*) FROM prefer_events", &[])
        .unwrap()
        .get(0);
    assert_eq!(streams, 2);
    let claims: i64 = b
        .query_one("SELECT count(*) FROM prefer_claims", &[])
        .unwrap()
        .get(0);
    assert_eq!(claims, 2);
    // A reviewer writes final decisions as itself, and takes no claims.
    let mut r = connect(&t.url_of(&rev, &pr));
    r.batch_execute(&format!(
        "INSERT INTO prefer_streams VALUES ('{rev}', 0, 0, ''::bytea); {}",
        insert_event(
            &rev,
            1,
            &event(&rev, "item-0", Some("adjudicator")),
            &rev,
            Some("adjudicator")
        )
    ))
    .unwrap();
    refused(
        &mut r,
        &insert_event(&rev, 2, &event(&alice, "item-0", None), &alice, None),
    );
    refused(
        &mut r,
        &format!("INSERT INTO prefer_claims VALUES (2, '{rev}', false, now())"),
    );
}

/// Through prefer: a labeler's role cannot push another's log or load tasks, and is told
/// which role may not do what (without its password).
#[test]
fn through_prefer_a_labelers_role_cannot_push_anothers_log_or_load_tasks() {
    let Some(t) = team("roles_cli") else {
        return;
    };
    let (alice, bob) = (t.name("alice"), t.name("bob"));
    let pa = add(&t, &alice, false);
    let dir = tempfile::tempdir().unwrap();
    let file = pair_file(dir.path(), 3);
    let labels = dir.path().join("set.labels");
    std::fs::create_dir(&labels).unwrap();
    std::fs::write(
        labels.join(format!("{bob}.jsonl")),
        event(&bob, "item-0", None) + "\n",
    )
    .unwrap();
    let as_alice = t.bare_url(&alice);
    let env = [("PGPASSWORD", pa.as_str())];
    let e = fails(
        &["store", "push", labels.to_str().unwrap(), &as_alice],
        &env,
    );
    assert!(
        e.contains(&format!("refused by the server: role `{alice}`")),
        "{e}"
    );
    assert!(!e.contains(&pa), "the password is printed: {e}");
    let e = fails(&["store", "tasks", file.to_str().unwrap(), &as_alice], &env);
    assert!(e.contains("loading tasks is the lead's"), "{e}");
    assert!(e.contains("prefer store tasks"), "{e}");
    assert!(!e.contains(&pa), "the password is printed: {e}");
    // Loaded by the lead, the tasks are there for her: the same command now adds nothing.
    ok(&["store", "tasks", file.to_str().unwrap(), &t.lead]);
    // The overlap is the lead's to change too.
    let e = fails(&["store", "set-overlap", &as_alice, "2"], &env);
    assert!(e.contains("changing the overlap is the lead's"), "{e}");
    assert!(!e.contains(&pa), "the password is printed: {e}");
    let out = prefer(&["store", "tasks", file.to_str().unwrap(), &as_alice], &env);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Nothing of bob's was written.
    let mut c = connect(&t.lead);
    let n: i64 = c
        .query_one("SELECT count(*) FROM prefer_streams", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 0);
}

fn label(dir: &Path, who: &str, url: &str, password: &str) -> Session {
    Session::spawn(
        &[
            "label",
            "set.jsonl",
            "--annotator",
            who,
            "--store",
            url,
            "--no-shuffle",
        ],
        dir,
        &[("XDG_DATA_HOME", ""), ("PGPASSWORD", password)],
        140,
        30,
    )
}

/// The events of `stream` in the database.
fn rows(url: &str, stream: &str) -> Vec<String> {
    connect(url)
        .query(
            "SELECT line FROM prefer_events WHERE stream = $1 ORDER BY seq",
            &[&stream],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

fn wait_rows(url: &str, stream: &str, n: usize, secs: u64) -> Vec<String> {
    let end = Instant::now() + Duration::from_secs(secs);
    loop {
        let r = rows(url, stream);
        if r.len() >= n || Instant::now() > end {
            return r;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Decides the task on screen once it is handed out.
fn decide(s: &mut Session, task: usize) {
    wait_handed(s, task);
    s.send("1");
}

/// Waits for task `task` on screen, handed out.
fn wait_handed(s: &mut Session, task: usize) {
    s.wait_drawn(&format!("task {task}/ handed out"), 20, |sc| {
        sc.contains(&format!("task {task}/"))
            && !sc.contains("hand out more tasks")
            && sc
                .trim_end()
                .lines()
                .last()
                .is_some_and(|l| l.contains("quit"))
    });
}

/// Two labelers, each with a role of their own, label through `prefer label --store` on
/// their own machines: their decisions land under their names, and the tasks are shared out.
/// A labeler who names another annotator is refused at the start, before anything is written.
#[test]
fn labelers_with_roles_of_their_own_label_through_the_store_and_only_as_themselves() {
    let Some(t) = team("roles_label") else {
        return;
    };
    let (alice, bob) = (t.name("alice"), t.name("bob"));
    let pa = add(&t, &alice, false);
    let pb = add(&t, &bob, false);
    let dir = tempfile::tempdir().unwrap();
    let file = pair_file(dir.path(), 4);
    ok(&[
        "store",
        "tasks",
        file.to_str().unwrap(),
        &t.lead,
        "--overlap",
        "1",
    ]);
    let (ha, hb) = (dir.path().join("a"), dir.path().join("b"));
    for h in [&ha, &hb] {
        std::fs::create_dir(h).unwrap();
        std::fs::copy(&file, h.join("set.jsonl")).unwrap();
    }
    // Alice's role, bob's name: refused at the start, nothing written anywhere.
    let mut wrong = label(&ha, &bob, &t.bare_url(&alice), &pa);
    assert_eq!(wrong.wait_exit(20), Some(1));
    let out = String::from_utf8_lossy(&wrong.output()).into_owned();
    assert!(
        out.contains(&format!("you connect as role `{alice}`"))
            && out.contains(&format!("--annotator {alice}")),
        "{out}"
    );
    assert!(!out.contains(&pa), "the password is printed: {out}");
    assert!(rows(&t.lead, &bob).is_empty());
    // Alice holds three tasks (overlap 1), bob gets the fourth.
    let mut a = label(&ha, &alice, &t.bare_url(&alice), &pa);
    wait_handed(&mut a, 1);
    let mut b = label(&hb, &bob, &t.bare_url(&bob), &pb);
    decide(&mut b, 4);
    decide(&mut a, 1);
    decide(&mut a, 2);
    assert_eq!(wait_rows(&t.lead, &alice, 2, 20).len(), 2);
    assert_eq!(wait_rows(&t.lead, &bob, 1, 20).len(), 1);
    for s in [&mut a, &mut b] {
        s.send("q");
        assert_eq!(s.wait_exit(10), Some(0));
        let out = String::from_utf8_lossy(&s.output()).into_owned();
        assert!(out.contains("every decision is in the database"), "{out}");
        assert!(!out.contains(&pa) && !out.contains(&pb), "{out}");
    }
    let a_rows = rows(&t.lead, &alice);
    assert!(
        a_rows
            .iter()
            .all(|l| l.contains(&format!("\"annotator\":\"{alice}\""))),
        "{a_rows:?}"
    );
    let mut c = connect(&t.lead);
    let done: Vec<(String, String)> = c
        .query(
            "SELECT t.item, c.annotator FROM prefer_claims c JOIN prefer_tasks t USING (task_id)
             WHERE c.done ORDER BY t.item",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(done.len(), 3, "{done:?}");
    assert!(done.iter().any(|(_, w)| *w == bob), "{done:?}");
}

/// `prefer review --store` as a reviewer's role writes final decisions; a labeler's role that
/// tries is refused by the server, is told so on screen and at the end, and keeps its
/// decision in its outbox.
#[test]
fn a_reviewers_role_writes_final_decisions_and_a_labelers_is_refused() {
    let Some(t) = team("roles_review") else {
        return;
    };
    let (alice, rev) = (t.name("alice"), t.name("rev"));
    let pa = add(&t, &alice, false);
    let pr = add(&t, &rev, true);
    let dir = tempfile::tempdir().unwrap();
    let file = pair_file(dir.path(), 3);
    let d = prefer::format::load(&file).unwrap();
    let line = |who: &str, choice: &str| {
        format!(
            "{{\"v\":1,\"at\":\"2026-11-26T10:00:00.000Z\",\"annotator\":\"{who}\",\"item\":\"{}\",\"item_hash\":\"{}\",\"task\":\"pair\",\"pair\":[\"c0\",\"c1\"],\"choice\":\"{choice}\",\"ms\":4000}}\n",
            d.items[1].id, d.items[1].hash
        )
    };
    let labels = dir.path().join("pushed.labels");
    std::fs::create_dir(&labels).unwrap();
    std::fs::write(labels.join("ann.jsonl"), line("ann", "c0")).unwrap();
    std::fs::write(labels.join("bob.jsonl"), line("bob", "c1")).unwrap();
    ok(&["store", "push", labels.to_str().unwrap(), &t.lead]);
    std::fs::remove_dir_all(&labels).unwrap();
    let review = |home: &Path, who: &str, pw: &str| {
        std::fs::create_dir(home).unwrap();
        std::fs::copy(&file, home.join("set.jsonl")).unwrap();
        let mut s = Session::spawn(
            &[
                "review",
                "set.jsonl",
                "--store",
                &t.bare_url(who),
                "--annotator",
                who,
                "--filter",
                "disagreements",
            ],
            home,
            &[("XDG_DATA_HOME", ""), ("PGPASSWORD", pw)],
            140,
            30,
        );
        s.wait_for("the review screen", 20, |sc| {
            sc.contains("review disagreements 1/1") && sc.contains("they DISAGREE")
        });
        s.send("b");
        s
    };
    let mut r = review(&dir.path().join("r"), &rev, &pr);
    r.wait_drawn("saved after the commit", 20, |sc| {
        let h = sc.lines().next().unwrap_or_default();
        h.contains("✓ saved") && !h.contains("waiting") && !h.contains("REFUSED")
    });
    let db = rows(&t.lead, &rev);
    assert_eq!(db.len(), 1);
    assert!(db[0].contains("\"role\":\"adjudicator\""), "{db:?}");
    r.send("q");
    assert_eq!(r.wait_exit(10), Some(0));
    // A labeler's role may not write final decisions: the server refuses, the screen says
    // which role may not do what, the decision stays in the outbox.
    let home = dir.path().join("a");
    let mut a = review(&home, &alice, &pa);
    let sc = a.wait_drawn("the refusal", 20, |sc| {
        sc.contains("REFUSED by the server") && sc.contains("refused by the server: role")
    });
    assert!(sc.contains(&alice), "{sc}");
    a.send("q");
    a.wait_exit(10);
    let out = String::from_utf8_lossy(&a.output()).into_owned();
    assert!(
        out.contains("1 decision waits in the outbox")
            && out.contains(&format!("role `{alice}` may not")),
        "{out}"
    );
    assert!(!out.contains(&pa), "the password is printed: {out}");
    assert!(rows(&t.lead, &alice).is_empty());
    let outbox_dir = home.join(".local/share/prefer/outbox");
    let db_dir = std::fs::read_dir(&outbox_dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let kept = std::fs::read_to_string(db_dir.join(format!("{alice}.jsonl"))).unwrap();
    assert!(kept.contains("\"role\":\"adjudicator\""), "{kept}");
}
