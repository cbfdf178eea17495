//! The terminal around the labeling screen, with the real binary in a pseudo-terminal:
//! signals restore it, a start clears it, emoji sequences leave no trace on the next item,
//! Ctrl-Z suspends and a resume draws everything again.

mod common;

use common::{Session, log_events, pair_file};
use std::io::Write;

const LEAVE_ALT: &[u8] = b"\x1b[?1049l";
const SHOW_CURSOR: &[u8] = b"\x1b[?25h";

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// Decides the first task, then sends `sig`: the program finishes, restores the terminal and
/// says where the work is; the decision stays in the log.
fn stopped_by(sig: i32, name: &str) {
    let dir = tempfile::tempdir().unwrap();
    pair_file(dir.path(), 3);
    let args = ["label", "set.jsonl", "--annotator", "tess", "--no-shuffle"];
    let mut s = Session::spawn(&args, dir.path(), &[], 100, 30);
    s.wait_text("task 1/3", 10);
    s.send("a");
    s.wait_for("saved decision", 10, |sc| {
        sc.contains("▏ 1/3") && sc.contains("✓ saved")
    });
    unsafe {
        libc::kill(s.pid() as i32, sig);
    }
    let code = s.wait_exit(10);
    assert_eq!(code, Some(128 + sig as u32), "{name}");
    let out = s.output();
    let last_frame = find(&out, b"\x1b[?25l").expect("a frame was drawn");
    let leave = find(&out, LEAVE_ALT).unwrap_or_else(|| panic!("{name}: alternate screen left"));
    let show = find(&out, SHOW_CURSOR).unwrap_or_else(|| panic!("{name}: cursor shown"));
    assert!(leave > last_frame && show > last_frame, "{name}");
    assert!(!s.alternate_screen(), "{name}");
    let text = String::from_utf8_lossy(&out).to_string();
    assert!(
        text.contains(&format!(
            "prefer: stopped by {name}; 1 decision this session"
        )),
        "{name}: {text}"
    );
    let events = log_events(&dir.path().join("set.labels/tess.jsonl"));
    assert_eq!(events.len(), 1, "{name}: {events:?}");
    assert_eq!(events[0]["choice"], "c0");
}

#[test]
fn sigterm_restores_the_terminal() {
    stopped_by(libc::SIGTERM, "SIGTERM");
}

#[test]
fn sighup_restores_the_terminal() {
    stopped_by(libc::SIGHUP, "SIGHUP");
}

#[test]
fn sigint_and_sigquit_restore_the_terminal() {
    stopped_by(libc::SIGINT, "SIGINT");
    stopped_by(libc::SIGQUIT, "SIGQUIT");
}

#[test]
fn start_clears_the_screen() {
    // What a killed session or the shell left on the alternate screen must not show through.
    let dir = tempfile::tempdir().unwrap();
    pair_file(dir.path(), 2);
    let script = format!(
        "printf '\\033[?1049hLEFTOVER%.0s' $(seq 1 200); exec {} label set.jsonl --annotator tess",
        common::BIN
    );
    let mut s = Session::spawn_program("sh", &["-c", &script], dir.path(), &[], 100, 30);
    let screen = s.wait_text("task 1/2", 10);
    assert!(!screen.contains("LEFTOVER"), "{screen}");
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));
}

/// Items full of emoji sequences, then a plain one.
fn emoji_file(dir: &std::path::Path) -> std::path::PathBuf {
    let seqs = "thumbs 👍🏽 mage 🧙‍♂️ family 👨‍👩‍👧 flag 🇯🇵 keycap 1️⃣ heart ❤️ done";
    let mut s = String::new();
    for i in 0..2 {
        let item = serde_json::json!({
            "id": format!("emoji-{i}"),
            "prompt": format!("{seqs} {seqs}"),
            "candidates": [
                {"id": "a", "text": format!("{seqs}\n{seqs} {seqs}\n🇯🇵🇯🇵🇯🇵🇯🇵🇯🇵🇯🇵🇯🇵🇯🇵🇯🇵🇯🇵\n👍🏽👍🏽👍🏽👍🏽👍🏽👍🏽👍🏽👍🏽")},
                {"id": "b", "text": format!("{seqs}\n🧙‍♂️🧙‍♂️🧙‍♂️🧙‍♂️🧙‍♂️🧙‍♂️🧙‍♂️🧙‍♂️🧙‍♂️🧙‍♂️")},
            ]
        });
        s.push_str(&item.to_string());
        s.push('\n');
    }
    s.push_str(r#"{"id":"plain","prompt":"Plain question.","candidates":[{"id":"a","text":"Plain answer one."},{"id":"b","text":"Plain answer two."}]}"#);
    s.push('\n');
    let p = dir.join("emoji.jsonl");
    std::fs::write(&p, s).unwrap();
    p
}

/// The screen's rows, and for each the columns of its vertical border characters.
fn border_columns(screen: &vt100::Screen) -> Vec<Vec<u16>> {
    let (rows, cols) = screen.size();
    (0..rows)
        .map(|r| {
            (0..cols)
                .filter(|&c| {
                    screen
                        .cell(r, c)
                        .is_some_and(|cell| matches!(cell.contents(), "│" | "┃" | "║"))
                })
                .collect()
        })
        .collect()
}

#[test]
fn emoji_sequences_leave_no_trace_on_the_next_item() {
    let dir = tempfile::tempdir().unwrap();
    emoji_file(dir.path());
    let args = [
        "label",
        "emoji.jsonl",
        "--annotator",
        "tess",
        "--no-shuffle",
    ];
    let (cols, rows) = (80, 24);
    let mut s = Session::spawn(&args, dir.path(), &[], cols, rows);
    s.wait_text("task 1/3", 10);
    // On the emoji item, every pane border stays where it was drawn: the same columns on
    // every row of the panes (a misplaced cluster pushes the rest of its row right).
    let check_borders = |s: &Session, when: &str| {
        // The whole frame is on screen once its last row (the footer) is.
        s.wait_text("q quit", 10);
        s.with_screen(|sc| {
            let cols_per_row = border_columns(sc);
            let pane_rows: Vec<&Vec<u16>> = cols_per_row
                .iter()
                .filter(|c| c.len() >= 4 && c[0] == 0)
                .collect();
            assert!(pane_rows.len() > 5, "{when}: {}", sc.contents());
            for r in &pane_rows {
                assert_eq!(*r, pane_rows[0], "{when}:\n{}", sc.contents());
            }
        })
    };
    check_borders(&s, "first emoji item");
    let screen = s.screen();
    assert!(screen.contains("👍⟨medium skin⟩"), "{screen}");
    // Every change of item clears the screen and draws it whole.
    let next = |s: &mut Session, task: &str| {
        let before = s.output().len();
        s.send("]");
        s.wait_text(task, 10);
        s.wait_for("a full repaint", 10, |_| {
            find(&s.output()[before..], b"\x1b[2J").is_some()
        });
    };
    next(&mut s, "task 2/3");
    check_borders(&s, "second emoji item");
    next(&mut s, "task 3/3");
    // The plain item shows exactly its text: no cell of the emoji items is left.
    let screen = s.wait_text("Plain answer two.", 10);
    check_borders(&s, "plain item");
    for stray in [
        "🏽", "🇵", "🇯", "\u{200d}", "⟨", "👍", "🧙", "♂", "❤", "flag", "thumbs", "done",
    ] {
        assert!(
            !screen.contains(stray),
            "{stray:?} left on screen:\n{screen}"
        );
    }
    s.with_screen(|sc| {
        let rows_text: Vec<String> = sc.rows(0, cols).collect();
        for want in ["Plain answer one.", "Plain answer two.", "Plain question."] {
            let row = rows_text
                .iter()
                .find(|r| r.contains(want))
                .unwrap_or_else(|| panic!("{want} not on screen"));
            // Between the borders: the text and blanks, nothing else.
            let inner: String = row
                .split(['│', '┃', '║'])
                .find(|part| part.contains(want))
                .unwrap()
                .to_string();
            assert_eq!(inner.trim(), want, "{row:?}");
        }
    });
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));
}

#[test]
fn ctrl_l_repaints_everything() {
    let dir = tempfile::tempdir().unwrap();
    pair_file(dir.path(), 2);
    let args = ["label", "set.jsonl", "--annotator", "tess", "--no-shuffle"];
    let mut s = Session::spawn(&args, dir.path(), &[], 100, 30);
    s.wait_text("task 1/2", 10);
    let before = s.output().len();
    s.send("\x0c");
    // A repaint is a clear-screen followed by the whole frame again.
    let end = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let out = s.output();
        let tail = &out[before..];
        if find(tail, b"\x1b[2J").is_some()
            && String::from_utf8_lossy(tail).contains("Question")
            && String::from_utf8_lossy(tail).contains("Second")
        {
            break;
        }
        assert!(std::time::Instant::now() < end, "no repaint after Ctrl-L");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));
}

#[test]
fn ctrl_z_suspends_and_resume_redraws() {
    let dir = tempfile::tempdir().unwrap();
    pair_file(dir.path(), 2);
    let args = ["label", "set.jsonl", "--annotator", "tess", "--no-shuffle"];
    let mut s = Session::spawn(&args, dir.path(), &[], 100, 30);
    s.wait_text("task 1/2", 10);
    let before = s.output().len();
    s.send("\x1a");
    // Stopped, with the terminal given back: main screen, cursor shown.
    let end = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !process_stopped(s.pid()) {
        assert!(std::time::Instant::now() < end, "not stopped after Ctrl-Z");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    // What it wrote before stopping may reach the reader just after.
    s.wait_for("the terminal given back", 10, |_| {
        let out = s.output();
        find(&out[before..], LEAVE_ALT).is_some() && find(&out[before..], SHOW_CURSOR).is_some()
    });
    s.wait_for("main screen", 10, |_| !s.alternate_screen());
    let before = s.output().len();
    unsafe {
        libc::kill(s.pid() as i32, libc::SIGCONT);
    }
    // Back: alternate screen, cleared, the whole frame drawn again.
    let end = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let out = s.output();
        let tail = String::from_utf8_lossy(&out[before..]).to_string();
        if tail.contains("\x1b[?1049h")
            && tail.contains("\x1b[2J")
            && tail.contains("Question")
            && tail.contains("Second")
        {
            break;
        }
        assert!(
            std::time::Instant::now() < end,
            "no redraw after resume: {tail:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    s.wait_text("task 1/2", 10);
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));
}

/// Whether the process is stopped (state `T` in /proc).
fn process_stopped(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            s.rsplit_once(')')
                .map(|(_, rest)| rest.trim_start().starts_with('T'))
        })
        .unwrap_or(false)
}

#[test]
fn two_turn_conversations_open_at_the_question_and_the_answer_judged() {
    let dir = tempfile::tempdir().unwrap();
    let src = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/multiturn/mt_bench_ja.jsonl"
    );
    // The first two items only (the third is validate's example of a conflict).
    let text: String = std::fs::read_to_string(src)
        .unwrap()
        .lines()
        .take(2)
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(dir.path().join("mt.jsonl"), text).unwrap();
    let args = ["label", "mt.jsonl", "--annotator", "tess", "--no-shuffle"];
    let mut s = Session::spawn(&args, dir.path(), &[], 120, 40);
    let screen = s.wait_for("the answers judged", 10, |sc| {
        sc.matches("▍assistant · judged").count() >= 2
    });
    assert!(
        screen.contains("では、雨の日の代わりの予定も加えてください。"),
        "{screen}"
    );
    assert!(!screen.contains("、1行目で"), "{screen}");
    // P folds the earlier turns of every answer.
    s.send("P");
    let screen = s.wait_for("earlier turn folded", 10, |sc| {
        sc.contains("earlier turn folded") && sc.contains("earlier turns folded")
    });
    assert!(screen.contains("earlier turns folded"), "{screen}");
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));
}

#[test]
fn a_terminal_that_hangs_up_ends_the_session_with_the_log_intact() {
    // The pane closed, the SSH connection dropped: the pseudo-terminal's other end goes away.
    use portable_pty::{CommandBuilder, PtySize, native_pty_system};
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    pair_file(dir.path(), 3);
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: 30,
            cols: 100,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(common::BIN);
    cmd.args(["label", "set.jsonl", "--annotator", "tess", "--no-shuffle"]);
    cmd.cwd(dir.path());
    cmd.env("TERM", "xterm-256color");
    cmd.env("HOME", dir.path());
    cmd.env_remove("PREFER_CONFIG");
    cmd.env_remove("XDG_CONFIG_HOME");
    let mut child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().unwrap();
    let mut writer = pair.master.take_writer().unwrap();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = std::sync::Arc::clone(&seen);
    // The reader's copy of the terminal's end must close too: it stops at the first output
    // after it is told to (the clock redraws every second).
    let hang_up = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let told = std::sync::Arc::clone(&hang_up);
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 || told.load(std::sync::atomic::Ordering::SeqCst) {
                break;
            }
            sink.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    });
    let wait_for = |what: &str| {
        let end = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while !String::from_utf8_lossy(&seen.lock().unwrap()).contains(what) {
            assert!(std::time::Instant::now() < end, "never showed {what}");
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    };
    wait_for("task");
    writer.write_all(b"a").unwrap();
    writer.flush().unwrap();
    wait_for("saved");
    hang_up.store(true, std::sync::atomic::Ordering::SeqCst);
    drop(writer);
    drop(pair.master);
    let end = std::time::Instant::now() + std::time::Duration::from_secs(15);
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if std::time::Instant::now() > end {
            let _ = child.kill();
            panic!("prefer still running 15 s after its terminal hung up");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert!(!status.success(), "{status:?}");
    let events = log_events(&dir.path().join("set.labels/tess.jsonl"));
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["choice"], "c0");
}

/// Bracketed paste is on while the screen is up, and off again at the end. A paste is never
/// taken as keys: on the labeling screen it is ignored with a message (pasting "as" would
/// otherwise choose left and skip), in the `/` line it is the text searched for.
#[test]
fn a_paste_is_text_never_commands() {
    let dir = tempfile::tempdir().unwrap();
    pair_file(dir.path(), 3);
    let args = ["label", "set.jsonl", "--annotator", "tess", "--no-shuffle"];
    let mut s = Session::spawn(&args, dir.path(), &[], 100, 30);
    s.wait_text("task 1/3", 10);
    assert!(
        find(&s.output(), b"\x1b[?2004h").is_some(),
        "bracketed paste is turned on"
    );
    s.send("\x1b[200~as\x1b[201~");
    s.wait_text("pasted text ignored", 10);
    assert!(s.screen().contains("task 1/3"), "{}", s.screen());
    s.send("/");
    s.wait_text("search: ", 10);
    s.send("\x1b[200~Second answer to 2\x1b[201~");
    s.wait_text("search: Second answer to 2", 10);
    s.send("\r");
    s.wait_text("task 3/3", 10);
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));
    let out = s.output();
    let on = find(&out, b"\x1b[?2004h").unwrap();
    let off = find(&out, b"\x1b[?2004l").expect("bracketed paste is turned off");
    assert!(off > on);
    let log = dir.path().join("set.labels/tess.jsonl");
    assert!(
        !log.exists() || log_events(&log).is_empty(),
        "a paste decided nothing"
    );
}
