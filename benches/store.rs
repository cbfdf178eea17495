//! The PostgreSQL store, measured as `prefer label --store` works: decision to commit with
//! many labelers at once. Each labeler is a thread with the code the labeling screen uses:
//! its own outbox (a labels log, appended and fsynced), its own sending thread (`Pusher`) and
//! its own handing-out thread (`Handout`, told of each decision after its fsync). The clock
//! of a decision starts before its line is appended and stops when the sending thread
//! reports the line committed: what the header's "✓ saved" waits for, without the screen.
//!
//! Needs a server: `PREFER_BENCH_PG` (or `PREFER_TEST_PG`) names one, else the cluster of
//! `scripts/pg start` (target/pg/url). A database `prefer_bench_store` is made afresh on it.
//!
//!   cargo bench --bench store                    # 20 labelers, paced and flat out
//!   STORE_LABELERS=50 STORE_PACE_MS=2000 cargo bench --bench store
//!
//!   STORE_DEEP_TASKS=900000 cargo bench --bench store   # also: a hand-out deep in a file
//!
//! Deep: STORE_DEEP_TASKS pair tasks with overlap 1, the first eight ninths decided by one
//! labeler (claims written by SQL, a minute or two to fill); then `assign::take` for that labeler
//! and for one with no claims, 20 times each (each task taken is given back), timed.
//!
//! Paced: each labeler decides every STORE_PACE_MS (default 1000) +-50% (seeded, the seed
//! printed), far faster than people read two answers, so the server sees 20 decisions a
//! second. Flat out: every labeler decides the moment its last decision is committed, which
//! measures the queue more than a labeler's wait.

use std::path::Path;
use std::time::{Duration, Instant};

use prefer::labels::{Event, LabelLog, TaskKey, TaskKind};
use prefer::stats::figures::SplitMix64;
use prefer::store::handout::{Ask, Handed, Handout};
use prefer::store::label::Pusher;
use prefer::store::{Target, assign, schema};

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn server() -> String {
    for var in ["PREFER_BENCH_PG", "PREFER_TEST_PG"] {
        if let Ok(u) = std::env::var(var) {
            return u;
        }
    }
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/pg/url");
    match std::fs::read_to_string(&file) {
        Ok(u) => u.trim().to_string(),
        Err(_) => {
            eprintln!(
                "store bench: no server: set PREFER_BENCH_PG to a PostgreSQL URL, or run scripts/pg start"
            );
            std::process::exit(2);
        }
    }
}

/// A fresh database on the server of `url`; its URL, with the schema in it.
fn fresh_database(url: &str, name: &str) -> String {
    let mut c = postgres::Client::connect(url, postgres::NoTls).expect("connect to the server");
    c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .unwrap();
    c.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let base = url.rsplit_once('/').map_or(url, |(b, _)| b);
    let url = format!("{base}/{name}");
    let t = Target::parse(&url).unwrap();
    schema::init(&t, &mut t.connect().unwrap()).unwrap();
    url
}

struct Times {
    /// Decision to its line fsynced in the outbox ("saved here").
    fsynced: Vec<Duration>,
    /// Decision to its line committed in the database ("✓ saved").
    committed: Vec<Duration>,
}

/// `labelers` threads over `tasks` pair tasks with overlap 2, each deciding every `pace`
/// (+-50%) or, with no pace, as soon as its last decision is committed.
fn run(url: &str, labelers: usize, tasks: usize, pace: Option<Duration>, seed: u64) -> Times {
    let t = Target::parse(url).unwrap();
    let mut c = t.connect().unwrap();
    let keys: Vec<TaskKey> = (0..tasks)
        .map(|i| TaskKey::pair(&format!("q{i:04}"), "c0", "c1"))
        .collect();
    assign::load(&t, &mut c, "set.jsonl", &keys, Some(2)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let per: Vec<Times> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..labelers)
            .map(|n| {
                let (t, dir) = (t.clone(), dir.path().to_path_buf());
                s.spawn(move || {
                    let mut mix = SplitMix64(seed ^ (n as u64).wrapping_mul(0x100_0000_01b3));
                    let me = format!("labeler{n:02}");
                    let path = dir.join(format!("{me}.jsonl"));
                    let mut log = LabelLog::open(&path).unwrap().log;
                    let (tx, rx) = std::sync::mpsc::channel();
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
                    let mut times = Times {
                        fsynced: Vec::new(),
                        committed: Vec::new(),
                    };
                    let mut lines = 0u64;
                    let mut held = Handed::default();
                    loop {
                        if let Some(p) = pace {
                            let ms = p.as_millis() as u64;
                            let wait = ms / 2 + mix.next_u64() % (ms + 1);
                            std::thread::sleep(Duration::from_millis(wait));
                        }
                        while let Ok(h) = hrx.try_recv() {
                            held = h;
                        }
                        let Some(key) = held.tasks.iter().find(|k| !decided.contains(*k)).cloned()
                        else {
                            if held.none_left {
                                break;
                            }
                            held = hrx.recv_timeout(Duration::from_secs(60)).unwrap();
                            continue;
                        };
                        let (a, b) = key.pair.clone().unwrap();
                        let mut e = Event::new(&me, &key.item, Some("h"), TaskKind::Pair);
                        e.pair = Some([a.clone(), b]);
                        e.choice = Some(a);
                        let t0 = Instant::now();
                        log.append(&mut e).unwrap();
                        times.fsynced.push(t0.elapsed());
                        lines += 1;
                        pusher.kick();
                        handout.ask(Ask::Decided(key.clone()));
                        decided.insert(key);
                        loop {
                            let s = rx.recv_timeout(Duration::from_secs(60)).unwrap();
                            assert_eq!(s.error, None);
                            if s.committed >= lines {
                                break;
                            }
                        }
                        times.committed.push(t0.elapsed());
                    }
                    handout.finish();
                    drop(pusher);
                    times
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut all = Times {
        fsynced: Vec::new(),
        committed: Vec::new(),
    };
    for p in per {
        all.fsynced.extend(p.fsynced);
        all.committed.extend(p.committed);
    }
    // Every task ends with exactly two decisions (one with a single labeler), or the figures
    // are of something else.
    let want = labelers.min(2) as i64;
    let wrong: i64 = c
        .query_one(
            "SELECT count(*) FROM (SELECT item FROM prefer_events GROUP BY item
             HAVING count(*) <> $1 OR count(DISTINCT stream) <> $1) w",
            &[&want],
        )
        .unwrap()
        .get(0);
    assert_eq!(wrong, 0, "tasks without exactly {want} decisions");
    all
}

fn summary(name: &str, mut d: Vec<Duration>) -> String {
    d.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let at = |q: usize| ms(d[(d.len() * q / 100).min(d.len() - 1)]);
    format!(
        "{name}: p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} times)",
        at(50),
        at(90),
        at(99),
        ms(*d.last().unwrap()),
        d.len()
    )
}

/// A hand-out deep in a file: `tasks` tasks, the first eight ninths decided by `deep`;
/// `take` for `deep` and for `fresh`, 20 times each.
fn deep(url: &str, tasks: u64) {
    let db = fresh_database(url, "prefer_bench_store_deep");
    let t = Target::parse(&db).unwrap();
    let mut c = t.connect().unwrap();
    let start = Instant::now();
    c.execute(
        "INSERT INTO prefer_tasks (item, task, pair_a, pair_b, overlap)
         SELECT 'q' || g, 'pair', 'c0', 'c1', 1 FROM generate_series(1, $1::bigint) g",
        &[&(tasks as i64)],
    )
    .unwrap();
    c.execute(
        "INSERT INTO prefer_claims (task_id, annotator, done, lease_until)
         SELECT task_id, 'deep', true, NULL FROM prefer_tasks WHERE task_id <= $1",
        &[&(tasks as i64 * 8 / 9)],
    )
    .unwrap();
    for table in ["prefer_tasks", "prefer_claims"] {
        c.batch_execute(&format!("VACUUM ANALYZE {table}")).unwrap();
    }
    println!(
        "deep: {tasks} tasks, {} decided by `deep` ({:.1} s to fill)",
        tasks * 8 / 9,
        start.elapsed().as_secs_f64()
    );
    for who in ["deep", "fresh"] {
        let mut times = Vec::new();
        for _ in 0..20 {
            let t0 = Instant::now();
            let taken = assign::take(&t, &mut c, who, assign::LEASE)
                .unwrap()
                .unwrap();
            times.push(t0.elapsed());
            assign::release(&t, &mut c, taken.task_id, who).unwrap();
        }
        println!("  {}", summary(&format!("take for `{who}`"), times));
    }
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is taken from the command line.
    let url = server();
    if let Some(tasks) = std::env::var("STORE_DEEP_TASKS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        deep(&url, tasks);
    }
    let labelers = env_num("STORE_LABELERS", 20) as usize;
    let tasks = env_num("STORE_TASKS", 500) as usize;
    let pace = env_num("STORE_PACE_MS", 1000);
    let seed = env_num("STORE_SEED", 1);
    println!(
        "store bench: {labelers} labelers, {tasks} tasks, overlap 2, seed {seed} ({} build)",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
    for (what, pace) in [
        (
            format!("paced, a decision every {pace} ms +-50% each"),
            Some(Duration::from_millis(pace)),
        ),
        ("flat out".to_string(), None),
    ] {
        let db = fresh_database(&url, "prefer_bench_store");
        let start = Instant::now();
        let times = run(&db, labelers, tasks, pace, seed);
        println!("{what} ({:.1} s):", start.elapsed().as_secs_f64());
        println!("  {}", summary("decision to fsynced here", times.fsynced));
        println!("  {}", summary("decision to committed", times.committed));
    }
}
