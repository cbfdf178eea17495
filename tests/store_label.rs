//! `prefer label --store URL` end to end: the real binary in a pseudo-terminal against a real
//! PostgreSQL (PREFER_TEST_PG, as in tests/store.rs: without it these tests print a note and
//! pass, except under CI=true). The server is taken away and given back through a TCP relay
//! of the test's own, so a fault in one test never touches the server the others use.

mod common;

use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Session, pair_file};

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
    let url = format!("{base}/{name}");
    ok(&["store", "init", &url]);
    Some(url)
}

fn ok(args: &[&str]) -> Vec<u8> {
    let out = Command::new(common::BIN)
        .args(args)
        .env_remove("PREFER_STORE")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "prefer {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The password in a `postgresql://user:password@...` URL.
fn password(url: &str) -> Option<&str> {
    let auth = url.split_once("://")?.1.rsplit_once('@')?.0;
    auth.split_once(':').map(|p| p.1).filter(|p| !p.is_empty())
}

/// The URL with its host and port replaced by `127.0.0.1:port`.
fn via(url: &str, port: u16) -> String {
    let (scheme, rest) = url.split_once("://").unwrap();
    let (auth, rest) = rest.rsplit_once('@').unwrap();
    let path = &rest[rest.find('/').unwrap()..];
    format!("{scheme}://{auth}@127.0.0.1:{port}{path}")
}

/// A TCP relay to the server that the test can cut (every connection dropped, new ones
/// closed at once, as when the server is stopped) and restore, on the same port.
struct Relay {
    port: u16,
    down: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
}

impl Relay {
    fn to(url: &str) -> Relay {
        let rest = url.split_once("://").unwrap().1;
        let hostport = rest.rsplit_once('@').unwrap().1;
        let hostport = &hostport[..hostport.find('/').unwrap()];
        let upstream = hostport.to_string();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let down = Arc::new(AtomicBool::new(false));
        let open: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let (d, o) = (Arc::clone(&down), Arc::clone(&open));
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                if d.load(Ordering::SeqCst) {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(server) = TcpStream::connect(&upstream) else {
                    continue;
                };
                {
                    let mut o = o.lock().unwrap();
                    o.push(client.try_clone().unwrap());
                    o.push(server.try_clone().unwrap());
                }
                for (mut from, mut to) in [
                    (client.try_clone().unwrap(), server.try_clone().unwrap()),
                    (server, client),
                ] {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(Shutdown::Both);
                        let _ = from.shutdown(Shutdown::Both);
                    });
                }
            }
        });
        Relay { port, down, open }
    }

    fn cut(&self) {
        self.down.store(true, Ordering::SeqCst);
        for s in self.open.lock().unwrap().drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
    }

    fn restore(&self) {
        self.down.store(false, Ordering::SeqCst);
    }
}

/// The events of `stream` in the database, by seq.
fn rows(url: &str, stream: &str) -> Vec<(i64, String)> {
    let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
    c.query(
        "SELECT seq, line FROM prefer_events WHERE stream = $1 ORDER BY seq",
        &[&stream],
    )
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect()
}

/// Waits until the database holds `n` events of `stream` (never fixed sleeps).
fn wait_rows(url: &str, stream: &str, n: usize, secs: u64) -> Vec<(i64, String)> {
    let end = Instant::now() + Duration::from_secs(secs);
    loop {
        let r = rows(url, stream);
        if r.len() == n || Instant::now() > end {
            return r;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The only outbox under `home`.
fn outbox(home: &Path, annotator: &str) -> PathBuf {
    let dir = home.join(".local/share/prefer/outbox");
    let dbs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|d| d.unwrap().path())
        .collect();
    assert_eq!(dbs.len(), 1, "{dbs:?}");
    dbs[0].join(format!("{annotator}.jsonl"))
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn label(dir: &Path, who: &str, url: &str) -> Session {
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
        &[("XDG_DATA_HOME", "")],
        140,
        30,
    )
}

/// `prefer label` in the folder mode (no store), as `who`.
fn label_in_folder(dir: &Path, who: &str) -> Session {
    Session::spawn(
        &["label", "set.jsonl", "--annotator", who, "--no-shuffle"],
        dir,
        &[],
        140,
        30,
    )
}

fn header(s: &Session) -> String {
    s.screen().lines().next().unwrap_or_default().to_string()
}

/// Waits for task `task` on screen, handed out (no "waiting for the server").
fn wait_task(s: &mut Session, task: usize) {
    // The footer is written last: a screen that has it is not one half repainted (the
    // header drawn, the waiting box under it not yet).
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

/// Decides the task on screen (the first candidate) and waits for the next task.
fn decide(s: &mut Session, task: usize) {
    wait_task(s, task);
    s.send("1");
    s.wait_text(&format!("task {}/", task + 1), 10);
}

/// `who`'s claims: (item, done) of each, live leases and decided ones, by item.
fn claims(url: &str, who: &str) -> Vec<(String, bool)> {
    let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
    c.query(
        "SELECT t.item, c.done FROM prefer_claims c JOIN prefer_tasks t USING (task_id)
         WHERE c.annotator = $1 AND (c.done OR c.lease_until > now()) ORDER BY t.item",
        &[&who],
    )
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect()
}

/// Waits until `who`'s claims are `want`.
fn wait_claims(url: &str, who: &str, want: &[(&str, bool)], secs: u64) {
    let want: Vec<(String, bool)> = want.iter().map(|(i, d)| (i.to_string(), *d)).collect();
    let end = Instant::now() + Duration::from_secs(secs);
    loop {
        let got = claims(url, who);
        if got == want {
            return;
        }
        assert!(
            Instant::now() < end,
            "{who}'s claims: {got:?}, want {want:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn labeling_with_a_store_commits_each_decision_and_exports_as_a_folder_does() {
    let Some(url) = database("label_store") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    pair_file(dir.path(), 6);
    let mut s = label(dir.path(), "ann", &url);
    for task in 1..=4 {
        decide(&mut s, task);
        s.wait_drawn("saved after the commit", 10, |sc| {
            sc.lines().next().unwrap_or_default().contains("✓ saved")
        });
        // "saved" means committed: the database has every decision by now.
        assert_eq!(rows(&url, "ann").len(), task, "{}", header(&s));
    }
    s.send("q");
    s.wait_exit(10);
    let out = String::from_utf8_lossy(&s.output()).into_owned();
    assert!(out.contains("every decision is in the database"), "{out}");
    if let Some(pw) = password(&url) {
        assert!(!out.contains(pw), "the password is printed: {out}");
        assert!(
            !std::fs::read_to_string(outbox(dir.path(), "ann"))
                .unwrap()
                .contains(pw)
        );
    }
    let ob = outbox(dir.path(), "ann");
    let db: Vec<String> = rows(&url, "ann").into_iter().map(|r| r.1).collect();
    assert_eq!(
        db,
        lines(&ob),
        "the database holds the outbox's lines exactly"
    );
    // The outbox and its folder are the labeler's alone.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let m = std::fs::metadata(ob.parent().unwrap())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(m & 0o777, 0o700);
    }
    // Export from the database equals export from a folder holding the same log, byte for
    // byte.
    let folder = dir.path().join("copy.labels");
    std::fs::create_dir(&folder).unwrap();
    std::fs::copy(&ob, folder.join("ann.jsonl")).unwrap();
    let file = dir.path().join("set.jsonl");
    let f = file.to_str().unwrap();
    for format in ["trl", "rankings"] {
        let from_db = ok(&["export", f, "--store", &url, "--format", format]);
        let from_folder = ok(&[
            "export",
            f,
            "--labels-dir",
            folder.to_str().unwrap(),
            "--format",
            format,
        ]);
        assert!(!from_db.is_empty());
        assert_eq!(from_db, from_folder, "{format}");
    }
}

#[test]
fn a_server_gone_mid_session_gets_every_decision_once_when_it_is_back() {
    let Some(url) = database("label_outage") else {
        return;
    };
    let relay = Relay::to(&url);
    let through = via(&url, relay.port);
    let dir = tempfile::tempdir().unwrap();
    pair_file(dir.path(), 10);
    let mut s = label(dir.path(), "ann", &through);
    decide(&mut s, 1);
    decide(&mut s, 2);
    s.wait_drawn("saved", 10, |sc| {
        sc.lines().next().unwrap_or_default().contains("✓ saved")
    });
    assert_eq!(wait_rows(&url, "ann", 2, 10).len(), 2);
    // Two decided, three more held: the one on screen and two ahead.
    wait_claims(
        &url,
        "ann",
        &[
            ("item-0", true),
            ("item-1", true),
            ("item-2", false),
            ("item-3", false),
            ("item-4", false),
        ],
        10,
    );
    // And the hand-out thread has had the answers to those claims (it writes the tasks it
    // holds beside the outbox once it has them): a claim committed whose answer the cut
    // below lost would not be held here.
    let held = outbox(dir.path(), "ann").with_extension("held");
    let end = Instant::now() + Duration::from_secs(10);
    while !std::fs::read_to_string(&held)
        .is_ok_and(|h| ["item-2", "item-3", "item-4"].iter().all(|i| h.contains(i)))
    {
        assert!(
            Instant::now() < end,
            "{} never held item-2..4",
            held.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // The server goes away: labeling goes on with the tasks held, decisions are saved here,
    // and the screen says how many wait; then that no more tasks come for now.
    relay.cut();
    for task in 3..=4 {
        decide(&mut s, task);
    }
    wait_task(&mut s, 5);
    s.send("1");
    s.wait_drawn("3 waiting", 20, |sc| {
        sc.lines()
            .next()
            .unwrap_or_default()
            .contains("✓ saved here, 3 waiting for the server")
    });
    s.wait_text("Waiting for the server to hand out more tasks", 10);
    assert_eq!(rows(&url, "ann").len(), 2);
    assert_eq!(lines(&outbox(dir.path(), "ann")).len(), 5);
    // It comes back: everything arrives, once, in order.
    relay.restore();
    s.wait_drawn("saved after the outage", 30, |sc| {
        let h = sc.lines().next().unwrap_or_default();
        h.contains("✓ saved") && !h.contains("waiting")
    });
    let db = wait_rows(&url, "ann", 5, 10);
    assert_eq!(db.iter().map(|r| r.0).collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
    // More tasks come once it is back.
    wait_task(&mut s, 6);
    // The connection dropped by the server (pg_terminate_backend): the next decision goes
    // over a new one.
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    admin
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'prefer' AND pid <> pg_backend_pid()",
            &[],
        )
        .unwrap();
    decide(&mut s, 6);
    let db = wait_rows(&url, "ann", 6, 30);
    assert_eq!(db.len(), 6, "{}", header(&s));
    s.send("q");
    s.wait_exit(10);
    let db: Vec<String> = rows(&url, "ann").into_iter().map(|r| r.1).collect();
    assert_eq!(db, lines(&outbox(dir.path(), "ann")));
}

#[test]
fn decisions_left_in_the_outbox_by_a_kill_or_a_quit_are_sent_at_the_next_start() {
    let Some(url) = database("label_kill") else {
        return;
    };
    let relay = Relay::to(&url);
    let through = via(&url, relay.port);
    let dir = tempfile::tempdir().unwrap();
    pair_file(dir.path(), 10);
    // Three tasks handed out, then the server goes away: labeling goes on, saved here.
    let mut s = label(dir.path(), "ann", &through);
    wait_task(&mut s, 1);
    wait_claims(
        &url,
        "ann",
        &[("item-0", false), ("item-1", false), ("item-2", false)],
        10,
    );
    relay.cut();
    decide(&mut s, 1);
    decide(&mut s, 2);
    s.wait_drawn("2 waiting", 20, |sc| {
        sc.lines()
            .next()
            .unwrap_or_default()
            .contains("✓ saved here, 2 waiting for the server")
    });
    // Killed between the fsync and the commit.
    s.kill9();
    assert_eq!(lines(&outbox(dir.path(), "ann")).len(), 2);
    assert!(rows(&url, "ann").is_empty());
    // Still away: the start goes on with the task still held (kept beside the outbox), one
    // more decision, and quitting says what waits.
    let mut s = label(dir.path(), "ann", &through);
    s.wait_text("cannot be reached", 20);
    wait_task(&mut s, 3);
    s.send("1");
    s.wait_drawn("3 waiting", 20, |sc| {
        sc.lines()
            .next()
            .unwrap_or_default()
            .contains("3 waiting for the server")
    });
    s.send("q");
    s.wait_exit(20);
    let out = String::from_utf8_lossy(&s.output()).into_owned();
    assert!(out.contains("3 decisions wait in the outbox"), "{out}");
    // Back: the next start sends them first, once, and the three decisions take their
    // places (their records never reached the server).
    relay.restore();
    let mut s = label(dir.path(), "ann", &through);
    wait_task(&mut s, 4);
    assert_eq!(wait_rows(&url, "ann", 3, 10).len(), 3);
    wait_claims(
        &url,
        "ann",
        &[
            ("item-0", true),
            ("item-1", true),
            ("item-2", true),
            ("item-3", false),
            ("item-4", false),
            ("item-5", false),
        ],
        10,
    );
    s.send("q");
    s.wait_exit(10);
    // Quitting gave the tasks held back.
    wait_claims(
        &url,
        "ann",
        &[("item-0", true), ("item-1", true), ("item-2", true)],
        10,
    );
    let mut s = label(dir.path(), "ann", &through);
    wait_task(&mut s, 4);
    s.send("q");
    s.wait_exit(10);
    let db = rows(&url, "ann");
    assert_eq!(db.iter().map(|r| r.0).collect::<Vec<_>>(), [1, 2, 3]);
    let db: Vec<String> = db.into_iter().map(|r| r.1).collect();
    assert_eq!(db, lines(&outbox(dir.path(), "ann")));
}

/// Two labelers on different machines (each its own home and outbox), overlap 1: the second
/// is never handed what the first holds; when every open task is held it waits, and says so;
/// the team's decisions arrive from the database; every task ends with exactly one decision.
#[test]
fn a_second_labeler_never_gets_the_tasks_the_first_holds() {
    let Some(url) = database("label_team") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    pair_file(dir.path(), 4);
    let (ha, hb) = (dir.path().join("a"), dir.path().join("b"));
    for h in [&ha, &hb] {
        std::fs::create_dir(h).unwrap();
        std::fs::copy(dir.path().join("set.jsonl"), h.join("set.jsonl")).unwrap();
    }
    let mut a = label(&ha, "ann", &url);
    wait_task(&mut a, 1);
    wait_claims(
        &url,
        "ann",
        &[("item-0", false), ("item-1", false), ("item-2", false)],
        10,
    );
    // Bob comes second: item-3 is the one task nobody holds.
    let mut b = label(&hb, "bob", &url);
    wait_task(&mut b, 4);
    assert_eq!(claims(&url, "bob"), [("item-3".to_string(), false)]);
    b.send("1");
    s_waits(&b);
    b.wait_text("every open task is held by other labelers", 10);
    // Ann decides hers; Bob is never served one of them.
    decide(&mut a, 1);
    decide(&mut a, 2);
    wait_task(&mut a, 3);
    a.send("1");
    a.wait_text("Nothing left for you", 20);
    b.wait_text("Nothing left for you", 20);
    // Ann's last decision reaches Bob's count by the feed, which can come after the
    // hand-out's word that nothing is left.
    b.wait_for("the team's count", 20, |sc| {
        sc.lines().next().unwrap_or_default().contains("team 4/4")
    });
    for s in [&mut a, &mut b] {
        s.send("q");
        s.wait_exit(10);
    }
    let out = String::from_utf8_lossy(&b.output()).into_owned();
    assert!(out.contains("team: 4 of 4 tasks have 1 decision"), "{out}");
    assert_eq!(rows(&url, "ann").len(), 3);
    assert_eq!(rows(&url, "bob").len(), 1);
}

/// Waits for the "waiting for the server" screen.
fn s_waits(s: &Session) {
    s.wait_text("Waiting for the server to hand out more tasks", 10);
}

/// A labeler away longer than the lease (10 s here, set by PREFER_STORE_LEASE: its half is how
/// long a key may follow the last before it asks again, room enough on a loaded machine) loses
/// the tasks they held to another labeler; back, their first key asks the server which tasks
/// are still theirs (it decides nothing), and they go on with one that is free. Every task
/// ends with exactly one decision.
#[test]
fn a_lease_run_out_while_its_labeler_is_away_goes_to_another() {
    let Some(url) = database("label_lease") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    pair_file(dir.path(), 5);
    let (ha, hb) = (dir.path().join("a"), dir.path().join("b"));
    for h in [&ha, &hb] {
        std::fs::create_dir(h).unwrap();
        std::fs::copy(dir.path().join("set.jsonl"), h.join("set.jsonl")).unwrap();
    }
    let mut a = Session::spawn(
        &[
            "label",
            "set.jsonl",
            "--annotator",
            "ann",
            "--store",
            &url,
            "--no-shuffle",
        ],
        &ha,
        &[("XDG_DATA_HOME", ""), ("PREFER_STORE_LEASE", "10")],
        140,
        30,
    );
    wait_task(&mut a, 1);
    // Ann goes away with three tasks; Bob, who starts meanwhile, gets the two nobody holds,
    // then Ann's first as her lease runs out.
    let mut b = label(&hb, "bob", &url);
    wait_task(&mut b, 4);
    wait_claims(
        &url,
        "bob",
        &[("item-0", false), ("item-3", false), ("item-4", false)],
        30,
    );
    // Ann is back: her key is not taken as a decision on a task that went to Bob.
    a.send("1");
    a.wait_text("asking the server which tasks are still yours", 10);
    wait_task(&mut a, 2);
    assert!(rows(&url, "ann").is_empty());
    a.send("1");
    wait_task(&mut a, 3);
    a.send("1");
    for task in [4, 5, 1] {
        wait_task(&mut b, task);
        b.send("1");
    }
    for s in [&mut a, &mut b] {
        s.wait_text("Nothing left for you", 20);
        s.send("q");
        s.wait_exit(10);
    }
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let per_item: Vec<(String, i64)> = c
        .query(
            "SELECT item, count(*) FROM prefer_events GROUP BY item ORDER BY item",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let want: Vec<(String, i64)> = (0..5).map(|i| (format!("item-{i}"), 1)).collect();
    assert_eq!(per_item, want);
}

/// After a team's run over `tasks` tasks with overlap 2: every task has exactly 2 decisions
/// from 2 labelers, each labeler's stream in the database is its outbox (`outboxes`: name and
/// path) exactly, and no task is left held.
fn every_task_twice(url: &str, tasks: usize, outboxes: impl Iterator<Item = (String, PathBuf)>) {
    let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
    let counts: Vec<(String, i64, i64)> = c
        .query(
            "SELECT item, count(*), count(DISTINCT stream) FROM prefer_events GROUP BY item",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(counts.len(), tasks);
    assert!(counts.iter().all(|c| (c.1, c.2) == (2, 2)), "{counts:?}");
    for (who, outbox) in outboxes {
        let db: Vec<String> = rows(url, &who).into_iter().map(|r| r.1).collect();
        assert_eq!(db, lines(&outbox), "{who}");
    }
    let live: i64 = c
        .query_one("SELECT count(*) FROM prefer_claims WHERE NOT done", &[])
        .unwrap()
        .get(0);
    assert_eq!(live, 0, "tasks left held");
}

/// Prints the spread of `times` (a figure, not a pass mark: see BENCHMARKS.md).
fn print_times(what: &str, mut all: Vec<Duration>, wall: Duration) {
    all.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{what} ({} build): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; {:.1} s in all",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        ms(all[all.len() / 2]),
        ms(all[all.len() * 99 / 100]),
        ms(all[all.len() - 1]),
        wall.as_secs_f64()
    );
}

/// 20 labelers at once, each as `prefer label --store` works: its own outbox (appended and
/// fsynced, sent by its own sending thread, `Pusher`) and its own handing-out thread
/// (`Handout`, told of each decision once it is fsynced, as the screen tells it), over 500
/// tasks loaded as the first `label` loads them, overlap 2: every task ends with exactly 2
/// decisions in the database, none lost, none duplicated, each stream holds its outbox
/// exactly, and no labeler is left holding a task. Prints the time from a decision to its
/// commit (a figure, not a pass mark: see BENCHMARKS.md).
#[test]
fn twenty_labelers_with_outboxes_decide_every_task_exactly_twice() {
    use prefer::labels::{Event, LabelLog, TaskKey, TaskKind};
    use prefer::store::handout::{Ask, Handed, Handout};
    use prefer::store::label::Pusher;
    use prefer::store::{Target, assign};
    let Some(url) = database("label_twenty") else {
        return;
    };
    let t = Target::parse(&url).unwrap();
    let mut c = t.connect().unwrap();
    let tasks: Vec<TaskKey> = (0..500)
        .map(|i| TaskKey::pair(&format!("q{i:03}"), "c0", "c1"))
        .collect();
    let loaded = assign::load(&t, &mut c, "set.jsonl", &tasks, Some(2)).unwrap();
    assert_eq!((loaded.added, loaded.overlap), (500, 2));
    let dir = tempfile::tempdir().unwrap();
    let start = Instant::now();
    let per: Vec<(String, Vec<Duration>)> = std::thread::scope(|s| {
        let labelers: Vec<_> = (0..20)
            .map(|n| {
                let (t, dir) = (t.clone(), dir.path().to_path_buf());
                s.spawn(move || {
                    let me = format!("labeler{n:02}");
                    let path = dir.join(format!("{me}.jsonl"));
                    let mut log = LabelLog::open(&path).unwrap().log;
                    let (tx, rx) = std::sync::mpsc::channel();
                    // Connected before the first decision, as `prefer label` is by its start.
                    let pusher = Pusher::start(
                        t.clone(),
                        Some(t.connect().unwrap()),
                        path.clone(),
                        me.clone(),
                        0,
                        None,
                        Box::new(move |s| {
                            let _ = tx.send(s);
                        }),
                    );
                    let (htx, hrx) = std::sync::mpsc::channel::<Handed>();
                    let handout = Handout::start(
                        t.clone(),
                        None,
                        me.clone(),
                        &path,
                        assign::LEASE,
                        Box::new(move |h| {
                            let _ = htx.send(h);
                        }),
                    );
                    let mut decided: std::collections::HashSet<TaskKey> = Default::default();
                    let mut times = Vec::new();
                    let mut lines = 0u64;
                    let mut held = Handed::default();
                    loop {
                        // The latest report: what is held now.
                        while let Ok(h) = hrx.try_recv() {
                            held = h;
                        }
                        let Some(key) = held.tasks.iter().find(|k| !decided.contains(*k)).cloned()
                        else {
                            if held.none_left {
                                break;
                            }
                            held = hrx.recv_timeout(Duration::from_secs(30)).unwrap();
                            continue;
                        };
                        let (a, b) = key.pair.clone().unwrap();
                        let mut e = Event::new(&me, &key.item, Some("h"), TaskKind::Pair);
                        e.pair = Some([a.clone(), b]);
                        e.choice = Some(a);
                        let t0 = Instant::now();
                        log.append(&mut e).unwrap();
                        lines += 1;
                        pusher.kick();
                        handout.ask(Ask::Decided(key.clone()));
                        decided.insert(key);
                        loop {
                            let s = rx.recv_timeout(Duration::from_secs(30)).unwrap();
                            assert_eq!(s.error, None);
                            if s.committed >= lines {
                                break;
                            }
                        }
                        times.push(t0.elapsed());
                    }
                    handout.finish();
                    drop(pusher);
                    (me, times)
                })
            })
            .collect();
        labelers.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let wall = start.elapsed();
    let all: Vec<Duration> = per.iter().flat_map(|p| p.1.iter().copied()).collect();
    assert_eq!(all.len(), 1000);
    every_task_twice(
        &url,
        500,
        per.iter()
            .map(|(me, _)| (me.clone(), dir.path().join(format!("{me}.jsonl")))),
    );
    print_times(
        "decision to commit, 20 labelers at once, 1000 decisions",
        all,
        wall,
    );
}

/// 20 labelers at once as 20 `prefer label --store` processes, each in its own terminal and
/// home (its own outbox), over 500 tasks with overlap 2: each decides the task on screen with
/// `1` and waits for the header's "✓ saved" before the next key, until its screen says
/// nothing is left. Every task ends with exactly 2 decisions from 2 labelers, none lost, none
/// duplicated; each labeler's stream in the database is its outbox exactly, and no task is
/// left held. Prints the time from the key to "✓ saved" on screen (a figure of a debug build
/// on a busy machine, not a pass mark: see BENCHMARKS.md).
#[test]
fn twenty_labeler_processes_decide_every_task_exactly_twice() {
    let Some(url) = database("label_processes") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    pair_file(dir.path(), 500);
    let file = dir.path().join("set.jsonl");
    ok(&[
        "store",
        "tasks",
        file.to_str().unwrap(),
        &url,
        "--overlap",
        "2",
    ]);
    let homes: Vec<PathBuf> = (0..20)
        .map(|n| {
            let h = dir.path().join(format!("home{n:02}"));
            std::fs::create_dir(&h).unwrap();
            std::fs::copy(&file, h.join("set.jsonl")).unwrap();
            h
        })
        .collect();
    let task_of = |sc: &str| -> Option<usize> {
        let head = sc.lines().next()?;
        let at = head.find("task ")? + 5;
        head[at..].split('/').next()?.parse().ok()
    };
    let start = Instant::now();
    let per: Vec<(String, usize, Vec<Duration>)> = std::thread::scope(|sc| {
        let handles: Vec<_> = homes
            .iter()
            .enumerate()
            .map(|(n, home)| {
                let url = url.clone();
                sc.spawn(move || {
                    let who = format!("labeler{n:02}");
                    let mut s = label(home, &who, &url);
                    let mut times = Vec::new();
                    loop {
                        // A task handed out and drawn whole (the footer is written last), or
                        // the end.
                        let screen = s.wait_for("a task or the end", 120, |sc| {
                            sc.contains("Nothing left for you")
                                || (task_of(sc).is_some()
                                    && !sc.contains("hand out more tasks")
                                    && sc
                                        .trim_end()
                                        .lines()
                                        .last()
                                        .is_some_and(|l| l.contains("quit")))
                        });
                        if screen.contains("Nothing left for you") {
                            break;
                        }
                        let task = task_of(&screen).unwrap();
                        let t0 = Instant::now();
                        s.send("1");
                        s.wait_for(&format!("{who}: task {task} decided and saved"), 60, |sc| {
                            let head = sc.lines().next().unwrap_or_default();
                            // The next task, or the end drawn over the task just decided.
                            (task_of(sc) != Some(task) || sc.contains("Nothing left for you"))
                                && head.contains("✓ saved")
                                && !head.contains("sending")
                        });
                        times.push(t0.elapsed());
                    }
                    s.send("q");
                    assert_eq!(s.wait_exit(30), Some(0), "{who} did not end well");
                    // A labeler who started after the others took every task decided
                    // nothing, and its summary says so instead.
                    let out = String::from_utf8_lossy(&s.output()).into_owned();
                    assert!(
                        times.is_empty() || out.contains("every decision is in the database"),
                        "{who}: {out}"
                    );
                    (who, times.len(), times)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let wall = start.elapsed();
    let decided: usize = per.iter().map(|p| p.1).sum();
    assert_eq!(decided, 1000, "decisions made on the screens");
    every_task_twice(
        &url,
        500,
        per.iter()
            .enumerate()
            .map(|(n, (who, _, _))| (who.clone(), outbox(&homes[n], who))),
    );
    print_times(
        "key to \"✓ saved\" on screen, 20 labeler processes, 1000 decisions",
        per.into_iter().flat_map(|p| p.2).collect(),
        wall,
    );
}

/// `prefer store tasks FILE URL` loads a file's tasks once (again: nothing added; a file that
/// grew: the new ones), and refuses a file whose tasks the database does not hold, or another
/// overlap, with nothing changed; `label --store` refuses such a file the same way.
#[test]
fn store_tasks_loads_a_files_tasks_once_and_refuses_another_files() {
    let Some(url) = database("label_tasks") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let f = pair_file(dir.path(), 4);
    let f = f.to_str().unwrap();
    let out = String::from_utf8(ok(&["store", "tasks", f, &url, "--overlap", "2"])).unwrap();
    assert!(out.contains(": 4 pair tasks of"), "{out}");
    assert!(out.contains("(4 in all, overlap 2)"), "{out}");
    let out = String::from_utf8(ok(&["store", "tasks", f, &url])).unwrap();
    assert!(out.contains(": 0 pair tasks of"), "{out}");
    assert!(out.contains("(4 in all, overlap 2)"), "{out}");
    let refused = |args: &[&str]| {
        let out = Command::new(common::BIN)
            .args(args)
            .env_remove("PREFER_STORE")
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?} succeeded");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let err = refused(&["store", "tasks", f, &url, "--overlap", "3"]);
    assert!(err.contains("with overlap 2, not 3"), "{err}");
    assert!(err.contains("prefer store set-overlap URL 3"), "{err}");
    // The lead changes the team's overlap: every task wants 3, and the file loads with it.
    let out = String::from_utf8(ok(&["store", "set-overlap", &url, "3"])).unwrap();
    assert!(
        out.contains("the 4 tasks now want 3 decisions each (was 2)"),
        "{out}"
    );
    let out = String::from_utf8(ok(&["store", "set-overlap", &url, "3"])).unwrap();
    assert!(out.contains("nothing changed"), "{out}");
    let out = String::from_utf8(ok(&["store", "tasks", f, &url, "--overlap", "3"])).unwrap();
    assert!(out.contains("(4 in all, overlap 3)"), "{out}");
    let err = refused(&["store", "set-overlap", &url, "0"]);
    assert!(err.contains("at least one decision"), "{err}");
    let other = tempfile::tempdir().unwrap();
    let g = pair_file(other.path(), 3);
    let err = refused(&["store", "tasks", g.to_str().unwrap(), &url]);
    assert!(
        err.contains("item item-3") && err.contains("another file's tasks"),
        "{err}"
    );
    if let Some(pw) = password(&url) {
        assert!(!err.contains(pw), "{err}");
    }
    // The file grew: its new task is added.
    let g = pair_file(other.path(), 5);
    let out = String::from_utf8(ok(&["store", "tasks", g.to_str().unwrap(), &url])).unwrap();
    assert!(out.contains(": 1 pair task of"), "{out}");
    // label --store refuses a file of another mode before its screen.
    let out = Command::new(common::BIN)
        .args([
            "label",
            f,
            "--store",
            &url,
            "--annotator",
            "ann",
            "--mode",
            "rank",
        ])
        .env("XDG_DATA_HOME", dir.path())
        .env_remove("PREFER_STORE")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("another file's tasks"), "{err}");
}

/// The sending thread sends only what the database lacks beyond what it knows; when the
/// database holds more than that (a commit whose answer was lost on the way), it sends the
/// whole outbox as push does, and the database ends with the outbox exactly, each line once.
#[test]
fn a_commit_whose_answer_was_lost_is_not_sent_twice() {
    use prefer::labels::{Event, LabelLog, TaskKind};
    use prefer::store::Target;
    use prefer::store::label::Pusher;
    let Some(url) = database("label_lost_ack") else {
        return;
    };
    let t = Target::parse(&url).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ann.jsonl");
    let mut log = LabelLog::open(&path).unwrap().log;
    let mut append = |item: &str| {
        let mut e = Event::new("ann", item, Some("h"), TaskKind::Pair);
        e.pair = Some(["c0".into(), "c1".into()]);
        e.choice = Some("c0".into());
        log.append(&mut e).unwrap();
    };
    let (tx, rx) = std::sync::mpsc::channel();
    let pusher = Pusher::start(
        t.clone(),
        None,
        path.clone(),
        "ann".into(),
        0,
        None,
        Box::new(move |s| {
            let _ = tx.send(s);
        }),
    );
    let wait = |n: u64| {
        let end = Instant::now() + Duration::from_secs(30);
        loop {
            let left = end.saturating_duration_since(Instant::now());
            let s = rx
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("{n} lines not committed within 30 s"));
            if s.committed >= n {
                assert_eq!(s.error, None);
                return;
            }
        }
    };
    append("q1");
    append("q2");
    pusher.kick();
    wait(2);
    // Line 3 reaches the database by another way, unseen by the sender.
    append("q3");
    let copy = dir.path().join("copy");
    std::fs::create_dir(&copy).unwrap();
    std::fs::copy(&path, copy.join("ann.jsonl")).unwrap();
    ok(&["store", "push", copy.to_str().unwrap(), &url]);
    append("q4");
    pusher.kick();
    wait(4);
    drop(pusher);
    let db = rows(&url, "ann");
    assert_eq!(db.iter().map(|r| r.0).collect::<Vec<_>>(), [1, 2, 3, 4]);
    let db: Vec<String> = db.into_iter().map(|r| r.1).collect();
    assert_eq!(db, lines(&path));
}

/// A pair decision's log line by `who` on item `i` of `d` (its candidates c0 and c1).
fn pair_line(d: &prefer::format::Dataset, who: &str, i: usize, choice: &str) -> String {
    format!(
        "{{\"v\":1,\"at\":\"2026-11-26T10:00:00.000Z\",\"annotator\":\"{who}\",\"item\":\"{}\",\"item_hash\":\"{}\",\"task\":\"pair\",\"pair\":[\"c0\",\"c1\"],\"choice\":\"{choice}\",\"ms\":4000}}\n",
        d.items[i].id, d.items[i].hash
    )
}

/// `prefer review set.jsonl --store URL --annotator lead`, and `more` arguments.
fn review(dir: &Path, url: &str, more: &[&str]) -> Session {
    let mut args = vec!["review", "set.jsonl", "--store", url, "--annotator", "lead"];
    args.extend_from_slice(more);
    Session::spawn(&args, dir, &[("XDG_DATA_HOME", "")], 140, 30)
}

/// `prefer review --store URL`: the team's decisions are read from the database (the folder
/// they were pushed from is gone), and the lead's final decision goes to it through the
/// lead's outbox: `✓ saved` once committed, as an adjudicator's, under the lead's stream.
#[test]
fn review_with_a_store_reads_the_team_from_the_database_and_sends_final_decisions_to_it() {
    let Some(url) = database("review_store") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = pair_file(dir.path(), 3);
    let d = prefer::format::load(&file).unwrap();
    let labels = dir.path().join("pushed.labels");
    std::fs::create_dir(&labels).unwrap();
    std::fs::write(labels.join("ann.jsonl"), pair_line(&d, "ann", 1, "c0")).unwrap();
    std::fs::write(labels.join("bob.jsonl"), pair_line(&d, "bob", 1, "c1")).unwrap();
    ok(&["store", "push", labels.to_str().unwrap(), &url]);
    std::fs::remove_dir_all(&labels).unwrap();
    let mut s = review(dir.path(), &url, &["--filter", "disagreements"]);
    s.wait_for("the review screen", 20, |sc| {
        sc.contains("review disagreements 1/1") && sc.contains("they DISAGREE")
    });
    s.send("b");
    s.wait_drawn("saved after the commit", 20, |sc| {
        let h = sc.lines().next().unwrap_or_default();
        h.contains("✓ saved") && !h.contains("waiting")
    });
    let db = rows(&url, "lead");
    assert_eq!(db.len(), 1);
    assert!(
        db[0].1.contains("\"role\":\"adjudicator\"") && db[0].1.contains("\"choice\":\"c1\""),
        "{db:?}"
    );
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));
    let out = String::from_utf8_lossy(&s.output()).into_owned();
    assert!(out.contains("every decision is in the database"), "{out}");
    assert!(out.contains("--filter disagreements --store"), "{out}");
    if let Some(pw) = password(&url) {
        assert!(!out.contains(pw), "the password is printed: {out}");
    }
    let ob = outbox(dir.path(), "lead");
    let from_db: Vec<String> = db.into_iter().map(|r| r.1).collect();
    assert_eq!(from_db, lines(&ob));
    // Nothing was handed out or loaded for a review.
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let tasks: i64 = c
        .query_one("SELECT count(*) FROM prefer_tasks", &[])
        .unwrap()
        .get(0);
    assert_eq!(tasks, 0);
}

/// A review with a store counts the team against the database's overlap (2 here, loaded with
/// `store tasks`), not the folder's default of 1: the header says ×2, and a task one labeler
/// decided is not full.
#[test]
fn review_with_a_store_takes_the_overlap_from_the_database() {
    let Some(url) = database("review_overlap") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = pair_file(dir.path(), 3);
    ok(&[
        "store",
        "tasks",
        file.to_str().unwrap(),
        &url,
        "--overlap",
        "2",
    ]);
    let d = prefer::format::load(&file).unwrap();
    let labels = dir.path().join("pushed.labels");
    std::fs::create_dir(&labels).unwrap();
    let lines =
        [("ann", 0), ("ann", 1), ("bob", 1)].map(|(who, i)| (who, pair_line(&d, who, i, "c0")));
    for who in ["ann", "bob"] {
        let log: String = lines
            .iter()
            .filter(|(w, _)| *w == who)
            .map(|(_, l)| l.as_str())
            .collect();
        std::fs::write(labels.join(format!("{who}.jsonl")), log).unwrap();
    }
    ok(&["store", "push", labels.to_str().unwrap(), &url]);
    let mut s = review(dir.path(), &url, &[]);
    // Task 2 has its two decisions, task 1 one of two: 1 full of 3.
    s.wait_for("the review screen, overlap 2", 20, |sc| {
        sc.lines()
            .next()
            .unwrap_or_default()
            .contains("team 1/3 ×2")
    });
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));
}

/// An outbox changed after its lines were committed (here: one decision turned the other
/// way, the same length) is refused at the next start, with nothing sent and nothing changed
/// in the database or the outbox; one that only gained lines sends just those.
#[test]
fn an_outbox_changed_after_its_commit_is_refused_at_the_start() {
    let Some(url) = database("label_changed") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    pair_file(dir.path(), 4);
    let mut s = label(dir.path(), "ann", &url);
    decide(&mut s, 1);
    decide(&mut s, 2);
    s.wait_drawn("saved", 10, |sc| {
        sc.lines().next().unwrap_or_default().contains("✓ saved")
    });
    s.send("q");
    s.wait_exit(10);
    let ob = outbox(dir.path(), "ann");
    let before = std::fs::read_to_string(&ob).unwrap();
    let db_before = rows(&url, "ann");
    assert_eq!(db_before.len(), 2);
    let changed = before.replacen("\"choice\":\"c0\"", "\"choice\":\"c1\"", 1);
    assert_ne!(changed, before, "{before}");
    assert_eq!(changed.len(), before.len());
    std::fs::write(&ob, &changed).unwrap();
    let mut s = label(dir.path(), "ann", &url);
    assert_ne!(s.wait_exit(20), Some(0));
    let out = String::from_utf8_lossy(&s.output()).into_owned();
    assert!(out.contains("differ from what the database holds"), "{out}");
    assert_eq!(rows(&url, "ann"), db_before);
    assert_eq!(std::fs::read_to_string(&ob).unwrap(), changed);
}

/// The start checks the file's tasks against the database's once, and skips the check while
/// neither has changed (the note beside the outbox): a file that grew and a database given
/// tasks since are each checked again.
#[test]
fn the_tasks_check_is_skipped_while_neither_the_file_nor_the_database_changed() {
    let Some(url) = database("label_noted") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    pair_file(dir.path(), 4);
    // The note is kept only for a file last changed a while before (a change within the
    // file system's clock tick could not be told apart): its age is the precondition.
    std::thread::sleep(Duration::from_millis(2100));
    let mut s = label(dir.path(), "ann", &url);
    s.wait_text("4 tasks of set.jsonl loaded", 20);
    decide(&mut s, 1);
    s.send("q");
    s.wait_exit(10);
    let note = outbox(dir.path(), "ann").with_extension("tasks");
    assert!(note.exists(), "no note at {}", note.display());
    let sql = |q: &str| run_sql(&url, q);
    // Skipped: a task changed in place (prefer never does that; tasks are only added) is not
    // looked at, so this start goes on where the full check would refuse.
    sql("UPDATE prefer_tasks SET item = 'item-x' WHERE task_id = 3");
    opens_at(dir.path(), "ann", &url, 2);
    sql("UPDATE prefer_tasks SET item = 'item-2' WHERE task_id = 3");
    // A task added since (another file's): checked, and refused.
    sql("INSERT INTO prefer_tasks (item, task, overlap) VALUES ('elsewhere', 'pair', 1)");
    let mut s = label(dir.path(), "ann", &url);
    assert_ne!(s.wait_exit(20), Some(0));
    let out = String::from_utf8_lossy(&s.output()).into_owned();
    assert!(out.contains("another file's tasks"), "{out}");
    sql("DELETE FROM prefer_tasks WHERE item = 'elsewhere'");
    // The file grew: checked, and its new task loaded.
    pair_file(dir.path(), 5);
    let mut s = label(dir.path(), "ann", &url);
    s.wait_text("1 task of set.jsonl loaded", 20);
    s.send("q");
    s.wait_exit(10);
}

/// Runs SQL statements on the test's database (changes prefer never makes, to show what a
/// start looked at).
fn run_sql(url: &str, q: &str) {
    postgres::Client::connect(url, postgres::NoTls)
        .unwrap()
        .batch_execute(q)
        .unwrap()
}

/// `who` starts labeling, is served task `task`, and quits.
fn opens_at(dir: &Path, who: &str, url: &str, task: usize) {
    let mut s = label(dir, who, url);
    wait_task(&mut s, task);
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));
}

/// A labeler's first start on a machine of their own (no note beside an outbox) skips the
/// tasks check when the database records one of a file with the same bytes against its tasks
/// as they are (here: the lead's `store tasks`), and notes it for the next start; a file with
/// other bytes is checked in full.
#[test]
fn a_first_start_on_another_machine_skips_the_check_the_database_records() {
    let Some(url) = database("label_recorded") else {
        return;
    };
    let lead = tempfile::tempdir().unwrap();
    let file = pair_file(lead.path(), 4);
    ok(&["store", "tasks", file.to_str().unwrap(), &url]);
    let sql = |q: &str| run_sql(&url, q);
    // A task changed in place (prefer never does that): a full check would refuse the file,
    // so a start that goes on did not check.
    sql("UPDATE prefer_tasks SET item = 'item-x' WHERE task_id = 3");
    let ann = tempfile::tempdir().unwrap();
    std::fs::copy(&file, ann.path().join("set.jsonl")).unwrap();
    // The note is kept only for a file last changed a while before (see the test above).
    std::thread::sleep(Duration::from_millis(2100));
    opens_at(ann.path(), "ann", &url, 1);
    let note = outbox(ann.path(), "ann").with_extension("tasks");
    assert!(note.exists(), "no note at {}", note.display());
    // The same items with other bytes (a blank line at the end): checked in full, refused.
    let bob = tempfile::tempdir().unwrap();
    let mut bytes = std::fs::read(&file).unwrap();
    bytes.extend_from_slice(b"\n");
    std::fs::write(bob.path().join("set.jsonl"), bytes).unwrap();
    let mut s = label(bob.path(), "bob", &url);
    assert_ne!(s.wait_exit(20), Some(0));
    let out = String::from_utf8_lossy(&s.output()).into_owned();
    assert!(out.contains("another file's tasks"), "{out}");
    // Put right, bob's full check passes and is recorded by his bytes: carol, on a machine
    // of her own with the same bytes, skips it (the task changed again shows she did).
    sql("UPDATE prefer_tasks SET item = 'item-2' WHERE task_id = 3");
    opens_at(bob.path(), "bob", &url, 1);
    sql("UPDATE prefer_tasks SET item = 'item-x' WHERE task_id = 3");
    let carol = tempfile::tempdir().unwrap();
    std::fs::copy(bob.path().join("set.jsonl"), carol.path().join("set.jsonl")).unwrap();
    opens_at(carol.path(), "carol", &url, 1);
}

/// Decisions that reach the database by `prefer store push` (a team moving from a labels
/// folder) take their places in the hand-out: a task decided in the folder is not handed out
/// beyond its overlap, nor to its labeler again; a decision taken back there does not count,
/// and one taken back after it was pushed gives its place back at the next push.
#[test]
fn decisions_pushed_from_a_folder_count_towards_the_overlap() {
    let Some(url) = database("label_pushed") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    pair_file(dir.path(), 4);
    // alice decides the first two tasks in the folder and takes the second back.
    let mut s = label_in_folder(dir.path(), "alice");
    s.wait_text("task 1/", 20);
    s.send("1");
    s.wait_text("task 2/", 10);
    s.send("1");
    s.wait_text("task 3/", 10);
    s.send("u");
    s.wait_text("task 2/", 10);
    s.send("q");
    s.wait_exit(10);
    let labels = dir.path().join("set.labels");
    let out = String::from_utf8(ok(&["store", "push", labels.to_str().unwrap(), &url])).unwrap();
    // No tasks yet: nothing to count against.
    assert!(!out.contains("count towards"), "{out}");
    let f = dir.path().join("set.jsonl");
    let out = String::from_utf8(ok(&["store", "tasks", f.to_str().unwrap(), &url])).unwrap();
    assert!(out.contains(": 4 pair tasks of"), "{out}");
    assert_eq!(claims(&url, "alice"), [("item-0".to_string(), true)]);
    // Overlap 1: bob is handed task 2 first (task 1 is alice's), alice too.
    let mut b = label(dir.path(), "bob", &url);
    wait_task(&mut b, 2);
    b.send("q");
    b.wait_exit(10);
    let mut a = label(dir.path(), "alice", &url);
    wait_task(&mut a, 2);
    a.send("q");
    a.wait_exit(10);
    // Pushed again, nothing new: nothing more counted.
    let out = String::from_utf8(ok(&["store", "push", labels.to_str().unwrap(), &url])).unwrap();
    assert!(!out.contains("count towards"), "{out}");
    // carol decides task 2 in the folder; pushed, it counts: bob is handed task 3.
    let mut c = label_in_folder(dir.path(), "carol");
    c.wait_text("task 2/", 20);
    c.send("1");
    c.wait_text("task 3/", 10);
    c.send("q");
    c.wait_exit(10);
    let out = String::from_utf8(ok(&["store", "push", labels.to_str().unwrap(), &url])).unwrap();
    assert!(
        out.contains("1 decision now counts towards their tasks' overlap"),
        "{out}"
    );
    let mut b = label(dir.path(), "bob", &url);
    wait_task(&mut b, 3);
    b.send("q");
    b.wait_exit(10);
    // carol takes task 2 back in the folder; pushed, its place is free again: bob is handed
    // task 2.
    let mut c = label_in_folder(dir.path(), "carol");
    c.wait_text("task 3/", 20);
    c.send("u");
    c.wait_text("earlier session's decision?", 10);
    c.send("y");
    c.wait_text("task 2/", 10);
    c.send("q");
    c.wait_exit(10);
    let out = String::from_utf8(ok(&["store", "push", labels.to_str().unwrap(), &url])).unwrap();
    assert!(
        out.contains("1 decision taken back no longer counts: its place is free for others"),
        "{out}"
    );
    assert!(!out.contains("count towards"), "{out}");
    assert!(
        claims(&url, "carol").is_empty(),
        "{:?}",
        claims(&url, "carol")
    );
    let mut b = label(dir.path(), "bob", &url);
    wait_task(&mut b, 2);
    b.send("q");
    b.wait_exit(10);
}

/// A hidden repeat (the same task asked again later to measure consistency) stands beside its
/// first decision: a repeat's skip pushed after the decision neither gives back the place the
/// decision holds nor keeps the decision from taking one.
#[test]
fn a_pushed_hidden_repeat_neither_takes_nor_gives_back_a_place() {
    let Some(url) = database("label_repeat") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    pair_file(dir.path(), 2);
    let mut s = label_in_folder(dir.path(), "alice");
    s.wait_text("task 1/", 20);
    s.send("1");
    s.wait_text("task 2/", 10);
    s.send("q");
    s.wait_exit(10);
    let labels = dir.path().join("set.labels");
    let log = labels.join("alice.jsonl");
    let text = std::fs::read_to_string(&log).unwrap();
    let decision: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    let mut repeat = decision.as_object().unwrap().clone();
    repeat.remove("choice");
    repeat.remove("strength");
    repeat.insert("skip".into(), true.into());
    repeat.insert("repeat".into(), true.into());
    let line = serde_json::to_string(&repeat).unwrap();
    std::fs::write(&log, format!("{text}{line}\n")).unwrap();
    let f = dir.path().join("set.jsonl");
    ok(&["store", "tasks", f.to_str().unwrap(), &url]);
    let out = String::from_utf8(ok(&["store", "push", labels.to_str().unwrap(), &url])).unwrap();
    assert!(!out.contains("taken back"), "{out}");
    assert_eq!(claims(&url, "alice"), [("item-0".to_string(), true)]);
    // Tasks loaded after the push: the whole table is counted, the same way.
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    c.execute("DELETE FROM prefer_claims", &[]).unwrap();
    c.execute("DELETE FROM prefer_tasks", &[]).unwrap();
    ok(&["store", "tasks", f.to_str().unwrap(), &url]);
    assert_eq!(claims(&url, "alice"), [("item-0".to_string(), true)]);
}

/// A server that refuses the password is not an outage: the session does not start and says
/// why, without the password, instead of labeling on "waiting for the server".
#[test]
fn a_refused_password_stops_the_start_instead_of_waiting_for_the_server() {
    let Some(url) = database("label_badpw") else {
        return;
    };
    let Some(pw) = password(&url) else {
        return;
    };
    let bad = url.replacen(&format!(":{pw}@"), ":WrongSecret9@", 1);
    let dir = tempfile::tempdir().unwrap();
    pair_file(dir.path(), 2);
    let mut s = label(dir.path(), "ann", &bad);
    assert_eq!(s.wait_exit(20), Some(1), "{}", s.screen());
    let out = String::from_utf8_lossy(&s.output()).to_string();
    assert!(out.contains("password authentication failed"), "{out}");
    assert!(!out.contains("WrongSecret9") && !out.contains(pw), "{out}");
}

/// A load compares the file's tasks with the table's: in step when the table holds the file's
/// first tasks in its order (the file grew at its end), else task by task (the file's items
/// reordered, or new ones put before the old), and a task the file lacks is refused.
#[test]
fn a_load_finds_the_tasks_a_file_gained_wherever_they_are() {
    use prefer::labels::TaskKey;
    use prefer::store::{Target, assign};
    let Some(url) = database("label_load") else {
        return;
    };
    let t = Target::parse(&url).unwrap();
    let mut c = t.connect().unwrap();
    let keys = |items: &[&str]| -> Vec<TaskKey> {
        items.iter().map(|i| TaskKey::pair(i, "c0", "c1")).collect()
    };
    let mut load = |items: &[&str]| assign::load(&t, &mut c, "set.jsonl", &keys(items), None);
    assert_eq!(load(&["a", "b"]).unwrap().added, 2);
    // Grown at the end: in step.
    assert_eq!(load(&["a", "b", "c"]).unwrap().added, 1);
    // Reordered: nothing new.
    assert_eq!(load(&["c", "a", "b"]).unwrap().added, 0);
    // A new item first, and one in the middle.
    let l = load(&["z", "a", "y", "b", "c"]).unwrap();
    assert_eq!((l.added, l.total), (2, 5));
    // The first task in step, the second not.
    assert_eq!(load(&["a", "q", "b", "c", "z", "y"]).unwrap().added, 1);
    // The table's tasks in the file's order, but one of them is not the file's.
    let err = load(&["z", "a", "y", "b"]).unwrap_err().to_string();
    assert!(
        err.contains("item c") && err.contains("another file's tasks"),
        "{err}"
    );
    let err = load(&["z", "a", "y", "b", "d", "e"])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("item c") && err.contains("another file's tasks"),
        "{err}"
    );
}

/// A resume that finds the outbox as the last send left it (the note beside it says so)
/// neither reads nor hashes it; the sending thread makes the hash state before its first
/// send, and an outbox that is not what the database holds is refused then, nothing sent.
#[test]
fn a_resume_takes_the_outbox_as_the_last_send_left_it_and_checks_it_before_sending() {
    let Some(url) = database("label_sentnote") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    pair_file(dir.path(), 4);
    let mut s = label(dir.path(), "ann", &url);
    decide(&mut s, 1);
    s.wait_drawn("saved", 10, |sc| {
        sc.lines().next().unwrap_or_default().contains("✓ saved")
    });
    s.send("q");
    s.wait_exit(10);
    let ob = outbox(dir.path(), "ann");
    // As the last send left it: the next decision is sent on from there.
    let mut s = label(dir.path(), "ann", &url);
    decide(&mut s, 2);
    s.wait_drawn("saved", 10, |sc| {
        sc.lines().next().unwrap_or_default().contains("✓ saved")
    });
    s.send("q");
    s.wait_exit(10);
    assert_eq!(wait_rows(&url, "ann", 2, 10).len(), 2);
    assert_eq!(
        rows(&url, "ann")
            .into_iter()
            .map(|(_, l)| l)
            .collect::<Vec<_>>(),
        lines(&ob)
    );
    // A change the file system's identity cannot show (the note rewritten for the changed
    // file): the start goes on, and the first send refuses.
    let before = std::fs::read(&ob).unwrap();
    let text = String::from_utf8(before.clone()).unwrap();
    let changed = text.replacen("\"choice\":\"c0\"", "\"choice\":\"c1\"", 1);
    assert_ne!(changed, text);
    std::fs::write(&ob, &changed).unwrap();
    prefer::store::label::write_sent_hint(&ob, 2, Some(&prefer::store::sync::Known::of(&before)));
    let db_before = rows(&url, "ann");
    let mut s = label(dir.path(), "ann", &url);
    wait_task(&mut s, 3);
    s.send("1");
    s.wait_drawn("the send refused", 20, |sc| {
        sc.lines()
            .next()
            .unwrap_or_default()
            .contains("1 waiting for the server")
    });
    assert_eq!(rows(&url, "ann"), db_before);
    s.send("q");
    s.wait_exit(10);
    assert_eq!(rows(&url, "ann"), db_before);
}
