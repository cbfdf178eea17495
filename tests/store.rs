//! PostgreSQL as the shared store, end to end with the real binary against a real server:
//! `prefer store init|push|pull`, and export, stats and agreement reading from the database.
//!
//! The server comes from PREFER_TEST_PG (a URL to a database whose user may create databases;
//! `scripts/pg start` makes one, `.ci/run` sets it). Without it these tests print a note and
//! pass, except under CI=true, where they fail. Each test works in a database of its own.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh database named after the test, or `None` (with a note) when no server was given.
fn database(test: &str) -> Option<String> {
    let Ok(url) = std::env::var("PREFER_TEST_PG") else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!(
                "{test}: CI=true and PREFER_TEST_PG is not set: these tests need a server (scripts/pg start)"
            );
        }
        eprintln!(
            "{test}: skipped: set PREFER_TEST_PG to a PostgreSQL URL (scripts/pg start prints one)"
        );
        return None;
    };
    let name = format!("prefer_test_{test}");
    let mut c = postgres::Client::connect(&url, postgres::NoTls)
        .unwrap_or_else(|e| panic!("PREFER_TEST_PG: cannot connect: {e}"));
    c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .unwrap();
    c.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let base = url.rsplit_once('/').map_or(url.as_str(), |(b, _)| b);
    Some(format!("{base}/{name}"))
}

fn prefer(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_prefer"));
    c.args(args).env_remove("PREFER_STORE");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn ok(args: &[&str]) -> String {
    ok_env(args, &[])
}

fn ok_env(args: &[&str], env: &[(&str, &str)]) -> String {
    let out = prefer(args, env);
    assert!(
        out.status.success(),
        "prefer {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn fails(args: &[&str]) -> String {
    let out = prefer(args, &[]);
    assert!(!out.status.success(), "prefer {args:?} should fail");
    String::from_utf8(out.stderr).unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A synthetic candidate set and a team of `annotators` logs of `events` each.
fn synth_team(dir: &Path, annotators: u32, events: u32) -> (PathBuf, PathBuf) {
    let file = dir.join("c.jsonl");
    let labels = dir.join("c.labels");
    ok(&[
        "synth",
        "candidates",
        "--out",
        s(&file),
        "--items",
        "200",
        "--scale",
        "0.05",
    ]);
    ok(&[
        "synth",
        "log",
        "--candidates",
        s(&file),
        "--out",
        s(&labels),
        "--annotators",
        &annotators.to_string(),
        "--events",
        &events.to_string(),
    ]);
    (file, labels)
}

/// Two byte strings are equal; a failure says where they part, not every byte.
fn same_bytes(got: &[u8], want: &[u8]) {
    if got != want {
        let at = got.iter().zip(want).take_while(|(a, b)| a == b).count();
        panic!(
            "{} bytes, want {}; they differ from byte {at}: {:?} vs {:?}",
            got.len(),
            want.len(),
            String::from_utf8_lossy(&got[at..got.len().min(at + 60)]),
            String::from_utf8_lossy(&want[at..want.len().min(at + 60)])
        );
    }
}

/// Two folders hold the same logs, byte for byte.
fn same_logs(got: &Path, want: &Path) {
    let (g, w) = (logs_of(got), logs_of(want));
    let names = |v: &[(String, Vec<u8>)]| v.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&g), names(&w));
    for ((name, g), (_, w)) in g.iter().zip(&w) {
        eprintln!("{name}: {} bytes", g.len());
        same_bytes(g, w);
    }
}

fn logs_of(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn init_is_idempotent_and_a_newer_schema_is_refused() {
    let Some(url) = database("init") else { return };
    let dir = tempfile::tempdir().unwrap();
    // Before init, every command says what to do.
    let e = fails(&["store", "push", s(dir.path()), &url]);
    assert!(e.contains("prefer store init"), "{e}");
    // A database an older prefer made is brought up to date, step by step.
    let t = prefer::store::Target::parse(&url).unwrap();
    let mut c = t.connect().unwrap();
    prefer::store::schema::init_to(&t, &mut c, 1).unwrap();
    assert!(ok(&["store", "init", &url]).contains("from version 1 to 4"));
    assert!(ok(&["store", "init", &url]).contains("at version 4 already"));
    c.execute(
        "INSERT INTO prefer_schema (version, prefer_version) VALUES (99, 'future')",
        &[],
    )
    .unwrap();
    for args in [
        vec!["store", "init", &url],
        vec!["store", "push", s(dir.path()), &url],
        vec!["store", "pull", &url, s(dir.path())],
        vec!["stats", "--store", &url],
    ] {
        let e = fails(&args);
        assert!(
            e.contains("schema is version 99, newer than this prefer knows (4)"),
            "{args:?}: {e}"
        );
    }
    // The refusal changed nothing.
    let n: i64 = c
        .query_one("SELECT count(*) FROM prefer_schema", &[])
        .unwrap()
        .get(0);
    // Versions 1 to 4, and the future one.
    assert_eq!(n, 5);
}

/// Each task's count of decided claims (what the hand-out looks at instead of walking every
/// task decided before the first open one) is filled in when a database made by an older
/// prefer is brought up to date, and kept by every change of a claim after.
#[test]
fn each_tasks_decided_count_is_filled_in_by_the_migration_and_kept() {
    let Some(url) = database("decided") else {
        return;
    };
    let t = prefer::store::Target::parse(&url).unwrap();
    let mut c = t.connect().unwrap();
    prefer::store::schema::init_to(&t, &mut c, 2).unwrap();
    c.batch_execute(
        "INSERT INTO prefer_tasks (item, task, overlap) VALUES ('i1', 'rank', 2), ('i2', 'rank', 2), ('i3', 'rank', 1);
         INSERT INTO prefer_claims (task_id, annotator, done, lease_until) VALUES
             (1, 'a', true, NULL), (1, 'b', true, NULL),
             (2, 'a', true, NULL), (2, 'b', false, now() + interval '1 hour');",
    )
    .unwrap();
    assert!(ok(&["store", "init", &url]).contains("from version 2 to 4"));
    let counts = |c: &mut postgres::Client| -> Vec<(i32, i64)> {
        c.query(
            "SELECT t.decided, (SELECT count(*) FROM prefer_claims c WHERE c.task_id = t.task_id AND c.done)
             FROM prefer_tasks t ORDER BY t.task_id",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
    };
    assert_eq!(counts(&mut c), [(2, 2), (1, 1), (0, 0)]);
    for (change, want) in [
        (
            "UPDATE prefer_claims SET done = true, lease_until = NULL WHERE task_id = 2 AND annotator = 'b'",
            [2, 2, 0],
        ),
        (
            "DELETE FROM prefer_claims WHERE task_id = 1 AND annotator = 'a'",
            [1, 2, 0],
        ),
        (
            "UPDATE prefer_claims SET done = false WHERE task_id = 2 AND annotator = 'a'",
            [1, 1, 0],
        ),
        (
            "UPDATE prefer_claims SET lease_until = now() WHERE task_id = 2 AND annotator = 'a'",
            [1, 1, 0],
        ),
        (
            "INSERT INTO prefer_claims (task_id, annotator, done) VALUES (3, 'c', true)",
            [1, 1, 1],
        ),
        (
            "INSERT INTO prefer_claims (task_id, annotator, done) VALUES (3, 'd', false)",
            [1, 1, 1],
        ),
        (
            "UPDATE prefer_claims SET task_id = 1 WHERE task_id = 3 AND annotator = 'c'",
            [2, 1, 0],
        ),
        // A decision on a task held (`finish`), and several claims in one statement (a push).
        (
            "INSERT INTO prefer_claims (task_id, annotator, done) VALUES (3, 'd', true)
             ON CONFLICT (task_id, annotator) DO UPDATE SET done = true",
            [2, 1, 1],
        ),
        (
            "INSERT INTO prefer_claims (task_id, annotator, done) VALUES
                 (1, 'e', true), (2, 'e', true), (2, 'f', true), (3, 'e', false)",
            [3, 3, 1],
        ),
        (
            "DELETE FROM prefer_claims WHERE annotator IN ('e', 'f')",
            [2, 1, 1],
        ),
    ] {
        c.batch_execute(change).unwrap();
        let got = counts(&mut c);
        let decided: Vec<i32> = got.iter().map(|g| g.0).collect();
        assert_eq!(decided, want, "after {change}: {got:?}");
        assert!(
            got.iter().all(|&(d, n)| i64::from(d) == n),
            "after {change}: {got:?}"
        );
    }
}

#[test]
fn push_then_pull_gives_the_same_files_and_running_again_changes_nothing() {
    let Some(url) = database("push_pull") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (_file, labels) = synth_team(dir.path(), 5, 2000);
    ok(&["store", "init", &url]);
    let out = ok(&["store", "push", s(&labels), &url]);
    assert!(out.contains("10000 lines sent in 5 logs"), "{out}");
    let out = ok(&["store", "push", s(&labels), &url]);
    assert!(
        out.contains("0 lines sent in 0 logs (5 already up to date)"),
        "{out}"
    );
    let pulled = dir.path().join("pulled");
    assert!(ok(&["store", "pull", &url, s(&pulled)]).contains("10000 lines written in 5 logs"));
    same_logs(&pulled, &labels);
    assert!(ok(&["store", "pull", &url, s(&pulled)]).contains("0 lines written"));

    // A labeler goes on: only the new lines travel, and the other side gets exactly them.
    let alice = labels.join("annotator00.jsonl");
    let mut bytes = std::fs::read(&alice).unwrap();
    let first = bytes.split(|&b| b == b'\n').next().unwrap().to_vec();
    let mut more = first.clone();
    more.extend(b"\n\n");
    more.extend(&first);
    // The last line has no newline yet: it stays behind until it is finished.
    let torn = b"{\"v\":1,\"annot";
    more.extend(b"\n");
    more.extend(torn);
    std::fs::OpenOptions::new()
        .append(true)
        .open(&alice)
        .unwrap()
        .write_all_(&more);
    let out = ok(&["store", "push", s(&labels), &url]);
    assert!(
        out.contains("3 lines sent in 1 log (4 already up to date)"),
        "{out}"
    );
    assert!(ok(&["store", "pull", &url, s(&pulled)]).contains("3 lines written in 1 log"));
    // The columns for queries come from each line; a blank line has none.
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let row = c
        .query_one(
            "SELECT count(*) FILTER (WHERE at IS NULL OR item IS NULL OR task IS NULL),
                    count(*) FILTER (WHERE line = ''), count(*) FILTER (WHERE annotator IS NULL),
                    count(DISTINCT annotator)
             FROM prefer_events",
            &[],
        )
        .unwrap();
    let got: (i64, i64, i64, i64) = (row.get(0), row.get(1), row.get(2), row.get(3));
    assert_eq!(got, (1, 1, 1, 5));
    bytes.extend(&more[..more.len() - torn.len()]);
    same_bytes(
        &std::fs::read(pulled.join("annotator00.jsonl")).unwrap(),
        &bytes,
    );

    // A log changed after it was pushed is refused on both sides, and nothing moves.
    let bob = labels.join("annotator01.jsonl");
    let text = std::fs::read_to_string(&bob).unwrap();
    std::fs::write(&bob, text.replacen("\"v\":1", "\"v\":1 ", 1)).unwrap();
    let e = fails(&["store", "push", s(&labels), &url]);
    assert!(
        e.contains("annotator01.jsonl: its first 2000 lines differ"),
        "{e}"
    );
    let e = fails(&["store", "pull", &url, s(&labels)]);
    assert!(
        e.contains("annotator01.jsonl: differs from the database"),
        "{e}"
    );
    same_bytes(
        &std::fs::read(pulled.join("annotator01.jsonl")).unwrap(),
        text.as_bytes(),
    );
}

trait WriteAll {
    fn write_all_(self, b: &[u8]);
}

impl WriteAll for std::fs::File {
    fn write_all_(mut self, b: &[u8]) {
        std::io::Write::write_all(&mut self, b).unwrap();
    }
}

/// Export, stats and agreement of the fixture team (adjudicator, retraction, skip, stale
/// decisions) and of a synthetic one: the same bytes from the database as from the folder,
/// whichever way the store is named.
#[test]
fn export_stats_and_agreement_from_the_database_equal_the_folders() {
    let Some(url) = database("read") else { return };
    let dir = tempfile::tempdir().unwrap();
    ok(&["store", "init", &url]);
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/export");
    let items = fixtures.join("items.jsonl");
    let folder = fixtures.join("labels");
    ok(&["store", "push", s(&folder), &url]);
    for format in ["trl-chat", "hh", "rankings", "ratings"] {
        for aggregate in ["majority", "all", "adjudicated", "dawid-skene"] {
            let from_folder = ok(&[
                "export",
                s(&items),
                "--labels-dir",
                s(&folder),
                "--format",
                format,
                "--aggregate",
                aggregate,
                "--with-meta",
            ]);
            let from_db = ok(&[
                "export",
                s(&items),
                "--store",
                &url,
                "--format",
                format,
                "--aggregate",
                aggregate,
                "--with-meta",
            ]);
            assert!(!from_folder.is_empty());
            assert_eq!(from_db, from_folder, "{format} {aggregate}");
        }
    }

    // A synthetic team in a second database, named by PREFER_STORE and by prefer.toml.
    let Some(url2) = database("read_synth") else {
        return;
    };
    let (file, labels) = synth_team(dir.path(), 4, 1500);
    ok(&["store", "init", &url2]);
    ok(&["store", "push", s(&labels), &url2]);
    let want = ok(&[
        "export",
        s(&file),
        "--format",
        "trl-chat",
        "--aggregate",
        "all",
    ]);
    let env = [("PREFER_STORE", url2.as_str())];
    // An empty folder with the store named in its settings.
    let other = dir.path().join("other.labels");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("prefer.toml"), format!("store = \"{url2}\"\n")).unwrap();
    // A folder with no logs at all: only the store can answer.
    let empty = dir.path().join("empty.labels");
    std::fs::create_dir(&empty).unwrap();
    let args = [
        "export",
        s(&file),
        "--format",
        "trl-chat",
        "--aggregate",
        "all",
        "--labels-dir",
        s(&empty),
    ];
    assert!(fails(&args).contains("holds no labels logs"));
    assert_eq!(ok_env(&args, &env), want);
    assert_eq!(
        ok(&[
            "export",
            s(&file),
            "--format",
            "trl-chat",
            "--aggregate",
            "all",
            "--labels-dir",
            s(&other)
        ]),
        want
    );
    for cmd in ["stats", "agreement"] {
        let from_folder = ok(&[cmd, s(&file), "--json"]);
        assert_eq!(
            ok(&[cmd, s(&file), "--json", "--store", &url2]),
            from_folder
        );
        assert_eq!(
            ok(&[cmd, s(&file), "--json", "--labels-dir", s(&other)]),
            from_folder
        );
    }
}

#[test]
fn the_password_is_never_printed() {
    let Some(url) = database("password") else {
        return;
    };
    let Some((head, tail)) = url.split_once('@') else {
        return;
    };
    let Some((user, pw)) = head.rsplit_once(':').filter(|(u, _)| !u.ends_with('/')) else {
        eprintln!("the_password_is_never_printed: skipped: PREFER_TEST_PG has no password");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // A wrong password, a database that does not exist, a schema not created: every message
    // names the database without the password.
    let wrong = format!("{user}:{pw}x@{tail}");
    let missing = format!("{head}@{}", tail.replace("prefer_test_password", "nope"));
    for (u, says) in [
        (&wrong, "password"),
        (&missing, "nope"),
        (&url, "prefer store init"),
    ] {
        for args in [
            vec!["store", "push", s(dir.path()), u.as_str()],
            vec!["stats", "--store", u.as_str()],
        ] {
            let e = fails(&args);
            assert!(!e.contains(pw), "{args:?}: {e}");
            assert!(e.contains(":***@"), "{args:?}: {e}");
            assert!(e.contains(says), "{args:?}: {e}");
        }
    }
    // PGPASSWORD stands in for a password left out of the URL; --help never shows it.
    let bare = format!("{user}@{tail}");
    ok_env(&["store", "init", &bare], &[("PGPASSWORD", pw)]);
    let help = ok_env(&["export", "--help"], &[("PREFER_STORE", &url)]);
    assert!(!help.contains(pw), "{help}");
}

/// Team logs over the real candidate sets in ../shared/data, when that folder is there: each
/// set's logs come back byte for byte, and its export from the database equals the folder's.
#[test]
fn real_data_team_logs_survive_push_and_pull() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/candidates");
    let Ok(entries) = std::fs::read_dir(&data) else {
        eprintln!(
            "real_data_team_logs_survive_push_and_pull: skipped: no {}",
            data.display()
        );
        return;
    };
    let mut sets: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    sets.sort();
    let dir = tempfile::tempdir().unwrap();
    for (k, set) in sets.iter().enumerate() {
        let Some(url) = database(&format!("real_data_{k}")) else {
            return;
        };
        ok(&["store", "init", &url]);
        let labels = dir.path().join(format!("set{k}.labels"));
        ok(&[
            "synth",
            "log",
            "--candidates",
            s(set),
            "--out",
            s(&labels),
            "--annotators",
            "3",
            "--events",
            "400",
            "--seed",
            &k.to_string(),
        ]);
        ok(&["store", "push", s(&labels), &url]);
        let pulled = dir.path().join(format!("pulled{k}"));
        ok(&["store", "pull", &url, s(&pulled)]);
        eprintln!("{}", set.display());
        same_logs(&pulled, &labels);
        let args = |how: &[&str]| {
            let mut a = vec![
                "export",
                s(set),
                "--format",
                "trl-chat",
                "--aggregate",
                "all",
            ];
            a.extend(how);
            ok(&a)
        };
        assert_eq!(
            args(&["--store", &url]),
            args(&["--labels-dir", s(&labels)]),
            "{}",
            set.display()
        );
    }
}

/// TLS through rustls, with libpq's modes: `require` encrypts (it fails unless TLS is up)
/// without checking the certificate; `verify-full` checks it against the root certificate
/// named (`sslrootcert` or PGSSLROOTCERT) and refuses it without one.
#[test]
fn tls_checks_the_servers_certificate_when_asked() {
    let Some(url) = database("tls") else { return };
    let Ok(ca) = std::env::var("PREFER_TEST_PG_CA") else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!(
                "CI=true and PREFER_TEST_PG_CA is not set (scripts/pg start writes target/pg/ca.pem when openssl is there)"
            );
        }
        eprintln!("tls_checks_the_servers_certificate_when_asked: skipped: no PREFER_TEST_PG_CA");
        return;
    };
    let tls = format!("{url}?sslmode=verify-full&sslrootcert={ca}");
    assert!(ok(&["store", "init", &tls]).contains("from version 0 to 4"));
    let e = fails(&["store", "init", &format!("{url}?sslmode=verify-full")]);
    assert!(
        e.contains("cannot connect") && e.contains("UnknownIssuer"),
        "{e}"
    );
    assert!(e.contains("sslrootcert=PATH"), "{e}");
    ok_env(
        &["store", "init", &format!("{url}?sslmode=verify-full")],
        &[("PGSSLROOTCERT", &ca)],
    );
    ok(&["store", "init", &format!("{url}?sslmode=require")]);
}

/// 20 labelers at once (threads, each with its own connection) take tasks with overlap 2 over
/// 500 tasks until none is left: every task ends with exactly 2 decisions, by 2 different
/// labelers, none lost, none duplicated.
#[test]
fn twenty_labelers_at_once_never_exceed_the_overlap() {
    use prefer::labels::{TaskKey, TaskKind};
    use prefer::store::{Target, assign};
    let Some(url) = database("assign") else {
        return;
    };
    ok(&["store", "init", &url]);
    let t = Target::parse(&url).unwrap();
    let mut c = t.connect().unwrap();
    let tasks: Vec<TaskKey> = (0..500)
        .map(|i| {
            if i % 2 == 0 {
                TaskKey::pair(&format!("q{i}"), "c1", "c0")
            } else {
                TaskKey::new(&format!("q{i}"), TaskKind::Rank)
            }
        })
        .collect();
    assert_eq!(assign::add_tasks(&t, &mut c, &tasks, 2).unwrap(), 500);
    assert_eq!(assign::add_tasks(&t, &mut c, &tasks, 2).unwrap(), 0);
    let decided: Vec<Vec<TaskKey>> = std::thread::scope(|s| {
        let labelers: Vec<_> = (0..20)
            .map(|n| {
                let t = t.clone();
                s.spawn(move || {
                    let me = format!("labeler{n:02}");
                    let mut c = t.connect().unwrap();
                    let mut mine = Vec::new();
                    while let Some(task) = assign::take(&t, &mut c, &me, assign::LEASE).unwrap() {
                        // Every fifth task is given back first, then taken again later.
                        if task.task_id % 5 == n % 5 && !mine.contains(&task.key) {
                            assign::release(&t, &mut c, task.task_id, &me).unwrap();
                            mine.push(task.key.clone());
                            continue;
                        }
                        assert!(assign::finish(&t, &mut c, task.task_id, &me).unwrap());
                        mine.push(task.key);
                    }
                    mine
                })
            })
            .collect();
        labelers.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let total: usize = decided.iter().map(Vec::len).sum();
    assert!(total >= 1000, "{total}");
    let counts: Vec<(i64, i64)> = c
        .query(
            "SELECT count(*) FILTER (WHERE done), count(*) FROM prefer_claims GROUP BY task_id",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(counts.len(), 500);
    assert!(counts.iter().all(|&c| c == (2, 2)), "{counts:?}");
}

/// A task taken by a labeler who went away comes free when the lease runs out; their late
/// decision then does not take a place beyond the overlap.
#[test]
fn an_expired_lease_frees_the_task() {
    use prefer::labels::{TaskKey, TaskKind};
    use prefer::store::{Target, assign};
    let Some(url) = database("lease") else {
        return;
    };
    ok(&["store", "init", &url]);
    let t = Target::parse(&url).unwrap();
    let mut c = t.connect().unwrap();
    let q = TaskKey::new("q1", TaskKind::Rank);
    assign::add_tasks(&t, &mut c, std::slice::from_ref(&q), 1).unwrap();
    // Alice holds it: Bob gets nothing.
    let a = assign::take(&t, &mut c, "alice", assign::LEASE)
        .unwrap()
        .unwrap();
    assert_eq!(a.key, q);
    assert_eq!(
        assign::take(&t, &mut c, "bob", assign::LEASE).unwrap(),
        None
    );
    // Her lease renewed to nothing (it has run out): Bob takes it, and keeps it.
    assert!(assign::renew(&t, &mut c, a.task_id, "alice", std::time::Duration::ZERO).unwrap());
    let b = assign::take(&t, &mut c, "bob", assign::LEASE)
        .unwrap()
        .unwrap();
    assert_eq!(b.task_id, a.task_id);
    assert!(!assign::renew(&t, &mut c, a.task_id, "alice", assign::LEASE).unwrap());
    assert!(!assign::finish(&t, &mut c, a.task_id, "alice").unwrap());
    assert!(assign::finish(&t, &mut c, b.task_id, "bob").unwrap());
    assert_eq!(
        assign::take(&t, &mut c, "carol", assign::LEASE).unwrap(),
        None
    );
}

/// What a labeler's sending thread appends (`push_tail`: one statement, prepared once per
/// connection, a few lines at a time) is stored as `store push` stores the same log: the same
/// rows, every column, and the same length and hash; an append whose sender knows less than
/// the database holds stores nothing and says so.
#[test]
fn lines_appended_a_few_at_a_time_are_stored_as_a_push_stores_them() {
    use prefer::store::Target;
    use prefer::store::sync::{Known, push_log, push_tail};
    let Some(url) = database("append") else {
        return;
    };
    ok(&["store", "init", &url]);
    let dir = tempfile::tempdir().unwrap();
    let (_, labels) = synth_team(dir.path(), 1, 60);
    let log = std::fs::read_dir(&labels)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .unwrap();
    // A blank line among them: stored as it is, with no columns.
    let mut bytes = std::fs::read(&log).unwrap();
    let at = bytes.iter().position(|&b| b == b'\n').unwrap() + 1;
    bytes.splice(at..at, b"\n".iter().copied());
    std::fs::write(&log, &bytes).unwrap();
    let t = Target::parse(&url).unwrap();
    let mut c = t.connect().unwrap();
    push_log(&t, &mut c, &log, "whole", &bytes).unwrap();
    // The other stream: its first 3 lines pushed, then the rest appended 1, 5, 20 and the
    // remaining lines at a time.
    let ends: Vec<usize> = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i + 1)
        .collect();
    let cuts = [ends[2], ends[3], ends[8], ends[28], bytes.len()];
    push_log(&t, &mut c, &log, "tail", &bytes[..cuts[0]]).unwrap();
    let mut known = Known::of(&bytes[..cuts[0]]);
    let mut prepared = None;
    for w in cuts.windows(2) {
        // Half a line after them is not sent.
        let end = (w[1] + 7).min(bytes.len());
        known = push_tail(
            &t,
            &mut c,
            &mut prepared,
            &log,
            "tail",
            &known,
            &bytes[w[0]..end],
        )
        .unwrap()
        .expect("the database holds what was sent");
        assert_eq!(known.bytes, w[1]);
        assert!(prepared.is_some());
    }
    let rows = |c: &mut postgres::Client, stream: &str| -> Vec<Vec<Option<String>>> {
        c.query(
            "SELECT seq::text, line, annotator, item, task, pair_a, pair_b, role, at
             FROM prefer_events WHERE stream = $1 ORDER BY seq",
            &[&stream],
        )
        .unwrap()
        .iter()
        .map(|r| (0..9).map(|i| r.get::<_, Option<String>>(i)).collect())
        .collect()
    };
    let whole = rows(&mut c, "whole");
    assert_eq!(whole.len(), ends.len());
    assert!(whole.iter().any(|r| r[2].is_none()), "the blank line");
    assert!(whole.iter().any(|r| r[5].is_some()), "pair columns");
    assert_eq!(rows(&mut c, "tail"), whole);
    let head = |c: &mut postgres::Client, stream: &str| -> (i64, i64, Vec<u8>) {
        let r = c
            .query_one(
                "SELECT lines, bytes, hash FROM prefer_streams WHERE stream = $1",
                &[&stream],
            )
            .unwrap();
        (r.get(0), r.get(1), r.get(2))
    };
    assert_eq!(head(&mut c, "tail"), head(&mut c, "whole"));
    // A sender that knows only the first 3 lines: nothing stored, and told so.
    let stale = Known::of(&bytes[..cuts[0]]);
    let again = push_tail(
        &t,
        &mut c,
        &mut prepared,
        &log,
        "tail",
        &stale,
        &bytes[cuts[0]..cuts[1]],
    )
    .unwrap();
    assert!(again.is_none());
    assert_eq!(rows(&mut c, "tail"), whole);
    assert_eq!(head(&mut c, "tail"), head(&mut c, "whole"));
}
