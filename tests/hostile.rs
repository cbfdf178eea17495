//! Hostile and broken candidate files through the real binary: each gives a clear
//! `FILE:LINE:` error or loads; none panics, hangs, or takes memory out of proportion.
//!
//! Small files live in tests/fixtures/hostile/; big ones (a 100 MB line, 10,000 candidates,
//! 100,000 nested arrays) are generated in a temporary folder, never committed.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::BIN;

/// How a run of the binary ended.
struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
    /// Peak resident memory of that process, in bytes.
    max_rss: u64,
    elapsed: Duration,
}

/// Runs `prefer ARGS` in `cwd`; fails the test if it runs longer than `secs` (a hang).
/// Memory is measured for this child alone (wait4), so tests running in parallel do not mix.
// The child is reaped by wait4 (for its rusage), which std's `Child` does not see.
#[allow(clippy::zombie_processes)]
fn run(args: &[&str], cwd: &Path, secs: u64) -> Outcome {
    let started = Instant::now();
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .env_remove("PREFER_ANNOTATOR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = r.read_to_end(&mut v);
            String::from_utf8_lossy(&v).into_owned()
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if r == pid {
            break;
        }
        assert!(r == 0, "wait4 failed");
        if started.elapsed() > Duration::from_secs(secs) {
            unsafe {
                libc::kill(pid, libc::SIGKILL);
                libc::wait4(pid, &mut status, 0, &mut usage);
            }
            panic!("prefer {args:?} hung: still running after {secs} s");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    };
    Outcome {
        code,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
        max_rss: usage.ru_maxrss as u64 * 1024,
        elapsed: started.elapsed(),
    }
}

/// The rules for every hostile input: a normal exit (0 = loaded, 1 = refused), no panic, and
/// the output has no raw control characters that could act on a terminal.
fn check_sane(what: &str, o: &Outcome) {
    assert!(
        o.code == 0 || o.code == 1,
        "{what}: exit {} (a panic exits 101)\nstdout: {}\nstderr: {}",
        o.code,
        o.stdout,
        o.stderr
    );
    assert!(
        !o.stderr.contains("panicked") && !o.stdout.contains("panicked"),
        "{what}: panicked: {}",
        o.stderr
    );
    for (name, text) in [("stdout", &o.stdout), ("stderr", &o.stderr)] {
        let bad: Vec<char> = text
            .chars()
            .filter(|&c| (c.is_control() && c != '\n') || ('\u{202a}'..='\u{202e}').contains(&c))
            .collect();
        assert!(
            bad.is_empty(),
            "{what}: {name} carries raw control characters {bad:?}: {text:?}"
        );
    }
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hostile")
}

/// Every corpus file: refused with these `FILE:LINE: ...` lines, or loaded (`None`).
/// Fails if a file that must be refused loads, or a message loses its line or its meaning.
#[test]
fn the_corpus_gives_clear_line_errors_or_loads() {
    let expect: &[(&str, Option<&[&str]>)] = &[
        (
            "malformed.jsonl",
            Some(&[
                "malformed.jsonl:2: malformed JSON at column 45: EOF while parsing an object",
                "malformed.jsonl:3: malformed JSON at column 2",
            ]),
        ),
        (
            "wrong_types.jsonl",
            Some(&[
                "wrong_types.jsonl:1: must be a string, found a list (id)",
                "wrong_types.jsonl:1: must be a string, found a number (prompt)",
                "wrong_types.jsonl:1: must be a list, found a string (candidates)",
                "wrong_types.jsonl:2: must be a string or an object, found a number (candidates[0])",
                "wrong_types.jsonl:2: must be a string, found a number (candidates[1].text)",
            ]),
        ),
        (
            "not_an_object.jsonl",
            Some(&[
                "not_an_object.jsonl:2: expected a JSON object, found a list",
                "not_an_object.jsonl:3: expected a JSON object, found a string",
                "not_an_object.jsonl:4: expected a JSON object, found a number",
                "not_an_object.jsonl:5: expected a JSON object, found null",
            ]),
        ),
        (
            "nul_bytes.jsonl",
            Some(&[
                "nul_bytes.jsonl:2: malformed JSON at column 22: control character",
                "nul_bytes.jsonl:3: malformed JSON at column 1",
            ]),
        ),
        ("bom.jsonl", None),
        (
            "invalid_utf8.jsonl",
            Some(&["invalid_utf8.jsonl:2: invalid UTF-8 at byte 24 of the line"]),
        ),
        (
            "invalid_utf8.json",
            Some(&["invalid_utf8.json:3: invalid UTF-8"]),
        ),
        (
            "duplicate_ids.jsonl",
            Some(&[
                "duplicate_ids.jsonl:3: duplicate item id \"a\" (first on line 1)",
                "duplicate_ids.jsonl:4: candidate id \"x\" appears twice in this item",
            ]),
        ),
        (
            "empty.jsonl",
            Some(&["empty.jsonl:1: the file holds no items"]),
        ),
        (
            "blank_lines.jsonl",
            Some(&["blank_lines.jsonl:1: the file holds no items"]),
        ),
        (
            "truncated.json",
            Some(&["truncated.json:3: malformed JSON at column 30: EOF while parsing a string"]),
        ),
        (
            "one_candidate.jsonl",
            Some(&["one_candidate.jsonl:1: has 1 candidate(s), need at least 2"]),
        ),
        (
            "no_prompt.jsonl",
            Some(&["no_prompt.jsonl:1: is missing (prompt)"]),
        ),
        // Ids made of escape sequences are reported, shown as visible symbols (check_sane).
        (
            "escape_ids.jsonl",
            Some(&["escape_ids.jsonl:2: duplicate item id \"␛]0;PWNED␇␛[2J\" (first on line 1)"]),
        ),
    ];
    let listed: std::collections::BTreeSet<String> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let covered: std::collections::BTreeSet<String> =
        expect.iter().map(|(f, _)| f.to_string()).collect();
    assert_eq!(listed, covered, "every corpus file has an expectation here");

    for (file, problems) in expect {
        let o = run(&["validate", file], &fixtures(), 20);
        check_sane(file, &o);
        match problems {
            None => {
                assert_eq!(o.code, 0, "{file} should load: {}", o.stdout);
                assert!(o.stdout.contains(": valid ("), "{file}: {}", o.stdout);
            }
            Some(lines) => {
                assert_eq!(o.code, 1, "{file} should be refused: {}", o.stdout);
                for l in *lines {
                    assert!(
                        o.stdout.lines().any(|got| got.starts_with(l)),
                        "{file}: no line starting {l:?} in\n{}",
                        o.stdout
                    );
                }
                assert!(
                    o.stdout
                        .contains(&format!("{file}: {} problem", lines.len())),
                    "{file}: expected {} problems:\n{}",
                    lines.len(),
                    o.stdout
                );
            }
        }
    }
}

/// A directory, a FIFO (reading one would block forever), a missing file: refused at once.
/// Fails if the FIFO is opened for reading (the 10 s timeout catches the hang).
#[test]
fn a_directory_a_fifo_and_a_missing_file_are_refused_without_hanging() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("folder.jsonl")).unwrap();
    let fifo = dir.path().join("pipe.jsonl");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    for (file, msg) in [
        (
            "folder.jsonl",
            "folder.jsonl is a directory, not a candidate-set file",
        ),
        (
            "pipe.jsonl",
            "pipe.jsonl is not a regular file (a pipe, socket or device)",
        ),
        ("missing.jsonl", "cannot read missing.jsonl"),
    ] {
        for cmd in ["validate", "label"] {
            let args: &[&str] = if cmd == "validate" {
                &[cmd, file]
            } else {
                &[cmd, file, "--annotator", "t"]
            };
            let o = run(args, dir.path(), 10);
            check_sane(file, &o);
            assert_eq!(o.code, 1, "{cmd} {file}");
            assert!(o.stderr.contains(msg), "{cmd} {file}: {}", o.stderr);
        }
    }
    assert!(!dir.path().join("pipe.labels").exists());
}

fn item_with_candidates(n: usize) -> String {
    let cands: Vec<String> = (0..n).map(|k| format!("\"answer {k}\"")).collect();
    format!(
        "{{\"id\":\"wide\",\"prompt\":\"Which is best?\",\"candidates\":[{}]}}\n",
        cands.join(",")
    )
}

/// One item with 10,000 candidates loads (validate counts its 49,995,000 pairs), but pair mode
/// refuses it before building 50 million tasks, and names the way out (rate mode). Fails if
/// `prefer label` starts a pair session on it (it would show a screen and not exit), or runs
/// out of time or memory building the tasks.
#[test]
fn ten_thousand_candidates_load_and_pair_mode_refuses_them() {
    let dir = tempfile::tempdir().unwrap();
    let body = item_with_candidates(10_000);
    std::fs::write(dir.path().join("wide.jsonl"), &body).unwrap();
    let o = run(&["validate", "wide.jsonl"], dir.path(), 60);
    check_sane("validate wide", &o);
    assert_eq!(o.code, 0, "{}", o.stdout);
    assert!(o.stdout.contains("1 item with 10000"), "{}", o.stdout);
    assert!(
        o.stdout.contains("tasks: 49995000 in pair mode"),
        "{}",
        o.stdout
    );
    assert!(o.max_rss < 50 << 20, "validate took {} bytes", o.max_rss);

    let o = run(
        &["label", "wide.jsonl", "--mode", "pair", "--annotator", "t"],
        dir.path(),
        60,
    );
    check_sane("label --mode pair wide", &o);
    assert_eq!(o.code, 1);
    assert!(
        o.stderr.contains(
            "wide.jsonl: every item is left out in this mode, e.g. line 1: item \"wide\" has 10000 candidates: 49995000 pair tasks for one prompt; pair mode takes at most 50 candidates per item (1225 pairs) - use --mode rate"
        ),
        "{}",
        o.stderr
    );
    // The default mode for more than 2 candidates is rank, which takes 9: it must point to
    // rate only, since pair would be refused too.
    let o = run(&["label", "wide.jsonl", "--annotator", "t"], dir.path(), 60);
    check_sane("label wide", &o);
    assert_eq!(o.code, 1);
    assert!(
        o.stderr.contains(
            "has 10000 candidates; rank mode takes at most 9 (one key each) - use --mode rate,"
        ),
        "{}",
        o.stderr
    );
    // Up to the limit, pair mode is allowed: 50 candidates (1225 pairs) start a session.
    std::fs::write(dir.path().join("fifty.jsonl"), item_with_candidates(50)).unwrap();
    let mut s = common::Session::spawn(
        &["label", "fifty.jsonl", "--mode", "pair", "--annotator", "t"],
        dir.path(),
        &[],
        100,
        30,
    );
    s.wait_text("task 1/1225", 20);
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));
}

/// 100,000 nested arrays: as a whole line, inside an item's metadata, and as a .json file.
/// serde_json's recursion limit turns them into a line error; fails on a stack overflow
/// (a crash by signal, exit >= 128) or a hang.
#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let dir = tempfile::tempdir().unwrap();
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let ok = "{\"id\":\"a\",\"prompt\":\"p\",\"candidates\":[\"1\",\"2\"]}";
    std::fs::write(dir.path().join("deep.jsonl"), format!("{ok}\n{deep}\n")).unwrap();
    std::fs::write(
        dir.path().join("deep_meta.jsonl"),
        format!(
            "{ok}\n{{\"id\":\"b\",\"prompt\":\"p\",\"candidates\":[\"1\",\"2\"],\"metadata\":{deep}}}\n"
        ),
    )
    .unwrap();
    std::fs::write(dir.path().join("deep.json"), format!("[{ok},\n{deep}]")).unwrap();
    std::fs::write(dir.path().join("deep_only.json"), &deep).unwrap();
    for (file, line) in [
        ("deep.jsonl", 2),
        ("deep_meta.jsonl", 2),
        ("deep.json", 2),
        ("deep_only.json", 1),
    ] {
        let o = run(&["validate", file], dir.path(), 30);
        check_sane(file, &o);
        assert_eq!(o.code, 1, "{file}: {}", o.stdout);
        assert!(
            o.stdout
                .contains(&format!("{file}:{line}: malformed JSON at column")),
            "{file}: {}",
            o.stdout
        );
        assert!(
            o.stdout.contains("recursion limit exceeded"),
            "{file}: {}",
            o.stdout
        );
    }
}

/// A 100 MB single line holding one item with a 100 MB answer: it loads, in memory
/// proportional to the file. Fails if reading copies the text many times over (more than
/// 8x the file + 50 MB at peak), or takes minutes.
#[test]
fn a_100_mb_line_loads_in_proportionate_memory() {
    let dir = tempfile::tempdir().unwrap();
    let size: usize = 100 << 20;
    let path = dir.path().join("huge.jsonl");
    {
        use std::io::Write;
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        f.write_all(b"{\"id\":\"huge\",\"prompt\":\"Say a lot.\",\"candidates\":[\"")
            .unwrap();
        let chunk = "lorem ipsum dolor sit amet ".repeat(1000);
        let mut written = 0;
        while written < size {
            f.write_all(chunk.as_bytes()).unwrap();
            written += chunk.len();
        }
        f.write_all(b"\",\"short\"]}\n").unwrap();
    }
    let file_len = std::fs::metadata(&path).unwrap().len();
    let o = run(&["validate", "huge.jsonl"], dir.path(), 240);
    check_sane("huge", &o);
    assert_eq!(o.code, 0, "{}", o.stdout);
    assert!(o.stdout.contains("1 items"), "{}", o.stdout);
    let limit = 8 * file_len + (50 << 20);
    eprintln!(
        "100 MB line: peak memory {} MB for a {} MB file, {:.1} s",
        o.max_rss >> 20,
        file_len >> 20,
        o.elapsed.as_secs_f64()
    );
    assert!(
        o.max_rss < limit,
        "peak memory {} MB for a {} MB file (limit {} MB)",
        o.max_rss >> 20,
        file_len >> 20,
        limit >> 20
    );
}
