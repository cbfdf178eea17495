//! The lazy source gives exactly what the full loader gives: the same items (ids, hashes,
//! candidates, lines), the same problems word for word, and so the same tasks and task keys.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use prefer::format::{self, Dataset, ItemSource, LazySource, LoadError, Problem};
use prefer::labels::{TaskKey, TaskKind};
use prefer::tasks::{Tasks, item_keys};

/// Outcome of reading a file, comparable across the two paths.
#[derive(Debug, PartialEq)]
enum Outcome {
    Items(Vec<Arc<format::Item>>),
    Problems(Vec<Problem>),
    Other(String),
}

fn outcome(r: Result<Dataset, LoadError>) -> Outcome {
    match r {
        Ok(d) => Outcome::Items(d.items),
        Err(LoadError::Invalid(p)) => Outcome::Problems(p),
        Err(e) => Outcome::Other(e.to_string()),
    }
}

/// Every task key of a source in a mode, in task order, built only from what `len`, `id` and
/// `candidate_count` say (as the labeling screen builds its task list).
fn task_keys(source: &dyn ItemSource, kind: TaskKind) -> Vec<TaskKey> {
    let mut tasks = Tasks::new(kind);
    for i in 0..source.len() {
        tasks.push(source.candidate_count(i));
    }
    let mut keys = Vec::new();
    let mut last = None;
    for t in 0..tasks.len() {
        let (pos, _) = tasks.locate(t);
        if last != Some(pos) {
            keys.extend(item_keys(&source.item(pos).unwrap(), kind, None, None));
            last = Some(pos);
        }
    }
    assert_eq!(keys.len(), tasks.len());
    keys
}

/// Opens `path` both ways and checks that they agree in everything.
fn same(path: &Path) {
    let full = outcome(format::load(path));
    let lazy = LazySource::open(path);
    let lazy = match lazy {
        Err(e) => {
            // No valid item at all: open itself reports, as load does.
            assert_eq!(outcome(Err(e)), full, "{}", path.display());
            return;
        }
        Ok(l) => l,
    };
    assert!(!lazy.is_empty(), "the first item is checked on open");
    assert!(lazy.item(0).is_ok() || lazy.len() > 1);
    let drained = outcome(lazy.to_dataset());
    assert_eq!(drained, full, "{}", path.display());
    assert!(lazy.checking_done());
    assert_eq!(lazy.progress(), None);
    match &full {
        Outcome::Items(items) => {
            assert_eq!(lazy.len(), items.len());
            for (i, it) in items.iter().enumerate() {
                assert_eq!(lazy.id(i).as_deref(), Some(it.id.as_str()));
                assert_eq!(lazy.candidate_count(i), Some(it.candidates.len()));
                assert_eq!(lazy.hash(i).as_deref(), Some(it.hash.as_str()));
            }
            let d = format::load(path).unwrap();
            for kind in [TaskKind::Pair, TaskKind::Rank] {
                assert_eq!(task_keys(&lazy, kind), task_keys(&d, kind));
            }
        }
        Outcome::Problems(problems) => {
            // Each invalid record answers `item` with its first problem, and has no tasks.
            let mut bad = 0;
            for i in 0..lazy.len() {
                match lazy.item(i) {
                    Ok(_) => assert!(lazy.candidate_count(i).is_some()),
                    Err(p) => {
                        bad += 1;
                        assert!(problems.contains(&p), "{p}");
                        assert_eq!(lazy.candidate_count(i), None);
                        assert_eq!(lazy.id(i), None);
                    }
                }
            }
            assert!(bad > 0);
        }
        Outcome::Other(e) => panic!("{e}"),
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

const A: &str = r#"{"id":"a","prompt":"p","candidates":["1","2"]}"#;
const B: &str = r#"{"id":"b","messages":[{"role":"user","content":"q"}],"candidates":[{"id":"x","text":"1","metadata":{"m":1}},"2","3"],"extra":[1]}"#;
const NO_ID: &str = r#"{"prompt":"same","candidates":["1","2"]}"#;

#[test]
fn bundled_sample() {
    same(&Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/sample.jsonl"));
}

#[test]
fn shared_candidate_sets_when_present() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/candidates");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipped: {} is not here", dir.display());
        return;
    };
    for e in entries {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "jsonl") {
            same(&p);
        }
    }
}

#[test]
fn broken_and_awkward_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("plain.jsonl", format!("{A}\n{B}\n").into()),
        ("no_final_newline.jsonl", format!("{A}\n{B}").into()),
        (
            "blank_lines.jsonl",
            format!("\n\n{A}\n  \n\r\n\n{B}\n\n").into(),
        ),
        ("crlf.jsonl", format!("{A}\r\n{B}\r\n").into()),
        ("bom.jsonl", format!("\u{feff}{A}\n{B}\n").into()),
        ("bom_then_blank.jsonl", format!("\u{feff}\n{A}\n").into()),
        ("indented.jsonl", format!("   {A}\n\t{B}\n").into()),
        ("dup_id.jsonl", format!("{A}\n{B}\n{A}\n").into()),
        (
            "dup_content.jsonl",
            format!("{NO_ID}\n{A}\n\n{NO_ID}\n").into(),
        ),
        (
            "bad_first.jsonl",
            format!("{{not json\n{{\"id\":\"c\",\"prompt\":3,\"candidates\":[\"1\"]}}\n{A}\n")
                .into(),
        ),
        (
            "bad_later.jsonl",
            format!("{A}\n[1,2]\n{{\"id\":\"e\"}}\n{B}\n{{\"id\":\"b\",\"prompt\":\"p\"\n").into(),
        ),
        ("only_bad.jsonl", b"{oops\n\n\"text\"\n".to_vec()),
        ("empty.jsonl", Vec::new()),
        ("only_blank.jsonl", b"\n  \n\r\n".to_vec()),
        (
            "truncated_last.jsonl",
            format!("{A}\n{{\"id\":\"z\",\"pro").into(),
        ),
    ];
    for (name, bytes) in cases {
        same(&write(d, name, &bytes));
    }
    let mut utf8 = format!("{A}\n").into_bytes();
    utf8.extend_from_slice(b"{\"prompt\":\"\xff\",\"candidates\":[\"1\",\"2\"]}\n");
    same(&write(d, "bad_utf8.jsonl", &utf8));
}

/// Records of every length, blank and indented lines, so that the indexer's 1 MiB reads split
/// lines at every kind of place.
#[test]
fn many_records_across_read_boundaries() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = String::new();
    let mut k = 0u64;
    while s.len() < 5 << 20 {
        k += 1;
        let pad = "x".repeat(((k * 7919) % 3000) as usize);
        match k % 97 {
            0 => s.push('\n'),
            1 => s.push_str("   \r\n"),
            2 => s.push_str(&format!(
                "  {{\"id\":\"i{k}\",\"prompt\":\"{pad}\",\"candidates\":[\"a\",\"b\"]}}\n"
            )),
            3 => s.push_str(&format!(
                "{{\"id\":\"i{k}\",\"prompt\":\"{pad}\",\"candidates\":[\"a\"]}}\r\n"
            )),
            _ => s.push_str(&format!(
                "{{\"id\":\"i{k}\",\"prompt\":\"{pad}\",\"candidates\":[\"a\",\"b\",\"{k}\"]}}\n"
            )),
        }
    }
    same(&write(dir.path(), "big_broken.jsonl", s.as_bytes()));
    let valid: String = s
        .lines()
        .filter(|l| !l.contains("[\"a\"]"))
        .map(|l| format!("{l}\n"))
        .collect();
    same(&write(dir.path(), "big.jsonl", valid.as_bytes()));
}

#[test]
fn open_chooses_by_size_and_format() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl = write(dir.path(), "x.jsonl", format!("{A}\n{B}\n").as_bytes());
    let array = write(dir.path(), "x.json", format!("[{A},\n{B}]").as_bytes());
    for p in [&jsonl, &array] {
        let small = format::open_with_threshold(p, u64::MAX).unwrap();
        let lazy = format::open_with_threshold(p, 0).unwrap();
        assert_eq!(small.len(), 2);
        assert_eq!(small.progress(), None);
        // The lazy one may still be checking: wait for it through the trait alone.
        while lazy.progress().is_some_and(|p| !p.checking_done) {
            std::thread::yield_now();
        }
        assert_eq!(lazy.len(), 2);
        for i in 0..2 {
            assert_eq!(small.item(i).unwrap(), lazy.item(i).unwrap());
        }
    }
    assert!(matches!(
        format::open_with_threshold(dir.path(), 0),
        Err(LoadError::NotAFile { .. })
    ));
}

#[test]
fn progress_reports_the_whole_file_once_done() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = String::new();
    for k in 0..20_000 {
        s.push_str(&format!(
            "{{\"id\":\"i{k}\",\"prompt\":\"p\",\"candidates\":[\"a\",\"b\"]}}\n"
        ));
    }
    let p = write(dir.path(), "x.jsonl", s.as_bytes());
    let lazy = LazySource::open(&p).unwrap();
    if let Some(pr) = lazy.progress() {
        assert_eq!(pr.bytes_total, s.len() as u64);
        assert!(pr.checked <= pr.records);
        assert!(pr.bytes_indexed <= pr.bytes_total);
    }
    lazy.wait();
    assert_eq!(lazy.progress(), None);
    assert_eq!(lazy.len(), 20_000);
    assert_eq!(lazy.item(19_999).unwrap().id, "i19999");
    assert_eq!(lazy.item(19_999).unwrap().line, 20_000);
}

/// 200,000 two-candidate items `i0`..`i199999` (about 14 MB): the open checks only the first
/// screen's worth, the rest is left to the background.
fn big_pair_file(dir: &Path) -> PathBuf {
    let mut s = String::new();
    for k in 0..200_000 {
        s.push_str(&format!(
            "{{\"id\":\"i{k}\",\"prompt\":\"p\",\"candidates\":[\"a\",\"b{k}\"]}}\n"
        ));
    }
    write(dir, "x.jsonl", s.as_bytes())
}

/// A hold keeps the background checking back (so a resume's replay has the cores) and letting
/// it go lets it finish; `wait_for_item` waits for an item the checking has not reached yet.
#[test]
fn checking_held_then_let_go_reaches_the_last_item() {
    let dir = tempfile::tempdir().unwrap();
    let p = big_pair_file(dir.path());
    let lazy = LazySource::open(&p).unwrap();
    let held = lazy.hold_checking();
    // While held, waiting returns at once instead of waiting for what cannot come.
    lazy.wait_checked(199_999);
    let second = lazy.hold_checking();
    drop(held);
    lazy.wait_checked(199_999);
    drop(second);
    assert_eq!(format::wait_for_item(&lazy, "i199999"), Some(199_999));
    assert_eq!(format::wait_for_item(&lazy, "no such item"), None);
    assert!(lazy.checking_done());
    assert_eq!(lazy.len(), 200_000);
}

/// A big file is still being checked when a session opens: if every task known so far is
/// decided (a team filled the first thousands), the session waits for the checking to bring
/// more and opens at the first open one, not at a decided task.
#[test]
fn resume_waits_for_an_open_task_beyond_the_records_checked_yet() {
    use prefer::labels::Event;
    use prefer::tui::model::{Model, Setup};

    let dir = tempfile::tempdir().unwrap();
    let p = big_pair_file(dir.path());
    let lazy = Arc::new(LazySource::open(&p).unwrap());
    // Held: the tasks known stay those the open checked, whatever the threads' timing.
    let held = lazy.hold_checking();
    let source: Arc<dyn ItemSource> = lazy.clone();
    let mut m = Model::new(Setup::new(source, "me", TaskKind::Pair)).unwrap();
    let known = m.tasks.len();
    assert!(known > 0 && known < 200_000, "{known} tasks known");
    for i in 0..known {
        let key = m.key_of(i).unwrap();
        let (a, b) = key.pair.clone().unwrap();
        let mut ev = Event::new("me", &key.item, None, TaskKind::Pair);
        ev.pair = Some([a.clone(), b]);
        ev.choice = Some(a);
        m.apply_mine(ev);
    }
    assert_eq!(m.first_open_from(0), None, "every known task decided");
    drop(held);
    let at = prefer::tui::session::resume_task(&mut m);
    assert_eq!(at, known, "the first task beyond those decided");
    assert!(m.tasks.len() > known);
}

/// Review of a big file still being checked: it starts at the first task its filter keeps among
/// the records checked so far (it does not wait for the whole file), the header says the list
/// may grow, and stepping past the end of what is known waits for the checking and goes on to
/// a decision on the file's last item.
#[test]
fn review_starts_before_the_whole_file_is_checked() {
    use prefer::action::Action;
    use prefer::labels::Event;
    use prefer::tui::model::{Model, Setup};
    use prefer::tui::review::{Filter, list_partial};
    use prefer::tui::update::{Msg, start_review, update};

    let dir = tempfile::tempdir().unwrap();
    let p = big_pair_file(dir.path());
    let lazy = Arc::new(LazySource::open(&p).unwrap());
    // Held: the tasks known stay those the open checked, whatever the threads' timing.
    let held = lazy.hold_checking();
    let source: Arc<dyn ItemSource> = lazy.clone();
    let mut m = Model::new(Setup::new(source, "lead", TaskKind::Pair)).unwrap();
    let known = m.tasks.len();
    assert!(known > 0 && known < 200_000, "{known} tasks known");
    for item in ["i0", "i199999"] {
        let mut ev = Event::new("ann", item, None, TaskKind::Pair);
        ev.pair = Some(["c0".into(), "c1".into()]);
        ev.choice = Some("c0".into());
        m.team.apply_other(ev, false);
    }
    start_review(&mut m, Filter::All);
    let r = m.review.as_ref().unwrap();
    assert_eq!(
        r.list.len(),
        1,
        "the one decision among the records checked"
    );
    assert!(list_partial(&m, r), "the list may still grow");
    assert_eq!(m.key_of(m.current).unwrap().item, "i0");
    assert_eq!(
        m.tasks.len(),
        known,
        "the review did not wait for the checking"
    );
    drop(held);
    update(&mut m, Msg::Key(Action::NextTask), 0);
    assert_eq!(m.key_of(m.current).unwrap().item, "i199999");
    let r = m.review.as_ref().unwrap();
    assert_eq!((r.pos, r.list.len()), (1, 2));
    assert!(!list_partial(&m, r));
}
