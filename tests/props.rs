//! Property tests (proptest, run by `cargo test`): the readers of untrusted files never panic,
//! random keys and sizes never panic `update` or `view`, and the labels log a session writes
//! replays to exactly the decisions the session holds, also when writes fail and are retried.
//!
//! Case counts are kept small so this binary runs in seconds; `PROPTEST_CASES=N` runs more.
//! The random generator's seed is fixed (see [`rng_seed`]): `PREFER_SEED=random` explores.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::{Value, json};

use prefer::format::{Dataset, FileKind, LoadError, load_bytes, parse_item};
use prefer::labels::{Decisions, Event, TaskKey, TaskKind, parse_events};
use prefer::tui::keymap::Action;
use prefer::tui::model::{Model, Setup};
use prefer::tui::update::{Effect, Msg, update};
use prefer::tui::view::view;

/// proptest's seed when `PROPTEST_RNG_SEED` is not set: fixed, so every run (and CI) tries the
/// same cases; `PREFER_SEED=N` replays seed N, `PREFER_SEED=random` takes a new one.
const DEFAULT_SEED: u64 = 0x5EED_2026;

fn rng_seed() -> RngSeed {
    if std::env::var_os("PROPTEST_RNG_SEED").is_some() {
        // proptest read it into its default configuration.
        return Config::default().rng_seed;
    }
    match std::env::var("PREFER_SEED").ok().as_deref().map(str::trim) {
        None | Some("") => RngSeed::Fixed(DEFAULT_SEED),
        // A seed of our own rather than proptest's random one, so that it can be printed.
        Some("random") => RngSeed::Fixed(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64),
        ),
        Some(n) => RngSeed::Fixed(
            n.parse()
                .unwrap_or_else(|_| panic!("PREFER_SEED: {n:?} is neither a number nor `random`")),
        ),
    }
}

fn cases(n: u32) -> Config {
    let n = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(n);
    let seed = rng_seed();
    // Shown with a failure (the test's output is printed then).
    eprintln!("proptest seed: {seed} (PREFER_SEED=N replays it, PREFER_SEED=random draws one)");
    Config {
        cases: n,
        rng_seed: seed,
        // Failures are reported with their shrunk input; no files written next to the tests.
        failure_persistence: None,
        ..Config::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Untrusted bytes: candidate files and logs.

/// Any JSON value, a few levels deep, with strings that hold the troublemakers.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        nasty_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((field_name(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn nasty_string() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9 ]{0,12}",
        Just(String::new()),
        Just("\u{1b}]0;PWNED\u{7}".to_string()),
        Just("\u{202e}\u{2066}\u{9b}\u{85}\0\t\r\n".to_string()),
        Just("请解释一下复利 🦀👩‍👩‍👧".to_string()),
        any::<String>(),
    ]
}

/// Field names a reader looks for, mixed with others.
fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "id",
            "prompt",
            "messages",
            "candidates",
            "responses",
            "outputs",
            "completions",
            "text",
            "content",
            "response",
            "role",
            "metadata",
        ])
        .prop_map(str::to_string),
        "[a-z]{1,6}",
    ]
}

/// An item-shaped object whose fields have random types and values.
fn itemish() -> impl Strategy<Value = Value> {
    let candidate = prop_oneof![
        nasty_string().prop_map(Value::String),
        (
            proptest::option::of(json_value()),
            proptest::option::of(json_value()),
            proptest::option::of(json_value())
        )
            .prop_map(|(id, text, meta)| {
                let mut o = serde_json::Map::new();
                if let Some(v) = id {
                    o.insert("id".into(), v);
                }
                if let Some(v) = text {
                    o.insert("text".into(), v);
                }
                if let Some(v) = meta {
                    o.insert("metadata".into(), v);
                }
                Value::Object(o)
            }),
        json_value(),
    ];
    (
        proptest::option::of(prop_oneof![
            nasty_string().prop_map(Value::String),
            json_value()
        ]),
        proptest::option::of(json_value()),
        proptest::option::of(prop::collection::vec(candidate, 0..5)),
        prop::collection::vec((field_name(), json_value()), 0..3),
    )
        .prop_map(|(id, prompt, cands, extra)| {
            let mut o: serde_json::Map<String, Value> = extra.into_iter().collect();
            if let Some(v) = id {
                o.insert("id".into(), v);
            }
            if let Some(v) = prompt {
                o.insert("prompt".into(), v);
            }
            if let Some(c) = cands {
                o.insert("candidates".into(), Value::Array(c));
            }
            Value::Object(o)
        })
}

/// A file made of JSON-ish lines: item-shaped objects, cut or corrupted at random.
fn jsonish_file() -> impl Strategy<Value = Vec<u8>> {
    let line = prop_oneof![
        4 => itemish().prop_map(|v| v.to_string().into_bytes()),
        1 => (itemish(), any::<prop::sample::Index>())
            .prop_map(|(v, cut)| {
                let s = v.to_string().into_bytes();
                let n = cut.index(s.len() + 1);
                s[..n].to_vec()
            }),
        1 => prop::collection::vec(any::<u8>(), 0..40),
        1 => Just(b"\xEF\xBB\xBF".to_vec()),
        1 => Just(Vec::new()),
    ];
    prop::collection::vec(line, 0..6).prop_map(|lines| lines.join(&b"\n"[..]))
}

/// What every load result must look like: a valid set, or problems that name a real line.
fn check_load(path: &Path, bytes: &[u8]) -> Result<(), TestCaseError> {
    let lines = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
    match load_bytes(path, bytes) {
        Ok(d) => {
            prop_assert!(!d.items.is_empty());
            let mut ids = std::collections::HashSet::new();
            for item in &d.items {
                prop_assert!(item.candidates.len() >= 2);
                prop_assert!(ids.insert(item.id.clone()), "duplicate id {}", item.id);
            }
        }
        Err(LoadError::Invalid(problems)) => {
            prop_assert!(!problems.is_empty());
            for p in problems {
                prop_assert!(
                    p.line >= 1 && p.line <= lines,
                    "{p} (file has {lines} lines)"
                );
            }
        }
        Err(e) => prop_assert!(false, "load_bytes gave an I/O-kind error: {e}"),
    }
    Ok(())
}

proptest! {
    #![proptest_config(cases(256))]

    // Fails if the reader panics (an unwrap, an index out of range) on some input, or reports a
    // problem on a line the file does not have.
    #[test]
    fn candidate_reader_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        check_load(Path::new("x.jsonl"), &bytes)?;
        check_load(Path::new("x.json"), &bytes)?;
    }

    #[test]
    fn candidate_reader_never_panics_on_jsonish_lines(bytes in jsonish_file()) {
        check_load(Path::new("x.jsonl"), &bytes)?;
        let mut array = b"[".to_vec();
        array.extend(bytes.split(|&b| b == b'\n').collect::<Vec<_>>().join(&b",\n"[..]));
        array.extend(b"]");
        check_load(Path::new("x.json"), &array)?;
    }

    // Fails if replaying a log panics or an accepted log breaks the decided-count bookkeeping.
    #[test]
    fn log_reader_never_panics(bytes in prop_oneof![
        prop::collection::vec(any::<u8>(), 0..400),
        prop::collection::vec(eventish(), 0..8).prop_map(|ls| ls.join(&b"\n"[..])),
    ]) {
        if let Ok(events) = parse_events(Path::new("a.jsonl"), &bytes) {
            let mut d = Decisions::from_events(&events);
            prop_assert!(d.decided_count() <= events.len());
            prop_assert_eq!(d.decided_count(), d.iter().filter(|e| e.is_decision()).count());
            let _ = d.last();
        }
    }
}

/// A log line: mostly event-shaped objects with random field types, some cut short.
fn eventish() -> impl Strategy<Value = Vec<u8>> {
    let ids = || prop::sample::select(vec!["c0", "c1", "c2", "tie", "both_bad", ""]);
    let obj = (
        prop_oneof![Just(json!(1)), json_value()],
        prop::sample::select(vec!["pair", "rank", "rate", "other"]),
        prop::sample::select(vec!["q0", "q1", ""]),
        proptest::option::of(prop_oneof![
            (ids(), ids()).prop_map(|(a, b)| json!([a, b])),
            json_value()
        ]),
        proptest::option::of(prop_oneof![ids().prop_map(|c| json!(c)), json_value()]),
        proptest::option::of(prop_oneof![
            prop::collection::vec(prop::collection::vec(ids(), 0..3), 0..3).prop_map(|r| json!(r)),
            json_value()
        ]),
        proptest::option::of(json_value()),
        any::<(bool, bool)>(),
        prop::collection::vec((field_name(), json_value()), 0..2),
        // The writer's uid: a number that fits, one that does not, or anything else.
        proptest::option::of(prop_oneof![
            any::<u32>().prop_map(|u| json!(u)),
            any::<i64>().prop_map(|u| json!(u)),
            json_value()
        ]),
    )
        .prop_map(
            |(v, task, item, pair, choice, ranking, ratings, (skip, retract), extra, uid)| {
                let mut o: serde_json::Map<String, Value> = extra.into_iter().collect();
                o.insert("v".into(), v);
                o.insert("annotator".into(), json!("a"));
                o.insert("item".into(), json!(item));
                o.insert("task".into(), json!(task));
                for (k, val) in [
                    ("pair", pair),
                    ("choice", choice),
                    ("ranking", ranking),
                    ("ratings", ratings),
                    ("uid", uid),
                ] {
                    if let Some(val) = val {
                        o.insert(k.into(), val);
                    }
                }
                if skip {
                    o.insert("skip".into(), json!(true));
                }
                if retract {
                    o.insert("retract".into(), json!(true));
                }
                Value::Object(o).to_string().into_bytes()
            },
        )
        .boxed();
    prop_oneof![
        5 => obj.clone(),
        1 => (obj, any::<prop::sample::Index>()).prop_map(|(s, cut)| s[..cut.index(s.len() + 1)].to_vec()),
    ]
}

// ---------------------------------------------------------------------------------------------
// The labeling screen: update and view.

/// Candidate texts that stress wrapping and sanitising.
fn texts() -> Vec<&'static str> {
    vec![
        "",
        "short",
        "a much longer answer that goes on and on so that it wraps over several lines of a narrow pane, again and again and again",
        "请解释一下复利是什么，并举一个简单的例子。🦀👩‍👩‍👧",
        "\u{1b}[2J\u{1b}]0;x\u{7}\u{202e}\t\ttabs\r\nline\u{9b}",
        "averyveryverylongwordwithoutanyspacesatallthatmustbebrokensomewhereinthemiddleofit",
    ]
}

fn session_model(counts: &[usize], mode: TaskKind, size: (u16, u16), text_seed: usize) -> Model {
    let t = texts();
    let items = counts
        .iter()
        .enumerate()
        .map(|(i, &n)| {
            let cands: Vec<Value> = (0..n)
                .map(|k| json!({"id": format!("c{k}"), "text": t[(text_seed + i + k) % t.len()], "metadata": {"model": t[(i + k) % t.len()]}}))
                .collect();
            Arc::new(
                parse_item(
                    json!({"id": format!("q{i}"), "messages": [{"role": "system", "content": t[(text_seed + i) % t.len()]}, {"role": "user", "content": t[(text_seed + 2 * i + 1) % t.len()]}], "candidates": cands}),
                    i + 1,
                )
                .unwrap(),
            )
        })
        .collect();
    let d = Arc::new(Dataset {
        path: PathBuf::from("t.jsonl"),
        kind: FileKind::JsonLines,
        items,
    });
    Model::new(Setup {
        file_label: "t.jsonl".into(),
        shuffle: true,
        size,
        ..Setup::new(d, "alice", mode)
    })
    .expect("items with candidates give tasks")
}

fn action() -> impl Strategy<Value = Action> {
    use Action::*;
    prop_oneof![
        (1u8..=9).prop_map(Number),
        prop::sample::select(vec![
            ChooseLeft,
            ChooseRight,
            Tie,
            BothBad,
            TieNext,
            RemovePick,
            Submit,
            Skip,
            Undo,
            NextTask,
            PrevTask,
            NextUndecided,
            FocusNext,
            FocusPrev,
            FocusLeft,
            FocusRight,
            FocusPrompt,
            TogglePrompt,
            ScrollUp,
            ScrollDown,
            PageUp,
            PageDown,
            Top,
            Bottom,
            Zoom,
            ToggleMeta,
            Help,
            Quit,
            Cancel,
            EditCandidate,
            EditExternal,
        ]),
    ]
}

/// One step of a session: a key, a resize, a tick, a warning; `write_ok` says whether the
/// writes this step causes succeed.
#[derive(Debug, Clone)]
enum Step {
    Key(Action, bool),
    Resize(u16, u16),
    Tick(bool),
    Warn,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        12 => (action(), prop::bool::weighted(0.7)).prop_map(|(a, ok)| Step::Key(a, ok)),
        2 => (1u16..=400, 1u16..=120).prop_map(|(w, h)| Step::Resize(w, h)),
        // Mostly usable sizes, so keys act rather than being ignored as "too small".
        2 => (40u16..=200, 10u16..=60).prop_map(|(w, h)| Step::Resize(w, h)),
        2 => prop::bool::weighted(0.7).prop_map(Step::Tick),
        1 => Just(Step::Warn),
    ]
}

fn mode() -> impl Strategy<Value = TaskKind> {
    prop::sample::select(vec![TaskKind::Pair, TaskKind::Rank, TaskKind::Rate])
}

/// Feeds a message the way the event loop does: each `Append` is written (to `log`) or fails,
/// and its result is handled at once, before anything else.
fn feed(m: &mut Model, msg: Msg, now: u64, write_ok: bool, log: &mut Vec<Event>) -> bool {
    let mut queue = std::collections::VecDeque::from([msg]);
    while let Some(msg) = queue.pop_front() {
        let mut results = Vec::new();
        for fx in update(m, msg, now) {
            match fx {
                Effect::Append { seq, event } => {
                    if write_ok {
                        log.push(*event);
                        results.push(Msg::Saved(seq));
                    } else {
                        results.push(Msg::SaveFailed(seq, "No space left on device".into()));
                    }
                }
                // An editor that adds a word (and, for an edit already made, one more).
                Effect::ExternalEdit { source, text } => results.push(Msg::EditedExternally {
                    source,
                    result: Ok(format!("{text} edited")),
                    start: text,
                }),
                // No store here: nothing is handed out.
                Effect::Handout(_) => {}
                Effect::Quit => return true,
            }
        }
        for r in results.into_iter().rev() {
            queue.push_front(r);
        }
    }
    false
}

fn standing(d: &Decisions) -> Vec<(TaskKey, Event)> {
    let mut v: Vec<(TaskKey, Event)> = d.iter().map(|e| (e.key(), e.clone())).collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

proptest! {
    #![proptest_config(cases(48))]

    // Fails if any key, in any mode, at any size from 1x1 to 400x120, makes update or view
    // panic (index outside of buffer, subtraction overflow, an empty pane list...).
    #[test]
    fn random_keys_and_sizes_never_panic(
        counts in prop::collection::vec(2usize..=5, 1..4),
        mode in mode(),
        text_seed in 0usize..6,
        steps in prop::collection::vec(step(), 1..60),
    ) {
        let mut m = session_model(&counts, mode, (80, 24), text_seed);
        let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
        let mut log = Vec::new();
        let mut now = 0;
        for s in steps {
            now += 700;
            let quit = match s {
                Step::Key(a, ok) => feed(&mut m, Msg::Key(a), now, ok, &mut log),
                Step::Resize(w, h) => {
                    t.backend_mut().resize(w, h);
                    feed(&mut m, Msg::Resize(w, h), now, true, &mut log)
                }
                Step::Tick(ok) => feed(&mut m, Msg::Tick, now, ok, &mut log),
                Step::Warn => feed(&mut m, Msg::Warn("\u{1b}]0;x changed".into()), now, true, &mut log),
            };
            t.draw(|f| view(&m, f)).unwrap();
            if quit {
                break;
            }
        }
    }

}

proptest! {
    #![proptest_config(cases(256))]

    // Fails if the log a session writes (in the order it writes it) does not replay to the
    // decisions the session shows: for example a failed write retried after a later event
    // (an undo, or a new decision on the same task) was already written, so that replay puts
    // them in the wrong order; or an event written twice, or one never written.
    #[test]
    fn replaying_the_written_log_rebuilds_the_sessions_decisions(
        counts in prop::collection::vec(2usize..=4, 1..4),
        mode in mode(),
        steps in prop::collection::vec(step(), 1..80),
    ) {
        let mut m = session_model(&counts, mode, (120, 40), 0);
        let mut log = Vec::new();
        let mut now = 0;
        for s in steps {
            now += 700;
            let quit = match s {
                Step::Key(Action::Quit, _) => false,
                Step::Key(a, ok) => feed(&mut m, Msg::Key(a), now, ok, &mut log),
                // Sizes where keys still act: this property is about the log, not the layout.
                Step::Resize(w, h) => feed(&mut m, Msg::Resize(w.max(40), h.max(10)), now, true, &mut log),
                Step::Tick(ok) => feed(&mut m, Msg::Tick, now, ok, &mut log),
                Step::Warn => false,
            };
            prop_assert!(!quit);
        }
        // Space comes back: the retries drain everything still pending.
        for _ in 0..3 {
            now += 1000;
            feed(&mut m, Msg::Tick, now, true, &mut log);
        }
        prop_assert!(m.unsaved.is_empty(), "still unsaved after retries: {:?}", m.unsaved);
        let replayed = Decisions::from_events(&log);
        prop_assert_eq!(replayed.decided_count(), m.decisions.decided_count());
        prop_assert_eq!(standing(&replayed), standing(&m.decisions));
    }
}
