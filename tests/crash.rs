//! The kill loop: the real binary in a pseudo-terminal labels with random keys and is killed
//! with SIGKILL at random moments, 200+ times, restarting on the same log after each kill.
//!
//! After every kill: each decision a complete frame showed as `✓ saved` is in the log; the log
//! opens (a torn last line is cut off and its bytes kept aside); no task got two events (the
//! keys used never re-decide a task, so a second event could only be a duplicate append).
//! `cargo test --test crash -- --nocapture` prints the counts. The seed is fixed (every run
//! tries the same keys and timings); `PREFER_CRASH_SEED=N` (or `PREFER_SEED=N`) replays seed N,
//! `random` draws a new one (the kill moments still depend on scheduling).

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use common::{Session, frames, pair_file};
use prefer::labels::{Decisions, TaskKey, parse_events};
use prefer::synth::Rng;

const ITERATIONS: usize = 200;
const ITEMS: usize = 3000;
const COLS: u16 = 120;
const ROWS: u16 = 30;

/// SplitMix64: small and deterministic, so a seed replays the same keys and delays.
/// Keys under which decisions only accumulate: decide (a b t x 1 2), move focus, scroll,
/// toggle panes, help, next undecided. No undo, no going back, no skip, no quit.
const KEYS: &[&str] = &[
    "a", "b", "t", "x", "1", "2", "a", "b", "1", "2", "j", "k", "\t", "h", "l", "m", "z", "?", "p",
    "P", "g", "G", " ", "}", "\x1b[B", "\x1b[A",
];

/// The largest decided count `D` shown in a complete frame whose header also says `✓ saved`.
fn max_saved_shown(raw: &[u8]) -> Option<usize> {
    let mut best = None;
    for screen in frames(raw, COLS, ROWS) {
        let header = screen.rows(0, COLS).next().unwrap_or_default();
        if !header.contains("✓ saved") {
            continue;
        }
        // "▕███░░░░░░░▏ 12/3000"
        let Some(i) = header.find("▏ ") else {
            continue;
        };
        let digits: String = header[i + "▏ ".len()..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if let Ok(d) = digits.parse::<usize>() {
            best = best.max(Some(d));
        }
    }
    best
}

fn torn_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains(".jsonl.torn-"))
        .collect();
    v.sort();
    v
}

#[test]
fn kill_loop_never_loses_a_saved_decision() {
    let base: u64 = common::seed("PREFER_CRASH_SEED");
    eprintln!("kill loop: PREFER_CRASH_SEED={base}");
    let dir = tempfile::tempdir().unwrap();
    pair_file(dir.path(), ITEMS);
    let labels = dir.path().join("set.labels");
    let log = labels.join("tess.jsonl");
    let args = ["label", "set.jsonl", "--annotator", "tess"];

    let (mut kills, mut killed_before_screen, mut keys_sent) = (0, 0, 0);
    let (mut torn_natural, mut torn_injected, mut torn_repaired) = (0, 0, 0);
    let mut max_shown = 0;
    // Bytes of a torn last line left by the previous iteration, to be repaired on this start.
    let mut pending_torn: Option<Vec<u8>> = None;

    for it in 0..ITERATIONS {
        let seed = base ^ (it as u64).wrapping_mul(0xD1B5_4A32_D192_ED03);
        let ctx = format!("PREFER_CRASH_SEED={base}, iteration {it} (seed {seed})");
        let mut rng = Rng::new(seed);
        let log_before = std::fs::read(&log).unwrap_or_default();
        let torn_before = if labels.exists() {
            torn_files(&labels)
        } else {
            Vec::new()
        };

        let mut s = Session::spawn(&args, dir.path(), &[], COLS, ROWS);
        // One start in eight is killed at once, while it opens the log (unless a torn tail
        // is waiting to be checked).
        let early = pending_torn.is_none() && rng.below(8) == 0;
        if early {
            std::thread::sleep(Duration::from_millis(rng.below(40)));
            killed_before_screen += 1;
        } else {
            s.wait_for(&format!("first screen ({ctx})"), 20, |sc| {
                sc.contains("task ")
            });
            if let Some(tail) = pending_torn.take() {
                // The start repaired the log: the tail is cut off and kept aside, byte for byte.
                let complete_len = log_before.len() - tail.len();
                let now = std::fs::read(&log).unwrap();
                assert_eq!(
                    &now[..complete_len],
                    &log_before[..complete_len],
                    "{ctx}: repair changed complete lines"
                );
                let new_torn: Vec<_> = torn_files(&labels)
                    .into_iter()
                    .filter(|p| !torn_before.contains(p))
                    .collect();
                if parse_events(&log, &tail).is_ok() {
                    // A whole event that only lost its newline stays in the log.
                    assert_eq!(now, [&log_before[..], b"\n"].concat(), "{ctx}");
                    assert!(new_torn.is_empty(), "{ctx}");
                } else {
                    assert_eq!(now.len(), complete_len, "{ctx}: torn tail not cut off");
                    assert_eq!(new_torn.len(), 1, "{ctx}: torn bytes not kept aside");
                    assert_eq!(std::fs::read(&new_torn[0]).unwrap(), tail, "{ctx}");
                    s.wait_text("torn line", 5);
                }
                torn_repaired += 1;
            }
            let n = rng.below(16);
            for _ in 0..n {
                let k = KEYS[rng.below(KEYS.len() as u64) as usize];
                s.send(k);
                keys_sent += 1;
                std::thread::sleep(Duration::from_millis(rng.below(12)));
            }
            std::thread::sleep(Duration::from_millis(rng.below(25)));
        }
        assert!(
            s.running(),
            "{ctx}: prefer ended by itself:\n{}",
            s.screen()
        );
        s.kill9();
        kills += 1;

        // Every decision shown as saved is in the log.
        let bytes = std::fs::read(&log).unwrap_or_default();
        let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let events = parse_events(&log, &bytes[..complete])
            .unwrap_or_else(|e| panic!("{ctx}: the log's complete lines do not parse: {e}"));
        let decided = Decisions::from_events(&events).decided_count();
        if let Some(shown) = max_saved_shown(&s.output()) {
            max_shown = max_shown.max(shown);
            assert!(
                decided >= shown,
                "{ctx}: the screen showed {shown} decided and saved; the log replays to {decided}"
            );
        }
        // No task has two events: these keys never decide a task twice.
        let mut per_task: HashMap<TaskKey, usize> = HashMap::new();
        for e in &events {
            *per_task.entry(e.key()).or_default() += 1;
        }
        if let Some((k, n)) = per_task.iter().find(|(_, n)| **n > 1) {
            panic!("{ctx}: task {k:?} has {n} events in the log (a duplicate append)");
        }

        // A torn tail left by the kill is repaired on the next start. Sometimes make one, as a
        // power cut in the middle of a write would: a prefix of a real event line.
        if complete < bytes.len() {
            torn_natural += 1;
            pending_torn = Some(bytes[complete..].to_vec());
        } else if it + 1 < ITERATIONS && complete > 0 && rng.below(6) == 0 {
            let last_start = bytes[..complete - 1]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            let line = &bytes[last_start..complete - 1];
            let cut = 1 + rng.below(line.len() as u64 - 2) as usize;
            let tail = line[..cut].to_vec();
            use std::io::Write;
            let mut f = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
            f.write_all(&tail).unwrap();
            torn_injected += 1;
            pending_torn = Some(tail);
        }
    }

    // The log still opens, with everything in it, and a normal quit works.
    let events = parse_events(&log, &std::fs::read(&log).unwrap()).unwrap();
    let decided = Decisions::from_events(&events).decided_count();
    let mut s = Session::spawn(&args, dir.path(), &[], COLS, ROWS);
    s.wait_text(&format!(" {decided}/{ITEMS} "), 20);
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));
    let out = String::from_utf8_lossy(&s.output()).to_string();
    assert!(
        out.contains(&format!(
            "0 decisions this session; {decided} of {ITEMS} tasks decided"
        )),
        "{out}"
    );
    eprintln!(
        "kill loop: {kills} SIGKILLs ({killed_before_screen} while starting), {keys_sent} keys, \
         {decided} decisions in the log ({} events), highest count shown as saved {max_shown}; \
         torn tails: {torn_natural} from kills, {torn_injected} injected, {torn_repaired} repaired \
         and kept aside",
        events.len()
    );
    assert!(decided > 0 && torn_repaired > 0);
}
